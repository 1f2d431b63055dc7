"""Fountain screenplays to scenes: what a screenwriter checks after importing a script."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storycore.tools.domain import IntExt, Transition
from storycore.tools.errors import BriefError
from storycore.tools.fountain import (
    find_props,
    normalize_cue,
    parse_fountain,
    parse_heading,
    scenes_from_fountain,
    time_relations,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "short_film.fountain"


@pytest.fixture(scope="module")
def example() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def test_example_title_page_is_read_with_lower_case_keys(example: str) -> None:
    _, title_page = scenes_from_fountain(example)
    assert title_page["title"] == "The Red Umbrella"
    assert title_page["author"] == "StoryCore Example"
    # An indented continuation line is the value of a key written alone.
    assert title_page["contact"] == "examples@storycore.invalid"


def test_example_scenes_keep_numbers_locations_and_times(example: str) -> None:
    scenes, _ = scenes_from_fountain(example)
    assert [s.number for s in scenes] == ["1", "2", "3", "4"]
    assert [s.scene_id for s in scenes] == ["sc_01", "sc_02", "sc_03", "sc_04"]
    assert [s.location for s in scenes] == [
        "OLD BRIDGE",
        "GABY'S KITCHEN",
        "STATION PLATFORM",
        "TRAIN",
    ]
    assert [s.int_ext for s in scenes] == [IntExt.EXT, IntExt.INT, IntExt.EXT, IntExt.INT]
    assert [s.time_of_day for s in scenes] == ["NIGHT", "LATER", "DAWN", "CONTINUOUS"]
    assert scenes[0].heading == "EXT. OLD BRIDGE - NIGHT"


def test_example_characters_are_named_as_the_action_lines_spell_them(example: str) -> None:
    scenes, _ = scenes_from_fountain(example)
    assert scenes[0].characters == ["GaBy", "Marc"]
    speakers = {b.character for s in scenes for b in s.beats if b.kind == "dialogue"}
    assert speakers == {"GaBy", "Marc", "Conductor"}
    # The conductor is only heard (O.S.): not a character seen in the scene.
    assert "Conductor" not in scenes[2].characters


def test_example_notes_and_boneyard_are_not_in_the_film(example: str) -> None:
    scenes, _ = scenes_from_fountain(example)
    texts = " ".join(b.text for s in scenes for b in s.beats)
    assert "saturated colour" not in texts  # the [[note]]
    assert "first time we came here" not in texts  # the /* boneyard */
    assert "[[" not in texts and "/*" not in texts


def test_example_transitions(example: str) -> None:
    scenes, _ = scenes_from_fountain(example)
    # FADE IN: opens the film; DISSOLVE TO: is written; DAWN after LATER (night) is a time
    # jump; CONTINUOUS is a cut.
    assert [s.transition_in for s in scenes] == [
        Transition.FADE_IN,
        Transition.DISSOLVE,
        Transition.DISSOLVE,
        Transition.CUT,
    ]
    assert scenes[-1].beats[-1].kind == "transition"
    assert scenes[-1].beats[-1].text == "FADE OUT."


def test_example_props_come_from_capitals_after_a_determiner(example: str) -> None:
    scenes, _ = scenes_from_fountain(example)
    # and "She checks her phone": a thing she handles, in lower case
    assert scenes[0].props == ["red umbrella", "phone"]
    # "the umbrella" in the kitchen is the red umbrella; "a camera bag" on the bridge is not
    # the film camera, which only appears in the kitchen.
    assert scenes[1].props == ["red umbrella", "film camera"]
    assert "photograph" in scenes[2].props


SCRIPT = """\
Title: Numbers
Author: Test

EXT. ROOF - NIGHT #12A#

Wind. GABY (V.O.) is not here yet.

GABY (V.O.)
(softly)
It was always the roof.

INT. STAIRWELL - CONTINUOUS

