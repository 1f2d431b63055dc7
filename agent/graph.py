"""The assistant's graph: workflow phases as nodes, checkpoints as conditional edges.

Read top to bottom, this is the workflow::

    intake -> check_brief -> confirm_brief*
      -> structure -> check -> breakdown -> check -> elements -> check
      -> models -> check -> [confirm_cost*] -> segments -> check
      -> storyboard -> check -> confirm_storyboard* -> planned

    (a message)  converse -> run_tools | review_changes -> confirm_changes* -> apply_changes

``*`` marks the interrupt nodes where a human approves, edits, gives feedback or rejects;
``ask_human*`` is reached from any check that fails beyond its bounded repairs.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from storycore.agent import routing
from storycore.agent.context import Context
from storycore.agent.nodes import Nodes
from storycore.agent.state import AssistantState, InputState, OutputState
from storycore.tools.domain import Phase

PHASES: list[tuple[str, Phase]] = [
    ("structure", Phase.STRUCTURE),
    ("breakdown", Phase.BREAKDOWN),
    ("elements", Phase.ELEMENTS),
    ("models", Phase.MODEL_SELECTION),
    ("segments", Phase.SEGMENTS),
    ("storyboard", Phase.STORYBOARD),
]


Builder = StateGraph[AssistantState, Context, InputState, OutputState]
Compiled = CompiledStateGraph[AssistantState, Context, InputState, OutputState]


def build_builder(*, chat_model: Any = None) -> Builder:
    """The uncompiled graph (for hosts that add it as a subgraph or compile it themselves)."""
    nodes = Nodes(chat_model)
    graph: Builder = StateGraph(
        AssistantState,
        context_schema=Context,
        input_schema=InputState,
        output_schema=OutputState,
    )

    # Intake and the first confirmation.
    graph.add_node("intake", nodes.intake)
    graph.add_node("check_brief", nodes.check_brief)
    graph.add_node("confirm_brief", nodes.confirm_brief)
    graph.add_conditional_edges(START, routing.route_entry, ["intake", "converse", END])
    graph.add_edge("intake", "check_brief")
    graph.add_conditional_edges("check_brief", routing.route_brief, ["confirm_brief", "ask_human"])
    graph.add_conditional_edges(
        "confirm_brief", routing.route_confirm_brief, ["structure", "intake", END]
    )

    # The planning phases, each followed by its gate.
    for name, phase in PHASES:
        check = f"check_{phase.value}"
        graph.add_node(name, getattr(nodes, name))
        graph.add_node(check, nodes.make_check(phase))
        graph.add_edge(name, check)
        targets = [routing.NEXT_PHASE[phase.value], name, "ask_human"]
        if phase is Phase.MODEL_SELECTION:
            targets.append("confirm_cost")
        graph.add_conditional_edges(check, routing.route_gate(phase.value), targets)

    # Confirmations and the end of planning.
    graph.add_node("ask_human", nodes.ask_human)
    graph.add_node("confirm_cost", nodes.confirm_cost)
    graph.add_node("confirm_storyboard", nodes.confirm_storyboard)
    graph.add_node("planned", nodes.planned)
    graph.add_conditional_edges(
        "ask_human",
        routing.route_ask_human,
        ["intake", "confirm_brief", *(n for n, _ in PHASES), "confirm_storyboard", END],
    )
    graph.add_conditional_edges(
        "confirm_cost", routing.route_confirm_cost, ["segments", "models", END]
    )
    graph.add_conditional_edges(
        "confirm_storyboard",
        routing.route_confirm_storyboard,
        ["planned", "confirm_changes", "confirm_storyboard", END],
    )
    graph.add_edge("planned", END)

    # Conversation, tools and changes.
    graph.add_node("converse", nodes.converse)
    graph.add_node("run_tools", nodes.run_tools)
    graph.add_node("review_changes", nodes.review_changes)
    graph.add_node("confirm_changes", nodes.confirm_changes)
    graph.add_node("apply_changes", nodes.apply_changes)
    graph.add_node("reject_changes", nodes.reject_changes)
    graph.add_conditional_edges(
        "converse",
        routing.route_converse,
        ["intake", "run_tools", "review_changes", "confirm_changes", END],
    )
    graph.add_edge("run_tools", "converse")
    graph.add_conditional_edges(
        "review_changes", routing.route_review, ["confirm_changes", "converse", END]
    )
    graph.add_conditional_edges(
        "confirm_changes",
        routing.route_confirm_changes,
        ["apply_changes", "confirm_changes", "reject_changes"],
    )
    for node in ("apply_changes", "reject_changes"):
        graph.add_conditional_edges(
            node, routing.route_after_change, ["confirm_storyboard", "converse", END]
        )
    return graph


def build_graph(checkpointer: Any = None, store: Any = None, *, chat_model: Any = None) -> Compiled:
    """The compiled assistant. Pass a checkpointer for interrupts and resumable threads
    (the CLI uses a SqliteSaver in the project's ``.storycore/``); ``chat_model`` replaces
    the model the run's :class:`Context` would build."""
    return build_builder(chat_model=chat_model).compile(
        checkpointer=checkpointer, store=store, name="storycore"
    )


#: A graph compiled without a checkpointer, for LangGraph Server (which brings its own).
graph = build_graph()
