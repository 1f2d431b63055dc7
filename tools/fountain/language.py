"""The language a screenplay is written in, read from the screenplay itself: its title page's
``Language:`` when it has one, else its action lines, dialogue and scene headings, as a prose
brief's language is read from its prose (:func:`screenplay_language`)."""

from __future__ import annotations

import re

from storycore.tools.domain.values import normalize_language
from storycore.tools.fountain.parse import Screenplay
from storycore.tools.text import fold_words, word_set

# Words of spoken and written French that the prose reader's common words leave out (they are
# the short words of a screenplay's dialogue: "Tu viens ? On part."), and French elisions.
_FRENCH = word_set(
    """tu toi moi lui on un de mon ma mes ton ta tes ses notre votre mais oui non rien tout
    ici voila pourquoi comment quoi parce encore jamais toujours deja bien merci bonjour
    maintenant peut faut va vais suis es sommes etes ai as avons avez ont fait chez sous vers
    entre regarde sort pose prend ouvre ferme"""
)
_ENGLISH = word_set(
    """the and you i to of is it in that what my your we he she they this his her are was
    not no yes do don can will just here there now come go look at with"""
)
_ELISION = re.compile(r"\b(?:[ljdnmtscLJDNMTSC]|qu|Qu|QU)['’]\w")
# The time words of a heading, by language (accents folded): "NUIT", "PLUS TARD" / "NIGHT".
_FRENCH_TIMES = word_set(
    "nuit jour soir matin aube aurore crepuscule minuit midi soiree matinee tard lendemain "
    "suite continu meme moment instant instants veille"
)
_ENGLISH_TIMES = word_set(
    "night day evening morning dawn dusk sunset sunrise midnight noon afternoon later "
    "continuous moments same next following"
)


def _story_text(screenplay: Screenplay) -> str:
    """Every line a reader reads: action, dialogue, parentheticals, headings."""
    parts: list[str] = []
    for beats in [screenplay.preamble, *(s.beats for s in screenplay.scenes)]:
        for beat in beats:
            if beat.kind != "transition":
                parts.append(beat.text)
            if beat.parenthetical:
                parts.append(beat.parenthetical)
    return "\n".join(parts)


def _tally(text: str, headings: list[str]) -> tuple[int, int]:
    """French and English evidence: short spoken words, elisions, heading time words."""
    words = fold_words(text).split()
    french = sum(word in _FRENCH for word in words) + len(_ELISION.findall(text))
    english = sum(word in _ENGLISH for word in words)
    for heading in headings:
        times = fold_words(heading).split()
        french += 2 * sum(word in _FRENCH_TIMES for word in times)
        english += 2 * sum(word in _ENGLISH_TIMES for word in times)
    return french, english


def screenplay_language(screenplay: Screenplay) -> str:
    """The language of a screenplay (an ISO 639-1 code, "en" when nothing says otherwise).

    The title page's ``Language:`` wins when it names a known language. Otherwise the text
    is read as a prose brief is (its common words), then, when that finds English, weighed
    again with the words a screenplay is made of: dialogue's short words and elisions ("Tu
    viens ?", "J'arrive"), and the time words of its headings ("INT. CUISINE - NUIT").
    """
    # Imported here: the brief package reads scene headings from this one.
    from storycore.tools.brief.languages import _language_of_text

    declared = screenplay.title_page.get("language", "").strip()
    if declared:
        try:
            return normalize_language(declared)
        except ValueError:
            pass
    text = _story_text(screenplay)
    by_words = _language_of_text(text)
    if by_words != "en":
        return by_words
    times = [s.heading.time_of_day or "" for s in screenplay.scenes if s.heading.time_of_day]
    french, english = _tally(text, times)
    return "fr" if french >= 3 and french > english else "en"
