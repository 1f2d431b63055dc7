"""Scenes to timed shots: the rules a cinematographer and an editor would check."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storycore.tools.breakdown import (
    DEFAULT_RULES,
    MIN_SHOT_FRAMES,
    allocate_frames,
    breakdown_brief,
    design_shots,
    find_places,
    prose_characters,
    retime,
    scenes_from_brief,
    scenes_from_prose,
    split_long_shots,
)
from storycore.tools.domain import (
    Beat,
    BriefElement,
    BriefScene,
    CameraMovement,
    CreativeBrief,
    Framing,
    IntExt,
    Scene,
    SceneType,
    ShotSize,
    ShotSpec,
    TechnicalSpecs,
    Transition,
)
from storycore.tools.errors import BriefError, InvalidInput
from storycore.tools.fountain import scenes_from_fountain
from storycore.tools.naming import element_id
from storycore.tools.planner import plan_project, read_scenes
from storycore.tools.project import Project
from storycore.tools.structure import load_shots

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "short_film.fountain"
RATES = ["24", "25", "24000/1001", "30000/1001"]


def half_up(seconds: float, rate: Fraction) -> int:
    """round(seconds * rate) to the nearest frame, a half frame going up."""
    return math.floor(Fraction(repr(seconds)) * rate + Fraction(1, 2))


def assert_timeline(shots: list[ShotSpec], minimum: int = MIN_SHOT_FRAMES) -> None:
    assert shots[0].start_frame == 0
    for before, after in pairwise(shots):
        assert after.start_frame == before.end_frame
    assert all(s.duration_frames >= minimum for s in shots)
    ids = [s.shot_id for s in shots]
    assert len(set(ids)) == len(ids)


@pytest.fixture(scope="module")
def example_scenes() -> list[Scene]:
    scenes, _ = scenes_from_fountain(EXAMPLE.read_text(encoding="utf-8"))
    return scenes


@pytest.fixture(scope="module")
def example_shots(example_scenes: list[Scene]) -> list[ShotSpec]:
    return design_shots(example_scenes, TechnicalSpecs()).shots


def scene(number: int, beats: list[Beat], **fields: object) -> Scene:
    return Scene(scene_id=f"sc_{number:02d}", number=str(number), beats=beats, **fields)


def say(who: str, text: str, parenthetical: str | None = None) -> Beat:
    return Beat(kind="dialogue", character=who, text=text, parenthetical=parenthetical)


def act(text: str) -> Beat:
    return Beat(kind="action", text=text)


# --------------------------------------------------------------------------------------
# Prose and briefs
# --------------------------------------------------------------------------------------

ENGLISH = """GaBy waits on the old bridge at night. The rain falls on her red umbrella.

Marc arrives late. "You waited," says Marc. GaBy smiles. "I always do," GaBy answers.

In the kitchen, Marc puts a FILM CAMERA on the table. GaBy looks at it for a long time.

The next morning, GaBy walks to the station alone."""

FRENCH = """Gaby attend sur le vieux pont, la nuit. La pluie tombe sur son parapluie.

Marc arrive en retard. « Tu as attendu », dit Marc. Gaby sourit.

Dans la cuisine, Marc pose un APPAREIL PHOTO sur la table. Gaby le regarde longtemps.

