"""``storycore models list|show|select``: the JSON contract, the tables, the exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from storycore.agent.cli.main import main
from storycore.tools.model_registry import ModelRegistry
from storycore.tools.model_selector import MAX_SPLIT, PREFER_RANK_STEP, W_PREFER


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["models", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ok_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    code, out, err = run(capsys, *args, "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one error line of a refused command (exit 2, nothing on stdout)."""
    code, out, err = run(capsys, *args)
    assert code == 2, (out, err)
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, repr(err)
    return err.strip()


def registry() -> ModelRegistry:
    return ModelRegistry.load()


# ------------------------------------------------------------------ models list


def test_list_json_is_every_model(capsys: pytest.CaptureFixture[str]) -> None:
    data = ok_json(capsys, "list")
    assert isinstance(data, list)
    assert [item["id"] for item in data] == registry().ids()
    for item in data:
        model = registry().get(item["id"])
        assert item == model.model_dump(mode="json")
        for key in ("kinds", "modes", "runs", "strengths", "source", "as_of"):
            assert key in item


def test_list_filters_by_kind_and_locality(capsys: pytest.CaptureFixture[str]) -> None:
    data = ok_json(capsys, "list", "--kind", "video", "--local-only")
    assert isinstance(data, list) and data
    assert all("video" in item["kinds"] and item["runs"] == "local" for item in data)
    expected = [m.id for m in registry().models("video", local_only=True)]
    assert [item["id"] for item in data] == expected


def test_list_table_names_every_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "list")
    assert (code, err) == (0, "")
    for model_id in registry().ids():
        assert model_id in out
    assert registry().data_date in out


def test_list_with_an_unknown_kind_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert "unknown kind 'film'" in refused(capsys, "list", "--kind", "film")


def test_list_includes_a_project_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = registry().models("video", local_only=True)[0].model_dump(mode="json")
    base.update(id="house_model", name="House model", aliases=[])
    (tmp_path / "models.yaml").write_text(yaml.safe_dump({"models": [base]}), encoding="utf-8")
    data = ok_json(capsys, "list", "--project", str(tmp_path))
    assert isinstance(data, list)
    assert "house_model" in [item["id"] for item in data]


def test_a_malformed_user_file_is_one_error_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(os.environ["STORYCORE_CONFIG_DIR"]) / "models.yaml"
    target = registry().ids()[0]
    path.write_text(f"models:\n  - id: {target}\n    max_clip_seconds: 0\n", encoding="utf-8")
    message = refused(capsys, "list")
    assert str(path) in message
    assert f"model '{target}': max_clip_seconds: must be greater than 0" in message


# ------------------------------------------------------------------ models show


def test_show_json_is_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    model = registry().models("image")[0]
    assert ok_json(capsys, "show", model.name) == model.model_dump(mode="json")


def test_show_an_unknown_model_suggests_one(capsys: pytest.CaptureFixture[str]) -> None:
    known = registry().ids()[0]
    assert f"did you mean '{known}'" in refused(capsys, "show", known + "q")


# ------------------------------------------------------------------ models select


def test_select_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    data = ok_json(capsys, "select", "--scene-type", "action", "--duration", "4")
    assert isinstance(data, dict)
    assert isinstance(data["model_id"], str) and data["model_id"] in registry().ids()
    assert isinstance(data["fallbacks"], list)
    assert all(isinstance(i, str) and i in registry().ids() for i in data["fallbacks"])
    assert data["model_id"] not in data["fallbacks"]
    assert isinstance(data["reason"], str) and data["reason"] and "\n" not in data["reason"]
    assert isinstance(data["split"], int) and 1 <= data["split"] <= MAX_SPLIT
    for key in ("clip_seconds", "estimated_cost_usd", "scores", "rejected"):
        assert key in data


