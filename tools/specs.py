"""The technical specs manager (pure parts): defaults, specs from a brief, CLI overrides, and
rows for a table.

The defaults are those of :class:`~storycore.tools.domain.TechnicalSpecs`: 16:9, 1920x1080,
24 fps, English answers and English prompts. The project store persists the specs in
``project.json`` (``technical_specs``); nothing here writes files.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from pydantic import ValidationError

from storycore.tools.brief import (
    aspect_of,
    fit_resolution,
    is_named_resolution,
    parse_duration,
    parse_fps,
)
from storycore.tools.domain import (
    LANGUAGE_NAMES,
    CreativeBrief,
    ModelPreferences,
    Resolution,
    TechnicalSpecs,
    format_validation_error,
    normalize_language,
    parse_aspect_ratio,
    parse_resolution,
    resolution_for,
)
from storycore.tools.errors import InvalidInput
from storycore.tools.i18n import FALLBACK, Messages, catalog
from storycore.tools.rates import is_drop_frame_rate, parse_rate, rate_label

__all__ = ["DEFAULT_SPECS", "apply_overrides", "describe_specs", "specs_from_brief"]

#: The documented defaults (16:9, 1920x1080, 24 fps, English).
DEFAULT_SPECS = TechnicalSpecs()


def specs_from_brief(brief: CreativeBrief) -> TechnicalSpecs:
    """The project's specs from a parsed brief: its specs, with the brief's duration.

    The parser has already reconciled the values; this returns an independent copy so that
    later overrides never change the brief.
    """
    specs = brief.technical_specs.model_copy(deep=True)
    if specs.duration_seconds is None and brief.duration_seconds is not None:
        specs = specs.model_copy(update={"duration_seconds": brief.duration_seconds})
    if specs.style is None and brief.style_words:
        specs = specs.model_copy(update={"style": ", ".join(brief.style_words)})
    return TechnicalSpecs.model_validate(specs.model_dump())


def apply_overrides(
    specs: TechnicalSpecs,
    *,
    fps: str | int | float | Fraction | None = None,
    aspect: str | None = None,
    duration: str | float | None = None,
    language: str | None = None,
    resolution: str | Resolution | None = None,
    prompt_language: str | None = None,
) -> TechnicalSpecs:
    """``specs`` with the CLI's flags applied (``--fps``, ``--aspect``, ``--duration``...).

    Each value is validated; a bad one raises :class:`InvalidInput` (or
    :class:`~storycore.tools.errors.TimecodeError` for a frame rate) with one sentence.
    Changing the aspect ratio without ``resolution`` keeps the quality class (the short side)
    and turns the frame: 16:9 1920x1080 with ``aspect="9:16"`` becomes 1080x1920. A named
    resolution (720p, 1080p, 4K) takes the aspect ratio's orientation; an explicit WIDTHxHEIGHT
    sets the aspect ratio, and must match ``aspect`` when both are given.
    """
    data: dict[str, Any] = specs.model_dump()
    new_aspect: str | None = None
    if aspect is not None:
        try:
            new_aspect = parse_aspect_ratio(aspect)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
    if resolution is not None:
        size, named = _resolution(resolution)
        if named:
            ratio = new_aspect or specs.aspect_ratio
            data["aspect_ratio"], data["resolution"] = ratio, fit_resolution(ratio, size)
        else:
            own = aspect_of(size)
            if new_aspect is not None and own != new_aspect:
                raise InvalidInput(
                    f"resolution {size} is {own or 'no known aspect ratio'}, not {new_aspect}; "
                    "give a matching resolution or leave one of them out"
                )
            if own is None:
                raise InvalidInput(
                    f"resolution {size} matches no supported aspect ratio; use a size such as "
                    "1920x1080, 1080x1920 or 1080x1080"
                )
            data["aspect_ratio"], data["resolution"] = own, size
    elif new_aspect is not None:
        current = specs.resolution
        data["aspect_ratio"] = new_aspect
        data["resolution"] = resolution_for(new_aspect, min(current.width, current.height))
    if fps is not None:
        rate, drop = parse_fps(fps)
        old_ntsc = is_drop_frame_rate(specs.rate)
        data["fps"] = rate
        if drop is not None:
            data["drop_frame"] = drop
        elif not (is_drop_frame_rate(parse_rate(rate)) and old_ntsc):
            data["drop_frame"] = None  # the old choice belonged to another rate
    if duration is not None:
        data["duration_seconds"] = parse_duration(duration)
    for key, value in (("language", language), ("prompt_language", prompt_language)):
        if value is not None:
            try:
                data[key] = normalize_language(value)
            except ValueError as exc:
                raise InvalidInput(str(exc)) from None
    if isinstance(data["resolution"], Resolution):
        data["resolution"] = data["resolution"].model_dump()
    try:
        return TechnicalSpecs.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(format_validation_error(error, subject="technical specs")) from None


def _resolution(value: str | Resolution) -> tuple[Resolution, bool]:
    if isinstance(value, Resolution):
        return value, False
    try:
        return parse_resolution(value), is_named_resolution(value)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def describe_specs(specs: TechnicalSpecs, language: str | None = None) -> list[tuple[str, str]]:
    """(setting, value) rows for a table, in the order a producer reads them; the settings
    are English keys (the CLI shows them from its catalog), the values are in ``language``."""
    m = Messages(language)
    none = m("specs.none")
    rows: list[tuple[str, str]] = []
    rows.append(("Aspect ratio", specs.aspect_ratio))
    rows.append(("Resolution", str(specs.resolution)))
    fps = f"{rate_label(specs.rate)} fps"
    if is_drop_frame_rate(specs.rate):
        fps += m("specs.drop_frame") if specs.uses_drop_frame else m("specs.non_drop")
    rows.append(("Frame rate", fps))
    rows.append(("Duration", _duration_text(specs.duration_seconds, m)))
    pace = f"specs.pace.{specs.pace}"
    rows.append(("Pace", m(pace) if pace in catalog(FALLBACK) else specs.pace))
    rows.append(("Answer language", _language_text(specs.language, m)))
    rows.append(("Prompt language", _language_text(specs.prompt_language, m)))
    rows.append(("Style", specs.style or m("specs.not_set")))
    rows.append(("Required prompt elements", ", ".join(specs.required_prompt_elements) or none))
    rows.append(("Camera movement rule", specs.camera_movement_rule or m("specs.no_rule")))
    rows.append(("Cut marker", specs.cut_marker))
    rows.append(("Models", model_wishes(specs.models, m.language) or m("specs.no_preference")))
    rows.append(
        (
            "Budget",
            m("specs.budget", usd=f"{specs.budget_usd:,.2f}")
            if specs.budget_usd is not None
            else none,
        )
    )
    rows.append(("Speech rate", m("specs.speech_rate", n=f"{specs.words_per_second:g}")))
    rows.append(("Longest segment", f"{specs.max_segment_seconds:g} s"))
    return rows


def model_wishes(models: ModelPreferences, language: str | None = None) -> str:
    """The user's model wishes in words: "prefer wan22_14b; avoid sora2; local only"."""
    m = Messages(language)
    wishes = []
    if models.prefer:
        wishes.append(m("specs.prefer", models=", ".join(models.prefer)))
    if models.avoid:
        wishes.append(m("specs.avoid", models=", ".join(models.avoid)))
    if models.local_only:
        wishes.append(m("specs.local_only"))
    if models.vram_gb is not None:
        wishes.append(m("specs.vram", gb=f"{models.vram_gb:g}"))
    return m("specs.semicolon").join(wishes)


def _duration_text(seconds: float | None, m: Messages | None = None) -> str:
    if seconds is None:
        return (m or Messages())("specs.duration_unset")
    minutes, rest = divmod(seconds, 60)
    clock = f"{int(minutes)}:{rest:05.2f}".removesuffix(".00")
    return f"{seconds:g} s ({clock})"


def _language_text(code: str, m: Messages | None = None) -> str:
    language = m.language if m is not None else FALLBACK
    if language != FALLBACK and f"language_name.{code}" in catalog(FALLBACK):
        return f"{Messages(language)(f'language_name.{code}')} ({code})"
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"
