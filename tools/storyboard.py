"""The storyboard documents of a planned project.

:func:`write_documents` writes, inside the caller's transaction, the documents a planned
project carries at its root:

- ``storyboard.json``: segments -> shots with SMPTE, ``MM:SS.cc`` and seconds ranges and every
  field a generator or another tool needs (the contract below);
- ``storyboard.md``: the same as readable Markdown, one table of shots per segment;
- ``storyboard.html``: one panel per shot, drawn locally with Pillow
  (``02_shots/NN_Title/panel.png``), readable offline;
- ``visual_strategy.json``: style anchors, a palette hint, each character's canonical look and
  the model plan by segment.

The ``storyboard.json`` contract (other tools read it; extra keys may be added, none removed)::

    schema_version, title, frame_rate ("24", "30000/1001"), drop_frame, total_frames,
    segments: [{segment_id, title, start, end,                 (SMPTE, end exclusive)
      shots: [{shot_id, scene, start, end, duration_frames, shot_size, camera_angle,
               camera_movement, lens_mm, description, characters, location, props,
               model_id, image_prompt, video_prompt, negative_prompt}]}]

Shots are contiguous: each shot's ``end`` is the next shot's ``start`` and the last ``end``
minus the first ``start`` is ``total_frames``. Times are program time from the plan's frames
(the first shot normally starts at ``00:00:00:00``); SMPTE is drop-frame (``;``) when the
project's specs use drop-frame. The editor exports (:mod:`storycore.tools.exports`) place the
same cut at ``01:00:00:00``.

Every document is a pure function of the plan: no timestamp, no absolute path, sorted and
stable output, so writing twice gives byte-identical files and a re-run journals nothing.

Panels: the HTML references ``02_shots/NN_Title/panel.png`` by relative path rather than
embedding data URIs, so that a 1000-shot storyboard stays a small HTML file, a change to one
shot rewrites one PNG, and other tools (a review UI, the CLI) can show the same panel. Each
PNG stores a hash of what it was drawn from in a text chunk (``storycore-panel``); a panel
whose inputs did not change is not drawn again. For a storyboard sent outside the project
(``render_html(..., embed_images=True)``) the panels are embedded as data URIs instead.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote

from anyascii import anyascii
from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from storycore.tools.domain import (
    ASPECT_RATIOS,
    AssetMetadata,
    CameraAngle,
    CameraMovement,
    ElementType,
    Framing,
    ShotSize,
    ShotSpec,
    TechnicalSpecs,
)
from storycore.tools.errors import ProjectError
from storycore.tools.naming import ELEMENT_PREFIXES
from storycore.tools.project import Project, Transaction
from storycore.tools.rates import rate_label, rate_to_string
from storycore.tools.structure import ELEMENTS, SHOTS, load_shots
from storycore.tools.timecode import format_mmss, format_seconds, format_smpte

SCHEMA_VERSION = 1

STORYBOARD_JSON = "storyboard.json"
STORYBOARD_MD = "storyboard.md"
STORYBOARD_HTML = "storyboard.html"
VISUAL_STRATEGY_JSON = "visual_strategy.json"
PANEL_FILE = "panel.png"
ELEMENT_FILE = "element.json"

#: Width of a storyboard panel in pixels; the height follows the project's aspect ratio.
PANEL_WIDTH = 320
#: Bump when the drawing changes, so cached panels are redrawn.
PANEL_STYLE = 1
#: The PNG text chunk that holds the hash of a panel's inputs.
PANEL_HASH_KEY = "storycore-panel"

# --------------------------------------------------------------------------------------
# The plan as the documents see it
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedShot:
    """A shot with where it lives and which segment holds it."""

    spec: ShotSpec
    folder: str  # relative to the project: 02_shots/NN_Title
    segment_id: str

    @property
    def panel_path(self) -> str:
        return f"{self.folder}/{PANEL_FILE}"


@dataclass(frozen=True)
class PlannedSegment:
    segment_id: str
    title: str
    transition_in: str
    transition_out: str
    shots: list[PlannedShot]

    @property
    def start_frame(self) -> int:
        return self.shots[0].spec.start_frame

    @property
    def end_frame(self) -> int:
        return self.shots[-1].spec.end_frame


@dataclass(frozen=True)
class Plan:
    """A planned project read and checked: contiguous shots grouped by segment."""

    title: str
    specs: TechnicalSpecs
    segments: list[PlannedSegment]
    elements: dict[str, AssetMetadata] = field(default_factory=dict)
    style_words: list[str] = field(default_factory=list)

    @property
    def rate(self) -> Fraction:
        return self.specs.rate

    @property
    def drop_frame(self) -> bool:
        return self.specs.uses_drop_frame

    @property
    def shots(self) -> list[PlannedShot]:
        return [shot for segment in self.segments for shot in segment.shots]

    @property
    def start_frame(self) -> int:
        return self.segments[0].start_frame

    @property
    def end_frame(self) -> int:
        return self.segments[-1].end_frame

    def smpte(self, frames: int) -> str:
        return format_smpte(frames, self.rate, drop_frame=self.drop_frame)

    def element_name(self, element_id: str) -> str:
        element = self.elements.get(element_id)
        return element.name if element else element_id

    def element_type(self, element_id: str) -> ElementType | None:
        """The element's type, from the registry, else from its id's prefix (``char_``...)."""
        element = self.elements.get(element_id)
        if element is not None:
            return element.type
        prefix = element_id.split("_", 1)[0]
        for type_name, known in ELEMENT_PREFIXES.items():
            if prefix == known:
                return ElementType(type_name)
        return None


def load_elements(project: Project) -> dict[str, AssetMetadata]:
    """Every element of the registry, by id (``01_elements/<folder>/element.json``).

    An element listed in ``project.json`` whose file is not written yet is described by its
    manifest entry (id, type, name).
    """
    elements: dict[str, AssetMetadata] = {}
    for ref in project.manifest.elements:
        rel = f"{ELEMENTS}/{ref.folder}/{ELEMENT_FILE}"
        if project.exists(rel):
            elements[ref.element_id] = project.read_model(rel, AssetMetadata)
        else:
            elements[ref.element_id] = AssetMetadata(
                element_id=ref.element_id, type=ref.type, name=ref.name
            )
    return elements


def _style_words(project: Project) -> list[str]:
    # The brief is another engineer's file: take its style words if they are readable, and
    # never fail the storyboard over it.
    if not project.exists("creative_brief.json"):
        return []
    try:
        data = json.loads(project.read_bytes("creative_brief.json"))
    except (OSError, ValueError):
        return []
    words = data.get("style_words") if isinstance(data, dict) else None
    if not isinstance(words, list):
        return []
    return [w.strip() for w in words if isinstance(w, str) and w.strip()]


def load_plan(project: Project) -> Plan:
    """Read the planned shots, segments and elements, and check that the cut is contiguous.

    Raises :class:`ProjectError` if the project has no shots, if a segment names a shot the
    project does not have, if segments do not follow the timeline order, or if a shot does
    not start where the previous one ends.
    """
    manifest = project.manifest
    specs = manifest.technical_specs
    shots = load_shots(project)
    if not shots:
        raise ProjectError(f"{project.root} has no shots yet; plan the project first")
    for before, after in pairwise(shots):
        if after.start_frame != before.end_frame:
            problem = "a gap" if after.start_frame > before.end_frame else "an overlap"
            raise ProjectError(
                f"{after.shot_id} starts at frame {after.start_frame} but {before.shot_id} ends "
                f"at frame {before.end_frame} ({problem}); re-time the shots so they are "
                "contiguous"
            )
    folders = {ref.shot_id: f"{SHOTS}/{ref.folder}" for ref in manifest.shots}
    by_id = {shot.shot_id: shot for shot in shots}

    segments: list[PlannedSegment] = []
    if manifest.segments:
        listed: list[str] = []
        for segment in manifest.segments:
            for shot_id in segment.shot_ids:
                if shot_id not in by_id:
                    raise ProjectError(
                        f"segment {segment.segment_id} lists {shot_id}, which the project does "
                        "not have; re-run the segmentation"
                    )
            listed.extend(segment.shot_ids)
            segments.append(
                PlannedSegment(
                    segment_id=segment.segment_id,
                    title=segment.title,
                    transition_in=segment.transition_in.value,
                    transition_out=segment.transition_out.value,
                    shots=[
                        PlannedShot(by_id[i], folders[i], segment.segment_id)
                        for i in segment.shot_ids
                    ],
                )
            )
        timeline = [shot.shot_id for shot in shots]
        if listed != timeline:
            missing = [i for i in timeline if i not in listed]
            detail = (
                f"{missing[0]} is in no segment"
                if missing
                else "they list shots out of timeline order or twice"
            )
            raise ProjectError(
                f"the segments do not cover the timeline ({detail}); re-run the segmentation"
            )
    else:
        # Not segmented yet: one implicit segment, so documents and exports still work.
        segments.append(
            PlannedSegment(
                segment_id="seg_01",
                title="",
                transition_in="cut",
                transition_out="cut",
                shots=[PlannedShot(s, folders[s.shot_id], "seg_01") for s in shots],
            )
        )
    return Plan(
        title=manifest.title,
        specs=specs,
        segments=segments,
        elements=load_elements(project),
        style_words=_style_words(project),
    )


# --------------------------------------------------------------------------------------
# storyboard.json
# --------------------------------------------------------------------------------------


def _number(value: float) -> int | float:
    """A lens or a second count as JSON: 35 rather than 35.0."""
    return int(value) if float(value).is_integer() else value


def _seconds(frames: int, rate: Fraction) -> float:
    return float(format_seconds(frames, rate))


def _shot_entry(plan: Plan, planned: PlannedShot) -> dict[str, Any]:
    shot = planned.spec
    rate = plan.rate
    return {
        "shot_id": shot.shot_id,
        "title": shot.title,
        "scene": shot.scene,
        "start": plan.smpte(shot.start_frame),
        "end": plan.smpte(shot.end_frame),
        "duration_frames": shot.duration_frames,
        "start_frame": shot.start_frame,
        "end_frame": shot.end_frame,
        "time_range": [format_mmss(shot.start_frame, rate), format_mmss(shot.end_frame, rate)],
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


def storyboard_from_plan(plan: Plan) -> dict[str, Any]:
    """The ``storyboard.json`` document of an already loaded :class:`Plan`."""
    rate = plan.rate
    specs = plan.specs
    total = plan.end_frame - plan.start_frame
    segments = []
    for segment in plan.segments:
        segments.append(
            {
                "segment_id": segment.segment_id,
                "title": segment.title,
                "start": plan.smpte(segment.start_frame),
                "end": plan.smpte(segment.end_frame),
                "start_frame": segment.start_frame,
                "end_frame": segment.end_frame,
                "duration_frames": segment.end_frame - segment.start_frame,
                "time_range": [
                    format_mmss(segment.start_frame, rate),
                    format_mmss(segment.end_frame, rate),
                ],
                "duration_seconds": _seconds(segment.end_frame - segment.start_frame, rate),
                "transition_in": segment.transition_in,
                "transition_out": segment.transition_out,
                "shots": [_shot_entry(plan, shot) for shot in segment.shots],
            }
        )
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


def build_storyboard(project: Project) -> dict[str, Any]:
    """The ``storyboard.json`` document of ``project`` (see the module docstring)."""
    return storyboard_from_plan(load_plan(project))


# --------------------------------------------------------------------------------------
# storyboard.md
# --------------------------------------------------------------------------------------

# Markdown punctuation that could start a link, code, emphasis or a new cell. An underscore
# inside a word (shot_01) cannot start emphasis and stays readable.
_MD_SPECIAL = re.compile(r"[\\`*\[\]|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def md_cell(text: object) -> str:
    """Text safe in a Markdown table cell: one line, no table break, no live HTML."""
    value = " ".join(str(text).split())
    value = html.escape(value, quote=False)
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), value)


def _names(storyboard: dict[str, Any], ids: Iterable[str]) -> list[str]:
    elements = storyboard.get("elements", {})
    return [elements.get(i, {}).get("name", i) for i in ids]


def _label(value: str | None) -> str:
    return (value or "").replace("_", " ")


def render_markdown(storyboard: dict[str, Any]) -> str:
    """``storyboard.md``: segments as headings, a table of shots with timecodes."""
    rate = Fraction(storyboard["frame_rate"])
    lines = [
        f"# {md_cell(storyboard['title'])}",
        "",
        f"{rate_label(rate)} fps{' drop-frame' if storyboard['drop_frame'] else ''} · "
        f"{md_cell(storyboard.get('aspect_ratio', ''))} · "
        f"{md_cell(storyboard.get('resolution', ''))} · "
        f"{storyboard['start']} – {storyboard['end']} · "
        f"{storyboard['total_frames']} frames ({storyboard.get('duration_seconds', '')} s) · "
        f"{sum(len(seg['shots']) for seg in storyboard['segments'])} shots",
        "",
    ]
    for segment in storyboard["segments"]:
        heading = segment["segment_id"]
        if segment["title"]:
            heading += f" — {md_cell(segment['title'])}"
        lines += [
            f"## {heading}",
            "",
            f"{segment['start']} – {segment['end']} · {len(segment['shots'])} shots",
            "",
            "| Shot | Scene | Start | End | Frames | Size | Angle | Movement | Lens | "
            "Description | Cast | Model |",
            "|---|---|---|---|---:|---|---|---|---:|---|---|---|",
        ]
        for shot in segment["shots"]:
            cast = ", ".join(_names(storyboard, shot["characters"]))
            cells = [
                shot["shot_id"],
                shot["scene"],
                shot["start"],
                shot["end"],
                str(shot["duration_frames"]),
                shot["shot_size"],
                _label(shot["camera_angle"]),
                _label(shot["camera_movement"]),
                f"{shot['lens_mm']}mm",
                shot["description"],
                cast,
                shot["model_id"] or "",
            ]
            lines.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Panels
# --------------------------------------------------------------------------------------


def panel_size(aspect_ratio: str) -> tuple[int, int]:
    """Pixel size of a panel: :data:`PANEL_WIDTH` wide, the height from the aspect ratio."""
    ratio = ASPECT_RATIOS.get(aspect_ratio, Fraction(16, 9))
    return PANEL_WIDTH, max(1, round(PANEL_WIDTH / ratio))


# How tall, in head heights, the part of a standing figure the frame shows (top of the head
# to the bottom of the frame), and the headroom above it (fraction of the frame height).
# None: the whole figure stands in the frame at that fraction of its height.
_FIGURE_FILL: dict[ShotSize, tuple[float | None, float]] = {
    ShotSize.EWS: (None, 0.12),
    ShotSize.WS: (None, 0.36),
    ShotSize.FS: (None, 0.84),
    ShotSize.MWS: (5.6, 0.07),
    ShotSize.MS: (3.8, 0.07),
    ShotSize.MCU: (2.7, 0.06),
    ShotSize.CU: (1.55, 0.05),
    ShotSize.ECU: (0.62, -0.18),
}
_FIGURE_HEADS = 7.5

_HORIZON: dict[CameraAngle, float | None] = {
    CameraAngle.EYE_LEVEL: 0.55,
    CameraAngle.HIGH: 0.22,
    CameraAngle.LOW: 0.82,
    CameraAngle.DUTCH: 0.55,
    CameraAngle.OVERHEAD: None,
    CameraAngle.BIRDS_EYE: None,
    CameraAngle.WORMS_EYE: 0.93,
}

_SKY = (232, 232, 228)
_GROUND = (204, 202, 196)
_GRID = (190, 190, 186)
_FIGURE = (92, 92, 96)
_FIGURE_EDGE = (48, 48, 52)
_FOREGROUND = (40, 40, 44)
_OBJECT = (150, 60, 50)
_MOVE = (200, 50, 40)
_LABEL_BG = (20, 20, 24)
_LABEL_FG = (245, 245, 240)
_SUPERSAMPLE = 2


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size)


def _panel_inputs(shot: ShotSpec, specs: TechnicalSpecs, names: Sequence[str]) -> dict[str, Any]:
    """Everything a panel is drawn from (its cache key)."""
    return {
        "style": PANEL_STYLE,
        "aspect_ratio": specs.aspect_ratio,
        "shot_id": shot.shot_id,
        "shot_size": shot.shot_size.value,
        "framing": shot.framing.value,
        "camera_angle": shot.camera_angle.value,
        "camera_movement": shot.camera_movement.value,
        "lens_mm": shot.lens_mm,
        "characters": list(names),
        "has_location": shot.location is not None,
        "has_props": bool(shot.props),
        "duration": format_seconds(shot.duration_frames, specs.rate),
    }


def panel_hash(shot: ShotSpec, specs: TechnicalSpecs, names: Sequence[str] = ()) -> str:
    """The hash stored in a panel PNG: it changes exactly when the drawing would."""
    blob = json.dumps(_panel_inputs(shot, specs, names), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def draw_panel(
    shot: ShotSpec, specs: TechnicalSpecs, names: Sequence[str] | None = None
) -> Image.Image:
    """A storyboard panel for ``shot``: the frame at the project's aspect ratio with a framing
    guide whose scale follows the shot size (EWS..ECU), two-shot/group/OTS/POV/insert cues, the
    camera angle (horizon, dutch tilt), a movement arrow, and the shot id, size and duration.

    ``names`` labels the figures (defaults to the character ids).
    """
    labels = list(names) if names is not None else list(shot.characters)
    width, height = panel_size(specs.aspect_ratio)
    s = _SUPERSAMPLE
    w, h = width * s, height * s
    image = Image.new("RGB", (w, h), _SKY)
    draw = ImageDraw.Draw(image)

    horizon = _HORIZON[shot.camera_angle]
    if horizon is None:
        draw.rectangle((0, 0, w, h), fill=_GROUND)
    else:
        draw.rectangle((0, round(horizon * h), w, h), fill=_GROUND)
    for i in (1, 2):
        draw.line((w * i // 3, 0, w * i // 3, h), fill=_GRID, width=s)
        draw.line((0, h * i // 3, w, h * i // 3), fill=_GRID, width=s)

    _draw_subjects(draw, shot, labels, w, h, horizon)
    if shot.camera_angle is CameraAngle.DUTCH:
        image = image.rotate(12, resample=Image.Resampling.BICUBIC, fillcolor=_SKY)
        draw = ImageDraw.Draw(image)
    _draw_movement(draw, shot.camera_movement, w, h)
    if shot.framing is Framing.POV:
        _draw_pov(draw, w, h)
    _draw_labels(draw, shot, specs, w, h)
    return image.resize((width, height), Image.Resampling.BOX)


def _figure_columns(shot: ShotSpec, count: int) -> list[float]:
    if shot.framing is Framing.OTS:
        return [0.64]
    if count == 1:
        return [0.5]
    if count == 2:
        return [0.3, 0.7]
    return [0.2, 0.5, 0.8]


def _draw_subjects(
    draw: ImageDraw.ImageDraw,
    shot: ShotSpec,
    labels: list[str],
    w: int,
    h: int,
    horizon: float | None,
) -> None:
    size = shot.shot_size
    if shot.framing is Framing.INSERT or (not shot.characters and shot.props):
        _draw_object(draw, size, w, h)
        return
    if not shot.characters:
        _draw_landscape(draw, size, w, h, horizon)
        return
    count = {Framing.TWO_SHOT: 2, Framing.GROUP: 3}.get(shot.framing, 1)
    fill, headroom = _FIGURE_FILL[size]
    if fill is None:
        # The whole figure stands in the frame: far away on the ground in an EWS, in the
        # foreground in a WS, head to toe in an FS.
        figure_h = headroom * h
        head = figure_h / _FIGURE_HEADS
        ground = (horizon if horizon is not None else 0.6) * h
        feet = {
            ShotSize.EWS: ground + 0.08 * (h - ground),
            ShotSize.WS: max(0.82 * h, ground + 0.05 * h),
        }.get(size, 0.93 * h)
        top = feet - figure_h
    else:
        head = (h - headroom * h) / fill
        top = headroom * h
    columns = _figure_columns(shot, count)
    if count > 1:
        # Side by side, shoulders (two head heights wide) must not overlap; in a close-up
        # only the faces must fit.
        spacing = (columns[1] - columns[0]) * w
        span = {ShotSize.CU: 0.95, ShotSize.ECU: 0.9, ShotSize.MCU: 1.6}.get(size, 2.1)
        head = min(head, spacing / span)
    if shot.framing is Framing.OTS:
        _draw_ots_shoulder(draw, w, h)
    for index, column in enumerate(columns):
        label = labels[index] if index < len(labels) else ""
        _draw_figure(draw, column * w, top, head, label, h)


def _draw_figure(
    draw: ImageDraw.ImageDraw, cx: float, top: float, head: float, label: str, h: int
) -> None:
    """A standing figure of head height ``head`` whose head's top is at ``top``."""
    edge = max(1, round(head / 24))
    hw = head * 0.38
    draw.ellipse(
        (cx - hw, top, cx + hw, top + head), fill=_FIGURE, outline=_FIGURE_EDGE, width=edge
    )
    if head > 20 * _SUPERSAMPLE:
        # Eyes and a nose line, so that a close-up reads as a face.
        eye_y, eye_w = top + head * 0.46, head * 0.07
        for side in (-1, 1):
            ex = cx + side * head * 0.14
            draw.ellipse(
                (ex - eye_w, eye_y - eye_w * 0.6, ex + eye_w, eye_y + eye_w * 0.6), fill=_SKY
            )
        draw.line((cx, eye_y + head * 0.05, cx, top + head * 0.66), fill=_FIGURE_EDGE, width=edge)
    neck = top + head
    draw.rectangle(
        (cx - head * 0.13, neck - head * 0.05, cx + head * 0.13, neck + head * 0.3), fill=_FIGURE
    )
    shoulders = neck + head * 0.3
    waist = top + head * 3.4
    draw.polygon(
        [
            (cx - head * 1.0, shoulders),
            (cx + head * 1.0, shoulders),
            (cx + head * 0.75, waist),
            (cx - head * 0.75, waist),
        ],
        fill=_FIGURE,
        outline=_FIGURE_EDGE,
        width=edge,
    )
    hips = waist + head * 0.6
    feet = top + head * _FIGURE_HEADS
    draw.rectangle((cx - head * 0.75, waist, cx + head * 0.75, hips), fill=_FIGURE)
    for side in (-1, 1):
        x0 = cx + side * head * 0.12
        x1 = cx + side * head * 0.7
        draw.rectangle((min(x0, x1), hips, max(x0, x1), feet), fill=_FIGURE)
    if label and head > 14 * _SUPERSAMPLE:
        font = _font(11 * _SUPERSAMPLE)
        text = anyascii(label)[:14]
        y = min(top + head * 1.55, h - 16 * _SUPERSAMPLE)
        draw.text((cx, y), text, font=font, fill=_LABEL_FG, anchor="mt")


