"""Fountain screenplays to :class:`~storycore.tools.domain.Scene` objects, and the vocabulary
of scene headings (interior/exterior, time of day, time jumps) that every breakdown shares.

Parsing
-------
Paragraphs are classified by screenplain 0.12 (scene headings with their ``#12A#`` numbers,
forced headings ``.FLASHBACK``, character cues and ``@`` forced cues, parentheticals, dual
dialogue ``^``, transitions ``CUT TO:`` and ``> FADE OUT``, centered text, sections and
synopses). This module does what screenplain gets wrong or leaves out:

* boneyard ``/* */`` and notes ``[[ ]]`` are removed before classification, and a line that
  held nothing else disappears (screenplain would leave a blank line that splits a dialogue
  block in two);
* the title page is read only when the first line is not a scene heading and at least one
  key is a usual title-page key (screenplain takes ``EXT. STREET - 10:30 AM`` for a title page
  because of its colon);
* ``FADE IN:``, ``FADE OUT.``, ``FADE TO BLACK.`` are transitions (the spec only recognises
  lines ending in ``TO:``);
* cue extensions (``(V.O.)``, ``(CONT'D)``, ``(O.S.)``...) are removed from the name and the
  V.O./O.S./O.C. kind is kept on the beat, since an unseen speaker must not be lip-synced.

Scenes
------
:func:`scenes_from_fountain` numbers scenes as written (``#12A#`` gives ``"12A"``) or by their
order, names characters from their cues (with the mixed-case spelling the action lines use,
``GABY`` -> ``GaBy``), finds props (see :func:`find_props`), and sets each scene's entry
transition (:func:`entry_transition`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from screenplain import types as sp_types
from screenplain.parsers.fountain import parse_body, parse_title_page

from storycore.tools.domain import Beat, IntExt, Scene, Transition
from storycore.tools.errors import BriefError
from storycore.tools.text import fold_words_keep_colon as fold

__all__ = [
    "SceneHeading",
    "SceneTime",
    "Screenplay",
    "ScreenplayScene",
    "TimeRelation",
    "entry_transition",
    "find_props",
    "fold",
    "infer_transitions",
    "is_time_of_day",
    "looks_like_screenplay",
    "mentions",
    "normalize_cue",
    "parse_fountain",
    "parse_heading",
    "props_by_scene",
    "scenes_from_fountain",
    "time_relations",
]

# --------------------------------------------------------------------------------------
# Text helpers shared by the breakdown
# --------------------------------------------------------------------------------------


def mentions(text: str, name: str, *, head_noun: bool = False) -> bool:
    """Whether ``text`` names ``name`` as whole words (case and accents ignored).

    With ``head_noun`` a multi-word name also matches its last word ("the umbrella" names
    "red umbrella").
    """
    haystack = f" {fold(text)} "
    key = fold(name)
    if not key:
        return False
    if f" {key} " in haystack:
        return True
    if head_noun and " " in key:
        last = key.rsplit(" ", 1)[1]
        return len(last) > 2 and f" {last} " in haystack
    return False


# --------------------------------------------------------------------------------------
# Scene headings and time of day
# --------------------------------------------------------------------------------------

_INT_EXT = re.compile(
    r"^(?P<ie>INT\.?\s*/\s*EXT|EXT\.?\s*/\s*INT|I\s*/\s*E|E\s*/\s*I|INT\.?\s+EXT|"
    r"INT(?:ERIOR|ÉRIEUR|ERIEUR)?|EXT(?:ERIOR|ÉRIEUR|ERIEUR)?|EST)(?:\.|\s|$)\s*",
    re.IGNORECASE,
)
_INT_EXT_CODES = {
    "EST": IntExt.EXT,
    "INTEXT": IntExt.INT_EXT,
    "E/I": IntExt.INT_EXT,
    "INT": IntExt.INT,
    "EXT": IntExt.EXT,
}
# What screenplain recognises as a heading without a leading '.'.
_STANDARD_HEADING = re.compile(r"^(?:INT|EXT|EST|INT\.?/EXT|I/E)[ .]", re.IGNORECASE)
_CUE_LINE = re.compile(r"^[A-Z][A-Z .'\-]{1,30}$")
_HEADING_LINE = re.compile(r"^(?:\.(?!\.)\S|(?:INT|EXT|EST|INT\.?/EXT|I/E)[\s.])", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"\s*#([\w.\-]+)#\s*$")
_PART_SEPARATOR = re.compile(r"\s+[-–—]+\s+")

#: Periods of the day a heading can name, with their English and French words. The keys are
#: what shots carry as ``time_of_day`` (generation prompts light by them).
PERIODS: dict[str, tuple[str, ...]] = {
    "dawn": (
        "dawn",
        "sunrise",
        "daybreak",
        "first light",
        "aube",
        "aurore",
        "lever du jour",
        "lever du soleil",
        "point du jour",
    ),
    "morning": ("morning", "early morning", "late morning", "matin", "matinee", "petit matin"),
    "day": ("day", "daytime", "afternoon", "noon", "midday", "jour", "apres midi", "midi"),
    "evening": (
        "evening",
        "sunset",
        "dusk",
        "twilight",
        "golden hour",
        "magic hour",
        "soir",
        "soiree",
        "crepuscule",
        "coucher du soleil",
        "fin de journee",
    ),
    "night": ("night", "midnight", "late night", "nuit", "minuit", "nuit tombee"),
}
#: Heading times that continue the previous scene without a cut in time.
CONTINUOUS_TIMES = frozenset(
    {"continuous", "cont", "continued", "same", "same time", "suite", "continu", "continue"}
    | {"meme moment", "au meme moment", "meme temps"}
)
#: Heading times that skip a little time: a cut is enough.
ELLIPSIS_TIMES = frozenset(
    {"moments later", "a moment later", "seconds later", "minutes later", "instants plus tard"}
    | {"un instant plus tard", "quelques instants plus tard", "quelques minutes plus tard"}
)
#: Words that mark a time jump (a dissolve), alone or with a period ("THE NEXT MORNING").
_JUMP_WORDS = re.compile(
    r"\b(later|next|following|earlier|plus tard|plus tot|lendemain|veille|suivant|suivante|"
    r"flashback|flash back)\b"
)
# 10:30, 10h30, 10:30 pm, 10 pm (a bare number is not a time: "INT. ROOM - 12").
_CLOCK = re.compile(r"^(\d{1,2})\s*(?:[:h]\s*\d{2}\s*(am|pm|a m|p m)?|(am|pm|a m|p m))$")

TimeRelation = Literal["start", "continuous", "ellipsis", "jump", "same_period", "unspecified"]


def _period_of(folded: str) -> str | None:
    for period, words in PERIODS.items():
        for word in words:
            if folded == word or f" {word} " in f" {folded} ":
                return period
    clock = _CLOCK.match(folded)
    if clock:
        hour = int(clock.group(1)) % 24
        suffix = (clock.group(2) or clock.group(3) or "").replace(" ", "")
        if suffix == "pm" and hour < 12:
            hour += 12
        if suffix == "am" and hour == 12:
            hour = 0
        if 5 <= hour < 7:
            return "dawn"
        if 7 <= hour < 12:
            return "morning"
        if 12 <= hour < 17:
            return "day"
        if 17 <= hour < 21:
            return "evening"
        return "night"
    return None


def looks_like_screenplay(text: str) -> bool:
    """Whether text without a ``.fountain`` name is a screenplay: at least one standard scene
    heading (INT./EXT. ...) and one character cue (a short line in capitals)."""
    lines = [line.strip() for line in text.splitlines()]
    has_heading = any(_STANDARD_HEADING.match(line) and line.isupper() for line in lines)
    return has_heading and any(_CUE_LINE.match(line) for line in lines)


def is_time_of_day(text: str) -> bool:
    """Whether the last part of a heading names a time ("NIGHT", "LATER", "10:30 AM")."""
    folded = fold(text)
    return bool(
        folded
        and (
            folded in CONTINUOUS_TIMES
            or folded in ELLIPSIS_TIMES
            or _period_of(folded) is not None
            or _JUMP_WORDS.search(folded)
        )
    )


@dataclass(frozen=True)
class SceneHeading:
    """A scene heading taken apart: ``INT. KITCHEN - NIGHT #12A#``."""

    text: str
    number: str | None = None
    int_ext: IntExt | None = None
    location: str | None = None
    time_of_day: str | None = None
    forced: bool = False


