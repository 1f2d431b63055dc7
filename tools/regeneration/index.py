"""The shot index: every shot of the project, parsed, in ``.storycore/index/shots/NN.json``, so
that a change to one shot does not read and validate every ``shot.json`` again.

The index is kept in :data:`PARTS` part files, a shot's part fixed by its id
(:func:`part_of`), so that a change to one shot rewrites (and checksums) the one part that
holds it, a sixteenth of the index, not the whole of it: at 500 shots, about 70 KB instead of
1.1 MB a change.

An entry holds a shot's spec and the identity of the ``shot.json`` it was read from (inode,
size, modification and change times in nanoseconds). The index is never trusted on its own word:
every use compares each entry with its file on disk, and a shot whose file moved, changed or
disappeared is read again from the file; a part that is not valid JSON, has another version,
whose checksum does not match its body (edited by hand) or that holds a shot of another part is
ignored as a whole (its shots are read from their files). So the index can only make reading
faster, never make it wrong: the files stay the truth. Every project write replaces a file (a
new inode and change time), which is what makes the identity reliable; the one thing it cannot
see is a hand edit that keeps the size and lands within the file system's clock tick (a few
milliseconds) of StoryCore's last write of that file. The identities come from
:mod:`~storycore.tools.project.stamps`: a file is looked at again where the kernel reported a
change in its folder (every file, where it cannot report them). A warm process keeps its last
answer and looks again only at the shots whose file identity, index part or id changed since
(a shot read from its file is read again every time).

The index is written by :func:`write_index` inside the transaction that wrote the shots (the
planner, :func:`~storycore.tools.regeneration.apply_changes`,
:func:`~storycore.tools.regeneration.record_generated`), so it is journaled, rolled back and
undone with them. In one process each parsed part is also kept in memory (keyed by the part
file's own identity), so a long session does not parse it again either.
"""

from __future__ import annotations

import hashlib
import json
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import compress
from operator import attrgetter, ne
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from storycore.tools.domain import ShotSpec
from storycore.tools.project import INTERNAL, Project, Transaction
from storycore.tools.project.stamps import Looked, stamps_of
from storycore.tools.project.stamps import plain_stamp as _stamp
from storycore.tools.structure import SHOT_FILE, SHOTS

#: Where the index's parts live, relative to the project root.
INDEX_DIR = f"{INTERNAL}/index/shots"
#: The index of versions before 2: one file, removed by the first write of the parts.
OLD_INDEX_FILE = f"{INTERNAL}/index/shots.json"
INDEX_VERSION = 2
#: How many parts the index is kept in.
PARTS = 16

_Stamp = tuple[int, int, int, int]


class _Entry(NamedTuple):
    file: str  # the shot.json it was read from
    stamp: _Stamp  # that file's identity
    shot: ShotSpec
    piece: bytes  # the entry as written in the index, with its key: b'"shot_01":{...}'


class _Part(NamedTuple):
    stamp: _Stamp  # the part file's identity
    entries: dict[str, _Entry]
    body: bytes  # the part's body as written (the entries, one JSON object)


#: Per project root: each part read or written (part number -> part).
_memory: dict[Path, dict[int, _Part]] = {}
_memory_lock = threading.Lock()
#: Per project root: the entries last found to agree with their file (``shot.json`` path ->
#: the identity seen), by :func:`indexed_shots` or written by :func:`write_index`. Only a
#: hint of which entries need no new look (an entry is checked against its file at every
#: read anyway).
_confirmed: dict[Path, dict[str, _Stamp]] = {}


def part_of(shot_id: str) -> int:
    """The part of the index that holds the shot ``shot_id`` (fixed by the id alone)."""
    return zlib.crc32(shot_id.encode("utf-8")) % PARTS


def part_file(part: int) -> str:
    """The part file of the index numbered ``part``, relative to the project root."""
    return f"{INDEX_DIR}/{part:02d}.json"


def _piece(shot_id: str, entry: Mapping[str, Any]) -> bytes:
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    return f"{json.dumps(shot_id)}:{text}".encode()


def _entry_piece(rel: str, stamp: _Stamp, shot: ShotSpec) -> bytes:
    data = {"file": rel, "stamp": list(stamp), "spec": shot.model_dump(mode="json")}
    return _piece(shot.shot_id, data)


