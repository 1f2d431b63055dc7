"""The simulator: a change played on a copy of the plan (:class:`Planner`), and
:func:`plan_changes`, which runs it and compares the hashes before and after. Nothing is
written; the handler of each kind of modification lives in an ``edit_*`` module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from itertools import chain, compress, count, filterfalse, repeat
from operator import attrgetter, is_not
from typing import Any

from storycore.tools.breakdown import retime, split_long_shots
from storycore.tools.domain import (
    AssetMetadata,
    ElementStatus,
    Scene,
    Segment,
    ShotSpec,
    ShotStatus,
    TechnicalSpecs,
)
from storycore.tools.errors import ConflictError, InvalidInput, NotFound
from storycore.tools.feedback import (
    MODIFICATION_TYPES,
    Modification,
    parse_modifications,
    resolve_shot_ref,
)
from storycore.tools.i18n import Messages, display_language
from storycore.tools.model_registry import Kind, ModelCapability, ModelRegistry, max_clip_frames
from storycore.tools.planner import read_scenes
from storycore.tools.project import Project
from storycore.tools.prompt_builder import build_shot_prompts
from storycore.tools.rates import parse_rate
from storycore.tools.regeneration import (
    edit_elements,
    edit_locks,
    edit_models,
    edit_project,
    edit_shots,
)
from storycore.tools.regeneration.hashes import (
    _continuity_closure,
    _element_hash,
    shot_generation_hash,
)
from storycore.tools.regeneration.index import indexed_shots
from storycore.tools.regeneration.plan import (
    DOCUMENTS,
    ChangePlan,
    _existing_exports,
    _fingerprint,
    _Outcome,
)
from storycore.tools.registry import AssetRegistry
from storycore.tools.structure import VIDEOS

#: Modification kind -> its handler (each ``edit_*`` module lists the kinds it edits).
HANDLERS: dict[type[Any], Callable[[Planner, Any], None]] = {
    **edit_shots.HANDLERS,
    **edit_elements.HANDLERS,
    **edit_models.HANDLERS,
    **edit_locks.HANDLERS,
    **edit_project.HANDLERS,
}
_UNHANDLED = [kind.__name__ for kind in MODIFICATION_TYPES if kind not in HANDLERS]
if _UNHANDLED:  # a new kind of modification needs its handler in an edit_* module
    raise ImportError(f"no regeneration handler for {', '.join(_UNHANDLED)}")


_shot_id = attrgetter("shot_id")
_segment_id = attrgetter("segment_id")
_start_frame = attrgetter("start_frame")
_end_frame = attrgetter("end_frame")


def _place(shot: ShotSpec) -> dict[str, Any]:
    """The fields that say where a shot is (its prompts and media do not depend on them)."""
    return {
        "start_frame": shot.start_frame,
        "end_frame": shot.end_frame,
        "segment_id": shot.segment_id,
    }


class Planner:
    """Simulates a change on a copy of the plan (nothing is written).

    A handler changes a shot by putting a new one in its place (:meth:`replace`), never by
    setting a field of ``shots[i]``: the shots are shared with ``before_shots``."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.specs = project.manifest.technical_specs
        # a ChangeProjectSpec replaces ``specs``, never this
        self.before_specs = self.specs.model_copy(deep=True)
        #: The messages the summary and warnings are written with (the answer language).
        self.m = Messages(display_language(self.specs.language))
        self.rate = self.specs.rate
        # One look at each shot file serves both the fingerprint and the index check.
        self.fingerprint, looked = _fingerprint(project)
        self._models: ModelRegistry | None = None
        self.registry = AssetRegistry(project, cards=False)
        self._scenes: list[Scene] | None = None
        self.before_shots = indexed_shots(project, looked=looked)
        # Shared with the documents the project keeps (not copied): never changed in place.
        self.before_elements = {e.element_id: e for e in self.registry._list_shared(looked)}
        self.before_segments = list(project.manifest.segments)
        # Handlers replace a shot or an element (``replace``, ``model_copy(update=...)``), never
        # change one in place: the list and the dict are copied, the shots and elements are
        # shared with ``before_shots`` and ``before_elements``.
        self.shots = list(self.before_shots)
        self.elements = dict(self.before_elements)
        self.normalised: list[Modification] = []
        self.summary: list[str] = []
        self.warnings: list[str] = []
        self.forced: set[str] = set()
        self.targeted: dict[str, str] = {}  # shot id -> what the user asked (remove, move...)
        self.unlocked: set[str] = set()
        self.lock_elements: list[str] = []
        self.inserted: list[str] = []
        self.moved: list[str] = []
        self.element_notes: dict[str, list[str]] = {}
        self._used_ids: set[str] | None = None
        self._before_by_id: dict[str, ShotSpec] | None = None
        self._positions: dict[str, int] | None = None  # shot id -> its position before

    # -- lookups -------------------------------------------------------------------------

    @property
    def scenes(self) -> list[Scene]:
        # Read on first use: only a change that names a scene needs them.
        if self._scenes is None:
            self._scenes = read_scenes(self.project)
        return self._scenes

    @property
    def used_ids(self) -> set[str]:
        """Every shot id the project used: its shots' and its rendered clips' (a new shot
        must take none of them). Found on first use: only a change that makes a shot asks."""
        if self._used_ids is None:
            self._used_ids = {s.shot_id for s in self.before_shots} | self._rendered_ids()
        return self._used_ids

    @property
    def models(self) -> ModelRegistry:
        # Loaded on first use: most changes never need the models file.
        if self._models is None:
            self._models = ModelRegistry.load(self.project.root)
        return self._models

    def _rendered_ids(self) -> set[str]:
        # A removed shot's clips stay in 03_videos: its id must never name another shot.
        base = self.project.path(VIDEOS)
        if not base.is_dir():
            return set()
        ids = set()
        for path in base.rglob("shot_*"):
            match = re.match(r"(shot_\d{2,4}[a-z]{0,2})(?![a-z0-9])", path.name)
            if match:
                ids.add(match.group(1))
        return ids

    @property
    def before_by_id(self) -> dict[str, ShotSpec]:
        """The shots before the change by id (made once: ``before_shots`` never changes)."""
        if self._before_by_id is None:
            shots = self.before_shots
            self._before_by_id = dict(zip(map(_shot_id, shots), shots, strict=True))
        return self._before_by_id

    def touched(self) -> list[int] | None:
        """The positions whose shot is not the very shot that was there before the change,
        or None when the plan no longer has as many shots as before."""
        if len(self.shots) != len(self.before_shots):
            return None
        return list(compress(range(len(self.shots)), map(is_not, self.shots, self.before_shots)))

    def before_ids(self) -> list[str]:
        """The shot ids before the change, in timeline order."""
        return (
            list(self.before_by_id)
            if len(self.before_by_id) == len(self.before_shots)
            else (list(map(_shot_id, self.before_shots)))
        )

    def ids(self) -> list[str]:
        """The shot ids of the simulated plan, in timeline order."""
        return list(map(_shot_id, self.shots))

    def index(self, shot_id: str) -> int:
        """The position of a shot in the simulated plan (NotFound if it is gone): its
        position before the change while the shot there is still the one of that id (the
        ids are unique: a change never gives a shot an id in use), else searched."""
        if self._positions is None:
            ids = self.before_ids()
            positions = dict(zip(ids, count()))
            self._positions = positions if len(positions) == len(ids) else {}
        at = self._positions.get(shot_id)
        shots = self.shots
        if at is not None and at < len(shots) and shots[at].shot_id == shot_id:
            return at
        try:
            return self.ids().index(shot_id)
        except ValueError:
            raise NotFound(f"the plan has no shot {shot_id!r} (any more)") from None

    def shot(self, shot_id: str) -> ShotSpec:
        """The shot of this id in the simulated plan."""
        return self.shots[self.index(shot_id)]

    def replace(self, shot: ShotSpec) -> None:
        """Put a changed shot in place of the one with its id."""
        self.shots[self.index(shot.shot_id)] = shot

    def refs(self, ref: str) -> list[str]:
        """The shots a reference names (a split shot's number names all its parts)."""
        try:
            self.index(ref)
        except NotFound:
            return resolve_shot_ref(ref, self.ids())
        return [ref]

    def one(self, ref: str, what: str) -> str:
        """The single shot a reference names (InvalidInput if it names several)."""
        found = self.refs(ref)
        if len(found) > 1:
            raise InvalidInput(
                f"{ref!r} names {len(found)} shots ({', '.join(found)}); {what} one of them"
            )
        return found[0]

    def element_id(self, ref: str) -> str:
        """The id of the element a reference (id or name) names."""
        if ref in self.elements:
            return ref
        return self.registry.resolve(ref).element_id

    def video_model(self, name: str) -> ModelCapability:
        """The video model a name names (InvalidInput for a model of another kind)."""
        model = self.models.get(name)
        if Kind.VIDEO not in model.kinds:
            kinds = ", ".join(k.value for k in model.kinds)
            raise InvalidInput(
                f"{model.name} ({model.id}) is a {kinds} model; shots need a video model "
                "(`storycore models list` shows them)"
            )
        return model

    # -- modifications -------------------------------------------------------------------

    def apply(self, modification: Modification) -> None:
        """Simulate one modification on the copy of the plan (its kind's handler)."""
        HANDLERS[type(modification)](self, modification)

    def split_too_long(self, shot_ids: Sequence[str]) -> None:
        """Split the shots longer than their model's longest clip into parts (the planner's
        rule), keeping the others as they are."""
        wanted = set(shot_ids)

        def limit(shot: ShotSpec) -> int:
            if shot.shot_id not in wanted or not shot.model_id or shot.model_id not in self.models:
                return max(shot.duration_frames, 1)
            return max_clip_frames(self.models.get(shot.model_id), self.rate)

        positioned = retime(self.shots, self.rate)
        split = split_long_shots(positioned, limit, self.specs.language)
        if len(split) == len(positioned):
            return
        # Walk both lists: a shot that is not where it was became the parts that follow.
        by_origin: dict[str, list[str]] = {}
        j = 0
        for shot in positioned:
            if split[j].shot_id == shot.shot_id:
                j += 1
                continue
            parts, total = [], 0
            while total < shot.duration_frames:
                parts.append(split[j].shot_id)
                total += split[j].duration_frames
                j += 1
            by_origin[shot.shot_id] = parts
        self.shots = split
        for origin, parts in by_origin.items():
            model_id = self.shot(parts[0]).model_id
            model = self.models.get(model_id) if model_id and model_id in self.models else None
            if model is not None and model.clip_limit_seconds is not None:
                line = self.m(
                    "change.split_most",
                    shot=origin,
                    parts=", ".join(parts),
                    model=model.name,
                    seconds=f"{float(model.clip_limit_seconds):g}",
                )
            else:
                line = self.m("change.split", shot=origin, parts=", ".join(parts))
            self.summary.append(line)
            self.used_ids.update(parts)
            if origin in self.inserted:
                self.inserted = [i for i in self.inserted if i != origin] + parts
            else:
                self.targeted.setdefault(origin, "split")

    # -- the result ----------------------------------------------------------------------

    def _segments(self, regenerated: set[str]) -> tuple[list[Segment] | None, list[str]]:
        """The segments after the change (None: the project has none) and those to
        reassemble. Shots keep their segment; a new or moved shot joins the segment of the
        shot before it; an emptied segment disappears."""
        if not self.before_segments:
            return None, []
        by_id = {seg.segment_id: seg for seg in self.before_segments}
        runs = self._runs_as_before(by_id)
        if runs is None:
            runs = self._runs(by_id)
        segments: list[Segment] = []
        redo: list[str] = []
        for segment_id, members, ids in runs:
            before = by_id[segment_id]
            changed = ids != before.shot_ids or not regenerated.isdisjoint(ids)
            update = {
                "shot_ids": ids,
                "start_frame": members[0].start_frame,
                "end_frame": members[-1].end_frame,
                "status": ShotStatus.PENDING if changed else before.status,
            }
            if not changed and (before.start_frame, before.end_frame) == (
                update["start_frame"],
                update["end_frame"],
            ):
                segments.append(before)  # as it was: not copied (never changed in place)
            else:
                segments.append(before.model_copy(update=update))
            if changed:
                redo.append(segment_id)
        gone = sorted(set(by_id) - {s.segment_id for s in segments})
        for segment_id in gone:
            self.summary.append(self.m("change.segment_removed", segment=segment_id))
        if gone:
            segments = [
                seg.model_copy(update={"depends_on": [d for d in seg.depends_on if d not in gone]})
                for seg in segments
            ]
        return segments, sorted(redo)

    def _runs_as_before(
        self, by_id: Mapping[str, Segment]
    ) -> list[tuple[str, list[ShotSpec], list[str]]] | None:
        """The runs of :meth:`_runs` when the shots are still in the segments as they were
        (each segment's shots, in its order, every shot naming its segment, no segment empty
        or named twice): each segment's slice of the shots, nothing copied; None otherwise."""
        before = self.before_segments
        if len(by_id) != len(before) or not all(seg.shot_ids for seg in before):
            return None
        ids = self.ids()
        if ids != list(chain.from_iterable(seg.shot_ids for seg in before)):
            return None
        named = list(map(_segment_id, self.shots))
        if named != list(
            chain.from_iterable(repeat(seg.segment_id, len(seg.shot_ids)) for seg in before)
        ):
            return None
        runs, start = [], 0
        for seg in before:
            end = start + len(seg.shot_ids)
            runs.append((seg.segment_id, self.shots[start:end], ids[start:end]))
            start = end
        return runs

    def _runs(self, by_id: Mapping[str, Segment]) -> list[tuple[str, list[ShotSpec], list[str]]]:
        """Each segment's id, shots and their ids after the change, in timeline order (a
        shot moved into another segment is given its id: a copy in ``shots``)."""
        runs: list[tuple[str, list[ShotSpec]]] = []
        seen: set[str] = set()
        for i, shot in enumerate(self.shots):
            segment_id = shot.segment_id if shot.segment_id in by_id else None
            if runs and (segment_id is None or segment_id == runs[-1][0] or segment_id in seen):
                segment_id = runs[-1][0]
            elif segment_id is None:
                segment_id = self.before_segments[0].segment_id
            if not runs or runs[-1][0] != segment_id:
                runs.append((segment_id, []))
                seen.add(segment_id)
            if shot.segment_id != segment_id:
                shot = shot.model_copy(update={"segment_id": segment_id})
                self.shots[i] = shot
            runs[-1][1].append(shot)
        return [(segment_id, members, [s.shot_id for s in members]) for segment_id, members in runs]

    def _prompted(
        self,
        shots: Sequence[ShotSpec],
        elements: Mapping[str, AssetMetadata],
        specs: TechnicalSpecs | None = None,
    ) -> dict[str, ShotSpec]:
        override = self.project.path("prompts")
        folder = override if override.is_dir() else None
        specs = specs or self.specs
        return {
            s.shot_id: build_shot_prompts(s, elements, specs, override_dir=folder).apply_to(s)
            for s in shots
        }

    def _check_locks(
        self, regenerated: set[str], changed_elements: list[str], after: set[str] | None = None
    ) -> None:
        """Refuse to rewrite a locked or approved shot or element without its Unlock
        (``after``: the ids of the shots after the change, when the caller has them)."""
        before = self.before_by_id
        after_ids = set(self.ids()) if after is None else after
        touched = dict(self.targeted)
        for shot_id in regenerated:
            touched.setdefault(shot_id, "regenerate")
        for shot_id in filterfalse(after_ids.__contains__, before):
            touched.setdefault(shot_id, "remove")
        for shot_id, action in touched.items():
            shot = before.get(shot_id)
            if shot is None or shot_id in self.unlocked:
                continue
            if action == "move" and not shot.locked:
                continue  # an approved clip stays valid wherever it goes
            if shot.locked or shot.status is ShotStatus.APPROVED:
                state = "locked" if shot.locked else "approved"
                verb = {"remove": "remove", "move": "move", "split": "split"}.get(action, "redo")
                raise ConflictError(
                    f"{shot_id} is {state} and this change would {verb} it; add an Unlock of "
                    f"{shot_id} to the change (say 'unlock {shot_id}') to allow it"
                )
        for element_id in changed_elements:
            element = self.before_elements.get(element_id)
            if element is None or element_id in self.unlocked:
                continue
            if element.status in (ElementStatus.LOCKED, ElementStatus.APPROVED):
                raise ConflictError(
                    f"{element_id} is {element.status.value} and this change would rewrite it; "
                    f"add an Unlock of {element_id} to the change (say 'unlock {element.name}') "
                    "to allow it"
                )

    def _final_shots(
        self, regenerated: set[str], after_prompted: Mapping[str, ShotSpec]
    ) -> list[ShotSpec]:
        """The shots after the change: a regenerated one gets its rebuilt prompts, version + 1,
        status pending and no generation hash."""
        before_by_id = self.before_by_id
        final: list[ShotSpec] = []
        for shot in self.shots:
            if shot.shot_id in regenerated:
                previous = before_by_id.get(shot.shot_id)
                prompted = after_prompted.get(shot.shot_id)
                if prompted is None:  # forced or continuing: its prompts did not change
                    prompted = self._prompted([shot], self.elements)[shot.shot_id]
                shot = prompted.model_copy(
                    update={
                        "start_frame": shot.start_frame,
                        "end_frame": shot.end_frame,
                        "segment_id": shot.segment_id,
                        "status": ShotStatus.PENDING,
                        "version": previous.version + 1 if previous else shot.version,
                        "generation_hash": None,
                    }
                )
            final.append(shot)
        return final

    def _element_updates(
        self, changed_elements: Sequence[str]
    ) -> dict[str, tuple[str, dict[str, str], str]]:
        """Element id -> (new description, changed attributes ("" removes one), note)."""
        element_updates: dict[str, tuple[str, dict[str, str], str]] = {}
        for element_id in changed_elements:
            old = self.before_elements[element_id]
            new = self.elements[element_id]
            delta = {k: v for k, v in new.attributes.items() if old.attributes.get(k) != v}
            delta.update({k: "" for k in old.attributes if k not in new.attributes})
            note = "; ".join(self.element_notes.get(element_id, [])) or "feedback"
            element_updates[element_id] = (new.canonical_description, delta, note)
        return element_updates

    def _may_change_prompts(self, changed_elements: Sequence[str]) -> list[str]:
        """The shots whose prompts or generation hash can differ after the change: new shots,
        shots whose spec changed (other than their place: start, end, segment), shots showing
        a changed element, and every shot when the technical specs changed (a shot whose
        duration changed has changed: the duration is hashed). A shot's prompts
        are a function of its spec (place left out), its elements and the specs only, so the
        others keep their hash and their prompts are not rebuilt: an edit costs what it
        changes."""
        if self.specs != self.before_specs:
            return self.ids()
        before = self.before_by_id
        changed = set(changed_elements)
        shots: Sequence[ShotSpec] = self.shots
        touched = self.touched() if not changed else None
        if touched is not None and len(before) == len(self.before_shots):
            # The very shot that was in a place, with no element changed, cannot differ:
            # only the others are compared (in timeline order, as the long way).
            shots = [self.shots[i] for i in touched]
        out = []
        for shot in shots:
            old = before.get(shot.shot_id)
            if (
                old is None
                or (changed and any(e in changed for e in shot.element_ids()))
                or (
                    shot is not old  # a shot the change did not touch is the same object
                    and shot != old
                    and (
                        shot.duration_frames != old.duration_frames
                        or shot.model_copy(update=_place(old)) != old
                    )
                )
            ):
                out.append(shot.shot_id)
        return out

    def finish(self) -> ChangePlan:
        """The plan of the simulated change: what to regenerate, and what to write."""
        self.shots = _retimed(self.shots, self.rate)
        # An element no handler replaced is the very object it was: unchanged, not hashed.
        changed_elements = sorted(
            e
            for e, element in self.elements.items()
            if element is not self.before_elements.get(e)
            and _element_hash(element) != _element_hash(self.before_elements.get(e))
        )
        candidates = set(self._may_change_prompts(changed_elements))
        ids_now = self.ids()  # the shots stay as they are until the segments are made
        set_now = set(ids_now)
        before_prompted = self._prompted(
            list(compress(self.before_shots, map(candidates.__contains__, self.before_ids()))),
            self.before_elements,
            self.before_specs,
        )
        after_prompted = self._prompted(
            list(compress(self.shots, map(candidates.__contains__, ids_now))), self.elements
        )
        before_hash = {
            i: shot_generation_hash(s, self.before_elements) for i, s in before_prompted.items()
        }
        after_hash = {i: shot_generation_hash(s, self.elements) for i, s in after_prompted.items()}
        seeds = {i for i, h in after_hash.items() if before_hash.get(i) != h} | (
            self.forced & set_now
        )
        regenerated = _continuity_closure(self.shots, seeds)
        self._check_locks(regenerated, changed_elements, set_now)
        segments, redo_segments = self._segments(regenerated)
        for shot_id in sorted(regenerated - seeds):
            self.summary.append(self.m("change.continues", shot=shot_id))

        final = self._final_shots(regenerated, after_prompted)
        element_updates = self._element_updates(changed_elements)
        element_unlocks = [
            e
            for e in sorted(self.unlocked)
            if e in self.before_elements and self.before_elements[e].status is ElementStatus.LOCKED
        ]
        element_force = [
            e
            for e in changed_elements
            if e in self.unlocked and self.before_elements[e].status is ElementStatus.APPROVED
        ]
        timeline = list(map(_shot_id, final))
        kept, inserted = set(timeline), set(self.inserted)
        removed = list(filterfalse(kept.__contains__, self.before_ids()))
        regenerated_ids = list(filter(regenerated.__contains__, timeline))
        documents = list(DOCUMENTS) + _existing_exports(self.project)
        note = "feedback: " + ("; ".join(self.summary)[:180] or "no change")
        outcome = _Outcome(
            fingerprint=self.fingerprint,
            shots=final,
            segments=segments,
            element_updates=element_updates,
            element_unlocks=element_unlocks,
            element_force=element_force,
            element_locks=list(dict.fromkeys(self.lock_elements)),
            regenerated=list(regenerated_ids),
            hashes=after_hash,
            note=note,
            specs=self.specs if self.specs != self.before_specs else None,
            before_shots=self.before_shots,
        )
        return ChangePlan(
            modifications=self.normalised,
            regenerate_shots=regenerated_ids,
            regenerate_segments=redo_segments,
            regenerate_elements=changed_elements,
            documents=documents,
            summary=self.summary,
            warnings=self.warnings,
            inserted_shots=list(filter(inserted.__contains__, timeline)),
            removed_shots=removed,
            moved_shots=[i for i in self.moved if i in kept],
            outcome=outcome,
        )


