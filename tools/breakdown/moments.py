"""The moments of a beat: the parts of its action a coverage shot can show on its own.

A beat often holds several things happening: "Elle part du Vieux-Port, où les bateaux se
balancent sous les lampadaires, puis monte les escaliers de la gare" is her leaving the
port, the boats swaying, and her climbing the steps. Coverage cut from such a beat shows
one of them at a time (a close-up of her leaving, a cutaway of the boats, a medium shot on
the steps), not the whole sentence again at every size. A moment is told as a sentence of
its own, with its subject ("Elle monte les escaliers de la gare Saint-Charles."), and says
whether one of the cast does it (a cutaway of the place shows the others first).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from storycore.tools.breakdown.shot_lines import (
    _ARTICLES,
    _NOT_VERB_WORDS,
    MOST_OPENERS,
    _acts,
    _subject,
    without_opener,
)
from storycore.tools.breakdown.text import _sentences
from storycore.tools.fountain import fold, mentions


@dataclass(frozen=True)
class Moment:
    """One thing that happens in a beat, told as a sentence of its own."""

    text: str
    #: One of the cast does it (a person's shot tells it first; a cutaway, the others).
    person: bool


#: "…, où les bateaux se balancent …," / "…, where boats sway …,": what the place does.
_WHERE = re.compile(r",\s+(?:où|where)\s+([^,;]+?)(?=,|$)", re.IGNORECASE)
#: "… pendant que la foule s'arrête", "… while the crowd stops", "…, as the rain starts".
_WHILE = re.compile(
    r",?\s+(?:pendant\s+que\s+|pendant\s+qu['’]|while\s+|as\s+(?=(?:the|a|an|his|her|their|"
    r"he|she|they|it|we)\s))(.+)$",
    re.IGNORECASE,
)
#: What opens the next moment of a sentence: "then", "puis", or "and" before a subject.
_NEXT = re.compile(
    r",?\s+(?:and\s+then|then|et\s+puis|puis|ensuite)\s+"
    r"|,?\s+(?:and|et)\s+(?=(?:he|she|they|il|elle|ils|elles)\s)"
    r"|,\s+(?:and|et)\s+(?=(?:the|a|an|le|la|les|l['’]|un|une|des)\s*\w)",
    re.IGNORECASE,
)


#: A sentence that says where or when a part of the film is set ("La dernière partie se
#: passe sur un toit", "The second half takes place at the market"): nothing happens in it.
_SETTING = re.compile(
    r"\b(?:takes?\s+place|is\s+set|se\s+passe|se\s+déroule|se\s+deroule|a\s+lieu)\b",
    re.IGNORECASE,
)


def beat_moments(text: str, characters: Sequence[str]) -> list[Moment]:
    """The moments of ``text`` (a beat without its characters' introductions), in story
    order: one per sentence, and within a sentence one per part joined by "then" / "puis",
    by "and" before a new subject, or set aside as what a place does ("où…", "where…"),
    what someone named does ("…, who raises an eyebrow") or what happens meanwhile
    ("pendant que…", "while…"). A part that cannot stand as a sentence (no subject or no
    verb) stays with the one before it; a sentence that only says where the part is set is
    no moment."""
    moments: list[Moment] = []
    for sentence in _sentences(text):
        if _SETTING.search(sentence):
            continue
        moments.extend(_sentence_moments(sentence.strip(), characters))
    return moments


def _sentence_moments(sentence: str, characters: Sequence[str]) -> list[Moment]:
    # "Au crépuscule, dans les vignes, Paul cueille": the beat's own shot said when and
    # where; a moment is what happens
    sentence = without_opener(sentence, MOST_OPENERS)
    end = "" if sentence.endswith(("”", "»", '"')) else "."
    body = sentence if not end else sentence.rstrip(" .!?…")
    asides: list[str] = []
    # "where" and "while" open a clause: what follows has its subject and its verb
    where = _WHERE.search(body)
    if where is not None and len(where.group(1).split()) >= 2:
        asides.append(where.group(1))
        body = body[: where.start()] + body[where.end() :]
    for name in sorted(characters, key=len, reverse=True):
        # "…past Dr. Marsh, who raises an eyebrow": what he does is his own moment
        who = re.search(
            rf"(?<!\w)({re.escape(name)}),\s+(?:who|qui)\s+([^,;]+?)(?=,|$)", body, re.IGNORECASE
        )
        if who is not None and len(who.group(2).split()) >= 2:
            asides.append(f"{who.group(1)} {who.group(2)}")
            body = body[: who.end(1)] + body[who.end() :]
            break
    meanwhile = _WHILE.search(body)
    if meanwhile is not None and len(meanwhile.group(1).split()) >= 2:
        asides.append(meanwhile.group(1))
        body = body[: meanwhile.start()]
    parts = _NEXT.split(body)
    subject = _subject_words(parts[0], characters)
    told: list[str] = [parts[0]]
    for part in parts[1:]:
        if _stands(part, characters):
            told.append(part)
        elif subject and _stands(f"{subject} {part}", characters):
            told.append(f"{subject} {part}")  # "puis monte les escaliers": she does
        else:
            told[-1] = f"{told[-1]} {part}"  # no moment of its own: back where it was
    if len(told) == 1 and not asides:
        return [Moment(_as_sentence(sentence, "", characters), _by_person(sentence, characters))]
    return [
        Moment(_as_sentence(part, end, characters), _by_person(part, characters))
        for part in [*told, *asides]
    ]


def _subject_words(clause: str, characters: Sequence[str]) -> str:
    """The words a clause's person subject is written with ("Elle", "Nour and Léo"), or ""."""
    opened = without_opener(clause.strip(), MOST_OPENERS)
    names, rest = _subject(opened, characters)
    if names is None or not rest:
        return ""
    return opened[: len(opened) - len(rest)].strip().rstrip(",")


def _stands(part: str, characters: Sequence[str]) -> bool:
    """Whether ``part`` is a sentence of its own: a person subject and a verb after it, or
    a thing's subject and a verb ("la foule s'arrête", "boats sway")."""
    opened = without_opener(part.strip(), MOST_OPENERS)
    names, rest = _subject(opened, characters)
    if names is not None:
        verb = fold(rest.split(" ", 1)[0]) if rest.strip() else ""
        return bool(verb) and verb not in _ARTICLES and verb not in _NOT_VERB_WORDS
    return _acts(opened)


def _by_person(part: str, characters: Sequence[str]) -> bool:
    opened = without_opener(part.strip(), MOST_OPENERS)
    names, _ = _subject(opened, characters)
    return names is not None or any(mentions(opened, name) for name in characters)


def _as_sentence(part: str, end: str, characters: Sequence[str]) -> str:
    """``part`` as a sentence of its own, opening on its person's name where the story
    gave them a relation first ("sa fille Alma allume" gives "Alma allume")."""
    part = part.strip().rstrip(",")
    for name in characters:
        related = re.match(rf"{_RELATION}({re.escape(name)})\b", part, re.IGNORECASE)
        if related is not None:
            part = part[related.start(1) :]
            break
    return f"{part[:1].upper()}{part[1:]}{end}"


#: A possessive and a relation before a name: "sa fille ", "his friend ", "her old friend ".
_RELATION = r"(?:his|her|their|its|sa|son|ses|leur)\s+(?:[^\W\d_][\w'’-]*\s+){1,2}?"
