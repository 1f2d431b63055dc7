"""The change plan each pending proposal was made from, kept in this process until applied.

Approving a proposal used to plan the change again from its modifications (the state keeps
ids and the modifications only): at 500 shots that is a second :func:`plan_changes` of about
50 ms. The plan made for the proposal is kept here, keyed by the project folder and the
proposal's modifications, and handed to :func:`apply_changes`, which refuses nothing it
should not: it compares the plan's fingerprint with the files under the project lock and
plans again itself when they changed. A proposal answered in another process, or edited
before it was approved, finds no plan here and is planned again, as before.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

__all__ = ["forget_plans", "keep_plan", "kept_plan", "take_plan"]

#: Plans kept at most (the oldest is dropped first); a plan holds the shots it changes.
MAX_PLANS = 4

_plans: OrderedDict[tuple[Path, str], Any] = OrderedDict()
_lock = threading.Lock()


def _key(root: Path, modifications: list[dict[str, Any]]) -> tuple[Path, str]:
    return root, json.dumps(modifications, sort_keys=True, ensure_ascii=False, default=str)


def keep_plan(root: Path, modifications: list[dict[str, Any]], plan: Any) -> None:
    """Keep ``plan``, made in ``root`` from ``modifications`` (a proposal's JSON)."""
    with _lock:
        _plans[_key(root, modifications)] = plan
        _plans.move_to_end(_key(root, modifications))
        while len(_plans) > MAX_PLANS:
            _plans.popitem(last=False)


def take_plan(root: Path, modifications: list[dict[str, Any]]) -> Any:
    """The plan kept for these modifications in ``root`` (and forget it), or None."""
    with _lock:
        return _plans.pop(_key(root, modifications), None)


def kept_plan(root: Path, modifications: list[dict[str, Any]]) -> Any:
    """The plan kept for these modifications in ``root`` (kept for the apply), or None."""
    with _lock:
        return _plans.get(_key(root, modifications))


def forget_plans() -> None:
    """Drop every kept plan."""
    with _lock:
        _plans.clear()
