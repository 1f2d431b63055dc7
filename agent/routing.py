"""The graph's routers: pure functions from the state to the name of the next node.

Checkpoints are these conditional edges: a check node has written a verdict (what passed,
what failed, whether a repair may fix it); the router reads it and goes on, sends the work
back for a bounded number of repairs, or asks the human. Routers never do I/O, so they are
tested with plain dictionaries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage

from storycore.agent.state import AssistantState

MAX_REPAIRS = 2
END = "__end__"

#: Tools whose calls change the plan: they go through review and confirmation.
MUTATING_TOOLS = frozenset(
    {
        "set_shot_field",
        "retime_shot",
        "update_element",
        "remove_shot",
        "insert_shot",
        "move_shot",
        "set_model",
        "regenerate",
        "regenerate_without",
        "lock",
        "unlock",
    }
)

#: The phase after each one, in workflow order.
NEXT_PHASE = {
    "structure": "breakdown",
    "breakdown": "elements",
    "elements": "models",
    "model_selection": "segments",
    "segments": "storyboard",
    "storyboard": "confirm_storyboard",
}
#: The node that makes each gate's phase.
PHASE_NODE = {
    "structure": "structure",
    "breakdown": "breakdown",
    "elements": "elements",
    "model_selection": "models",
    "segments": "segments",
    "storyboard": "storyboard",
}


def route_entry(state: AssistantState) -> str:
    """A plan request starts at intake; a message goes to the conversation."""
    if state.get("request") == "plan" and state.get("brief_text"):
        return "intake"
    messages = state.get("messages") or []
    if messages and isinstance(messages[-1], HumanMessage):
        return "converse"
    return END


def route_gate(gate: str) -> Callable[[AssistantState], str]:
    """The router after ``gate``'s check node."""

    def route(state: AssistantState) -> str:
        verdict: Mapping[str, Any] = state.get("verdict") or {}
        if verdict.get("ok"):
            if gate == "model_selection" and (state.get("cost_usd") or 0) > 0:
                return "confirm_cost"
            return NEXT_PHASE[gate]
        repairs = (state.get("repairs") or {}).get(gate, 0)
        if verdict.get("repairable") and repairs <= MAX_REPAIRS:
            return PHASE_NODE[gate]
        return "ask_human"

    route.__name__ = f"route_{gate}"
    return route


def route_brief(state: AssistantState) -> str:
    verdict: Mapping[str, Any] = state.get("verdict") or {}
    return "confirm_brief" if verdict.get("ok") else "ask_human"


def _action(state: AssistantState) -> str:
    return str((state.get("decision") or {}).get("action", "reject"))


def route_confirm_brief(state: AssistantState) -> str:
    action = _action(state)
    if action == "approve":
        return "structure"
    if action in ("edit", "feedback"):
        return "intake"
    return END


def route_confirm_cost(state: AssistantState) -> str:
    action = _action(state)
    if action == "approve":
        return "segments"
    if action == "feedback":
        return "models"
    return END


def route_confirm_storyboard(state: AssistantState) -> str:
    action = _action(state)
    if action == "approve":
        return "planned"
    if action in ("edit", "feedback"):
        return "confirm_changes" if state.get("proposal") else "confirm_storyboard"
    return END


def route_ask_human(state: AssistantState) -> str:
    """After a failed gate: continue anyway, retry the phase with the directions, or stop."""
    action = _action(state)
    verdict: Mapping[str, Any] = state.get("verdict") or {}
    gate = str(verdict.get("gate", ""))
    if action == "reject":
        return END
    if gate == "brief":
        return "confirm_brief" if action == "approve" else "intake"
    if action == "approve":
        if gate == "model_selection":
            return "segments"
        return NEXT_PHASE.get(gate, END)
    return PHASE_NODE.get(gate, END)


def route_converse(state: AssistantState) -> str:
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
    return END


def route_review(state: AssistantState) -> str:
    return "confirm_changes" if state.get("proposal") else _back_to_model(state)


def route_confirm_changes(state: AssistantState) -> str:
    action = _action(state)
    if action == "approve":
        return "apply_changes"
    if action in ("edit", "feedback") and state.get("proposal"):
        return "confirm_changes"
    return "reject_changes"


def route_after_change(state: AssistantState) -> str:
    """After applying or rejecting: back to the storyboard confirmation while planning,
    back to the model when it asked for the change, else wait for the user."""
    if state.get("phase") == "storyboard":
        return "confirm_storyboard"
    return _back_to_model(state)


def _back_to_model(state: AssistantState) -> str:
    messages: list[Any] = list(state.get("messages") or [])
    # The model asked through tool calls: it gets the results and answers the user.
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return END
        if isinstance(message, AIMessage) and message.tool_calls:
            return "converse"
    return END
