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
import re
import shutil
import signal
import stat
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
from storycore.tools.errors import (
    ConfinementError,
    ConflictError,
    NotAProject,
    ProjectError,
    StoryCoreError,
)
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
#: The journals of the transactions running in this process. The project lock is re-entrant
#: within a process, so recovery here must leave them alone: they are not crashes.
_live: set[Path] = set()
_live_guard = threading.Lock()


def _crashed_journals(base: Path) -> list[Path]:
    """The pending journals under ``base`` that no transaction of this process is writing."""
    with _live_guard:
        return sorted((p for p in base.glob("*.pending") if p not in _live), reverse=True)


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
        if _crashed_journals(project._history_dir()):
            # another process may be mid-transaction: wait for it
            with _os_errors_as_project_errors(project.root), project.lock():
                project._recover()
        if (project.root / INTERNAL / PLAN_MARKER).exists():
            with _os_errors_as_project_errors(project.root), project.lock():
                recover_interrupted_plan(project)
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
        with _os_errors_as_project_errors(path):
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
            info = path.stat()
        except FileNotFoundError:
            raise NotAProject(f"{self.root} has no project.json") from None
        stamp = (info.st_mtime_ns, info.st_size)
        if self._manifest is None or stamp != self._manifest_stamp:
            self._manifest = self.read_model(MANIFEST, ProjectManifest)
            self._manifest_stamp = stamp
        return self._manifest

    def read_bytes(self, rel: str | Path) -> bytes:
        return self.path(rel).read_bytes()

    def read_json(self, rel: str | Path) -> Any:
        path = self.path(rel)
        try:
            return json.loads(_read_limited(path).decode("utf-8"))
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
            document = model.model_validate(data)
        except ValidationError as exc:
            raise ProjectError(format_validation_error(exc, subject=str(rel))) from None
        check_document_paths(rel, document)
        return document

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
        with _os_errors_as_project_errors(self.root), self.lock():
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
                with _live_guard:
                    _live.discard(tx._dir)
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
            try:
                meta = json.loads(_read_limited(child / "meta.json"))
                if not isinstance(meta, dict):
                    raise ValueError("not an object")
            except (OSError, ValueError) as exc:
                raise ProjectError(f"{child / 'meta.json'} is not readable: {exc}") from None
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
        for pending in _crashed_journals(base):
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
        with _live_guard:
            _live.add(self._dir)
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
        _crash_point()

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


# -- crash testing --------------------------------------------------------------------------

#: Tests only: ``STORYCORE_CRASH_AT_WRITE=N`` makes the process kill itself (SIGKILL) right
#: after its Nth journal entry, before the operation it describes: the crash suite uses it to
#: stop every mutating command at each point inside its transactions.
CRASH_ENV = "STORYCORE_CRASH_AT_WRITE"
_journal_writes = 0


def _crash_point() -> None:
    global _journal_writes
    wanted = os.environ.get(CRASH_ENV)
    if not wanted:
        return
    _journal_writes += 1
    if wanted.isdigit() and _journal_writes == int(wanted):
        os.kill(os.getpid(), signal.SIGKILL)


# -- a plan is one change as seen from outside ---------------------------------------------

#: Written while ``plan`` runs into a folder; a crash leaves it behind for the next open.
PLAN_MARKER = "plan.json"


def begin_plan(root: Path, *, new: bool) -> None:
    """Mark ``root`` as being planned by this process (``new``: the folder was empty).

    Planning runs in several phases, each a transaction. If the process dies between them,
    the next :meth:`Project.open` undoes the finished phases of an existing project back to
    the mark, and refuses a new folder as an interrupted plan (planning again replaces it)."""
    mark = 0
    if not new:
        entries = Project(root).history()
        mark = entries[0].number if entries else 0
    (root / INTERNAL).mkdir(parents=True, exist_ok=True)
    data = {"pid": os.getpid(), "host": _host(), "new": new, "mark": mark, "started_at": _now()}
    atomic_write(root / INTERNAL / PLAN_MARKER, dumps_json(data))


def end_plan(root: Path) -> None:
    """Remove the plan mark: the plan finished, or was rolled back by its own process."""
    with contextlib.suppress(FileNotFoundError):
        (root / INTERNAL / PLAN_MARKER).unlink()


def interrupted_plan(root: Path) -> dict[str, Any] | None:
    """The plan mark of ``root`` if the process that wrote it is gone, else None."""
    path = Path(root) / INTERNAL / PLAN_MARKER
    try:
        data = json.loads(_read_limited(path, 64 * 1024))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ProjectError(f"{path} is not a readable plan mark ({exc}); remove it") from None
    if not isinstance(data, dict) or not isinstance(data.get("new"), bool):
        raise ProjectError(f"{path} is not a valid plan mark; remove it")
    pid = data.get("pid")
    if isinstance(pid, int) and data.get("host") == _host() and _alive(pid):
        return None
    return data


def recover_interrupted_plan(project: Project) -> None:
    """Undo what an interrupted plan finished (call with the lock held); see :func:`begin_plan`."""
    data = interrupted_plan(project.root)
    if data is None:
        return
    if data["new"] or not isinstance(data.get("mark"), int):
        raise ProjectError(
            f"{project.root} holds a plan that was interrupted before it finished; "
            "run plan into this folder again to replace it"
        )
    mark = data["mark"]
    try:
        while (entries := project.history()) and entries[0].number > mark:
            project.undo()
    except ConflictError as exc:
        raise ProjectError(
            f"cannot roll back the interrupted plan of {project.root}: {exc}"
        ) from None
    end_plan(project.root)


