"""Every document of a project carries a schema version, upgraded before validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storycore.tools import schema_versions
from storycore.tools.domain import ProjectManifest, ShotSpec
from storycore.tools.project import Project
from storycore.tools.schema_versions import DOCUMENTS, SchemaVersionError, upgrade_function_for
from storycore.tools.structure import load_shots, read_shot

from .plan_fixtures import build_planned_project


def _shot_file(project: Project) -> Path:
    ref = project.manifest.shots[0]
    return project.root / "02_shots" / ref.folder / "shot.json"


def test_every_document_written_today_carries_its_current_version(tmp_path: Path) -> None:
    project = build_planned_project(tmp_path / "film")
    documents = {
        "project.json": project.root / "project.json",
        "shot.json": _shot_file(project),
        "element.json": next((project.root / "01_elements").glob("*/element.json")),
    }
    for kind, path in documents.items():
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["schema_version"] == DOCUMENTS[kind], kind
        assert next(iter(data)) == "schema_version", kind  # first, where a reader looks
    # And what was written reads back as it was.
    shots = load_shots(project)
    assert shots and all(isinstance(s, ShotSpec) for s in shots)


def test_the_storyboard_version_is_the_one_its_writer_uses() -> None:
    from storycore.tools import storyboard

    assert DOCUMENTS["storyboard.json"] == storyboard.SCHEMA_VERSION


def test_a_document_without_a_version_is_upgraded_through_its_hook_before_validation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = build_planned_project(tmp_path / "film")
    path = _shot_file(project)
    data = json.loads(path.read_text(encoding="utf-8"))
    shot_id = data["shot_id"]
    # The format moves: version 2 renames "description" (as version 1 wrote it) to "summary",
    # then back for this StoryCore's model; an old file (no version) must still open.
    monkeypatch.setitem(DOCUMENTS, "shot.json", 2)
    monkeypatch.setattr(schema_versions, "UPGRADES", dict(schema_versions.UPGRADES))
    seen: list[int] = []

    @upgrade_function_for("shot.json", 1)
    def _v1(doc: dict[str, Any]) -> dict[str, Any]:
        seen.append(doc.get("schema_version", 0))
        doc["description"] = f"old: {doc['description']}"
        return doc

    @upgrade_function_for("shot.json", 2)
    def _v2(doc: dict[str, Any]) -> dict[str, Any]:
        seen.append(doc["schema_version"])
        doc["description"] = doc["description"].upper()
        return doc

    del data["schema_version"]  # written before versions existed: version 0
    path.write_text(json.dumps(data), encoding="utf-8")
    shot = read_shot(project, shot_id)
    assert seen == [0, 1]  # each hook once, in order
    assert shot.description == f"OLD: {data['description']}".upper()


def test_a_newer_document_than_this_storycore_reads_is_one_clear_error(tmp_path: Path) -> None:
    project = build_planned_project(tmp_path / "film")
    manifest = project.root / "project.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["schema_version"] = DOCUMENTS["project.json"] + 1
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SchemaVersionError) as caught:
        _ = Project.open(project.root).manifest
    message = str(caught.value)
    assert "project.json" in message and "newer than this StoryCore reads" in message
    assert "\n" not in message


def test_a_version_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(SchemaVersionError, match="whole number"):
        schema_versions.upgrade("shot.json", {"schema_version": "two"})


def test_a_manifest_without_a_version_still_opens(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", title="Old")
    manifest = project.root / "project.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["schema_version"]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    opened = Project.open(project.root).manifest
    assert isinstance(opened, ProjectManifest)
    assert opened.title == "Old" and opened.schema_version == DOCUMENTS["project.json"]


def test_hooks_are_registered_only_for_versioned_documents() -> None:
    with pytest.raises(ValueError, match="not a versioned document"):
        upgrade_function_for("notes.txt", 2)
