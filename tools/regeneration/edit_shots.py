"""Edits of the shots themselves: a field, a duration, removing, inserting and moving shots,
regenerating them (with or without an aspect).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from storycore.tools.breakdown import DEFAULT_RULES
from storycore.tools.domain import CameraMovement, Framing, SceneType, ShotSize, ShotSpec
from storycore.tools.errors import InvalidInput
from storycore.tools.feedback import (
    InsertShot,
    MoveShot,
    Regenerate,
    RegenerateWithout,
    RemoveShot,
    RetimeShot,
    SetModel,
    SetShotField,
)
from storycore.tools.model_selector import ModelSelector, request_for_shot
from storycore.tools.regeneration.edit_models import set_model
from storycore.tools.regeneration.plan import _list, _seconds_text, _validated_shot, _value_text
from storycore.tools.regeneration.rewrite import rewrite_shot_size
from storycore.tools.timecode import seconds_to_frames

if TYPE_CHECKING:
    from storycore.tools.regeneration.simulator import Planner


#: What RegenerateWithout clears, by aspect.
_CLEARED: dict[str, dict[str, Any]] = {
    "narration": {"narration": None},
    "dialogue": {"dialogue": []},
    "music": {"music_cue": None, "vocals_type": None, "lyrics_ref": None},
    "sound_effects": {"sound_effects": []},
}
_MOVEMENT_PHRASES = {
    CameraMovement.STATIC: "static",
    CameraMovement.HANDHELD: "handheld, following the action",
    CameraMovement.TRACKING: "tracking alongside",
    CameraMovement.DOLLY_IN: "slow push in",
    CameraMovement.PAN: "slow pan",
    CameraMovement.ORBIT: "slow orbit",
}
_KNOWN_MOVEMENT_PHRASES = sorted(
    {
        *_MOVEMENT_PHRASES.values(),
        "slow dolly in",
        *(m.value.replace("_", " ") for m in CameraMovement),
    },
    key=len,
    reverse=True,
)


def set_shot_field(planner: Planner, mod: SetShotField) -> None:
    """Change one field of the shots a reference names (a model goes to set_model)."""
    shot_ids = planner.refs(mod.shot_id)
    if mod.field == "model_id":
        model = planner.video_model(mod.value)
        set_model(planner, SetModel(model_id=model.id, shot_ids=shot_ids))
        return
    for shot_id in shot_ids:
        shot = planner.shot(shot_id)
        old = getattr(shot, mod.field)
        value: Any = mod.value
        if mod.field == "lens_mm":
            value = float(mod.value)
        elif mod.field in ("time_of_day", "weather") and not value:
            value = None
        changes: dict[str, Any] = {mod.field: value}
        updated = _validated_shot(shot, **changes)
        if getattr(updated, mod.field) == old:
            planner.warnings.append(
                planner.m(
                    "change.already_field",
                    shot=shot_id,
                    field=planner.m(f"change.field.{mod.field}"),
                    value=_value_text(old, planner.m),
                )
            )
            planner.normalised.append(mod.model_copy(update={"shot_id": shot_id}))
            continue
        updated = _follow_framing(shot, updated, mod.field)
        planner.replace(updated)
        planner.targeted.setdefault(shot_id, "change")
        planner.normalised.append(SetShotField(shot_id=shot_id, field=mod.field, value=mod.value))
        new = getattr(updated, mod.field)
        planner.summary.append(
            planner.m(
                "change.set_field",
                shot=shot_id,
                field=planner.m(f"change.field.{mod.field}"),
                old=_value_text(old, planner.m),
                new=_value_text(new, planner.m),
            )
        )


def _follow_framing(before: ShotSpec, after: ShotSpec, field_name: str) -> ShotSpec:
    """Keep the lens and the camera details consistent with a new framing: a lens that
    was the rules' lens for the old size follows the new size; the "NNmm, movement" text
    the breakdown wrote follows the lens and the movement."""
    changes: dict[str, Any] = {}
    lens = after.lens_mm
    if field_name == "shot_size" and after.shot_size != before.shot_size:
        # "Wide shot of the scene." must not stay in a close-up's description and prompts.
        for text_field in ("description", "action"):
            text = getattr(after, text_field)
            rewritten = rewrite_shot_size(text, after.shot_size.value)
            if rewritten != text:
                changes[text_field] = rewritten
    if field_name == "shot_size":
        rule_lens = DEFAULT_RULES.lens_mm
        if before.lens_mm == rule_lens.get(before.shot_size):
            lens = float(rule_lens.get(after.shot_size, before.lens_mm))
            changes["lens_mm"] = lens
    details = after.camera_details
    if details:
        details = re.sub(rf"(?<![\d.]){before.lens_mm:g}\s*mm", f"{lens:g}mm", details, count=1)
        if after.camera_movement != before.camera_movement:
            old_phrase = _MOVEMENT_PHRASES.get(
                before.camera_movement, before.camera_movement.value.replace("_", " ")
            )
            new_phrase = _MOVEMENT_PHRASES.get(
                after.camera_movement, after.camera_movement.value.replace("_", " ")
            )
            for phrase in [old_phrase, *_KNOWN_MOVEMENT_PHRASES]:
                if re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", details):
                    details = re.sub(
                        rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", new_phrase, details, count=1
                    )
                    break
        if details != after.camera_details:
            changes["camera_details"] = details
    return _validated_shot(after, **changes) if changes else after


def retime_shot(planner: Planner, mod: RetimeShot) -> None:
    """Change one shot's duration; it is split if its model cannot make it in one clip."""
    shot_id = planner.one(mod.shot_id, "retime")
    shot = planner.shot(shot_id)
    frames = seconds_to_frames(mod.duration_seconds, planner.rate)
    if frames < 1:
        raise InvalidInput(
            f"{mod.duration_seconds:g} s is less than one frame at {planner.specs.fps} fps"
        )
    planner.normalised.append(RetimeShot(shot_id=shot_id, duration_seconds=mod.duration_seconds))
    if frames == shot.duration_frames:
        planner.warnings.append(
            planner.m(
                "change.already_lasts", shot=shot_id, seconds=_seconds_text(frames, planner.rate)
            )
        )
        return
    old = shot.duration_frames
    planner.replace(_validated_shot(shot, end_frame=shot.start_frame + frames))
    planner.targeted.setdefault(shot_id, "retime")
    planner.summary.append(
        planner.m(
            "change.retimed",
            shot=shot_id,
            old=_seconds_text(old, planner.rate),
            new=_seconds_text(frames, planner.rate),
        )
    )
    planner.split_too_long([shot_id])


