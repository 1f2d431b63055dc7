"""The assistant's graph: workflow phases as nodes, checkpoints as conditional edges.

Read top to bottom, this is the workflow::

    intake -> check_brief -> confirm_brief*
      -> structure -> check -> breakdown -> check -> elements -> check
      -> model_selection -> check -> [confirm_cost*] -> segments -> check
      -> storyboard -> check -> confirm_storyboard* -> planned

    (a message)  converse -> run_tools | review_changes -> confirm_changes* -> apply_changes

    (produce)  start_production -> [confirm_production_cost*] -> produce_segment
      -> check_segment -> confirm_segment* -> (next segment | apply_segment_feedback
      -> produce_segment) -> assemble -> confirm_final*

Each phase node is named like its phase (:data:`storycore.agent.routing.PHASES`, the one table
of the phase order) and followed by ``check_<phase>``. Every router returns a ``Literal`` of
its targets, so no edge list is repeated here. ``*`` marks the interrupt nodes where a human
approves, edits, gives feedback or rejects; ``ask_human*`` is reached from any check that
fails beyond its bounded repairs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from storycore.agent import routing
from storycore.agent.context import Context
from storycore.agent.nodes import Nodes
from storycore.agent.production_nodes import ProductionNodes
from storycore.agent.state import AssistantState, InputState, OutputState
from storycore.agent.transcript import recorded
from storycore.tools.errors import InvalidInput

Builder = StateGraph[AssistantState, Context, InputState, OutputState]
Compiled = CompiledStateGraph[AssistantState, Context, InputState, OutputState]


def _add(graph: Builder, name: str, node: Callable[..., Any]) -> None:
    """Add ``node``, recording the messages it sees and says in the thread's transcript
    (:mod:`storycore.agent.transcript`: the state keeps only the current turn)."""
    graph.add_node(name, recorded(node))


def build_builder(*, chat_model: Any = None) -> Builder:
    """The uncompiled graph, for hosts that compile it with their own persistence (to add
    the assistant to a host graph, see :func:`build_subgraph`)."""
    nodes = Nodes(chat_model)
    graph: Builder = StateGraph(
        AssistantState,
        context_schema=Context,
        input_schema=InputState,
        output_schema=OutputState,
    )

    # Intake and the first confirmation.
    _add(graph, "intake", nodes.intake)
    _add(graph, "check_brief", nodes.check_brief)
    _add(graph, "confirm_brief", nodes.confirm_brief)
    graph.add_conditional_edges(START, routing.route_entry)
    graph.add_edge("intake", "check_brief")
    graph.add_conditional_edges("check_brief", routing.route_brief)
    graph.add_conditional_edges("confirm_brief", routing.route_confirm_brief)

    # The planning phases in order (routing.PHASES), each a node named like its phase,
    # followed by its gate.
    for phase in routing.PHASES:
        name, check = phase.value, routing.check_node(phase.value)
        _add(graph, name, getattr(nodes, name))
        _add(graph, check, nodes.make_check(phase))
        graph.add_edge(name, check)
        graph.add_conditional_edges(check, routing.route_gate(name))

    # The plan critic over the whole plan, then the confirmations and the end of planning.
    _add(graph, "check_plan", nodes.check_plan)
    graph.add_conditional_edges("check_plan", routing.route_check_plan)
    _add(graph, "ask_human", nodes.ask_human)
    _add(graph, "confirm_cost", nodes.confirm_cost)
    _add(graph, "confirm_storyboard", nodes.confirm_storyboard)
    _add(graph, "planned", nodes.planned)
    graph.add_conditional_edges("ask_human", routing.route_ask_human)
    graph.add_conditional_edges("confirm_cost", routing.route_confirm_cost)
    graph.add_conditional_edges("confirm_storyboard", routing.route_confirm_storyboard)
    graph.add_edge("planned", END)

    # Production, after planned (storycore produce): a segment at a time, then assembly.
    production = ProductionNodes()
    for name in (
        "start_production",
        "confirm_production_cost",
        "produce_segment",
        "check_segment",
        "confirm_segment",
        "apply_segment_feedback",
        "assemble",
        "confirm_final",
    ):
        _add(graph, name, getattr(production, name))
    graph.add_conditional_edges("start_production", routing.route_start_production)
    graph.add_conditional_edges("confirm_production_cost", routing.route_confirm_production_cost)
    graph.add_edge("produce_segment", "check_segment")
    graph.add_edge("check_segment", "confirm_segment")
    graph.add_conditional_edges("confirm_segment", routing.route_confirm_segment)
    graph.add_edge("apply_segment_feedback", "produce_segment")
    graph.add_edge("assemble", "confirm_final")
    graph.add_edge("confirm_final", END)

    # Conversation, tools and changes.
    _add(graph, "converse", nodes.converse)
    _add(graph, "run_tools", nodes.run_tools)
    _add(graph, "review_changes", nodes.review_changes)
    _add(graph, "confirm_changes", nodes.confirm_changes)
    _add(graph, "apply_changes", nodes.apply_changes)
    _add(graph, "reject_changes", nodes.reject_changes)
    graph.add_conditional_edges("converse", routing.route_converse)
    graph.add_edge("run_tools", "converse")
    graph.add_conditional_edges("review_changes", routing.route_review)
    graph.add_conditional_edges("confirm_changes", routing.route_confirm_changes)
    graph.add_conditional_edges("apply_changes", routing.route_after_change)
    graph.add_conditional_edges("reject_changes", routing.route_after_change)
    return graph


def build_graph(checkpointer: Any = None, store: Any = None, *, chat_model: Any = None) -> Compiled:
    """The compiled assistant. Pass a checkpointer for interrupts and resumable threads
    (the CLI uses a SqliteSaver in the project's ``.storycore/``); ``chat_model`` replaces
    the model the run's :class:`Context` would build."""
    return build_builder(chat_model=chat_model).compile(
        checkpointer=checkpointer, store=store, name="storycore"
    )


def build_subgraph(
    key: str = "storycore", *, chat_model: Any = None, context: Context | None = None
) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """The assistant as one node of a host graph, its state under the host's ``key``.

    Add the node with ``host.add_node("storycore", build_subgraph())``. The node reads the
    assistant's input (:class:`~storycore.agent.state.InputState`: ``request``,
    ``project_dir``, ``brief_text``, ``messages``...) from ``state[key]`` and writes the
    assistant's output (:class:`~storycore.agent.state.OutputState`) back to ``state[key]``,
    so the assistant's ``messages``, ``phase`` or ``request`` never meet the host's keys of the
    same names. Its confirmations surface as the host's interrupts and resume with the host's
    ``Command(resume=...)`` (the host compiles with a checkpointer; the assistant runs on it).
    ``context`` is the assistant's run context (default: :meth:`Context.from_env`).

    (The compiled graph added as a node directly would share the host's keys by name, and
    :func:`build_builder` is uncompiled: ``add_node`` refuses it.)"""
    compiled = build_graph(chat_model=chat_model)
    wanted = tuple(InputState.__annotations__)

    def run_storycore(state: Mapping[str, Any]) -> dict[str, Any]:
        given = state.get(key) or {}
        if not isinstance(given, Mapping):
            raise InvalidInput(f"the host state's {key!r} must be a mapping of StoryCore's input")
        request = cast(InputState, {name: given[name] for name in wanted if name in given})
        if "project_dir" not in request:
            raise InvalidInput(f"the host state's {key!r} needs a 'project_dir'")
        output = compiled.invoke(request, context=context or Context.from_env())
        return {key: {"project_dir": request["project_dir"], **output}}

    run_storycore.__name__ = f"run_{key}"
    return run_storycore


#: A graph compiled without a checkpointer, for LangGraph Server (which brings its own).
graph = build_graph()
