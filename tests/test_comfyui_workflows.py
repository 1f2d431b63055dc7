"""Workflow templates, their filling by node role, comfyui.yaml merging, the registry field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storycore.tools.comfyui.config import ComfyUIConfigError, load_config, parse_servers
from storycore.tools.comfyui.workflow import (
    GenerationParams,
    check_workflow,
    fill_template,
    load_template,
    markers,
    snap_length,
    snap_size,
)
from storycore.tools.model_registry import ModelRegistry

from .comfyui_standin import node_classes, shipped_models

VIDEO_TEMPLATES = {
    "wan22_i2v": (16, 4, "16"),
    "wan22_flf2v": (16, 4, "16"),
    "wan21_flf2v": (16, 4, "16"),
    "wan22_ti2v_5b": (32, 4, "24"),
    "ltxv_i2v": (32, 8, "25"),
    "hunyuan15_i2v": (16, 4, "24"),
}


def node_with(workflow: dict, role: str) -> dict:
    ids = [m.node_id for m in markers(workflow) if m.role == role]
    assert ids, role
    return workflow[ids[0]]


def test_every_local_registry_model_with_a_shipped_template_resolves() -> None:
    config = load_config()
    registry = ModelRegistry.load()
    wan = registry.get("wan22_14b")
    assert wan.workflow_for("i2v") == "wan22_i2v"
    assert wan.workflow_for("flf2v") == "wan22_flf2v"
    assert wan.workflow_for("audio_driven") is None  # not a mode of the model
    for model_id in ("wan22_14b", "wan22_5b", "wan21_flf2v", "ltx_video", "hunyuanvideo_15"):
        name = registry.get(model_id).comfyui_workflow
        assert name in config.templates, model_id
    assert registry.get(config.image_model).comfyui_workflow in config.templates


def test_shipped_templates_are_api_format_and_valid_against_the_standin() -> None:
    config = load_config()
    info = node_classes(shipped_models(), ["probe.png"])
    for name, settings in config.templates.items():
        template = load_template(settings)
        params = GenerationParams(
            prompt="p", start_image="probe.png", end_image="probe.png", frames=17
        )
        if "reference_image" in {m.role for m in markers(template)}:
            params = GenerationParams(prompt="p", reference_images=("probe.png",))
        mapped = fill_template(template, settings, params)
        problems = check_workflow(mapped.workflow, info, name)
        assert not problems, problems.message("standin")


@pytest.mark.parametrize("name", sorted(VIDEO_TEMPLATES))
def test_video_sizes_and_lengths_snap_to_the_family_and_are_recorded(name: str) -> None:
    multiple, step, fps = VIDEO_TEMPLATES[name]
    settings = load_config().template(name)
    assert (settings.size_multiple, settings.length_step, settings.fps) == (multiple, step, fps)
    mapped = fill_template(
        load_template(settings),
        settings,
        GenerationParams(
            prompt="the sea", seed=7, width=1000, height=570, frames=50,
            start_image="s.png", end_image="e.png",
        ),
    )  # fmt: skip
    assert mapped.width % multiple == 0 and mapped.height % multiple == 0
    assert (mapped.frames - 1) % step == 0 and mapped.frames >= 50
    node = node_with(mapped.workflow, "size")
    assert (node["inputs"]["width"], node["inputs"]["height"]) == (mapped.width, mapped.height)
    assert node_with(mapped.workflow, "length")["inputs"]["length"] == mapped.frames
    assert any(a.startswith("size 1000x570 ->") for a in mapped.adjustments)
    assert any(a.startswith("length 50 ->") for a in mapped.adjustments)
    assert node_with(mapped.workflow, "prompt")["inputs"]["text"] == "the sea"
    wf = mapped.workflow
    seeds = [wf[m.node_id]["inputs"] for m in markers(wf) if m.role == "seed"]
    assert seeds and all(7 in (s.get("seed"), s.get("noise_seed")) for s in seeds)


def test_snapping_rules() -> None:
    assert snap_size(1280, 720, 16) == (1280, 720)
    assert snap_size(1280, 720, 32) == (1280, 704)  # LTX: 22.5 -> 22 multiples
    assert snap_length(81, 4) == 81 and snap_length(48, 4) == 49 and snap_length(97, 8) == 97
    assert snap_length(100, 8) == 105 and snap_length(121, 4) == 121
    assert snap_length(200, 4, max_frames=81) == 81


def test_wan_two_pass_samplers_split_the_steps() -> None:
    settings = load_config().template("wan22_i2v").model_copy(update={"steps": 30})
    mapped = fill_template(
        load_template(settings), settings, GenerationParams(prompt="p", start_image="s.png")
    )
    high = mapped.workflow["11"]["inputs"]
    low = mapped.workflow["12"]["inputs"]
    assert (high["steps"], high["end_at_step"]) == (30, 15)
    assert (low["steps"], low["start_at_step"]) == (30, 15)


def test_an_optional_start_image_is_dropped_with_its_links() -> None:
    settings = load_config().template("wan22_ti2v_5b")
    mapped = fill_template(load_template(settings), settings, GenerationParams(prompt="p"))
    assert not any(n["class_type"] == "LoadImage" for n in mapped.workflow.values())
    assert "start_image" not in node_with(mapped.workflow, "size")["inputs"]


def test_a_required_start_image_missing_is_an_error() -> None:
    settings = load_config().template("wan22_i2v")
    with pytest.raises(ComfyUIConfigError, match="needs a start image"):
        fill_template(load_template(settings), settings, GenerationParams(prompt="p"))


def test_model_files_come_from_the_config_slots(tmp_path: Path) -> None:
    (tmp_path / "comfyui.yaml").write_text(
        "templates:\n  wan22_i2v:\n    models: {unet_low: my_low.safetensors}\n", encoding="utf-8"
    )
    settings = load_config(tmp_path).template("wan22_i2v")
    assert settings.models["unet_low"] == "my_low.safetensors"
    assert settings.models["unet_high"].startswith("wan2.2_i2v_high")  # merged slot by slot
    mapped = fill_template(
        load_template(settings), settings, GenerationParams(prompt="p", start_image="s.png")
    )
    assert mapped.workflow["2"]["inputs"]["unet_name"] == "my_low.safetensors"


def test_a_project_replaces_a_template_with_its_own_export(tmp_path: Path) -> None:
    shipped = json.loads(Path(load_config().template("sdxl_t2i").file).read_text())
    shipped["5"]["inputs"]["sampler_name"] = "euler"
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "mine.json").write_text(json.dumps(shipped), encoding="utf-8")
    (tmp_path / "comfyui.yaml").write_text(
        "templates:\n  sdxl_t2i: {file: workflows/mine.json, steps: 8}\n", encoding="utf-8"
    )
    settings = load_config(tmp_path).template("sdxl_t2i")
    assert Path(settings.file) == (tmp_path / "workflows" / "mine.json").resolve()
    mapped = fill_template(load_template(settings), settings, GenerationParams(prompt="p"))
    assert mapped.workflow["5"]["inputs"]["sampler_name"] == "euler"
    assert mapped.workflow["5"]["inputs"]["steps"] == 8


def test_a_ui_format_save_is_refused_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "ui.json").write_text(json.dumps({"nodes": [], "links": []}), encoding="utf-8")
    (tmp_path / "comfyui.yaml").write_text(
        "templates:\n  sdxl_t2i: {file: ui.json}\n", encoding="utf-8"
    )
    with pytest.raises(ComfyUIConfigError, match=r"Export \(API\)"):
        load_template(load_config(tmp_path).template("sdxl_t2i"))


def test_a_template_without_markers_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bare.json").write_text(
        json.dumps({"1": {"class_type": "SaveImage", "inputs": {}}}), encoding="utf-8"
    )
    (tmp_path / "comfyui.yaml").write_text(
        "templates:\n  sdxl_t2i: {file: bare.json}\n", encoding="utf-8"
    )
    with pytest.raises(ComfyUIConfigError, match=r"\[storycore:prompt\]"):
        load_template(load_config(tmp_path).template("sdxl_t2i"))


def test_servers_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYCORE_COMFYUI_URL", "http://gpu1:8188, gpu2:8188/,http://gpu1:8188")
    assert load_config().servers == ["http://gpu1:8188", "http://gpu2:8188"]
    monkeypatch.delenv("STORYCORE_COMFYUI_URL")
    assert load_config().servers == ["http://127.0.0.1:8188"]
    with pytest.raises(ComfyUIConfigError):
        parse_servers("ftp://nope")


def test_a_bad_config_names_the_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "comfyui.yaml").write_text(
        "templates:\n  wan22_i2v: {size_multiple: 0}\n", encoding="utf-8"
    )
    with pytest.raises(ComfyUIConfigError, match=r"comfyui\.yaml: templates\.wan22_i2v\.size"):
        load_config(tmp_path)
    (tmp_path / "comfyui.yaml").write_text("serverz: []\n", encoding="utf-8")
    with pytest.raises(ComfyUIConfigError, match="unknown key 'serverz'"):
        load_config(tmp_path)


def test_the_registry_refuses_a_workflow_for_a_mode_the_model_lacks(tmp_path: Path) -> None:
    from storycore.tools.errors import ModelRegistryError

    (tmp_path / "models.yaml").write_text(
        "models:\n  - id: hunyuanvideo_15\n    comfyui_workflows: {flf2v: x_flf2v}\n",
        encoding="utf-8",
    )
    with pytest.raises(ModelRegistryError, match="comfyui_workflows: flf2v is not a mode"):
        ModelRegistry.load(project_dir=tmp_path)
