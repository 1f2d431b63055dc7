"""Shot directions written in the story ("Close-up of an alarm clock: 4:45.") are kept: the
brief's scene list does not take them for titles, and the planner frames the shot as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from storycore.tools.brief import parse_brief
from storycore.tools.directions import stated_direction
from storycore.tools.domain import CameraMovement, Framing, ShotSize
from storycore.tools.planner import plan_project
from storycore.tools.project import Project
from storycore.tools.structure import load_shots


@pytest.mark.parametrize(
    ("text", "size", "framing", "movement", "subject"),
    [
        ("Close-up of a kettle: it starts to whistle.", ShotSize.CU, None, None, "a kettle"),
        ("Extreme close-up of her eyes.", ShotSize.ECU, None, None, "her eyes"),
        ("Wide shot: the harbour at dawn.", ShotSize.WS, None, None, ""),
        ("Tracking shot — Omar cycles past.", None, None, CameraMovement.TRACKING, ""),
        ("Slow dolly in on the door.", None, None, CameraMovement.DOLLY_IN, "the door"),
        ("Packshot of the bottle, logo.", ShotSize.CU, Framing.INSERT, None, "the bottle, logo"),
        ("Insert: the ticket.", ShotSize.CU, Framing.INSERT, None, ""),
        ("POV: through the keyhole.", None, Framing.POV, None, ""),
        ("Close on the phone; it buzzes.", ShotSize.CU, None, None, "the phone"),
        ("Gros plan sur la tasse : la vapeur monte.", ShotSize.CU, None, None, "la tasse"),
        ("Plan large de la place du marché.", ShotSize.WS, None, None, "la place du marché"),
        ("Travelling : Inès court.", None, None, CameraMovement.TRACKING, ""),
        # a sentence that only says where the film's framing goes
        ("The clip ends on a close-up of a paper boat.", ShotSize.CU, None, None, "a paper boat"),
        ("It opens on a wide shot of the bay.", ShotSize.WS, None, None, "the bay"),
        ("Le film s'ouvre sur un plan large du port.", ShotSize.WS, None, None, "port"),
    ],
)
def test_a_direction_that_opens_the_text_is_read(
    text: str,
    size: ShotSize | None,
    framing: Framing | None,
    movement: CameraMovement | None,
    subject: str,
) -> None:
    direction = stated_direction(text)
    assert direction is not None
    assert (direction.shot_size, direction.framing, direction.camera_movement) == (
        size,
        framing,
        movement,
    )
    assert direction.subject == subject


@pytest.mark.parametrize(
    "text",
    [
        "Full moon over the bay.",
        "Wide eyes stare at the door.",
        "Close to the river, Omar stops.",
        "Follow the money, she says.",
        "Long live the king.",
        "Medium-sized dogs bark in the yard.",
        "Omar takes a close-up of the bride.",  # a direction not at the start is story
        "Plantes vertes sur le balcon.",
        "The film ends with Omar laughing.",
    ],
)
def test_a_sentence_of_the_story_is_not_a_direction(text: str) -> None:
    assert stated_direction(text) is None


SHOT_LIST = """Title: First Light
A 14-second spot for a tea brand, 16:9. Calm, golden light.

Scenes:
1. Close-up of a kettle on the stove: steam curls up. (3s)
2. Wide shot: Omar, a baker in his fifties, opens the shutters of his shop. (4s)
3. Tracking shot: Omar carries a tray of bread through the empty street. (4s)
4. Packshot of the tea tin on the counter, with the line "Wake up slowly." (3s)
"""


def _plan(tmp_path: Path, text: str) -> list:  # type: ignore[type-arg]
    out = tmp_path / "project"
    plan_project(text, out, source_name="spot.md")
    return load_shots(Project.open(out))


def test_a_shot_list_brief_is_planned_as_written(tmp_path: Path) -> None:
    brief = parse_brief(SHOT_LIST)
    assert brief.title == "First Light"
    assert [c.name for c in brief.characters] == ["Omar"]
    assert brief.characters[0].description == "a baker in his fifties"
    # the directions are the scenes' words, not their titles
    assert brief.scenes[0].description.startswith("Close-up of a kettle on the stove")
    shots = _plan(tmp_path, SHOT_LIST)
    assert [(s.shot_size, s.camera_movement) for s in shots] == [
        (ShotSize.CU, CameraMovement.STATIC),
        (ShotSize.WS, CameraMovement.STATIC),
        (ShotSize.MS, CameraMovement.TRACKING),
        (ShotSize.CU, CameraMovement.STATIC),
    ]
    # each described as the writer wrote it, never behind a second framing phrase
    assert shots[0].description == "Close-up of a kettle on the stove: steam curls up."
    assert shots[3].framing is Framing.INSERT
    assert "Wake up slowly." in shots[3].description  # the line is on the pack shot
    assert [s.characters for s in shots[1:3]] == [["char_omar"], ["char_omar"]]
    assert "First Light" not in " ".join(s.description for s in shots)


def test_a_french_shot_list_and_directions_inside_prose(tmp_path: Path) -> None:
    shots = _plan(
        tmp_path,
        "Un clip de 12 secondes.\n\n"
        "Gros plan sur une tasse de café : la vapeur monte.\n\n"
        "Plan large : Inès, une fleuriste, ouvre sa boutique. Elle sourit.\n\n"
        "Inès arrose les fleurs.\n",
    )
    assert shots[0].shot_size is ShotSize.CU
    assert shots[0].description.startswith("Gros plan sur une tasse de café")
    framed = next(s for s in shots if s.description.startswith("Plan large : Inès"))
    # the sentence after the direction belongs to the shot it frames
    assert framed.shot_size is ShotSize.WS and "Elle sourit." in framed.description


def test_a_direction_written_in_lower_case_titles_its_shot_with_a_capital(
    tmp_path: Path,
) -> None:
    """A shot list's titles read like the others ('Establishing the kitchen', 'Close-up
    GaBy: ...') whatever case the writer typed the direction in."""
    shots = _plan(
        tmp_path,
        "---\nduration: 10s\n---\n\n# Morning\n\n## Scenes\n\n"
        "1. **Drop** (4s): close on the espresso machine; the first drop falls.\n"
        "2. **Square** (6s): tracking shot of Mira crossing the square with two cups.\n",
    )
    titled = [s.title for s in shots if s.title]
    assert titled and all(t[:1].isupper() for t in titled), titled
    assert any(t.startswith("Close on the espresso machine") for t in titled), titled


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        (
            "A 10 second spot.\n\n"
            "- Scene 1: close on the espresso machine: the first drop falls.\n"
            "- Scene 2: wide shot, a courier locks his bike outside the café.\n",
            [ShotSize.CU, ShotSize.WS],
        ),
        (
            "Un spot de 12 secondes.\n\n"
            "* Scène 1 : gros plan sur une tasse ; la vapeur monte.\n"
            "* Scène 2 : plan large, une fleuriste ouvre sa boutique.\n",
            [ShotSize.CU, ShotSize.WS],
        ),
    ],
)
def test_a_list_of_numbered_scenes_without_a_heading_is_the_scene_list(
    tmp_path: Path, text: str, sizes: list[ShotSize]
) -> None:
    """'- Scene 1: ...' items under no heading are the brief's scenes, their directions read
    (was one scene, 'Full shot of the scene. Scene 1: close on ...')."""
    brief = parse_brief(text)
    assert len(brief.scenes) == 2
    shots = _plan(tmp_path, text)
    assert [s.shot_size for s in shots] == sizes
    assert not any("Scene 1" in s.description or "Scène 1" in s.description for s in shots)
    assert not any("of the scene" in s.description for s in shots)


