"""Plans of stories no example holds: people the story never names, places described without
a verb, still actions, a character's name inside a scene heading (English and French)."""

from __future__ import annotations

import pytest

from storycore.tools.breakdown import (
    breakdown_brief,
    breakdown_screenplay,
    scenes_from_brief,
    scenes_from_prose,
)
from storycore.tools.brief.looks import is_action_clause, location_look
from storycore.tools.domain import (
    CameraMovement,
    ElementType,
    Framing,
    ShotSize,
    TechnicalSpecs,
)
from storycore.tools.fountain import mentions, scenes_from_fountain
from storycore.tools.fountain.people import person_key, unnamed_characters
from storycore.tools.planner.elements import describe_person, planned_elements
from storycore.tools.planner.intake import understand
from storycore.tools.text import place_name


def _characters(text: str) -> list[str]:
    return [name for _, name in unnamed_characters([text])]


def _elements(text: str, name: str = "story.md") -> dict[str, tuple[ElementType, str]]:
    brief = understand(text, source_name=name)
    return {
        e.name: (e.type, e.description) for e in planned_elements(brief, scenes_from_brief(brief))
    }


# -- people the story never names ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A tired nurse pushes a trolley down the ward.", ["The Nurse"]),
        ("At dawn, an old fisherman mends his nets. The fisherman hums.", ["The Fisherman"]),
        ("The taxi driver honks twice and lights a cigarette.", ["The Driver"]),
        ("Her grandmother knits by the fire while the cat sleeps.", ["The Grandmother"]),
        ("Un jeune soldat monte la garde devant la caserne.", ["Le soldat"]),
        ("Sur le quai, une petite fille attend son train.", ["La fille"]),
        ("Une infirmière entre sans bruit. Elle pose un plateau.", ["L'infirmière"]),
        ("Le vieil homme ferme les volets.", ["L'homme"]),
    ],
)
def test_a_person_noun_that_acts_is_a_character_named_by_it(text: str, expected: list[str]) -> None:
    assert _characters(text) == expected


def test_a_person_noun_that_comes_back_is_a_character_even_when_it_never_acts() -> None:
    text = "Tom smiles at a waiter. Later he pays the waiter and leaves."
    assert _characters(text) == ["The Waiter"]


@pytest.mark.parametrize(
    "text",
    [
        # things, not people
        "The bus stops under the light. A single lamp buzzes at the stop.",
        "La voiture s'arrête au feu. Le train part.",
        # extras: a plural, or a person seen once who does nothing
        "A crowd of passengers rushes out. Two soldiers smoke by the door.",
        "Tom smiles at a waiter and sits down.",
        "Des passants pressés traversent la place.",
        # the introduction of a named person is that person
        "Ada, a young doctor with short hair, opens the door. Ada smiles.",
        "Nour, une jeune femme aux tresses argentées, traverse la ville.",
        "A fisherman named Tomas mends his nets.",
    ],
)
def test_things_extras_and_named_peoples_introductions_are_not_characters(text: str) -> None:
    assert _characters(text) == []


def test_a_noun_character_is_named_by_every_determiner_and_adjective() -> None:
    assert person_key("The Keeper") == "keeper"
    assert person_key("La gardienne") == "gardienne"
    assert person_key("Le Havre") is None and person_key("Marc") is None
    assert mentions("An old keeper climbs the stairs.", "The Keeper")
    assert mentions("Une vieille gardienne traverse la salle.", "La gardienne")
    assert not mentions("The keepsake box.", "The Keeper")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "A young woman waits at the bus stop. An old woman sits beside her. The young "
            "woman offers her a coat; the old woman refuses it.",
            ["The Young Woman", "The Old Woman"],
        ),
        (
            "The bus driver waves at the taxi driver. The taxi driver honks. The bus driver "
            "pulls away.",
            ["The Bus Driver", "The Taxi Driver"],
        ),
        (
            "Un jeune homme attend sur le quai. Un vieil homme arrive. Le jeune homme se "
            "lève ; le vieil homme sourit.",
            ["Le jeune homme", "Le vieil homme"],
        ),
        (
            "Une petite fille court vers la mer. Une grande fille la suit. La petite fille "
            "rit et la grande fille plonge.",
            ["La petite fille", "La grande fille"],
        ),
    ],
)
def test_two_people_of_one_noun_are_told_apart_by_the_word_before_it(
    text: str, expected: list[str]
) -> None:
    assert _characters(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A tall man waits by the door. The man smiles. The tall man leaves.",
        "A young nurse checks the chart. The nurse sighs. Later the young nurse sleeps.",
    ],
)
def test_one_word_before_the_noun_keeps_one_person(text: str) -> None:
    assert len(_characters(text)) == 1


