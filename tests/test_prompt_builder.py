"""Prompt templates (loading, fallback, project override) and the shot prompt builder."""

from __future__ import annotations

from pathlib import Path

import pytest

from storycore.prompts import load_template, template_sources
from storycore.tools.domain import AssetMetadata, ShotSpec, TechnicalSpecs
from storycore.tools.errors import InvalidInput, NotFound
from storycore.tools.prompt_builder import (
    build_shot_prompts,
    load_vocabulary,
    split_required_elements,
)

GABY = "a singer in her twenties, blonde curly hair, red leather jacket"


def elements() -> dict[str, AssetMetadata]:
    items = [
        AssetMetadata(
            element_id="gaby",
            type="character",
            name="GaBy",
            canonical_description=GABY,
            attributes={"eyes": "green", "height": "tall"},
        ),
        AssetMetadata(
            element_id="marco",
            type="character",
            name="Marco",
            canonical_description="a drummer with a shaved head",
        ),
        AssetMetadata(
            element_id="rooftop",
            type="location",
            name="Rooftop",
            canonical_description="a flat city rooftop with water tanks",
        ),
        AssetMetadata(element_id="mic", type="prop", name="Microphone"),
    ]
    return {item.element_id: item for item in items}


def shot(shot_id: str = "shot_01", **fields: object) -> ShotSpec:
    data: dict[str, object] = {
        "shot_id": shot_id,
        "start_frame": 0,
        "end_frame": 120,
        "shot_size": "CU",
        "camera_angle": "low",
        "camera_movement": "dolly in",
        "lens_mm": 50,
        "description": "GaBy sings into the wind.",
        "action": "she raises the microphone",
        "characters": ["gaby"],
        "location": "rooftop",
        "props": ["mic"],
        "time_of_day": "dawn",
        "weather": "light rain",
    }
    data.update(fields)
    return ShotSpec.model_validate(data)


SPECS = TechnicalSpecs(
    style="cinematic, pastel",
    required_prompt_elements=["fast cuts", "24fps", "warm palette", "no subtitles"],
    camera_movement_rule="dynamic except on cuts",
)


# --------------------------------------------------------------------------- templates


def test_templates_exist_in_english_french_and_japanese() -> None:
    for name in (
        "generation/image_prompt",
        "generation/video_prompt",
        "generation/negative_prompt",
        "generation/vocabulary",
    ):
        texts = {lang: load_template(name, lang) for lang in ("en", "fr", "ja")}
        assert len(set(texts.values())) == 3, name  # three real translations


def test_language_without_templates_falls_back_to_english() -> None:
    assert load_template("generation/image_prompt", "ko") == load_template(
        "generation/image_prompt", "en"
    )
    assert load_template("generation/image_prompt", "German") == load_template(
        "generation/image_prompt"
    )


def test_project_override_wins(tmp_path: Path) -> None:
    folder = tmp_path / "generation" / "fr"
    folder.mkdir(parents=True)
    (folder / "image_prompt.txt").write_text("Mon modèle : $camera\n", encoding="utf-8")
    assert load_template("generation/image_prompt", "fr", tmp_path) == "Mon modèle : $camera\n"
    # Other templates and languages are untouched.
    assert load_template("generation/video_prompt", "fr", tmp_path) == load_template(
        "generation/video_prompt", "fr"
    )
    assert load_template("generation/image_prompt", "en", tmp_path) == load_template(
        "generation/image_prompt", "en"
    )


def test_english_override_serves_languages_without_a_template(tmp_path: Path) -> None:
    folder = tmp_path / "generation" / "en"
    folder.mkdir(parents=True)
    (folder / "image_prompt.txt").write_text("Custom $camera\n", encoding="utf-8")
    assert load_template("generation/image_prompt", "ko", tmp_path) == "Custom $camera\n"
    # A packaged French template is more specific than the project's English one.
    assert load_template("generation/image_prompt", "fr", tmp_path) == load_template(
        "generation/image_prompt", "fr"
    )
    origins = [origin for origin, _ in template_sources("generation/image_prompt", "fr", tmp_path)]
    assert origins == ["package:fr", "project:en", "package:en"]


