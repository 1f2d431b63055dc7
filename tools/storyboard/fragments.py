"""The storyboard documents rendered shot by shot, so that a change to one shot renders one.

The documents are a pure function of the plan, and in a long-lived process (a chat session,
the studio, the MCP server) the plan of a change is mostly the plan the last change wrote.
So each shot's parts of the documents (its entry in ``storyboard.json``, its row in
``storyboard.md``, its ``<article>`` in ``storyboard.html``) are kept in memory per project,
with a private copy of the shot they were rendered from and its folder, and rendered again
only for a shot that is not equal to its copy (or whose folder moved). Whatever depends on
more than one shot (the header, each segment's heading and times, the totals) is rendered
every time, and the documents are assembled from the parts: byte for byte what a whole
rendering gives (``tests/test_fragments.py`` compares them after series of changes).

A part also remembers the identity (inode, size, modification and change times in ns) of
its shot's ``panel.png`` when that file was last found drawn from this very shot, so a panel
whose file is still that file is not read and hashed again; any other panel (new, changed,
rewritten, deleted, restored by an undo or a rollback: each makes a new file) is checked by
:func:`~storycore.tools.storyboard.panels.write_panels` as before.

Nothing here is trusted instead of the files: the parts are a memo of a function of the
shots they are given (compared by value with their copy), and a panel is skipped only while
the file on disk is the file that was checked. Everything that makes the parts differ
together (frame rate, drop-frame, language, aspect ratio, element names) is the board's
context: when it changes, every part is rendered again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter, is_
from pathlib import Path
from typing import Any

from storycore.tools.domain import ShotSpec
from storycore.tools.i18n import Messages, catalog_language
from storycore.tools.project import Project, Transaction
from storycore.tools.project.kept import deep_copy
from storycore.tools.project.recent import Recent
from storycore.tools.project.stamps import plain_stamp
from storycore.tools.storyboard import fragments_disk
from storycore.tools.storyboard.document import segment_entry, shot_entry, storyboard_document
from storycore.tools.storyboard.fragments_disk import DiskPart
from storycore.tools.storyboard.html_page import (
    HTML_END,
    HTML_SECTION_END,
    html_article,
    html_head,
    html_section,
)
from storycore.tools.storyboard.markdown import (
    markdown_head,
    markdown_row,
    markdown_segment,
    markdown_table_head,
)
from storycore.tools.storyboard.plan import Plan, PlannedSegment, PlannedShot

#: A file's identity: inode, size, modification and change times in nanoseconds.
Stamp = tuple[int, int, int, int]


def file_stamp(path: str | Path) -> Stamp | None:
    """The identity of a file (None if it is missing): every project write replaces a file,
    so a file with the same identity has not been written since."""
    return plain_stamp(path)


@dataclass(eq=False)
class ShotPart:
    """One shot's parts of the documents (UTF-8), and what they were rendered from."""

    spec: ShotSpec  # a private copy: the caller's shot may be changed in place later
    folder: str
    entry: dict[str, Any]  # the storyboard.json entry (shared with the document: read only)
    json: bytes  # the entry as storyboard.json holds it (indented at its depth, first line too)
    markdown: bytes
    html: bytes
    panel: Stamp | None = None  # the panel file last found drawn from ``spec``
    #: The caller's shot last found equal to ``spec`` and its fields (``__dict__``: setting
    #: a field, validated, gives a shot a new one), so that the very same shot with the very
    #: same fields is not compared again (shots shared by the index and the plans are never
    #: changed inside a field: a change replaces a shot).
    seen: tuple[ShotSpec, dict[str, Any]] | None = None


@dataclass(eq=False)
class _Section:
    """One segment's parts of the three documents (UTF-8), and what they were made from."""

    top: dict[str, Any]  # the segment's storyboard.json entry but its shots
    key: tuple[Any, ...]  # what ``top`` was made from (:func:`_segment_key`)
    parts: tuple[ShotPart, ...]  # compared by identity
    json: bytes
    markdown: bytes
    html: bytes
    entry: dict[str, Any]  # the segment's storyboard.json entry (shared with the document)


