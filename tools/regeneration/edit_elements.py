"""Changing how an element looks (:class:`UpdateElement`), and restating the trait in every
text that describes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from storycore.tools.domain import ElementStatus
from storycore.tools.feedback import ATTRIBUTE_WORDS, UpdateElement
from storycore.tools.regeneration.plan import _validated_shot
from storycore.tools.regeneration.rewrite import rewrite_trait
from storycore.tools.registry import attribute_key

if TYPE_CHECKING:
    from storycore.tools.regeneration.simulator import Planner


def update_element(planner: Planner, mod: UpdateElement) -> None:
    element_id = planner.element_id(mod.element)
    element = planner.elements[element_id]
    changes = {attribute_key(k): " ".join(str(v).split()) for k, v in mod.attributes.items()}
    if mod.mode == "replace":
        attributes = {k: v for k, v in changes.items() if v}
    else:
        attributes = dict(element.attributes)
        for key, value in changes.items():
            if value:
                attributes[key] = value
            else:
                attributes.pop(key, None)
    description = element.canonical_description
    if mod.description is not None:
        description = " ".join(mod.description.split())
    subject = [element.name, *element.aliases]
    others = [
        name
        for other in planner.elements.values()
        if other.element_id != element_id
        for name in (other.name, *other.aliases)
    ]
    rewrites = {k: v for k, v in changes.items() if v and k in ATTRIBUTE_WORDS}
    for key, value in rewrites.items():
        description = rewrite_trait(
            description, key, value, subject_names=subject, other_names=others, whole=True
        )
    if description == element.canonical_description and attributes == element.attributes:
        planner.warnings.append(f"{element_id}: already looks like that")
        planner.normalised.append(mod.model_copy(update={"element": element_id}))
        return
    planner.elements[element_id] = element.model_copy(
        update={"canonical_description": description, "attributes": attributes}
    )
    planner.normalised.append(mod.model_copy(update={"element": element_id}))
    shown = [s.shot_id for s in planner.shots if element_id in s.element_ids()]
    said = ", ".join(f"{k} -> {v}" for k, v in changes.items() if v) or ""
    removed = [k for k, v in changes.items() if not v]
    parts = [p for p in (said, ", ".join(f"{k} removed" for k in removed)) if p]
    if mod.description is not None:
        parts.append("new description")
    planner.summary.append(f"{element_id}: {'; '.join(parts)} ({len(shown)} shots)")
    planner.element_notes.setdefault(element_id, []).append("; ".join(parts))
    if not rewrites:
        return
    # Other texts that describe this element: other elements' descriptions (the planner
    # describes a prop by the first sentence naming it, which may be a character's) and
    # the shots' own description and action.
    for other_id, other in list(planner.elements.items()):
        if other_id == element_id:
            continue
        text = other.canonical_description
        for key, value in rewrites.items():
            text = rewrite_trait(text, key, value, subject_names=subject, other_names=others)
        if text == other.canonical_description:
            continue
        if other.status is not ElementStatus.DRAFT and other_id not in planner.unlocked:
            # The user spoke of one element: a fixed one is not rewritten behind their back.
            planner.warnings.append(
                f"{other_id} is {other.status.value}: its description still gives "
                f"{element.name}'s old {', '.join(rewrites)} (unlock it to restate it)"
            )
            continue
        if text != other.canonical_description:
            planner.elements[other_id] = other.model_copy(update={"canonical_description": text})
            shows = [s.shot_id for s in planner.shots if other_id in s.element_ids()]
            keys = ", ".join(rewrites)
            planner.summary.append(
                f"{other_id}: its description also describes {element.name}; "
                f"{keys} restated ({len(shows)} shots)"
            )
            planner.element_notes.setdefault(other_id, []).append(
                f"{element.name}'s {keys} restated"
            )
    for i, shot in enumerate(planner.shots):
        update: dict[str, str] = {}
        for name in ("description", "action"):
            text = getattr(shot, name)
            for key, value in rewrites.items():
                text = rewrite_trait(text, key, value, subject_names=subject, other_names=others)
            if text != getattr(shot, name):
                update[name] = text
        if update:
            planner.shots[i] = _validated_shot(shot, **update)


#: The handler of each modification kind this module edits.
HANDLERS: dict[type[Any], Callable[[Planner, Any], None]] = {
    UpdateElement: update_element,
}
