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

import copy
import os
import threading
from collections import OrderedDict
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any, NamedTuple, TypeVar

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
    document = deep_copy(known.model)
    assert isinstance(document, model)
    return document


def keep(path: str, stamp: _Stamp | None, data: bytes, document: BaseModel) -> None:
    """Keep ``document``, validated from ``data`` read at ``path`` whose identity was
    ``stamp`` just before it was read (nothing is kept without one)."""
    if stamp is None:
        return
    entry = _Kept(stamp, data, deep_copy(document))
    with _lock:
        _kept[(path, type(document))] = entry
        _kept.move_to_end((path, type(document)))
        while len(_kept) > KEEP:
            _kept.popitem(last=False)


def forget() -> None:
    """Drop every kept document (tests, benchmarks: what a new process starts with)."""
    with _lock:
        _kept.clear()


#: Values that are never changed in place: a copy may share them (``_SCALARS`` the exact
#: types, checked first).
_IMMUTABLE = (str, int, float, bytes, type(None), Enum, Fraction, Decimal, date, datetime, time)
_SCALARS: frozenset[type] = frozenset({str, int, float, bool, type(None)})

_object_setattr = object.__setattr__


#: The exact types found shareable so far: the scalars, then each type an instance of
#: ``_IMMUTABLE`` was found to have (an enum class, ``Fraction``...), so that the copy of a
#: model of such values is one ``dict.copy``.
_SHAREABLE: set[type] = set(_SCALARS)


def _shareable(kind: type) -> bool:
    """Whether values of exactly this type are shared by a copy (and remember it)."""
    if kind in _SHAREABLE:
        return True
    if issubclass(kind, _IMMUTABLE) and not issubclass(kind, BaseModel | list | dict):
        _SHAREABLE.add(kind)
        return True
    return False


def deep_copy(value: Any) -> Any:
    """What ``copy.deepcopy`` (pydantic's ``model_copy(deep=True)``) gives, for the values
    of a validated document: models, lists, dicts, sets, tuples and immutable scalars (which
    the copy shares); anything else goes through :func:`copy.deepcopy`. Faster than
    ``deepcopy``'s general machinery (no memo: a document holds no shared parts)."""
    kind = type(value)
    if kind in _SHAREABLE:
        return value
    if kind is list:
        if _SHAREABLE.issuperset(map(type, value)):
            return value.copy()  # shot ids, names: nothing inside to copy
        return [v if type(v) in _SHAREABLE else deep_copy(v) for v in value]
    if kind is dict:
        return {k: v if type(v) in _SHAREABLE else deep_copy(v) for k, v in value.items()}
    if isinstance(value, BaseModel):
        return _model_copy(value)
    if _shareable(kind):
        return value
    if kind is tuple:
        return tuple(deep_copy(item) for item in value)
    if kind is set or kind is frozenset:
        return kind(deep_copy(item) for item in value)
    return copy.deepcopy(value)


def _model_copy(model: BaseModel) -> BaseModel:
    """A deep copy of ``model``, as pydantic's ``BaseModel.__deepcopy__`` makes it."""
    cls = type(model)
    if cls.__deepcopy__ is not BaseModel.__deepcopy__:
        return copy.deepcopy(model)  # a model that copies itself its own way
    new = cls.__new__(cls)
    values = model.__dict__
    if _SHAREABLE.issuperset(map(type, values.values())):
        fields = values.copy()  # nothing inside to copy
    else:
        fields = {k: v if type(v) in _SHAREABLE else deep_copy(v) for k, v in values.items()}
    _object_setattr(new, "__dict__", fields)
    extra = model.__pydantic_extra__
    _object_setattr(new, "__pydantic_extra__", None if extra is None else deep_copy(extra))
    _object_setattr(new, "__pydantic_fields_set__", set(model.__pydantic_fields_set__))
    private = getattr(model, "__pydantic_private__", None)
    _object_setattr(
        new, "__pydantic_private__", None if private is None else copy.deepcopy(private)
    )
    return new
