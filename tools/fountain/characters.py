"""Characters and their dialogue: cue names and their extensions (:func:`normalize_cue`), the
display name the action lines spell, the beats of a dialogue block, and characters introduced
in action lines without a line of dialogue."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from storycore.tools.domain import Beat
from storycore.tools.fountain.props import NOT_PROPS
from storycore.tools.text import fold_words_keep_colon as fold

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
    """The spelling the action lines use for a cue name (``GaBy`` for ``GABY``; never an
    all-lower-case one, the common noun of a role: "the driver"), else the name in title
    case; a forced cue with lower case letters is kept as written."""
    if any(ch.islower() for ch in cue_name):
        return cue_name
    pattern = re.compile(rf"(?<![\w]){re.escape(cue_name)}(?![\w])", re.IGNORECASE)
    spellings: Counter[str] = Counter()
    for text in action_texts:
        for found in pattern.findall(text):
            # "the driver pulls in" is the noun, not a spelling of the name DRIVER
            if not found.isupper() and not found.islower():
                spellings[found] += 1
    if spellings:
        return spellings.most_common(1)[0][0]
    return cue_name.title()


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


#: A character's first appearance in an action line, written in capitals with an age in
#: brackets (the screenwriting convention): ``ODILE (50s)``, ``DR. MARSH (60)``.
_INTRODUCTION = re.compile(
    r"(?<![\w'’])((?:[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.\-]+)(?:\s+[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.\-]+){0,2})"
    r"\s*\((?:early |mid |late |mid-|début |fin )?\d{1,2}(?:0s|0's|s| ans| years?)?\b[^)]*\)"
)


def _character_names(preamble: Sequence[Beat], scenes: Sequence[Sequence[Beat]]) -> dict[str, str]:
    """Display name of each character by its cue name: the speakers in order of their first
    line, then characters introduced in action lines (``ALMA (60s)``) who never speak."""
    actions = [beat.text for beats in scenes for beat in beats if beat.kind == "action"] + [
        beat.text for beat in preamble if beat.kind == "action"
    ]
    cues: dict[str, None] = {}
    for scene_beats in [preamble, *scenes]:
        for beat in scene_beats:
            if beat.character and beat.kind == "dialogue":
                cues.setdefault(beat.character, None)
    for text in actions:
        # "ALMA (60s), leather apron, ...": a character introduced without a line of dialogue
        for match in _INTRODUCTION.finditer(text):
            name = match.group(1)
            if fold(name) not in NOT_PROPS and name not in cues:
                cues.setdefault(name, None)
    return {cue: _display_name(cue, actions) for cue in cues}
