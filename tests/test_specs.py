"""The technical specs manager: defaults, specs from a brief, CLI overrides, table rows."""

from __future__ import annotations

import pytest

from storycore.tools.brief import parse_brief
from storycore.tools.domain import Resolution, TechnicalSpecs
from storycore.tools.errors import InvalidInput, StoryCoreError, TimecodeError
from storycore.tools.specs import DEFAULT_SPECS, apply_overrides, describe_specs, specs_from_brief


def test_documented_defaults() -> None:
    assert DEFAULT_SPECS.aspect_ratio == "16:9"
    assert DEFAULT_SPECS.resolution == Resolution(width=1920, height=1080)
    assert DEFAULT_SPECS.fps == "24"
    assert DEFAULT_SPECS.language == "en"
    assert DEFAULT_SPECS.prompt_language == "en"


def test_specs_from_brief_copies_and_carries_the_duration() -> None:
    brief = parse_brief("A vertical 45-second clip, noir and pastel.")
    specs = specs_from_brief(brief)
    assert specs.aspect_ratio == "9:16"
    assert specs.duration_seconds == 45
    assert specs.style == "noir, pastel"
    changed = apply_overrides(specs, fps=25)
    assert brief.technical_specs.fps == "24"  # the brief is never changed
    assert changed.fps == "25"


def test_aspect_override_turns_the_frame_and_keeps_the_quality_class() -> None:
    specs = apply_overrides(DEFAULT_SPECS, aspect="vertical")
    assert specs.aspect_ratio == "9:16"
    assert specs.resolution == Resolution(width=1080, height=1920)
    uhd = apply_overrides(DEFAULT_SPECS, resolution="4K")
    square = apply_overrides(uhd, aspect="1:1")
    assert square.resolution == Resolution(width=2160, height=2160)


def test_named_resolution_takes_the_aspect_orientation() -> None:
    vertical = apply_overrides(DEFAULT_SPECS, aspect="9:16")
    assert apply_overrides(vertical, resolution="720p").resolution == Resolution(
        width=720, height=1280
    )
    both = apply_overrides(DEFAULT_SPECS, aspect="9:16", resolution="1080p")
    assert both.resolution == Resolution(width=1080, height=1920)


def test_explicit_resolution_sets_the_aspect() -> None:
    specs = apply_overrides(DEFAULT_SPECS, resolution="1080x1920")
    assert specs.aspect_ratio == "9:16"
    assert specs.resolution == Resolution(width=1080, height=1920)


def test_contradictory_flags_are_refused() -> None:
    with pytest.raises(InvalidInput, match="1920x1080 is 16:9, not 9:16"):
        apply_overrides(DEFAULT_SPECS, aspect="9:16", resolution="1920x1080")
    with pytest.raises(InvalidInput, match="no supported aspect ratio"):
        apply_overrides(DEFAULT_SPECS, resolution="1000x700")


def test_fps_override_with_drop_frame() -> None:
    specs = apply_overrides(DEFAULT_SPECS, fps="29.97 drop-frame")
    assert specs.fps == "30000/1001"
    assert specs.uses_drop_frame
    ndf = apply_overrides(specs, fps="29.97 NDF")
    assert ndf.uses_drop_frame is False
    # Leaving NTSC forgets the drop-frame choice instead of failing.
    assert apply_overrides(specs, fps=25).drop_frame is None


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"fps": "fast"}, TimecodeError, "unknown frame rate"),
        ({"fps": "25 drop-frame"}, InvalidInput, "drop-frame timecode does not exist"),
        ({"aspect": "banana"}, InvalidInput, "unknown aspect ratio"),
        ({"resolution": "huge"}, InvalidInput, "unknown resolution"),
        ({"language": "klingon"}, InvalidInput, "unknown language"),
        ({"prompt_language": "elvish"}, InvalidInput, "unknown language"),
        ({"duration": "-30s"}, InvalidInput, "negative"),
        ({"duration": "9h"}, InvalidInput, "4 hours"),
        ({"duration": "soon"}, InvalidInput, "not a duration"),
    ],
)
def test_override_refusals(kwargs: dict[str, str], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message) as info:
        apply_overrides(DEFAULT_SPECS, **kwargs)
    assert isinstance(info.value, StoryCoreError)


def test_duration_and_languages() -> None:
    specs = apply_overrides(
        DEFAULT_SPECS, duration="1m30s", language="français", prompt_language="Japanese"
    )
    assert specs.duration_seconds == 90
    assert specs.language == "fr"
    assert specs.prompt_language == "ja"
    assert apply_overrides(specs, duration=12.5).duration_seconds == 12.5


def test_no_override_changes_nothing() -> None:
    specs = TechnicalSpecs(fps="25", aspect_ratio="1:1", resolution="1080x1080")
    assert apply_overrides(specs) == specs


def test_describe_specs_rows() -> None:
    specs = apply_overrides(DEFAULT_SPECS, fps="29.97", duration="4:27")
    specs = specs.model_copy(
        update={"models": specs.models.model_copy(update={"avoid": ["sora2"], "local_only": True})}
    )
    rows = dict(describe_specs(specs))
    assert rows["Aspect ratio"] == "16:9"
    assert rows["Resolution"] == "1920x1080"
    assert rows["Frame rate"] == "29.97 fps (drop-frame timecode)"
    assert rows["Duration"] == "267 s (4:27)"
    assert rows["Models"] == "avoid sora2; local only"
    assert rows["Answer language"] == "English (en)"
    assert rows["Cut marker"] == "[cut]"
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in describe_specs(DEFAULT_SPECS))


def test_describe_specs_values_in_the_answer_language() -> None:
    specs = apply_overrides(DEFAULT_SPECS, fps="29.97").model_copy(
        update={"pace": "music_video", "language": "fr", "budget_usd": 1200.0}
    )
    specs = specs.model_copy(
        update={"models": specs.models.model_copy(update={"avoid": ["sora2"], "local_only": True})}
    )
    english = dict(describe_specs(specs))
    french = dict(describe_specs(specs, "fr"))
    assert french.keys() == english.keys()  # the settings stay English keys (status --json)
    assert french["Frame rate"] == "29.97 fps (timecode drop-frame)"
    assert french["Pace"].startswith("clip (une coupe")
    assert french["Answer language"] == "français (fr)"
    assert french["Models"] == "éviter sora2 ; en local uniquement"
    assert french["Budget"] == "1,200.00 $" and english["Budget"] == "$1,200.00"
    assert french["Camera movement rule"] == "aucune" and english["Camera movement rule"] == "none"
    assert english["Pace"] == "music video (a cut every ~2 s)"
