"""A journaled change: :class:`Transaction`, its journal, rollback and the crash points.

Every operation of a transaction is journaled (and flushed) before it happens: the previous
bytes of a rewritten file, a removed file moved aside, a rename, a new folder. An exception
replays the journal backwards (:func:`_replay_backwards`), and so does the next open after a
crash; :data:`CRASH_ENV` lets the crash suite kill the process at any journal entry.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from storycore.tools.domain import ProjectManifest
from storycore.tools.errors import ConflictError, ProjectError, StoryCoreError
from storycore.tools.naming import resolved
from storycore.tools.project.files import (
    INTERNAL,
    _live,
    _live_guard,
    _now,
    _sha,
    atomic_write,
    current_atomic_write,
    dumps_entries,
    dumps_json,
    encoded_fields,
    pieces_digest,
    remember_written,
)
from storycore.tools.project.kept import changed_in_place, shared_copy
from storycore.tools.project.safety import (
    _check_journal,
    _read_limited,
    _target,
    is_safe_relative,
)
from storycore.tools.schema_versions import KEY as SCHEMA_KEY
from storycore.tools.schema_versions import document_kind, stamp

if TYPE_CHECKING:
    from storycore.tools.project.store import Project

#: How many finished transactions are kept for undo.
HISTORY_KEEP = 30

#: The manifest's lists of entries, encoded entry by entry at commit (:func:`dumps_entries`).
_MANIFEST_LISTS = ("elements", "shots", "segments")


class Transaction:
    """A journaled change to a project. Obtain one from :meth:`Project.transaction`."""

    def __init__(
        self, project: Project, note: str, manifest: ProjectManifest | None, *, undoable: bool
    ) -> None:
        self.project = project
        self.note = note
        self.undoable = undoable
        # ``manifest`` may be the project's kept one: it is never changed, the transaction
        # changes a copy. The copy shares the entries of scalars only (shots, elements) with
        # it, each with its fields as they were: an entry changed in place after all (both
        # then changed) is found at commit, and the manifest is then written whatever the
        # compare says (:meth:`_commit`).
        self._original_manifest = manifest
        self._shared: list[tuple[BaseModel, dict[str, Any]]] = []
        #: The ids of the shared entries whose fields were taken as they were last encoded
        #: (:func:`encoded_fields`): unchanged at commit, their encoding is theirs.
        self._as_encoded: set[int] = set()
        if manifest:
            copied, self._shared = shared_copy(manifest, self._encoded_fields)
            assert isinstance(copied, ProjectManifest)
            self.manifest: ProjectManifest = copied
        else:
            self.manifest = ProjectManifest()
        #: The ids of the manifest's entries known unchanged since the transaction began,
        #: still shared with the manifest it began from (set at commit; their paths were
        #: checked with it).
        self.unchanged_entries: frozenset[int] = frozenset()
        #: The bytes of ``project.json`` (as found, then as committed; None if none).
        self.manifest_data: bytes | None = None
        #: What :attr:`manifest_data` parses to, when known (None: not known).
        self.manifest_json: Any = None
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
        #: Folders this transaction made or found (relative posix paths), so writing many
        #: files into one folder checks it once; forgotten whenever the transaction removes
        #: or renames something.
        self._folders: set[str] = set()
        #: Whether the project folder resolved to itself when the transaction began (then a
        #: file directly in it is confined like one in :attr:`_folders`).
        self._root_real = resolved(project._base) == project._base

    def _encoded_fields(self, item: BaseModel) -> dict[str, Any] | None:
        fields = encoded_fields(item)
        if fields is not None:
            self._as_encoded.add(id(item))
        return fields

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
        found = self._plain(rel)
        if found is not None:
            path, relative, _ = found
        else:
            path, relative = self.project._confined(rel)
        _check_writable(relative)
        return path, relative

    def _located(self, rel: str | Path) -> tuple[Path, str, os.stat_result | None]:
        """:meth:`_rel` of ``rel``, with what ``stat`` says of the file (None: nothing there)."""
        found = self._plain(rel)
        if found is None:
            path, relative = self.project._confined(rel)
            found = (path, relative, _stat(path))
        _check_writable(found[1])
        return found

    def _plain(self, rel: str | Path) -> tuple[Path, str, os.stat_result | None] | None:
        """The path of ``rel``, its posix text and ``lstat``, confined without resolving it
        whole, or None: go the long way.

        A relative path written plainly (no ``..``, ``.``, empty part, backslash or control
        character) below a folder this transaction made or found real (:attr:`_folders`, or
        the project folder itself: no link in them) can only leave the project through its
        other parts. Each folder between is looked at once (``lstat``: a folder, not a link,
        is then known too; a missing one means nothing below it exists, a link neither); a
        last part that is a link is resolved whole like any other path
        (:meth:`Project._confined`, refused if it leaves)."""
        text = rel if isinstance(rel, str) else rel.as_posix()
        if not is_safe_relative(text):
            return None
        base = self.project._base
        parts = text.split("/")
        known = len(parts) - 1
        while known and "/".join(parts[:known]) not in self._folders:
            known -= 1
        if not known and not self._root_real:
            return None
        for end in range(known + 1, len(parts)):
            folder = "/".join(parts[:end])
            try:
                if not stat.S_ISDIR(os.lstat(f"{base}/{folder}").st_mode):
                    return None
            except FileNotFoundError:  # nothing there can be a link: the rest is missing
                return Path(f"{base}/{text}"), text, None
            except OSError:
                return None  # unreadable: the long way says why
            self._folders.add(folder)
        path = Path(f"{base}/{text}")
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return path, text, None
        except OSError:
            return None  # the long way says what is wrong
        return None if stat.S_ISLNK(info.st_mode) else (path, text, info)

    # -- operations ----------------------------------------------------------------------

    def mkdir(self, rel: str | Path) -> Path:
        path, relative = self._rel(rel)
        self._make_folders(path, relative)
        return path

    def _make_folders(self, path: Path, relative: str) -> None:
        """Make ``path`` (``relative`` to the root) and its missing parents, journaled."""
        missing = []
        probe = path
        while (info := _stat(probe)) is None:
            missing.append(probe)
            probe = probe.parent
        if not stat.S_ISDIR(info.st_mode):
            raise ProjectError(f"{self.project.relative(probe)} is a file, not a folder")
        for folder in reversed(missing):
            self._record({"op": "mkdir", "path": folder.relative_to(self.root).as_posix()})
            folder.mkdir()
        self._folders.add(relative)

    def write_bytes(
        self, rel: str | Path, data: bytes, *, pieces: Sequence[bytes] | None = None
    ) -> Path:
        """Write ``data`` to ``rel`` (journaled; a file already holding it is left alone).

        ``pieces``: what ``data`` was joined from (``b"".join(pieces)``), when the caller
        holds them: the journal then records their digests (:func:`pieces_digest`), and a
        piece written before is not hashed again."""
        if pieces is not None and sum(len(p) for p in pieces) != len(data):
            raise ValueError(f"the pieces of {rel} are not its bytes")
        path, relative, info = self._located(rel)
        mode = info.st_mode if info is not None else 0
        if stat.S_ISDIR(mode):
            raise ProjectError(f"{relative} is a folder, not a file")
        parent = relative.rpartition("/")[0]
        if parent and parent not in self._folders:
            self._make_folders(path.parent, parent)
        backup: str | None = None
        if info is not None and stat.S_ISREG(mode):
            if info.st_size == len(data) and path.read_bytes() == data:
                return path  # unchanged: nothing to journal, keeps re-runs idempotent
            backup = self._next_blob()
            self._back_up(path, self._dir / backup, info)
        op: dict[str, Any] = {"op": "write", "path": relative, "backup": backup}
        if pieces is None:
            op["after"] = _sha(data)
        else:
            op["after"], op["pieces"] = pieces_digest(pieces), [len(p) for p in pieces]
        self._record(op)
        current_atomic_write()(path, data, durable=False)
        if pieces is None:
            remember_written(str(path), data, op["after"])
        self._paths.append(relative)
        return path

    def _back_up(self, path: Path, blob: Path, info: os.stat_result) -> None:
        """Keep the file at ``path`` (``info``: what ``stat`` said of it) as ``blob`` before
        it is replaced.

        :func:`atomic_write` replaces a file by a new one and never changes the old one, so
        the old file itself becomes the backup (a hard link: nothing copied); a copy is made
        where linking is not possible (another file system, a symbolic link, a file with
        other links that may still change) or when the write is not the store's own."""
        if current_atomic_write() is atomic_write:
            try:
                if stat.S_ISREG(info.st_mode) and info.st_nlink == 1:
                    os.link(path, blob, follow_symlinks=False)
                    return
            except OSError:
                pass
        shutil.copy2(path, blob)

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
        self._folders.clear()
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
        self._folders.clear()
        self._record({"op": "rename", "src": src_rel, "dst": dst_rel})
        os.replace(source, target)
        self._paths.extend([src_rel, dst_rel])

    def touched(self) -> frozenset[str]:
        """The paths (relative, posix) this transaction wrote, removed or renamed so far; a
        folder removed or renamed is one path (what it held is not listed)."""
        return frozenset(self._paths)

    # -- end -----------------------------------------------------------------------------

    def _commit(self) -> None:
        in_place = changed_in_place(self._shared)
        if not in_place:
            self.unchanged_entries = frozenset(id(item) for item, _ in self._shared)
        if in_place or self.manifest != self._original_manifest:
            # Shared entries equal to the fields they were encoded from are not compared again.
            same = frozenset(self._as_encoded) if not in_place else frozenset()
            data, dumped = dumps_entries(self.manifest, _MANIFEST_LISTS, same)
            if SCHEMA_KEY not in dumped:  # a manifest always has its version: never here
                dumped = stamp("project.json", dumped)
                data = dumps_json(dumped)
            self.write_bytes("project.json", data)
            self.manifest_data, self.manifest_json = data, dumped
        self._journal.close()
        keep = self.undoable and bool(self._paths)
        if keep:  # written before the sync, which makes it durable with the change
            meta = {
                "note": self.note,
                "created_at": _now(),
                "undoable": True,
                "paths": sorted(set(self._paths))[:200],
            }
            current_atomic_write()(self._dir / "meta.json", dumps_json(meta), durable=False)
        if self._paths:
            os.sync()  # every file of the change reaches the disk before it counts as done
        if not keep:
            shutil.rmtree(self._dir)
            return
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


def _check_writable(relative: str) -> None:
    """Refuse to write the project folder itself or StoryCore's history."""
    if not relative:
        raise ProjectError("refusing to replace the project folder itself")
    if relative == INTERNAL or relative.startswith(f"{INTERNAL}/history"):
        raise ProjectError(f"{relative} is StoryCore's own folder")


def _stat(path: Path) -> os.stat_result | None:
    """``os.stat(path)`` (None if it is not there): one ``stat`` answering both
    :meth:`Path.is_dir` and :meth:`Path.is_file`, which ignore the same errors."""
    try:
        return os.stat(path)
    except OSError as exc:
        if exc.errno not in _IGNORED_ERRNOS:
            raise
        return None
    except ValueError:
        return None


#: The errors :meth:`Path.is_dir` and :meth:`Path.is_file` read as "not there".
_IGNORED_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


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


# -- the journal read back and replayed ----------------------------------------------------


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
                    current_atomic_write()(path, blob.read_bytes())
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
