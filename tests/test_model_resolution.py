"""A project's resolution is reached: a model below it is planned with a named, costed
upscale step and ranks below a model that reaches it natively; plan, `models select` and
the critic agree. Briefs are written here (none of the examples' text)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from storycore.agent.cli.main import main
from storycore.tools.critic import critique
from storycore.tools.domain import SceneType
from storycore.tools.model_registry import ModelRegistry
from storycore.tools.model_selector import (
    UPSCALE_PENALTY,
    ModelSelector,
    NoModelFits,
    SelectionRequest,
    clip_cost,
    shot_cost_usd,
)
from storycore.tools.planner import plan_project, summarize
from storycore.tools.project import Project
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.structure import load_shots, write_shots

SCENES = [s.value for s in SceneType]


def registry() -> ModelRegistry:
    return ModelRegistry.load(None)


def brief(size: str, aspect: str, *, local_only: bool = False, extra: str = "") -> str:
    return f"""---
title: Salt Flats
duration: 18s
aspect_ratio: "{aspect}"
resolution: {size}
fps: 24
models:
  local_only: {str(local_only).lower()}
{extra}---

A cyclist crosses a white salt flat at dawn.

## Characters
- **Tove**: a cyclist in her 40s, cropped grey hair, orange windbreaker

## Scenes
- **Salt flat**: Tove pedals hard across the cracked white salt, wind in her face (7s)
- **Horizon**: the sun rises over the mountains at the edge of the flat (5s)
- **Rest**: Tove stops, drinks from a steel bottle and looks back at her tracks (6s)
"""


def _reaches(model_id: str, size: tuple[int, int]) -> bool:
    return registry().get(model_id).supports_resolution(*size)


@pytest.mark.parametrize("scene", SCENES)
@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (3840, 2160)])
def test_a_model_below_the_delivery_size_always_comes_with_an_upscaler_that_reaches_it(
    scene: str, size: tuple[int, int]
) -> None:
    aspect = "16:9" if size[0] > size[1] else "9:16"
    selection = ModelSelector(registry()).select(
        SelectionRequest(
            scene_type=scene,
            duration_seconds=4,
            aspect_ratio=aspect,
            target_resolution=f"{size[0]}x{size[1]}",
        )
    )
    for candidate in selection.candidates:
        if _reaches(candidate.model_id, size):
            assert candidate.upscaler is None
            assert candidate.components["upscale"] == 0
        else:
            assert candidate.upscaler, candidate.model_id
            upscaler = registry().get(candidate.upscaler)
            assert upscaler.is_upscaler and upscaler.supports_resolution(*size)
            assert candidate.components["upscale"] == -UPSCALE_PENALTY
    if selection.upscaler:
        assert f"upscaled to {size[0]}x{size[1]}" in selection.reason
        assert selection.upscaler in selection.reason
        assert selection.upscale_to == f"{size[0]}x{size[1]}"


def test_an_upscaled_model_ranks_below_an_equal_model_that_reaches_the_size(
    tmp_path: Path,
) -> None:
    # Two models alike in everything but their native frame: the able one wins.
    common = """    kinds: [video]
    modes: [t2v, i2v]
    max_clip_seconds: 8
    aspect_ratios: ["16:9"]
    runs: local
    vram_gb: 10
    comfyui_workflow: wan22_i2v
    strengths: {default: 0.9}
