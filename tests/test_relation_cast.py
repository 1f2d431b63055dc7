"""A possessive that says whose relative someone is ("his granddaughter Mira", "her son
Tom") casts only the relative: the shot of the beat frames who acts, the possessor is only
spoken of. A pronoun that is someone in the beat still casts them. Briefs written here."""

from __future__ import annotations

import pytest

from storycore.tools.breakdown import breakdown_brief
from storycore.tools.planner.intake import understand


def _cast_of(text: str, words: str) -> list[str]:
    shots = breakdown_brief(understand(text, source_name="story.md")).shots
    found = [s for s in shots if words in s.description]
    assert found, [(s.description, s.characters) for s in shots]
    return list(found[0].characters)


_HOUSE = (
    "# Porch\n\nA 30-second short film, 16:9.\n\nAt dusk, on the porch, Walt, an old "
    "carpenter in a checked shirt, sands a chair. {sentence} Walt smiles.\n"
)


@pytest.mark.parametrize(
    ("sentence", "shown"),
    [
        ("His granddaughter Nell, a girl with red braids, runs across the lawn.", "char_nell"),
        ("His old friend Ida, a woman in a straw hat, walks up the path.", "char_ida"),
    ],
)
def test_a_relative_named_by_a_possessive_is_shot_alone(sentence: str, shown: str) -> None:
    assert _cast_of(_HOUSE.format(sentence=sentence), sentence.split(",")[0]) == [shown]


def test_a_pronoun_that_is_someone_in_the_beat_still_casts_them() -> None:
    text = _HOUSE.format(sentence="Nell, a girl with red braids, hands him a lemonade.")
    assert sorted(_cast_of(text, "lemonade")) == ["char_nell", "char_walt"]


@pytest.mark.parametrize(
    ("sentence", "title_start"),
    [
        ("He sweeps the shavings off the bench.", "Walt sweeps the shavings"),
        ("Nell, a girl with red braids, sits down. They laugh together.", "Walt and Nell laugh"),
    ],
)
def test_a_title_says_who_acts_instead_of_a_pronoun(sentence: str, title_start: str) -> None:
    """A shot's title (and its folder's name) reads as a line of the shot list: the pronoun
    its beat opens on is the person the shot frames, never "Walt: He sweeps…"."""
    text = _HOUSE.format(sentence=sentence)
    shots = breakdown_brief(understand(text, source_name="story.md")).shots
    titles = [s.title for s in shots]
    assert any(t.startswith(title_start) for t in titles), titles
    assert not any(": He " in t or ": They " in t for t in titles), titles
