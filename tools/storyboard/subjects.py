"""What a close-up of a person frames, for its storyboard panel: the face (most close-ups),
the hands ("Close-up of Henrik's hands gathering molten glass", "Gros plan sur les mains de
Léo qui ...") or the eyes ("Extreme close-up of Nour's eyes", "Très gros plan sur les yeux de
Nour ...").

A shot has no field that says which part of its person it frames: the coverage planner and
a writer both say it in the direction the description opens on, so it is read there, with
one small rule that works in English and French: the direction's subject
(:func:`~storycore.tools.directions.stated_direction`) must *be* the hands or the eyes, the
first word after its determiners and its possessor ("Henrik's", "her", "les", "ses"). "Close-up
of Mira holding her hands up" frames Mira (her face), "Close-up of her hands on the wheel"
frames hands. Only a close shot of people reads it (MCU, CU, ECU, single or POV): a wide shot
"of her hands" still shows the whole figure, and every other panel keeps its drawing.
"""

from __future__ import annotations

import re

from anyascii import anyascii

from storycore.tools.directions import stated_direction
from storycore.tools.domain import Framing, ShotSize, ShotSpec

HANDS = "hands"
EYES = "eyes"

#: The words naming a framed part, folded (lower case, no accents: "œil" is "oeil").
_PARTS = {
    "hand": HANDS,
    "hands": HANDS,
    "main": HANDS,
    "mains": HANDS,
    "eye": EYES,
    "eyes": EYES,
    "oeil": EYES,
    "yeux": EYES,
}
#: Words before the part that do not change what is framed: determiners, possessives,
#: which side ("her left hand", "la main droite" reads "main" first anyway).
_LEADS = frozenset(
    {"the", "a", "an", "his", "her", "their", "its", "my", "your", "our", "both", "two"}
    | {"left", "right", "le", "la", "les", "l", "un", "une", "des", "ses", "sa", "son"}
    | {"leur", "leurs", "ces", "deux"}
)
#: The cheap test before the direction is read (most descriptions name no hands or eyes).
_HINT = re.compile(r"hand|main|eye|yeux|oeil|œil", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
_CLOSE = frozenset({ShotSize.MCU, ShotSize.CU, ShotSize.ECU})
_OF_ONE = frozenset({Framing.SINGLE, Framing.POV})


def framed_part(shot: ShotSpec) -> str:
    """:data:`HANDS` or :data:`EYES` when the shot is a close shot of a person whose
    direction (its description, else its title) frames that part; "" for any other shot
    (drawn as before: a face, a figure, an object, a place)."""
    if not shot.characters or shot.shot_size not in _CLOSE or shot.framing not in _OF_ONE:
        return ""
    for text in (shot.description, shot.title):
        if not _HINT.search(text):
            continue
        direction = stated_direction(text)
        if direction is not None and direction.subject:
            part = _head_part(direction.subject)
            if part:
                return part
    return ""


def _head_part(subject: str) -> str:
    """The part ``subject`` names when it is the hands or the eyes ("Henrik's hands
    gathering...", "les yeux de Nour"), else ""."""
    folded = anyascii(subject).lower().replace("’", "'")
    for word in _WORD.findall(folded):
        if word.endswith("'s") or word in _LEADS:
            continue  # "Henrik's", "her", "les"
        if word.startswith(("l'", "d'")):
            word = word[2:]  # "l'oeil"
        return _PARTS.get(word, "")
    return ""
