"""Coverage that tells a beat's moments one at a time, not the whole beat at every size.

The stories are written for these tests: a beat of several things happening ("leaves the
market, where vendors stack crates, then cycles across the bridge") is covered by shots that
each show one of them; a beat of one thing is told once more by coverage, then the set-ups
say what they frame and no more.
"""

from __future__ import annotations

import pytest

from storycore.tools.breakdown import breakdown_brief
from storycore.tools.breakdown.moments import beat_moments
from storycore.tools.domain import SceneType
from storycore.tools.planner.intake import understand


def _shots(text: str, name: str = "story.md") -> list:
    return breakdown_brief(understand(text, source_name=name)).shots


def _coverage(shots: list) -> list:
    return [s for s in shots if "coverage" in s.generation_notes]


@pytest.mark.parametrize(
    ("text", "characters", "expected"),
    [
        # "then" / "puis": the later part takes the subject it shares
        (
            "Mila leaves the market, then cycles across the bridge.",
            ["Mila"],
            [("Mila leaves the market.", True), ("Mila cycles across the bridge.", True)],
        ),
        (
            "Elle quitte la poste, puis traverse la place.",
            ["Inès"],
            [("Elle quitte la poste.", True), ("Elle traverse la place.", True)],
        ),
        # what a place does, and what happens meanwhile, are moments of their own
        (
            "Inès quitte le port, où les mouettes tournent au-dessus des filets, "
            "pendant que la cloche sonne.",
            ["Inès"],
            [
                ("Inès quitte le port.", True),
                ("Les mouettes tournent au-dessus des filets.", False),
                ("La cloche sonne.", False),
            ],
        ),
        (
            "Tom waits at the stop as the bus pulls away.",
            ["Tom"],
            [("Tom waits at the stop.", True), ("The bus pulls away.", False)],
        ),
        (
            "GaBy strides past Dr. Marsh, who raises an eyebrow.",
            ["GaBy", "Dr. Marsh"],
            [("GaBy strides past Dr. Marsh.", True), ("Dr. Marsh raises an eyebrow.", True)],
        ),
        # "and" before a new subject
        (
            "Léo lui tend les baguettes et ils jouent ensemble.",
            ["Léo", "Nour"],
            [("Léo lui tend les baguettes.", True), ("Ils jouent ensemble.", True)],
        ),
        (
            "Zoe sings to the sea, and the city wakes up.",
            ["Zoe"],
            [("Zoe sings to the sea.", True), ("The city wakes up.", False)],
        ),
        # one thing happening stays one moment: a list, a shared subject, two verbs
        ("She carries a bag, a hat, and a red umbrella.", ["Mia"], None),
        ("Nour et Léo dansent sur le quai.", ["Nour", "Léo"], None),
        ("Noa stops and looks at the sea.", ["Noa"], None),
    ],
)
def test_a_beat_is_read_into_its_moments(
    text: str, characters: list[str], expected: list[tuple[str, bool]] | None
) -> None:
    moments = [(m.text, m.person) for m in beat_moments(text, characters)]
    assert moments == (expected if expected is not None else [(text, True)])


def test_a_sentence_that_only_sets_the_part_is_no_moment() -> None:
    text = "La dernière partie se passe sur un toit, au lever du soleil. Nour chante."
    assert [m.text for m in beat_moments(text, ["Nour"])] == ["Nour chante."]
    assert beat_moments("The second half takes place at the market.", ["Mila"]) == []


_ENGLISH = (
    "# Market run\n\nA 40-second film.\n\n## Story\n"
    "Mila, a florist in a green apron, leaves the flower market, where vendors stack crates "
    "of tulips, then cycles across the old bridge.\n"
)
_FRENCH = (
    "# Tournée\n\nUn film de 40 secondes.\n\n## Histoire\n"
    "Inès, une factrice au vélo jaune, quitte la poste, où les pigeons picorent sur les "
    "marches, puis traverse la place du marché.\n"
)


@pytest.mark.parametrize(
    ("text", "moments", "aside"),
    [
        (_ENGLISH, ["the flower market", "across the old bridge"], "stack crates"),
        (_FRENCH, ["quitte la poste", "traverse la place"], "pigeons picorent"),
    ],
)
def test_coverage_shows_each_moment_of_a_beat_in_turn(
    text: str, moments: list[str], aside: str
) -> None:
    shots = _shots(text)
    coverage = _coverage(shots)
    assert len(coverage) >= 3, [s.description for s in shots]
    described = [s.description for s in coverage]
    for words in [*moments, aside]:
        # each moment has a coverage shot of its own
        assert any(words in d for d in described), (words, described)
    for description in described:
        # and no coverage shot tells the whole beat again
        told = [w for w in [*moments, aside] if w in description]
        assert len(told) <= 1, description
    # what the place does is shown by a cutaway, not on the florist's face
    cutaway = next(s for s in coverage if aside in s.description)
    assert cutaway.scene_type is SceneType.ATMOSPHERIC and not cutaway.characters


def test_a_beat_of_one_thing_is_told_once_more_then_framed() -> None:
    shots = _shots(
        "# Pier\n\nA 30-second film.\n\n## Story\nNoa, a boy in a blue cap, runs along the "
        "pier at night.\n"
    )
    coverage = _coverage(shots)
    assert len(coverage) >= 4, [s.description for s in shots]
    telling = [s.description for s in coverage if "along the pier" in s.description]
    assert len(telling) == 1, [s.description for s in coverage]
    descriptions = [s.description for s in shots]
    assert len(set(descriptions)) == len(descriptions), descriptions
    # the set-ups that do not tell the action still cover it: their action (which the
    # prompts say) is the beat
    assert all("runs along the pier" in s.action for s in coverage)


def test_a_friend_named_after_a_possessive_is_cast() -> None:
    shots = _shots(
        "# Ramp\n\nA 30-second film.\n\n## Story\nJun skates down the ramp. His friend Ona "
        "films him on an old camcorder.\n"
    )
    filming = _with_words(shots, "camcorder")
    assert any("char_ona" in s.characters for s in filming), [
        (s.description, s.characters) for s in filming
    ]


def _with_words(shots: list, words: str) -> list:
    found = [s for s in shots if words in s.action or words in s.description]
    assert found, [s.description for s in shots]
    return found
