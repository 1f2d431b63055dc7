"""Feedback on how characters and places look, as a user checks it: what the element
stores, what the change summary says, and which shots are redone (and which are not)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storycore.tools.errors import NotFound
from storycore.tools.feedback import parse_feedback
from storycore.tools.planner import plan_project
from storycore.tools.project import Project
from storycore.tools.regeneration import ChangePlan, apply_changes, plan_changes
from storycore.tools.registry import AssetRegistry
from storycore.tools.structure import load_shots

BRIEF = """---
title: Harbour Lights
duration: 24s
language: {language}
prompt_language: {language}
---
# Harbour Lights

A short film about Tomas and Yuki on a rainy evening by the harbour.

## Characters

- **Tomas**: a fisherman in his fifties, grey beard, a navy wool coat
- **Yuki**: a young photographer with short black hair and a red scarf
- **Dr. Okafor**: the harbour doctor, tall, in a white coat

## Scenes

1. **Quay** (8s): Tomas mends a net on the quay in the pouring rain.
2. **Café** (8s): Yuki drinks tea with Dr. Okafor in a small café by the window.
3. **Quay** (8s): Yuki photographs Tomas on the quay at dusk.
"""


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The brief planned in English and in French (answers and prompts); each test works on
    a copy."""
    base = tmp_path_factory.mktemp("looks")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYCORE_CONFIG_DIR", str(base / "config"))
        patch.setenv("XDG_CONFIG_HOME", str(base / "config"))
        for language in ("en", "fr"):
            plan_project(BRIEF.format(language=language), base / language, source_name="b.md")
    yield {"en": base / "en", "fr": base / "fr"}


def _copy(templates: dict[str, Path], language: str, tmp_path: Path) -> Project:
    import shutil

    shutil.copytree(templates[language], tmp_path / language)
    return Project.open(tmp_path / language)


@pytest.fixture
def harbour(templates: dict[str, Path], tmp_path: Path) -> Project:
    return _copy(templates, "en", tmp_path)


@pytest.fixture
def harbour_fr(templates: dict[str, Path], tmp_path: Path) -> Project:
    return _copy(templates, "fr", tmp_path)


def _plan(project: Project, text: str) -> ChangePlan:
    parsed = parse_feedback(text, project)
    assert parsed.understood, parsed.unparsed
    return plan_changes(project, parsed.modifications)


def _showing(project: Project, element_id: str) -> list[str]:
    return [s.shot_id for s in load_shots(project) if element_id in s.element_ids()]


def _attributes(project: Project, element_id: str) -> dict[str, str]:
    return dict(AssetRegistry(project).get(element_id).attributes)


# -- a garment keeps its kind -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "value", "reading"),
    [
        ("give Yuki a yellow raincoat", "coat", "yellow raincoat", "(yellow raincoat)"),
        (
            "Yuki should wear a beige trench coat",
            "coat",
            "beige trench coat",
            "(beige trench coat)",
        ),
        ("Yuki's coat should be a long green trench", "coat", "long green trench", "green trench)"),
        ("Yuki wears a grey hoodie", "sweater", "grey hoodie", "(grey hoodie)"),
        ("Yuki porte un imperméable jaune", "coat", "yellow raincoat", "(yellow raincoat)"),
        ("donne à Yuki un sweat à capuche gris", "sweater", "grey hoodie", "(grey hoodie)"),
        ("Yuki porte un imperméable", "coat", "raincoat", "(raincoat)"),
        # A plain coat is still "coat: red", read "red coat".
        ("le manteau de Yuki doit être rouge", "coat", "red", "(red coat)"),
        ("Yuki's jacket should be orange", "jacket", "orange", "(orange jacket)"),
    ],
)
def test_a_garment_keeps_its_kind(
    harbour: Project, text: str, key: str, value: str, reading: str
) -> None:
    plan = _plan(harbour, text)
    apply_changes(harbour, plan)
    assert _attributes(harbour, "char_yuki")[key] == value
    # Every prompt showing Yuki reads the garment as a director writes it, once.
    for shot in load_shots(harbour):
        if "char_yuki" in shot.characters:
            assert reading in shot.video_prompt
    assert plan.regenerate_shots == _showing(harbour, "char_yuki")


def test_a_french_garment_for_french_prompts_stays_french(harbour_fr: Project) -> None:
    apply_changes(harbour_fr, _plan(harbour_fr, "Yuki porte un imperméable jaune"))
    assert _attributes(harbour_fr, "char_yuki") == {"coat": "imperméable jaune"}
    shot = next(s for s in load_shots(harbour_fr) if "char_yuki" in s.characters)
    assert "imperméable jaune" in shot.video_prompt
    assert "manteau imperméable" not in shot.video_prompt


def test_a_new_coat_restates_the_coat_the_description_gave(harbour: Project) -> None:
    apply_changes(harbour, _plan(harbour, "give Tomas a yellow raincoat"))
    tomas = AssetRegistry(harbour).get("char_tomas")
    assert "yellow raincoat" in tomas.canonical_description
    assert "navy wool coat" not in tomas.canonical_description
    assert "grey beard" in tomas.canonical_description


