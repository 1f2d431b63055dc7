"""Rewriting one trait of an element where a description states it (:func:`rewrite_trait`:
"her black bob" -> "her blonde curly hair").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storycore.tools.feedback import ATTRIBUTE_WORDS, FRENCH_NOUNS, STYLE_NOUNS, fold
from storycore.tools.text import word_set as _words

_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
_EN_STOP = _words(
    "a an the her his their its my your our this that these those with in of on at by from to "
    "into for under over has have had is are was were wears wearing wore sports shows showing "
    "shakes brushes tosses pulls runs who which she he they it and or but as like while than"
)
_FR_STOP = _words(
    "avec qui que dans sur sous de du des d le la les l un une a au aux pour par son sa ses "
    "leur il elle porte portant est sont et mais ou en tandis comme"
)
_MAX_MODIFIERS = 6


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    subject: bool


def _name_pattern(name: str) -> re.Pattern[str] | None:
    words = re.findall(r"[a-z0-9]+", fold(name))
    if not words:
        return None
    return re.compile(r"(?<![a-z0-9])" + r"[\W_]+".join(map(re.escape, words)) + r"(?![a-z0-9])")


def _mentions(folded: str, subject: Sequence[str], others: Sequence[str]) -> list[_Mention]:
    found: list[tuple[int, int, bool]] = []
    for names, is_subject in ((subject, True), (others, False)):
        for name in names:
            pattern = _name_pattern(name)
            if pattern is None:
                continue
            found.extend((m.start(), m.end(), is_subject) for m in pattern.finditer(folded))
    # Longest first at each place ("Gaby's Kitchen" is the kitchen, not GaBy).
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    out: list[_Mention] = []
    for start, end, is_subject in found:
        if out and start < out[-1].end:
            continue
        out.append(_Mention(start, end, is_subject))
    return out


def _noun_pattern(nouns: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(set(nouns), key=len, reverse=True)
    body = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in ordered)
    return re.compile(r"(?<![a-z0-9'-])(?:" + body + r")(?![a-z0-9-])")


_ALL_NOUNS = frozenset(
    n for words in (*ATTRIBUTE_WORDS.values(), *STYLE_NOUNS.values()) for n in words
)


def _replacement(value: str, noun: str, key: str, french: bool, style: bool) -> str:
    noun_out = ("cheveux" if french else "hair") if style and key == "hair" else noun
    if _noun_pattern([*ATTRIBUTE_WORDS.get(key, ()), *STYLE_NOUNS.get(key, ())]).search(
        fold(value)
    ):
        return value
    return f"{noun_out} {value}" if french else f"{value} {noun_out}"


def _rewrite_region(
    text: str, folded: str, start: int, end: int, key: str, value: str
) -> list[tuple[int, int, str]]:
    """Edits (start, end, new text) that restate trait ``key`` as ``value`` in one region."""
    edits: list[tuple[int, int, str]] = []
    nouns = [*ATTRIBUTE_WORDS.get(key, ()), *STYLE_NOUNS.get(key, ())]
    style_nouns = set(STYLE_NOUNS.get(key, ()))
    pattern = _noun_pattern(nouns)
    region = folded[start:end]
    # "dark-haired", "blue-eyed"
    suffix = {"hair": "haired", "eyes": "eyed"}.get(key)
    if suffix:
        for match in re.finditer(rf"(?<![a-z0-9])[a-z]+(?:-[a-z]+)*-{suffix}(?![a-z0-9])", region):
            joined = "-".join(value.split())
            edits.append((start + match.start(), start + match.end(), f"{joined}-{suffix}"))
    for match in pattern.finditer(region):
        noun_start, noun_end = start + match.start(), start + match.end()
        if any(a <= noun_start < b for a, b, _ in edits):
            continue
        noun_folded = " ".join(match.group().split())
        noun_text = text[noun_start:noun_end]
        french = noun_folded in FRENCH_NOUNS
        style = noun_folded in style_nouns
        if french:
            phrase_end = noun_end
            words = list(_WORD.finditer(folded, noun_end, end))
            taken = 0
            previous_end = noun_end
            for i, word in enumerate(words):
                between = folded[previous_end : word.start()]
                if between.strip() or taken >= _MAX_MODIFIERS:
                    break  # punctuation ends the phrase
                token = word.group()
                if token == "et":
                    following = words[i + 1].group() if i + 1 < len(words) else ""
                    if not taken or following in _FR_STOP or following in _ALL_NOUNS:
                        break
                elif token in _FR_STOP or token in _ALL_NOUNS:
                    break
                phrase_end = word.end()
                previous_end = word.end()
                taken += token != "et"
            edits.append((noun_start, phrase_end, _replacement(value, noun_text, key, True, style)))
            continue
        phrase_start = noun_start
        words = list(_WORD.finditer(folded, start, noun_start))
        taken = 0
        next_start = noun_start
        for i in range(len(words) - 1, -1, -1):
            word = words[i]
            between = folded[word.end() : next_start]
            if between.strip() or taken >= _MAX_MODIFIERS:
                break
            token = word.group()
            if token in ("and", "&"):
                before = words[i - 1].group() if i > 0 else ""
                gap = folded[words[i - 1].end() : word.start()] if i > 0 else ","
                if (
                    not taken
                    or not before
                    or gap.strip()
                    or before in _EN_STOP
                    or before in _ALL_NOUNS
                ):
                    break
            elif token in _EN_STOP or token in _ALL_NOUNS:
                break
            phrase_start = word.start()
            next_start = word.start()
            taken += token not in ("and", "&")
        edits.append((phrase_start, noun_end, _replacement(value, noun_text, key, False, style)))
    return edits


def rewrite_trait(
    text: str,
    key: str,
    value: str,
    *,
    subject_names: Sequence[str],
    other_names: Sequence[str] = (),
    whole: bool = False,
) -> str:
    """Restate trait ``key`` (an attribute of :data:`ATTRIBUTE_WORDS`: hair, eyes, coat...)
    as ``value`` wherever ``text`` states it about the subject.

    The subject's part of the text is what follows a mention of one of ``subject_names`` up
    to a mention of one of ``other_names`` or the end of the sentence; with ``whole`` (the
    subject's own description) the start of each sentence belongs to the subject too. There,
    each phrase naming the trait is replaced: in English the adjectives before the noun
    ("dark curly hair" -> "blonde and curly hair"), in French those after it
    ("cheveux bruns" -> "cheveux blonds"); "dark-haired" becomes "blonde-haired". A style
    noun ("a black bob") becomes the trait's noun ("blonde hair"). Anything else is kept.
    """
    if key not in ATTRIBUTE_WORDS or not value.strip() or not text:
        return text
    folded = fold(text)
    mentions = _mentions(folded, subject_names, other_names)
    edits: list[tuple[int, int, str]] = []
    for sentence in re.finditer(r"[^.!?\n]+(?:[.!?]+|$)", folded):
        s_start, s_end = sentence.span()
        inside = [m for m in mentions if s_start <= m.start < s_end]
        owner = whole
        cursor = s_start
        for mention in inside:
            if owner:
                edits.extend(_rewrite_region(text, folded, cursor, mention.start, key, value))
            owner = mention.subject
            cursor = mention.end
        if owner:
            edits.extend(_rewrite_region(text, folded, cursor, s_end, key, value))
    out = text
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    return out
