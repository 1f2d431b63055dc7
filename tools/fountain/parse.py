"""Reading Fountain text into a :class:`Screenplay`: boneyard and notes removed, the title
page read only when it is one, paragraphs classified by screenplain into scenes and beats."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from screenplain import types as sp_types
from screenplain.parsers.fountain import parse_body, parse_title_page

from storycore.tools.domain import Beat
from storycore.tools.errors import BriefError
from storycore.tools.fountain.characters import _character_names, _dialogue_beats, _rich
from storycore.tools.fountain.headings import (
    _HEADING_LINE,
    _STANDARD_HEADING,
    SceneHeading,
    parse_heading,
)
from storycore.tools.fountain.timing import transition_named

_BONEYARD = re.compile(r"/\*.*?\*/", re.DOTALL)
_NOTE = re.compile(r"\[\[.*?\]\]", re.DOTALL)
_GONE = "\x00"
_FADE_LINE = re.compile(
    r"^>?\s*(FADE IN|FADE OUT|FADE TO BLACK|CUT TO BLACK|SMASH TO BLACK|"
    r"OUVERTURE AU NOIR|FONDU AU NOIR|FONDU ENCHA[IÎ]N[EÉ]|FERMETURE AU NOIR)\s*[:.]?$"
)
#: Title-page keys of the Fountain spec; one of them must appear for a title page.
TITLE_PAGE_KEYS = frozenset(
    {"title", "credit", "author", "authors", "source", "draft date", "date", "contact"}
    | {"copyright", "notes", "revision", "episode", "series", "format", "language"}
)


@dataclass
class ScreenplayScene:
    """A scene of a parsed screenplay: its heading, its synopsis and its beats."""

    heading: SceneHeading
    beats: list[Beat] = field(default_factory=list)
    synopsis: str | None = None


@dataclass
class Screenplay:
    """A parsed Fountain screenplay.

    ``title_page`` keys are lower case ("title", "draft date"); multi-line values are joined
    with newlines. ``preamble`` holds what comes before the first scene heading (usually
    ``FADE IN:``).
    """

    title_page: dict[str, str] = field(default_factory=dict)
    scenes: list[ScreenplayScene] = field(default_factory=list)
    preamble: list[Beat] = field(default_factory=list)
    characters: dict[str, str] = field(default_factory=dict)
    """Display name of each character by its cue name (``GABY`` -> ``GaBy``)."""

    @property
    def title(self) -> str | None:
        return self.title_page.get("title")


def _strip_marked(text: str, pattern: re.Pattern[str]) -> str:
    # A line left holding only a removed note or boneyard vanishes; a blank line there would
    # split the paragraph (a cue from its dialogue).
    marked = pattern.sub(_GONE, text)
    lines = [
        line for line in marked.split("\n") if _GONE not in line or line.replace(_GONE, "").strip()
    ]
    return "\n".join(line.replace(_GONE, "") for line in lines)


def _split_title_page(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    lines = lines[start:]
    end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    head = lines[:end]
    if not head or _HEADING_LINE.match(head[0].strip()):
        return {}, lines
    parsed: dict[str, list[str]] | None = parse_title_page(head)
    if not parsed or not any(key.lower() in TITLE_PAGE_KEYS for key in parsed):
        return {}, lines
    page = {key.lower(): "\n".join(v.strip() for v in values) for key, values in parsed.items()}
    return page, lines[end:]


#: The most scenes a screenplay may have (scene ids run sc_01 to sc_999).
MAX_SCENES = 999
#: The longest screenplay read, in characters (2 MiB, as for a brief file).
MAX_FOUNTAIN_CHARS = 2 * 1024 * 1024


def parse_fountain(text: str) -> Screenplay:
    """Parse Fountain text into a :class:`Screenplay` (title page, scenes with their beats).

    Character names in beats are cue names without extensions (``GABY``); the screenplay's
    ``characters`` maps them to display names.
    """
    if len(text) > MAX_FOUNTAIN_CHARS:
        raise BriefError(
            f"the screenplay is {len(text)} characters long; StoryCore reads at most "
            f"{MAX_FOUNTAIN_CHARS} (about 1000 pages)"
        )
    cleaned = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _strip_marked(cleaned, _BONEYARD)
    cleaned = _strip_marked(cleaned, _NOTE)
    lines = [line.expandtabs(4) for line in cleaned.split("\n")]
    title_page, body = _split_title_page(lines)
    screenplay = Screenplay(title_page=title_page)
    _read_body(screenplay, body)
    screenplay.characters = _character_names(
        screenplay.preamble, [s.beats for s in screenplay.scenes]
    )
    return screenplay


def _read_body(screenplay: Screenplay, body: list[str]) -> None:
    """Classify the body's paragraphs (screenplain) into the screenplay's scenes and beats;
    beats before the first scene heading go to its preamble."""
    current: list[Beat] = screenplay.preamble
    for paragraph in parse_body(iter(body)):
        if isinstance(paragraph, sp_types.Slug):
            scene = _new_scene(screenplay, paragraph)
            screenplay.scenes.append(scene)
            current = scene.beats
        elif isinstance(paragraph, sp_types.Action):
            beat = _action_beat(paragraph)
            if beat is not None:
                current.append(beat)
        elif isinstance(paragraph, sp_types.DualDialog):
            current.extend(_dialogue_beats(paragraph.left, dual=True))
            current.extend(_dialogue_beats(paragraph.right, dual=True))
        elif isinstance(paragraph, sp_types.Dialog):
            current.extend(_dialogue_beats(paragraph, dual=False))
        elif isinstance(paragraph, sp_types.Transition):
            current.append(Beat(kind="transition", text=_rich(paragraph.line)))
        # Sections, synopses of sections and page breaks do not change the film.


def _new_scene(screenplay: Screenplay, paragraph: sp_types.Slug) -> ScreenplayScene:
    """The scene a heading paragraph starts; refused past :data:`MAX_SCENES` scenes."""
    number = _rich(paragraph.scene_number) if paragraph.scene_number else ""
    line = _rich(paragraph.line)
    heading = parse_heading(line + (f" #{number}#" if number else ""))
    if not _STANDARD_HEADING.match(line):
        # screenplain drops the '.' of a forced heading; its form tells it was one.
        heading = replace(heading, forced=True)
    scene = ScreenplayScene(heading=heading, synopsis=paragraph.synopsis)
    if len(screenplay.scenes) >= MAX_SCENES:
        raise BriefError(
            f"the screenplay has more than {MAX_SCENES} scenes (scene "
            f"{len(screenplay.scenes) + 1}: {line[:60]!r}); plan it in parts of at "
            f"most {MAX_SCENES} scenes"
        )
    return scene


def _action_beat(paragraph: sp_types.Action) -> Beat | None:
    """An action paragraph as one beat (a transition when it is a fade line in capitals), or
    ``None`` when it holds no text."""
    lines_text = [_rich(line) for line in paragraph.lines]
    joined = " ".join(line for line in lines_text if line)
    if not joined:
        return None
    if (joined.upper() == joined and _FADE_LINE.match(joined)) or transition_named(joined):
        # A paragraph that only names a transition ("FONDU AU NOIR.", "CUT :", "Fade to
        # black.") shapes the edit; it is never a shot.
        return Beat(kind="transition", text=joined)
    return Beat(kind="action", text=joined)
