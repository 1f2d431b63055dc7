"""The whole conversation, kept outside the graph's state: one append-only JSONL per thread.

A checkpointer stores the whole state at every step, so a state holding every message grows
each turn by the size of the conversation so far. Here the state keeps only the current turn
(:func:`keep_current_turn`, the ``messages`` reducer: from the last message of the user on),
and every message the graph sees or says is appended to
``<project>/.storycore/transcripts/<thread>.jsonl`` by :func:`recorded` (the wrapper of every
node, whatever channel runs the graph: the CLI, the web studio, MCP, LangGraph Server).

- Idempotent: a node's messages get ids derived from its task id (the same when a node runs
  again after a crash or a resume), and a message already in the transcript with the same
  content is not written twice; a line with an id seen before replaces it (a node run again
  that said something else).
- Durable: each batch is one ``O_APPEND`` write, flushed and fsynced, under an exclusive lock;
  a torn last line (a crash in the middle of a write) is skipped by readers.
- Confined: the file is inside the project's ``.storycore/`` (no symlink followed out of it),
  readable by its owner only; secret environment values (``*_API_KEY``, ``*_TOKEN``...), API
  keys and URL passwords are masked before anything is written.
- Bounded reads: the model's window (:func:`model_history`) and the dedupe check read the end
  of the file backwards, never the whole conversation; :meth:`Transcript.read` (shown to the
  user) reads it all.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    RemoveMessage,
    ToolMessage,
    message_to_dict,
    messages_from_dict,
)
from langgraph.graph.message import add_messages

from storycore.tools.project import INTERNAL

try:  # POSIX: an exclusive lock around each append
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "TRANSCRIPTS",
    "Transcript",
    "keep_current_turn",
    "model_history",
    "recorded",
    "summary_of",
    "transcript_of_run",
]

#: The folder of the transcripts, inside the project's ``.storycore/``.
TRANSCRIPTS = "transcripts"
#: Messages the state keeps when a run has no message of the user (plan, produce).
MAX_STATE_MESSAGES = 40
#: Messages kept in any case (a model turn of many tool rounds stays whole below this).
HARD_STATE_LIMIT = 120
#: Messages read before the model's window to summarize older turns.
SUMMARY_SPAN = 40
#: Size of the summary of older turns given to the model.
SUMMARY_LIMIT = 1500
_BLOCK = 64 * 1024
#: Bytes first read from the end per line wanted (about a short message's line): a turn's
#: check of its few last lines reads a few KiB, not a whole block of a long transcript.
_LINE_GUESS = 512
_ID = re.compile(rb'^\{"id": ?"([^"\\]*)", ?"h": ?"([0-9a-f]*)"')
_NAMESPACE = uuid.UUID("6f6d0c1e-3b7a-4c55-9d0e-5f1f2a7c9b10")
_SECRET_NAMES = ("KEY", "TOKEN", "SECRET", "PASSWORD")
_URL_PASSWORD = re.compile(r"(://[^:/@\s\"]+):[^@\s\"]+@")
_API_KEY = re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_-]{16,}")


# A name holding any of _SECRET_NAMES once upper-cased.
_SECRET_NAME = re.compile("|".join(_SECRET_NAMES))


def _secrets() -> list[str]:
    """The values of the environment's secret variables (``*_API_KEY``, ``*_TOKEN``...).

    Only the secret names' values are read (decoding every value of the environment was
    most of the cost of a turn's check that its messages are already written)."""
    environ = os.environ
    return [
        value
        for name in environ
        if _SECRET_NAME.search(name.upper()) and len(value := environ[name]) >= 6
    ]


def _mask(text: str, secrets: list[str] | None = None) -> str:
    """``text`` with secret values, API keys and URL passwords masked; ``secrets`` as
    :func:`_secrets` reads them (read here when not given)."""
    for value in _secrets() if secrets is None else secrets:
        text = text.replace(value, "***")
    text = _URL_PASSWORD.sub(r"\1:***@", text)
    return _API_KEY.sub(r"\1-***", text)