def test_template_refusals() -> None:
    with pytest.raises(NotFound, match="no prompt template named"):
        load_template("generation/nothing_here")
    with pytest.raises(InvalidInput, match="not valid"):
        load_template("../../etc/passwd")
    with pytest.raises(InvalidInput, match="unknown language"):
        load_template("generation/image_prompt", "klingon")


# --------------------------------------------------------------------------- prompts


def test_character_described_identically_in_every_shot() -> None:
    one = build_shot_prompts(shot("shot_01"), elements(), SPECS)
    two = build_shot_prompts(
        shot(
            "shot_02",
            shot_size="WS",
            camera_movement="pan",
            characters=["marco", "gaby"],
            description="Marco drums behind GaBy.",
            props=[],
        ),
        elements(),
        SPECS,
    )
    described = f"GaBy: {GABY} (green eyes; height: tall)"
    for prompts in (one, two):
        assert prompts.image_prompt.count(described) == 1
        assert prompts.video_prompt.count(described) == 1
    assert "Marco: a drummer with a shaved head" in two.video_prompt
    assert "Marco" not in one.video_prompt


def test_attribute_order_does_not_change_the_prompt() -> None:
    reordered = elements()
    reordered["gaby"] = reordered["gaby"].model_copy(
        update={"attributes": {"height": "tall", "eyes": "green"}}
    )
    assert build_shot_prompts(shot(), reordered, SPECS) == build_shot_prompts(
        shot(), elements(), SPECS
    )


def test_english_prompts_carry_the_shot() -> None:
    prompts = build_shot_prompts(shot(), elements(), SPECS)
    image, video = prompts.image_prompt, prompts.video_prompt
    assert image.startswith("close-up, low angle, 50 mm lens.")
    assert "dolly in" in video and "dolly in" not in image
    for text in (
        "GaBy sings into the wind.",
        "she raises the microphone",
        "Setting: Rooftop: a flat city rooftop with water tanks.",
        "Props: Microphone.",
        "Time of day: dawn.",
        "Weather: light rain.",
        "Style: cinematic, pastel.",
    ):
        assert text in image and text in video
    # Motion and timing requirements go to the video prompt only; visual ones to both.
    assert "fast cuts" in video and "24fps" in video and "fast cuts" not in image
    assert "warm palette" in image and "warm palette" in video
    # "no subtitles" is never said in a positive prompt.
    assert "subtitles" not in image and "subtitles" not in video
    # The camera movement rule is applied by the planner, never pasted into a prompt.
    assert "dynamic except on cuts" not in video and "Camera rule" not in image
    assert prompts.language == "en"


@pytest.mark.parametrize(
    ("movement", "details", "camera_line"),
    [
        # the planner's details repeat the lens and the move: each is said once
        ("dolly in", "50mm, slow dolly in", "close-up, low angle, 50 mm lens, slow dolly in."),
        ("static", "50mm, static", "close-up, low angle, 50 mm lens, static camera."),
        ("pan", "50mm, slow pan", "close-up, low angle, 50 mm lens, slow pan."),
        # a detail that says something new is kept, with the move
        (
            "dolly in",
            "50mm macro, handheld feel",
            "50 mm lens, dolly in, 50mm macro, handheld feel.",
        ),
    ],
)
def test_the_camera_line_says_each_thing_once(
    movement: str, details: str, camera_line: str
) -> None:
    video = build_shot_prompts(
        shot(camera_movement=movement, camera_details=details), elements(), SPECS
    ).video_prompt
    first = video.split("\n")[0] if "\n" in video else video.split(". ")[0] + "."
    assert first.endswith(camera_line), first


@pytest.mark.parametrize(
    ("description", "action"),
    [
        # the description capitalises the action it repeats at the start of its sentence
        (
            "Close-up of the can. Close on the machine; the can drops.",
            "close on the machine; the can drops.",
        ),
        ("Plan serré sur la tasse. La vapeur monte.", "la vapeur monte"),
        ("Wide shot. THE DOOR SLAMS.", "the door slams"),
    ],
)
def test_an_action_the_description_already_says_is_said_once(description: str, action: str) -> None:
    built = build_shot_prompts(
        shot(description=description, action=action, characters=[], props=["mic"]),
        elements(),
        SPECS,
    )
    words = action.rstrip(".").casefold()
    for prompt in (built.image_prompt, built.video_prompt):
        assert prompt.casefold().count(words) == 1, prompt


