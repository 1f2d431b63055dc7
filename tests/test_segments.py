"""Segments: the units a producer generates and reviews, cut at the right places."""

from __future__ import annotations

from itertools import combinations, pairwise
from pathlib import Path

import pytest

from storycore.tools.breakdown import design_shots
from storycore.tools.domain import Beat, Scene, Segment, ShotSpec, TechnicalSpecs, Transition
from storycore.tools.errors import InvalidInput
from storycore.tools.fountain import scenes_from_fountain
from storycore.tools.segments import SHORT_SCENE_FRACTION, build_segments, split_run

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "short_film.fountain"


def plan(max_segment_seconds: float) -> tuple[list[Scene], list[ShotSpec], list[Segment]]:
    specs = TechnicalSpecs(max_segment_seconds=max_segment_seconds)
    scenes, _ = scenes_from_fountain(EXAMPLE.read_text(encoding="utf-8"))
    shots = design_shots(scenes, specs).shots
    return scenes, shots, build_segments(shots, scenes, specs)


def scene_frames(shots: list[ShotSpec]) -> dict[str, int]:
    out: dict[str, int] = {}
    for shot in shots:
        out[shot.scene] = out.get(shot.scene, 0) + shot.duration_frames
    return out


def assert_covers(shots: list[ShotSpec], segments: list[Segment]) -> None:
    assert [s.segment_id for s in segments] == [f"seg_{i:02d}" for i in range(1, len(segments) + 1)]
    assert [i for seg in segments for i in seg.shot_ids] == [s.shot_id for s in shots]
    assert segments[0].start_frame == 0
    for before, after in pairwise(segments):
        assert after.start_frame == before.end_frame
    assert segments[-1].end_frame == shots[-1].end_frame
    owner = {i: seg.segment_id for seg in segments for i in seg.shot_ids}
    assert all(s.segment_id == owner[s.shot_id] for s in shots)


def test_segments_follow_scene_boundaries_and_pack_short_scenes() -> None:
    _, shots, segments = plan(60)
    assert_covers(shots, segments)
    limit = 60 * 24
    lengths = scene_frames(shots)
    scenes_of = [
        list(dict.fromkeys(s.scene for s in shots if s.shot_id in seg.shot_ids)) for seg in segments
    ]
    # No scene is cut: every scene fits in 60 s.
    assert sorted(n for group in scenes_of for n in group) == sorted(lengths)
    for group in scenes_of:
        if len(group) > 1:
            assert all(lengths[n] < limit * SHORT_SCENE_FRACTION for n in group)
            assert sum(lengths[n] for n in group) <= limit
        else:
            assert lengths[group[0]] <= limit
    # Scenes 3 and 4 are short and share a segment; 1 and 2 have their own.
    assert scenes_of == [["1"], ["2"], ["3", "4"]]
    assert segments[0].title == "EXT. OLD BRIDGE - NIGHT"
    assert segments[2].title == "STATION PLATFORM / TRAIN"


def test_segments_transitions_follow_time_jumps() -> None:
    _, _, segments = plan(60)
    assert [s.transition_in for s in segments] == [
        Transition.FADE_IN,
        Transition.DISSOLVE,  # LATER
        Transition.DISSOLVE,  # DAWN after night
    ]
    assert [s.transition_out for s in segments] == [
        Transition.DISSOLVE,
        Transition.DISSOLVE,
        Transition.FADE_OUT,
    ]
    # Different places: nothing has to be generated from another segment's last frame.
    assert all(not s.depends_on for s in segments)


def test_a_long_scene_is_cut_between_shots_and_its_parts_depend_on_each_other() -> None:
    _, shots, segments = plan(20)
    assert_covers(shots, segments)
    limit = 20 * 24
    for seg in segments:
        members = [s for s in shots if s.shot_id in seg.shot_ids]
        assert seg.end_frame - seg.start_frame <= limit or len(members) == 1
    first_scene = [seg for seg in segments if seg.title.startswith("EXT. OLD BRIDGE - NIGHT")]
    parts = len(first_scene)
    # The fewest parts: no cut into one part fewer keeps every part within the limit.
    lengths = [s.duration_frames for s in shots if s.scene == "1"]
    assert not any(
        all(sum(lengths[a:b]) <= limit for a, b in pairwise((0, *cuts, len(lengths))))
        for cuts in combinations(range(1, len(lengths)), parts - 2)
    )
    assert [seg.title for seg in first_scene] == [
        f"EXT. OLD BRIDGE - NIGHT ({i}/{parts})" for i in range(1, parts + 1)
    ]
    assert first_scene[0].depends_on == []
    for before, after in pairwise(first_scene):
        # Same place, continuous time: the next part starts from this part's last frame.
        assert after.depends_on == [before.segment_id]
        assert after.transition_in is Transition.CUT


