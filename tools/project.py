"""The project on disk: the one module that reads and writes a StoryCore project.

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
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock
from pydantic import BaseModel, ValidationError

from storycore.tools.domain import ProjectManifest, TechnicalSpecs, format_validation_error
from storycore.tools.errors import ConflictError, NotAProject, ProjectError, StoryCoreError
from storycore.tools.naming import confined
from storycore.tools.schema_versions import KEY as SCHEMA_KEY
from storycore.tools.schema_versions import document_kind, stamp, upgrade

MANIFEST = "project.json"
INTERNAL = ".storycore"
#: The StoryCore layout (domain.md), plus ``exports/`` for hand-off files.
LAYOUT = ("01_elements", "02_shots", "03_videos", "04_audio", "05_sequences", "exports")
#: How many finished transactions are kept for undo.
HISTORY_KEEP = 30
LOCK_TIMEOUT_S = 60.0

M = TypeVar("M", bound=BaseModel)

_locks: dict[Path, FileLock] = {}
_locks_guard = threading.Lock()


def _lock_for(root: Path) -> FileLock:
    # One FileLock object per project and process: FileLock is reentrant per object, so nested
    # transactions in one process do not deadlock, and other processes wait.
    path = root / INTERNAL / "lock"
    with _locks_guard:
        lock = _locks.get(path)
        if lock is None:
            lock = FileLock(str(path), timeout=LOCK_TIMEOUT_S, thread_local=False)
            _locks[path] = lock
        return lock


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half.

    ``durable`` also fsyncs the data before the rename (transactions flush once instead)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    # os.umask can only be read by setting it; the lock keeps threads from racing on it.
    with _locks_guard:
        current = os.umask(0)
        os.umask(current)
    return current


def dumps_json(data: Any) -> bytes:
    """The house JSON: indented, UTF-8, keys in model order, a final newline."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class HistoryEntry:
    """A finished transaction that can be undone."""

    number: int
    note: str
    created_at: str
    paths: list[str]


