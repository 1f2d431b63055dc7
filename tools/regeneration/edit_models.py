"""Changing the generative model of shots (:class:`SetModel`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from storycore.tools.breakdown import retime
from storycore.tools.breakdown.fitting import merge_split_parts
from storycore.tools.domain import ShotSpec
from storycore.tools.errors import InvalidInput
from storycore.tools.feedback import SetModel, resolve_scene
from storycore.tools.i18n import t
from storycore.tools.model_registry import ModelCapability, max_clip_frames
from storycore.tools.model_selector import choose_upscaler, frame_crop, request_for_shot
from storycore.tools.regeneration.plan import _list

if TYPE_CHECKING:
    from storycore.tools.regeneration.simulator import Planner


def set_model(planner: Planner, mod: SetModel) -> None:
    """Use one video model for the shots in scope; those too long for it are split."""
    model = planner.video_model(mod.model_id)
    if model.is_upscaler:
        raise InvalidInput(
            f"{model.name} ({model.id}) is an upscaler, a step after a shot's model; choose a "
            "video model (`storycore models list --kind video`)"
        )
    scene = resolve_scene(mod.scene, planner.scenes) if mod.scene is not None else None
    if mod.shot_ids is not None:
        scope = [s for ref in mod.shot_ids for s in planner.refs(ref)]
        where = _list(scope, m=planner.m)
    elif scene is not None:
        scope = [s.shot_id for s in planner.shots if s.scene == scene]
        where = planner.m("change.model_scene", scene=scene)
    elif mod.scene_type is not None:
        scope = [s.shot_id for s in planner.shots if s.scene_type.value == mod.scene_type]
        where = planner.m("change.model_scene_type", scene_type=mod.scene_type)
    else:
        scope = planner.ids()
        where = planner.m("change.model_every_shot")
    if not scope:
        raise InvalidInput(f"no shot is in {where}; nothing would use {model.name}")
    planner.normalised.append(
        SetModel(
            model_id=model.id,
            shot_ids=list(scope) if mod.shot_ids is not None else None,
            scene=scene,
            scene_type=mod.scene_type,
        )
    )
    changed = []
    for shot_id in scope:
        shot = planner.shot(shot_id)
        if shot.model_id == model.id:
            continue
        fallbacks = [m for m in shot.fallback_models if m != model.id]
        if shot.model_id and shot.model_id not in fallbacks:
            fallbacks.insert(0, shot.model_id)
        upscaler = _upscaler(planner, shot, model)
        reason = _user_choice(planner, shot, model, upscaler)
        if upscaler is None and not _reaches(planner, shot, model):
            size = shot.resolution or planner.specs.resolution
            planner.warnings.append(
                planner.m(
                    "change.model_low_resolution",
                    shot=shot_id,
                    model=model.id,
                    resolutions=", ".join(model.resolutions),
                    size=size,
                )
            )
        planner.replace(
            shot.model_copy(
                update={
                    "model_id": model.id,
                    "fallback_models": fallbacks,
                    "model_reason": reason,
                    "upscaler": upscaler.id if upscaler is not None else None,
                }
            )
        )
        planner.targeted.setdefault(shot_id, "model")
        changed.append(shot_id)
    if not changed:
        planner.warnings.append(
            planner.m.plural("change.model_same", len(scope), where=where, model=model.id)
        )
        return
    planner.summary.append(
        planner.m(
            "change.model_set", shots=_list(changed, m=planner.m), model=model.id, name=model.name
        )
    )
    prefs = planner.specs.models
    if model.id in prefs.avoid:
        planner.warnings.append(planner.m("change.model_avoided", model=model.id))
    if prefs.local_only and not model.local:
        planner.warnings.append(planner.m("change.model_cloud", model=model.id))
    aspect = planner.specs.aspect_ratio
    if not model.supports_aspect(aspect):
        planner.warnings.append(planner.m("change.model_aspect", model=model.id, aspect=aspect))
    changed = _merge_unneeded_splits(planner, changed)
    planner.split_too_long(changed)


def _reaches(planner: Planner, shot: ShotSpec, model: ModelCapability) -> bool:
    size = shot.resolution or planner.specs.resolution
    return model.supports_resolution(size.width, size.height)


def _upscaler(planner: Planner, shot: ShotSpec, model: ModelCapability) -> ModelCapability | None:
    """The selector's upscale step for this shot on ``model`` (None: none needed or none
    allowed), so a model chosen by the user is planned as the selector would plan it."""
    if _reaches(planner, shot, model):
        return None
    request = request_for_shot(shot, planner.specs)
    return choose_upscaler(planner.models, model, request)


def _merge_unneeded_splits(planner: Planner, changed: list[str]) -> list[str]:
    """Join the parts of a split shot whose new model makes the whole shot in one clip (the
    planned id comes back: shot_11a + shot_11b -> shot_11); returns ``changed`` with each
    merged shot in place of its parts."""

    def limit(shot: ShotSpec) -> int:
        if shot.shot_id not in changed or not shot.model_id or shot.model_id not in planner.models:
            return 0
        return max_clip_frames(planner.models.get(shot.model_id), planner.rate)

    taken = planner.used_ids | set(planner.ids())
    shots, merged = merge_split_parts(retime(planner.shots, planner.rate), limit, taken)
    if not merged:
        return changed
    planner.shots = retime(shots, planner.rate)
    out = list(changed)
    for new_id, parts in merged.items():
        model = planner.models.get(planner.shot(new_id).model_id or "")
        if model.clip_limit_seconds is not None:
            line = planner.m(
                "change.merged_most",
                parts=", ".join(parts),
                shot=new_id,
                model=model.name,
                seconds=f"{float(model.clip_limit_seconds):g}",
            )
        else:
            line = planner.m("change.merged", parts=", ".join(parts), shot=new_id)
        planner.summary.append(line)
        planner.used_ids.add(new_id)
        out = [new_id if i == parts[0] else i for i in out if i not in parts[1:]]
        for part in parts:
            planner.targeted.pop(part, None)
        planner.targeted[new_id] = "model"
        planner.inserted = [i for i in planner.inserted if i not in parts]
        if new_id not in {s.shot_id for s in planner.before_shots}:
            planner.inserted.append(new_id)
    return out


#: The handler of each modification kind this module edits.
HANDLERS: dict[type[Any], Callable[[Planner, Any], None]] = {
    SetModel: set_model,
}


def _user_choice(
    planner: Planner,
    shot: ShotSpec,
    model: ModelCapability,
    upscaler: ModelCapability | None,
) -> str:
    """The model note of a shot whose model the user chose, in the project's language: what
    the model renders when it is not the delivery frame (a centre crop to the delivery
    ratio, an upscale step), as the selector's own note says it."""
    language = planner.specs.language
    size = shot.resolution or planner.specs.resolution
    crop = frame_crop(model, request_for_shot(shot, planner.specs))
    scaled = {"size": str(size), "name": upscaler.name, "upscaler": upscaler.id} if upscaler else {}
    if crop is not None:
        ratio = shot.aspect_ratio or planner.specs.aspect_ratio
        key = "user_cropped_upscaled" if upscaler else "user_cropped"
        return t(
            f"selection.reason.{key}",
            language,
            model=model.name,
            render=crop.render_text,
            ratio=ratio,
            **scaled,
        )
    if upscaler is None:
        return t("selection.reason.user", language, model=model.name)
    native = model.native_size(size.width, size.height)
    return t(
        "selection.reason.user_upscaled" if native else "selection.reason.user_upscaled_any",
        language,
        model=model.name,
        native=f"{native[0]}x{native[1]}" if native else "",
        **scaled,
    )
