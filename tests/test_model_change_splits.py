"""A model change re-merges the parts of a split shot when the new model makes it in one
clip, and splits it when the new model needs it; timecodes stay exact, ids follow the
planner's naming (shot_07 <-> shot_07a, shot_07b), and the costs add up. The brief is
written here, not taken from the examples."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import pytest

from storycore.tools.breakdown.fitting import merge_split_parts
from storycore.tools.critic import critique, load_view
from storycore.tools.critic.checks import shot_cost
from storycore.tools.domain import DialogueLine, ShotSpec
from storycore.tools.model_registry import ModelRegistry, max_clip_frames
from storycore.tools.model_selector import shot_cost_usd
from storycore.tools.planner import plan_project, summarize
from storycore.tools.project import Project
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.structure import load_shots

BRIEF = """---
title: Night Ferry
duration: 24s
aspect_ratio: "16:9"
resolution: 1280x720
fps: 24
---

A ferry crosses a black harbour at night.

## Characters
- **Olu**: a deckhand in his 50s, grey beard, yellow oilskin jacket

## Scenes
- **Deck**: Olu coils a heavy rope on the wet deck while the harbour lights drift past (9s)
- **Bridge**: the captain's window glows green above the bow (7s)
- **Pier**: Olu throws the rope to the pier and the ferry bumps against the tyres (8s)
"""


def _set(project: Project, model_id: str, shot_ids: list[str]) -> None:
    plan = plan_changes(
        project, [{"kind": "set_model", "model_id": model_id, "shot_ids": shot_ids}]
    )
    apply_changes(project, plan)


def _assert_exact(project: Project, frames: int) -> None:
    shots = load_shots(project)
    assert shots[0].start_frame == 0 and shots[-1].end_frame == frames
    for before, after in pairwise(shots):
        assert after.start_frame == before.end_frame


@pytest.fixture
def ferry(tmp_path: Path) -> Project:
    out = tmp_path / "ferry"
    plan_project(BRIEF, out, source_name="ferry.md")
    return Project.open(out)


def test_switching_a_shot_to_a_10s_model_merges_its_parts_and_back_splits_them(
    ferry: Project,
) -> None:
    registry = ModelRegistry.load(ferry.root)
    shots = load_shots(ferry)
    frames = shots[-1].end_frame
    longest = max(shots, key=lambda s: s.duration_frames)
    length, start = longest.duration_frames, longest.start_frame
    short = "wan22_14b"  # clips of at most 5 s
    assert length > max_clip_frames(registry.get(short), 24)  # the shot needs two clips on it
    assert length <= max_clip_frames(registry.get("kling_25"), 24)  # and one on a 10 s model
    _set(ferry, short, [longest.shot_id])
    parts = [s for s in load_shots(ferry) if s.split_from == longest.shot_id]
    assert [p.shot_id for p in parts] == [f"{longest.shot_id}a", f"{longest.shot_id}b"]
    assert sum(p.duration_frames for p in parts) == length and parts[0].start_frame == start
    _assert_exact(ferry, frames)

    # The whole shot named by its number: both parts switch and merge back into shot_NN.
    number = longest.shot_id.removeprefix("shot_")
    plan = plan_changes(
        ferry, [{"kind": "set_model", "model_id": "kling_25", "shot_ids": [number]}]
    )
    assert any("merged back into " + longest.shot_id in line for line in plan.summary)
    apply_changes(ferry, plan)
    merged = {s.shot_id: s for s in load_shots(ferry)}
    assert not any(s.split_from == longest.shot_id for s in merged.values())
    whole = merged[longest.shot_id]
    assert (whole.start_frame, whole.duration_frames) == (start, length)
    assert whole.model_id == "kling_25" and whole.split_from is None
    assert "part 1 of" not in whole.generation_notes and "(1/2)" not in whole.title
    assert whole.description == longest.description
    _assert_exact(ferry, frames)
    assert len(merged) == len(shots)

    _set(ferry, short, [longest.shot_id])
    again = [s.shot_id for s in load_shots(ferry) if s.split_from == longest.shot_id]
    assert again == [f"{longest.shot_id}a", f"{longest.shot_id}b"]
    _assert_exact(ferry, frames)


def test_the_costs_of_split_parts_add_up(ferry: Project) -> None:
    registry = ModelRegistry.load(ferry.root)
    longest = max(load_shots(ferry), key=lambda s: s.duration_frames)
    _set(ferry, "veo3", [longest.shot_id])  # 8 s clips, priced per second
    shots = load_shots(ferry)
    costs = [
        shot_cost_usd(
            registry.get(s.model_id or ""),
            Fraction(s.duration_frames, 24),
            registry.get(s.upscaler) if s.upscaler else None,
        )
        for s in shots
    ]
    assert summarize(ferry).estimated_cost_usd == pytest.approx(float(sum(costs)), abs=0.005)
    view = load_view(ferry)
    assert [shot_cost(view, s) for s in view.shots] == costs
    for shot in shots:  # each part's model note states its own cost
        if shot.split_from and "est. $" in (shot.model_reason or ""):
            cost = float(costs[shots.index(shot)])
            assert f"est. ${cost:.2f}" in (shot.model_reason or "")
    assert "cost_mismatch" not in {f.kind for f in critique(ferry.root).findings}


def _part(shot_id: str, start: int, size: int, **update: object) -> ShotSpec:
    base = {
        "shot_id": shot_id,
        "scene": "1",
        "title": "Olu speaks",
        "start_frame": start,
        "end_frame": start + size,
        "scene_type": "dialogue",
        "shot_size": "MS",
        "description": "Olu speaks to the captain.",
        "model_id": "wan22_14b",
    }
    base.update(update)
    return ShotSpec.model_validate(base)


def test_merging_joins_a_line_the_split_cut_in_two_and_keeps_whole_lines_apart() -> None:
    parts = [
        _part(
            "shot_03a",
            0,
            100,
            title="Olu speaks (1/2)",
            split_from="shot_03",
            generation_notes="handheld; part 1 of 2 of shot_03",
            dialogue=[
                DialogueLine(character="Olu", text="We dock at six.", parenthetical="quietly"),
                DialogueLine(character="Olu", text="Tell the crew to"),
            ],
        ),
        _part(
            "shot_03b",
            100,
            90,
            title="Olu speaks (2/2)",
            split_from="shot_03",
            continues_from="shot_03a",
            generation_notes="handheld; continues shot_03a from its last frame; part 2 of 2 of "
            "shot_03",
            dialogue=[DialogueLine(character="Olu", text="stand by the ropes.")],
        ),
        _part("shot_04", 190, 50),
    ]
    out, merged = merge_split_parts(parts, lambda s: 240, taken={"shot_04"})
    assert merged == {"shot_03": ["shot_03a", "shot_03b"]}
    assert [s.shot_id for s in out] == ["shot_03", "shot_04"]
    whole = out[0]
    assert (whole.start_frame, whole.end_frame, whole.title) == (0, 190, "Olu speaks")
    assert [d.text for d in whole.dialogue] == [
        "We dock at six.",
        "Tell the crew to stand by the ropes.",
    ]
    assert whole.generation_notes == "handheld"
    # Too long for the model: the parts stay as they are.
    kept, none = merge_split_parts(parts, lambda s: 150, taken=set())
    assert none == {} and kept == parts
    # The planned id is taken by another shot (or a rendered clip): the first part's id.
    out, merged = merge_split_parts(parts, lambda s: 240, taken={"shot_03", "shot_04"})
    assert list(merged) == ["shot_03a"]
