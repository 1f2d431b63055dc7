"""Regular-expression building blocks the phrasings are written with: shot references,
durations, attribute, aspect and field words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from storycore.tools.feedback.vocabulary import _FIELD_WORDS, ASPECT_WORDS, ATTRIBUTE_WORDS

_REF = r"(?:shot_)?\d{1,4}[a-z]{0,2}(?![\w])"
_RANGE = rf"{_REF}(?:\s*(?:-|to|through|thru|a)\s*{_REF})?"
_REFS = (
    rf"{_RANGE}(?:\s*(?:,|and|et|&|\+|or|ou)\s*(?:(?:the\s+|le\s+)?(?:shots?|plans?)\s*)?"
    rf"{_RANGE})*"
)
_DET = r"(?:the|le|la|les|du|des|au|aux|de|l'|this|that|ce|cet)"


def _shots(name: str) -> str:
    """A pattern for a reference to one or more shots, captured in group ``name``."""
    return (
        rf"(?:(?:{_DET}\s*)?(?:shots?|plans?|clips?)\s*(?:#|n[o°]\.?\s*|number\s+|numero\s+)?"
        rf"(?P<{name}>{_REFS})|(?P<{name}_id>shot_\d{{2,4}}[a-z]{{0,2}}(?![\w])))"
    )


_DURATION = (
    r"(?P<dur>\d+(?:[.,]\d+)?)\s*-?\s*"
    r"(?P<unit>seconds?|secondes?|secs?|s|frames?|images?|f)(?![a-z])"
)


def _alternatives(words: Sequence[str]) -> str:
    ordered = sorted({re.escape(w).replace(r"\ ", r"\s+") for w in words}, key=len, reverse=True)
    return "(?:" + "|".join(ordered) + ")"


_ATTR = _alternatives([w for words in ATTRIBUTE_WORDS.values() for w in words])
_ASPECT = _alternatives([w for words in ASPECT_WORDS.values() for w in words])


_FIELD = _alternatives(list(_FIELD_WORDS))