def parse_heading(line: str) -> SceneHeading:
    """Take a heading apart: INT/EXT, location, time of day (the last ``-`` part, when it
    names a time) and the ``#number#``. A leading ``.`` (a forced heading) is dropped."""
    text = line.strip()
    forced = text.startswith(".") and not text.startswith("..")
    if forced:
        text = text[1:].strip()
    number = None
    match = _SCENE_NUMBER.search(text)
    if match:
        number = match.group(1).upper()
        text = text[: match.start()].strip()
    int_ext: IntExt | None = None
    rest = text
    match = _INT_EXT.match(text)
    if match:
        code = re.sub(r"[\s.]", "", match.group("ie").upper())
        if code.startswith(("INTER", "INTÉR", "EXTER", "EXTÉR")):
            code = code[:3]  # INTERIOR, EXTÉRIEUR...
        int_ext = _INT_EXT_CODES.get(code) or IntExt.parse(code)
        rest = text[match.end() :].strip()
    parts = [p.strip() for p in _PART_SEPARATOR.split(rest) if p.strip()]
    time_of_day = None
    if len(parts) > 1 and is_time_of_day(parts[-1]):
        time_of_day = parts.pop()
    elif len(parts) == 1 and int_ext is None and is_time_of_day(parts[0]):
        # ".LATER" or ".THE NEXT MORNING": a forced heading that only moves time.
        time_of_day = parts.pop()
    location = " - ".join(parts) or None
    return SceneHeading(
        text=text,
        number=number,
        int_ext=int_ext,
        location=location,
        time_of_day=time_of_day,
        forced=forced,
    )


