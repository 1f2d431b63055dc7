"""Hand-off exports of a planned project: editor timelines, a shot list, a breakdown sheet.

:func:`export` writes one format; :func:`build_timeline` gives the OpenTimelineIO timeline the
editor formats are written from.

Editor timelines (``otio``, ``edl``, ``fcpxml``)
    One video track, one clip per shot, named by its shot id (``shot_04a``): FCP XML drops
    custom metadata, so the clip name is what carries the id into an editor. Each clip's
    media is where the rendered clip will be, ``03_videos/shot_01_video.mp4`` (the seed's
    naming), used from its first frame for the planned duration.

    The cut starts at **01:00:00:00** (``01:00:00;00`` at 29.97/59.94 drop-frame), the
    editorial convention: Resolve, Premiere and Avid start a new timeline there, and an EDL
    whose record times start elsewhere lands offset when conformed. The storyboard documents
    keep program time (the first shot at ``00:00:00:00``); a shot's record time is its
    storyboard time plus one hour.

    Media paths by format:

    - ``.otio``: relative URLs, relative to the folder of the ``.otio`` file
      (``../03_videos/shot_01_video.mp4`` from ``exports/``), so the project folder can move
      as a whole; :func:`build_timeline` alone gives them relative to the project folder.
      Each media reference's metadata also holds ``storycore.project_path``.
    - FCP7 ``.xml``: absolute ``file://localhost/...`` URLs, which Premiere and Resolve need
      in ``<pathurl>``.
    - CMX3600 ``.edl``: the project-relative path in the ``* FROM CLIP:`` comment (an EDL path
      is a hint; editors conform by reel and clip name). Reels are ``SHOT01``, ``SHOT04A``
      (8 characters of A-Z0-9; ``SH123AB`` when the id is longer).

    Adapter traps handled here: exact NTSC rates; SMPTE drop-frame stated explicitly; the CMX
    writer ignores the timeline start (a leading gap of one hour is added to a deep copy, as
    the writer also mutates what it is given), writes drop-frame at any NTSC rate (a
    non-drop-frame 29.97 EDL is written at the nominal integer rate, whose labels are the
    same), and has no ``FCM`` line (added). Planned dissolves and fades between two shots are
    exported as SMPTE dissolve transitions of up to a second, starting at the cut (the clips
    have no handles); they add no time to the record. A fade at the very start or end of the
    film stays in the shot list notes and the clip metadata.

Shot list (``csv``)
    One row per shot with the columns of :data:`SHOT_LIST_COLUMNS`. UTF-8 with a byte-order
    mark (spreadsheets then read accents right); a cell that a spreadsheet would run as a
    formula (starting with ``=``, ``+``, ``-``, ``@``) is prefixed with ``'``.

Breakdown (``breakdown``)
    Per scene, the standard categories of :data:`BREAKDOWN_CATEGORIES`, as CSV (one row per
    scene) and Markdown. Filled only from the plan: elements by type (character -> cast,
    location, prop, wardrobe, vehicle, audio -> sound), character attributes naming hair,
    make-up, costume or wardrobe, the shots' sound (dialogue, effects, music, narration),
    weather (special effects), and camera moves needing gear (special equipment). An element
    whose attributes say ``breakdown: <category>`` (e.g. ``extras``, ``stunts``, ``animals``,
    ``visual effects``, ``set dressing``) goes to that category. Nothing else is invented:
    categories without data stay empty.

Destinations: ``exports/<title-slug>.<ext>`` in the project (``.otio``, ``.edl``, ``.xml``,
``.csv``; the breakdown as ``<slug>_breakdown.csv`` and ``.md``), and the storyboard documents
(``md``, ``html``, ``json``) at the project root. An explicit ``out`` may be anywhere; it must
not be a folder. Writes inside the project go through a transaction (journaled, undoable);
writes outside it are atomic.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, get_args

import opentimelineio as otio
from anyascii import anyascii

from storycore.tools.domain import (
    CameraAngle,
    CameraMovement,
    ElementType,
    Scene,
    ShotSpec,
)
from storycore.tools.errors import InvalidInput
from storycore.tools.naming import slugify
from storycore.tools.production.records import MediaRecord, media_records
from storycore.tools.project import Project, atomic_write
from storycore.tools.rates import is_drop_frame_rate, nominal_fps, rate_to_string
from storycore.tools.storyboard import (
    STORYBOARD_HTML,
    STORYBOARD_JSON,
    STORYBOARD_MD,
    Plan,
    PlannedShot,
    load_plan,
    md_cell,
    render_html,
    render_markdown,
    storyboard_from_plan,
    transition_text,
    write_panels,
)
from storycore.tools.structure import EXPORTS, VIDEOS
from storycore.tools.timecode import format_seconds, parse_timecode

ExportFormat = Literal["otio", "edl", "fcpxml", "csv", "md", "html", "json", "breakdown"]
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)

#: Where an editor timeline starts (the hour is the convention; the label follows the
#: project's drop-frame setting).
TIMELINE_START_HOURS = 1
#: CMX3600 numbers events with three digits.
EDL_MAX_EVENTS = 999

_EXTENSIONS = {"otio": ".otio", "edl": ".edl", "fcpxml": ".xml", "csv": ".csv"}

# --------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------


def media_path(shot_id: str, media: Mapping[str, MediaRecord] | None = None) -> str:
    """The shot's rendered clip, relative to the project: its current media when it was
    produced (``03_videos/shot_01_v2.mp4``), else where it will be (the seed's naming)."""
    if media and shot_id in media:
        return media[shot_id].path
    return f"{VIDEOS}/{shot_id}_video.mp4"


def title_slug(title: str) -> str:
    """The file name stem of the exports: ``the_red_umbrella``."""
    return slugify(title, fallback="storycore", max_length=60).lower()


def _file_url(path: Path) -> str:
    # FCP7 XML writes file URLs with an explicit localhost, as Premiere does.
    return path.resolve().as_uri().replace("file://", "file://localhost", 1)


def _media_url(
    project: Project,
    shot_id: str,
    base_dir: Path | None,
    absolute: bool,
    media: Mapping[str, MediaRecord] | None = None,
) -> str:
    target = project.root / media_path(shot_id, media)
    if absolute:
        return _file_url(target)
    if base_dir is None:
        return media_path(shot_id, media)
    try:
        return Path(_relpath(target, base_dir)).as_posix()
    except ValueError:  # another drive: no relative path exists
        return _file_url(target)


def _relpath(target: Path, base: Path) -> str:
    return os.path.relpath(target, base.resolve())


def reel_name(shot_id: str) -> str:
    """The CMX3600 reel of a shot: ``SHOT01``, ``SHOT04A`` (at most 8 of A-Z0-9)."""
    rest = re.sub(r"[^A-Z0-9]", "", shot_id.upper().removeprefix("SHOT_"))
    reel = f"SHOT{rest}"
    return reel if len(reel) <= 8 else f"SH{rest}"[:8]


# --------------------------------------------------------------------------------------
# The timeline
# --------------------------------------------------------------------------------------


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


def _edl_text(project: Project, plan: Plan) -> str:
    shots = plan.shots
    if len(shots) > EDL_MAX_EVENTS:
        raise InvalidInput(
            f"a CMX3600 EDL holds at most {EDL_MAX_EVENTS} events and this plan has "
            f"{len(shots)} shots; export FCP XML or OTIO instead"
        )
    # The writer labels every NTSC rate drop-frame; non-drop 29.97 counts like 30, so write it
    # at the nominal rate with the same frame numbers.
    ntsc_non_drop = is_drop_frame_rate(plan.rate) and not plan.drop_frame
    rate = Fraction(nominal_fps(plan.rate)) if ntsc_non_drop else plan.rate
    fps = float(rate)
    # A fresh timeline is this function's own copy; deepcopy documents that the writer
    # mutates it.
    timeline = copy.deepcopy(_timeline(project, plan, rate=rate))
    timeline.name = " ".join(anyascii(plan.title).split())[:70] or "STORYCORE"
    tracks = timeline.tracks
    video = tracks[0]
    # The writer ignores global_start_time: a leading gap puts the first record at 01:00:00:00.
    start = timeline_start_frame(plan)
    video.insert(0, otio.schema.Gap(source_range=_range(0, start, fps)))
    text: str = otio.adapters.write_to_string(
        timeline, "cmx_3600", rate=fps, style="avid", reelname_len=8
    )
    fcm = "FCM: DROP FRAME" if plan.drop_frame else "FCM: NON-DROP FRAME"
    lines = text.splitlines()
    if lines and lines[0].startswith("TITLE:"):
        lines.insert(1, fcm)
    else:
        lines.insert(0, fcm)
    return "\n".join(lines).rstrip("\n") + "\n"


def _fcp_text(project: Project, plan: Plan) -> str:
    timeline = _timeline(project, plan, absolute=True)
    # The sequence timecode is written NDF unless told; the writer reads the display format
    # from this metadata.
    timeline.metadata["fcp_xml"] = {
        "timecode": {"displayformat": "DF" if plan.drop_frame else "NDF"}
    }
    text: str = otio.adapters.write_to_string(timeline, "fcp_xml")
    return text if text.endswith("\n") else text + "\n"


# --------------------------------------------------------------------------------------
# Shot list
# --------------------------------------------------------------------------------------

#: The shot list's columns, in order.
SHOT_LIST_COLUMNS: tuple[str, ...] = (
    "Scene",
    "Shot",
    "Description",
    "Shot Size",
    "Angle",
    "Movement",
    "Lens",
    "Equipment",
    "Cast",
    "Sound",
    "Estimated Time",
    "Notes",
    "Start",
    "End",
    "Duration",
    "Model",
    "Segment",
    "Location",
    "Transition",
)

_ANGLE_LABELS = {
    CameraAngle.EYE_LEVEL: "Eye level",
    CameraAngle.HIGH: "High",
    CameraAngle.LOW: "Low",
    CameraAngle.DUTCH: "Dutch",
    CameraAngle.OVERHEAD: "Overhead",
    CameraAngle.BIRDS_EYE: "Bird's eye",
    CameraAngle.WORMS_EYE: "Worm's eye",
}
_MOVEMENT_LABELS = {
    CameraMovement.STATIC: "Static",
    CameraMovement.PAN: "Pan",
    CameraMovement.TILT: "Tilt",
    CameraMovement.DOLLY_IN: "Dolly in",
    CameraMovement.DOLLY_OUT: "Dolly out",
    CameraMovement.TRUCK: "Truck",
    CameraMovement.PEDESTAL: "Pedestal",
    CameraMovement.CRANE: "Crane",
    CameraMovement.ZOOM_IN: "Zoom in",
    CameraMovement.ZOOM_OUT: "Zoom out",
    CameraMovement.HANDHELD: "Handheld",
    CameraMovement.TRACKING: "Tracking",
    CameraMovement.ORBIT: "Orbit",
}
#: The camera support each movement is shot with.
EQUIPMENT: dict[CameraMovement, str] = {
    CameraMovement.STATIC: "Tripod",
    CameraMovement.PAN: "Tripod (fluid head)",
    CameraMovement.TILT: "Tripod (fluid head)",
    CameraMovement.DOLLY_IN: "Dolly and track",
    CameraMovement.DOLLY_OUT: "Dolly and track",
    CameraMovement.TRUCK: "Dolly and track",
    CameraMovement.PEDESTAL: "Pedestal",
    CameraMovement.CRANE: "Crane / jib",
    CameraMovement.ZOOM_IN: "Tripod, zoom lens",
    CameraMovement.ZOOM_OUT: "Tripod, zoom lens",
    CameraMovement.HANDHELD: "Handheld rig",
    CameraMovement.TRACKING: "Steadicam / gimbal",
    CameraMovement.ORBIT: "Dolly and curved track",
}
#: Equipment a breakdown lists as special (anything beyond sticks and a handheld rig).
SPECIAL_EQUIPMENT = {
    CameraMovement.DOLLY_IN,
    CameraMovement.DOLLY_OUT,
    CameraMovement.TRUCK,
    CameraMovement.PEDESTAL,
    CameraMovement.CRANE,
    CameraMovement.TRACKING,
    CameraMovement.ORBIT,
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _sound(shot: ShotSpec) -> str:
    parts = []
    speakers = _unique(line.character for line in shot.dialogue)
    if speakers:
        parts.append("Dialogue: " + ", ".join(speakers))
    if shot.narration:
        parts.append("Narration")
    if shot.vocals_type and shot.vocals_type != "none":
        parts.append(f"Vocals: {shot.vocals_type}")
    if shot.music_cue:
        parts.append(f"Music: {shot.music_cue}")
    if shot.sound_effects:
        parts.append("SFX: " + ", ".join(shot.sound_effects))
    return "; ".join(parts)


def _notes(shot: ShotSpec) -> str:
    parts = []
    if shot.framing.value != "single":
        parts.append(f"Framing: {shot.framing.value.replace('_', ' ')}")
    if shot.transition_in.value != "cut":
        parts.append(f"Transition in: {shot.transition_in.value.replace('_', ' ')}")
    if shot.transition_out.value != "cut":
        parts.append(f"Transition out: {shot.transition_out.value.replace('_', ' ')}")
    if shot.continues_from:
        parts.append(f"Continues from {shot.continues_from}")
    if shot.split_from:
        parts.append(f"Split from {shot.split_from}")
    if shot.time_of_day:
        parts.append(f"Time: {shot.time_of_day}")
    if shot.weather:
        parts.append(f"Weather: {shot.weather}")
    if shot.camera_details:
        parts.append(shot.camera_details)
    if shot.generation_notes:
        parts.append(shot.generation_notes)
    if shot.locked:
        parts.append("Locked")
    return "; ".join(" ".join(p.split()) for p in parts)


def shot_list_rows(plan: Plan) -> list[dict[str, str]]:
    """The shot list: one row per shot, keyed by :data:`SHOT_LIST_COLUMNS`."""
    rows = []
    for planned in plan.shots:
        shot = planned.spec
        lens = shot.lens_mm
        rows.append(
            {
                "Scene": shot.scene,
                "Shot": shot.shot_id,
                "Description": shot.description or shot.action,
                "Shot Size": shot.shot_size.value,
                "Angle": _ANGLE_LABELS[shot.camera_angle],
                "Movement": _MOVEMENT_LABELS[shot.camera_movement],
                "Lens": f"{int(lens) if float(lens).is_integer() else lens}mm",
                "Equipment": EQUIPMENT[shot.camera_movement],
                "Cast": ", ".join(plan.element_name(i) for i in shot.characters),
                "Sound": _sound(shot),
                "Estimated Time": f"{format_seconds(shot.duration_frames, plan.rate)} s",
                "Notes": _notes(shot),
                "Start": plan.smpte(shot.start_frame),
                "End": plan.smpte(shot.end_frame),
                "Duration": str(shot.duration_frames),
                "Model": shot.model_id or "",
                "Segment": planned.segment_id,
                "Location": plan.element_name(shot.location) if shot.location else "",
                "Transition": transition_text(shot.transition_in.value, shot.transition_out.value),
            }
        )
    return rows


def _csv_text(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(" ".join(str(row.get(key, "")).split())) for key in columns})
    return buffer.getvalue().encode("utf-8-sig")


def shot_list_csv(plan: Plan) -> bytes:
    """The shot list as CSV bytes (UTF-8 with BOM, CRLF rows)."""
    return _csv_text(SHOT_LIST_COLUMNS, shot_list_rows(plan))


# --------------------------------------------------------------------------------------
# Breakdown
# --------------------------------------------------------------------------------------

#: The standard script breakdown categories, in sheet order.
BREAKDOWN_CATEGORIES: tuple[str, ...] = (
    "cast",
    "extras",
    "stunts",
    "props",
    "wardrobe",
    "makeup/hair",
    "vehicles",
    "animals",
    "special effects",
    "visual effects",
    "sound",
    "set dressing",
    "locations",
    "special equipment",
)

_TYPE_CATEGORY = {
    ElementType.CHARACTER: "cast",
    ElementType.LOCATION: "locations",
    ElementType.PROP: "props",
    ElementType.WARDROBE: "wardrobe",
    ElementType.VEHICLE: "vehicles",
    ElementType.AUDIO: "sound",
}
_CATEGORY_ALIASES = {
    **{c: c for c in BREAKDOWN_CATEGORIES},
    "extra": "extras",
    "background": "extras",
    "stunt": "stunts",
    "prop": "props",
    "costume": "wardrobe",
    "makeup": "makeup/hair",
    "hair": "makeup/hair",
    "make-up": "makeup/hair",
    "vehicle": "vehicles",
    "animal": "animals",
    "sfx": "special effects",
    "special effect": "special effects",
    "vfx": "visual effects",
    "visual effect": "visual effects",
    "set": "set dressing",
    "location": "locations",
    "equipment": "special equipment",
}
_WARDROBE_KEYS = ("costume", "wardrobe", "outfit", "clothes", "clothing")
_MAKEUP_KEYS = ("hair", "makeup", "make_up", "beard", "moustache", "mustache", "scar", "tattoo")
_CLEAR_WEATHER = {"", "clear", "sunny", "none", "fine", "dry"}


@dataclass
class SceneBreakdown:
    """One scene's breakdown sheet."""

    scene: str
    heading: str
    shots: list[str]
    start: str
    end: str
    duration_frames: int
    time_of_day: str
    categories: dict[str, list[str]]


def _category_of(plan: Plan, element_id: str) -> str | None:
    element = plan.elements.get(element_id)
    if element is not None:
        override = element.attributes.get("breakdown", "").strip().lower()
        if override in _CATEGORY_ALIASES:
            return _CATEGORY_ALIASES[override]
    element_type = plan.element_type(element_id)
    return _TYPE_CATEGORY.get(element_type) if element_type else None


def _attribute_items(plan: Plan, element_id: str, keys: Sequence[str]) -> list[str]:
    element = plan.elements.get(element_id)
    if element is None:
        return []
    return [
        f"{element.name} — {key.replace('_', ' ')}: {value}"
        for key, value in sorted(element.attributes.items())
        if value and any(k in key.lower() for k in keys)
    ]


def build_breakdown(plan: Plan, scenes: Sequence[Scene] | None = None) -> list[SceneBreakdown]:
    """The breakdown sheets, one per scene in order of first appearance.

    ``scenes`` (the screenplay's, if the caller has them) gives each sheet its heading.
    """
    headings = {scene.number: scene.heading for scene in scenes or ()}
    by_scene: dict[str, list[PlannedShot]] = {}
    for planned in plan.shots:
        by_scene.setdefault(planned.spec.scene, []).append(planned)
    sheets = []
    for number, planned_shots in by_scene.items():
        categories: dict[str, list[str]] = {c: [] for c in BREAKDOWN_CATEGORIES}
        names_in_cast: set[str] = set()
        for planned in planned_shots:
            shot = planned.spec
            for element_id in shot.element_ids():
                category = _category_of(plan, element_id)
                if category:
                    categories[category].append(plan.element_name(element_id))
                if plan.element_type(element_id) is ElementType.CHARACTER:
                    element = plan.elements.get(element_id)
                    names_in_cast.add(plan.element_name(element_id).casefold())
                    for alias in element.aliases if element else []:
                        names_in_cast.add(alias.casefold())
                    categories["wardrobe"] += _attribute_items(plan, element_id, _WARDROBE_KEYS)
                    categories["makeup/hair"] += _attribute_items(plan, element_id, _MAKEUP_KEYS)
            for line in shot.dialogue:
                # A speaking part is cast even when the registry does not know it yet.
                if line.character.casefold() not in names_in_cast:
                    categories["cast"].append(line.character)
            if shot.narration:
                categories["sound"].append("Narration")
            if shot.vocals_type and shot.vocals_type != "none":
                categories["sound"].append(f"Vocals: {shot.vocals_type}")
            if shot.music_cue:
                categories["sound"].append(f"Music: {shot.music_cue}")
            categories["sound"] += shot.sound_effects
            if shot.weather and shot.weather.strip().lower() not in _CLEAR_WEATHER:
                categories["special effects"].append(shot.weather.strip())
            if shot.camera_movement in SPECIAL_EQUIPMENT:
                categories["special equipment"].append(EQUIPMENT[shot.camera_movement])
        first, last = planned_shots[0].spec, planned_shots[-1].spec
        sheets.append(
            SceneBreakdown(
                scene=number,
                heading=headings.get(number, ""),
                shots=[p.spec.shot_id for p in planned_shots],
                start=plan.smpte(first.start_frame),
                end=plan.smpte(last.end_frame),
                duration_frames=sum(p.spec.duration_frames for p in planned_shots),
                time_of_day=", ".join(_unique(p.spec.time_of_day or "" for p in planned_shots)),
                categories={c: _unique(items) for c, items in categories.items()},
            )
        )
    return sheets


BREAKDOWN_COLUMNS: tuple[str, ...] = (
    "Scene",
    "Heading",
    "Shots",
    "Start",
    "End",
    "Duration",
    "Time of Day",
    *(c.title().replace("/H", "/h") for c in BREAKDOWN_CATEGORIES),
)


def breakdown_csv(sheets: Sequence[SceneBreakdown]) -> bytes:
    """The breakdown as CSV: one row per scene, one column per category (items joined by ;)."""
    rows = []
    for sheet in sheets:
        row = {
            "Scene": sheet.scene,
            "Heading": sheet.heading,
            "Shots": " ".join(sheet.shots),
            "Start": sheet.start,
            "End": sheet.end,
            "Duration": str(sheet.duration_frames),
            "Time of Day": sheet.time_of_day,
        }
        for category, column in zip(BREAKDOWN_CATEGORIES, BREAKDOWN_COLUMNS[7:], strict=True):
            row[column] = "; ".join(sheet.categories[category])
        rows.append(row)
    return _csv_text(BREAKDOWN_COLUMNS, rows)


def breakdown_markdown(title: str, sheets: Sequence[SceneBreakdown]) -> str:
    """The breakdown as Markdown: a sheet (category table) per scene."""
    lines = [f"# {md_cell(title)} — script breakdown", ""]
    for sheet in sheets:
        heading = f"Scene {md_cell(sheet.scene)}"
        if sheet.heading:
            heading += f" — {md_cell(sheet.heading)}"
        lines += [
            f"## {heading}",
            "",
            f"Shots {md_cell(', '.join(sheet.shots))} · {sheet.start} – {sheet.end} · "
            f"{sheet.duration_frames} frames"
            + (f" · {md_cell(sheet.time_of_day)}" if sheet.time_of_day else ""),
            "",
            "| Category | Items |",
            "|---|---|",
        ]
        for category in BREAKDOWN_CATEGORIES:
            items = "; ".join(sheet.categories[category])
            lines.append(f"| {category.title().replace('/H', '/h')} | {md_cell(items)} |")
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# export()
# --------------------------------------------------------------------------------------


def _check_format(fmt: str) -> ExportFormat:
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return fmt  # type: ignore[return-value]


def _resolve_out(project: Project, out: Path | str) -> tuple[Path, str | None]:
    """The absolute destination and, if it is inside the project, its relative path."""
    path = Path(out).expanduser()
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give the path of the file to write")
    resolved = path.resolve()
    try:
        return resolved, resolved.relative_to(project.root).as_posix()
    except ValueError:
        return resolved, None


def _write(project: Project, fmt: str, files: Sequence[tuple[Path, str | None, bytes]]) -> None:
    inside = [(rel, data) for _, rel, data in files if rel is not None]
    if inside:
        # Journaled and atomic, but not undoable: an export is not a change of the plan, and
        # /undo must neither remove exported files nor step over them.
        with project.transaction(f"export {fmt}", undoable=False) as tx:
            for rel, data in inside:
                tx.write_bytes(rel, data)
    for path, where, data in files:
        if where is None:
            atomic_write(path, data)


def export(project: Project, fmt: ExportFormat | str, out: Path | str | None = None) -> Path:
    """Write the plan of ``project`` as ``fmt`` and return the path written.

    Formats: ``otio``, ``edl`` (CMX3600), ``fcpxml`` (Final Cut Pro 7 XML), ``csv`` (shot
    list), ``breakdown`` (script breakdown CSV, plus Markdown at the default destination or
    when ``out`` ends in ``.md``), and the storyboard documents ``md``, ``html``, ``json``.
    Default destination: ``exports/<title-slug>.<ext>``, or the storyboard document at the
    project root. ``out`` may be outside the project; it must not be a folder.
    """
    kind = _check_format(fmt)
    plan = load_plan(project)
    slug = title_slug(plan.title)

    if kind in ("md", "json", "html"):
        return _export_document(project, plan, kind, out)

    target_rel: str | None
    if out is None:
        name = f"{slug}_breakdown.csv" if kind == "breakdown" else f"{slug}{_EXTENSIONS[kind]}"
        target_rel = f"{EXPORTS}/{name}"
        target = project.path(target_rel)
    else:
        target, target_rel = _resolve_out(project, out)

    files: list[tuple[Path, str | None, bytes]]
    if kind == "otio":
        files = [(target, target_rel, _otio_text(project, plan, target.parent).encode())]
    elif kind == "edl":
        files = [(target, target_rel, _edl_text(project, plan).encode("ascii", "replace"))]
    elif kind == "fcpxml":
        files = [(target, target_rel, _fcp_text(project, plan).encode("utf-8"))]
    elif kind == "csv":
        files = [(target, target_rel, shot_list_csv(plan))]
    else:
        sheets = build_breakdown(plan)
        markdown = breakdown_markdown(plan.title, sheets).encode("utf-8")
        if out is not None and target.suffix.lower() == ".md":
            files = [(target, target_rel, markdown)]
        else:
            files = [(target, target_rel, breakdown_csv(sheets))]
            if out is None:
                md_rel = f"{EXPORTS}/{slug}_breakdown.md"
                files.append((project.path(md_rel), md_rel, markdown))
    _write(project, kind, files)
    return target


def _export_document(project: Project, plan: Plan, kind: str, out: Path | str | None) -> Path:
    storyboard = storyboard_from_plan(plan)
    default = {"md": STORYBOARD_MD, "json": STORYBOARD_JSON, "html": STORYBOARD_HTML}[kind]
    rel: str | None
    if out is None:
        target, rel = project.path(default), default
    else:
        target, rel = _resolve_out(project, out)
    if kind == "md":
        language = project.manifest.technical_specs.language
        data = render_markdown(storyboard, language).encode("utf-8")
    elif kind == "json":
        data = (json.dumps(storyboard, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    elif rel is None:
        # Outside the project the relative panel paths would break: embed the panels.
        data = render_html(project, storyboard, embed_images=True).encode("utf-8")
    else:
        # Panels and page in one change: both or neither.
        with project.transaction("export html", undoable=False) as tx:
            write_panels(tx, plan)
            page = render_html(project, storyboard, base_dir=target.parent)
            tx.write_text(rel, page)
        return target
    _write(project, kind, [(target, rel, data)])
    return target
