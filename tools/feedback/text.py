"""Text helpers of the feedback reader: folding (lower case, no accents, same length) and
word lists.
"""

from __future__ import annotations

import re
import unicodedata


def _words(text: str) -> frozenset[str]:
    """The words of a space-separated list (vocabulary tables stay readable)."""
    return frozenset(text.split())


def _fold_char(char: str) -> str:
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


def fold(text: str) -> str:
    """Lower case, accents off, curly quotes straight; the SAME length as ``text`` (so a
    span found in the folded text is the same span of the original)."""
    return "".join(_fold_char(c) for c in text)


def _words_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))