@dataclass
class _Board:
    context: tuple[Any, ...]
    parts: dict[str, ShotPart] = field(default_factory=dict)
    sections: dict[str, _Section] = field(default_factory=dict)
    #: The parts file (:mod:`~storycore.tools.storyboard.fragments_disk`) as read (None if
    #: missing, not whole or of another context), once ``disk_checked``; ``stale``: how
    #: many parts were rendered since it was read or written.
    disk: dict[str, DiskPart] | None = None
    disk_checked: bool = False
    stale: int = 0
    #: The head of ``storyboard.json`` last encoded (all but its segments, its compact
    #: encoding) and the bytes around its segments (:func:`_json_pieces`).
    head: tuple[str, bytes, bytes] | None = None
    #: Per segment id: the planned segment its last row of parts was made for, that row,
    #: and the fields (``__dict__``) its shots had then (:func:`_parts`).
    rows: dict[str, tuple[PlannedSegment, tuple[ShotPart, ...], list[dict[str, Any]]]] = field(
        default_factory=dict
    )

    def context_text(self) -> str:
        return fragments_disk.context_key(self.context)


@dataclass(frozen=True)
class Documents:
    """The rendered storyboard documents (UTF-8), and each shot's part (timeline order).

    Each document also in the pieces it was joined from (``b"".join(pieces)``), each
    segment's part of it one piece, the very bytes object as long as the segment does not
    change: writing it hashes only the pieces that changed."""

    storyboard: dict[str, Any]
    json_pieces: list[bytes]
    markdown_pieces: list[bytes]
    html_pieces: list[bytes]
    parts: list[ShotPart]
    json: bytes = field(init=False)  # with its final newline, as the file holds it
    markdown: bytes = field(init=False)
    html: bytes = field(init=False)

    def __post_init__(self) -> None:
        for name in ("json", "markdown", "html"):
            object.__setattr__(self, name, b"".join(getattr(self, f"{name}_pieces")))


#: The parts of the projects this process rendered last.
_boards: Recent[_Board] = Recent()


def _board(root: Path, context: tuple[Any, ...]) -> _Board:
    return _boards.setdefault(
        root,
        lambda board: board if board is not None and board.context == context else _Board(context),
    )


def forget() -> None:
    """Drop every part this process keeps (the next documents are rendered whole)."""
    _boards.forget()


# -- JSON assembled from parts ------------------------------------------------------------

#: Stands for a value in a dumped object: JSON text never holds a raw control character.
_HOLE = "\x00"


def _dumped(value: Any, level: int) -> str:
    """``value`` as ``json.dumps(indent=2)`` writes it at nesting ``level``."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * level) if level else text


def _around_last(obj: dict[str, Any], key: str, level: int) -> tuple[bytes, bytes]:
    """What comes before and after the value of ``key`` when ``obj`` (without ``key``)
    and then ``key`` are dumped at nesting ``level``."""
    text = _dumped(obj, level)
    pad, inner = "  " * level, "  " * (level + 1)
    member = f"{inner}{json.dumps(key, ensure_ascii=False)}: {_HOLE}"
    close = f"\n{pad}}}"
    whole = f"{{\n{member}{close}" if text == "{}" else f"{text[: -len(close)]},\n{member}{close}"
    before, after = whole.split(_HOLE)
    return before.encode("utf-8"), after.encode("utf-8")


def _array(inner: Sequence[bytes], level: int) -> list[bytes]:
    """The pieces of a JSON array at nesting ``level`` whose items (each dumped and
    indented at ``level + 1``), joined by ``,\\n``, are the pieces ``inner`` (none: empty)."""
    if not inner:
        return [b"[]"]
    return [b"[\n", *inner, b"\n" + b"  " * level + b"]"]


def _section_json(top: dict[str, Any], parts: Sequence[ShotPart]) -> bytes:
    """A segment's object in ``storyboard.json``, indented as an item of ``segments``."""
    before, after = _around_last(top, "shots", 2)
    inner = [b",\n".join([part.json for part in parts])] if parts else []
    return b"".join([b"    ", before, *_array(inner, 3), after])


def _json_pieces(
    storyboard: dict[str, Any], sections: Sequence[bytes], board: _Board | None = None
) -> list[bytes]:
    """``storyboard.json`` from its segments' objects, with its final newline, in pieces
    (each segment's object one of them). ``board``: where the encoding of the document's
    head (all but its segments) is kept, taken again while the head is equal to it."""
    head = {k: v for k, v in storyboard.items() if k != "segments"}
    # Its compact encoding (the C encoder) tells the same head, its keys in the same order.
    compact = json.dumps(head, ensure_ascii=False) if board is not None else ""
    if board is not None and board.head is not None and board.head[0] == compact:
        before, after = board.head[1], board.head[2]
    else:
        before, after = _around_last(head, "segments", 0)
        if board is not None:
            board.head = (compact, before, after)
    inner = _joined(b",\n", sections) if sections else []
    return [before, *_array(inner, 1), after, b"\n"]


