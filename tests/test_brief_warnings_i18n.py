"""The brief reader's warnings speak the brief's answer language: found before that language
is decided, they are kept as deferred messages (a catalog key and its values) and rendered
once ``technical_specs.language`` is known. English stays byte-identical.

The briefs here are written for the test: a baker at dawn, a lighthouse keeper."""

from __future__ import annotations

import dataclasses

import pytest

from storycore.tools import i18n
from storycore.tools.brief.parser import parse_brief
from storycore.tools.brief.warnings import BriefWarning, language_term

#: Front matter against the text: duration, aspect ratio (by the resolution), two frame rates.
BAKER_FR = """---
title: La Boulangère
duration: 30s
language: fr
resolution: 1920x1080
---

Un petit film de 45 secondes, en 9:16, à 24 images par seconde ou 30 images par seconde.

À l'aube, une boulangère aux cheveux gris lève le rideau de sa boutique. Un livreur à vélo
s'arrête devant la vitrine. Elle lui tend un croissant chaud.
"""

KEEPER_EN = """---
title: The Keeper
duration: 30s
resolution: 1920x1080
---

A short film of 45 seconds, in 9:16, at 24 fps or 30 fps.

At dawn a lighthouse keeper climbs the spiral stairs and lights the great lamp. A ship passes.
"""

#: French by the front matter; the text asks for other languages, rates and budgets.
BAKER_LANGUAGES = """---
language: fr
prompt_language: fr
budget: 10
fps: 25
---

Réponds en anglais. Écris les prompts en japonais. Budget de 50 dollars. À 24 images par seconde.

Une boulangère ouvre sa boutique à l'aube et sourit aux passants dans la rue encore vide.
"""

#: French by its own words: a character listed twice, several ratios and sizes.
BAKER_SECTIONS = """Réponds-moi en français. Un film de 20 secondes en 16:9 et en 4:3, en 1080p et
en 720p.

## Personnages
- Marc : un boulanger
- Marc : un autre

Marc ouvre sa boutique à l'aube et sourit aux passants dans la rue encore vide.
"""

ENGLISH_WORDS = ("the front matter", "wins", "the text", "is used", "is kept", "listed twice")


def _no_english(warnings: list[str]) -> None:
    for warning in warnings:
        for words in ENGLISH_WORDS:
            assert words not in warning, (words, warning)


def test_a_french_brief_warns_in_french() -> None:
    brief = parse_brief(BAKER_FR)
    assert brief.technical_specs.language == "fr"
    assert brief.warnings == [
        "l'en-tête indique une durée de 30 s, mais le texte dit « 45 secondes » : "
        "l'en-tête l'emporte",
        "la résolution 1920x1080 de l'en-tête est au format 16:9, mais le texte demande du "
        "9:16 : l'en-tête l'emporte, le format est 16:9",
        "le texte cite plusieurs cadences (24, 30) : la première, 24 fps, est retenue",
    ]
    _no_english(brief.warnings)


def test_the_same_brief_in_english_keeps_the_english_warnings() -> None:
    brief = parse_brief(KEEPER_EN)
    assert brief.technical_specs.language == "en"
    assert brief.warnings == [
        "the front matter says duration 30 s but the text says '45 seconds'; the front matter wins",
        "the front matter's resolution 1920x1080 is 16:9, but the text asks for 9:16; the "
        "front matter wins: 16:9",
        "the text names several frame rates (24, 30); the first, 24 fps, is used",
    ]


def test_language_names_come_from_the_french_catalog_and_quotes_stay_as_written() -> None:
    brief = parse_brief(BAKER_LANGUAGES)
    assert brief.technical_specs.language == "fr"
    assert brief.warnings == [
        "l'en-tête indique 25 fps, mais le texte dit « 24 images par seconde » : l'en-tête "
        "l'emporte",
        "l'en-tête demande des réponses en français, mais le texte dit « reponds en anglais » : "
        "l'en-tête l'emporte",
        "l'en-tête demande des prompts en français, mais le texte dit « prompts en japonais » : "
        "l'en-tête l'emporte",
        "l'en-tête indique un budget de 10 $, mais le texte dit « Budget de 50 dollars » : "
        "l'en-tête l'emporte",
    ]
    assert not any("French" in w for w in brief.warnings)


