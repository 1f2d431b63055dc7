"""The OpenTimelineIO timeline every editor format is written from, and the ``.otio`` file.

One video track, one clip per shot (named by its shot id, with the shot's fields as
``storycore`` metadata), planned dissolves and fades as SMPTE dissolves at the cut, segments as
markers; the cut starts at 01:00:00:00.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from storycore.tools.domain import ShotSpec
from storycore.tools.exports.common import _media_url, media_path, reel_name
from storycore.tools.production.records import MediaRecord, media_records
from storycore.tools.project import Project
from storycore.tools.rates import rate_to_string
from storycore.tools.storyboard import Plan, PlannedShot, load_plan
from storycore.tools.timecode import parse_timecode

#: Where an editor timeline starts (the hour is the convention; the label follows the
#: project's drop-frame setting).
TIMELINE_START_HOURS = 1


def timeline_start_frame(plan: Plan) -> int:
    """The frame of ``01:00:00:00`` (``01:00:00;00`` in drop-frame) at the project rate."""
    separator = ";" if plan.drop_frame else ":"
    label = f"{TIMELINE_START_HOURS:02d}:00:00{separator}00"
    return parse_timecode(label, plan.rate, drop_frame=plan.drop_frame)


def _rt(frames: int, rate: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(float(frames), rate)


def _range(start: int, duration: int, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(start, rate), _rt(duration, rate))


def _shot_metadata(plan: Plan, planned: PlannedShot) -> dict[str, Any]:
    shot = planned.spec
    return {
        "shot_id": shot.shot_id,
        "segment_id": planned.segment_id,
        "scene": shot.scene,
        "start_frame": shot.start_frame,
        "end_frame": shot.end_frame,
        "shot_size": shot.shot_size.value,
        "framing": shot.framing.value,
        "camera_angle": shot.camera_angle.value,
        "camera_movement": shot.camera_movement.value,
        "lens_mm": shot.lens_mm,
        "description": shot.description,
        "characters": [plan.element_name(i) for i in shot.characters],
        "location": plan.element_name(shot.location) if shot.location else None,
        "transition_in": shot.transition_in.value,
        "transition_out": shot.transition_out.value,
        "model_id": shot.model_id,
        "status": shot.status.value,
    }


def _timeline(
    project: Project,
    plan: Plan,
    *,
    rate: Fraction | None = None,
    base_dir: Path | None = None,
    absolute: bool = False,
    with_transitions: bool = True,
) -> otio.schema.Timeline:
    """The editor timeline; ``rate`` overrides the rate written (same frame numbers)."""
    fps = float(rate if rate is not None else plan.rate)
    offset = plan.start_frame
    timeline = otio.schema.Timeline(name=plan.title)
    timeline.global_start_time = _rt(timeline_start_frame(plan), fps)
    timeline.metadata["storycore"] = {
        "title": plan.title,
        "frame_rate": rate_to_string(plan.rate),
        "drop_frame": plan.drop_frame,
        "timeline_start": "01:00:00;00" if plan.drop_frame else "01:00:00:00",
        "media": "relative to this file" if base_dir else "relative to the project folder",
    }
    if absolute:
        timeline.metadata["storycore"]["media"] = "absolute file URLs"
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    media = media_records(project)
    shots = plan.shots
    for index, planned in enumerate(shots):
        shot = planned.spec
        duration = shot.duration_frames
        reference = _media_reference(project, shot, media, fps, base_dir, absolute)
        clip = otio.schema.Clip(
            name=shot.shot_id,
            media_reference=reference,
            source_range=_range(0, duration, fps),
        )
        clip.metadata["storycore"] = _shot_metadata(plan, planned)
        clip.metadata["cmx_3600"] = {"reel": reel_name(shot.shot_id)}
        if index > 0 and with_transitions:
            transition = _transition_between(shots[index - 1].spec, shot, fps)
            if transition is not None:
                track.append(transition)
        track.append(clip)
    for segment in plan.segments:
        marker = otio.schema.Marker(
            name=f"{segment.segment_id} {segment.title}".strip(),
            marked_range=_range(
                segment.start_frame - offset, segment.end_frame - segment.start_frame, fps
            ),
            color=otio.schema.MarkerColor.GREEN,
        )
        marker.metadata["storycore"] = {"segment_id": segment.segment_id}
        timeline.tracks.markers.append(marker)
    return timeline


def _media_reference(
    project: Project,
    shot: ShotSpec,
    media: Mapping[str, MediaRecord],
    fps: float,
    base_dir: Path | None,
    absolute: bool,
) -> otio.schema.ExternalReference:
    """A clip's media: the rendered clip (all of its frames available) or where it will be
    (the planned duration); its ``storycore`` metadata names the version when rendered."""
    duration = shot.duration_frames
    record = media.get(shot.shot_id)
    available = record.frames if record is not None else duration
    reference = otio.schema.ExternalReference(
        target_url=_media_url(project, shot.shot_id, base_dir, absolute, media),
        available_range=_range(0, available, fps),
    )
    reference.metadata["storycore"] = {
        "project_path": media_path(shot.shot_id, media),
        "rendered": record is not None,
    }
    if record is not None:
        reference.metadata["storycore"].update(
            {
                "version": record.version,
                "backend": record.backend,
                "model_id": record.model_id,
                "generation_hash": record.generation_hash,
            }
        )
    return reference


#: The length of an exported dissolve or fade, in seconds (starting at the cut).
TRANSITION_SECONDS = 1.0
_MIXES = {"dissolve", "fade_in", "fade_out"}


def _transition_between(
    before: ShotSpec, after: ShotSpec, fps: float
) -> otio.schema.Transition | None:
    """A planned dissolve or fade at the cut between two shots, as an OTIO transition: an
    SMPTE dissolve that starts at the cut ("start at cut": the clips have no handles, so
    nothing before the incoming clip's first frame is needed), at most a third of the
    incoming shot."""
    kinds = {before.transition_out.value, after.transition_in.value} & _MIXES
    if not kinds:
        return None
    length = min(round(TRANSITION_SECONDS * fps), after.duration_frames // 3)
    if length < 1:
        return None
    name = "dissolve" if "dissolve" in kinds else sorted(kinds)[0]
    transition = otio.schema.Transition(
        name=name,
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=_rt(0, fps),
        out_offset=_rt(length, fps),
    )
    transition.metadata["storycore"] = {
        "kind": name,
        "from": before.shot_id,
        "to": after.shot_id,
    }
    return transition


def build_timeline(
    project: Project, *, base_dir: Path | None = None, absolute: bool = False
) -> otio.schema.Timeline:
    """The OpenTimelineIO timeline of the plan: one video track, one clip per shot.

    Starts at 01:00:00:00 (``global_start_time``); media URLs are relative to the project
    folder, or to ``base_dir``, or absolute ``file://localhost`` URLs with ``absolute``.
    Clip metadata ``storycore`` carries the shot's fields; segments are markers on the stack.
    """
    return _timeline(project, load_plan(project), base_dir=base_dir, absolute=absolute)


def _otio_text(project: Project, plan: Plan, base_dir: Path) -> str:
    timeline = _timeline(project, plan, base_dir=base_dir)
    text: str = otio.adapters.write_to_string(timeline, "otio_json")
    return text if text.endswith("\n") else text + "\n"
