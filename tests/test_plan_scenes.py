"""Scenes and establishing shots read as a director reads them, on stories no example holds:
a time of day with what puts it before or after, a first sentence that opens on a time then
a place, the establishing line that does not say the heading twice, who its shot shows, the
door of a place, and a relation noun before a name."""

from __future__ import annotations

import pytest

from storycore.tools.breakdown import breakdown_brief
from storycore.tools.breakdown.places import find_places
from storycore.tools.breakdown.scenes import scenes_from_prose
from storycore.tools.brief.looks import find_look
from storycore.tools.domain import SceneType
from storycore.tools.fountain import parse_heading
from storycore.tools.planner.intake import understand


def _shots(text: str, name: str = "story.md") -> list:
    return breakdown_brief(understand(text, source_name=name)).shots


def _brief(story: str, framing: str = "A 30-second film.") -> str:
    return f"# Film\n\n{framing}\n\n{story}\n"


# -- a time of day with its qualifier ---------------------------------------------------------


@pytest.mark.parametrize(
    ("time", "period"),
    [
        ("BEFORE SUNRISE", "night"),  # still dark: not the sunrise itself
        ("JUST BEFORE DAWN", "night"),
        ("JUST AFTER DAWN", "dawn"),  # "just" keeps the moment's own light
        ("AFTER DAWN", "morning"),
        ("AFTER SUNSET", "night"),
        ("JUST AFTER SUNSET", "evening"),
        ("AVANT L'AUBE", "night"),
        ("APRÈS LE COUCHER DU SOLEIL", "night"),
        ("AVANT MIDI", "morning"),
        ("SUNRISE", "dawn"),
        ("APRÈS-MIDI", "day"),  # a period of its own, no qualifier
    ],
)
def test_a_qualified_time_in_a_heading_is_lit_by_its_own_period(time: str, period: str) -> None:
    heading = parse_heading(f"EXT. ORCHARD - {time}")
    assert heading.time_of_day == time and heading.location == "ORCHARD"
    shots = _shots(f"EXT. ORCHARD - {time}\n\nRUTH (40s) picks apples.\n", "film.fountain")
    assert {shot.time_of_day for shot in shots} == {period}, [s.time_of_day for s in shots]


def test_a_screenplay_time_before_sunrise_is_said_and_lit_as_night() -> None:
    text = (
        "EXT. FARMHOUSE - BEFORE SUNRISE\n\nThe yard is still dark. GRETA (60s) crosses the "
        "yard with a lantern.\n\nINT. KITCHEN - JUST AFTER DAWN\n\nGreta pours two cups.\n"
    )
    shots = _shots(text, "film.fountain")
    first = shots[0]
    assert first.scene_type is SceneType.ESTABLISHING
    assert "before sunrise" in first.description, first.description
    assert first.time_of_day == "night"
    kitchen = next(s for s in shots if s.scene == "2")
    assert "just after dawn" in kitchen.description and kitchen.time_of_day == "dawn"


@pytest.mark.parametrize(
    ("story", "said", "not_said"),
    [
        (
            "Before sunrise, in the bakery, Nadia kneads the dough while the ovens warm up.",
            "before sunrise",
            ", sunrise.",
        ),
        (
            "Juste avant l'aube, dans la boulangerie, Jeanne pétrit la pâte en silence.",
            "juste avant l'aube",
            ", aube.",
        ),
    ],
)
def test_a_prose_time_keeps_the_words_that_put_it_before_or_after(
    story: str, said: str, not_said: str
) -> None:
    framing = "A 20-second film." if said.startswith("before") else "Un film de 20 secondes."
    first = _shots(_brief(story, framing))[0]
    assert first.scene_type is SceneType.ESTABLISHING
    assert said in first.description and not_said not in first.description, first.description


# -- the first sentence opens on a time, then a place -----------------------------------------


