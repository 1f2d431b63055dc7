"""Rewriting one trait of an element where a description states it (:func:`rewrite_trait`:
"her black bob" -> "her blonde curly hair").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storycore.tools.domain.vocabulary import FRENCH_SHOT_SIZES
from storycore.tools.feedback import ATTRIBUTE_WORDS, FRENCH_NOUNS, STYLE_NOUNS, fold
from storycore.tools.feedback.age import AGE_PHRASE, Age, stated_age
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
    edits: list[tuple[int, int, str]] = []
    for start, end in _subject_regions(folded, subject_names, other_names, whole):
        edits.extend(_rewrite_region(text, folded, start, end, key, value))
    return _edited(text, edits)


def _edited(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    out = text
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    return out


def _subject_regions(
    folded: str, subject_names: Sequence[str], other_names: Sequence[str], whole: bool
) -> list[tuple[int, int]]:
    """The parts of a text that speak of the subject: from a mention of it to a mention of
    another element or the end of the sentence (with ``whole``, each sentence's start)."""
    mentions = _mentions(folded, subject_names, other_names)
    regions: list[tuple[int, int]] = []
    for sentence in re.finditer(r"[^.!?\n]+(?:[.!?]+|$)", folded):
        s_start, s_end = sentence.span()
        inside = [m for m in mentions if s_start <= m.start < s_end]
        owner = whole
        cursor = s_start
        for mention in inside:
            if owner:
                regions.append((cursor, mention.start))
            owner = mention.subject
            cursor = mention.end
        if owner:
            regions.append((cursor, s_end))
    return regions


def rewrite_age(
    text: str,
    age: Age,
    language: str,
    *,
    subject_names: Sequence[str],
    other_names: Sequence[str] = (),
    whole: bool = False,
) -> str:
    """Restate the subject's age as ``age`` wherever ``text`` gives it: "a nurse in her
    late twenties" -> "a nurse in her 40s", "20s, soaked" -> "40s, soaked", "a young
    photographer" -> "an elderly photographer" (an age said as a word becomes the new word,
    or goes when the new age is a decade or years: the attribute says it)."""
    if not text:
        return text
    folded = fold(text)
    new_text = age.text(language)
    edits: list[tuple[int, int, str]] = []
    for start, end in _subject_regions(folded, subject_names, other_names, whole):
        for match in AGE_PHRASE.finditer(folded, start, end):
            old = stated_age(match.group())
            if old is None or old == age:
                continue
            lead = re.match(r"(?:in|dans)\s+(?:her|his|their|sa|la)\s+", match.group())
            m_start = match.start() + (lead.end() if lead else 0)
            if lead and age.years is not None:
                # "in his fifties" -> "aged 72", "dans la cinquantaine" -> "de 72 ans"
                said = {"en": f"aged {age.years}", "fr": f"de {age.years} ans"}
                edits.append((match.start(), match.end(), said.get(language, new_text)))
            elif (old.stage is None) == (age.stage is None):
                # "in her late twenties" -> "in her 40s"; "young" -> "elderly"
                edits.append((m_start, match.end(), new_text))
            else:
                # "a young nurse" -> "a nurse", "a nurse in her 20s" -> "a nurse" (teenager):
                # the attribute says the age.
                edits.append((match.start(), match.end(), ""))
    if not edits:
        return text
    out = _edited(text, edits)
    if any(not new for _, _, new in edits):
        # Tidy what a removal leaves: "a  nurse", " , ", "an nurse" (English).
        out = re.sub(r"\s+,", ",", re.sub(r"[ \t]{2,}", " ", out)).strip(" ,")
        if language == "en":
            out = re.sub(
                r"(?<![\w'])([Aa])n? (?=(\w))",
                lambda m: m.group(1) + ("n " if m.group(2).lower() in "aeiou" else " "),
                out,
            )
    return out


# -- framing words ---------------------------------------------------------------------------

# Phrases that name a shot size in free text and in the prompts' camera clause, in every
# language the prompt templates speak (the vocabulary's own words are added at load).
# Longest match wins ("medium close-up" is MCU, not CU). Bare "close" or "wide" are not
# framing words ("wide eyes", "close to her").
# The French names are the vocabulary's (one table: "plan moyen" is a full shot there and here).
_ENGLISH_SIZE_PHRASES: dict[str, tuple[str, ...]] = {
    "EWS": (
        "extreme wide shot",
        "extreme wide",
        "extreme long shot",
        "very wide shot",
        "very long shot",
    ),
    "WS": ("wide shot", "long shot", "wide angle shot"),
    "FS": ("full shot", "full-body shot", "full body shot", "full-length shot"),
    "MWS": (
        "medium wide shot",
        "medium long shot",
        "medium full shot",
        "cowboy shot",
        "american shot",
    ),
    "MS": ("medium shot", "mid shot", "mid-shot", "waist shot"),
    "MCU": ("medium close-up", "medium close up", "medium closeup", "chest shot"),
    "CU": ("close-up", "close up", "closeup", "close shot"),
    "ECU": (
        "extreme close-up",
        "extreme close up",
        "extreme closeup",
        "big close-up",
        "detail shot",
    ),
}
_SIZE_PHRASES: dict[str, tuple[str, ...]] = {
    size: (*english, *FRENCH_SHOT_SIZES[size]) for size, english in _ENGLISH_SIZE_PHRASES.items()
}
_SIZE_PATTERN: re.Pattern[str] | None = None
_SIZE_OF: dict[str, str] = {}


def _size_pattern() -> re.Pattern[str]:
    global _SIZE_PATTERN
    if _SIZE_PATTERN is None:
        from storycore.tools.prompt_builder import load_vocabulary

        phrases: dict[str, str] = {}
        for size, words in _SIZE_PHRASES.items():
            for word in words:
                phrases[fold(word)] = size
        for language in ("en", "fr", "ja"):
            for key, value in load_vocabulary(language).items():
                if key.startswith("shot_size.") and value.strip():
                    phrases.setdefault(fold(value.strip()), key.split(".", 1)[1])
        _SIZE_OF.update(phrases)
        body = "|".join(
            re.escape(p).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]+")
            for p in sorted(phrases, key=len, reverse=True)
        )
        _SIZE_PATTERN = re.compile(r"(?<![a-z0-9])(?:" + body + r")(?![a-z0-9])")
    return _SIZE_PATTERN