_decoder = json.JSONDecoder()
_SPACE = " \t\n\r"


def _entries_of(body: str) -> Iterator[tuple[str, dict[str, Any], bytes]]:
    """Each entry of the index's body (one JSON object) with its text as written, parsed
    one member at a time (``ValueError`` if the body is not an object of objects)."""
    end = len(body)
    pos = _skip(body, 0)
    if body[pos : pos + 1] != "{":
        raise ValueError("the index body is not an object")
    pos = _skip(body, pos + 1)
    if body[pos : pos + 1] == "}":
        pos = _skip(body, pos + 1)
        if pos != end:
            raise ValueError("text after the index body")
        return
    seen: set[str] = set()
    while True:
        start = pos
        shot_id, pos = _decoder.raw_decode(body, pos)
        pos = _skip(body, pos)
        if not isinstance(shot_id, str) or body[pos : pos + 1] != ":" or shot_id in seen:
            raise ValueError("not an index entry")
        entry, pos = _decoder.raw_decode(body, _skip(body, pos + 1))
        if not isinstance(entry, dict):
            raise ValueError("not an index entry")
        seen.add(shot_id)
        yield shot_id, entry, body[start:pos].encode("utf-8")
        pos = _skip(body, pos)
        if body[pos : pos + 1] == "}":
            if _skip(body, pos + 1) != end:
                raise ValueError("text after the index body")
            return
        if body[pos : pos + 1] != ",":
            raise ValueError("not an index entry")
        pos = _skip(body, pos + 1)


def _skip(text: str, pos: int) -> int:
    """The first position at or after ``pos`` that is not JSON white space."""
    while pos < len(text) and text[pos] in _SPACE:
        pos += 1
    return pos


def _read_part(project: Project, part: int, stamp: _Stamp | None) -> dict[str, _Entry]:
    """The entries of one part file (shot id -> entry), or none if it is missing or not
    trustworthy as a whole (not JSON, another version, a checksum that does not match, a
    shot that belongs to another part).

    The file is a header line (``{"version": 2, "checksum": <sha256 of the rest>}``) and the
    entries as one JSON object on the next line. ``stamp``: the part file's identity now."""
    if stamp is None:
        return {}
    with _memory_lock:
        known = _memory.get(project.root, {}).get(part)
    if known is not None and known.stamp == stamp:
        return known.entries
    path = project.root / part_file(part)
    entries: dict[str, _Entry] = {}
    try:
        head, _, body = path.read_bytes().partition(b"\n")
        header = json.loads(head)
        if header.get("version") != INDEX_VERSION:
            return {}
        if header.get("checksum") != hashlib.sha256(body).hexdigest():
            return {}
        for shot_id, entry, piece in _entries_of(body.decode("utf-8")):
            rel, numbers = str(entry["file"]), [int(x) for x in entry["stamp"]]
            shot = ShotSpec.model_validate(entry["spec"])
            if shot.shot_id != shot_id or len(numbers) != 4 or part_of(shot_id) != part:
                return {}
            entry_stamp: _Stamp = (numbers[0], numbers[1], numbers[2], numbers[3])
            entries[shot_id] = _Entry(rel, entry_stamp, shot, piece)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, ValidationError):
        return {}
    with _memory_lock:
        _memory.setdefault(project.root, {})[part] = _Part(stamp, entries, body)
    return entries


def _read_index(project: Project, now: Sequence[_Stamp | None] | None = None) -> dict[str, _Entry]:
    """The entries of every trustworthy part of the index (shot id -> entry); ``now``: each
    part file's identity, when the caller just looked."""
    entries: dict[str, _Entry] = {}
    if now is None:
        now = stamps_of(project.root).many([part_file(part) for part in range(PARTS)])
    for part, stamp in enumerate(now):
        entries.update(_read_part(project, part, stamp))
    return entries


class _Found(NamedTuple):
    """What the last :func:`indexed_shots` of a project answered, and from what."""

    parts: tuple[_Stamp | None, ...]  # each part file's identity
    ids: list[str]  # each manifest shot's id
    rels: list[str]  # each manifest shot's file
    stamps: list[_Stamp | None]  # each shot file's identity
    shots: list[ShotSpec]  # the answer
    indexed: list[bool]  # whether each shot was the index's entry (else read from its file)
    members: dict[int, list[int]]  # part -> the positions of its shots
    confirmed: dict[str, _Stamp]


