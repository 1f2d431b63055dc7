"""A card shot's picture ("End card: “TrailMix. Go further.”", "Carton final : « ... »"):
the frame filled with the card and its words, wrapped and centred in the title-safe area,
at the largest size that fits. The storyboard panel draws it (at 2x, :mod:`.drawing`) and
the animatic the same card at the clip's resolution (:mod:`storycore.tools.production.animatic`).

The words come from the shot's description (:func:`~storycore.tools.directions.card_words`);
the prompts leave them out on purpose (on-screen text is an overlay set in the edit,
docs/prompts.md), so the panel and the animatic are where a director reads them.

Only Pillow's bundled font (:func:`.drawing._font`), so a panel is the same on every
machine. It has no accented letters: "é" is drawn as its "e" with the font's own "´" over it
(:func:`_glyphs`), and a character it cannot draw even so is transliterated ("ł": "l")
rather than drawn as a box.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from PIL import Image, ImageDraw, ImageFont

from storycore.tools.directions import CARD_HINT, card_words, names_card
from storycore.tools.domain import ShotSpec

CARD_BG = (30, 30, 34)
CARD_FG = (244, 244, 238)
CARD_GUIDE = (72, 72, 78)
#: The title-safe area: this fraction of the frame's width and height is kept clear on
#: each side (the words stay inside; TV's title-safe margin).
SAFE = 0.1
#: The largest words: this fraction of the frame's shorter side.
MAX_SIZE = 0.12
#: Characters a card holds at most (the rest of a longer text is cut with "...").
MAX_CHARS = 240
_ELLIPSIS = "..."  # the bundled font has no "…"


def shot_card_words(shot: ShotSpec) -> str:
    """The words of ``shot``'s card, or "" when it is no card or its card has no words.

    A shot is a card when its description opens on one ("Final card: ...") or its title
    names one ("End card"); costs a regular expression search for any other shot."""
    return card_text(shot.description, shot.title)


def card_text(description: str, title: str) -> str:
    """:func:`shot_card_words` of a shot with this description and title (a document's
    entry for it: ``storyboard.json``)."""
    if not (CARD_HINT.search(description) or CARD_HINT.search(title)):
        return ""
    return card_words(description, card=names_card(title))


@dataclass(frozen=True)
class CardLayout:
    """Where a card's words go: the font size, the lines, and the height of a line (all in
    the pixels of the picture they were laid out for)."""

    size: int
    lines: tuple[str, ...]
    line_height: int

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def text_box(width: int, height: int, clear: int = 0) -> tuple[int, int, int, int]:
    """The box the words of a card stay in: the title-safe area of a ``width`` x ``height``
    frame, and ``clear`` pixels (a panel's labels) more from the top and bottom edges."""
    x = round(width * SAFE)
    y = max(round(height * SAFE), clear + round(height * 0.03))
    return x, y, width - x, max(y, height - y)


def layout(words: str, width: int, height: int, min_size: int, max_size: int) -> CardLayout | None:
    """The largest font size from ``min_size`` to ``max_size`` at which ``words`` wrap into
    ``width`` x ``height`` (lines balanced: "TrailMix." / "Go further.", not "TrailMix. Go"
    / "further."), with those lines. At ``min_size`` the lines that do not fit are cut with
    "..."; None when not even one line of ``min_size`` fits (a tiny frame: no words drawn)."""
    text = drawable(words)
    if not text.strip() or width < 1 or height < 1:
        return None
    low, high, best = min_size, max(min_size, max_size), None
    while low <= high:  # the largest size that fits (each size tried is measured)
        size = (low + high) // 2
        found = _fit(text, size, width, height)
        if found is not None:
            best, low = found, size + 1
        else:
            high = size - 1
    return best if best is not None else _cut(text, min_size, width, height)


def draw_card(
    image: Image.Image, words: str, *, clear: int = 0, min_size: int = 8, guide: int = 0
) -> CardLayout | None:
    """Fill ``image`` with the card and draw its ``words`` centred in :func:`text_box`;
    ``guide`` > 0 outlines the title-safe area with lines that wide (a storyboard cue).
    Returns where the words went (None: no words drawn)."""
    w, h = image.size
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, w, h), fill=CARD_BG)
    x0, y0, x1, y1 = text_box(w, h, clear)
    if guide:
        sx, sy = round(w * SAFE / 2), round(h * SAFE / 2)
        draw.rectangle((sx, sy, w - 1 - sx, h - 1 - sy), outline=CARD_GUIDE, width=guide)
    max_size = max(min_size, round(min(w, h) * MAX_SIZE))
    found = layout(words, x1 - x0, y1 - y0, min_size, max_size)
    if found is None:
        return None
    font = _font(found.size)
    top = (y0 + y1 - found.height) // 2
    for index, line in enumerate(found.lines):
        y = top + index * found.line_height
        bases = _bases(line)
        x = (x0 + x1) / 2 - font.getlength(bases) / 2
        draw.text((x, y), bases, font=font, fill=CARD_FG)
        if bases != line:
            _draw_accents(draw, font, line, (x, y), found.size)
    return found


