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
from storycore.tools.domain import CreativeBrief
from storycore.tools.errors import InvalidInput
from storycore.tools.i18n import Messages, display_language
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
    "o": "approve",
    "n": "reject",
    "no": "reject",
    "non": "reject",
}


def normalize_decision(
    answer: Any, allowed: Sequence[str], language: str | None = None
) -> Decision:
    """A resume value (a dict, an action word, or free text) as a Decision.

    Raises :class:`InvalidInput` (in ``language``) when the answer is none of ``allowed``."""
    m = Messages(language)
    if isinstance(answer, str):
        word = ANSWER_ALIASES.get(answer.strip().lower(), answer.strip().lower())
        answer = {"action": word} if word in allowed else {"action": "feedback", "text": answer}
    if not isinstance(answer, dict) or answer.get("action") not in allowed:
        raise InvalidInput(m("confirm.error.answer_with", actions=", ".join(allowed)))
    decision: Decision = {"action": answer["action"]}
    if answer.get("text"):
        decision["text"] = str(answer["text"])
    if answer.get("edits"):
        if not isinstance(answer["edits"], dict):
            raise InvalidInput(m("confirm.error.edits_object"))
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
    language: str = Field(default="en", description="The language of the text shown.")


def check_answer(question: Confirmation | Mapping[str, Any], answer: Any) -> Decision:
    """A resume value checked against the question it answers: an allowed action and, for
    an edit, only the fields the question lets edit. Raises :class:`InvalidInput` (one line
    saying what was wrong) otherwise. Callers validate with it before resuming a thread."""
    if isinstance(question, Confirmation):
        question = question.model_dump(mode="json")
    language = question.get("language")
    m = Messages(language)
    decision = normalize_decision(answer, list(question.get("actions") or []), language)
    if decision["action"] == "edit":
        fields = list(question.get("edit_fields") or [])
        edits = decision.get("edits") or {}
        if fields == ["modifications"]:
            if not isinstance(edits.get("modifications"), list):
                raise InvalidInput(m("confirm.error.modifications"))
        else:
            unknown = sorted(set(edits) - set(fields))
            if unknown:
                raise InvalidInput(
                    m(
                        "confirm.error.cannot_edit",
                        fields=", ".join(unknown),
                        editable=", ".join(sorted(fields)),
                    )
                )
    return decision


