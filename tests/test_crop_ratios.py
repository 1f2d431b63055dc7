"""Projects in a ratio no model renders natively (4:5, 2.39:1) are planned with a centre crop
of a native frame and produced at the project's exact size; a ratio no model reaches at all
(10:1) is one short error. Briefs are written here (none of the examples' text)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import imageio_ffmpeg
import pytest
from PIL import Image

from storycore.tools import exports
from storycore.tools.critic import critique
from storycore.tools.errors import StoryCoreError
from storycore.tools.model_registry import ModelRegistry
from storycore.tools.model_selector import (
    CROP_PENALTY,
    ModelSelector,
    NoModelFits,
    SelectionRequest,
)
from storycore.tools.planner import plan_project
from storycore.tools.production.conform import conform_clip, plan_conform
from storycore.tools.production.gate import check_clip
from storycore.tools.production.media import probe
from storycore.tools.production.producer import Production
from storycore.tools.project import Project
from storycore.tools.storyboard import load_plan
from storycore.tools.structure import load_shots

from .comfyui_standin import ComfyStandIn, shipped_models


def brief(aspect: str, size: str, *, seconds: int = 18, extra: str = "") -> str:
    """A three-scene brief at ``aspect`` and ``size`` (its scenes fill ``seconds``)."""
    a, b = seconds // 3, seconds // 3
    c = seconds - a - b
    return f"""---
title: Night Market
duration: {seconds}s
aspect_ratio: "{aspect}"
resolution: {size}
fps: 24
{extra}---

A street cook runs a noodle stall in a night market.

## Characters
- **Ren**: a cook in his 30s, shaved head, white apron

## Scenes
- **Stall**: Ren tosses noodles in a flaming wok under paper lanterns ({a}s)
- **Crowd**: the market crowd drifts between the stalls in the steam ({b}s)
- **Bowl**: Ren hands a steaming bowl across the counter and smiles ({c}s)
"""


def registry() -> ModelRegistry:
    return ModelRegistry.load(None)


def _rendered(reason: str) -> str:
    found = re.search(r"rendered (\d+x\d+), centre-cropped to", reason)
    assert found, reason
    return found.group(1)


@pytest.fixture(scope="module")
def portrait(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A 4:5 (1080x1350) project planned offline."""
    base = tmp_path_factory.mktemp("portrait")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYCORE_CONFIG_DIR", str(base / "config"))
        plan_project(brief("4:5", "1080x1350"), base / "film", source_name="feed.md")
    yield base / "film"