def _retimed(shots: Sequence[ShotSpec], rate: Fraction) -> list[ShotSpec]:
    """:func:`retime` of ``shots``, keeping each shot that already starts and ends where it
    should (the same object, not a copy): a one-shot change copies the shots it moves."""
    parse_rate(rate)
    starts = list(map(_start_frame, shots))
    if not starts or (starts[0] == 0 and starts[1:] == list(map(_end_frame, shots))[:-1]):
        return list(shots)  # each starts where the one before ends: nothing moves
    out: list[ShotSpec] = []
    start = 0
    append = out.append
    for shot in shots:
        first = shot.start_frame
        length = shot.end_frame - first  # its duration_frames
        if first != start:
            shot = shot.model_copy(update={"start_frame": start, "end_frame": start + length})
        append(shot)
        start += length
    return out


def plan_changes(
    project: Project, modifications: Sequence[Modification | Mapping[str, Any]]
) -> ChangePlan:
    """Validate and normalise ``modifications`` (in order) and compute what they would
    regenerate, without writing anything.

    Raises :class:`NotFound` for an unknown shot, element, scene or model,
    :class:`InvalidInput` for an impossible change, and :class:`ConflictError` when a locked
    or approved shot or element would be rewritten without an :class:`Unlock` of it in the
    same change.
    """
    parsed = parse_modifications(modifications)
    if not parsed:
        raise InvalidInput("no modification was given; say what to change")
    planner = Planner(project)
    for modification in parsed:
        planner.apply(modification)
    return planner.finish()