Le lendemain, à la gare, Gaby court vers le train. Marc est déjà parti."""


def test_english_prose_scenes_follow_the_places() -> None:
    scenes = scenes_from_prose(ENGLISH)
    assert [s.location for s in scenes] == ["old bridge", "kitchen", "station"]
    assert [s.int_ext for s in scenes] == [IntExt.EXT, IntExt.INT, IntExt.INT]
    assert [s.time_of_day for s in scenes] == ["night", None, "the next morning"]
    assert scenes[0].heading == "EXT. OLD BRIDGE - NIGHT"
    assert [s.transition_in for s in scenes] == [
        Transition.FADE_IN,
        Transition.CUT,
        Transition.DISSOLVE,
    ]
    assert scenes[0].characters == ["GaBy", "Marc"]
    assert scenes[1].props == ["film camera"]


def test_english_prose_quotes_become_dialogue_with_their_speaker() -> None:
    beats = scenes_from_prose(ENGLISH)[0].beats
    dialogue = [(b.character, b.text) for b in beats if b.kind == "dialogue"]
    assert dialogue == [("Marc", "You waited"), ("GaBy", "I always do")]
    # The attribution ("says Marc") is not a beat of its own.
    assert not any("says Marc" in b.text for b in beats)


def test_french_prose_scenes_and_names() -> None:
    scenes = scenes_from_prose(FRENCH)
    assert [s.location for s in scenes] == ["vieux pont", "cuisine", "gare"]
    assert [s.time_of_day for s in scenes] == ["nuit", None, "le lendemain"]
    assert scenes[2].transition_in is Transition.DISSOLVE
    assert scenes[0].characters == ["Gaby", "Marc"]
    assert [(b.character, b.text) for b in scenes[0].beats if b.kind == "dialogue"] == [
        ("Marc", "Tu as attendu")
    ]
    assert scenes[1].props == ["appareil photo"]


@pytest.mark.parametrize("text", [ENGLISH, FRENCH])
def test_sentence_openers_are_not_characters(text: str) -> None:
    names = {n.lower() for n in prose_characters(text)}
    for opener in ("the", "in", "la", "dans", "le", "marc arrives"):
        assert opener not in names
    assert names == {"gaby", "marc"}


def test_a_name_seen_once_is_a_character_only_when_it_acts_or_is_known() -> None:
    text = "Anna opens the door. Then Bob waves at Anna. Later, Bob sits."
    assert prose_characters(text) == ["Anna", "Bob"]
    # opening a sentence on what only a person does: someone, even named once
    assert prose_characters("Zoe waves once.") == ["Zoe"]
    # a capitalised word seen once that does not act as a person is not
    assert prose_characters("Zoe glows at night.") == []
    assert prose_characters("Zoe glows at night.", ["Zoe"]) == ["Zoe"]


@pytest.mark.parametrize(
    ("text", "locations", "places", "first_words"),
    [
        # one paragraph, the story moves at a cut cue (its words are an editing note)
        (
            "Iris sings on the rooftop while lanterns drift up. Theo plays a riff. "
            "Cut to the laundromat: Iris spins between the machines. Theo smiles.",
            ["Rooftop", "Laundromat"],
            ["Rooftop", "Laundromat"],
            ["Iris sings", "Iris spins"],
        ),
        # a later sentence that opens on a place, then a way back
        (
            "Nora waits at the bus stop in the rain. She checks her phone. "
            "In the kitchen, Paul burns the toast. Back at the bus stop, Nora gives up.",
            [],
            ["bus stop", "kitchen", "bus stop"],
            ["Nora waits", "In the", "Back at"],  # a comma keeps the words: they read well
        ),
        # French: « Retour au phare : », a time jump inside a paragraph
        (
            "Anouk monte l'escalier du phare. Elle allume la lampe. Le lendemain, Anouk "
            "descend au port. Retour au phare : la lampe est éteinte.",
            ["phare", "port"],
            ["phare", "port", "phare"],
            ["Anouk monte", "Le lendemain,", "La lampe"],
        ),
    ],
)
def test_a_paragraph_is_cut_where_the_story_moves(
    text: str, locations: list[str], places: list[str], first_words: list[str]
) -> None:
    scenes = scenes_from_prose(text, known_locations=locations)
    assert [s.location for s in scenes] == places
    assert [" ".join(s.beats[0].text.split()[:2]) for s in scenes] == first_words
    said = " ".join(b.text for s in scenes for b in s.beats)
    assert "Cut to" not in said and "Retour au" not in said


@pytest.mark.parametrize(
    "text",
    [
        # a place named inside a later sentence, or after a preposition that opens on no
        # place, does not move the story
        "Iris sings on the rooftop. At the chorus they dance as the lights flicker.",
        "Iris sings on the rooftop. She looks towards the harbour far below.",
        "Iris sings on the rooftop. In the end, she walks to the kitchen.",
    ],
)
def test_a_paragraph_that_does_not_move_stays_one_scene(text: str) -> None:
    scenes = scenes_from_prose(text)
    assert len(scenes) == 1
    assert " ".join(b.text for b in scenes[0].beats) == text


def test_find_places_needs_a_preposition_and_a_place_noun() -> None:
    assert find_places("She walks into the living room, then onto the old bridge.") == [
        ("living room", IntExt.INT),
        ("old bridge", IntExt.EXT),
    ]
    assert find_places("Il attend au café puis à la gare.") == [
        ("café", IntExt.INT),
        ("gare", IntExt.INT),
    ]
    assert find_places("She has a kitchen knife.") == []
    assert find_places("They meet at Rosa's.", ["Rosa's"]) == [("Rosa's", None)]


def test_brief_scenes_keep_their_durations_and_named_elements() -> None:
    brief = CreativeBrief(
        title="Umbrella",
        characters=[BriefElement(name="GaBy"), BriefElement(name="Marc")],
        locations=[BriefElement(name="Old Bridge")],
        props=[BriefElement(name="red umbrella")],
        scenes=[
            BriefScene(
                title="Waiting",
                description="GaBy waits on the bridge under her red umbrella.",
                duration_seconds=12,
            ),
            BriefScene(
                title="INT. KITCHEN - NIGHT", description="Marc makes tea.", duration_seconds=8
            ),
        ],
    )
    scenes = scenes_from_brief(brief)
    assert [s.target_seconds for s in scenes] == [12, 8]
    assert scenes[0].location == "Old Bridge"
    assert scenes[0].characters == ["GaBy"]
    assert scenes[0].props == ["red umbrella"]
    assert (scenes[1].location, scenes[1].int_ext, scenes[1].time_of_day) == (
        "KITCHEN",
        IntExt.INT,
        "NIGHT",
    )
    assert scenes[1].characters == ["Marc"]
    shots = breakdown_brief(brief).shots
    at_24 = [sum(s.duration_frames for s in shots if s.scene == n) for n in ("1", "2")]
    assert at_24 == [12 * 24, 8 * 24]


def test_a_brief_without_scenes_is_read_as_prose() -> None:
    brief = CreativeBrief(text=ENGLISH, characters=[BriefElement(name="GaBy")])
    assert [s.location for s in scenes_from_brief(brief)] == ["old bridge", "kitchen", "station"]


def test_a_fountain_brief_is_read_as_a_screenplay() -> None:
    brief = CreativeBrief(text=EXAMPLE.read_text(encoding="utf-8"), source_format="fountain")
    assert [s.number for s in scenes_from_brief(brief)] == ["1", "2", "3", "4"]


def test_an_empty_brief_is_refused() -> None:
    with pytest.raises(BriefError, match="no scenes and no story text"):
        scenes_from_brief(CreativeBrief())


# --------------------------------------------------------------------------------------
# Framing rules
# --------------------------------------------------------------------------------------


def test_every_new_location_opens_on_an_establishing_shot(
    example_scenes: list[Scene], example_shots: list[ShotSpec]
) -> None:
    for sc in example_scenes:
        first = next(s for s in example_shots if s.scene == sc.number)
        assert first.scene_type is SceneType.ESTABLISHING
        assert first.shot_size is (ShotSize.EWS if sc.int_ext is IntExt.EXT else ShotSize.WS)
        assert first.lens_mm <= 24
        assert first.camera_movement is CameraMovement.DOLLY_IN
    establishing = [s for s in example_shots if s.scene_type is SceneType.ESTABLISHING]
    assert len(establishing) == len(example_scenes)


def test_a_scene_in_the_same_place_has_no_establishing_shot() -> None:
    scenes = [
        scene(1, [act("Rain.")], location="BRIDGE", int_ext="EXT", time_of_day="NIGHT"),
        scene(2, [act("Still rain.")], location="BRIDGE", int_ext="EXT", time_of_day="LATER"),
    ]
    shots = design_shots(scenes, TechnicalSpecs()).shots
    kinds = [(s.scene, s.scene_type) for s in shots]
    assert kinds[0] == ("1", SceneType.ESTABLISHING)
    assert ("2", SceneType.ESTABLISHING) not in kinds
    second = next(s for s in shots if s.scene == "2")
    assert second.transition_in is Transition.DISSOLVE  # LATER: a time jump


def test_dialogue_coverage_opens_on_a_two_shot_and_alternates(
    example_shots: list[ShotSpec],
) -> None:
    for number in ("1", "2"):
        lines = [
            s for s in example_shots if s.scene == number and s.scene_type is SceneType.DIALOGUE
        ]
        assert lines[0].framing is Framing.TWO_SHOT
        setups = [(s.framing, s.shot_size, tuple(s.characters)) for s in lines]
        assert all(a != b for a, b in pairwise(setups))
        assert {Framing.OTS, Framing.SINGLE} <= {s.framing for s in lines}
        for shot in lines:
            assert shot.camera_movement is CameraMovement.STATIC
            assert shot.dialogue and shot.vocals_type == "spoken"


def test_lenses_match_shot_sizes(example_shots: list[ShotSpec]) -> None:
    for shot in example_shots:
        if shot.shot_size in (ShotSize.EWS, ShotSize.WS):
            assert shot.lens_mm <= 24
        elif shot.shot_size in (ShotSize.MWS, ShotSize.MS, ShotSize.MCU):
            assert 35 <= shot.lens_mm <= 50
        elif shot.shot_size in (ShotSize.CU, ShotSize.ECU):
            assert 85 <= shot.lens_mm <= 100


def test_props_get_inserts(example_shots: list[ShotSpec]) -> None:
    inserts = [s for s in example_shots if s.scene_type is SceneType.INSERT]
    assert {p for s in inserts for p in s.props} == {
        "prop_red_umbrella",
        "prop_film_camera",
        "prop_photograph",
    }
    for shot in inserts:
        assert shot.framing is Framing.INSERT
        assert shot.shot_size in (ShotSize.CU, ShotSize.ECU)
    # A photograph is small: an extreme close-up.
    assert any(s.shot_size is ShotSize.ECU for s in inserts if s.props == ["prop_photograph"])
    # One insert per prop and scene: the umbrella is shown again in the kitchen, not twice.
    per_scene = [(s.scene, tuple(s.props)) for s in inserts]
    assert len(per_scene) == len(set(per_scene))


def test_a_line_that_lands_gets_a_reaction_of_the_listener() -> None:
    beats = [
        say("GaBy", "Where were you?"),
        say("Marc", "Out."),
        say("GaBy", "All night long and not a word."),
    ]
    shots = design_shots([scene(1, beats, characters=["GaBy", "Marc"])], TechnicalSpecs()).shots
    types = [(s.scene_type, s.characters) for s in shots]
    assert types[1] == (SceneType.CLOSE_UP, ["char_marc"])
    assert shots[1].shot_size is ShotSize.CU and not shots[1].dialogue
    assert len(shots) == 4


def test_a_beat_parenthetical_gets_a_reaction_before_the_next_line() -> None:
    beats = [say("Marc", "I am leaving."), say("Marc", "Tomorrow.", parenthetical="beat")]
    shots = design_shots([scene(1, beats, characters=["GaBy", "Marc"])], TechnicalSpecs()).shots
    assert [s.scene_type for s in shots] == [
        SceneType.DIALOGUE,
        SceneType.CLOSE_UP,
        SceneType.DIALOGUE,
    ]
    assert shots[1].characters == ["char_gaby"]


def test_action_framing_and_movement() -> None:
    beats = [act("GaBy runs across the square."), act("GaBy walks home."), act("Fog.")]
    shots = design_shots(
        [scene(1, beats, characters=["GaBy"], int_ext="EXT")], TechnicalSpecs()
    ).shots
    run, walk, fog = shots
    assert (run.camera_movement, run.scene_type) == (CameraMovement.HANDHELD, SceneType.ACTION)
    assert (walk.camera_movement, walk.scene_type) == (CameraMovement.TRACKING, SceneType.ACTION)
    assert fog.scene_type is SceneType.ATMOSPHERIC and not fog.characters
    assert fog.weather == "fog"


def test_voice_over_is_narration_and_off_screen_lines_frame_the_listener() -> None:
    beats = [
        act("GaBy stands at the window."),
        Beat(kind="dialogue", character="GaBy", text="It was always raining.", extension="V.O."),
        Beat(kind="dialogue", character="Marc", text="Are you coming?", extension="O.S."),
    ]
    shots = design_shots([scene(1, beats, characters=["GaBy"])], TechnicalSpecs()).shots
    window, off = shots
    assert window.narration == "GaBy: It was always raining." and not window.dialogue
    assert "no lip-sync" in window.generation_notes
    assert off.dialogue[0].character == "Marc"
    assert off.characters == ["char_gaby"]
    assert "no lip-sync" in off.generation_notes


def test_shots_carry_element_ids_scene_numbers_and_times(example_shots: list[ShotSpec]) -> None:
    ids = {e for s in example_shots for e in s.element_ids()}
    assert {"char_gaby", "char_marc", "loc_old_bridge", "prop_red_umbrella"} <= ids
    assert [s.shot_id for s in example_shots] == [
        f"shot_{i:02d}" for i in range(1, len(example_shots) + 1)
    ]
    assert {s.scene for s in example_shots} == {"1", "2", "3", "4"}
    assert {s.time_of_day for s in example_shots if s.scene == "2"} == {"night"}  # LATER
    assert {s.time_of_day for s in example_shots if s.scene == "4"} == {"dawn"}  # CONTINUOUS


def test_transitions(example_shots: list[ShotSpec]) -> None:
    assert example_shots[0].transition_in is Transition.FADE_IN
    assert example_shots[-1].transition_out is Transition.FADE_OUT
    firsts: dict[str, ShotSpec] = {}
    for shot in example_shots:
        firsts.setdefault(shot.scene, shot)
    assert [firsts[n].transition_in for n in "234"] == [
        Transition.DISSOLVE,
        Transition.DISSOLVE,
        Transition.CUT,
    ]
    for before, after in pairwise(example_shots):
        assert before.transition_out is after.transition_in or (
            before.transition_out is Transition.FADE_OUT
            and after.transition_in is Transition.FADE_IN
        )


def test_continues_from_links_only_the_same_setup() -> None:
    long_walk = " ".join(["GaBy walks along the endless corridor, past door after door."] * 9)
    shots = design_shots(
        [scene(1, [act(long_walk), say("GaBy", "Hello?")], characters=["GaBy"], location="HALL")],
        TechnicalSpecs(),
    ).shots
    walks = [s for s in shots if s.camera_movement is CameraMovement.TRACKING]
    assert len(walks) >= 2  # a long beat is covered by several shots
    for before, after in pairwise(walks):
        assert after.continues_from == before.shot_id
    establishing = shots[0]
    assert shots[1].continues_from is None  # wide to tracking: a cut, not a continuation
    assert establishing.scene_type is SceneType.ESTABLISHING


# --------------------------------------------------------------------------------------
# Durations
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("wps", [2.0, 2.5, 4.0])
def test_dialogue_lasts_its_words_at_the_speech_rate(wps: float) -> None:
    line = "one two three four five six seven eight nine ten eleven twelve"
    specs = TechnicalSpecs(words_per_second=wps)
    shots = design_shots([scene(1, [say("GaBy", line)])], specs).shots
    assert len(shots) == 1
    expected = Fraction(12) / Fraction(repr(wps)) + Fraction(repr(DEFAULT_RULES.dialogue_padding))
    assert shots[0].duration_frames == math.floor(expected * 24 + Fraction(1, 2))


@pytest.mark.parametrize(
    ("pace", "seconds"), [("short_film", 6), ("trailer", 3), ("music_video", 2), ("ad", 2.5)]
)
def test_the_pace_sets_the_length_of_an_atmospheric_shot(pace: str, seconds: float) -> None:
    specs = TechnicalSpecs(pace=pace)
    shots = design_shots(
        [scene(1, [], location="BEACH", int_ext="EXT", description="Waves.")], specs
    ).shots
    assert [s.duration_frames for s in shots] == [round(seconds * 24)]


def test_long_action_takes_longer_than_short_action() -> None:
    short = design_shots([scene(1, [act("Fog.")])], TechnicalSpecs()).shots
    long = design_shots(
        [
            scene(
                1,
                [
                    act(
                        "Fog rolls over the harbour, swallowing the cranes one by one, "
                        "until only the red lamp of the lighthouse is left burning."
                    )
                ],
            )
        ],
        TechnicalSpecs(),
    ).shots
    assert long[0].duration_frames > short[0].duration_frames


# --------------------------------------------------------------------------------------
# Fitting to a target, to the frame
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fps", RATES)
@pytest.mark.parametrize("target", [60.0, 90.5, 150.0, 240.0])
def test_the_example_fits_the_target_to_the_frame(
    example_scenes: list[Scene], fps: str, target: float
) -> None:
    specs = TechnicalSpecs(fps=fps)
    result = design_shots(example_scenes, specs, target_seconds=target)
    assert result.total_frames == half_up(target, specs.rate)
    assert_timeline(result.shots)


def test_a_target_far_from_the_natural_length_is_reported(example_scenes: list[Scene]) -> None:
    result = design_shots(example_scenes, TechnicalSpecs(), target_seconds=40)
    assert any("natural length" in w for w in result.warnings)
    assert any("dialogue shot" in w for w in result.warnings)


def test_a_too_short_target_drops_and_merges_shots_with_a_warning(
    example_scenes: list[Scene], example_shots: list[ShotSpec]
) -> None:
    result = design_shots(example_scenes, TechnicalSpecs(), target_seconds=5)
    assert result.total_frames == 120
    assert_timeline(result.shots)
    assert len(result.shots) == 120 // MIN_SHOT_FRAMES < len(example_shots)
    assert not any(s.scene_type is SceneType.INSERT for s in result.shots)
    warning = next(w for w in result.warnings if "too short" in w)
    assert "dropped" in warning and "merged" in warning
    # Every line of dialogue is still in the plan.
    lines = [d.text for s in example_shots for d in s.dialogue]
    kept = [d.text for s in result.shots for d in s.dialogue]
    assert kept == lines
    assert {s.scene for s in result.shots} == {"1", "2", "3", "4"}


def test_a_target_shorter_than_one_shot_per_scene_is_refused(
    example_scenes: list[Scene],
) -> None:
    with pytest.raises(BriefError, match="cannot hold 4 scenes"):
        design_shots(example_scenes, TechnicalSpecs(), target_seconds=1.5)


WORDS = st.sampled_from(
    ["rain", "door", "light", "she", "looks", "runs", "walks", "why", "now", "stop", "red"]
)
LINES = st.lists(WORDS, min_size=1, max_size=30).map(" ".join)


@st.composite
def beats(draw: st.DrawFn) -> Beat:
    kind = draw(st.sampled_from(["action", "dialogue", "dialogue"]))
    text = draw(LINES) + draw(st.sampled_from([".", "?", "!"]))
    if kind == "action":
        return act(text.capitalize())
    return say(draw(st.sampled_from(["GaBy", "Marc"])), text)


@st.composite
def scene_sets(draw: st.DrawFn) -> list[Scene]:
    count = draw(st.integers(min_value=1, max_value=6))
    out = []
    for n in range(1, count + 1):
        out.append(
            scene(
                n,
                draw(st.lists(beats(), max_size=8)),
                location=draw(st.sampled_from([None, "BRIDGE", "KITCHEN", "STATION"])),
                int_ext=draw(st.sampled_from(["INT", "EXT"])),
                time_of_day=draw(st.sampled_from([None, "DAY", "NIGHT", "LATER", "CONTINUOUS"])),
                characters=["GaBy", "Marc"],
                props=draw(st.sampled_from([[], ["red umbrella"]])),
            )
        )
    return out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenes=scene_sets(),
    target=st.floats(min_value=0.2, max_value=900, allow_nan=False),
    fps=st.sampled_from(RATES),
    pace=st.sampled_from(["short_film", "trailer", "music_video", "ad", "series"]),
)
def test_any_plan_fits_any_target_to_the_frame(
    scenes: list[Scene], target: float, fps: str, pace: str
) -> None:
    specs = TechnicalSpecs(fps=fps, pace=pace)
    total = half_up(target, specs.rate)
    if len(scenes) * MIN_SHOT_FRAMES > total:
        with pytest.raises(BriefError):
            design_shots(scenes, specs, target_seconds=target)
        return
    result = design_shots(scenes, specs, target_seconds=target)
    assert result.total_frames == total
    assert_timeline(result.shots)
    assert {s.scene for s in result.shots} == {s.number for s in scenes}
    spoken = [b.text for s in scenes for b in s.beats if b.kind == "dialogue"]
    assert sum(len(s.dialogue) for s in result.shots) >= len(spoken)


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(
        st.fractions(min_value=Fraction(1, 100), max_value=100), min_size=1, max_size=40
    ),
    total=st.integers(min_value=0, max_value=20000),
    minimum=st.integers(min_value=0, max_value=24),
)
def test_allocate_frames_is_exact_and_respects_the_minimum(
    weights: list[Fraction], total: int, minimum: int
) -> None:
    if len(weights) * minimum > total:
        with pytest.raises(InvalidInput):
            allocate_frames(weights, total, minimum)
        return
    frames = allocate_frames(weights, total, minimum)
    assert sum(frames) == total
    assert min(frames) >= minimum
    if minimum == 0:
        share = sum(weights, Fraction(0))
        for weight, count in zip(weights, frames, strict=True):
            assert abs(count - weight * total / share) < 1


# --------------------------------------------------------------------------------------
# Splitting and retiming
# --------------------------------------------------------------------------------------


def test_split_long_shots_respects_the_model_maximum(example_shots: list[ShotSpec]) -> None:
    maximum = 81  # Wan: 81 frames
    parts = split_long_shots(example_shots, lambda shot: maximum)
    assert_timeline(parts, minimum=1)
    assert all(p.duration_frames <= maximum for p in parts)
    assert parts[-1].end_frame == example_shots[-1].end_frame
    by_origin: dict[str, list[ShotSpec]] = {}
    for part in parts:
        by_origin.setdefault(part.split_from or part.shot_id, []).append(part)
    for shot in example_shots:
        group = by_origin[shot.shot_id]
        assert sum(p.duration_frames for p in group) == shot.duration_frames
        if shot.duration_frames <= maximum:
            assert group == [shot]
            continue
        assert [p.shot_id for p in group] == [
            f"{shot.shot_id}{letter}" for letter in "abcdefghij"[: len(group)]
        ]
        sizes = [p.duration_frames for p in group]
        assert max(sizes) - min(sizes) <= 1
        assert len(group) == math.ceil(shot.duration_frames / maximum)
        assert group[0].transition_in is shot.transition_in
        assert group[-1].transition_out is shot.transition_out
        for before, after in pairwise(group):
            assert after.continues_from == before.shot_id
            assert after.transition_in is Transition.CUT
            assert (after.shot_size, after.framing, after.characters) == (
                shot.shot_size,
                shot.framing,
                shot.characters,
            )
            assert "continues" in after.generation_notes
        words = " ".join(d.text for p in group for d in p.dialogue).split()
        assert words == " ".join(d.text for d in shot.dialogue).split()


def test_split_skips_ids_already_taken_and_refuses_impossible_ids() -> None:
    shots = [
        ShotSpec(shot_id="shot_04", start_frame=0, end_frame=300),
        ShotSpec(shot_id="shot_04a", start_frame=300, end_frame=310),
    ]
    parts = split_long_shots(shots, lambda shot: 121)
    assert [p.shot_id for p in parts] == ["shot_04b", "shot_04c", "shot_04d", "shot_04a"]
    with pytest.raises(InvalidInput, match="cannot be split"):
        split_long_shots(
            [ShotSpec(shot_id="shot_02ab", start_frame=0, end_frame=300)], lambda s: 100
        )
    with pytest.raises(InvalidInput, match="at least one frame"):
        split_long_shots(shots, lambda shot: 0)


@settings(max_examples=100, deadline=None)
@given(
    lengths=st.lists(st.integers(min_value=1, max_value=2000), min_size=1, max_size=12),
    maximum=st.integers(min_value=1, max_value=300),
)
def test_split_parts_never_exceed_the_maximum(lengths: list[int], maximum: int) -> None:
    if any(math.ceil(n / maximum) > 26 * 26 for n in lengths):
        return
    start = 0
    shots = []
    for i, length in enumerate(lengths, start=1):
        shots.append(ShotSpec(shot_id=f"shot_{i:02d}", start_frame=start, end_frame=start + length))
        start += length
    parts = split_long_shots(shots, lambda shot: maximum)
    assert all(p.duration_frames <= maximum for p in parts)
    assert sum(p.duration_frames for p in parts) == sum(lengths)
    assert_timeline(parts, minimum=1)


def test_retime_closes_the_gap_left_by_a_removed_shot(example_shots: list[ShotSpec]) -> None:
    edited = [s for s in example_shots if s.shot_id != "shot_05"]
    retimed = retime(edited, "24")
    assert_timeline(retimed, minimum=1)
    assert [s.duration_frames for s in retimed] == [s.duration_frames for s in edited]
    assert [s.shot_id for s in retimed] == [s.shot_id for s in edited]


# --------------------------------------------------------------------------------------
# Coverage instead of stretching
# --------------------------------------------------------------------------------------

FRENCH_BRIEF = EXAMPLE.parent / "french_prose_brief.md"
#: The shot count of a covered plan is within this fraction of target / the pace's base
#: (docs/breakdown-rules.md: beats keep their own length, up to the pace's longest).
COUNT_TOLERANCE = 0.25


def longest_frames(pace: str, rate: Fraction) -> int:
    """The pace's longest designed shot in frames, a frame of rounding allowed."""
    return math.ceil(Fraction(repr(DEFAULT_RULES.pace[pace].max)) * rate) + 1


