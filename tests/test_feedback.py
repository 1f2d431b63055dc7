"""The feedback parser and the typed modifications, on projects planned by the real planner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from storycore.tools.errors import InvalidInput, NotFound
from storycore.tools.feedback import (
    MODIFICATION_TYPES,
    InsertShot,
    Lock,
    Modification,
    MoveShot,
    Regenerate,
    RegenerateWithout,
    RemoveShot,
    RetimeShot,
    SetModel,
    SetShotField,
    Unlock,
    UpdateElement,
    attribute_for_word,
    fold,
    modifications_from_json,
    parse_feedback,
    resolve_scene,
    resolve_shot_ref,
    translate_value,
)
from storycore.tools.planner import plan_project, read_scenes
from storycore.tools.project import Project

from .conftest import files_under, snapshot

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

DANCE_BRIEF = """---
title: Night Dance
duration: 20s
---
# Night Dance

A short music piece about Lea, alone in the city at night.

## Characters

- **Lea**: a young dancer with short black hair and a red dress

## Scenes

1. **Street** (6s): Lea walks home alone under the streetlights.
2. **Square** (8s): Lea dances in the empty square, spinning in the rain.
3. **Home** (6s): Lea closes the door of her flat, smiling.
"""


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Project]]:
    """The short film, the ad and a small dance brief, planned once (parsing writes nothing)."""
    base = tmp_path_factory.mktemp("feedback")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYCORE_CONFIG_DIR", str(base / "config"))
        patch.setenv("XDG_CONFIG_HOME", str(base / "config"))
        sources = {
            "film": ((EXAMPLES / "short_film.fountain").read_text(), "short_film.fountain"),
            "ad": ((EXAMPLES / "ad_brief.md").read_text(), "ad_brief.md"),
            "dance": (DANCE_BRIEF, "dance.md"),
        }
        projects = {}
        for name, (text, source) in sources.items():
            plan_project(text, base / name, source_name=source)
            projects[name] = Project.open(base / name)
        yield projects


@pytest.fixture
def film(planned: dict[str, Project]) -> Project:
    return planned["film"]


def mods(text: str, project: Project) -> list[Modification]:
    parsed = parse_feedback(text, project)
    assert parsed.understood, (text, parsed.unparsed)
    assert parsed.unparsed == []
    return parsed.modifications


# -- shot fields -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "make shot 3 a close-up",
        "Make shot 3 a close-up shot.",
        "shot 3 should be a close-up",
        "please change shot 3 to a closeup",
        "le plan 3 en gros plan",
        "plan 3 : gros plan",
        "Mets le plan 3 en gros plan, s'il te plaît",
    ],
)
def test_shot_size_in_english_and_french(film: Project, text: str) -> None:
    assert mods(text, film) == [SetShotField(shot_id="shot_03", field="shot_size", value="CU")]


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("shot 3 dolly in", "camera_movement", "dolly_in"),
        ("travelling avant sur le plan 3", "camera_movement", "dolly_in"),
        ("push in on shot 3", "camera_movement", "dolly_in"),
        ("make shot 3 handheld", "camera_movement", "handheld"),
        ("plan 3 en contre-plongée", "camera_angle", "low"),
        ("shot 3 high angle", "camera_angle", "high"),
        ("shot 3: 85mm", "lens_mm", "85"),
        ("set the lens of shot 3 to 50 mm", "lens_mm", "50"),
        ("la focale du plan 3 : 35 mm", "lens_mm", "35"),
        ("shot 3 should be over the shoulder", "framing", "ots"),
        ("make shot 3 a dissolve", "transition_in", "dissolve"),
        ("shot 3 at night", "time_of_day", "night"),
        ("le plan 3 sous la pluie", "weather", "rain"),
        ("set the description of shot 3 to The river at dawn", "description", "The river at dawn"),
    ],
)
def test_other_shot_fields(film: Project, text: str, field: str, value: str) -> None:
    assert mods(text, film) == [SetShotField(shot_id="shot_03", field=field, value=value)]


def test_relative_shot_size_steps_from_the_current_one(film: Project) -> None:
    # shot_02 is a medium shot in the plan: closer is a medium close-up, wider a cowboy.
    assert mods("make shot 2 closer", film)[0].value == "MCU"  # type: ignore[union-attr]
    assert mods("plan 2 plus large", film)[0].value == "MWS"  # type: ignore[union-attr]


# -- timing and order ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "shot 5 should last 4 seconds",
        "Shot 5 should last 4s",
        "make shot 5 4 seconds long",
        "shot 5: 4 sec",
        "le plan 5 doit durer 4 secondes",
        "le plan 5 dure 4 secondes",
        "raccourcis le plan 5 à 4 secondes",
        "shot 5 should last 96 frames",
    ],
)
def test_retime(film: Project, text: str) -> None:
    assert mods(text, film) == [RetimeShot(shot_id="shot_05", duration_seconds=4.0)]


def test_retime_with_a_decimal_comma(film: Project) -> None:
    assert mods("le plan 5 doit durer 2,5 secondes", film) == [
        RetimeShot(shot_id="shot_05", duration_seconds=2.5)
    ]


@pytest.mark.parametrize(
    "text", ["remove shot 7", "delete shot #7", "supprime le plan 7", "enlève le plan 7"]
)
def test_remove(film: Project, text: str) -> None:
    assert mods(text, film) == [RemoveShot(shot_id="shot_07")]


def test_remove_several(film: Project) -> None:
    assert mods("remove shots 7 and 8", film) == [
        RemoveShot(shot_id="shot_07"),
        RemoveShot(shot_id="shot_08"),
    ]


@pytest.mark.parametrize(
    "text",
    ["move shot 4 after shot 6", "déplace le plan 4 après le plan 6", "put shot_04 after shot_06"],
)
def test_move(film: Project, text: str) -> None:
    assert mods(text, film) == [MoveShot(shot_id="shot_04", after="shot_06")]


def test_move_before_and_to_the_start(film: Project) -> None:
    assert mods("move shot 4 before shot 2", film) == [MoveShot(shot_id="shot_04", after="shot_01")]
    assert mods("move shot 30 to the start", film) == [MoveShot(shot_id="shot_30", after=None)]
    assert mods("déplace le plan 3 à la fin", film) == [
        MoveShot(shot_id="shot_03", after="shot_31")
    ]


def test_insert_in_english_finds_the_location(film: Project) -> None:
    assert mods("add a shot of the bridge after shot 2", film) == [
        InsertShot(after="shot_02", description="The bridge", location="loc_old_bridge")
    ]


def test_insert_in_french_keeps_the_article(film: Project) -> None:
    assert mods("ajoute un plan du pont après le plan 2", film) == [
        InsertShot(after="shot_02", description="Le pont")
    ]


def test_insert_with_size_duration_and_character(film: Project) -> None:
    [insert] = mods("add a 3 second close-up of GaBy after shot 2", film)
    assert insert == InsertShot(
        after="shot_02",
        description="GaBy",
        duration_seconds=3.0,
        shot_size="CU",
        characters=["char_gaby"],
    )
    [french] = mods("ajoute un gros plan de GaBy avant le plan 3", film)
    assert (french.after, french.shot_size, french.characters) == (  # type: ignore[union-attr]
        "shot_02",
        "CU",
        ["char_gaby"],
    )


def test_insert_at_the_end_names_props(film: Project) -> None:
    [insert] = mods("insert a shot of the photograph on the train window at the end", film)
    assert insert.after == "shot_31"  # type: ignore[union-attr]
    assert insert.props == ["prop_photograph"]  # type: ignore[union-attr]
    assert insert.location == "loc_train"  # type: ignore[union-attr]


# -- models ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "switch the model to Sora-2",
        "Switch the model to Sora 2.",
        "use Sora 2 everywhere",
        "utilise Sora 2 partout",
        "change le modèle pour Sora 2",
        "use sora for all shots",
    ],
)
def test_model_everywhere(film: Project, text: str) -> None:
    assert mods(text, film) == [SetModel(model_id="sora2")]


def test_model_for_a_scene_by_its_words(planned: dict[str, Project]) -> None:
    assert mods("use Wan for the dance scene", planned["dance"]) == [
        SetModel(model_id="wan22_14b", scene="2")
    ]
    assert mods("use Wan for the kitchen scene", planned["film"]) == [
        SetModel(model_id="wan22_14b", scene="2")
    ]
    assert mods("utilise Kling pour la scène 3", planned["film"]) == [
        SetModel(model_id="kling_25", scene="3")
    ]


def test_model_for_shots_and_scene_types(film: Project) -> None:
    assert mods("use Kling for shot 3 and shot 4", film) == [
        SetModel(model_id="kling_25", shot_ids=["shot_03", "shot_04"])
    ]
    assert mods("render shot 3 with Veo 3", film) == [
        SetModel(model_id="veo3", shot_ids=["shot_03"])
    ]
    assert mods("use Kling for the action shots", film) == [
        SetModel(model_id="kling_25", scene_type="action")
    ]


def test_unknown_and_image_models_are_named(film: Project) -> None:
    with pytest.raises(NotFound, match="Sora 9"):
        parse_feedback("switch the model to Sora 9", film)
    with pytest.raises(InvalidInput, match="image"):
        parse_feedback("switch the model to FLUX", film)


def test_a_scene_nobody_wrote_is_named(film: Project) -> None:
    with pytest.raises(NotFound, match="dance"):
        parse_feedback("use Wan for the dance scene", film)


# -- elements --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("GaBy's hair should be blonde curly", "blonde curly"),
        ("make GaBy's hair blonde and curly", "blonde and curly"),
        ("gaby's hair: blonde and curly", "blonde and curly"),
        ("GaBy should have blonde and curly hair", "blonde and curly"),
        ("give GaBy blonde curly hair", "blonde curly"),
        ("les cheveux de GaBy doivent être blonds et bouclés", "blonde and curly"),
        ("GaBy a les cheveux blonds et bouclés", "blonde and curly"),
        ("les cheveux de Gaby sont blonds", "blonde"),
    ],
)
def test_hair(film: Project, text: str, value: str) -> None:
    assert mods(text, film) == [UpdateElement(element="char_gaby", attributes={"hair": value})]


@pytest.mark.parametrize(
    ("text", "attribute", "value"),
    [
        ("Marc's coat should be red", "coat", "red"),
        ("le manteau de Marc doit être rouge", "coat", "red"),
        ("Marc porte un manteau bleu clair", "coat", "light blue"),
        ("GaBy's eyes should be green", "eyes", "green"),
        ("les yeux de GaBy sont verts", "eyes", "green"),
        ("Marc wears a grey scarf", "scarf", "grey"),
        ("la robe de GaBy doit être bleue", "dress", "blue"),
        ("GaBy's costume should be a yellow raincoat", "costume", "yellow raincoat"),
    ],
)
def test_other_attributes(film: Project, text: str, attribute: str, value: str) -> None:
    element = "char_marc" if "Marc" in text else "char_gaby"
    assert mods(text, film) == [UpdateElement(element=element, attributes={attribute: value})]


def test_french_values_stay_french_for_french_prompts(planned: dict[str, Project]) -> None:
    assert translate_value("blonds et bouclés", "fr") == "blonds et bouclés"
    assert translate_value("blonds et bouclés", "en") == "blonde and curly"
    assert translate_value("bleu clair", "en") == "light blue"
    # A word the glossary does not know: the value is kept as written.
    assert translate_value("auburn et bouclés", "en") == "auburn et bouclés"


def test_attribute_words() -> None:
    assert attribute_for_word("Cheveux") == "hair"
    assert attribute_for_word("manteau") == "coat"
    assert attribute_for_word("raincoat") == "coat"
    assert attribute_for_word("nose") is None


def test_a_description_for_an_element(film: Project) -> None:
    assert mods("describe Marc as a tall man in a grey suit", film) == [
        UpdateElement(element="char_marc", description="a tall man in a grey suit")
    ]


# -- regeneration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "quality is low, regenerate without narration",
        "The quality is bad. Regenerate without the voice-over.",
        "régénère sans narration",
        "la qualité est mauvaise, refais sans la voix off",
        "remove the narration",
    ],
)
def test_regenerate_without_narration(film: Project, text: str) -> None:
    parsed = parse_feedback(text, film)
    assert parsed.understood
    assert parsed.modifications == [RegenerateWithout(aspect="narration")]


def test_regenerate_without_for_some_shots(film: Project) -> None:
    assert mods("remove the music from shot 5", film) == [
        RegenerateWithout(aspect="music", shot_ids=["shot_05"])
    ]
    assert mods("refais le plan 28 sans les bruitages", film) == [
        RegenerateWithout(aspect="sound_effects", shot_ids=["shot_28"])
    ]


@pytest.mark.parametrize("text", ["redo shot 4", "regenerate shot 4", "refais le plan 4"])
def test_redo(film: Project, text: str) -> None:
    assert mods(text, film) == [Regenerate(shot_ids=["shot_04"], reason=text)]


def test_redo_it_refers_to_the_shot_just_named(film: Project) -> None:
    parsed = parse_feedback("shot 4 looks bad, redo it", film)
    assert parsed.modifications == [
        Regenerate(shot_ids=["shot_04"], reason="shot 4 looks bad, redo it")
    ]
    assert parsed.remarks == ["shot 4 looks bad"]
    french = parse_feedback("le plan 4 est raté, refais-le", film)
    assert french.modifications == [
        Regenerate(shot_ids=["shot_04"], reason="le plan 4 est raté, refais-le")
    ]


def test_a_range_of_shots_follows_the_timeline(film: Project) -> None:
    # shot_11 was split into shot_11a and shot_11b: the range holds both parts.
    [redo] = mods("regenerate shots 10 to 12", film)
    assert redo.shot_ids == ["shot_10", "shot_11a", "shot_11b", "shot_12"]  # type: ignore[union-attr]


def test_lock_and_unlock(film: Project) -> None:
    assert mods("lock shot 3", film) == [Lock(target="shot_03")]
    assert mods("verrouille le plan 3", film) == [Lock(target="shot_03")]
    assert mods("unlock GaBy", film) == [Unlock(target="char_gaby")]
    assert mods("déverrouille Marc", film) == [Unlock(target="char_marc")]


# -- several clauses ---------------------------------------------------------------------


def test_two_clauses(film: Project) -> None:
    expected = [
        SetShotField(shot_id="shot_03", field="shot_size", value="CU"),
        RemoveShot(shot_id="shot_07"),
    ]
    assert mods("make shot 3 a close-up and remove shot 7", film) == expected
    assert mods("le plan 3 en gros plan et supprime le plan 7", film) == expected


def test_many_clauses_keep_their_order(film: Project) -> None:
    text = (
        "GaBy's hair should be blonde and curly, then move shot 4 after shot 6. "
        "Redo shot 9 please; and use Kling for shot 2"
    )
    assert [type(m) for m in mods(text, film)] == [UpdateElement, MoveShot, Regenerate, SetModel]


def test_an_and_inside_a_value_is_not_a_new_clause(film: Project) -> None:
    [update] = mods("make GaBy's hair blonde and curly and remove shot 7", film)[:1]
    assert update == UpdateElement(element="char_gaby", attributes={"hair": "blonde and curly"})


# -- references ------------------------------------------------------------------------


def test_a_split_shot_number_names_both_parts(film: Project) -> None:
    assert mods("shot 11 should be a wide shot", film) == [
        SetShotField(shot_id="shot_11a", field="shot_size", value="WS"),
        SetShotField(shot_id="shot_11b", field="shot_size", value="WS"),
    ]
    assert mods("shot 11a should be a wide shot", film) == [
        SetShotField(shot_id="shot_11a", field="shot_size", value="WS")
    ]
    with pytest.raises(InvalidInput, match="shot_11a, shot_11b"):
        parse_feedback("shot 11 should last 3 seconds", film)


def test_resolve_shot_ref() -> None:
    ids = ["shot_01", "shot_02", "shot_04a", "shot_04b", "shot_100"]
    assert resolve_shot_ref("2", ids) == ["shot_02"]
    assert resolve_shot_ref("shot 2", ids) == ["shot_02"]
    assert resolve_shot_ref("shot_02", ids) == ["shot_02"]
    assert resolve_shot_ref("4", ids) == ["shot_04a", "shot_04b"]
    assert resolve_shot_ref("4B", ids) == ["shot_04b"]
    assert resolve_shot_ref("100", ids) == ["shot_100"]
    with pytest.raises(NotFound, match="shot_03"):
        resolve_shot_ref("3", ids)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("remove shot 99", "shot_99"),
        ("make shot 40 a close-up", "shot_40"),
        ("le plan 77 doit durer 3 secondes", "shot_77"),
        ("make Bob's hair red", "Bob"),
        ("les cheveux de Zoé doivent être roux", "Zoé"),
        ("unlock Zorro", "Zorro"),
    ],
)
def test_unknown_shots_and_elements_are_named(film: Project, text: str, named: str) -> None:
    with pytest.raises(NotFound) as error:
        parse_feedback(text, film)
    assert named in str(error.value)


@pytest.mark.parametrize(
    "text",
    [
        "the vibe is off, make it more moody",
        "quality is low",
        "can we talk about the ending?",
        "don't remove shot 7",
        "ne supprime pas le plan 7",
    ],
)
def test_not_understood(film: Project, text: str) -> None:
    parsed = parse_feedback(text, film)
    assert parsed.understood is False
    assert parsed.modifications == []
    assert parsed.unparsed


def test_understood_part_and_unread_part(film: Project) -> None:
    parsed = parse_feedback("remove shot 7 and make the colours warmer", film)
    assert parsed.modifications == [RemoveShot(shot_id="shot_07")]
    assert parsed.understood is False
    assert parsed.unparsed == ["make the colours warmer"]


def test_empty_feedback_is_refused(film: Project) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        parse_feedback("   ", film)


def test_parsing_writes_nothing(film: Project) -> None:
    before, names = snapshot(film.root), files_under(film.root)
    parse_feedback("make shot 3 a close-up and remove shot 7. GaBy's hair should be red.", film)
    assert snapshot(film.root) == before
    assert files_under(film.root) == names


# -- scenes ----------------------------------------------------------------------------


def test_resolve_scene(film: Project) -> None:
    scenes = read_scenes(film)
    assert resolve_scene("2", scenes) == "2"
    assert resolve_scene("scene 4", scenes) == "4"
    assert resolve_scene("the kitchen", scenes) == "2"
    assert resolve_scene("station platform", scenes) == "3"
    with pytest.raises(NotFound, match=r"1 \(EXT\. OLD BRIDGE"):
        resolve_scene("the dance scene", scenes)
    with pytest.raises(InvalidInput, match="scene number"):
        resolve_scene("rain", scenes)


# -- the modifications as tool schemas -------------------------------------------------


def test_every_modification_is_documented_for_a_language_model() -> None:
    for kind in MODIFICATION_TYPES:
        assert kind.__doc__ and len(kind.__doc__.split()) > 5, kind
        schema = kind.model_json_schema()
        for name, prop in schema["properties"].items():
            if name != "kind":
                assert prop.get("description"), (kind.__name__, name)
        # Flat: no nested objects other than a plain mapping of strings.
        for prop in schema["properties"].values():
            assert "$ref" not in json.dumps(prop), (kind.__name__, prop)


def test_union_schema_and_json_round_trip() -> None:
    adapter: TypeAdapter[list[Modification]] = TypeAdapter(list[Modification])
    schema = adapter.json_schema()
    assert "discriminator" in json.dumps(schema)
    items = [
        SetShotField(shot_id="shot_03", field="shot_size", value="gros plan"),
        UpdateElement(element="GaBy", attributes={"hair": "blonde"}),
        InsertShot(after=None, description="The sea", shot_size="wide"),
        RegenerateWithout(aspect="music"),
    ]
    data = [m.model_dump(mode="json") for m in items]
    assert modifications_from_json(data) == items
    assert data[0]["value"] == "CU" and data[2]["shot_size"] == "WS"


def test_bad_modifications_are_refused_clearly() -> None:
    with pytest.raises(ValidationError):
        SetShotField(shot_id="shot_03", field="shot_size", value="enormous")
    with pytest.raises(ValidationError):
        SetShotField(shot_id="shot_03", field="lens_mm", value="3000")
    with pytest.raises(InvalidInput, match="kind"):
        modifications_from_json([{"kind": "explode", "shot_id": "shot_01"}])
    with pytest.raises(InvalidInput, match="duration_seconds"):
        modifications_from_json(
            {"kind": "retime_shot", "shot_id": "shot_01", "duration_seconds": 0}
        )


def test_fold_keeps_offsets() -> None:
    text = "Déplace le plan 4 après l’Œuvre"
    assert len(fold(text)) == len(text)
    assert fold(text).startswith("deplace le plan 4 apres l'")
