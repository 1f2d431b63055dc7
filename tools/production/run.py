"""The production phases in order, for a caller without a graph (the CLI's ``--yes`` path,
the benchmark, tests): cost confirmation, then per segment produce, check and confirm, then
assemble and a final confirmation. The assistant graph runs the same phases as nodes
(agent/graph.py); both call the same :class:`~storycore.tools.production.producer.Production`
methods, so they cannot disagree.

Confirmations go through ``confirm(kind, payload)``, which answers a :class:`Decision`:
``approve`` goes on, ``reject`` stops (nothing lost: what was rendered stays), ``feedback``
carries a change that the caller applies (through the change proposal) before the segment is
produced again (only the shots the change made stale are rendered).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from storycore.tools.production.producer import Production, Progress, SegmentOutcome

__all__ = ["Decision", "ProductionResult", "run_production"]


@dataclass(frozen=True)
class Decision:
    action: Literal["approve", "feedback", "reject"] = "approve"
    text: str = ""


ConfirmFn = Callable[[str, dict[str, Any]], Decision]
FeedbackFn = Callable[[str], Production]  # applies the text, returns a fresh Production


@dataclass
class ProductionResult:
    """What a run did, in the shape of ``storycore produce --json``."""

    rendered: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)
    final: dict[str, Any] | None = None
    cost_usd: float = 0.0
    stopped: str | None = None  # why the run stopped early (a rejection)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "rendered": self.rendered,
            "reused": self.reused,
            "failed": self.failed,
            "segments": self.segments,
            "final": self.final,
            "cost_usd": round(self.cost_usd, 4),
        }

    def add(self, outcome: SegmentOutcome) -> None:
        self.rendered += [s for s in outcome.rendered if s not in self.rendered]
        self.reused += [s for s in outcome.reused if s not in self.reused + self.rendered]
        self.failed = [f for f in self.failed if f["shot_id"] not in outcome.rendered]
        self.failed += outcome.failed
        for shot_id, problems in outcome.gate.items():
            self.failed.append({"shot_id": shot_id, "error": "media gate: " + "; ".join(problems)})
        self.cost_usd += outcome.cost_usd
        self.notes += outcome.notes


def _always(_kind: str, _payload: dict[str, Any]) -> Decision:
    return Decision("approve")


def run_production(
    production: Production,
    *,
    confirm: ConfirmFn = _always,
    apply_feedback: FeedbackFn | None = None,
    on_progress: Progress | None = None,
    max_feedback_rounds: int = 5,
) -> ProductionResult:
    """Run every production phase on ``production`` (see the module docstring)."""
    result = ProductionResult()
    production.preflight()
    estimate = production.estimate()
    if estimate["total_usd"] > 0:
        decision = confirm("cost", estimate)
        if decision.action != "approve":
            result.stopped = "the cost was not approved"
            return result
    for segment in production.segments_to_produce():
        segment_id = segment.segment_id
        rounds = 0
        while True:
            outcome = production.produce_segment(segment_id, on_progress)
            result.add(outcome)
            gate = production.check_segment(segment_id)
            payload = {
                "segment_id": segment_id,
                "rendered": outcome.rendered,
                "reused": outcome.reused,
                "failed": outcome.failed,
                "gate": {k: v for k, v in gate.items() if v},
                "notes": outcome.notes,
            }
            decision = confirm("segment", payload)
            if decision.action == "feedback" and apply_feedback and rounds < max_feedback_rounds:
                rounds += 1
                production = apply_feedback(decision.text)
                continue
            break
        if decision.action == "reject":
            result.stopped = f"{segment_id} was rejected"
            return result
        production.approve_segment(segment_id)
    assembly = production.assemble()
    result.segments = assembly.segments
    result.final = assembly.final
    confirm("final", {"segments": assembly.segments, "final": assembly.final})
    return result