_SHOT_PATH = f"{SHOTS}/{{}}/{SHOT_FILE}"  # a shot's file from its folder
_folder = attrgetter("folder")
_shot_id = attrgetter("shot_id")

#: Per project root: what its last :func:`indexed_shots` answered.
_found: dict[Path, _Found] = {}


def _shot_files(
    project: Project, rels: list[str], looked: Looked | None
) -> list[_Stamp | None] | None:
    """The identities of the shot files ``rels`` as ``looked`` gives them (it holds them
    in the same order, from its watcher's answer), or None when it does not hold them."""
    if looked is None or not rels:
        return None
    offset = looked.where.get(rels[0]) if looked.where else None
    if offset is None or looked.rels[offset : offset + len(rels)] != rels:
        return None
    return looked.stamps[offset : offset + len(rels)]


def indexed_shots(
    project: Project,
    seen: Mapping[str, _Stamp | None] | None = None,
    looked: Looked | None = None,
) -> list[ShotSpec]:
    """Every shot in timeline order, as :func:`~storycore.tools.structure.load_shots` reads
    them, taking from the index each shot whose ``shot.json`` is the one it was indexed from
    and reading the others from their files (through the project's confined paths).

    The shots returned may be shared with the index kept in memory: never change one in
    place (``model_copy(update=...)`` makes a changed copy). ``seen``: the identities of
    shot files just looked at by the caller (relative path -> identity, None if missing),
    used instead of looking again; a file it does not name is looked at here. ``looked``:
    the same as a watcher's answer (:meth:`Stamps.many_since`) that holds every shot file.

    A shot the last call of this process took from the index is that answer again when its
    file's identity, its id, its file and its part of the index are the ones it had then (the
    very entry: nothing to compare); only the others are looked at. A shot read from its file
    is read again every time."""
    refs = project.manifest.shots
    rels = list(map(_SHOT_PATH.format, map(_folder, refs)))
    ids = list(map(_shot_id, refs))
    now = _shot_files(project, rels, looked)
    if now is None:
        known = dict(seen or {})
        unseen = [rel for rel in rels if rel not in known]
        if unseen:
            known.update(zip(unseen, stamps_of(project.root).many(unseen), strict=True))
        now = [known[rel] for rel in rels]
    parts = tuple(stamps_of(project.root).many([part_file(part) for part in range(PARTS)]))
    with _memory_lock:
        last = _found.get(project.root)
    if last is None or last.ids != ids or last.rels != rels:
        redo: Iterable[int] = range(len(refs))
        found = _Found(parts, ids, rels, now, [], [], {}, {})
    else:
        todo = {i for i, indexed in enumerate(last.indexed) if not indexed}
        for part in range(PARTS):
            if parts[part] != last.parts[part]:
                todo.update(last.members.get(part, ()))
        if now != last.stamps:
            todo.update(compress(range(len(now)), map(ne, now, last.stamps)))
        redo = sorted(todo)
        found = _Found(
            parts,
            ids,
            rels,
            now,
            list(last.shots),
            list(last.indexed),
            last.members,
            last.confirmed,
        )
    found = _looked_again(project, found, redo, last)
    with _memory_lock:
        _found[project.root] = found
        if _confirmed.get(project.root) != found.confirmed:  # the same hint kept as it was
            _confirmed[project.root] = found.confirmed
    return list(found.shots)