@dataclass(frozen=True)
class SceneTime:
    """When a scene happens relative to the one before it."""

    relation: TimeRelation
    period: str | None
    """The period of day that lights the scene (inherited across CONTINUOUS, LATER...)."""


def time_relations(scenes: Sequence[Scene]) -> list[SceneTime]:
    """For each scene, its time relation to the previous scene and its effective period.

    ``continuous`` (CONTINUOUS, SAME), ``ellipsis`` (MOMENTS LATER: a cut is enough), ``jump``
    (LATER, THE NEXT MORNING, or a period that differs from the previous one: NIGHT after
    DAY), ``same_period`` (DAY after DAY), ``unspecified`` (no time given), ``start``.
    """
    out: list[SceneTime] = []
    previous: str | None = None
    for index, scene in enumerate(scenes):
        folded = fold(scene.time_of_day or "")
        period = _period_of(folded) if folded else None
        relation: TimeRelation
        if index == 0:
            relation = "start"
        elif not folded:
            relation = "unspecified"
        elif folded in CONTINUOUS_TIMES:
            relation = "continuous"
        elif folded in ELLIPSIS_TIMES:
            relation = "ellipsis"
        elif _JUMP_WORDS.search(folded):
            relation = "jump"
        elif period is not None and previous is not None:
            relation = "same_period" if period == previous else "jump"
        else:
            relation = "unspecified"
        effective = period or previous
        out.append(SceneTime(relation=relation, period=effective))
        previous = effective
    return out


