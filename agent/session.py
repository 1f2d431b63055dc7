"""A conversation with the assistant about one project: plan, talk, confirm, resume.

The CLI (``storycore plan``, ``storycore chat``, ``storycore feedback``) and Python callers use
this class. Conversations persist in the project (``.storycore/checkpoints.sqlite``, a
LangGraph SqliteSaver), so one stopped in one process resumes in another by its thread id;
resuming a thread id the project does not know raises :class:`NotFound` instead of silently
starting over.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from storycore.agent.confirmations import check_answer
from storycore.agent.context import Context
from storycore.agent.messages import message_text
from storycore.agent.state import Decision
from storycore.tools.errors import InvalidInput, NotFound
from storycore.tools.project import INTERNAL, Project, atomic_write, dumps_json

CHECKPOINTS = "checkpoints.sqlite"
SESSIONS = "sessions.json"
DEFAULT_THREAD = "main"

#: ``on_event(kind, data)``: kind is "progress" ({"phase", "text"}), "answer" (None: a
#: streamed answer starts), "token" (a str, a piece of it) or "message" (an AIMessage the
#: assistant said, streamed or not, once the run is over).
EventHandler = Callable[[str, Any], None]


@dataclass
class Turn:
    """What one call produced: what the assistant said, and the question it waits on."""

    messages: list[str] = field(default_factory=list)
    interrupt: dict[str, Any] | None = None
    phase: str | None = None

    @property
    def waiting(self) -> bool:
        return self.interrupt is not None


class Session:
    """The assistant working on ``project_dir`` in one conversation thread."""

    def __init__(
        self,
        project_dir: Path | str,
        *,
        thread_id: str | None = None,
        new: bool = False,
        context: Context | None = None,
        chat_model: Any = None,
        checkpointer: Any = None,
        auto_approve: bool = False,
    ) -> None:
        from storycore.agent.graph import build_graph

        self.project_dir = Path(project_dir).resolve()
        if self.project_dir.exists() and not self.project_dir.is_dir():
            raise InvalidInput(f"{self.project_dir} is a file, not a project folder")
        self.context = context or Context.from_env()
        self.auto_approve = auto_approve
        self._connection: sqlite3.Connection | None = None
        if thread_id is not None and not new and thread_id not in self.threads():
            self._unknown_thread(thread_id)  # refused before anything is created on disk
        if checkpointer is None:
            checkpointer = self._sqlite_saver()
        self.graph = build_graph(checkpointer, chat_model=chat_model)
        self.thread_id = self._choose_thread(thread_id, new)
        self.config: RunnableConfig = {"configurable": {"thread_id": self.thread_id}}

    # -- threads -------------------------------------------------------------------------

    def _internal(self) -> Path:
        return self.project_dir / INTERNAL

    def _sqlite_saver(self) -> Any:
        from langgraph.checkpoint.sqlite import SqliteSaver

        self._internal().mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(
            self._internal() / CHECKPOINTS, check_same_thread=False, timeout=30
        )
        return SqliteSaver(self._connection)

    def _registry(self) -> dict[str, Any]:
        path = self._internal() / SESSIONS
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"last": None, "threads": []}
        return data if isinstance(data, dict) else {"last": None, "threads": []}

    def threads(self) -> list[str]:
        """The conversation threads this project knows, oldest first."""
        return [t for t in self._registry().get("threads", []) if isinstance(t, str)]

    def _remember(self) -> None:
        if self._connection is None:
            return  # a caller's own checkpointer: its threads are not the project's
        data = self._registry()
        threads = [t for t in data.get("threads", []) if t != self.thread_id]
        data = {"last": self.thread_id, "threads": [*threads, self.thread_id]}
        self._internal().mkdir(parents=True, exist_ok=True)
        atomic_write(self._internal() / SESSIONS, dumps_json(data))

    def _choose_thread(self, thread_id: str | None, new: bool) -> str:
        known = self.threads()
        if thread_id is None:
            if new or not known:
                return _fresh_id(known)
            return str(self._registry().get("last") or known[-1])
        if not thread_id.strip() or len(thread_id) > 100:
            raise InvalidInput("a thread id is 1 to 100 characters")
        if new:
            if thread_id in known:
                raise InvalidInput(f"the thread {thread_id!r} already exists in this project")
            return thread_id
        if thread_id not in known or not self._has_checkpoint(thread_id):
            self._unknown_thread(thread_id)
        return thread_id

    def _unknown_thread(self, thread_id: str) -> NoReturn:
        known = self.threads()
        listed = ", ".join(known) if known else "none yet"
        raise NotFound(
            f"this project has no conversation {thread_id!r} (known threads: {listed}); "
            "leave --thread out to continue the last one"
        )

    def _has_checkpoint(self, thread_id: str) -> bool:
        snapshot = self.graph.get_state({"configurable": {"thread_id": thread_id}})
        return snapshot.created_at is not None

    @property
    def started(self) -> bool:
        return self._has_checkpoint(self.thread_id)

    # -- running ---------------------------------------------------------------------------

    def plan(
        self,
        brief_text: str,
        *,
        source_name: str | None = None,
        overrides: dict[str, Any] | None = None,
        on_event: EventHandler | None = None,
    ) -> Turn:
        """Start planning a brief or screenplay into the project folder."""
        pending = self.pending()
        if pending is not None:
            # A new run would drop the question, and with it the answer a model's tool
            # call waits for (the next request to the model would be refused).
            raise InvalidInput(
                f"answer the pending question first ({pending.get('title', 'a confirmation')}):"
                " approve or reject it, or plan in a new thread"
            )
        payload = {
            "request": "plan",
            "project_dir": str(self.project_dir),
            "brief_text": brief_text,
            # No placeholder name: the planner would take it for the title.
            "brief_source": source_name or "",
            "overrides": overrides or {},
            "auto_approve": self.auto_approve,
        }
        return self._run(payload, on_event)

    def produce(
        self,
        *,
        backend: str = "animatic",
        segments: list[str] | None = None,
        shots: list[str] | None = None,
        on_event: EventHandler | None = None,
    ) -> Turn:
        """Run the production phases on the project (this session's thread)."""
        if self.pending() is not None:
            raise InvalidInput("answer the pending question first, or produce in a new thread")
        payload = {
            "request": "produce",
            "project_dir": str(self.project_dir),
            "auto_approve": self.auto_approve,
            "production_selection": {
                "backend": backend,
                "segments": list(segments or []),
                "shots": list(shots or []),
            },
        }
        return self._run(payload, on_event)

    def say(self, text: str, *, on_event: EventHandler | None = None) -> Turn:
        """Send a message (a question, feedback, a brief) to the assistant."""
        if not text.strip():
            raise InvalidInput("say something: the message is empty")
        if self.pending() is not None:
            return self.resume(text, on_event=on_event)
        payload: dict[str, Any] = {
            "request": "message",
            "project_dir": str(self.project_dir),
            "auto_approve": self.auto_approve,
            "messages": [HumanMessage(content=text)],
        }
        return self._run(payload, on_event)

    def resume(
        self, answer: Decision | str | dict[str, Any], *, on_event: EventHandler | None = None
    ) -> Turn:
        """Answer the pending confirmation: a Decision, an action word, or feedback text."""
        pending = self.pending()
        if pending is None:
            raise InvalidInput("the assistant is not waiting for a confirmation")
        decision = check_answer(pending, answer)  # refused here, before it reaches the thread
        return self._run(Command(resume=decision), on_event)

    def pending(self) -> dict[str, Any] | None:
        """The confirmation the assistant waits on, as its payload, or None."""
        snapshot = self.graph.get_state(self.config)
        for item in snapshot.interrupts:
            return dict(item.value)
        return None

    def values(self) -> dict[str, Any]:
        return dict(self.graph.get_state(self.config).values)

    def usage(self) -> dict[str, Any]:
        return dict(self.values().get("usage") or {})

    def undo(self) -> str:
        """Undo the last change made to the project (by a plan phase or an applied change)."""
        entry = Project.open(self.project_dir).undo()
        return f"undone: {entry.note}"

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, payload: Any, on_event: EventHandler | None) -> Turn:
        self._remember()
        before = len(self.values().get("messages") or [])
        emit = on_event or (lambda _kind, _data: None)
        for mode, chunk in self.graph.stream(
            payload, self.config, context=self.context, stream_mode=["custom", "updates"]
        ):
            if mode == "custom" and isinstance(chunk, dict):
                if "token" in chunk:
                    if chunk.get("first"):
                        emit("answer", None)
                    emit("token", chunk["token"])
                elif "phase" in chunk:
                    emit("progress", chunk)
        values = self.values()
        new = list(values.get("messages") or [])[before:]
        said = [message_text(m) for m in new if isinstance(m, AIMessage) and message_text(m)]
        for message in new:
            if isinstance(message, AIMessage) and message_text(message):
                emit("message", message)
        return Turn(messages=said, interrupt=self.pending(), phase=values.get("phase"))


def _fresh_id(known: list[str]) -> str:
    if DEFAULT_THREAD not in known:
        return DEFAULT_THREAD
    n = 2
    while f"{DEFAULT_THREAD}-{n}" in known:
        n += 1
    return f"{DEFAULT_THREAD}-{n}"