class Project:
    """A StoryCore project folder. Open with :meth:`open`, create with :meth:`create`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self._manifest: ProjectManifest | None = None
        self._manifest_stamp: tuple[int, int] | None = None
        self._tx: Transaction | None = None

    # -- opening -------------------------------------------------------------------------

    @staticmethod
    def is_project(root: Path) -> bool:
        """True if ``root/project.json`` is a StoryCore manifest."""
        path = Path(root) / MANIFEST
        if not path.is_file():
            return False
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(data, dict) and data.get("generator") == "storycore-assistant"

    @classmethod
    def open(cls, root: Path | str) -> Project:
        """Open an existing project; roll back any transaction a crash left unfinished."""
        path = Path(root)
        if not path.exists():
            raise ProjectError(f"no project at {path}: the folder does not exist")
        if not path.is_dir():
            raise ProjectError(f"{path} is a file, not a project folder")
        if not cls.is_project(path):
            raise NotAProject(f"{path} is not a StoryCore project (no StoryCore project.json)")
        project = cls(path)
        if any(project._history_dir().glob("*.pending")):
            with project.lock():  # another process may be mid-transaction: wait for it
                project._recover()
        return project

    @classmethod
    def create(
        cls, root: Path | str, *, title: str = "Untitled", specs: TechnicalSpecs | None = None
    ) -> Project:
        """Create the layout and manifest in ``root`` (absent or empty), or open it if it is
        already a StoryCore project (idempotent)."""
        path = Path(root)
        if path.exists() and not path.is_dir():
            raise ProjectError(f"{path} is a file, not a folder")
        if path.is_dir() and cls.is_project(path):
            return cls.open(path)
        if path.is_dir() and any(child.name != INTERNAL for child in path.iterdir()):
            raise NotAProject(
                f"{path} is not empty and is not a StoryCore project; choose a new or empty folder"
            )
        path.mkdir(parents=True, exist_ok=True)
        (path / INTERNAL).mkdir(exist_ok=True)
        project = cls(path)
        manifest = ProjectManifest(title=title, technical_specs=specs or TechnicalSpecs())
        with project.transaction("create project", undoable=False) as tx:
            for folder in LAYOUT:
                tx.mkdir(folder)
            tx.manifest = manifest
        return project

    # -- reading -------------------------------------------------------------------------

    def path(self, *parts: str | Path) -> Path:
        """An absolute path inside the project (refused if it would leave it)."""
        return confined(self.root, *parts)

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()

    @property
    def manifest(self) -> ProjectManifest:
        """The manifest: the working copy inside a transaction, else the file (cached)."""
        if self._tx is not None:
            return self._tx.manifest
        path = self.root / MANIFEST
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise NotAProject(f"{self.root} has no project.json") from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if self._manifest is None or stamp != self._manifest_stamp:
            self._manifest = self.read_model(MANIFEST, ProjectManifest)
            self._manifest_stamp = stamp
        return self._manifest

    def read_bytes(self, rel: str | Path) -> bytes:
        return self.path(rel).read_bytes()

    def read_json(self, rel: str | Path) -> Any:
        path = self.path(rel)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ProjectError(f"{self.relative(path)} is missing from the project") from None
        except ValueError as exc:
            raise ProjectError(f"{self.relative(path)} is not valid JSON: {exc}") from None

    def read_model(self, rel: str | Path, model: type[M]) -> M:
        """A document validated as ``model``; a versioned document is first upgraded to its
        current schema version (:mod:`storycore.tools.schema_versions`)."""
        data = self.read_json(rel)
        kind = document_kind(rel)
        if kind is not None:
            data = upgrade(kind, data, subject=str(rel))
            if isinstance(data, dict) and SCHEMA_KEY not in model.model_fields:
                data = {k: v for k, v in data.items() if k != SCHEMA_KEY}
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise ProjectError(format_validation_error(exc, subject=str(rel))) from None

    def exists(self, rel: str | Path) -> bool:
        return self.path(rel).exists()

    # -- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        (self.root / INTERNAL).mkdir(exist_ok=True)
        with _lock_for(self.root):
            yield

    @contextlib.contextmanager
    def transaction(self, note: str, *, undoable: bool = True) -> Iterator[Transaction]:
        """Lock the project and journal every change; roll back on any exception.

        A transaction opened while one is active on this object joins it.
        """
        if self._tx is not None:
            yield self._tx
            return
        with self.lock():
            self._recover()
            self._manifest = None
            manifest = self.read_model(MANIFEST, ProjectManifest) if self.exists(MANIFEST) else None
            tx = Transaction(self, note, manifest, undoable=undoable)
            self._tx = tx
            try:
                yield tx
                tx._commit()
            except BaseException:
                tx._rollback()
                raise
            finally:
                self._tx = None
                self._manifest = None

    # -- history -------------------------------------------------------------------------

    def _history_dir(self) -> Path:
        return self.root / INTERNAL / "history"

    def history(self) -> list[HistoryEntry]:
        """Finished undoable transactions, newest first."""
        entries = []
        base = self._history_dir()
        if not base.is_dir():
            return []
        for child in base.iterdir():
            if not child.name.isdigit() or not (child / "meta.json").is_file():
                continue
            meta = json.loads((child / "meta.json").read_text(encoding="utf-8"))
            if meta.get("undoable"):
                entries.append(
                    HistoryEntry(int(child.name), meta["note"], meta["created_at"], meta["paths"])
                )
        return sorted(entries, key=lambda e: e.number, reverse=True)

    def undo(self) -> HistoryEntry:
        """Undo the last undoable change; refused if its files changed since."""
        with self.lock():
            self._recover()
            entries = self.history()
            if not entries:
                raise ConflictError("there is nothing to undo")
            entry = entries[0]
            folder = self._history_dir() / f"{entry.number:06d}"
            ops = _read_ops(folder)
            # The last write of each path is what the change left; compare with the disk.
            last_writes = {op["path"]: op["after"] for op in ops if op["op"] == "write"}
            for rel, after in last_writes.items():
                current = self.root / rel
                if not current.is_file() or _sha(current.read_bytes()) != after:
                    raise ConflictError(f"cannot undo {entry.note!r}: {rel} changed after it")
            _replay_backwards(self.root, folder, ops)
            shutil.rmtree(folder)
            self._manifest = None
            return entry

    def _recover(self) -> None:
        """Roll back a transaction that a crash left half-done. Call with the lock held."""
        base = self._history_dir()
        if not base.is_dir():
            return
        for pending in sorted(base.glob("*.pending"), reverse=True):
            _replay_backwards(self.root, pending, _read_ops(pending))
            shutil.rmtree(pending, ignore_errors=True)


class Transaction:
    """A journaled change to a project. Obtain one from :meth:`Project.transaction`."""

    def __init__(
        self, project: Project, note: str, manifest: ProjectManifest | None, *, undoable: bool
    ) -> None:
        self.project = project
        self.note = note
        self.undoable = undoable
        self._original_manifest = manifest.model_copy(deep=True) if manifest else None
        self.manifest: ProjectManifest = manifest or ProjectManifest()
        base = project._history_dir()
        base.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name.split(".")[0]) for p in base.iterdir() if p.name[:6].isdigit()]
        self.number = max(numbers, default=0) + 1
        self._dir = base / f"{self.number:06d}.pending"
        self._dir.mkdir()
        self._journal = (self._dir / "journal.jsonl").open("a", encoding="utf-8")
        self._blobs = 0
        self._paths: list[str] = []

    @property
    def root(self) -> Path:
        return self.project.root

    def _record(self, op: dict[str, Any]) -> None:
        # Written and flushed before the operation, so a crashed process can always be rolled
        # back (the operating system keeps flushed data; commit syncs it to the disk).
        self._journal.write(json.dumps(op) + "\n")
        self._journal.flush()

    def _next_blob(self) -> str:
        self._blobs += 1
        return f"blob{self._blobs:06d}"

    def _rel(self, rel: str | Path) -> tuple[Path, str]:
        path = self.project.path(rel)
        if path == self.root:
            raise ProjectError("refusing to replace the project folder itself")
        relative = path.relative_to(self.root).as_posix()
        if relative == INTERNAL or relative.startswith(f"{INTERNAL}/history"):
            raise ProjectError(f"{relative} is StoryCore's own folder")
        return path, relative

    # -- operations ----------------------------------------------------------------------

    def mkdir(self, rel: str | Path) -> Path:
        path, _ = self._rel(rel)
        missing = []
        probe = path
        while not probe.exists():
            missing.append(probe)
            probe = probe.parent
        if probe.exists() and not probe.is_dir():
            raise ProjectError(f"{self.project.relative(probe)} is a file, not a folder")
        for folder in reversed(missing):
            self._record({"op": "mkdir", "path": folder.relative_to(self.root).as_posix()})
            folder.mkdir()
        return path

    def write_bytes(self, rel: str | Path, data: bytes) -> Path:
        path, relative = self._rel(rel)
        if path.is_dir():
            raise ProjectError(f"{relative} is a folder, not a file")
        if path.parent != self.root:
            self.mkdir(path.parent.relative_to(self.root))
        backup: str | None = None
        if path.is_file():
            if path.read_bytes() == data:
                return path  # unchanged: nothing to journal, keeps re-runs idempotent
            backup = self._next_blob()
            shutil.copy2(path, self._dir / backup)
        self._record({"op": "write", "path": relative, "backup": backup, "after": _sha(data)})
        atomic_write(path, data, durable=False)
        self._paths.append(relative)
        return path

    def write_text(self, rel: str | Path, text: str) -> Path:
        return self.write_bytes(rel, text.encode("utf-8"))

    def write_json(self, rel: str | Path, data: Any) -> Path:
        """Write a JSON document; a versioned one carries its schema version."""
        kind = document_kind(rel)
        if kind is not None:
            if isinstance(data, BaseModel):
                data = data.model_dump(mode="json")
            data = stamp(kind, data)
        return self.write_bytes(rel, dumps_json(data))

    def remove(self, rel: str | Path) -> None:
        """Remove a file or a folder (moved aside, so rollback and undo restore it)."""
        path, relative = self._rel(rel)
        if not path.exists():
            return
        backup = self._next_blob()
        self._record({"op": "remove", "path": relative, "backup": backup})
        os.replace(path, self._dir / backup)
        self._paths.append(relative)

    def rename(self, src: str | Path, dst: str | Path) -> None:
        source, src_rel = self._rel(src)
        target, dst_rel = self._rel(dst)
        if source == target:
            return
        if target.exists():
            raise ConflictError(f"cannot rename {src_rel} to {dst_rel}: it exists")
        self._record({"op": "rename", "src": src_rel, "dst": dst_rel})
        os.replace(source, target)
        self._paths.extend([src_rel, dst_rel])

    # -- end -----------------------------------------------------------------------------

    def _commit(self) -> None:
        if self.manifest != self._original_manifest:
            self.write_json("project.json", self.manifest)
        self._journal.close()
        if self._paths:
            os.sync()  # every file of the change reaches the disk before it counts as done
        if not self.undoable or not self._paths:
            shutil.rmtree(self._dir)
            return
        meta = {
            "note": self.note,
            "created_at": _now(),
            "undoable": True,
            "paths": sorted(set(self._paths))[:200],
        }
        atomic_write(self._dir / "meta.json", dumps_json(meta))
        os.replace(self._dir, self._dir.with_suffix(""))
        self._prune()

    def _rollback(self) -> None:
        self._journal.close()
        try:
            _replay_backwards(self.root, self._dir, _read_ops(self._dir))
        except OSError as exc:  # leave the journal: the next open retries the rollback
            raise StoryCoreError(f"could not roll back the change: {exc}") from exc
        shutil.rmtree(self._dir, ignore_errors=True)

    def _prune(self) -> None:
        base = self.project._history_dir()
        done = sorted((p for p in base.iterdir() if p.name.isdigit()), key=lambda p: p.name)
        for old in done[:-HISTORY_KEEP]:
            shutil.rmtree(old, ignore_errors=True)


def _read_ops(folder: Path) -> list[dict[str, Any]]:
    journal = folder / "journal.jsonl"
    if not journal.is_file():
        return []
    ops = []
    for line in journal.read_text(encoding="utf-8").splitlines():
        try:
            ops.append(json.loads(line))
        except ValueError:
            break  # a line cut by a crash: the operation it describes never started
    return ops


def _replay_backwards(root: Path, folder: Path, ops: list[dict[str, Any]]) -> None:
    """Undo journaled operations, newest first."""
    for op in reversed(ops):
        kind = op["op"]
        if kind == "write":
            path = root / op["path"]
            if op["backup"]:
                blob = folder / op["backup"]
                if blob.exists():
                    atomic_write(path, blob.read_bytes())
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        elif kind == "remove":
            blob = folder / op["backup"]
            if blob.exists():
                os.replace(blob, root / op["path"])
        elif kind == "rename":
            src, dst = root / op["src"], root / op["dst"]
            if dst.exists() and not src.exists():
                os.replace(dst, src)
        elif kind == "mkdir":
            path = root / op["path"]
            with contextlib.suppress(OSError):
                path.rmdir()  # only if empty: everything made inside was undone before
