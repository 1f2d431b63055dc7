"""Documents validated in this process, kept so that reading one again costs a ``stat``, a
read of its bytes and a copy, not a path resolution, a parse and a validation.

A kept document is used only when the file at the very path it was read from is still the
same file (inode, size, modification and change times: a symbolic link swapped or a file
moved in place is another file, so the path is confined again) **and** holds the same bytes
(compared in full: a hand edit that keeps the size is seen too). Anything else reads,
checks and validates the file again (:meth:`Project.read_model`). Each caller gets its own
deep copy, so changing a document read never changes what is kept.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import NamedTuple, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_Stamp = tuple[int, int, int, int]

#: How many documents are kept (least recently used dropped first): a 1000-shot project's
#: shots and elements.
KEEP = 4096


class _Kept(NamedTuple):
    stamp: _Stamp
    data: bytes
    model: BaseModel


_kept: OrderedDict[tuple[str, type[BaseModel]], _Kept] = OrderedDict()
_lock = threading.Lock()


def identity(path: str) -> _Stamp | None:
    """The identity of the file at ``path`` (links followed), or None if there is none."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def kept(path: str, model: type[M]) -> M | None:
    """A copy of the ``model`` kept for ``path`` if the file is still the same file with the
    same bytes, else None."""
    with _lock:
        known = _kept.get((path, model))
    if known is None or identity(path) != known.stamp:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read(len(known.data) + 1)
    except OSError:
        return None
    if data != known.data:
        return None
    with _lock:
        if (path, model) in _kept:
            _kept.move_to_end((path, model))
    copy = known.model.model_copy(deep=True)
    assert isinstance(copy, model)
    return copy


def keep(path: str, stamp: _Stamp | None, data: bytes, document: BaseModel) -> None:
    """Keep ``document``, validated from ``data`` read at ``path`` whose identity was
    ``stamp`` just before it was read (nothing is kept without one)."""
    if stamp is None:
        return
    entry = _Kept(stamp, data, document.model_copy(deep=True))
    with _lock:
        _kept[(path, type(document))] = entry
        _kept.move_to_end((path, type(document)))
        while len(_kept) > KEEP:
            _kept.popitem(last=False)


def forget() -> None:
    """Drop every kept document (tests, benchmarks: what a new process starts with)."""
    with _lock:
        _kept.clear()