def asked_again(question: Confirmation, problem: str) -> Confirmation:
    """The same question, with a first line saying what was wrong with the last answer."""
    m = Messages(question.language)
    return question.model_copy(
        update={
            "details": [m("confirm.not_accepted", problem=problem), *question.details],
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


def _messages(language: str | None) -> Messages:
    """The messages of a confirmation: the display language (``--language``) or the
    project's answer language."""
    return Messages(display_language(language))


def language_name(code: str, m: Messages) -> str:
    """``fr`` -> ``French`` / ``français`` in the messages' language."""
    from storycore.tools.i18n import catalog

    key = f"language_name.{code}"
    return m(key) if key in catalog("en") else code


def brief_confirmation(brief: CreativeBrief, language: str | None = None) -> Confirmation:
    """ "Plan this brief?": the brief as understood, with what was not understood. Shown in
    ``language``, by default the brief's answer language."""
    from storycore.tools.specs import model_wishes

    specs = brief.technical_specs
    m = _messages(language or specs.language)
    duration = (
        f"{brief.duration_seconds:g} s"
        if brief.duration_seconds
        else m("confirm.brief.duration_from_content")
    )
    drop = m("common.drop_frame_suffix") if specs.uses_drop_frame else ""
    rows = [
        (m("confirm.brief.row.title"), brief.title),
        (m("confirm.brief.row.source"), m(f"source_format.{brief.source_format}")),
        (m("confirm.brief.row.duration"), duration),
        (m("confirm.brief.row.aspect"), specs.aspect_ratio),
        (m("confirm.brief.row.resolution"), str(specs.resolution)),
        (m("confirm.brief.row.fps"), specs.fps + drop),
        (m("confirm.brief.row.answers_in"), language_name(specs.language, m)),
        (m("confirm.brief.row.prompts_in"), language_name(specs.prompt_language, m)),
        (m("confirm.brief.row.style"), specs.style or "-"),
        (m("confirm.brief.row.characters"), ", ".join(c.name for c in brief.characters) or "-"),
        (m("confirm.brief.row.locations"), ", ".join(c.name for c in brief.locations) or "-"),
        (
            m("confirm.brief.row.scenes"),
            str(len(brief.scenes)) if brief.scenes else m("confirm.brief.to_break_down"),
        ),
        (
            m("confirm.brief.row.models"),
            model_wishes(specs.models, m.language) or m("confirm.brief.best_fit"),
        ),
    ]
    details = [m("common.warning", text=w) for w in brief.warnings]
    details += [m("common.not_understood", text=n) for n in brief.not_understood]
    return Confirmation(
        kind="confirm_brief",
        title=m("confirm.brief.title", title=brief.title),
        question=m("confirm.brief.question"),
        language=m.language,
        rows=rows,
        details=details,
        actions=["approve", "edit", "feedback", "reject"],
        edit_fields=["title", "duration", "fps", "aspect", "language"],
    )


def gate_name(gate: str, m: Messages) -> str:
    """A gate's name for people (``model_selection`` -> ``model selection``)."""
    from storycore.tools.i18n import catalog

    key = f"gate.{gate}"
    return m(key) if key in catalog("en") else gate.replace("_", " ")


def gate_confirmation(verdict: Mapping[str, Any], language: str | None = None) -> Confirmation:
    """A gate failed beyond its repairs: continue anyway, give directions, or stop."""
    gate = str(verdict.get("gate", "plan"))
    m = _messages(language)
    return Confirmation(
        kind="gate_failed",
        title=m("confirm.gate.title", gate=gate_name(gate, m)),
        question=m("confirm.gate.question"),
        language=m.language,
        rows=[(m("confirm.gate.failure"), f) for f in verdict.get("failures", [])],
        details=list(verdict.get("passed", [])),
        actions=["approve", "feedback", "reject"],
        data={"gate": gate},
    )


def cost_confirmation(summary: PlanSummary, language: str | None = None) -> Confirmation:
    """The plan uses paid models: approve the estimated cost, or re-select models."""
    m = _messages(language or summary.language)
    return Confirmation(
        kind="confirm_cost",
        title=m("confirm.cost.title"),
        question=m("confirm.cost.question", usd=f"{summary.estimated_cost_usd:.2f}"),
        language=m.language,
        rows=[
            *((cost.model_id, cost.describe(m.language)) for cost in summary.costs),
            (m("confirm.cost.total"), f"${summary.estimated_cost_usd:,.2f}"),
            *_budget_rows(summary, m),
        ],
        details=[m("confirm.cost.how"), m("confirm.cost.feedback")],
        actions=["approve", "feedback", "reject"],
        data={
            "estimated_cost_usd": summary.estimated_cost_usd,
            "budget_usd": summary.budget_usd,
            "budget_left_usd": summary.budget_left_usd,
            "costs": [dict(vars(cost)) for cost in summary.costs],
        },
    )


def _budget_rows(summary: PlanSummary, m: Messages) -> list[tuple[str, str]]:
    """The budget and what is left of it (over budget says by how much); none without one."""
    if summary.budget_usd is None:
        return [(m("confirm.cost.budget"), m("confirm.cost.no_budget"))]
    left = summary.budget_left_usd or 0.0
    remainder = f"${left:,.2f}" if left >= 0 else m("confirm.cost.over", usd=f"{-left:,.2f}")
    return [
        (m("confirm.cost.budget"), f"${summary.budget_usd:,.2f}"),
        (m("confirm.cost.left"), remainder),
    ]


def storyboard_confirmation(
    project: Project, summary: PlanSummary, language: str | None = None
) -> Confirmation:
    """The storyboard is written: approve the plan, or give feedback or edits."""
    m = _messages(language or project.manifest.technical_specs.language)
    return Confirmation(
        kind="confirm_storyboard",
        title=m("confirm.storyboard.title", title=summary.title),
        question=m("confirm.storyboard.question"),
        language=m.language,
        rows=[
            (m("confirm.storyboard.row.scenes"), str(summary.scenes)),
            (m("confirm.storyboard.row.shots"), str(summary.shots)),
            (m("confirm.storyboard.row.segments"), str(summary.segments)),
            (m("confirm.storyboard.row.duration"), duration_text(summary.total_frames, project)),
            (
                m("confirm.storyboard.row.models"),
                ", ".join(f"{model} ×{n}" for model, n in summary.models.items()),
            ),
            (m("confirm.storyboard.row.cost"), f"${summary.estimated_cost_usd:.2f}"),
        ],
        details=[
            m("confirm.storyboard.file", path=str(project.root / "storyboard.html")),
            # A re-plan that could not keep an edit says so here: approving accepts the loss.
            *(f"edit lost: {line}" for line in replan_edits(project)["lost"]),
        ],
        actions=["approve", "edit", "feedback", "reject"],
        edit_fields=["modifications"],
    )


def changes_confirmation(proposal: ChangeProposal, language: str | None = None) -> Confirmation:
    """A change proposal: what changes and what it regenerates."""
    m = _messages(language)
    shown = list(proposal["regenerate"])
    hidden = proposal.get("regenerate_total", len(shown)) - len(shown)
    if hidden > 0:  # the state keeps a bounded list of ids: say how many more
        shown.append(m("confirm.changes.more", n=hidden))
    return Confirmation(
        kind="confirm_changes",
        title=m("confirm.changes.title"),
        question=m("confirm.changes.question"),
        language=m.language,
        rows=[(m("confirm.changes.change"), line) for line in proposal["summary"]],
        details=[
            m(
                "confirm.changes.regenerated",
                ids=", ".join(shown) if shown else m("confirm.changes.nothing"),
            ),
            m("confirm.changes.documents"),
            *(m("common.warning", text=w) for w in proposal.get("warnings", [])),
        ],
        actions=["approve", "edit", "feedback", "reject"],
        edit_fields=["modifications"],
        data={"modifications": proposal["modifications"]},
    )


def production_cost_confirmation(
    estimate: Mapping[str, Any], language: str | None = None
) -> Confirmation:
    """Production will spend money: the estimate per model, the budget, what was spent."""
    budget = estimate.get("budget_usd")
    m = _messages(language)
    return Confirmation(
        kind="confirm_production_cost",
        title=m("confirm.production_cost.title"),
        question=m(
            "confirm.production_cost.question", usd=f"{float(estimate.get('total_usd', 0)):.2f}"
        ),
        language=m.language,
        rows=[
            (model, f"${float(c):.2f}")
            for model, c in (estimate.get("per_model_usd") or {}).items()
        ],
        details=[
            m("confirm.production_cost.spent", usd=f"{float(estimate.get('spent_usd', 0)):.2f}"),
            m("confirm.production_cost.budget", usd=f"{float(budget):.2f}")
            if budget is not None
            else m("confirm.production_cost.no_budget"),
        ],
        actions=["approve", "reject"],
        data=dict(estimate),
    )


def segment_confirmation(
    outcome: Mapping[str, Any], verdict: Mapping[str, Any], language: str | None = None
) -> Confirmation:
    """A segment is rendered and checked: approve it, give feedback (a change; only the shots
    it makes stale are rendered again), or reject (stop; nothing rendered is lost)."""
    m = _messages(language)
    failed = list(outcome.get("failed") or [])
    rows = [
        (
            m("confirm.segment.rendered"),
            ", ".join(outcome.get("rendered") or []) or m("confirm.segment.nothing"),
        ),
        (m("confirm.segment.reused"), str(len(outcome.get("reused") or []))),
        (
            m("confirm.segment.failed"),
            ", ".join(f["shot_id"] for f in failed) or m("confirm.segment.none"),
        ),
    ]
    details = [
        m("confirm.segment.failed_line", shot=f["shot_id"], error=f["error"]) for f in failed
    ]
    details += [m("confirm.segment.media_gate", text=line) for line in verdict.get("failures", [])]
    details += [m("common.note", text=line) for line in outcome.get("notes") or []]
    return Confirmation(
        kind="confirm_segment",
        title=m("confirm.segment.title", segment=outcome.get("segment_id", "")),
        question=m("confirm.segment.question"),
        language=m.language,
        rows=rows,
        details=details,
        actions=["approve", "feedback", "reject"],
        data={"segment_id": outcome.get("segment_id"), "failed": failed},
    )


def final_confirmation(result: Mapping[str, Any], language: str | None = None) -> Confirmation:
    """The segments and the film are assembled."""
    m = _messages(language)
    final = result.get("final")
    rows = [
        (s["segment_id"], m("confirm.final.file", path=s["path"], frames=s["frames"]))
        for s in result["segments"]
    ]
    if final:
        rows.append(
            (
                m("confirm.final.film"),
                m("confirm.final.file", path=final["path"], frames=final["frames"]),
            )
        )
    return Confirmation(
        kind="confirm_final",
        title=m("confirm.final.title"),
        question=m("confirm.final.question"),
        language=m.language,
        rows=rows,
        details=[] if final else [m("confirm.final.incomplete")],
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
    "gate_name",
    "language_name",
    "normalize_decision",
    "production_cost_confirmation",
    "segment_confirmation",
    "storyboard_confirmation",
]
