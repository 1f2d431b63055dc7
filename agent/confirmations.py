"""The interrupt contract: what a confirmation asks, what a human answers, and how.

Every confirmation node of the graph (:mod:`storycore.agent.nodes`) builds a
:class:`Confirmation` with one of the builders below and calls :func:`ask`, which interrupts the
graph once with the payload as JSON. The resume value a caller sends back (a :class:`Decision`
as a dict, an action word such as ``approve``, or free-text feedback) is read by
:func:`check_answer`; a bad answer is met with the question asked again (:func:`asked_again`),
never with a failed run. A UI needs only this module to render a question and answer it.

A node runs again from its first line on resume, so code before :func:`ask` must be
idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from langgraph.types import interrupt
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from storycore.agent.messages import duration_text
from storycore.tools.domain import LANGUAGE_NAMES, CreativeBrief
from storycore.tools.errors import InvalidInput
from storycore.tools.planner import replan_edits

if TYPE_CHECKING:
    from storycore.agent.state import ChangeProposal
    from storycore.tools.planner import PlanSummary
    from storycore.tools.project import Project

# -- the answer -----------------------------------------------------------------------------

Action = Literal["approve", "edit", "feedback", "reject"]
ACTIONS: tuple[Action, ...] = ("approve", "edit", "feedback", "reject")


class Decision(TypedDict, total=False):
    """The human's answer to a confirmation."""

    action: Action
    text: str  # free-text feedback
    edits: dict[str, Any]  # field -> value, for "edit"


#: Words a person types for approve or reject (English and French).
ANSWER_ALIASES = {
    "y": "approve",
    "yes": "approve",
    "ok": "approve",
    "oui": "approve",
    "n": "reject",
    "no": "reject",
    "non": "reject",
}


def normalize_decision(answer: Any, allowed: Sequence[str]) -> Decision:
    """A resume value (a dict, an action word, or free text) as a Decision.

    Raises :class:`InvalidInput` when the answer is none of ``allowed``."""
    if isinstance(answer, str):
        word = ANSWER_ALIASES.get(answer.strip().lower(), answer.strip().lower())
        answer = {"action": word} if word in allowed else {"action": "feedback", "text": answer}
    if not isinstance(answer, dict) or answer.get("action") not in allowed:
        raise InvalidInput(f"answer with one of: {', '.join(allowed)}")
    decision: Decision = {"action": answer["action"]}
    if answer.get("text"):
        decision["text"] = str(answer["text"])
    if answer.get("edits"):
        if not isinstance(answer["edits"], dict):
            raise InvalidInput("'edits' is an object of field: value")
        decision["edits"] = dict(answer["edits"])
    return decision


# -- the question ---------------------------------------------------------------------------

ConfirmationKind = Literal[
    "confirm_brief",
    "confirm_cost",
    "confirm_storyboard",
    "confirm_changes",
    "gate_failed",
    "confirm_production_cost",
    "confirm_segment",
    "confirm_final",
]


class Confirmation(BaseModel):
    """What a confirmation shows: a UI renders ``rows`` as a table and offers ``actions``."""

    kind: ConfirmationKind
    title: str
    question: str
    rows: list[tuple[str, str]] = Field(default_factory=list)
    details: list[str] = Field(default_factory=list, description="Lines to show under the table.")
    actions: list[Action]
    edit_fields: list[str] = Field(default_factory=list, description="What 'edit' may change.")
    data: dict[str, Any] = Field(default_factory=dict)


def check_answer(question: Confirmation | Mapping[str, Any], answer: Any) -> Decision:
    """A resume value checked against the question it answers: an allowed action and, for
    an edit, only the fields the question lets edit. Raises :class:`InvalidInput` (one line
    saying what was wrong) otherwise. Callers validate with it before resuming a thread."""
    if isinstance(question, Confirmation):
        question = question.model_dump(mode="json")
    decision = normalize_decision(answer, list(question.get("actions") or []))
    if decision["action"] == "edit":
        fields = list(question.get("edit_fields") or [])
        edits = decision.get("edits") or {}
        if fields == ["modifications"]:
            if not isinstance(edits.get("modifications"), list):
                raise InvalidInput("an edit gives 'modifications': a list of changes")
        else:
            unknown = sorted(set(edits) - set(fields))
            if unknown:
                raise InvalidInput(
                    f"cannot edit {', '.join(unknown)} here; editable: {', '.join(sorted(fields))}"
                )
    return decision


def asked_again(question: Confirmation, problem: str) -> Confirmation:
    """The same question, with a first line saying what was wrong with the last answer."""
    return question.model_copy(
        update={
            "details": [f"Your answer was not accepted: {problem}", *question.details],
            "data": {**question.data, "invalid_answer": problem},
        }
    )