def test_the_writers_last_shot_stays_last_and_is_never_covered(tmp_path: Path) -> None:
    story = (
        "A 30-second clip for the song Low Tide.\n\n"
        "Characters:\n- Noor: the singer, red scarf\n- Sami: the drummer, round glasses\n\n"
        "Story:\n"
        "Noor sings on the pier while gulls circle above her.\n"
        "Sami drums on an upturned crate beside her.\n"
        "They dance together as the tide comes in.\n"
        "The clip ends on a close-up of a paper boat drifting away.\n"
    )
    shots = _plan(tmp_path, story)
    last = shots[-1]
    assert last.description == "The clip ends on a close-up of a paper boat drifting away."
    assert (last.shot_size, last.framing) == (ShotSize.CU, Framing.INSERT)
    # coverage (the story is longer than its beats) never repeats the writer's shot
    assert all("paper boat" not in s.description for s in shots[:-1])
    # "They" are the two people the story has shown
    dance = [s for s in shots if "dance together" in s.action]
    assert dance and sorted(dance[0].characters) == ["char_noor", "char_sami"]


def test_screenplay_inserts_angles_and_points_of_view(tmp_path: Path) -> None:
    script = (
        "Title: Lost Keys\n\nINT. HALLWAY - NIGHT\n\n"
        "TOMAS (40s, rumpled suit) pats his pockets at the front door.\n\n"
        "INSERT - THE KEY BOWL\n\nEmpty.\n\nBACK TO SCENE\n\nTomas groans.\n\n"
        "ANGLE ON the coat rack: a key glints in a sleeve.\n\n"
        "TOMAS'S POV - the sleeve, swinging gently.\n"
    )
    out = tmp_path / "project"
    plan_project(script, out, source_name="keys.fountain")
    shots = load_shots(Project.open(out))
    said = [s.description for s in shots]
    # the insert's line belongs to it; "BACK TO SCENE" is an editing note, not a shot
    insert = next(s for s in shots if s.description.startswith("INSERT - THE KEY BOWL"))
    assert insert.description == "INSERT - THE KEY BOWL. Empty."
    assert insert.framing is Framing.INSERT
    assert not any("BACK TO SCENE" in d for d in said), said
    assert any(d == "ANGLE ON the coat rack: a key glints in a sleeve." for d in said), said
    pov = next(s for s in shots if s.description.startswith("TOMAS'S POV"))
    assert pov.framing is Framing.POV and pov.characters == []  # what he sees, not him


def test_a_framed_shot_ends_where_someone_new_acts(tmp_path: Path) -> None:
    story = (
        "A 20-second spot for a courier company. Fast, bright, handheld energy.\n\n"
        "Priya, a courier with a yellow helmet, races through traffic with a parcel.\n"
        "At the office, Jonah paces by the window.\n"
        "Close on the parcel strapped to her back.\n"
        "Priya bursts through the office door. Jonah smiles.\n"
    )
    shots = _plan(tmp_path, story)
    said = [s.description for s in shots]
    close = next(s for s in shots if s.description.startswith("Close on the parcel"))
    # the framed shot is the parcel's: the next sentences are the story going on
    assert close.description == "Close on the parcel strapped to her back."
    assert (close.framing, close.characters) == (Framing.INSERT, [])
    assert any("Priya bursts through the office door." in s.action for s in shots), said
    # "Fast, bright, handheld energy." is how the spot feels, not a shot
    assert not any("handheld energy" in d for d in said), said
