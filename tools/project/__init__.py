"""The project on disk: the one package that reads and writes a StoryCore project.

A project is a folder with ``project.json`` (the manifest) at its root and the StoryCore
layout below it. Every change goes through a :class:`Transaction`:

- it holds the project's lock (a file lock in ``.storycore/``), so two processes updating the
  same project serialise instead of losing each other's writes;
- every file is written atomically (a temporary file, then ``os.replace``), and the whole
  change is flushed to disk once, when it commits (one ``os.sync`` rather than an fsync per
  file: a 1000-shot plan writes thousands of files);
- every operation is journaled before it happens (the previous bytes of a rewritten file, a
  removed file moved aside, a rename), so an exception rolls the project back to exactly what
  it was, a crash is rolled back the next time the project is opened, and the last change can
  be undone (:meth:`Project.undo`).

Every JSON document carries a schema version, upgraded before validation when an older
project is read (:mod:`storycore.tools.schema_versions`).

Everything below the root is reached through :func:`storycore.tools.naming.confined`: a path
built from user text can never leave the project folder.

The package: ``files`` (the layout, the lock, :func:`atomic_write`, the house JSON),
``safety`` (a project is untrusted input: bounded reads, confined journal and document
paths), ``transaction`` (:class:`Transaction`, its journal, rollback and crash points),
``store`` (:class:`Project`: open, create, read, undo, recover) and ``plans`` (the mark a
multi-phase plan leaves, and its recovery).

Every write of the store calls :func:`atomic_write` through this package at call time, so
replacing ``storycore.tools.project.atomic_write`` (a test, a benchmark) sees all of them.
"""

from storycore.tools.project.files import (
    INTERNAL,
    LAYOUT,
    LOCK_TIMEOUT_S,
    MANIFEST,
    _os_errors_as_project_errors,
    atomic_write,
    dumps_json,
)
from storycore.tools.project.plans import (
    PLAN_MARKER,
    begin_plan,
    end_plan,
    interrupted_plan,
    recover_interrupted_plan,
)
from storycore.tools.project.safety import (
    MAX_DOCUMENT_BYTES,
    _read_limited,
    check_document_paths,
    is_safe_relative,
)
from storycore.tools.project.store import HistoryEntry, Project
from storycore.tools.project.transaction import (
    CRASH_ENV,
    HISTORY_KEEP,
    Transaction,
    _read_ops,
    _replay_backwards,
)

__all__ = [
    "CRASH_ENV",
    "HISTORY_KEEP",
    "INTERNAL",
    "LAYOUT",
    "LOCK_TIMEOUT_S",
    "MANIFEST",
    "MAX_DOCUMENT_BYTES",
    "PLAN_MARKER",
    "HistoryEntry",
    "Project",
    "Transaction",
    # private, but imported by other modules (the planner replays journals)
    "_os_errors_as_project_errors",
    "_read_limited",
    "_read_ops",
    "_replay_backwards",
    "atomic_write",
    "begin_plan",
    "check_document_paths",
    "dumps_json",
    "end_plan",
    "interrupted_plan",
    "is_safe_relative",
    "recover_interrupted_plan",
]