def test_split_run_makes_the_fewest_even_parts() -> None:
    shots = [
        ShotSpec(shot_id=f"shot_{i:02d}", start_frame=i * 100, end_frame=(i + 1) * 100)
        for i in range(10)
    ]
    # 1000 frames at most 900 a part: two parts of 500, not 900 and 100.
    assert [len(p) for p in split_run(shots, 900)] == [5, 5]
    assert sorted(len(p) for p in split_run(shots, 400)) == [3, 3, 4]
    single = [ShotSpec(shot_id="shot_01", start_frame=0, end_frame=900)]
    assert split_run(single, 400) == [single]


def scene(number: int, location: str, time: str, beats: list[Beat]) -> Scene:
    return Scene(
        scene_id=f"sc_{number:02d}",
        number=str(number),
        heading=f"INT. {location} - {time}",
        location=location,
        int_ext="INT",
        time_of_day=time,
        characters=["GaBy", "Marc"],
        beats=beats,
    )


TALK = [
    Beat(kind="dialogue", character="GaBy", text="We need to talk about the letter and the car."),
    Beat(kind="dialogue", character="Marc", text="Not now, not here, not with them listening."),
    Beat(kind="action", text="GaBy walks to the window and stares at the street below."),
]


@pytest.mark.parametrize(
    ("time", "depends", "transition"),
    [
        ("CONTINUOUS", True, Transition.CUT),
        ("LATER", False, Transition.DISSOLVE),
    ],
)
def test_a_continuous_scene_in_the_same_place_depends_on_the_previous_segment(
    time: str, depends: bool, transition: Transition
) -> None:
    specs = TechnicalSpecs(max_segment_seconds=20)
    scenes = [scene(1, "KITCHEN", "NIGHT", TALK), scene(2, "KITCHEN", time, TALK)]
    shots = design_shots(scenes, specs).shots
    segments = build_segments(shots, scenes, specs)
    second = next(
        seg for seg in segments if seg.shot_ids[0] in {s.shot_id for s in shots if s.scene == "2"}
    )
    previous = segments[segments.index(second) - 1]
    assert second.depends_on == ([previous.segment_id] if depends else [])
    assert second.transition_in is transition


def test_segments_repair_transitions_of_shots_made_elsewhere() -> None:
    specs = TechnicalSpecs()
    scenes = [scene(1, "KITCHEN", "DAY", TALK), scene(2, "GARDEN", "NIGHT", TALK)]
    shots = [
        s.model_copy(update={"transition_in": Transition.CUT})
        for s in design_shots(scenes, specs).shots
    ]
    segments = build_segments(shots, scenes, TechnicalSpecs(max_segment_seconds=10))
    first_of_night = next(
        seg
        for seg in segments
        if shots[[s.shot_id for s in shots].index(seg.shot_ids[0])].scene == "2"
    )
    assert first_of_night.transition_in is Transition.DISSOLVE  # NIGHT after DAY


def test_build_segments_links_continuing_shots_in_place() -> None:
    specs = TechnicalSpecs()
    walk = " ".join(["GaBy walks along the endless corridor, past door after door."] * 9)
    scenes = [scene(1, "HALL", "NIGHT", [Beat(kind="action", text=walk)])]
    shots = [
        s.model_copy(update={"continues_from": None}) for s in design_shots(scenes, specs).shots
    ]
    build_segments(shots, scenes, specs)
    linked = [s for s in shots if s.continues_from]
    assert linked and all(s.continues_from != s.shot_id for s in linked)
    kept = shots[1].model_copy(update={"continues_from": "shot_01"})
    build_segments([shots[0], kept], scenes, specs)
    assert kept.continues_from == "shot_01"


def test_duplicate_shot_ids_are_refused_and_no_shots_make_no_segments() -> None:
    shot = ShotSpec(shot_id="shot_01", start_frame=0, end_frame=24)
    with pytest.raises(InvalidInput, match="shot_01 is used twice"):
        build_segments([shot, shot.model_copy()], [], TechnicalSpecs())
    assert build_segments([], [], TechnicalSpecs()) == []
