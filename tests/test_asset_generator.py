"""The asset generator: reference images copied in, reference cards with PNG metadata."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from storycore.tools import asset_generator, structure
from storycore.tools.domain import AssetMetadata
from storycore.tools.errors import ConflictError, InvalidInput
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry

from .conftest import snapshot


@pytest.fixture
def registry(tmp_path: Path) -> AssetRegistry:
    registry = AssetRegistry(Project.create(tmp_path / "film"))
    registry.add(
        "character",
        "GaBy",
        canonical_description="A young woman, short black hair, red raincoat.",
        attributes={"hair": "short black"},
    )
    return registry


def image_file(path: Path, colour: tuple[int, int, int] = (200, 30, 30), fmt: str = "PNG") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), colour).save(path, format=fmt)
    return path


def folder_of(registry: AssetRegistry, element_id: str = "char_gaby") -> Path:
    return structure.element_folder(registry.project, element_id)


# -- reference images ---------------------------------------------------------------------


def test_a_reference_image_is_copied_with_its_hash_and_origin(
    registry: AssetRegistry, tmp_path: Path
) -> None:
    source = image_file(tmp_path / "user files" / "Gaby front (final)!.jpg", fmt="JPEG")
    element = registry.add_reference_image("char_gaby", source, role="front")
    assert element.current_version == 2
    [ref] = element.reference_images
    assert ref.path == "references/Gaby_Front_Final.jpg"
    assert ref.role == "front"
    assert ref.original_path == str(source.resolve())
    copy = folder_of(registry) / ref.path
    assert copy.read_bytes() == source.read_bytes()
    assert ref.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert registry.versions("char_gaby")[1].content.reference_images == [ref]
    assert registry.versions("char_gaby")[0].content.reference_images == []


def test_the_same_image_twice_is_recorded_once(registry: AssetRegistry, tmp_path: Path) -> None:
    source = image_file(tmp_path / "front.png")
    registry.add_reference_image("char_gaby", source)
    before = snapshot(registry.project.root)
    again = registry.add_reference_image("char_gaby", tmp_path / "front.png")
    assert again.current_version == 2 and len(again.reference_images) == 1
    assert snapshot(registry.project.root) == before


def test_copies_get_unique_safe_names_and_their_real_extension(
    registry: AssetRegistry, tmp_path: Path
) -> None:
    first = image_file(tmp_path / "a" / "front.png", (10, 10, 10))
    second = image_file(tmp_path / "b" / "front.png", (20, 20, 20))
    disguised = image_file(tmp_path / "CON.jpg", (30, 30, 30))  # a PNG named .jpg
    hidden = image_file(tmp_path / "..hidden.png", (40, 40, 40))
    for source in (first, second, disguised, hidden):
        registry.add_reference_image("char_gaby", source)
    paths = [ref.path for ref in registry.get("char_gaby").reference_images]
    assert paths == [
        "references/Front.png",
        "references/Front_2.png",
        "references/CON_.png",
        "references/Hidden.png",
    ]
    for rel in paths:
        assert (folder_of(registry) / rel).is_file()
    assert registry.get("char_gaby").current_version == 5


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.png", "does not exist"),
        (lambda d: d, "is a folder"),
        (lambda d: _write(d / "notes.png", b"just some text\n"), "not an image Pillow can read"),
        (lambda d: _write(d / "empty.jpg", b""), "not an image Pillow can read"),
        (lambda d: _truncated_png(d / "cut.png"), "damaged or unreadable image"),
    ],
    ids=["missing", "folder", "text", "empty", "truncated"],
)
def test_bad_images_are_refused_and_nothing_changes(
    registry: AssetRegistry, tmp_path: Path, make, message: str
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    source = make(inputs)
    before = snapshot(registry.project.root)
    with pytest.raises(InvalidInput, match=message):
        registry.add_reference_image("char_gaby", source)
    assert snapshot(registry.project.root) == before


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _truncated_png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.effect_noise((256, 256), 60).convert("RGB").save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def test_a_locked_or_approved_element_refuses_new_images(
    registry: AssetRegistry, tmp_path: Path
) -> None:
    source = image_file(tmp_path / "front.png")
    registry.approve("char_gaby")
    with pytest.raises(ConflictError, match="approved"):
        registry.add_reference_image("char_gaby", source)
    registry.lock("char_gaby")
    with pytest.raises(ConflictError, match="locked"):
        registry.add_reference_image("char_gaby", source, force=True)
    registry.unlock("char_gaby")
    assert len(registry.add_reference_image("char_gaby", source).reference_images) == 1


# -- reference cards ----------------------------------------------------------------------


def test_every_element_gets_a_card_and_a_thumbnail(registry: AssetRegistry) -> None:
    folder = folder_of(registry)
    card, mini = folder / "element_gaby.png", folder / "element_gaby_mini.png"
    with Image.open(card) as image:
        assert image.size == asset_generator.CARD_SIZE
        assert image.getextrema() != ((250, 250), (248, 248), (244, 244))  # not blank
    with Image.open(mini) as image:
        assert max(image.size) <= 256


def test_cards_carry_the_metadata_in_png_text_chunks(registry: AssetRegistry) -> None:
    element = registry.update("char_gaby", name="Gäby 🎬", attributes={"eyes": "green"})
    folder = folder_of(registry)
    for name in ("element_gaby.png", "element_gaby_mini.png"):
        text = asset_generator.read_png_metadata(folder / name)
        assert text["storycore:element_id"] == "char_gaby"
        assert text["storycore:type"] == "character"
        assert text["storycore:name"] == "Gäby 🎬"  # non-Latin-1 survives (iTXt)
        assert text["storycore:version"] == "2"
        assert text["storycore:content_hash"] == element.content().digest()
        assert text["storycore:canonical_description"] == element.canonical_description
        embedded = AssetMetadata.model_validate(text["storycore:metadata"])
        assert embedded == element


def test_cards_are_redrawn_only_when_the_content_changes(registry: AssetRegistry) -> None:
    card = folder_of(registry) / "element_gaby.png"
    first = card.read_bytes()
    registry.link_shot("char_gaby", "shot_01")
    registry.approve("char_gaby")
    registry.set_status("char_gaby", "draft")
    assert card.read_bytes() == first
    history = registry.project.history()
    paths = asset_generator.write_reference_card(registry.project, registry.get("char_gaby"))
    assert paths == [card, card.with_name("element_gaby_mini.png")]
    assert registry.project.history() == history  # nothing was written
    registry.update("char_gaby", canonical_description="A young woman with blonde curly hair.")
    assert card.read_bytes() != first
    assert asset_generator.read_png_metadata(card)["storycore:version"] == "2"


def test_a_new_card_format_or_a_missing_card_is_redrawn(
    registry: AssetRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_of(registry)
    (folder / "element_gaby_mini.png").unlink()
    registry.write_cards()
    assert (folder / "element_gaby_mini.png").is_file()
    history = len(registry.project.history())
    monkeypatch.setattr(asset_generator, "CARD_FORMAT", asset_generator.CARD_FORMAT + 1)
    registry.write_cards(["char_gaby"])
    assert len(registry.project.history()) == history + 1
    text = asset_generator.read_png_metadata(folder / "element_gaby.png")
    assert text["storycore:card_format"] == str(asset_generator.CARD_FORMAT)


def test_the_card_shows_the_content(registry: AssetRegistry) -> None:
    element = registry.get("char_gaby")
    plain = asset_generator.render_card(element)
    described = asset_generator.render_card(
        element.model_copy(update={"attributes": {"hair": "short black", "scar": "left cheek"}})
    )
    assert plain.tobytes() != described.tobytes()
    long_text = element.model_copy(update={"canonical_description": "word " * 790})
    asset_generator.render_card(long_text)  # overflows are cut, not raised


def test_write_reference_card_joins_a_caller_transaction(registry: AssetRegistry) -> None:
    element = registry.get("char_gaby")
    folder = folder_of(registry)
    (folder / "element_gaby.png").unlink()
    with registry.project.transaction("cards") as tx:
        paths = asset_generator.write_reference_card(tx, element)
    assert all(path.is_file() for path in paths)
    assert registry.project.history()[0].note == "cards"


def test_read_png_metadata_refuses_what_is_not_a_png(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        asset_generator.read_png_metadata(tmp_path / "nothing.png")
    jpeg = image_file(tmp_path / "photo.jpg", fmt="JPEG")
    with pytest.raises(InvalidInput, match="not a PNG"):
        asset_generator.read_png_metadata(jpeg)
    plain = image_file(tmp_path / "plain.png")
    assert asset_generator.read_png_metadata(plain) == {}


def test_card_names_follow_the_seed(registry: AssetRegistry) -> None:
    location = registry.add("location", "Old bridge")
    assert asset_generator.card_names(location) == (
        "element_old_bridge.png",
        "element_old_bridge_mini.png",
    )
    custom = registry.add("prop", "Cup", element_id="hero_cup")
    assert asset_generator.card_names(custom)[0] == "element_hero_cup.png"
    assert (folder_of(registry, "hero_cup") / "element_hero_cup.png").is_file()


def test_cards_can_be_deferred_for_a_bulk_import(tmp_path: Path) -> None:
    registry = AssetRegistry(Project.create(tmp_path / "bulk"), cards=False)
    for name in ("Ana", "Bruno", "Chloé"):
        registry.add("character", name)
    assert not list((tmp_path / "bulk" / "01_elements").rglob("*.png"))
    paths = registry.write_cards()
    assert sorted(p.name for p in paths) == [
        "element_ana.png",
        "element_ana_mini.png",
        "element_bruno.png",
        "element_bruno_mini.png",
        "element_chloe.png",
        "element_chloe_mini.png",
    ]
    assert all(p.is_file() for p in paths)
