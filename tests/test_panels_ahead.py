"""Panels drawn ahead in worker processes: the same files as drawn in this process.

:mod:`storycore.tools.storyboard.ahead` draws the panels of a large storyboard in other
processes while the prompts are written; whether it does, fails or cannot start, the
project must hold the same files, and a test that replaces ``draw_panel`` must still see
every panel drawn.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from storycore.tools.planner import plan_project
from storycore.tools.storyboard import ahead

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
sys.path.insert(0, str(Path(__file__).parent))
from plan_bench import screenplay
from plan_fixtures import count_panel_draws

SCENES = 4  # about 36 shots


def _files(root: Path) -> dict[str, bytes]:
    """Every file of the project outside ``.storycore`` (element cards carry a timestamp)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".storycore" not in p.parts and "01_elements" not in p.parts
    }


def _plan(root: Path) -> dict[str, bytes]:
    plan_project(screenplay(SCENES), root, source_name="ahead.fountain")
    return _files(root)


@pytest.fixture
def drawn_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The project's files with every panel drawn in this process."""
    with monkeypatch.context() as patch:
        patch.setattr(ahead, "AHEAD_MIN_PANELS", 10**9)
        return _plan(tmp_path / "here")


def _count_takes(monkeypatch: pytest.MonkeyPatch, source: type[Any]) -> list[str]:
    """The panels ``source.take`` hands over (drawn ahead, not by the planner), as taken."""
    taken: list[str] = []
    real_take = source.take

    def counting(self: Any, rel: str, wanted: str) -> bytes | None:
        data = real_take(self, rel, wanted)
        if data is not None:
            taken.append(rel)
        return data

    monkeypatch.setattr(source, "take", counting)
    return taken


def _record_spawns(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The panel worker processes started, as they start."""
    spawned: list[Any] = []
    real_spawn = ahead._spawn

    def recording() -> Any:
        proc = real_spawn()
        spawned.append(proc)
        return proc

    monkeypatch.setattr(ahead, "_spawn", recording)
    return spawned


def test_panels_drawn_ahead_give_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drawn_here: dict[str, bytes]
) -> None:
    monkeypatch.setattr(ahead, "AHEAD_MIN_PANELS", 1)
    monkeypatch.setattr(ahead, "_worker_count", lambda: 2)
    taken = _count_takes(monkeypatch, ahead.PanelsAhead)
    files = _plan(tmp_path / "ahead")
    panels = [rel for rel in files if rel.endswith("/panel.png")]
    assert sorted(taken) == sorted(panels)  # every panel came from the workers
    assert files == drawn_here


@pytest.mark.parametrize("worker", ["/bin/false", "/nonexistent/python"])
def test_a_worker_that_fails_or_cannot_start_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drawn_here: dict[str, bytes], worker: str
) -> None:
    monkeypatch.setattr(ahead, "AHEAD_MIN_PANELS", 1)
    monkeypatch.setattr(ahead, "_worker_count", lambda: 1)
    monkeypatch.setattr(ahead.sys, "executable", worker)
    assert _plan(tmp_path / "failed") == drawn_here


def test_a_replaced_draw_panel_sees_every_panel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "AHEAD_MIN_PANELS", 1)
    drawn = count_panel_draws(monkeypatch)
    files = _plan(tmp_path / "patched")
    assert len(drawn) == sum(1 for rel in files if rel.endswith("/panel.png")) > 0


# -- smaller storyboards: panels drawn ahead on threads of this process -------------------


@pytest.fixture
def drawn_by_write_panels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The project's files with no panel drawn ahead (neither processes nor threads)."""
    with monkeypatch.context() as patch:
        patch.setattr(ahead, "_source", lambda specs, jobs: None)
        return _plan(tmp_path / "written")


def test_panels_drawn_ahead_on_threads_give_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drawn_by_write_panels: dict[str, bytes]
) -> None:
    monkeypatch.setattr(ahead.panels, "panel_workers", lambda: 2)
    monkeypatch.setattr(ahead.ThreadsAhead, "steal_min_left", 10**9)  # the threads only
    taken = _count_takes(monkeypatch, ahead.ThreadsAhead)
    files = _plan(tmp_path / "threads")
    panels = [rel for rel in files if rel.endswith("/panel.png")]
    assert len(panels) < ahead.AHEAD_MIN_PANELS  # a storyboard for the threads
    assert sorted(taken) == sorted(panels)  # every panel came from the threads
    assert files == drawn_by_write_panels


