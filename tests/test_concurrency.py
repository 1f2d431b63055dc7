"""Several processes changing different shots of one project at the same time.

Each ``feedback`` plans its change without the lock and applies it under the lock; one that
finds the project changed in between plans it again and applies it (only a real conflict is
refused). Every change must land, none may be lost, and the project must pass its gates.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from storycore.tools.project import Project
from storycore.tools.validation import run_all

from .conftest import storycore_executable

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [storycore_executable(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def _shot_sizes(root: Path) -> dict[str, str]:
    sizes = {}
    for path in sorted(root.glob("02_shots/*/shot.json")):
        shot = json.loads(path.read_text())
        sizes[shot["shot_id"]] = shot["shot_size"]
    return sizes


def test_concurrent_feedback_on_different_shots_all_lands(tmp_path: Path) -> None:
    root = tmp_path / "ad"
    done = subprocess.run(
        [storycore_executable(), "plan", str(EXAMPLES / "ad_brief.md"), "--out", str(root), "-y"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # Four different shots, each asked for a size it does not have.
    before = _shot_sizes(root)
    chosen = list(before)[:4]
    wanted = {s: "WS" if before[s] == "CU" else "CU" for s in chosen}
    words = {"WS": "a wide shot", "CU": "a close-up"}
    runs = [
        _start(
            [
                "feedback",
                str(root),
                f"make shot {int(s.split('_')[1])} {words[wanted[s]]}",
                "--offline",
                "--yes",
            ]
        )
        for s in chosen
    ]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in runs]
    for code, err in results:
        assert code == 0, err
    sizes = _shot_sizes(root)
    assert all(sizes[s] == wanted[s] for s in chosen), (wanted, sizes)
    assert all(v.ok for v in run_all(Project.open(root)))
    history = [entry.note for entry in Project.open(root).history()]
    assert sum("CU" in note or "close" in note.lower() or "shot" in note for note in history) >= 4


def test_two_threads_of_one_process_never_change_a_project_at_once(tmp_path: Path) -> None:
    """The studio writes from several threads: each waits for the other's transaction, and
    neither takes the other's live journal for a crashed one."""
    import threading
    import time

    Project.create(tmp_path / "film", title="Film")
    inside: list[str] = []
    started = threading.Event()

    def change(name: str, hold: float) -> None:
        project = Project.open(tmp_path / "film")
        with project.transaction(f"change by {name}") as tx:
            inside.append(f"{name} in")
            started.set()
            tx.write_text(f"notes_{name}.txt", name)
            time.sleep(hold)
            inside.append(f"{name} out")

    first = threading.Thread(target=change, args=("a", 0.5))
    first.start()
    started.wait(5)
    second = threading.Thread(target=change, args=("b", 0.0))
    second.start()
    first.join(10)
    second.join(10)
    assert inside == ["a in", "a out", "b in", "b out"]
    project = Project.open(tmp_path / "film")
    assert [e.note for e in project.history()][:2] == ["change by b", "change by a"]
    assert (tmp_path / "film" / "notes_a.txt").read_text() == "a"


def test_a_transaction_inside_another_on_the_same_thread_still_joins_it(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", title="Film")
    other = Project.open(tmp_path / "film")
    with project.transaction("outer") as tx:
        tx.write_text("a.txt", "a")
        with other.lock():  # the same thread takes the lock again: no deadlock
            pass
    assert (tmp_path / "film" / "a.txt").read_text() == "a"
