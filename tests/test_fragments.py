"""The storyboard documents rendered shot by shot (``tools/storyboard/fragments.py``): after any
series of changes they are byte for byte what a whole rendering gives, a change renders the
shots it changes only, and a panel whose file changed on disk is checked again.

Behaviour only, never timing: speed is measured by ``bench/edit_bench.py``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storycore.tools import storyboard as sb
from storycore.tools.domain import ShotSpec
from storycore.tools.project import Project
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.registry import AssetRegistry
from storycore.tools.storyboard import fragments
from storycore.tools.structure import SHOTS, load_shots

sys.path.insert(0, str(Path(__file__).parent))
from plan_fixtures import HOSTILE_TEXT, count_panel_draws

DOCUMENTS = ("storyboard.json", "storyboard.md", "storyboard.html", "visual_strategy.json")


@pytest.fixture
def project(film: Path) -> Iterator[Project]:
    fragments.forget()
    yield Project(film)
    fragments.forget()


def _whole(project: Project) -> dict[str, bytes]:
    """The documents as one whole rendering of the project's files gives them."""
    plan = sb.load_plan(project)
    board = sb.storyboard_from_plan(plan)
    language = project.manifest.technical_specs.language
    strategy = json.dumps(sb.build_visual_strategy(project, plan), indent=2, ensure_ascii=False)
    return {
        "storyboard.json": (json.dumps(board, indent=2, ensure_ascii=False) + "\n").encode(),
        "storyboard.md": sb.render_markdown(board, language).encode(),
        "storyboard.html": sb.render_html(project, board).encode(),
        "visual_strategy.json": (strategy + "\n").encode(),
    }


def _on_disk(project: Project) -> dict[str, bytes]:
    return {rel: (project.root / rel).read_bytes() for rel in DOCUMENTS}


def _assert_like_a_whole_rebuild(project: Project) -> None:
    """The documents on disk are the whole rendering's, and rendering everything again in a
    new process (nothing in memory) writes nothing: panels included."""
    assert _on_disk(project) == _whole(project)
    fragments.forget()
    entries = len(project.history())
    with project.transaction("documents again") as tx:
        sb.write_documents(tx)
    assert len(project.history()) == entries


def _change(project: Project, *modifications: dict[str, Any]) -> None:
    apply_changes(project, plan_changes(project, list(modifications)))


def _field(shot_id: str, field: str, value: str) -> dict[str, Any]:
    return {"kind": "set_shot_field", "shot_id": shot_id, "field": field, "value": value}


def _spec(field: str, value: str) -> dict[str, Any]:
    return {"kind": "change_project_spec", "field": field, "value": value}


def _segment_of(project: Project, shot_id: str) -> str:
    return next(s.segment_id for s in project.manifest.segments if shot_id in s.shot_ids)


def test_documents_stay_those_of_a_whole_rebuild_through_many_changes(project: Project) -> None:
    with project.transaction("documents") as tx:
        sb.write_documents(tx)  # the parts of every shot are in memory now
    steps: list[Sequence[dict[str, Any]]] = [
        [_field("shot_03", "shot_size", "CU")],
        [_field("shot_12", "description", HOSTILE_TEXT)],
        [{"kind": "move_shot", "shot_id": "shot_05", "after": "shot_15"}],
        [{"kind": "retime_shot", "shot_id": "shot_02", "duration_seconds": 7}],
        [{"kind": "insert_shot", "after": "shot_20", "description": "A gull on the rail."}],
        [{"kind": "remove_shot", "shot_id": "shot_24"}],
        [{"kind": "update_element", "element": "char_gaby", "attributes": {"hair": "grey"}}],
        [_spec("fps", "25")],
        [_spec("aspect_ratio", "9:16")],
        [_field("shot_03", "shot_size", "WS"), _field("shot_30", "camera_angle", "low")],
    ]
    for step in steps:
        _change(project, *step)
        _assert_like_a_whole_rebuild(project)
        if step[0].get("kind") == "move_shot":
            assert _segment_of(project, "shot_05") == _segment_of(project, "shot_15")
    project.undo()
    _change(project, _field("shot_07", "lens_mm", "85"))
    _assert_like_a_whole_rebuild(project)


def test_an_element_renamed_renders_the_shots_again(project: Project) -> None:
    """Element names are in every shot's row and article: a new name renders them all."""
    with project.transaction("documents") as tx:
        sb.write_documents(tx)
    AssetRegistry(project).update("char_gaby", name="Gabrielle")
    with project.transaction("documents") as tx:
        sb.write_documents(tx)
    assert b"Gabrielle" in (project.root / "storyboard.md").read_bytes()
    _assert_like_a_whole_rebuild(project)