def _host() -> str:
    return os.uname().nodename


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _os_errors_as_project_errors(root: Path) -> Iterator[None]:
    """A read-only file system, a full disk or a permission refused: one clear error."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or root
        reason = exc.strerror or str(exc)
        raise ProjectError(f"cannot change the project {root}: {reason} ({where})") from None


def _read_ops(folder: Path) -> list[dict[str, Any]]:
    journal = folder / "journal.jsonl"
    if not journal.is_file():
        return []
    ops = []
    for line in _read_limited(journal).decode("utf-8", errors="replace").splitlines():
        try:
            ops.append(json.loads(line))
        except ValueError:
            break  # a line cut by a crash: the operation it describes never started
    _check_journal(journal, ops)
    return ops


# -- a project is untrusted input: what its journal and documents may name ----------------

#: Largest project document (manifest, shot, element, journal) StoryCore reads.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
_BLOB_NAME = re.compile(r"^blob\d{6}$")
_OPS = {"write": ("path",), "remove": ("path",), "rename": ("src", "dst"), "mkdir": ("path",)}


def _read_limited(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else a :class:`ProjectError`."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ProjectError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ProjectError(f"{path} is not a regular file")
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ProjectError(f"{path} is larger than {limit // (1024 * 1024)} MiB; refusing it")
    return data


def is_safe_relative(rel: object, *, single: bool = False) -> bool:
    """True if ``rel`` is a relative POSIX path that stays below its base folder.

    No absolute path, no ``..``, no backslash, no empty or control-character part;
    ``single`` also refuses any ``/`` (a folder name such as ``03_Judas``)."""
    if not isinstance(rel, str) or not rel or len(rel) > 1024:
        return False
    if rel.startswith("/") or "\\" in rel or "\x00" in rel:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in rel):
        return False
    parts = rel.split("/")
    if single and len(parts) != 1:
        return False
    return all(part not in ("", ".", "..") for part in parts)


def _check_journal(journal: Path, ops: list[dict[str, Any]]) -> None:
    """Refuse a journal naming a path outside the project or a blob outside its folder.

    Rolling back replays the journal: a crafted one (``"path": "../victim.txt"``) would
    otherwise delete or overwrite any file the user can write."""
    for number, op in enumerate(ops, start=1):
        keys = _OPS.get(str(op.get("op"))) if isinstance(op, dict) else None
        bad = keys is None or not all(is_safe_relative(op.get(k)) for k in keys)
        backup = op.get("backup") if isinstance(op, dict) else None
        if not bad and backup is not None:
            bad = not (isinstance(backup, str) and _BLOB_NAME.match(backup))
        if not bad and op.get("op") == "remove" and backup is None:
            bad = True
        if bad:
            raise ProjectError(
                f"{journal}: entry {number} names a path outside the project or is malformed; "
                "refusing to replay it (the project was left as it is)"
            )


def _target(root: Path, rel: str) -> Path:
    """``root / rel`` for a journal replay, refused if a symbolic link leads it outside."""
    path = root / rel
    parent = path.parent.resolve()
    if parent != root and root not in parent.parents:
        raise ConfinementError(f"the path {rel!r} would leave the project folder {root}")
    return path


def check_document_paths(rel: str | Path, model: BaseModel) -> None:
    """Refuse a project document whose folders or file references leave their folder.

    Element, shot and sequence folders must be plain folder names; reference images and
    other file references relative paths without ``..``. Raises :class:`ProjectError`
    naming the file."""
    for where, value, single in _document_paths(model, ""):
        if value is not None and not is_safe_relative(value, single=single):
            raise ProjectError(
                f"{rel}: {where} = {_short(value)} names a path outside its folder; refusing it"
            )


def _document_paths(value: Any, where: str) -> Iterator[tuple[str, Any, bool]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            item = getattr(value, name, None)
            here = f"{where}.{name}" if where else name
            if name == "folder":
                yield here, item, True
            elif name == "path" and isinstance(item, str):
                yield here, item, False
            elif name == "reference_images" and isinstance(item, list):
                for i, ref in enumerate(item):
                    if isinstance(ref, str):
                        yield f"{here}[{i}]", ref, False
                    else:
                        yield from _document_paths(ref, f"{here}[{i}]")
            elif isinstance(item, BaseModel | list):
                yield from _document_paths(item, here)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, BaseModel):
                yield from _document_paths(item, f"{where}[{i}]")


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _replay_backwards(root: Path, folder: Path, ops: list[dict[str, Any]]) -> None:
    """Undo journaled operations, newest first (every path checked by :func:`_read_ops`)."""
    root = root.resolve()
    for op in reversed(ops):
        kind = op["op"]
        if kind == "write":
            path = _target(root, op["path"])
            if op["backup"]:
                blob = folder / op["backup"]
                if blob.exists():
                    if path.is_symlink():
                        path.unlink()  # never write through a link: replace the link itself
                    atomic_write(path, blob.read_bytes())
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        elif kind == "remove":
            blob = folder / op["backup"]
            if blob.exists():
                os.replace(blob, _target(root, op["path"]))
        elif kind == "rename":
            src, dst = _target(root, op["src"]), _target(root, op["dst"])
            if dst.exists() and not src.exists():
                os.replace(dst, src)
        elif kind == "mkdir":
            path = _target(root, op["path"])
            with contextlib.suppress(OSError):
                path.rmdir()  # only if empty: everything made inside was undone before