def test_select_honours_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    local = registry().models("video", local_only=True)
    vram = sorted(m.vram_gb for m in local if m.vram_gb)[len(local) // 2]
    avoid = [m.id for m in local if m.vram_gb and m.vram_gb <= vram][:2]
    data = ok_json(
        capsys,
        "select",
        "--scene-type", "atmospheric",
        "--duration", "12",
        "--aspect", "16:9",
        "--local-only",
        "--vram", str(vram),
        "--avoid", avoid[0],
        "--avoid", avoid[1],
    )  # fmt: skip
    assert isinstance(data, dict)
    for model_id in [data["model_id"], *data["fallbacks"]]:
        model = registry().get(model_id)
        assert model.local and model.vram_gb is not None and model.vram_gb <= vram
        assert "16:9" in model.aspect_ratios
        assert model_id not in avoid
    assert all(data["rejected"][a] == "avoided by the user" for a in avoid)
    limit = registry().get(data["model_id"]).clip_limit_seconds
    assert limit is not None
    assert data["split"] == -(-12 // limit)  # ceil


def test_select_prefer_is_repeatable_and_ordered(capsys: pytest.CaptureFixture[str]) -> None:
    shot = ["select", "--scene-type", "establishing", "--duration", "3"]
    free = ok_json(capsys, *shot)
    assert isinstance(free, dict)
    prefer = [free["fallbacks"][1], free["fallbacks"][0]]
    data = ok_json(capsys, *shot, "--prefer", prefer[0], "--prefer", prefer[1])
    assert isinstance(data, dict)
    # The documented bonus: W_PREFER for the first preferred, one step less for the next.
    bonus = {prefer[0]: W_PREFER, prefer[1]: W_PREFER - PREFER_RANK_STEP}
    boosted = {m: score + bonus.get(m, 0) for m, score in free["scores"].items()}
    assert data["model_id"] == max(boosted, key=lambda m: boosted[m])
    if data["model_id"] in prefer:
        assert "preferred by you" in data["reason"]
    assert data["scores"][prefer[0]] == pytest.approx(boosted[prefer[0]], abs=1e-3)


def test_select_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "select", "--scene-type", "performance", "--duration", "4", "--local-only"
    )
    assert (code, err) == (0, "")
    data = ok_json(
        capsys, "select", "--scene-type", "performance", "--duration", "4", "--local-only"
    )
    assert isinstance(data, dict)
    assert data["model_id"] in out
    assert "Ruled out" in out
    for model_id in data["fallbacks"]:
        assert model_id in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--duration", "-1"], "--duration must be greater than 0"),
        (["--duration", "0"], "--duration must be greater than 0"),
        (["--duration", "3", "--scene-type", "heist"], "unknown scene type 'heist'"),
        (["--duration", "3", "--resolution", "19x"], "--resolution: unknown resolution"),
        (["--duration", "3", "--aspect", "7:1"], "--aspect: unknown aspect ratio"),
        (["--duration", "3", "--vram", "0"], "--vram must be greater than 0"),
        (["--duration", "3", "--requires", "teleport"], "unknown capability"),
        (["--duration", "3", "--kind", "film"], "unknown kind"),
        (["--duration", "abc"], "--duration"),
        ([], "--duration"),
    ],
)
def test_select_bad_input_is_one_error_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    if "--scene-type" not in args:
        args = ["--scene-type", "action", *args]
    assert expected in refused(capsys, "select", *args)


def test_select_unknown_avoid_id_suggests_the_closest(capsys: pytest.CaptureFixture[str]) -> None:
    known = registry().ids()[0]
    message = refused(
        capsys, "select", "--scene-type", "action", "--duration", "3", "--avoid", known + "z"
    )
    assert f"unknown model '{known}z' in avoid" in message
    assert f"did you mean '{known}'" in message


def test_select_nothing_fits_names_every_candidate(capsys: pytest.CaptureFixture[str]) -> None:
    message = refused(
        capsys, "select", "--scene-type", "action", "--duration", "3", "--local-only",
        "--vram", "0.5",
    )  # fmt: skip
    for model in registry().models("video"):
        assert f"{model.id}: " in message
