"""Timecodes: reference values, every refusal, and round trips at every supported rate."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError
from fractions import Fraction
from typing import Any

import opentimelineio.opentime as otio_time
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storycore.tools.errors import TimecodeError
from storycore.tools.timecode import (
    OUTPUT_FORMS,
    TimeRange,
    add_timecodes,
    convert_frames,
    convert_timecode,
    format_frames,
    format_mmss,
    format_seconds,
    format_smpte,
    format_srt,
    frames_to_seconds,
    from_rational_time,
    parse_timecode,
    seconds_to_frames,
    subtract_timecodes,
    to_rational_time,
)

NTSC24 = Fraction(24000, 1001)
NTSC30 = Fraction(30000, 1001)
NTSC60 = Fraction(60000, 1001)
ALL_RATES = [NTSC24, Fraction(24), Fraction(25), NTSC30, Fraction(30), Fraction(48),
             Fraction(50), NTSC60, Fraction(60)]  # fmt: skip
DF_RATES = [NTSC30, NTSC60]
# Every (rate, drop_frame) SMPTE flavour that exists: NDF everywhere, DF at 29.97 and 59.94.
FLAVOURS = [(rate, False) for rate in ALL_RATES] + [(rate, True) for rate in DF_RATES]


def flavour_id(flavour: tuple[Fraction, bool]) -> str:
    rate, df = flavour
    return f"{float(rate):.3f}{'-DF' if df else ''}"


# --------------------------------------------------------------------------------------
# Independent oracles (test-only): plain SMPTE 12M counting, to check what OTIO gives us.
# --------------------------------------------------------------------------------------


def ndf_label(frame: int, nominal: int) -> str:
    seconds, ff = divmod(frame, nominal)
    minutes, ss = divmod(seconds, 60)
    hh, mm = divmod(minutes, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}"


def df_label(frame: int, nominal: int) -> str:
    """Drop-frame label by the textbook method: add back the labels skipped so far."""
    dropped = nominal // 15  # 2 at 29.97, 4 at 59.94
    per_ten_minutes = nominal * 600 - 9 * dropped
    per_minute = nominal * 60 - dropped
    tens, rest = divmod(frame, per_ten_minutes)
    skipped = 9 * dropped * tens
    if rest >= dropped:
        skipped += dropped * ((rest - dropped) // per_minute)
    label = ndf_label(frame + skipped, nominal)
    return label[:8] + ";" + label[9:]


def frames_per_day(rate: Fraction, df: bool) -> int:
    nominal = round(rate)
    if not df:
        return 86400 * nominal
    # 1440 minutes a day, 144 of them tenth minutes that keep every label.
    return 86400 * nominal - (nominal // 15) * (1440 - 144)


def frame_numbers(rate: Fraction, df: bool) -> st.SearchStrategy[int]:
    day = frames_per_day(rate, df)
    # Edges and minute boundaries are where drop-frame goes wrong: weight them in.
    edges = st.sampled_from([0, 1, 2, 3, 4, 1799, 1800, 1801, 3599, 3600, 17981, 17982,
                             35963, 35964, day - 2, day - 1])  # fmt: skip
    return st.one_of(edges.filter(lambda f: f < day), st.integers(0, day - 1))


# --------------------------------------------------------------------------------------
# Reference values
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timecode", "frame"),
    [
        # domain.md's reference values at 29.97 DF.
        ("00:01:00;02", 1800),
        ("00:10:00;00", 17982),
        ("01:00:00;00", 107892),
        # The last label before each jump, and the day's last frame (86400*30 - 2*1296).
        ("00:00:59;29", 1799),
        ("00:09:59;29", 17981),
        ("00:11:00;02", 17982 + 1800),
        ("23:59:59;29", 2589407),
    ],
)
def test_drop_frame_reference_values_at_29_97(timecode: str, frame: int) -> None:
    assert parse_timecode(timecode, NTSC30) == frame
    assert format_smpte(frame, NTSC30) == timecode


@pytest.mark.parametrize(
    ("timecode", "frame"),
    [
        # 59.94 DF drops 4 labels (;00-;03) at each minute but every tenth. Minute 0 holds
        # all 3600 frames, so frame 3600 is labelled 00:01:00;04. Ten minutes hold
        # 3600 + 9 * (3600 - 4) = 35964 frames; an hour six times that, 215784. Each is
        # exactly twice the 29.97 value: twice the frames, twice the labels dropped.
        ("00:01:00;04", 3600),
        ("00:00:59;59", 3599),
        ("00:10:00;00", 35964),
        ("01:00:00;00", 215784),
        ("23:59:59;59", 86400 * 60 - 4 * 1296 - 1),
    ],
)
def test_drop_frame_reference_values_at_59_94(timecode: str, frame: int) -> None:
    assert parse_timecode(timecode, NTSC60) == frame
    assert format_smpte(frame, NTSC60) == timecode


@pytest.mark.parametrize(
    ("rate", "timecode", "frame"),
    [
        # Non-drop counts nominal frames per labelled second, whatever the real rate.
        (NTSC24, "01:00:00:00", 86400),
        (NTSC24, "00:00:01:23", 47),
        (Fraction(24), "00:04:27:00", 6408),
        (Fraction(25), "00:04:27:00", 6675),
        (Fraction(25), "10:00:00:00", 900000),
        (NTSC30, "00:01:00:00", 1800),
        (Fraction(30), "01:00:00:00", 108000),
        (Fraction(48), "00:00:02:47", 143),
        (Fraction(50), "00:01:00:49", 3049),
        (NTSC60, "00:01:00:00", 3600),
        (Fraction(60), "23:59:59:59", 86400 * 60 - 1),
    ],
)
def test_non_drop_reference_values(rate: Fraction, timecode: str, frame: int) -> None:
    assert parse_timecode(timecode, rate) == frame
    assert format_smpte(frame, rate, drop_frame=False) == timecode


def test_smpte_default_is_drop_frame_only_at_29_97_and_59_94() -> None:
    assert format_smpte(1800, NTSC30) == "00:01:00;02"
    assert format_smpte(1800, NTSC30, drop_frame=False) == "00:01:00:00"
    assert format_smpte(3600, NTSC60) == "00:01:00;04"
    assert format_smpte(1440, NTSC24) == "00:01:00:00"
    assert format_smpte(1800, Fraction(30)) == "00:01:00:00"


def test_a_colon_timecode_at_29_97_is_non_drop_unless_told() -> None:
    assert parse_timecode("00:01:00:00", NTSC30) == 1800
    assert parse_timecode("00:01:00:02", NTSC30, drop_frame=True) == 1800
    # ';' is drop-frame by its form, even when the caller prefers non-drop.
    assert parse_timecode("00:01:00;02", NTSC30, drop_frame=False) == 1800


@pytest.mark.parametrize(
    ("value", "rate", "frame"),
    [
        ("12.5s", Fraction(24), 300),
        ("12.5s", Fraction(25), 313),  # 312.5 frames: half up
        ("0s", Fraction(25), 0),
        ("00:00:12,500", Fraction(24), 300),
        ("00:00:00,020", Fraction(25), 1),  # exactly half a frame (0.02 s): half up
        ("00:00:00,019", Fraction(25), 0),
        ("04:27.00", Fraction(24), 6408),  # the seed's 4:27 music video
        ("00:16.80", Fraction(25), 420),
        ("61:00.00", Fraction(24), 87840),  # storyboard minutes may pass 59
        ("1800", NTSC30, 1800),
        ("  1800  ", NTSC30, 1800),
        ("60.06s", NTSC30, 1800),
    ],
)
def test_clock_forms_read_to_the_nearest_frame(value: str, rate: Fraction, frame: int) -> None:
    assert parse_timecode(value, rate) == frame


@pytest.mark.parametrize(
    ("frame", "rate", "srt", "seconds", "mmss"),
    [
        (0, Fraction(24), "00:00:00,000", "0.000", "00:00.00"),
        (300, Fraction(24), "00:00:12,500", "12.500", "00:12.50"),
        (1, NTSC24, "00:00:00,042", "0.042", "00:00.04"),  # 1001/24000 s
        (1800, NTSC30, "00:01:00,060", "60.060", "01:00.06"),
        (107892, NTSC30, "00:59:59,996", "3599.996", "60:00.00"),
        (6675, Fraction(25), "00:04:27,000", "267.000", "04:27.00"),
        (3600 * 60 * 25, Fraction(25), "60:00:00,000", "216000.000", "3600:00.00"),
    ],
)
def test_clock_forms_written_from_the_frame_start(
    frame: int, rate: Fraction, srt: str, seconds: str, mmss: str
) -> None:
    assert format_srt(frame, rate) == srt
    assert format_seconds(frame, rate) == seconds
    assert format_mmss(frame, rate) == mmss


def test_format_frames_dispatches_every_form() -> None:
    written = {to: format_frames(1800, NTSC30, to) for to in OUTPUT_FORMS}
    assert written == {
        "frames": "1800",
        "smpte": "00:01:00;02",
        "seconds": "60.060",
        "srt": "00:01:00,060",
        "mmss": "01:00.06",
    }
    assert format_frames(1800, NTSC30, "smpte", drop_frame=False) == "00:01:00:00"


def test_frames_and_seconds_are_exact() -> None:
    assert frames_to_seconds(1001, NTSC24) == Fraction(1001 * 1001, 24000)
    assert frames_to_seconds(24, Fraction(24)) == 1
    assert seconds_to_frames(Fraction(1001, 24000), NTSC24) == 1
    assert seconds_to_frames(0.1, Fraction(25)) == 3  # 2.5 frames read as the decimal 0.1
    assert seconds_to_frames("12.5s", Fraction(24)) == 300
    assert seconds_to_frames("12.5", Fraction(24)) == 300
    assert seconds_to_frames(4, Fraction(25)) == 100


def test_rates_may_be_given_as_text() -> None:
    assert parse_timecode("00:01:00;02", "29.97") == 1800
    assert format_smpte(1800, "30000/1001") == "00:01:00;02"


def test_rational_time_for_the_editor_exports() -> None:
    time = to_rational_time(1800, NTSC30)
    assert isinstance(time, otio_time.RationalTime)
    assert time.value == 1800
    assert time.rate == pytest.approx(30000 / 1001, abs=1e-12)
    assert otio_time.to_timecode(time, time.rate, drop_frame=True) == "00:01:00;02"
    assert from_rational_time(time, NTSC30) == 1800
    assert from_rational_time(time, NTSC60) == 3600


# --------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rate", "message"),
    [
        # Skipped drop-frame labels: OTIO would alias them silently.
        ("00:01:00;00", NTSC30, r"does not exist in drop-frame.*00-01 are skipped.*00:01:00;02"),
        ("00:01:00;01", NTSC30, r"does not exist in drop-frame"),
        ("00:09:00;01", NTSC30, r"does not exist in drop-frame"),
        ("00:01:00;03", NTSC60, r"does not exist in drop-frame.*00-03 are skipped.*00:01:00;04"),
        ("00:01:00;00", NTSC60, r"does not exist in drop-frame"),
        # A ':' label read as drop-frame on request is checked the same way.
        ("00:01:00:00", NTSC30, r"does not exist in drop-frame"),
        # Frame numbers beyond the nominal rate.
        ("00:00:00:24", Fraction(24), r"frame 24 .*does not exist at 24 fps; frames run 00-23"),
        ("00:00:00:24", NTSC24, r"does not exist at 23.976 fps"),
        ("00:00:00:25", Fraction(25), r"frames run 00-24"),
        ("00:00:00:30", NTSC30, r"frame 30 .*29.97 fps"),
        ("00:00:00;30", NTSC30, r"frame 30 "),
        ("00:00:00:60", Fraction(60), r"frames run 00-59"),
        ("00:00:00:48", Fraction(48), r"frames run 00-47"),
        # Minutes, seconds, hours out of range.
        ("00:60:00:00", Fraction(25), r"minutes .* must be 00-59"),
        ("00:00:60:00", Fraction(25), r"seconds .* must be 00-59"),
        ("24:00:00:00", Fraction(25), r"hours .* must be 00-23"),
        ("00:00:60,000", Fraction(25), r"seconds .* must be 00-59"),
        ("00:60:00,000", Fraction(25), r"minutes .* must be 00-59"),
        ("04:60.00", Fraction(25), r"seconds .* must be 00-59"),
        # Negative values, in every form.
        ("-5", Fraction(24), r"negative"),
        ("-00:00:01:00", Fraction(24), r"negative"),
        ("-1.5s", Fraction(24), r"negative"),
        ("-00:01.00", Fraction(24), r"negative"),
        ("-00:00:01,000", Fraction(24), r"negative"),
        # Drop-frame where the rate has none.
        ("00:00:01;00", Fraction(25), r"drop-frame timecode \(';'\) but 25 fps has no drop"),
        ("00:00:01;00", Fraction(30), r"30 fps has no drop-frame"),
        ("00:00:01;00", NTSC24, r"23.976 fps has no drop-frame"),
        # Garbage.
        ("", Fraction(24), r"empty"),
        ("abc", Fraction(24), r"'abc' is not a timecode; use HH:MM:SS:FF"),
        ("1:2:3:4", Fraction(24), r"is not a timecode"),
        ("00:00:01.00:00", Fraction(24), r"is not a timecode"),
        ("12.5", Fraction(24), r"is not a timecode"),
        ("12,5s", Fraction(24), r"is not a timecode"),
        ("00:00:01:00:00", Fraction(24), r"is not a timecode"),
        ("٠٠:٠١:٠٠:٠٠", Fraction(24), r"is not a timecode"),  # Arabic-Indic digits
        ("1e3", Fraction(24), r"is not a timecode"),
    ],
)
def test_impossible_timecodes_are_refused(value: str, rate: Fraction, message: str) -> None:
    drop_frame = True if value == "00:01:00:00" else None
    with pytest.raises(TimecodeError, match=message) as caught:
        parse_timecode(value, rate, drop_frame=drop_frame)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("rate", [NTSC24, Fraction(24), Fraction(25), Fraction(30), Fraction(60)])
def test_drop_frame_at_a_rate_without_it_is_refused(rate: Fraction) -> None:
    with pytest.raises(TimecodeError, match=r"drop-frame timecode does not exist at .* fps"):
        format_smpte(10, rate, drop_frame=True)
    with pytest.raises(TimecodeError, match=r"drop-frame timecode does not exist"):
        parse_timecode("00:00:01:00", rate, drop_frame=True)
    with pytest.raises(TimecodeError, match=r"drop-frame timecode does not exist"):
        format_frames(10, rate, "frames", drop_frame=True)


def test_every_tenth_minute_keeps_its_first_labels() -> None:
    assert parse_timecode("00:10:00;00", NTSC30) == 17982
    assert parse_timecode("00:00:00;00", NTSC30) == 0
    assert parse_timecode("00:20:00;01", NTSC60) == 2 * 35964 + 1
    assert parse_timecode("01:00:00;03", NTSC60) == 215784 + 3


@pytest.mark.parametrize(("rate", "df"), FLAVOURS, ids=[flavour_id(f) for f in FLAVOURS])
def test_smpte_past_24_hours_is_refused(rate: Fraction, df: bool) -> None:
    day = frames_per_day(rate, df)
    assert format_smpte(day - 1, rate, drop_frame=df).startswith("23:59:59")
    with pytest.raises(TimecodeError, match=r"24 hours or more.*use seconds, srt or mmss"):
        format_smpte(day, rate, drop_frame=df)


def test_negative_frames_and_seconds_are_refused() -> None:
    for write in (format_smpte, format_srt, format_mmss, format_seconds):
        with pytest.raises(TimecodeError, match="negative"):
            write(-1, Fraction(24))
    with pytest.raises(TimecodeError, match="negative"):
        seconds_to_frames(-0.5, Fraction(24))
    with pytest.raises(TimecodeError, match="negative"):
        convert_frames(-1, Fraction(24), Fraction(25))
    with pytest.raises(TimecodeError, match="not a number of seconds"):
        seconds_to_frames(float("nan"), Fraction(24))
    with pytest.raises(TimecodeError, match="not a number of seconds"):
        seconds_to_frames("soon", Fraction(24))


def test_unknown_rate_and_output_form_are_refused() -> None:
    with pytest.raises(TimecodeError, match="unknown frame rate"):
        parse_timecode("00:00:01:00", "26")
    with pytest.raises(TimecodeError, match="unknown frame rate"):
        format_smpte(1, Fraction(7))
    with pytest.raises(TimecodeError, match="unknown output form 'feet'; use one of frames"):
        format_frames(1, Fraction(24), "feet")


def test_a_non_integer_frame_count_is_a_programming_error() -> None:
    not_a_count: Any = 1.0
    with pytest.raises(TypeError):
        format_smpte(not_a_count, Fraction(24))
    with pytest.raises(TypeError):
        format_smpte(True, Fraction(24))


# --------------------------------------------------------------------------------------
# Round trips and agreement with the oracles, at every rate
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rate", "df"), FLAVOURS, ids=[flavour_id(f) for f in FLAVOURS])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_smpte_round_trips_and_matches_the_textbook_count(
    rate: Fraction, df: bool, data: st.DataObject
) -> None:
    frame = data.draw(frame_numbers(rate, df))
    label = format_smpte(frame, rate, drop_frame=df)
    expected = df_label(frame, round(rate)) if df else ndf_label(frame, round(rate))
    assert label == expected
    assert parse_timecode(label, rate) == frame
    if df:
        # Read as drop-frame by request when written with ':' separators.
        assert parse_timecode(label.replace(";", ":"), rate, drop_frame=True) == frame


@pytest.mark.parametrize("rate", DF_RATES, ids=["29.97", "59.94"])
@settings(max_examples=300, deadline=None)
@given(hh=st.integers(0, 23), mm=st.integers(0, 59), ss=st.integers(0, 59), data=st.data())
def test_every_drop_frame_label_is_either_valid_or_refused(
    rate: Fraction, hh: int, mm: int, ss: int, data: st.DataObject
) -> None:
    nominal = round(rate)
    ff = data.draw(st.integers(0, nominal - 1))
    label = f"{hh:02d}:{mm:02d}:{ss:02d};{ff:02d}"
    skipped = ss == 0 and ff < nominal // 15 and mm % 10 != 0
    if skipped:
        with pytest.raises(TimecodeError, match="does not exist in drop-frame"):
            parse_timecode(label, rate)
    else:
        assert format_smpte(parse_timecode(label, rate), rate) == label


@pytest.mark.parametrize(("rate", "df"), FLAVOURS, ids=[flavour_id(f) for f in FLAVOURS])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_smpte_labels_increase_with_the_frame(
    rate: Fraction, df: bool, data: st.DataObject
) -> None:
    frame = data.draw(st.integers(0, frames_per_day(rate, df) - 2))
    assert format_smpte(frame, rate, drop_frame=df) < format_smpte(frame + 1, rate, drop_frame=df)


CLOCK_WRITERS = {"srt": format_srt, "seconds": format_seconds, "mmss": format_mmss}


@pytest.mark.parametrize("rate", ALL_RATES, ids=[f"{float(r):.3f}" for r in ALL_RATES])
@pytest.mark.parametrize("form", list(CLOCK_WRITERS))
@settings(max_examples=200, deadline=None)
@given(frame=st.integers(0, 10**8))
def test_clock_forms_round_trip_every_frame(rate: Fraction, form: str, frame: int) -> None:
    # Guaranteed for every frame at every supported rate, mmss at 59.94 and 60 included:
    # writing rounds by at most half a unit (0.5 ms, 5 ms) and a frame lasts at least 16.7 ms,
    # so the written time is always nearer to its own frame than to a neighbour.
    text = CLOCK_WRITERS[form](frame, rate)
    if form == "seconds":
        text += "s"
    assert parse_timecode(text, rate) == frame


@pytest.mark.parametrize("rate", ALL_RATES, ids=[f"{float(r):.3f}" for r in ALL_RATES])
@settings(max_examples=200, deadline=None)
@given(minutes=st.integers(0, 200), centiseconds=st.integers(0, 5999))
def test_any_storyboard_time_reads_to_its_nearest_frame(
    rate: Fraction, minutes: int, centiseconds: int
) -> None:
    # The reverse direction cannot round-trip (00:00.01 at 24 fps is no frame's start), but
    # reading gives the nearest frame and, from there, writing and reading are stable.
    text = f"{minutes:02d}:{centiseconds // 100:02d}.{centiseconds % 100:02d}"
    frame = parse_timecode(text, rate)
    time = Fraction(minutes * 60) + Fraction(centiseconds, 100)
    assert abs(frames_to_seconds(frame, rate) - time) <= Fraction(1, 2) / rate
    rewritten = format_mmss(frame, rate)
    assert parse_timecode(rewritten, rate) == frame
    assert format_mmss(parse_timecode(rewritten, rate), rate) == rewritten


@pytest.mark.parametrize("rate", ALL_RATES, ids=[f"{float(r):.3f}" for r in ALL_RATES])
@settings(max_examples=100, deadline=None)
@given(frame=st.integers(0, 10**8))
def test_seconds_written_are_exact_to_the_millisecond(rate: Fraction, frame: int) -> None:
    text = format_seconds(frame, rate)
    assert re.fullmatch(r"\d+\.\d{3}", text)
    assert abs(Fraction(text) - frames_to_seconds(frame, rate)) <= Fraction(1, 2000)
    assert seconds_to_frames(text, rate) == frame


@settings(max_examples=300, deadline=None)
@given(
    frame=st.integers(0, 10**7),
    rates=st.lists(st.sampled_from(ALL_RATES), min_size=2, max_size=2, unique=True),
)
def test_convert_between_rates_keeps_the_instant(frame: int, rates: list[Fraction]) -> None:
    slow, fast = sorted(rates)
    converted = convert_frames(frame, slow, fast)
    # Nearest frame: within half a target frame of the same instant.
    instant = frames_to_seconds(frame, slow)
    assert abs(frames_to_seconds(converted, fast) - instant) <= Fraction(1, 2) / fast
    # To a faster rate and back is lossless.
    assert convert_frames(converted, fast, slow) == frame


def test_convert_reference_values() -> None:
    assert convert_frames(24, Fraction(24), Fraction(25)) == 25
    assert convert_frames(1800, NTSC30, NTSC60) == 3600
    assert convert_frames(1, Fraction(24), Fraction(25)) == 1  # 1.04 frames
    assert convert_frames(2, Fraction(50), Fraction(25)) == 1
    assert convert_frames(1, Fraction(50), Fraction(25)) == 1  # exactly half: half up
    # One real hour: 01:00:00;00 at 29.97 DF is 3599.996 s, 89999.9 frames at 25.
    assert convert_timecode("01:00:00;00", NTSC30, Fraction(25)) == "01:00:00:00"
    assert convert_timecode("01:00:00:00", Fraction(25), NTSC30) == "01:00:00;00"
    assert convert_timecode("00:01:00:00", Fraction(24), NTSC24) == "00:00:59:23"


# --------------------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------------------


def test_add_and_subtract_reference_values() -> None:
    assert add_timecodes("00:00:59;29", "1", NTSC30) == "00:01:00;02"
    assert add_timecodes("00:00:59:29", "1", NTSC30) == "00:01:00:00"  # keeps a's flavour
    assert add_timecodes("00:00:59:29", "1", NTSC30, True) == "00:01:00;02"
    assert add_timecodes("00:09:59;29", "00:00:00;01", NTSC30) == "00:10:00;00"
    assert add_timecodes("01:00:00:00", "12.5s", Fraction(24)) == "01:00:12:12"
    assert add_timecodes("00:00:10:00", "00:05.00", Fraction(25)) == "00:00:15:00"
    assert add_timecodes("1800", "2", NTSC30) == "00:01:00;04"  # frames: the rate's default
    assert subtract_timecodes("00:01:00;02", "1", NTSC30) == "00:00:59;29"
    # 17982 - 1800 = 16182 frames: drop-frame labels are not subtracted digit by digit.
    assert subtract_timecodes("00:10:00;00", "00:01:00;02", NTSC30) == "00:08:59;28"
    assert subtract_timecodes("00:00:01:00", "00:00:01:00", Fraction(25)) == "00:00:00:00"


def test_subtracting_a_later_time_is_refused() -> None:
    with pytest.raises(TimecodeError, match=r"later than .* negative"):
        subtract_timecodes("00:00:01:00", "00:00:02:00", Fraction(25))


def test_adding_past_24_hours_is_refused() -> None:
    with pytest.raises(TimecodeError, match="24 hours"):
        add_timecodes("23:59:59:24", "1", Fraction(25))


@pytest.mark.parametrize(("rate", "df"), FLAVOURS, ids=[flavour_id(f) for f in FLAVOURS])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_add_then_subtract_returns_the_start(rate: Fraction, df: bool, data: st.DataObject) -> None:
    day = frames_per_day(rate, df)
    start = data.draw(st.integers(0, day - 1))
    length = data.draw(st.integers(0, day - 1 - start))
    a = format_smpte(start, rate, drop_frame=df)
    total = add_timecodes(a, str(length), rate)
    assert parse_timecode(total, rate) == start + length
    assert subtract_timecodes(total, str(length), rate) == a
    assert subtract_timecodes(total, a, rate, df) == format_smpte(length, rate, drop_frame=df)


# --------------------------------------------------------------------------------------
# TimeRange
# --------------------------------------------------------------------------------------


def test_time_range_basics() -> None:
    shot = TimeRange(0, 120, Fraction(24))
    assert shot.duration == 120
    assert shot.duration_seconds == 5
    assert shot.contains(0) and shot.contains(119) and not shot.contains(120)
    assert str(shot) == "00:00:00:00-00:00:05:00"
    assert shot.format("mmss") == ("00:00.00", "00:05.00")
    assert shot.format_duration() == "5.000"
    assert shot.format_duration("smpte") == "00:00:05:00"
    moved = shot.offset(48)
    assert (moved.start_frame, moved.end_frame, moved.duration) == (48, 168, 120)
    assert moved.offset(-48) == shot


def test_time_range_from_storyboard_times() -> None:
    # The seed's first segment, ["00:00.00", "00:16.80"], at 25 fps.
    segment = TimeRange.from_timecodes("00:00.00", "00:16.80", "25")
    assert (segment.start_frame, segment.end_frame) == (0, 420)
    assert segment.rate == 25
    assert segment.format("smpte") == ("00:00:00:00", "00:00:16:20")


def test_time_range_overlaps_compare_time_even_across_rates() -> None:
    a = TimeRange(0, 120, Fraction(24))  # 0-5 s
    assert a.overlaps(TimeRange(119, 200, Fraction(24)))
    assert not a.overlaps(TimeRange(120, 200, Fraction(24)))  # end is exclusive
    assert not a.overlaps(TimeRange(125, 200, Fraction(25)))  # starts at exactly 5 s
    assert a.overlaps(TimeRange(124, 200, Fraction(25)))
    assert not a.overlaps(TimeRange(50, 50, Fraction(24)))  # empty


def test_time_range_to_otio_and_other_rates() -> None:
    shot = TimeRange(1800, 1950, NTSC30)
    otio_range = shot.to_otio()
    assert otio_range.start_time.value == 1800
    assert otio_range.duration.value == 150
    assert shot.at_rate(NTSC60) == TimeRange(3600, 3900, NTSC60)
    assert TimeRange.from_duration(10, 5, 24) == TimeRange(10, 15, Fraction(24))


def test_time_range_refusals() -> None:
    with pytest.raises(TimecodeError, match=r"ends \(frame 5\) before it starts \(frame 10\)"):
        TimeRange(10, 5, Fraction(24))
    with pytest.raises(TimecodeError, match="negative"):
        TimeRange(-1, 5, Fraction(24))
    with pytest.raises(TimecodeError, match="before frame 0"):
        TimeRange(10, 20, Fraction(24)).offset(-11)
    with pytest.raises(TimecodeError, match="unknown frame rate"):
        TimeRange(0, 1, Fraction(26))
    frozen: Any = TimeRange(0, 1, Fraction(24))
    with pytest.raises(FrozenInstanceError):
        frozen.start_frame = 3


@settings(max_examples=200, deadline=None)
@given(
    a=st.tuples(st.integers(0, 10**6), st.integers(0, 10**4)),
    b=st.tuples(st.integers(0, 10**6), st.integers(0, 10**4)),
    shift=st.integers(0, 10**6),
)
def test_time_range_properties(a: tuple[int, int], b: tuple[int, int], shift: int) -> None:
    first = TimeRange.from_duration(a[0], a[1], Fraction(24))
    second = TimeRange.from_duration(b[0], b[1], Fraction(24))
    assert first.overlaps(second) == second.overlaps(first)
    shared = range(max(first.start_frame, second.start_frame),
                   min(first.end_frame, second.end_frame))  # fmt: skip
    assert first.overlaps(second) == (len(shared) > 0)
    moved = first.offset(shift)
    assert moved.duration == first.duration
    assert moved.offset(-shift) == first
    assert first.overlaps(second) == moved.overlaps(second.offset(shift))


def test_non_drop_labels_are_opentimelineio_s_at_every_rate() -> None:
    """Non-drop SMPTE is integer arithmetic here: the same label and the same frame back as
    OpenTimelineIO's at the nominal rate, over the first hours and the end of the day."""
    from storycore.tools.rates import SUPPORTED_RATES, nominal_fps

    for rate in SUPPORTED_RATES.values():
        nominal = nominal_fps(rate)
        day = nominal * 86_400
        frames = [*range(0, 3 * 3600 * nominal, 37), *range(day - 5000, day)]
        for frame in frames:
            expected = otio_time.to_timecode(
                otio_time.RationalTime(float(frame), float(nominal)), float(nominal), False
            )
            label = format_smpte(frame, rate, drop_frame=False)
            assert label == expected, (rate, frame)
            assert parse_timecode(label, rate) == frame
        with pytest.raises(TimecodeError):
            format_smpte(day, rate, drop_frame=False)
