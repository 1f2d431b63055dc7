"""Resume, never redo: ``kill -9`` after a render finished but before the ledger recorded it
(or before its segment was committed), then ``produce`` again: it renders only the shots whose
render was not finished, takes the others from ``.storycore/renders/`` after checking them
(decoded, exact frames, the job's own provenance), and says so ("reused"). A partial or
foreign file is never taken."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from storycore.tools.production import animatic
from storycore.tools.production.animatic import AnimaticBackend
from storycore.tools.production.ledger import LEDGER_FILE, RENDERS_DIR, Ledger
from storycore.tools.production.producer import Production
from storycore.tools.production.records import media_records
from storycore.tools.production.run import run_production
from storycore.tools.project import Project

from .production_checks import assert_every_shot_produced, decoded_frames

pytestmark = pytest.mark.slow

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import produce_bench  # noqa: E402

SHOTS = 8

# A real `storycore produce` that SIGKILLs itself at the start of its Nth `Ledger.done`: the
# render of that job is finished and staged, the ledger still says `running` (and the other
# worker's shot is rendering or rendered beside it).
_KILLER = """
import os, signal, sys
from storycore.tools.production import ledger
original, calls = ledger.Ledger.done, []
def done(self, *args, **kwargs):
    calls.append(1)
    if len(calls) == int(os.environ["KILL_AT_DONE"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return original(self, *args, **kwargs)
ledger.Ledger.done = done
from storycore.agent.cli.main import entry_point
sys.argv = ["storycore", "produce", sys.argv[1], "--yes", "--json"]
entry_point()
"""


def _rows(root: Path) -> dict[str, Any]:
    with Ledger.open(root) as ledger:
        return {r.target_id: r for r in ledger.rows()}


def _finished_on_disk(root: Path) -> set[str]:
    """Shots whose clip is in its staging folder under its final name (renamed last)."""
    rows = _rows(root)
    return {
        shot_id
        for shot_id, row in rows.items()
        if (root / RENDERS_DIR / row.job_id / f"{shot_id}.mp4").is_file()
    }


def _count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    rendered: list[str] = []
    original = AnimaticBackend.wait

    def counting(self, backend_job_id, job, out_dir, on_progress=None):  # type: ignore[no-untyped-def]
        rendered.append(job.target_id)
        return original(self, backend_job_id, job, out_dir, on_progress)

    monkeypatch.setattr(AnimaticBackend, "wait", counting)
    return rendered


def _kill_at_done(root: Path, n: int) -> None:
    env = {**os.environ, "NO_COLOR": "1", "KILL_AT_DONE": str(n)}
    proc = subprocess.run(
        [sys.executable, "-c", _KILLER, str(root)], capture_output=True, env=env, timeout=300
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    _orphans_done(root)


def _orphans_done(root: Path, quiet: float = 1.0, limit: float = 60.0) -> None:
    """Wait until the renders folder stops changing: the killed process's other ffmpeg (two
    render at once) is an orphan that finishes writing its temporary file on its own."""
    renders = root / ".storycore" / "renders"

    def state() -> dict[str, tuple[int, int]]:
        if not renders.exists():
            return {}
        return {
            str(p): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in renders.rglob("*")
            if p.is_file()
        }

    deadline, last, since = time.monotonic() + limit, state(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = state()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


@pytest.fixture
def film(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    produce_bench.build(root, SHOTS, 64, 36)
    return root


def _check_film(root: Path) -> None:
    total = assert_every_shot_produced(root)
    film = Production(Project.open(root), "animatic").film_path()
    assert decoded_frames(root / film) == total


def test_kill_after_a_render_finished_then_resume_renders_only_the_unfinished_shots(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _kill_at_done(film, 3)  # two renders recorded, the third finished but not recorded
    Project.open(film)  # opens after the kill
    rows = _rows(film)
    finished = _finished_on_disk(film)
    recorded = {s for s, r in rows.items() if r.state.value == "done"}
    assert len(recorded) == 2 and len(finished - recorded) >= 1  # staged, still "running"
    attempts = {s: r.attempts for s, r in rows.items()}
    rendered = _count_renders(monkeypatch)
    result = run_production(Production(Project.open(film), "animatic"))
    assert not result.failed
    order = [f"shot_{i + 1:03d}" for i in range(SHOTS)]
    expected = [s for s in order if s not in finished]
    assert sorted(rendered) == expected  # two at once: in any order
    assert result.rendered == expected  # what the summary says: "Rendered N, reused M"
    assert result.reused == [s for s in order if s in finished]
    after = _rows(film)
    assert all(r.state.value == "done" for r in after.values())
    for shot_id in finished:
        assert after[shot_id].attempts == attempts[shot_id] == 1  # taken, not rendered again
    _check_film(film)
    again = run_production(Production(Project.open(film), "animatic"))
    assert again.rendered == [] and again.reused == order


def test_kill_before_the_commit_then_resume_reuses_every_finished_render(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _kill_at_done(film, SHOTS)  # the last render finished, not recorded, nothing committed
    assert not media_records(Project.open(film))
    finished = _finished_on_disk(film)
    assert len(finished) == SHOTS  # every clip was rendered before the kill
    rendered = _count_renders(monkeypatch)
    result = run_production(Production(Project.open(film), "animatic"))
    assert rendered == [] and result.rendered == [] and not result.failed
    assert len(result.reused) == SHOTS
    _check_film(film)


def test_a_partial_or_foreign_staged_file_is_rendered_again(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _kill_at_done(film, SHOTS)
    rows = _rows(film)
    staged = {s: film / RENDERS_DIR / r.job_id for s, r in rows.items()}
    cut = staged["shot_002"] / "shot_002.mp4"  # a clip cut short under its final name
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])
    end = staged["shot_003"] / "shot_003_end.png"  # a keyframe cut short
    end.write_bytes(end.read_bytes()[:100])
    # shot_004's folder holds shot_005's clip under shot_004's name (other provenance)
    (staged["shot_004"] / "shot_004.mp4").write_bytes(
        (staged["shot_005"] / "shot_005.mp4").read_bytes()
    )
    rendered = _count_renders(monkeypatch)
    result = run_production(Production(Project.open(film), "animatic"))
    assert sorted(rendered) == ["shot_002", "shot_003", "shot_004"]
    assert result.rendered == ["shot_002", "shot_003", "shot_004"] and not result.failed
    assert len(result.reused) == SHOTS - 3
    _check_film(film)


def test_adopt_checks_frames_and_inputs(film: Path) -> None:
    _kill_at_done(film, SHOTS)
    production = Production(Project.open(film), "animatic")
    task = production.tasks["shot_001"]
    job = production._ensure_picture(task.job, task.planned)
    staging = production._staging(_rows(film)["shot_001"].job_id)
    backend = animatic.AnimaticBackend()
    assert backend.adopt(job, staging) is not None
    from dataclasses import replace

    assert backend.adopt(replace(job, frame_count=job.frame_count + 1), staging) is None
    other = replace(job, provenance={**job.provenance, "generation_hash": "other"})
    assert backend.adopt(other, staging) is None


def test_renders_are_recorded_as_they_finish_and_committed_in_timeline_order(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    original = AnimaticBackend.wait

    def slow_first(self, backend_job_id, job, out_dir, on_progress=None):  # type: ignore[no-untyped-def]
        if job.target_id == "shot_001":
            time.sleep(1.0)  # shot_002, beside it, finishes first
        return original(self, backend_job_id, job, out_dir, on_progress)

    monkeypatch.setattr(AnimaticBackend, "wait", slow_first)
    result = run_production(Production(Project.open(film), AnimaticBackend(parallel=2)))
    order = [f"shot_{i + 1:03d}" for i in range(SHOTS)]
    assert result.rendered == order and not result.failed
    rows = _rows(film)
    assert rows["shot_002"].finished_at < rows["shot_001"].finished_at
    produced = next(e for e in Project.open(film).history() if e.note.startswith("produce "))
    assert produced.note == "produce seg_01: " + ", ".join(order)
    clips = [p for p in produced.paths if p.startswith("03_videos/")]
    assert clips == [f"03_videos/{s}_v1.mp4" for s in order]
    _check_film(film)


def _files(root: Path) -> dict[str, bytes]:
    """Every file of the project with its bytes, the staging folders and their temporary
    leftovers included; the ledger's SQLite files left out (compared by their rows)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(Path(LEDGER_FILE).name)
    }


