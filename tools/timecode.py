"""Timecodes: parse, format and compute with frame counts at an exact rate.

Every time in StoryCore is a frame count at the project rate (an exact
:class:`~fractions.Fraction`, see :mod:`storycore.tools.rates`). This module turns frame
counts into the forms people read and write, and back:

========  ==============  ==================================================================
form      example         meaning
========  ==============  ==================================================================
frames    ``1800``        a frame count
smpte     ``00:01:00:00`` SMPTE non-drop ``HH:MM:SS:FF``
smpte     ``00:01:00;02`` SMPTE drop-frame ``HH:MM:SS;FF`` (29.97 and 59.94 only)
srt       ``00:01:00,060`` SubRip ``HH:MM:SS,mmm``
mmss      ``04:27.00``    the seed storyboard's ``MM:SS.cc`` (minutes may exceed 59)
seconds   ``12.5s``       seconds (printed as ``12.500``, exact to the millisecond)
========  ==============  ==================================================================

Drop-frame arithmetic is OpenTimelineIO's (``from_timecode`` / ``to_timecode``), never ours;
non-drop labels are plain integer arithmetic at the nominal rate (OpenTimelineIO's result at an
integer rate, checked frame by frame against it by the tests), so OpenTimelineIO is loaded only
for drop-frame and for its own objects (``to_rational_time``, ``TimeRange.to_otio``).
What OpenTimelineIO does not do, this module does: it refuses timecodes that do not exist
(OpenTimelineIO silently aliases ``00:01:00;00`` to another frame, accepts 61 seconds, and
wraps past 24 hours).

Rounding rules
--------------
* Clock forms (seconds, SRT, ``MM:SS.cc``) are read to the **nearest frame**; a time exactly
  halfway between two frames goes to the later frame (round half up).
* A frame is written in a clock form as the time its first instant falls on, rounded to the
  nearest unit of the form (millisecond, centisecond), half up.
* Hence every frame round-trips: formatting a frame and reading it back gives the same frame,
  because the rounding error (at most half a unit: 0.5 ms, 5 ms) is smaller than half a frame
  at every supported rate (8.3 ms at 60 fps). The reverse is not true: a clock time that does
  not fall on a frame (``00:00.01`` at 24 fps) is read as the nearest frame, and writing that
  frame gives that frame's own time (``00:00.00``).
* Converting a frame between rates keeps the same instant, to the nearest frame (half up).
  Going to a faster rate and back returns the original frame.

Drop-frame
----------
At 29.97 and 59.94 SMPTE output is drop-frame unless ``drop_frame=False``. On input the
separator decides: ``;`` is drop-frame by its form (at any ``drop_frame`` setting), ``:`` is
non-drop unless ``drop_frame=True``. ``drop_frame=True`` at a rate without drop-frame is an
error. SMPTE timecodes run from ``00:00:00:00`` to just before ``24:00:00:00``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Final, Literal, TypeAlias, get_args

from storycore.tools.errors import TimecodeError
from storycore.tools.rates import (
    is_drop_frame_rate,
    nominal_fps,
    parse_rate,
    rate_label,
)

if TYPE_CHECKING:
    import opentimelineio.opentime as otio_time


def _opentime() -> ModuleType:
    """OpenTimelineIO's ``opentime`` (imported on first use: it loads the whole package, about
    0.1 s, which a non-drop conversion does not need)."""
    import opentimelineio.opentime

    return opentimelineio.opentime


__all__ = [
    "OUTPUT_FORMS",
    "OutputForm",
    "RateLike",
    "TimeRange",
    "add_timecodes",
    "convert_frames",
    "convert_timecode",
    "format_frames",
    "format_mmss",
    "format_seconds",
    "format_smpte",
    "format_srt",
    "frames_to_seconds",
    "from_rational_time",
    "parse_timecode",
    "seconds_to_frames",
    "subtract_timecodes",
    "to_rational_time",
]

#: A frame rate as accepted everywhere here: an exact Fraction, or what parse_rate reads.
RateLike: TypeAlias = Fraction | int | str

#: The forms :func:`format_frames` can write.
OutputForm: TypeAlias = Literal["frames", "smpte", "seconds", "srt", "mmss"]
OUTPUT_FORMS: Final[tuple[str, ...]] = get_args(OutputForm)

_InputForm: TypeAlias = Literal["frames", "smpte", "seconds", "srt", "mmss"]

_ACCEPTED_FORMS = (
    "HH:MM:SS:FF, HH:MM:SS;FF (drop-frame), HH:MM:SS,mmm, MM:SS.cc, a frame count such as 1800 "
    "or seconds such as 12.5s"
)

# re.ASCII: \d must not match other scripts' digits, which int() would silently accept.
_SMPTE_RE = re.compile(r"(\d{2}):(\d{2}):(\d{2})([:;])(\d{2})", re.ASCII)
_SRT_RE = re.compile(r"(\d+):(\d{2}):(\d{2}),(\d{3})", re.ASCII)
_MMSS_RE = re.compile(r"(\d+):(\d{2})\.(\d{2})", re.ASCII)
_FRAMES_RE = re.compile(r"\d+", re.ASCII)
_SECONDS_RE = re.compile(r"(\d+(?:\.\d+)?)s", re.ASCII)


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _rate(rate: RateLike) -> Fraction:
    return parse_rate(rate)


def _nearest(value: Fraction) -> int:
    """Round half up: the convention of every clock-to-frame conversion here."""
    return math.floor(value + Fraction(1, 2))


def _check_frames(frames: int, what: str = "frame count") -> int:
    # bool is an int subclass; True frames is always a bug in the caller.
    if isinstance(frames, bool) or not isinstance(frames, int):
        raise TypeError(f"a {what} must be an int, not {type(frames).__name__}")
    if frames < 0:
        raise TimecodeError(f"{what} {frames} is negative; times start at frame 0")
    return frames


def _resolve_drop_frame(rate: Fraction, drop_frame: bool | None) -> bool:
    """Whether SMPTE at ``rate`` is drop-frame: the rate's default unless told."""
    if drop_frame is None:
        return is_drop_frame_rate(rate)
    if drop_frame and not is_drop_frame_rate(rate):
        raise TimecodeError(
            f"drop-frame timecode does not exist at {rate_label(rate)} fps; "
            "it exists only at 29.97 and 59.94"
        )
    return bool(drop_frame)