def _joined(separator: bytes, items: Sequence[bytes]) -> list[bytes]:
    """The pieces of ``separator.join(items)``: the items themselves, kept as they are (a
    piece that is the very bytes object of an unchanged part is not hashed again when the
    document is written: :func:`~storycore.tools.project.files.pieces_digest`)."""
    pieces = [separator] * (2 * len(items) - 1) if items else []
    pieces[::2] = items
    return pieces


# -- rendering ----------------------------------------------------------------------------


def _part(
    project: Project, plan: Plan, planned: PlannedShot, storyboard: dict[str, Any], m: Messages
) -> ShotPart:
    entry = shot_entry(plan, planned)
    spec = planned.spec
    return ShotPart(
        spec=type(spec).model_validate(spec.model_dump()),
        folder=planned.folder,
        entry=entry,
        json=("        " + _dumped(entry, 4)).encode("utf-8"),
        markdown=markdown_row(storyboard, entry, m).encode("utf-8"),
        html=html_article(project, storyboard, entry, m).encode("utf-8"),
    )


def _segment_key(segment: PlannedSegment) -> tuple[Any, ...]:
    """What a segment's entry but its shots is made from, with the board's context (frame
    rate, drop-frame): :func:`~storycore.tools.storyboard.document.segment_entry`."""
    return (
        segment.segment_id,
        segment.title,
        segment.start_frame,
        segment.end_frame,
        segment.transition_in,
        segment.transition_out,
    )


def _section(
    segment: dict[str, Any],
    key: tuple[Any, ...],
    parts: tuple[ShotPart, ...],
    m: Messages,
    table: list[str],
) -> _Section:
    top = {k: v for k, v in segment.items() if k != "shots"}
    head = "\n".join(markdown_segment(segment, m, table)).encode("utf-8")
    opening = "\n".join(html_section(segment)).encode("utf-8")
    closing = "\n".join(HTML_SECTION_END).encode("utf-8")
    return _Section(
        top=top,
        key=key,
        parts=parts,
        json=_section_json(top, parts),
        markdown=b"\n".join([head, *(p.markdown for p in parts), b""]),
        html=b"\n".join([opening, *(p.html for p in parts), closing]),
        entry=segment,
    )


#: A planned shot's shot's fields (``__dict__``: setting a field, validated, gives a new one).
_spec_fields = attrgetter("spec.__dict__")


def _same(copy: ShotSpec, shot: ShotSpec) -> bool:
    """``copy == shot``, comparing the fields only (what pydantic's ``==`` compares first,
    without its checks of private and extra attributes, which shots do not have)."""
    return type(copy) is type(shot) and copy.__dict__ == shot.__dict__


def _parts(
    project: Project, plan: Plan, board: _Board, storyboard: dict[str, Any], m: Messages
) -> list[tuple[ShotPart, ...]]:
    """Each segment's shot parts, rendering those the board does not hold (or holds for
    another shot or folder).

    A segment that is the very planned segment the last row was made for (the plan shares
    an unchanged segment: its very shots in the same folders), whose shots still have the
    very fields they had then, is that row: its shots are not looked at one by one."""
    parts = board.parts
    last_rows = board.rows
    rows: list[tuple[ShotPart, ...]] = []
    made: dict[str, tuple[PlannedSegment, tuple[ShotPart, ...], list[dict[str, Any]]]] = {}
    for segment in plan.segments:
        fields = list(map(_spec_fields, segment.shots))
        last = last_rows.get(segment.segment_id)
        if last is not None and last[0] is segment and all(map(is_, fields, last[2])):
            rows.append(last[1])
            made[segment.segment_id] = last
            continue
        row = []
        for planned in segment.shots:
            spec = planned.spec
            part = parts.get(spec.shot_id)
            if part is None or part.folder != planned.folder:
                part = None
            elif part.seen is None or part.seen[0] is not spec or part.seen[1] is not spec.__dict__:
                if not _same(part.spec, spec):
                    part = None
                else:
                    part.seen = (spec, spec.__dict__)
            if part is None:
                part = _from_disk(project, board, planned)
                if part is None:
                    part = _part(project, plan, planned, storyboard, m)
                    board.stale += 1
                part.seen = (spec, spec.__dict__)
                parts[spec.shot_id] = part
            row.append(part)
        rows.append(tuple(row))
        made[segment.segment_id] = (segment, rows[-1], fields)
    board.rows = made
    count = sum(len(row) for row in rows)
    if len(parts) > count:  # shots that are gone
        board.parts = {part.spec.shot_id: part for row in rows for part in row}
    return rows


