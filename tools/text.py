"""Text helpers shared by the core: folding, word sets, words and sentences.

StoryCore compares what a person wrote with vocabularies and names, so it folds text
(accents off, lower case) before matching. The variants differ on purpose, and each one is
named by how it differs:

===========================  ============================================================
:func:`fold_words`           accents off, lower case, every other character a space,
                             runs of spaces collapsed ("Sous-titres" -> "sous titres")
:func:`fold_words_keep_colon`  the same, but ``:`` is kept (clock times: "10:30")
:func:`fold_phrase`          accents off, lower case, apostrophes, hyphens and
                             underscores to spaces; other punctuation and spacing kept
:func:`fold_same_length`     lower case, accents off, curly quotes straight, and exactly
                             as long as the input (a span in it is a span of the original)
:func:`alias_key`            like :func:`fold_words`, but apostrophes vanish instead of
                             splitting a word ("bird's eye" -> "birds eye")
:func:`words_key`            the ASCII words of :func:`fold_same_length`, one space apart
:func:`snake_key`            the folded words joined by ``_`` ("Aspect-Ratio" -> "aspect_ratio")
:func:`compact_key`          lower case letters and digits only, accents NOT folded
                             ("Wan 2.2" -> "wan22")
:func:`underscore_key`       lower case; spaces, hyphens and slashes to one ``_``; other
                             punctuation kept ("Audio-driven" -> "audio_driven")
===========================  ============================================================

Words and sentences: :func:`word_set` (a vocabulary table written as one string),
:func:`word_count`, :func:`fold_tokens`, :func:`split_sentences` (sentences of prose) and
:func:`sentences_with_offsets` (clauses with their offsets, for pattern scanning).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "alias_key",
    "compact_key",
    "fold_char",
    "fold_phrase",
    "fold_same_length",
    "fold_tokens",
    "fold_words",
    "fold_words_keep_colon",
    "sentences_with_offsets",
    "snake_key",
    "split_sentences",
    "underscore_key",
    "word_count",
    "word_set",
    "words_key",
]


def _ascii(text: str) -> str:
    """``text`` decomposed with everything outside ASCII dropped (accents, curly quotes)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# --------------------------------------------------------------------------------------
# Folding variants
# --------------------------------------------------------------------------------------


def fold_words(text: str) -> str:
    """Lower case, accents off, punctuation to single spaces ("Sous-titres" -> "sous titres")."""
    folded = _ascii(text).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def fold_words_keep_colon(text: str) -> str:
    """Lower case, accents off, punctuation except ``:`` to single spaces (``10:30`` stays).

    The key the screenplay reader and the breakdown match names and times of day with.
    """
    folded = _ascii(text)
    folded = folded.lower().replace("'", " ").replace("’", " ")
    return " ".join(re.sub(r"[^a-z0-9:]+", " ", folded).split())


def fold_phrase(text: str) -> str:
    """Lower case, accents off, apostrophes and hyphens to spaces: for phrase matching.

    Unlike :func:`fold_words` the other punctuation and the spacing are kept, so a pattern
    can still see sentence ends and number separators ("2.39:1").
    """
    text = _ascii(text)
    text = text.lower().replace("'", " ").replace("’", " ")
    return re.sub(r"[-_]", " ", text)


def alias_key(text: str) -> str:
    """Fold an alias for lookup: accents off, lower case, punctuation to single spaces.

    Apostrophes are dropped rather than spaced, so "bird's eye" and "birds eye" meet.
    """
    folded = _ascii(text)
    folded = folded.lower().replace("'", "").replace("’", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def snake_key(text: str) -> str:
    """A front-matter key or heading, folded: ``Aspect-Ratio`` -> ``aspect_ratio``."""
    folded = _ascii(str(text))
    return "_".join(re.sub(r"[^a-z0-9]+", " ", folded.lower()).split())


def compact_key(text: str) -> str:
    """The lookup key of a model name: letters and digits only ("Wan 2.2" -> "wan22").

    Accents are not folded: an accented letter is dropped like punctuation.
    """
    return re.sub(r"[^a-z0-9]+", "", str(text).lower())


def underscore_key(text: str) -> str:
    """Lower case, runs of spaces, hyphens and slashes to one ``_`` ("Audio-driven" ->
    "audio_driven"); the key of model modes and kinds."""
    return re.sub(r"[\s\-/]+", "_", text.strip().lower())


def fold_char(char: str) -> str:
    """One character lower case, accents off, curly quotes and dashes straight; always one
    character (so :func:`fold_same_length` keeps the length)."""
    if char in "’‘`´":
        return "'"
    if char in "«»“”":
        return '"'
    if char in "–—":
        return "-"
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    lowered = (base or char).lower()
    if len(lowered) == 1:
        return lowered
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def fold_same_length(text: str) -> str:
    """Lower case, accents off, curly quotes straight; the SAME length as ``text`` (so a
    span found in the folded text is the same span of the original)."""
    return "".join(fold_char(c) for c in text)


def words_key(text: str) -> str:
    """The ASCII letter-and-digit words of :func:`fold_same_length`, one space apart."""
    return " ".join(re.findall(r"[a-z0-9]+", fold_same_length(text)))


# --------------------------------------------------------------------------------------
# Words and sentences
# --------------------------------------------------------------------------------------


def word_set(text: str) -> frozenset[str]:
    """The words of a space-separated list (vocabulary tables stay readable)."""
    return frozenset(text.split())


def word_count(text: str) -> int:
    """Words in ``text``; "l'eau", "don't" and "well-known" count as one word each."""
    return len(re.findall(r"\w+(?:['’-]\w+)*", text))


def fold_tokens(text: str) -> list[str]:
    """The words of :func:`fold_words_keep_colon` with colons split too ("10:30" -> 10, 30)."""
    return fold_words_keep_colon(text).replace(":", " ").split()


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»’']?\s+(?=\S)")


def split_sentences(text: str) -> list[str]:
    """The sentences of prose, stripped: split after ``. ! ? …`` and the spaces after them.

    A closing quote right after the end mark is part of the split and so dropped
    (as the breakdown's own copy does).
    """
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def sentences_with_offsets(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs: split at ``. ! ? ;`` (not inside a number) and line ends.

    The sentences keep their ending and spacing, so ``text[offset:]`` starts with each.
    """
    out, start = [], 0
    for match in re.finditer(r"(?<!\d)[.!?;](?!\d)|\n", text):
        out.append((start, text[start : match.end()]))
        start = match.end()
    out.append((start, text[start:]))
    return [(offset, s) for offset, s in out if s.strip()]
