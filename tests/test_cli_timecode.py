"""``storycore timecode convert``: every VALUE form, every --to, and the errors (exit 2)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from storycore.agent.cli.main import main

from .conftest import storycore_executable


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["timecode", "convert", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def converted(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one result line of a successful conversion (and nothing else on either stream)."""
    code, out, err = run(capsys, *args)
    assert (code, err) == (0, ""), err
    assert out.endswith("\n") and out.count("\n") == 1, repr(out)
    return out.strip()


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one error line of a refused conversion (exit 2, nothing on stdout)."""
    code, out, err = run(capsys, *args)
    assert code == 2, (out, err)
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    return err.strip()


@pytest.mark.parametrize(
    ("value", "fps", "expected"),
    [
        ("00:01:00;02", "29.97", "1800"),  # drop-frame SMPTE
        ("00:10:00;00", "30000/1001", "17982"),
        ("01:00:00;00", "29.97", "107892"),
        ("00:01:00;04", "59.94", "3600"),
        ("00:01:00:00", "29.97", "1800"),  # ':' read as non-drop
        ("01:00:00:00", "23.976", "86400"),
        ("00:00:01:00", "24000/1001", "24"),
        ("00:04:27:00", "25", "6675"),
        ("00:00:12,500", "24", "300"),  # SRT
        ("04:27.00", "24", "6408"),  # the seed's MM:SS.cc
        ("61:00.00", "24", "87840"),  # storyboard minutes beyond 59
        ("1800", "30", "1800"),  # a frame count
        ("12.5s", "48", "600"),  # seconds
        ("12.5s", "25", "313"),  # 312.5: half up
        ("0", "60000/1001", "0"),
        ("00:00:01:49", "50", "99"),
        ("00:00:01:59", "60", "119"),
    ],
)
def test_every_value_form_to_frames(
    capsys: pytest.CaptureFixture[str], value: str, fps: str, expected: str
) -> None:
    assert converted(capsys, value, "--fps", fps, "--to", "frames") == expected


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ("frames", "1800"),
        ("smpte", "00:01:00;02"),
        ("seconds", "60.060"),
        ("srt", "00:01:00,060"),
        ("mmss", "01:00.06"),
    ],
)
def test_every_output_form(capsys: pytest.CaptureFixture[str], to: str, expected: str) -> None:
    assert converted(capsys, "1800", "--fps", "29.97", "--to", to) == expected


def test_to_defaults_to_smpte(capsys: pytest.CaptureFixture[str]) -> None:
    assert converted(capsys, "12.5s", "--fps", "24") == "00:00:12:12"
    assert converted(capsys, "1800", "--fps", "29.97") == "00:01:00;02"


def test_seconds_are_exact_to_the_millisecond(capsys: pytest.CaptureFixture[str]) -> None:
    assert converted(capsys, "300", "--fps", "24", "--to", "seconds") == "12.500"
    assert converted(capsys, "1", "--fps", "23.976", "--to", "seconds") == "0.042"
    assert converted(capsys, "0", "--fps", "25", "--to", "seconds") == "0.000"


def test_drop_frame_options(capsys: pytest.CaptureFixture[str]) -> None:
    # Output: drop-frame at 29.97 and 59.94 unless --non-drop-frame.
    assert converted(capsys, "1800", "--fps", "29.97", "--non-drop-frame") == "00:01:00:00"
    assert converted(capsys, "3600", "--fps", "59.94") == "00:01:00;04"
    assert converted(capsys, "3600", "--fps", "59.94", "--non-drop-frame") == "00:01:00:00"
    # Input: ':' is non-drop unless --drop-frame; ';' is drop-frame by its form.
    assert converted(capsys, "00:01:00:00", "--fps", "29.97") == "00:01:00;02"
    assert converted(capsys, "00:01:00:02", "--fps", "29.97", "--drop-frame") == "00:01:00;02"
    assert (
        converted(capsys, "00:01:00:02", "--fps", "29.97", "--drop-frame", "--to", "frames")
        == "1800"
    )
    assert converted(capsys, "00:01:00;02", "--fps", "29.97", "--non-drop-frame") == "00:01:00:00"
    # --non-drop-frame is harmless where there is no drop-frame.
    assert converted(capsys, "25", "--fps", "25", "--non-drop-frame") == "00:00:01:00"


def test_options_may_come_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert converted(capsys, "--fps", "25", "--to", "frames", "00:00:01:00") == "25"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["00:01:00;00", "--fps", "29.97"], "does not exist in drop-frame timecode"),
        (["00:01:00;01", "--fps", "29.97"], "does not exist in drop-frame timecode"),
        (["00:01:00;03", "--fps", "59.94"], "does not exist in drop-frame timecode"),
        (["00:01:00:00", "--fps", "29.97", "--drop-frame"], "does not exist in drop-frame"),
        (["00:00:00:30", "--fps", "29.97"], "frame 30 in '00:00:00:30' does not exist"),
        (["00:00:00:25", "--fps", "25"], "frames run 00-24"),
        (["00:60:00:00", "--fps", "25"], "minutes in '00:60:00:00' must be 00-59"),
        (["00:00:60:00", "--fps", "25"], "seconds in '00:00:60:00' must be 00-59"),
        (["04:60.00", "--fps", "25"], "seconds in '04:60.00' must be 00-59"),
        (["00:00:01;00", "--fps", "25"], "25 fps has no drop-frame"),
        (["1", "--fps", "25", "--drop-frame"], "--drop-frame is not possible at 25 fps"),
        (["1", "--fps", "24", "--drop-frame"], "--drop-frame is not possible at 24 fps"),
        (["abc", "--fps", "25"], "'abc' is not a timecode; use HH:MM:SS:FF"),
        (["", "--fps", "25"], "the timecode is empty"),
        (["1", "--fps", "26"], "unknown frame rate '26'"),
        (["1", "--fps", "fast"], "unknown frame rate 'fast'"),
        (["1", "--fps", "25", "--to", "feet"], "unknown --to form 'feet'; use one of frames"),
        (["1", "--fps", "25", "--to", ""], "unknown --to form ''"),
        (["3000000", "--fps", "25"], "24 hours or more"),
        (["1"], "Missing option '--fps'"),
    ],
)
def test_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert message in refused(capsys, *args)


@pytest.mark.parametrize(
    "args",
    [
        ["-5", "--fps", "24"],
        ["--fps", "24", "-5"],
        ["-00:00:01:00", "--fps", "24"],
        ["-1.5s", "--fps", "24", "--to", "frames"],
        ["--to", "frames", "-00:01.00", "--fps", "24"],
        ["-00:00:01,000", "--fps", "24"],
    ],
)
def test_a_negative_value_is_called_negative(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    # Not "No such option: -5": the value reaches the parser, which says what is wrong.
    assert "is negative" in refused(capsys, *args)


def test_a_negative_fps_is_a_bad_rate_not_a_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert "unknown frame rate '-24'" in refused(capsys, "1", "--fps", "-24")


def test_help_documents_the_drop_frame_reading(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timecode", "convert", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "a ':' timecode is read as non-drop unless --drop-frame is given" in text
    assert "--non-drop-frame" in text


def test_group_without_subcommand_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timecode"]) == 0
    assert "convert" in capsys.readouterr().out


def test_cli_module_does_not_load_opentimelineio() -> None:
    # `storycore --help` must stay fast: OpenTimelineIO loads only when a command runs.
    code = (
        "import sys, storycore.agent.cli.main; "
        "print(any(m.startswith('opentimelineio') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.slow
def test_the_installed_executable() -> None:
    ok = subprocess.run(
        [
            storycore_executable(),
            "timecode",
            "convert",
            "00:01:00;02",
            "--fps",
            "29.97",
            "--to",
            "frames",
        ],
        capture_output=True,
        text=True,
    )
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "1800\n", "")
    bad = subprocess.run(
        [storycore_executable(), "timecode", "convert", "-5", "--fps", "24"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "negative" in bad.stderr