def beat_text(scene: Scene) -> str:
    return " ".join(b.text for b in scene.beats)


def is_coverage(shot: ShotSpec) -> bool:
    return "coverage" in shot.generation_notes


@dataclass(frozen=True)
class Planned:
    shots: list[ShotSpec]
    warnings: list[str]
    scenes: list[Scene]
    specs: TechnicalSpecs


@pytest.fixture(scope="module")
def french_plan(tmp_path_factory: pytest.TempPathFactory) -> Planned:
    """The French music-video brief planned as ``storycore plan`` does (90 s, music video)."""
    root = tmp_path_factory.mktemp("french") / "plan"
    summary = plan_project(
        FRENCH_BRIEF.read_text(encoding="utf-8"), root, source_name=FRENCH_BRIEF.name
    )
    project = Project.open(root)
    specs = project.manifest.technical_specs
    assert (specs.pace, specs.duration_seconds) == ("music_video", 90)
    return Planned(load_shots(project), summary.warnings, read_scenes(project), specs)


def test_a_long_music_video_covers_its_scenes_with_shots_at_the_pace(
    french_plan: Planned,
) -> None:
    shots, specs = french_plan.shots, french_plan.specs
    natural = design_shots(french_plan.scenes, specs).shots
    pace = DEFAULT_RULES.pace[specs.pace]
    assert shots[-1].end_frame == 90 * 24
    expected = 90 / pace.base
    assert abs(len(shots) - expected) <= COUNT_TOLERANCE * expected
    # Shots near the pace, none split by the model selector into identical parts.
    assert max(s.duration_frames for s in shots) <= longest_frames(specs.pace, specs.rate)
    assert not any(s.split_from for s in shots)
    assert [s.shot_id for s in shots] == [f"shot_{n:02d}" for n in range(1, len(shots) + 1)]
    assert_timeline(shots)
    # The brief answers in French: so does the warning (tools/data/messages/fr.yaml).
    warning = next(w for w in french_plan.warnings if "plans de couverture ajoutés" in w)
    assert f"{len(shots) - len(natural)} plans de couverture" in warning
    assert "durée visée de 90 s" in warning and "au rythme d'un clip" in warning
    for number in {s.scene for s in shots}:
        added = sum(s.scene == number for s in shots) - sum(s.scene == number for s in natural)
        assert f"scène {number} : {added}" in warning