@pytest.mark.parametrize("kill_at", [3, SHOTS])
def test_dry_run_after_a_kill_says_what_the_run_will_do(
    film: Path, monkeypatch: pytest.MonkeyPatch, kill_at: int
) -> None:
    _kill_at_done(film, kill_at)  # a finished render staged, its ledger row still `running`
    finished = _finished_on_disk(film)
    files, rows = _files(film), {s: (r.state, r.attempts) for s, r in _rows(film).items()}
    rendered = _count_renders(monkeypatch)
    production = Production(Project.open(film), "animatic")
    data = production.dry_run()
    frames = {t.shot_id: t.job.frame_count for t in production.to_render()}
    assert rendered == []  # looked, rendered nothing
    assert _files(film) == files  # nothing adopted, moved or tidied away
    assert {s: (r.state, r.attempts) for s, r in _rows(film).items()} == rows
    order = [f"shot_{i + 1:03d}" for i in range(SHOTS)]
    assert data["reused"] == [s for s in order if s in finished]
    assert data["would_render"] == [s for s in order if s not in finished]
    result = run_production(Production(Project.open(film), "animatic"))
    assert not result.failed
    assert sorted(rendered) == data["would_render"] == result.rendered
    assert result.reused == data["reused"]
    assert data["frames"] == sum(frames[s] for s in data["would_render"])


