"""The project store and the structure manager: layout, transactions, undo, confinement."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from storycore.tools import structure
from storycore.tools.domain import ElementType, ShotSpec
from storycore.tools.errors import ConfinementError, ConflictError, NotAProject, ProjectError
from storycore.tools.project import LAYOUT, Project

from .conftest import files_under, snapshot

HOSTILE = ["../../x", "/etc/passwd", "a/b", "CON", "y" * 300, "🎬 scène", ""]


def shot(n: int, title: str = "", frames: int = 48) -> ShotSpec:
    return ShotSpec(shot_id=f"shot_{n:02d}", title=title, start_frame=0, end_frame=frames)


def test_create_makes_the_layout_and_is_idempotent(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", title="Film")
    for folder in LAYOUT:
        assert (project.root / folder).is_dir()
    manifest = json.loads((project.root / "project.json").read_text())
    assert manifest["title"] == "Film" and manifest["schema_version"] == 1
    before = files_under(project.root)
    again = Project.create(tmp_path / "film", title="Other")
    assert again.manifest.title == "Film"
    assert files_under(project.root) == before


def test_a_non_empty_foreign_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(NotAProject):
        Project.create(tmp_path)
    with pytest.raises(NotAProject):
        Project.open(tmp_path)
    assert files_under(tmp_path) == {"notes.txt"}


def test_an_exception_rolls_every_change_back(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    with project.transaction("shots") as tx:
        structure.add_shots(tx, [shot(1, "Intro"), shot(2, "Bridge")])
    before = snapshot(project.root)
    with pytest.raises(RuntimeError), project.transaction("broken") as tx:
        structure.insert_shot(tx, shot(3, "New"), position=0)
        structure.remove_shot(tx, "shot_02")
        tx.write_text("exports/x.txt", "half")
        raise RuntimeError("boom")
    assert snapshot(project.root) == before


def test_a_crash_mid_transaction_is_rolled_back_on_next_open(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    code = f"""
import os
from storycore.tools.project import Project
p = Project.open({str(project.root)!r})
with p.transaction("crash") as tx:
    tx.write_text("exports/partial.txt", "half")
    tx.manifest.title = "Half"
    os._exit(9)
"""
    result = subprocess.run([sys.executable, "-c", code], check=False)
    assert result.returncode == 9
    assert (project.root / "exports/partial.txt").exists()  # the crash left it
    reopened = Project.open(project.root)
    assert not (reopened.root / "exports/partial.txt").exists()
    assert reopened.manifest.title == "Untitled"


def test_a_crash_after_the_commit_sync_but_before_the_entry_counts_is_rolled_back(
    tmp_path: Path,
) -> None:
    """The history entry (meta.json) is written before the commit's sync; a change killed
    after the sync but before its folder is renamed to an entry is not in the history and is
    rolled back on the next open, like any other unfinished change."""
    project = Project.create(tmp_path / "p")
    code = f"""
import os
from storycore.tools.project import Project
real_replace = os.replace
def replace(src, dst, *args, **kwargs):
    if str(src).endswith(".pending"):
        os._exit(9)  # killed right before the change counts as done
    return real_replace(src, dst, *args, **kwargs)
os.replace = replace
p = Project.open({str(project.root)!r})
with p.transaction("crash") as tx:
    tx.write_text("exports/partial.txt", "whole")
    tx.manifest.title = "Changed"
