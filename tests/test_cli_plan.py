"""``storycore plan``, ``export`` and ``status`` as a user runs them: good runs, bad input
(one stderr line, exit 2, nothing written), hostile names, the confirmation, idempotence."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from storycore.agent.cli import commands_plan
from storycore.agent.cli.main import main
from storycore.tools.project import Project

from .conftest import files_under, snapshot, storycore_executable

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
AD_BRIEF = EXAMPLES / "ad_brief.md"
SHORT_FILM = EXAMPLES / "short_film.fountain"

NO_SCENES_FOUNTAIN = "Title: Nothing Happens\nAuthor: Someone\n\nJust a line of text, no heading.\n"
#: Plans through intake, structure, breakdown and elements, then fails choosing models (no
#: local model runs in 1 GB): a failure after files were written.
NO_MODEL_FITS = """---
title: Too Small A GPU
models:
  local_only: true
  vram_gb: 1
---
A woman walks along the river in the rain. She meets an old friend under a bridge.
"""
HOSTILE_BRIEF = """---
title: /etc/passwd
---

# /etc/passwd

A short story. ../../etc/passwd walks in the rain and meets Bob.

## Characters

- **../../etc/passwd**: a tall figure in a grey coat
- **Bob/../../../outside**: a man with a red scarf

## Locations

- **../../../street**: a dark street

## Props

- **/etc/shadow**: an umbrella

## Scenes

1. **../../scene** (5s): ../../etc/passwd walks down the street with /etc/shadow.
2. **/etc/hosts** (5s): Bob/../../../outside waves.
"""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder as the current directory, with a few briefs in it."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    (folder / "empty.md").write_text("")
    (folder / "blank.md").write_text("  \n\t\n")
    (folder / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "noscenes.fountain").write_text(NO_SCENES_FOUNTAIN)
    (folder / "tiny_gpu.md").write_text(NO_MODEL_FITS)
    shutil.copy(AD_BRIEF, folder / "ad.md")
    return folder


@pytest.fixture(scope="module")
def planned_ad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A planned project (read-only for the tests that use it)."""
    root = tmp_path_factory.mktemp("planned") / "ad"
    assert main(["plan", str(AD_BRIEF), "--out", str(root), "--yes"]) == 0
    return root


# -- bad input: one line on stderr, exit 2, nothing written --------------------------------

BAD_PLANS = {
    "empty brief": ["plan", "empty.md", "--out", "out", "--yes"],
    "blank brief": ["plan", "blank.md", "--out", "out", "--yes"],
    "binary brief": ["plan", "binary.md", "--out", "out", "--yes"],
    "missing brief": ["plan", "nowhere.md", "--out", "out", "--yes"],
    "folder as brief": ["plan", ".", "--out", "out", "--yes"],
    "fountain without scenes": ["plan", "noscenes.fountain", "--out", "out", "--yes"],
    "duration of zero": ["plan", "ad.md", "--out", "out", "--yes", "--duration", "0"],
    "duration of ten hours": ["plan", "ad.md", "--out", "out", "--yes", "--duration", "10h"],
    "unknown fps": ["plan", "ad.md", "--out", "out", "--yes", "--fps", "31"],
    "unknown aspect": ["plan", "ad.md", "--out", "out", "--yes", "--aspect", "7:5:3"],
    "unknown language": ["plan", "ad.md", "--out", "out", "--yes", "--language", "klingon"],
    "a file as DIR": ["plan", "ad.md", "--out", "ad.md", "--yes"],
    "no --yes without a terminal": ["plan", "ad.md", "--out", "out"],
    "stdin without --yes": ["plan", "-", "--out", "out"],
    "status of a non-project": ["status", "."],
    "status of a missing folder": ["status", "nowhere"],
    "export of a non-project": ["export", ".", "--format", "edl"],
}


@pytest.mark.parametrize("argv", list(BAD_PLANS.values()), ids=list(BAD_PLANS))
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    work: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(work.parent)
    assert main(argv) == 2
    captured = capsys.readouterr()
    _one_error_line(captured.err)
    assert captured.out == ""
    assert snapshot(work.parent) == before