"""
    (tmp_path / "models.yaml").write_text(
        "schema_version: 1\nmodels:\n"
        f'  - id: aaa_small\n    name: Small frame\n    resolutions: ["1280x720"]\n{common}'
        f'  - id: zzz_full\n    name: Full frame\n    resolutions: ["1920x1080"]\n{common}',
        encoding="utf-8",
    )
    reg = ModelRegistry.load(project_dir=tmp_path)
    request = SelectionRequest(
        scene_type="atmospheric",
        duration_seconds=5,
        aspect_ratio="16:9",
        target_resolution="1920x1080",
        prefer=[],
        avoid=[m.id for m in reg.models("video") if m.id not in ("aaa_small", "zzz_full")],
    )
    selection = ModelSelector(reg).select(request)
    assert selection.model_id == "zzz_full"  # "aaa" would win the tie on its id
    assert selection.fallbacks == ["aaa_small"]
    small = selection.candidates[1]
    assert small.upscaler == "seedvr2" and small.upscale_from == "1280x720"


def test_the_upscalers_cost_is_in_the_shots_estimate_when_it_runs_in_the_cloud() -> None:
    reg = registry()
    request = SelectionRequest(
        scene_type="action",
        duration_seconds=6,
        aspect_ratio="16:9",
        target_resolution="1920x1080",
        avoid=["seedvr2"],
        prefer=["sora2"],
    )
    selection = ModelSelector(reg).select(request)
    assert selection.model_id == "sora2"
    assert selection.upscaler == "topaz_video_upscale"
    sora, topaz = reg.get("sora2"), reg.get("topaz_video_upscale")
    expected = clip_cost(sora, Fraction(6))[3] + 6 * Fraction(str(topaz.cost_usd_per_second))
    assert selection.estimated_cost_usd == pytest.approx(float(expected))
    assert shot_cost_usd(sora, Fraction(6), topaz) == expected
    assert f"est. ${float(expected):.2f}" in selection.reason


def test_no_upscaler_allowed_rules_the_small_models_out_with_the_reason() -> None:
    request = SelectionRequest(
        scene_type="establishing",
        duration_seconds=4,
        aspect_ratio="16:9",
        target_resolution="3840x2160",
        local_only=True,
        vram_gb=10,
    )
    with pytest.raises(NoModelFits) as caught:
        ModelSelector(registry()).select(request)
    why = caught.value.rejected["hunyuanvideo_15"]
    assert "below the project's 3840x2160" in why
    assert "seedvr2 needs 12 GB of VRAM" in why and "topaz_video_upscale runs in the cloud" in why


def test_a_local_only_4k_project_plans_local_models_each_with_a_local_upscaler(
    tmp_path: Path,
) -> None:
    out = tmp_path / "uhd"
    plan_project(brief("3840x2160", "16:9", local_only=True), out, source_name="uhd.md")
    project = Project.open(out)
    reg = ModelRegistry.load(out)
    shots = load_shots(project)
    assert shots
    for shot in shots:
        model = reg.get(shot.model_id or "")
        assert model.local
        assert not model.supports_resolution(3840, 2160)  # no local video model does 4K
        assert shot.upscaler == "seedvr2"
        assert "upscaled to 3840x2160" in (shot.model_reason or "")
    assert summarize(project).estimated_cost_usd == 0
    kinds = {f.kind for f in critique(out).findings}
    assert "model_cannot_meet_specs" not in kinds and "cost_mismatch" not in kinds


@pytest.fixture(scope="module")
def hd_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hd") / "plan"
    plan_project(brief("1080x1920", "9:16"), out, source_name="hd.md")
    return out


def test_a_1080p_plan_never_has_a_model_below_it_without_an_upscale_step(hd_plan: Path) -> None:
    reg = ModelRegistry.load(hd_plan)
    for shot in load_shots(Project.open(hd_plan)):
        model = reg.get(shot.model_id or "")
        if model.supports_resolution(1080, 1920):
            assert shot.upscaler is None
        else:
            assert shot.upscaler and reg.get(shot.upscaler).supports_resolution(1080, 1920)
    assert "model_cannot_meet_specs" not in {f.kind for f in critique(hd_plan).findings}


def test_the_critic_flags_a_small_model_whose_upscale_step_is_missing(
    hd_plan: Path, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(hd_plan, copy)
    project = Project.open(copy)
    shots = load_shots(project)
    planted = [
        shots[0].model_copy(update={"model_id": "wan22_14b", "upscaler": None}),
        shots[1].model_copy(update={"model_id": "wan22_14b", "upscaler": "sora2"}),
    ]
    with project.transaction("plant") as tx:
        write_shots(tx, planted)
    found = {
        f.target: f.message for f in critique(copy).findings if f.kind == "model_cannot_meet_specs"
    }
    assert "no upscale step planned" in found[shots[0].shot_id]
    assert "'sora2' is not an upscaler" in found[shots[1].shot_id]


def test_choosing_a_small_model_by_hand_plans_its_upscale_step(
    hd_plan: Path, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(hd_plan, copy)
    project = Project.open(copy)
    from storycore.tools.model_registry import max_clip_frames

    # a shot the small model makes in one clip (a longer one is split: test_model_change_splits)
    limit = max_clip_frames(ModelRegistry.load(copy).get("wan22_14b"), 24)
    first = next(s.shot_id for s in load_shots(project) if s.duration_frames <= limit)
    plan = plan_changes(
        project, [{"kind": "set_model", "model_id": "wan22_14b", "shot_ids": [first]}]
    )
    apply_changes(project, plan)
    shot = {s.shot_id: s for s in load_shots(project)}[first]
    assert shot.model_id == "wan22_14b" and shot.upscaler == "seedvr2"
    assert "upscaled to 1080x1920" in (shot.model_reason or "")
    assert "model_cannot_meet_specs" not in {f.kind for f in critique(copy).findings}


def test_an_upscaler_is_never_a_shots_model(hd_plan: Path) -> None:
    from storycore.tools.errors import InvalidInput

    project = Project.open(hd_plan)
    first = load_shots(project)[0].shot_id
    with pytest.raises(InvalidInput, match="upscaler"):
        plan_changes(project, [{"kind": "set_model", "model_id": "seedvr2", "shot_ids": [first]}])


def test_models_select_with_the_target_resolution_agrees_with_the_selector(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["models", "select", "--scene-type", "atmospheric", "--duration", "4",
            "--aspect", "16:9", "--target-resolution", "3840x2160", "--local-only"]  # fmt: skip
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = ModelSelector(registry()).select(
        SelectionRequest(
            scene_type="atmospheric",
            duration_seconds=4,
            aspect_ratio="16:9",
            target_resolution="3840x2160",
            local_only=True,
        )
    )
    assert data["model_id"] == expected.model_id
    assert data["upscaler"] == expected.upscaler == "seedvr2"
    assert main(args) == 0
    assert "upscale: 1280x720 -> 3840x2160 with seedvr2" in capsys.readouterr().out or (
        expected.upscale_from != "1280x720"
    )
    code = main(["models", "select", "--scene-type", "atmospheric", "--duration", "4",
                 "--target-resolution", "huge"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "--target-resolution" in err and err.count("\n") == 1
