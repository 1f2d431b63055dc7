"""The model capability registry: the shipped data, user and project overrides, lookups."""

from __future__ import annotations

import functools
import math
import os
import re
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from storycore.tools.domain import SceneType
from storycore.tools.errors import InvalidInput, ModelRegistryError, NotFound
from storycore.tools.model_registry import (
    MODES_BY_KIND,
    Kind,
    Mode,
    ModelRegistry,
    max_clip_frames,
)
from storycore.tools.rates import SUPPORTED_RATES

SHIPPED = resources.files("storycore.tools").joinpath("data", "models.yaml")


@pytest.fixture(scope="module")
def registry() -> ModelRegistry:
    return ModelRegistry.load(user_file=None)


@functools.cache
def _shipped() -> ModelRegistry:
    # For hypothesis tests, which cannot take function-scoped fixtures; no user file exists.
    return ModelRegistry.load()


def user_file() -> Path:
    """The user-level models.yaml (conftest points STORYCORE_CONFIG_DIR at a temp folder)."""
    return Path(os.environ["STORYCORE_CONFIG_DIR"]) / "models.yaml"


def write_yaml(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def shipped_entry(model_id: str) -> dict[str, object]:
    document = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    return dict(next(m for m in document["models"] if m["id"] == model_id))


# ------------------------------------------------------------------ the shipped file


def test_shipped_file_is_versioned_and_dated() -> None:
    document = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert isinstance(document["schema_version"], int)
    assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", str(document["data_date"]))


def test_shipped_registry_has_15_or_more_models_of_every_kind(registry: ModelRegistry) -> None:
    assert len(registry) >= 15
    assert len(registry.ids()) == len(set(registry.ids()))
    for kind in Kind:
        assert registry.models(kind.value), f"no {kind} model"


def test_every_shipped_model_names_a_source_and_a_date(registry: ModelRegistry) -> None:
    for model in registry:
        assert model.source and model.source.strip(), model.id
        assert model.as_of and re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", model.as_of), model.id


def test_shipped_models_are_coherent(registry: ModelRegistry) -> None:
    for model in registry:
        allowed = set().union(*(MODES_BY_KIND[k] for k in model.kinds))
        assert set(model.modes) <= allowed, model.id
        if model.local:
            assert model.vram_gb and model.comfyui_workflow, model.id
        elif Kind.IMAGE in model.kinds:
            assert model.cost_usd_per_image is not None, model.id
        else:
            assert model.cost_usd_per_second is not None, model.id
        if Kind.VIDEO in model.kinds:
            assert model.clip_limit_seconds and model.clip_limit_seconds > 0, model.id
            assert model.resolutions and model.aspect_ratios, model.id
        for scene, score in model.strengths.items():
            assert scene == "default" or SceneType(scene), model.id
            assert 0 <= score <= 1


@pytest.mark.parametrize(
    "name",
    [
        "HunyuanVideo 1.5",
        "Wan 2.2",
        "LTX-Video",
        "LTX-2",
        "FLUX.1",
        "FLUX.2",
        "SDXL",
        "Z-Image Turbo",
        "Qwen-Image-Edit",
        "FireRed Image Edit",
        "Sora 2",
        "Veo 3",
        "Kling",
        "Runway Gen-4",
        "Seedance",
        "OmniHuman",
        "Nano Banana",
        "Seedream",
        "ElevenLabs",
        "Qwen3-TTS",
        "ACE-Step",
    ],
)
def test_every_model_of_the_domain_table_is_known_by_its_name(
    registry: ModelRegistry, name: str
) -> None:
    assert registry.get(name).id in registry.ids()


def test_no_model_id_or_figure_is_written_in_the_code(registry: ModelRegistry) -> None:
    # The figures belong to the data file: the code must not route by model id.
    root = Path(__file__).resolve().parents[1] / "tools"
    modules = [root / "model_registry.py", root / "model_selector.py"]
    modules += sorted((root / "model_capabilities").glob("*.py"))
    modules += sorted((root / "model_selection").glob("*.py"))
    assert len(modules) > 4  # the packages the two modules re-export
    for module in modules:
        source = module.read_text(encoding="utf-8")
        for model_id in registry.ids():
            assert not re.search(rf"\b{re.escape(model_id)}\b", source), (module, model_id)


# ------------------------------------------------------------------ the seed's routing, as data


def _strongest(registry: ModelRegistry, kind: str, scene: SceneType) -> list[str]:
    models = registry.models(kind)
    top = max(m.strength(scene) for m in models)
    return [m.id for m in models if m.strength(scene) == top]


def test_routing_by_scene_type_lives_in_the_strengths(registry: ModelRegistry) -> None:
    def best(scene: SceneType) -> list:
        return [registry.get(i) for i in _strongest(registry, "video", scene)]

    # performance and lip-sync -> audio-driven image-to-video
    assert all(m.lip_sync and Mode.AUDIO_DRIVEN in m.modes for m in best(SceneType.PERFORMANCE))
    # transition -> frame interpolation between two keyframes
    assert all(Mode.FLF2V in m.modes for m in best(SceneType.TRANSITION))
    # atmospheric -> first-frame video
    assert all(Mode.I2V in m.modes for m in best(SceneType.ATMOSPHERIC))
    # dynamic action -> Sora 2 or Kling
    assert all(m.name.startswith(("Sora", "Kling")) for m in best(SceneType.ACTION))
    # close-up or keyframe -> a strong image model
    image_best = max(m.strength(SceneType.CLOSE_UP) for m in registry.models("image"))
    video_best = max(m.strength(SceneType.CLOSE_UP) for m in registry.models("video"))
    assert image_best >= video_best
    # voice -> TTS
    assert all(Mode.TTS in m.modes for m in registry.models("voice"))


# ------------------------------------------------------------------ queries


def test_models_filters_by_kind_and_locality(registry: ModelRegistry) -> None:
    for kind in Kind:
        for local_only in (False, True):
            chosen = registry.models(kind.value, local_only=local_only)
            assert all(kind in m.kinds for m in chosen)
            assert all(m.local for m in chosen) or not local_only
            expected = [
                m.id
                for m in registry
                if kind in m.kinds and not m.is_upscaler and (m.local or not local_only)
            ]
            assert [m.id for m in chosen] == expected
    assert [m.id for m in registry.models()] == registry.ids()
    # Upscalers make no shot: listed apart, never among a kind's shot models.
    assert registry.upscalers() and all(m.is_upscaler for m in registry.upscalers())
    assert not {m.id for m in registry.upscalers()} & {m.id for m in registry.models("video")}


def test_an_unknown_kind_is_refused(registry: ModelRegistry) -> None:
    with pytest.raises(InvalidInput, match="unknown kind 'film'"):
        registry.models("film")


def test_get_accepts_ids_names_and_aliases(registry: ModelRegistry) -> None:
    for model in registry:
        assert registry.get(model.id) is model
        assert registry.get(model.name).id in registry.ids()
        assert registry.get(model.id.upper()) is model


def test_unknown_id_suggests_the_closest(registry: ModelRegistry) -> None:
    target = registry.ids()[0]
    typo = target[:-1] + ("x" if target[-1] != "x" else "y")
    with pytest.raises(NotFound) as caught:
        registry.get(typo)
    message = str(caught.value)
    assert repr(typo) in message
    assert f"did you mean {target!r}" in message
    assert "\n" not in message


def test_nothing_close_gives_no_suggestion(registry: ModelRegistry) -> None:
    with pytest.raises(NotFound) as caught:
        registry.get("qqqqqqqqqqqq")
    assert "did you mean" not in str(caught.value)


# ------------------------------------------------------------------ clip length in project frames


@given(
    rate=st.sampled_from(sorted(SUPPORTED_RATES.values())),
    index=st.integers(min_value=0, max_value=1000),
)
def test_max_clip_frames_is_the_floor_at_the_project_rate(rate: Fraction, index: int) -> None:
    video = _shipped().models("video")
    model = video[index % len(video)]
    frames = max_clip_frames(model, rate)
    limit = model.clip_limit_seconds
    assert limit is not None
    # The clip of `frames` frames fits; one frame more would not.
    assert Fraction(frames) / rate <= limit < Fraction(frames + 1) / rate
    if model.max_clip_seconds is not None:
        assert limit <= Fraction(str(model.max_clip_seconds))
    if model.max_clip_frames is not None:
        assert limit <= Fraction(model.max_clip_frames) / Fraction(str(model.native_fps))


def test_max_clip_frames_accepts_a_rate_string(registry: ModelRegistry) -> None:
    model = registry.models("video")[0]
    limit = model.clip_limit_seconds
    assert limit is not None
    assert max_clip_frames(model, "23.976") == max_clip_frames(model, Fraction(24000, 1001))
    assert max_clip_frames(model, "23.976") == math.floor(limit * Fraction(24000, 1001))


def test_max_clip_frames_of_an_image_model_is_an_error(registry: ModelRegistry) -> None:
    with pytest.raises(InvalidInput, match="no clip length"):
        max_clip_frames(registry.models("image")[0], Fraction(24))


# ------------------------------------------------------------------ user and project overrides


def test_a_partial_user_override_changes_only_its_fields() -> None:
    shipped = ModelRegistry.load()
    target = next(m for m in shipped.models("video") if not m.local)
    other_scene = next(s for s in target.strengths if s != SceneType.ACTION.value)
    new_price = (target.cost_usd_per_second or 0) + 1.25
    write_yaml(
        user_file(),
        {
            "models": [
                {"id": target.id, "cost_usd_per_second": new_price, "strengths": {"action": 0.01}}
            ]
        },
    )
    merged = ModelRegistry.load().get(target.id)
    assert merged.cost_usd_per_second == new_price
    assert merged.strengths["action"] == 0.01
    assert merged.strengths[other_scene] == target.strengths[other_scene]
    before = target.model_dump(exclude={"cost_usd_per_second", "strengths"})
    assert merged.model_dump(exclude={"cost_usd_per_second", "strengths"}) == before
    # Every other model is untouched.
    assert [m for m in ModelRegistry.load() if m.id != target.id] == [
        m for m in shipped if m.id != target.id
    ]


def test_a_complete_new_user_model_is_added() -> None:
    shipped = ModelRegistry.load()
    entry = shipped_entry(shipped.models("video", local_only=True)[0].id)
    entry.update(id="my_finetune", name="My fine-tune", aliases=["mine"])
    write_yaml(user_file(), {"schema_version": 1, "models": [entry]})
    registry = ModelRegistry.load()
    assert registry.get("my_finetune").name == "My fine-tune"
    assert registry.get("mine").id == "my_finetune"
    assert registry.ids() == [*shipped.ids(), "my_finetune"]
    assert str(user_file()) in registry.files


def test_a_new_user_model_must_be_complete() -> None:
    write_yaml(user_file(), {"models": [{"id": "half_done", "name": "Half", "kinds": ["video"]}]})
    with pytest.raises(ModelRegistryError) as caught:
        ModelRegistry.load()
    message = str(caught.value)
    assert str(user_file()) in message
    assert "model 'half_done'" in message
    assert "required field is missing" in message


def test_the_project_file_overrides_the_user_file(tmp_path: Path) -> None:
    target = ModelRegistry.load().models("video")[0]
    write_yaml(user_file(), {"models": [{"id": target.id, "notes": "user", "vram_gb": 40}]})
    project = tmp_path / "film"
    write_yaml(project / "models.yaml", {"models": [{"id": target.id, "notes": "project"}]})
    merged = ModelRegistry.load(project_dir=project)
    assert merged.get(target.id).notes == "project"
    assert merged.get(target.id).vram_gb == 40  # the user's change survives where not overridden
    assert merged.files[-2:] == [str(user_file()), str(project / "models.yaml")]
    assert ModelRegistry.load().get(target.id).notes == "user"


def test_a_project_without_models_yaml_changes_nothing(tmp_path: Path) -> None:
    assert ModelRegistry.load(project_dir=tmp_path).ids() == ModelRegistry.load().ids()


def test_a_missing_project_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        ModelRegistry.load(project_dir=tmp_path / "nope")


def test_user_file_location_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = ModelRegistry.load().ids()[0]
    xdg = tmp_path / "xdg"
    write_yaml(xdg / "storycore" / "models.yaml", {"models": [{"id": target, "notes": "xdg"}]})
    monkeypatch.delenv("STORYCORE_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    assert ModelRegistry.load().get(target).notes == "xdg"
    # STORYCORE_CONFIG_DIR wins over XDG_CONFIG_HOME.
    mine = tmp_path / "mine"
    write_yaml(mine / "models.yaml", {"models": [{"id": target, "notes": "mine"}]})
    monkeypatch.setenv("STORYCORE_CONFIG_DIR", str(mine))
    assert ModelRegistry.load().get(target).notes == "mine"


def test_an_explicit_user_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ModelRegistryError, match="not found"):
        ModelRegistry.load(user_file=tmp_path / "absent.yaml")


def test_an_empty_user_file_changes_nothing() -> None:
    user_file().write_text("", encoding="utf-8")
    assert ModelRegistry.load().ids() == ModelRegistry.load(user_file=None).ids()


# ------------------------------------------------------------------ malformed files


def _entry_error(patch: dict[str, object], tmp_path: Path) -> str:
    entry = shipped_entry(ModelRegistry.load().models("video", local_only=True)[0].id)
    entry.update(id="foo")
    entry.update(patch)
    path = write_yaml(tmp_path / "models.yaml", {"models": [entry]})
    with pytest.raises(ModelRegistryError) as caught:
        ModelRegistry.load(user_file=path)
    message = str(caught.value)
    assert message.startswith(f"{path}: model 'foo': "), message
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"max_clip_seconds": 0}, "max_clip_seconds: must be greater than 0"),
        ({"max_clip_seconds": -3}, "max_clip_seconds: must be greater than 0"),
        ({"vram_gb": "lots"}, "vram_gb:"),
        ({"strengths": {"heist": 0.5}}, "unknown scene type 'heist'"),
        ({"strengths": {"action": 1.5}}, "must be between 0 and 1"),
        ({"modes": ["t2i"]}, "t2i do not apply to a video model"),
        ({"modes": ["teleport"]}, "unknown mode 'teleport'"),
        ({"resolutions": ["huge"]}, "unknown resolution 'huge'"),
        ({"aspect_ratios": ["7:1"]}, "unknown aspect ratio"),
        ({"runs": "moon"}, "runs:"),
        ({"colour": "red"}, "colour: unknown field"),
        ({"comfyui_workflow": None}, "comfyui_workflow: required for a local model"),
        ({"native_fps": "fast"}, "not a frame rate"),
    ],
)
def test_a_malformed_model_gets_one_clear_error(
    patch: dict[str, object], expected: str, tmp_path: Path
) -> None:
    assert expected in _entry_error(patch, tmp_path)


