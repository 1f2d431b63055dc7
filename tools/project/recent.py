"""What a process keeps of the few projects it worked on last, one value each.

The incremental passes of an edit (the storyboard's parts, the visual strategy, the shot
layout, the shot links, the plan's shots, the change fingerprint) remember what they last
made for a project, by its root, so the next change redoes only what differs. Each such
memory is a :class:`Recent`: the most recently used few projects, one lock, and
:meth:`Recent.forget` to drop everything (the next pass goes the long way). Losing a value
costs time, never correctness: every pass checks what it kept against its inputs.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["KEEP_PROJECTS", "Recent"]

V = TypeVar("V")

#: How many projects one process keeps a memory of (the most recently used).
KEEP_PROJECTS = 4


class Recent(Generic[V]):
    """One value per project root for the :data:`KEEP_PROJECTS` most recently used."""

    def __init__(self, keep: int = KEEP_PROJECTS) -> None:
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def get(self, root: Hashable) -> V | None:
        """The value kept for ``root``, or None."""
        with self._lock:
            return self._values.get(root)

    def put(self, root: Hashable, value: V) -> V:
        """Keep ``value`` for ``root`` (the least recently used project dropped past the
        limit); returns ``value``."""
        with self._lock:
            self._set(root, value)
        return value

    def setdefault(self, root: Hashable, make: Callable[[V | None], V]) -> V:
        """The value for ``root`` as ``make`` gives it from the one kept (None when there is
        none), kept in one step under the lock."""
        with self._lock:
            value = make(self._values.get(root))
            self._set(root, value)
        return value

    def forget(self) -> None:
        """Drop every value (the next pass of each project goes the long way)."""
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def _set(self, root: Hashable, value: V) -> None:
        self._values[root] = value
        self._values.move_to_end(root)
        while len(self._values) > self._keep:
            self._values.popitem(last=False)