def test_covered_shots_show_the_scene_and_say_what_they_frame(french_plan: Planned) -> None:
    shots = french_plan.shots
    scenes = {s.number: s for s in french_plan.scenes}
    for before, after in pairwise(shots):
        assert before.description != after.description
    for number, scene in scenes.items():
        own = [s for s in shots if s.scene == number]
        shown = {c for s in own for c in s.characters}
        assert {element_id("character", c) for c in scene.characters} <= shown
        for shot in own:
            assert shot.location == element_id("location", scene.location or "")
            # The beat a shot covers is the scene's own text, never invented.
            assert shot.action and shot.action in beat_text(scene)
    coverage = [s for s in shots if is_coverage(s)]
    assert {s.scene_type for s in coverage} >= {
        SceneType.CLOSE_UP,
        SceneType.PERFORMANCE,
        SceneType.ATMOSPHERIC,
        SceneType.ACTION,
    }
    close_up = next(s for s in coverage if s.scene_type is SceneType.CLOSE_UP)
    # The brief is French: so is the framing phrase ("Gros plan de Nour", "d'Élodie").
    assert close_up.lens_mm == 85 and close_up.description.startswith(
        ("Gros plan de ", "Gros plan d'")
    )
    performance = [s for s in coverage if s.scene_type is SceneType.PERFORMANCE]
    assert all(s.camera_movement is CameraMovement.ORBIT for s in performance)
    # Interleaved: the beats covered come in story order, each beat's coverage right after it.
    for number, scene in scenes.items():
        text = beat_text(scene)
        positions = [text.index(s.action) for s in shots if s.scene == number]
        assert positions == sorted(positions)
        assert len(set(positions)) > 1