def _transition_of(text: str) -> Transition | None:
    cleaned = text.strip().strip(">").strip().rstrip(":.").strip()
    try:
        parsed: Transition = Transition.parse(cleaned)
    except ValueError:
        # BACK TO:, FLASH CUT TO:, INTERCUT WITH: are all cuts as far as timing goes.
        return Transition.CUT if re.search(r"\b(cut|to)\b", cleaned, re.IGNORECASE) else None
    return parsed


def entry_transition(
    previous: Scene | None, scene: Scene, relation: TimeRelation | None = None
) -> Transition:
    """How a scene is entered, by precedence: an explicit transition beat (the previous
    scene's last beat, or this scene's first), a non-cut ``scene.transition_in``, a fade in for
    the first scene, a dissolve on a time jump, else a cut. ``FADE OUT`` before a scene
    means it fades in."""
    explicit: Transition | None = None
    if previous is not None and previous.beats and previous.beats[-1].kind == "transition":
        explicit = _transition_of(previous.beats[-1].text)
    if scene.beats and scene.beats[0].kind == "transition":
        explicit = _transition_of(scene.beats[0].text) or explicit
    if explicit is not None:
        return Transition.FADE_IN if explicit is Transition.FADE_OUT else explicit
    if scene.transition_in is not Transition.CUT:
        return scene.transition_in
    if previous is None:
        return Transition.FADE_IN
    if relation == "jump":
        return Transition.DISSOLVE
    return Transition.CUT


# --------------------------------------------------------------------------------------
# Characters and props
# --------------------------------------------------------------------------------------

_EXTENSION = re.compile(r"\(([^()]*)\)")
#: Extensions whose speaker is not seen: their lines are narration or off-screen voice.
UNSEEN_EXTENSIONS = {
    "V.O.": ("vo", "v o", "voice over", "voiceover", "voix off", "off", "narrating"),
    "O.S.": ("os", "o s", "off screen", "offscreen", "hors champ", "h c", "hc"),
    "O.C.": ("oc", "o c", "off camera"),
}


def normalize_cue(cue: str) -> tuple[str, str | None]:
    """A character cue as (name, unseen extension): ``GABY (V.O.)`` -> ``("GABY", "V.O.")``;
    ``MARC (CONT'D)`` -> ``("MARC", None)``; ``@McCLANE`` -> ``("McCLANE", None)``."""
    text = cue.strip().removeprefix("@").rstrip("^").strip()
    extension: str | None = None
    for inner in _EXTENSION.findall(text):
        key = fold(inner)
        for code, words in UNSEEN_EXTENSIONS.items():
            if key in words:
                extension = code
    name = " ".join(_EXTENSION.sub(" ", text).split())
    return name, extension


def _display_name(cue_name: str, action_texts: Sequence[str]) -> str:
    """The spelling the action lines use for a cue name (``GaBy`` for ``GABY``), else the
    name in title case; a forced cue with lower case letters is kept as written."""
    if any(ch.islower() for ch in cue_name):
        return cue_name
    pattern = re.compile(rf"(?<![\w]){re.escape(cue_name)}(?![\w])", re.IGNORECASE)
    spellings: Counter[str] = Counter()
    for text in action_texts:
        for found in pattern.findall(text):
            if not found.isupper():
                spellings[found] += 1
    if spellings:
        return spellings.most_common(1)[0][0]
    return cue_name.title()


