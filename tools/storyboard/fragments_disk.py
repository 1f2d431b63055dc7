"""The storyboard's shot parts kept on disk (``.storycore/index/storyboard_parts.json``), so
that a new process (each ``storycore feedback``) renders only the shots that changed since
they were kept, not every shot (:mod:`~storycore.tools.storyboard.fragments` keeps them in
memory within a process).

A part is a pure function of its shot, its folder, the board's context (frame rate,
drop-frame, language, aspect ratio, element names) and the rendering code; the file says
which context and which code (a hash of the rendering modules' sources and the message
catalogs) its parts were rendered with, and each part holds its shot as JSON and its folder.
A part is used only when all of these are what the plan has now; a file that is not valid
JSON, has another version or a checksum that does not match its body is ignored as a whole.
So the file can make rendering faster, never the documents different. It is written through
the transaction that writes the documents (journaled, rolled back and undone with them),
only when it is missing or many of its parts are out of date.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from storycore.tools.project import INTERNAL, Project, Transaction

#: Where the parts are kept, relative to the project root.
PARTS_FILE = f"{INTERNAL}/index/storyboard_parts.json"
PARTS_VERSION = 2


class DiskPart(NamedTuple):
    """A shot's parts as the file keeps them (text, UTF-8 when written)."""

    folder: str
    spec: str  # the shot's ``model_dump_json()`` it was rendered from
    json: str
    markdown: str
    html: str
    #: The identity of the shot's panel file when it was last found drawn from this shot
    #: (None if unknown): a panel whose file is still that file is not read again.
    panel: tuple[int, int, int, int] | None = None


_renderer: str | None = None


def renderer_key() -> str:
    """A hash of what the parts are rendered by: the storyboard modules, the modules they
    format with, and the message catalogs (another StoryCore renders other parts)."""
    global _renderer
    if _renderer is None:
        digest = hashlib.sha256()
        tools = Path(__file__).resolve().parent.parent
        sources = sorted((tools / "storyboard").glob("*.py"))
        sources += [tools / name for name in ("i18n.py", "rates.py", "timecode.py")]
        sources += sorted((tools / "domain").glob("*.py"))
        for path in sources:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        messages = resources.files("storycore.tools").joinpath("data", "messages")
        for entry in sorted(messages.iterdir(), key=lambda e: e.name):
            if entry.is_file():
                digest.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
        _renderer = digest.hexdigest()
    return _renderer


def context_key(context: tuple[Any, ...]) -> str:
    """The board's context as text (the rate as a string)."""
    rate, drop_frame, language, aspect, elements = context
    return json.dumps([str(rate), drop_frame, language, aspect, elements], ensure_ascii=False)


def load(project: Project, context: str) -> dict[str, DiskPart] | None:
    """The parts in the file if it is whole and was rendered with ``context`` by this
    renderer, else None."""
    path = project.root / PARTS_FILE
    try:
        head, _, body = path.read_bytes().partition(b"\n")
        header = json.loads(head)
        if not isinstance(header, dict) or header.get("version") != PARTS_VERSION:
            return None
        if header.get("checksum") != hashlib.sha256(body).hexdigest():
            return None
        if header.get("context") != context or header.get("renderer") != renderer_key():
            return None
        parts = {str(shot_id): _disk_part(values) for shot_id, values in json.loads(body).items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    return parts


def _disk_part(values: Any) -> DiskPart:
    """A part as the file holds it (``ValueError`` if it is not one)."""
    if not isinstance(values, list) or len(values) != len(DiskPart._fields):
        raise ValueError("not a storyboard part")
    *texts, panel = values
    if not all(isinstance(text, str) for text in texts):
        raise ValueError("not a storyboard part")
    stamp: tuple[int, int, int, int] | None = None
    if panel is not None:
        if not isinstance(panel, list) or len(panel) != 4:
            raise ValueError("not a panel identity")
        numbers = [int(n) for n in panel if isinstance(n, int) and not isinstance(n, bool)]
        if len(numbers) != 4:
            raise ValueError("not a panel identity")
        stamp = (numbers[0], numbers[1], numbers[2], numbers[3])
    folder, spec, json_text, markdown, html = texts
    return DiskPart(folder, spec, json_text, markdown, html, stamp)


def save(tx: Transaction, context: str, parts: dict[str, DiskPart]) -> None:
    """Write ``parts`` (rendered with ``context``) inside ``tx``."""
    body = json.dumps(
        {shot_id: list(part) for shot_id, part in parts.items()},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    header = {
        "version": PARTS_VERSION,
        "checksum": hashlib.sha256(body).hexdigest(),
        "context": context,
        "renderer": renderer_key(),
    }
    tx.write_bytes(PARTS_FILE, json.dumps(header, ensure_ascii=False).encode() + b"\n" + body)
