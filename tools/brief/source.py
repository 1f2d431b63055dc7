"""Reading a brief: the file (or stdin), its YAML front matter, and its Markdown sections."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from storycore.tools.brief.values import _DurationRangeError, parse_duration
from storycore.tools.brief.vocabulary import _SECTION_LABELS, _SECTION_NAMES, MAX_BRIEF_BYTES
from storycore.tools.directions import stated_direction
from storycore.tools.errors import BriefError
from storycore.tools.text import snake_key as _key

# --------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------


def read_brief_text(path_or_dash: str, stdin: TextIO | None = None) -> tuple[str, str]:
    """The text of a brief file (or of stdin for ``-``) and a name for it.

    Refuses with :class:`BriefError`: a missing file, a folder, a binary or non-UTF-8 file,
    a file over 2 MiB, an empty or whitespace-only brief.
    """
    if path_or_dash == "-":
        stream = stdin if stdin is not None else sys.stdin
        try:
            text = stream.read(MAX_BRIEF_BYTES + 1)
        except UnicodeDecodeError:
            raise BriefError(
                "the brief on standard input is not UTF-8 text; save it as UTF-8"
            ) from None
        name = "stdin"
        if len(text.encode("utf-8", "replace")) > MAX_BRIEF_BYTES:
            raise BriefError("the brief on standard input is larger than 2 MiB; shorten it")
    else:
        path = Path(path_or_dash)
        name = path_or_dash
        if not path.exists():
            raise BriefError(f"brief file {path_or_dash!r} does not exist")
        if path.is_dir():
            raise BriefError(f"{path_or_dash!r} is a folder, not a brief file")
        size = path.stat().st_size
        if size > MAX_BRIEF_BYTES:
            raise BriefError(
                f"brief file {path_or_dash!r} is {size / 1048576:.1f} MiB; a brief must be "
                "under 2 MiB of text"
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BriefError(f"cannot read brief file {path_or_dash!r}: {exc.strerror}") from None
        if b"\x00" in data:
            raise BriefError(f"brief file {path_or_dash!r} is a binary file, not text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BriefError(
                f"brief file {path_or_dash!r} is not UTF-8 text; save it as UTF-8"
            ) from None
    if "\x00" in text:
        raise BriefError(f"the brief {name!r} is binary, not text")
    if not text.strip():
        raise BriefError(f"the brief {name!r} is empty; write what the video is about")
    return text, name


# --------------------------------------------------------------------------------------
# Front matter
# --------------------------------------------------------------------------------------


#: Bounds on a front matter: aliases (``*a``) and nesting. A "billion laughs" front matter
#: nests anchors so that a few lines stand for billions of values; none of StoryCore's keys
#: needs more than a handful of aliases or levels.
MAX_FRONT_MATTER_ALIASES = 50
MAX_FRONT_MATTER_DEPTH = 20
MAX_FRONT_MATTER_CHARS = 64 * 1024


class _BriefLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without YAML 1.1's base-60 numbers, with bounded aliases and depth.

    PyYAML reads ``16:9`` as the integer 969 and ``4:27`` as 267: a brief's ratios and
    clock durations must stay text.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_FRONT_MATTER_ALIASES:
                raise BriefError(
                    f"the front matter uses more than {MAX_FRONT_MATTER_ALIASES} YAML aliases "
                    "(*name); write the values out"
                )
        self._depth += 1
        try:
            if self._depth > MAX_FRONT_MATTER_DEPTH:
                raise BriefError(
                    f"the front matter nests deeper than {MAX_FRONT_MATTER_DEPTH} levels; "
                    "write 'key: value' lines"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_BriefLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_BriefLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_BriefLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """(front matter, body, line number where the body starts)."""
    lines = text.splitlines()
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or lines[index].rstrip() != "---":
        return {}, text, 1
    opening = index
    for end in range(opening + 1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            break
    else:
        raise BriefError(
            f"the front matter opened by '---' on line {opening + 1} is never closed; "
            "end it with a '---' line"
        )
    block = "\n".join(lines[opening + 1 : end])
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise BriefError(
            f"the front matter is {len(block)} characters long; keep it under "
            f"{MAX_FRONT_MATTER_CHARS // 1024} KiB (the story goes below the closing '---')"
        )
    try:
        data = yaml.load(block, Loader=_BriefLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" on line {opening + 2 + mark.line}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "it is not valid YAML"
        raise BriefError(
            f"the front matter is not valid YAML{where} ({problem}); write 'key: value' "
            "lines, indent with spaces, not tabs"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BriefError(
            f"the front matter (lines {opening + 2}-{end}) must be 'key: value' lines, "
            f"not a {type(data).__name__}"
        )
    return data, "\n".join(lines[end + 1 :]), end + 2


# --------------------------------------------------------------------------------------
# Sections and items
# --------------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d{1,3}[.)])\s+(.*\S)\s*$")
# A line that is only a label: "Characters:", "**Cast**", "__Lieux :__", "STORY:" (bold, or
# ended by a colon, so that a one-word sentence of the story is never taken for one).
_LABEL_LINE = re.compile(
    r"^\s*(?:(?P<bold>\*\*|__)(?P<b>[^*_:\n]{1,40}?)\s*:?\s*(?P=bold)\s*:?"
    r"|(?P<c>[^*_:#\-\n][^*_:\n]{0,39}?)\s*:)\s*$"
)
# "Title: Before Dawn", "**Titre** : Le Phare", "Project: Lantern Festival teaser" as the first
# line of a brief's text ("Project:" only for a name: a few words, no sentence).
_TITLE_LINE = re.compile(
    r"^\s*(?:\*\*|__)?(?P<key>title|titre|working title|project|projet|project name)"
    r"(?:\*\*|__)?\s*:\s*(?P<value>\S.{0,150}?)\s*$",
    re.IGNORECASE,
)
#: A list item that names a scene or shot by its number: "Scene 1: ...", "Shot 2 - ...",
#: "Scène 3 : ...", "Plan 4 — ...".
_NUMBERED_SCENE = re.compile(
    r"(?:\*\*|__)?(?:scene|scène|shot|plan|séquence|sequence)\s+\d{1,3}\b", re.IGNORECASE
)
_BRACKETED = re.compile(r"[(\[]\s*([^()\[\]]{1,24}?)\s*[)\]]")
_BOLD_NAME = re.compile(r"^(\*\*|__)(.+?)\1\s*(.*)$")
_SEPARATED = re.compile(r"^(.+?)\s*(?::(?=\s|$)|—|–|\s-\s)\s*(.*)$")


@dataclass
class _Item:
    kind: str
    head: str
    line: int
    extra: list[str] = field(default_factory=list)


@dataclass
class _Body:
    title: str | None = None
    items: list[_Item] = field(default_factory=list)
    free_lines: list[str] = field(default_factory=list)
    sections: set[str] = field(default_factory=set)


#: Headings that only label the story text that follows them (English and French).
_STORY_HEADINGS = frozenset(
    {"story", "the_story", "synopsis", "pitch", "logline", "summary", "plot", "histoire"}
    | {"l_histoire", "resume", "scenario", "recit", "intrigue"}
)


def _section_kind(heading: str) -> str | None:
    words = _key(heading.strip().rstrip(":")).split("_")
    return _SECTION_NAMES.get("_".join(words)) if words else None


def _split_body(body: str, first_line: int = 1) -> _Body:
    """Headings, known sections with their items, and the rest (free text)."""
    out = _Body()
    section: str | None = None
    section_level = 0
    current: _Item | None = None
    item_indent = 0
    blank_before = False
    in_fence = False
    labelled = False  # the section was opened by a label line, not a heading
    lines = body.splitlines()
    for number, line in enumerate(lines, start=first_line):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            section, current = None, None
            out.free_lines.append(line)
            continue
        titled = None if in_fence or out.title else _title(line)
        if titled and not any(free.strip() for free in out.free_lines) and not out.items:
            out.title = titled  # "Title: Before Dawn"
            continue
        label = None if in_fence else _label(lines, number - first_line)
        if label is not None:
            kind = _section_kind(label)
            if kind or _key(label) in _STORY_HEADINGS:
                # "Characters:" opens a section as "## Characters" does; "Story:" only labels
                # the story that follows and closes the section before it.
                section, section_level, current, labelled = kind, 2, None, True
                if kind:
                    out.sections.add(kind)
                continue
        heading = None if in_fence else _HEADING.match(line)
        if heading:
            level, name = len(heading.group(1)), heading.group(2)
            kind = _section_kind(name)
            if kind:
                section, section_level, current, labelled = kind, level, None, False
                out.sections.add(kind)
                continue
            if section and level > section_level:
                # "### GaBy" under "## Characters": an item whose description follows.
                current = _Item(section, _strip_markup(name), number)
                current.extra.append("")  # marks a heading item: its paragraph continues it
                out.items.append(current)
                item_indent = -1
                continue
            section, current = None, None
            if level == 1 and out.title is None:
                out.title = _strip_markup(name)
                continue
            if _key(name.rstrip(":")) in _STORY_HEADINGS:
                continue  # "## Story", "## Synopsis": a label, not a sentence of the story
            out.free_lines.append(line)
            continue
        if section is None:
            numbered = _ITEM.match(line)
            if numbered and _NUMBERED_SCENE.match(numbered.group(2)):
                # "- Scene 1: close on the machine", "- Plan 2 : Inès court" with no heading:
                # the brief's scene list, each item a scene named by its number
                section, section_level, current, labelled = "scenes", 2, None, True
                out.sections.add("scenes")
            else:
                out.free_lines.append(line)
                continue
        if not line.strip():
            blank_before = True
            continue
        item = _ITEM.match(line)
        indent = len(line) - len(line.lstrip())
        if item and (current is None or (item_indent >= 0 and len(item.group(1)) <= item_indent)):
            current = _Item(section, item.group(2), number)
            out.items.append(current)
            item_indent, blank_before = len(item.group(1)), False
            continue
        if current is not None and (item_indent < 0 or indent > item_indent or not blank_before):
            current.extra.append(item.group(2) if item else line.strip())
            blank_before = False
            continue
        out.free_lines.append(line)
        current, blank_before = None, False
        if labelled:  # a label's section is its list: the prose after it is the story
            section = None
    return out


def _label(lines: list[str], index: int) -> str | None:
    """The label of ``lines[index]`` when the line is only one ("Characters:", "**Cast**"; a
    bare "Characters" when a list comes next), else None."""
    line = lines[index]
    match = _LABEL_LINE.match(line)
    if match is not None:
        return (match.group("b") or match.group("c") or "").strip() or None
    bare = line.strip()
    if not bare or not _section_kind(bare):
        return None
    following = next((lines[i] for i in range(index + 1, len(lines)) if lines[i].strip()), "")
    return bare if _ITEM.match(following) else None


def _title(line: str) -> str | None:
    """The title a "Title: ..." line gives, or None."""
    match = _TITLE_LINE.match(line)
    if match is None:
        return None
    value = _strip_markup(match.group("value")).strip(' "“”«»')
    if match.group("key").lower().startswith("proj") and (
        len(value.split()) > 8 or value.endswith((".", "!", "?"))
    ):
        return None  # "Project: a teaser for the festival, shot at night." is a description
    return value or None


def _strip_markup(text: str) -> str:
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])", r"\1", text)
    return text.replace("`", "").strip()


def _item_parts(item: _Item) -> tuple[str, str, float | None, str | None]:
    """(name, description, duration, problem) of a section item."""
    head = item.head.strip()
    duration: float | None = None
    if item.kind == "scenes":
        for match in _BRACKETED.finditer(head):
            try:
                duration = parse_duration(match.group(1))
            except _DurationRangeError as exc:
                raise BriefError(f"Scenes (line {item.line}): {exc}") from None
            except BriefError:
                continue
            head = (head[: match.start()] + head[match.end() :]).strip()
            head = re.sub(r"\s{2,}", " ", head)
            break
    heading_item = bool(item.extra) and item.extra[0] == ""
    extra = " ".join(part for part in item.extra if part)
    if (
        item.kind == "scenes"
        and not _BOLD_NAME.match(head)  # "**Pack shot** (5s): ..." is the scene's own title
        and stated_direction(_strip_markup(head)) is not None
    ):
        # "Close-up of an alarm clock: 4:45." is a shot the writer framed, not a title
        name, description = "", " ".join(p for p in (_strip_markup(head), extra) if p)
    elif heading_item:
        name, description = head, extra
    else:
        bold = _BOLD_NAME.match(head)
        if bold:
            name = bold.group(2).strip().rstrip(":").strip()
            description = re.sub(r"^(?::|—|–|-)\s*", "", bold.group(3).strip())
        else:
            separated = _SEPARATED.match(head)
            if separated:
                name, description = separated.group(1), separated.group(2)
            else:
                name, description = head, ""
        description = " ".join(p for p in (description.strip(), extra) if p)
    name = _strip_markup(name).rstrip(":").strip()
    description = description.strip()
    problem = None
    limit = 300 if item.kind == "scenes" else 200
    if not name or len(name) > 80:
        if item.kind == "scenes":
            name, description = "", " ".join(p for p in (head, extra) if p)
        else:
            problem = (
                f"{_SECTION_LABELS[item.kind]} (line {item.line}): an entry has no short name; "
                "write '- **Name**: description'"
            )
    return name[:limit], description, duration, problem
