"""What a shot's media depends on: :func:`shot_generation_hash`, the continuity closure, and
the record of generated media (:func:`record_generated`, :func:`stale_shots`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from storycore.tools.domain import AssetMetadata, ShotSpec
from storycore.tools.errors import NotFound
from storycore.tools.project import Project
from storycore.tools.regeneration.index import indexed_shots, write_index
from storycore.tools.registry import AssetRegistry
from storycore.tools.structure import write_shots

#: The shot fields a shot's media depends on (with its duration, prompts and elements).
#: Left out on purpose: identity and place (shot_id, title, scene, segment_id, start/end
#: frames), transitions (editing; the cut marker reaches the video prompt anyway),
#: continuity links (handled as a dependency between shots), status and notes.
HASHED_FIELDS = (
    "shot_size",
    "framing",
    "camera_angle",
    "camera_movement",
    "camera_details",
    "lens_mm",
    "scene_type",
    "description",
    "action",
    "characters",
    "location",
    "props",
    "time_of_day",
    "weather",
    "music_cue",
    "vocals_type",
    "lyrics_ref",
    "dialogue",
    "narration",
    "sound_effects",
    "start_keyframe",
    "end_keyframe",
    "reference_images",
    "aspect_ratio",
    "fps",
    "resolution",
    "model_id",
    "image_prompt",
    "video_prompt",
    "negative_prompt",
)


def _element_hash(element: AssetMetadata | None) -> str:
    return element.content().digest() if element is not None else "missing"


def shot_generation_hash(shot: ShotSpec, elements: Mapping[str, AssetMetadata]) -> str:
    """A SHA-256 of everything the shot's media depends on: the fields of
    :data:`HASHED_FIELDS` (prompts included), its duration in frames and the content hashes
    of the elements it shows. Its place in the timeline is not part of it."""
    data: dict[str, Any] = shot.model_dump(mode="json", include=set(HASHED_FIELDS))
    data["duration_frames"] = shot.duration_frames
    data["elements"] = {eid: _element_hash(elements.get(eid)) for eid in shot.element_ids()}
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _continuity_closure(shots: Sequence[ShotSpec], seeds: Iterable[str]) -> set[str]:
    """``seeds`` plus every shot that continues (transitively) from one of them."""
    out = set(seeds)
    if not out:
        return out
    followers: dict[str, list[str]] = {}  # shot id -> the shots continuing from it
    for shot in shots:
        if shot.continues_from is not None:
            followers.setdefault(shot.continues_from, []).append(shot.shot_id)
    todo = list(out)
    while todo:
        for follower in followers.get(todo.pop(), ()):
            if follower not in out:
                out.add(follower)
                todo.append(follower)
    return out


def stale_shots(project: Project) -> list[str]:
    """Shots (timeline order) whose media is missing or was made from another spec: no
    ``generation_hash``, a different one, or continuing from such a shot."""
    shots = indexed_shots(project)
    elements = {e.element_id: e for e in AssetRegistry(project).list()}
    stale = {
        s.shot_id
        for s in shots
        if s.generation_hash is None or s.generation_hash != shot_generation_hash(s, elements)
    }
    stale = _continuity_closure(shots, stale)
    return [s.shot_id for s in shots if s.shot_id in stale]


def record_generated(project: Project, shot_ids: Iterable[str]) -> list[str]:
    """Record that the media of these shots was generated from their current spec (the
    renderer calls this). Returns the ids recorded."""
    wanted = set(shot_ids)
    with project.transaction("record generated media") as tx:
        shots = indexed_shots(project)
        known = {s.shot_id for s in shots}
        for shot_id in sorted(wanted - known):
            raise NotFound(f"the project has no shot {shot_id!r}")
        elements = {e.element_id: e for e in AssetRegistry(project).list()}
        updated = [
            s.model_copy(update={"generation_hash": shot_generation_hash(s, elements)})
            for s in shots
            if s.shot_id in wanted
        ]
        write_shots(tx, updated)
        changed = {s.shot_id: s for s in updated}
        write_index(tx, [changed.get(s.shot_id, s) for s in shots])
    return [s.shot_id for s in updated]
