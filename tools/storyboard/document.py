"""``storyboard.json``: the contract other tools read, built from the plan."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Any

from storycore.tools.project import Project
from storycore.tools.rates import rate_label, rate_to_string
from storycore.tools.storyboard.plan import Plan, PlannedSegment, PlannedShot, load_plan
from storycore.tools.timecode import format_mmss, format_seconds, format_smpte

SCHEMA_VERSION = 1


# --------------------------------------------------------------------------------------
# storyboard.json
# --------------------------------------------------------------------------------------


def _number(value: float) -> int | float:
    """A lens or a second count as JSON: 35 rather than 35.0."""
    return int(value) if float(value).is_integer() else value


# Timecodes are pure functions of (frames, rate): a storyboard asks for thousands of them,
# and a change asks for the same ones again.
@lru_cache(maxsize=16384)
def _seconds(frames: int, rate: Fraction) -> float:
    return float(format_seconds(frames, rate))


@lru_cache(maxsize=16384)
def _mmss(frames: int, rate: Fraction) -> str:
    return format_mmss(frames, rate)


@lru_cache(maxsize=16384)
def _smpte(frames: int, rate: Fraction, drop_frame: bool) -> str:
    return format_smpte(frames, rate, drop_frame=drop_frame)


def shot_entry(plan: Plan, planned: PlannedShot) -> dict[str, Any]:
    """A shot's entry in ``storyboard.json``."""
    shot = planned.spec
    rate = plan.rate
    drop = plan.drop_frame
    return {
        "shot_id": shot.shot_id,
        "title": shot.title,
        "scene": shot.scene,
        "start": _smpte(shot.start_frame, rate, drop),
        "end": _smpte(shot.end_frame, rate, drop),
        "duration_frames": shot.duration_frames,
        "start_frame": shot.start_frame,
        "end_frame": shot.end_frame,
        "time_range": [_mmss(shot.start_frame, rate), _mmss(shot.end_frame, rate)],
        "start_seconds": _seconds(shot.start_frame, rate),
        "end_seconds": _seconds(shot.end_frame, rate),
        "duration_seconds": _seconds(shot.duration_frames, rate),
        "shot_size": shot.shot_size.value,
        "framing": shot.framing.value,
        "camera_angle": shot.camera_angle.value,
        "camera_movement": shot.camera_movement.value,
        "camera_details": shot.camera_details,
        "lens_mm": _number(shot.lens_mm),
        "scene_type": shot.scene_type.value,
        "description": shot.description,
        "action": shot.action,
        "characters": list(shot.characters),
        "location": shot.location,
        "props": list(shot.props),
        "time_of_day": shot.time_of_day,
        "weather": shot.weather,
        "dialogue": [line.model_dump(mode="json") for line in shot.dialogue],
        "narration": shot.narration,
        "music_cue": shot.music_cue,
        "sound_effects": list(shot.sound_effects),
        "transition_in": shot.transition_in.value,
        "transition_out": shot.transition_out.value,
        "continues_from": shot.continues_from,
        "model_id": shot.model_id,
        "image_prompt": shot.image_prompt,
        "video_prompt": shot.video_prompt,
        "negative_prompt": shot.negative_prompt,
        "status": shot.status.value,
        "version": shot.version,
        "folder": planned.folder,
        "panel": planned.panel_path,
    }


def segment_entry(
    plan: Plan, segment: PlannedSegment, shots: list[dict[str, Any]]
) -> dict[str, Any]:
    """A segment's entry in ``storyboard.json``, holding ``shots`` (its shots' entries,
    always its last key)."""
    rate = plan.rate
    drop = plan.drop_frame
    start, end = segment.start_frame, segment.end_frame
    return {
        "segment_id": segment.segment_id,
        "title": segment.title,
        "start": _smpte(start, rate, drop),
        "end": _smpte(end, rate, drop),
        "start_frame": start,
        "end_frame": end,
        "duration_frames": end - start,
        "time_range": [_mmss(start, rate), _mmss(end, rate)],
        "duration_seconds": _seconds(end - start, rate),
        "transition_in": segment.transition_in,
        "transition_out": segment.transition_out,
        "shots": shots,
    }


def storyboard_document(plan: Plan, segments: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``storyboard.json`` document of ``plan`` holding ``segments`` (the entries of
    :func:`segment_entry`, always its last key)."""
    rate = plan.rate
    specs = plan.specs
    total = plan.end_frame - plan.start_frame
    return {
        "schema_version": SCHEMA_VERSION,
        "title": plan.title,
        "frame_rate": rate_to_string(rate),
        "frame_rate_label": rate_label(rate),
        "drop_frame": plan.drop_frame,
        "aspect_ratio": specs.aspect_ratio,
        "resolution": str(specs.resolution),
        "start": plan.smpte(plan.start_frame),
        "end": plan.smpte(plan.end_frame),
        "total_frames": total,
        "duration": format_mmss(total, rate),
        "duration_seconds": _seconds(total, rate),
        "shot_count": len(plan.shots),
        "elements": {
            element_id: {"name": element.name, "type": element.type.value}
            for element_id, element in sorted(plan.elements.items())
        },
        "segments": segments,
    }


def storyboard_from_plan(plan: Plan) -> dict[str, Any]:
    """The ``storyboard.json`` document of an already loaded :class:`Plan`."""
    segments = [
        segment_entry(plan, segment, [shot_entry(plan, shot) for shot in segment.shots])
        for segment in plan.segments
    ]
    return storyboard_document(plan, segments)


def build_storyboard(project: Project) -> dict[str, Any]:
    """The ``storyboard.json`` document of ``project`` (see the module docstring)."""
    return storyboard_from_plan(load_plan(project))
