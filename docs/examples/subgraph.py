"""A host graph with its own ``messages`` and ``phase`` that runs StoryCore as one node.

Run by tests/test_subgraph.py; shown in docs/embedding.md ("As a subgraph").
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from langchain_core.messages import AIMessage, AnyMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict

from storycore.agent import Context
from storycore.agent.graph import build_subgraph


class HostState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]  # the host's own conversation
    phase: str  # the host's own phase
    brief: str
    project_dir: str
    storycore: NotRequired[dict[str, Any]]  # StoryCore's input and output, namespaced


def start_planning(state: HostState) -> dict[str, Any]:
    """The host hands a brief to StoryCore under its own key."""
    request = {"request": "plan", "project_dir": state["project_dir"], "brief_text": state["brief"]}
    return {"phase": "planning", "storycore": request}


def report(state: HostState) -> dict[str, Any]:
    """The host reads StoryCore's output from the same key."""
    planned = state["storycore"].get("phase") == "planned"
    text = "The storyboard is ready." if planned else "Planning stopped."
    return {"phase": "done" if planned else "stopped", "messages": [AIMessage(text)]}


def build_host(checkpointer: Any) -> Any:
    """The host graph: start_planning -> storycore (a StoryCore subgraph) -> report."""
    host = StateGraph(HostState)
    host.add_node("start_planning", start_planning)
    host.add_node("storycore", build_subgraph("storycore", context=Context.from_env(offline=True)))
    host.add_node("report", report)
    host.add_edge(START, "start_planning")
    host.add_edge("start_planning", "storycore")
    host.add_edge("storycore", "report")
    host.add_edge("report", END)
    return host.compile(checkpointer=checkpointer)  # interrupts need a checkpointer


if __name__ == "__main__":
    import sys
    from pathlib import Path

    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.types import Command

    graph = build_host(InMemorySaver())
    config = {"configurable": {"thread_id": "host-1"}}
    brief = Path(sys.argv[1]).read_text(encoding="utf-8")
    start = {"messages": [], "phase": "new", "brief": brief, "project_dir": sys.argv[2]}
    result = graph.invoke(start, config)
    while result.get("__interrupt__"):  # StoryCore's confirmations, surfaced to the host
        question = result["__interrupt__"][0].value
        print(question["title"], "->", "approve")
        result = graph.invoke(Command(resume="approve"), config)
    print(result["phase"], result["storycore"]["phase"], result["messages"][-1].content)
