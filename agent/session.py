"""A conversation with the assistant about one project: plan, talk, confirm, resume.

The CLI (``storycore plan``, ``storycore chat``, ``storycore feedback``) and Python callers use
this class. Conversations persist in a LangGraph checkpointer chosen by URL
(:mod:`storycore.agent.persistence`: SQLite in the project by default, or PostgreSQL), so one
stopped in one process resumes in another by its thread id; resuming a thread id the project
does not know raises :class:`NotFound` instead of silently starting over.

Thread names (``main``, ``main-2``, ``--thread NAME``) are the project's own: the checkpoints
are kept under ``<project id>/<name>`` with the project id in their metadata
(``.storycore/project-id``), and the list of threads is read from the checkpoints, so two
projects sharing one database never see each other's threads.

The checkpoints hold only the current turn of a conversation; the whole of it is in the
thread's transcript, ``.storycore/transcripts/`` (:mod:`storycore.agent.transcript`), which
:meth:`Session.history` reads.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, cast

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command, Durability, StreamMode

from storycore.agent import routing
from storycore.agent.confirmations import check_answer
from storycore.agent.context import Context
from storycore.agent.events import listening
from storycore.agent.messages import message_text
from storycore.agent.persistence import CHECKPOINTS, Checkpoints, checkpoint_url, open_checkpoints
from storycore.agent.state import AssistantState, Decision
from storycore.agent.transcript import Transcript
from storycore.tools.errors import InvalidInput, NotFound
from storycore.tools.project import INTERNAL, Project, atomic_write, dumps_json

__all__ = ["CHECKPOINTS", "DEFAULT_THREAD", "PROJECT_ID", "SESSIONS", "Session", "Turn"]

PROJECT_ID = "project-id"
# A mirror of the thread list for readers that do not open the checkpoints (the web studio
# reads it); the checkpoints are the truth, this file is rewritten from them after each run.
SESSIONS = "sessions.json"
DEFAULT_THREAD = "main"
# The key of a stream's "values" chunk that holds the questions a run stopped on.
_INTERRUPT = "__interrupt__"
#: LangGraph's durability for a session's runs: each step's checkpoint is on disk before the
#: next step starts ("async" starts it first; "exit" writes at the end only, so a crash during
#: the model's answer would lose the message). A plain chat turn is one step: no cost there.
DURABILITY: Durability = "sync"
# Checkpoint metadata key holding the project id.
PROJECT_KEY = "storycore_project"
# The state's channels: a checkpoint holding any other (a branch, the start) has a node due.
_STATE_KEYS = frozenset(AssistantState.__annotations__)

#: ``on_event(kind, data)``: kind is "progress" ({"phase", "text"}), "answer" (None: a
#: streamed answer starts), "token" (a str, a piece of it) or "message" (an AIMessage the
#: assistant said, streamed or not, once the run is over).
EventHandler = Callable[[str, Any], None]


@dataclass
class _Settled:
    """A thread's last checkpoint with nothing pending: its messages, and whether its run is
    over (``idle``: no node is due to run from it)."""

    messages: list[BaseMessage]
    idle: bool
    values: dict[str, Any] = field(default_factory=dict)


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
        checkpoint_url: str | None = None,
        auto_approve: bool = False,
    ) -> None:
        """``checkpointer`` (yours) or ``checkpoint_url`` (else ``STORYCORE_CHECKPOINT_URL``,
        else SQLite in the project) keeps the conversation."""
        from storycore.agent.graph import build_graph

        self.project_dir = Path(project_dir).resolve()
        if self.project_dir.exists() and not self.project_dir.is_dir():
            raise InvalidInput(f"{self.project_dir} is a file, not a project folder")
        self.context = context or Context.from_env()
        self._online_context = self.context
        self.offline_since: str | None = None
        self.auto_approve = auto_approve
        #: Also stream the nodes' ``updates`` (for a host that reads ``graph.stream``, like
        #: the web studio's tool activity); a turn reads only the ``values`` otherwise.
        self.stream_updates = False
        self._checkpoints: Checkpoints | None = None
        # The project id before the project folder exists (then written to it).
        self._memory_id: str | None = None
        # The id file as last read: (its identity, its parsed content).
        self._id_cache: tuple[tuple[int, int, int, int], Any] | None = None
        # The thread mirror (sessions.json) as last found right for this thread.
        self._mirrored: tuple[int, int, int, int] | None = None
        url = _url_of(checkpoint_url)
        fresh = not (self._internal() / CHECKPOINTS).is_file()
        if checkpointer is None and thread_id is not None and not new and not url and fresh:
            self._unknown_thread(thread_id, [])  # refused before anything is made on disk
        if checkpointer is None:
            self._checkpoints = open_checkpoints(url, self._internal())
            checkpointer = self._checkpoints.saver
        self.checkpointer = checkpointer
        try:
            self.graph = build_graph(checkpointer, chat_model=chat_model)
            self.thread_id = self._choose_thread(thread_id, new)
        except BaseException:
            self.close()
            raise

    # -- threads -------------------------------------------------------------------------

    def _internal(self) -> Path:
        return self.project_dir / INTERNAL

    @property
    def project_id(self) -> str | None:
        """This project's id in the checkpoints (None until its first conversation).

        The id file records the folder it was made in: a copy of the project (the original
        still there with the same id) is a new project, whose conversations start afresh
        (the copied ones would act on the original's folder).
        """
        data = self._id_record()
        if not isinstance(data, dict):
            return self._memory_id
        made, where = data.get("id"), data.get("path")
        if not isinstance(made, str) or not re.fullmatch(r"[0-9a-f]{32}", made):
            return None
        if isinstance(where, str) and where != str(self.project_dir):
            original = Path(where) / INTERNAL / PROJECT_ID
            try:
                if made in original.read_text(encoding="utf-8"):
                    return self._memory_id  # a copy: the original is still there
            except OSError:
                pass  # moved: the id goes with it
        return made

    def _id_record(self) -> Any:
        """The parsed id file (None if missing or not JSON), read again only when the file
        is not the one read last (inode, size, modification and change times)."""
        path = self._internal() / PROJECT_ID
        stamp = _identity(path)
        if stamp is None:
            return None
        if self._id_cache is not None and self._id_cache[0] == stamp:
            return self._id_cache[1]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        self._id_cache = (stamp, data)
        return data

    def _ensure_project_id(self) -> str:
        known = self.project_id or uuid.uuid4().hex
        self._memory_id = known
        record = {"id": known, "path": str(self.project_dir)}
        if self._id_record() == record:
            return known  # written already (every turn but a project's first)
        if not self.project_dir.is_dir():
            return known  # nothing is written before the project exists (a caller's saver)
        self._internal().mkdir(parents=True, exist_ok=True)
        atomic_write(self._internal() / PROJECT_ID, dumps_json(record))
        return known

    @property
    def config(self) -> RunnableConfig:
        """The run configuration of this thread (namespaced thread id, project metadata)."""
        return self._config_of(self.thread_id)

    def _config_of(self, name: str) -> RunnableConfig:
        project = self.project_id or "unsaved"
        return {
            "configurable": {"thread_id": f"{project}/{name}"},
            "metadata": {PROJECT_KEY: project, "storycore_thread": name},
        }

    def threads(self) -> list[str]:
        """The conversation threads this project knows, oldest first, the last used last."""
        project = self.project_id
        if project is None:
            return []
        prefix = f"{project}/"
        created: list[str] = []
        for item in self.checkpointer.list(None, filter={PROJECT_KEY: project, "step": -1}):
            thread = str(item.config["configurable"]["thread_id"])
            if thread.startswith(prefix) and thread[len(prefix) :] not in created:
                created.append(thread[len(prefix) :])
        created.reverse()
        last = self._last_thread(project)
        if last in created:
            created.remove(last)
            created.append(last)
        return created

    def _last_thread(self, project: str) -> str | None:
        for item in self.checkpointer.list(None, filter={PROJECT_KEY: project}, limit=1):
            thread = str(item.config["configurable"]["thread_id"])
            return thread.split("/", 1)[1] if "/" in thread else thread
        return None

    def _choose_thread(self, thread_id: str | None, new: bool) -> str:
        known = self.threads()
        if thread_id is None:
            if new or not known:
                return _fresh_id(known)
            return known[-1]
        if not thread_id.strip() or len(thread_id) > 100:
            raise InvalidInput("a thread id is 1 to 100 characters")
        if new:
            if thread_id in known:
                raise InvalidInput(f"the thread {thread_id!r} already exists in this project")
            return thread_id
        if thread_id not in known or not self._has_checkpoint(thread_id):
            self._unknown_thread(thread_id, known)
        return thread_id

    def _unknown_thread(self, thread_id: str, known: list[str]) -> NoReturn:
        listed = ", ".join(known) if known else "none yet"
        raise NotFound(
            f"this project has no conversation {thread_id!r} (known threads: {listed}); "
            "leave --thread out to continue the last one"
        )

    def _has_checkpoint(self, thread_id: str) -> bool:
        snapshot = self.graph.get_state(self._config_of(thread_id))
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
        settled = self._settled()
        if settled is None:  # something is pending: maybe a question this message answers
            snapshot = self.graph.get_state(self.config)
            if _pending_of(snapshot) is not None:
                return self.resume(text, on_event=on_event)
            settled = _Settled(list(snapshot.values.get("messages") or []), idle=False)
        payload: dict[str, Any] = {
            "request": "message",
            "project_dir": str(self.project_dir),
            "auto_approve": self.auto_approve,
            # Its id given here: an update is applied again by every read of the state until
            # its run saves a checkpoint, and the reducer would give it a new id each time.
            "messages": [HumanMessage(content=text, id=str(uuid.uuid4()))],
        }
        if self.project_id is None:
            # Before the project has an id, the run's thread is named after the id it gets.
            return self._run(payload, on_event)
        # Where the graph's entry router would send it, from the state the message makes.
        entry = routing.route_entry(cast(AssistantState, {**settled.values, **payload}))
        if settled.idle and entry != routing.END:
            # The last run is over: the message is an update of its last checkpoint and the run
            # starts at the entry router's node (no input superstep, no input checkpoint). A
            # crash leaves it as that checkpoint's pending write, which recover() runs from.
            # Only what changes is written (the request, folder and approval mode are
            # usually the last run's): fewer writes to save, apply and version.
            update = {
                key: value
                for key, value in payload.items()
                if key == "messages" or key not in settled.values or settled.values[key] != value
            }
            return self._run(Command(update=update, goto=entry), on_event, settled.messages)
        return self._run(payload, on_event, settled.messages)

    def _settled_messages(self) -> list[BaseMessage] | None:
        """The messages of :meth:`_settled` (None when something is pending)."""
        settled = self._settled()
        return None if settled is None else settled.messages

    def _settled(self) -> _Settled | None:
        """The thread's messages read from its last checkpoint alone, when nothing is pending
        on it (no question, no write of a run stopped mid-step): the state is then that
        checkpoint's values as saved. None when something is pending (read the whole state
        with ``graph.get_state``, which also finds the question).

        ``idle`` when that checkpoint ends a run: it holds the state's channels only (no
        branch or start channel, which would trigger a node) and records which ones the last
        step updated."""
        saved = self.checkpointer.get_tuple(self.config)
        if saved is None:
            return _Settled([], idle=False)  # a new thread: its first input starts it
        if saved.pending_writes or saved.checkpoint.get("v", 0) < 4:
            return None
        values = saved.checkpoint.get("channel_values", {})
        messages = values.get("messages", [])
        if not isinstance(messages, list):
            return None
        updated = saved.checkpoint.get("updated_channels")
        idle = updated is not None and _STATE_KEYS.issuperset([*values, *updated])
        return _Settled(list(messages), idle=idle, values=dict(values))

    def resume(
        self, answer: Decision | str | dict[str, Any], *, on_event: EventHandler | None = None
    ) -> Turn:
        """Answer the pending confirmation: a Decision, an action word, or feedback text."""
        pending = self.pending()
        if pending is None:
            raise InvalidInput("the assistant is not waiting for a confirmation")
        decision = check_answer(pending, answer)  # refused here, before it reaches the thread
        return self._run(Command(resume=decision), on_event)

    def stopped(self) -> bool:
        """True when a run of this thread stopped in the middle (a crash, a killed process):
        nodes wait to run and no confirmation is pending. :meth:`recover` finishes it."""
        snapshot = self.graph.get_state(self.config)
        if snapshot.interrupts:
            return False
        if snapshot.next:
            return True
        # A message sent as an update (say) whose run stopped before its first checkpoint: a
        # pending write the state shows but ``next`` does not (computed before applying it).
        saved = self.checkpointer.get_tuple(self.config)
        return saved is not None and bool(saved.pending_writes)

    def recover(self, *, on_event: EventHandler | None = None) -> Turn:
        """Finish the run a crash stopped, from its last checkpoint: the nodes that had not
        finished run again (what they had written to the transcript is not written twice)."""
        if not self.stopped():
            raise InvalidInput("no run of this conversation was stopped in the middle")
        return self._run(None, on_event)

    def pending(self) -> dict[str, Any] | None:
        """The confirmation the assistant waits on, as its payload, or None."""
        return _pending_of(self.graph.get_state(self.config))

    def values(self) -> dict[str, Any]:
        """The thread's state (its ``messages`` are the current turn's only: see
        :meth:`history`)."""
        return dict(self.graph.get_state(self.config).values)

    @property
    def transcript(self) -> Transcript:
        """This thread's transcript (``.storycore/transcripts/``)."""
        return Transcript(self.project_dir, str(self.config["configurable"]["thread_id"]))

    def history(self) -> list[BaseMessage]:
        """The whole conversation of this thread, oldest first: its transcript, and any
        message of the state a crash kept from being written to it."""
        said: list[BaseMessage] = list(self.transcript.read())
        known = {m.id for m in said}
        state = self.values().get("messages") or [] if self.started else []
        return [*said, *(m for m in state if m.id not in known)]

    def usage(self) -> dict[str, Any]:
        return dict(self.values().get("usage") or {})

    def undo(self) -> str:
        """Undo the last change made to the project (by a plan phase or an applied change)."""
        entry = Project.open(self.project_dir).undo()
        return f"undone: {entry.note}"

    # -- offline after a failure -------------------------------------------------------

    def retry_online(self) -> bool:
        """Talk to the language model again after a failure (``/retry``); False if the
        session was not offline because of one."""
        if self.offline_since is None:
            return False
        self.context = self._online_context
        self.offline_since = None
        return True

    def _went_offline(self, reason: str) -> None:
        if self.offline_since is not None or self.context.offline:
            return
        self.offline_since = reason
        self.context = self.context.with_overrides(
            offline=True,
            offline_reason=f"{reason} Working offline for the rest of this session: "
            "/retry to try the language model again",
        )

    def close(self) -> None:
        """Close the checkpoint connection this session opened."""
        if self._checkpoints is not None:
            self._checkpoints.close()
            self._checkpoints = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(
        self,
        payload: Any,
        on_event: EventHandler | None,
        current: list[BaseMessage] | None = None,
    ) -> Turn:
        """Run the graph on ``payload``; ``current`` is the thread's messages just read, if
        the caller has them (read again otherwise)."""
        from storycore.agent.llm import allow_requests, cancel_requests

        self._ensure_project_id()
        allow_requests()
        previous: Any = None
        if threading.current_thread() is threading.main_thread():
            # LangGraph runs nodes in worker threads and waits for them before a Ctrl-C can
            # leave graph.stream: cancel the model's retries the moment the signal arrives.
            def on_interrupt(signum: int, frame: Any) -> None:
                cancel_requests()
                raise KeyboardInterrupt

            previous = signal.signal(signal.SIGINT, on_interrupt)
        try:
            return self._stream(payload, on_event, current)
        except KeyboardInterrupt:
            cancel_requests()
            raise
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)

    def _mirror_threads(self) -> None:
        if self._checkpoints is None or not self.project_dir.is_dir():
            return  # a caller's own checkpointer: its threads are not the project's files
        self._ensure_project_id()  # the run may have just created the project
        path = self._internal() / SESSIONS
        stamp = _identity(path)
        if stamp is not None and stamp == self._mirrored:
            return  # the file this session found right for its thread, unchanged since
        try:
            mirrored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            mirrored = None
        if (
            isinstance(mirrored, dict)
            and mirrored.get("last") == self.thread_id
            and self.thread_id in (mirrored.get("threads") or [])
        ):
            self._mirrored = stamp
            return  # listing the checkpoints costs more as they grow: only on a change
        threads = self.threads()
        data = {"last": threads[-1] if threads else None, "threads": threads}
        if mirrored == data:
            return
        atomic_write(path, dumps_json(data))

    def _stream(
        self, payload: Any, on_event: EventHandler | None, current: list[BaseMessage] | None
    ) -> Turn:
        try:
            return self._stream_run(payload, on_event, current)
        finally:
            self._mirror_threads()

    def _stream_run(
        self, payload: Any, on_event: EventHandler | None, current: list[BaseMessage] | None
    ) -> Turn:
        if current is None:
            current = list(self.graph.get_state(self.config).values.get("messages") or [])
        if current and self.project_dir.is_dir():
            # A thread from before transcripts, or a run stopped between its transcript and
            # its checkpoint: what the state holds is written first (never twice).
            self.transcript.append(current)
        before = {m.id for m in current}
        emit = on_event or (lambda _kind, _data: None)

        def listen(chunk: dict[str, Any]) -> None:
            if "token" in chunk:
                if chunk.get("first"):
                    emit("answer", None)
                emit("token", chunk["token"])
            elif "phase" in chunk:
                emit("progress", chunk)
            elif "llm_unavailable" in chunk:
                self._went_offline(str(chunk["llm_unavailable"]))

        # The nodes' events come through the listener (storycore.agent.events), not the
        # "custom" stream mode, which would run every node on a worker thread. The last
        # "values" chunk is the state the run ends in, with the question it stopped on
        # (no checkpoint read after the run); the updates only for a host that observes
        # the stream (stream_updates: the web studio's tool activity).
        values: dict[str, Any] | None = None
        modes: list[StreamMode] = ["updates", "values"] if self.stream_updates else ["values"]
        with listening(listen):
            for mode, chunk in self.graph.stream(
                payload,
                self.config,
                context=self.context,
                stream_mode=modes,
                durability=DURABILITY,
            ):
                if mode == "values" and isinstance(chunk, dict):
                    values = dict(chunk)
        if values is None:  # nothing ran: the state as the checkpoints have it
            after = self.graph.get_state(self.config)
            values = {**after.values, _INTERRUPT: after.interrupts}
        interrupts = values.pop(_INTERRUPT, None) or ()
        new = [m for m in values.get("messages") or [] if m.id not in before]
        said = [message_text(m) for m in new if isinstance(m, AIMessage) and message_text(m)]
        for message in new:
            if isinstance(message, AIMessage) and message_text(message):
                emit("message", message)
        waiting = next((dict(item.value) for item in interrupts), None)
        return Turn(messages=said, interrupt=waiting, phase=values.get("phase"))


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """A file's identity (inode, size, modification and change times in ns), or None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _pending_of(snapshot: Any) -> dict[str, Any] | None:
    """The payload of the confirmation a state snapshot waits on, or None."""
    for item in snapshot.interrupts:
        return dict(item.value)
    return None


def _url_of(explicit: str | None) -> str:
    return checkpoint_url(explicit)


def _fresh_id(known: list[str]) -> str:
    if DEFAULT_THREAD not in known:
        return DEFAULT_THREAD
    n = 2
    while f"{DEFAULT_THREAD}-{n}" in known:
        n += 1
    return f"{DEFAULT_THREAD}-{n}"
