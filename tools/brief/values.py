"""Values read from a brief: durations, frame rates, aspect ratios and frame sizes.

Shared with :mod:`storycore.tools.specs` (``--duration``, ``--fps``... on the command line).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from storycore.tools.brief.vocabulary import MAX_DURATION_SECONDS
from storycore.tools.domain import ASPECT_RATIOS, Resolution, resolution_for
from storycore.tools.errors import BriefError, InvalidInput
from storycore.tools.rates import is_drop_frame_rate, parse_rate, rate_label, rate_to_string


class _DurationRangeError(BriefError):
    """A duration that reads fine but is negative, zero or absurd: always refused."""


# --------------------------------------------------------------------------------------
# Durations
# --------------------------------------------------------------------------------------

_NUMBER_WORDS: dict[str, float] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "quinze": 15,
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "quarante-cinq": 45,
    "cinquante": 50,
    "soixante": 60,
    "quatre-vingt-dix": 90,
    "quatre-vingts": 80,
    # Spanish, German, Italian, Portuguese (the lengths a brief gives in words)
    "uno": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cinco": 5,
    "diez": 10,
    "quince": 15,
    "veinte": 20,
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "sesenta": 60,
    "noventa": 90,
    "ein": 1,
    "eine": 1,
    "einer": 1,
    "zwei": 2,
    "drei": 3,
    "fünf": 5,
    "zehn": 10,
    "fünfzehn": 15,
    "zwanzig": 20,
    "dreißig": 30,
    "dreissig": 30,
    "vierzig": 40,
    "fünfzig": 50,
    "sechzig": 60,
    "neunzig": 90,
    "anderthalb": 1.5,
    "eineinhalb": 1.5,
    "due": 2,
    "tre": 3,
    "dieci": 10,
    "quindici": 15,
    "venti": 20,
    "trenta": 30,
    "quaranta": 40,
    "sessanta": 60,
    "novanta": 90,
    "um": 1,
    "uma": 1,
    "dois": 2,
    "duas": 2,
    "três": 3,
    "dez": 10,
    "vinte": 20,
    "trinta": 30,
    "quarenta": 40,
    "cinquenta": 50,
}
#: "and a half" after a unit, in the brief's languages ("un minuto y medio", "une minute et
#: demie"); German says "anderthalb Minuten", a number word above.
HALF_UNIT = r"(?:and\s+a\s+half|et\s+demie?|y\s+medi[oa]|e\s+mezz[oa]|e\s+mei[oa])"
_UNIT_SECONDS: dict[str, int] = {}
for _names, _value in (
    (("h", "hr", "hrs", "hour", "hours", "heure", "heures"), 3600),
    (("m", "min", "mins", "minute", "minutes", "mn"), 60),
    (("s", "sec", "secs", "second", "seconds", "seconde", "secondes", "''", '"'), 1),
    # Spanish, German, Italian, Portuguese
    (("hora", "horas", "stunde", "stunden", "ora", "ore"), 3600),
    (("minuto", "minutos", "minuten", "minuti"), 60),
    (("segundo", "segundos", "seg", "sekunde", "sekunden", "sek", "secondo", "secondi"), 1),
):
    for _name in _names:
        _UNIT_SECONDS[_name] = _value

_NUM = r"\d+(?:[.,]\d+)?"
_WORD_NUM = "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
_CLOCK = re.compile(r"^(?:(\d{1,2}):)?(\d{1,3}):(\d{2})(?:[.,](\d{1,3}))?$")


def _number(text: str) -> float:
    text = text.strip().lower()
    if text in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[text])
    return float(text.replace(",", "."))


def _check_range(seconds: float, original: object) -> float:
    if math.isnan(seconds):
        raise _DurationRangeError(f"duration {original!r} is not a number of seconds")
    if seconds <= 0:
        raise _DurationRangeError(
            f"duration {original!r} is not positive; give a length such as 30s, 1m30s or 4:27"
        )
    if seconds > MAX_DURATION_SECONDS:
        raise _DurationRangeError(
            f"duration {original!r} is longer than 4 hours; check the value (30s, 1m30s, 4:27)"
        )
    return seconds


def parse_duration(text: str | float) -> float:
    """Seconds from a duration: ``90``, ``90s``, ``90 seconds``, ``90 secondes``, ``2 min``,
    ``1m30s``, ``1min30``, ``1h05``, ``4:27``, ``1:02:30``, ``00:16.80``.

    A bare number is seconds. Raises :class:`BriefError` for text that is not a duration and
    for a negative, zero or absurd (over 4 hours) duration.
    """
    if isinstance(text, bool):
        raise BriefError(f"{text!r} is not a duration; give a length such as 30s, 1m30s or 4:27")
    if isinstance(text, int) and abs(text) > MAX_DURATION_SECONDS:
        shown = (
            str(text) if len(str(text)) <= 20 else f"{str(text)[:12]}… ({len(str(text))} digits)"
        )
        raise _DurationRangeError(f"duration {shown} is longer than 4 hours; check the value")
    if isinstance(text, int | float):
        return _check_range(float(text), text)
    original = text
    s = str(text).strip().lower()
    if not s:
        raise BriefError("the duration is empty; give a length such as 30s, 1m30s or 4:27")
    if s[0] in "-−–":
        raise _DurationRangeError(
            f"duration {original!r} is negative; give a length such as 30s, 1m30s or 4:27"
        )
    if re.fullmatch(r"\d{1,2}:\d{2}:\d{2}[:;]\d{2}", s):
        raise BriefError(
            f"{original!r} is a timecode with frames; a duration needs no frame rate: "
            "write it as H:MM:SS or in seconds"
        )
    if re.fullmatch(_NUM, s):
        return _check_range(_number(s), original)
    clock = _CLOCK.match(s)
    if clock:
        hours, minutes, secs, frac = clock.groups()
        if int(secs) >= 60 or (hours is not None and int(minutes) >= 60):
            raise BriefError(f"{original!r} is not a valid M:SS or H:MM:SS duration")
        seconds = int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)
        return _check_range(seconds + (float(f"0.{frac}") if frac else 0.0), original)
    value = _parse_unit_duration(s)
    if value is None:
        value = parse_cjk_duration(s)
    if value is None:
        raise BriefError(
            f"{original!r} is not a duration; give a length such as 30s, 90 seconds, 2 min, "
            "1m30s or 4:27"
        )
    return _check_range(value, original)


_UNIT_TOKEN = re.compile(
    rf"\s*(?:(?:and|et|y|e|und)\s+|,\s*)?({_NUM}|{_WORD_NUM})\s*-?\s*"
    r"(hours|hour|hrs|hr|heures|heure|horas|hora|stunden|stunde|ore|ora|h|minutes|minute|"
    r"minutos|minuto|minuten|minuti|mins|min|mn|m|seconds|second|secondes|seconde|segundos|"
    r"segundo|seg|sekunden|sekunde|sek|secondi|secondo|secs|sec|s|''|\")?(?![a-z])"
    rf"(\s+{HALF_UNIT})?",
)


def _parse_unit_duration(s: str) -> float | None:
    """``1h30``, ``1 min 30 s``, ``2 minutes and 10 seconds``, ``thirty seconds``: seconds."""
    pos, total, last_unit = 0, 0.0, 0
    seen = False
    while pos < len(s):
        match = _UNIT_TOKEN.match(s, pos)
        if not match or match.end() == pos:
            return None
        number, unit = match.group(1), match.group(2)
        if unit is None:
            # A bare number after hours is minutes, after minutes seconds (1h30, 1min30).
            if last_unit == 0 and not seen:
                size = 1
            elif last_unit in (3600, 60) and re.fullmatch(r"\d{1,2}", number):
                size = last_unit // 60
            else:
                return None
        else:
            size = _UNIT_SECONDS[unit]
        if last_unit and size >= last_unit:
            return None
        total += _number(number) * size
        if match.group(3):  # "un minuto y medio": half of the unit just read
            total += size / 2
        last_unit, seen, pos = size, True, match.end()
        if unit is None:
            break
    if s[pos:].strip():
        return None
    return total if seen else None


# Japanese, Chinese and Korean: "90秒", "1分30秒", "一分半", "1分钟", "两个小时", "1분 30초".
_CJK_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5}
_CJK_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
#: A number in digits or in kanji/hanzi numerals (up to 999: 九十, 十五, 百二十).
CJK_NUMBER = r"(?:\d+(?:[.,]\d+)?|[〇零一二两兩三四五六七八九十百]+)"
#: The units of time in Japanese, Chinese and Korean, to seconds.
CJK_UNITS: dict[str, int] = {
    **dict.fromkeys(["時間", "小时", "小時", "시간"], 3600),
    **dict.fromkeys(["分钟", "分鐘", "分間", "分", "분"], 60),
    **dict.fromkeys(["秒钟", "秒鐘", "秒間", "秒", "초"], 1),
}
CJK_UNIT = "|".join(sorted(CJK_UNITS, key=len, reverse=True))
#: One number with its unit ("1分", "两个小时", "1時間半", "1시간 반").
CJK_DURATION_PART = rf"({CJK_NUMBER})\s*(?:个|個)?\s*({CJK_UNIT})(\s*(?:半|반))?"
_CJK_PART = re.compile(rf"\s*{CJK_DURATION_PART}")


def cjk_number(text: str) -> float | None:
    """The value of a number written in digits or in kanji/hanzi numerals ("九十" -> 90)."""
    text = text.strip()
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return float(text.replace(",", "."))
    total, digit = 0, None
    for char in text:
        if char in _CJK_DIGITS:
            if digit is not None:
                return None  # "九九" is not how a length is written
            digit = _CJK_DIGITS[char]
        elif char in "十百":
            size = 10 if char == "十" else 100
            total += (1 if digit is None else digit) * size
            digit = None
        else:
            return None
    total += digit or 0
    return float(total) if text else None


def parse_cjk_duration(text: str) -> float | None:
    """Seconds of a length written in Japanese, Chinese or Korean ("1分30秒" -> 90, "一分半"
    -> 90, "1시간 반" -> 5400), or None when ``text`` is not one; units only go down."""
    pos, total, last = 0, 0.0, 0
    s = text.strip()
    while pos < len(s):
        match = _CJK_PART.match(s, pos)
        if not match:
            return None
        value = cjk_number(match.group(1))
        size = CJK_UNITS[match.group(2)]
        if value is None or (last and size >= last):
            return None
        total += value * size + (size / 2 if match.group(3) else 0)
        last, pos = size, match.end()
    return total if last else None


# --------------------------------------------------------------------------------------
# Frame rates, aspect ratios, resolutions
# --------------------------------------------------------------------------------------

_DROP = re.compile(
    r"\s*(?:fps)?\s*[-(]?\s*(non[\s-]?drop(?:[\s-]?frame)?|ndf|drop[\s-]?frame|df)\)?$"
)


def parse_fps(value: str | int | float | Fraction) -> tuple[str, bool | None]:
    """The canonical rate and the drop-frame wish of ``value``: ``"29.97 drop-frame"`` ->
    ``("30000/1001", True)``, ``"24fps"`` -> ``("24", None)``.

    Raises :class:`TimecodeError` for an unsupported rate and :class:`InvalidInput` for
    drop-frame at a rate that has none.
    """
    drop: bool | None = None
    if isinstance(value, str):
        text = value.strip().lower()
        match = _DROP.search(text)
        if match:
            drop = not match.group(1).startswith(("non", "ndf"))
            text = text[: match.start()].strip()
        value = text
    rate = parse_rate(value)
    if drop and not is_drop_frame_rate(rate):
        raise InvalidInput(
            f"drop-frame timecode does not exist at {rate_label(rate)} fps; "
            "use 29.97 or 59.94, or leave drop-frame out"
        )
    return rate_to_string(rate), drop


def aspect_of(resolution: Resolution) -> str | None:
    """The canonical aspect ratio of a frame size (within 2 %), or None: 1080x1920 -> 9:16."""
    ratio = Fraction(resolution.width, resolution.height)
    best: tuple[Fraction, str] | None = None
    for name, exact in ASPECT_RATIOS.items():
        gap = abs(ratio - exact) / exact
        if gap < Fraction(2, 100) and (best is None or gap < best[0]):
            best = (gap, name)
    return best[1] if best else None


_NAMED_RESOLUTION = re.compile(
    r"^(?:\d{3,4}p|[248]k|uhd|fhd|full ?hd|hd|qhd|2160p)$", re.IGNORECASE
)


def is_named_resolution(text: str) -> bool:
    """True for a quality class that says no orientation: 720p, 1080p, 4K, UHD."""
    return bool(_NAMED_RESOLUTION.match(str(text).strip()))


def fit_resolution(aspect_ratio: str, resolution: Resolution) -> Resolution:
    """``resolution``'s quality class (its short side) at ``aspect_ratio``.

    A named class keeps its own size when it already has that aspect (2K stays 2048x1080 only
    if asked at its own ratio); otherwise the usual size for the ratio at the same short side.
    """
    if aspect_of(resolution) == aspect_ratio:
        return resolution
    return resolution_for(aspect_ratio, min(resolution.width, resolution.height))