def _looked_again(
    project: Project, found: _Found, redo: Iterable[int], last: _Found | None
) -> _Found:
    """``found`` with the shots at the positions ``redo`` taken again from the index or
    their files (every position when ``found`` holds no shots yet)."""
    positions = list(redo)
    if not positions and last is not None:
        return found
    fresh = not found.shots
    if fresh:
        entries = _read_index(project, found.parts)
    else:  # only the parts of the shots looked at again
        entries = {}
        for part in {part_of(found.ids[i]) for i in positions}:
            entries.update(_read_part(project, part, found.parts[part]))
    shots, indexed = found.shots, found.indexed
    confirmed = {} if fresh else dict(found.confirmed)
    for i in positions:
        shot_id, rel = found.ids[i], found.rels[i]
        entry = entries.get(shot_id)
        if entry is not None and entry.file == rel and entry.stamp == found.stamps[i]:
            shot, from_index = entry.shot, True
            confirmed[rel] = entry.stamp
        else:
            shot, from_index = project.read_model(rel, ShotSpec), False
            confirmed.pop(rel, None)
        if fresh:
            shots.append(shot)
            indexed.append(from_index)
        else:
            shots[i], indexed[i] = shot, from_index
    members = found.members
    if fresh:
        members = {}
        for i, shot_id in enumerate(found.ids):
            members.setdefault(part_of(shot_id), []).append(i)
    if last is not None and confirmed == last.confirmed:
        confirmed = last.confirmed  # the very hint, kept as it was
    return found._replace(members=members, confirmed=confirmed)


class _Written(NamedTuple):
    """What the last :func:`write_index` of a project wrote, for the next one to start from."""

    layout: list[tuple[str, str]]  # each manifest shot's id and folder
    shots: list[ShotSpec]  # the very shots given (manifest order)
    entries: dict[str, _Entry]  # shot id -> entry, manifest order
    members: list[list[str]]  # each part's shot ids, manifest order
    confirmed: dict[str, _Stamp]  # the very hint left in :data:`_confirmed`
    parts: tuple[_Stamp | None, ...]  # each part file's identity after the write


#: Per project root: what its last :func:`write_index` wrote.
_written: dict[Path, _Written] = {}


def write_index(tx: Transaction, shots: Sequence[ShotSpec] | None = None) -> None:
    """Write the index of the project's shots inside ``tx`` (after the shots were written).

    ``shots``: every shot in timeline order as the files now hold them, when the caller has
    them; otherwise they are taken from the index and the files. A shot the caller does not
    give is left out (the next read takes it from its file). An entry whose shot and file are
    unchanged is copied from the previous index as it was (a one-shot change re-serialises
    one shot); an entry found to agree with its file (by :func:`indexed_shots` or the last
    :func:`write_index`) whose file this transaction did not write, move or remove is kept
    without its file being looked at again. When the last write of this process is still
    what the index and the hint say (:func:`_since_written`), only the shots changed since
    are looked at, and only their parts put together again."""
    project = tx.project
    if shots is None:
        shots = indexed_shots(project)
    on_disk = stamps_of(project.root).many([part_file(part) for part in range(PARTS)])
    found = _since_written(tx, shots, on_disk)
    if found is None:
        entries = _entries(tx, shots)
        members: list[list[str]] = [[] for _ in range(PARTS)]
        for shot_id in entries:
            members[part_of(shot_id)].append(shot_id)
        todo: Iterable[int] = range(PARTS)
    else:
        entries, members, dirty = found
        todo = sorted({part_of(shot_id) for shot_id in dirty})
    with _memory_lock:
        kept = dict(_memory.get(project.root, {}))
    after = list(on_disk)
    for part in todo:
        rel = part_file(part)
        path = project.root / rel
        if not members[part]:
            if on_disk[part] is not None:
                tx.remove(rel)
            kept.pop(part, None)
            after[part] = None
            continue
        known = kept.get(part)
        body = b"{" + b",".join(entries[shot_id].piece for shot_id in members[part]) + b"}"
        if known is not None and known.body == body and known.stamp == on_disk[part]:
            continue  # the part on disk is this one already
        header = {"version": INDEX_VERSION, "checksum": hashlib.sha256(body).hexdigest()}
        tx.write_bytes(rel, json.dumps(header).encode("utf-8") + b"\n" + body)
        after[part] = stamp = _stamp(path)
        if stamp is None:
            kept.pop(part, None)
        else:
            in_part = {shot_id: entries[shot_id] for shot_id in members[part]}
            kept[part] = _Part(stamp, in_part, body)
    if _stamp(project.root / OLD_INDEX_FILE) is not None:
        tx.remove(OLD_INDEX_FILE)
    if found is None:
        confirmed = {entry.file: entry.stamp for entry in entries.values()}
    else:
        confirmed = dict(_written[project.root].confirmed)
        confirmed.update((entries[shot_id].file, entries[shot_id].stamp) for shot_id in dirty)
    layout = [(ref.shot_id, ref.folder) for ref in tx.manifest.shots]
    with _memory_lock:
        _confirmed[project.root] = confirmed
        _memory[project.root] = kept
        _written[project.root] = _Written(
            layout, list(shots), entries, members, confirmed, tuple(after)
        )


