"""The plan as the documents see it: shots, segments, elements and the document file names."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from itertools import compress, pairwise
from operator import attrgetter, is_not
from typing import Any

from storycore.tools.domain import (
    AssetMetadata,
    ElementType,
    Segment,
    ShotSpec,
    TechnicalSpecs,
)
from storycore.tools.errors import ProjectError
from storycore.tools.naming import ELEMENT_PREFIXES
from storycore.tools.project import Project
from storycore.tools.project.recent import Recent
from storycore.tools.project.stamps import stamps_of
from storycore.tools.structure import ELEMENTS, SHOTS, load_shots
from storycore.tools.timecode import format_smpte

STORYBOARD_JSON = "storyboard.json"
STORYBOARD_MD = "storyboard.md"
STORYBOARD_HTML = "storyboard.html"
VISUAL_STRATEGY_JSON = "visual_strategy.json"
PANEL_FILE = "panel.png"
ELEMENT_FILE = "element.json"


# --------------------------------------------------------------------------------------
# The plan as the documents see it
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedShot:
    """A shot with where it lives and which segment holds it."""

    spec: ShotSpec
    folder: str  # relative to the project: 02_shots/NN_Title
    segment_id: str

    @property
    def panel_path(self) -> str:
        return f"{self.folder}/{PANEL_FILE}"


@dataclass(frozen=True)
class PlannedSegment:
    segment_id: str
    title: str
    transition_in: str
    transition_out: str
    shots: list[PlannedShot]

    @property
    def start_frame(self) -> int:
        return self.shots[0].spec.start_frame

    @property
    def end_frame(self) -> int:
        return self.shots[-1].spec.end_frame


@dataclass(frozen=True)
class Plan:
    """A planned project read and checked: contiguous shots grouped by segment."""

    title: str
    specs: TechnicalSpecs
    segments: list[PlannedSegment]
    elements: dict[str, AssetMetadata] = field(default_factory=dict)
    style_words: list[str] = field(default_factory=list)

    @property
    def rate(self) -> Fraction:
        return self.specs.rate

    @property
    def drop_frame(self) -> bool:
        return self.specs.uses_drop_frame

    @property
    def shots(self) -> list[PlannedShot]:
        return [shot for segment in self.segments for shot in segment.shots]

    @property
    def start_frame(self) -> int:
        return self.segments[0].start_frame

    @property
    def end_frame(self) -> int:
        return self.segments[-1].end_frame

    def smpte(self, frames: int) -> str:
        return format_smpte(frames, self.rate, drop_frame=self.drop_frame)

    def element_name(self, element_id: str) -> str:
        element = self.elements.get(element_id)
        return element.name if element else element_id

    def element_type(self, element_id: str) -> ElementType | None:
        """The element's type, from the registry, else from its id's prefix (``char_``...)."""
        element = self.elements.get(element_id)
        if element is not None:
            return element.type
        prefix = element_id.split("_", 1)[0]
        for type_name, known in ELEMENT_PREFIXES.items():
            if prefix == known:
                return ElementType(type_name)
        return None


def load_elements(
    project: Project, known: Mapping[str, AssetMetadata] | None = None
) -> dict[str, AssetMetadata]:
    """Every element of the registry, by id (``01_elements/<folder>/element.json``).

    An element listed in ``project.json`` whose file is not written yet is described by its
    manifest entry (id, type, name). ``known``: elements the caller just read or wrote, as
    their files now hold them (taken instead of reading those files again); such a file is
    found there by its identity (:func:`stamps_of`: what the kernel's notifications keep,
    not a walk of its path), any other element as before.
    """
    elements: dict[str, AssetMetadata] = {}
    known = known or {}
    refs = project.manifest.elements
    rels = [f"{ELEMENTS}/{ref.folder}/{ELEMENT_FILE}" for ref in refs]
    found = stamps_of(project.root).many(rels) if known else [None] * len(rels)
    for ref, rel, stamp in zip(refs, rels, found, strict=True):
        element = known.get(ref.element_id)
        if element is not None and stamp is not None:
            elements[ref.element_id] = element
        elif project.exists(rel):
            if element is None:
                element = project.read_model(rel, AssetMetadata)
            elements[ref.element_id] = element
        else:
            elements[ref.element_id] = AssetMetadata(
                element_id=ref.element_id, type=ref.type, name=ref.name
            )
    return elements


def _style_words(project: Project) -> list[str]:
    # The brief is another engineer's file: take its style words if they are readable, and
    # never fail the storyboard over it.
    if not project.exists("creative_brief.json"):
        return []
    try:
        data = json.loads(project.read_bytes("creative_brief.json"))
    except (OSError, ValueError):
        return []
    words = data.get("style_words") if isinstance(data, dict) else None
    if not isinstance(words, list):
        return []
    return [w.strip() for w in words if isinstance(w, str) and w.strip()]


@dataclass(frozen=True)
class _Made:
    """What the last :func:`load_plan` of a project made, with the very objects it made it
    from (a memo of a pure function of them: nothing read from disk is kept)."""

    shots: list[ShotSpec]  # in timeline order
    entries: list[tuple[str, str]]  # each manifest shot entry's shot id and folder
    segments: list[Segment]  # the manifest's segments (empty: one implicit segment)
    heads: list[tuple[Any, ...]]  # what each said (:func:`_head`), its shot ids copied
    planned: list[PlannedSegment]
    by_id: dict[str, PlannedShot]
    at: list[tuple[int, int]]  # per timeline position: its segment's index, its index there


#: Per project root (the most recent few): its last plan (:class:`_Made`), so that the plan
#: of a change made from the very same shots but a few, in the same folders and segments,
#: makes only those few (:func:`_plan_again`), and a plan made the long way shares the
#: planned shot made of the very same shot in the same folder and segment.
_made: Recent[_Made] = Recent()

#: A plan is made again from the last one when at most one shot in this many changed (past
#: that, the long way costs about the same).
_AGAIN_SHARE = 8

_entry = attrgetter("shot_id", "folder")


def _head(segment: Segment) -> tuple[Any, ...]:
    """What a planned segment is made from in a manifest's segment (its shot ids the very
    list: copy it to keep it)."""
    return (
        segment.segment_id,
        segment.title,
        segment.transition_in,
        segment.transition_out,
        segment.shot_ids,
    )


def _planned_shot(
    last: Mapping[str, PlannedShot],
    made: dict[str, PlannedShot],
    spec: ShotSpec,
    folder: str,
    segment_id: str,
) -> PlannedShot:
    old = last.get(spec.shot_id)
    if old is None or old.spec is not spec or old.folder != folder or old.segment_id != segment_id:
        old = PlannedShot(spec, folder, segment_id)
    made[spec.shot_id] = old
    return old


def _segment_shots(
    last: Mapping[str, PlannedShot],
    made: dict[str, PlannedShot],
    segment: Segment,
    by_id: Mapping[str, ShotSpec],
    folders: Mapping[str, str],
) -> list[PlannedShot]:
    """The planned shots of ``segment`` (:func:`_planned_shot` of each, in one loop: the
    walk over every shot of a plan made the long way, so no call per shot); a shot the
    project does not have is refused."""
    segment_id = segment.segment_id
    planned: list[PlannedShot] = []
    append = planned.append
    last_get = last.get
    for shot_id in segment.shot_ids:
        spec = by_id.get(shot_id)
        if spec is None:
            raise ProjectError(
                f"segment {segment_id} lists {shot_id}, which the project does "
                "not have; re-run the segmentation"
            )
        folder = folders[shot_id]
        old = last_get(shot_id)
        if (
            old is None
            or old.spec is not spec
            or old.folder != folder
            or old.segment_id != segment_id
        ):
            old = PlannedShot(spec, folder, segment_id)
        made[shot_id] = old
        append(old)
    return planned


def _plan_again(
    last: _Made,
    shots: list[ShotSpec],
    entries: list[tuple[str, str]],
    segments: list[Segment],
) -> _Made | None:
    """``last`` made again for ``shots``: when the manifest's shot entries and segments say
    what they said then (the segments the very same entries) and the shots are the very
    same but a few, each with its id and still touching its neighbours, the planned shots of
    those few replace theirs (the others were checked then and are the very same shots).
    None, having made nothing, when that cannot be told (then the long way runs)."""
    if not segments or len(shots) != len(last.shots) or len(segments) != len(last.segments):
        return None
    if entries != last.entries or any(map(is_not, segments, last.segments)):
        return None
    if list(map(_head, segments)) != last.heads:  # a segment changed in place
        return None
    changed = list(compress(range(len(shots)), map(is_not, shots, last.shots)))
    if len(changed) > len(shots) // _AGAIN_SHARE + 1:
        return None
    planned = list(last.planned)
    by_id = dict(last.by_id)
    end = len(shots) - 1
    for position in changed:
        spec = shots[position]
        if spec.shot_id != last.shots[position].shot_id:
            return None
        if position and shots[position - 1].end_frame != spec.start_frame:
            return None  # the long way says where the gap or overlap is
        if position < end and shots[position + 1].start_frame != spec.end_frame:
            return None
        index, within = last.at[position]
        segment = planned[index]
        was = segment.shots[within]
        shot = PlannedShot(spec, was.folder, was.segment_id)
        if segment is last.planned[index]:  # its first changed shot: a list of its own
            segment = planned[index] = replace(segment, shots=list(segment.shots))
        segment.shots[within] = shot
        by_id[spec.shot_id] = shot
    return replace(last, shots=shots, planned=planned, by_id=by_id)


def _plan_long(
    last: _Made | None,
    shots: list[ShotSpec],
    entries: list[tuple[str, str]],
    segments: list[Segment],
) -> _Made:
    """The planned segments of ``shots`` (timeline order) as the manifest's shot entries
    (shot id, folder) and ``segments`` say, every shot looked at; refused when the segments
    do not list the shots in timeline order."""
    folders = {shot_id: f"{SHOTS}/{folder}" for shot_id, folder in entries}
    by_id = {shot.shot_id: shot for shot in shots}
    known = last.by_id if last is not None else {}
    made: dict[str, PlannedShot] = {}
    planned: list[PlannedSegment] = []
    if segments:
        listed: list[str] = []
        for segment in segments:
            listed.extend(segment.shot_ids)
            planned.append(
                PlannedSegment(
                    segment_id=segment.segment_id,
                    title=segment.title,
                    transition_in=segment.transition_in.value,
                    transition_out=segment.transition_out.value,
                    shots=_segment_shots(known, made, segment, by_id, folders),
                )
            )
        timeline = [shot.shot_id for shot in shots]
        if listed != timeline:
            missing = [i for i in timeline if i not in listed]
            detail = (
                f"{missing[0]} is in no segment"
                if missing
                else "they list shots out of timeline order or twice"
            )
            raise ProjectError(
                f"the segments do not cover the timeline ({detail}); re-run the segmentation"
            )
    else:
        # Not segmented yet: one implicit segment, so documents and exports still work.
        planned.append(
            PlannedSegment(
                segment_id="seg_01",
                title="",
                transition_in="cut",
                transition_out="cut",
                shots=[_planned_shot(known, made, s, folders[s.shot_id], "seg_01") for s in shots],
            )
        )
    heads = [(*head[:4], list(head[4])) for head in map(_head, segments)]
    at = [(index, within) for index, s in enumerate(planned) for within in range(len(s.shots))]
    return _Made(shots, entries, list(segments), heads, planned, made, at)


def load_plan(
    project: Project,
    shots: Sequence[ShotSpec] | None = None,
    *,
    elements: Mapping[str, AssetMetadata] | None = None,
) -> Plan:
    """Read the planned shots, segments and elements, and check that the cut is contiguous.

    ``shots``: the project's shots in timeline order when the caller has them in memory (the
    planner and a change just wrote them), so they are not read back; ``elements``: the same
    for elements (:func:`load_elements`). A plan of the very shots of this project's last
    plan but a few, in the same folders and segments, makes those few only
    (:func:`_plan_again`).

    Raises :class:`ProjectError` if the project has no shots, if a segment names a shot the
    project does not have, if segments do not follow the timeline order, or if a shot does
    not start where the previous one ends.
    """
    manifest = project.manifest
    specs = manifest.technical_specs
    shots = list(shots) if shots is not None else load_shots(project)
    if not shots:
        raise ProjectError(f"{project.root} has no shots yet; plan the project first")
    entries = list(map(_entry, manifest.shots))
    segments = list(manifest.segments)
    last = _made.get(project.root)
    made = _plan_again(last, shots, entries, segments) if last is not None else None
    if made is None:
        _check_contiguous(shots)
        made = _plan_long(last, shots, entries, segments)
    _made.put(project.root, made)
    return Plan(
        title=manifest.title,
        specs=specs,
        segments=list(made.planned),
        elements=load_elements(project, elements),
        style_words=_style_words(project),
    )


def _check_contiguous(shots: Sequence[ShotSpec]) -> None:
    """Refuse shots of which one does not start where the one before ends."""
    for before, after in pairwise(shots):
        if after.start_frame != before.end_frame:
            problem = "a gap" if after.start_frame > before.end_frame else "an overlap"
            raise ProjectError(
                f"{after.shot_id} starts at frame {after.start_frame} but {before.shot_id} ends "
                f"at frame {before.end_frame} ({problem}); re-time the shots so they are "
                "contiguous"
            )
