"""Voice-over written in a sentence rather than in a cue: "Une voix off, celle de sa fille,
raconte : « ... »", "En voix off, Julie dit : ...", "A voice-over says: “...”", "Narrator
(V.O.): ...". A voice-over is narration over the picture: its words are the shot's narration
(no lip-sync), and whoever speaks them is not on screen (:func:`voice_over_opener`,
:func:`voice_over_beats`)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from storycore.tools.domain import Beat
from storycore.tools.text import fold_words, split_sentences

# The words that say a voice is heard over the picture, folded (accents off, lower case,
# punctuation to spaces): "voix off", "en off", "voice-over", "narrator", "(V.O.)", "(OFF)".
_MARKER = re.compile(
    r"\b(?:voix off|voix hors champ|en off|voice over|voiceover|narrator|narrators|"
    r"narratrice|narrateur|narration|v o|vo|off)\b"
)
# "(V.O.)", "(VO)", "(OFF)" written after a name in prose, before the words.
_EXTENSION = re.compile(r"\((?:V\.?\s?O\.?|OFF|voix off|voice[- ]?over)\)", re.IGNORECASE)
# The words themselves: a quotation, or what follows the opener's colon.
_QUOTED = re.compile(r"«\s*(?P<a>[^»]+?)\s*»|“(?P<b>[^”]+)”|\"(?P<c>[^\"]+)\"")
_COLON = re.compile(r"\s:\s*|:\s+")


def voice_over_opener(sentence: str) -> bool:
    """Whether a sentence that introduces words says they are a voice-over: "Une voix off,
    celle de sa fille, raconte :", "En voix off, Julie dit :", "A voice-over says:",
    "Julie (V.O.):". The word "off" alone counts only with a voice or a name's extension
    ("en off", "(OFF)"), never in "takes off" or "turns the light off"."""
    if _EXTENSION.search(sentence):
        return True
    folded = fold_words(sentence)
    return any(m.group(0) not in {"off", "vo", "v o"} for m in _MARKER.finditer(folded))


def _speaker(text: str, names: Iterable[str]) -> str | None:
    """The first of ``names`` the opener names (who the voice is), else None."""
    folded = f" {fold_words(text)} "
    best: tuple[int, str] | None = None
    for name in names:
        key = fold_words(name)
        index = folded.find(f" {key} ") if key else -1
        if index >= 0 and (best is None or index < best[0]):
            best = (index, name)
    return best[1] if best else None


def _split(text: str) -> tuple[str, str, str] | None:
    """``(lead, words, after)``: the text up to the words of a voice-over (its last sentence
    introduces them), the words (a quotation, or all that follows a colon) and what follows
    them; None when the text holds neither a quotation nor a colon."""
    quoted = _QUOTED.search(text)
    if quoted is not None:
        lead, words, after = text[: quoted.start()], quoted.group(0), text[quoted.end() :]
    else:
        colon = _COLON.search(text)
        if colon is None:
            return None
        lead, words, after = text[: colon.start()], text[colon.end() :], ""
    return lead.rstrip(), words, after


def voice_over_beats(text: str, names: Iterable[str] = ()) -> list[Beat] | None:
    """An action paragraph that holds a voice-over, as beats: the action before it, a
    dialogue beat with the ``V.O.`` extension (its speaker the name the opener gives, else
    none: "sa fille" is not on screen either), and the action after it; None when the
    paragraph holds no voice-over."""
    pieces = _split(text)
    if pieces is None:
        return None
    lead, words, after = pieces
    sentences = split_sentences(lead) or [lead]
    opener = sentences[-1]
    if not voice_over_opener(opener):
        return None
    spoken = _QUOTED.fullmatch(words.strip())
    if spoken is not None:
        words = next(g for g in spoken.groups() if g)
    # A quotation cut by a sentence split keeps no stray mark: '“Dad kept everything.'
    words = words.strip().strip('“”«»"').strip()
    if not words:
        return None
    beats = [Beat(kind="action", text=s) for s in sentences[:-1] if s.strip()]
    beats.append(
        Beat(kind="dialogue", text=words, character=_speaker(opener, names), extension="V.O.")
    )
    rest = after.strip(" ,;—–-")
    if fold_words(rest):
        beats.append(Beat(kind="action", text=rest))
    return beats
