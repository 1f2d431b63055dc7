"""What the planner keeps between calls is checked against the disk.

The model registry ``plan_project`` reads is kept while its files do not change
(:func:`storycore.tools.planner.run.load_registry`); a reference card's thumbnail is made
without copying the card (:func:`storycore.tools.asset_generator._mini`): the same pixels.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from PIL import Image, ImageDraw

from storycore.tools import asset_generator
from storycore.tools.model_registry import ModelRegistry
from storycore.tools.planner.run import load_registry


def _user_file() -> Path:
    # conftest points STORYCORE_CONFIG_DIR at a temporary folder.
    return Path(os.environ["STORYCORE_CONFIG_DIR"]) / "models.yaml"


def _price_override(path: Path, model_id: str, price: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"models": [{"id": model_id, "cost_usd_per_second": price}]}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


def test_the_kept_registry_is_read_again_when_a_models_file_changes(tmp_path: Path) -> None:
    first = load_registry()
    assert load_registry() is first  # nothing changed: the same registry
    target = next(m for m in first.models("video") if not m.local)

    _price_override(_user_file(), target.id, 1.25)
    assert load_registry().get(target.id).cost_usd_per_second == 1.25

    _price_override(_user_file(), target.id, 2.5)  # same size, new content
    assert load_registry().get(target.id).cost_usd_per_second == 2.5

    project = tmp_path / "p"
    project.mkdir()
    _price_override(project / "models.yaml", target.id, 3.75)
    assert load_registry(project).get(target.id).cost_usd_per_second == 3.75
    assert load_registry().get(target.id).cost_usd_per_second == 2.5

    _user_file().unlink()
    assert load_registry().get(target.id) == ModelRegistry.load().get(target.id)


def test_a_card_thumbnail_has_the_pixels_of_pillow_s_thumbnail() -> None:
    card = Image.new("RGB", asset_generator.CARD_SIZE, (250, 248, 244))
    draw = ImageDraw.Draw(card)
    for i in range(0, 1024, 37):
        draw.line((0, i, 1023, 1023 - i), fill=(i % 255, 40, 200 - i % 200), width=3)
    draw.text((40, 40), "GaBy - a character", fill=(20, 20, 20), font_size=64)
    expected = card.copy()
    expected.thumbnail(asset_generator.MINI_SIZE, Image.Resampling.LANCZOS)
    mini = asset_generator._mini(card)
    assert mini.size == expected.size
    assert mini.tobytes() == expected.tobytes()
    assert card.size == asset_generator.CARD_SIZE  # the card itself is left as it was
