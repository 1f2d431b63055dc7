"""A project is untrusted input: crafted journals and documents cannot reach outside it.

Each case builds a project, tampers with it as a shared or downloaded project could, and
checks that opening it is refused with one line naming the file, that nothing outside the
project changed, and that the project itself was left as it was.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from storycore.tools.errors import ConfinementError, ProjectError, StoryCoreError
from storycore.tools.project import Project, check_document_paths, is_safe_relative


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != "lock"
    }


def _pending(project: Project, ops: list[dict[str, object]], blobs: dict[str, bytes]) -> Path:
    folder = project.root / ".storycore" / "history" / "000009.pending"
    folder.mkdir(parents=True)
    (folder / "journal.jsonl").write_text("".join(json.dumps(op) + "\n" for op in ops))
    for name, data in blobs.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim.txt"
    path.write_text("precious\n")
    return path


HOSTILE_JOURNALS = [
    ([{"op": "write", "path": "../victim.txt", "backup": None, "after": "0"}], {}),
    (
        [{"op": "write", "path": "{victim}", "backup": "blob000001", "after": "0"}],
        {"blob000001": b"x"},
    ),
    ([{"op": "remove", "path": "../victim.txt", "backup": "blob000001"}], {"blob000001": b"x"}),
    ([{"op": "rename", "src": "../victim2.txt", "dst": "../victim.txt"}], {}),
    ([{"op": "mkdir", "path": "../../"}], {}),
    ([{"op": "write", "path": "ok.txt", "backup": "../../victim.txt", "after": "0"}], {}),
    ([{"op": "write", "path": "02_shots/../../victim.txt", "backup": None, "after": "0"}], {}),
    ([{"op": "unknown", "path": "x"}], {}),
    ([["not", "an", "object"]], {}),
]


@pytest.mark.parametrize(("ops", "blobs"), HOSTILE_JOURNALS)
def test_a_crafted_journal_touches_nothing_outside(
    tmp_path: Path, victim: Path, ops: list[dict[str, object]], blobs: dict[str, bytes]
) -> None:
    project = Project.create(tmp_path / "film", title="Film")
    ops = json.loads(json.dumps(ops).replace("{victim}", str(victim)))
    journal = _pending(project, ops, blobs)
    before = _snapshot(project.root)
    with pytest.raises(ProjectError) as caught:
        Project.open(project.root)
    assert str(journal / "journal.jsonl") in str(caught.value)
    assert "\n" not in str(caught.value)
    assert victim.read_text() == "precious\n"
    assert _snapshot(project.root) == before


def test_a_journal_path_through_a_symlink_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    project = Project.create(tmp_path / "film", title="Film")
    (project.root / "02_shots" / "link").symlink_to(outside)
    _pending(project, [{"op": "write", "path": "02_shots/link/keep.txt", "backup": None}], {})
    with pytest.raises(StoryCoreError):
        Project.open(project.root)
    assert (outside / "keep.txt").read_text() == "keep"


def test_an_honest_pending_journal_still_rolls_back(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", title="Film")
    (project.root / "exports" / "new.txt").write_text("half")
    _pending(
        project, [{"op": "write", "path": "exports/new.txt", "backup": None, "after": "0"}], {}
    )
    Project.open(project.root)
    assert not (project.root / "exports" / "new.txt").exists()


def test_writes_do_not_follow_a_symlink_that_leaves_the_project(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    project = Project.create(tmp_path / "film", title="Film")
    (project.root / "exports" / "out").symlink_to(outside)
    (project.root / "exports" / "file.txt").symlink_to(tmp_path / "victim.txt")
    (tmp_path / "victim.txt").write_text("v")
    with pytest.raises(StoryCoreError), project.transaction("t") as tx:
        tx.write_text("exports/out/x.txt", "x")
    with pytest.raises(StoryCoreError), project.transaction("t") as tx:
        tx.write_text("exports/file.txt", "x")
    assert list(outside.iterdir()) == []
    assert (tmp_path / "victim.txt").read_text() == "v"


def test_a_folder_the_transaction_already_wrote_in_still_refuses_links_out(
    tmp_path: Path,
) -> None:
    """A folder checked once in a transaction (a file written there) does not make later
    paths in it trusted: a link as the last part, ``..`` and a folder swapped for a link
    after a removal are still refused, and a link inside the project is still followed."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "victim.txt").write_text("v")
    project = Project.create(tmp_path / "film", title="Film")
    exports = project.root / "exports"
    (exports / "out").symlink_to(outside)
    (exports / "file.txt").symlink_to(tmp_path / "victim.txt")
    (exports / "inside.txt").symlink_to(project.root / "04_audio" / "target.txt")
    for rel in ("exports/file.txt", "exports/out/x.txt", "exports/../../victim.txt"):
        with pytest.raises(StoryCoreError), project.transaction("t") as tx:
            tx.write_text("exports/first.txt", "1")  # the folder is now known to tx
            tx.write_text(rel, "x")
    with project.transaction("t") as tx:
        tx.write_text("exports/first.txt", "1")
        tx.write_text("exports/inside.txt", "in")
        tx.write_text("exports/new/deeper/x.txt", "made inside")
        for rel in ("exports/out/x.txt", "exports/file.txt", "exports/new/../../../victim.txt"):
            with pytest.raises(ConfinementError):
                project.path(rel)  # reads inside a transaction are confined alike
        assert project.path("exports/inside.txt") == project.root / "04_audio" / "target.txt"
        assert project.relative(exports / "inside.txt") == "04_audio/target.txt"
    assert (project.root / "04_audio" / "target.txt").read_text() == "in"
    assert (exports / "new" / "deeper" / "x.txt").read_text() == "made inside"
    assert (exports / "inside.txt").is_symlink()
    with pytest.raises(ConfinementError), project.transaction("t") as tx:
        tx.write_text("05_sequences/a.txt", "a")
        tx.remove("05_sequences")
        link = project.root / "05_sequences"
        link.symlink_to(outside)
        try:
            tx.write_text("05_sequences/b.txt", "b")
        finally:
            link.unlink()  # so that the rollback can put the folder back
    assert (project.root / "05_sequences").is_dir()
    assert not (project.root / "05_sequences" / "a.txt").exists()
    assert list(outside.iterdir()) == []
    assert (tmp_path / "victim.txt").read_text() == "v"
    assert not (project.root / "exports" / "first.txt").is_symlink()


