"""Changing the generative model of shots (:class:`SetModel`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from storycore.tools.errors import InvalidInput
from storycore.tools.feedback import SetModel, resolve_scene
from storycore.tools.regeneration.plan import _list

if TYPE_CHECKING:
    from storycore.tools.regeneration.simulator import Planner


def set_model(planner: Planner, mod: SetModel) -> None:
    """Use one video model for the shots in scope; those too long for it are split."""
    model = planner.video_model(mod.model_id)
    scene = resolve_scene(mod.scene, planner.scenes) if mod.scene is not None else None
    if mod.shot_ids is not None:
        scope = [s for ref in mod.shot_ids for s in planner.refs(ref)]
        where = _list(scope)
    elif scene is not None:
        scope = [s.shot_id for s in planner.shots if s.scene == scene]
        where = f"scene {scene}"
    elif mod.scene_type is not None:
        scope = [s.shot_id for s in planner.shots if s.scene_type.value == mod.scene_type]
        where = f"{mod.scene_type} shots"
    else:
        scope = planner.ids()
        where = "every shot"
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
        planner.replace(
            shot.model_copy(
                update={
                    "model_id": model.id,
                    "fallback_models": fallbacks,
                    "model_reason": f"{model.name}: chosen by the user",
                }
            )
        )
        planner.targeted.setdefault(shot_id, "model")
        changed.append(shot_id)
    if not changed:
        planner.warnings.append(f"{where} already use{'s' if len(scope) == 1 else ''} {model.id}")
        return
    planner.summary.append(f"{_list(changed)}: model -> {model.id} ({model.name})")
    prefs = planner.specs.models
    if model.id in prefs.avoid:
        planner.warnings.append(f"{model.id} is in the project's models to avoid")
    if prefs.local_only and not model.local:
        planner.warnings.append(f"{model.id} runs in the cloud but the project is local-only")
    aspect = planner.specs.aspect_ratio
    if not model.supports_aspect(aspect):
        planner.warnings.append(f"{model.id} does not render {aspect} natively")
    planner.split_too_long(changed)


#: The handler of each modification kind this module edits.
HANDLERS: dict[type[Any], Callable[[Planner, Any], None]] = {
    SetModel: set_model,
}