def test_people_told_apart_get_their_own_looks_shots_and_pronouns() -> None:
    text = (
        "# The Bench\n\nA 40-second short film.\n\n"
        "A young woman in a yellow raincoat sits on a bench. An old woman with a cane "
        "joins her. The young woman shares her sandwich with the old woman.\n\n"
        "Later, the old woman stands and hands a letter to the young woman. She walks "
        "away into the fog."
    )
    elements = _elements(text)
    assert elements["The Young Woman"][1] == "a young woman in a yellow raincoat"
    assert elements["The Old Woman"][1] == "an old woman with a cane"
    assert "The Woman" not in elements
    shots = breakdown_brief(understand(text, source_name="bench.md")).shots
    last = [s for s in shots if "walks away" in s.action]
    # "She walks away": the subject of the sentence before it, not the last one named
    assert last and all(s.characters == ["char_the_old_woman"] for s in last), [
        (s.description, s.characters) for s in last
    ]


def test_an_unnamed_person_in_prose_is_an_element_shown_in_their_shots() -> None:
    text = (
        "# Night Ferry\n\nA 30-second short film.\n\n"
        "A young sailor coils a rope on the deck of the ferry. The sailor looks at the "
        "black water.\n\nIn the cabin, the sailor sits by the porthole and falls asleep."
    )
    elements = _elements(text)
    assert elements["The Sailor"][0] is ElementType.CHARACTER
    assert elements["The Sailor"][1].startswith("a young sailor")
    brief = understand(text, source_name="ferry.md")
    shots = breakdown_brief(brief).shots
    cast = [shot for shot in shots if "char_the_sailor" in shot.characters]
    assert len(cast) >= 3, [s.description for s in shots]


def test_an_unnamed_person_in_french_prose_is_an_element() -> None:
    text = (
        "# Le dernier service\n\nUn film de 30 secondes.\n\n"
        "Une vieille serveuse essuie les tables du café désert. La serveuse éteint la "
        "lumière et s'assoit près de la fenêtre."
    )
    elements = _elements(text)
    assert elements["La serveuse"][0] is ElementType.CHARACTER
    assert elements["La serveuse"][1].startswith("une vieille serveuse")


def test_an_unnamed_person_in_a_screenplay_is_in_the_scene_with_the_speakers() -> None:
    screenplay = (
        "INT. TAXI - NIGHT\n\nA young woman slides into the back seat, soaked.\n\n"
        "DRIVER\nWhere to?\n\nShe gives no answer. The woman stares at the rain.\n"
    )
    scenes, _ = scenes_from_fountain(screenplay)
    assert scenes[0].characters == ["The Woman", "Driver"]


def test_a_role_cue_is_the_person_the_action_lines_name_by_the_same_noun() -> None:
    screenplay = (
        "EXT. PIER - DAWN\n\nAn old man casts a line into the grey water.\n\n"
        "OLD MAN\nNothing bites today.\n\nThe man reels in an empty hook.\n"
    )
    scenes, _ = scenes_from_fountain(screenplay)
    assert scenes[0].characters == ["Old Man"]


# -- a place described without a verb -----------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Empty seats in harsh fluorescent light.",
        "Broken bottles on the wet floor.",
        "Flickering lights above the doors.",
        "Rows of plastic chairs under a buzzing tube.",
        "Abandoned cars in the yard.",
        "Des chaises vides sous la lumière blafarde.",
        "Les rues désertes sous la pluie.",
    ],
)
def test_a_verbless_sentence_is_a_look_of_the_place(sentence: str) -> None:
    assert not is_action_clause(sentence)
    assert location_look(sentence) == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "The umbrella drips in the sink.",
        "Rain hammers the river.",
        "Climbs down the ladder.",
        "Heavy rain falls on the roof.",
        "Les enfants courent dans la rue.",
    ],
)
def test_a_sentence_with_a_verb_is_still_an_event(sentence: str) -> None:
    assert is_action_clause(sentence)