@pytest.mark.parametrize(
    "folder", ["../../victim", "/etc", "01_Gaby/../..", "a/b", "..", "", "x\x1b[2J"]
)
def test_a_manifest_folder_outside_its_area_is_refused(tmp_path: Path, folder: str) -> None:
    project = Project.create(tmp_path / "film", title="Film")
    manifest = json.loads((project.root / "project.json").read_text())
    manifest["shots"] = [{"shot_id": "shot_01", "folder": folder}]
    (project.root / "project.json").write_text(json.dumps(manifest))
    before = _snapshot(project.root)
    with pytest.raises(ProjectError, match=r"project\.json: shots\[0\]\.folder"):
        _ = Project.open(project.root).manifest
    assert _snapshot(project.root) == before


def test_a_document_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from storycore.tools import project as project_module

    project = Project.create(tmp_path / "film", title="Film")
    with open(project.root / "project.json", "ab") as handle:
        handle.truncate(project_module.MAX_DOCUMENT_BYTES + 10)
    with pytest.raises(ProjectError, match="larger than"):
        _ = Project(project.root).manifest


def test_a_fifo_as_a_project_document_does_not_block(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", title="Film")
    os.mkfifo(project.root / "exports" / "pipe.json")
    with pytest.raises(ProjectError, match="not a regular file"):
        project.read_json("exports/pipe.json")


def test_reference_image_paths_are_confined() -> None:
    from storycore.tools.domain import ReferenceImage

    good = ReferenceImage(path="ref_01.png", sha256="0" * 64)
    check_document_paths("element.json", good)
    bad = ReferenceImage(path="../../../etc/passwd", sha256="0" * 64)
    with pytest.raises(ProjectError, match=r"element\.json: path"):
        check_document_paths("element.json", bad)


@pytest.mark.parametrize(
    ("rel", "ok"),
    [
        ("a", True),
        ("a/b.json", True),
        ("../a", False),
        ("/a", False),
        ("a//b", False),
        ("a\\b", False),
        ("a/./b", False),
        ("", False),
        (None, False),
        ("a\x00", False),
    ],
)
def test_is_safe_relative(rel: object, ok: bool) -> None:
    assert is_safe_relative(rel) is ok


def test_a_read_only_file_system_gives_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from storycore.tools import project as project_module

    project = Project.create(tmp_path / "film", title="Film")
    before = _snapshot(project.root)

    def read_only(path: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(project_module, "atomic_write", read_only)
    with (
        pytest.raises(ProjectError, match=r"cannot change the project .*Read-only"),
        project.transaction("t") as tx,
    ):
        tx.write_text("exports/x.txt", "x")
    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(ProjectError, match=r"cannot change the project .*Read-only"):
        Project.create(tmp_path / "elsewhere")
    monkeypatch.undo()
    assert _snapshot(project.root) == before
    assert not (tmp_path / "elsewhere").exists()
