"""Model wishes in the free text: "use Wan", "avoid Sora, Kling and Veo", "local only"."""

from __future__ import annotations

import re
from collections.abc import Mapping

from storycore.tools.brief.findings import _Found, _Prose
from storycore.tools.brief.vocabulary import _AMBIGUOUS_MODEL_WORDS, BUILTIN_MODEL_ALIASES
from storycore.tools.text import compact_key as _model_key
from storycore.tools.text import fold_phrase as _fold
from storycore.tools.text import sentences_with_offsets as _sentences

_LOCAL_ONLY = re.compile(
    r"\b(?:no|without|not any|pas de|sans|aucun|jamais de|zero)\s+cloud(?:\s+(?:models?|"
    r"modeles?|services?|apis?|generation|rendering|providers?|gpus?))?\b"
    r"(?!\s+(?:in|above|over|dans)\b)"
    r"|\blocal(?:ly)?\s+only\b|\bonly\s+(?:run\s+)?local(?:ly)?\b|\bonly\s+local\s+models?\b"
    r"|\blocal\s+models?\s+only\b|\boffline only\b"
    r"|\b(?:uniquement|seulement|que|tout)\s+en\s+local\b|\ben\s+local\s+(?:uniquement|seulement)\b"
    r"|\b100\s*%?\s*(?:en\s+)?local\b|\bmodeles\s+locaux\s+(?:uniquement|seulement)\b"
    r"|\b(?:uniquement|seulement)\s+des\s+modeles\s+locaux\b"
)
_NEGATIVE_CUES = [
    "don t use",
    "do not use",
    "dont use",
    "never use",
    "don t want",
    "do not want",
    "ne pas utiliser",
    "n utilise pas",
    "n utilisez pas",
    "ne veux pas",
    "ne voulons pas",
    "rather than",
    "instead of",
    "other than",
    "plutot que",
    "au lieu de",
    "sauf",
    "except",
    "but not",
    "mais pas",
    "avoid",
    "avoiding",
    "without",
    "not",
    "no",
    "never",
    "evite",
    "evitez",
    "eviter",
    "pas de",
    "pas d",
    "sans",
    "jamais",
    "aucun",
    "exclude",
    "exclure",
    "ban",
    "skip",
]
_POSITIVE_CUES = [
    "use",
    "using",
    "prefer",
    "preferably",
    "with",
    "via",
    "through",
    "want",
    "try",
    "utilise",
    "utilisez",
    "utiliser",
    "prefere",
    "preferez",
    "preferer",
    "avec",
    "veux",
    "voudrais",
    "aimerais",
    "generated with",
    "made with",
    "go with",
    "pick",
    "choose",
    "choisis",
    "choisir",
]
_CUES = re.compile(
    r"\b("
    + "|".join(
        re.escape(c) for c in sorted({*_NEGATIVE_CUES, *_POSITIVE_CUES}, key=len, reverse=True)
    )
    + r")\b"
)


class _ModelTable:
    """Model names (built-in aliases plus the caller's) and how to find them in prose."""

    def __init__(self, known_models: Mapping[str, str] | None) -> None:
        table = {_model_key(alias): model_id for alias, model_id in BUILTIN_MODEL_ALIASES.items()}
        if known_models:
            caller = {_model_key(alias): model_id for alias, model_id in known_models.items()}
            for model_id in list(caller.values()):
                caller.setdefault(_model_key(model_id), model_id)
            # The caller's registry names win; built-in aliases it does not know stay only if
            # they point to an id the caller has.
            ids = set(caller.values())
            table = {k: v for k, v in table.items() if v in ids} | caller
        for model_id in list(table.values()):
            table.setdefault(_model_key(model_id), model_id)
        self.table = table
        self.ids = set(table.values())
        spellings: set[str] = set(BUILTIN_MODEL_ALIASES) | set(known_models or {})
        spellings |= {model_id for model_id in self.ids}
        patterns = []
        for spelling in sorted(spellings, key=lambda s: (-len(s), s)):
            tokens = re.findall(r"[a-z]+|\d+", _fold(spelling))
            if tokens and _model_key(spelling) in table:
                patterns.append(r"[\s._-]*".join(tokens))
        self.regex = (
            re.compile(r"(?<![a-z0-9])(" + "|".join(patterns) + r")(?![a-z0-9]|[.,]\d)")
            if patterns
            else None
        )

    def resolve(self, name: str) -> str | None:
        """The id for a model name or id, or None."""
        return self.table.get(_model_key(name))


def _scan_models(text: str, models: _ModelTable, prose: _Prose) -> None:
    """Model wishes: a model name and the nearest wish word before it in its clause.

    A clause without a wish word inherits the previous one when that clause only lists
    models ("avoid Sora, Kling and Veo").
    """
    if models.regex is None:
        return
    regex = models.regex
    for _, sentence in _sentences(_fold(text)):
        for match in regex.finditer(sentence):
            spelling = match.group(1)
            model_id = models.resolve(spelling)
            shown = spelling
            version = re.match(
                r"[\s-]?v?(\d+(?:\.\d+)*)(?![\d.])"
                r"(?!\s*(?:s|sec|secs|seconds?|secondes?|min|minutes?|fps|shots?|plans?)\b)",
                sentence[match.end() :],
            )
            if version and not re.search(r"\d", spelling):
                number = version.group(1)
                shown = f"{spelling} {number}"
                model_id = models.resolve(shown) or models.resolve(
                    f"{spelling} {number.split('.')[0]}"
                )
                if model_id is None:
                    prose.not_understood.append(
                        f"model {shown!r} is not a model StoryCore knows; name one from "
                        "'storycore models list'"
                    )
                    continue
            ambiguous = _model_key(spelling) in _AMBIGUOUS_MODEL_WORDS
            cue = _wish_before(sentence, match.start(), regex)
            if cue is None or (ambiguous and cue in ("with", "avec")):
                if not ambiguous:
                    prose.not_understood.append(
                        f"model {shown!r} is mentioned without saying whether to use or avoid it"
                    )
                continue
            if model_id is None:
                continue
            target = prose.avoid if cue in _NEGATIVE_CUES else prose.prefer
            target.append(_Found(model_id, shown))


_CONJUNCTIONS = re.compile(r"\b(?:and|or|et|ou|nor|ni|also|aussi)\b")


def _wish_before(sentence: str, position: int, regex: re.Pattern[str]) -> str | None:
    """The nearest wish word before ``position``, within its clause (see _scan_models)."""
    clauses = re.split(r"[,:]", sentence[:position])
    for index in range(len(clauses) - 1, -1, -1):
        clause = clauses[index]
        cues = list(_CUES.finditer(clause))
        tail = clause[cues[-1].end() :] if cues else clause
        only_models = not _CONJUNCTIONS.sub(" ", regex.sub(" ", tail)).strip()
        if cues and (index == len(clauses) - 1 or only_models):
            return cues[-1].group(1)
        if not only_models:
            return None
    return None