"""
    result = subprocess.run([sys.executable, "-c", code], check=False)
    assert result.returncode == 9
    pending = list((project.root / ".storycore" / "history").glob("*.pending"))
    assert [p.name for p in pending] and (pending[0] / "meta.json").is_file()
    reopened = Project.open(project.root)
    assert reopened.history() == []
    with reopened.transaction("next"):  # recovery runs when the lock is taken
        pass
    assert not (reopened.root / "exports/partial.txt").exists()
    assert reopened.manifest.title == "Untitled"
    assert not list((project.root / ".storycore" / "history").glob("*.pending"))


def test_opening_the_project_during_a_transaction_of_this_process_leaves_it_running(
    tmp_path: Path,
) -> None:
    # A server reads the project (its own Project object) while one of its own requests is
    # in the middle of a change: that is not a crash, and must not be rolled back.
    project = Project.create(tmp_path / "p")
    with project.transaction("long change") as tx:
        tx.write_text("exports/first.txt", "one")
        reader = Project.open(project.root)
        assert (reader.root / "exports/first.txt").read_text() == "one"
        with reader.transaction("other reader's change") as other:
            other.write_text("exports/other.txt", "two")
        tx.write_text("exports/second.txt", "three")
    assert (project.root / "exports/first.txt").read_text() == "one"
    assert (project.root / "exports/second.txt").read_text() == "three"
    assert {entry.note for entry in Project.open(project.root).history()} >= {
        "long change",
        "other reader's change",
    }
    assert not list((project.root / ".storycore/history").glob("*.pending"))


def test_insert_and_remove_renumber_folders_and_keep_references(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    with project.transaction("plan") as tx:
        structure.add_shots(tx, [shot(1, "Intro"), shot(2, "Bridge"), shot(3, "End")])
    with project.transaction("insert") as tx:
        structure.insert_shot(
            tx, shot(2, "Candles").model_copy(update={"shot_id": "shot_01a"}), position=1
        )
    folders = [r.folder for r in project.manifest.shots]
    assert folders == ["01_Intro", "02_Candles", "03_Bridge", "04_End"]
    assert sorted(os.listdir(project.root / "02_shots")) == folders
    # references are by id: every shot still reads back from its (renamed) folder
    assert [s.shot_id for s in structure.load_shots(project)] == [
        "shot_01",
        "shot_01a",
        "shot_02",
        "shot_03",
    ]
    with project.transaction("remove") as tx:
        structure.remove_shot(tx, "shot_01")
    assert [r.folder for r in project.manifest.shots] == ["01_Candles", "02_Bridge", "03_End"]
    assert structure.read_shot(project, "shot_03").title == "End"
    with project.transaction("move") as tx:
        structure.move_shot(tx, "shot_03", 0)
    assert [r.folder for r in project.manifest.shots] == ["01_End", "02_Candles", "03_Bridge"]
    assert sorted(os.listdir(project.root / "02_shots")) == ["01_End", "02_Candles", "03_Bridge"]


def test_elements_renumber_on_removal(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    with project.transaction("elements") as tx:
        for name in ("GaBy", "Judas", "Bridge"):
            structure.add_element_folder(tx, f"e_{name.lower()}", ElementType.CHARACTER, name)
        tx.write_text("01_elements/02_Judas/notes.txt", "keep me")
    with project.transaction("remove") as tx:
        structure.remove_element_folder(tx, "e_gaby")
    assert [r.folder for r in project.manifest.elements] == ["01_Judas", "02_Bridge"]
    assert (project.root / "01_elements/01_Judas/notes.txt").read_text() == "keep me"
    assert structure.element_folder(project, "e_bridge").name == "02_Bridge"


def test_hostile_names_never_leave_the_project(tmp_path: Path) -> None:
    root = tmp_path / "inside" / "p"
    project = Project.create(root)
    with project.transaction("hostile") as tx:
        for i, name in enumerate(HOSTILE):
            structure.add_element_folder(tx, f"e_{i}", ElementType.PROP, name)
        structure.add_shots(
            tx,
            [shot(i + 1).model_copy(update={"description": n}) for i, n in enumerate(HOSTILE)],
        )
    assert files_under(tmp_path) - {"inside"} == {
        f"inside/p/{rel}" if rel else "inside/p" for rel in ["", *files_under(root)]
    }
    for ref in [*project.manifest.elements, *project.manifest.shots]:
        assert re.fullmatch(r"\d{2,3}_[A-Za-z0-9_]{1,44}", ref.folder), ref.folder
    folders = [r.folder for r in project.manifest.elements]
    assert len({f.split("_", 1)[1].lower() for f in folders}) == len(folders)  # unique names


def test_writing_outside_the_root_is_refused(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    with pytest.raises(ConfinementError), project.transaction("escape") as tx:
        tx.write_text("../escaped.txt", "no")
    assert not (tmp_path / "escaped.txt").exists()
    with pytest.raises(ProjectError), project.transaction("internal") as tx:
        tx.remove(".storycore")


def test_undo_restores_the_previous_state_and_refuses_after_an_outside_edit(
    tmp_path: Path,
) -> None:
    project = Project.create(tmp_path / "p")
    with project.transaction("plan") as tx:
        structure.add_shots(tx, [shot(1, "Intro"), shot(2, "Bridge")])
    before = snapshot(project.root)
    with project.transaction("remove shot") as tx:
        structure.remove_shot(tx, "shot_01")
    assert project.history()[0].note == "remove shot"
    assert snapshot(project.root) != before
    project.undo()
    assert snapshot(project.root) == before
    assert [r.shot_id for r in project.manifest.shots] == ["shot_01", "shot_02"]
    with project.transaction("retitle") as tx:
        tx.manifest.title = "Changed"
    (project.root / "project.json").write_text(
        (project.root / "project.json").read_text().replace("Changed", "Edited by hand")
    )
    with pytest.raises(ConflictError):
        project.undo()


def _add_elements(root: str, worker: int, count: int) -> None:
    project = Project.open(root)
    for i in range(count):
        with project.transaction(f"w{worker}-{i}") as tx:
            structure.add_element_folder(tx, f"e_{worker}_{i}", ElementType.PROP, f"P{worker} {i}")


@pytest.mark.slow
def test_concurrent_processes_lose_no_update(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p")
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_add_elements, args=(str(project.root), w, 15)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
        assert p.exitcode == 0
    refs = Project.open(project.root).manifest.elements
    assert len(refs) == 60
    assert len({r.folder for r in refs}) == 60
    assert len(os.listdir(project.root / "01_elements")) == 60