@pytest.mark.parametrize(
    ("story", "place"),
    [
        ("Au crépuscule, dans les vignes, Paul taille les derniers ceps.", "vignes"),
        ("Le soir, dans le verger, Paul ramasse les pommes tombées.", "verger"),
        ("Before sunrise, on the farm, Ruth feeds the hens.", "farm"),
    ],
)
def test_a_first_scene_opening_on_a_time_then_a_place_gets_its_establishing_shot(
    story: str, place: str
) -> None:
    framing = "A 20-second film." if story.startswith("Before") else "Un film de 20 secondes."
    first = _shots(_brief(story, framing))[0]
    assert first.scene_type is SceneType.ESTABLISHING, first.description
    assert place in first.description


def test_a_later_sentence_opening_on_a_time_then_a_place_starts_that_places_scene() -> None:
    text = "Paul taille les ceps dans les vignes. Le soir, dans le chai, il goûte le vin nouveau."
    scenes = scenes_from_prose(text)
    assert [(s.location, s.time_of_day) for s in scenes] == [("vignes", None), ("chai", "soir")]


def test_people_acting_before_a_time_then_a_place_were_somewhere_else() -> None:
    """Like "Marta walks the rows. In the barn, the press creaks": the barn is its own
    scene, with its own wide shot, when the paragraph opens on a time first."""
    scenes = scenes_from_prose(
        "Ruth feeds the hens.\n\nEarly that morning, in the barn, Tom milks."
    )
    assert [s.location for s in scenes] == [None, "barn"]


def test_a_sentence_that_only_ends_on_a_time_does_not_open_on_the_place_after_it() -> None:
    scenes = scenes_from_prose("Paul works all night, in the vines, alone. Then Paul sleeps.")
    assert scenes[0].time_of_day == "night"
    opens = scenes_from_prose("Later that night, in the barn, Paul sleeps.")
    assert opens[0].location == "barn"


# -- the establishing line says the heading once ----------------------------------------------


@pytest.mark.parametrize(
    ("story", "framing", "words"),
    [
        (
            "Before sunrise, in the bakery, Nadia kneads the dough while the ovens warm up.",
            "A 20-second film.",
            ("before sunrise", "bakery"),
        ),
        (
            "Au crépuscule, dans les vignes, Paul taille les derniers ceps pendant que le vent "
            "se lève.",
            "Un film de 20 secondes.",
            ("crépuscule", "vignes"),
        ),
    ],
)
def test_the_establishing_line_does_not_repeat_the_place_and_time_it_says(
    story: str, framing: str, words: tuple[str, ...]
) -> None:
    first = _shots(_brief(story, framing))[0]
    assert first.scene_type is SceneType.ESTABLISHING
    for word in words:
        assert first.description.lower().count(word) == 1, first.description
    # the action is still told after the framing
    assert "kneads the dough" in first.description or "taille les derniers" in first.description


def test_an_opening_phrase_that_says_more_than_the_place_is_kept() -> None:
    story = "At dusk, in the orchard behind the house, Ruth and Abel share the last loaf."
    first = _shots(_brief(story, "A 20-second film."))[0]
    assert first.description.count("dusk") == 1, first.description
    assert "behind the house" in first.description


# -- who the establishing shot shows ----------------------------------------------------------


def test_the_establishing_shot_does_not_show_someone_who_only_comes_in_later() -> None:
    story = (
        "IRIS, a singer in a silver coat, sings on a rooftop at night while the city glows "
        "behind her.\n\nA drummer, BRUNO, hits the drums under a billboard.\n"
    )
    first = _shots(_brief(story, "A 20-second music video."))[0]
    assert first.scene_type is SceneType.ESTABLISHING
    assert first.characters == ["char_iris"], first.characters


def test_the_establishing_shot_shows_the_pronoun_that_opens_the_scene() -> None:
    story = (
        "Dans le jardin, Paul taille les rosiers.\n\n"
        "Dans le chai, il verse le vin pendant que sa fille Alma allume les bougies. "
        "Paul lève son verre.\n"
    )
    shots = _shots(_brief(story, "Un film de 20 secondes."))
    chai = next(s for s in shots if s.scene == "2")
    assert chai.scene_type is SceneType.ESTABLISHING
    assert set(chai.characters) == {"char_paul", "char_alma"}, chai.characters


