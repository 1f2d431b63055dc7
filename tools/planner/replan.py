"""Re-planning an edited project: the shot edits made since the last plan are found in the
undo history, then kept on the new plan's shots or reported as lost.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from storycore.tools.breakdown import (
    MIN_SHOT_FRAMES,
    retime,
)
from storycore.tools.domain import (
    ShotSpec,
)
from storycore.tools.project import (
    INTERNAL,
    Project,
    _read_ops,
)
from storycore.tools.schema_versions import KEY as SCHEMA_KEY
from storycore.tools.schema_versions import document_kind, upgrade
from storycore.tools.structure import (
    SHOT_FILE,
)
from storycore.tools.structure import SHOTS as SHOTS_DIR

# -- re-planning an edited project: shot edits are kept or reported ----------------------------

#: The notes of the transactions a plan writes (anything else in the history is an edit).
PLAN_NOTES = frozenset(
    {"structure", "breakdown", "elements", "models", "segments", "prompts", "storyboard", "planned"}
)
#: The note of the change that carries shot edits into a new plan.
KEPT_EDITS_NOTE = "kept shot edits"
#: What the last re-plan did with the shot edits: {"kept": [...], "lost": [...]}, sentences.
REPLAN_EDITS_FILE = "replan_edits.json"
#: The fields of a shot an edit may change, and that a re-plan keeps when its shot remains.
EDITABLE_SHOT_FIELDS = (
    "shot_size",
    "framing",
    "camera_angle",
    "camera_movement",
    "camera_details",
    "lens_mm",
    "description",
    "action",
    "time_of_day",
    "weather",
    "model_id",
    "fallback_models",
    "model_reason",
    "transition_in",
    "transition_out",
    "locked",
)


@dataclass
class KeptEdits:
    """What a re-plan did with the shot edits: the new shots with the edits that still apply,
    one sentence per kept shot and one per lost edit."""

    shots: list[ShotSpec]
    kept: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)  # shot id: fields kept


def _edit_entries(project: Project) -> list[Any]:
    """The history entries of the edits made since the last plan (newest first): the entries
    older than this plan's ``structure`` and newer than the one before it."""
    entries = project.history()
    structures = [i for i, e in enumerate(entries) if e.note == "structure"]
    if not structures:
        return []
    current = structures[0]
    previous = structures[1] if len(structures) > 1 else len(entries)
    skip = PLAN_NOTES | {KEPT_EDITS_NOTE}  # carried edits are read from REPLAN_EDITS_FILE
    return [e for e in entries[current + 1 : previous] if e.note not in skip]


@dataclass
class EditedShot:
    """A shot an edit changed since the last plan: as it is now, and which fields the edit
    changed (``inserted`` for a shot the edit added)."""

    now: ShotSpec
    fields: list[str]
    inserted: bool = False


def edited_shots(project: Project) -> list[EditedShot]:
    """The shots that edits changed since the last plan, in timeline order; [] for a project
    planned for the first time or never edited. Call it after ``structure``, before the
    breakdown replaces the shots.

    What an edit changed is read against the shot as the last plan left it: the version the
    oldest edit replaced, read back from its undo journal (a later shot that a retime only
    moved is not an edit of it). The edits that plan itself carried over count again."""
    entries = _edit_entries(project)
    carried: dict[str, list[str]] = {}
    if project.exists(REPLAN_EDITS_FILE):
        data = project.read_json(REPLAN_EDITS_FILE)
        carried = {str(k): [str(f) for f in v] for k, v in data.get("fields", {}).items()}
    if not entries and not carried:
        return []
    planned: dict[str, ShotSpec] = {}
    seen: set[str] = set()
    for entry in reversed(entries):  # oldest first: its "before" is the planned shot
        folder = project.root / INTERNAL / "history" / f"{entry.number:06d}"
        for op in _read_ops(folder):
            path = op.get("path", "")
            if op.get("op") != "write" or not path.endswith(f"/{SHOT_FILE}") or path in seen:
                continue
            seen.add(path)
            blob = folder / str(op.get("backup") or "")
            if op.get("backup") and blob.is_file():
                with contextlib.suppress(ValueError):
                    data = upgrade(document_kind(path) or "shot", json.loads(blob.read_bytes()))
                    data = {k: v for k, v in data.items() if k != SCHEMA_KEY}
                    shot = ShotSpec.model_validate(data)
                    planned.setdefault(shot.shot_id, shot)
    touched = {path for entry in entries for path in entry.paths}
    out: list[EditedShot] = []
    for ref in project.manifest.shots:
        rel = f"{SHOTS_DIR}/{ref.folder}/{SHOT_FILE}"
        if rel not in touched and ref.shot_id not in planned and ref.shot_id not in carried:
            continue
        now = project.read_model(rel, ShotSpec)
        before = planned.get(now.shot_id)
        fields = list(carried.get(now.shot_id, []))
        if before is not None:
            fields += [f for f in _edited_fields(before, now) if f not in fields]
        elif rel in touched and now.shot_id not in carried:
            out.append(EditedShot(now, [], inserted=True))
            continue
        if fields:
            out.append(EditedShot(now, fields))
    return out


