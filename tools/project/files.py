"""Where a project lives on disk, its lock, and the one way StoryCore writes a file.

The folder layout (:data:`MANIFEST`, :data:`INTERNAL`, :data:`LAYOUT`); the project lock, one
lock per project and process (a file lock for other processes, a re-entrant thread lock for
other threads), and the journals this process
is writing (so recovery leaves them alone); :func:`atomic_write` (a temporary file, then
``os.replace``) and :func:`dumps_json`, the house JSON; :func:`_os_errors_as_project_errors`,
which turns a read-only or full disk into one clear :class:`ProjectError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from pydantic import BaseModel

from storycore.tools.errors import ProjectError

MANIFEST = "project.json"
INTERNAL = ".storycore"
#: The StoryCore layout (domain.md), plus ``exports/`` for hand-off files.
LAYOUT = ("01_elements", "02_shots", "03_videos", "04_audio", "05_sequences", "exports")
LOCK_TIMEOUT_S = 60.0

_locks: dict[Path, _ProjectLock] = {}
_locks_guard = threading.Lock()
#: The journals of the transactions running in this process. The project lock is re-entrant
#: within a process, so recovery here must leave them alone: they are not crashes.
_live: set[Path] = set()
_live_guard = threading.Lock()


def _crashed_journals(base: Path) -> list[Path]:
    """The pending journals under ``base`` that no transaction of this process is writing."""
    with _live_guard:
        return sorted((p for p in base.glob("*.pending") if p not in _live), reverse=True)


class _ProjectLock:
    """A project's lock: other processes wait on the file lock, other threads of this
    process on a re-entrant thread lock (a :class:`~filelock.FileLock` shared by threads
    counts them all as its holder: two studio threads would both enter and each would take
    the other's live journal for a crashed one). The same thread may take it again (a
    transaction opened inside another)."""

    def __init__(self, path: Path) -> None:
        self._thread = threading.RLock()
        self._file = FileLock(str(path), timeout=LOCK_TIMEOUT_S, thread_local=False)

    def __enter__(self) -> None:
        if not self._thread.acquire(timeout=LOCK_TIMEOUT_S):
            raise Timeout(self._file.lock_file)
        try:
            self._file.acquire()
        except BaseException:
            self._thread.release()
            raise

    def __exit__(self, *_: object) -> None:
        try:
            self._file.release()
        finally:
            self._thread.release()


def _lock_for(root: Path) -> _ProjectLock:
    # One lock object per project and process, so that nested transactions in one thread do
    # not deadlock, other threads and other processes wait.
    path = root / INTERNAL / "lock"
    with _locks_guard:
        lock = _locks.get(path)
        if lock is None:
            lock = _ProjectLock(path)
            _locks[path] = lock
        return lock


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half.

    ``durable`` also fsyncs the data before the rename (transactions flush once instead)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except FileNotFoundError:  # the folder is made only when it is missing
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
    """The house JSON: indented, UTF-8, keys in model order, a final newline.

    Exactly ``json.dumps(data, indent=2, ensure_ascii=False)``: the values two levels down
    (a manifest's shot entries, a document's rows) are encoded once and kept by their
    compact encoding (:func:`_indented`), so a document that changed in one row encodes that
    row only (Python's indented encoder has no C speed-up; the compact one has)."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return (_indented(data, 0) + "\n").encode()


#: Indented encodings of values two levels down, by (compact encoding, depth); the oldest
#: made is dropped first.
_fragments: OrderedDict[tuple[str, int], str] = OrderedDict()
_fragments_guard = threading.Lock()
_FRAGMENTS_KEEP = 8192
#: Containers at a depth below this are assembled here; deeper ones are encoded whole.
_ASSEMBLED_DEPTH = 2


def _one_encoder(separators: tuple[str, str]) -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False, separators=separators)`` with one C encoder
    made once (``json.dumps`` makes a new encoder at every call given any option, most of
    the cost of encoding a small row). No check for circular values: a document parsed
    from or dumped to JSON holds none."""
    reference = json.JSONEncoder(ensure_ascii=False, separators=separators)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C speed-ups: the plain way
        return reference.encode
    chunks = make(
        None,
        reference.default,
        json.encoder.encode_basestring,
        None,
        separators[1],
        separators[0],
        False,
        False,
        True,
    )

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return json.encoder.encode_basestring(value)
        return "".join(chunks(value, 0))

    return encode


_plain = _one_encoder((", ", ": "))
_compact = _one_encoder((",", ":"))


def _indented(value: Any, depth: int) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)`` as it reads nested ``depth``
    levels deep (its lines after the first indented by ``2 * depth`` more spaces)."""
    if not value or not isinstance(value, dict | list | tuple):
        return _plain(value)
    if isinstance(value, dict) and not all(type(key) is str for key in value):
        return _encoded(value, depth)  # json's own conversion of other keys
    if depth >= _ASSEMBLED_DEPTH:
        key = (_compact(value), depth)
        text = _fragments.get(key)  # a dict read is atomic: no lock, no reordering (the
        if text is not None:  # oldest made goes first)
            return text
        text = _encoded(value, depth)
        with _fragments_guard:
            _fragments[key] = text
            while len(_fragments) > _FRAGMENTS_KEEP:
                _fragments.popitem(last=False)
        return text
    inner = "\n" + "  " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{_plain(key)}: {_indented(item, depth + 1)}" for key, item in value.items()]
        opening, closing = "{", "}"
    else:
        items = [_indented(item, depth + 1) for item in value]
        opening, closing = "[", "]"
    return opening + inner + ("," + inner).join(items) + "\n" + "  " * depth + closing


