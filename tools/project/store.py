"""The project folder: :class:`Project` opens, creates, reads, locks, undoes and recovers.

Reading validates every document (upgraded to its current schema version first) and checks
the paths it names; writing happens only inside :meth:`Project.transaction`
(:mod:`storycore.tools.project.transaction`); :meth:`Project.undo` replays the last
finished change backwards, refused if its files changed since.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat as stat_module
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError

from storycore.tools.domain import ProjectManifest, TechnicalSpecs, format_validation_error
from storycore.tools.errors import ConflictError, NotAProject, ProjectError
from storycore.tools.naming import confined_under
from storycore.tools.project import kept
from storycore.tools.project.files import (
    INTERNAL,
    LAYOUT,
    MANIFEST,
    _crashed_journals,
    _live,
    _live_guard,
    _lock_for,
    _os_errors_as_project_errors,
    dumps_entries,
    written_as,
)
from storycore.tools.project.kept import changed_in_place
from storycore.tools.project.plans import PLAN_MARKER, recover_interrupted_plan
from storycore.tools.project.safety import _read_limited, check_document_paths, is_safe_relative
from storycore.tools.project.stamps import plain_stamp
from storycore.tools.project.transaction import (
    _MANIFEST_LISTS,
    Transaction,
    _read_ops,
    _replay_backwards,
)
from storycore.tools.schema_versions import KEY as SCHEMA_KEY
from storycore.tools.schema_versions import document_kind, stamp, upgrade

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class HistoryEntry:
    """A finished transaction that can be undone."""

    number: int
    note: str
    created_at: str
    paths: list[str]


class Committed(NamedTuple):
    """A manifest and the ``project.json`` it is: the file's identity (inode, size,
    modification and change times in ns), its bytes and what they parse to (None: unknown)."""

    identity: tuple[int, int, int, int]
    data: bytes
    parsed: Any
    manifest: ProjectManifest


#: The manifest each project folder's last transaction in this process committed, by
#: resolved root (the least recently committed dropped first): see :func:`committed_manifest`.
_committed: OrderedDict[str, Committed] = OrderedDict()
_committed_guard = threading.Lock()
_COMMITTED_KEEP = 8

#: :meth:`Project.is_project` of the ``project.json`` files already read, by path: the
#: file's identity then and the answer (a few hundred entries at most; cleared when full).
_identified: dict[str, tuple[tuple[int, int, int, int], bool]] = {}


def _remember_identified(where: str, identity: tuple[int, int, int, int], answer: bool) -> None:
    if len(_identified) >= 256:
        _identified.clear()
    _identified[where] = (identity, answer)


#: How many times a manifest shared by this process was found changed in place by a
#: transaction that rolled back (then nothing kept from before may be trusted).
_spoiled = 0


def _spoil(base: str) -> None:
    global _spoiled
    with _committed_guard:
        _committed.pop(base, None)
        _spoiled += 1


def spoiled() -> int:
    """A count that grows whenever a kept manifest may have been changed in place (a
    transaction that rolled back had changed its shared entries): a manifest kept before
    the count last grew is not to be shared again."""
    return _spoiled


def committed_manifest(root: Path | str) -> Committed | None:
    """What the last transaction of this process on the project at ``root`` (resolved)
    committed as ``project.json``, if the file there is still that very file (its identity);
    else None. The manifest is shared: never change it in place."""
    base = str(root)
    with _committed_guard:
        known = _committed.get(base)
    if known is None or plain_stamp(os.path.join(base, MANIFEST)) != known.identity:
        return None
    return known


class Project:
    """A StoryCore project folder. Open with :meth:`open`, create with :meth:`create`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        #: The resolved root as a string: every path of the project is checked against it
        #: (:meth:`path`), without resolving the root again each time.
        self._base = str(self.root)
        self._manifest: ProjectManifest | None = None
        self._manifest_stamp: tuple[int, int] | None = None
        #: The bytes of ``project.json`` that :attr:`_manifest` was read from or committed
        #: as (None when unknown): a transaction starts from :attr:`_manifest` when the file
        #: still holds them and the model still dumps to them (:meth:`_transaction_base`).
        self._manifest_data: bytes | None = None
        #: What :attr:`_manifest_data` parses to, when known (private: never changed).
        self._manifest_json: Any = None
        self._tx: Transaction | None = None

    # -- opening -------------------------------------------------------------------------

    @staticmethod
    def is_project(root: Path) -> bool:
        """True if ``root/project.json`` is a StoryCore manifest.

        The answer for a file this process read or committed before, and that is still that
        very file (its identity: every write replaces it), is not parsed again."""
        path = Path(root) / MANIFEST
        if not path.is_file():
            return False
        where = os.path.abspath(path)
        before = plain_stamp(where)
        known = _identified.get(where)
        if known is not None and before is not None and known[0] == before:
            return known[1]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        answer = isinstance(data, dict) and data.get("generator") == "storycore-assistant"
        if before is not None and plain_stamp(where) == before:
            _remember_identified(where, before, answer)
        return answer

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
        if self._tx is not None and parts:  # below folders the transaction checked
            found = self._tx._plain(
                "/".join(p if isinstance(p, str) else p.as_posix() for p in parts)
            )
            if found is not None:
                return found[0]
        if len(parts) == 1 and isinstance(parts[0], str):
            plain = self._unlinked(parts[0])
            if plain is not None:
                return Path(plain[0])
        return Path(confined_under(self._base, *parts, shown_root=self.root))

    def _unlinked(self, rel: str) -> tuple[str, bool | None] | None:
        """What :func:`confined_under` answers for ``rel``, a plain relative path, when no
        part of the whole path (the root's own parts too) is a symbolic link, and whether
        it exists (None: not known); None when a part may be a link (then the long way
        resolves it).

        ``os.path.realpath`` looks at each part the same way (``lstat``), but its pure
        Python walk cost more than the ``lstat`` calls themselves. A part that is missing or
        not a folder ends the walk: nothing below it can be a link (realpath then joins the
        rest as written, as here)."""
        if not is_safe_relative(rel):
            return None
        full = f"{self._base}/{rel}"
        lstat, is_link = os.lstat, stat_module.S_ISLNK
        end = 0
        while True:
            end = full.find("/", end + 1)
            try:
                if is_link(lstat(full if end < 0 else full[:end]).st_mode):
                    return None
            except (FileNotFoundError, NotADirectoryError):
                return full, False
            except OSError:
                return full, None
            except ValueError:
                return None
            if end < 0:
                return full, True

    def _confined(self, rel: str | Path) -> tuple[Path, str]:
        """:meth:`path` of ``rel`` and its posix path relative to the root ("" for the root)."""
        target = confined_under(self._base, rel, shown_root=self.root)
        relative = target[len(self._base) :].lstrip(os.sep)
        return Path(target), relative.replace(os.sep, "/")

    def relative(self, path: Path) -> str:
        """``path`` (absolute, inside the project) resolved, relative to the root (posix)."""
        text = str(path)
        if self._tx is not None and text.startswith(self._base + os.sep):
            found = self._tx._plain(text[len(self._base) + 1 :])
            if found is not None:
                return found[1]
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
            # The bytes it was validated from, while the file is still that file.
            where = os.path.join(self._base, MANIFEST)
            self._manifest_data = kept.kept_bytes(where, ProjectManifest)
            self._manifest_json = None
        return self._manifest

    def _transaction_base(self) -> tuple[ProjectManifest | None, bytes | None, Any]:
        """The manifest a transaction starts from, the bytes of ``project.json`` (both None
        without one) and what they parse to when that is known (else None). Call with the
        lock held.

        The manifest kept in memory is used when the file holds the very bytes it was read
        from or committed as and the model still dumps to what they say (nothing changed it
        in memory either); otherwise the file is read and validated again. What those bytes
        parse to is kept with them (they are not parsed again at each transaction)."""
        try:
            data = _read_limited(self.path(MANIFEST))
        except FileNotFoundError:
            return None, None, None
        known = self._manifest
        if known is not None and data == self._manifest_data:
            with contextlib.suppress(ValueError):
                # Entry by entry, those unchanged since they were encoded not dumped again.
                dumped = stamp(MANIFEST, dumps_entries(known, _MANIFEST_LISTS)[1])
                parsed = self._manifest_json
                if dumped == (json.loads(data) if parsed is None else parsed):
                    return known, data, dumped
        try:
            parsed = json.loads(data.decode("utf-8"))
        except ValueError as exc:
            raise ProjectError(f"{MANIFEST} is not valid JSON: {exc}") from None
        return self._validated(MANIFEST, parsed, ProjectManifest), data, None

    def _keep_committed(self, tx: Transaction) -> None:
        """After ``tx`` committed: its manifest is what ``project.json`` now holds, kept as
        :attr:`manifest` (with the file's stamp) unless its paths would be refused."""
        self._manifest = None
        if tx.manifest_data is None:
            return
        try:
            # The entries shared unchanged with the manifest it began from were checked.
            check_document_paths(MANIFEST, tx.manifest, checked=tx.unchanged_entries)
            info = (self.root / MANIFEST).stat()
        except (ProjectError, OSError):
            return
        self._manifest = tx.manifest
        self._manifest_data = tx.manifest_data
        self._manifest_json = tx.manifest_json
        self._manifest_stamp = (info.st_mtime_ns, info.st_size)
        identity = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        _remember_identified(os.path.join(self._base, MANIFEST), identity, True)
        with _committed_guard:
            _committed[self._base] = Committed(
                identity, tx.manifest_data, tx.manifest_json, tx.manifest
            )
            _committed.move_to_end(self._base)
            while len(_committed) > _COMMITTED_KEEP:
                _committed.popitem(last=False)

    def adopt_manifest(self, known: Committed) -> None:
        """Take ``known`` (a manifest this process committed or validated, with the identity
        and bytes of its file) as this project's manifest, without reading the file again.
        For a caller that checked that ``project.json`` is still that file (its identity):
        a transaction still starts from it only if the file holds its bytes
        (:meth:`_transaction_base`)."""
        self._manifest = known.manifest
        self._manifest_stamp = (known.identity[2], known.identity[1])
        self._manifest_data = known.data
        self._manifest_json = known.parsed

    def known_manifest(self) -> Committed | None:
        """The manifest read (validated) or committed by this object, with the identity and
        bytes of ``project.json`` then, when those are known (else None)."""
        manifest, data, stamp = self._manifest, self._manifest_data, self._manifest_stamp
        if manifest is None or data is None or stamp is None:
            return None
        identity = plain_stamp(os.path.join(self._base, MANIFEST))
        if identity is None or (identity[2], identity[1]) != stamp:
            return None
        return Committed(identity, data, self._manifest_json, manifest)

    def read_bytes(self, rel: str | Path) -> bytes:
        return self.path(rel).read_bytes()

    def read_json(self, rel: str | Path) -> Any:
        return self._read_json(self.path(rel))

    def _read_json(self, path: Path, data: bytes | None = None) -> Any:
        """The JSON of the file at ``path`` (confined already), read unless ``data`` given."""
        try:
            if data is None:
                data = _read_limited(path)
            return json.loads(data.decode("utf-8"))
        except FileNotFoundError:
            raise ProjectError(f"{self.relative(path)} is missing from the project") from None
        except ValueError as exc:
            raise ProjectError(f"{self.relative(path)} is not valid JSON: {exc}") from None

    def read_shared(self, rel: str | Path, model: type[M]) -> M:
        """:meth:`read_model`, but a document this process validated before (its file still
        the same file with the same bytes) is the kept document itself, not a copy: for a
        caller that never changes it in place (it replaces it: ``model_copy(update=...)``)."""
        document = kept.kept(os.path.join(self._base, rel), model, copy=False)
        if document is not None:
            return document
        return self.read_model(rel, model)

    def read_model(self, rel: str | Path, model: type[M]) -> M:
        """A document validated as ``model``; a versioned document is first upgraded to its
        current schema version (:mod:`storycore.tools.schema_versions`).

        A document this process validated before is copied when its file is still the same
        file with the same bytes (:mod:`storycore.tools.project.kept`)."""
        where = os.path.join(self._base, rel)
        document = kept.kept(where, model)
        if document is not None:
            return document
        path = self.path(rel)
        stamp = kept.identity(where)
        try:
            data = _read_limited(path)
        except FileNotFoundError:
            raise ProjectError(f"{self.relative(path)} is missing from the project") from None
        document = self._validated(rel, self._read_json(path, data), model)
        kept.keep(where, stamp, data, document)
        return document

    def _validated(self, rel: str | Path, data: Any, model: type[M]) -> M:
        """:meth:`read_model` of the document ``data`` (its JSON, parsed) found at ``rel``."""
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
        if isinstance(rel, str):  # the walk that confines a plain path also finds it
            if self._tx is not None:
                found = self._tx._plain(rel)
                if found is not None:
                    return found[2] is not None
            else:
                plain = self._unlinked(rel)
                if plain is not None and plain[1] is not None:
                    return plain[1]
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
            manifest, data, parsed = self._transaction_base()
            self._manifest = None
            tx = Transaction(self, note, manifest, undoable=undoable)
            tx.manifest_data, tx.manifest_json = data, parsed
            self._tx = tx
            committed = False
            try:
                yield tx
                tx._commit()
                committed = True
            except BaseException:
                tx._rollback()
                if changed_in_place(tx._shared):  # the manifest it began from changed too
                    _spoil(self._base)
                raise
            finally:
                with _live_guard:
                    _live.discard(tx._dir)
                self._tx = None
                if committed:
                    self._keep_committed(tx)
                else:
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
            last_writes = {op["path"]: op for op in ops if op["op"] == "write"}
            for rel, op in last_writes.items():
                current = self.root / rel
                if not current.is_file() or not written_as(
                    current.read_bytes(), op.get("after"), op.get("pieces")
                ):
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
