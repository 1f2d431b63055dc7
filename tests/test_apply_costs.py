"""An applied change costs what it changes, and still writes what a new process writes.

A warm process (chat session, studio, MCP server) makes the plan of a change from its last
plan, redoing only the shots that are not the very shots it planned then
(``storyboard.plan._plan_again``); it compares only the panels the kernel reported a change
of and those of shots rendered again (``storyboard.write._write_panels``); it takes the
elements the change just read without walking their paths again (``load_elements``). Each
test checks what a user would: the plan and the documents after a series of changes are what
a new process makes, a segment or panel changed behind the process's back is seen, a gap
is refused, and the element files are not looked up one by one.

Behaviour only, never timing (``bench/edit_bench.py`` measures).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storycore.tools import storyboard as sb
from storycore.tools.domain import ShotSpec
from storycore.tools.errors import ProjectError
from storycore.tools.project import Project, kept
from storycore.tools.project import stamps as stamps_module
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.storyboard import fragments
from storycore.tools.storyboard import plan as plan_module
from storycore.tools.structure import SHOTS, load_shots

sys.path.insert(0, str(Path(__file__).parent))
from plan_fixtures import count_panel_draws

STEPS: list[dict[str, Any]] = [
    {"kind": "set_shot_field", "shot_id": "shot_03", "field": "shot_size", "value": "CU"},
    {"kind": "move_shot", "shot_id": "shot_05", "after": "shot_15"},
    {"kind": "insert_shot", "after": "shot_02", "description": "A gull on the rail."},
    {"kind": "remove_shot", "shot_id": "shot_20"},
    {"kind": "retime_shot", "shot_id": "shot_07", "duration_seconds": 6},
    {"kind": "set_shot_field", "shot_id": "shot_03", "field": "description", "value": "A gull."},
    {"kind": "set_shot_field", "shot_id": "shot_09", "field": "shot_size", "value": "WS"},
]


def _forget() -> None:
    """What this process keeps of its last plans and documents dropped (a new process)."""
    plan_module._made.forget()
    fragments.forget()
    kept.forget()


def _plan_of_a_new_process(root: Path) -> sb.Plan:
    _forget()
    return sb.load_plan(Project.open(root))


def _documents(root: Path) -> dict[str, bytes]:
    names = ("storyboard.json", "storyboard.md", "storyboard.html", "visual_strategy.json")
    return {name: (root / name).read_bytes() for name in names}


@pytest.mark.usefixtures("notified")
def test_the_plan_after_each_change_is_the_plan_of_a_new_process(film: Path) -> None:
    project = Project.open(film)
    sb.load_plan(project)  # warm: the next plans are made from this one
    for change in STEPS:
        apply_changes(project, plan_changes(project, [change]))
        warm = sb.load_plan(project, load_shots(project))
        assert warm == _plan_of_a_new_process(film), change
        # the documents written by the warm process are those a new one writes
        written = _documents(film)
        with project.transaction("documents again") as tx:
            sb.write_documents(tx)
        assert _documents(film) == written, change


def _warm_plan(film: Path) -> tuple[Project, list[ShotSpec]]:
    """A project after a change, its plan made (the manifest kept, its entries shared with
    the next transaction's), and its shots."""
    project = Project.open(film)
    apply_changes(project, plan_changes(project, STEPS[:1]))
    shots = load_shots(project)
    sb.load_plan(project, shots)
    return project, shots


def test_a_segment_changed_in_place_is_planned_as_it_is_now(film: Path) -> None:
    project, shots = _warm_plan(film)
    with project.transaction("in place") as tx:
        first, second = tx.manifest.segments[0], tx.manifest.segments[1]
        assert first is project.manifest.segments[0]  # shared with the kept manifest
        moved, title = first.shot_ids.pop(), first.title
        second.shot_ids.insert(0, moved)
        first.title = "Renamed in place"
        plan = sb.load_plan(project, shots)
        assert plan.segments[1].shots[0].spec.shot_id == moved
        assert moved not in [s.spec.shot_id for s in plan.segments[0].shots]
        assert plan.segments[0].title == "Renamed in place"
        assert all(s.segment_id == second.segment_id for s in plan.segments[1].shots)
        first.shot_ids.append(second.shot_ids.pop(0))  # put back
        first.title = title


@pytest.mark.parametrize("side", ["starts earlier", "ends later"])
def test_a_changed_shot_that_overlaps_a_neighbour_is_refused(film: Path, side: str) -> None:
    project, shots = _warm_plan(film)
    shot = shots[4]
    if side == "starts earlier":
        update, who = {"start_frame": shot.start_frame - 1}, shot.shot_id
    else:
        update, who = {"end_frame": shot.end_frame + 1}, shots[5].shot_id
    changed = shot.model_copy(update=update)
    with pytest.raises(ProjectError, match=rf"{who} starts at frame .* \(an overlap\)"):
        sb.load_plan(project, [*shots[:4], changed, *shots[5:]])
    assert sb.load_plan(project, shots) == _plan_of_a_new_process(film)


def test_a_shot_entry_moved_to_another_folder_in_place_is_planned_in_it(film: Path) -> None:
    """The manifest's folders are what the plan says, even an entry's changed in place."""
    project, shots = _warm_plan(film)
    with project.transaction("in place") as tx:
        ref = tx.manifest.shots[3]
        assert ref is project.manifest.shots[3]
        ref.folder = ref.folder + "_b"
        plan = sb.load_plan(project, shots)
        assert plan.shots[3].folder == f"{SHOTS}/{ref.folder}"
        ref.folder = ref.folder[:-2]


@pytest.mark.usefixtures("notified")
def test_a_panel_replaced_by_hand_between_changes_is_drawn_again(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Project.open(film)
    for change in STEPS[:2]:  # warm: panels checked, the watcher's answer kept
        apply_changes(project, plan_changes(project, [change]))
    drawn = count_panel_draws(monkeypatch)
    refs = project.manifest.shots
    Image.new("RGB", (8, 8)).save(film / SHOTS / refs[10].folder / "panel.png")
    (film / SHOTS / refs[12].folder / "panel.png").unlink()
    apply_changes(project, plan_changes(project, [STEPS[6]]))
    assert sorted(drawn) == sorted([refs[10].shot_id, refs[12].shot_id, "shot_09"])
    drawn.clear()
    fragments.forget()  # a new process finds every panel drawn from its shot
    with project.transaction("documents again") as tx:
        sb.write_documents(tx)
    assert drawn == []


def test_a_one_shot_change_does_not_walk_each_element_file(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The elements the change read (its shot-link sync) are taken as they are: their files
    are not looked up again one by one to plan the documents."""
    project = Project.open(film)
    apply_changes(project, plan_changes(project, STEPS[:1]))
    looked: list[str] = []
    original = Project.exists

    def counting(self: Project, rel: str | Path) -> bool:
        looked.append(str(rel))
        return original(self, rel)

    plan = plan_changes(project, [STEPS[6]])
    monkeypatch.setattr(Project, "exists", counting)
    apply_changes(project, plan)
    counts = Counter(rel for rel in looked if rel.endswith("/element.json"))
    # The new prompts of the changed shot read the elements it shows; the shot-link sync
    # and the documents take the elements no event named since they were last read.
    shot = next(s for s in load_shots(project) if s.shot_id == STEPS[6]["shot_id"])
    folders = {ref.element_id: ref.folder for ref in project.manifest.elements}
    shown = {f"01_elements/{folders[e]}/element.json" for e in shot.element_ids() if e in folders}
    assert shown
    if stamps_module.stamps_of(film).watching:
        assert counts == Counter(shown)
    else:  # without notifications the sync lists every element (once)
        assert counts == Counter(shown) + Counter(
            f"01_elements/{f}/element.json" for f in folders.values()
        )


def _edit_by_hand(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (as long) in the file, in place, then give it back its
    modification time: only its change time and the kernel's notification tell."""
    assert len(old.encode()) == len(new.encode())
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    with open(path, "r+b") as handle:  # the same file (inode), written over
        handle.write(text.replace(old, new, 1).encode("utf-8"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


@pytest.mark.usefixtures("notified")
def test_an_element_edited_by_hand_after_a_proposal_is_what_its_change_writes(
    film: Path,
) -> None:
    project = Project.open(film)
    apply_changes(project, plan_changes(project, STEPS[:1]))
    plan = plan_changes(project, [STEPS[6]])
    ref = project.manifest.elements[0]
    path = film / "01_elements" / ref.folder / "element.json"
    name = json.loads(path.read_text(encoding="utf-8"))["name"]
    _edit_by_hand(path, json.dumps(name), json.dumps(name[::-1].upper()))
    apply_changes(project, plan)
    board = json.loads((film / "storyboard.json").read_text(encoding="utf-8"))
    assert name[::-1].upper() in [element["name"] for element in board["elements"].values()]
    written = _documents(film)
    _forget()
    with Project.open(film).transaction("documents again") as tx:
        sb.write_documents(tx)
    assert _documents(film) == written


def test_a_one_shot_change_reads_only_the_element_files_its_shot_shows(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shot-link sync takes the elements no event named since they were last read:
    only the changed shot's prompts read the elements it shows."""
    project = Project.open(film)
    apply_changes(project, plan_changes(project, STEPS[:1]))
    plan = plan_changes(project, [STEPS[6]])
    read: list[str] = []
    original = kept.kept

    def counting(path: str, *args: Any, **kwargs: Any) -> Any:
        read.append(str(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(kept, "kept", counting)
    apply_changes(project, plan)
    elements = sorted(rel.rpartition("01_elements/")[2] for rel in read if "01_elements/" in rel)
    shot = next(s for s in load_shots(project) if s.shot_id == STEPS[6]["shot_id"])
    folders = {ref.element_id: ref.folder for ref in project.manifest.elements}
    shown = sorted(f"{folders[e]}/element.json" for e in shot.element_ids() if e in folders)
    if stamps_module.stamps_of(film).watching:
        assert elements == shown
    else:  # without notifications every element file is read to know it
        assert len(elements) == len(shown) + len(folders)


def test_a_shot_changed_in_place_after_a_change_is_rendered_again(film: Path) -> None:
    """A shot whose field is set in place (validated: it gets new fields) keeps its planned
    segment, but its row of the documents is rendered again."""
    project = Project.open(film)
    apply_changes(project, plan_changes(project, STEPS[:1]))
    shots = load_shots(project)
    with project.transaction("documents") as tx:
        sb.write_documents(tx, shots)
    shots[9].description = "A heron takes off from the rail."
    with project.transaction("documents") as tx:
        sb.write_documents(tx, shots)
    assert b"A heron takes off from the rail." in (film / "storyboard.json").read_bytes()
    assert b"A heron takes off from the rail." in (film / "storyboard.md").read_bytes()
