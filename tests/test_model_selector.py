"""The model selector: hard constraints, the score, fallbacks, segments and budgets.

Expectations come from the registry's data or from the constraints themselves ("every model
offered is local and fits the VRAM cap"), never from what the code happened to print.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storycore.tools.domain import (
    ASPECT_RATIOS,
    SceneType,
    ShotSpec,
    TechnicalSpecs,
    parse_resolution,
)
from storycore.tools.errors import InvalidInput, ModelSelectionError
from storycore.tools.model_registry import Kind, ModelCapability, ModelRegistry, max_clip_frames
from storycore.tools.model_selector import (
    COST_SCALE_USD,
    MAX_SPLIT,
    SPLIT_PENALTY,
    W_CONSISTENCY,
    W_COST,
    W_FIT,
    W_PREFER,
    ModelSelector,
    NoModelFits,
    Selection,
    SelectionRequest,
    request_for_shot,
)


@functools.cache
def registry() -> ModelRegistry:
    return ModelRegistry.load()


@functools.cache
def selector() -> ModelSelector:
    return ModelSelector(registry())


def request(**fields: Any) -> SelectionRequest:
    fields.setdefault("scene_type", "atmospheric")
    fields.setdefault("duration_seconds", 4.0)
    return SelectionRequest(**fields)


def vram_of(model: ModelCapability) -> float:
    """GPU memory a model needs locally (0 for a cloud model)."""
    return model.vram_gb or 0.0


def offered(selection: Selection) -> list[ModelCapability]:
    """The chosen model and every fallback."""
    return [registry().get(i) for i in [selection.model_id, *selection.fallbacks]]


def video_model(model_id: str, **fields: Any) -> ModelCapability:
    """A complete local video model for hand-made registries."""
    data: dict[str, Any] = {
        "id": model_id,
        "name": model_id.title(),
        "kinds": ["video"],
        "modes": ["t2v", "i2v"],
        "max_clip_seconds": 5.0,
        "native_fps": "24",
        "resolutions": ["1280x720"],
        "aspect_ratios": ["16:9"],
        "runs": "local",
        "vram_gb": 8,
        "comfyui_workflow": f"{model_id}_i2v",
        "strengths": {"atmospheric": 0.8},
    }
    data.update(fields)
    return ModelCapability.model_validate(data)


SCENES = [s.value for s in SceneType]


# ------------------------------------------------------------------ the selection itself


@pytest.mark.parametrize("scene", SCENES)
def test_scores_are_ordered_and_cover_every_candidate(scene: str) -> None:
    selection = selector().select(request(scene_type=scene))
    ordered = [selection.model_id, *selection.fallbacks]
    assert list(selection.scores) == ordered
    values = list(selection.scores.values())
    assert values == sorted(values, reverse=True)
    video_ids = {m.id for m in registry().models("video")}
    assert set(ordered) | set(selection.rejected) == video_ids
    assert not set(ordered) & set(selection.rejected)
    assert "\n" not in selection.reason
    assert registry().get(selection.model_id).name in selection.reason


@pytest.mark.parametrize("scene", SCENES)
def test_the_score_is_the_documented_formula(scene: str) -> None:
    prefer = registry().models("video")[-1].id
    segment = registry().models("video")[0].id
    selection = selector().select(request(scene_type=scene, prefer=[prefer], segment_model=segment))
    for candidate in selection.candidates:
        model = registry().get(candidate.model_id)
        parts = candidate.components
        assert parts["fit"] == pytest.approx(W_FIT * model.strength(scene))
        assert parts["preference"] == pytest.approx(W_PREFER if model.id == prefer else 0)
        assert parts["consistency"] == pytest.approx(W_CONSISTENCY if model.id == segment else 0)
        assert parts["cost"] == pytest.approx(
            W_COST / (1 + candidate.estimated_cost_usd / COST_SCALE_USD), abs=1e-4
        )
        assert parts["split"] == pytest.approx(-SPLIT_PENALTY * (candidate.split - 1))
        assert candidate.score == pytest.approx(sum(parts.values()), abs=1e-4)


@pytest.mark.parametrize("scene", SCENES)
def test_without_preferences_strength_decides_within_the_cost_and_split_margin(scene: str) -> None:
    selection = selector().select(request(scene_type=scene, duration_seconds=7))
    chosen = registry().get(selection.model_id)
    for candidate in selection.candidates[1:]:
        other = registry().get(candidate.model_id)
        margin = W_COST + SPLIT_PENALTY * (candidate.split - 1) + 1e-9
        assert W_FIT * (other.strength(scene) - chosen.strength(scene)) <= margin


def test_the_seed_routes_come_out_of_the_data() -> None:
    lip = selector().select(request(scene_type="performance", requires=["lip_sync"]))
    assert registry().get(lip.model_id).lip_sync
    transition = selector().select(request(scene_type="transition", requires=["flf2v"]))
    assert "flf2v" in registry().get(transition.model_id).modes
    close_up = selector().select(request(scene_type="close_up", kind="image"))
    assert Kind.IMAGE in registry().get(close_up.model_id).kinds


# ------------------------------------------------------------------ hard constraints


@pytest.mark.parametrize("scene", SCENES)
def test_local_only_excludes_every_cloud_model(scene: str) -> None:
    selection = selector().select(request(scene_type=scene, local_only=True))
    assert all(m.local for m in offered(selection))
    for model in registry().models("video"):
        if not model.local:
            assert "cloud" in selection.rejected[model.id]


@pytest.mark.parametrize("vram", [6, 8, 12, 16, 24])
def test_the_vram_cap_holds_for_local_models(vram: float) -> None:
    selection = selector().select(request(vram_gb=vram))
    assert all(vram_of(m) <= vram for m in offered(selection) if m.local)
    for model in registry().models("video", local_only=True):
        if vram_of(model) > vram:
            assert "VRAM" in selection.rejected[model.id]
        else:
            assert model.id not in selection.rejected
    # Cloud models use none of the user's GPU.
    assert any(not m.local for m in offered(selection))


@pytest.mark.parametrize("duration", [2.0, 4.5, 5.0, 7.3, 11.9, 16.0, 29.5])
def test_clip_length_decides_the_split(duration: float) -> None:
    selection = selector().select(request(duration_seconds=duration))
    for candidate in selection.candidates:
        model = registry().get(candidate.model_id)
        limit = model.clip_limit_seconds
        assert limit is not None
        expected = math.ceil(Fraction(str(duration)) / limit)
        assert candidate.split == expected <= MAX_SPLIT
        assert candidate.clip_seconds is not None
        assert candidate.clip_seconds <= float(limit) + 1e-9
        assert candidate.clip_seconds * candidate.split == pytest.approx(duration, abs=0.01)
    assert selection.split == selection.candidates[0].split


def test_a_model_needing_more_than_max_split_clips_is_ruled_out() -> None:
    limits = {m.id: m.clip_limit_seconds for m in registry().models("video")}
    shortest = min(v for v in limits.values() if v)
    duration = float(shortest) * MAX_SPLIT + 1  # one second too long for the shortest models
    selection = selector().select(request(duration_seconds=duration))
    for model_id, limit in limits.items():
        assert limit is not None
        if math.ceil(Fraction(str(duration)) / limit) > MAX_SPLIT:
            assert f"more than {MAX_SPLIT}" in selection.rejected[model_id]
        else:
            assert model_id not in selection.rejected


def test_a_model_that_fits_beats_an_equal_one_that_must_split() -> None:
    short = video_model("short_clips", max_clip_seconds=5.0)
    long = video_model("long_clips", max_clip_seconds=10.0)
    selection = ModelSelector(ModelRegistry([short, long])).select(request(duration_seconds=8))
    assert selection.model_id == "long_clips"
    assert selection.split == 1
    assert selection.candidates[1].split == 2
    assert selection.scores["long_clips"] - selection.scores["short_clips"] == pytest.approx(
        SPLIT_PENALTY
    )


def test_a_much_stronger_model_still_wins_with_a_split() -> None:
    strong = video_model("strong", max_clip_seconds=5.0, strengths={"atmospheric": 1.0})
    weak = video_model("weak", max_clip_seconds=10.0, strengths={"atmospheric": 0.5})
    selection = ModelSelector(ModelRegistry([strong, weak])).select(request(duration_seconds=8))
    assert selection.model_id == "strong"
    assert selection.split == 2
    assert "split into 2 clips" in selection.reason


@pytest.mark.parametrize("capability", ["lip_sync", "i2v", "native_audio", "flf2v"])
def test_a_required_capability_is_honoured(capability: str) -> None:
    selection = selector().select(request(scene_type="performance", requires=[capability]))
    assert all(m.has_capability(capability) for m in offered(selection))
    for model in registry().models("video"):
        if not model.has_capability(capability):
            assert selection.rejected[model.id].startswith("cannot do")


def test_lip_sync_local_and_vram_together() -> None:
    lip_local = [m for m in registry().models("video", local_only=True) if m.lip_sync]
    assert lip_local, "the data has a local lip-sync model"
    cap = min(vram_of(m) for m in lip_local)
    selection = selector().select(
        request(scene_type="performance", requires=["lip_sync"], local_only=True, vram_gb=cap)
    )
    assert all(m.lip_sync and m.local and vram_of(m) <= cap for m in offered(selection))
    with pytest.raises(NoModelFits):
        selector().select(
            request(
                scene_type="performance", requires=["lip_sync"], local_only=True, vram_gb=cap - 1
            )
        )


@pytest.mark.parametrize("aspect", ["16:9", "9:16", "1:1", "4:3", "21:9"])
def test_the_aspect_ratio_is_native_or_a_planned_centre_crop(aspect: str) -> None:
    try:
        selection = selector().select(request(aspect_ratio=aspect))
    except NoModelFits as exc:
        assert all(aspect not in m.aspect_ratios for m in registry().models("video"))
        assert all("aspect" in why or aspect in why for why in exc.rejected.values())
        return
    for model, candidate in zip(offered(selection), selection.candidates, strict=True):
        # A model without the ratio delivers it as a centre crop, and says so.
        assert (aspect in model.aspect_ratios) == (candidate.crop_from is None), model.id
        assert candidate.crop_to in (None, aspect)
    ratio = ASPECT_RATIOS[aspect]
    for model in registry().models("video"):
        reaches = model.reaches_ratio(ratio.numerator, ratio.denominator)
        assert reaches == (model.id not in selection.rejected)


@pytest.mark.parametrize("size", ["1280x720", "1920x1080", "720x1280", "1792x1024"])
def test_the_resolution_is_reached_natively(size: str) -> None:
    wanted = parse_resolution(size)
    selection = selector().select(request(resolution=size))

    def holds(model: ModelCapability) -> bool:
        return any(
            max(r.width, r.height) >= max(wanted.width, wanted.height)
            and min(r.width, r.height) >= min(wanted.width, wanted.height)
            for r in map(parse_resolution, model.resolutions)
        )

    implied = None
    for name, ratio in ASPECT_RATIOS.items():
        if abs(Fraction(wanted.width, wanted.height) - ratio) < Fraction(2, 100):
            implied = name
    for model in offered(selection):
        assert holds(model)
        if implied:
            assert implied in model.aspect_ratios


def test_an_aspect_that_contradicts_the_resolution_is_refused() -> None:
    with pytest.raises(InvalidInput, match="is 16:9, not 9:16"):
        SelectionRequest.from_input(
            scene_type="action", duration_seconds=3, resolution="1920x1080", aspect_ratio="9:16"
        )


# ------------------------------------------------------------------ avoid and prefer


@pytest.mark.parametrize("scene", SCENES)
def test_avoiding_the_first_choice_moves_to_its_first_fallback(scene: str) -> None:
    first = selector().select(request(scene_type=scene))
    second = selector().select(request(scene_type=scene, avoid=[first.model_id]))
    assert second.model_id == first.fallbacks[0]
    assert second.fallbacks == first.fallbacks[1:]
    assert second.rejected[first.model_id] == "avoided by the user"


@pytest.mark.parametrize("scene", SCENES)
def test_a_feasible_preferred_model_is_chosen(scene: str) -> None:
    first = selector().select(request(scene_type=scene))
    # The last fallback wins when preferred exactly when its score is within W_PREFER of
    # the first choice's.
    last = first.candidates[-1]
    gap = first.candidates[0].score - last.score
    chosen = selector().select(request(scene_type=scene, prefer=[last.model_id]))
    assert (chosen.model_id == last.model_id) == (gap < W_PREFER)
    assert "preferred by you" in chosen.reason or chosen.model_id != last.model_id


def test_preference_order_breaks_ties() -> None:
    a, b = video_model("alpha"), video_model("bravo")
    pick = ModelSelector(ModelRegistry([a, b]))
    assert pick.select(request(prefer=["bravo", "alpha"])).model_id == "bravo"
    assert pick.select(request(prefer=["alpha", "bravo"])).model_id == "alpha"


@pytest.mark.parametrize("field", ["avoid", "prefer", "segment_model"])
def test_an_unknown_model_id_is_invalid_input_with_a_suggestion(field: str) -> None:
    known = registry().ids()[0]
    typo = known + "x"
    value: Any = typo if field == "segment_model" else [typo]
    with pytest.raises(InvalidInput) as caught:
        selector().select(request(**{field: value}))
    message = str(caught.value)
    assert repr(typo) in message and field in message
    assert f"did you mean {known!r}" in message


def test_a_model_both_preferred_and_avoided_is_refused() -> None:
    known = registry().ids()[0]
    with pytest.raises(InvalidInput, match="both preferred and avoided"):
        selector().select(request(prefer=[known], avoid=[known]))


def test_avoid_accepts_a_name_or_alias() -> None:
    target = registry().models("video")[0]
    selection = selector().select(request(avoid=[target.name]))
    assert selection.rejected[target.id] == "avoided by the user"


# ------------------------------------------------------------------ consistency in a segment


@pytest.mark.parametrize("scene", SCENES)
def test_the_segment_model_wins_when_close_enough(scene: str) -> None:
    free = selector().select(request(scene_type=scene))
    top = free.candidates[0].score
    for candidate in free.candidates[1:]:
        again = selector().select(request(scene_type=scene, segment_model=candidate.model_id))
        if top - candidate.score < W_CONSISTENCY - 1e-6:
            assert again.model_id == candidate.model_id
            assert "same model as the rest of its segment" in again.reason
        elif top - candidate.score > W_CONSISTENCY + 1e-6:
            assert again.model_id == free.model_id


def test_a_ruled_out_segment_model_is_explained() -> None:
    cloud = next(m for m in registry().models("video") if not m.local)
    selection = selector().select(request(segment_model=cloud.id, local_only=True))
    assert selection.model_id != cloud.id
    assert f"segment model {cloud.id} ruled out" in selection.reason


def test_a_plan_unifies_a_segment_that_free_choice_would_mix() -> None:
    # "short" is stronger but makes 5 s clips; "long" makes 10 s clips.
    short = video_model("short", max_clip_seconds=5.0, strengths={"atmospheric": 0.8})
    long = video_model("long", max_clip_seconds=10.0, strengths={"atmospheric": 0.75})
    pick = ModelSelector(ModelRegistry([short, long]))
    plan = [request(duration_seconds=d) for d in (4, 8, 4)]
    alone = [s.model_id for s in pick.select_plan(plan)]
    assert len(set(alone)) == 2, alone  # the 8 s shot alone would avoid a split
    together = pick.select_plan(plan, segment_ids=["seg_01"] * 3)
    assert len({s.model_id for s in together}) == 1
    assert all("same model as the rest of its segment" in s.reason for s in together)


def test_a_plan_leaves_its_segment_model_only_for_a_larger_gap() -> None:
    scenes = ["atmospheric", "establishing", "close_up", "action", "transition", "insert"]
    plan = [request(scene_type=s, duration_seconds=3 + i % 3) for i, s in enumerate(scenes)]
    segments = ["seg_01"] * 3 + ["seg_02"] * 3
    selections = selector().select_plan(plan, segment_ids=segments)
    for first, last in ((0, 3), (3, 6)):
        models = set()
        for shot, selection in zip(plan[first:last], selections[first:last], strict=True):
            bonus = [c.model_id for c in selection.candidates if c.components["consistency"]]
            assert len(bonus) <= 1
            models.update(bonus)
            if bonus and selection.model_id != bonus[0]:
                alone = selector().select(shot)
                gap = alone.scores[selection.model_id] - alone.scores[bonus[0]]
                assert gap >= W_CONSISTENCY - 1e-3
        assert len(models) == 1, "one segment model per segment"


def test_without_segments_each_shot_is_chosen_alone() -> None:
    plan = [request(scene_type=s) for s in SCENES]
    assert [s.model_id for s in selector().select_plan(plan)] == [
        selector().select(r).model_id for r in plan
    ]


def test_segment_ids_must_match_the_shots() -> None:
    with pytest.raises(InvalidInput, match="one segment id per shot"):
        selector().select_plan([request(), request()], segment_ids=["seg_01"])


# ------------------------------------------------------------------ cost and budgets


def test_the_cost_estimate_follows_the_data() -> None:
    selection = selector().select(request(scene_type="action", duration_seconds=7))
    for candidate in selection.candidates:
        model = registry().get(candidate.model_id)
        if model.local:
            assert candidate.estimated_cost_usd == 0
            continue
        clip = Fraction(str(7)) / candidate.split
        billed = min(
            (Fraction(str(d)) for d in model.clip_durations if Fraction(str(d)) >= clip),
            default=clip,
        )
        expected = candidate.split * billed * Fraction(str(model.cost_usd_per_second))
        assert candidate.estimated_cost_usd == pytest.approx(float(expected))


def test_an_image_costs_one_image() -> None:
    selection = selector().select(request(scene_type="close_up", kind="image"))
    for candidate in selection.candidates:
        model = registry().get(candidate.model_id)
        assert candidate.split == 1 and candidate.clip_seconds is None
        assert candidate.estimated_cost_usd == pytest.approx(model.cost_usd_per_image or 0)


@pytest.mark.parametrize("budget", [0.0, 0.3, 0.8, 2.0])
def test_the_shot_budget_is_a_hard_limit(budget: float) -> None:
    selection = selector().select(
        request(scene_type="action", duration_seconds=6, budget_usd=budget)
    )
    assert all(c.estimated_cost_usd <= budget + 1e-9 for c in selection.candidates)
    assert all("budget" in why for why in selection.rejected.values())


def test_a_plan_budget_is_kept_by_switching_to_cheaper_models() -> None:
    plan = [request(scene_type=s, duration_seconds=6) for s in ["action", "atmospheric"] * 3]
    free = selector().select_plan(plan)
    total = sum(s.estimated_cost_usd for s in free)
    assert total > 0, "the unconstrained plan uses paid models"
    budget = round(total / 2, 2)
    kept = selector().select_plan(plan, budget_usd=budget)
    assert sum(s.estimated_cost_usd for s in kept) <= budget + 1e-9
    for before, after in zip(free, kept, strict=True):
        if after.model_id != before.model_id:
            assert after.estimated_cost_usd < before.estimated_cost_usd
            assert "to keep the plan within" in after.reason
            assert before.model_id in after.fallbacks
    # A budget above the total changes nothing.
    same = selector().select_plan(plan, budget_usd=total + 1)
    assert [s.model_id for s in same] == [s.model_id for s in free]


def test_a_plan_that_cannot_fit_its_budget_says_the_totals() -> None:
    lip_cloud = [m for m in registry().models("video") if m.lip_sync and not m.local]
    assert lip_cloud
    shot = request(scene_type="performance", requires=["lip_sync"], local_only=False, vram_gb=1)
    cheapest = min(c.estimated_cost_usd for c in selector().select(shot).candidates)
    assert cheapest > 0
    budget = cheapest * 3 * 0.5
    with pytest.raises(ModelSelectionError) as caught:
        selector().select_plan([shot] * 3, budget_usd=budget)
    message = str(caught.value)
    assert f"${budget:.2f}" in message
    assert f"${cheapest * 3:.2f}" in message
    assert "3 shots" in message


# ------------------------------------------------------------------ nothing fits


def test_nothing_fits_names_every_candidate_and_its_constraint() -> None:
    impossible = request(
        scene_type="action", duration_seconds=1000, local_only=True, vram_gb=1, aspect_ratio="4:3"
    )
    with pytest.raises(NoModelFits) as caught:
        selector().select(impossible)
    error = caught.value
    assert isinstance(error, ModelSelectionError)
    video = registry().models("video")
    assert set(error.rejected) == {m.id for m in video}
    message = str(error)
    assert "\n" not in message
    for model in video:
        assert f"{model.id}: {error.rejected[model.id]}" in message
        if not model.local:
            assert "cloud" in error.rejected[model.id]
        elif vram_of(model) > 1:
            assert "VRAM" in error.rejected[model.id]


def test_a_kind_without_models_is_explained() -> None:
    only_video = ModelSelector(ModelRegistry([video_model("alpha")]))
    with pytest.raises(NoModelFits, match="no music model is in the registry"):
        only_video.select(request(kind="music"))


# ------------------------------------------------------------------ request validation


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"duration_seconds": 0}, "greater than 0"),
        ({"duration_seconds": -2}, "greater than 0"),
        ({"scene_type": "heist"}, "unknown scene type"),
        ({"resolution": "big"}, "unknown resolution"),
        ({"aspect_ratio": "7:1"}, "unknown aspect ratio"),
        ({"requires": ["teleport"]}, "unknown capability"),
        ({"kind": "film"}, "unknown kind"),
        ({"vram_gb": 0}, "greater than 0"),
    ],
)
def test_bad_request_values_are_invalid_input(fields: dict[str, Any], expected: str) -> None:
    base: dict[str, Any] = {"scene_type": "action", "duration_seconds": 3}
    base.update(fields)
    with pytest.raises(InvalidInput, match=expected):
        SelectionRequest.from_input(**base)


# ------------------------------------------------------------------ every constraint, at once


@settings(max_examples=60, deadline=None)
@given(
    scene=st.sampled_from(SCENES),
    duration=st.floats(min_value=0.5, max_value=90, allow_nan=False),
    local_only=st.booleans(),
    vram=st.one_of(st.none(), st.sampled_from([4.0, 8.0, 12.0, 16.0, 24.0])),
    aspect=st.one_of(st.none(), st.sampled_from(["16:9", "9:16", "1:1", "21:9"])),
    budget=st.one_of(st.none(), st.floats(min_value=0, max_value=5)),
    requires=st.lists(st.sampled_from(["lip_sync", "i2v", "native_audio", "flf2v"]), max_size=2),
)
def test_any_selection_satisfies_every_hard_constraint(
    scene: str,
    duration: float,
    local_only: bool,
    vram: float | None,
    aspect: str | None,
    budget: float | None,
    requires: list[str],
) -> None:
    shot = request(
        scene_type=scene,
        duration_seconds=duration,
        local_only=local_only,
        vram_gb=vram,
        aspect_ratio=aspect,
        budget_usd=budget,
        requires=requires,
    )
    try:
        selection = selector().select(shot)
    except NoModelFits as exc:
        assert set(exc.rejected) == {m.id for m in registry().models("video")}
        return
    for model, candidate in zip(offered(selection), selection.candidates, strict=True):
        assert model.local or not local_only
        assert vram is None or not model.local or vram_of(model) <= vram
        assert aspect is None or aspect in model.aspect_ratios or candidate.crop_to == aspect
        assert budget is None or candidate.estimated_cost_usd <= budget + 1e-9
        assert all(model.has_capability(c) for c in requires)
        assert 1 <= candidate.split <= MAX_SPLIT


# ------------------------------------------------------------------ from a planned shot


@pytest.mark.parametrize("fps", ["24", "24000/1001", "25", "30000/1001"])
def test_request_for_shot_uses_the_project_rate_and_preferences(fps: str) -> None:
    local = registry().models("video", local_only=True)
    specs = TechnicalSpecs(
        fps=fps,
        aspect_ratio="9:16",
        models={"local_only": True, "vram_gb": 16, "prefer": [local[0].id], "avoid": []},
    )
    limit = local[0].clip_limit_seconds
    assert limit is not None
    frames = max_clip_frames(local[0], specs.rate)
    shot = ShotSpec(
        shot_id="shot_04", start_frame=100, end_frame=100 + frames, scene_type="dialogue"
    )
    req = request_for_shot(shot, specs, segment_model=local[1].id)
    assert req.duration_seconds == pytest.approx(float(Fraction(frames) / specs.rate))
    assert (req.scene_type, req.aspect_ratio, req.shot_id) == (
        SceneType.DIALOGUE,
        "9:16",
        "shot_04",
    )
    assert (req.local_only, req.vram_gb, req.prefer) == (True, 16, [local[0].id])
    assert req.resolution is None
    # A shot cut at max_clip_frames fits the model in one clip.
    selection = selector().select(req.model_copy(update={"aspect_ratio": None}))
    assert selection.candidates and all(c.split >= 1 for c in selection.candidates)
    one = next(c for c in selection.candidates if c.model_id == local[0].id)
    assert one.split == 1
    # One frame more needs a second clip.
    longer = shot.model_copy(update={"end_frame": shot.end_frame + 1})
    again = selector().select(
        request_for_shot(longer, specs).model_copy(update={"aspect_ratio": None})
    )
    assert next(c for c in again.candidates if c.model_id == local[0].id).split == 2


def test_shots_asking_the_same_question_get_equal_answers_of_their_own() -> None:
    # One answer is made per distinct question and copied: each shot's selection is the one
    # made for it alone (from its own evaluation), and changing one changes no other.
    asks = [
        request(scene_type="dialogue", duration_seconds=d, shot_id=f"shot_{n:02d}")
        for n, d in enumerate([4.0, 4.0, 6.5, 4.0, 6.5], start=1)
    ]
    segments = ["1", "1", "1", "2", "2"]
    plan = ModelSelector(registry()).select_plan(asks, segment_ids=segments)
    fresh = ModelSelector(registry())
    expected = [
        fresh._selection(fresh._evaluate(ask)) for ask in fresh._with_segment_models(asks, segments)
    ]
    assert plan == expected
    assert plan[0] == plan[1] and plan[0] is not plan[1]
    plan[1].fallbacks.append("changed")
    plan[1].scores["changed"] = 0.0
    plan[1].rejected["changed"] = "changed"
    assert plan[0] == expected[0]
