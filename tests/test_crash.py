"""The crash suite: every mutating command killed (SIGKILL) inside its transactions.

``STORYCORE_CRASH_AT_WRITE=N`` (read by tools/project.py, for tests only) makes the process
kill itself right after its Nth journal entry. After each kill the project must open, hold
exactly what it held before the command (or, for a new folder, say the plan was
interrupted), pass the gates it passed before, and the next command must work.

Counts are bounded so that the suite runs in about a minute on two cores; the figures are in
docs/trust.md.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from storycore.tools.errors import ProjectError
from storycore.tools.project import CRASH_ENV, Project
from storycore.tools.validation import run_all

from .conftest import snapshot, storycore_executable

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: Journal entries of each command on the example projects (measured: plan into a new
#: folder 121, plan into an existing project 287, elements add 5, feedback on one shot 6).
PLAN_EXISTING_KILLS = (1, 60, 150, 280)
PLAN_NEW_KILLS = (1, 60, 110)  # the ad plans in about 115 journal writes now
ELEMENT_KILLS = (1, 3, 5)
FEEDBACK_KILLS = (1, 3, 5)


def _run(args: list[str], *, crash_at: int | None = None, cwd: Path | None = None):
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash_at is not None:
        env[CRASH_ENV] = str(crash_at)
    return subprocess.run(
        [storycore_executable(), *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env=env,
        cwd=cwd,
    )


def _gates(root: Path) -> list[tuple[str, bool]]:
    return [(v.gate, v.ok) for v in run_all(Project.open(root))]


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crash") / "ad"
    done = _run(["plan", str(EXAMPLES / "ad_brief.md"), "--out", str(root), "--yes"])
    assert done.returncode == 0, done.stderr
    return root


def _copy(planned: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(planned, tmp_path / "ad"))


def _assert_as_before(root: Path, before: dict[str, bytes | None], gates: object) -> None:
    project = Project.open(root)  # rolls back what the crash left
    assert snapshot(root) == before
    assert project.manifest.shots
    assert _gates(root) == gates
    assert not list((root / ".storycore" / "history").glob("*.pending"))
    status = _run(["status", str(root)])
    assert status.returncode == 0, status.stderr


def test_plan_into_an_existing_project_killed_anywhere_is_rolled_back(
    planned: Path, tmp_path: Path
) -> None:
    root = _copy(planned, tmp_path)
    before, gates = snapshot(root), _gates(root)
    killed = 0
    for n in PLAN_EXISTING_KILLS:
        done = _run(
            ["plan", str(EXAMPLES / "french_prose_brief.md"), "--out", str(root), "--yes"],
            crash_at=n,
        )
        assert done.returncode in (-signal.SIGKILL, 0), done.stderr
        if done.returncode == 0:
            break  # fewer journal entries than n: the plan finished
        killed += 1
        _assert_as_before(root, before, gates)
    assert killed == len(PLAN_EXISTING_KILLS)
    again = _run(["plan", str(EXAMPLES / "french_prose_brief.md"), "--out", str(root), "--yes"])
    assert again.returncode == 0, again.stderr
    assert snapshot(root) != before
    assert all(passed for _, passed in _gates(root))


@pytest.mark.parametrize("n", PLAN_NEW_KILLS)
def test_plan_into_a_new_folder_killed_is_never_a_project_that_looks_complete(
    tmp_path: Path, n: int
) -> None:
    root = tmp_path / "new"
    brief = str(EXAMPLES / "ad_brief.md")
    done = _run(["plan", brief, "--out", str(root), "--yes"], crash_at=n)
    assert done.returncode == -signal.SIGKILL, done.stderr
    status = _run(["status", str(root)])
    assert status.returncode == 2
    assert status.stderr.startswith("error: "), status.stderr
    if Project.is_project(root):
        with pytest.raises(ProjectError, match="interrupted"):
            Project.open(root)
    again = _run(["plan", brief, "--out", str(root), "--yes"])
    assert again.returncode == 0, again.stderr
    assert all(passed for _, passed in _gates(root))


def test_elements_add_killed_anywhere_is_rolled_back(planned: Path, tmp_path: Path) -> None:
    root = _copy(planned, tmp_path)
    before, gates = snapshot(root), _gates(root)
    args = ["elements", "add", str(root), "--type", "prop", "--name", "Red kite"]
    for n in ELEMENT_KILLS:
        done = _run([*args, "--description", "A red kite."], crash_at=n)
        assert done.returncode == -signal.SIGKILL, done.stderr
        _assert_as_before(root, before, gates)
    assert _run([*args, "--description", "A red kite."]).returncode == 0
    assert snapshot(root) != before


def test_feedback_killed_anywhere_is_rolled_back(planned: Path, tmp_path: Path) -> None:
    root = _copy(planned, tmp_path)
    before, gates = snapshot(root), _gates(root)
    args = ["feedback", str(root), "make shot 1 a close-up", "--offline", "--yes"]
    killed = 0
    for n in FEEDBACK_KILLS:
        done = _run(args, crash_at=n)
        assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr
        killed += 1
        _assert_as_before(root, before, gates)
    assert killed == len(FEEDBACK_KILLS)
    done = _run(args)
    assert done.returncode == 0, done.stderr
    assert snapshot(root) != before
