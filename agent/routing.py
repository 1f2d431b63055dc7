"""The graph's routers: pure functions from the state to the name of the next node.

Checkpoints are these conditional edges: a check node has written a verdict (what passed,
what failed, whether a repair may fix it); the router reads it and goes on, sends the work
back for a bounded number of repairs, or asks the human. Each router's return type is a
``Literal`` of the nodes it may go to, so :mod:`storycore.agent.graph` draws its edges from
the type alone. Routers never do I/O, so they are tested with plain dictionaries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, cast

from langchain_core.messages import AIMessage, HumanMessage

from storycore.agent.state import AssistantState
from storycore.tools import catalog
from storycore.tools.domain import Phase

MAX_REPAIRS = 2
END = "__end__"

#: The planning phases in workflow order: the one table of the phase order. Each phase is a
#: node named like the phase (``Phase.value``), followed by its check node ``check_<phase>``;
#: after the last one comes :data:`AFTER_PLANNING`.
PHASES: tuple[Phase, ...] = (
    Phase.STRUCTURE,
    Phase.BREAKDOWN,
    Phase.ELEMENTS,
    Phase.MODEL_SELECTION,
    Phase.SEGMENTS,
    Phase.STORYBOARD,
)
PHASE_NAMES: tuple[str, ...] = tuple(phase.value for phase in PHASES)
AFTER_PLANNING = "confirm_storyboard"

#: Tools whose calls change the plan: they go through review and confirmation. Derived from
#: the catalog's own flag (``ToolSpec.mutating``), never kept by hand.
MUTATING_TOOLS: frozenset[str] = frozenset(spec.name for spec in catalog.catalog() if spec.mutating)


def check_node(phase: str) -> str:
    """The name of the check node after ``phase``."""
    return f"check_{phase}"


def next_node(phase: str) -> str:
    """The node after ``phase``'s gate passes: the next phase, then the storyboard's
    confirmation. (The cost confirmation after model selection is :func:`route_gate`'s.)"""
    index = PHASE_NAMES.index(phase)
    return PHASE_NAMES[index + 1] if index + 1 < len(PHASE_NAMES) else AFTER_PLANNING


def gate_targets(phase: str) -> tuple[str, ...]:
    """Where ``phase``'s gate may go: on, back to the phase (a repair), or to the human."""
    targets = [next_node(phase), phase, "ask_human"]
    if phase == Phase.MODEL_SELECTION.value:
        targets.append("confirm_cost")
    return tuple(targets)


def route_entry(
    state: AssistantState,
) -> Literal["intake", "start_production", "converse", "__end__"]:
    """A plan request starts at intake, a production request at start_production; a message
    goes to the conversation."""
    if state.get("request") == "plan" and state.get("brief_text"):
        return "intake"
    if state.get("request") == "produce":
        return "start_production"
    messages = state.get("messages") or []
    if messages and isinstance(messages[-1], HumanMessage):
        return "converse"
    return "__end__"


def route_gate(gate: str) -> Callable[[AssistantState], str]:
    """The router after ``gate``'s check node (its return type lists :func:`gate_targets`)."""
    targets = gate_targets(gate)

    def route(state: AssistantState) -> str:
        verdict: Mapping[str, Any] = state.get("verdict") or {}
        if verdict.get("ok"):
            if gate == Phase.MODEL_SELECTION.value and (state.get("cost_usd") or 0) > 0:
                return "confirm_cost"
            return next_node(gate)
        repairs = (state.get("repairs") or {}).get(gate, 0)
        if verdict.get("repairable") and repairs <= MAX_REPAIRS:
            return gate
        return "ask_human"

    route.__name__ = f"route_{gate}"
    route.__qualname__ = route.__name__
    # A Literal built from the table: the graph reads the targets from the return type.
    route.__annotations__ = {"state": AssistantState, "return": cast(Any, Literal)[targets]}
    return route


def route_brief(state: AssistantState) -> Literal["confirm_brief", "ask_human"]:
    """After the brief's check: confirm it, or ask the human what to do."""
    verdict: Mapping[str, Any] = state.get("verdict") or {}
    return "confirm_brief" if verdict.get("ok") else "ask_human"


def _action(state: AssistantState) -> str:
    return str((state.get("decision") or {}).get("action", "reject"))


def route_confirm_brief(state: AssistantState) -> Literal["structure", "intake", "__end__"]:
    """Approved: plan; edited or commented: read the brief again; rejected: stop."""
    action = _action(state)
    if action == "approve":
        return "structure"
    if action in ("edit", "feedback"):
        return "intake"
    return "__end__"


def route_confirm_cost(state: AssistantState) -> Literal["segments", "model_selection", "__end__"]:
    """Approved: go on; feedback: select the models again; rejected: stop."""
    action = _action(state)
    if action == "approve":
        return "segments"
    if action == "feedback":
        return "model_selection"
    return "__end__"


def route_confirm_storyboard(
    state: AssistantState,
) -> Literal["planned", "confirm_changes", "confirm_storyboard", "__end__"]:
    """Approved: planned; feedback that became a change: confirm it; else ask again or stop."""
    action = _action(state)
    if action == "approve":
        return "planned"
    if action in ("edit", "feedback"):
        return "confirm_changes" if state.get("proposal") else "confirm_storyboard"
    return "__end__"


def route_ask_human(
    state: AssistantState,
) -> Literal[
    "intake",
    "confirm_brief",
    "structure",
    "breakdown",
    "elements",
    "model_selection",
    "segments",
    "storyboard",
    "confirm_storyboard",
    "__end__",
]:
    """After a failed gate: continue anyway, retry the phase with the directions, or stop."""
    action = _action(state)
    verdict: Mapping[str, Any] = state.get("verdict") or {}
    gate = str(verdict.get("gate", ""))
    if action == "reject":
        return "__end__"
    if gate == "brief":
        return "confirm_brief" if action == "approve" else "intake"
    if gate not in PHASE_NAMES:
        return "__end__"
    if action == "approve":
        if gate == Phase.MODEL_SELECTION.value:
            return "segments"  # continuing past a failed model gate skips the cost question
        return cast(Any, next_node(gate))
    return cast(Any, gate)


def route_converse(
    state: AssistantState,
) -> Literal["intake", "run_tools", "review_changes", "confirm_changes", "__end__"]:
    """After the conversation node: run tools, review a change, or wait for the user."""
    if state.get("request") == "plan" and state.get("brief_text"):
        return "intake"  # the user gave a brief in the conversation
    if state.get("proposal"):
        return "confirm_changes"
    messages = state.get("messages") or []
    last = messages[-1] if messages else None
    if isinstance(last, AIMessage) and last.tool_calls:
        if any(call["name"] in MUTATING_TOOLS for call in last.tool_calls):
            return "review_changes"
        return "run_tools"
    return "__end__"


def route_review(state: AssistantState) -> Literal["confirm_changes", "converse", "__end__"]:
    """A proposal to confirm, or the tools' answers back to the model."""
    return "confirm_changes" if state.get("proposal") else _back_to_model(state)


def route_confirm_changes(
    state: AssistantState,
) -> Literal["apply_changes", "confirm_changes", "reject_changes"]:
    """Approved: apply; revised by feedback or edits: confirm again; else reject."""
    action = _action(state)
    if action == "approve":
        return "apply_changes"
    if action in ("edit", "feedback") and state.get("proposal"):
        return "confirm_changes"
    return "reject_changes"


def route_after_change(
    state: AssistantState,
) -> Literal["confirm_storyboard", "converse", "__end__"]:
    """After applying or rejecting: back to the storyboard confirmation while planning,
    back to the model when it asked for the change, else wait for the user."""
    if state.get("phase") == Phase.STORYBOARD.value:
        return "confirm_storyboard"
    return _back_to_model(state)


def _back_to_model(state: AssistantState) -> Literal["converse", "__end__"]:
    messages: list[Any] = list(state.get("messages") or [])
    # The model asked through tool calls: it gets the results and answers the user.
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return "__end__"
        if isinstance(message, AIMessage) and message.tool_calls:
            return "converse"
    return "__end__"


# -- production -----------------------------------------------------------------------------


def _next_production_step(state: AssistantState) -> Literal["produce_segment", "assemble"]:
    return "produce_segment" if state.get("segments_todo") else "assemble"


def route_start_production(
    state: AssistantState,
) -> Literal["confirm_production_cost", "produce_segment", "assemble"]:
    """Money to spend: confirm it first (the animatic costs nothing and skips it)."""
    estimate: Mapping[str, Any] = state.get("production_estimate") or {}
    if float(estimate.get("total_usd") or 0) > 0:
        return "confirm_production_cost"
    return _next_production_step(state)


def route_confirm_production_cost(
    state: AssistantState,
) -> Literal["produce_segment", "assemble", "__end__"]:
    """Approved: produce; rejected: stop before anything is spent."""
    return _next_production_step(state) if _action(state) == "approve" else "__end__"


def route_confirm_segment(
    state: AssistantState,
) -> Literal["produce_segment", "apply_segment_feedback", "assemble", "__end__"]:
    """Approved: the next segment, or the assembly after the last; feedback that became a
    change: apply it, then produce the segment again; rejected: stop (nothing is lost)."""
    action = _action(state)
    if action == "approve":
        return _next_production_step(state)
    if action == "feedback" and state.get("proposal"):
        return "apply_segment_feedback"
    return "__end__"
