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
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel

from storycore.tools.project.stamps import plain_stamp

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


identity = plain_stamp  # the identity of the file at a path (links followed), or None


def kept(path: str, model: type[M], *, copy: bool = True) -> M | None:
    """A copy of the ``model`` kept for ``path`` if the file is still the same file with the
    same bytes, else None (``copy=False``: the kept model itself, for a caller that never
    changes it in place)."""
    known = _current(path, model)
    if known is None:
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
    document = deep_copy(known.model) if copy else known.model
    assert isinstance(document, model)
    return document


def kept_bytes(path: str, model: type[BaseModel]) -> bytes | None:
    """The bytes the ``model`` kept for ``path`` was validated from, if the file there is
    still the file they were read from (its identity; the bytes are not read again), else
    None."""
    known = _current(path, model)
    return None if known is None else known.data


def _current(path: str, model: type[BaseModel]) -> _Kept | None:
    """The ``model`` kept for ``path`` while the file there is still the file it was read
    from (its identity), else None."""
    with _lock:
        known = _kept.get((path, model))
    if known is None or identity(path) != known.stamp:
        return None
    return known


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


def shared_copy(
    model: BaseModel, fields_of: Callable[[BaseModel], dict[str, Any] | None] | None = None
) -> tuple[BaseModel, list[tuple[BaseModel, dict[str, Any]]]]:
    """A copy of ``model`` (a document) that shares the models in its lists whose values are
    all immutable scalars or lists of them (a manifest's shot, element and segment entries;
    not a shot with its rendered clip), with those shared: each
    with a copy of its fields as they were, so that :func:`changed_in_place` can tell that
    one was changed in place after all. Everything else is copied as by :func:`deep_copy`.

    The copy's lists are its own: putting, removing or replacing an entry changes the copy
    only. Setting a field of a shared entry would change both (see
    :func:`changed_in_place`).

    ``fields_of``: gives an entry's field values as they are now, already copied (read
    only), or None: those are kept instead of a new copy (a transaction's manifest, just
    compared with the values its entries were encoded from). A value that is not what the
    entry holds now only makes :func:`changed_in_place` say that it changed."""
    cls = type(model)
    if cls.__deepcopy__ is not BaseModel.__deepcopy__ or model.__pydantic_extra__:
        return deep_copy(model), []
    shared: list[tuple[BaseModel, dict[str, Any]]] = []
    fields: dict[str, Any] = {}
    for key, value in model.__dict__.items():
        kind = type(value)
        if kind in _SHAREABLE:
            fields[key] = value
        elif kind is list:
            items = []
            plain: dict[type, bool] = {}  # per model class: copies itself the usual way
            for item in value:
                cls_item = type(item)
                usual = plain.get(cls_item)
                if usual is None:
                    usual = plain[cls_item] = (
                        issubclass(cls_item, BaseModel)
                        and cls_item.__deepcopy__ is BaseModel.__deepcopy__
                    )
                plain_item = (
                    usual
                    and item.__pydantic_extra__ is None
                    and getattr(item, "__pydantic_private__", None) is None
                )
                now = None
                if plain_item:
                    now = fields_of(item) if fields_of is not None else None
                    if now is None:
                        now = _fields_now(item.__dict__)
                if now is not None:
                    shared.append((item, now))
                    items.append(item)
                else:
                    items.append(deep_copy(item))
            fields[key] = items
        else:
            fields[key] = deep_copy(value)
    new = cls.__new__(cls)
    _object_setattr(new, "__dict__", fields)
    _object_setattr(new, "__pydantic_extra__", None)
    _object_setattr(new, "__pydantic_fields_set__", set(model.__pydantic_fields_set__))
    private = getattr(model, "__pydantic_private__", None)
    _object_setattr(
        new, "__pydantic_private__", None if private is None else copy.deepcopy(private)
    )
    return new, shared


def _fields_now(values: dict[str, Any]) -> dict[str, Any] | None:
    """The field values of a model that :func:`shared_copy` may share, as they are now, or
    None if it may not: each value must be immutable or a list of immutable values (a
    segment's shot ids; the lists are copied, so one changed in place is found too)."""
    if _SHAREABLE.issuperset(map(type, values.values())):
        return values.copy()
    now = {}
    for key, value in values.items():
        kind = type(value)
        if kind is list:
            if not _SHAREABLE.issuperset(map(type, value)) and not all(
                _shareable(type(v)) for v in value
            ):
                return None
            now[key] = value.copy()
        elif _shareable(kind):
            now[key] = value
        else:
            return None
    return now


def changed_in_place(shared: list[tuple[BaseModel, dict[str, Any]]]) -> bool:
    """Whether a model :func:`shared_copy` shared was changed in place since."""
    return any(item.__dict__ != fields for item, fields in shared)
