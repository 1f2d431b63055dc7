"""Re-planning an edited project (issue 11): the shot edits that still apply are kept (a
retime, a new size, a model switch), and an edit whose shot is gone from the new plan is
reported and shown at the storyboard confirmation instead of being dropped silently."""

from __future__ import annotations

import itertools
from pathlib import Path

from storycore.tools.domain import ShotSize
from storycore.tools.feedback import InsertShot, RetimeShot, SetShotField
from storycore.tools.planner import plan_project, replan_edits
from storycore.tools.project import Project
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.structure import load_shots

BRIEF = """# The Lighthouse Keeper

A 30 second short film.

An old keeper climbs the spiral stairs of the lighthouse at dusk. He wipes the salt from the
great lens with a cloth. A storm gathers over the black sea. He lights the lamp and the beam
sweeps across the waves. A small boat turns toward the light.
"""


def _plan(tmp_path: Path, text: str = BRIEF) -> Project:
    source = tmp_path / "brief.md"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "project"
    plan_project(text, out, source_name=str(source))
    return Project.open(out)


def _edit(project: Project, *mods: object) -> None:
    apply_changes(project, plan_changes(project, list(mods)))  # type: ignore[arg-type]


def _frames(project: Project) -> dict[str, int]:
    return {s.shot_id: s.duration_frames for s in load_shots(project)}


def test_a_retime_and_a_size_edit_survive_a_replan(tmp_path: Path) -> None:
    project = _plan(tmp_path)
    shots = load_shots(project)
    first, second = shots[0], shots[1]
    new_size = ShotSize.ECU if second.shot_size != ShotSize.ECU else ShotSize.WS
    seconds = round(first.duration_frames / 24 - 1.0, 3)  # longer could pass a clip limit
    _edit(project, RetimeShot(shot_id=first.shot_id, duration_seconds=seconds))
    _edit(project, SetShotField(shot_id=second.shot_id, field="shot_size", value=new_size.value))
    edited = {s.shot_id: s for s in load_shots(project)}

    plan_project(BRIEF, project.root, source_name="brief.md")

    after = {s.shot_id: s for s in load_shots(Project.open(project.root))}
    assert after[first.shot_id].duration_frames == edited[first.shot_id].duration_frames
    assert after[second.shot_id].shot_size == new_size
    ordered = load_shots(Project.open(project.root))
    assert all(a.end_frame == b.start_frame for a, b in itertools.pairwise(ordered))
    report = replan_edits(Project.open(project.root))
    assert any(first.shot_id in line and "duration" in line for line in report["kept"])
    assert any(second.shot_id in line and "shot size" in line for line in report["kept"])
    assert report["lost"] == []


def test_kept_edits_survive_a_second_replan(tmp_path: Path) -> None:
    project = _plan(tmp_path)
    shot = load_shots(project)[0]
    seconds = round(shot.duration_frames / 24 - 1.5, 3)
    _edit(project, RetimeShot(shot_id=shot.shot_id, duration_seconds=seconds))
    frames = _frames(project)[shot.shot_id]
    plan_project(BRIEF, project.root, source_name="brief.md")
    plan_project(BRIEF, project.root, source_name="brief.md")
    assert _frames(Project.open(project.root))[shot.shot_id] == frames


def test_a_replan_without_edits_reports_nothing_and_changes_nothing(tmp_path: Path) -> None:
    project = _plan(tmp_path)
    before = _frames(project)
    plan_project(BRIEF, project.root, source_name="brief.md")
    project = Project.open(project.root)
    assert _frames(project) == before
    assert replan_edits(project) == {"kept": [], "lost": []}


def test_an_edit_whose_shot_disappears_is_reported(tmp_path: Path) -> None:
    project = _plan(tmp_path)
    last = load_shots(project)[-1]
    _edit(project, InsertShot(after=last.shot_id, description="The boat's lantern, close"))
    inserted = [s for s in load_shots(project) if s.shot_id.startswith(last.shot_id + "a")]
    assert inserted

    plan_project(BRIEF, project.root, source_name="brief.md")

    project = Project.open(project.root)
    assert inserted[0].shot_id not in _frames(project)
    lost = replan_edits(project)["lost"]
    assert any(inserted[0].shot_id in line and "lost" in line for line in lost)


def test_the_storyboard_confirmation_shows_the_lost_edits(tmp_path: Path) -> None:
    from storycore.agent.confirmations import storyboard_confirmation
    from storycore.tools.planner import summarize

    project = _plan(tmp_path)
    last = load_shots(project)[-1]
    _edit(project, InsertShot(after=last.shot_id, description="Gulls over the rocks"))
    plan_project(BRIEF, project.root, source_name="brief.md")
    project = Project.open(project.root)
    question = storyboard_confirmation(project, summarize(project))
    assert any("lost" in line and last.shot_id in line for line in question.details)


def test_storycore_plan_on_an_edited_project_keeps_the_retime(tmp_path: Path) -> None:
    """The path a user takes: `storycore plan`, `storycore feedback`, `storycore plan` again."""
    from storycore.agent.cli.main import main

    source = tmp_path / "keeper.md"
    source.write_text(BRIEF, encoding="utf-8")
    out = tmp_path / "film"
    assert main(["plan", str(source), "--out", str(out), "--offline", "--yes"]) == 0
    shot = load_shots(Project.open(out))[1]
    feedback = f"make {shot.shot_id.replace('_', ' ')} two seconds longer"
    assert main(["feedback", str(out), feedback, "--offline", "--yes"]) == 0
    lengthened = _frames(Project.open(out))[shot.shot_id]
    assert lengthened > shot.duration_frames

    assert main(["plan", str(source), "--out", str(out), "--offline", "--yes"]) == 0

    project = Project.open(out)
    assert _frames(project)[shot.shot_id] == lengthened
    target = round(project.manifest.technical_specs.duration_seconds * 24)
    assert load_shots(project)[-1].end_frame == target  # the others absorbed the retime


def test_a_model_switch_survives_a_replan(tmp_path: Path) -> None:
    from storycore.tools.feedback import SetModel

    project = _plan(tmp_path)
    shot = load_shots(project)[2]
    other = "ltx_video" if shot.model_id != "ltx_video" else "wan22_14b"
    _edit(project, SetModel(model_id=other, shot_ids=[shot.shot_id]))
    plan_project(BRIEF, project.root, source_name="brief.md")
    after = {s.shot_id: s for s in load_shots(Project.open(project.root))}
    assert after[shot.shot_id].model_id == other
