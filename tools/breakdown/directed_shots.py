"""Shots the writer framed in the story ("Close-up of an alarm clock: 4:45.", "Tracking shot:
Maya runs..."): the planner keeps the stated size, framing and move, and the words as written
(:mod:`storycore.tools.directions`)."""

from __future__ import annotations

from storycore.tools.breakdown.design_base import _DesignerBase
from storycore.tools.breakdown.drafts import _Draft, _f, _movement_name, _people_framing
from storycore.tools.breakdown.text import _sentence_case, _short
from storycore.tools.directions import Direction
from storycore.tools.domain import CameraAngle, CameraMovement, Framing, SceneType, ShotSize

_CLOSE = (ShotSize.CU, ShotSize.ECU)


class _DirectedShots(_DesignerBase):
    """The shot of an action line that opens on a shot direction."""

    def directed(self, text: str, direction: Direction) -> None:
        """One shot for ``text``, framed as its opening ``direction`` says; what the
        direction leaves open is chosen as for any action line."""
        who = self._who_or_pronoun(text)
        props = self._props_in(text)
        # What the direction leaves open: the people acting as any action line shows them,
        # else the prop close, else the place; a close-up of nobody is an insert of a thing.
        size, framing = (
            _people_framing(len(who))
            if who
            else (
                ShotSize.CU if props else ShotSize.WS,
                Framing.SINGLE,
            )
        )
        size = direction.shot_size or size
        if direction.framing is not None:
            framing = direction.framing
        elif size in _CLOSE and (
            not who or (direction.subject and not self._who(direction.subject))
        ):
            # a close-up of nobody, or of a thing the direction names ("Close on the parcel
            # strapped to her back"): an insert of that thing
            framing = Framing.INSERT
        if framing in (Framing.INSERT, Framing.POV):
            # an insert shows a thing, a POV what someone sees: only the people named in it
            seen = f"{direction.subject} {direction.rest}"
            who = [name for name in who if name in self._who(seen)]
        movement = direction.camera_movement or CameraMovement.STATIC
        scene_type = direction.scene_type or (
            SceneType.INSERT
            if framing is Framing.INSERT
            else SceneType.CLOSE_UP
            if size in _CLOSE and who
            else SceneType.ACTION
            if movement is CameraMovement.TRACKING
            else SceneType.ATMOSPHERIC
        )
        if framing is Framing.INSERT:
            self.inserted.update(props)
        self._add(
            _Draft(
                kind="framed",  # the writer's shot: never the host of coverage shots
                scene_index=self.index,
                seconds=self._action_seconds(text),
                floor=_f(self.pace.min),
                elastic=True,
                shot_size=size,
                framing=framing,
                camera_angle=CameraAngle.HIGH
                if scene_type is SceneType.ESTABLISHING and size is ShotSize.EWS
                else CameraAngle.EYE_LEVEL,
                camera_movement=movement,
                scene_type=scene_type,
                title=_sentence_case(_short(direction.phrase, 60)),
                description=_sentence_case(text),
                action=text,
                camera_details=f"{self._lens(size):g}mm, {_movement_name(movement)}",
                characters=who,
                props=props,
            )
        )
