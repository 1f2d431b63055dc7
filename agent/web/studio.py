"""The studio's hold on one project: conversation sessions, one turn at a time, live events.

The web server talks to the assistant through the same :class:`~storycore.agent.session.Session`
the CLI uses. This module adds what a server needs on top of it:

- one ``Session`` per conversation thread, shared by every browser tab on that thread;
- one turn at a time per project. The project's file lock keeps other *processes* out, but it
  is re-entrant inside one process (``thread_local=False``), so two server threads would not
  exclude each other: the studio's own lock does. A turn asked for while another runs is
  refused with :class:`Busy` (HTTP 409) rather than queued behind it unseen;
- an :class:`EventHub` that fans the turn's events (tokens, progress, tool activity, the
  confirmation it stops at, the end of the turn) out to every subscriber, so two tabs on one
  project see each other's work as it happens;
- the graph's ``updates`` stream read for tool calls and results, which ``Session`` does not
  forward yet (a thin proxy around ``session.graph``; see :class:`_ObservedGraph`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storycore.agent.context import Context
from storycore.tools.errors import ConflictError, InvalidInput, NotFound, StoryCoreError

#: How much of a tool's answer an event carries (the whole answer stays in the thread).
TOOL_TEXT_LIMIT = 600
#: Events a slow subscriber may have waiting before it misses some (it resyncs at turn end).
QUEUE_LIMIT = 5000
#: The production thread of a project (``storycore produce`` runs on the same one).
PRODUCE_THREAD = "produce"


class Busy(ConflictError):
    """Another turn is running in this project."""


# -- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One thing that happened: ``kind`` is the SSE event name, ``data`` its JSON body."""

    id: int
    kind: str
    data: dict[str, Any]


class EventHub:
    """Publish from any thread, subscribe from the server's event loop."""

    def __init__(self) -> None:
        self._subscribers: dict[asyncio.Queue[Event], asyncio.AbstractEventLoop] = {}
        self._guard = threading.Lock()
        self._ids = itertools.count(1)

    def subscribe(self) -> asyncio.Queue[Event]:
        """A queue receiving every event published from now on (call inside the loop)."""
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        with self._guard:
            self._subscribers[queue] = asyncio.get_running_loop()
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        with self._guard:
            self._subscribers.pop(queue, None)

    @property
    def subscribers(self) -> int:
        with self._guard:
            return len(self._subscribers)

    def publish(self, kind: str, data: dict[str, Any]) -> Event:
        """Send ``kind`` with ``data`` to every subscriber; never blocks the publisher."""
        with self._guard:
            event = Event(next(self._ids), kind, data)
            targets = list(self._subscribers.items())
        for queue, loop in targets:
            with contextlib.suppress(RuntimeError):  # a loop already closed
                loop.call_soon_threadsafe(_offer, queue, event)
        return event


def _offer(queue: asyncio.Queue[Event], event: Event) -> None:
    with contextlib.suppress(asyncio.QueueFull):
        queue.put_nowait(event)


# -- the graph's updates, read for tool activity -----------------------------------------------


class _ObservedGraph:
    """``session.graph`` as it is, but every ``updates`` chunk of a stream is shown to
    ``observer`` first: that is where tool calls and their results appear."""

    def __init__(self, graph: Any, observer: Callable[[dict[str, Any]], None]) -> None:
        self._graph = graph
        self._observer = observer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._graph, name)

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for item in self._graph.stream(*args, **kwargs):
            if isinstance(item, tuple) and len(item) == 2 and item[0] == "updates":
                with contextlib.suppress(Exception):  # an observer never breaks a turn
                    self._observer(item[1])
            yield item