def test_a_partial_override_with_a_bad_value_names_the_file_and_field() -> None:
    target = ModelRegistry.load().models("video")[0].id
    write_yaml(user_file(), {"models": [{"id": target, "max_clip_seconds": 0}]})
    with pytest.raises(ModelRegistryError) as caught:
        ModelRegistry.load()
    assert str(caught.value) == (
        f"{user_file()}: model {target!r}: max_clip_seconds: must be greater than 0"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("models: [\n  {id: a\n", "not valid YAML (line"),
        ("- id: a\n", "must be a mapping with a 'models' list"),
        ("models: {id: a}\n", "models: must be a list"),
        ("modles: []\n", "unknown top-level key 'modles'"),
        ("schema_version: 99\nmodels: []\n", "schema_version 99 is newer"),
        ("models:\n  - name: no id\n", "models entry 1: id: required field is missing"),
        ("models:\n  - 42\n", "models entry 1: must be a mapping"),
    ],
)
def test_a_malformed_file_gets_one_clear_error(text: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelRegistryError) as caught:
        ModelRegistry.load(user_file=path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_a_model_listed_twice_in_one_file_is_an_error(tmp_path: Path) -> None:
    target = ModelRegistry.load().ids()[0]
    path = write_yaml(tmp_path / "m.yaml", {"models": [{"id": target}, {"id": target}]})
    with pytest.raises(ModelRegistryError, match=f"model '{target}' is listed twice"):
        ModelRegistry.load(user_file=path)


def test_the_documented_override_example_loads(tmp_path: Path) -> None:
    doc = Path(__file__).resolve().parents[1] / "docs" / "model-selection.md"
    block = re.search(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert block, "docs/model-selection.md shows an override file"
    path = tmp_path / "models.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    document = yaml.safe_load(block.group(1))
    merged = ModelRegistry.load(user_file=path)
    for entry in document["models"]:
        model = merged.get(entry["id"])
        for key, value in entry.items():
            if key == "strengths":
                assert all(model.strengths[k] == v for k, v in value.items())
            elif key != "id":
                assert getattr(model, key) == value or str(getattr(model, key)) == str(value)


def test_the_fast_yaml_parser_reads_the_registry_as_the_python_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bundled registry is parsed by libyaml when PyYAML has it: the models are the same
    as the pure Python parser reads them, and a refused file reports the same error."""
    from storycore.tools.model_capabilities import loading

    text = resources.files("storycore.tools").joinpath("data", "models.yaml").read_text("utf-8")
    fast = loading._load_yaml(text)
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    assert loading._load_yaml(text) == fast == yaml.safe_load(text)