def _thread_file(thread_id: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", thread_id).strip("._")[:60] or "thread"
    digest = hashlib.sha256(thread_id.encode("utf-8")).hexdigest()[:12]
    return f"{readable}-{digest}.jsonl"


class Transcript:
    """The transcript of one thread of one project."""

    def __init__(self, project_dir: Path | str, thread_id: str) -> None:
        self.project_dir = Path(project_dir)
        self.thread_id = thread_id
        self.path = self.project_dir / INTERNAL / TRANSCRIPTS / _thread_file(thread_id)

    # -- writing ---------------------------------------------------------------------------

    def _folder(self) -> Path | None:
        """The transcripts folder, made if needed; None when it would leave the project."""
        if not self.project_dir.is_dir():
            return None
        root = self.project_dir.resolve()
        folder = self.path.parent
        for part in (folder.parent, folder):
            if part.is_symlink():
                return None
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not folder.resolve().is_relative_to(root):
            return None
        return folder

    def append(self, messages: Sequence[BaseMessage]) -> int:
        """Write the messages not yet in the transcript, in order; how many were written.

        Messages without an id are skipped (the graph gives every message one)."""
        wanted = [m for m in messages if m.id and not isinstance(m, RemoveMessage)]
        if not wanted:
            return 0
        secrets = _secrets()  # once for the batch
        lines = [(str(m.id), _line(m, secrets)) for m in wanted]
        if not _unwritten(lines, self._tail_ids(len(lines) + 8)):
            # All written as they are (the file only grows: no need of the lock to know);
            # the case of every turn's start, when the thread's last state is written.
            return 0
        if self._folder() is None:
            return 0
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self.path, flags, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            seen = self._tail_ids(len(lines) + 8)
            todo = _unwritten(lines, seen)
            if not todo:
                return 0
            data = b"".join(text for _, text in todo)
            size = os.fstat(fd).st_size
            if size and not self._ends_with_newline(size):
                data = b"\n" + data  # a torn line from a crash stays alone on its line
            os.write(fd, data)
            os.fsync(fd)
            if size == 0:
                _fsync_dir(self.path.parent)
            return len(todo)
        finally:
            os.close(fd)  # releases the lock

    def _ends_with_newline(self, size: int) -> bool:
        with open(self.path, "rb") as handle:
            handle.seek(size - 1)
            return handle.read(1) == b"\n"

    # -- reading ---------------------------------------------------------------------------

    def _tail_lines(self, count: int) -> list[bytes]:
        """The last ``count`` complete lines (fewer if the file is shorter), oldest first."""
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed below
        except OSError:
            return []
        with handle:
            end = handle.seek(0, os.SEEK_END)
            data = b""
            position = end
            # A small read first, doubled until it holds the lines (at most a block a read).
            step = min(_BLOCK, max(4096, (count + 1) * _LINE_GUESS))
            while position > 0 and data.count(b"\n") <= count:
                step = min(step, position)
                position -= step
                handle.seek(position)
                data = handle.read(step) + data
                step = min(_BLOCK, step * 2)
        lines = data.split(b"\n")
        if position > 0:
            lines = lines[1:]  # the first piece may be the end of an earlier line
        lines = [line for line in lines if line.strip()]
        return lines[-count:] if count else []

    def _tail_ids(self, count: int) -> dict[str, str]:
        """id -> content hash of the last ``count`` lines."""
        found: dict[str, str] = {}
        for line in self._tail_lines(count):
            match = _ID.match(line)
            if match:
                found[match.group(1).decode()] = match.group(2).decode()
        return found

    def tail(self, count: int) -> list[BaseMessage]:
        """The last ``count`` messages (or about: a replaced message counts once)."""
        return _parse(self._tail_lines(count))

    def read(self) -> list[BaseMessage]:
        """The whole conversation, oldest first."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return []
        return _parse(data.split(b"\n"))

    def exists(self) -> bool:
        return self.path.is_file()


def _line(message: BaseMessage, secrets: list[str] | None = None) -> bytes:
    body = json.dumps(message_to_dict(message), ensure_ascii=False, sort_keys=True, default=str)
    body = _mask(body, secrets)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
    return f'{{"id": {json.dumps(str(message.id))}, "h": "{digest}", "message": {body}}}\n'.encode()


def _unwritten(lines: list[tuple[str, bytes]], seen: dict[str, str]) -> list[tuple[str, bytes]]:
    """The lines to write: after the last one already written, and none written as it is."""
    last = -1
    for index, (mid, _) in enumerate(lines):
        if mid in seen:
            last = index
    todo = []
    for index, (mid, text) in enumerate(lines):
        match = _ID.match(text)
        digest = match.group(2).decode() if match else ""
        if mid in seen and seen[mid] == digest:
            continue
        if index <= last and mid not in seen:
            continue  # older than what the file already holds: written long ago
        todo.append((mid, text))
    return todo


def _parse(lines: Sequence[bytes]) -> list[BaseMessage]:
    order: dict[str, dict[str, Any]] = {}
    for raw in lines:
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            mid = str(record["id"])
            data = record["message"]
        except (ValueError, KeyError, TypeError):
            continue  # a torn line (a crash in the middle of a write)
        order[mid] = data  # a later line with the same id replaces it, in its place
    try:
        return list(messages_from_dict(list(order.values())))
    except (ValueError, KeyError, TypeError):
        out: list[BaseMessage] = []
        for data in order.values():
            with contextlib.suppress(ValueError, KeyError, TypeError):
                out.extend(messages_from_dict([data]))
        return out


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- the state's side: the current turn only ---------------------------------------------------


def keep_current_turn(left: Any, right: Any) -> list[Any]:
    """The ``messages`` reducer: :func:`add_messages`, then only the current turn is kept
    (from the user's last message on; the last :data:`MAX_STATE_MESSAGES` in a run without
    one). The transcript holds the rest."""
    merged: list[Any] = list(add_messages(left, right))
    start = 0
    for index in range(len(merged) - 1, -1, -1):
        if isinstance(merged[index], HumanMessage):
            start = index
            break
    else:
        start = max(0, len(merged) - MAX_STATE_MESSAGES)
    start = max(start, len(merged) - HARD_STATE_LIMIT)
    while start < len(merged) and isinstance(merged[start], ToolMessage) and start > 0:
        start += 1  # never begin with answers to calls it does not show
    return merged[start:] if start else merged


# -- the graph's side: every node records what it saw and said ----------------------------------


def transcript_of_run(project_dir: str | Path | None) -> Transcript | None:
    """The transcript of the thread the running graph works on (None outside a thread)."""
    if not project_dir:
        return None
    from langgraph.config import get_config

    try:
        config = get_config()
    except RuntimeError:
        return None
    thread = (config.get("configurable") or {}).get("thread_id")
    if not thread:
        return None
    return Transcript(project_dir, str(thread))


def _task_key() -> str:
    from langgraph.config import get_config

    with contextlib.suppress(RuntimeError):
        configurable = get_config().get("configurable") or {}
        task = configurable.get("__pregel_task_id")
        if task:
            return f"{configurable.get('checkpoint_ns', '')}|{task}"
    return ""


def _with_ids(update: Any) -> Any:
    """The node's update with deterministic ids on its messages (from its task id)."""
    if not isinstance(update, dict) or not update.get("messages"):
        return update
    key = _task_key()
    if not key:
        return update
    fresh: list[Any] = []
    for index, message in enumerate(update["messages"]):
        if isinstance(message, BaseMessage) and not isinstance(message, RemoveMessage):
            mid = str(uuid.uuid5(_NAMESPACE, f"{key}:{index}"))
            message = message.model_copy(update={"id": mid})
        fresh.append(message)
    return {**update, "messages": fresh}


def recorded(node: Callable[..., Any]) -> Callable[..., Any]:
    """``node`` recording into the thread's transcript the messages of its state not yet
    written (the user's, or a crashed run's) and the messages it returns."""

    @functools.wraps(node)
    def run(state: Any, *args: Any, **kwargs: Any) -> Any:
        given = state if isinstance(state, dict) else {}
        seen = list(given.get("messages") or [])
        transcript = transcript_of_run(given.get("project_dir"))
        update: Any = None
        try:
            update = _with_ids(node(state, *args, **kwargs))
            return update
        finally:
            if transcript is not None:
                said = update.get("messages") if isinstance(update, dict) else None
                said = [m for m in said or [] if isinstance(m, BaseMessage)]
                with contextlib.suppress(OSError):
                    transcript.append([*seen, *said])

    return run


# -- what the model is sent ---------------------------------------------------------------------


def model_history(state: Any, window: int) -> tuple[list[BaseMessage], str | None]:
    """The last ``window`` messages of the conversation (transcript and current turn) and a
    deterministic summary of the :data:`SUMMARY_SPAN` messages before them (None if none)."""
    current = list(state.get("messages") or [])
    transcript = transcript_of_run(state.get("project_dir"))
    known: list[BaseMessage] = []
    if transcript is not None:
        known = transcript.tail(window + SUMMARY_SPAN + len(current))
    ids = {m.id for m in current if m.id}
    merged = [m for m in known if m.id not in ids] + current
    history = merged[-window:]
    earlier = merged[: -window or None] if len(merged) > window else []
    while history and isinstance(history[0], ToolMessage):
        earlier.append(history.pop(0))
    return history, summary_of(earlier)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_of(messages: Sequence[BaseMessage]) -> str | None:
    """A short deterministic summary of older messages: what the user asked and what the
    assistant changed (its lines starting with "Applied"), the most recent last."""
    if not messages:
        return None
    from storycore.agent.messages import message_text

    asked = [_cut(message_text(m), 160) for m in messages if isinstance(m, HumanMessage)]
    done = [
        _cut(message_text(m), 200)
        for m in messages
        if isinstance(m, AIMessage) and message_text(m).startswith(("Applied", "Appliqué"))
    ]
    parts = [f"Earlier in this conversation ({len(messages)} older messages are not shown)."]
    if asked:
        parts.append("The user said: " + "; ".join(f"«{a}»" for a in asked[-8:]) + ".")
    if done:
        parts.append("Changes applied: " + "; ".join(done[-4:]))
    return _cut(" ".join(parts), SUMMARY_LIMIT)


def iter_lines(path: Path) -> Iterator[dict[str, Any]]:
    """Every well-formed record of a transcript file (for tools and tests)."""
    try:
        data = path.read_bytes()
    except OSError:
        return
    for raw in data.split(b"\n"):
        with contextlib.suppress(ValueError):
            if raw.strip():
                yield json.loads(raw)
