"""The plan as the documents see it: shots, segments, elements and the document file names."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise

from storycore.tools.domain import (
    AssetMetadata,
    ElementType,
    ShotSpec,
    TechnicalSpecs,
)
from storycore.tools.errors import ProjectError
from storycore.tools.naming import ELEMENT_PREFIXES
from storycore.tools.project import Project
from storycore.tools.project.recent import Recent
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
    their files now hold them (taken instead of reading those files again).
    """
    elements: dict[str, AssetMetadata] = {}
    known = known or {}
    for ref in project.manifest.elements:
        rel = f"{ELEMENTS}/{ref.folder}/{ELEMENT_FILE}"
        if project.exists(rel):
            element = known.get(ref.element_id)
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


#: Per project root (the most recent few): the shots of its last plan, by shot id, so that
#: a plan made from the very same shot in the same folder and segment shares it (a one-shot
#: change then makes one, not one per shot). A memo of a pure function of its three
#: fields: nothing read from disk is kept.
_planned: Recent[dict[str, PlannedShot]] = Recent()


def _planned_shots(project: Project) -> tuple[dict[str, PlannedShot], dict[str, PlannedShot]]:
    """The last plan's shots of ``project`` (read only) and the dict the new plan's go to."""
    last = _planned.get(project.root) or {}
    return last, _planned.put(project.root, {})


def _planned_shot(
    last: dict[str, PlannedShot],
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


def load_plan(
    project: Project,
    shots: Sequence[ShotSpec] | None = None,
    *,
    elements: Mapping[str, AssetMetadata] | None = None,
) -> Plan:
    """Read the planned shots, segments and elements, and check that the cut is contiguous.

    ``shots``: the project's shots in timeline order when the caller has them in memory (the
    planner and a change just wrote them), so they are not read back; ``elements``: the same
    for elements (:func:`load_elements`).

    Raises :class:`ProjectError` if the project has no shots, if a segment names a shot the
    project does not have, if segments do not follow the timeline order, or if a shot does
    not start where the previous one ends.
    """
    manifest = project.manifest
    specs = manifest.technical_specs
    shots = list(shots) if shots is not None else load_shots(project)
    if not shots:
        raise ProjectError(f"{project.root} has no shots yet; plan the project first")
    for before, after in pairwise(shots):
        if after.start_frame != before.end_frame:
            problem = "a gap" if after.start_frame > before.end_frame else "an overlap"
            raise ProjectError(
                f"{after.shot_id} starts at frame {after.start_frame} but {before.shot_id} ends "
                f"at frame {before.end_frame} ({problem}); re-time the shots so they are "
                "contiguous"
            )
    folders = {ref.shot_id: f"{SHOTS}/{ref.folder}" for ref in manifest.shots}
    by_id = {shot.shot_id: shot for shot in shots}

    last, made = _planned_shots(project)
    segments: list[PlannedSegment] = []
    if manifest.segments:
        listed: list[str] = []
        for segment in manifest.segments:
            for shot_id in segment.shot_ids:
                if shot_id not in by_id:
                    raise ProjectError(
                        f"segment {segment.segment_id} lists {shot_id}, which the project does "
                        "not have; re-run the segmentation"
                    )
            listed.extend(segment.shot_ids)
            segments.append(
                PlannedSegment(
                    segment_id=segment.segment_id,
                    title=segment.title,
                    transition_in=segment.transition_in.value,
                    transition_out=segment.transition_out.value,
                    shots=[
                        _planned_shot(last, made, by_id[i], folders[i], segment.segment_id)
                        for i in segment.shot_ids
                    ],
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
        segments.append(
            PlannedSegment(
                segment_id="seg_01",
                title="",
                transition_in="cut",
                transition_out="cut",
                shots=[_planned_shot(last, made, s, folders[s.shot_id], "seg_01") for s in shots],
            )
        )
    return Plan(
        title=manifest.title,
        specs=specs,
        segments=segments,
        elements=load_elements(project, elements),
        style_words=_style_words(project),
    )