def _draw_accents(
    draw: ImageDraw.ImageDraw,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    line: str,
    at: tuple[float, float],
    size: int,
) -> None:
    """The accents of ``line`` (drawn at ``at`` without them) over or under their letters."""
    bases = _bases(line)
    gap = max(1, size // 14)
    for index, char in enumerate(line):
        base, marks = _glyphs(char) or (char, ())
        if not marks:
            continue
        left = at[0] + font.getlength(bases[:index])
        bx0, by0, bx1, by1 = _ink(size, base)
        middle = left + (bx0 + bx1) / 2
        over = at[1] + by0 - gap  # the bottom of the next accent above the letter
        for mark in marks:
            glyph = _MARKS[mark]
            if glyph == ":":  # a diaeresis: two dots
                radius = max(1.0, size * 0.05)
                for side in (-1, 1):
                    cx = middle + side * size * 0.12
                    draw.ellipse((cx - radius, over - 2 * radius, cx + radius, over), fill=CARD_FG)
                over -= 2 * radius + gap
                continue
            mark_size = max(1, round(size * _MARK_SCALE.get(glyph, 1.0)))
            mx0, my0, mx1, my1 = _ink(mark_size, glyph)
            if glyph == ",":  # a cedilla: a comma just under the letter
                y = at[1] + by1 - my0
            else:
                y = over - my1
                over -= my1 - my0 + gap
            draw.text((middle - (mx0 + mx1) / 2, y), glyph, font=_font(mark_size), fill=CARD_FG)


@lru_cache(maxsize=256)
def _ink(size: int, glyph: str) -> tuple[int, int, int, int]:
    """The box of ``glyph``'s ink drawn at (0, 0) at ``size`` (measured: ``getbbox`` of a
    spacing accent reaches down to the baseline)."""
    pad = size
    image = Image.new("L", (size * 3, size * 3))
    ImageDraw.Draw(image).text((pad, pad), glyph, font=_font(size), fill=255)
    box = image.getbbox() or (pad, pad, pad, pad)
    return box[0] - pad, box[1] - pad, box[2] - pad, box[3] - pad


def card_picture(words: str, width: int, height: int) -> Image.Image:
    """The card at ``width`` x ``height`` (the animatic's frame): its words as large as fit
    and never under 1.5% of the shorter side (a phone's 1080x1920 shows them at 16 px or
    more)."""
    image = Image.new("RGB", (width, height), CARD_BG)
    draw_card(image, words, min_size=max(6, round(min(width, height) * 0.015)))
    return image


# -- fitting -----------------------------------------------------------------------------


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from storycore.tools.storyboard.drawing import _font as font

    return font(size)


class _Measure:
    """Widths of text in the bundled font at one size, each text measured once (a layout
    tries the same lines many times)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.font = _font(size)
        self._widths: dict[str, int] = {}
        # The glyphs' ink may reach a little past their advance (an italic "f"): a margin.
        self._slack = max(1, size // 16)

    def __call__(self, text: str) -> int:
        width = self._widths.get(text)
        if width is None:
            advance = self.font.getlength(_bases(text))
            width = self._widths[text] = math.ceil(advance) + self._slack
        return width

    @property
    def line_height(self) -> int:
        """A line's height: the font's ascent and descent, and a little leading."""
        leading = max(1, self.size // 8)
        if isinstance(self.font, ImageFont.FreeTypeFont):
            ascent, descent = self.font.getmetrics()
            return ascent + descent + leading
        return self.size + leading


def _wrap(text: str, width: Callable[[str], int], room: int) -> list[str]:
    """The lines of ``text`` in ``room`` pixels (its line breaks kept, a word too long for
    a line cut between characters)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if width(candidate) <= room:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while len(line) > 1 and width(line) > room:
                cut = len(line) - 1
                while cut > 1 and width(line[:cut]) > room:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        if line:
            lines.append(line)
    return lines


def _word_count(lines: Iterable[str]) -> int:
    return sum(len(line.split()) for line in lines)


def _fit(text: str, size: int, width: int, height: int) -> CardLayout | None:
    """``text`` at ``size`` if its lines fit in ``width`` x ``height`` without cutting a
    word, else None; the lines as even as the same number of lines allows."""
    measure = _Measure(size)
    lines = _wrap(text, measure, width)
    words = _word_count(text.split("\n"))
    if _word_count(lines) != words or measure.line_height * len(lines) > height:
        return None  # a word was cut, or too many lines: try smaller
    if len(lines) > 1:
        # The narrowest width that still wraps into as many lines: the lines balanced.
        low, high = max(measure(line) for line in lines) // 2, width
        while low < high:
            middle = (low + high) // 2
            narrower = _wrap(text, measure, middle)
            if len(narrower) <= len(lines) and _word_count(narrower) == words:
                high = middle
            else:
                low = middle + 1
        lines = _wrap(text, measure, low)
    return CardLayout(size, tuple(lines), measure.line_height)


def _cut(text: str, size: int, width: int, height: int) -> CardLayout | None:
    """``text`` at ``size``, the lines that do not fit in ``height`` left out and the last
    one kept ending in "..." within ``width``; None when no line fits."""
    measure = _Measure(size)
    room = height // measure.line_height
    if room < 1:
        return None
    lines = _wrap(text, measure, width)
    if len(lines) > room:
        lines = lines[:room]
        last = lines[-1]
        while last and measure(last.rstrip() + _ELLIPSIS) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + _ELLIPSIS
    if any(measure(line) > width for line in lines):
        return None  # not even "..." fits
    return CardLayout(size, tuple(lines), measure.line_height)


def drawable(words: str) -> str:
    """``words`` as the bundled font draws them: one space between words, at most
    :data:`MAX_CHARS` (cut after a whole word), and each character it has no glyph for
    kept when it is a letter it has with accents it can draw ("é": "e" and "´", see
    :func:`_glyphs`), else transliterated ("ł" is drawn "l")."""
    text = unicodedata.normalize("NFC", words)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(line for line in lines if line)
    if len(text) > MAX_CHARS:  # cut after the last whole word that fits
        kept = text[: MAX_CHARS - len(_ELLIPSIS) + 1]
        kept = kept[: kept.rfind(" ")] if " " in kept else kept[:-1]
        text = kept.rstrip(" ,;:") + _ELLIPSIS
    return "".join(c if c == "\n" or _glyphs(c) is not None else anyascii(c) for c in text)


# The accents drawn over (or under) a letter the font has without them: the font's own
# spacing accents, two dots for a diaeresis, a comma under a letter for a cedilla.
_MARKS = {
    "\u0301": "´",
    "\u0300": "`",
    "\u0302": "^",  # drawn smaller: the font's caret is a symbol, taller than an accent
    "\u0303": "~",
    "\u030a": "°",
    "\u0308": ":",  # drawn as two dots side by side
    "\u0327": ",",  # drawn under the letter
}
_MARK_SCALE = {"^": 0.55, "~": 0.75}


@lru_cache(maxsize=1024)
def _glyphs(char: str) -> tuple[str, tuple[str, ...]] | None:
    """How the bundled font draws ``char``: (the glyph, the accents to draw on it), or None
    when it cannot ("é": ("e", ("\u0301",)); "a": ("a", ()))."""
    if char.isascii() or _has_glyph(char):
        return char, ()
    parts = unicodedata.normalize("NFD", char)
    base, marks = parts[0], parts[1:]
    if marks and (base.isascii() or _has_glyph(base)) and all(m in _MARKS for m in marks):
        return base, tuple(marks)
    return None


def _bases(text: str) -> str:
    """``text`` without its drawn accents: what its width is measured on."""
    if text.isascii():
        return text
    return "".join((_glyphs(c) or (c, ()))[0] for c in text)


@lru_cache(maxsize=1024)
def _has_glyph(char: str) -> bool:
    """Whether the bundled font draws ``char`` (rather than its "missing" box)."""
    font = _font(24)
    return bool(char.isprintable()) and _mask(font, char) != _mask(font, "\U0010fffd")


def _mask(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, char: str) -> bytes:
    image = Image.new("L", (48, 48))
    ImageDraw.Draw(image).text((8, 8), char, font=font, fill=255)
    return image.tobytes()
