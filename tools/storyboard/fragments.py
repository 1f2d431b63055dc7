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
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storycore.tools.domain import ShotSpec
from storycore.tools.i18n import Messages, catalog_language
from storycore.tools.project import Project
from storycore.tools.storyboard.document import segment_entry, shot_entry, storyboard_document
from storycore.tools.storyboard.html_page import (
    HTML_END,
    HTML_SECTION_END,
    html_article,
    html_head,
    html_section,
)
from storycore.tools.storyboard.markdown import markdown_head, markdown_row, markdown_segment
from storycore.tools.storyboard.plan import Plan, PlannedShot

#: A file's identity: inode, size, modification and change times in nanoseconds.
Stamp = tuple[int, int, int, int]

#: How many projects' parts one process keeps (the most recently written).
KEEP_PROJECTS = 4


def file_stamp(path: Path) -> Stamp | None:
    """The identity of a file (None if it is missing): every project write replaces a file,
    so a file with the same identity has not been written since."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass
class ShotPart:
    """One shot's parts of the documents, and what they were rendered from."""

    spec: ShotSpec  # a private copy: the caller's shot may be changed in place later
    folder: str
    entry: dict[str, Any]  # the storyboard.json entry (shared with the document: read only)
    json: str  # the entry as storyboard.json holds it (indented at its depth)
    markdown: str
    html: str
    panel: Stamp | None = None  # the panel file last found drawn from ``spec``


@dataclass
class _Board:
    context: tuple[Any, ...]
    parts: dict[str, ShotPart] = field(default_factory=dict)


@dataclass(frozen=True)
class Documents:
    """The rendered storyboard documents, and each shot's part (in timeline order)."""

    storyboard: dict[str, Any]
    json: str
    markdown: str
    html: str
    parts: list[ShotPart]


_boards: OrderedDict[Path, _Board] = OrderedDict()
_boards_lock = threading.Lock()


def _board(root: Path, context: tuple[Any, ...]) -> _Board:
    with _boards_lock:
        board = _boards.get(root)
        if board is None or board.context != context:
            board = _Board(context)
        _boards[root] = board
        _boards.move_to_end(root)
        while len(_boards) > KEEP_PROJECTS:
            _boards.popitem(last=False)
    return board


def forget() -> None:
    """Drop every part this process keeps (the next documents are rendered whole)."""
    with _boards_lock:
        _boards.clear()


# -- JSON assembled from parts ------------------------------------------------------------


def _dumped(value: Any, level: int) -> str:
    """``value`` as ``json.dumps(indent=2)`` writes it at nesting ``level``."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * level) if level else text


def _with_last(obj: str, key: str, value: str, level: int) -> str:
    """A dumped JSON object at nesting ``level`` with one more member, last."""
    pad, inner = "  " * level, "  " * (level + 1)
    member = f"{inner}{json.dumps(key, ensure_ascii=False)}: {value}"
    if obj == "{}":
        return f"{{\n{member}\n{pad}}}"
    close = f"\n{pad}}}"
    return f"{obj[: -len(close)]},\n{member}{close}"


def _array(items: Sequence[str], level: int) -> str:
    """A JSON array at nesting ``level`` of already dumped ``items``."""
    if not items:
        return "[]"
    inner = "  " * (level + 1)
    return "[\n" + ",\n".join(inner + item for item in items) + "\n" + "  " * level + "]"


def _json_text(storyboard: dict[str, Any], rows: Sequence[Sequence[ShotPart]]) -> str:
    """``storyboard.json`` (without its final newline), the shots taken from their parts."""
    head = dict(storyboard)
    segments = head.pop("segments")
    sections = []
    for segment, row in zip(segments, rows, strict=True):
        top = {k: v for k, v in segment.items() if k != "shots"}
        shots = _array([part.json for part in row], 3)
        sections.append(_with_last(_dumped(top, 2), "shots", shots, 2))
    return _with_last(_dumped(head, 0), "segments", _array(sections, 1), 0)


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
        json=_dumped(entry, 4),
        markdown=markdown_row(storyboard, entry, m),
        html=html_article(project, storyboard, entry, m),
    )


def render_documents(project: Project, plan: Plan, language: str | None) -> Documents:
    """``storyboard.json`` (as text), ``.md`` and ``.html`` of ``plan``, rendering only the
    shots whose part this process does not hold already (labels in ``language``)."""
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
    parts = board.parts
    rows: list[list[ShotPart]] = []
    for segment in plan.segments:
        row = []
        for planned in segment.shots:
            part = parts.get(planned.spec.shot_id)
            if part is None or part.folder != planned.folder or part.spec != planned.spec:
                part = parts[planned.spec.shot_id] = _part(project, plan, planned, storyboard, m)
            row.append(part)
        rows.append(row)
    every = [part for row in rows for part in row]
    if len(parts) > len(every):  # shots that are gone
        board.parts = {part.spec.shot_id: part for part in every}
    storyboard["segments"] = [
        segment_entry(plan, segment, [part.entry for part in row])
        for segment, row in zip(plan.segments, rows, strict=True)
    ]
    markdown = markdown_head(storyboard, m)
    html = html_head(storyboard, m)
    for segment, row in zip(storyboard["segments"], rows, strict=True):
        markdown += markdown_segment(segment, m)
        markdown += [part.markdown for part in row]
        markdown.append("")
        html += html_section(segment)
        html += [part.html for part in row]
        html += HTML_SECTION_END
    html += HTML_END
    return Documents(
        storyboard=storyboard,
        json=_json_text(storyboard, rows),
        markdown="\n".join(markdown),
        html="\n".join(html),
        parts=every,
    )
