"""The scene designer: one scene's beats to drafted shots, with coverage on demand."""

from __future__ import annotations

import re

from storycore.tools.breakdown.beat_shots import _BeatShots
from storycore.tools.breakdown.coverage_shots import _CoverageShots
from storycore.tools.breakdown.drafts import _Draft, _parse_transition
from storycore.tools.breakdown.text import _sentences
from storycore.tools.directions import stated_direction
from storycore.tools.domain import (
    Scene,
)
from storycore.tools.fountain import fold
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
                opening, entrance = self._before_entrance(chunks[0])
                rest = " ".join(c for c in (entrance, *chunks[1:]) if c)
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

    def _before_entrance(self, opening: str) -> tuple[str, str]:
        """The opening up to the sentence in which someone it has not named yet comes in,
        and the rest: "Marta pours tea. A knock. Tom enters, soaked." gives "Marta pours
        tea. A knock." and "Tom enters, soaked.". The establishing shot shows who is there
        when the scene opens (or nobody: "The kitchen is empty. Tom comes in."); the
        entrance is a shot of its own. A first sentence is the opening, whoever comes in."""
        there: set[str] = set()
        at = 0
        for index, sentence in enumerate(_sentences(opening)):
            found = opening.find(sentence, at)
            start = found if found >= 0 else at
            new = [name for name in self._who(sentence) if name not in there]
            if index and any(self._comes_in(sentence, name) for name in new):
                return opening[:start].rstrip(), opening[start:].strip()
            there.update(new)
            at = start + len(sentence)
        return opening, ""

    def _comes_in(self, sentence: str, name: str) -> bool:
        """Whether ``sentence`` has ``name`` come in: an entrance verb right after the name,
        or after one adverb ("Tom finally arrives", "Hugo arrive enfin"); a note in
        brackets ("PAUL (60 ans) entre") is skipped."""
        folded = fold(re.sub(r"\([^)]*\)", " ", sentence))
        key = fold(name)
        at = folded.find(key)
        if at < 0:
            return False
        after = folded[at + len(key) :].split()
        if after[:1] and (after[0].endswith("ly") or after[0] in _ADVERBS):
            after = after[1:]
        return bool(_ENTERS.match(" ".join(after[:4])))


#: What a person does coming into a scene ("Tom enters", "Lina arrive en courant"), folded.
_ENTERS = re.compile(
    r"\b(?:enters?|(?:comes?|walks?|steps?|runs?|rushes|rush|bursts?|hurries|hurry|slips?"
    r"|sneaks?|climbs?|barges?) in|arrives?|appears?|joins?|shows? up|turns? up"
    r"|(?:comes?|runs?|walks?|hurries) (?:up|down|over|back|through)"
    r"|(?:entre|entrent)(?! (?:les|des|deux|eux|elles|ses|leurs|mes|nos|vos|ces|nous|vous)\b)"
    r"|arrive|arrivent|rejoint|rejoignent|apparait|apparaissent|surgit"
    r"|surgissent|debarque|debarquent|revient|reviennent|fait irruption)\b"
)
#: Adverbs between a name and its verb ("Tom then enters"), folded.
_ADVERBS = frozenset({"then", "finally", "enfin", "soudain", "alors", "puis", "aussi"})


def _scene_changes_place(previous: Scene | None, scene: Scene) -> bool:
    if not scene.location:
        return False
    if previous is None or not previous.location:
        return True
    return element_id("location", previous.location) != element_id("location", scene.location)