def test_twice_the_natural_length_adds_coverage_instead_of_doubling_shots(
    example_scenes: list[Scene], example_shots: list[ShotSpec]
) -> None:
    specs = TechnicalSpecs()
    natural = example_shots[-1].end_frame
    target = 2 * natural / 24
    result = design_shots(example_scenes, specs, target_seconds=target)
    assert result.total_frames == half_up(target, specs.rate)
    assert_timeline(result.shots)
    assert len(result.shots) >= 1.5 * len(example_shots)
    mean_before = natural / len(example_shots)
    mean_after = result.total_frames / len(result.shots)
    assert mean_after < 1.25 * mean_before  # not x2
    assert max(s.duration_frames for s in result.shots) <= longest_frames("short_film", specs.rate)
    assert any("coverage shots added" in w for w in result.warnings)
    assert not any("natural length" in w for w in result.warnings)
    # Every line is still said once, in order, by the shot that said it; coverage is silent.
    lines = [d.text for s in example_shots for d in s.dialogue]
    assert [d.text for s in result.shots for d in s.dialogue] == lines
    assert not any(s.dialogue for s in result.shots if is_coverage(s))
    for before, after in pairwise(result.shots):
        assert before.description != after.description


@pytest.mark.parametrize("factor", [1.0, 1.2, 1.45])
def test_a_target_close_to_the_natural_length_stretches_as_before(
    example_scenes: list[Scene], example_shots: list[ShotSpec], factor: float
) -> None:
    natural = example_shots[-1].end_frame
    target = factor * natural / 24
    result = design_shots(example_scenes, TechnicalSpecs(), target_seconds=target)
    assert [s.description for s in result.shots] == [s.description for s in example_shots]
    scale = Fraction(result.total_frames, natural)
    for before, after in zip(example_shots, result.shots, strict=True):
        # Each length is within a frame of its share, before and after: scale + 1 frames.
        assert abs(after.duration_frames - before.duration_frames * scale) <= scale + 1
    assert not any("coverage" in w for w in result.warnings)


