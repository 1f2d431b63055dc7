"""A one-shot edit that costs what it changes: the transaction's manifest shares its
unchanged entries (an entry changed in place is still written), paths below the project
confined without resolving them whole, the planner's elements shared with the kept documents.

Each shortcut is checked against what a new process (nothing kept) does, including after a
file is changed behind the process's back. Behaviour only, never timing: speed is measured
by ``bench/edit_bench.py``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest

from storycore.tools.domain import AssetMetadata, ProjectManifest, ShotStatus
from storycore.tools.errors import ConfinementError, ProjectError
from storycore.tools.naming import confined_under
from storycore.tools.project import Project, dumps_json, kept
from storycore.tools.project.files import dumps_entries
from storycore.tools.regeneration import apply as apply_module
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.regeneration import index as index_module
from storycore.tools.regeneration import plan as plan_module
from storycore.tools.registry import links as links_module
from storycore.tools.storyboard import build_visual_strategy, fragments, load_plan
from storycore.tools.storyboard import visual_strategy as visual_strategy_module


def _forget() -> None:
    """Drop what this process keeps, as a new process starts."""
    kept.forget()
    fragments.forget()
    visual_strategy_module.forget()
    links_module.forget()
    apply_module.forget()
    with index_module._memory_lock:
        index_module._memory.clear()
    plan_module._digests.forget()


_TIME = re.compile(rb'"created_at": "[^"]*"')


def _tree(root: Path) -> dict[str, bytes]:
    """Every file of a project but StoryCore's own folder (history, index, parts), which
    holds times and file identities; an element's new versions are compared without their
    time, its reference cards (drawn with the time) not at all."""
    files = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".storycore")
        for name in names:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if rel.startswith("01_elements/") and name.endswith(".png"):
                continue
            files[rel] = _TIME.sub(b"", path.read_bytes())
    return files


# -- the transaction's manifest ------------------------------------------------------------


def test_a_manifest_entry_changed_in_place_in_a_transaction_is_written(film: Path) -> None:
    """Entries are shared with the manifest the transaction began from: one changed in
    place (both then change, so the compare says nothing changed) is still written, and the
    manifest kept is what the file holds."""
    project = Project.open(film)
    before = project.manifest
    first = before.shots[0].shot_id
    with project.transaction("in place") as tx:
        tx.manifest.shots[0].status = ShotStatus.APPROVED
    data = json.loads((film / "project.json").read_text(encoding="utf-8"))
    assert data["shots"][0]["status"] == ShotStatus.APPROVED.value
    assert project.manifest.shots[0].status is ShotStatus.APPROVED
    _forget()
    fresh = Project(film).manifest
    assert fresh == project.manifest
    assert fresh.shots[0].shot_id == first


def test_a_segment_list_changed_in_place_in_a_transaction_is_written(film: Path) -> None:
    project = Project.open(film)
    segment = project.manifest.segments[0]
    last = segment.shot_ids[-1]
    with project.transaction("in place") as tx:
        tx.manifest.segments[0].shot_ids.remove(last)
        tx.manifest.segments[1].shot_ids.insert(0, last)
    data = json.loads((film / "project.json").read_text(encoding="utf-8"))
    assert last not in data["segments"][0]["shot_ids"]
    assert data["segments"][1]["shot_ids"][0] == last
    _forget()
    assert Project(film).manifest == project.manifest


def test_a_transaction_that_changes_nothing_leaves_the_manifest_and_the_kept_copy(
    film: Path,
) -> None:
    project = Project.open(film)
    data = (film / "project.json").read_bytes()
    kept_before = project.manifest
    with project.transaction("nothing") as tx:
        assert tx.manifest == kept_before
        assert tx.manifest is not kept_before
        assert tx.manifest.shots is not kept_before.shots
    assert (film / "project.json").read_bytes() == data
    assert project.manifest == kept_before


def test_entries_replaced_in_a_transaction_leave_the_original_as_it_was(film: Path) -> None:
    """The copy's lists are its own: replacing, adding and removing entries in the
    transaction (then rolling it back) leaves the manifest it began from unchanged."""
    project = Project.open(film)
    original = project.manifest
    dumped = original.model_dump(mode="json")
    with pytest.raises(RuntimeError), project.transaction("replaced") as tx:
        tx.manifest.shots[0] = tx.manifest.shots[0].model_copy(update={"version": 9})
        tx.manifest.shots.pop()
        tx.manifest.elements.reverse()
        raise RuntimeError("stop")
    assert original.model_dump(mode="json") == dumped
    assert project.manifest == original


def test_an_unsafe_folder_put_in_place_in_a_transaction_is_not_kept(film: Path) -> None:
    """The paths of entries shared unchanged are not checked again at commit; an entry
    changed in place is (and an unsafe one is refused when the manifest is read again)."""
    project = Project.open(film)
    with project.transaction("unsafe") as tx:
        tx.manifest.shots[1].__dict__["folder"] = "../outside"
    with pytest.raises(ProjectError, match="outside its folder"):
        _ = project.manifest


# -- paths confined without resolving them whole --------------------------------------------


def test_paths_below_the_project_are_confined_as_the_long_way_does(
    film: Path, tmp_path: Path
) -> None:
    project = Project.open(film)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("x", encoding="utf-8")
    (film / "exports").mkdir(exist_ok=True)
    os.symlink(outside, film / "exports" / "away")
    os.symlink(film / "02_shots", film / "exports" / "shots")
    os.symlink(film / "nowhere", film / "exports" / "dangling")
    (film / "a_file").write_text("x", encoding="utf-8")
    rels = [
        "project.json",
        "02_shots",
        "exports/away/secret.txt",
        "exports/away",
        "exports/shots",
        "exports/dangling",
        "exports/shots/nothing",
        "exports/missing/deeper/file",
        "a_file/below",
        "02_shots//x",
        "02_shots/../project.json",
        "./project.json",
        "exports/away/../../project.json",
    ]
    for rel in rels:
        try:
            expected: Any = confined_under(project._base, rel, shown_root=project.root)
        except ConfinementError as exc:
            expected = ConfinementError
            with pytest.raises(ConfinementError):
                project.path(rel)
            assert "leave the project" in str(exc)
            continue
        assert str(project.path(rel)) == expected, rel
        assert project.exists(rel) == Path(expected).exists(), rel
        with project.transaction("look") as tx:
            assert tx.project.exists(rel) == Path(expected).exists(), rel


def test_a_project_folder_moved_behind_a_link_is_refused_as_before(
    film: Path, tmp_path: Path
) -> None:
    """The project's own folder replaced by a link after it was opened: its paths resolve
    elsewhere and are refused, as resolving them whole does."""
    project = Project.open(film)
    assert project.exists("project.json")
    moved = tmp_path / "moved"
    shutil.move(str(film), moved)
    os.symlink(moved, film)
    with pytest.raises(ConfinementError):
        project.path("project.json")


# -- the planner's elements shared with the kept documents ------------------------------------


def _look_change(project: Project) -> list[dict[str, Any]]:
    element = project.manifest.elements[0].element_id
    return [{"kind": "update_element", "element": element, "attributes": {"hair": "red"}}]


def test_an_element_edited_by_hand_between_changes_is_planned_from_its_file(
    film: Path, tmp_path: Path
) -> None:
    """Two changes in one process, an element file edited by hand in between: the plan
    and the files are what a new process makes of the same files."""
    copy = tmp_path / "copy"
    shutil.copytree(film, copy, symlinks=True)
    warm, cold = Project.open(film), Project.open(copy)
    apply_changes(warm, plan_changes(warm, _look_change(warm)))
    _forget()
    apply_changes(cold, plan_changes(cold, _look_change(cold)))
    for root in (film, copy):
        ref = Project(root).manifest.elements[0]
        path = root / "01_elements" / ref.folder / "element.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["canonical_description"] = "A tall woman in a yellow coat."
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    change = [{"kind": "update_element", "element": ref.element_id, "attributes": {"eyes": "grey"}}]
    warm_plan = plan_changes(warm, change)
    _forget()
    cold_plan = plan_changes(cold, change)
    assert warm_plan.as_json() == cold_plan.as_json()
    apply_changes(warm, warm_plan)
    _forget()
    apply_changes(cold, cold_plan)
    assert _tree(film) == _tree(copy)


def test_the_planner_leaves_the_kept_elements_as_their_files_are(film: Path) -> None:
    project = Project.open(film)
    plan_changes(project, _look_change(project))
    ref = project.manifest.elements[0]
    rel = f"01_elements/{ref.folder}/element.json"
    kept_one = project.read_model(rel, AssetMetadata)
    _forget()
    assert kept_one == Project(film).read_model(rel, AssetMetadata)


# -- the manifest encoded entry by entry ------------------------------------------------------


def _plain_manifest_bytes(manifest: ProjectManifest) -> bytes:
    return dumps_json(manifest.model_dump(mode="json"))


def test_the_manifest_encoded_entry_by_entry_is_the_house_json(film: Path) -> None:
    """Entries encoded before and unchanged are reused; one changed in place, replaced,
    added or removed is encoded again: always what ``dumps_json`` of the whole dump is."""
    manifest = Project.open(film).manifest
    lists = ("elements", "shots", "segments")
    for step in range(7):
        if step == 1:
            manifest.shots[2].status = ShotStatus.APPROVED  # in place
        elif step == 2:
            manifest.segments[0].shot_ids.append("shot_99")  # a list in place
        elif step == 3:
            manifest.shots[4] = manifest.shots[4].model_copy(update={"version": 7})
        elif step == 4:
            manifest.shots.pop(0)
            manifest.elements.reverse()
        elif step == 5:
            manifest.title = "Another title"
        elif step == 6:
            manifest.shots = []
        data, dumped = dumps_entries(manifest, lists)
        assert data == _plain_manifest_bytes(manifest), step
        assert dumped == json.loads(data), step


def test_an_entry_changed_in_place_between_transactions_is_not_taken_as_kept(
    film: Path,
) -> None:
    """The kept manifest changed in place outside a transaction (its file did not change):
    the next transaction starts from the file, as a new process would."""
    project = Project.open(film)
    with project.transaction("first") as tx:
        tx.manifest.title = "First"
    project.manifest.shots[0].status = ShotStatus.APPROVED  # not through a transaction
    with project.transaction("second") as tx:
        assert tx.manifest.shots[0].status is not ShotStatus.APPROVED
        tx.manifest.title = "Second"
    _forget()
    fresh = Project(film).manifest
    assert fresh.title == "Second"
    assert fresh.shots[0].status is not ShotStatus.APPROVED


# -- the passes over every shot, read again only where shots changed ---------------------------


def _shot_file(root: Path, shot_id: str) -> Path:
    ref = next(ref for ref in Project(root).manifest.shots if ref.shot_id == shot_id)
    return root / "02_shots" / ref.folder / "shot.json"


def _edit_shot_by_hand(root: Path, shot_id: str, **fields: Any) -> None:
    path = _shot_file(root, shot_id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(fields)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _edit_manifest_by_hand(root: Path, shot_id: str, **fields: Any) -> None:
    path = root / "project.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    next(entry for entry in data["shots"] if entry["shot_id"] == shot_id).update(fields)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _edit_by_hand(root: Path, step: tuple[str, str, dict[str, Any]]) -> None:
    kind, shot_id, fields = step
    edit = _edit_shot_by_hand if kind == "hand" else _edit_manifest_by_hand
    edit(root, shot_id, **fields)


def _steps(project: Project) -> list[Any]:
    """A series of changes, each a list of modifications or a hand edit of a shot file or
    of the manifest: framing, model and length changes, a shot made to show other elements
    by a change and by hand, inserts, a move, a removal, an element's look, a shot's entry
    in ``project.json`` that no longer says what its file says."""
    shots = [ref.shot_id for ref in project.manifest.shots]
    char = next(e.element_id for e in project.manifest.elements if e.element_id.startswith("char_"))
    return [
        [{"kind": "set_shot_field", "shot_id": shots[2], "field": "shot_size", "value": "CU"}],
        [{"kind": "set_shot_field", "shot_id": shots[1], "field": "model_id", "value": "sora2"}],
        ("hand", shots[4], {"model_id": "wan_22", "characters": []}),
        [{"kind": "retime_shot", "shot_id": shots[3], "duration_seconds": 2.5}],
        ("manifest", shots[7], {"status": "approved"}),
        [{"kind": "set_shot_field", "shot_id": shots[2], "field": "shot_size", "value": "WS"}],
        ("hand", shots[5], {"description": "Rain on the window, seen by hand."}),
        [{"kind": "insert_shot", "after": shots[1], "description": "A cat.", "characters": [char]}],
        [{"kind": "set_shot_field", "shot_id": shots[6], "field": "model_id", "value": "sora2"}],
        [{"kind": "move_shot", "shot_id": shots[0], "after": shots[3]}],
        [{"kind": "remove_shot", "shot_id": shots[5]}],
        _look_change(project),
        [{"kind": "set_shot_field", "shot_id": shots[2], "field": "shot_size", "value": "MS"}],
    ]


def _run_steps(root: Path, *, new_process: bool, check: Any = None) -> list[dict[str, bytes]]:
    """The project's files after each step of :func:`_steps`, made in one process (what it
    keeps kept from step to step) or as a new process each time (nothing kept before each
    plan and apply); ``check(root, step number)`` is called after each change."""
    project = Project.open(root)
    trees = []
    for step in _steps(project):
        if isinstance(step, tuple):
            _edit_by_hand(root, step)
            continue
        if new_process:
            _forget()
            project = Project.open(root)
        plan = plan_changes(project, step)
        if new_process:
            _forget()
        apply_changes(project, plan)
        trees.append(_tree(root))
        if check is not None:
            check(root, len(trees))
    return trees


def test_changes_in_one_process_write_what_a_new_process_writes(film: Path, tmp_path: Path) -> None:
    """Every document (the index aside) after each of a series of changes, shot files
    edited by hand between them: what one long-lived process writes, each pass reading
    again only the shots it did not read before, is what a new process writes."""
    copy = tmp_path / "copy"
    shutil.copytree(film, copy, symlinks=True)
    warm = _run_steps(film, new_process=False)
    cold = _run_steps(copy, new_process=True)
    assert len(warm) == len(cold) == 10
    for number, (one, other) in enumerate(zip(warm, cold, strict=True)):
        assert one.keys() == other.keys(), number
        assert [k for k in one if one[k] != other[k]] == [], number


def test_the_visual_strategy_of_changed_shots_is_the_whole_document(film: Path) -> None:
    """After each change made in one process, ``visual_strategy.json`` is what building
    it whole from the files gives (each shot's model, length and elements among them)."""
    project = Project.open(film)
    for number, step in enumerate(_steps(project)):
        if isinstance(step, tuple):
            _edit_by_hand(film, step)
            continue
        apply_changes(project, plan_changes(project, step))
        fresh = Project(film)
        whole = dumps_json(build_visual_strategy(fresh, load_plan(fresh)))
        assert (film / "visual_strategy.json").read_bytes() == whole, number


def _index_content(root: Path) -> dict[str, list[tuple[str, str, Any]]]:
    """Each part file of the shot index: its entries in order (shot id, file, spec), with
    its checksum checked; not the file identities, which differ between two copies."""
    parts = {}
    for path in sorted((root / index_module.INDEX_DIR).iterdir()):
        head, _, body = path.read_bytes().partition(b"\n")
        assert json.loads(head)["checksum"] == sha256(body).hexdigest()
        entries = json.loads(body)
        parts[path.name] = [(key, e["file"], e["spec"]) for key, e in entries.items()]
    return parts


def test_the_index_of_changed_shots_is_what_a_new_process_writes(
    film: Path, tmp_path: Path
) -> None:
    """After each change made in one process (only the shots changed since its last write
    looked at, and only their parts put together), the index holds what a new process
    writes: the same shots in the same parts, hand edits between changes included."""
    copy = tmp_path / "copy"
    shutil.copytree(film, copy, symlinks=True)
    warm: list[Any] = []
    cold: list[Any] = []
    _run_steps(film, new_process=False, check=lambda root, _: warm.append(_index_content(root)))
    _run_steps(copy, new_process=True, check=lambda root, _: cold.append(_index_content(root)))
    assert len(warm) == len(cold) == 10
    for number, (one, other) in enumerate(zip(warm, cold, strict=True)):
        assert one == other, number