def _entries(tx: Transaction, shots: Sequence[ShotSpec]) -> dict[str, _Entry]:
    """Every shot's entry (shot id -> entry, manifest order), each entry of the index kept
    when it still agrees with its file (the long way: every shot looked at)."""
    project = tx.project
    by_id = {shot.shot_id: shot for shot in shots}
    previous = _read_index(project)
    root = str(project.root)
    touched = tx.touched()
    with _memory_lock:
        confirmed = _confirmed.get(project.root, {})
    entries: dict[str, _Entry] = {}
    shots_moved = SHOTS in touched
    for ref in tx.manifest.shots:
        shot = by_id.get(ref.shot_id)
        if shot is None:
            continue
        folder = f"{SHOTS}/{ref.folder}"
        rel = f"{folder}/{SHOT_FILE}"
        old = previous.get(ref.shot_id)
        if (
            old is not None
            and old.file == rel
            and (old.shot is shot or old.shot == shot)
            and not shots_moved
            and confirmed.get(rel) == old.stamp
            and rel not in touched
            and folder not in touched
        ):
            # Found to agree with its file, and not written, moved or removed since by this
            # transaction: kept as it is (a file changed by hand since then still fails its
            # identity check at the next read).
            entries[ref.shot_id] = old
            continue
        entry = _looked_at(root, rel, shot, old)
        if entry is not None:
            entries[ref.shot_id] = entry
    return entries


def _looked_at(root: str, rel: str, shot: ShotSpec, old: _Entry | None) -> _Entry | None:
    """The entry of ``shot`` from its file ``rel`` as it is now (None if missing): ``old``
    when it says the same."""
    stamp = _stamp(f"{root}/{rel}")
    if stamp is None:
        return None
    if old is not None and old.file == rel and old.stamp == stamp and old.shot == shot:
        return old
    return _Entry(rel, stamp, shot, _entry_piece(rel, stamp, shot))


def _since_written(
    tx: Transaction, shots: Sequence[ShotSpec], on_disk: Sequence[_Stamp | None]
) -> tuple[dict[str, _Entry], list[list[str]], list[str]] | None:
    """The entries (as :func:`_entries` finds them), each part's members and the ids of the
    shots looked at, looking only at the shots that are not the very shots the last
    :func:`write_index` of this process was given; None (go the long way) unless that write
    is still what stands: the same shots in the same folders, every part file the one it
    left, the hint of agreeing files the one it left (:func:`indexed_shots` found every
    entry still agreeing with its file), and nothing this transaction wrote, moved or
    removed below ``02_shots/`` but the files of those shots."""
    project = tx.project
    with _memory_lock:
        last = _written.get(project.root)
        hint = _confirmed.get(project.root)
    if last is None or hint is not last.confirmed or tuple(on_disk) != last.parts:
        return None
    refs = tx.manifest.shots
    if len(shots) != len(last.shots) or len(refs) != len(last.layout):
        return None
    if [(ref.shot_id, ref.folder) for ref in refs] != last.layout:
        return None
    pairs = enumerate(zip(shots, last.shots, strict=True))
    dirty = [position for position, (shot, old) in pairs if shot is not old]
    if any(shots[position].shot_id != last.layout[position][0] for position in dirty):
        return None
    folders = {last.layout[position][1] for position in dirty}
    for path in tx.touched():
        top, _, rest = path.partition("/")
        folder, _, name = rest.partition("/")
        if top == SHOTS and (not name or (name == SHOT_FILE and folder not in folders)):
            return None  # a folder moved or removed, or the file of another shot written
    entries = dict(last.entries)
    root = str(project.root)
    for position in dirty:
        shot = shots[position]
        rel = f"{SHOTS}/{last.layout[position][1]}/{SHOT_FILE}"
        entry = _looked_at(root, rel, shot, entries.get(shot.shot_id))
        if entry is None or shot.shot_id not in entries:
            return None  # a shot without a file, or not in the index: the long way
        entries[shot.shot_id] = entry
    return entries, last.members, [shots[position].shot_id for position in dirty]
