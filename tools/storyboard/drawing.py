"""Drawing a storyboard panel with Pillow: the background (frame, framing guide, figures,
camera angle and movement) and the labels (shot id, size, lens, duration), at 2x, and the
downsampling to the panel's size. :mod:`.panels` puts them together and caches them."""

from __future__ import annotations

import math
import threading
from functools import lru_cache

from anyascii import anyascii
from PIL import Image, ImageDraw, ImageFont

from storycore.tools.domain import (
    CameraAngle,
    CameraMovement,
    Framing,
    ShotSize,
    ShotSpec,
    TechnicalSpecs,
)
from storycore.tools.i18n import t
from storycore.tools.storyboard.card import draw_card, shot_card_words
from storycore.tools.storyboard.document import _number
from storycore.tools.storyboard.subjects import HANDS, framed_part
from storycore.tools.timecode import format_seconds

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


def _draw_background(
    shot: ShotSpec, labels: list[str], w: int, h: int, card: str = ""
) -> Image.Image:
    """Everything of a panel but its labels, at the supersampled size ``w`` x ``h``; a card
    shot's panel (``card``: its words, :func:`.card.shot_card_words`) shows the card."""
    s = _SUPERSAMPLE
    image = Image.new("RGB", (w, h), _SKY)
    draw = ImageDraw.Draw(image)

    if card:
        # The card fills the frame: its words clear of the labels, at least 7 px tall.
        band = label_band() * s
        draw_card(image, card, clear=band, min_size=7 * s, guide=s)
    else:
        horizon = _HORIZON[shot.camera_angle]
        if horizon is None:
            draw.rectangle((0, 0, w, h), fill=_GROUND)
        else:
            draw.rectangle((0, round(horizon * h), w, h), fill=_GROUND)
        for i in (1, 2):
            draw.line((w * i // 3, 0, w * i // 3, h), fill=_GRID, width=s)
            draw.line((0, h * i // 3, w, h * i // 3), fill=_GRID, width=s)
        _draw_subjects(draw, shot, labels, w, h, horizon)
    if shot.camera_angle is CameraAngle.DUTCH and not card:  # a card's words stay level
        image = image.rotate(12, resample=Image.Resampling.BICUBIC, fillcolor=_SKY)
        draw = ImageDraw.Draw(image)
    _draw_movement(draw, shot.camera_movement, w, h)
    if shot.framing is Framing.POV:
        _draw_pov(draw, w, h)
    return image


def _downsample(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image.resize(size, BOX)``, the same pixels, faster at the panel's 2x supersampling.

    Pillow's BOX resize averages each pair of columns, rounds to 8 bits, then each pair of
    rows and rounds again; :meth:`Image.reduce` by ``(2, 1)`` then ``(1, 2)`` does exactly
    that (the same rounding, half up) without the generic filter's weights."""
    if _SUPERSAMPLE == 2 and image.size == (size[0] * 2, size[1] * 2):
        return image.reduce((2, 1)).reduce((1, 2))
    return image.resize(size, Image.Resampling.BOX)


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
    part = framed_part(shot)
    if part:  # a close-up of the hands or the eyes, not of the face
        label = labels[0] if labels else ""
        if part == HANDS:
            _draw_hands(draw, size, bool(shot.props), label, w, h)
        else:
            _draw_eyes(draw, label, w, h)
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


#: How long a hand is (wrist to fingertips), as a fraction of the frame's height (or of a
#: little more than its width in a tall frame, so that two hands fit side by side).
_HAND_LENGTH = {ShotSize.MCU: 0.42, ShotSize.CU: 0.6, ShotSize.ECU: 0.86}


def _draw_hands(
    draw: ImageDraw.ImageDraw, size: ShotSize, holding: bool, label: str, w: int, h: int
) -> None:
    """Two hands rising from the bottom of the frame, thumbs towards each other, and what
    they hold between them (``holding``: the shot shows a prop)."""
    length = _HAND_LENGTH.get(size, 0.6) * min(h, 1.1 * w)
    palm = length * 0.5
    tips = h * 0.54 - length / 2  # the hands a little below the middle of the frame
    edge = max(1, round(length / 90))
    gap = 0.03 * w + palm * 0.3  # room for the thumbs between the hands
    if holding:  # the object in the hands, behind the fingers
        ow, oh = palm * 0.9, palm * 0.8
        cy = tips + length * 0.45
        draw.rounded_rectangle(
            (w / 2 - ow / 2, cy - oh / 2, w / 2 + ow / 2, cy + oh / 2),
            radius=max(2, round(oh / 6)),
            fill=_OBJECT,
            outline=_FIGURE_EDGE,
            width=edge,
        )
    for side in (-1, 1):
        cx = w / 2 + side * (gap + palm / 2)
        _draw_hand(draw, cx, tips, length, -side, edge, h)
    if label and length > 40 * _SUPERSAMPLE:  # on the left forearm, as a figure's on its body
        text = anyascii(label)[:14]
        at = (w / 2 - gap - palm / 2, h - 16 * _SUPERSAMPLE)
        draw.text(at, text, font=_font(11 * _SUPERSAMPLE), fill=_LABEL_FG, anchor="mt")


def _draw_hand(
    draw: ImageDraw.ImageDraw, cx: float, tips: float, length: float, thumb: int, edge: int, h: int
) -> None:
    """One hand, fingers up, its fingertips at ``tips``, its thumb on the side ``thumb``
    (-1 left, 1 right), its forearm down to the bottom of the frame."""
    palm = length * 0.5
    finger_w = palm / 4.6
    wrist = tips + length
    palm_top = tips + length * 0.42
    # The forearm, then the thumb and fingers, then the palm over their roots.
    draw.rectangle(
        (cx - palm * 0.4, palm_top + palm * 0.5, cx + palm * 0.4, max(wrist, h) + 2),
        fill=_FIGURE,
        outline=_FIGURE_EDGE,
        width=edge,
    )
    thumb_line = ((cx + thumb * palm * 0.3, palm_top + palm * 0.7),
                  (cx + thumb * palm * 0.72, palm_top + palm * 0.02))  # fmt: skip
    draw.line(thumb_line, fill=_FIGURE_EDGE, width=round(finger_w * 1.15) + 2 * edge)
    draw.line(thumb_line, fill=_FIGURE, width=round(finger_w * 1.15))
    for index, reach in enumerate((0.86, 1.0, 0.95, 0.78)):  # index finger to little finger
        fx = cx + thumb * (palm * 0.36 - index * palm * 0.24)
        top = palm_top - length * 0.42 * reach
        draw.rounded_rectangle(
            (fx - finger_w / 2, top, fx + finger_w / 2, palm_top + palm * 0.2),
            radius=finger_w / 2,
            fill=_FIGURE,
            outline=_FIGURE_EDGE,
            width=edge,
        )
    draw.rounded_rectangle(
        (cx - palm / 2, palm_top, cx + palm / 2, palm_top + palm * 1.05),
        radius=palm / 5,
        fill=_FIGURE,
        outline=_FIGURE_EDGE,
        width=edge,
    )


_IRIS = (70, 74, 82)


def _draw_eyes(draw: ImageDraw.ImageDraw, label: str, w: int, h: int) -> None:
    """An extreme close-up of the eyes: the face fills the frame, two eyes and their brows
    across its middle."""
    draw.rectangle((0, 0, w, h), fill=_FIGURE)
    eye_w = min(0.3 * w, 0.62 * h)
    eye_h = eye_w * 0.42
    cy = h * 0.5
    edge = max(2, round(eye_w / 40))
    for side in (-1, 1):
        cx = w / 2 + side * eye_w * 0.72
        draw.ellipse(
            (cx - eye_w / 2, cy - eye_h / 2, cx + eye_w / 2, cy + eye_h / 2),
            fill=_SKY,
            outline=_FIGURE_EDGE,
            width=edge,
        )
        iris = eye_h * 0.46
        draw.ellipse((cx - iris, cy - iris, cx + iris, cy + iris), fill=_IRIS)
        pupil = iris * 0.45
        draw.ellipse((cx - pupil, cy - pupil, cx + pupil, cy + pupil), fill=_LABEL_BG)
        glint = pupil * 0.4
        gx, gy = cx + pupil * 0.6, cy - pupil * 0.6
        draw.ellipse((gx - glint, gy - glint, gx + glint, gy + glint), fill=_SKY)
        brow_y = cy - eye_h * 0.95
        draw.line(
            ((cx - side * eye_w * 0.45, brow_y + eye_h * 0.12), (cx + side * eye_w * 0.5, brow_y)),
            fill=_FIGURE_EDGE,
            width=max(2, round(eye_h * 0.16)),
        )
    if label:
        text = anyascii(label)[:14]
        at = (w / 2, h - 16 * _SUPERSAMPLE)
        draw.text(at, text, font=_font(11 * _SUPERSAMPLE), fill=_LABEL_FG, anchor="mt")


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


def card_label(language: str | None) -> str:
    """What a card shot's panel label calls its kind ("CARD", "CARTON"): the catalogue's
    word in the project's language, in capitals and in the letters the label font has."""
    return anyascii(t("storyboard.card_kind", language)).upper()


def kind_tag(shot: ShotSpec, language: str | None = None) -> str | None:
    """The shot's kind on its panel's label ("2-SHOT", "OTS", "INSERT"), None for a single.

    A card shot is framed as an insert (:data:`storycore.tools.directions.CARDS`) but its
    panel shows the card's words, so its label says what it is (:func:`card_label`); a card
    with no words is drawn as an insert and keeps that label."""
    if shot_card_words(shot):
        return card_label(language)
    return _FRAMING_TAG.get(shot.framing)


_LabelBox = tuple[tuple[int, int, int, int], tuple[int, int], str, str | None]


def _label_boxes(shot: ShotSpec, specs: TechnicalSpecs, w: int, h: int) -> list[_LabelBox]:
    """The two labels of a panel at 2x: (box, where the text goes, text, anchor) for the
    shot id, size and lens at the top left and the duration at the bottom right."""
    s = _SUPERSAMPLE
    font = _font(12 * s)
    pad = 3 * s
    tag = kind_tag(shot, specs.language)
    head = f"{shot.shot_id}  {shot.shot_size.value}" + (f" {tag}" if tag else "")
    head += f"  {_number(shot.lens_mm)}mm"
    tail = f"{format_seconds(shot.duration_frames, specs.rate)}s"
    out: list[_LabelBox] = []
    for text, at, anchor in (
        (head, (pad * 2, pad * 2), None),
        (tail, (w - pad * 2, h - pad * 2), "rd"),
    ):
        # The duration label is measured once per text and place (many shots share it).
        box = _text_box(font, at, text, anchor) if anchor is None else _tail_box(at, text, anchor)
        out.append(((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad), at, text, anchor))
    return out


def label_band() -> int:
    """How far a panel's labels reach from its top and bottom edges, in panel pixels: what
    an animatic's burn-in keeps clear of so the two do not print over each other."""
    s = _SUPERSAMPLE
    pad = 3 * s
    box = _text_box(_font(12 * s), (pad * 2, pad * 2), "Ag0s", None)
    return -(-(box[3] + pad) // s)


def _text_box(
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    at: tuple[int, int],
    text: str,
    anchor: str | None,
) -> tuple[int, int, int, int]:
    box = _MEASURE.textbbox(at, text, font=font, anchor=anchor)
    return int(box[0]), int(box[1]), int(box[2]), int(box[3])


@lru_cache(maxsize=256)
def _tail_box(at: tuple[int, int], text: str, anchor: str) -> tuple[int, int, int, int]:
    """:func:`_text_box` of a panel's duration label (the labels' font)."""
    return _text_box(_font(12 * _SUPERSAMPLE), at, text, anchor)


#: Only measures text (``textbbox`` does not depend on the image it is asked of).
_MEASURE = ImageDraw.Draw(Image.new("RGB", (1, 1)))


def _draw_labels(
    draw: ImageDraw.ImageDraw, shot: ShotSpec, specs: TechnicalSpecs, w: int, h: int
) -> None:
    font = _font(12 * _SUPERSAMPLE)
    for rect, at, text, anchor in _label_boxes(shot, specs, w, h):
        draw.rectangle(rect, fill=_LABEL_BG)
        draw.text(at, text, font=font, fill=_LABEL_FG, anchor=anchor)
