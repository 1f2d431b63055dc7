"""Panels drawn from a shared background have the pixels of the whole drawing.

:func:`storyboard.draw_panel` draws each background (everything but the shot's labels) once
and then only the label boxes; these tests compare every kind of panel, at every aspect
ratio, with the reference drawing: the whole panel at 2x, downsampled by Pillow's BOX filter.
"""

from __future__ import annotations

import itertools

import pytest
from PIL import Image, ImageDraw

from storycore.tools import storyboard as sb
from storycore.tools.domain import (
    ASPECT_RATIOS,
    CameraAngle,
    CameraMovement,
    Framing,
    ShotSize,
    ShotSpec,
    TechnicalSpecs,
)
from storycore.tools.storyboard import drawing


def _reference(shot: ShotSpec, specs: TechnicalSpecs, names: list[str]) -> bytes:
    """The panel as drawn before backgrounds were shared: whole, then BOX-resized."""
    width, height = sb.panel_size(specs.aspect_ratio)
    s = drawing._SUPERSAMPLE
    image = drawing._draw_background(shot, names, width * s, height * s)
    drawing._draw_labels(ImageDraw.Draw(image), shot, specs, image.width, image.height)
    return image.resize((width, height), Image.Resampling.BOX).tobytes()


def _shot(number: int, **fields: object) -> ShotSpec:
    return ShotSpec(
        shot_id=f"shot_{number:02d}",
        start_frame=0,
        end_frame=24 + 7 * number,
        lens_mm=[18, 35, 50, 85, 135][number % 5],
        **fields,
    )


KINDS = [
    {"characters": ["char_a", "char_b", "char_c"][: 1 + n % 3], "props": ["prop_x"] * (n % 2)}
    for n in range(3)
] + [{"characters": [], "props": ["prop_x"]}, {"characters": [], "props": []}]


def _combos() -> list[tuple[ShotSize, Framing, CameraAngle, CameraMovement, dict[str, list[str]]]]:
    """Every shot size x framing x content, and every angle x movement, the other fields
    cycling through their values (each pair that changes the drawing the most, covered)."""
    sizes, framings, angles = list(ShotSize), list(Framing), list(CameraAngle)
    moves = list(CameraMovement)
    out = [
        (size, framing, angles[n % len(angles)], moves[n % len(moves)], kind)
        for n, (size, framing, kind) in enumerate(itertools.product(sizes, framings, KINDS))
    ]
    out += [
        (sizes[n % len(sizes)], framings[n % len(framings)], angle, move, KINDS[n % len(KINDS)])
        for n, (angle, move) in enumerate(itertools.product(angles, moves))
    ]
    return out


def test_every_panel_kind_has_the_pixels_of_the_whole_drawing() -> None:
    specs = TechnicalSpecs()
    for n, (size, framing, angle, movement, kind) in enumerate(_combos()):
        fields = {"shot_size": size, "framing": framing, "camera_angle": angle}
        first = _shot(n % 90 + 1, camera_movement=movement, **fields, **kind)
        second = _shot(n % 90 + 2, camera_movement=movement, **fields, **kind)
        names = ["Ana", "Bruno", "Chloé"][: len(first.characters)]
        # The second panel reuses the first one's background.
        for shot in (first, second):
            drawn = sb.draw_panel(shot, specs, names).tobytes()
            assert drawn == _reference(shot, specs, names), (shot.shot_id, fields, movement)


@pytest.mark.parametrize("aspect", sorted(ASPECT_RATIOS))
def test_panels_of_every_aspect_ratio_have_the_pixels_of_the_whole_drawing(aspect: str) -> None:
    specs = TechnicalSpecs(aspect_ratio=aspect)
    for n, size in enumerate(ShotSize):
        shot = _shot(n + 1, shot_size=size, characters=["char_a"], framing=Framing.POV)
        for again in (shot, shot.model_copy(update={"shot_id": "shot_999b", "end_frame": 9999})):
            assert sb.draw_panel(again, specs, ["Ana"]).tobytes() == _reference(
                again, specs, ["Ana"]
            )


def test_panels_that_share_a_background_and_a_duration_have_the_pixels_of_the_whole_drawing() -> (
    None
):
    # The duration label is drawn once per background and kept; the shot's own label is not.
    specs = TechnicalSpecs()
    for size in ShotSize:
        shots = [
            _shot(n, shot_size=size, characters=["char_a"]).model_copy(
                update={"end_frame": 24 * (1 + n % 2), "lens_mm": [24, 50, 85][n % 3]}
            )
            for n in range(1, 8)
        ]
        for shot in shots:
            drawn = sb.draw_panel(shot, specs, ["Ana"]).tobytes()
            assert drawn == _reference(shot, specs, ["Ana"]), (shot.shot_id, size)
    # Long names move the label boxes: a kept label is never pasted at another box's place.
    wide = _shot(1, shot_size=ShotSize.MS, characters=["char_a"]).model_copy(
        update={"shot_id": "shot_0001b"}
    )
    assert sb.draw_panel(wide, specs, ["Ana"]).tobytes() == _reference(wide, specs, ["Ana"])