def test_a_one_shot_change_renders_that_shot_only(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _change(project, _field("shot_03", "shot_size", "CU"))  # every part is in memory now
    rendered: list[str] = []
    real = fragments._part

    def counting(*args: Any) -> fragments.ShotPart:
        part = real(*args)
        rendered.append(part.spec.shot_id)
        return part

    monkeypatch.setattr(fragments, "_part", counting)
    _change(project, _field("shot_08", "description", "Rain on the platform roof."))
    assert rendered == ["shot_08"]
    _assert_like_a_whole_rebuild(project)


def test_a_shot_changed_in_place_is_rendered_again(project: Project) -> None:
    """The parts keep their own copy of each shot: changing the caller's shot object after
    the documents were written does not make them believe it is still the same."""
    shots = sb.load_plan(project).shots
    specs = [planned.spec for planned in shots]
    with project.transaction("documents") as tx:
        sb.write_documents(tx, specs)
    specs[4].description = "A heron takes off from the canal."
    with project.transaction("documents") as tx:
        sb.write_documents(tx, specs)
    assert b"A heron takes off" in (project.root / "storyboard.md").read_bytes()
    assert b"A heron takes off" in (project.root / "storyboard.json").read_bytes()


def test_a_panel_replaced_on_disk_is_checked_and_drawn_again(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    with project.transaction("documents") as tx:
        sb.write_documents(tx)
    drawn = count_panel_draws(monkeypatch)
    with project.transaction("documents") as tx:
        sb.write_documents(tx)
    assert drawn == []  # nothing changed, nothing drawn (nor read)
    refs = project.manifest.shots
    Image.new("RGB", (8, 8)).save(project.root / SHOTS / refs[1].folder / "panel.png")
    (project.root / SHOTS / refs[6].folder / "panel.png").unlink()
    with project.transaction("documents") as tx:
        sb.write_documents(tx)
    # which panels are redrawn, in any order (panels sharing a background are drawn together)
    assert sorted(drawn) == [refs[1].shot_id, refs[6].shot_id]
    _assert_like_a_whole_rebuild(project)


def test_json_assembled_from_parts_is_json_dumps(project: Project) -> None:
    """Empty lists, nested objects and non-ASCII text indent as ``json.dumps`` does."""
    entry = {"a": [], "b": {}, "c": [{"d": 'é\n"x"'}], "e": None}
    head = {"title": "Ça", "segments": []}
    segment = {"segment_id": "seg_01", "title": "", "shots": []}
    part = fragments.ShotPart(
        spec=ShotSpec(shot_id="shot_01", start_frame=0, end_frame=24),
        folder="02_shots/01_A",
        entry=entry,
        json=("        " + fragments._dumped(entry, 4)).encode(),
        markdown=b"",
        html=b"",
    )
    for rows in ([], [[]], [[part]], [[part, part], [part]]):
        board = {
            **head,
            "segments": [{**segment, "shots": [p.entry for p in row]} for row in rows],
        }
        top = {k: v for k, v in segment.items() if k != "shots"}
        sections = [fragments._section_json(top, row) for row in rows]
        expected = json.dumps(board, indent=2, ensure_ascii=False) + "\n"
        assert b"".join(fragments._json_pieces(board, sections)) == expected.encode()


def test_a_plan_of_the_very_same_shots_in_a_new_folder_and_segment_says_so(
    project: Project,
) -> None:
    """The plan's shots are shared from one plan to the next only when made of the very
    same shot in the same folder and segment: a shot moved to another folder or segment
    (the same shot object) is planned where it now is."""
    shots = load_shots(project)
    first = sb.load_plan(project, shots).segments[0]
    assert first.shots[0].folder != f"{SHOTS}/01_Renamed"
    with pytest.raises(RuntimeError), project.transaction("look only") as tx:
        refs = tx.manifest.shots
        refs[0] = refs[0].model_copy(update={"folder": "01_Renamed"})
        segments = tx.manifest.segments
        segments[0] = segments[0].model_copy(update={"segment_id": "seg_99"})
        planned = sb.load_plan(project, shots).segments[0]
        raise RuntimeError("roll back")
    assert planned.shots[0].spec is first.shots[0].spec
    assert planned.shots[0].folder == f"{SHOTS}/01_Renamed"
    assert planned.shots[1].folder == first.shots[1].folder
    assert [s.segment_id for s in planned.shots] == ["seg_99"] * len(planned.shots)
    again = sb.load_plan(project, shots).segments[0]
    assert again.shots[0].folder == first.shots[0].folder
    assert again.shots[1] is first.shots[1] or again.shots[1] == first.shots[1]