def remove_shot(planner: Planner, mod: RemoveShot) -> None:
    """Remove the shots a reference names (continuity links to them are cleared)."""
    for shot_id in planner.refs(mod.shot_id):
        if len(planner.shots) == 1:
            raise InvalidInput(f"{shot_id} is the only shot left; a plan needs one shot")
        shot = planner.shot(shot_id)
        planner.shots.pop(planner.index(shot_id))
        for i, other in enumerate(planner.shots):
            if other.continues_from == shot_id:
                planner.shots[i] = other.model_copy(update={"continues_from": None})
        planner.targeted[shot_id] = "remove"
        planner.normalised.append(RemoveShot(shot_id=shot_id))
        planner.summary.append(
            planner.m("change.removed_from", shot=shot_id, segment=shot.segment_id)
            if shot.segment_id
            else planner.m("change.removed", shot=shot_id)
        )


def _new_id(planner: Planner, after: str | None) -> str:
    base = "shot_00"
    if after is not None:
        match = re.fullmatch(r"(shot_\d{2,4})[a-z]{0,2}", after)
        assert match is not None
        base = match.group(1)
    taken = planner.used_ids | set(planner.ids())
    letters = "abcdefghijklmnopqrstuvwxyz"
    candidates = [base] if after is None else []
    candidates += [f"{base}{a}" for a in letters]
    candidates += [f"{base}{a}{b}" for a in letters for b in letters]
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    raise InvalidInput(f"no shot id is left after {after}; renumber the shots first")


