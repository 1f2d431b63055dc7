"""The rules that decide each spec when the front matter, the free text and the scenes
disagree (precedence, strongest first: front matter, free text, derived values)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from storycore.tools.brief.findings import _Found, _Prose
from storycore.tools.brief.values import aspect_of, fit_resolution
from storycore.tools.brief.vocabulary import CLOUD_MODEL_IDS, MAX_DURATION_SECONDS
from storycore.tools.brief.warnings import BriefWarning, language_term, origin_term
from storycore.tools.domain import BriefScene, Pace, Resolution, resolution_for
from storycore.tools.errors import BriefError
from storycore.tools.rates import is_drop_frame_rate, parse_rate, rate_label


@dataclass
class _Decisions:
    """Values decided so far, each with where it came from (for the warnings)."""

    specs: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    warnings: list[BriefWarning] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)

    def set(self, name: str, value: Any, origin: str) -> None:
        self.specs[name] = value
        self.origin[name] = origin


def _seconds_text(seconds: float) -> str:
    """90.0 -> "90 s", 267 -> "267 s (4:27)"."""
    whole = f"{seconds:g}"
    if seconds >= 60:
        minutes, rest = divmod(seconds, 60)
        return f"{whole} s ({int(minutes)}:{rest:05.2f})".replace(".00)", ")")
    return f"{whole} s"


def _first_strong(found: list[_Found]) -> _Found | None:
    for item in found:
        if item.strong:
            return item
    return found[0] if found else None


def _decide_duration(
    fm: Mapping[str, Any], prose: _Prose, scenes: list[BriefScene], decisions: _Decisions
) -> None:
    """Front matter > free text > sum of the scene durations (when every scene has one)."""
    timed = [s.duration_seconds for s in scenes if s.duration_seconds is not None]
    scene_sum = round(sum(timed), 3) if timed else None
    all_timed = bool(scenes) and len(timed) == len(scenes)
    stated = _first_strong(prose.durations)
    chosen: float | None = None
    if "duration" in fm:
        chosen = fm["duration"]
        decisions.set("duration_seconds", chosen, "front matter")
        if stated and abs(stated.value - chosen) > 0.5 and stated.strong:
            decisions.warnings.append(
                BriefWarning.of(
                    "duration_front_matter", duration=_seconds_text(chosen), said=stated.text
                )
            )
    elif stated is not None:
        chosen = stated.value
        decisions.set("duration_seconds", chosen, "free text")
    elif all_timed and scene_sum:
        if scene_sum > MAX_DURATION_SECONDS:
            raise BriefError("the scene durations add up to more than 4 hours; check them")
        decisions.set("duration_seconds", scene_sum, "scenes")
        return
    if chosen is None or scene_sum is None:
        return
    origin = decisions.origin["duration_seconds"]
    if all_timed and abs(scene_sum - chosen) > 0.5:
        decisions.warnings.append(
            BriefWarning.of(
                "scenes_sum",
                scenes=_seconds_text(scene_sum),
                origin=origin_term(origin),
                duration=_seconds_text(chosen),
            )
        )
    elif not all_timed and scene_sum > chosen + 0.5:
        decisions.warnings.append(
            BriefWarning.of(
                "timed_scenes_sum",
                scenes=_seconds_text(scene_sum),
                origin=origin_term(origin),
                duration=_seconds_text(chosen),
            )
        )


def _decide_frame(fm: Mapping[str, Any], prose: _Prose, decisions: _Decisions) -> None:
    """Aspect ratio and resolution: front matter > text; within one level the ratio wins."""
    fm_aspect: str | None = fm.get("aspect_ratio")
    fm_res: tuple[Resolution, bool] | None = fm.get("resolution")
    text_aspect = prose.aspects[0] if prose.aspects else None
    text_res = prose.resolutions[0] if prose.resolutions else None
    _warn_frame_conflicts(fm_aspect, fm_res, prose, decisions)

    # Pick each value at its strongest level, remembering the level.
    aspect: tuple[str, int] | None = None  # (ratio, level: 2 front matter, 1 text)
    if fm_aspect:
        aspect = (fm_aspect, 2)
    elif text_aspect:
        aspect = (text_aspect.value, 1)
    resolution: tuple[Resolution, bool, int] | None = None
    if fm_res:
        resolution = (*fm_res, 2)
    elif text_res:
        resolution = (*text_res.value, 1)

    if aspect is None and resolution is None:
        return
    if resolution is None:
        assert aspect is not None
        decisions.set("aspect_ratio", aspect[0], _level(aspect[1]))
        decisions.set("resolution", resolution_for(aspect[0]), "derived")
        return
    size, named, res_level = resolution
    own = aspect_of(size)
    if aspect is None:
        if own is None:
            decisions.warnings.append(BriefWarning.of("resolution_no_aspect", resolution=size))
        decisions.set("resolution", size, _level(res_level))
        decisions.set("aspect_ratio", own or "16:9", "derived")
        return
    ratio, ratio_level = aspect
    if named or own == ratio:
        # "4K" or "1080p" is a quality class: it takes the ratio's orientation.
        decisions.set("aspect_ratio", ratio, _level(ratio_level))
        decisions.set("resolution", fit_resolution(ratio, size), _level(res_level))
        return
    if res_level > ratio_level and own is not None:
        decisions.warnings.append(
            BriefWarning.of(
                "resolution_front_matter_aspect", resolution=size, own=own, aspect=ratio
            )
        )
        decisions.set("aspect_ratio", own, "front matter")
        decisions.set("resolution", size, "front matter")
        return
    fitted = fit_resolution(ratio, size)
    decisions.warnings.append(
        BriefWarning.of("resolution_mismatch", resolution=size, aspect=ratio, fitted=fitted)
    )
    decisions.set("aspect_ratio", ratio, _level(ratio_level))
    decisions.set("resolution", fitted, "derived")


def _warn_frame_conflicts(
    fm_aspect: str | None,
    fm_res: tuple[Resolution, bool] | None,
    prose: _Prose,
    decisions: _Decisions,
) -> None:
    """Warnings for several ratios or sizes in the text, and for a text the front matter
    contradicts (the front matter wins)."""
    text_aspect = prose.aspects[0] if prose.aspects else None
    text_res = prose.resolutions[0] if prose.resolutions else None
    for found, key in (
        (prose.aspects, "several_aspects"),
        (prose.resolutions, "several_resolutions"),
    ):
        values = []
        for item in found:
            shown = str(item.value[0]) if key == "several_resolutions" else item.value
            if shown not in values:
                values.append(shown)
        if len(values) > 1:
            decisions.warnings.append(
                BriefWarning.of(key, values=", ".join(values), first=values[0])
            )
    if fm_aspect and text_aspect and text_aspect.value != fm_aspect:
        decisions.warnings.append(
            BriefWarning.of(
                "aspect_front_matter",
                aspect=fm_aspect,
                said=text_aspect.text,
                value=text_aspect.value,
            )
        )
    if fm_res and text_res and str(text_res.value[0]) != str(fm_res[0]) and not text_res.value[1]:
        decisions.warnings.append(
            BriefWarning.of("resolution_front_matter", resolution=fm_res[0], said=text_res.text)
        )


def _level(level: int) -> str:
    return "front matter" if level == 2 else "free text"


def _decide_fps(fm: Mapping[str, Any], prose: _Prose, decisions: _Decisions) -> None:
    """Front matter > first rate in the text; drop-frame only where it exists."""
    rates = []
    for item in prose.fps:
        if item.value[0] not in rates:
            rates.append(item.value[0])
    if len(rates) > 1:
        labels = ", ".join(rate_label(parse_rate(r)) for r in rates)
        decisions.warnings.append(
            BriefWarning.of("several_rates", rates=labels, first=rate_label(parse_rate(rates[0])))
        )
    chosen: tuple[str, bool | None] | None = None
    if "fps" in fm:
        chosen = fm["fps"]
        decisions.set("fps", chosen[0], "front matter")
        if prose.fps and prose.fps[0].value[0] != chosen[0]:
            decisions.warnings.append(
                BriefWarning.of(
                    "fps_front_matter",
                    fps=rate_label(parse_rate(chosen[0])),
                    said=prose.fps[0].text,
                )
            )
    elif prose.fps:
        chosen = prose.fps[0].value
        decisions.set("fps", chosen[0], "free text")
    drop = fm.get("drop_frame")
    if drop is None and chosen is not None:
        drop = chosen[1]
    if drop is None and chosen is not None and prose.fps and prose.fps[0].value[0] == chosen[0]:
        drop = prose.fps[0].value[1]
    if drop is None:
        drop = prose.drop_frame
    if drop is None:
        return
    rate = parse_rate(decisions.specs.get("fps", "24"))
    if drop and not is_drop_frame_rate(rate):
        decisions.warnings.append(BriefWarning.of("no_drop_frame", fps=rate_label(rate)))
        return
    decisions.set("drop_frame", drop, "front matter" if "drop_frame" in fm else "free text")


def _decide_languages(
    fm: Mapping[str, Any], prose: _Prose, brief_language: str, decisions: _Decisions
) -> None:
    """Front matter > text > (answers only) the language the brief is written in."""
    for key, found in (
        ("language", prose.answer_language),
        ("prompt_language", prose.prompt_language),
    ):
        kind = "answer" if key == "language" else "prompt"
        if key in fm:
            decisions.set(key, fm[key], "front matter")
            if found and found[0].value != fm[key]:
                decisions.warnings.append(
                    BriefWarning.of(
                        f"language_front_matter.{kind}",
                        language=language_term(fm[key]),
                        said=found[0].text,
                    )
                )
        elif found:
            decisions.set(key, found[0].value, "free text")
            others = {f.value for f in found[1:]} - {found[0].value}
            if others:
                decisions.warnings.append(
                    BriefWarning.of(
                        f"several_languages.{kind}", language=language_term(found[0].value)
                    )
                )
    if "language" not in decisions.specs and brief_language != "en":
        decisions.set("language", brief_language, "detected")


def _decide_models(fm: Mapping[str, Any], prose: _Prose, decisions: _Decisions) -> None:
    """Front matter and text wishes merge; on a conflict the front matter wins, and a model
    both preferred and avoided at the same level is avoided."""
    fm_models: dict[str, Any] = fm.get("models", {})
    prefer: list[str] = list(fm_models.get("prefer", []))
    avoid: list[str] = list(fm_models.get("avoid", []))
    for model_id in [m for m in prefer if m in avoid]:
        prefer.remove(model_id)
        decisions.warnings.append(BriefWarning.of("model_both_front_matter", model=model_id))
    text_prefer = _unique(f.value for f in prose.prefer)
    text_avoid = _unique(f.value for f in prose.avoid)
    for model_id in [m for m in text_prefer if m in text_avoid]:
        text_prefer.remove(model_id)
        decisions.warnings.append(BriefWarning.of("model_both_text", model=model_id))
    for model_id in text_prefer:
        if model_id in avoid:
            decisions.warnings.append(BriefWarning.of("model_text_prefers_avoided", model=model_id))
        elif model_id not in prefer:
            prefer.append(model_id)
    for model_id in text_avoid:
        if model_id in fm_models.get("prefer", []):
            decisions.warnings.append(
                BriefWarning.of("model_text_avoids_preferred", model=model_id)
            )
        elif model_id not in avoid:
            avoid.append(model_id)
    local_only: bool = bool(fm_models.get("local_only", False))
    if "local_only" in fm_models:
        if prose.local_only and not fm_models["local_only"]:
            decisions.warnings.append(
                BriefWarning.of("local_only_front_matter", said=prose.local_only.text)
            )
    elif prose.local_only:
        local_only = True
    if local_only:
        for model_id in [m for m in prefer if m in CLOUD_MODEL_IDS]:
            prefer.remove(model_id)
            decisions.warnings.append(BriefWarning.of("model_cloud", model=model_id))
    if prefer or avoid or local_only or "vram_gb" in fm_models:
        payload: dict[str, Any] = {"prefer": prefer, "avoid": avoid, "local_only": local_only}
        if "vram_gb" in fm_models:
            payload["vram_gb"] = fm_models["vram_gb"]
        decisions.set("models", payload, "brief")


def _unique(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def _decide_simple(fm: Mapping[str, Any], prose: _Prose, decisions: _Decisions) -> None:
    """Style, budget, pace, required prompt elements, cut marker, camera movement rule."""
    for key in ("style", "required_prompt_elements", "cut_marker", "camera_movement_rule"):
        if key in fm:
            decisions.set(key, fm[key], "front matter")
    if "budget" in fm:
        decisions.set("budget_usd", fm["budget"], "front matter")
        if prose.budget and abs(prose.budget.value - fm["budget"]) > 0.005:
            decisions.warnings.append(
                BriefWarning.of(
                    "budget_front_matter", budget=f"{fm['budget']:g}", said=prose.budget.text
                )
            )
    elif prose.budget:
        decisions.set("budget_usd", prose.budget.value, "free text")
    pace: Pace | None = fm.get("pace")
    if pace:
        decisions.set("pace", pace, "front matter")
        if prose.pace and prose.pace.value != pace:
            decisions.warnings.append(
                BriefWarning.of(
                    "pace_front_matter", pace=pace, said=prose.pace.text, value=prose.pace.value
                )
            )
    elif prose.pace:
        decisions.set("pace", prose.pace.value, "free text")
