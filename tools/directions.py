"""Shot directions a writer puts in the story itself: "Close-up of an alarm clock: 4:45.",
"Wide shot: Maya laces her shoes.", "Tracking shot: Maya runs...", "Pack shot of the shoes",
"Gros plan sur la tasse". A line that opens on one is a shot the writer already framed: the
planner keeps that framing, and a brief's scene list does not take it for a scene title.

Only a direction that opens its text counts, and only in a form that cannot be a sentence of
the story: a framing name followed by "of"/"on"/"sur"/"de", a colon or a dash, or a name
that ends in "shot"/"plan" ("Full moon over the bay" names no shot; "Full shot of Maya" does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from storycore.tools.domain import CameraMovement, Framing, SceneType, ShotSize
from storycore.tools.text import alias_key

# Words the alias tables of the enums do not hold, with what they say.
_EXTRA: dict[str, tuple[ShotSize | None, Framing | None, SceneType | None]] = {
    "pack shot": (ShotSize.CU, Framing.INSERT, SceneType.INSERT),
    "packshot": (ShotSize.CU, Framing.INSERT, SceneType.INSERT),
    "product shot": (ShotSize.CU, Framing.INSERT, SceneType.INSERT),
    "plan produit": (ShotSize.CU, Framing.INSERT, SceneType.INSERT),
    "insert": (ShotSize.CU, Framing.INSERT, SceneType.INSERT),
    "insert shot": (ShotSize.CU, Framing.INSERT, SceneType.INSERT),
    "plan insert": (ShotSize.CU, Framing.INSERT, SceneType.INSERT),
    "detail shot": (ShotSize.ECU, Framing.INSERT, SceneType.INSERT),
    "establishing shot": (ShotSize.WS, None, SceneType.ESTABLISHING),
    "establishing": (ShotSize.WS, None, SceneType.ESTABLISHING),
    "aerial shot": (ShotSize.EWS, None, SceneType.ESTABLISHING),
    "aerial": (ShotSize.EWS, None, SceneType.ESTABLISHING),
    "drone shot": (ShotSize.EWS, None, SceneType.ESTABLISHING),
    "vue aerienne": (ShotSize.EWS, None, SceneType.ESTABLISHING),
    "plan aerien": (ShotSize.EWS, None, SceneType.ESTABLISHING),
    # A framing and its preposition in one: what follows is the subject ("close on the can").
    "close on": (ShotSize.CU, None, None),
    "tight on": (ShotSize.CU, None, None),
    "plan serre sur": (ShotSize.CU, None, None),
    "angle on": (None, Framing.SINGLE, None),  # a new angle, its size left open
    "angle sur": (None, Framing.SINGLE, None),
}
# A card the film ends or opens on: a graphic filling the frame, shot of its own, whose
# words the storyboard panel and the animatic show (:func:`card_words`).
CARDS = frozenset(
    {"end card", "final card", "title card", "closing card", "opening card", "intertitle"}
    | {"carton", "carton final", "carton titre", "ecran de fin", "intertitre"}
)
_EXTRA.update({card: (ShotSize.CU, Framing.INSERT, SceneType.INSERT) for card in CARDS})
_TAKES_SUBJECT = frozenset(key for key in _EXTRA if key.rsplit(" ", 1)[-1] in {"on", "sur"})
# "TOMAS'S POV - the sleeve": whose point of view, before the framing.
_OWNER = re.compile(
    r"^\s*[^\W\d_][\w-]*(?:\s+[^\W\d_][\w-]*)?['’]s\s+(?=(?:pov|point of view)\b)", re.I
)
# Bare words that name a framing only with "shot" after them ("wide shot", not "wide eyes").
_NEEDS_SHOT = frozenset(
    {"wide", "full", "long", "medium", "close", "track", "follow", "arc", "circle", "dolly"}
    | {"zoom", "boom", "crab", "ped", "360", "cowboy", "solo", "ensemble", "drone", "suivi"}
    | {"epaule", "elevation", "jib", "grue", "subjective", "amorce", "cut", "static", "fixe"}
)
_SHOT_WORDS = frozenset({"shot", "shots", "plan"})
# What may follow a direction: its subject ("of the can"), a colon, a dash, or nothing.
_AFTER = re.compile(
    r"^\s*(?:(?P<prep>of|on|onto|at|sur|de|du|des|d['’])\s*|[:—–-]\s*|,\s*|$)", re.IGNORECASE
)
_SUBJECT_END = re.compile(r"\s*[:—–]\s*|\.\s+|\.$|;\s*")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# Manner words a writer puts before the framing ("Slow tracking shot", "Lent travelling").
_MANNER = frozenset({"slow", "fast", "quick", "lent", "lente", "rapide", "handheld", "tight"})
_LONGEST = 4


@dataclass(frozen=True)
class Direction:
    """A framing the text opens on, and what it frames."""

    shot_size: ShotSize | None
    framing: Framing | None
    camera_movement: CameraMovement | None
    scene_type: SceneType | None
    phrase: str  # the direction as written: "Close-up of an alarm clock"
    subject: str  # what it frames: "an alarm clock" ("" when it names nothing)
    rest: str  # the text after the direction: "4:45. A hand slaps it off."
    card: bool = False  # it names a card ("End card", "Carton final"): see CARDS


def _meaning(
    key: str,
) -> tuple[ShotSize | None, Framing | None, CameraMovement | None, SceneType | None] | None:
    """What a folded phrase says of the framing, or None when it says nothing."""
    if key in _EXTRA:
        size, framing, scene_type = _EXTRA[key]
        return size, framing, None, scene_type
    size = ShotSize.from_key(key)
    framing = Framing.from_key(key)
    movement = CameraMovement.from_key(key)
    if size is None and framing is None and movement is None:
        return None
    if movement is CameraMovement.STATIC and size is None and framing is None:
        return None  # "still", "fixe" alone say nothing a planner must keep
    scene_type = SceneType.INSERT if framing is Framing.INSERT else None
    return size, framing, movement, scene_type


# "The video ends on a close-up of...", "Le clip s'ouvre sur un gros plan de...": a sentence
# that only says where the film's framing goes.
_FRAMING_SENTENCE = re.compile(
    r"^\s*(?:(?:the|this|our) (?:video|film|clip|spot|ad|sequence|scene|story)|it|we)"
    r" (?:ends|opens|closes|starts|begins|finishes|cuts|fades) (?:on|with|to|in) (?:an? |the )?"
    r"|^\s*(?:le (?:clip|film|spot)|la (?:vid[ée]o|s[ée]quence|sc[èe]ne|pub)|on)"
    r" (?:se (?:termine|finit|clôt|clot)|s['’](?:ouvre|achève|acheve)|commence|finit|termine|"
    r"ouvre|coupe) (?:sur|par) (?:une? |le |la |l['’])?",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def stated_direction(text: str) -> Direction | None:
    """The shot direction ``text`` opens on (:class:`Direction`), or None. A pure function
    of the text, asked of the same beat by the scene reader and the shot designer."""
    opener = _FRAMING_SENTENCE.match(text) or _OWNER.match(text)
    words = list(_WORD.finditer(text, opener.end() if opener else 0))
    size: ShotSize | None = None
    framing: Framing | None = None
    movement: CameraMovement | None = None
    scene_type: SceneType | None = None
    index, end, found, on_subject, card = 0, 0, False, False, False
    while index < len(words):
        if alias_key(words[index].group()) in _MANNER and index + 1 < len(words):
            index += 1
            continue
        for length in range(min(_LONGEST, len(words) - index), 0, -1):
            span = words[index : index + length]
            key = alias_key(" ".join(w.group() for w in span))
            meaning = _meaning(key)
            if meaning is None:
                continue
            following = index + length
            has_shot = following < len(words) and alias_key(words[following].group()) in _SHOT_WORDS
            if key in _NEEDS_SHOT and not has_shot and not _abbreviation(span):
                continue
            size = size or meaning[0]
            framing = framing or meaning[1]
            movement = movement or meaning[2]
            scene_type = scene_type or meaning[3]
            index = following + int(has_shot)
            end, found = words[index - 1].end(), True
            on_subject = key in _TAKES_SUBJECT
            card = card or key in CARDS
            break
        else:
            break
    if not found:
        return None
    after = _AFTER.match(text[end:])
    if after is None and not on_subject:
        return None  # "Close-up magic", "Wide open": the words go on as a sentence
    start = end + (after.end() if after else len(text[end:]) - len(text[end:].lstrip()))
    subject, rest = "", text[start:]
    if on_subject or (after is not None and after.group("prep")):
        stop = _SUBJECT_END.search(text, start)
        subject = text[start : stop.start() if stop else len(text)].strip()
        rest = text[stop.end() :] if stop else ""
    phrase = text[: start if not subject else start + len(subject)].strip(" :—–-,")
    return Direction(size, framing, movement, scene_type, phrase, subject, rest.strip(), card)


def _abbreviation(span: list[re.Match[str]]) -> bool:
    """``CU``, ``WS``, ``POV``: a framing abbreviation written in capitals."""
    return len(span) == 1 and span[0].group().isupper() and len(span[0].group()) <= 4


# The words a card shows, as a writer quotes them: "...", “...”, « ... », „...“, 「...」.
_CARD_QUOTE = re.compile(
    r"\"(?P<a>[^\"]+)\"|“(?P<b>[^”]+)”|«(?P<c>[^»]+)»|„(?P<d>[^“”]+)[“”]"
    r"|「(?P<e>[^」]+)」|『(?P<f>[^』]+)』"
)
# What opens the words of a card written without quotes: "End card: TrailMix."
_CARD_COLON = re.compile(r"\s*[:—–-]")
#: Any text naming a card holds one of these (a cheap test before :func:`stated_direction`,
#: asked of every panel: most shots name no card).
CARD_HINT = re.compile(r"card|carton|[eé]cran|intertit", re.IGNORECASE)


def card_words(text: str, *, card: bool = False) -> str:
    """The words a card shot puts on screen, as ``text`` (its description) gives them: the
    quoted spans, one line each ('Final card: “TrailMix. Go further.”'), else what follows
    the card's name and a colon or a dash ("Carton : Bientôt en boutique"). "" when the text
    does not open on a card (unless ``card`` says the shot is one: its title names it) or
    holds no words ("End card.", "Carton final :"): such a card is drawn as any insert."""
    direction = stated_direction(text) if CARD_HINT.search(text) else None
    opens_on_card = direction is not None and direction.card
    if not (opens_on_card or card):
        return ""
    quoted = [
        " ".join(next(g for g in match.groups() if g is not None).split())
        for match in _CARD_QUOTE.finditer(text)
    ]
    if any(quoted):
        return "\n".join(words for words in quoted if words)
    if direction is None or not opens_on_card:
        return ""
    after = text[len(direction.phrase) :]
    if not _CARD_COLON.match(after):
        return ""  # "End card, black": what follows describes the card
    return " ".join(direction.rest.split())


def names_card(text: str) -> bool:
    """Whether ``text`` (a shot's title: "End card", "Carton final") opens on a card."""
    if not CARD_HINT.search(text):
        return False
    direction = stated_direction(text)
    return direction is not None and direction.card
