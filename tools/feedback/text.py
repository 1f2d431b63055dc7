"""Text helpers of the feedback reader, under the names its modules use: the shared
variants of :mod:`storycore.tools.text` (folding that keeps the length, so a span found in
the folded text is the same span of the original; word lists)."""

from __future__ import annotations

from storycore.tools.text import fold_char as _fold_char
from storycore.tools.text import fold_same_length as fold
from storycore.tools.text import word_set as _words
from storycore.tools.text import words_key as _words_key

__all__ = ["_fold_char", "_words", "_words_key", "fold"]