def _dropped_per_minute(rate: Fraction) -> int:
    # Not arithmetic on timecodes, only the size of the gap to validate: 2 at 29.97, 4 at 59.94.
    return nominal_fps(rate) // 15


def _otio_rate(rate: Fraction, drop_frame: bool) -> float:
    """The rate handed to OpenTimelineIO.

    Drop-frame needs the exact NTSC rate (as the float of the Fraction). Non-drop labels
    depend only on the nominal rate (29.97 NDF counts exactly like 30), and OpenTimelineIO
    0.18 wraps non-drop timecodes at NTSC rates at the drop-frame day length (frame 2589408
    at 29.97 NDF comes out as 00:00:00:00 instead of 23:58:33:18), so non-drop goes through
    the integer nominal rate, which it handles correctly over the whole day.
    """
    return float(rate) if drop_frame else float(nominal_fps(rate))


@lru_cache(maxsize=32)
def _frames_per_day(rate: Fraction, drop_frame: bool) -> int:
    """Frames from 00:00:00:00 up to (not including) the 24-hour wrap."""
    if not drop_frame:
        return nominal_fps(rate) * 86_400
    last = f"23:59:59;{nominal_fps(rate) - 1:02d}"
    return round(_opentime().from_timecode(last, _otio_rate(rate, drop_frame)).value) + 1


def _non_drop_label(frames: int, nominal: int) -> str:
    """``HH:MM:SS:FF`` of a frame count below 24 hours at the integer ``nominal`` rate."""
    seconds, frame = divmod(frames, nominal)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frame:02d}"


def _to_fraction(seconds: float | int | Fraction | Decimal | str) -> Fraction:
    if isinstance(seconds, bool):
        raise TypeError("seconds must be a number, not a bool")
    if isinstance(seconds, str):
        text = seconds.strip().removesuffix("s").strip()
        try:
            value = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise TimecodeError(
                f"{seconds!r} is not a number of seconds; write it like 12.5 or 12.5s"
            ) from None
    elif isinstance(seconds, float):
        if not math.isfinite(seconds):
            raise TimecodeError(f"{seconds} is not a number of seconds")
        # repr gives the shortest decimal that reads back as this float: what was written.
        value = Fraction(repr(seconds))
    elif isinstance(seconds, Decimal):
        if not seconds.is_finite():
            raise TimecodeError(f"{seconds} is not a number of seconds")
        value = Fraction(seconds)
    else:
        value = Fraction(seconds)
    if value < 0:
        raise TimecodeError(f"{seconds!r} seconds is negative; times start at 0")
    return value


