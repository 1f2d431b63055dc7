"""Continuity between neighbouring shots of the same place and set-up."""

from __future__ import annotations

from collections.abc import Sequence

from storycore.tools.domain import (
    Scene,
    ShotSpec,
    Transition,
)
from storycore.tools.fountain import (
    time_relations,
)


def same_place_continuous(previous: ShotSpec, shot: ShotSpec, scenes: Sequence[Scene]) -> bool:
    """Whether ``shot`` follows ``previous`` in the same place with no cut in time: the same
    scene, or the next scene marked CONTINUOUS/SAME at the same location, joined by a cut."""
    return _continuous(previous, shot, _ContinuityIndex(scenes))


class _ContinuityIndex:
    """Scene order and time relations, computed once for many shot pairs."""

    def __init__(self, scenes: Sequence[Scene]) -> None:
        self.position = {scene.number: i for i, scene in enumerate(scenes)}
        self.relations = [t.relation for t in time_relations(scenes)]


def _continuous(previous: ShotSpec, shot: ShotSpec, index: _ContinuityIndex) -> bool:
    if previous.location is None or previous.location != shot.location:
        return False
    if shot.transition_in is not Transition.CUT:
        return False
    if previous.scene == shot.scene:
        return True
    before, after = index.position.get(previous.scene), index.position.get(shot.scene)
    if before is None or after is None or after != before + 1:
        return False
    return index.relations[after] == "continuous"


def _same_setup(previous: ShotSpec, shot: ShotSpec) -> bool:
    return (
        previous.shot_size == shot.shot_size
        and previous.framing == shot.framing
        and previous.camera_angle == shot.camera_angle
        and set(previous.characters) == set(shot.characters)
        and set(previous.props) == set(shot.props)
    )


def link_continuity(shots: Sequence[ShotSpec], scenes: Sequence[Scene]) -> list[ShotSpec]:
    """The shots with ``continues_from`` set where a shot picks up the previous one's last
    frame: same place, continuous time, a cut, and the same set-up (size, framing, angle,
    characters). A cut between different set-ups (wide to close-up) is not a continuation:
    its first frame cannot be the previous last frame. Values already set are kept."""
    index = _ContinuityIndex(scenes)
    out: list[ShotSpec] = []
    for position, shot in enumerate(shots):
        if position and shot.continues_from is None:
            previous = shots[position - 1]
            if _continuous(previous, shot, index) and _same_setup(previous, shot):
                shot = shot.model_copy(update={"continues_from": previous.shot_id})
        out.append(shot)
    return out