def tool_events(update: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The ``node`` and ``tool`` events one graph update stands for."""
    from langchain_core.messages import AIMessage, ToolMessage

    from storycore.agent.nodes import message_text

    events: list[tuple[str, dict[str, Any]]] = []
    for node, change in update.items():
        if node.startswith("__"):
            continue
        events.append(("node", {"node": node}))
        messages = change.get("messages") if isinstance(change, dict) else None
        for message in messages or []:
            if isinstance(message, AIMessage):
                for call in message.tool_calls:
                    events.append(
                        (
                            "tool",
                            {
                                "status": "called",
                                "name": call.get("name"),
                                "args": call.get("args") or {},
                                "id": call.get("id"),
                            },
                        )
                    )
            elif isinstance(message, ToolMessage):
                events.append(
                    (
                        "tool",
                        {
                            "status": "result",
                            "name": message.name,
                            "id": message.tool_call_id,
                            "text": message_text(message)[:TOOL_TEXT_LIMIT],
                        },
                    )
                )
    return events


# -- the studio ---------------------------------------------------------------------------------


@dataclass
class TurnResult:
    """What a finished turn left: said messages, the question it waits on, or the error."""

    thread: str
    turn_id: int
    messages: list[str] = field(default_factory=list)
    interrupt: dict[str, Any] | None = None
    phase: str | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "thread": self.thread,
            "turn_id": self.turn_id,
            "messages": self.messages,
            "interrupt": self.interrupt,
            "phase": self.phase,
            "error": self.error,
        }


class Studio:
    """One project served to any number of tabs (see the module docstring)."""

    def __init__(
        self,
        project_dir: Path | str,
        *,
        context: Context,
        chat_model: Any = None,
    ) -> None:
        from storycore.agent.session import Session

        self.project_dir = Path(project_dir).resolve()
        if self.project_dir.exists() and not self.project_dir.is_dir():
            raise InvalidInput(f"{self.project_dir} is a file, not a project folder")
        self.project_dir.mkdir(parents=True, exist_ok=True)
        self.context = context
        self.chat_model = chat_model
        self.hub = EventHub()
        self._sessions: dict[str, Any] = {}
        self._guard = threading.Lock()  # the sessions table
        self._turn_lock = threading.Lock()  # one turn at a time in this project
        self._running: str | None = None
        self._turn_ids = itertools.count(1)
        self._emitting: dict[str, Callable[[str, dict[str, Any]], None]] = {}
        first = self._open(Session, None, new=False)
        self.default_thread: str = first.thread_id

    # -- sessions --------------------------------------------------------------------------

    def _open(self, session_class: Any, thread_id: str | None, *, new: bool) -> Any:
        session = session_class(
            self.project_dir,
            thread_id=thread_id,
            new=new,
            context=self.context,
            chat_model=self.chat_model,
        )
        tid = str(session.thread_id)

        def observe(update: dict[str, Any]) -> None:
            self._observe(tid, update)

        session.graph = _ObservedGraph(session.graph, observe)
        session.stream_updates = True  # the updates are where the tool activity is
        with self._guard:
            self._sessions[tid] = session
        return session

    def session(self, thread_id: str | None = None) -> Any:
        """The session of ``thread_id`` (the default thread when None); NotFound if the
        project has no such conversation."""
        from storycore.agent.session import Session

        tid = thread_id or self.default_thread
        with self._guard:
            found = self._sessions.get(tid)
        if found is not None:
            return found
        if tid == self.default_thread and tid not in self._saved_threads():
            return self._open(Session, tid, new=True)  # the first thread, not used yet
        return self._open(Session, tid, new=False)

    def _saved_threads(self) -> list[str]:
        """The threads the project's checkpoints know (:meth:`Session.threads`)."""
        with self._guard:
            opened = next(iter(self._sessions.values()), None)
        if opened is None:
            return []
        return list(opened.threads())

    def new_thread(self, thread_id: str | None = None) -> str:
        """Open a new conversation (named, or the next free ``main-N``)."""
        from storycore.agent.session import Session

        known = set(self.known_threads())
        if thread_id is not None and thread_id in known:
            raise InvalidInput(f"the thread {thread_id!r} already exists in this project")
        session = self._open(Session, thread_id, new=True)
        return str(session.thread_id)

    def production_session(self) -> Any:
        """The session of the project's production thread (``produce``, the one
        ``storycore produce`` uses), opened new the first time."""
        from storycore.agent.session import Session

        with self._guard:
            found = self._sessions.get(PRODUCE_THREAD)
        if found is not None:
            return found
        new = PRODUCE_THREAD not in self._saved_threads()
        try:
            return self._open(Session, PRODUCE_THREAD, new=new)
        except StoryCoreError:
            return self._open(Session, PRODUCE_THREAD, new=True)

    def known_threads(self) -> list[str]:
        """Threads saved in the project, then threads opened here and not used yet."""
        saved = self._saved_threads()
        with self._guard:
            opened = [t for t in [self.default_thread, *self._sessions] if t not in saved]
        return [*saved, *dict.fromkeys(opened)]

    @property
    def running(self) -> str | None:
        """The thread whose turn is running, if any."""
        return self._running

    # -- turns -----------------------------------------------------------------------------

    def begin(self, thread_id: str | None) -> tuple[Any, int]:
        """Reserve the project for one turn of ``thread_id``: (session, turn id), or Busy."""
        session = self.session(thread_id)
        if not self._turn_lock.acquire(blocking=False):
            raise Busy(
                f"the assistant is busy with a message in thread {self._running!r}: "
                "wait for it to finish"
            )
        self._running = session.thread_id
        return session, next(self._turn_ids)

    def run(
        self,
        session: Any,
        turn_id: int,
        action: Callable[[Any, Callable[[str, Any], None]], Any],
    ) -> TurnResult:
        """Run one reserved turn (``action(session, on_event)``) and publish what happens.

        Always releases the reservation made by :meth:`begin`.
        """
        from storycore.agent.nodes import message_text

        thread = str(session.thread_id)
        result = TurnResult(thread=thread, turn_id=turn_id)

        def emit(kind: str, data: dict[str, Any]) -> None:
            self.hub.publish(kind, {"thread": thread, "turn_id": turn_id, **data})

        def on_event(kind: str, data: Any) -> None:
            if kind == "token":
                emit("token", {"text": str(data)})
            elif kind == "answer":
                emit("answer", {})
            elif kind == "progress" and isinstance(data, dict):
                extra = {k: data[k] for k in ("segment", "done", "total") if k in data}
                emit("progress", {"phase": data.get("phase"), "text": data.get("text"), **extra})
            elif kind == "message":
                emit("message", {"role": "assistant", "text": message_text(data)})

        self._emitting[thread] = emit
        try:
            emit("turn", {"state": "started"})
            turn = action(session, on_event)
            result.messages = list(turn.messages)
            result.interrupt = turn.interrupt
            result.phase = turn.phase
        except StoryCoreError as exc:
            result.error = str(exc)
        except Exception as exc:  # the page must hear of it, and the server stays up
            result.error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        finally:
            self._emitting.pop(thread, None)
            self._running = None
            self._turn_lock.release()
        if result.interrupt is not None:
            emit("confirmation", {"payload": result.interrupt})
        emit("turn", {"state": "failed" if result.error else "finished", **result.as_json()})
        self.hub.publish("project", {"reason": "turn", "thread": thread})
        return result

    def _observe(self, thread: str, update: dict[str, Any]) -> None:
        emit = self._emitting.get(thread)
        if emit is None:
            return
        for kind, data in tool_events(update):
            emit(kind, data)

    def start(
        self,
        thread_id: str | None,
        action: Callable[[Any, Callable[[str, Any], None]], Any],
        *,
        wait: bool = False,
    ) -> TurnResult | tuple[str, int]:
        """Reserve and run a turn: in the background (returns (thread, turn id) at once) or,
        with ``wait``, to its end (returns its :class:`TurnResult`)."""
        session, turn_id = self.begin(thread_id)
        if wait:
            return self.run(session, turn_id, action)
        worker = threading.Thread(
            target=self.run, args=(session, turn_id, action), name=f"turn-{turn_id}", daemon=True
        )
        worker.start()
        return str(session.thread_id), turn_id

    def undo(self) -> str:
        """Undo the project's last change (refused while a turn runs)."""
        if not self._turn_lock.acquire(blocking=False):
            raise Busy("the assistant is busy: undo when the current message is done")
        try:
            text = str(self.session().undo())
        finally:
            self._turn_lock.release()
        self.hub.publish("project", {"reason": "undo", "text": text})
        return text

    def close(self) -> None:
        with self._guard:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for session in sessions:
            session.close()


def require_thread(studio: Studio, thread_id: str) -> Any:
    """The session of a thread the project knows, or :class:`NotFound`."""
    if thread_id not in studio.known_threads():
        raise NotFound(f"this project has no conversation {thread_id!r}")
    return studio.session(thread_id)
