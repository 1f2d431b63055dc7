"""Coverage rules read on briefs written for these tests (none of the examples'): a look is
no prop, a cutaway tells only what the place does, hands work is framed on the hands
whatever the thing worked on, a beat is retold without its openers and never at the same
size of the same person twice, "they" is everyone the beat speaks of, and a tracking shot
follows the one who moves."""

from __future__ import annotations

import pytest

from storycore.tools.breakdown import breakdown_brief
from storycore.tools.breakdown.shot_lines import coverage_line, without_opener
from storycore.tools.fountain.french_props import handled_props as french_handled_props
from storycore.tools.fountain.handled import handled_props, works_with_hands
from storycore.tools.planner.intake import understand

_PRONOUNS = {"he", "she", "they", "him", "il", "elle", "ils", "elles", "qu’il", "qu’elle"}


def _shots(text: str) -> list:
    return breakdown_brief(understand(text, source_name="story.md")).shots


def _rows(shots: list) -> list:
    return [(s.shot_size, s.description, s.characters) for s in shots]


@pytest.mark.parametrize(
    "text",
    [
        "Kim, a cyclist with a pink quiff and a long wool coat, waits.",
        "Kim wears a green beanie and checks the map.",
    ],
)
def test_what_a_person_wears_is_no_prop(text: str) -> None:
    found = handled_props([text], exclude=["Kim"])
    assert not any(w in p for p in found for w in ("quiff", "coat", "beanie")), found


def test_what_a_person_carries_is_still_a_prop() -> None:
    assert handled_props(["Sam, an old fisherman with a net, waits."], exclude=["Sam"]) == ["net"]
    assert list(french_handled_props("Léa porte un bonnet vert et tient une lanterne.")) == [
        "lanterne"
    ]


_SKATE = (
    "# Night Ride\n\nA 40-second music video, 16:9.\n\nStory: Kim, a cyclist with a pink "
    "quiff and a long wool coat, rides across the square at dusk while the fountain "
    "splashes. She jumps a bench, then lands and grins. The streetlights flicker on.\n"
)


def test_a_look_gets_no_insert_and_a_cutaway_tells_no_ones_moment() -> None:
    shots = _shots(_SKATE)
    assert not any("quiff" in p or "coat" in p for s in shots for p in s.props), _rows(shots)
    assert not any("quiff" in s.description and not s.characters for s in shots)
    for shot in shots:
        if not shot.characters:
            # a shot of nobody says no pronoun of a person ("as she lands and grins")
            words = set(shot.description.lower().replace(",", " ").split())
            assert not words & _PRONOUNS, shot.description


@pytest.mark.parametrize(
    ("rest", "hands"),
    [
        ("shapes the neck with wet newspaper in her palm", True),
        ("carves the head of the figure with a small knife", True),
        ("raises an eyebrow", False),
        ("drags her feet", False),
        ("rubs the back of his neck", False),
    ],
)
def test_hands_work_on_a_things_part(rest: str, hands: bool) -> None:
    assert works_with_hands(rest) is hands


def test_a_close_up_of_work_on_a_things_part_is_on_the_hands() -> None:
    shots = _shots(
        "# Clay\n\nA 30-second portrait.\n\nStory: Jo, a potter, shapes the neck of the jug "
        "with a wet sponge in her palm. She smiles.\n"
    )
    close = [s for s in shots if s.shot_size.value == "CU" and s.characters]
    assert any("Jo's hands shaping" in s.description for s in close), _rows(shots)


def test_every_opener_of_time_and_place_goes_when_asked() -> None:
    text = "À l'aube, dans la forge, Marc façonne la lame."
    assert without_opener(text) == "dans la forge, Marc façonne la lame."
    assert without_opener(text, 3) == "Marc façonne la lame."
    # a clause on a determiner and a verb is no opener
    kept = "Le renard s'approche lentement, prend la pomme."
    assert without_opener(kept, 3) == kept


_FORGE = (
    "Une publicité de 30 secondes pour les couteaux Ferrand, format 16:9.\n\n"
    "À l'aube, dans la forge, Marc, un forgeron à la barbe rousse, façonne la lame avec "
    "un marteau. Sa fille Léa, une adolescente qui porte un ciré jaune, traverse la cour. "
    "Ils rient, puis Léa s'assoit sur le banc.\n\nCarton final : « Ferrand. »\n"
)


def test_a_beat_is_retold_without_its_openers_nor_at_the_same_size() -> None:
    shots = _shots(_FORGE)
    coverage = [s for s in shots if "coverage" in s.generation_notes]
    assert coverage, _rows(shots)
    assert not any("l'aube" in s.description for s in coverage), _rows(shots)
    assert not any("ciré" in p for s in shots for p in s.props), _rows(shots)
    seen: dict[str, set] = {}
    for shot in shots:
        if not shot.characters or "mains" in shot.description:
            continue
        key = (
            shot.shot_size,
            frozenset(shot.characters),
            shot.camera_angle,
            shot.camera_movement,
        )
        assert key not in seen.setdefault(shot.action, set()), _rows(shots)
        seen[shot.action].add(key)


