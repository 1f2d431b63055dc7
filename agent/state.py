"""What flows through the assistant's graph: small on purpose.

The project on disk is the source of truth (shots, elements, timeline). The state holds the
project path, the phase, the verdict of the last gate, counters, the pending question, a small
change proposal, usage figures and the messages of the current turn only: the whole conversation
is in the thread's transcript (:mod:`storycore.agent.transcript`). SqliteSaver stores the whole
state at every step: with ids and one turn, a checkpoint stays a few KiB whatever the size of the
project and the length of the conversation (see bench/graph_bench.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired, Required

from langchain_core.messages import AnyMessage

# typing_extensions' TypedDict: on Python 3.11 pydantic builds JSON schemas only from it
# (graph.get_input_jsonschema() for LangGraph Server, Studio and the SDK).
from typing_extensions import TypedDict

from storycore.agent.confirmations import ACTIONS, Action, Decision
from storycore.agent.transcript import keep_current_turn
from storycore.agent.usage import merge_usage

__all__ = [
    "ACTIONS",
    "Action",
    "AssistantState",
    "ChangeProposal",
    "Decision",
    "InputState",
    "OutputState",
    "Request",
    "Verdict",
]


class Verdict(TypedDict):
    """What a gate found: written by a check node, read by a router."""

    gate: str
    ok: bool
    passed: list[str]
    failures: list[str]
    repairable: bool


class ChangeProposal(TypedDict):
    """Modifications waiting for approval, with what they would regenerate (ids only)."""

    modifications: list[dict[str, Any]]
    regenerate: list[str]
    regenerate_total: NotRequired[int]  # regenerate holds at most a few dozen ids
    summary: list[str]
    warnings: NotRequired[list[str]]  # what the human should know before approving
    tool_call_ids: list[str]
    source: str  # "feedback" or "tool"
    unparsed: NotRequired[list[str]]  # clauses of the feedback the rules could not read


Request = Literal["plan", "message", "produce"]


class InputState(TypedDict, total=False):
    """What a caller gives to start planning or to say something."""

    request: Request
    project_dir: Required[str]
    brief_text: str
    brief_source: str
    overrides: dict[str, Any]
    auto_approve: bool
    messages: Annotated[list[AnyMessage], keep_current_turn]
    production_selection: dict[str, Any]  # backend, segments, shots (storycore produce)


class AssistantState(TypedDict):
    project_dir: str
    phase: str
    messages: Annotated[list[AnyMessage], keep_current_turn]
    request: NotRequired[Request]
    brief_text: NotRequired[str | None]
    brief: NotRequired[dict[str, Any] | None]  # the parsed brief, until the project holds it
    brief_source: NotRequired[str]
    overrides: NotRequired[dict[str, Any]]
    auto_approve: NotRequired[bool]
    verdict: NotRequired[Verdict | None]
    repairs: NotRequired[dict[str, int]]
    decision: NotRequired[Decision | None]
    proposal: NotRequired[ChangeProposal | None]
    cost_usd: NotRequired[float]
    tool_rounds: NotRequired[int]
    usage: Annotated[NotRequired[dict[str, Any]], merge_usage]
    # production (ids and small results only)
    production_selection: NotRequired[dict[str, Any]]
    production_estimate: NotRequired[dict[str, Any]]
    segments_todo: NotRequired[list[str]]
    segment_outcome: NotRequired[dict[str, Any]]
    production: NotRequired[dict[str, Any]]


class OutputState(TypedDict, total=False):
    """What a caller reads back."""

    project_dir: str
    phase: str
    verdict: Verdict | None
    proposal: ChangeProposal | None
    messages: list[AnyMessage]
    usage: dict[str, Any]
    production: dict[str, Any]
