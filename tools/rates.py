"""Frame rates as exact rationals.

NTSC rates are 24000/1001, 30000/1001 and 60000/1001, never the floats 23.976, 29.97 and
59.94: a float rate drifts by a frame every few minutes and OpenTimelineIO's timecode
functions refuse it. Every rate in StoryCore goes through :func:`parse_rate`.
"""

from __future__ import annotations

from fractions import Fraction

from storycore.tools.errors import TimecodeError
from storycore.tools.text import echo

#: The rates StoryCore supports, keyed by their canonical string.
SUPPORTED_RATES: dict[str, Fraction] = {
    "24000/1001": Fraction(24000, 1001),
    "24": Fraction(24),
    "25": Fraction(25),
    "30000/1001": Fraction(30000, 1001),
    "30": Fraction(30),
    "48": Fraction(48),
    "50": Fraction(50),
    "60000/1001": Fraction(60000, 1001),
    "60": Fraction(60),
}

#: Rates that have a drop-frame timecode (frames 0-1, resp. 0-3, skipped each minute but
#: every tenth).
DROP_FRAME_RATES = frozenset({Fraction(30000, 1001), Fraction(60000, 1001)})

_ALIASES: dict[str, str] = {
    "23.976": "24000/1001",
    "23.98": "24000/1001",
    "29.97": "30000/1001",
    "59.94": "60000/1001",
}


#: Rates already parsed (a project asks for its rate thousands of times per plan).
_PARSED: dict[tuple[type, str | int | float | Fraction], Fraction] = {}


def parse_rate(value: str | int | float | Fraction) -> Fraction:
    """Return the exact rate for ``value`` ("23.976", "24000/1001", "25", 29.97, ...).

    Raises :class:`TimecodeError` for a rate StoryCore does not support.
    """
    key = (type(value), value)
    try:
        known = _PARSED.get(key)
    except TypeError:  # not hashable: parsed (and refused) as it is
        return _parse_rate(value)
    if known is None:
        known = _parse_rate(value)
        if len(_PARSED) < 256:
            _PARSED[key] = known
    return known


def _parse_rate(value: str | int | float | Fraction) -> Fraction:
    if isinstance(value, Fraction):
        rate = value
    elif isinstance(value, int):
        rate = Fraction(value)
    else:
        text = str(value).strip().lower().removesuffix("fps").strip()
        text = text.replace(" ", "")
        if text in _ALIASES:
            text = _ALIASES[text]
        try:
            rate = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise TimecodeError(
                f"unknown frame rate {echo(value)}; use one of {supported_rates_text()}"
            ) from None
        # 29.97 written with more digits (29.970) or as a float 29.97002997 still means NTSC.
        for exact in DROP_FRAME_RATES | {Fraction(24000, 1001)}:
            if rate != exact and abs(rate - exact) < Fraction(1, 200):
                rate = exact
    if rate not in SUPPORTED_RATES.values():
        raise TimecodeError(
            f"unknown frame rate {echo(value)}; use one of {supported_rates_text()}"
        )
    return rate


def rate_to_string(rate: Fraction) -> str:
    """The canonical string of a rate: "24", "30000/1001"."""
    return str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}"


def rate_label(rate: Fraction) -> str:
    """A human label: "23.976", "29.97", "25"."""
    if rate.denominator == 1:
        return str(rate.numerator)
    return {24000: "23.976", 30000: "29.97", 60000: "59.94"}.get(rate.numerator, str(float(rate)))


def nominal_fps(rate: Fraction) -> int:
    """The integer frame count per timecode second (30 for 29.97)."""
    return round(rate)


def is_drop_frame_rate(rate: Fraction) -> bool:
    return rate in DROP_FRAME_RATES


def supported_rates_text() -> str:
    return "23.976, 24, 25, 29.97, 30, 48, 50, 59.94, 60 (or 24000/1001, 30000/1001, 60000/1001)"