def test_a_screenplay_scene_opening_on_a_verbless_line_gives_its_location_a_look() -> None:
    screenplay = (
        "INT. LAUNDROMAT - NIGHT\n\nEmpty machines in harsh neon light.\n\n"
        "MAYA (30s) folds a shirt.\n"
    )
    brief = understand(screenplay, source_name="wash.fountain")
    found = {e.name: e.description for e in planned_elements(brief, scenes_from_brief(brief))}
    assert found["Laundromat"] == "Empty machines in harsh neon light."


# -- still actions are held, not handheld ------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "She falls asleep against the window.",
        "He sits on the bench and waits.",
        "Ada reads the letter again.",
        "Elle s'endort contre la vitre.",
        "Il dort, la tête sur la table.",
    ],
)
def test_a_still_action_is_never_handheld(line: str) -> None:
    screenplay = f"INT. ROOM - NIGHT\n\nADA (30s) stands at the window.\n\n{line}\n"
    breakdown, _ = breakdown_screenplay(screenplay, TechnicalSpecs())
    # the shot of the line (an insert of the letter read may follow it)
    still = next(s for s in reversed(breakdown.shots) if s.framing is not Framing.INSERT)
    assert still.camera_movement is CameraMovement.STATIC
    assert still.shot_size is ShotSize.MS


def test_a_fast_action_is_still_handheld() -> None:
    screenplay = "INT. ROOM - NIGHT\n\nADA (30s) stands at the window.\n\nAda runs to the door.\n"
    breakdown, _ = breakdown_screenplay(screenplay, TechnicalSpecs())
    assert breakdown.shots[-1].camera_movement is CameraMovement.HANDHELD


# -- a character's name in a scene heading ----------------------------------------------


def test_a_heading_place_keeps_a_characters_spelling() -> None:
    assert place_name("DELPHINE'S FLAT", ["DeLphine"]) == "DeLphine's Flat"
    assert place_name("INT BAR", ["DeLphine"]) == "Int Bar"
    assert place_name("McKAY'S GARAGE".upper(), ["McKay"]) == "McKay's Garage"
    assert place_name("chez Léa", ["LéA"]) == "chez Léa"  # not a heading: as written


def test_the_registry_names_a_heading_place_with_the_characters_spelling() -> None:
    screenplay = (
        "INT. DELPHINE'S FLAT - NIGHT\n\nDeLphine (60s, grey bun) reads by the window.\n\n"
        "DELPHINE\nYou're late.\n"
    )
    brief = understand(screenplay, source_name="flat.fountain")
    names = [e.name for e in planned_elements(brief, scenes_from_brief(brief))]
    assert "DeLphine's Flat" in names and "DeLphine" in names


# -- a scene set by its own words before the next paragraph moves ---------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Une vieille gardienne traverse les salles vides du musée.\n\n"
            "Dehors, sur le parking, le chauffeur attend.",
            ["musée", "parking"],
        ),
        (
            "A porter carries boxes down the long halls of the hotel.\n\n"
            "Outside, on the street, a cab waits in the rain.",
            ["hotel", "street"],
        ),
    ],
)
def test_a_scene_is_where_its_own_words_set_it_before_the_next_place(
    text: str, expected: list[str]
) -> None:
    assert [scene.location for scene in scenes_from_prose(text)] == expected


@pytest.mark.parametrize(
    ("story", "name", "description"),
    [
        (
            "A young woman in a red coat sits alone on a bench. The woman falls asleep.",
            "The Woman",
            "a young woman in a red coat",
        ),
        (
            "An old man with a grey beard waits at the stop. The man checks his watch.",
            "The Man",
            "an old man with a grey beard",
        ),
    ],
)
def test_a_look_in_the_noun_phrase_describes_the_person(
    story: str, name: str, description: str
) -> None:
    assert describe_person(name, story) == description
