"""Whether an element's canonical look reads like an action sentence ("Marc hurries out of
the dark", "She tilts the red umbrella") instead of an appearance (age, build, hair, face,
clothing, colours, materials)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from storycore.tools.feedback.text import fold


def _words(text: str) -> frozenset[str]:
    """The words of a space-separated list (vocabulary tables stay readable)."""
    return frozenset(text.split())


_EN_PRONOUNS = r"(?:he|she|they|it|we|i|you|someone|everyone|nobody)"
_FR_PRONOUNS = r"(?:il|elle|ils|elles|on|quelqu'un|tout le monde|personne)"
# Verbs that state an appearance, not an action.
_EN_APPEARANCE = _words(
    "is are was were has have had wears wore looks seems appears sports bears carries "
    "resembles stands"
)
_FR_APPEARANCE = _words(
    "est sont etait etaient a ont avait porte portent portait semble semblent parait "
    "ressemble mesure arbore possede"
)
_EN_WORN = frozenset({"dressed", "clad", "wrapped", "covered", "weathered"})
# Irregular English past tenses that start an action ("Marc ran", "She took").
_EN_PAST = _words(
    "ran sat stood came went took gave got made saw fell rose threw caught held left drove "
    "flew swam hid ate drank spoke shook broke began"
)
_EN_ADVERB = r"(?:[a-z]+ly\s+|then\s+|suddenly\s+|finally\s+|still\s+|also\s+|just\s+)*"
_PAREN = r"(?:\s*\([^)]{0,200}\))?"
_ARTICLE_EN = r"(?:(?:the|a|an|young|old|little)\s+)*"
_ARTICLE_FR = r"(?:(?:le|la|les|l'|un|une|la jeune|le jeune|le vieux|la vieille)\s*)*"


def _name_alternatives(names: Sequence[str]) -> str:
    words = [re.escape(fold(n).strip()) for n in names if n.strip()]
    return "|".join(sorted(set(words), key=len, reverse=True)) or r"(?!x)x"


def action_sentence(description: str, names: Sequence[str]) -> str | None:
    """The first sentence of ``description`` whose subject (one of ``names``, another
    capitalised name or a pronoun) does something; None when it reads as an appearance."""
    if not description.strip():
        return None
    alternatives = _name_alternatives(names)
    en = re.compile(
        rf"^\s*{_ARTICLE_EN}(?:{alternatives}|{_EN_PRONOUNS}){_PAREN}\s+{_EN_ADVERB}"
        r"([a-z]+)(?![a-z'])"
    )
    fr = re.compile(
        rf"^\s*{_ARTICLE_FR}(?:{alternatives}|{_FR_PRONOUNS}){_PAREN}\s+"
        r"(?:ne\s+|n'|se\s+|s')?([a-z]+)(?![a-z'])"
    )
    for sentence in re.findall(r"[^.!?;\n]+", description):
        folded = fold(sentence)
        match = en.match(folded)
        if match:
            verb = match.group(1)
            if verb not in _EN_APPEARANCE and (
                verb in _EN_PAST
                or (verb.endswith("s") and not verb.endswith("ss") and len(verb) > 2)
                or (verb.endswith("ed") and len(verb) > 4 and verb not in _EN_WORN)
            ):
                return sentence.strip()
        match = fr.match(folded)
        if match:
            verb = match.group(1)
            reflexive = re.search(r"\s(?:se\s|s')", folded[: match.start(1)] + " ")
            if verb not in _FR_APPEARANCE and (
                reflexive or re.search(r"(?:e|es|ent|it|ait|ent|ont|a)$", verb)
            ):
                return sentence.strip()
    return None


def appearance_of(description: str, name: str) -> str | None:
    """The appearance a description gives in a parenthesis after the name ("GaBy (20s,
    soaked, dark curly hair) waits..." -> "20s, soaked, dark curly hair"), or None."""
    folded = fold(description)
    match = re.search(re.escape(fold(name).strip()) + r"\s*\(([^)]{2,200})\)", folded)
    if not match:
        return None
    return description[match.start(1) : match.end(1)].strip()
