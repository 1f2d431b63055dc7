"""Where conversations are kept: a LangGraph checkpointer chosen by URL.

``STORYCORE_CHECKPOINT_URL`` (or the CLI's ``--checkpoint-url``) selects the backend:

- nothing, or ``sqlite:`` with no path: SQLite in the project, ``.storycore/checkpoints.sqlite``
  (the default; a project folder carries its conversations with it);
- ``sqlite:///an/absolute/path.sqlite``: one SQLite file shared by several projects;
- ``postgresql://user@host:port/db`` (or ``postgres://``): PostgreSQL through
  ``langgraph-checkpoint-postgres`` (``pip install 'storycore-assistant[postgres]'``); its
  tables are created the first time a process opens that URL (``setup()``).

Every checkpoint a :class:`~storycore.agent.session.Session` writes carries the project's id
in its metadata, and its thread id is namespaced by that id, so the thread list is read from
the checkpoints themselves on any backend and two projects sharing one database never see
each other's conversations.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storycore.tools.errors import InvalidInput

URL_VARIABLE = "STORYCORE_CHECKPOINT_URL"
CHECKPOINTS = "checkpoints.sqlite"

# URLs whose tables were set up by this process: setup() once per database.
_SET_UP: set[str] = set()


@dataclass
class Checkpoints:
    """An open checkpointer, what it is (for messages), and how to close it."""

    saver: Any
    backend: str
    where: str
    _close: Callable[[], None]

    def close(self) -> None:
        """Close the connection (idempotent)."""
        close, self._close = self._close, lambda: None
        close()


def checkpoint_url(explicit: str | None = None) -> str:
    """The URL to use: ``explicit`` (an option), else ``STORYCORE_CHECKPOINT_URL``, else ''."""
    if explicit is not None and explicit.strip():
        return explicit.strip()
    return os.environ.get(URL_VARIABLE, "").strip()


def describe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{host}" if user else f"{scheme}://{host}"


def open_checkpoints(url: str, internal_dir: Path) -> Checkpoints:
    """Open the checkpointer ``url`` names; SQLite in ``internal_dir`` when ``url`` is empty."""
    lowered = url.lower()
    if not url or lowered in ("sqlite:", "sqlite://"):
        internal_dir.mkdir(parents=True, exist_ok=True)
        return _sqlite(internal_dir / CHECKPOINTS)
    if lowered.startswith("sqlite:///"):
        return _sqlite(Path(url[len("sqlite://") :]))
    if lowered.startswith(("postgresql://", "postgres://")):
        return _postgres(url)
    raise InvalidInput(
        f"{URL_VARIABLE}={describe_url(url)!r} is not a checkpoint URL: use "
        "postgresql://user@host:port/database or sqlite:///path (or nothing for the project)"
    )


def _sqlite(path: Path) -> Checkpoints:
    from langgraph.checkpoint.sqlite import SqliteSaver

    try:
        connection = sqlite3.connect(path, check_same_thread=False, timeout=30)
    except sqlite3.Error as exc:
        raise InvalidInput(f"cannot open the checkpoint database {path}: {exc}") from None
    # LangGraph's setup puts the database in WAL mode, where NORMAL commits without an
    # fsync: a crashed process loses nothing, a power cut may lose the last checkpoints (the
    # transcript, fsynced, keeps what was said, and a thread resumes from its last checkpoint
    # on disk). FULL, SQLite's default, costs an fsync at each of a chat turn's 4-5 commits.
    try:
        connection.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error as exc:
        connection.close()
        raise InvalidInput(f"cannot open the checkpoint database {path}: {exc}") from None
    saver = SqliteSaver(connection)
    return Checkpoints(saver, "sqlite", str(path), connection.close)


def _postgres(url: str) -> Checkpoints:
    try:
        import psycopg
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
    except ImportError:
        raise InvalidInput(
            "a postgresql:// checkpoint URL needs langgraph-checkpoint-postgres and psycopg: "
            "pip install 'storycore-assistant[postgres]'"
        ) from None
    shown = describe_url(url)
    try:
        connection = psycopg.connect(
            url, autocommit=True, prepare_threshold=0, row_factory=dict_row, connect_timeout=10
        )
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())[:200]
        raise InvalidInput(f"cannot connect to the checkpoint database {shown}: {reason}") from None
    saver = PostgresSaver(connection)
    if url not in _SET_UP:
        saver.setup()
        _SET_UP.add(url)
    return Checkpoints(saver, "postgres", shown, connection.close)