def insert_shot(planner: Planner, mod: InsertShot) -> None:
    """Insert a new shot after another one (or at the start), with a chosen model."""
    if not planner.shots:
        raise InvalidInput("the plan has no shots to insert next to; plan the project first")
    after = planner.refs(mod.after)[-1] if mod.after is not None else None
    position = planner.index(after) + 1 if after is not None else 0
    neighbour = planner.shots[position - 1] if after is not None else planner.shots[0]
    characters = [planner.element_id(c) for c in mod.characters]
    props = [planner.element_id(p) for p in mod.props]
    location = planner.element_id(mod.location) if mod.location else neighbour.location
    typed = [(c, "character") for c in characters]
    if mod.location and location:
        typed.append((location, "location"))
    for element_id, wanted in typed:
        kind = planner.elements[element_id].type.value
        if kind != wanted:
            raise InvalidInput(f"{element_id} is a {kind}, not a {wanted}")
    size = ShotSize(mod.shot_size) if mod.shot_size else _default_size(characters, props)
    framing, scene_type = _framing_and_type(size, characters, props)
    lens = float(DEFAULT_RULES.lens_mm.get(size, 35))
    frames = seconds_to_frames(mod.duration_seconds, planner.rate)
    if frames < 1:
        raise InvalidInput(f"{mod.duration_seconds:g} s is less than one frame")
    new_id = _new_id(planner, after)
    description = " ".join(mod.description.split())
    draft = ShotSpec(
        shot_id=new_id,
        title=" ".join(description.split()[:8])[:200],
        segment_id=neighbour.segment_id,
        scene=neighbour.scene,
        start_frame=0,
        end_frame=frames,
        shot_size=size,
        framing=framing,
        camera_movement=CameraMovement.STATIC,
        camera_details=f"{lens:g}mm, static",
        lens_mm=lens,
        scene_type=scene_type,
        description=description,
        action=description,
        characters=characters,
        location=location,
        props=props,
        time_of_day=neighbour.time_of_day,
        weather=neighbour.weather,
        aspect_ratio=neighbour.aspect_ratio,
    )
    selection = ModelSelector(planner.models, planner.specs.language).select(
        request_for_shot(draft, planner.specs, segment_model=neighbour.model_id)
    )
    draft = draft.model_copy(
        update={
            "model_id": selection.model_id,
            "fallback_models": list(selection.fallbacks),
            "model_reason": selection.reason,
        }
    )
    planner.shots.insert(position, draft)
    planner.used_ids.add(new_id)
    planner.inserted.append(new_id)
    planner.normalised.append(
        mod.model_copy(
            update={
                "after": after,
                "characters": characters,
                "props": props,
                "location": location,
                "shot_size": size.value,
            }
        )
    )
    planner.summary.append(
        planner.m(
            "change.inserted_after" if after else "change.inserted_first",
            shot=new_id,
            size=size.value,
            after=after,
            seconds=_seconds_text(frames, planner.rate),
            model=selection.model_id,
            description=description[:60],
        )
    )
    planner.split_too_long([new_id])


def _framing_and_type(
    size: ShotSize, characters: Sequence[str], props: Sequence[str]
) -> tuple[Framing, SceneType]:
    """The framing and scene type of an inserted shot, from what it shows and its size."""
    if characters:
        framing = (Framing.SINGLE, Framing.TWO_SHOT)[min(len(characters), 2) - 1]
        if len(characters) > 2:
            framing = Framing.GROUP
        scene_type = (
            SceneType.CLOSE_UP if size in (ShotSize.CU, ShotSize.ECU) else SceneType.ATMOSPHERIC
        )
    elif props:
        framing, scene_type = Framing.INSERT, SceneType.INSERT
    else:
        framing = Framing.SINGLE
        scene_type = (
            SceneType.ESTABLISHING if size in (ShotSize.EWS, ShotSize.WS) else SceneType.ATMOSPHERIC
        )
    return framing, scene_type


def _default_size(characters: Sequence[str], props: Sequence[str]) -> ShotSize:
    if characters:
        return ShotSize.MS
    if props:
        return ShotSize.CU
    return ShotSize.WS