def _start_order(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from storycore.tools.production import rendering

    started: list[str] = []
    original = rendering.ShotRendering._start

    def recording(self, ledger, job, task, pool):  # type: ignore[no-untyped-def]
        started.append(job.target_id)  # the producer's thread: in the order renders start
        return original(self, ledger, job, task, pool)

    monkeypatch.setattr(rendering.ShotRendering, "_start", recording)
    return started


@pytest.mark.parametrize("parallel", [1, 2])
def test_side_by_side_the_longest_shots_start_first_and_commit_in_timeline_order(
    film: Path, monkeypatch: pytest.MonkeyPatch, parallel: int
) -> None:
    started = _start_order(monkeypatch)
    result = run_production(Production(Project.open(film), AnimaticBackend(parallel=parallel)))
    order = [f"shot_{i + 1:03d}" for i in range(SHOTS)]
    assert result.rendered == order and not result.failed
    if parallel == 1:  # nothing to balance: timeline order
        assert started == order
    else:  # 48, 72, 96, 120, 72, 60, 48, 72 frames: the longest first, ties in timeline order
        assert started == [f"shot_{i:03d}" for i in (4, 3, 2, 5, 8, 6, 1, 7)]
    produced = next(e for e in Project.open(film).history() if e.note.startswith("produce "))
    assert produced.note == "produce seg_01: " + ", ".join(order)
    _check_film(film)


def test_a_shot_that_continues_from_another_to_render_keeps_timeline_order() -> None:
    from types import SimpleNamespace

    from storycore.tools.production.rendering import start_order

    def task(shot_id: str, frames: int, continues_from: str | None = None) -> Any:
        spec = SimpleNamespace(continues_from=continues_from)
        return SimpleNamespace(
            shot_id=shot_id,
            job=SimpleNamespace(frame_count=frames),
            planned=SimpleNamespace(spec=spec),
        )

    a, b, c = task("a", 24), task("b", 96), task("c", 48)
    assert start_order([a, b, c], 2) == [b, c, a]
    assert start_order([a, b, c], 1) == [a, b, c]
    chained = task("c", 48, continues_from="a")
    assert start_order([a, b, chained], 2) == [a, b, chained]  # c needs a's last frame first
    # continuing from a shot already rendered (not in this run) does not hold the order back
    elsewhere = task("c", 48, continues_from="z")
    assert start_order([a, b, elsewhere], 2) == [b, elsewhere, a]
