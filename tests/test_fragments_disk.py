"""The storyboard's shot parts kept on disk (``tools/storyboard/fragments_disk.py``): a new
process renders only the shots changed since they were kept, the documents stay byte for
byte a whole rendering's, and a parts file that is not whole, of another context or of
another renderer is ignored.

Behaviour only, never timing: speed is measured by ``bench/edit_bench.py --cold``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storycore.tools import storyboard as sb
from storycore.tools.project import Project, kept
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.storyboard import fragments, fragments_disk
from storycore.tools.storyboard.fragments_disk import PARTS_FILE

sys.path.insert(0, str(Path(__file__).parent))
from plan_fixtures import HOSTILE_TEXT, count_panel_draws

DOCUMENTS = ("storyboard.json", "storyboard.md", "storyboard.html", "visual_strategy.json")


@pytest.fixture
def project(film: Path) -> Iterator[Project]:
    fragments.forget()
    yield Project.open(film)
    fragments.forget()


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The shots whose parts are rendered (not taken from memory or the parts file)."""
    seen: list[str] = []
    real = fragments._part

    def counting(*args: Any) -> fragments.ShotPart:
        part = real(*args)
        seen.append(part.spec.shot_id)
        return part

    monkeypatch.setattr(fragments, "_part", counting)
    return seen


def _new_process() -> None:
    fragments.forget()
    kept.forget()


def _change(project: Project, shot_id: str, field: str, value: Any) -> None:
    change = {"kind": "set_shot_field", "shot_id": shot_id, "field": field, "value": value}
    apply_changes(project, plan_changes(project, [change]))


def _assert_like_a_whole_rebuild(project: Project) -> None:
    plan = sb.load_plan(project)
    board = sb.storyboard_from_plan(plan)
    language = project.manifest.technical_specs.language
    strategy = json.dumps(sb.build_visual_strategy(project, plan), indent=2, ensure_ascii=False)
    whole = {
        "storyboard.json": (json.dumps(board, indent=2, ensure_ascii=False) + "\n").encode(),
        "storyboard.md": sb.render_markdown(board, language).encode(),
        "storyboard.html": sb.render_html(project, board).encode(),
        "visual_strategy.json": (strategy + "\n").encode(),
    }
    assert {rel: (project.root / rel).read_bytes() for rel in DOCUMENTS} == whole


def test_a_new_process_renders_only_the_shots_changed_since_the_file(
    project: Project, rendered: list[str]
) -> None:
    _change(project, "shot_03", "description", "A gull.")  # the parts file is written
    assert (project.root / PARTS_FILE).is_file()
    _new_process()
    rendered.clear()
    _change(project, "shot_08", "description", HOSTILE_TEXT)
    assert rendered == ["shot_08"]
    _assert_like_a_whole_rebuild(project)
    _new_process()  # the file was not written again for one part: shot_08 is rendered too
    rendered.clear()
    _change(project, "shot_07", "description", "Rain on the platform roof.")
    assert sorted(rendered) == ["shot_07", "shot_08"]
    _assert_like_a_whole_rebuild(project)


def test_a_parts_file_edited_by_hand_is_ignored(project: Project, rendered: list[str]) -> None:
    _change(project, "shot_03", "description", "A gull.")
    path = project.root / PARTS_FILE
    data = path.read_bytes()
    path.write_bytes(data.replace(b"A gull.", b"A crow."))  # the checksum no longer matches
    _new_process()
    rendered.clear()
    _change(project, "shot_05", "description", "Two gulls.")
    assert len(rendered) == len(project.manifest.shots)
    _assert_like_a_whole_rebuild(project)
    assert b"A crow." not in (project.root / "storyboard.html").read_bytes()


@pytest.mark.parametrize("what", ["context", "renderer", "shot", "not json"])
def test_parts_of_another_context_renderer_or_shot_are_not_used(
    project: Project, rendered: list[str], monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    _change(project, "shot_03", "description", "A gull.")
    _new_process()
    path = project.root / PARTS_FILE
    if what == "context":  # as if rendered at another rate (the body, its checksum whole)
        head, _, body = path.read_bytes().partition(b"\n")
        header = json.loads(head)
        header["context"] = header["context"].replace('"24"', '"25"', 1)
        assert header["context"] != json.loads(head)["context"]
        path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    elif what == "renderer":
        monkeypatch.setattr(fragments_disk, "_renderer", "another storycore")
    elif what == "shot":  # the shot file changed by hand: its part is rendered again
        ref = next(r for r in project.manifest.shots if r.shot_id == "shot_06")
        shot_file = project.root / "02_shots" / ref.folder / "shot.json"
        data = json.loads(shot_file.read_text(encoding="utf-8"))
        data["description"] = "Changed by hand."
        shot_file.write_text(json.dumps(data, indent=2), encoding="utf-8")
    else:
        path.write_bytes(b"not json at all")
    rendered.clear()
    _change(project, "shot_05", "description", "Two gulls.")
    if what == "shot":
        assert sorted(rendered) == ["shot_05", "shot_06"]
    else:
        assert len(rendered) == len(project.manifest.shots)
    _assert_like_a_whole_rebuild(project)


def test_the_parts_file_is_rolled_back_and_undone_with_its_change(project: Project) -> None:
    path = project.root / PARTS_FILE
    assert not path.exists()
    plan = plan_changes(
        project,
        [{"kind": "set_shot_field", "shot_id": "shot_03", "field": "description", "value": "X"}],
    )
    with pytest.raises(RuntimeError), project.transaction("outer"):
        apply_changes(project, plan)
        assert path.is_file()
        raise RuntimeError("power cut")
    assert not path.exists()
    fragments.forget()
    _change(project, "shot_03", "description", "A gull.")
    assert path.is_file()
    project.undo()
    assert not path.exists()


def test_a_panel_replaced_on_disk_is_drawn_again_by_a_new_process(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parts file remembers each panel file found drawn from its shot; a panel file that
    is another file now (replaced, deleted) is checked and drawn again."""
    _change(project, "shot_03", "description", "A gull.")
    refs = project.manifest.shots
    Image.new("RGB", (8, 8)).save(project.root / "02_shots" / refs[3].folder / "panel.png")
    (project.root / "02_shots" / refs[9].folder / "panel.png").unlink()
    _new_process()
    drawn = count_panel_draws(monkeypatch)
    _change(project, "shot_08", "description", "Rain on the platform roof.")
    # (a new description draws no new panel: only the two files changed on disk are drawn)
    assert sorted(drawn) == sorted([refs[3].shot_id, refs[9].shot_id])
    _assert_like_a_whole_rebuild(project)
    _new_process()
    drawn.clear()
    with project.transaction("documents again") as tx:
        sb.write_documents(tx)
    assert drawn == []
