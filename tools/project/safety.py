"""A project is untrusted input: what its journal and documents may name.

:func:`_read_limited` reads a regular file of bounded size; :func:`is_safe_relative` says
whether a relative path stays below its folder; :func:`_check_journal` and :func:`_target`
confine a journal replay to the project; :func:`check_document_paths` refuses a document
whose folders or file references leave their folder.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Container, Iterator
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from storycore.tools.errors import ConfinementError, ProjectError

#: Largest project document (manifest, shot, element, journal) StoryCore reads.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
_BLOB_NAME = re.compile(r"^blob\d{6}$")
#: A control character (below 32, or DEL): refused in any path.
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_OPS = {"write": ("path",), "remove": ("path",), "rename": ("src", "dst"), "mkdir": ("path",)}


def _read_limited(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else a :class:`ProjectError`."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ProjectError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ProjectError(f"{path} is not a regular file")
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ProjectError(f"{path} is larger than {limit // (1024 * 1024)} MiB; refusing it")
    return data


def is_safe_relative(rel: object, *, single: bool = False) -> bool:
    """True if ``rel`` is a relative POSIX path that stays below its base folder.

    No absolute path, no ``..``, no backslash, no empty or control-character part;
    ``single`` also refuses any ``/`` (a folder name such as ``03_Judas``)."""
    if not isinstance(rel, str) or not rel or len(rel) > 1024:
        return False
    if rel.startswith("/") or "\\" in rel or "\x00" in rel:
        return False
    if _CONTROL.search(rel):
        return False
    parts = rel.split("/")
    if single and len(parts) != 1:
        return False
    return all(part not in ("", ".", "..") for part in parts)


def _check_journal(journal: Path, ops: list[dict[str, Any]]) -> None:
    """Refuse a journal naming a path outside the project or a blob outside its folder.

    Rolling back replays the journal: a crafted one (``"path": "../victim.txt"``) would
    otherwise delete or overwrite any file the user can write."""
    for number, op in enumerate(ops, start=1):
        keys = _OPS.get(str(op.get("op"))) if isinstance(op, dict) else None
        bad = keys is None or not all(is_safe_relative(op.get(k)) for k in keys)
        backup = op.get("backup") if isinstance(op, dict) else None
        if not bad and backup is not None:
            bad = not (isinstance(backup, str) and _BLOB_NAME.match(backup))
        if not bad and op.get("op") == "remove" and backup is None:
            bad = True
        if bad:
            raise ProjectError(
                f"{journal}: entry {number} names a path outside the project or is malformed; "
                "refusing to replay it (the project was left as it is)"
            )


def _target(root: Path, rel: str) -> Path:
    """``root / rel`` for a journal replay, refused if a symbolic link leads it outside."""
    path = root / rel
    parent = path.parent.resolve()
    if parent != root and root not in parent.parents:
        raise ConfinementError(f"the path {rel!r} would leave the project folder {root}")
    return path


def check_document_paths(
    rel: str | Path, model: BaseModel, *, checked: Container[int] = ()
) -> None:
    """Refuse a project document whose folders or file references leave their folder.

    Element, shot and sequence folders must be plain folder names; reference images and
    other file references relative paths without ``..``. Raises :class:`ProjectError`
    naming the file. ``checked``: the ids of models inside ``model`` already found safe
    as they are now (not looked into again)."""
    values = _document_paths(model, None, checked)
    if all(_safe_value(value, single) for _, value, single in values):
        return  # the usual case: nothing to report, so no place is named
    for where, value, single in _document_paths(model, ""):
        if value is not None and not is_safe_relative(value, single=single):
            raise ProjectError(
                f"{rel}: {where} = {_short(value)} names a path outside its folder; refusing it"
            )


#: Path values found safe (folder names with ``single``): the same few hundred folder names
#: are checked at every read and commit of a manifest.
_safe: set[tuple[str, bool]] = set()
_SAFE_KEEP = 16384


def _safe_value(value: Any, single: bool) -> bool:
    if value is None:
        return True
    if type(value) is str and (value, single) in _safe:
        return True
    if not is_safe_relative(value, single=single):
        return False
    if type(value) is str:
        if len(_safe) >= _SAFE_KEEP:
            _safe.clear()
        _safe.add((value, single))
    return True


def _document_paths(
    value: Any, where: str | None, checked: Container[int] = ()
) -> Iterator[tuple[str, Any, bool]]:
    """Each path value of ``value`` as (where, value, single); ``where`` None names no place
    (the fast pass of :func:`check_document_paths`). A model in a list whose id is in
    ``checked`` is not looked into."""

    def at(here: str | None, part: str) -> str | None:
        return None if here is None else (f"{here}.{part}" if here else part)

    def index(here: str | None, i: int) -> str | None:
        return None if here is None else f"{here}[{i}]"

    if isinstance(value, BaseModel):
        for name in _walked_fields(type(value)):
            item = getattr(value, name, None)
            here = at(where, name)
            if name == "folder":
                yield here or "", item, True
            elif name == "path" and isinstance(item, str):
                yield here or "", item, False
            elif name == "reference_images" and isinstance(item, list):
                for i, ref in enumerate(item):
                    if isinstance(ref, str):
                        yield index(here, i) or "", ref, False
                    else:
                        yield from _document_paths(ref, index(here, i))
            elif isinstance(item, BaseModel | list):
                yield from _document_paths(item, here, checked)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, BaseModel) and id(item) not in checked:
                yield from _document_paths(item, index(where, i))


#: Per model class, the fields :func:`_document_paths` looks into (see :func:`_walked_fields`).
_WALKED: dict[type[BaseModel], tuple[str, ...]] = {}
_PATH_FIELDS = ("folder", "path", "reference_images")


def _walked_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``model`` that can name a path or hold a model or a list (those named
    like a path, and those whose type allows a model or a list); a field of scalars only
    (text, numbers, enums) cannot, and is not read."""
    known = _WALKED.get(model)
    if known is None:
        known = tuple(
            name
            for name, field in model.model_fields.items()
            if name in _PATH_FIELDS or _may_nest(field.annotation)
        )
        _WALKED[model] = known
    return known


def _may_nest(annotation: Any) -> bool:
    """Whether a value of type ``annotation`` may be a pydantic model or a list (anything
    not understood counts as may)."""
    if annotation is Any or annotation is list:
        return True
    origin = get_origin(annotation)
    if origin is None:
        if isinstance(annotation, type):
            return issubclass(annotation, BaseModel | list)
        return annotation is not None and annotation is not type(None)
    if origin is list:
        return True
    if origin is Literal:
        return False
    if origin in (Union, UnionType, Annotated):
        return any(
            _may_nest(arg) for arg in get_args(annotation)[: None if origin is not Annotated else 1]
        )
    if isinstance(origin, type):
        return issubclass(origin, BaseModel | list)
    return True


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