def test_an_action_the_description_does_not_say_is_kept() -> None:
    built = build_shot_prompts(
        shot(description="Close-up of the can.", action="the can rolls off the counter"),
        elements(),
        SPECS,
    )
    assert "the can rolls off the counter" in built.video_prompt


def test_prompt_language_switches_the_fixed_vocabulary() -> None:
    english = build_shot_prompts(shot(), elements(), SPECS)
    french = build_shot_prompts(
        shot(), elements(), SPECS.model_copy(update={"prompt_language": "fr"})
    )
    japanese = build_shot_prompts(
        shot(), elements(), SPECS.model_copy(update={"prompt_language": "ja"})
    )
    assert "close-up" in english.image_prompt
    assert french.image_prompt.startswith("gros plan, contre-plongée, objectif 50 mm.")
    assert "travelling avant" in french.video_prompt
    assert "Décor : Rooftop" in french.image_prompt
    assert japanese.image_prompt.startswith("クローズアップ、ローアングル、50mmレンズ。")
    assert "ドリーイン" in japanese.video_prompt
    assert "close-up" not in french.image_prompt + japanese.image_prompt
    # Free text stays as written, in every language.
    for prompts in (french, japanese):
        assert "GaBy sings into the wind" in prompts.image_prompt
        assert GABY in prompts.video_prompt
    assert french.language == "fr"


def test_cut_marker_on_static_shots_that_start_on_a_cut() -> None:
    static_cut = build_shot_prompts(shot(camera_movement="static"), elements(), SPECS)
    assert static_cut.video_prompt.startswith("[cut] ")
    assert "[cut]" not in static_cut.image_prompt
    moving = build_shot_prompts(shot(camera_movement="pan"), elements(), SPECS)
    assert "[cut]" not in moving.video_prompt
    dissolve = build_shot_prompts(
        shot(camera_movement="static", transition_in="dissolve"), elements(), SPECS
    )
    assert "[cut]" not in dissolve.video_prompt
    custom = SPECS.model_copy(update={"cut_marker": "<CUT>"})
    assert build_shot_prompts(
        shot(camera_movement="static"), elements(), custom
    ).video_prompt.startswith("<CUT>")


def test_negative_prompt() -> None:
    prompts = build_shot_prompts(shot(), elements(), SPECS)
    terms = prompts.negative_prompt.split(", ")
    assert {"blurry", "deformed hands", "subtitles", "text"} <= set(terms)
    assert len(terms) == len(set(terms))  # "watermark" twice is written once
    plain = build_shot_prompts(shot(), elements(), TechnicalSpecs())
    assert "subtitles" not in plain.negative_prompt
    french = TechnicalSpecs(
        prompt_language="fr", required_prompt_elements=["pas de sous-titres", "sans voitures"]
    )
    negative = build_shot_prompts(shot(), elements(), french).negative_prompt
    assert "sous-titres" in negative and "texte" in negative
    assert negative.endswith("voitures")  # an unknown thing goes in as written


def test_split_required_elements() -> None:
    positive, forbidden = split_required_elements(
        ["fast cuts", "No subtitles", "without narration", "字幕なし", " ", "include SFX"]
    )
    assert positive == ["fast cuts", "include SFX"]
    assert forbidden == ["subtitles", "narration", "字幕"]


def test_prompts_are_deterministic() -> None:
    first = build_shot_prompts(shot(), elements(), SPECS)
    build_shot_prompts(shot("shot_09", shot_size="ECU"), elements(), SPECS)
    again = build_shot_prompts(shot(), elements(), SPECS)
    assert first == again
    assert first.model_dump_json() == again.model_dump_json()
    # The shot id and its timing are not in the prompts: moving a shot changes nothing.
    moved = build_shot_prompts(shot("shot_07", start_frame=480, end_frame=600), elements(), SPECS)
    assert moved == first