@pytest.fixture(scope="module")
def scope(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A 2.39:1 (1920x804) scope film planned offline."""
    base = tmp_path_factory.mktemp("scope")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYCORE_CONFIG_DIR", str(base / "config"))
        plan_project(brief("2.39:1", "1920x804"), base / "film", source_name="scope.md")
    yield base / "film"


# ------------------------------------------------------------------ planning


def test_a_4_5_brief_plans_every_shot_with_a_centre_crop_of_a_portrait_frame(
    portrait: Path,
) -> None:
    project = Project.open(portrait)
    specs = project.manifest.technical_specs
    assert (specs.aspect_ratio, str(specs.resolution)) == ("4:5", "1080x1350")
    reg = ModelRegistry.load(portrait)
    shots = load_shots(project)
    assert shots
    for shot in shots:
        assert shot.model_id, shot.shot_id
        model = reg.get(shot.model_id)
        assert "4:5" not in model.aspect_ratios
        crop = model.frame_crop(1080, 1350)
        assert crop is not None and crop.ratio in ("3:4", "9:16", "1:1")
        reason = shot.model_reason or ""
        assert "centre-cropped to 4:5" in reason
        assert _rendered(reason) == crop.render_text
        w, h = map(int, crop.render_text.split("x"))
        assert w < h or w == h  # a portrait (or square) frame, never a landscape one
        # Below the delivery size after the crop: an upscale step is planned and named.
        if crop.crop[0] < 1080:
            assert shot.upscaler and "upscaled to 1080x1350" in reason
        else:
            assert shot.upscaler is None and "scaled to 1080x1350" in reason
    assert "model_cannot_meet_specs" not in {f.kind for f in critique(portrait).findings}


def test_a_4_5_projects_panels_and_edit_are_at_its_ratio(portrait: Path) -> None:
    project = Project.open(portrait)
    plan = load_plan(project)
    for planned in plan.shots:
        with Image.open(project.root / planned.panel_path) as panel:
            assert Fraction(*panel.size) == Fraction(4, 5), (planned.spec.shot_id, panel.size)
    board = json.loads(exports.export(project, "json").read_text(encoding="utf-8"))
    assert (board["aspect_ratio"], board["resolution"]) == ("4:5", "1080x1350")
    assert "4:5 · 1080x1350" in exports.export(project, "md").read_text(encoding="utf-8")
    html = exports.export(project, "html").read_text(encoding="utf-8")
    sizes = {tuple(map(int, m)) for m in re.findall(r'width="(\d+)" height="(\d+)"', html)}
    assert sizes and all(Fraction(w, h) == Fraction(4, 5) for w, h in sizes), sizes
    for fmt in ("otio", "edl", "fcpxml", "csv"):  # the editorial files (no frame size in them)
        assert exports.export(project, fmt).stat().st_size > 0


def test_a_scope_brief_crops_21_9_where_the_model_has_it_else_16_9(scope: Path) -> None:
    reg = ModelRegistry.load(scope)
    shots = load_shots(Project.open(scope))
    assert shots
    for shot in shots:
        assert shot.model_id
        model = reg.get(shot.model_id)
        crop = model.frame_crop(1920, 804)
        assert crop is not None
        assert crop.ratio == ("21:9" if "21:9" in model.aspect_ratios else "16:9")
        reason = shot.model_reason or ""
        assert "centre-cropped to 2.39:1" in reason and _rendered(reason) == crop.render_text
    for planned in load_plan(Project.open(scope)).shots:
        with Image.open(scope / planned.panel_path) as panel:
            assert abs(Fraction(*panel.size) - Fraction(239, 100)) < Fraction(2, 100)


def test_the_crop_is_said_in_the_projects_language(tmp_path: Path) -> None:
    out = tmp_path / "fr"
    plan_project(brief("4:5", "1080x1350", extra="language: fr\n"), out, source_name="fr.md")
    for shot in load_shots(Project.open(out)):
        reason = shot.model_reason or ""
        assert "recadré au centre en 4:5" in reason and "centre-cropped" not in reason, reason


def test_a_model_that_renders_the_ratio_wins_over_an_equal_one_that_crops(
    tmp_path: Path,
) -> None:
    # Two models alike in everything but their ratios: the one with a native 4:5 wins.
    common = """    kinds: [video]
    modes: [t2v, i2v]
    max_clip_seconds: 8
    resolutions: ["1920x1080"]
    runs: local
    vram_gb: 10
    comfyui_workflow: wan22_i2v
    strengths: {default: 0.9}
"""
    (tmp_path / "models.yaml").write_text(
        "schema_version: 1\nmodels:\n"
        f'  - id: aaa_crops\n    name: Crops\n    aspect_ratios: ["9:16"]\n{common}'
        f'  - id: zzz_native\n    name: Native\n    aspect_ratios: ["4:5", "9:16"]\n{common}',
        encoding="utf-8",
    )
    reg = ModelRegistry.load(project_dir=tmp_path)
    others = [m.id for m in reg.models("video") if m.id not in ("aaa_crops", "zzz_native")]
    request = SelectionRequest(
        scene_type="atmospheric",
        duration_seconds=5,
        aspect_ratio="4:5",
        target_resolution="1080x1350",
        avoid=others,
    )
    selection = ModelSelector(reg).select(request)
    assert selection.model_id == "zzz_native"  # "aaa" would win the tie on its id
    assert selection.crop_from is None and "cropped" not in selection.reason
    cropped = selection.candidates[1]
    assert cropped.model_id == "aaa_crops"
    assert (cropped.crop_from, cropped.crop_to) == ("1080x1920", "4:5")
    assert cropped.components["crop"] == -CROP_PENALTY
    assert selection.candidates[0].score - cropped.score == pytest.approx(CROP_PENALTY)


# ------------------------------------------------------------------ a ratio nobody reaches


def test_a_ratio_no_model_reaches_is_one_short_error_naming_the_plannable_ratios() -> None:
    request = SelectionRequest(
        scene_type="establishing", duration_seconds=4, target_resolution="2000x200"
    )
    with pytest.raises(NoModelFits) as caught:
        ModelSelector(registry()).select(request)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 300, message
    assert "10:1 (2000x200)" in message
    assert "4:5" in message and "2.39:1" in message and "16:9" in message
    assert not any(m.id in message for m in registry().models("video"))
    # Each model's own reason is still there for callers that want it.
    assert set(caught.value.rejected) == {m.id for m in registry().models("video")}


def test_planning_a_brief_at_10_1_fails_with_that_message(tmp_path: Path) -> None:
    with pytest.raises(StoryCoreError) as caught:
        plan_project(brief("10:1", "2000x200"), tmp_path / "strip", source_name="strip.md")
    message = str(caught.value)
    assert "10:1 (2000x200)" in message and "ratios that can be planned" in message
    assert message.count(";") <= 1, message


# ------------------------------------------------------------------ production


def _decoded(path: Path) -> tuple[int, int, int]:
    """(frames, width, height) counted by decoding with PyAV."""
    frames = 0
    size = (0, 0)
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            frames += 1
            size = (frame.width, frame.height)
    return frames, size[0], size[1]


def test_a_4_5_project_produces_an_animatic_film_at_1080x1350(tmp_path: Path) -> None:
    out = tmp_path / "short"
    plan_project(brief("4:5", "1080x1350", seconds=6), out, source_name="short.md")
    production = Production(Project.open(out), "animatic")
    for segment in production.segments_to_produce():
        outcome = production.produce_segment(segment.segment_id)
        assert not outcome.failed and not outcome.gate, outcome
    assembled = production.assemble()
    assert assembled.final is not None
    planned = sum(s.duration_frames for s in load_shots(Project.open(out)))
    assert planned == 6 * 24
    assert _decoded(out / assembled.final["path"]) == (planned, 1080, 1350)
    for record in production.records.values():
        assert (record.width, record.height) == (1080, 1350) and record.gate_ok


def _clip(path: Path, filters: str, size: str, frames: int = 12) -> None:
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"color=c=red:s={size}:r=24",
            "-vf",
            filters,
            "-frames:v",
            str(frames),
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx264",
            str(path),
        ],
        check=True,
    )


def test_conform_centre_crops_a_720x1280_clip_to_1080x1350_without_bars(tmp_path: Path) -> None:
    # The centre 720x900 of the native frame is red; the 190 rows above and below it, which
    # a 4:5 crop cuts away, are blue. Letterboxing would show black, stretching blue.
    source = tmp_path / "native.mp4"
    _clip(source, "pad=720:1280:0:190:color=blue", "720x900")
    info = probe(source)
    assert (info.width, info.height) == (720, 1280)
    conform = plan_conform(12, info.frames, Fraction(24), Fraction(24), (720, 1280), (1080, 1350))
    assert conform.needed and conform.resized
    target = tmp_path / "conformed.mp4"
    conform_clip(source, target, conform)
    assert _decoded(target) == (12, 1080, 1350)
    with av.open(str(target)) as container:
        picture = next(container.decode(video=0)).to_image().convert("RGB")
    for x, y in [(0, 0), (1079, 0), (540, 0), (0, 675), (1079, 675), (540, 1349), (0, 1349)]:
        r, g, b = picture.getpixel((x, y))  # type: ignore[misc]
        assert r > 180 and g < 80 and b < 80, ((x, y), (r, g, b))
    gate = check_clip(target, frames=12, width=1080, height=1350, rate=Fraction(24))
    assert not any("instead of the project's" in p for p in gate.problems), gate.problems


# ------------------------------------------------------------------ ComfyUI


TINY = """---
title: Tiny Feed
duration: 6s
aspect_ratio: "4:5"
resolution: 128x160
fps: 24
models:
  local_only: true
  prefer: [Wan 2.2]
---

A baker pulls a tray of bread from a wood oven at dawn.

## Characters
- Ilse: a baker in her 50s, flour on her forearms

## Scenes
1. Ilse slides the peel under the loaves in the glowing oven.
2. The loaves steam on the marble counter by the window.
"""


def _asked_sizes(standin: ComfyStandIn) -> set[tuple[int, int]]:
    """Every (width, height) a posted workflow asked of a node."""
    sizes: set[tuple[int, int]] = set()
    for entry in standin.history.values():
        prompt: Any = entry["prompt"][2]
        for node in prompt.values():
            inputs = node.get("inputs", {})
            if isinstance(inputs.get("width"), int) and isinstance(inputs.get("height"), int):
                sizes.add((inputs["width"], inputs["height"]))
    return sizes


def test_a_comfyui_clip_at_the_models_native_frame_is_conformed_to_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storycore.tools.comfyui.backend import ComfyUIBackend

    monkeypatch.setenv("STORYCORE_CONFIG_DIR", str(tmp_path / "config"))
    film = tmp_path / "film"
    plan_project(TINY, film, source_name="tiny.md")
    reg = ModelRegistry.load(film)
    shots = load_shots(Project.open(film))
    crops = {reg.get(s.model_id or "").frame_crop(128, 160) for s in shots}
    assert None not in crops
    natives = {c.render for c in crops if c is not None}
    assert all(size != (128, 160) for size in natives)
    (film / "comfyui.yaml").write_text(
        "timeouts: {image_s: 30, video_s: 60}\npoll_interval_s: 0.05\nretries: 3\n",
        encoding="utf-8",
    )
    with ComfyStandIn(tmp_path / "comfy", shipped_models()) as standin:
        monkeypatch.setenv("STORYCORE_COMFYUI_URL", standin.url)
        production = Production(Project.open(film), ComfyUIBackend.from_environment(film))
        for segment in production.segments_to_produce():
            outcome = production.produce_segment(segment.segment_id)
            assert not outcome.failed and not outcome.gate, outcome
        asked = _asked_sizes(standin)
    # The model was asked for its native frame, never for the 4:5 size it cannot render.
    assert natives <= asked and (128, 160) not in asked
    for shot in shots:
        record = production.records[shot.shot_id]
        assert (record.width, record.height) == (128, 160) and record.gate_ok
        assert _decoded(film / record.path) == (shot.duration_frames, 128, 160)
    shutil.rmtree(tmp_path / "comfy", ignore_errors=True)


def test_a_continuing_shots_start_image_at_the_native_frame_matches_its_cropped_clip(
    tmp_path: Path,
) -> None:
    # The last frame of a shot rendered at 720x1280 starts the next one; its clip, cropped
    # to 4:5, still starts from it (the gate compares the start image cropped the same way).
    start = tmp_path / "start.png"
    picture = Image.new("RGB", (720, 1280))
    for band in range(16):  # horizontal bands: squashing them would shift every one
        shade = (band * 53 % 256, band * 97 % 256, 255 - band * 16)
        picture.paste(shade, (0, band * 80, 720, band * 80 + 80))
    picture.save(start)
    source = tmp_path / "native.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            *("-v", "error", "-y", "-loop", "1", "-i", str(start)),
            *("-frames:v", "12", "-r", "24", "-pix_fmt", "yuv420p", "-c:v", "libx264"),
            str(source),
        ],
        check=True,
    )
    target = tmp_path / "conformed.mp4"
    conform = plan_conform(12, 12, Fraction(24), Fraction(24), (720, 1280), (1080, 1350))
    conform_clip(source, target, conform)
    gate = check_clip(
        target, frames=12, width=1080, height=1350, rate=Fraction(24), start_image=start
    )
    assert not any("does not start from" in p for p in gate.problems), gate.problems
