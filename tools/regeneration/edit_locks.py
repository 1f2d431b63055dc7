"""Locking and unlocking shots and elements (:class:`Lock`, :class:`Unlock`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from storycore.tools.domain import ElementStatus
from storycore.tools.feedback import Lock, Unlock, fold

if TYPE_CHECKING:
    from storycore.tools.regeneration.simulator import Planner


def _target(planner: Planner, target: str) -> tuple[str, str]:
    """("shot" or "element", id) for a Lock/Unlock target."""
    if target in planner.ids():
        return "shot", target
    if re.fullmatch(r"(?:shot[\s_#]*)?\d{1,4}[a-z]{0,2}", fold(target).strip()):
        return "shot", planner.one(target, "lock or unlock")
    return "element", planner.element_id(target)


def lock(planner: Planner, mod: Lock) -> None:
    """Lock a shot, or an element (locked when the change is applied)."""
    kind, target = _target(planner, mod.target)
    planner.normalised.append(Lock(target=target))
    if kind == "shot":
        shot = planner.shot(target)
        if not shot.locked:
            planner.replace(shot.model_copy(update={"locked": True}))
            planner.summary.append(planner.m("change.locked", target=target))
        return
    if planner.elements[target].status is not ElementStatus.LOCKED:
        planner.lock_elements.append(target)
        planner.summary.append(planner.m("change.locked", target=target))


def unlock(planner: Planner, mod: Unlock) -> None:
    """Unlock a shot or an element, and allow this change to redo it."""
    kind, target = _target(planner, mod.target)
    planner.normalised.append(Unlock(target=target))
    planner.unlocked.add(target)
    if kind == "shot":
        shot = planner.shot(target)
        if shot.locked:
            planner.replace(shot.model_copy(update={"locked": False}))
            planner.summary.append(planner.m("change.unlocked", target=target))
        return
    if planner.elements[target].status is ElementStatus.LOCKED:
        planner.summary.append(planner.m("change.unlocked", target=target))


#: The handler of each modification kind this module edits.
HANDLERS: dict[type[Any], Callable[[Planner, Any], None]] = {
    Lock: lock,
    Unlock: unlock,
}