# --------------------------------------------------------------------------------------
# Seconds and frames
# --------------------------------------------------------------------------------------


def frames_to_seconds(frames: int, rate: RateLike) -> Fraction:
    """The exact time, in seconds, at which frame ``frames`` starts."""
    return Fraction(_check_frames(frames)) / _rate(rate)


def seconds_to_frames(seconds: float | int | Fraction | Decimal | str, rate: RateLike) -> int:
    """The frame nearest to ``seconds`` (half up); a string may end with ``s`` ("12.5s").

    A float is read as the decimal it prints as (``0.1`` is one tenth, not the binary
    approximation), so a value typed by a user rounds the way the user expects.
    """
    return _nearest(_to_fraction(seconds) * _rate(rate))


def convert_frames(frames: int, from_rate: RateLike, to_rate: RateLike) -> int:
    """The frame at ``to_rate`` nearest to the instant frame ``frames`` starts at ``from_rate``.

    Half up on an exact tie; converting to a faster (or equal) rate and back is lossless.
    """
    return _nearest(Fraction(_check_frames(frames)) * _rate(to_rate) / _rate(from_rate))


def to_rational_time(frames: int, rate: RateLike) -> otio_time.RationalTime:
    """An OpenTimelineIO ``RationalTime`` of ``frames`` at ``rate`` (a float of the exact rate)."""
    time: otio_time.RationalTime = _opentime().RationalTime(
        float(_check_frames(frames)), float(_rate(rate))
    )
    return time


def from_rational_time(time: otio_time.RationalTime, rate: RateLike) -> int:
    """The frame at ``rate`` nearest to an OpenTimelineIO ``RationalTime`` (of any rate)."""
    value = time.value_rescaled_to(float(_rate(rate)))
    if not math.isfinite(value):
        raise TimecodeError(f"{time} is not a time")
    frames = round(value)
    if frames < 0:
        raise TimecodeError(f"{time} is negative; times start at frame 0")
    return frames


# --------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------


def format_smpte(frames: int, rate: RateLike, *, drop_frame: bool | None = None) -> str:
    """SMPTE timecode of frame ``frames``: ``HH:MM:SS:FF``, or ``HH:MM:SS;FF`` for drop-frame.

    Drop-frame by default at 29.97 and 59.94. Raises :class:`TimecodeError` past 24 hours
    (SMPTE wraps there, and a wrapped label would name another frame).
    """
    fps = _rate(rate)
    df = _resolve_drop_frame(fps, drop_frame)
    _check_frames(frames)
    day = _frames_per_day(fps, df)
    if frames >= day:
        raise TimecodeError(
            f"frame {frames} is 24 hours or more at {rate_label(fps)} fps and has no SMPTE "
            f"timecode (the last is frame {day - 1}); use seconds, srt or mmss instead"
        )
    if not df:
        return _non_drop_label(frames, nominal_fps(fps))
    opentime, otio_rate = _opentime(), _otio_rate(fps, df)
    text: str = opentime.to_timecode(
        opentime.RationalTime(float(frames), otio_rate), otio_rate, drop_frame=df
    )
    return text


def _clock_units(frames: int, rate: RateLike, per_second: int) -> int:
    return _nearest(frames_to_seconds(frames, rate) * per_second)


def format_srt(frames: int, rate: RateLike) -> str:
    """SubRip time ``HH:MM:SS,mmm`` of frame ``frames`` (nearest millisecond, half up)."""
    ms = _clock_units(frames, rate, 1000)
    seconds, ms = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d},{ms:03d}"


def format_mmss(frames: int, rate: RateLike) -> str:
    """The seed storyboard's ``MM:SS.cc`` (nearest centisecond, half up; minutes may pass 59)."""
    cs = _clock_units(frames, rate, 100)
    seconds, cs = divmod(cs, 100)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes:02d}:{seconds:02d}.{cs:02d}"


def format_seconds(frames: int, rate: RateLike) -> str:
    """Seconds with exactly three decimals, ``12.500`` (nearest millisecond, half up)."""
    seconds, ms = divmod(_clock_units(frames, rate, 1000), 1000)
    return f"{seconds}.{ms:03d}"


