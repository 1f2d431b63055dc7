"""Instructions about the production, spoken lines and on-screen text stay out of prompts."""

from __future__ import annotations

import pytest

from storycore.tools.domain import AssetMetadata, ShotSpec, TechnicalSpecs
from storycore.tools.prompt_builder import build_shot_prompts

ELEMENTS = {
    "ines": AssetMetadata(
        element_id="ines",
        type="character",
        name="Inès",
        canonical_description="a florist in her forties, grey bob, green apron",
    ),
    "shop": AssetMetadata(
        element_id="shop",
        type="location",
        name="Shop",
        canonical_description="a narrow flower shop with a tiled floor",
    ),
}


def _shot(
    description: str, dialogue: list[dict[str, str]] | None = None, **extra: object
) -> ShotSpec:
    data: dict[str, object] = {
        "shot_id": "shot_03",
        "start_frame": 0,
        "end_frame": 96,
        "shot_size": "MS",
        "camera_movement": "static",
        "description": description,
        "action": description,
        "characters": ["ines"],
        "location": "shop",
        "dialogue": dialogue or [],
    }
    data.update(extra)
    return ShotSpec.model_validate(data)


@pytest.mark.parametrize(
    ("language", "rule"),
    [("en", "handheld only after the first minute"), ("fr", "caméra fixe sauf sur les raccords")],
)
def test_camera_rule_is_never_pasted_into_a_prompt(language: str, rule: str) -> None:
    specs = TechnicalSpecs(
        prompt_language=language,
        camera_movement_rule=rule,
        required_prompt_elements=["neon signage", "no subtitles"],
    )
    prompts = build_shot_prompts(_shot("Inès trims the stems."), ELEMENTS, specs)
    for text in (prompts.image_prompt, prompts.video_prompt, prompts.negative_prompt):
        assert rule not in text
        assert "Camera rule" not in text and "Règle de caméra" not in text
    # A required element that is a real visual element is still in both prompts.
    assert "neon signage" in prompts.image_prompt and "neon signage" in prompts.video_prompt
    assert "subtitles" not in prompts.image_prompt


@pytest.mark.parametrize(
    ("language", "description", "line", "kept"),
    [
        (
            "en",
            'Inès looks up and says "We close at nine, love." to the courier.',
            "We close at nine, love.",
            "Inès looks up",
        ),
        (
            "fr",
            "Inès lève les yeux : « On ferme à neuf heures, mon grand. »",
            "On ferme à neuf heures, mon grand.",
            "Inès lève les yeux",
        ),
    ],
)
def test_dialogue_is_not_in_the_image_prompt(
    language: str, description: str, line: str, kept: str
) -> None:
    shot = _shot(description, dialogue=[{"character": "ines", "text": line}])
    prompts = build_shot_prompts(shot, ELEMENTS, TechnicalSpecs(prompt_language=language))
    assert "neuf heures" not in prompts.image_prompt and "nine" not in prompts.image_prompt
    assert "neuf heures" not in prompts.video_prompt and "nine" not in prompts.video_prompt
    assert kept in prompts.image_prompt
    # The line is still the shot's dialogue.
    assert shot.dialogue[0].text == line


@pytest.mark.parametrize(
    ("description", "tagline", "kept"),
    [
        ('The bouquet on the counter, tagline "Bloom daily."', "Bloom daily", "The bouquet"),
        (
            "Le bouquet sur le comptoir, avec le slogan « Fleuris chaque jour ».",
            "Fleuris",
            "comptoir",
        ),
    ],
)
def test_on_screen_text_is_not_in_the_scene_description(
    description: str, tagline: str, kept: str
) -> None:
    prompts = build_shot_prompts(_shot(description), ELEMENTS, TechnicalSpecs())
    assert tagline not in prompts.image_prompt and tagline not in prompts.video_prompt
    assert kept in prompts.image_prompt