MARC (CONT'D)
Who's there?
(beat)
Answer me.

@McCLANE
Yippee.

.FLASHBACK #7#

BRICK
Left.

STEEL ^
Right.

int./ext. car - 10:30 PM

> FADE TO BLACK.
"""


def test_scene_numbers_are_kept_and_unnumbered_scenes_get_their_order() -> None:
    scenes, title_page = scenes_from_fountain(SCRIPT)
    assert title_page == {"title": "Numbers", "author": "Test"}
    assert [s.number for s in scenes] == ["12A", "2", "7", "4"]


def test_an_order_already_written_as_a_number_gets_a_letter() -> None:
    text = "INT. A - DAY #2#\n\nA.\n\nINT. B - DAY\n\nB.\n\nINT. C - DAY\n\nC.\n"
    scenes, _ = scenes_from_fountain(text)
    # The second scene's order, 2, is taken by the first scene's written number.
    assert [s.number for s in scenes] == ["2", "2B", "3"]


def test_two_headings_with_the_same_number_are_refused() -> None:
    text = "INT. A - DAY #5#\n\nA.\n\nINT. B - DAY #5#\n\nB.\n"
    with pytest.raises(BriefError, match="scene number 5 is used by scene headings 1 and 2"):
        scenes_from_fountain(text)


def test_cue_extensions_are_removed_and_unseen_speakers_marked() -> None:
    scenes, _ = scenes_from_fountain(SCRIPT)
    roof, stairs, flashback, _car = scenes
    vo = [b for b in roof.beats if b.kind == "dialogue"]
    assert [(b.character, b.extension, b.parenthetical) for b in vo] == [("Gaby", "V.O.", "softly")]
    # A speech cut by (beat) is two beats; the second carries the pause.
    marc = [b for b in stairs.beats if b.character == "Marc"]
    assert [(b.text, b.parenthetical) for b in marc] == [
        ("Who's there?", None),
        ("Answer me.", "beat"),
    ]
    assert any(b.character == "McCLANE" for b in stairs.beats)
    assert [(b.character, b.dual) for b in flashback.beats] == [("Brick", True), ("Steel", True)]


@pytest.mark.parametrize(
    ("cue", "expected"),
    [
        ("GABY (V.O.)", ("GABY", "V.O.")),
        ("MARC (CONT'D)", ("MARC", None)),
        ("MARC (CONT’D)", ("MARC", None)),
        ("CONDUCTOR (O.S.)", ("CONDUCTOR", "O.S.")),
        ("ANNA (O.C.) (CONT'D)", ("ANNA", "O.C.")),
        ("JEAN (VOIX OFF)", ("JEAN", "V.O.")),
        ("@McCLANE", ("McCLANE", None)),
        ("BRICK ^", ("BRICK", None)),
    ],
)
def test_normalize_cue(cue: str, expected: tuple[str, str | None]) -> None:
    assert normalize_cue(cue) == expected


@pytest.mark.parametrize(
    ("line", "int_ext", "location", "time", "number"),
    [
        ("EXT. OLD BRIDGE - NIGHT #12A#", IntExt.EXT, "OLD BRIDGE", "NIGHT", "12A"),
        ("INT. HOUSE - KITCHEN - DAY", IntExt.INT, "HOUSE - KITCHEN", "DAY", None),
        ("INT./EXT. CAR - LATER", IntExt.INT_EXT, "CAR", "LATER", None),
        ("I/E VAN - DAWN", IntExt.INT_EXT, "VAN", "DAWN", None),
        ("EST. CITY - DUSK", IntExt.EXT, "CITY", "DUSK", None),
        ("int. kitchen", IntExt.INT, "kitchen", None, None),
        ("INT. DAY CARE CENTER - NIGHT", IntExt.INT, "DAY CARE CENTER", "NIGHT", None),
        ("INT. ROOM - 12", IntExt.INT, "ROOM - 12", None, None),
        ("EXT. STREET - 10:30 AM", IntExt.EXT, "STREET", "10:30 AM", None),
        ("EXTÉRIEUR. GARE - NUIT", IntExt.EXT, "GARE", "NUIT", None),
        (".FLASHBACK", None, None, "FLASHBACK", None),
        (".THE LAB #3#", None, "THE LAB", None, "3"),
    ],
)
def test_parse_heading(
    line: str, int_ext: IntExt | None, location: str | None, time: str | None, number: str | None
) -> None:
    heading = parse_heading(line)
    assert (heading.int_ext, heading.location, heading.time_of_day, heading.number) == (
        int_ext,
        location,
        time,
        number,
    )


def test_a_heading_with_a_colon_first_is_not_a_title_page() -> None:
    scenes, title_page = scenes_from_fountain("EXT. STREET - 10:30 AM\n\nCars pass.\n")
    assert title_page == {}
    assert scenes[0].location == "STREET"


def test_forced_heading_and_lower_case_heading_start_scenes() -> None:
    screenplay = parse_fountain(SCRIPT)
    headings = [s.heading for s in screenplay.scenes]
    assert headings[2].forced and headings[2].text == "FLASHBACK"
    assert headings[3].int_ext is IntExt.INT_EXT
    assert headings[3].time_of_day == "10:30 PM"


def test_a_note_on_its_own_line_does_not_split_a_dialogue_block() -> None:
    text = "INT. ROOM - DAY\n\nGABY\n[[say it slowly]]\nHello there.\n"
    scenes, _ = scenes_from_fountain(text)
    assert [(b.kind, b.character, b.text) for b in scenes[0].beats] == [
        ("dialogue", "Gaby", "Hello there.")
    ]


def test_a_boneyard_inside_an_action_line_is_removed() -> None:
    text = "INT. ROOM - DAY\n\nShe opens /* slowly, */ the door.\n"
    scenes, _ = scenes_from_fountain(text)
    assert scenes[0].beats[0].text == "She opens the door."


def test_a_file_without_scene_headings_is_refused() -> None:
    with pytest.raises(BriefError, match="no scene headings"):
        scenes_from_fountain("Title: Nothing\n\nJust some action.\n\nGABY\nHello.\n")


def test_fade_lines_are_transitions_and_fade_out_leads_to_a_fade_in() -> None:
    text = "FADE IN:\n\nINT. A - DAY\n\nA.\n\nFADE OUT.\n\nINT. B - DAY\n\nB.\n"
    scenes, _ = scenes_from_fountain(text)
    assert scenes[0].beats[0].kind == "transition"
    assert [s.transition_in for s in scenes] == [Transition.FADE_IN, Transition.FADE_IN]


def test_an_explicit_cut_wins_over_a_time_jump() -> None:
    text = "INT. A - DAY\n\nA.\n\nCUT TO:\n\nINT. B - LATER\n\nB.\n\nINT. C - NIGHT\n\nC.\n"
    scenes, _ = scenes_from_fountain(text)
    assert [s.transition_in for s in scenes] == [
        Transition.FADE_IN,
        Transition.CUT,
        Transition.DISSOLVE,  # NIGHT after DAY: a time jump
    ]


def test_time_relations_inherit_the_period() -> None:
    text = (
        "INT. A - NIGHT\n\nA.\n\nINT. B - CONTINUOUS\n\nB.\n\nINT. C - MOMENTS LATER\n\nC.\n\n"
        "EXT. D - THE NEXT MORNING\n\nD.\n\nEXT. E - MORNING\n\nE.\n"
    )
    scenes, _ = scenes_from_fountain(text)
    times = time_relations(scenes)
    assert [t.relation for t in times] == ["start", "continuous", "ellipsis", "jump", "same_period"]
    assert [t.period for t in times] == ["night", "night", "night", "morning", "morning"]


def test_find_props_ignores_sounds_people_and_shouting() -> None:
    lines = [
        "She grabs the RED UMBRELLA and a KEY.",
        "A loud BANG. The WAITER drops a tray.",
        "HE RUNS TO THE DOOR.",
        "Elle ouvre la VALISE.",
        "Marc finds the letter.",
    ]
    props = find_props(lines, known_props=["letter", "lamp"], exclude=["Marc"])
    # the tray the waiter drops is a thing handled, not a sound or a person
    assert props == ["red umbrella", "key", "valise", "letter", "tray"]


def test_known_props_are_attached_to_scenes_that_name_them() -> None:
    text = "INT. A - DAY\n\nShe reads a letter.\n\nINT. B - DAY\n\nNothing here.\n"
    scenes, _ = scenes_from_fountain(text, known_props=["letter"])
    assert [s.props for s in scenes] == [["letter"], []]


PIECES = st.sampled_from(
    [
        "INT. ",
        "EXT. ",
        "KITCHEN",
        " - NIGHT",
        "#3#",
        "\n\n",
        "\n",
        "GABY",
        "(V.O.)",
        "(beat)",
        "Hello?",
        "She runs.",
        "CUT TO:",
        "[[",
        "]]",
        "/*",
        "*/",
        "Title: x",
        ".",
        "^",
        "@",
        ">",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join))
def test_any_text_gives_scenes_or_one_clear_error(text: str) -> None:
    try:
        scenes, _ = scenes_from_fountain(text)
    except BriefError as error:
        assert "\n" not in str(error)
        return
    assert scenes
    assert len({s.number for s in scenes}) == len(scenes)
    assert all(s.scene_id == f"sc_{i:02d}" for i, s in enumerate(scenes, start=1))


@pytest.mark.parametrize(
    ("line", "name", "details"),
    [
        ("YsOLDE (40s, silver braid, oilskin) climbs onto the pier.", "YsOLDE", "silver braid"),
        ("DeShawn (late 20s, tall, orange beanie) vaults the fence.", "DeShawn", "orange beanie"),
        ("MaËLLE (30 ans, ciré vert) pousse la porte du hangar.", "MaËLLE", "ciré vert"),
    ],
)
def test_a_mixed_case_introduction_reads_as_the_name_and_its_details_as_the_look(
    line: str, name: str, details: str
) -> None:
    from storycore.tools.brief.looks import find_look

    text = f"EXT. HARBOUR - DAWN\n\n{line}\n\n{name.upper()}\nNot today.\n"
    scenes, _ = scenes_from_fountain(text)
    first = scenes[0].beats[0].text
    assert "(" not in first and first.startswith(f"{name} "), first
    assert details in find_look(name, text)