# -- the summary says what changed ----------------------------------------------------------


def _summary(project: Project, text: str) -> str:
    (line,) = _plan(project, text).summary
    return line


def test_the_summary_says_what_changed(harbour: Project) -> None:
    yuki = len(_showing(harbour, "char_yuki"))
    tomas = len(_showing(harbour, "char_tomas"))
    # A thing she did not have: added, not "glasses -> glasses".
    assert _summary(harbour, "Yuki wears glasses") == f"char_yuki: adds glasses ({yuki} shots)"
    assert _summary(harbour, "give Yuki a yellow raincoat") == (
        f"char_yuki: adds yellow raincoat ({yuki} shots)"
    )
    # A trait the description gives ("a navy wool coat") is changed, not added.
    assert _summary(harbour, "give Tomas a yellow raincoat") == (
        f"char_tomas: coat -> yellow raincoat ({tomas} shots)"
    )
    # A value it had: from the old one to the new one.
    apply_changes(harbour, _plan(harbour, "make Yuki's hair red"))
    assert _summary(harbour, "Yuki's hair should be blonde and curly") == (
        f"char_yuki: hair: red -> blonde and curly ({yuki} shots)"
    )


def test_the_summary_is_in_the_users_language(harbour_fr: Project) -> None:
    yuki = len(_showing(harbour_fr, "char_yuki"))
    assert _summary(harbour_fr, "Yuki porte des lunettes") == (
        f"char_yuki : ajoute lunettes ({yuki} plans)"
    )
    apply_changes(harbour_fr, _plan(harbour_fr, "les cheveux de Yuki doivent être roux"))
    assert _summary(harbour_fr, "les cheveux de Yuki doivent être blonds") == (
        f"char_yuki : cheveux : roux -> blonds ({yuki} plans)"
    )


def test_a_name_with_a_title_is_read_whole(harbour: Project) -> None:
    """ "give Dr. X a ...": the name is not cut at its first word."""
    plan = _plan(harbour, "give Dr. Okafor a yellow raincoat")
    apply_changes(harbour, plan)
    assert _attributes(harbour, "char_dr_okafor") == {"coat": "yellow raincoat"}
    assert plan.regenerate_shots == _showing(harbour, "char_dr_okafor")
    assert 0 < len(plan.regenerate_shots) < len(load_shots(harbour))  # the others are kept
    with pytest.raises(NotFound, match=r"'Dr\. Nobody'"):
        parse_feedback("give Dr. Nobody a yellow raincoat", harbour)


# -- age ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "age", "summary"),
    [
        ("Tomas should look older", "60s", "age: 50s -> 60s"),
        ("make Tomas look a bit younger", "40s", "age: 50s -> 40s"),
        ("Tomas looks too old", "40s", "age: 50s -> 40s"),
        ("make Tomas in his early 40s", "early 40s", "age: 50s -> early 40s"),
        ("Tomas should be 72", "72 years old", "age: 50s -> 72 years old"),
        ("Tomas doit paraître plus jeune", "40s", "age: 50s -> 40s"),
        ("vieillis Tomas", "60s", "age: 50s -> 60s"),
        ("Tomas doit avoir la trentaine", "30s", "age: 50s -> 30s"),
    ],
)
def test_a_characters_age(harbour: Project, text: str, age: str, summary: str) -> None:
    plan = _plan(harbour, text)
    showing = _showing(harbour, "char_tomas")
    assert plan.summary == [f"char_tomas: {summary} ({len(showing)} shots)"]
    assert plan.regenerate_shots == showing  # Yuki's shots without him are kept
    assert len(showing) < len(load_shots(harbour))
    apply_changes(harbour, plan)
    assert _attributes(harbour, "char_tomas") == {"age": age}
    tomas = AssetRegistry(harbour).get("char_tomas")
    # The description no longer gives the old age; every prompt showing him says the new one.
    assert "fifties" not in tomas.canonical_description
    assert " his 72" not in tomas.canonical_description  # "aged 72", not "in his 72 years old"
    assert "grey beard" in tomas.canonical_description
    for shot in load_shots(harbour):
        if "char_tomas" in shot.characters:
            assert age in shot.video_prompt and "fifties" not in shot.video_prompt


def test_an_age_said_as_a_word(harbour: Project) -> None:
    """ "a young photographer" made a teenager, then in her 40s: the word is restated or
    goes, the attribute says the age."""
    apply_changes(harbour, _plan(harbour, "make Yuki a teenager"))
    yuki = AssetRegistry(harbour).get("char_yuki")
    assert yuki.attributes == {"age": "teenager"}
    assert "young" not in yuki.canonical_description
    apply_changes(harbour, _plan(harbour, "Yuki's hair should be grey and she should look older"))
    yuki = AssetRegistry(harbour).get("char_yuki")
    assert yuki.attributes == {"age": "20s", "hair": "grey"}
    shot = next(s for s in load_shots(harbour) if "char_yuki" in s.characters)
    assert "20s" in shot.video_prompt and "teenager" not in shot.video_prompt