def _draw_ots_shoulder(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    # The back of a head and a shoulder, out of focus in the foreground on the left.
    draw.ellipse((-0.08 * w, 0.18 * h, 0.3 * w, 0.95 * h), fill=_FOREGROUND)
    draw.ellipse((-0.25 * w, 0.7 * h, 0.42 * w, 1.6 * h), fill=_FOREGROUND)


def _draw_object(draw: ImageDraw.ImageDraw, size: ShotSize, w: int, h: int) -> None:
    scale = {
        ShotSize.EWS: 0.06,
        ShotSize.WS: 0.12,
        ShotSize.FS: 0.22,
        ShotSize.MWS: 0.3,
        ShotSize.MS: 0.4,
        ShotSize.MCU: 0.55,
        ShotSize.CU: 0.75,
        ShotSize.ECU: 1.05,
    }[size]
    bw, bh = scale * w * 0.6, scale * h
    cx, cy = w / 2, h * 0.55
    draw.rounded_rectangle(
        (cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2),
        radius=max(2, round(min(bw, bh) / 8)),
        fill=_OBJECT,
        outline=_FIGURE_EDGE,
        width=_SUPERSAMPLE,
    )


def _draw_landscape(
    draw: ImageDraw.ImageDraw, size: ShotSize, w: int, h: int, horizon: float | None
) -> None:
    # Buildings on the horizon: small in an establishing shot, filling the frame when close.
    scale = {
        ShotSize.EWS: 0.18,
        ShotSize.WS: 0.3,
        ShotSize.FS: 0.45,
        ShotSize.MWS: 0.55,
        ShotSize.MS: 0.65,
        ShotSize.MCU: 0.75,
        ShotSize.CU: 0.85,
        ShotSize.ECU: 1.0,
    }[size]
    base = (horizon if horizon is not None else 0.6) * h
    x = 0.06 * w
    for i, (bw, bh) in enumerate(((0.14, 0.7), (0.1, 1.0), (0.18, 0.55), (0.12, 0.85))):
        width_px = bw * w * (0.6 + scale)
        height_px = bh * h * scale
        draw.rectangle(
            (x, base - height_px, x + width_px, base), fill=_FIGURE if i % 2 else _FIGURE_EDGE
        )
        x += width_px + 0.08 * w
        if x > w:
            break


def _arrow(
    draw: ImageDraw.ImageDraw, start: tuple[float, float], end: tuple[float, float], width: int
) -> None:
    draw.line((start, end), fill=_MOVE, width=width)
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    size = width * 3.5
    left = (end[0] - size * math.cos(angle - 0.5), end[1] - size * math.sin(angle - 0.5))
    right = (end[0] - size * math.cos(angle + 0.5), end[1] - size * math.sin(angle + 0.5))
    draw.polygon([end, left, right], fill=_MOVE)


def _draw_movement(draw: ImageDraw.ImageDraw, movement: CameraMovement, w: int, h: int) -> None:
    line = 2 * _SUPERSAMPLE
    m = CameraMovement
    if movement in (m.PAN, m.TRUCK, m.TRACKING):
        y = 0.12 * h if movement is m.PAN else 0.9 * h
        _arrow(draw, (0.3 * w, y), (0.7 * w, y), line)
    elif movement in (m.TILT, m.PEDESTAL, m.CRANE):
        x = 0.93 * w if movement is m.TILT else 0.07 * w
        _arrow(draw, (x, 0.7 * h), (x, 0.3 * h), line)
    elif movement in (m.DOLLY_IN, m.ZOOM_IN, m.DOLLY_OUT, m.ZOOM_OUT):
        inward = movement in (m.DOLLY_IN, m.ZOOM_IN)
        for fx, fy in ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)):
            outer = (w * (0.06 + 0.88 * fx), h * (0.08 + 0.84 * fy))
            inner = (w * (0.2 + 0.6 * fx), h * (0.25 + 0.5 * fy))
            _arrow(draw, outer if inward else inner, inner if inward else outer, line)
        if movement in (m.ZOOM_IN, m.ZOOM_OUT):
            draw.rectangle((0.2 * w, 0.25 * h, 0.8 * w, 0.75 * h), outline=_MOVE, width=line // 2)
    elif movement is m.ORBIT:
        box = (0.2 * w, 0.72 * h, 0.8 * w, 0.96 * h)
        draw.arc(box, start=20, end=160, fill=_MOVE, width=line)
        _arrow(draw, (0.26 * w, 0.9 * h), (0.22 * w, 0.82 * h), line)
    elif movement is m.HANDHELD:
        points = [
            (0.3 * w + i * 0.04 * w, 0.92 * h + (0.025 * h if i % 2 else -0.025 * h))
            for i in range(11)
        ]
        draw.line(points, fill=_MOVE, width=line, joint="curve")


def _draw_pov(draw: ImageDraw.ImageDraw, w: int, h: int) -> None:
    # A dashed frame: the viewer is someone in the scene.
    dash = 8 * _SUPERSAMPLE
    inset = 5 * _SUPERSAMPLE
    for x in range(inset, w - inset, dash * 2):
        draw.line((x, inset, min(x + dash, w - inset), inset), fill=_FOREGROUND, width=_SUPERSAMPLE)
        draw.line(
            (x, h - inset, min(x + dash, w - inset), h - inset),
            fill=_FOREGROUND,
            width=_SUPERSAMPLE,
        )
    for y in range(inset, h - inset, dash * 2):
        draw.line((inset, y, inset, min(y + dash, h - inset)), fill=_FOREGROUND, width=_SUPERSAMPLE)
        draw.line(
            (w - inset, y, w - inset, min(y + dash, h - inset)),
            fill=_FOREGROUND,
            width=_SUPERSAMPLE,
        )


_FRAMING_TAG = {
    Framing.TWO_SHOT: "2-SHOT",
    Framing.GROUP: "GROUP",
    Framing.OTS: "OTS",
    Framing.POV: "POV",
    Framing.INSERT: "INSERT",
}


def _draw_labels(
    draw: ImageDraw.ImageDraw, shot: ShotSpec, specs: TechnicalSpecs, w: int, h: int
) -> None:
    s = _SUPERSAMPLE
    font = _font(12 * s)
    pad = 3 * s
    tag = _FRAMING_TAG.get(shot.framing)
    head = f"{shot.shot_id}  {shot.shot_size.value}" + (f" {tag}" if tag else "")
    head += f"  {_number(shot.lens_mm)}mm"
    box = draw.textbbox((pad * 2, pad * 2), head, font=font)
    draw.rectangle((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad), fill=_LABEL_BG)
    draw.text((pad * 2, pad * 2), head, font=font, fill=_LABEL_FG)
    tail = f"{format_seconds(shot.duration_frames, specs.rate)}s"
    anchor = (w - pad * 2, h - pad * 2)
    box = draw.textbbox(anchor, tail, font=font, anchor="rd")
    draw.rectangle((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad), fill=_LABEL_BG)
    draw.text(anchor, tail, font=font, fill=_LABEL_FG, anchor="rd")


def panel_png(shot: ShotSpec, specs: TechnicalSpecs, names: Sequence[str] = ()) -> bytes:
    """The PNG bytes of a shot's panel, with its input hash in a text chunk."""
    image = draw_panel(shot, specs, names)
    info = PngImagePlugin.PngInfo()
    info.add_text(PANEL_HASH_KEY, panel_hash(shot, specs, names))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info, compress_level=3)
    return buffer.getvalue()