def test_bad_input_messages_say_what_to_do(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = {
        "empty.md": "empty",
        "binary.md": "binary",
        "noscenes.fountain": "scene heading",
    }
    for brief, words in cases.items():
        assert main(["plan", brief, "--out", "out", "--yes"]) == 2
        assert words in _one_error_line(capsys.readouterr().err)
    assert main(["plan", "ad.md", "--out", "out", "--yes", "--fps", "31"]) == 2
    assert "29.97" in _one_error_line(capsys.readouterr().err)  # the rates it supports
    assert main(["plan", "ad.md", "--out", "out"]) == 2
    assert "--yes" in _one_error_line(capsys.readouterr().err)


def test_a_non_empty_folder_that_is_not_a_project_is_refused(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "notes").mkdir()
    (work / "notes" / "todo.txt").write_text("buy film\n")
    before = snapshot(work.parent)
    assert main(["plan", "ad.md", "--out", "notes", "--yes"]) == 2
    assert "not a StoryCore project" in _one_error_line(capsys.readouterr().err)
    assert snapshot(work.parent) == before


def test_unknown_export_format_writes_nothing(
    planned_ad: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(planned_ad)
    assert main(["export", str(planned_ad), "--format", "mp4"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "edl" in line and "fcpxml" in line
    assert snapshot(planned_ad) == before


# -- nothing half-written when planning fails late ----------------------------------------


def test_a_late_failure_into_a_new_folder_leaves_no_folder(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(work.parent)
    assert main(["plan", "tiny_gpu.md", "--out", "new", "--yes"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("error: no video model fits")
    assert not (work / "new").exists()
    assert snapshot(work.parent) == before


def test_a_late_failure_into_an_empty_folder_leaves_it_empty(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "empty_dir").mkdir()
    assert main(["plan", "tiny_gpu.md", "--out", "empty_dir", "--yes"]) == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith("error: ")
    assert list((work / "empty_dir").iterdir()) == []


def test_a_failure_into_an_existing_project_leaves_it_byte_identical(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "ad.md", "--out", "proj", "--yes"]) == 0
    before = snapshot(work / "proj")
    for brief in ("tiny_gpu.md", "noscenes.fountain", "empty.md"):
        assert main(["plan", brief, "--out", "proj", "--yes"]) == 2
        assert snapshot(work / "proj") == before, brief
    capsys.readouterr()
    assert main(["status", "proj", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


# -- hostile names from the brief never leave DIR -------------------------------------------


def test_names_from_the_brief_never_write_outside_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # DIR sits deep enough that ../../ from any of its folders still lands in tmp_path.
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    (deep / "brief.md").write_text(HOSTILE_BRIEF)
    system = {p: _sha(Path(p)) for p in ("/etc/passwd", "/etc/shadow", "/etc/hosts")}
    outside_before = {p for p in files_under(tmp_path) if not p.startswith("a/b/c/DIR")}

    assert main(["plan", "brief.md", "--out", "DIR", "--yes", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["title"] == "/etc/passwd"
    for fmt in ("otio", "edl", "fcpxml", "csv", "breakdown", "md", "html", "json"):
        assert main(["export", "DIR", "--format", fmt]) == 0
        written = Path(capsys.readouterr().out.strip())
        assert written.resolve().is_relative_to((deep / "DIR").resolve())

    outside_after = {p for p in files_under(tmp_path) if not p.startswith("a/b/c/DIR")}
    assert outside_after == outside_before
    assert {p: _sha(Path(p)) for p in system} == system
    project = Project.open(deep / "DIR")
    folders = [ref.folder for ref in project.manifest.elements] + [
        ref.folder for ref in project.manifest.shots
    ]
    for folder in folders:
        assert "/" not in folder and ".." not in folder and not folder.startswith(".")


def test_a_relative_out_outside_the_cwd_is_the_users_choice(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "ad.md", "--out", "../escape", "--yes"]) == 0
    assert Project.is_project(work.parent / "escape")
    assert "storyboard.html" in capsys.readouterr().out


# -- good runs -------------------------------------------------------------------------------


def test_plan_prints_a_summary_that_agrees_with_the_files(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "ad.md", "--out", "proj", "--offline", "--yes", "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)  # stdout is only the JSON
    board = json.loads((work / "proj" / "storyboard.json").read_text(encoding="utf-8"))
    shots = [shot for seg in board["segments"] for shot in seg["shots"]]
    assert summary["title"] == board["title"]
    assert summary["shots"] == len(shots)
    assert summary["segments"] == len(board["segments"])
    assert summary["total_frames"] == board["total_frames"]
    assert summary["duration"] == board["end"]
    assert summary["frame_rate"] == board["frame_rate"]
    assert sum(summary["models"].values()) == len(shots)
    for model_id, count in summary["models"].items():
        assert count == sum(1 for shot in shots if shot["model_id"] == model_id)
    assert Path(summary["storyboard_html"]) == (work / "proj" / "storyboard.html").resolve()
    assert summary["estimated_cost_usd"] >= 0
    # Progress: one line per phase on stderr, none on stdout.
    phases = [line for line in captured.err.splitlines() if line.startswith("✓ ")]
    assert len(phases) >= 5


def test_plan_table_names_the_project_and_where_to_look(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", str(SHORT_FILM), "--out", "film", "--yes", "--fps", "29.97"]) == 0
    out = capsys.readouterr().out
    board = json.loads((work / "film" / "storyboard.json").read_text(encoding="utf-8"))
    assert "The Red Umbrella" in out
    assert board["end"] in out and ";" in board["end"]  # SMPTE drop-frame duration
    assert "29.97" in out and "drop-frame" in out
    assert f"Storyboard: {(work / 'film' / 'storyboard.html').resolve()}" in out.splitlines()
    for model_id in {s["model_id"] for seg in board["segments"] for s in seg["shots"]}:
        assert model_id in out


def test_plan_reads_the_brief_from_stdin_with_yes(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(AD_BRIEF.read_text(encoding="utf-8")))
    assert main(["plan", "-", "--out", "from_stdin", "--yes", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["title"] == "GaBy — Night Shift Cold Brew"
    assert Project.is_project(work / "from_stdin")


def test_plan_is_idempotent(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "ad.md", "--out", "proj", "--yes"]) == 0
    first = (work / "proj" / "storyboard.json").read_bytes()
    everything = snapshot(work / "proj")
    assert main(["plan", "ad.md", "--out", "proj", "--yes"]) == 0
    assert (work / "proj" / "storyboard.json").read_bytes() == first
    assert snapshot(work / "proj") == everything


def test_overrides_reach_the_plan(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--fps", "25", "--aspect", "16:9", "--duration", "20", "--language", "fr"]
    assert main(["plan", "ad.md", "--out", "proj", "--yes", *args]) == 0
    specs = json.loads((work / "proj" / "project.json").read_text(encoding="utf-8"))[
        "technical_specs"
    ]
    assert (specs["fps"], specs["aspect_ratio"], specs["language"]) == ("25", "16:9", "fr")
    board = json.loads((work / "proj" / "storyboard.json").read_text(encoding="utf-8"))
    assert board["total_frames"] == 20 * 25


# -- the confirmation ------------------------------------------------------------------------


def test_a_terminal_user_is_asked_and_may_decline(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    questions: list[str] = []

    def answer(prompt: str) -> str:
        questions.append(prompt)
        return "n"

    monkeypatch.setattr(commands_plan, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr(commands_plan, "_prompt", answer)
    before = snapshot(work.parent)
    assert main(["plan", str(SHORT_FILM), "--out", "film", "--offline"]) == 1
    captured = capsys.readouterr()
    assert len(questions) == 1
    assert "Plan this brief?" in captured.err and "The Red Umbrella" in captured.err
    assert "nothing was written" in captured.err
    assert snapshot(work.parent) == before


def test_a_terminal_user_who_agrees_gets_the_plan(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(commands_plan, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr(commands_plan, "_prompt", lambda prompt: asked.append(prompt) or "y")
    assert main(["plan", "ad.md", "--out", "proj", "--offline"]) == 0
    captured = capsys.readouterr()
    assert "Night Shift Cold Brew" in captured.err  # the brief's summary, before the question
    assert "Approve this plan" in captured.err  # the storyboard confirmation
    # the brief, the cost when a shot is billed (not for local models), then the storyboard
    billed = "The plan uses paid models" in captured.err
    assert len(asked) == (3 if billed else 2)
    assert Project.is_project(work / "proj")


def test_a_terminal_user_can_correct_the_brief_before_planning(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["edit duration=20", "y", "y", "y"])  # brief (twice), cost, storyboard
    monkeypatch.setattr(commands_plan, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr(commands_plan, "_prompt", lambda prompt: next(answers))
    assert main(["plan", "ad.md", "--out", "proj", "--offline"]) == 0
    board = json.loads((work / "proj" / "storyboard.json").read_text(encoding="utf-8"))
    assert board["total_frames"] == 20 * 24


def test_the_engine_is_called_in_one_place(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Swapping ``_run_plan`` (for the graph) changes nothing else in the command."""
    seen: list[commands_plan.PlanRequest] = []
    real = commands_plan._run_plan

    def spy(request: commands_plan.PlanRequest, **kwargs: Any) -> Any:
        seen.append(request)
        return real(request, **kwargs)

    monkeypatch.setattr(commands_plan, "_run_plan", spy)
    assert main(["plan", "ad.md", "--out", "proj", "--yes", "--offline", "--fps", "25"]) == 0
    assert len(seen) == 1
    request = seen[0]
    assert (request.fps, request.offline, request.source_name) == ("25", True, "ad.md")
    assert request.out_dir == Path("proj")


# -- status and export ---------------------------------------------------------------------


def test_status_reports_counts_and_gates(
    planned_ad: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", str(planned_ad), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    manifest = json.loads((planned_ad / "project.json").read_text(encoding="utf-8"))
    assert data["title"] == manifest["title"]
    assert data["phase"] == "planned"
    assert data["counts"]["shots"] == len(manifest["shots"])
    assert data["counts"]["segments"] == len(manifest["segments"])
    assert sum(data["counts"]["elements"].values()) == len(manifest["elements"])
    assert sum(data["shots_by_status"].values()) == len(manifest["shots"])
    assert data["specs"]["Aspect ratio"] == manifest["technical_specs"]["aspect_ratio"]
    assert data["gates"][0]["gate"] == "structure"
    assert all(gate["ok"] for gate in data["gates"]) and data["ok"] is True

    assert main(["status", str(planned_ad)]) == 0
    table = capsys.readouterr().out
    assert "✓" in table and "✗" not in table
    assert data["duration"] in table


def test_status_shows_a_failing_gate_and_still_exits_0(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "ad.md", "--out", "proj", "--yes"]) == 0
    (work / "proj" / "storyboard.html").unlink()
    capsys.readouterr()
    assert main(["status", "proj"]) == 0
    out = capsys.readouterr().out
    assert "✗" in out and "storyboard.html" in out
    assert main(["status", "proj", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    failing = [gate for gate in data["gates"] if not gate["ok"]]
    assert [gate["gate"] for gate in failing] == ["storyboard"]
    assert data["ok"] is False


def test_export_prints_the_path_it_wrote(
    planned_ad: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in ("otio", "edl", "fcpxml", "csv", "breakdown"):
        target = tmp_path / f"cut.{fmt}"
        assert main(["export", str(planned_ad), "--format", fmt, "--out", str(target)]) == 0
        assert Path(capsys.readouterr().out.strip()) == target.resolve()
        assert target.stat().st_size > 0


# -- the installed executable ----------------------------------------------------------------


def _storycore() -> str:
    return storycore_executable()


@pytest.mark.slow
def test_the_executable_refuses_bad_input_and_plans_from_stdin(work: Path) -> None:
    exe = _storycore()
    env = {**os.environ, "NO_COLOR": "1"}
    before = snapshot(work.parent)
    for argv in (
        ["plan", "binary.md", "--out", "out", "--yes"],
        ["plan", "noscenes.fountain", "--out", "out", "--yes"],
        ["plan", "ad.md", "--out", "out", "--yes", "--duration", "0"],
        ["plan", "ad.md", "--out", "out", "--yes", "--fps", "31"],
        ["plan", "-", "--out", "out"],
        ["export", ".", "--format", "edl"],
        ["status", "."],
    ):
        result = subprocess.run(
            [exe, *argv], cwd=work, env=env, capture_output=True, text=True, input="", timeout=120
        )
        assert result.returncode == 2, (argv, result.stderr)
        _one_error_line(result.stderr)
        assert result.stdout == ""
    assert snapshot(work.parent) == before

    result = subprocess.run(
        [exe, "plan", "-", "--out", "piped", "--yes", "--json"],
        cwd=work,
        env=env,
        input=AD_BRIEF.read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["shots"] == len(Project.open(work / "piped").manifest.shots)


UNCLEAR_BRIEF = """---
title: River Walk
fps: fast
mood_board: yes
---
A woman walks along the river at night and meets an old friend on the bridge.
"""


def test_what_was_not_understood_is_shown_but_does_not_block(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "unclear.md").write_text(UNCLEAR_BRIEF)
    assert main(["plan", "unclear.md", "--out", "auto", "--yes", "--offline"]) == 0
    assert (
        json.loads((work / "auto" / "project.json").read_text())["technical_specs"]["fps"] == "24"
    )
    capsys.readouterr()
    monkeypatch.setattr(commands_plan, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr(commands_plan, "_prompt", lambda prompt: "y")
    assert main(["plan", "unclear.md", "--out", "asked", "--offline"]) == 0
    err = capsys.readouterr().err
    assert "not understood" in err and "fast" in err and "mood_board" in err
