"""The render ledger: every render job of a project, its state and what it cost.

SQLite in ``.storycore/production.sqlite`` (WAL journal, ``synchronous=FULL``: a committed row
survives ``kill -9`` and a power cut). One row per job, keyed by target id (shot or element),
generation hash, kind and backend: the same spec rendered by the same backend is the same job,
so running production again finds it instead of rendering it twice.

The producer's order of writes makes a crash at any point safe:

1. ``queue`` records the job (state ``queued``);
2. ``submitted`` stores the backend's job id **before** the producer waits on it (a remote
   backend is asked with ``lookup`` after a crash, never sent the job again while it has it);
3. the backend writes its outputs aside and renames them into the job's staging folder
   (``.storycore/renders/<job_id>/``); ``done`` then records the outputs;
4. a project transaction moves the staged files into ``03_videos/`` and records the media in
   the project. A crash before it commits is rolled back when the project is next opened, and
   the staged files are still there: the next run commits them without rendering again.

The ledger is created on first use by a real run: a refused or dry run leaves none behind.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storycore.tools.production.backend import JobState, RenderJob

__all__ = ["LEDGER_FILE", "RENDERS_DIR", "Ledger", "LedgerRow"]

LEDGER_FILE = ".storycore/production.sqlite"
RENDERS_DIR = ".storycore/renders"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    target_id TEXT NOT NULL,
    generation_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    backend TEXT NOT NULL,
    model_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    backend_job_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    queued_at REAL NOT NULL,
    submitted_at REAL,
    finished_at REAL,
    render_seconds REAL,
    cost_usd REAL NOT NULL DEFAULT 0,
    error TEXT,
    outputs TEXT NOT NULL DEFAULT '[]',
    UNIQUE (target_id, generation_hash, kind, backend)
);
CREATE INDEX IF NOT EXISTS jobs_target ON jobs (target_id);
"""


@dataclass(frozen=True)
class LedgerRow:
    """One job as the ledger has it."""

    job_id: str
    target_id: str
    generation_hash: str
    kind: str
    backend: str
    model_id: str
    version: int
    state: JobState
    backend_job_id: str | None
    attempts: int
    queued_at: float
    submitted_at: float | None
    finished_at: float | None
    render_seconds: float | None
    cost_usd: float
    error: str | None
    outputs: list[str]

    @classmethod
    def from_sql(cls, row: sqlite3.Row) -> LedgerRow:
        data = dict(row)
        data["state"] = JobState(data["state"])
        data["outputs"] = json.loads(data["outputs"] or "[]")
        return cls(**data)


def ledger_job_id(job: RenderJob, backend: str) -> str:
    """The ledger's id of a job for a backend (stable: same spec, same backend, same id)."""
    import hashlib

    return hashlib.sha256(f"{job.key}:{backend}".encode()).hexdigest()[:32]


class Ledger:
    """The render ledger of one project (open with :meth:`open`; a context manager)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def open(cls, root: Path) -> Ledger:
        """Open (creating) the ledger of the project at ``root``."""
        return cls(Path(root) / LEDGER_FILE)

    @staticmethod
    def exists(root: Path) -> bool:
        return (Path(root) / LEDGER_FILE).is_file()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    # -- reading ---------------------------------------------------------------------------

    def get(self, job_id: str) -> LedgerRow | None:
        row = self._db.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return LedgerRow.from_sql(row) if row else None

    def rows(self, target_id: str | None = None) -> list[LedgerRow]:
        """Every job (of one target), oldest first."""
        if target_id is None:
            cur = self._db.execute("SELECT * FROM jobs ORDER BY queued_at, rowid")
        else:
            cur = self._db.execute(
                "SELECT * FROM jobs WHERE target_id = ? ORDER BY queued_at, rowid", (target_id,)
            )
        return [LedgerRow.from_sql(r) for r in cur.fetchall()]

    def spent_usd(self) -> float:
        """What the finished jobs cost, in US dollars."""
        row = self._db.execute("SELECT COALESCE(SUM(cost_usd), 0) FROM jobs WHERE state = 'done'")
        return float(row.fetchone()[0])

    # -- writing ---------------------------------------------------------------------------

    def queue(self, job: RenderJob, backend: str) -> LedgerRow:
        """Record the job (idempotent: an existing row is returned as it is)."""
        job_id = ledger_job_id(job, backend)
        with self._write() as db:
            db.execute(
                "INSERT OR IGNORE INTO jobs (job_id, target_id, generation_hash, kind, backend, "
                "model_id, version, state, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job_id,
                    job.target_id,
                    job.generation_hash,
                    job.kind,
                    backend,
                    job.model_id,
                    job.version,
                    JobState.QUEUED.value,
                    time.time(),
                ),
            )
        row = self.get(job_id)
        assert row is not None
        return row

    def submitted(self, job_id: str, backend_job_id: str, *, running: bool = False) -> None:
        """The backend accepted the job: store its id before waiting (one more attempt).
        ``running``: the producer waits on it at once, so it is recorded ``running`` in the
        same transaction (one write to the disk instead of two)."""
        state = JobState.RUNNING if running else JobState.SUBMITTED
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET state = ?, backend_job_id = ?, attempts = attempts + 1, "
                "submitted_at = ?, error = NULL, finished_at = NULL WHERE job_id = ?",
                (state.value, backend_job_id, time.time(), job_id),
            )

    def running(self, job_id: str) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET state = ? WHERE job_id = ? AND state = ?",
                (JobState.RUNNING.value, job_id, JobState.SUBMITTED.value),
            )

    def done(self, job_id: str, outputs: list[str], cost_usd: float, seconds: float) -> None:
        """The outputs are in the staging folder (relative paths)."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET state = ?, outputs = ?, cost_usd = ?, render_seconds = ?, "
                "finished_at = ?, error = NULL WHERE job_id = ?",
                (JobState.DONE.value, json.dumps(outputs), cost_usd, seconds, time.time(), job_id),
            )

    def failed(self, job_id: str, error: str) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET state = ?, error = ?, finished_at = ? WHERE job_id = ?",
                (JobState.FAILED.value, error, time.time(), job_id),
            )

    def cancelled(self, job_ids: list[str]) -> None:
        with self._write() as db:
            db.executemany(
                "UPDATE jobs SET state = ?, finished_at = ? WHERE job_id = ? AND state IN "
                "('queued', 'submitted', 'running')",
                [(JobState.CANCELLED.value, time.time(), j) for j in job_ids],
            )

    def reset(self, job_id: str) -> None:
        """Back to ``queued`` (its staged outputs were lost): it will be rendered again."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET state = ?, outputs = '[]' WHERE job_id = ?",
                (JobState.QUEUED.value, job_id),
            )

    def summary(self) -> dict[str, Any]:
        """Counts per state and the money spent."""
        counts = {s.value: 0 for s in JobState}
        for state, count in self._db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state"):
            counts[state] = count
        return {"jobs": counts, "spent_usd": self.spent_usd()}
