"""Briefs and screenplays as writers lay them out: numbered scene labels inside prose, a
character introduced in capitals with details, places named by two nouns."""

from __future__ import annotations

import pytest

from storycore.tools.breakdown import scenes_from_prose
from storycore.tools.breakdown.places import find_places
from storycore.tools.fountain import scenes_from_fountain


@pytest.mark.parametrize(
    "text",
    [
        "Scene 1 - the forge at dawn. Tomas hammers a horseshoe.\n\n"
        "Scene 2 - the village square. Children gather around Tomas.\n\n"
        "Scene 3 - the forge at night. Tomas sits by the fire.",
        "SCENE 1: the forge at dawn. Tomas hammers a horseshoe. Scene 2: the village "
        "square. Children gather around Tomas. Scene 3: the forge at night. Tomas sits by "
        "the fire.",
        "Scene 1 — the forge at dawn.\n\nTomas hammers a horseshoe.\n\n"
        "Scene 2 — the village square.\n\nChildren gather around Tomas.\n\n"
        "Scene 3 — the forge at night.\n\nTomas sits by the fire.",
    ],
)
def test_a_numbered_scene_label_starts_a_scene_where_and_when_it_says(text: str) -> None:
    scenes = scenes_from_prose(text, ["Tomas"])
    assert [(s.location, s.time_of_day) for s in scenes] == [
        ("forge", "dawn"),
        ("village square", None),
        ("forge", "night"),
    ], [s.heading for s in scenes]
    # the label is the scene's heading, not something seen
    beats = [b.text for s in scenes for b in s.beats]
    assert not any("Scene" in b or "SCENE" in b for b in beats), beats
    assert beats[0] == "Tomas hammers a horseshoe."


def test_a_label_with_a_colon_goes_on_with_the_action() -> None:
    scenes = scenes_from_prose("Scène 1 : la plage. Léa court vers la mer.", ["Léa"])
    assert [b.text for b in scenes[0].beats] == ["Léa court vers la mer."]
    assert scenes[0].location is not None and "plage" in scenes[0].location


def test_scene_one_in_a_sentence_is_not_a_label() -> None:
    scenes = scenes_from_prose("Mia reads scene 2 of the play aloud. Tom laughs.", ["Mia", "Tom"])
    assert len(scenes) == 1
    assert scenes[0].beats[0].text == "Mia reads scene 2 of the play aloud."


def test_a_character_introduced_in_capitals_reads_as_their_name_in_the_action() -> None:
    screenplay = (
        "INT. GALLERY - NIGHT\n\nNINA (30s, black gloves) drops from the skylight.\n\n"
        "NINA\nTwo minutes.\n\nNINA'S POV - the dagger in its case.\n\nLEO ENTERS.\n\n"
        "LEO\nGo.\n"
    )
    scenes, _ = scenes_from_fountain(screenplay)
    actions = [b.text for b in scenes[0].beats if b.kind == "action"]
    assert actions[0] == "Nina drops from the skylight."
    # a direction or a line in capitals stays as written
    assert "NINA'S POV - the dagger in its case." in actions
    assert "LEO ENTERS." in actions


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("They meet in the village square.", "village square"),
        ("She waits in the hospital corridor.", "hospital corridor"),
        ("He waits in a dim nursery.", "dim nursery"),
        ("Tomas works in the forge.", "forge"),
        ("They sit on the porch.", "porch"),
    ],
)
def test_a_place_is_named_by_its_last_place_noun(text: str, place: str) -> None:
    assert find_places(text)[0][0] == place
