"""Storyboard panels drawn locally with Pillow, hashed by their inputs (unchanged: not redrawn)."""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Any

from anyascii import anyascii
from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from storycore.tools.domain import (
    ASPECT_RATIOS,
    CameraAngle,
    CameraMovement,
    Framing,
    ShotSize,
    ShotSpec,
    TechnicalSpecs,
)
from storycore.tools.project import Transaction
from storycore.tools.storyboard.document import _number
from storycore.tools.storyboard.plan import Plan
from storycore.tools.timecode import format_seconds

#: Width of a storyboard panel in pixels; the height follows the project's aspect ratio.
PANEL_WIDTH = 320
#: Bump when the drawing changes, so cached panels are redrawn.
PANEL_STYLE = 1
#: The PNG text chunk that holds the hash of a panel's inputs.
PANEL_HASH_KEY = "storycore-panel"


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


_fonts = threading.local()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # One font object per thread: panels are drawn on several threads (write_panels), and a
    # FreeType face must not be used by two threads at once.
    cache: dict[int, ImageFont.FreeTypeFont | ImageFont.ImageFont] | None = getattr(
        _fonts, "cache", None
    )
    if cache is None:
        cache = _fonts.cache = {}
    font = cache.get(size)
    if font is None:
        font = cache[size] = ImageFont.load_default(size)
    return font


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
    # Looked up through the package, so ``storycore.tools.storyboard.draw_panel`` stays the one
    # name to replace (the tests count redraws by patching it there).
    from storycore.tools import storyboard

    image = storyboard.draw_panel(shot, specs, names)
    info = PngImagePlugin.PngInfo()
    info.add_text(PANEL_HASH_KEY, panel_hash(shot, specs, names))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info, compress_level=3)
    return buffer.getvalue()


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _text_chunk(head: bytes, key: str) -> str | None:
    """The ``tEXt`` chunk ``key`` among the chunks at the start of a PNG (before its image
    data, where Pillow writes them), or None if it is not there."""
    if not head.startswith(_PNG_SIGNATURE):
        return None
    wanted = key.encode("latin-1") + b"\0"
    at = len(_PNG_SIGNATURE)
    while at + 8 <= len(head):
        length = int.from_bytes(head[at : at + 4], "big")
        kind = head[at + 4 : at + 8]
        if kind == b"IDAT" or at + 12 + length > len(head):
            return None
        data = head[at + 8 : at + 8 + length]
        if kind == b"tEXt" and data.startswith(wanted):
            return data[len(wanted) :].decode("latin-1")
        at += 12 + length
    return None


def stored_panel_hash(path: Path) -> str | None:
    """The input hash of an existing panel PNG, or None if there is none or it is unreadable.

    The text chunk is read from the first bytes of the file (a panel is checked on every
    plan and change, so decoding it with Pillow would cost more than the check)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError:
        return None
    found = _text_chunk(head, PANEL_HASH_KEY)
    if found is not None:
        return found
    try:
        with Image.open(path) as image:
            value = image.info.get(PANEL_HASH_KEY)
    except (OSError, ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


#: Below this many panels to draw, the thread pool costs more than it saves.
PARALLEL_MIN_PANELS = 16


def panel_workers() -> int:
    """How many threads draw panels: the cores this process may use (at most 4).

    Pillow releases the GIL while it resamples and PNG-encodes, which is most of a panel's
    cost, so threads use every core without a second process or a pickled plan."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def write_panels(tx: Transaction, plan: Plan) -> list[str]:
    """Draw every shot's panel into its folder, skipping panels whose inputs did not change.

    Panels are drawn on :func:`panel_workers` threads and written by this thread, in shot
    order, through the transaction (each file written once)."""
    written = []
    root = tx.project.root
    todo: list[tuple[str, ShotSpec, list[str]]] = []
    for planned in plan.shots:
        names = [plan.element_name(i) for i in planned.spec.characters]
        wanted = panel_hash(planned.spec, plan.specs, names)
        rel = planned.panel_path
        # Read straight under the root (only the hash is compared; writes stay confined).
        if stored_panel_hash(root / rel) != wanted:
            todo.append((rel, planned.spec, names))
        written.append(rel)
    workers = panel_workers()
    if workers == 1 or len(todo) < PARALLEL_MIN_PANELS:
        for rel, spec, names in todo:
            tx.write_bytes(rel, panel_png(spec, plan.specs, names))
        return written
    ahead = 4 * workers  # PNGs drawn ahead of the writer: bounded, so memory stays flat
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="storycore-panel") as pool:
        pending: deque[tuple[str, Future[bytes]]] = deque()
        for rel, spec, names in todo:
            pending.append((rel, pool.submit(panel_png, spec, plan.specs, names)))
            if len(pending) >= ahead:
                done_rel, future = pending.popleft()
                tx.write_bytes(done_rel, future.result())
        while pending:
            done_rel, future = pending.popleft()
            tx.write_bytes(done_rel, future.result())
    return written
