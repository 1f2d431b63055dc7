"""Which language a short text is written in: enough to tell a French description inside an
English prompt. Common function words for the Latin-script languages, the script for
Japanese, Korean and Chinese. No model, no download.

A module of its own (the critic imports it as :mod:`storycore.tools.critic.language`): the
planner asks it of every description, and importing the critic package would load every
check, the feedback rules and their vocabulary inside the plan."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from storycore.tools.text import fold_same_length as fold


def _words(text: str) -> frozenset[str]:
    """The words of a space-separated list (vocabulary tables stay readable)."""
    return frozenset(text.split())


# Function words that are frequent in one language and rare in the others (words shared by
# two of them, like "de", "la", "a", "en", "on", are left out).
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and is are was were with of his her she he they them their into from this that "
        "at by it its as but while who which through toward towards under over "
        # a request's words: the first and second persons, modals
        "you we my your our us me would could should will can please"
    ),
    "fr": _words(
        "le les des du une et est sont dans sur avec pour qui elle il ils elles au aux sa ses "
        "son leur puis vers sous chez cette ces mais pas ne se lui "
        "je nous vous mon mes notre votre que plus tout toute tous toutes très soit ait être "
        "peux veux voudrais rends rendre mets mettre fais faire"
    ),
    "es": _words(
        "el los las una y es son con para que ella del al su sus pero muy esta este hacia "
        "bajo entre "
        "yo quiero puedes sea parezca usted nosotros haz pon"
    ),
    "de": _words(
        "der die das und ist sind mit ein eine einem einen sie er auf dem den des im nicht "
        "zu von unter "
        "ich du wir möchte dass bitte mehr alles ganze soll sollte mach"
    ),
    "it": _words(
        "il gli una e è sono con per che lei lui nel nella della del sul alla suo sua ma "
        "verso sotto "
        "io vorrei voglio più tutto tutta tutti fosse sia puoi fai metti rendi molto"
    ),
    "pt": _words(
        "o os as uma e é são com para que ela ele no na do da em seu sua mas sob "
        "eu quero seja você nós muito pode faça tudo"
    ),
}
# Words shared by some of the languages: half a point to each.
_SHARED: dict[str, tuple[str, ...]] = {
    "la": ("fr", "es", "it"),
    "de": ("fr", "es", "pt"),
    "un": ("fr", "es", "it"),
    "en": ("fr", "es"),
    "l": ("fr", "it"),
    "a": ("en", "pt"),
    "in": ("en", "it", "de"),
    "on": ("en", "fr"),
    "to": ("en",),
    "i": ("en", "it"),
    "todo": ("es", "pt"),
    "toda": ("es", "pt"),
    "her": ("en",),
}
# Elisions are French: d'un, qu'il, s'arrête, n'est.
_FRENCH_ELISION = re.compile(r"(?<![a-z])(?:d|qu|j|n|s|c|jusqu|lorsqu)['’][a-zà-ÿ]", re.I)
_WORD = re.compile(r"[a-zà-ÿ]+", re.IGNORECASE)


@cache
def _folded_vocabulary(code: str) -> frozenset[str]:
    """The function words of language ``code`` without their accents (built once)."""
    return frozenset(fold(v) for v in _FUNCTION_WORDS[code])


@lru_cache(maxsize=4096)
def detect_language(text: str) -> str | None:
    """The ISO code of the language ``text`` is most likely in, or None when it is too short
    or unclear to say (fewer than 3 function words, or two languages as likely)."""
    if not text or not text.strip():
        return None
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    if re.search(r"[\uac00-\ud7af]", text):
        return "ko"
    if len(re.findall(r"[\u4e00-\u9fff]", text)) >= 4:
        return "zh"
    words = [w.lower() for w in _WORD.findall(text)]
    folded_words = [fold(w) for w in words]
    counts: dict[str, float] = {}
    for code, vocabulary in _FUNCTION_WORDS.items():
        folded_vocabulary = _folded_vocabulary(code)
        counts[code] = float(
            sum(
                1
                for w, f in zip(words, folded_words, strict=True)
                if w in vocabulary or (f in folded_vocabulary and code != "en")
            )
        )
    for word in folded_words:
        for code in _SHARED.get(word, ()):
            counts[code] += 0.5
    counts["fr"] += len(_FRENCH_ELISION.findall(text))
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < 3 or top < 1.5 * second:
        return None
    return best
