"""``kill -9`` during ``storycore produce``, at random moments, several times: every time the
project opens, the next run completes, and no job that had finished is rendered again."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from storycore.tools.domain import Phase, Resolution
from storycore.tools.production.ledger import Ledger
from storycore.tools.project import Project
from storycore.tools.structure import load_shots

from .conftest import storycore_executable
from .plan_fixtures import build_planned_project
from .production_checks import assert_every_shot_produced, decoded_frames

pytestmark = pytest.mark.slow

KILLS = 6


def _project(root: Path) -> Path:
    project = build_planned_project(root, fps="24", repeat=2)
    with project.transaction("test: planned, tiny frames", undoable=False) as tx:
        specs = tx.manifest.technical_specs
        tx.manifest.technical_specs = specs.model_copy(
            update={"resolution": Resolution(width=64, height=36)}
        )
        tx.manifest.phase = Phase.PLANNED
    return root


def _done_jobs(root: Path) -> dict[str, int]:
    if not Ledger.exists(root):
        return {}
    with Ledger.open(root) as ledger:
        return {r.job_id: r.attempts for r in ledger.rows() if r.state.value == "done"}


def test_sigkill_at_random_moments_then_produce_completes_without_rendering_twice(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "film")
    rng = random.Random(20261202)
    command = [storycore_executable(), "produce", str(root), "--yes", "--json"]
    env = {**os.environ, "NO_COLOR": "1"}
    finished_before: dict[str, int] = {}
    completed_early = False
    for _ in range(KILLS):
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        # A random moment: after 0 to 2 more jobs have finished (startup, a render, a
        # commit, a join), then up to half a second more. Waiting on the ledger, not on a
        # fixed delay, keeps the kills inside the work on a slow or busy machine.
        wanted = len(finished_before) + rng.choice([0, 1, 1, 2])
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if len(_done_jobs(root)) >= wanted:
                break
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.5))
        if proc.poll() is not None:
            completed_early = True  # it finished before the kill: nothing left to interrupt
            break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        Project.open(root)  # opens (rolling back a cut transaction) after every kill
        done = _done_jobs(root)
        for job_id, attempts in finished_before.items():
            assert done.get(job_id) == attempts, "a finished job was rendered again"
        finished_before = done
    final = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert final.returncode == 0, final.stderr
    data = json.loads(final.stdout)
    assert not data["failed"]
    done = _done_jobs(root)
    for job_id, attempts in finished_before.items():
        assert done[job_id] == attempts, "a job finished before a kill was rendered again"
    total = assert_every_shot_produced(root)
    assert data["final"]["frames"] == total == decoded_frames(root / data["final"]["path"])
    shots = load_shots(Project.open(root))
    # no half-written file anywhere a user looks
    leftovers = [p for p in root.rglob(".*") if p.is_file() and ".storycore" not in p.parts]
    assert leftovers == []
    with Ledger.open(root) as ledger:
        rows = ledger.rows()
    assert all(r.state.value == "done" for r in rows)
    assert len(rows) == len(shots)  # one job per shot: none queued twice
    # run again: nothing to do
    again = json.loads(
        subprocess.run(command, capture_output=True, text=True, env=env, timeout=600).stdout
    )
    assert again["rendered"] == [] and len(again["reused"]) == len(shots)
    assert completed_early or finished_before, "no kill ever landed after a finished job"