def _from_disk(project: Project, board: _Board, planned: PlannedShot) -> ShotPart | None:
    """The shot's part from the parts file, if the file holds it for this very shot and
    folder (read once per board, and only by a board that starts empty: a new process or
    context)."""
    if not board.disk_checked:
        board.disk_checked = True
        if not board.parts:
            board.disk = fragments_disk.load(project, board.context_text())
    kept = board.disk.get(planned.spec.shot_id) if board.disk else None
    if kept is None or kept.folder != planned.folder:
        return None
    spec = planned.spec
    if kept.spec != spec.model_dump_json():
        return None
    return ShotPart(
        spec=deep_copy(spec),
        folder=kept.folder,
        entry=json.loads(kept.json),
        json=kept.json.encode("utf-8"),
        markdown=kept.markdown.encode("utf-8"),
        html=kept.html.encode("utf-8"),
        panel=kept.panel,
    )


def persist(tx: Transaction) -> None:
    """Write the parts this process holds for ``tx``'s project to the parts file, when it
    is missing, of another context, or many of its parts are out of date (a new process
    then renders only the shots changed since)."""
    board = _boards.get(tx.project.root)
    if board is None or not board.parts:
        return
    if board.disk is not None and board.stale <= max(16, len(board.parts) // 8):
        return
    parts = {
        shot_id: DiskPart(
            part.folder,
            part.spec.model_dump_json(),
            part.json.decode("utf-8"),
            part.markdown.decode("utf-8"),
            part.html.decode("utf-8"),
            part.panel,
        )
        for shot_id, part in board.parts.items()
    }
    fragments_disk.save(tx, board.context_text(), parts)
    board.disk, board.disk_checked, board.stale = parts, True, 0


def render_documents(project: Project, plan: Plan, language: str | None) -> Documents:
    """``storyboard.json``, ``.md`` and ``.html`` of ``plan`` (UTF-8), rendering only the
    shots and segments this process does not hold already (labels in ``language``)."""
    m = Messages(catalog_language(language))
    # The document without its segments first: the parts read the element names and the
    # aspect ratio from it.
    storyboard = storyboard_document(plan, [])
    context = (
        plan.rate,
        plan.drop_frame,
        m.language,
        storyboard["aspect_ratio"],
        storyboard["elements"],
    )
    board = _board(project.root, context)
    rows = _parts(project, plan, board, storyboard, m)
    table = markdown_table_head(m)
    entries: list[dict[str, Any]] = []
    chosen: list[_Section] = []
    for planned, row in zip(plan.segments, rows, strict=True):
        key = _segment_key(planned)
        known = board.sections.get(planned.segment_id)
        if known is not None and known.key == key and known.parts is row:
            entries.append(known.entry)  # the very row: the very entry
            chosen.append(known)
            continue
        shots = [part.entry for part in row]
        if known is not None and known.key == key:  # the entry is its top and its shots
            segment = {**known.top, "shots": shots}
        else:
            segment = segment_entry(plan, planned, shots)
        if known is None or known.key != key or known.parts != row:
            known = _section(segment, key, row, m, table)
        else:
            known = replace(known, parts=row, entry=segment)
        entries.append(segment)
        chosen.append(known)
    storyboard["segments"] = entries
    board.sections = {section.top["segment_id"]: section for section in chosen}
    markdown_top = "\n".join(markdown_head(storyboard, m)).encode("utf-8")
    html_top = "\n".join(html_head(storyboard, m)).encode("utf-8")
    return Documents(
        storyboard=storyboard,
        json_pieces=_json_pieces(storyboard, [section.json for section in chosen], board),
        markdown_pieces=_joined(b"\n", [markdown_top, *(section.markdown for section in chosen)]),
        html_pieces=_joined(
            b"\n",
            [html_top, *(section.html for section in chosen), "\n".join(HTML_END).encode()],
        ),
        parts=[part for row in rows for part in row],
    )