def ask(
    state: Mapping[str, Any],
    payload: Confirmation,
    on_answer: Callable[[Decision], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Interrupt for a human decision (approve at once with ``auto_approve``) and return the
    node's update: ``{"decision": ...}`` and whatever ``on_answer(decision)`` adds.

    ``on_answer`` is where a node acts on the answer; it raises :class:`InvalidInput` for an
    answer it cannot use. A bad answer (not an allowed action, an edit of a field that is not
    editable, a change that cannot be made) is answered with the question asked again, a line
    saying what was wrong on top: it never fails the run, so the thread stays answerable
    (LangGraph keeps a resume value that failed a node, and every later resume would fail).
    On resume the node runs again and replays the earlier answers in order (LangGraph matches
    resume values to interrupts by position), so ``on_answer`` must not commit anything before
    it raises."""
    if state.get("auto_approve"):
        decision: Decision = {"action": "approve"}
        return {"decision": decision, **(on_answer(decision) if on_answer is not None else {})}
    question = payload
    while True:
        answer = interrupt(question.model_dump(mode="json"))
        try:
            decision = check_answer(payload, answer)
            update = on_answer(decision) if on_answer is not None else {}
        except InvalidInput as exc:
            question = asked_again(payload, str(exc))
            continue
        return {"decision": decision, **update}


# -- the builders -------------------------------------------------------------------------


def brief_confirmation(brief: CreativeBrief) -> Confirmation:
    """ "Plan this brief?": the brief as understood, with what was not understood."""
    from storycore.tools.specs import model_wishes

    specs = brief.technical_specs
    duration = f"{brief.duration_seconds:g} s" if brief.duration_seconds else "from the content"
    rows = [
        ("title", brief.title),
        ("source", brief.source_format),
        ("duration", duration),
        ("aspect ratio", specs.aspect_ratio),
        ("resolution", str(specs.resolution)),
        ("frame rate", specs.fps + (" drop-frame" if specs.uses_drop_frame else "")),
        ("answers in", LANGUAGE_NAMES.get(specs.language, specs.language)),
        ("prompts in", LANGUAGE_NAMES.get(specs.prompt_language, specs.prompt_language)),
        ("style", specs.style or "-"),
        ("characters", ", ".join(c.name for c in brief.characters) or "-"),
        ("locations", ", ".join(c.name for c in brief.locations) or "-"),
        ("scenes", str(len(brief.scenes)) if brief.scenes else "to break down"),
        ("models", model_wishes(specs.models) or "best fit"),
    ]
    details = [f"warning: {w}" for w in brief.warnings]
    details += [f"not understood: {n}" for n in brief.not_understood]
    return Confirmation(
        kind="confirm_brief",
        title=f"Brief: {brief.title}",
        question="Plan this brief?",
        rows=rows,
        details=details,
        actions=["approve", "edit", "feedback", "reject"],
        edit_fields=["duration", "fps", "aspect", "language"],
    )


def gate_confirmation(verdict: Mapping[str, Any]) -> Confirmation:
    """A gate failed beyond its repairs: continue anyway, give directions, or stop."""
    gate = str(verdict.get("gate", "plan"))
    return Confirmation(
        kind="gate_failed",
        title=f"The {gate.replace('_', ' ')} check failed",
        question="Continue anyway, give directions, or stop?",
        rows=[("failure", f) for f in verdict.get("failures", [])],
        details=list(verdict.get("passed", [])),
        actions=["approve", "feedback", "reject"],
        data={"gate": gate},
    )


def cost_confirmation(summary: PlanSummary) -> Confirmation:
    """The plan uses paid models: approve the estimated cost, or re-select models."""
    return Confirmation(
        kind="confirm_cost",
        title="The plan uses paid models",
        question=f"Approve an estimated ${summary.estimated_cost_usd:.2f} of generation?",
        rows=[
            *((cost.model_id, cost.describe()) for cost in summary.costs),
            ("total", f"${summary.estimated_cost_usd:,.2f}"),
            *_budget_rows(summary),
        ],
        details=[
            "Estimated from the model capability registry (approx. public prices):"
            " billed seconds (each clip rounded up to the model's fixed durations)"
            " times the price per second.",
            "Feedback such as 'local only' or 'avoid veo3' re-selects the models.",
        ],
        actions=["approve", "feedback", "reject"],
        data={
            "estimated_cost_usd": summary.estimated_cost_usd,
            "budget_usd": summary.budget_usd,
            "budget_left_usd": summary.budget_left_usd,
            "costs": [dict(vars(cost)) for cost in summary.costs],
        },
    )


def _budget_rows(summary: PlanSummary) -> list[tuple[str, str]]:
    """The budget and what is left of it (over budget says by how much); none without one."""
    if summary.budget_usd is None:
        return [("budget", "none given")]
    left = summary.budget_left_usd or 0.0
    remainder = f"${left:,.2f}" if left >= 0 else f"over budget by ${-left:,.2f}"
    return [("budget", f"${summary.budget_usd:,.2f}"), ("left", remainder)]


def storyboard_confirmation(project: Project, summary: PlanSummary) -> Confirmation:
    """The storyboard is written: approve the plan, or give feedback or edits."""
    return Confirmation(
        kind="confirm_storyboard",
        title=f"Storyboard: {summary.title}",
        question="Approve this plan, or give feedback?",
        rows=[
            ("scenes", str(summary.scenes)),
            ("shots", str(summary.shots)),
            ("segments", str(summary.segments)),
            ("duration", duration_text(summary.total_frames, project)),
            ("models", ", ".join(f"{m} ×{n}" for m, n in summary.models.items())),
            ("estimated cost", f"${summary.estimated_cost_usd:.2f}"),
        ],
        details=[
            f"Storyboard: {project.root / 'storyboard.html'}",
            # A re-plan that could not keep an edit says so here: approving accepts the loss.
            *(f"edit lost: {line}" for line in replan_edits(project)["lost"]),
        ],
        actions=["approve", "edit", "feedback", "reject"],
        edit_fields=["modifications"],
    )


def changes_confirmation(proposal: ChangeProposal) -> Confirmation:
    """A change proposal: what changes and what it regenerates."""
    shown = list(proposal["regenerate"])
    hidden = proposal.get("regenerate_total", len(shown)) - len(shown)
    if hidden > 0:  # the state keeps a bounded list of ids: say how many more
        shown.append(f"and {hidden} more")
    return Confirmation(
        kind="confirm_changes",
        title="Proposed changes",
        question="Apply these changes?",
        rows=[("change", line) for line in proposal["summary"]],
        details=[
            "Will be regenerated: " + (", ".join(shown) if shown else "nothing"),
            "Documents (storyboard, shot list, timelines) are rewritten.",
            *(f"warning: {w}" for w in proposal.get("warnings", [])),
        ],
        actions=["approve", "edit", "feedback", "reject"],
        edit_fields=["modifications"],
        data={"modifications": proposal["modifications"]},
    )


def production_cost_confirmation(estimate: Mapping[str, Any]) -> Confirmation:
    """Production will spend money: the estimate per model, the budget, what was spent."""
    budget = estimate.get("budget_usd")
    return Confirmation(
        kind="confirm_production_cost",
        title="Rendering costs money",
        question=f"Spend an estimated ${float(estimate.get('total_usd', 0)):.2f} on rendering?",
        rows=[(m, f"${float(c):.2f}") for m, c in (estimate.get("per_model_usd") or {}).items()],
        details=[
            f"Already spent: ${float(estimate.get('spent_usd', 0)):.2f}",
            f"Budget: ${float(budget):.2f}" if budget is not None else "No budget set.",
        ],
        actions=["approve", "reject"],
        data=dict(estimate),
    )


def segment_confirmation(outcome: Mapping[str, Any], verdict: Mapping[str, Any]) -> Confirmation:
    """A segment is rendered and checked: approve it, give feedback (a change; only the shots
    it makes stale are rendered again), or reject (stop; nothing rendered is lost)."""
    failed = list(outcome.get("failed") or [])
    rows = [
        ("rendered", ", ".join(outcome.get("rendered") or []) or "nothing"),
        ("reused", str(len(outcome.get("reused") or []))),
        ("failed", ", ".join(f["shot_id"] for f in failed) or "none"),
    ]
    details = [f"failed: {f['shot_id']}: {f['error']}" for f in failed]
    details += [f"media gate: {line}" for line in verdict.get("failures", [])]
    details += [f"note: {line}" for line in outcome.get("notes") or []]
    return Confirmation(
        kind="confirm_segment",
        title=f"Segment {outcome.get('segment_id', '')}",
        question="Approve this segment, give feedback, or reject?",
        rows=rows,
        details=details,
        actions=["approve", "feedback", "reject"],
        data={"segment_id": outcome.get("segment_id"), "failed": failed},
    )


def final_confirmation(result: Mapping[str, Any]) -> Confirmation:
    """The segments and the film are assembled."""
    final = result.get("final")
    rows = [(s["segment_id"], f"{s['path']} ({s['frames']} frames)") for s in result["segments"]]
    if final:
        rows.append(("film", f"{final['path']} ({final['frames']} frames)"))
    return Confirmation(
        kind="confirm_final",
        title="Assembled",
        question="The film is assembled. Done?",
        rows=rows,
        details=[] if final else ["Some segment is not complete: the film is not joined yet."],
        actions=["approve", "reject"],
        data={"final": final},
    )


__all__ = [
    "ACTIONS",
    "ANSWER_ALIASES",
    "Action",
    "Confirmation",
    "ConfirmationKind",
    "Decision",
    "ask",
    "asked_again",
    "brief_confirmation",
    "changes_confirmation",
    "check_answer",
    "cost_confirmation",
    "final_confirmation",
    "gate_confirmation",
    "normalize_decision",
    "production_cost_confirmation",
    "segment_confirmation",
    "storyboard_confirmation",
]
