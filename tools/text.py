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
import string
import unicodedata
from collections.abc import Iterable

__all__ = [
    "alias_key",
    "compact_key",
    "fold_char",
    "fold_phrase",
    "fold_same_length",
    "fold_tokens",
    "fold_words",
    "fold_words_keep_colon",
    "is_abbreviation_end",
    "place_name",
    "sentences_with_offsets",
    "snake_key",
    "split_sentences",
    "underscore_key",
    "word_count",
    "word_set",
    "words_key",
]


def place_name(place: str, names: Iterable[str] = ()) -> str:
    """A place as people write it: a screenplay heading's capitals in title case ("OLD
    BRIDGE" -> "Old Bridge"), anything else as written. A word of the heading that is one
    of ``names`` (the characters) keeps the name's own spelling: "GABY'S KITCHEN" with
    "GaBy" gives "GaBy's Kitchen", not "Gaby's Kitchen"."""
    if not place.isupper():
        return place
    return keep_names(string.capwords(place.lower()), names)


def keep_names(text: str, names: Iterable[str]) -> str:
    """``text`` with every word that is one of ``names`` (in any case) in the name's own
    spelling: "gaby's kitchen" with "GaBy" gives "GaBy's kitchen". A name written all in
    capitals says nothing of its spelling and is left alone."""
    for name in (n.strip() for n in names):
        if not name or name.isupper():
            continue
        pattern = re.compile(rf"(?<![^\W_]){re.escape(name)}(?![^\W_])", re.IGNORECASE)
        text = name.join(pattern.split(text))  # the name as spelled between the pieces
    return text


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


# Kana and Han ideographs: Japanese and Chinese write no space between words.
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def word_count(text: str) -> int:
    """Words in ``text``; "l'eau", "don't" and "well-known" count as one word each.

    Japanese and Chinese put no space between words: their kana and ideographs count as
    one word per two characters (a common average), so "少女が駅で猫を待つ" is about 5
    words, not one. Korean separates its words with spaces and is counted like English.
    """
    unspaced = len(_UNSPACED_SCRIPT.findall(text))
    latin = len(re.findall(r"\w+(?:['’-]\w+)*", _UNSPACED_SCRIPT.sub(" ", text)))
    return latin + (unspaced + 1) // 2


def fold_tokens(text: str) -> list[str]:
    """The words of :func:`fold_words_keep_colon` with colons split too ("10:30" -> 10, 30)."""
    return fold_words_keep_colon(text).replace(":", " ").split()


# After . ! ? … and a space; or after the full-width 。！？ with or without a space (Japanese
# and Chinese put none), but not inside a quotation 「…。」 that the sentence goes on from.
_SENTENCE_END = re.compile(
    r"(?<=[.!?…])[\"”»’']?\s+(?=\S)"
    r"|(?<=[。！？])(?:[」』”）)]+\s+|\s*)(?=[^\s」』”）)。！？])"
)

#: Words that end with a full stop without ending the sentence ("Dr. Marsh", "Mme. Roux"),
#: English and French. Matched with their capital: "dr" alone is not one ("Call the dr.").
TITLE_ABBREVIATIONS = word_set(
    "Dr Drs Mr Mrs Ms Messrs Mx St Ste Sts Mt Ft Jr Sr Prof Pr Gen Col Capt Cpt Lt Sgt Cmdr "
    "Adm Gov Sen Rep Rev Hon Fr Insp Det Mme Mmes Mlle Mlles Mgr Me Vve Cie Ets "
    "Av Ave Blvd Bd Rd Co Inc Ltd No Nos Vol Fig"
)
#: Lower-case abbreviations that never end a sentence on their own ("e.g. a", "cf. plus").
LOWER_ABBREVIATIONS = word_set("e.g i.e cf vs p.ex ca approx env resp")

_WORD_BEFORE = re.compile(r"([^\W\d_](?:[\w.]*[^\W_])?)$")


def is_abbreviation_end(text: str, dot: int) -> bool:
    """Whether the ``.`` at ``text[dot]`` ends an abbreviation rather than a sentence.

    True after a title or a form of address (Dr., Mr., Mrs., Ms., St., Mme., Mlle., Pr.,
    see :data:`TITLE_ABBREVIATIONS`), after an initial (a single capital letter: "M. Roux",
    "J. R. Tolkien") and after ``e.g.``, ``i.e.``, ``cf.``, ``vs.``, when a word follows.
    """
    if dot >= len(text) or text[dot] != ".":
        return False
    match = _WORD_BEFORE.search(text[:dot])
    if match is None:
        return False
    word = match.group(1)
    start = match.start(1)
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "'’-"):
        return False
    rest = text[dot + 1 :]
    if not re.match(r"[\"”»’']?\s+[\w(«\"“]", rest):
        return False  # the text ends or a new paragraph starts: a real end
    if "." not in word and len(word) == 1 and word.isupper():
        return word != "I"  # an initial ("M. Roux", "J. Doe"), not "so do I."
    if word in TITLE_ABBREVIATIONS:
        if word in {"No", "Nos", "Fig", "Vol", "Me"}:  # only before a number ("No. 5")
            return bool(re.match(r"\s+\d", rest)) or (word == "Me" and _before_name(rest))
        return True
    if re.fullmatch(r"(?:[A-Z]\.)+[A-Z]", word):
        return True  # "J.R. Tolkien", "U.S. Navy"
    return word.lower() in LOWER_ABBREVIATIONS and word[0].islower()


def _before_name(rest: str) -> bool:
    """Whether ``rest`` starts with a capitalised word ("Me. Durand", a French lawyer)."""
    return bool(re.match(r"\s+[A-Z][a-z]", rest))


def _sentence_gaps(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """The (start, end) of each gap between sentences, skipping abbreviations' stops."""
    gaps = []
    for match in pattern.finditer(text):
        # The end mark is the character just before the gap (a quote may sit between).
        mark = match.start() - 1
        if mark >= 0 and text[mark] == "." and is_abbreviation_end(text, mark):
            continue
        gaps.append((match.start(), match.end()))
    return gaps


def split_sentences(text: str) -> list[str]:
    """The sentences of prose, stripped: split after ``. ! ? …`` and the spaces after them,
    and after the full-width ``。！？`` of Japanese and Chinese, which need no space.

    A full stop that ends an abbreviation or an initial does not end the sentence
    ("Gaby strides past Dr. Marsh." is one sentence; see :func:`is_abbreviation_end`).
    A closing quote right after the end mark is part of the split and so dropped.
    Every module that splits prose into sentences uses this function.
    """
    text = text.strip()
    out, start = [], 0
    for gap_start, gap_end in _sentence_gaps(text, _SENTENCE_END):
        out.append(text[start:gap_start])
        start = gap_end
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def sentences_with_offsets(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs: split at ``. ! ? ;`` (not inside a number, not after an
    abbreviation: "Dr. Marsh") and line ends.

    The sentences keep their ending and spacing, so ``text[offset:]`` starts with each.
    """
    out, start = [], 0
    for match in re.finditer(r"(?<!\d)[.!?;](?!\d)|[。！？；]|\n", text):
        if match.group(0) == "." and is_abbreviation_end(text, match.start()):
            continue
        out.append((start, text[start : match.end()]))
        start = match.end()
    out.append((start, text[start:]))
    return [(offset, s) for offset, s in out if s.strip()]


def echo(value: object, limit: int = 40) -> str:
    """``repr(value)`` for an error message, cut to ``limit`` characters with the length
    said, so an error never echoes pages of the user's input."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(str(value))} characters)"
