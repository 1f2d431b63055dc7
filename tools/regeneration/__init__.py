"""The regeneration manager: what a change to the plan makes stale, and applying it.

Dependencies run element -> shots -> segments -> documents:

- a shot's media depends on what :func:`shot_generation_hash` hashes: its framing, content,
  audio, assets, technical overrides, model, duration in frames, prompts, and the content
  hashes of the elements it shows. NOT its place in the timeline: retiming or moving another
  shot never makes it stale;
- a shot that continues from another one's last frame (``continues_from``) is regenerated
  when that one is;
- a segment is reassembled when its list of shots changes or one of its shots is
  regenerated;
- the storyboard documents (and any export already in ``exports/``) are always rewritten.

:func:`plan_changes` validates and normalises :mod:`storycore.tools.feedback` modifications
against the project and computes, without writing anything, the smallest set to regenerate:
it simulates the change, builds the prompts of every shot before and after, and compares the
hashes. :func:`apply_changes` then writes it all in ONE project transaction, so it is atomic
and :meth:`Project.undo` undoes it.

Generated media is recorded per shot in ``ShotSpec.generation_hash`` (the hash of the spec its
media came from; :func:`record_generated` sets it, a regenerated shot has it cleared), so
:func:`stale_shots` lists the shots whose media is missing or out of date.

``docs/feedback.md`` explains the rules (locks, splitting, the description rewrite).

Where each part lives (this package's ``__init__`` re-exports every public name, loading its
module on first use, so callers import from :mod:`storycore.tools.regeneration` as before):

- ``hashes.py``: what a shot's media depends on, stale shots, recording generated media;
- ``rewrite.py``: restating one trait of an element in a description;
- ``plan.py``: :class:`ChangePlan`, :class:`AppliedChange`, the fingerprint of a plan;
- ``simulator.py``: the change played on a copy of the plan, and :func:`plan_changes`;
- ``edit_shots.py``, ``edit_elements.py``, ``edit_models.py``, ``edit_locks.py``: the handler
  of each kind of modification (each module's ``HANDLERS`` table lists the kinds it edits);
- ``apply.py``: :func:`apply_changes`, in one project transaction.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storycore.tools.regeneration.apply import apply_changes
    from storycore.tools.regeneration.hashes import (
        HASHED_FIELDS,
        record_generated,
        shot_generation_hash,
        stale_shots,
    )
    from storycore.tools.regeneration.plan import DOCUMENTS, AppliedChange, ChangePlan
    from storycore.tools.regeneration.rewrite import rewrite_trait
    from storycore.tools.regeneration.simulator import plan_changes

# Each public name and the module it lives in, imported on first use: a caller that needs
# one hash (a plan's summary, production) does not load the feedback parser's rules.
_WHERE = {
    "apply_changes": "apply",
    "HASHED_FIELDS": "hashes",
    "record_generated": "hashes",
    "shot_generation_hash": "hashes",
    "stale_shots": "hashes",
    "DOCUMENTS": "plan",
    "AppliedChange": "plan",
    "ChangePlan": "plan",
    "rewrite_trait": "rewrite",
    "plan_changes": "simulator",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DOCUMENTS",
    "HASHED_FIELDS",
    "AppliedChange",
    "ChangePlan",
    "apply_changes",
    "plan_changes",
    "record_generated",
    "rewrite_trait",
    "shot_generation_hash",
    "stale_shots",
]