def _size_key(phrase: str) -> str:
    return " ".join(re.split(r"[\s-]+", phrase))


@dataclass(frozen=True)
class SizePhrase:
    """A phrase of a text that names a shot size: where it is and which size."""

    start: int
    end: int
    size: str
    text: str

    @property
    def language(self) -> str:
        """The language the phrase is in: "fr" for "gros plan", "ja" for "クローズアップ"."""
        folded = fold(self.text)
        if not folded.isascii():
            return "ja"
        return "fr" if re.search(r"(?<![a-z])plan(?![a-z])", folded) else "en"


def size_phrases(text: str) -> list[SizePhrase]:
    """Every phrase of ``text`` that names a shot size ("wide shot", "gros plan",
    "クローズアップ"), longest first at each place, in order."""
    if not text:
        return []
    pattern = _size_pattern()
    folded = fold(text)
    keys = {_size_key(k): v for k, v in _SIZE_OF.items()}
    out: list[SizePhrase] = []
    for match in pattern.finditer(folded):
        size = _SIZE_OF.get(match.group()) or keys.get(_size_key(match.group()))
        if size:
            start, end = match.span()
            out.append(SizePhrase(start, end, size, text[start:end]))
    return out


def size_phrase(size: str, language: str = "en") -> str:
    """How the prompts name shot size ``size`` ("CU" -> "close-up") in ``language``."""
    from storycore.tools.prompt_builder import load_vocabulary

    return load_vocabulary(language).get(f"shot_size.{size}", size)


def rewrite_shot_size(text: str, size: str, language: str | None = None) -> str:
    """``text`` with every phrase naming another shot size restated as ``size``
    ("Wide shot of the scene." -> "Close-up of the scene.", "un plan large" -> "un gros
    plan"), each in the phrase's own language unless ``language`` is given; a capital at
    the start of a phrase is kept."""
    out = text
    for phrase in reversed(size_phrases(text)):
        if phrase.size == size:
            continue
        replacement = size_phrase(size, language or phrase.language)
        if phrase.text[:1].isupper():
            replacement = replacement[:1].upper() + replacement[1:]
        out = out[: phrase.start] + replacement + out[phrase.end :]
    return out