def test_without_a_target_nothing_is_added(example_scenes: list[Scene]) -> None:
    result = design_shots(example_scenes, TechnicalSpecs(pace="music_video"))
    assert not any(is_coverage(s) for s in result.shots)
    assert not any("coverage" in w for w in result.warnings)


def test_a_scene_keeps_its_own_length_when_covered() -> None:
    scenes = [
        scene(
            1,
            [act("Nour walks along the harbour at night.")],
            location="HARBOUR",
            int_ext="EXT",
            characters=["Nour"],
            target_seconds=12,
        ),
        scene(
            2,
            [act("Nour sings on the roof.")],
            location="ROOF",
            int_ext="EXT",
            characters=["Nour"],
            target_seconds=3,
        ),
    ]
    specs = TechnicalSpecs(pace="music_video")
    result = design_shots(scenes, specs, target_seconds=15)
    first = [s for s in result.shots if s.scene == "1"]
    assert abs(sum(s.duration_frames for s in first) - 12 * 24) <= len(first)
    assert len(first) >= 12 / DEFAULT_RULES.pace["music_video"].max
    assert any(s.camera_movement is CameraMovement.TRACKING for s in first if is_coverage(s))
    warning = next(w for w in result.warnings if "coverage" in w)
    assert "scene 1:" in warning


