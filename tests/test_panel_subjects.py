"""A storyboard panel draws what its shot frames: a close-up of someone's hands draws two
hands (holding the prop when the shot has one), a close-up of their eyes draws the eyes
across the frame, every other close-up a face; a card shot's label says CARD (CARTON in a
French project), not INSERT. Only the shots whose drawing changed get a new panel hash."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from storycore.tools.domain import Framing, ShotSize, ShotSpec, TechnicalSpecs
from storycore.tools.i18n import Messages
from storycore.tools.storyboard import drawing, panel_hash, panel_png
from storycore.tools.storyboard.html_page import _size_text
from storycore.tools.storyboard.panels import _panel_inputs
from storycore.tools.storyboard.subjects import EYES, HANDS, framed_part


def _shot(
    description: str,
    size: ShotSize = ShotSize.CU,
    framing: Framing = Framing.SINGLE,
    characters: tuple[str, ...] = ("char_ana",),
    props: tuple[str, ...] = (),
    title: str = "",
) -> ShotSpec:
    return ShotSpec(
        shot_id="shot_04",
        start_frame=0,
        end_frame=48,
        shot_size=size,
        framing=framing,
        lens_mm=85,
        description=description,
        title=title,
        characters=list(characters),
        props=list(props),
    )


@pytest.mark.parametrize(
    ("description", "part"),
    [
        ("Close-up of Henrik's hands gathering molten glass.", HANDS),
        ("Close-up of her hands on the wheel.", HANDS),
        ("Gros plan sur les mains de Léo qui pétrit la pâte.", HANDS),
        ("Très gros plan sur les yeux de Nour.", EYES),
        ("Extreme close-up of Nour's eyes.", EYES),
        ("Très gros plan sur l'œil de Nour.", EYES),
        ("Close-up of Mira holding her hands up.", ""),  # Mira is framed: her face
        ("Close-up of Nour, her eyes wet.", ""),
        ("Close-up of Ana.", ""),
    ],
)
def test_a_close_up_frames_the_hands_or_eyes_its_direction_names_first(
    description: str, part: str
) -> None:
    assert framed_part(_shot(description)) == part


def test_only_a_close_shot_of_someone_frames_a_part() -> None:
    hands = "Close-up of Ana's hands shaping the neck."
    assert framed_part(_shot(hands, size=ShotSize.MCU)) == HANDS
    # A wide shot of her hands still shows her whole figure; an insert is of a thing.
    assert framed_part(_shot(hands, size=ShotSize.WS)) == ""
    assert framed_part(_shot(hands, framing=Framing.INSERT)) == ""
    assert framed_part(_shot(hands, characters=())) == ""
    # The title says it when the description does not.
    assert framed_part(_shot("Ana at work.", title="Close-up of Ana's hands")) == HANDS


def _panel(shot: ShotSpec, specs: TechnicalSpecs | None = None) -> Image.Image:
    data = panel_png(shot, specs or TechnicalSpecs(), ["Ana"])
    return Image.open(io.BytesIO(data)).convert("RGB")


def _dark(pixel: tuple[int, ...]) -> bool:
    return max(pixel) < 120  # the figure and its edges, never the background or the sky


def _dark_runs(image: Image.Image, at: float) -> int:
    """How many separate dark shapes a row at ``at`` of the height crosses."""
    y = int(image.height * at)
    dark = [_dark(image.getpixel((x, y))) for x in range(image.width)]
    return sum(1 for x in range(1, len(dark)) if dark[x] and not dark[x - 1])


def _dark_share(image: Image.Image) -> float:
    points = [(x, y) for x in range(0, image.width, 4) for y in range(0, image.height, 4)]
    return sum(_dark(image.getpixel(p)) for p in points) / len(points)


def test_a_hands_close_up_draws_fingers_where_a_face_close_up_draws_a_head() -> None:
    hands = _panel(_shot("Close-up of Ana's hands shaping the neck."))
    face = _panel(_shot("Close-up of Ana shaping the neck."))
    assert _dark_runs(hands, 0.35) >= 8  # eight fingers across the row
    assert _dark_runs(face, 0.35) < 8
    held = _panel(_shot("Close-up of Ana's hands holding the vase.", props=("prop_vase",)))
    red = [(x, y) for x in range(0, held.width, 2) for y in range(0, held.height, 2)]
    assert any(held.getpixel(p)[0] > 120 > held.getpixel(p)[1] for p in red)  # the prop
    assert not any(hands.getpixel(p)[0] > 120 > hands.getpixel(p)[1] for p in red)


def test_an_eyes_close_up_fills_the_frame_with_the_face() -> None:
    eyes = _dark_share(_panel(_shot("Extreme close-up of Ana's eyes.", size=ShotSize.ECU)))
    face = _dark_share(_panel(_shot("Extreme close-up of Ana.", size=ShotSize.ECU)))
    assert eyes > 0.8 > face


def test_only_the_panels_whose_drawing_changed_get_a_new_hash() -> None:
    specs = TechnicalSpecs()
    face = _shot("Close-up of Ana shaping the neck.")
    assert "subject" not in _panel_inputs(face, specs, ["Ana"])  # as every panel before
    hands = _shot("Close-up of Ana's hands shaping the neck.")
    assert _panel_inputs(hands, specs, ["Ana"])["subject"] == HANDS
    assert panel_hash(hands, specs, ["Ana"]) != panel_hash(face, specs, ["Ana"])


_CARD = "Carton final : « Clos Amiel. Le temps d'un verre. »"


@pytest.mark.parametrize(("language", "label"), [("en", "CARD"), ("fr", "CARTON")])
def test_a_card_shots_label_names_a_card_in_the_projects_language(
    language: str, label: str
) -> None:
    card = _shot(_CARD, framing=Framing.INSERT, characters=())
    specs = TechnicalSpecs(language=language)
    assert drawing.kind_tag(card, language) == label
    heads = [box[2] for box in drawing._label_boxes(card, specs, 320, 180)]
    assert any(f"CU {label}" in text for text in heads), heads
    assert _panel_inputs(card, specs, [])["card_label"] == label
    assert _size_text(card.model_dump(mode="json"), Messages(language)) == (f"CU · {label.lower()}")


def test_a_card_with_no_words_and_an_insert_keep_the_insert_label() -> None:
    assert drawing.kind_tag(_shot("Carton final :", framing=Framing.INSERT)) == "INSERT"
    assert drawing.kind_tag(_shot("Insert, close-up of the vase.", framing=Framing.INSERT)) == (
        "INSERT"
    )
    assert drawing.kind_tag(_shot("Close-up of Ana.")) is None