def _edited_fields(before: ShotSpec, now: ShotSpec) -> list[str]:
    """The editable fields (and ``duration``) in which ``now`` differs from ``before``."""
    fields = [f for f in EDITABLE_SHOT_FIELDS if getattr(before, f) != getattr(now, f)]
    if before.duration_frames != now.duration_frames:
        fields.append("duration")
    return fields


def _same_shot(new: ShotSpec, old: ShotSpec) -> bool:
    """The new plan's shot is the edited one: same id, scene and title (its story beat)."""
    return (new.shot_id, new.scene, new.title) == (old.shot_id, old.scene, old.title)


def keep_shot_edits(
    fresh: Sequence[ShotSpec], edited: Sequence[EditedShot], rate: Fraction
) -> KeptEdits:
    """The new plan's shots with the edits of ``edited`` (see :func:`edited_shots`) that
    still apply.

    A new shot that is the edited one (:func:`_same_shot`) takes the value of every field
    the edit changed, its length included; the other shots absorb a change of length so the
    plan keeps its target, and the timeline is laid end to end again. An edit whose shot is
    not in the new plan (its beat is gone, or the edit inserted or split it) is listed in
    ``lost``.
    """
    by_id = {shot.shot_id: shot for shot in fresh}
    out = dict(by_id)
    result = KeptEdits(shots=list(fresh))
    retimed: set[str] = set()
    for edit in edited:
        now = edit.now
        new = by_id.get(now.shot_id)
        if edit.inserted or new is None or not _same_shot(new, now):
            change = "inserted it" if edit.inserted else ", ".join(_words(edit.fields))
            result.lost.append(
                f"{now.shot_id} ({now.title or now.action[:40]}): your edit ({change}) is "
                "lost; the new plan has no such shot"
            )
            continue
        changes: dict[str, Any] = {f: getattr(now, f) for f in edit.fields if f != "duration"}
        if "duration" in edit.fields:
            changes["end_frame"] = new.start_frame + now.duration_frames
            retimed.add(new.shot_id)
        out[new.shot_id] = ShotSpec.model_validate({**new.model_dump(), **changes})
        result.fields[new.shot_id] = list(edit.fields)
        result.kept.append(f"{new.shot_id}: your edits are kept ({', '.join(_words(edit.fields))})")
    shots = [out[s.shot_id] for s in fresh]
    result.shots = retime(_fill_to(shots, sum(s.duration_frames for s in fresh), retimed), rate)
    return result


def _words(fields: Sequence[str]) -> list[str]:
    return [f.replace("_", " ") for f in fields]


def _fill_to(shots: list[ShotSpec], total: int, fixed: set[str]) -> list[ShotSpec]:
    """``shots`` with the shots not in ``fixed`` lengthened or shortened in proportion so
    that the whole lasts ``total`` frames again (a kept retime does not move the plan off
    its target length); unchanged when the others cannot absorb the difference."""
    delta = total - sum(s.duration_frames for s in shots)
    free = [s for s in shots if s.shot_id not in fixed]
    room = sum(s.duration_frames for s in free)
    if not delta or not free or room + delta < MIN_SHOT_FRAMES * len(free):
        return shots
    lengths = {s.shot_id: s.duration_frames * (room + delta) // room for s in free}
    rest = room + delta - sum(lengths.values())
    for shot in sorted(free, key=lambda s: -s.duration_frames)[:rest]:
        lengths[shot.shot_id] += 1
    if min(lengths.values()) < MIN_SHOT_FRAMES:
        return shots
    return [
        s.model_copy(update={"end_frame": s.start_frame + lengths[s.shot_id]})
        if s.shot_id in lengths
        else s
        for s in shots
    ]


def replan_edits(project: Project) -> dict[str, list[str]]:
    """What the last re-plan did with the shot edits made before it: ``kept`` and ``lost``
    sentences (both empty when the plan found no edit). The storyboard confirmation shows
    the lost ones, so approving the plan is approving their loss."""
    if not project.exists(REPLAN_EDITS_FILE):
        return {"kept": [], "lost": []}
    data = project.read_json(REPLAN_EDITS_FILE)
    return {key: [str(x) for x in data.get(key, [])] for key in ("kept", "lost")}


def _kept_model_shots(project: Project) -> set[str]:
    """Ids of the shots whose model an edit chose and this plan kept (see
    :func:`keep_shot_edits`): the model selection leaves them their model."""
    paths: set[str] = set()
    for entry in project.history():
        if entry.note == "structure":
            break
        if entry.note == KEPT_EDITS_NOTE:
            paths.update(entry.paths)
    return {
        ref.shot_id
        for ref in project.manifest.shots
        if f"{SHOTS_DIR}/{ref.folder}/{SHOT_FILE}" in paths
    }