@pytest.mark.parametrize(
    ("action", "there", "comes_in"),
    [
        ("MARTA (60s) pours tea. A knock. TOM (30s) enters, soaked.", "char_marta", "char_tom"),
        ("MARTA (60 ans) verse le thé. TOM (30 ans) entre, trempé.", "char_marta", "char_tom"),
        ("The kitchen is empty. MARTA (60s) comes in with the lantern.", None, "char_marta"),
    ],
)
def test_someone_coming_in_after_the_opening_is_a_shot_of_their_own(
    action: str, there: str | None, comes_in: str
) -> None:
    text = f"INT. KITCHEN - NIGHT\n\n{action}\n\nTOM\nSorry.\n\nMARTA\nSit down.\n"
    shots = _shots(text, "film.fountain")
    first = shots[0]
    assert first.scene_type is SceneType.ESTABLISHING
    assert first.characters == ([there] if there else []), (first.description, first.characters)
    entrance = shots[1]
    assert comes_in in entrance.characters and entrance.scene_type is not SceneType.ESTABLISHING


def test_a_french_entre_between_things_is_no_entrance() -> None:
    text = (
        "EXT. VIGNES - NUIT\n\nIl fait nuit. PAUL (60 ans) marche entre les rangs.\n\n"
        "PAUL\nPas un bruit.\n"
    )
    first = _shots(text, "film.fountain")[0]
    assert "marche entre les rangs" in first.description and first.characters == ["char_paul"]


# -- the door of a place ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Tom knocks on the cellar door.",
        "At the church door, Marta waits.",
        "He waits by the garden gate.",
    ],
)
def test_the_door_of_a_place_is_not_the_place_the_action_is_in(sentence: str) -> None:
    assert find_places(sentence) == []


def test_knocking_on_a_cellar_door_later_stays_in_the_scenes_place() -> None:
    story = (
        "In the bakery, Nadia kneads the dough.\n\n"
        "Later, her neighbour Tom knocks on the cellar door and brings a sack of flour.\n"
    )
    shots = _shots(_brief(story, "A 20-second film."))
    # The knock is told ("Close-up: Tom knocks on the cellar door"); the cellar gets no
    # establishing shot of its own: the story stays where it is.
    establishing = [s for s in shots if s.scene_type is SceneType.ESTABLISHING]
    assert len(establishing) == 1 and "cellar" not in establishing[0].title.lower()


def test_a_scene_that_opens_at_a_places_door_is_set_there_outside() -> None:
    story = "In the bakery, Nadia kneads dough.\n\nAt the cellar door, Tom waits with a sack.\n"
    shots = _shots(_brief(story, "A 20-second film."))
    door = next(s for s in shots if s.scene == "2")
    assert door.scene_type is SceneType.ESTABLISHING
    assert "of the cellar door" in door.description and door.shot_size.value == "EWS", (
        door.description
    )


def test_a_heading_at_a_places_door_reads_as_a_common_noun() -> None:
    text = "EXT. CELLAR DOOR - NIGHT\n\nMARTA (60s) waits with a lantern.\n\nMARTA\nHurry.\n"
    first = _shots(text, "film.fountain")[0]
    assert "of the cellar door, night" in first.description, first.description


# -- a relation noun before a name ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("Alma", "Sa fille ALMA (25 ans) le rejoint, emmitouflée dans un châle.", "25 ans"),
        (
            "Alma",
            "Paul verse le vin pendant que sa fille Alma, une jeune femme rousse, sourit.",
            "une jeune femme rousse",
        ),
        (
            "Iris",
            "Her girl Iris, a tall child with red boots, waves.",
            "a tall child with red boots",
        ),
    ],
)
def test_the_relation_noun_before_a_name_is_no_part_of_the_look(
    name: str, text: str, expected: str
) -> None:
    look = find_look(name, text)
    assert look == expected, look
    assert name.lower() not in look.lower()
