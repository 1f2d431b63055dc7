"""Segments: runs of consecutive shots produced and reviewed together.

The rule (``docs/breakdown-rules.md``):

* a segment never starts in the middle of a scene unless the scene is longer than
  ``specs.max_segment_seconds``; such a scene is cut between shots into the fewest parts that
  fit, as even as the shot boundaries allow;
* a scene at least half the maximum long has its own segment; shorter consecutive scenes
  share one while the total stays within the maximum;
* a segment opens with its first shot's transition, or a dissolve when its scene jumps in
  time (LATER, THE NEXT MORNING, NIGHT after DAY) and nothing else was written;
* a segment depends on the previous one when its first shot continues the previous segment's
  last shot in the same place and continuous time (the same scene cut in two, or a
  CONTINUOUS scene at the same location): it must be generated after it, from its last frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from storycore.tools.breakdown import link_continuity
from storycore.tools.breakdown.continuity import _ContinuityIndex, _continuous
from storycore.tools.domain import Scene, Segment, ShotSpec, TechnicalSpecs, Transition
from storycore.tools.errors import InvalidInput
from storycore.tools.fountain import SceneTime, entry_transition, time_relations
from storycore.tools.timecode import seconds_to_frames

__all__ = ["SHORT_SCENE_FRACTION", "build_segments", "split_run"]

#: A scene shorter than this fraction of the maximum segment may share its segment.
SHORT_SCENE_FRACTION = 0.5


def _runs(shots: Sequence[ShotSpec]) -> list[list[ShotSpec]]:
    """Consecutive shots of the same scene."""
    runs: list[list[ShotSpec]] = []
    for shot in shots:
        if runs and runs[-1][-1].scene == shot.scene:
            runs[-1].append(shot)
        else:
            runs.append([shot])
    return runs


def _length(shots: Sequence[ShotSpec]) -> int:
    return sum(shot.duration_frames for shot in shots)


def _fill(shots: Sequence[ShotSpec], limit: int) -> list[list[ShotSpec]]:
    """Parts filled in order up to ``limit`` (a shot longer than it stands alone)."""
    parts: list[list[ShotSpec]] = []
    length = 0
    for shot in shots:
        if parts and length + shot.duration_frames <= limit:
            parts[-1].append(shot)
            length += shot.duration_frames
        else:
            parts.append([shot])
            length = shot.duration_frames
    return parts


def split_run(shots: Sequence[ShotSpec], max_frames: int) -> list[list[ShotSpec]]:
    """Cut a scene's shots into the fewest parts of at most ``max_frames`` each, as even as
    the shot boundaries allow (the smallest sum of squared part lengths). A single shot
    longer than the maximum stays whole, in a part of its own."""
    if _length(shots) <= max_frames or len(shots) == 1:
        return [list(shots)]
    # Filling in order gives the fewest parts; then the most even cut into that many.
    count = len(_fill(shots, max_frames))
    n = len(shots)
    prefix = [0]
    for shot in shots:
        prefix.append(prefix[-1] + shot.duration_frames)
    unreachable = float("inf")
    cost = [[unreachable] * (n + 1) for _ in range(count + 1)]
    cut = [[0] * (n + 1) for _ in range(count + 1)]
    cost[0][0] = 0
    for part in range(1, count + 1):
        for end in range(part, n + 1):
            for start in range(part - 1, end):
                length = prefix[end] - prefix[start]
                if length > max_frames and end - start > 1:
                    continue
                candidate = cost[part - 1][start] + length * length
                if candidate < cost[part][end]:
                    cost[part][end], cut[part][end] = candidate, start
    bounds = [n]
    for part in range(count, 0, -1):
        bounds.append(cut[part][bounds[-1]])
    bounds.reverse()
    return [list(shots[a:b]) for a, b in pairwise(bounds)]


def _title(group: Sequence[list[ShotSpec]], scenes: dict[str, Scene], part: str) -> str:
    names: list[str] = []
    for run in group:
        scene = scenes.get(run[0].scene)
        if scene is None:
            name = f"Scene {run[0].scene}"
        elif len(group) == 1:
            name = scene.heading or scene.location or f"Scene {scene.number}"
        else:
            name = scene.location or scene.heading or f"Scene {scene.number}"
        if name not in names:
            names.append(name)
    title = " / ".join(names)
    if len(title) > 120:
        title = title[:119].rstrip(" /") + "…"
    return f"{title} {part}".strip()


#: Each group: the scene runs it holds (whole, or one part of a long scene), and a part label
#: (``(1/3)``; "" for a whole scene).
_Group = tuple[list[list[ShotSpec]], str]


def build_segments(
    shots: Sequence[ShotSpec], scenes: Sequence[Scene], specs: TechnicalSpecs
) -> list[Segment]:
    """Group ``shots`` (in timeline order) into segments ``seg_01``, ``seg_02``... by the
    module's rules, with titles, time ranges, transitions and continuity dependencies.

    The given shots are updated in place: ``segment_id`` is set on every shot, and
    ``continues_from`` where a shot continues the previous one
    (:func:`storycore.tools.breakdown.link_continuity`; values already set are kept).
    """
    if not shots:
        return []
    _check_unique_ids(shots)
    max_frames = max(1, seconds_to_frames(specs.max_segment_seconds, specs.rate))
    relations = time_relations(scenes)
    groups = _group_runs(shots, max_frames)
    if len(groups) > 999:
        raise InvalidInput(
            f"the plan needs {len(groups)} segments, more than seg_999 allows; raise "
            "max_segment_seconds"
        )
    _link_continuity(shots, scenes)
    return _segments_of(groups, shots, scenes, relations)


def _check_unique_ids(shots: Sequence[ShotSpec]) -> None:
    """:class:`InvalidInput` naming the first shot id used twice, if any."""
    seen: set[str] = set()
    for shot in shots:
        if shot.shot_id in seen:
            raise InvalidInput(
                f"the shot id {shot.shot_id} is used twice; every shot needs its own id"
            )
        seen.add(shot.shot_id)


def _group_runs(shots: Sequence[ShotSpec], max_frames: int) -> list[_Group]:
    """The scene runs of ``shots`` grouped into segments: short consecutive scenes packed
    together within ``max_frames``, a long scene alone (cut by :func:`split_run` when it is
    longer than ``max_frames``)."""
    short = max_frames * SHORT_SCENE_FRACTION
    groups: list[_Group] = []
    packing: list[list[ShotSpec]] | None = None
    packed = 0
    for run in _runs(shots):
        length = _length(run)
        if length < short:
            if packing is not None and packed + length <= max_frames:
                packing.append(run)
                packed += length
            else:
                packing, packed = [run], length
                groups.append((packing, ""))
            continue
        packing = None
        pieces = split_run(run, max_frames)
        for number, piece in enumerate(pieces, start=1):
            label = f"({number}/{len(pieces)})" if len(pieces) > 1 else ""
            groups.append(([piece], label))
    return groups


def _link_continuity(shots: Sequence[ShotSpec], scenes: Sequence[Scene]) -> None:
    """Set ``continues_from`` on the shots that continue the previous one (kept where set)."""
    linked = link_continuity(shots, scenes)
    for shot, link in zip(shots, linked, strict=True):
        if shot.continues_from is None and link.continues_from is not None:
            shot.continues_from = link.continues_from


def _segments_of(
    groups: Sequence[_Group],
    shots: Sequence[ShotSpec],
    scenes: Sequence[Scene],
    relations: Sequence[SceneTime],
) -> list[Segment]:
    """One segment per group, in order, its shots given its id; a segment's transition in
    also sets the previous segment's transition out."""
    order = {shot.shot_id: i for i, shot in enumerate(shots)}
    by_number = {scene.number: scene for scene in scenes}
    position = {scene.number: i for i, scene in enumerate(scenes)}
    # same_place_continuous(before, first, scenes) builds this index at every call (the
    # scenes' time relations): once here, so many segments stay linear in the scenes.
    continuity = _ContinuityIndex(scenes)
    segments: list[Segment] = []
    for index, (group, label) in enumerate(groups):
        members = [shot for run in group for shot in run]
        first, last = members[0], members[-1]
        segment_id = f"seg_{index + 1:02d}"
        for shot in members:
            shot.segment_id = segment_id
        at = order[first.shot_id]
        before = shots[at - 1] if at > 0 else None
        transition_in = _transition_in(first, before, scenes, position, relations)
        depends_on: list[str] = []
        if segments and before is not None and _continuous(before, first, continuity):
            depends_on.append(segments[-1].segment_id)
        if segments and transition_in is not Transition.CUT:
            # A dissolve belongs to both sides of the join; a fade in follows a fade out.
            previous_segment = segments[-1]
            if previous_segment.transition_out is Transition.CUT:
                previous_segment.transition_out = (
                    Transition.FADE_OUT if transition_in is Transition.FADE_IN else transition_in
                )
        segments.append(
            Segment(
                segment_id=segment_id,
                title=_title(group, by_number, label),
                shot_ids=[shot.shot_id for shot in members],
                start_frame=first.start_frame,
                end_frame=last.end_frame,
                transition_in=transition_in,
                transition_out=last.transition_out,
                depends_on=depends_on,
            )
        )
    return segments


def _transition_in(
    first: ShotSpec,
    before: ShotSpec | None,
    scenes: Sequence[Scene],
    position: Mapping[str, int],
    relations: Sequence[SceneTime],
) -> Transition:
    """How a segment opens: its first shot's transition, or the scene's entry (a dissolve
    for a time jump) when the shot opens its scene with a plain cut."""
    transition_in = first.transition_in
    scene_at = position.get(first.scene)
    opens_scene = before is None or before.scene != first.scene
    if transition_in is Transition.CUT and opens_scene and scene_at is not None:
        # Shots made elsewhere may lack the scene's entry: a time jump still dissolves.
        previous_scene = scenes[scene_at - 1] if scene_at > 0 else None
        transition_in = entry_transition(
            previous_scene, scenes[scene_at], relations[scene_at].relation
        )
    return transition_in
