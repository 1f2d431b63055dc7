"""Props in action lines (:func:`find_props`, :func:`props_by_scene`) and :func:`mentions`, the
whole-word match they use, which the breakdown shares."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from storycore.tools.domain import Beat
from storycore.tools.fountain.french_props import handled_props as french_handled_props
from storycore.tools.fountain.handled import handled_props
from storycore.tools.fountain.people import person_key
from storycore.tools.text import fold_words_keep_colon as fold

_WORD_COLON = re.compile(r"(?<!\d):|:(?!\d)")


def mentions(text: str, name: str, *, head_noun: bool = False) -> bool:
    """Whether ``text`` names ``name`` as whole words (case and accents ignored).

    With ``head_noun`` a multi-word name also matches its last word ("the umbrella" names
    "red umbrella"). A person named by an article and a person noun ("The Keeper", "La
    gardienne": :func:`~storycore.tools.fountain.people.person_key`) is named by the noun
    after any determiner ("an old keeper", "une vieille gardienne").
    """
    # a colon the fold keeps for times ("10:30") ends a word elsewhere: "the shoes: the logo"
    haystack = f" {_WORD_COLON.sub(' ', fold(text))} "
    key = person_key(name) or fold(name)  # "The Keeper" is named by "an old keeper"
    if not key:
        return False
    if f" {key} " in haystack:
        return True
    if head_noun and " " in key:
        last = _head_noun(name, key)
        return len(last) > 2 and f" {last} " in haystack
    return False


def _head_noun(name: str, key: str) -> str:
    """The noun that stands for a multi-word name: its last word ("the umbrella" for "red
    umbrella"), or its last common word when a brand ends it ("les chaussures" for
    "chaussures TrailMix", the French order)."""
    words = name.split()
    if len(words) == len(key.split()) and words[-1][:1].isupper():
        common = [index for index, word in enumerate(words) if word[:1].islower()]
        if common:
            return key.split()[common[-1]]
    return key.rsplit(" ", 1)[1]


_DETERMINERS = (
    "a|an|the|his|her|their|its|my|your|our|this|that|these|those|"
    "un|une|le|la|les|l|son|sa|ses|leur|leurs|mon|ma|mes|ton|ta|tes|ce|cet|cette|du|des"
)
#: Lower-case words that end a noun phrase: "the sign on the door to OPEN" flags no prop
#: (the capitals after them are the words of the sign, or another phrase).
_PHRASE_ENDS = (
    "to|on|in|at|into|onto|from|for|and|or|with|by|as|than|sur|dans|et|ou|pour|vers|avec|par"
)
# An ALL-CAPS phrase right after a determiner: the screenwriter's way to flag a prop.
_CAPS_AFTER_DETERMINER = re.compile(
    rf"\b(?i:{_DETERMINERS})(?:\s+|['’])(?:(?!(?i:{_PHRASE_ENDS})\s)[a-zà-öø-ÿ][\w'’-]*\s+){{0,2}}"
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
    handled: bool = False,
) -> list[str]:
    """Props named in action lines, in order of first appearance (lower case).

    Three sources: ``known_props`` (a list the user or the brief gives; kept when an action
    line names them), the screenwriting convention of writing an important prop in capitals
    after a determiner ("a RED UMBRELLA", "sa VALISE"), and a thing a person handles in lower
    case ("opens a black umbrella": :func:`~storycore.tools.fountain.handled.handled_props`;
    in French with ``handled``, "pose une vieille guitare":
    :func:`~storycore.tools.fountain.french_props.handled_props`). Sounds ("a loud BANG"),
    people ("A WAITER") and names in ``exclude`` (the characters) are left out.
    """
    texts = list(action_texts)
    exclude_names = list(exclude)
    excluded = {fold(name) for name in exclude_names}
    found: dict[str, None] = {}
    known = [name.strip() for name in known_props if name.strip()]
    # a declared prop by its whole name and its French head noun ("flacon de parfum")
    known_words = {word for name in known for word in (fold(name), fold(name).split(" ")[0])}
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
        # French props in lower case ("une vieille guitare"), in screenplays (``handled``)
        for name in french_handled_props(text) if handled else ():
            words = {fold(name), fold(name).split(" ")[0]}
            if words & known_words:
                continue  # "le flacon" when the brief declares "Flacon": the declared one
            if not words & (NOT_PROPS | excluded):
                found.setdefault(name, None)
        for name in known:
            if mentions(text, name, head_noun=True):
                found.setdefault(name, None)
    heads = {fold(name).rsplit(" ", 1)[-1] for name in found}
    for name in handled_props(texts, exclude=[*exclude_names, *NOT_PROPS]):
        if fold(name).rsplit(" ", 1)[-1] not in heads:  # "the camera": the FILM CAMERA
            found.setdefault(name, None)
    return list(found)


def props_by_scene(
    scene_texts: Sequence[Sequence[str]],
    props: Sequence[str],
    declared: Iterable[str] = (),
) -> list[list[str]]:
    """The props each scene shows, from its action texts, in story order.

    A prop counts where it is named in full ("the red umbrella"); its last word alone ("the
    umbrella") counts only once the full name has appeared in this scene or an earlier one,
    so "a camera bag" in scene 1 is not the "film camera" introduced in scene 2. A prop the
    brief ``declared`` (its Props section, a known list) is introduced from the start: "the
    can" is the declared "cold brew can" wherever it appears.
    """
    wanted = {fold(name) for name in declared}
    introduced: set[str] = {p for p in props if fold(p) in wanted}
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


def in_plain_case(beat: Beat, props: Sequence[str], names: Sequence[str] = ()) -> Beat:
    """An action beat with the props its writer flagged in capitals ("a RED UMBRELLA") in
    plain case, and the characters introduced in capitals ("A young fisherman, TOM, waves")
    spelled as they are named: the capitals told the breakdown who and what matters, and
    they are now elements; shots and prompts read "a red umbrella", "Tom"."""
    if beat.kind != "action":
        return beat
    text = text_in_plain_case(beat.text, props, names)
    return beat if text == beat.text else beat.model_copy(update={"text": text})


_WORD_AROUND = re.compile(r"[^\W\d_]+")


def _in_capitals(match: re.Match[str]) -> bool:
    """Whether the capitals ``match`` found run on into a word in capitals before or after
    it: a heading or a direction written in capitals, not an element flagged in them."""
    text = match.string
    before = _WORD_AROUND.findall(text[max(0, match.start() - 40) : match.start()])
    after = re.match(r"(?:['’][sS])?\W*([^\W\d_]+)", text[match.end() :])
    words = [*before[-1:], *([after.group(1)] if after else [])]
    return any(len(word) > 1 and word.isupper() for word in words)


def text_in_plain_case(text: str, props: Sequence[str], names: Sequence[str] = ()) -> str:
    """``text`` with the capitals of :func:`in_plain_case` in plain case (a text all in
    capitals is left as written: the capitals say nothing there)."""
    if text.isupper():
        return text
    spellings = [
        (prop, prop if prop[1:] != prop[1:].lower() else prop[:1].lower() + prop[1:])
        for prop in props
    ]
    spellings += [(name, name) for name in names]
    for element, plain in spellings:
        flagged = element.upper()
        if flagged == element or flagged not in text:
            continue

        def _plain(match: re.Match[str], plain: str = plain) -> str:
            before = match.string[: match.start()].rstrip()
            if _in_capitals(match):
                return match.group(0)  # "TOMAS'S POV", "INSERT - THE KEY BOWL": a slug
            return plain[:1].upper() + plain[1:] if not before or before[-1] in ".!?" else plain

        text = re.sub(rf"(?<!\w){re.escape(flagged)}(?!\w)", _plain, text)
    return text
