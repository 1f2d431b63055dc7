"""The production phases in the assistant graph: nodes, pure routers, interrupts."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from storycore.agent import routing
from storycore.agent.context import Context
from storycore.agent.session import Session
from storycore.tools.domain import Phase, Resolution
from storycore.tools.production.records import media_records
from storycore.tools.project import Project

from .plan_fixtures import build_planned_project

pytestmark = pytest.mark.slow


def _project(root: Path) -> Path:
    project = build_planned_project(root, fps="25")
    with project.transaction("test: planned, tiny frames", undoable=False) as tx:
        specs = tx.manifest.technical_specs
        tx.manifest.technical_specs = specs.model_copy(
            update={"resolution": Resolution(width=64, height=36)}
        )
        tx.manifest.phase = Phase.PLANNED
    return root


def _session(root: Path, *, auto: bool) -> Session:
    return Session(
        root,
        context=Context.from_env(offline=True),
        checkpointer=InMemorySaver(),
        new=True,
        auto_approve=auto,
    )


def test_the_routers_are_pure() -> None:
    cost = {"production_estimate": {"total_usd": 3.0}, "segments_todo": ["seg_01"]}
    assert routing.route_start_production(cost) == "confirm_production_cost"  # type: ignore[arg-type]
    free = {"production_estimate": {"total_usd": 0}, "segments_todo": ["seg_01"]}
    assert routing.route_start_production(free) == "produce_segment"  # type: ignore[arg-type]
    assert routing.route_start_production({"segments_todo": []}) == "assemble"  # type: ignore[arg-type]
    approve = {"decision": {"action": "approve"}, "segments_todo": []}
    assert routing.route_confirm_segment(approve) == "assemble"  # type: ignore[arg-type]
    more = {"decision": {"action": "approve"}, "segments_todo": ["seg_02"]}
    assert routing.route_confirm_segment(more) == "produce_segment"  # type: ignore[arg-type]
    feedback = {"decision": {"action": "feedback"}, "proposal": {"modifications": []}}
    assert routing.route_confirm_segment(feedback) == "apply_segment_feedback"  # type: ignore[arg-type]
    assert routing.route_confirm_segment({"decision": {"action": "reject"}}) == "__end__"  # type: ignore[arg-type]
    assert routing.route_confirm_production_cost({"decision": {"action": "reject"}}) == "__end__"  # type: ignore[arg-type]
    assert routing.route_entry({"request": "produce", "project_dir": "x"}) == "start_production"  # type: ignore[typeddict-item]


def test_auto_approved_production_runs_every_phase(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    with _session(root, auto=True) as session:
        turn = session.produce()
        values = session.values()
    assert turn.interrupt is None and values["phase"] == "produced"
    result = values["production"]
    project = Project.open(root)
    assert result["rendered"] == [r.shot_id for r in project.manifest.shots]
    assert result["final"]["frames"] == project.manifest.segments[-1].end_frame
    assert all(s.status.value == "approved" for s in project.manifest.segments)


def test_segment_confirmations_feedback_and_rejection(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    with _session(root, auto=False) as session:
        turn = session.produce()
        assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_segment"
        first = turn.interrupt["data"]["segment_id"]
        assert first == "seg_01"
        # feedback: a change, applied, then only the shot it made stale is rendered again
        turn = session.resume("make shot 2 a close-up")
        assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_segment"
        assert turn.interrupt["rows"][0] == ("rendered", "shot_02") or turn.interrupt["rows"][
            0
        ] == ["rendered", "shot_02"]
        assert media_records(Project.open(root))["shot_02"].version == 2
        turn = session.resume("approve")
        assert turn.interrupt is not None and turn.interrupt["data"]["segment_id"] == "seg_02"
        turn = session.resume("reject")  # stop: what was rendered stays
        assert turn.interrupt is None
        assert session.values()["production"]["final"] is None
    produced = media_records(Project.open(root))
    assert "shot_01" in produced and produced["shot_02"].version == 2
