"""The shot index (``.storycore/index/shots/NN.json``): written by the transactions that write
shots, used by changes instead of reading every ``shot.json``, and never trusted when it
disagrees with the files.

These tests check behaviour (same answers, fewer computations), never timing: speed is
measured by bench/ and reported in docs/benchmarks.md.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from storycore.tools.project import Project
from storycore.tools.regeneration import apply_changes, plan_changes, simulator, stale_shots
from storycore.tools.regeneration import index as index_module
from storycore.tools.regeneration.index import (
    INDEX_DIR,
    OLD_INDEX_FILE,
    indexed_shots,
    part_file,
    part_of,
)
from storycore.tools.storyboard.panels import stored_panel_hash
from storycore.tools.structure import SHOT_FILE, SHOTS, load_shots


def _forget_memory() -> None:
    """Drop the parsed index this process keeps, as a new process would start."""
    with index_module._memory_lock:
        index_module._memory.clear()


def _shot_file(project: Project, shot_id: str) -> Path:
    ref = next(r for r in project.manifest.shots if r.shot_id == shot_id)
    return project.root / SHOTS / ref.folder / SHOT_FILE


def _size_change(project: Project, shot_id: str) -> list[dict[str, str]]:
    shot = next(s for s in load_shots(project) if s.shot_id == shot_id)
    value = "ECU" if shot.shot_size.value != "ECU" else "WS"
    return [{"kind": "set_shot_field", "shot_id": shot_id, "field": "shot_size", "value": value}]


def _index_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / INDEX_DIR).iterdir())}


def _part_path(project: Project, shot_id: str) -> Path:
    return project.root / part_file(part_of(shot_id))


def test_plan_writes_an_index_that_agrees_with_the_files(film: Path) -> None:
    project = Project(film)
    assert _index_bytes(film)
    _forget_memory()
    _forget_memory()
    assert indexed_shots(project) == load_shots(project)


def test_a_tampered_index_is_ignored_and_the_next_change_rebuilds_it(film: Path) -> None:
    """Edited by hand (a description changed, the checksum left as it was), the index is not
    believed: the shots come from the files, and the next change writes it right again."""
    project = Project(film)
    path = _part_path(project, load_shots(project)[0].shot_id)
    head, _, body = path.read_bytes().partition(b"\n")
    entries = json.loads(body)
    victim = next(iter(entries))
    entries[victim]["spec"]["description"] = "a lighthouse keeper counts gulls"
    path.write_bytes(head + b"\n" + json.dumps(entries).encode())
    _forget_memory()
    truth = load_shots(project)
    assert indexed_shots(project) == truth
    assert all(s.description != "a lighthouse keeper counts gulls" for s in truth)

    target = truth[1].shot_id
    apply_changes(project, plan_changes(project, _size_change(project, target)))
    _forget_memory()
    assert indexed_shots(project) == load_shots(project)
    assert b"a lighthouse keeper counts gulls" not in path.read_bytes()


def test_a_one_shot_change_rewrites_one_part_of_the_index(film: Path) -> None:
    """A change to one shot rewrites the part of the index that holds it; the other parts
    are left as they were (same bytes, same files)."""
    project = Project(film)
    # The fixture's copy gave every shot file a new identity: the first change indexes
    # them all again.
    first = load_shots(project)[0].shot_id
    apply_changes(project, plan_changes(project, _size_change(project, first)))
    before = {p.name: (p.stat().st_ino, p.read_bytes()) for p in (film / INDEX_DIR).iterdir()}
    target = load_shots(project)[1].shot_id
    apply_changes(project, plan_changes(project, _size_change(project, target)))
    after = {p.name: (p.stat().st_ino, p.read_bytes()) for p in (film / INDEX_DIR).iterdir()}
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == [Path(part_file(part_of(target))).name]
    _forget_memory()
    assert indexed_shots(project) == load_shots(project)


def test_a_shot_in_the_wrong_part_makes_that_part_untrusted(film: Path) -> None:
    """A part that holds a shot of another part (moved there by hand, checksum made right)
    is not believed: its shots come from their files."""
    project = Project(film)
    shots = load_shots(project)
    first, other = (
        shots[0],
        next(s for s in shots if part_of(s.shot_id) != part_of(shots[0].shot_id)),
    )
    path = _part_path(project, first.shot_id)
    _, _, body = path.read_bytes().partition(b"\n")
    entries = json.loads(body)
    stolen = json.loads(_part_path(project, other.shot_id).read_bytes().partition(b"\n")[2])
    entries[other.shot_id] = stolen[other.shot_id]
    entries[other.shot_id]["spec"]["description"] = "a lighthouse keeper counts gulls"
    new_body = json.dumps(entries).encode()
    header = {
        "version": index_module.INDEX_VERSION,
        "checksum": hashlib.sha256(new_body).hexdigest(),
    }
    path.write_bytes(json.dumps(header).encode() + b"\n" + new_body)
    _forget_memory()
    read = index_module._read_index(project)
    assert first.shot_id not in read and other.shot_id in read  # only the other part holds
    assert indexed_shots(project) == load_shots(project)


def test_an_index_of_an_older_version_is_removed_by_the_next_change(film: Path) -> None:
    """A project indexed by an older StoryCore (one ``shots.json``) is read from its files,
    and the next change writes the parts and removes the old file."""
    project = Project(film)
    old = film / OLD_INDEX_FILE
    old.write_bytes(b'{"version": 1, "checksum": ""}\n{}')
    target = load_shots(project)[1].shot_id
    apply_changes(project, plan_changes(project, _size_change(project, target)))
    assert not old.exists()
    _forget_memory()
    assert indexed_shots(project) == load_shots(project)


def test_a_shot_edited_on_disk_is_read_from_its_file(film: Path) -> None:
    """The index says one thing, the file (edited after it) another: the file wins, in the
    shots, in what a change regenerates and in what is stale."""
    project = Project(film)
    indexed_shots(project)  # the index is in memory too
    shot = load_shots(project)[2]
    path = _shot_file(project, shot.shot_id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["description"] = "Rain streaks the window of the night bus."
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    got = {s.shot_id: s for s in indexed_shots(project)}
    assert got[shot.shot_id].description == "Rain streaks the window of the night bus."
    assert shot.shot_id in stale_shots(project)
    plan = plan_changes(project, _size_change(project, shot.shot_id))
    assert plan.outcome is not None
    changed = next(s for s in plan.outcome.shots if s.shot_id == shot.shot_id)
    assert changed.description == "Rain streaks the window of the night bus."


def test_an_index_of_another_version_or_not_json_is_ignored(film: Path) -> None:
    project = Project(film)
    for broken in (b"not json at all", b'{"version": 99, "checksum": ""}\n{}'):
        for path in (film / INDEX_DIR).iterdir():
            path.write_bytes(broken)
        _forget_memory()
        assert indexed_shots(project) == load_shots(project)


def test_a_rolled_back_change_leaves_the_index_as_it_was(film: Path) -> None:
    project = Project(film)
    before = _index_bytes(film)
    plan = plan_changes(project, _size_change(project, load_shots(project)[0].shot_id))
    with pytest.raises(RuntimeError), project.transaction("outer") as tx:
        apply_changes(project, plan)
        assert tx is not None
        raise RuntimeError("power cut")
    assert _index_bytes(film) == before
    assert indexed_shots(project) == load_shots(project)


def test_a_one_shot_change_builds_the_prompts_of_that_shot_only(film: Path, monkeypatch) -> None:
    """Planning a change to one shot rebuilds its prompts before and after (2 builds), not
    the prompts of every shot of the film twice; and it regenerates that shot only."""
    project = Project(film)
    shots = load_shots(project)
    assert len(shots) > 3
    calls: list[str] = []
    original = simulator.build_shot_prompts

    def counting(shot, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(shot.shot_id)
        return original(shot, *args, **kwargs)

    monkeypatch.setattr(simulator, "build_shot_prompts", counting)
    target = shots[-1].shot_id  # nothing continues from the last shot
    plan = plan_changes(project, _size_change(project, target))
    assert plan.regenerate_shots == [target]
    assert sorted(set(calls)) == [target]
    assert len(calls) <= 2


def test_a_retimed_shot_is_still_regenerated_and_the_others_keep_their_hash(
    film: Path,
) -> None:
    """Making one shot longer moves every later shot: only that shot is regenerated (its
    duration is hashed, the others' places are not)."""
    project = Project(film)
    shots = load_shots(project)
    target = shots[0]
    seconds = round(target.duration_frames / float(project.manifest.technical_specs.rate)) + 1
    plan = plan_changes(
        project, [{"kind": "retime_shot", "shot_id": target.shot_id, "duration_seconds": seconds}]
    )
    assert target.shot_id in plan.regenerate_shots
    later = {s.shot_id for s in shots[1:] if s.continues_from is None}
    assert not later & set(plan.regenerate_shots) - {target.shot_id}


def test_the_panel_hash_read_from_the_file_head_is_pillow_s(film: Path) -> None:
    from PIL import Image

    from storycore.tools.storyboard.panels import PANEL_HASH_KEY

    project = Project(film)
    ref = project.manifest.shots[0]
    panel = film / SHOTS / ref.folder / "panel.png"
    with Image.open(panel) as image:
        assert stored_panel_hash(panel) == image.info[PANEL_HASH_KEY]
    assert stored_panel_hash(film / "missing.png") is None
