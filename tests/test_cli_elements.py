"""``storycore elements ...``: the registry from the command line, and its refusals (exit 2,
one stderr line, the project unchanged)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storycore.agent.cli.main import main
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry

from .conftest import snapshot, storycore_executable


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["elements", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert (code, err) == (0, ""), err
    return out


def as_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    return json.loads(ok(capsys, *args, "--json"))


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "film"
    Project.create(root, title="Film")
    ok(
        capsys,
        "add",
        str(root),
        "--type",
        "character",
        "--name",
        "GaBy",
        "--description",
        "A young woman, short black hair, red raincoat.",
        "--attr",
        "hair=short black",
        "--attr",
        "eyes=green",
    )
    return root


def test_add_list_and_show(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    added = as_json(
        capsys, "add", str(project), "--type", "location", "--name", "Old bridge", "--alias", "Pont"
    )
    assert isinstance(added, dict)
    assert (added["element_id"], added["current_version"]) == ("loc_old_bridge", 1)
    listed = as_json(capsys, "list", str(project))
    assert [e["element_id"] for e in listed] == ["char_gaby", "loc_old_bridge"]
    only = as_json(capsys, "list", str(project), "--type", "location")
    assert [e["name"] for e in only] == ["Old bridge"]
    shown = as_json(capsys, "show", str(project), "gaBY")
    assert shown["element_id"] == "char_gaby"
    assert shown["attributes"] == {"hair": "short black", "eyes": "green"}
    assert as_json(capsys, "show", str(project), "pont")["element_id"] == "loc_old_bridge"
    text = ok(capsys, "show", str(project), "char_gaby")
    assert "GaBy" in text and "short black" in text and "red raincoat" in text
    table = ok(capsys, "list", str(project))
    assert "char_gaby" in table and "loc_old_bridge" in table


def test_update_versions_and_restore(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    updated = as_json(
        capsys,
        "update",
        str(project),
        "Gaby",
        "--attr",
        "hair=blonde curly",
        "--note",
        "GaBy's hair should be blonde curly",
    )
    assert updated["current_version"] == 2
    assert updated["attributes"]["hair"] == "blonde curly"
    same = ok(capsys, "update", str(project), "Gaby", "--attr", "hair=blonde curly")
    assert same.startswith("unchanged char_gaby")
    history = as_json(capsys, "versions", str(project), "gaby")
    assert history["current_version"] == 2
    versions = history["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["note"] == "GaBy's hair should be blonde curly"
    assert versions[0]["content_hash"] != versions[1]["content_hash"]
    assert "*2" in ok(capsys, "versions", str(project), "gaby")
    out = ok(capsys, "restore", str(project), "gaby", "1")
    assert "version 3" in out
    element = AssetRegistry(Project.open(project)).get("char_gaby")
    assert element.current_version == 3 and element.attributes["hair"] == "short black"


def test_lock_unlock_approve_and_force(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ok(capsys, "lock", str(project), "gaby").strip() == "char_gaby is locked"
    code, _, err = run(capsys, "update", str(project), "gaby", "--description", "new")
    assert code == 2 and "unlock it first" in err
    assert ok(capsys, "unlock", str(project), "gaby").strip() == "char_gaby is draft"
    assert ok(capsys, "approve", str(project), "gaby").strip() == "char_gaby is approved"
    code, _, err = run(capsys, "update", str(project), "gaby", "--description", "new")
    assert code == 2 and "--force" in err
    out = ok(capsys, "update", str(project), "gaby", "--description", "new", "--force")
    assert "version 2, draft" in out


def test_add_image(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "gaby front.png"
    Image.new("RGB", (32, 32), (200, 30, 30)).save(source)
    out = ok(capsys, "add-image", str(project), "gaby", str(source))
    assert "references/Gaby_Front.png" in out
    copy = project / "01_elements/01_GaBy/references/Gaby_Front.png"
    assert copy.read_bytes() == source.read_bytes()
    assert "already has this image" in ok(capsys, "add-image", str(project), "gaby", str(source))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "{root}", "Judas"], "the project has no element 'Judas'"),
        (["show", "{root}", "gabi"], "did you mean char_gaby"),
        (["update", "{root}", "gaby", "--attr", "hair"], "--attr takes KEY=VALUE"),
        (["update", "{root}", "gaby", "--attr", "=blonde"], "--attr takes KEY=VALUE"),
        (["add", "{root}", "--type", "char", "--name", "X", "--attr", "oops"], "KEY=VALUE"),
        (["add", "{root}", "--type", "spaceship", "--name", "X"], "unknown element type"),
        (["add", "{root}", "--type", "prop", "--name", "  "], "an element needs a name"),
        (["add-image", "{root}", "gaby", "{tmp}/missing.png"], "does not exist"),
        (["add-image", "{root}", "gaby", "{tmp}/notes.txt"], "not an image"),
        (["restore", "{root}", "gaby", "7"], "has no version 7"),
        (["versions", "{root}", "nobody"], "no element 'nobody'"),
        (["lock", "{root}", "nobody"], "no element 'nobody'"),
        (["list", "{tmp}/nowhere"], "the folder does not exist"),
        (["list", "{tmp}/plain"], "is not a StoryCore project"),
        (["add", "{tmp}/plain", "--type", "prop", "--name", "Cup"], "not a StoryCore project"),
        (["restore", "{root}", "gaby", "one"], "Invalid value for 'VERSION'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_changes_nothing(
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "mine.txt").write_text("mine")
    before = snapshot(tmp_path)
    code, out, err = run(capsys, *[a.format(root=project, tmp=tmp_path) for a in args])
    assert code == 2, (out, err)
    assert out == ""
    assert err.count("\n") == 1 and message in err, err
    assert snapshot(tmp_path) == before


def test_a_locked_element_refusal_changes_nothing(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = tmp_path / "front.png"
    Image.new("RGB", (8, 8)).save(image)
    ok(capsys, "update", str(project), "gaby", "--attr", "hair=blonde")
    ok(capsys, "lock", str(project), "gaby")
    before = snapshot(project)
    for args in (
        ["update", str(project), "gaby", "--attr", "hair=red", "--force"],
        ["restore", str(project), "gaby", "1"],
        ["add-image", str(project), "gaby", str(image)],
        ["add", str(project), "--type", "character", "--name", "Gaby", "--description", "x"],
    ):
        code, out, err = run(capsys, *args)
        assert code == 2 and out == "" and "locked" in err and err.count("\n") == 1, args
    assert snapshot(project) == before


def test_the_group_alone_prints_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    out = ok(capsys)
    for command in ("list", "show", "add", "update", "versions", "restore", "lock", "add-image"):
        assert command in out


def test_the_installed_command(project: Path) -> None:
    result = subprocess.run(
        [storycore_executable(), "elements", "list", str(project), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert [e["element_id"] for e in json.loads(result.stdout)] == ["char_gaby"]
    result = subprocess.run(
        [storycore_executable(), "elements", "show", str(project), "nobody"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: the project has no element 'nobody'")
    assert result.stderr.count("\n") == 1
