"""What the nodes tell a caller while they run: progress, answer tokens, a model that failed.

A node calls :func:`emit`. Under a :class:`~storycore.agent.session.Session` the event goes
straight to the session's listener (:func:`listening`), called where the node runs; in any
other run (LangGraph Server, a host graph, ``graph.stream(..., stream_mode="custom")``) it is
written to LangGraph's ``custom`` stream as before, and dropped outside a run.

The session listens this way instead of asking LangGraph for the ``custom`` stream mode:
that mode runs every node on a worker thread and hands each event back to the caller's
thread (about 2 ms a turn in thread hand-offs), where a listener costs a function call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["Listener", "emit", "listening"]

#: Receives each event a node emits (the same dicts as LangGraph's ``custom`` stream).
Listener = Callable[[dict[str, Any]], None]

_listener: ContextVar[Listener | None] = ContextVar("storycore_listener", default=None)


def emit(data: dict[str, Any]) -> None:
    """Tell the caller of the running graph ``data``: its listener, else LangGraph's
    ``custom`` stream; a no-op outside a graph run."""
    listener = _listener.get()
    if listener is not None:
        listener(data)
        return
    from langgraph.config import get_stream_writer

    try:
        writer = get_stream_writer()
    except RuntimeError:
        return
    writer(data)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send the events of the graph runs in this block (this thread and the worker threads
    LangGraph starts from it, which copy its context) to ``listener``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