#: Entries of the documents :func:`dumps_entries` encoded, by ``id``: the entry itself (so
#: the id is not reused while kept), its field values then (lists copied), its JSON and its
#: indented text.
_entries: dict[int, tuple[BaseModel, dict[str, Any], Any, str]] = {}
_entries_guard = threading.Lock()
_ENTRIES_KEEP = 16384


def encoded_fields(item: BaseModel) -> dict[str, Any] | None:
    """The field values ``item`` had when :func:`dumps_entries` last encoded it (lists
    copied; read only), or None if it is not kept encoded."""
    known = _entries.get(id(item))
    return known[1] if known is not None and known[0] is item else None


def dumps_entries(
    model: BaseModel, lists: tuple[str, ...], same: frozenset[int] = frozenset()
) -> tuple[bytes, dict[str, Any]]:
    """``dumps_json`` of ``model.model_dump(mode="json")``, and that JSON, for a document
    whose fields ``lists`` are lists of models (a manifest's shots, elements and segments).

    An entry of plain values (text, numbers, enums, lists of them) encoded before by this
    function, and whose values are still the ones it had then (compared, so one changed in
    place is encoded again), is not dumped or encoded again: a change to one entry of 500
    encodes that entry. Anything else is encoded as :func:`dumps_json` does. ``same``: the
    ids of entries the caller compared with the values they were encoded from (a
    transaction's entries unchanged since it began): not compared again."""
    from storycore.tools.project.kept import _fields_now

    top = model.model_dump(mode="json", exclude=set(lists))
    fields = type(model).model_fields
    if not top.keys() <= fields.keys() or any(type(key) is not str for key in top):
        whole = model.model_dump(mode="json")  # a field pydantic adds: the plain way
        return dumps_json(whole), whole
    dumped: dict[str, Any] = {}
    texts: list[str] = []
    get = _entries.get
    for name in fields:
        if name not in lists:
            if name in top:
                dumped[name] = top[name]
                texts.append(f"{_plain(name)}: {_indented(top[name], 1)}")
            continue
        items = getattr(model, name)
        values: list[Any] = []
        encoded: list[str] = []
        for item in items:
            known = get(id(item))
            if (
                known is not None
                and known[0] is item
                and (id(item) in same or item.__dict__ == known[1])
            ):
                values.append(known[2])
                encoded.append(known[3])
                continue
            value = item.model_dump(mode="json")
            text = _indented(value, 2)
            values.append(value)
            encoded.append(text)
            now = (
                _fields_now(item.__dict__)
                if item.__pydantic_extra__ is None
                and getattr(item, "__pydantic_private__", None) is None
                else None
            )
            if now is not None:
                with _entries_guard:
                    if len(_entries) >= _ENTRIES_KEEP:
                        _entries.clear()
                    _entries[id(item)] = (item, now, value, text)
        dumped[name] = values
        inner = "\n" + "  " * 2
        listed = "[" + inner + ("," + inner).join(encoded) + "\n  ]" if encoded else "[]"
        texts.append(f"{_plain(name)}: {listed}")
    if not texts:
        return dumps_json(dumped), dumped
    body = "{\n  " + ",\n  ".join(texts) + "\n}"
    return (body + "\n").encode(), dumped


def _encoded(value: Any, depth: int) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * depth) if depth else text


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: The sha256 of each file a transaction lately wrote whole, with the bytes it wrote, by
#: path (oldest dropped first): a reader that finds those very bytes in the file knows their
#: digest without hashing them again (the change plan's fingerprint: ``project.json`` is
#: 110 KB at 500 shots). Small files are not kept: hashing them costs less than keeping them.
_written_digests: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
_WRITTEN_KEEP = 16
_WRITTEN_SMALLEST = 8192