def test_sections_ratios_and_sizes_warn_in_french() -> None:
    brief = parse_brief(BAKER_SECTIONS)
    assert brief.technical_specs.language == "fr"
    assert brief.warnings == [
        "Personnages : « Marc » figure deux fois ; la première entrée est gardée",
        "le texte cite plusieurs formats d'image (16:9, 4:3) : le premier, 16:9, est retenu",
        "le texte cite plusieurs résolutions (1920x1080, 1280x720) : la première, 1920x1080, "
        "est retenue",
    ]
    _no_english(brief.warnings)


def test_drop_frame_at_a_rate_without_it_in_french_and_in_english() -> None:
    french = parse_brief(
        "---\nlanguage: fr\nfps: 25\ndrop_frame: true\n---\n\n"
        "Une boulangère ouvre sa boutique à l'aube et sourit aux passants.\n"
    )
    assert french.warnings == [
        "le timecode drop-frame n'existe pas à 25 fps : le timecode non-drop est utilisé"
    ]
    english = parse_brief(
        "---\nfps: 25\ndrop_frame: true\n---\n\n"
        "A lighthouse keeper climbs the spiral stairs at dusk and lights the great lamp.\n"
    )
    assert english.warnings == ["drop-frame timecode does not exist at 25 fps; non-drop is used"]


def test_an_english_text_answered_in_french_warns_in_french() -> None:
    """The answer language is decided last (here by the front matter): the warnings found
    before it follow it."""
    brief = parse_brief(KEEPER_EN.replace("duration: 30s\n", "duration: 30s\nlanguage: fr\n"))
    assert brief.technical_specs.language == "fr"
    assert brief.warnings[0] == (
        "l'en-tête indique une durée de 30 s, mais le texte dit « 45 seconds » : "
        "l'en-tête l'emporte"
    )
    _no_english(brief.warnings)


def test_a_deferred_warning_is_frozen_and_its_str_is_english() -> None:
    warning = BriefWarning.of(
        "language_front_matter.answer", language=language_term("fr"), said="answer in 'x'"
    )
    assert str(warning) == (
        "the front matter says answer language French but the text says \"answer in 'x'\"; "
        "the front matter wins"
    )
    assert warning.render("fr") == (
        "l'en-tête demande des réponses en français, mais le texte dit « answer in 'x' » : "
        "l'en-tête l'emporte"
    )
    assert warning.render("de") == str(warning)  # no German catalog: English
    with pytest.raises(dataclasses.FrozenInstanceError):
        warning.key = "other"  # type: ignore[misc]
    assert hash(warning) == hash(BriefWarning.of(warning.key, **dict(warning.values)))


def test_every_brief_warning_is_translated() -> None:
    english, french = i18n.section("brief_warnings", "en"), i18n.section("brief_warnings", "fr")
    assert len(english) >= 25 and set(english) == set(french)
    for key, text in english.items():
        assert french[key] != text, key
        assert i18n.placeholders(french[key]) == i18n.placeholders(text), key


def test_the_brief_confirmation_shows_the_french_warnings() -> None:
    from storycore.agent.confirmations import brief_confirmation

    card = brief_confirmation(parse_brief(BAKER_FR), "fr")
    assert (
        "attention : le texte cite plusieurs cadences (24, 30) : la première, 24 fps, est retenue"
        in card.details
    )
    _no_english(card.details)


def test_an_imposed_answer_language_gives_the_warnings_its_language() -> None:
    """``plan --language fr`` makes French the brief's answer language: its warnings too."""
    from storycore.tools import planner

    brief = planner.understand(KEEPER_EN, overrides=planner.Overrides(language="fr"))
    assert brief.technical_specs.language == "fr"
    assert brief.warnings[2] == (
        "le texte cite plusieurs cadences (24, 30) : la première, 24 fps, est retenue"
    )
    _no_english(brief.warnings)
    english = planner.understand(BAKER_FR, overrides=planner.Overrides(language="en"))
    assert english.warnings[2] == (
        "the text names several frame rates (24, 30); the first, 24 fps, is used"
    )
