"""A proposed change is planned from the files as they are, however they were changed.

A warm process answers "did any file the change is planned from change?" from the kernel's
change notifications (:meth:`Stamps.many_since`: only what an event named is looked at
again), the shot index from its last answer, and the element listing from the elements it
last read. Each test warms those up with a change proposed and applied, changes a file
behind the process's back (by hand, in place, keeping its size and its old modification
time; removed; its folder replaced), and checks that the next proposal sees it: what it
plans from is what a new process reads, and applying it keeps the hand edit. Then the same
without change notifications, where every file is looked at every time.

Behaviour only, never timing (``bench/edit_bench.py`` measures).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from storycore.tools.domain import AssetMetadata, ShotSpec
from storycore.tools.project import Project, kept
from storycore.tools.project import stamps as stamps_module
from storycore.tools.project.stamps import Stamps, plain_stamp, stamps_of
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.regeneration.plan import _fingerprint
from storycore.tools.regeneration.simulator import Planner
from storycore.tools.registry import AssetRegistry
from storycore.tools.structure import load_shots


def _size_change(project: Project, shot_id: str) -> list[dict[str, Any]]:
    shot = next(s for s in load_shots(project) if s.shot_id == shot_id)
    value = "MS" if shot.shot_size.value == "CU" else "CU"
    return [{"kind": "set_shot_field", "shot_id": shot_id, "field": "shot_size", "value": value}]


def _warm(project: Project, shot_id: str) -> None:
    """Propose and apply a change, then propose one more (what a session has done)."""
    apply_changes(project, plan_changes(project, _size_change(project, shot_id)))
    plan_changes(project, _size_change(project, shot_id))


def _edit_by_hand(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (as long) in the file, in place, then give it back its
    modification time: only its change time and the kernel's notification tell."""
    assert len(old.encode()) == len(new.encode())
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    with open(path, "r+b") as handle:  # the same file (inode), written over
        handle.write(text.replace(old, new, 1).encode("utf-8"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size


def _shot_file(project: Project, shot_id: str) -> Path:
    ref = next(ref for ref in project.manifest.shots if ref.shot_id == shot_id)
    return project.root / "02_shots" / ref.folder / "shot.json"


def _fresh_shots(project: Project) -> list[ShotSpec]:
    """The shots as a new process reads them (nothing kept)."""
    kept.forget()
    return load_shots(Project.open(project.root))


def _edit_description(path: Path) -> str:
    """Edit the description in the shot file at ``path`` by hand (:func:`_edit_by_hand`):
    its last plain word written backwards in capitals (the framing its first words state is
    restated by a change of shot size); returns that word as written now."""
    description = json.loads(path.read_text(encoding="utf-8"))["description"]
    word = re.findall(r"(?<= )[A-Za-z]{4,}", description)[-1]
    at = description.rindex(word)
    edited = description[:at] + word[::-1].upper() + description[at + len(word) :]
    field = '"description": '
    _edit_by_hand(path, field + json.dumps(description), field + json.dumps(edited))
    assert json.loads(path.read_text(encoding="utf-8"))["description"] == edited
    return word[::-1].upper()


@pytest.mark.usefixtures("notified")
def test_a_shot_edited_by_hand_in_place_is_seen_by_the_next_proposal(film: Path) -> None:
    project = Project.open(film)
    shots = load_shots(project)
    edited, other = shots[1].shot_id, shots[3].shot_id
    _warm(project, other)
    path = _shot_file(project, edited)
    new = _edit_description(path)

    planner = Planner(project)
    assert planner.before_shots == _fresh_shots(project)
    # Applying a change to that very shot keeps what was written by hand.
    apply_changes(project, plan_changes(project, _size_change(project, edited)))
    assert new in json.loads(path.read_text(encoding="utf-8"))["description"]


@pytest.mark.usefixtures("notified")
def test_a_plan_made_before_a_hand_edit_is_not_applied_over_it(film: Path) -> None:
    project = Project.open(film)
    shots = load_shots(project)
    edited, changed = shots[2].shot_id, shots[4].shot_id
    _warm(project, changed)
    plan = plan_changes(project, _size_change(project, changed))
    before = _fingerprint(project)[0]
    path = _shot_file(project, edited)
    new = _edit_description(path)

    assert _fingerprint(project)[0] != before
    apply_changes(project, plan)  # planned again on the file as it is now
    assert new in json.loads(path.read_text(encoding="utf-8"))["description"]


@pytest.mark.usefixtures("notified")
def test_project_json_edited_by_hand_changes_the_fingerprint(film: Path) -> None:
    """project.json was just written by a transaction (its digest is the journal's): a
    hand edit of the same length is hashed, not taken for what was written."""
    project = Project.open(film)
    shot_id = load_shots(project)[1].shot_id
    _warm(project, shot_id)
    apply_changes(project, plan_changes(project, _size_change(project, shot_id)))
    before = _fingerprint(project)[0]
    path = project.root / "project.json"
    title = json.loads(path.read_text(encoding="utf-8"))["title"]
    _edit_by_hand(path, json.dumps(title), json.dumps(title[::-1]))

    assert _fingerprint(project)[0] != before


@pytest.mark.usefixtures("notified")
def test_an_element_edited_by_hand_is_seen_by_the_next_proposal(film: Path) -> None:
    project = Project.open(film)
    shot_id = load_shots(project)[1].shot_id
    _warm(project, shot_id)
    ref = project.manifest.elements[0]
    path = project.root / "01_elements" / ref.folder / "element.json"
    name = json.loads(path.read_text(encoding="utf-8"))["name"]
    _edit_by_hand(path, json.dumps(name), json.dumps(name[::-1].upper()))

    planner = Planner(project)
    kept.forget()
    truth = AssetRegistry(Project.open(film)).get(ref.element_id)
    assert planner.before_elements[ref.element_id] == truth
    assert truth.name == name[::-1].upper()


@pytest.mark.usefixtures("notified")
def test_an_element_file_removed_is_seen_by_the_next_proposal(film: Path) -> None:
    project = Project.open(film)
    shot_id = load_shots(project)[1].shot_id
    _warm(project, shot_id)
    ref = project.manifest.elements[0]
    (project.root / "01_elements" / ref.folder / "element.json").unlink()

    element = Planner(project).before_elements[ref.element_id]
    assert isinstance(element, AssetMetadata)
    assert element.versions[0].note == "registered without metadata"


@pytest.mark.usefixtures("notified")
def test_a_shot_folder_replaced_by_hand_is_seen_by_the_next_proposal(
    film: Path, tmp_path: Path
) -> None:
    """The folder moved away, copied back with an edit (every file a new one, the old
    identities gone with the old folder)."""
    project = Project.open(film)
    shots = load_shots(project)
    edited = shots[1].shot_id
    _warm(project, shots[3].shot_id)
    folder = _shot_file(project, edited).parent
    aside = tmp_path / "aside"
    shutil.move(folder, aside)
    shutil.copytree(aside, folder)
    _edit_description(folder / "shot.json")

    assert Planner(project).before_shots == _fresh_shots(project)


def test_an_answer_older_than_the_journal_holds_is_not_brought_up_to_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stamps_module, "JOURNAL_KEEP", 4)
    root = tmp_path / "film"
    rels = [f"02_shots/{n:02d}/shot.json" for n in range(3)]
    for rel in rels:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("{}", encoding="utf-8")
    stamps = Stamps(str(root))
    try:
        if not stamps.watching:
            pytest.skip("no change notifications here")
        first = stamps.many_since(rels)
        for n in range(6):  # more events than the journal keeps, one drain each
            (root / rels[0]).write_text("{" + " " * n + "}", encoding="utf-8")
            stamps.many_since(["02_shots/00/shot.json"])
        (root / rels[2]).write_text('{"x": 1}', encoding="utf-8")
        again = stamps.many_since(rels, first)
        assert again.changed is None  # the long way
        assert again.stamps == [plain_stamp(root / rel) for rel in rels]
    finally:
        stamps.close()


def test_only_the_files_an_event_named_are_looked_at_again(tmp_path: Path) -> None:
    root = tmp_path / "film"
    rels = [f"02_shots/{n:02d}/shot.json" for n in range(4)]
    for rel in rels:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("{}", encoding="utf-8")
    stamps = stamps_of(root)
    first = stamps.many_since(rels)
    if not stamps.watching:
        pytest.skip("no change notifications here")
    assert stamps.many_since(list(rels), first).changed == ()
    (root / rels[2]).write_text('{"a": 1}', encoding="utf-8")
    second = stamps.many_since(list(rels), first)
    assert second.changed == (2,)
    assert second.stamps == [plain_stamp(root / rel) for rel in rels]
    shutil.rmtree(root / "02_shots")
    third = stamps.many_since(list(rels), second)
    assert third.stamps == [None] * 4
    stamps_module.forget()


def test_without_notifications_a_proposal_looks_at_each_shot_file_once(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the kernel's notifications every shot file is looked at (``stat``) at each
    proposal: the fingerprint's look is the one the shot index reuses, not a second one."""
    project = Project.open(film)
    shot_id = load_shots(project)[1].shot_id
    _warm(project, shot_id)
    monkeypatch.setattr(Stamps, "watching", property(lambda self: False))
    looked: list[str] = []
    original = stamps_module.plain_stamp

    def counting(path: str | os.PathLike[str]) -> Any:
        looked.append(str(path))
        return original(path)

    monkeypatch.setattr(stamps_module, "plain_stamp", counting)
    plan_changes(project, _size_change(project, shot_id))

    shot_files = [path for path in looked if path.endswith("/shot.json")]
    assert len(shot_files) == len(project.manifest.shots)
    assert len(set(shot_files)) == len(shot_files)
    stamps_module.forget()