def format_frames(
    frames: int, rate: RateLike, to: OutputForm | str, drop_frame: bool | None = None
) -> str:
    """Write frame ``frames`` in the form ``to``: frames, smpte, seconds, srt or mmss.

    ``drop_frame`` only matters for smpte, but ``True`` at a rate without drop-frame is
    refused whatever the form, so a wrong request never passes silently.
    """
    fps = _rate(rate)
    _resolve_drop_frame(fps, drop_frame)
    if to == "frames":
        return str(_check_frames(frames))
    if to == "smpte":
        return format_smpte(frames, fps, drop_frame=drop_frame)
    if to == "seconds":
        return format_seconds(frames, fps)
    if to == "srt":
        return format_srt(frames, fps)
    if to == "mmss":
        return format_mmss(frames, fps)
    raise TimecodeError(f"unknown output form {to!r}; use one of {', '.join(OUTPUT_FORMS)}")


# --------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------


def _parse_smpte(
    text: str, match: re.Match[str], rate: Fraction, drop_frame: bool | None
) -> tuple[int, bool]:
    hh, mm, ss, sep, ff = match.groups()
    hours, minutes, seconds, frame = int(hh), int(mm), int(ss), int(ff)
    nominal = nominal_fps(rate)
    label = rate_label(rate)
    if sep == ";":
        if not is_drop_frame_rate(rate):
            raise TimecodeError(
                f"{text!r} is a drop-frame timecode (';') but {label} fps has no drop-frame; "
                "write it with ':'"
            )
        df = True
    else:
        df = _resolve_drop_frame(rate, drop_frame) if drop_frame else False
    if hours >= 24:
        raise TimecodeError(f"hours in {text!r} must be 00-23 (SMPTE timecode wraps at 24:00:00)")
    if minutes >= 60:
        raise TimecodeError(f"minutes in {text!r} must be 00-59")
    if seconds >= 60:
        raise TimecodeError(f"seconds in {text!r} must be 00-59")
    if frame >= nominal:
        raise TimecodeError(
            f"frame {frame:02d} in {text!r} does not exist at {label} fps; "
            f"frames run 00-{nominal - 1:02d}"
        )
    dropped = _dropped_per_minute(rate)
    if df and seconds == 0 and frame < dropped and minutes % 10 != 0:
        raise TimecodeError(
            f"{text!r} does not exist in drop-frame timecode at {label} fps: frames "
            f"00-{dropped - 1:02d} are skipped at the start of every minute except each tenth; "
            f"the next timecode is {hh}:{mm}:00;{dropped:02d}"
        )
    if not df:
        return ((hours * 60 + minutes) * 60 + seconds) * nominal + frame, df
    canonical = f"{hh}:{mm}:{ss};{ff}"
    return round(_opentime().from_timecode(canonical, _otio_rate(rate, df)).value), df


#: Longest timecode text accepted (a frame count of 10**40 frames is far beyond any film).
MAX_TIMECODE_CHARS = 40


def _parse(value: str, rate: Fraction, drop_frame: bool | None) -> tuple[int, _InputForm, bool]:
    """Frame count, recognised form, and whether a SMPTE input was drop-frame."""
    if not isinstance(value, str):
        raise TypeError(f"a timecode must be a str, not {type(value).__name__}")
    _resolve_drop_frame(rate, drop_frame)
    text = value.strip()
    if len(text) > MAX_TIMECODE_CHARS:
        raise TimecodeError(
            f"{text[:20]!r}… ({len(text)} characters) is too long to be a timecode; "
            f"use {_ACCEPTED_FORMS}"
        )
    if text.startswith("-") and _recognised(text[1:].strip()):
        raise TimecodeError(f"{value!r} is negative; times start at 0")
    if match := _SMPTE_RE.fullmatch(text):
        frames, df = _parse_smpte(text, match, rate, drop_frame)
        return frames, "smpte", df
    if match := _SRT_RE.fullmatch(text):
        hh, mm, ss, ms = (int(g) for g in match.groups())
        _check_clock(text, mm, ss)
        seconds = Fraction(hh * 3600 + mm * 60 + ss) + Fraction(ms, 1000)
        return _nearest(seconds * rate), "srt", False
    if match := _MMSS_RE.fullmatch(text):
        mm, ss, cs = (int(g) for g in match.groups())
        _check_clock(text, None, ss)
        return _nearest((Fraction(mm * 60 + ss) + Fraction(cs, 100)) * rate), "mmss", False
    if _FRAMES_RE.fullmatch(text):
        return int(text), "frames", False
    if match := _SECONDS_RE.fullmatch(text):
        return _nearest(Fraction(match.group(1)) * rate), "seconds", False
    if not text:
        raise TimecodeError(f"the timecode is empty; use {_ACCEPTED_FORMS}")
    raise TimecodeError(f"{value!r} is not a timecode; use {_ACCEPTED_FORMS}")


