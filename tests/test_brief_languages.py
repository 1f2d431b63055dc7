"""The prose reader (issue 11, Languages): phrasings that rule out cloud models mean local
only; a title in guillemets or announced quotes is the title, dialogue in quotes is not."""

from __future__ import annotations

import pytest

from storycore.tools.brief import parse_brief

STORY = " A fisherman mends his nets on the quay at dawn while gulls circle."


@pytest.mark.parametrize(
    "wish",
    [
        "Nothing leaves my machine.",
        "Everything runs on my own GPU.",
        "Aucun modèle en ligne, tout chez moi.",
        "Rien ne sort de mon ordinateur.",
        "Je veux tout générer sur ma carte graphique.",
        "No hosted models, please.",
    ],
)
def test_phrasings_that_rule_out_cloud_models_mean_local_only(wish: str) -> None:
    assert parse_brief("A 20 second film. " + wish + STORY).technical_specs.models.local_only


@pytest.mark.parametrize(
    "text",
    [
        "A 20 second film about an online bookshop." + STORY,
        "A 20 second film; clouds drift over the machine shop." + STORY,
    ],
)
def test_words_near_those_phrasings_do_not(text: str) -> None:
    assert not parse_brief(text).technical_specs.models.local_only


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Un court métrage « Marée Basse » de 20 secondes." + STORY, "Marée Basse"),
        ('A short film called "The Last Net", 20 seconds.' + STORY, "The Last Net"),
        ("Un clip intitulé “Les Mouettes”, 20 secondes." + STORY, "Les Mouettes"),
    ],
)
def test_a_quoted_title_is_the_title(text: str, title: str) -> None:
    assert parse_brief(text, source_name="brief.md").title == title


def test_quoted_dialogue_is_not_a_title() -> None:
    text = "A 20 second film. He shouts «Come back!» to the boat." + STORY
    assert parse_brief(text, source_name="harbour.md").title == "Harbour"


@pytest.mark.parametrize(
    ("text", "seconds", "aspect", "fps"),
    [
        (
            "Un anuncio de 35 segundos en formato vertical, a 25 fps. Un pescador remienda la red.",
            35.0,
            "9:16",
            "25",
        ),
        (
            "Ein Spot von 35 Sekunden im Hochformat mit 25 fps. Ein Fischer flickt sein Netz.",
            35.0,
            "9:16",
            "25",
        ),
        (
            "Uno spot di 2 minuti, formato verticale. Un pescatore ripara la rete al porto.",
            120.0,
            "9:16",
            "24",
        ),
        (
            "Um anúncio de 35 segundos: um pescador conserta a rede no cais ao amanhecer.",
            35.0,
            "16:9",
            "24",
        ),
    ],
)
def test_specs_in_other_languages(text: str, seconds: float, aspect: str, fps: str) -> None:
    brief = parse_brief(text)
    assert brief.duration_seconds == seconds
    assert brief.technical_specs.aspect_ratio == aspect
    assert brief.technical_specs.fps == fps