def remember_written(path: str, data: bytes, digest: str) -> None:
    """Note that ``data``, whose sha256 is ``digest`` (hex), was just written to ``path``."""
    if len(data) < _WRITTEN_SMALLEST:
        return
    with _piece_digests_guard:
        _written_digests[path] = (data, digest)
        _written_digests.move_to_end(path)
        while len(_written_digests) > _WRITTEN_KEEP:
            _written_digests.popitem(last=False)


def sha256_of_file_bytes(path: str, data: bytes) -> bytes:
    """The sha256 digest of ``data``, read from the file at ``path``: the one noted when
    those very bytes were written there (:func:`remember_written`: compared in full, never
    trusted by length or name alone), else hashed."""
    with _piece_digests_guard:
        known = _written_digests.get(path)
    if known is not None and known[0] == data:
        return bytes.fromhex(known[1])
    return hashlib.sha256(data).digest()


#: What a journal's ``after`` of a file written in pieces starts with (:func:`pieces_digest`).
PIECES_PREFIX = "pieces:"

#: The sha256 digest of each piece hashed lately, by the identity of the bytes object, which
#: is kept with it (so the identity cannot be reused while it is here); oldest dropped first.
_piece_digests: OrderedDict[int, tuple[bytes, bytes]] = OrderedDict()
_piece_digests_guard = threading.Lock()
_PIECES_KEEP = 4096


def _piece_digests_of(pieces: Sequence[bytes]) -> list[bytes]:
    """The sha256 digest of each piece, those kept hashed once (one lock for all)."""
    with _piece_digests_guard:
        found = [_piece_digests.get(id(piece)) for piece in pieces]
    digests, new = [], []
    for piece, kept in zip(pieces, found, strict=True):
        if kept is not None and kept[0] is piece:
            digests.append(kept[1])
        else:
            digest = hashlib.sha256(piece).digest()
            digests.append(digest)
            new.append((piece, digest))
    with _piece_digests_guard:
        for piece, kept in zip(pieces, found, strict=True):
            if kept is not None and kept[0] is piece:
                _piece_digests.move_to_end(id(piece), last=True)
        for piece, digest in new:
            _piece_digests[id(piece)] = (piece, digest)
        while len(_piece_digests) > _PIECES_KEEP:
            _piece_digests.popitem(last=False)
    return digests


def pieces_digest(pieces: Sequence[bytes]) -> str:
    """What a journal records of a file written as ``b"".join(pieces)``: the sha256 of the
    pieces' sha256 digests, with their lengths beside it (:func:`written_as`).

    A document assembled from parts that mostly stay the very same bytes objects from one
    change to the next (the storyboard's segments) then hashes only the parts that changed,
    where a whole-file sha256 hashes every byte of it at every change (1.2 MB for
    ``storyboard.json`` at 500 shots). A piece is known by its identity only while it is
    kept here, with its bytes, which never change."""
    return PIECES_PREFIX + hashlib.sha256(b"".join(_piece_digests_of(pieces))).hexdigest()


def written_as(data: bytes, after: Any, lengths: Any) -> bool:
    """Whether ``data`` is what a journal's write recorded (``after``, and ``lengths`` for a
    file written in pieces: :func:`pieces_digest`); anything malformed is not."""
    if not isinstance(after, str):
        return False
    if not after.startswith(PIECES_PREFIX):
        return _sha(data) == after
    if not isinstance(lengths, list) or not all(type(n) is int and n >= 0 for n in lengths):
        return False
    if sum(lengths) != len(data):
        return False
    view, start, digests = memoryview(data), 0, []
    for n in lengths:
        digests.append(hashlib.sha256(view[start : start + n]).digest())
        start += n
    return PIECES_PREFIX + hashlib.sha256(b"".join(digests)).hexdigest() == after


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def current_atomic_write() -> Callable[..., None]:
    """:func:`atomic_write` as ``storycore.tools.project`` names it now.

    The package attribute is looked up at every call, so a test or a benchmark that replaces
    ``storycore.tools.project.atomic_write`` sees every write the store makes."""
    from storycore.tools import project as package

    return package.atomic_write


@contextlib.contextmanager
def _os_errors_as_project_errors(root: Path) -> Iterator[None]:
    """A read-only file system, a full disk or a permission refused: one clear error."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or root
        reason = exc.strerror or str(exc)
        raise ProjectError(f"cannot change the project {root}: {reason} ({where})") from None