@pytest.mark.parametrize(("pace", "performs"), [("music_video", True), ("short_film", False)])
def test_performance_coverage_belongs_to_music_videos(pace: str, performs: bool) -> None:
    beats = [act("Nour sings on the roof.")]
    singer = scene(1, beats, location="ROOF", int_ext="EXT", characters=["Nour"])
    base = DEFAULT_RULES.pace[pace].base
    result = design_shots([singer], TechnicalSpecs(pace=pace), target_seconds=8 * base)
    performance = [
        s for s in result.shots if is_coverage(s) and s.scene_type is SceneType.PERFORMANCE
    ]
    assert bool(performance) is performs
    assert all(
        s.camera_movement is CameraMovement.ORBIT and s.characters == ["char_nour"]
        for s in performance
    )


def test_coverage_inserts_show_the_props_the_beat_names() -> None:
    beats = [act("GaBy opens the LETTER at the window."), act("Rain runs down the glass.")]
    room = scene(1, beats, location="KITCHEN", int_ext="INT", characters=["GaBy"], props=["letter"])
    result = design_shots([room], TechnicalSpecs(), target_seconds=60)
    inserts = [s for s in result.shots if is_coverage(s) and s.scene_type is SceneType.INSERT]
    assert inserts
    assert all(s.props == ["prop_letter"] and s.shot_size is ShotSize.ECU for s in inserts)
    assert all("GaBy opens" in s.action for s in inserts)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenes=scene_sets(),
    factor=st.floats(min_value=1.6, max_value=12),
    fps=st.sampled_from(RATES),
    pace=st.sampled_from(["short_film", "trailer", "music_video", "ad", "series"]),
)
def test_covered_plans_fit_to_the_frame_with_shots_at_the_pace(
    scenes: list[Scene], factor: float, fps: str, pace: str
) -> None:
    specs = TechnicalSpecs(fps=fps, pace=pace)
    natural = design_shots(scenes, specs)
    target = round(factor * natural.total_frames / float(specs.rate), 3)
    result = design_shots(scenes, specs, target_seconds=target)
    shots = result.shots
    assert result.total_frames == half_up(target, specs.rate)
    assert_timeline(shots)
    assert [s.shot_id for s in shots] == [f"shot_{n:02d}" for n in range(1, len(shots) + 1)]
    assert len(shots) > len(natural.shots)
    # Scenes stay whole and in order; every line is said once, in order.
    order = [s.number for s in scenes]
    assert [order.index(s.scene) for s in shots] == sorted(order.index(s.scene) for s in shots)
    lines = [d.text for s in natural.shots for d in s.dialogue]
    assert [d.text for s in result.shots for d in s.dialogue] == lines
    longest = longest_frames(pace, specs.rate)
    over = [s for s in shots if s.duration_frames > longest]

    # Only a beat longer than the pace's longest by itself (a long line) may stay longer, or
    # coverage once its scene has no new set-up left: shots held longer, never repeated.
    def look(shot: ShotSpec) -> tuple[object, ...]:
        return (
            shot.shot_size,
            shot.framing,
            shot.camera_angle,
            shot.camera_movement,
            frozenset(shot.characters),
            frozenset(shot.props),
        )

    # A beat's coverage follows it; a beat told again ("Rain." twice) is the same beat.
    for shot in over:
        if is_coverage(shot):
            at = shots.index(shot)
            first = at
            while first > 0 and is_coverage(shots[first - 1]):
                first -= 1
            last = at
            while last + 1 < len(shots) and is_coverage(shots[last + 1]):
                last += 1
            beat = shots[max(0, first - 1) : last + 1]
            actions = {s.action for s in beat if s.action}
            told = [s for s in shots if s.scene == shot.scene and s.action in actions]
            group = {s.shot_id: s for s in [*beat, *told]}.values()
            assert len({look(s) for s in group}) == len(group), shot.shot_id
    for before, after in pairwise(shots):
        if is_coverage(before) or is_coverage(after):  # a story may repeat itself ("Rain.")
            assert before.description != after.description
    texts = {s.number: beat_text(s) for s in scenes}
    for shot in shots:
        if is_coverage(shot) and shot.action:
            assert shot.action in texts[shot.scene]


@pytest.mark.parametrize(
    "text",
    [
        "Lila sings on the jetty. Sami drums on a crate.\n\nCut to the beach: they run to the sea.",
        "Lila chante sur la jetée. Sami joue de la batterie.\n\n"
        "On passe à la plage : ils courent vers la mer.",
    ],
)
def test_a_scene_told_with_pronouns_goes_on_with_the_people_before_it(text: str) -> None:
    scenes = scenes_from_prose(text, ["Lila", "Sami"])
    assert len(scenes) == 2
    assert scenes[1].characters == ["Lila", "Sami"]
    shots = design_shots(scenes, TechnicalSpecs(duration_seconds=12)).shots
    opening = next(s for s in shots if s.scene == "2")
    assert sorted(opening.characters) == ["char_lila", "char_sami"]  # the establishing shows them


def test_a_scene_without_people_does_not_inherit_a_cast() -> None:
    scenes = scenes_from_prose(
        "Lila sings on the jetty.\n\nCut to the beach: waves roll in.", ["Lila"]
    )
    assert scenes[1].characters == []
