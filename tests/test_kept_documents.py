"""Documents and the manifest kept in memory between reads and transactions
(``tools/project/kept.py``, ``Project._transaction_base``): what is kept is used only while
the file on disk is the same file with the same bytes, every reader gets its own copy, and a
transaction never starts from a manifest that disagrees with ``project.json``.

Behaviour only, never timing: speed is measured by ``bench/edit_bench.py``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from storycore.tools.domain import AssetMetadata, ProjectManifest
from storycore.tools.errors import StoryCoreError
from storycore.tools.project import Project, kept
from storycore.tools.regeneration import apply_changes, plan_changes


@pytest.fixture
def project(film: Path) -> Iterator[Project]:
    kept.forget()
    yield Project.open(film)
    kept.forget()


def _element_file(project: Project) -> tuple[str, Path]:
    ref = project.manifest.elements[0]
    rel = f"01_elements/{ref.folder}/element.json"
    return rel, project.root / rel


def _fresh_manifest(project: Project) -> ProjectManifest:
    kept.forget()
    return Project(project.root).read_model("project.json", ProjectManifest)


def _change_size(project: Project, value: str) -> None:
    shot_id = project.manifest.shots[2].shot_id
    change = {"kind": "set_shot_field", "shot_id": shot_id, "field": "shot_size", "value": value}
    apply_changes(project, plan_changes(project, [change]))


def test_a_document_edited_by_hand_with_the_same_size_is_read_again(project: Project) -> None:
    rel, path = _element_file(project)
    first = project.read_model(rel, AssetMetadata)
    text = path.read_text(encoding="utf-8")
    name = first.name
    other = name[::-1] if name[::-1] != name else name.swapcase()
    assert len(other) == len(name) and other != name
    edited = text.replace(json.dumps(name), json.dumps(other), 1)
    assert len(edited.encode()) == len(text.encode())
    info = path.stat()
    path.write_text(edited, encoding="utf-8")  # in place: the same inode and size
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert project.read_model(rel, AssetMetadata).name == other


def test_every_reader_gets_its_own_copy(project: Project) -> None:
    rel, _ = _element_file(project)
    first = project.read_model(rel, AssetMetadata)
    shots = list(first.shots)
    first.shots.append("shot_99")
    first.name = "Changed In Memory"
    again = project.read_model(rel, AssetMetadata)
    assert again.shots == shots and again.name != "Changed In Memory"
    assert again is not first


def test_a_folder_swapped_for_a_link_outside_is_refused_after_being_kept(
    project: Project, tmp_path: Path
) -> None:
    rel, path = _element_file(project)
    project.read_model(rel, AssetMetadata)
    outside = tmp_path / "outside"
    shutil.copytree(path.parent, outside)
    shutil.rmtree(path.parent)
    path.parent.symlink_to(outside, target_is_directory=True)
    with pytest.raises(StoryCoreError):
        project.read_model(rel, AssetMetadata)


def test_the_manifest_after_a_change_is_the_file_s(project: Project) -> None:
    for value in ("CU", "WS", "MS"):
        _change_size(project, value)
        assert project.manifest == _fresh_manifest(project)
        assert project.manifest.model_dump() == _fresh_manifest(project).model_dump()


def test_a_transaction_starts_from_project_json_edited_by_hand(project: Project) -> None:
    _change_size(project, "CU")  # the committed manifest is kept
    path = project.root / "project.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["title"] = "Edited By Hand"
    info = path.stat()
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    _change_size(project, "WS")
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk["title"] == "Edited By Hand"
    assert project.manifest == _fresh_manifest(project)


def test_a_manifest_changed_in_memory_is_not_written_by_the_next_transaction(
    project: Project,
) -> None:
    _change_size(project, "CU")
    title = project.manifest.title
    project.manifest.title = "Changed In Memory Only"  # not through a transaction
    _change_size(project, "WS")
    assert json.loads((project.root / "project.json").read_text(encoding="utf-8"))["title"] == (
        title
    )


def test_a_rolled_back_transaction_leaves_the_file_s_manifest(project: Project) -> None:
    _change_size(project, "CU")
    before = (project.root / "project.json").read_bytes()
    with pytest.raises(RuntimeError), project.transaction("fails") as tx:
        tx.manifest.title = "Never Committed"
        raise RuntimeError("stop")
    assert (project.root / "project.json").read_bytes() == before
    assert project.manifest.title != "Never Committed"
    _change_size(project, "WS")
    assert project.manifest == _fresh_manifest(project)
    assert project.manifest.title != "Never Committed"