def _recognised(text: str) -> bool:
    return any(
        pattern.fullmatch(text)
        for pattern in (_SMPTE_RE, _SRT_RE, _MMSS_RE, _FRAMES_RE, _SECONDS_RE)
    )


def _check_clock(text: str, minutes: int | None, seconds: int) -> None:
    if minutes is not None and minutes >= 60:
        raise TimecodeError(f"minutes in {text!r} must be 00-59")
    if seconds >= 60:
        raise TimecodeError(f"seconds in {text!r} must be 00-59")


def parse_timecode(value: str, rate: RateLike, *, drop_frame: bool | None = None) -> int:
    """The frame count that ``value`` names, recognised by its form.

    Forms: ``HH:MM:SS:FF``, ``HH:MM:SS;FF`` (drop-frame), ``HH:MM:SS,mmm``, ``MM:SS.cc``,
    an integer frame count, seconds such as ``12.5s``. Clock forms go to the nearest frame
    (half up). ``;`` is drop-frame by its form; ``:`` is non-drop unless ``drop_frame=True``.

    Raises :class:`TimecodeError` for anything that names no frame: garbage, a negative
    value, minutes or seconds of 60 or more, a frame number the rate does not have, a
    drop-frame label that is skipped (``00:01:00;00`` at 29.97), ``;`` or ``drop_frame=True``
    at a rate without drop-frame.
    """
    return _parse(value, _rate(rate), drop_frame)[0]


# --------------------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------------------


def _result_drop_frame(
    form: _InputForm, was_df: bool, rate: Fraction, drop_frame: bool | None
) -> bool | None:
    # A result keeps the first operand's SMPTE flavour: 00:00:59:29 + 1 frame at 29.97 is
    # 00:01:00:00, not a switch to drop-frame labels.
    if drop_frame is not None:
        return drop_frame
    if form == "smpte":
        return was_df
    return None


def add_timecodes(a: str, b: str, rate: RateLike, drop_frame: bool | None = None) -> str:
    """SMPTE timecode of ``a`` plus the duration ``b`` (each in any form parse_timecode reads).

    The result is drop-frame if ``drop_frame`` says so, else if ``a`` is written
    drop-frame, else by the rate's default when ``a`` is not SMPTE.
    """
    fps = _rate(rate)
    start, form, was_df = _parse(a, fps, drop_frame)
    length = _parse(b, fps, drop_frame)[0]
    return format_smpte(
        start + length, fps, drop_frame=_result_drop_frame(form, was_df, fps, drop_frame)
    )


def subtract_timecodes(a: str, b: str, rate: RateLike, drop_frame: bool | None = None) -> str:
    """SMPTE timecode of ``a`` minus ``b`` (a duration or an earlier timecode).

    The flavour of the result follows :func:`add_timecodes`. Raises :class:`TimecodeError`
    if ``b`` is later than ``a``.
    """
    fps = _rate(rate)
    end, form, was_df = _parse(a, fps, drop_frame)
    length = _parse(b, fps, drop_frame)[0]
    if length > end:
        raise TimecodeError(f"{b!r} is later than {a!r}; the difference would be negative")
    return format_smpte(
        end - length, fps, drop_frame=_result_drop_frame(form, was_df, fps, drop_frame)
    )


def convert_timecode(
    value: str,
    from_rate: RateLike,
    to_rate: RateLike,
    *,
    from_drop_frame: bool | None = None,
    to_drop_frame: bool | None = None,
) -> str:
    """SMPTE timecode at ``to_rate`` of the instant ``value`` names at ``from_rate``."""
    source, target = _rate(from_rate), _rate(to_rate)
    frames = parse_timecode(value, source, drop_frame=from_drop_frame)
    return format_smpte(convert_frames(frames, source, target), target, drop_frame=to_drop_frame)