def test_panels_no_thread_has_started_are_drawn_here_each_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drawn_by_write_panels: dict[str, bytes]
) -> None:
    """Threads held on their first panel: the storyboard phase draws every panel they have
    not started (from the last one back) instead of waiting, takes the two they drew, and no
    panel is drawn twice."""
    monkeypatch.setattr(ahead.panels, "panel_workers", lambda: 2)
    release = threading.Event()
    real_draw, real_forget = ahead._draw_one, ahead.ThreadsAhead.forget
    drawn: list[str] = []
    real_png = ahead.panels.panel_png

    def held(specs: Any, shot: Any, names: list[str]) -> bytes:
        assert release.wait(30)
        return real_draw(specs, shot, names)

    def forget(self: Any, rel: str) -> bool:
        given_up = real_forget(self, rel)
        if not given_up:  # every panel left is being drawn: let the threads go on
            release.set()
        return given_up

    def png(shot: Any, specs: Any, names: Any = ()) -> bytes:
        drawn.append(shot.shot_id)
        return real_png(shot, specs, names)

    monkeypatch.setattr(ahead, "_draw_one", held)
    monkeypatch.setattr(ahead.ThreadsAhead, "forget", forget)
    monkeypatch.setattr(ahead.panels, "panel_png", png)
    taken = _count_takes(monkeypatch, ahead.ThreadsAhead)
    files = _plan(tmp_path / "stolen")
    panels = [rel for rel in files if rel.endswith("/panel.png")]
    assert len(taken) == 2  # the two panels the threads had started
    assert sorted(drawn) == sorted(set(drawn)) and len(drawn) == len(panels)
    assert files == drawn_by_write_panels


@pytest.mark.parametrize("failure", ["raises", "wrong panel"])
def test_a_thread_that_fails_or_draws_a_wrong_panel_changes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    drawn_by_write_panels: dict[str, bytes],
    failure: str,
) -> None:
    monkeypatch.setattr(ahead.panels, "panel_workers", lambda: 2)
    calls: list[str] = []

    def broken(specs: object, shot: object, names: list[str]) -> bytes:
        calls.append(failure)
        if failure == "raises":
            raise OSError("no room to draw")
        return ahead.panels.panel_png(shot, specs, [*names, "someone else"])  # type: ignore[arg-type]

    monkeypatch.setattr(ahead, "_draw_one", broken)
    assert _plan(tmp_path / "broken") == drawn_by_write_panels
    assert calls  # the threads did draw (and every panel was drawn again)


def test_workers_started_early_and_not_used_are_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drawn_by_write_panels: dict[str, bytes]
) -> None:
    monkeypatch.setattr(ahead, "AHEAD_MIN_PANELS", 1)
    monkeypatch.setattr(ahead, "_worker_count", lambda: 1)
    spawned = _record_spawns(monkeypatch)
    drawn = count_panel_draws(monkeypatch)  # a replaced draw_panel: no panel drawn ahead
    files = _plan(tmp_path / "unused")
    assert len(spawned) == 1  # started after the breakdown...
    assert all(proc.poll() is not None for proc in spawned)
    assert len(drawn) == sum(1 for rel in files if rel.endswith("/panel.png"))
    assert files == drawn_by_write_panels


def test_panels_not_ready_are_drawn_here_from_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drawn_by_write_panels: dict[str, bytes]
) -> None:
    """A worker that has not answered yet: this process draws the panels from the last one
    back (here, all of them: the worker never answers) and stops the worker."""
    silent = tmp_path / "silent-python"
    silent.write_text("#!/bin/sh\nexec sleep 600\n")
    silent.chmod(0o755)
    monkeypatch.setattr(ahead, "AHEAD_MIN_PANELS", 1)
    monkeypatch.setattr(ahead, "_worker_count", lambda: 1)
    monkeypatch.setattr(ahead.sys, "executable", str(silent))
    monkeypatch.setattr(ahead.panels, "STEAL_MIN_LEFT", 1)
    spawned = _record_spawns(monkeypatch)
    assert _plan(tmp_path / "stolen") == drawn_by_write_panels
    assert spawned and all(proc.poll() is not None for proc in spawned)
