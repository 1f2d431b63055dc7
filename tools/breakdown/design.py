"""The scene designer: one scene's beats to drafted shots, with coverage on demand."""

from __future__ import annotations

from storycore.tools.breakdown.beat_shots import _BeatShots
from storycore.tools.breakdown.coverage_shots import _CoverageShots
from storycore.tools.breakdown.drafts import _Draft, _parse_transition
from storycore.tools.directions import stated_direction
from storycore.tools.domain import (
    Scene,
)
from storycore.tools.naming import element_id


class _SceneDesigner(_BeatShots, _CoverageShots):
    """Designs the shots of one scene; holds the coverage state between beats."""

    def design(self) -> list[_Draft]:
        beats = list(self.scene.beats)
        # Entry and exit transitions are the scene's; only those inside it matter here.
        while beats and beats[0].kind == "transition":
            beats.pop(0)
        while beats and beats[-1].kind == "transition":
            beats.pop()
        framed = bool(beats) and beats[0].kind == "action" and stated_direction(beats[0].text)
        if self.new_location and not framed:  # a scene the writer frames opens as written
            opening = ""
            if beats and beats[0].kind == "action":
                chunks = self._action_chunks(beats[0].text)
                opening = chunks[0]
                rest = " ".join(chunks[1:])
                beats[0] = beats[0].model_copy(update={"text": rest})
            self.establishing(opening, beats)
        index = 0
        while index < len(beats):
            beat = beats[index]
            if beat.kind == "transition":
                parsed = _parse_transition(beat.text)
                self.pending_transition = parsed
            elif beat.kind == "action":
                if beat.text.strip():
                    self.action(beat.text)
            elif beat.dual and index + 1 < len(beats) and beats[index + 1].dual:
                self.dialogue(beats[index : index + 2], beats[index + 2 :])
                index += 1
            else:
                self.dialogue([beat], beats[index + 1 :])
            index += 1
        if not self.drafts:
            # A scene with nothing to show still gets a shot of its place.
            self.establishing(self.scene.description)
        return self.drafts


def _scene_changes_place(previous: Scene | None, scene: Scene) -> bool:
    if not scene.location:
        return False
    if previous is None or not previous.location:
        return True
    return element_id("location", previous.location) != element_id("location", scene.location)
