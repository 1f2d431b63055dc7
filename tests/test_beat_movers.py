"""A beat where no one moves is not followed or shaken: what a camera tracks or holds by hand
is someone moving (a character, a person told by a noun, an animal), never the place when
only snow, smoke or a train moves in it. Briefs written for these tests."""

from __future__ import annotations

import pytest

from storycore.tools.breakdown import breakdown_brief
from storycore.tools.domain import CameraMovement
from storycore.tools.planner.intake import understand

_FOLLOWING = {CameraMovement.TRACKING, CameraMovement.HANDHELD, CameraMovement.ORBIT}


def _shot_of(text: str, sentence: str):  # type: ignore[no-untyped-def]
    shots = breakdown_brief(understand(text, source_name="story.md")).shots
    found = [s for s in shots if sentence in s.description]
    assert found, [(s.shot_size, s.description) for s in shots]
    return found[0]


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (
            "# Last Run\n\nA 30-second short film, 16:9.\n\nAt dawn in the station, Ola, a "
            "guard in a grey coat, unlocks the gate. Snow falls on the empty benches. Ola "
            "smiles.\n",
            "Snow falls on the empty benches.",
        ),
        (
            "# La Forge\n\nUn court métrage de 30 secondes, format 16:9.\n\nAu matin, dans la "
            "forge, Yann, un forgeron aux bras noircis, allume le feu. La fumée monte du toit. "
            "Yann sourit.\n",
            "La fumée monte du toit.",
        ),
        (
            "# Quai\n\nUn court métrage de 30 secondes, format 16:9.\n\nLe soir, dans la gare, "
            "Inès, une voyageuse au manteau rouge, attend sur le quai. Le train arrive. Inès "
            "sourit.\n",
            "Le train arrive.",
        ),
    ],
)
def test_what_moves_without_anyone_is_not_tracked(text: str, sentence: str) -> None:
    shot = _shot_of(text, sentence)
    assert shot.camera_movement not in _FOLLOWING, (shot.camera_movement, shot.description)
    assert not shot.characters


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (
            "# Open\n\nA 30-second short film, 16:9.\n\nIn the morning, in the bakery, Ana, "
            "a baker in a white apron, lifts the shutters. The first customer steps in out "
            "of the rain. Ana smiles.\n",
            "The first customer steps in",
        ),
        (
            "# Renard\n\nUn court métrage de 30 secondes, format 16:9.\n\nÀ l'aube, dans la "
            "forêt, Léo, un garçon au bonnet jaune, pose une pomme sur une souche. Le renard "
            "s'approche lentement. Léo sourit.\n",
            "Le renard s'approche lentement.",
        ),
    ],
)
def test_someone_unnamed_who_moves_is_still_followed(text: str, sentence: str) -> None:
    assert _shot_of(text, sentence).camera_movement is CameraMovement.TRACKING
