"""The production phases as graph nodes (after ``planned``):

    start_production -> [confirm_production_cost*] -> produce_segment -> check_segment
      -> confirm_segment* -> (next segment | feedback: apply_segment_feedback -> produce_segment
         again | reject: end) -> assemble -> confirm_final*

Each node does one thing with :class:`storycore.tools.production.producer.Production` (the
same methods ``storycore produce`` and the benchmark call), reopened from the project on disk
at every node: the state holds only ids and small results. The routers are in
:mod:`storycore.agent.routing`; the confirmations' payloads in :mod:`storycore.agent.confirmations`.
"""

from __future__ import annotations

from typing import Any

from storycore.agent.confirmations import (
    Decision,
    ask,
    final_confirmation,
    production_cost_confirmation,
    segment_confirmation,
)
from storycore.agent.events import emit
from storycore.agent.state import AssistantState
from storycore.tools.errors import InvalidInput, StoryCoreError
from storycore.tools.project import Project

__all__ = ["ProductionNodes"]

MAX_SEGMENT_FEEDBACK = 5


def _production(state: AssistantState) -> Any:
    from storycore.tools.production.producer import Production

    selection = state.get("production_selection") or {}
    return Production(
        Project.open(state["project_dir"]),
        str(selection.get("backend", "animatic")),
        segments=list(selection.get("segments", [])),
        shots=list(selection.get("shots", [])),
    )


def _language(state: AssistantState) -> str | None:
    """The project's answer language: what the confirmations are shown in."""
    try:
        return Project.open(state["project_dir"]).manifest.technical_specs.language
    except StoryCoreError:
        return None


def _emit(data: dict[str, Any]) -> None:
    emit(data)


def _empty_result() -> dict[str, Any]:
    return {
        "rendered": [],
        "reused": [],
        "failed": [],
        "segments": [],
        "final": None,
        "cost_usd": 0.0,
    }


class ProductionNodes:
    """The production nodes (stateless: everything comes from the state and the project)."""

    def start_production(self, state: AssistantState) -> dict[str, Any]:
        """Open production (refusing bad input), queue the segments, estimate the cost."""
        production = _production(state)
        production.preflight()
        estimate = production.estimate()
        return {
            "phase": "producing",
            "segments_todo": [s.segment_id for s in production.segments_to_produce()],
            "production_estimate": estimate,
            "production": _empty_result(),
            "verdict": None,
            "decision": None,
        }

    def confirm_production_cost(self, state: AssistantState) -> dict[str, Any]:
        estimate = state.get("production_estimate") or {}
        return ask(state, production_cost_confirmation(estimate, _language(state)))

    def produce_segment(self, state: AssistantState) -> dict[str, Any]:
        """Render the missing or stale shots of the next segment and commit them."""
        todo = list(state.get("segments_todo") or [])
        if not todo:
            return {}
        segment_id = todo[0]
        production = _production(state)

        def progress(seg: str, done: int, total: int, message: str) -> None:
            _emit({"phase": "produce", "segment": seg, "done": done, "total": total,
                   "text": message})  # fmt: skip

        outcome = production.produce_segment(segment_id, progress)
        result = dict(state.get("production") or _empty_result())
        result["rendered"] = [*result["rendered"], *outcome.rendered]
        result["reused"] = [
            *result["reused"],
            *(s for s in outcome.reused if s not in result["reused"] + result["rendered"]),
        ]
        failed = [f for f in result["failed"] if f["shot_id"] not in outcome.rendered]
        result["failed"] = failed + outcome.failed
        result["cost_usd"] = round(result["cost_usd"] + outcome.cost_usd, 4)
        return {
            "production": result,
            "segment_outcome": {
                "segment_id": segment_id,
                "rendered": outcome.rendered,
                "reused": outcome.reused,
                "failed": outcome.failed,
                "notes": outcome.notes,
            },
        }

    def check_segment(self, state: AssistantState) -> dict[str, Any]:
        """The media gate on the segment's clips: a verdict for the router and the human."""
        outcome = state.get("segment_outcome") or {}
        segment_id = str(outcome.get("segment_id", ""))
        gate = _production(state).check_segment(segment_id)
        failures = [f"{shot}: {'; '.join(problems)}" for shot, problems in gate.items() if problems]
        passed = [shot for shot, problems in gate.items() if not problems]
        result = dict(state.get("production") or _empty_result())
        known = {f["shot_id"] for f in result["failed"]}
        result["failed"] = result["failed"] + [
            {"shot_id": shot, "error": "media gate: " + "; ".join(problems)}
            for shot, problems in gate.items()
            if problems and shot not in known
        ]
        return {
            "production": result,
            "verdict": {
                "gate": "segment",
                "ok": not failures,
                "passed": passed,
                "failures": failures,
                "repairable": False,
            },
        }

    def confirm_segment(self, state: AssistantState) -> dict[str, Any]:
        outcome = state.get("segment_outcome") or {}
        payload = segment_confirmation(outcome, state.get("verdict") or {}, _language(state))
        project = Project.open(state["project_dir"])

        def on_answer(decision: Decision) -> dict[str, Any]:
            todo = list(state.get("segments_todo") or [])
            if decision["action"] == "approve":
                _production(state).approve_segment(todo[0])
                return {"segments_todo": todo[1:], "proposal": None}
            if decision["action"] == "feedback":
                rounds = (state.get("repairs") or {}).get("segment_feedback", 0)
                if rounds >= MAX_SEGMENT_FEEDBACK:
                    raise InvalidInput("enough feedback rounds on this segment: approve or reject")
                from storycore.agent.conversation import proposal_from_text

                update = proposal_from_text(project, decision.get("text", ""))
                if not update.get("proposal"):
                    raise InvalidInput("the feedback gave no change to make; say what to change")
                repairs = {**(state.get("repairs") or {}), "segment_feedback": rounds + 1}
                return {**update, "repairs": repairs}
            return {}

        return ask(state, payload, on_answer)

    def apply_segment_feedback(self, state: AssistantState) -> dict[str, Any]:
        """Apply the change the feedback proposed (the segment is then produced again: only
        the shots it made stale are rendered)."""
        from storycore.agent.conversation import apply_proposal

        return apply_proposal(state)

    def assemble(self, state: AssistantState) -> dict[str, Any]:
        """Join the complete segments and the film (only what changed)."""
        assembly = _production(state).assemble()
        result = dict(state.get("production") or _empty_result())
        result["segments"] = assembly.segments
        result["final"] = assembly.final
        _emit({"phase": "assemble", "text": f"{len(assembly.joined)} files joined"})
        return {"production": result}

    def confirm_final(self, state: AssistantState) -> dict[str, Any]:
        result = state.get("production") or _empty_result()
        payload = final_confirmation(result, _language(state))
        return {**ask(state, payload), "phase": "produced"}