def test_they_in_a_beat_naming_one_person_is_both() -> None:
    shots = _shots(_FORGE)
    toast = [s for s in shots if s.description.count("Ils rient")]
    assert toast and all(len(s.characters) == 2 for s in toast), _rows(shots)
    english = _shots(
        "# Yard\n\nA 30-second film.\n\nStory: At dawn, in the garden, Lena, a gardener, trims the "
        "roses with shears. Her son Tom runs across the lawn. They laugh, then Tom waves.\n"
    )
    laugh = [s for s in english if "They laugh" in s.description]
    assert laugh and all(len(s.characters) == 2 for s in laugh), _rows(english)


def _tracking(shots: list) -> list:
    return [s for s in shots if s.camera_movement.value == "tracking" and s.characters]


@pytest.mark.parametrize(
    "story",
    [
        # a thing moves: nobody to follow
        "Histoire : INÈS, une voyageuse en manteau gris, attend seule sur le quai. Le train "
        "entre lentement en gare et s'arrête dans un long soupir. Inès sourit.",
        # an animal moves toward the one who sits
        "Story: Ana, a girl in a green scarf, sits on the porch. The old dog crosses the yard "
        "and lies down at her feet. Ana smiles.",
        # someone is seen moving: the one who watches stands
        "Story: Ana, a girl in a green scarf, waits at the gate of the farm. Ana watches Leo "
        "run down the hill with his kite. She laughs.",
    ],
)
def test_no_tracking_shot_follows_someone_who_does_not_move(story: str) -> None:
    shots = _shots(f"# Wait\n\nA 40-second film, 16:9.\n\n{story}\n")
    assert not any("coverage" in s.generation_notes for s in _tracking(shots)), _rows(shots)


def test_a_tracking_shot_follows_the_one_who_moves() -> None:
    shots = _shots(
        "# Gate\n\nA 40-second film, 16:9.\n\nStory: Ana, a girl in a green scarf, and her "
        "brother Leo, a boy with a kite, stand by the farm. Ana waits at the gate, then Leo "
        "runs down the hill. Ana waves.\n"
    )
    followed = [s for s in _tracking(shots) if "coverage" in s.generation_notes]
    assert followed, _rows(shots)
    assert all(s.characters == ["char_leo"] and "Leo" in s.description for s in followed), _rows(
        shots
    )


@pytest.mark.parametrize(
    ("story", "look"),
    [
        (
            "Story: Sam, a tall boy, wears a blue beanie and walks past the stalls. The vendors "
            "call out. Sam stops.",
            "beanie",
        ),
        (
            "Histoire : LÉA, une grande fille, porte un bonnet vert et traverse la place du "
            "marché. Les marchands crient. Léa s'arrête.",
            "bonnet",
        ),
    ],
)
def test_coverage_tells_what_someone_does_not_the_look_they_wear(story: str, look: str) -> None:
    shots = _shots(f"# Market\n\nA 40-second film, 16:9.\n\n{story}\n")
    coverage = [s for s in shots if "coverage" in s.generation_notes and s.characters]
    assert coverage, _rows(shots)
    assert any(look in s.description for s in shots), _rows(shots)  # the beat's shot says it
    assert not any(look in s.description for s in coverage), _rows(shots)


@pytest.mark.parametrize(
    ("story", "plays"),
    [
        (
            "Story: Mia, a girl in a red coat, walks into the square. She meets Jonas, a busker "
            "with a beard who plays the guitar by the fountain. Mia smiles.",
            "playing the guitar",
        ),
        (
            "Histoire : MIA, une fille au manteau rouge, traverse la place. Elle retrouve Jonas, "
            "un musicien barbu qui joue de la guitare près de la fontaine. Mia sourit.",
            "Jonas joue de la guitare",
        ),
    ],
)
def test_a_performance_shot_is_of_the_one_who_plays(story: str, plays: str) -> None:
    shots = _shots(f"# Square\n\nA 40-second music video, 16:9.\n\n{story}\n")
    performance = [s for s in shots if s.camera_movement.value == "orbit"]
    assert performance, _rows(shots)
    assert all(s.characters == ["char_jonas"] for s in performance), _rows(shots)
    assert all(plays in s.description for s in performance), _rows(shots)


def test_a_relative_inside_who_someone_is_is_their_look_not_their_action() -> None:
    line = coverage_line(
        "Plan en pied de Léa",
        ["Léa"],
        "Sa fille Léa, une adolescente qui porte un ciré jaune, traverse la cour en courant.",
        ["Léa", "Marc"],
        "fr",
    )
    assert line is None or "traverse" in line, line