def test_empty_fields_leave_no_dangling_labels() -> None:
    bare = ShotSpec(shot_id="shot_01", start_frame=0, end_frame=24)
    prompts = build_shot_prompts(bare, {}, TechnicalSpecs())
    assert prompts.image_prompt == "medium shot, eye-level angle, 35 mm lens."
    assert prompts.video_prompt == "[cut] medium shot, eye-level angle, 35 mm lens, static camera."
    for label in ("Setting:", "Props:", "Style:", "Weather:", ", ,", "..", " ."):
        assert label not in prompts.image_prompt + prompts.video_prompt


def test_missing_element_is_refused() -> None:
    with pytest.raises(NotFound, match="shot_01 shows element 'ghost'"):
        build_shot_prompts(shot(characters=["gaby", "ghost"]), elements(), SPECS)


def test_project_override_of_templates_and_vocabulary(tmp_path: Path) -> None:
    folder = tmp_path / "generation" / "en"
    folder.mkdir(parents=True)
    (folder / "vocabulary.txt").write_text("shot_size.CU = tight close-up\n", encoding="utf-8")
    (folder / "image_prompt.txt").write_text(
        "# mine\n$camera\nWho: $characters\n", encoding="utf-8"
    )
    prompts = build_shot_prompts(shot(), elements(), SPECS, override_dir=tmp_path)
    assert prompts.image_prompt == (
        f"tight close-up, low angle, 50 mm lens Who: GaBy: {GABY} (green eyes; height: tall)"
    )
    # The rest of the vocabulary still comes from the package.
    assert load_vocabulary("en", tmp_path)["camera_angle.low"] == "low angle"


def test_override_with_an_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "generation" / "en"
    folder.mkdir(parents=True)
    (folder / "video_prompt.txt").write_text("$camera $mood\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"unknown placeholder \$mood"):
        build_shot_prompts(shot(), elements(), SPECS, override_dir=tmp_path)
    (folder / "video_prompt.txt").write_text("$camera costs $5\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"\$\$ for a dollar sign"):
        build_shot_prompts(shot(), elements(), SPECS, override_dir=tmp_path)


def test_prompts_apply_to_a_copy_of_the_shot() -> None:
    original = shot()
    prompts = build_shot_prompts(original, elements(), SPECS)
    updated = prompts.apply_to(original)
    assert updated.video_prompt == prompts.video_prompt
    assert updated.negative_prompt == prompts.negative_prompt
    assert original.video_prompt == ""


def _with_traits(**traits: str) -> dict[str, AssetMetadata]:
    items = elements()
    items["gaby"] = items["gaby"].model_copy(update={"attributes": traits})
    return items


def test_attributes_read_as_the_words_a_director_would_write() -> None:
    """An attribute the feedback set reads as a phrase ("yellow coat"), the value alone when
    it names the thing ("glasses", "a green raincoat"), and not at all when the description
    says it already (GaBy's description has her blonde curly hair); an attribute the
    vocabulary does not know keeps its name ("height: tall")."""
    prompts = build_shot_prompts(
        shot(),
        _with_traits(coat="yellow", glasses="glasses", hair="blonde curly", height="tall"),
        SPECS,
    )
    assert f"GaBy: {GABY} (yellow coat; glasses; height: tall)" in prompts.video_prompt
    raincoat = build_shot_prompts(shot(), _with_traits(coat="a green raincoat"), SPECS)
    assert f"GaBy: {GABY} (a green raincoat)" in raincoat.video_prompt
    said = build_shot_prompts(shot(), _with_traits(jacket="red leather"), SPECS)
    assert f"GaBy: {GABY}. Action:" in said.video_prompt
    wig = elements()
    wig["gaby"] = wig["gaby"].model_copy(
        update={
            "canonical_description": "dark hair, a blonde wig",
            "attributes": {"hair": "blonde"},
        }
    )
    assert (
        "GaBy: dark hair, a blonde wig (blonde hair)."
        in build_shot_prompts(shot(), wig, SPECS).video_prompt
    )


def test_french_prompts_put_the_noun_first() -> None:
    specs = SPECS.model_copy(update={"prompt_language": "fr"})
    prompts = build_shot_prompts(shot(), _with_traits(coat="jaune", glasses="lunettes"), specs)
    assert f"GaBy : {GABY} (manteau jaune; lunettes)." in prompts.video_prompt
