"""Resolving what a user names: shot references ("3", "4a", "shot_03") and scenes (by
number or words of their heading).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from storycore.tools.domain import Scene
from storycore.tools.errors import InvalidInput, NotFound
from storycore.tools.feedback.text import _words, fold

_SHOT_ID = re.compile(r"shot_(\d{2,4})([a-z]{0,2})")


def resolve_shot_ref(ref: str, shot_ids: Sequence[str]) -> list[str]:
    """The shot ids a user's reference names, in timeline order.

    ``"3"``, ``"shot 3"``, ``"shot_03"`` -> ``shot_03``; ``"4a"`` -> ``shot_04a``; ``"4"``
    when only ``shot_04a`` and ``shot_04b`` exist -> both parts. :class:`NotFound` names the
    reference when the project has no such shot.
    """
    text = fold(str(ref)).strip()
    text = re.sub(r"^(?:shot|plan)s?[\s_#]*", "", text)
    match = re.fullmatch(r"0*(\d{1,4})([a-z]{0,2})", text)
    if match is None:
        raise InvalidInput(f"{ref!r} is not a shot; name shots like shot_03, 3 or 4a")
    number, letters = int(match.group(1)), match.group(2)
    widths = (f"shot_{number:02d}", f"shot_{number:03d}", f"shot_{number:04d}")
    for candidate in (f"{width}{letters}" for width in widths):
        if candidate in shot_ids:
            return [candidate]
    if not letters:
        parts = []
        for shot_id in shot_ids:
            found = _SHOT_ID.fullmatch(shot_id)
            if found and int(found.group(1)) == number and found.group(2):
                parts.append(shot_id)
        if parts:
            return parts
    wanted = f"shot_{number:02d}{letters}"
    if not shot_ids:
        raise NotFound(f"the project has no shot {wanted}; it has no shots yet")
    return _missing_shot(wanted, shot_ids)


def _missing_shot(wanted: str, shot_ids: Sequence[str]) -> list[str]:
    raise NotFound(
        f"the project has no shot {wanted}; its shots run from {shot_ids[0]} to {shot_ids[-1]}"
    )


def _stem(word: str) -> str:
    for suffix in ("ings", "ing", "ent", "ers", "er", "es", "ed", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


_SCENE_STOP = _words(
    "the a an of with where in on at scene scenes sequence sequences la le les l de du des d "
    "ou avec dans sur au aux un une"
)


def resolve_scene(text: str, scenes: Sequence[Scene]) -> str:
    """The number of the scene ``text`` names: its number ("2", "scene 2") or words of its
    heading, location or description ("the dance scene", "la scène de la cuisine").

    :class:`NotFound` if no scene matches, :class:`InvalidInput` if several do equally.
    """
    folded = " ".join(fold(text).split())
    number = re.sub(r"^(?:the |la |le )?(?:scene|sequence|sc)[\s_#.]*", "", folded).strip()
    for scene in scenes:
        if fold(scene.number) == number or scene.scene_id == folded:
            return scene.number
    words = [w for w in re.findall(r"[a-z0-9]+", folded) if w not in _SCENE_STOP]
    if not words:
        raise InvalidInput(f"{text!r} does not name a scene; give its number or its place")
    wanted = [_stem(w) for w in words]

    def found(haystack: str) -> bool:
        stems = {_stem(w) for w in re.findall(r"[a-z0-9]+", fold(haystack))}
        return all(w in stems for w in wanted)

    head = [s for s in scenes if found(f"{s.heading} {s.location or ''}")]
    body = [
        s
        for s in scenes
        if found(
            f"{s.heading} {s.location or ''} {s.description} "
            + " ".join(b.text for b in s.beats if b.kind == "action")
        )
    ]
    matches = head or body
    if len(matches) == 1:
        return matches[0].number
    listed = ", ".join(f"{s.number} ({s.heading or s.location or s.scene_id})" for s in scenes)
    if not matches:
        raise NotFound(f"no scene matches {text!r}; the scenes are {listed}")
    numbers = " and ".join(s.number for s in matches)
    raise InvalidInput(f"{text!r} matches scenes {numbers}; say the scene number")
