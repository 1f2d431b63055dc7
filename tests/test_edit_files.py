"""What a one-shot edit leaves on disk: ``project.json`` and the shot index as a whole
rebuild writes them, through changes that move, insert and remove shots (the manifest kept
in memory, JSON encoded from kept rows, index entries kept without looking at their files).

Behaviour only, never timing: speed is measured by ``bench/edit_bench.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storycore.tools.domain import ProjectManifest
from storycore.tools.project import Project, dumps_json, kept
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.regeneration import index as index_module
from storycore.tools.regeneration.index import INDEX_DIR, indexed_shots
from storycore.tools.structure import SHOT_FILE, SHOTS, load_shots

STEPS: list[dict[str, Any]] = [
    {"kind": "set_shot_field", "shot_id": "shot_03", "field": "description", "value": "A gull."},
    {"kind": "move_shot", "shot_id": "shot_05", "after": "shot_15"},
    {"kind": "insert_shot", "after": "shot_02", "description": "A gull on the rail."},
    {"kind": "remove_shot", "shot_id": "shot_20"},
    {"kind": "retime_shot", "shot_id": "shot_07", "duration_seconds": 6},
    {"kind": "set_shot_field", "shot_id": "shot_03", "field": "description", "value": "Two gulls."},
]


def _forget() -> None:
    """Drop what this process keeps (documents, the parsed index), as a new process."""
    kept.forget()
    with index_module._memory_lock:
        index_module._memory.clear()


def _index_entries(root: Path) -> dict[str, Any]:
    entries: dict[str, Any] = {}
    for part in sorted((root / INDEX_DIR).iterdir()):
        _, _, body = part.read_bytes().partition(b"\n")
        entries.update(json.loads(body))
    return entries


def _assert_index_agrees(project: Project) -> None:
    """Every shot has an entry whose file identity is its file's now (none left stale), and
    the index gives the shots the files give."""
    entries = _index_entries(project.root)
    assert sorted(entries) == sorted(ref.shot_id for ref in project.manifest.shots)
    for ref in project.manifest.shots:
        rel = f"{SHOTS}/{ref.folder}/{SHOT_FILE}"
        entry = entries[ref.shot_id]
        assert entry["file"] == rel
        assert tuple(entry["stamp"]) == index_module._stamp(project.root / rel), ref.shot_id
    _forget()
    assert indexed_shots(project) == load_shots(project)


@pytest.mark.parametrize("step", range(len(STEPS)))
def test_project_json_and_the_index_after_a_change_are_a_rebuild_s(film: Path, step: int) -> None:
    project = Project.open(film)
    for change in STEPS[: step + 1]:
        apply_changes(project, plan_changes(project, [change]))
    data = (film / "project.json").read_bytes()
    rebuilt = (json.dumps(json.loads(data), indent=2, ensure_ascii=False) + "\n").encode()
    assert data == rebuilt
    kept.forget()
    assert project.manifest == Project(film).read_model("project.json", ProjectManifest)
    _assert_index_agrees(project)


def test_a_shot_edited_by_hand_is_indexed_from_its_file_at_the_next_change(film: Path) -> None:
    project = Project.open(film)
    apply_changes(project, plan_changes(project, STEPS[:1]))
    ref = project.manifest.shots[9]
    path = film / SHOTS / ref.folder / SHOT_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["description"] = "Rain streaks the window of the night bus."
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    apply_changes(project, plan_changes(project, STEPS[5:6]))
    _assert_index_agrees(project)
    got = {s.shot_id: s for s in indexed_shots(project)}
    assert got[ref.shot_id].description == "Rain streaks the window of the night bus."


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True)
    | st.text(max_size=8)
)
_KEYS = st.text(max_size=5) | st.integers(-5, 5) | st.booleans() | st.none()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_KEYS, inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_house_json_is_json_dumps_indented(value: Any) -> None:
    """The house JSON (rows two levels down encoded once and kept) is ``json.dumps(indent=2,
    ensure_ascii=False)`` plus a newline, the first time and when its rows are kept."""
    expected = (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode()
    assert dumps_json(value) == expected
    assert dumps_json(value) == expected


def test_a_file_written_twice_in_one_transaction_is_rolled_back_and_undone(
    film: Path,
) -> None:
    """The backup of a replaced file is the old file itself (a hard link): writing a file
    twice in one change still rolls back, and undoes, to what it held before."""
    project = Project.open(film)
    path = film / "storyboard.md"
    before = path.read_bytes()
    with pytest.raises(RuntimeError), project.transaction("twice") as tx:
        tx.write_bytes("storyboard.md", b"first")
        tx.write_bytes("storyboard.md", b"second")
        raise RuntimeError("stop")
    assert path.read_bytes() == before
    with project.transaction("twice") as tx:
        tx.write_bytes("storyboard.md", b"first")
        tx.write_bytes("storyboard.md", b"second")
    assert path.read_bytes() == b"second"
    project.undo()
    assert path.read_bytes() == before