# --------------------------------------------------------------------------------------
# Ranges
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeRange:
    """Frames ``start_frame`` (inclusive) to ``end_frame`` (exclusive) at ``rate``.

    ``end_frame`` is the first frame after the range, like a shot's ``end_frame`` and an
    EDL's record-out: a 5 s shot at 24 fps starting at 0 is ``TimeRange(0, 120, 24)``.
    An empty range (``end_frame == start_frame``) is allowed; it contains and overlaps nothing.
    """

    start_frame: int
    end_frame: int
    rate: Fraction

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", _rate(self.rate))
        _check_frames(self.start_frame, "start frame")
        _check_frames(self.end_frame, "end frame")
        if self.end_frame < self.start_frame:
            raise TimecodeError(
                f"the range ends (frame {self.end_frame}) before it starts "
                f"(frame {self.start_frame})"
            )

    @classmethod
    def from_timecodes(
        cls, start: str, end: str, rate: RateLike, *, drop_frame: bool | None = None
    ) -> TimeRange:
        """The range between two timecodes in any form (``end`` exclusive)."""
        fps = _rate(rate)
        return cls(
            parse_timecode(start, fps, drop_frame=drop_frame),
            parse_timecode(end, fps, drop_frame=drop_frame),
            fps,
        )

    @classmethod
    def from_duration(cls, start_frame: int, duration: int, rate: RateLike) -> TimeRange:
        """The range of ``duration`` frames from ``start_frame``."""
        return cls(start_frame, start_frame + _check_frames(duration, "duration"), _rate(rate))

    @property
    def duration(self) -> int:
        """Length in frames."""
        return self.end_frame - self.start_frame

    @property
    def duration_seconds(self) -> Fraction:
        """Exact length in seconds."""
        return Fraction(self.duration) / self.rate

    @property
    def start_seconds(self) -> Fraction:
        return Fraction(self.start_frame) / self.rate

    @property
    def end_seconds(self) -> Fraction:
        return Fraction(self.end_frame) / self.rate

    def offset(self, frames: int) -> TimeRange:
        """The same range moved by ``frames`` (negative moves earlier, never before frame 0)."""
        if isinstance(frames, bool) or not isinstance(frames, int):
            raise TypeError(f"an offset must be an int, not {type(frames).__name__}")
        if self.start_frame + frames < 0:
            raise TimecodeError(
                f"moving the range at frame {self.start_frame} by {frames} frames would start "
                "it before frame 0"
            )
        return TimeRange(self.start_frame + frames, self.end_frame + frames, self.rate)

    def contains(self, frame: int) -> bool:
        """Whether frame ``frame`` (at this range's rate) is inside the range."""
        return self.start_frame <= frame < self.end_frame

    def overlaps(self, other: TimeRange) -> bool:
        """Whether the two ranges share some time (compared exactly, even across rates)."""
        start = max(self.start_seconds, other.start_seconds)
        end = min(self.end_seconds, other.end_seconds)
        return start < end

    def at_rate(self, rate: RateLike) -> TimeRange:
        """The same instants at another rate (each end to the nearest frame)."""
        fps = _rate(rate)
        return TimeRange(
            convert_frames(self.start_frame, self.rate, fps),
            convert_frames(self.end_frame, self.rate, fps),
            fps,
        )

    def format(
        self, to: OutputForm | str = "smpte", drop_frame: bool | None = None
    ) -> tuple[str, str]:
        """``(start, end)`` written in the form ``to``; e.g. the storyboard's mmss pair."""
        return (
            format_frames(self.start_frame, self.rate, to, drop_frame),
            format_frames(self.end_frame, self.rate, to, drop_frame),
        )

    def format_duration(
        self, to: OutputForm | str = "seconds", drop_frame: bool | None = None
    ) -> str:
        """The duration written in the form ``to``, as if the range started at frame 0."""
        return format_frames(self.duration, self.rate, to, drop_frame)

    def to_otio(self) -> otio_time.TimeRange:
        """An OpenTimelineIO ``TimeRange`` (start time and duration at this rate)."""
        time_range: otio_time.TimeRange = _opentime().TimeRange(
            to_rational_time(self.start_frame, self.rate),
            to_rational_time(self.duration, self.rate),
        )
        return time_range

    def __str__(self) -> str:
        start, end = self.format("smpte")
        return f"{start}-{end}"
