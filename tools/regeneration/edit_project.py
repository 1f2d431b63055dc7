"""Changing a spec of the whole project (:class:`ChangeProjectSpec`): its duration, frame
rate, aspect ratio or resolution. Each re-plans what the spec touches:

- a new duration shares the new total, exact to the frame, among the shots in proportion to
  their lengths (locked and approved shots keep theirs), then splits the shots their model
  cannot make in one clip;
- a new frame rate counts every shot again at the new rate (the same total length, exact to
  the frame, each shot within one frame of its length in seconds) and splits again;
- a new aspect ratio or resolution turns the frame, checks every shot's model against the
  selector's hard limits (a model that cannot make the new frame is replaced by the best one
  that can) and redoes the media of every shot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from storycore.tools.breakdown import MIN_SHOT_FRAMES, allocate_frames
from storycore.tools.domain import ShotSpec, ShotStatus, TechnicalSpecs
from storycore.tools.domain.modifications import ChangeProjectSpec
from storycore.tools.errors import InvalidInput
from storycore.tools.i18n import t
from storycore.tools.model_registry import ModelCapability
from storycore.tools.model_selector import (
    ModelSelector,
    NoModelFits,
    SelectionRequest,
    request_for_shot,
)
from storycore.tools.rates import rate_label
from storycore.tools.regeneration.edit_models import _user_choice
from storycore.tools.regeneration.plan import _list, _seconds_text, _validated_shot
from storycore.tools.specs import apply_overrides
from storycore.tools.timecode import seconds_to_frames

if TYPE_CHECKING:
    from storycore.tools.regeneration.simulator import Planner

_OVERRIDE = {
    "duration_seconds": "duration",
    "fps": "fps",
    "aspect_ratio": "aspect",
    "resolution": "resolution",
}


def change_project_spec(planner: Planner, mod: ChangeProjectSpec) -> None:
    """Change one project spec and re-plan every shot it touches."""
    old = planner.specs
    new = apply_overrides(old, **{_OVERRIDE[mod.field]: mod.value})
    planner.normalised.append(mod)
    if not planner.shots:
        raise InvalidInput("the project has no shots yet; plan it before changing its specs")
    if mod.field == "duration_seconds":
        _change_duration(planner, old, new)
    elif mod.field == "fps":
        _change_rate(planner, old, new)
    else:
        _change_frame(planner, old, new)


def _same(planner: Planner, what: str) -> None:
    planner.warnings.append(planner.m("change.already_spec", what=what))


def _kept(shot: ShotSpec) -> bool:
    return shot.locked or shot.status is ShotStatus.APPROVED


def _set_lengths(planner: Planner, frames: Sequence[int], shot_ids: Sequence[str]) -> list[str]:
    """Give shots new lengths in frames (timecodes are laid end to end when the plan is
    finished); returns the ids whose length changed."""
    changed = []
    for shot_id, length in zip(shot_ids, frames, strict=True):
        shot = planner.shot(shot_id)
        if length != shot.duration_frames:
            planner.replace(_validated_shot(shot, end_frame=shot.start_frame + length))
            planner.targeted.setdefault(shot_id, "retime")
            changed.append(shot_id)
    return changed


def _change_duration(planner: Planner, old: TechnicalSpecs, new: TechnicalSpecs) -> None:
    assert new.duration_seconds is not None
    rate = planner.rate
    total = seconds_to_frames(new.duration_seconds, rate)
    current = sum(s.duration_frames for s in planner.shots)
    label = f"{new.duration_seconds:g} s"
    planner.specs = new
    if total == current and old.duration_seconds == new.duration_seconds:
        _same(planner, planner.m("change.spec_long", label=label))
        return
    kept = [s for s in planner.shots if _kept(s)]
    free = [s for s in planner.shots if not _kept(s)]
    room = total - sum(s.duration_frames for s in kept)
    if not free:
        raise InvalidInput(
            f"every shot is locked or approved, so the video cannot become {label}; unlock "
            "some shots first"
        )
    minimum = MIN_SHOT_FRAMES
    if room < len(free) * minimum:
        kept_text = f"; the locked or approved ones take {_seconds_text(total - room, rate)}"
        raise InvalidInput(
            f"{label} is too short for the {len(free)} shots that may change (each needs at "
            f"least {_seconds_text(minimum, rate)}{kept_text if kept else ''}); remove shots "
            "first or choose a longer duration"
        )
    frames = allocate_frames([Fraction(s.duration_frames) for s in free], room, minimum)
    changed = _set_lengths(planner, frames, [s.shot_id for s in free])
    was = f"{old.duration_seconds:g} s" if old.duration_seconds else _seconds_text(current, rate)
    planner.summary.append(
        planner.m.plural(
            "change.duration",
            len(changed),
            was=was,
            label=label,
            total=total,
            rate=rate_label(rate),
        )
        + (planner.m("change.duration_kept", n=len(kept)) if kept else "")
    )
    planner.split_too_long(changed)


def _change_rate(planner: Planner, old: TechnicalSpecs, new: TechnicalSpecs) -> None:
    old_rate, new_rate = old.rate, new.rate
    planner.specs = new
    planner.rate = new_rate
    if old_rate == new_rate:
        if old.uses_drop_frame != new.uses_drop_frame:
            kind = "change.timecode_drop" if new.uses_drop_frame else "change.timecode_non_drop"
            planner.summary.append(planner.m(kind, rate=rate_label(new_rate)))
        else:
            _same(planner, planner.m("change.spec_at_rate", rate=rate_label(new_rate)))
        return
    current = sum(s.duration_frames for s in planner.shots)
    seconds = Fraction(current) / old_rate
    if old.duration_seconds is not None and seconds_to_frames(old.duration_seconds, old_rate) == (
        current
    ):
        seconds = Fraction(old.duration_seconds).limit_denominator(1000)  # the intended length
    total = seconds_to_frames(float(seconds), new_rate)
    ids = planner.ids()
    frames = allocate_frames([Fraction(s.duration_frames) for s in planner.shots], total, 1)
    for shot_id, length in zip(ids, frames, strict=True):
        shot = planner.shot(shot_id)
        update: dict[str, Any] = {"end_frame": shot.start_frame + length}
        if shot.fps is not None and shot.fps == old.fps:
            update["fps"] = new.fps
        planner.replace(_validated_shot(shot, **update))
        planner.targeted.setdefault(shot_id, "retime")
        planner.forced.add(shot_id)  # media made at another rate is stale whatever its length
    planner.summary.append(
        planner.m(
            "change.frame_rate",
            old=rate_label(old_rate),
            new=rate_label(new_rate),
            before=current,
            total=total,
            seconds=f"{float(seconds):g}",
        )
    )
    planner.split_too_long(ids)


def _change_frame(planner: Planner, old: TechnicalSpecs, new: TechnicalSpecs) -> None:
    planner.specs = new
    if (old.aspect_ratio, old.resolution) == (new.aspect_ratio, new.resolution):
        _same(
            planner,
            planner.m("change.spec_frame", aspect=new.aspect_ratio, resolution=new.resolution),
        )
        return
    ids = planner.ids()
    for shot_id in ids:
        shot = planner.shot(shot_id)
        update: dict[str, Any] = {}
        if shot.aspect_ratio is not None and shot.aspect_ratio == old.aspect_ratio:
            update["aspect_ratio"] = new.aspect_ratio
        if shot.resolution is not None and shot.resolution == old.resolution:
            update["resolution"] = new.resolution.model_dump()
        if update:
            planner.replace(_validated_shot(shot, **update))
        planner.forced.add(shot_id)
        planner.targeted.setdefault(shot_id, "regenerate")
    planner.summary.append(
        planner.m(
            "change.frame",
            old_aspect=old.aspect_ratio,
            old_resolution=old.resolution,
            new_aspect=new.aspect_ratio,
            new_resolution=new.resolution,
            n=len(ids),
        )
    )
    replaced = _recheck_models(planner, new)
    if replaced:
        planner.split_too_long(replaced)


def _reframe_kept_models(
    planner: Planner, selector: ModelSelector, kept: list[tuple[ShotSpec, SelectionRequest]]
) -> None:
    """Plan the shots that keep their model under a new frame as the selector would: the
    upscale step the model now needs (or no longer needs) and a model note that says so,
    and the centre crop a new ratio takes. Without this a 4K change kept every shot on a
    1080p model with no upscale step, which the critic then refused shot by shot. A note the
    user's choice wrote stays the user's choice, with the new framing."""
    common: dict[str, Counter[str]] = {}
    for shot, _ in kept:
        common.setdefault(shot.scene, Counter())[shot.model_id or ""] += 1
    upscaled: dict[tuple[str, str], list[str]] = {}
    unscaled: list[str] = []
    for shot, request in kept:
        model = planner.models.get(shot.model_id or "")
        segment_model = common[shot.scene].most_common(1)[0][0]
        explained = selector.explain(
            request.model_copy(update={"segment_model": segment_model}), model.id
        )
        if explained is None:
            continue
        upscaler = explained.upscaler
        if _chosen_by_user(planner, shot, model):
            step = planner.models.get(upscaler) if upscaler else None
            reason = _user_choice(planner, shot, model, step)
        else:
            reason = explained.reason
        if (upscaler, reason) == (shot.upscaler, shot.model_reason):
            continue
        planner.replace(shot.model_copy(update={"upscaler": upscaler, "model_reason": reason}))
        if upscaler and upscaler != shot.upscaler:
            size = str(request.target_resolution)
            upscaled.setdefault((upscaler, size), []).append(shot.shot_id)
        elif shot.upscaler and not upscaler:
            unscaled.append(shot.shot_id)
    for (upscaler, size), shots in upscaled.items():
        planner.summary.append(
            planner.m(
                "change.models_upscaled",
                shots=_list(shots, m=planner.m),
                size=size,
                upscaler=upscaler,
            )
        )
    if unscaled:
        listed = _list(unscaled, m=planner.m)
        planner.summary.append(planner.m("change.models_unscaled", shots=listed))


def _chosen_by_user(planner: Planner, shot: ShotSpec, model: ModelCapability) -> bool:
    """The shot's model note is the one a user's choice of the model wrote (in any of its
    forms: the note opens with the model's name and "chosen by the user")."""
    opening = t("selection.reason.user", planner.specs.language, model=model.name)
    return (shot.model_reason or "").startswith(opening)


def _recheck_models(planner: Planner, specs: TechnicalSpecs) -> list[str]:
    """Check every shot's model against the selector's hard limits under ``specs``; the
    shots whose model fails them get the best models that pass (one per scene where it can,
    as the planner chooses). Returns the shots changed."""
    selector = ModelSelector(planner.models, specs.language)
    failing: list[tuple[str, str]] = []
    kept: list[tuple[ShotSpec, SelectionRequest]] = []
    for shot_id in planner.ids():
        shot = planner.shot(shot_id)
        request = request_for_shot(shot, specs)
        try:
            check = selector.select(request)
        except NoModelFits as exc:
            raise InvalidInput(f"{shot_id}: {exc}") from None
        current = shot.model_id
        if current and current in planner.models and current not in check.rejected:
            kept.append((shot, request))
            continue
        failing.append(
            (shot_id, check.rejected.get(current or "", planner.m("change.no_model_yet")))
        )
    _reframe_kept_models(planner, selector, kept)
    if not failing:
        planner.summary.append(planner.m("change.models_checked", aspect=specs.aspect_ratio))
        return []
    shots = [planner.shot(shot_id) for shot_id, _ in failing]
    selections = selector.select_plan(
        [request_for_shot(shot, specs) for shot in shots],
        segment_ids=[shot.scene for shot in shots],
    )
    for shot, selection, (_, why) in zip(shots, selections, failing, strict=True):
        planner.replace(
            shot.model_copy(
                update={
                    "model_id": selection.model_id,
                    "fallback_models": [m for m in selection.fallbacks if m != selection.model_id],
                    "model_reason": selection.reason,
                }
            )
        )
        planner.summary.append(
            planner.m(
                "change.model_replaced",
                shot=shot.shot_id,
                old=shot.model_id or planner.m("change.none"),
                new=selection.model_id,
                who=shot.model_id or planner.m("change.model_replaced_it"),
                why=why,
            )
        )
    return [shot.shot_id for shot in shots]


#: The handler of each modification kind this module edits.
HANDLERS: dict[type[Any], Callable[[Planner, Any], None]] = {
    ChangeProjectSpec: change_project_spec,
}
