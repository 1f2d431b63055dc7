"""StoryCore's assistant: a LangGraph state graph over the deterministic core.

``build_graph(checkpointer=None, store=None, chat_model=None)`` compiles the assistant;
``storycore.agent.graph:graph`` is the same compiled without a checkpointer, for LangGraph
Server; ``Session`` runs it against a project folder (plan, chat, resume), as the CLI does.
Imports are lazy so that the ``storycore`` command starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storycore.agent.context import Context
    from storycore.agent.graph import build_builder, build_graph
    from storycore.agent.session import Session

__all__ = ["Context", "Session", "build_builder", "build_graph"]


def __getattr__(name: str) -> Any:
    if name in ("build_graph", "build_builder"):
        from storycore.agent.graph import build_builder, build_graph

        return build_graph if name == "build_graph" else build_builder
    if name == "Context":
        from storycore.agent.context import Context

        return Context
    if name == "Session":
        from storycore.agent.session import Session

        return Session
    raise AttributeError(f"module 'storycore.agent' has no attribute {name!r}")