def move_shot(planner: Planner, mod: MoveShot) -> None:
    """Move shots after another one (or to the start); their clips stay valid."""
    moving = planner.refs(mod.shot_id)
    after = planner.refs(mod.after)[-1] if mod.after is not None else None
    if after in moving:
        raise InvalidInput(f"cannot move {after} after itself")
    for shot_id in moving:
        shot = planner.shots.pop(planner.index(shot_id))
        position = planner.index(after) + 1 if after is not None else 0
        # The moved shot joins the segment of the shot it now follows.
        neighbour = planner.shots[position - 1] if position > 0 else planner.shots[0]
        segment = neighbour.segment_id
        planner.shots.insert(position, shot.model_copy(update={"segment_id": segment}))
        _break_continuity(planner, shot_id)
        planner.targeted.setdefault(shot_id, "move")
        if shot_id not in planner.moved:
            planner.moved.append(shot_id)
        planner.normalised.append(MoveShot(shot_id=shot_id, after=after))
        planner.summary.append(
            planner.m("change.moved_after", shot=shot_id, after=after)
            if after
            else planner.m("change.moved_first", shot=shot_id)
        )
        after = shot_id


def _break_continuity(planner: Planner, moved: str) -> None:
    """A moved shot no longer continues from the shot before it (nor does the shot that
    followed it continue from it): the links are cleared, the clips stay valid."""
    for i, shot in enumerate(planner.shots):
        if shot.continues_from is None:
            continue
        if shot.shot_id != moved and shot.continues_from != moved:
            continue
        previous = planner.shots[i - 1].shot_id if i > 0 else None
        if shot.continues_from != previous:
            planner.shots[i] = shot.model_copy(update={"continues_from": None})
            planner.warnings.append(
                planner.m(
                    "change.no_longer_continues",
                    shot=shot.shot_id,
                    previous=shot.continues_from,
                )
            )


def regenerate_without(planner: Planner, mod: RegenerateWithout) -> None:
    """Clear narration, dialogue, music or effects from shots and redo them."""
    explicit = mod.shot_ids is not None
    scope = (
        [s for ref in mod.shot_ids for s in planner.refs(ref)] if mod.shot_ids else planner.ids()
    )
    cleared: dict[str, Any] = _CLEARED[mod.aspect]
    changed = []
    for shot_id in scope:
        shot = planner.shot(shot_id)
        had = any(getattr(shot, k) for k in cleared)
        if had:
            planner.replace(_validated_shot(shot, **cleared))
            changed.append(shot_id)
        if had or explicit:
            planner.targeted.setdefault(shot_id, "regenerate")
        if explicit:
            planner.forced.add(shot_id)
    planner.normalised.append(
        RegenerateWithout(aspect=mod.aspect, shot_ids=list(scope) if explicit else None)
    )
    m = planner.m
    label = m(f"change.aspect.{mod.aspect}")
    if changed:
        planner.summary.append(m("change.cleared", shots=_list(changed, m=m), aspect=label))
    if explicit and set(scope) - set(changed):
        rest = [s for s in scope if s not in changed]
        planner.summary.append(m("change.regenerate", shots=_list(rest, m=m)))
    if not changed and not explicit:
        planner.warnings.append(m("change.nothing_without", aspect=label))


def regenerate(planner: Planner, mod: Regenerate) -> None:
    """Redo shots without changing their specification."""
    scope = [s for ref in mod.shot_ids for s in planner.refs(ref)]
    for shot_id in scope:
        planner.forced.add(shot_id)
        planner.targeted.setdefault(shot_id, "regenerate")
    planner.normalised.append(Regenerate(shot_ids=scope, reason=mod.reason))
    shots = _list(scope, m=planner.m)
    planner.summary.append(
        planner.m("change.regenerate_because", shots=shots, reason=mod.reason)
        if mod.reason
        else planner.m("change.regenerate", shots=shots)
    )


#: The handler of each modification kind this module edits.
HANDLERS: dict[type[Any], Callable[[Planner, Any], None]] = {
    SetShotField: set_shot_field,
    RetimeShot: retime_shot,
    RemoveShot: remove_shot,
    InsertShot: insert_shot,
    MoveShot: move_shot,
    RegenerateWithout: regenerate_without,
    Regenerate: regenerate,
}
