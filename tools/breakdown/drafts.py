"""A shot being designed (:class:`_Draft`), the :class:`Breakdown` result, and their wording."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from storycore.tools.domain import (
    CameraAngle,
    CameraMovement,
    DialogueLine,
    Framing,
    Scene,
    SceneType,
    ShotSize,
    ShotSpec,
    Transition,
)
from storycore.tools.fountain.timing import transition_named

ShotKind = Literal[
    "establishing", "action", "dialogue", "reaction", "insert", "narration", "coverage", "framed"
]


@dataclass
class _Draft:
    """A shot being designed: its framing, content and natural length (seconds)."""

    kind: ShotKind
    scene_index: int
    seconds: Fraction
    floor: Fraction
    elastic: bool
    shot_size: ShotSize
    framing: Framing
    camera_movement: CameraMovement
    scene_type: SceneType
    title: str
    description: str
    camera_angle: CameraAngle = CameraAngle.EYE_LEVEL
    action: str = ""
    camera_details: str = ""
    characters: list[str] = field(default_factory=list)
    props: list[str] = field(default_factory=list)
    dialogue: list[DialogueLine] = field(default_factory=list)
    narration: str | None = None
    notes: list[str] = field(default_factory=list)
    transition_in: Transition | None = None
    speech_seconds: Fraction = Fraction(0)
    #: Which of its beat's moments a coverage shot tells (None: the set-up alone, every
    #: moment being told by another shot of the beat).
    moment: int | None = None


@dataclass(frozen=True)
class Breakdown:
    """The result of :func:`design_shots`: the scenes, the timed shots, and what was changed
    to meet the target (one sentence each)."""

    scenes: list[Scene]
    shots: list[ShotSpec]
    warnings: list[str]
    rate: Fraction

    @property
    def total_frames(self) -> int:
        return self.shots[-1].end_frame if self.shots else 0


def _f(value: float) -> Fraction:
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


#: Shots that carry a beat of the story; coverage is added after them (not after inserts and
#: reactions, which already cover a beat).
def _people_framing(count: int) -> tuple[ShotSize, Framing]:
    """The size and framing that show ``count`` people (one or more) acting: a medium single,
    a medium wide two-shot, a wide group."""
    if count == 1:
        return ShotSize.MS, Framing.SINGLE
    return (ShotSize.MWS, Framing.TWO_SHOT) if count == 2 else (ShotSize.WS, Framing.GROUP)


_COVERAGE_HOSTS = frozenset({"establishing", "action", "dialogue", "narration"})


def _same_look(draft: _Draft, previous: _Draft) -> bool:
    """Whether two shots would look alike cut together (same set-up or same description)."""
    return draft.description == previous.description or (
        draft.shot_size == previous.shot_size
        and draft.framing == previous.framing
        and draft.camera_angle == previous.camera_angle
        and draft.camera_movement == previous.camera_movement
        and set(draft.characters) == set(previous.characters)
        and set(draft.props) == set(previous.props)
    )


def _parse_transition(text: str) -> Transition:
    named = transition_named(text)  # "FONDU ENCHAÎNÉ SUR :", "CUT :"
    if named is not None:
        return named
    cleaned = text.strip().strip(">").strip().rstrip(":.").strip()
    try:
        parsed: Transition = Transition.parse(cleaned)
    except ValueError:
        return Transition.CUT
    return parsed


def _movement_name(movement: CameraMovement) -> str:
    return {
        CameraMovement.STATIC: "static",
        CameraMovement.HANDHELD: "handheld, following the action",
        CameraMovement.TRACKING: "tracking alongside",
        CameraMovement.DOLLY_IN: "slow push in",
        CameraMovement.PAN: "slow pan",
        CameraMovement.ORBIT: "slow orbit",
    }.get(movement, movement.value.replace("_", " "))