def test_an_age_in_french_prompts(harbour_fr: Project) -> None:
    apply_changes(harbour_fr, _plan(harbour_fr, "Tomas doit avoir la quarantaine"))
    assert _attributes(harbour_fr, "char_tomas") == {"age": "la quarantaine"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Dr. Okafor should look older", "age is not said"),  # nothing says how old
        ("make her in her 40s", "say who 'her' is"),  # nobody named before
    ],
)
def test_an_age_that_cannot_be_read(harbour: Project, text: str, message: str) -> None:
    from storycore.tools.errors import InvalidInput

    with pytest.raises(InvalidInput, match=message):
        parse_feedback(text, harbour)


# -- the look of a place -----------------------------------------------------------------------


def _at(project: Project, location: str) -> list[str]:
    return [s.shot_id for s in load_shots(project) if s.location == location]


def _cafe(project: Project) -> str:
    (cafe,) = [r.element_id for r in project.manifest.elements if "caf" in r.element_id]
    return cafe


@pytest.mark.parametrize(
    ("text", "lighting"),
    [
        ("make the café warmer", "warm"),
        ("the café should feel a bit cosier", "warm"),
        ("the café is too dark", "bright"),
        ("make the café look colder", "cold"),
    ],
)
def test_the_light_of_a_place(harbour: Project, text: str, lighting: str) -> None:
    cafe = _cafe(harbour)
    plan = _plan(harbour, text)
    assert plan.regenerate_shots == _at(harbour, cafe)
    assert 0 < len(plan.regenerate_shots) < len(load_shots(harbour))
    apply_changes(harbour, plan)
    assert _attributes(harbour, cafe) == {"lighting": lighting}
    for shot in load_shots(harbour):
        if shot.location == cafe:
            assert f"{lighting} lighting" in shot.video_prompt


def test_the_light_of_a_place_in_french(harbour_fr: Project) -> None:
    cafe = _cafe(harbour_fr)
    apply_changes(harbour_fr, _plan(harbour_fr, "rends le café plus chaleureux"))
    assert _attributes(harbour_fr, cafe) == {"lighting": "chaude"}
    shot = next(s for s in load_shots(harbour_fr) if s.location == cafe)
    assert "lumière chaude" in shot.video_prompt


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("night instead of day in the café", "time_of_day", "night"),
        ("make it dawn in the café", "time_of_day", "dawn"),
        ("the café should be at night", "time_of_day", "night"),
        ("le café de nuit au lieu du jour", "time_of_day", "night"),
        ("the café in the snow", "weather", "snow"),
    ],
)
def test_the_time_or_weather_of_a_place(
    harbour: Project, text: str, field: str, value: str
) -> None:
    cafe = _cafe(harbour)
    before = {s.shot_id: getattr(s, field) for s in load_shots(harbour)}
    plan = _plan(harbour, text)
    assert plan.regenerate_shots == _at(harbour, cafe)  # the quay is kept
    apply_changes(harbour, plan)
    for shot in load_shots(harbour):
        expected = value if shot.location == cafe else before[shot.shot_id]
        assert getattr(shot, field) == expected, shot.shot_id


def test_heavier_rain(harbour: Project) -> None:
    rainy = [s.shot_id for s in load_shots(harbour) if "rain" in (s.weather or "")]
    assert 0 < len(rainy) < len(load_shots(harbour))
    plan = _plan(harbour, "make the rain heavier")
    assert plan.regenerate_shots == rainy
    apply_changes(harbour, plan)
    assert {s.weather for s in load_shots(harbour) if s.shot_id in rainy} == {"heavy rain"}
    plan = _plan(harbour, "rends la pluie plus fine")
    assert plan.regenerate_shots == rainy
    apply_changes(harbour, plan)
    assert {s.weather for s in load_shots(harbour) if s.shot_id in rainy} == {"light rain"}


def test_weather_no_shot_has(harbour: Project) -> None:
    from storycore.tools.errors import InvalidInput

    with pytest.raises(InvalidInput, match="no shot has snow"):
        parse_feedback("make the snow heavier", harbour)


# -- what is not understood ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "attributes", "unread"),
    [
        ("make Yuki's hair red and the mood is wrong", {"hair": "red"}, "the mood is wrong"),
        (
            "give Yuki a grey scarf and the pacing feels slow",
            {"scarf": "grey"},
            "the pacing feels slow",
        ),
        (
            "les cheveux de Yuki doivent être roux et la scène est bizarre",
            {"hair": "red"},
            "la scène est bizarre",
        ),
    ],
)
def test_a_remark_is_not_read_into_a_value(
    harbour: Project, text: str, attributes: dict[str, str], unread: str
) -> None:
    """ "... and the mood is wrong" is its own clause, not part of the new hair colour."""
    parsed = parse_feedback(text, harbour)
    assert [(m.kind, m.model_dump(exclude_defaults=True)) for m in parsed.modifications] == [
        ("update_element", {"element": "char_yuki", "attributes": attributes})
    ]
    assert parsed.unparsed == [unread] and not parsed.understood