def stored_panel_hash(path: Path) -> str | None:
    """The input hash of an existing panel PNG, or None if there is none or it is unreadable."""
    try:
        with Image.open(path) as image:
            value = image.info.get(PANEL_HASH_KEY)
    except (OSError, ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def write_panels(tx: Transaction, plan: Plan) -> list[str]:
    """Draw every shot's panel into its folder, skipping panels whose inputs did not change."""
    written = []
    for planned in plan.shots:
        names = [plan.element_name(i) for i in planned.spec.characters]
        wanted = panel_hash(planned.spec, plan.specs, names)
        rel = planned.panel_path
        if stored_panel_hash(tx.project.path(rel)) != wanted:
            tx.write_bytes(rel, panel_png(planned.spec, plan.specs, names))
        written.append(rel)
    return written


# --------------------------------------------------------------------------------------
# storyboard.html
# --------------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; background: #f4f3f0; color: #1d1d1f;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
header h1 { margin: 0 0 4px; font-size: 26px; }
.meta, .tc { color: #5b5b60; font-variant-numeric: tabular-nums; }
section { margin-top: 28px; }
section h2 { font-size: 19px; border-bottom: 2px solid #1d1d1f; padding-bottom: 4px; }
section h2 .tc { font-size: 14px; font-weight: normal; margin-left: 8px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
  gap: 16px; }
article { background: #fff; border: 1px solid #d9d8d4; border-radius: 6px; overflow: hidden; }
article img { display: block; width: 100%; height: auto; background: #e8e8e4; }
.cap { padding: 8px 10px 10px; }
.cap h3 { margin: 0; font-size: 15px; display: flex; justify-content: space-between; }
.cap h3 span { color: #5b5b60; font-weight: normal; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 1px 10px; margin: 6px 0; }
dt { color: #5b5b60; } dd { margin: 0; }
.desc { margin: 6px 0; }
details { color: #3a3a3f; font-size: 13px; }
details p { margin: 4px 0; white-space: pre-wrap; }
@media print { body { background: #fff; padding: 0; } article { break-inside: avoid; } }
"""

_CSP = "default-src 'none'; img-src 'self' data: file:; style-src 'unsafe-inline'"


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _panel_src(
    project: Project, shot: dict[str, Any], *, embed: bool, base_dir: Path | None
) -> str:
    rel = str(shot.get("panel") or "")
    if embed:
        spec = _spec_from_entry(shot)
        specs = project.manifest.technical_specs
        names = shot.get("_names", [])
        path = project.path(rel) if rel else None
        # The panel on disk only if it was drawn from this very shot; else draw it now.
        if path is not None and stored_panel_hash(path) == panel_hash(spec, specs, names):
            data = path.read_bytes()
        else:
            data = panel_png(spec, specs, names)
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    if base_dir is not None:
        rel = Path(os.path.relpath(project.path(rel), base_dir)).as_posix()
    return quote(rel)


def _spec_from_entry(shot: dict[str, Any]) -> ShotSpec:
    # Enough of a ShotSpec to draw a panel that was not written to disk yet.
    return ShotSpec(
        shot_id=shot["shot_id"],
        start_frame=shot.get("start_frame", 0),
        end_frame=shot.get("end_frame", shot.get("start_frame", 0) + shot["duration_frames"]),
        shot_size=shot["shot_size"],
        framing=shot.get("framing", "single"),
        camera_angle=shot["camera_angle"],
        camera_movement=shot["camera_movement"],
        lens_mm=shot["lens_mm"],
        characters=shot["characters"],
        location=shot["location"],
        props=shot["props"],
    )


def render_html(
    project: Project,
    storyboard: dict[str, Any],
    *,
    embed_images: bool = False,
    base_dir: Path | None = None,
) -> str:
    """``storyboard.html``: one panel per shot, with inline CSS and no network reference.

    Panels are referenced by their path relative to the project root (where
    ``storyboard.html`` lives), or relative to ``base_dir`` when the page is written
    elsewhere in the project; ``embed_images`` embeds them as data URIs instead (a page sent
    outside the project). Every text from the plan is HTML-escaped.
    """
    title = storyboard["title"]
    rate = Fraction(storyboard["frame_rate"])
    shot_count = sum(len(seg["shots"]) for seg in storyboard["segments"])
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)} — storyboard</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">{_e(rate_label(rate))} fps'
        f"{' drop-frame' if storyboard['drop_frame'] else ''} · "
        f"{_e(storyboard.get('aspect_ratio', ''))} · {_e(storyboard.get('resolution', ''))} · "
        f"{_e(storyboard['start'])} – {_e(storyboard['end'])} · "
        f"{_e(storyboard['total_frames'])} frames · {shot_count} shots</p>",
        "</header>",
    ]
    for segment in storyboard["segments"]:
        heading = _e(segment["segment_id"])
        if segment["title"]:
            heading += f" — {_e(segment['title'])}"
        out += [
            f'<section id="{_e(segment["segment_id"])}">',
            f'<h2>{heading}<span class="tc">{_e(segment["start"])} – {_e(segment["end"])}'
            "</span></h2>",
            '<div class="grid">',
        ]
        for shot in segment["shots"]:
            out.append(_html_panel(project, storyboard, shot, embed_images, base_dir))
        out += ["</div>", "</section>"]
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _html_panel(
    project: Project,
    storyboard: dict[str, Any],
    shot: dict[str, Any],
    embed: bool,
    base_dir: Path | None,
) -> str:
    cast = _names(storyboard, shot["characters"])
    props = _names(storyboard, shot["props"])
    location = _names(storyboard, [shot["location"]])[0] if shot["location"] else ""
    entry = dict(shot, _names=cast)
    src = _panel_src(project, entry, embed=embed, base_dir=base_dir)
    width, height = panel_size(storyboard.get("aspect_ratio", "16:9"))
    time_range = shot.get("time_range") or ["", ""]
    rows = [
        (
            "Size",
            f"{shot['shot_size']}"
            + (
                f" · {_label(shot.get('framing'))}"
                if shot.get("framing") not in (None, "single")
                else ""
            ),
        ),
        ("Angle", _label(shot["camera_angle"])),
        ("Movement", _label(shot["camera_movement"])),
        ("Lens", f"{shot['lens_mm']}mm"),
        ("Cast", ", ".join(cast)),
        ("Location", location),
        ("Props", ", ".join(props)),
        ("Model", shot["model_id"] or "—"),
    ]
    details = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows if v)
    prompts = "".join(
        f"<p><b>{_e(label)}</b> {_e(shot[key])}</p>"
        for label, key in (
            ("Image", "image_prompt"),
            ("Video", "video_prompt"),
            ("Negative", "negative_prompt"),
        )
        if shot.get(key)
    )
    alt = f"{shot['shot_id']}: {shot['shot_size']}, {_label(shot['camera_movement'])}"
    return "\n".join(
        [
            f'<article id="{_e(shot["shot_id"])}">',
            f'<img src="{_e(src)}" width="{width}" height="{height}" alt="{_e(alt)}" '
            'loading="lazy">',
            '<div class="cap">',
            f"<h3>{_e(shot['shot_id'])}<span>Scene {_e(shot['scene'])}</span></h3>",
            f'<p class="tc">{_e(shot["start"])} → {_e(shot["end"])} · '
            f"{_e(shot['duration_frames'])} f · {_e(time_range[0])}–{_e(time_range[1])}</p>",
            f"<dl>{details}</dl>",
            f'<p class="desc">{_e(shot["description"])}</p>',
            f"<details><summary>Prompts</summary>{prompts}</details>" if prompts else "",
            "</div>",
            "</article>",
        ]
    )


# --------------------------------------------------------------------------------------
# visual_strategy.json
# --------------------------------------------------------------------------------------

#: Palette hints by style word. A fixed, documented table: a style word that names a look
#: gives that look's usual colours; a plain colour word gives that colour as an accent.
STYLE_PALETTES: dict[str, list[tuple[str, str]]] = {
    "noir": [
        ("black", "#0b0b0c"),
        ("charcoal", "#2b2b2e"),
        ("silver", "#a8a8ab"),
        ("white", "#f2f2f0"),
    ],
    "black and white": [("black", "#0b0b0c"), ("grey", "#7a7a7a"), ("white", "#f2f2f0")],
    "monochrome": [("black", "#0b0b0c"), ("grey", "#7a7a7a"), ("white", "#f2f2f0")],
    "sepia": [
        ("dark brown", "#704214"),
        ("tan", "#a67b5b"),
        ("sand", "#d8c3a5"),
        ("cream", "#f4ecd8"),
    ],
    "vintage": [
        ("faded teal", "#5f8a8b"),
        ("mustard", "#c9a227"),
        ("rust", "#a0522d"),
        ("cream", "#f4ecd8"),
    ],
    "neon": [
        ("night", "#0d0221"),
        ("hot pink", "#ff2a6d"),
        ("cyan", "#05d9e8"),
        ("ice", "#d1f7ff"),
    ],
    "cyberpunk": [
        ("night", "#0d0221"),
        ("hot pink", "#ff2a6d"),
        ("cyan", "#05d9e8"),
        ("acid yellow", "#f9f871"),
    ],
    "teal and orange": [
        ("deep teal", "#0f4c5c"),
        ("teal", "#1b998b"),
        ("orange", "#ff9f1c"),
        ("burnt orange", "#e36414"),
    ],
    "pastel": [
        ("pink", "#ffd1dc"),
        ("baby blue", "#bde0fe"),
        ("mint", "#cdeac0"),
        ("butter", "#fff1b5"),
    ],
    "golden hour": [
        ("amber", "#ffb347"),
        ("coral", "#ff7f50"),
        ("terracotta", "#c8553d"),
        ("peach", "#ffe5b4"),
    ],
    "warm": [("amber", "#ffb347"), ("coral", "#ff7f50"), ("terracotta", "#c8553d")],
    "cold": [("navy", "#1b263b"), ("slate", "#415a77"), ("steel", "#778da9"), ("frost", "#e0e1dd")],
    "cool": [("navy", "#1b263b"), ("slate", "#415a77"), ("steel", "#778da9"), ("frost", "#e0e1dd")],
    "gothic": [
        ("black", "#1a1a1d"),
        ("ash", "#4e4e50"),
        ("wine", "#6f2232"),
        ("blood red", "#950740"),
    ],
}
COLOUR_WORDS: dict[str, str] = {
    "red": "#c0392b",
    "crimson": "#dc143c",
    "orange": "#e67e22",
    "yellow": "#f1c40f",
    "gold": "#d4af37",
    "green": "#27ae60",
    "teal": "#008080",
    "blue": "#2e86c1",
    "navy": "#1b263b",
    "purple": "#8e44ad",
    "violet": "#8e44ad",
    "pink": "#e91e63",
    "magenta": "#d81b60",
    "brown": "#795548",
    "white": "#f2f2f0",
    "black": "#0b0b0c",
}


def _word_in(word: str, text: str) -> bool:
    return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text) is not None


def palette_for(style_texts: Sequence[str]) -> dict[str, Any]:
    """A palette hint from style words, by :data:`STYLE_PALETTES` then :data:`COLOUR_WORDS`."""
    text = " ".join(style_texts).lower().replace("&", "and").replace("-", " ")
    matched: list[str] = []
    colours: list[dict[str, str]] = []
    seen: set[str] = set()
    for word, entries in STYLE_PALETTES.items():
        if _word_in(word, text):
            matched.append(word)
            for name, value in entries:
                if value not in seen:
                    seen.add(value)
                    colours.append({"name": name, "hex": value, "from": word})
    for word, value in COLOUR_WORDS.items():
        if _word_in(word, text) and value not in seen:
            matched.append(word)
            seen.add(value)
            colours.append({"name": word, "hex": value, "from": word})
    return {
        "source": "style words matched against a fixed table (storycore.tools.storyboard)",
        "matched": matched,
        "colors": colours,
    }


def _element_look(project: Project, element: AssetMetadata, plan: Plan) -> dict[str, Any]:
    shot_ids = [p.spec.shot_id for p in plan.shots if element.element_id in p.spec.element_ids()]
    folder = next(
        (ref.folder for ref in project.manifest.elements if ref.element_id == element.element_id),
        None,
    )
    images = [
        f"{ELEMENTS}/{folder}/{image.path}" if folder else image.path
        for image in element.reference_images
    ]
    return {
        "element_id": element.element_id,
        "name": element.name,
        "canonical_description": element.canonical_description,
        "attributes": dict(sorted(element.attributes.items())),
        "reference_images": images,
        "status": element.status.value,
        "version": element.current_version,
        "shots": shot_ids,
    }


def _model_rows(plan: Plan, shots: Sequence[PlannedShot]) -> list[dict[str, Any]]:
    by_model: dict[str | None, list[PlannedShot]] = {}
    for planned in shots:
        by_model.setdefault(planned.spec.model_id, []).append(planned)
    rows = []
    # Most used first; ties by model id, unassigned last: stable and readable.
    for model_id, group in sorted(
        by_model.items(), key=lambda item: (-len(item[1]), item[0] is None, item[0] or "")
    ):
        frames = sum(p.spec.duration_frames for p in group)
        rows.append(
            {
                "model_id": model_id,
                "shots": len(group),
                "frames": frames,
                "seconds": _seconds(frames, plan.rate),
                "shot_ids": [p.spec.shot_id for p in group],
            }
        )
    return rows


def build_visual_strategy(project: Project, plan: Plan | None = None) -> dict[str, Any]:
    """``visual_strategy.json``: style anchors, palette hint, canonical looks, model plan."""
    plan = plan or load_plan(project)
    specs = plan.specs
    style_texts = [t for t in [specs.style or "", *plan.style_words] if t]
    by_type: dict[ElementType, list[dict[str, Any]]] = {}
    for element_id in sorted(plan.elements):
        element = plan.elements[element_id]
        by_type.setdefault(element.type, []).append(_element_look(project, element, plan))
    return {
        "schema_version": SCHEMA_VERSION,
        "title": plan.title,
        "style_anchors": {
            "style": specs.style,
            "style_words": plan.style_words,
            "required_prompt_elements": list(specs.required_prompt_elements),
            "prompt_language": specs.prompt_language,
            "camera_movement_rule": specs.camera_movement_rule,
            "cut_marker": specs.cut_marker,
            "aspect_ratio": specs.aspect_ratio,
            "resolution": str(specs.resolution),
            "frame_rate": rate_to_string(plan.rate),
        },
        "palette": palette_for(style_texts),
        "characters": by_type.get(ElementType.CHARACTER, []),
        "locations": by_type.get(ElementType.LOCATION, []),
        "props": by_type.get(ElementType.PROP, []),
        "model_plan": {
            "by_segment": [
                {
                    "segment_id": segment.segment_id,
                    "title": segment.title,
                    "models": _model_rows(plan, segment.shots),
                }
                for segment in plan.segments
            ],
            "totals": _model_rows(plan, plan.shots),
        },
    }


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_documents(tx: Transaction) -> list[str]:
    """Write ``storyboard.json``, ``.md``, ``.html``, ``visual_strategy.json`` and the panels.

    Runs inside the caller's transaction (so a failure rolls everything back) and returns the
    relative paths of the documents and panels. The output is a pure function of the plan:
    unchanged files are not rewritten and panels whose inputs did not change are not redrawn.
    """
    project = tx.project
    plan = load_plan(project)
    storyboard = storyboard_from_plan(plan)
    panels = write_panels(tx, plan)
    tx.write_bytes(STORYBOARD_JSON, _json_bytes(storyboard))
    tx.write_text(STORYBOARD_MD, render_markdown(storyboard))
    tx.write_text(STORYBOARD_HTML, render_html(project, storyboard))
    tx.write_bytes(VISUAL_STRATEGY_JSON, _json_bytes(build_visual_strategy(project, plan)))
    return [STORYBOARD_JSON, STORYBOARD_MD, STORYBOARD_HTML, VISUAL_STRATEGY_JSON, *panels]