_DETERMINERS = (
    "a|an|the|his|her|their|its|my|your|our|this|that|these|those|"
    "un|une|le|la|les|l|son|sa|ses|leur|leurs|mon|ma|mes|ton|ta|tes|ce|cet|cette|du|des"
)
# An ALL-CAPS phrase right after a determiner: the screenwriter's way to flag a prop.
_CAPS_AFTER_DETERMINER = re.compile(
    rf"\b(?i:{_DETERMINERS})(?:\s+|['’])"
    r"((?:[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’\-]+)(?:\s+[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’\-]+){0,3})\b"
)
#: Capitalised words that are sounds or people, not props (English and French).
NOT_PROPS = frozenset(
    {
        # sounds written in capitals
        "bang",
        "boom",
        "crash",
        "slam",
        "thud",
        "ring",
        "click",
        "knock",
        "beep",
        "buzz",
        "honk",
        "scream",
        "gunshot",
        "explosion",
        "thunder",
        "whistle",
        "roar",
        "splash",
        "crack",
        "bruit",
        "cri",
        "coup de feu",
        "tonnerre",
        "sonnerie",
        # people: extras are not props
        "man",
        "woman",
        "men",
        "women",
        "boy",
        "girl",
        "child",
        "kid",
        "crowd",
        "stranger",
        "waiter",
        "waitress",
        "officer",
        "policeman",
        "guard",
        "doctor",
        "nurse",
        "driver",
        "homme",
        "femme",
        "enfant",
        "foule",
        "inconnu",
        "inconnue",
        "serveur",
        "serveuse",
        "policier",
        "garde",
        "medecin",
        "chauffeur",
        "mother",
        "father",
        "sister",
        "brother",
        "wife",
        "husband",
        "friend",
        "mere",
        "pere",
        "soeur",
        "frere",
        "ami",
        "amie",
        # screenplay words
        "end",
        "fin",
        "title",
        "titre",
        "pov",
        "insert",
        "flashback",
        "montage",
    }
)


