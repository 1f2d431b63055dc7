"""Hostile command lines: export destinations, terminal injection, long echoes.

Each bad input gets one error line, exit 2, and leaves the project and the files around it
exactly as they were."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from storycore.agent.cli import ui
from storycore.agent.cli.main import main
from storycore.tools.project import Project

from .conftest import snapshot, storycore_executable

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture(scope="module")
def planned_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("planned") / "ad"
    assert main(["plan", str(EXAMPLES / "ad_brief.md"), "--out", str(root), "--yes"]) == 0
    return root


@pytest.fixture
def planned(planned_template: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(planned_template, tmp_path / "ad", symlinks=True))


# -- export --out -------------------------------------------------------------------------


def _bad_outs(project: Path) -> dict[str, str]:
    shot_json = next(project.glob("02_shots/*/shot.json"), project / "02_shots/01_X/shot.json")
    return {
        "the manifest": str(project / "project.json"),
        "a shot document": str(shot_json),
        "a shot folder": str(shot_json.parent),
        "the journal": str(project / ".storycore" / "history" / "x.json"),
        "a device": "/dev/null",
        "below a file": str(project / "project.json" / "x.edl"),
        "a 300-character name": str(project.parent / ("n" * 300 + ".edl")),
        "an existing file outside": str(project.parent / "mine.edl"),
        "under /proc": "/proc/self/x.edl",
    }


BAD_OUT_NAMES = list(_bad_outs(Path("/p")))


@pytest.mark.parametrize("case", BAD_OUT_NAMES)
def test_export_out_refuses_harmful_targets(
    planned: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (planned.parent / "mine.edl").write_text("my own edit\n")
    out = _bad_outs(planned)[case]
    before = snapshot(planned.parent)
    null_before = os.stat("/dev/null")
    assert main(["export", str(planned), "--format", "edl", "--out", out]) == 2
    _one_error_line(capsys.readouterr().err)
    assert snapshot(planned.parent) == before
    assert os.stat("/dev/null").st_rdev == null_before.st_rdev
    assert Project.open(planned).manifest.shots


def test_export_force_overwrites_outside_and_exports_needs_no_force(
    planned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = planned.parent / "mine.edl"
    mine.write_text("old\n")
    assert main(["export", str(planned), "-f", "edl", "--out", str(mine), "--force"]) == 0
    assert "TITLE:" in mine.read_text()
    inside = planned / "exports" / "again.edl"
    assert main(["export", str(planned), "-f", "edl", "--out", str(inside)]) == 0
    assert main(["export", str(planned), "-f", "edl", "--out", str(inside)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("fmt", ["edl", "csv", "json", "md", "html", "otio"])
def test_export_out_dash_writes_to_stdout(planned: Path, fmt: str) -> None:
    before = snapshot(planned)
    done = subprocess.run(
        [storycore_executable(), "export", str(planned), "-f", fmt, "--out", "-"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) > 100
    if fmt == "json":
        assert json.loads(done.stdout)
    assert snapshot(planned) == before


# -- terminal injection ----------------------------------------------------------------------


def _rendered(console: ui.SafeConsole, *objects: object, markup: bool = False) -> str:
    buffer = io.StringIO()
    # Console.file falls back to sys.stdout when unset; restoring the resolved stream would
    # pin the shared console to this test's capture, so restore the unset value itself.
    old = console._file
    console.file = buffer
    try:
        console.print(*objects, markup=markup)
    finally:
        console._file = old
    return buffer.getvalue()


def test_printable_escapes_every_control_character() -> None:
    raw = "t\x1b]0;pwned\x07\x1b[2J\x9b31m\u202eok\r\x08\x00\n\tend"
    shown = ui.printable(raw)
    assert not any(ord(c) < 32 and c not in "\n\t" for c in shown)
    assert "\x9b" not in shown and "\u202e" not in shown
    assert shown.startswith("t\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202eok")
    assert ui.printable("Gérard 北京 🎬") == "Gérard 北京 🎬"


def test_the_consoles_escape_strings_tables_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    evil = "\x1b]0;pwned\x07"
    assert "\x1b" not in _rendered(ui.out, f"title {evil}")
    assert "\x1b" not in _rendered(ui.out, ui.table("t", ["a"], [[evil]]))
    buffer = io.StringIO()
    # A console of its own: setting ui.err.file would pin stderr to this test's capture.
    monkeypatch.setattr(ui, "err", ui.SafeConsole(file=buffer, highlight=False, soft_wrap=True))
    ui.error_line(f"bad {evil}")
    ui.warn(f"odd {evil}")
    assert "\x1b" not in buffer.getvalue() and "\x07" not in buffer.getvalue()


def test_colours_survive_the_escaping() -> None:
    console = ui.SafeConsole(force_terminal=True, color_system="standard", highlight=False)
    text = _rendered(console, "[bold red]x[/] \x1b[2J", markup=True)
    assert "\x1b[1;31m" in text  # rich's own style codes stay
    assert "\\x1b[2J" in text


def test_emit_json_escapes_c1_controls(capsys: pytest.CaptureFixture[str]) -> None:
    ui.emit_json({"title": "a\x1b]0;x\x07\x9b\u202e"})
    text = capsys.readouterr().out
    assert not any(ord(c) < 32 and c not in "\n" for c in text)
    assert "\x9b" not in text and "\u202e" not in text
    assert json.loads(text) == {"title": "a\x1b]0;x\x07\x9b\u202e"}


def test_a_hostile_title_never_reaches_the_terminal_raw(tmp_path: Path) -> None:
    brief = tmp_path / "brief.md"
    brief.write_text(
        '---\ntitle: "Evil \\e]0;pwned\\a \\e[2J"\n---\n'
        "A woman walks along the river in the rain. She meets an old friend under a bridge.\n"
    )
    exe = storycore_executable()
    env = {**os.environ, "COLUMNS": "200"}
    plan = subprocess.run(
        [exe, "plan", str(brief), "--out", str(tmp_path / "p"), "--yes"],
        capture_output=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert plan.returncode == 0, plan.stderr
    status = subprocess.run(
        [exe, "status", str(tmp_path / "p")],
        capture_output=True,
        timeout=120,
        check=False,
        env=env,
    )
    for stream in (plan.stdout, plan.stderr, status.stdout, status.stderr):
        assert b"\x1b]" not in stream and b"\x07" not in stream and b"\x1b[2J" not in stream
    assert b"\\x1b]0;pwned" in plan.stdout + status.stdout


def test_a_long_echo_is_cut_to_a_readable_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timecode", "convert", "9" * 5000, "--fps", "24"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert len(line) < 800
    assert main(["plan", "x.md", "--out", "o", "--yes", "--fps", "7" * 5000]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert len(line) < 800


# -- elements add over an existing element ---------------------------------------------------


def test_elements_add_over_an_existing_one_says_it_updated_her(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "film"
    Project.create(root, title="Film")
    base = ["elements", "add", str(root), "--type", "character"]
    assert main([*base, "--name", "GaBy", "--description", "Short black hair."]) == 0
    assert capsys.readouterr().out.startswith("added char_gaby")
    assert main([*base, "--name", "gaby", "--description", "Long red hair."]) == 0
    text = capsys.readouterr().out
    assert "added" not in text
    assert "updated the existing element (was version 1)" in text
    assert "version 2" in text and "Long red hair." in text
    assert main([*base, "--name", "GaBy"]) == 0
    assert "unchanged (it already exists)" in capsys.readouterr().out


# -- front-matter values that are not used -----------------------------------------------------


def test_a_ratio_the_prose_asks_and_no_frame_has_is_a_warning_of_the_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    brief = tmp_path / "brief.md"
    brief.write_text("A 20-second ad for a bus shelter, format 10:1. A woman waits in the rain.\n")
    assert (
        main(["plan", str(brief), "--out", str(tmp_path / "out"), "--yes", "--offline", "--json"])
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert any("'10:1' cannot be planned" in w for w in summary["warnings"]), summary["warnings"]


UNUSED_VALUES = ["fps: 1000", "fps: .nan", 'aspect_ratio: "0:0"', "resolution: 0x0", "budget: -1"]


@pytest.mark.parametrize("line", UNUSED_VALUES)
def test_an_unused_front_matter_value_is_a_warning_and_strict_refuses_it(
    tmp_path: Path, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    brief = tmp_path / "brief.md"
    brief.write_text(
        f"---\ntitle: Rain\n{line}\n---\nA woman walks along the river in the rain. "
        "She meets an old friend under a bridge.\n"
    )
    out = tmp_path / "strict"
    assert main(["plan", str(brief), "--out", str(out), "--yes", "--strict", "--offline"]) == 2
    assert line.split(":")[0] in _one_error_line(capsys.readouterr().err)
    assert not out.exists()
    out = tmp_path / "lenient"
    assert main(["plan", str(brief), "--out", str(out), "--yes", "--offline", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert any(line.split(":")[0] in w for w in summary["warnings"]), summary["warnings"]