def find_props(
    action_texts: Iterable[str],
    *,
    known_props: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> list[str]:
    """Props named in action lines, in order of first appearance (lower case).

    Two sources: ``known_props`` (a list the user or the brief gives; kept when an action line
    names them), and the screenwriting convention of writing an important prop in capitals
    after a determiner ("a RED UMBRELLA", "sa VALISE"). Sounds ("a loud BANG"), people ("A
    WAITER") and names in ``exclude`` (the characters) are left out.
    """
    texts = list(action_texts)
    excluded = {fold(name) for name in exclude}
    found: dict[str, None] = {}
    known = [name.strip() for name in known_props if name.strip()]
    for text in texts:
        # A line all in capitals is shouted emphasis, not a list of props.
        caps = [] if text.isupper() else _CAPS_AFTER_DETERMINER.finditer(text)
        for match in caps:
            phrase = match.group(1)
            if not phrase.isupper() or len(phrase.replace(" ", "")) < 3:
                continue
            key = fold(phrase)
            head = key.rsplit(" ", 1)[-1]
            if key in NOT_PROPS or head in NOT_PROPS or key in excluded or head in excluded:
                continue
            found.setdefault(phrase.lower(), None)
        for name in known:
            if mentions(text, name, head_noun=True):
                found.setdefault(name, None)
    return list(found)


def props_by_scene(scene_texts: Sequence[Sequence[str]], props: Sequence[str]) -> list[list[str]]:
    """The props each scene shows, from its action texts, in story order.

    A prop counts where it is named in full ("the red umbrella"); its last word alone ("the
    umbrella") counts only once the full name has appeared in this scene or an earlier one,
    so "a camera bag" in scene 1 is not the "film camera" introduced in scene 2.
    """
    introduced: set[str] = set()
    out: list[list[str]] = []
    for texts in scene_texts:
        full = {p for p in props if any(mentions(t, p) for t in texts)}
        introduced |= full
        out.append(
            [
                p
                for p in props
                if p in full
                or (p in introduced and any(mentions(t, p, head_noun=True) for t in texts))
            ]
        )
    return out


# --------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------

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


def _rich(value: Any) -> str:
    return " ".join(str(value).split())


def _dialogue_beats(dialog: Any, *, dual: bool) -> list[Beat]:
    """The lines of one dialogue block, one beat per run of speech: a parenthetical in the
    middle ("(beat)") starts a new beat that carries it."""
    name, extension = normalize_cue(_rich(dialog.character))
    beats: list[Beat] = []
    parenthetical: list[str] = []
    speech: list[str] = []

    def flush() -> None:
        text = " ".join(speech).strip()
        paren = " ".join(parenthetical).strip() or None
        if text:
            beats.append(
                Beat(
                    kind="dialogue",
                    text=text,
                    character=name,
                    parenthetical=paren,
                    extension=extension,
                    dual=dual,
                )
            )
        elif paren:
            # A cue with only a parenthetical ("(laughs)") is acting, not speech.
            beats.append(Beat(kind="action", text=f"{name} {paren}.", character=name))
        speech.clear()
        parenthetical.clear()

    for is_parenthetical, raw in dialog.blocks:
        line = _rich(raw)
        if not line:
            continue
        if is_parenthetical:
            if speech:
                flush()
            parenthetical.append(line.strip().lstrip("(").rstrip(")").strip())
        else:
            speech.append(line)
    flush()
    return beats


def parse_fountain(text: str) -> Screenplay:
    """Parse Fountain text into a :class:`Screenplay` (title page, scenes with their beats).

    Character names in beats are cue names without extensions (``GABY``); the screenplay's
    ``characters`` maps them to display names.
    """
    cleaned = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _strip_marked(cleaned, _BONEYARD)
    cleaned = _strip_marked(cleaned, _NOTE)
    lines = [line.expandtabs(4) for line in cleaned.split("\n")]
    title_page, body = _split_title_page(lines)
    screenplay = Screenplay(title_page=title_page)
    current: list[Beat] = screenplay.preamble
    for paragraph in parse_body(iter(body)):
        if isinstance(paragraph, sp_types.Slug):
            number = _rich(paragraph.scene_number) if paragraph.scene_number else ""
            line = _rich(paragraph.line)
            heading = parse_heading(line + (f" #{number}#" if number else ""))
            if not _STANDARD_HEADING.match(line):
                # screenplain drops the '.' of a forced heading; its form tells it was one.
                heading = replace(heading, forced=True)
            scene = ScreenplayScene(heading=heading, synopsis=paragraph.synopsis)
            screenplay.scenes.append(scene)
            current = scene.beats
        elif isinstance(paragraph, sp_types.Action):
            lines_text = [_rich(line) for line in paragraph.lines]
            joined = " ".join(line for line in lines_text if line)
            if not joined:
                continue
            if _FADE_LINE.match(joined.upper()) and joined.upper() == joined:
                current.append(Beat(kind="transition", text=joined))
            else:
                current.append(Beat(kind="action", text=joined))
        elif isinstance(paragraph, sp_types.DualDialog):
            current.extend(_dialogue_beats(paragraph.left, dual=True))
            current.extend(_dialogue_beats(paragraph.right, dual=True))
        elif isinstance(paragraph, sp_types.Dialog):
            current.extend(_dialogue_beats(paragraph, dual=False))
        elif isinstance(paragraph, sp_types.Transition):
            current.append(Beat(kind="transition", text=_rich(paragraph.line)))
        # Sections, synopses of sections and page breaks do not change the film.
    actions = [
        beat.text for scene in screenplay.scenes for beat in scene.beats if beat.kind == "action"
    ] + [beat.text for beat in screenplay.preamble if beat.kind == "action"]
    cues: dict[str, None] = {}
    for scene_beats in [screenplay.preamble, *(s.beats for s in screenplay.scenes)]:
        for beat in scene_beats:
            if beat.character and beat.kind == "dialogue":
                cues.setdefault(beat.character, None)
    screenplay.characters = {cue: _display_name(cue, actions) for cue in cues}
    return screenplay


# --------------------------------------------------------------------------------------
# Screenplay -> scenes
# --------------------------------------------------------------------------------------


def _scene_numbers(headings: Sequence[SceneHeading]) -> list[str]:
    written: dict[str, int] = {}
    for index, heading in enumerate(headings):
        if heading.number is None:
            continue
        if heading.number in written:
            first = written[heading.number] + 1
            raise BriefError(
                f"scene number {heading.number} is used by scene headings {first} and "
                f"{index + 1}; give each scene its own number"
            )
        written[heading.number] = index
    numbers: list[str] = []
    taken = set(written)
    for index, heading in enumerate(headings):
        if heading.number is not None:
            numbers.append(heading.number)
            continue
        # Its order, unless a written number already says the same ("3" then "3B", "3C").
        candidate = str(index + 1)
        suffix = ord("B")
        while candidate in taken:
            candidate = f"{index + 1}{chr(suffix)}"
            suffix += 1
        taken.add(candidate)
        numbers.append(candidate)
    return numbers


def _present(beats: Sequence[Beat], names: dict[str, str]) -> list[str]:
    """Characters seen in a scene, in order: speakers (not V.O./O.S.) and names in action."""
    seen: dict[str, None] = {}
    for beat in beats:
        if beat.kind == "dialogue" and beat.character and beat.extension is None:
            seen.setdefault(names.get(beat.character, beat.character), None)
        elif beat.kind == "action":
            for cue, display in names.items():
                if mentions(beat.text, display) or mentions(beat.text, cue):
                    seen.setdefault(display, None)
    return list(seen)


def _with_display_name(beat: Beat, names: dict[str, str]) -> Beat:
    if not beat.character:
        return beat
    display = names.get(beat.character, beat.character)
    update: dict[str, Any] = {"character": display}
    if beat.kind == "action":
        update["text"] = beat.text.replace(beat.character, display, 1)
    return beat.model_copy(update=update)


def scenes_from_fountain(
    text: str, *, known_props: Iterable[str] = ()
) -> tuple[list[Scene], dict[str, str]]:
    """The scenes of a Fountain screenplay, and its title page (lower-case keys).

    Raises :class:`BriefError` when the text has no scene heading or when two headings carry
    the same scene number.
    """
    screenplay = parse_fountain(text)
    if not screenplay.scenes:
        raise BriefError(
            "the screenplay has no scene headings; start each scene with a line like "
            "'INT. KITCHEN - NIGHT' (or force one with a leading '.')"
        )
    names = screenplay.characters
    # Opening action before any heading belongs to the first scene; a lone FADE IN: is its
    # entry transition.
    screenplay.scenes[0].beats[:0] = screenplay.preamble
    numbers = _scene_numbers([s.heading for s in screenplay.scenes])
    all_actions = [b.text for s in screenplay.scenes for b in s.beats if b.kind == "action"]
    props = find_props(all_actions, known_props=known_props, exclude=[*names, *names.values()])
    shown = props_by_scene(
        [[b.text for b in s.beats if b.kind == "action"] for s in screenplay.scenes], props
    )
    scenes: list[Scene] = []
    for index, (parsed, number) in enumerate(zip(screenplay.scenes, numbers, strict=True)):
        beats = [_with_display_name(beat, names) for beat in parsed.beats]
        scene_props = shown[index]
        description = parsed.synopsis or next((b.text for b in beats if b.kind == "action"), "")
        scenes.append(
            Scene(
                scene_id=f"sc_{index + 1:02d}",
                number=number,
                heading=parsed.heading.text,
                location=parsed.heading.location,
                int_ext=parsed.heading.int_ext,
                time_of_day=parsed.heading.time_of_day,
                description=description,
                characters=_present(beats, names),
                props=scene_props,
                beats=beats,
            )
        )
    return infer_transitions(scenes), screenplay.title_page


def infer_transitions(scenes: Sequence[Scene]) -> list[Scene]:
    """The scenes with ``transition_in`` set by :func:`entry_transition`."""
    times = time_relations(scenes)
    out: list[Scene] = []
    for index, scene in enumerate(scenes):
        previous = scenes[index - 1] if index else None
        transition = entry_transition(previous, scene, times[index].relation)
        out.append(scene.model_copy(update={"transition_in": transition}))
    return out
