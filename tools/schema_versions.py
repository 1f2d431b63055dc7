"""A schema version per document of a project, and the hooks that upgrade older ones.

Each JSON document StoryCore writes in a project (``project.json``, ``creative_brief.json``,
``storyboard.json``, each shot's ``shot.json``, each element's ``element.json``) carries a
``schema_version``. :mod:`storycore.tools.project` stamps it when a document is written and,
when one is read, upgrades it before validation: step by step from its version (a missing
version is 0, the documents written before versions were) to the current one, through the
hooks registered with :func:`upgrade_function_for` (OpenTimelineIO's idea). A step without a
hook leaves the document as it is. A document newer than this StoryCore knows is refused with
one clear error instead of being misread.

When a document's format moves: raise its number in :data:`DOCUMENTS` and register the hook
that turns the previous version into the new one::

    @upgrade_function_for("shot.json", 2)
    def _shot_v2(data: dict[str, Any]) -> dict[str, Any]:
        data["camera_movement"] = data.pop("movement", "static")
        return data
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from storycore.tools.domain import SCHEMA_VERSION
from storycore.tools.errors import ProjectError

KEY = "schema_version"

#: The current version of each versioned document, by file name.
DOCUMENTS: dict[str, int] = {
    "project.json": SCHEMA_VERSION,
    "creative_brief.json": SCHEMA_VERSION,
    "element.json": SCHEMA_VERSION,
    "shot.json": 1,
    "storyboard.json": 1,  # storycore.tools.storyboard.SCHEMA_VERSION (a test keeps them equal)
}

Upgrade = Callable[[dict[str, Any]], dict[str, Any]]

#: (document, the version it upgrades to) -> hook.
UPGRADES: dict[tuple[str, int], Upgrade] = {}


class SchemaVersionError(ProjectError):
    """A document's schema version is not one this StoryCore can read."""


def upgrade_function_for(document: str, version_to_upgrade_to: int) -> Callable[[Upgrade], Upgrade]:
    """Register the decorated function as the hook that upgrades ``document`` (a file name of
    :data:`DOCUMENTS`) from ``version_to_upgrade_to - 1`` to ``version_to_upgrade_to``. The hook
    receives the document's JSON (a dict it may change) and returns it."""
    if document not in DOCUMENTS:
        raise ValueError(f"{document!r} is not a versioned document ({', '.join(DOCUMENTS)})")
    if version_to_upgrade_to < 1:
        raise ValueError("a hook upgrades to version 1 or later")

    def register(function: Upgrade) -> Upgrade:
        UPGRADES[(document, version_to_upgrade_to)] = function
        return function

    return register


def document_kind(rel: str | PurePosixPath | Any) -> str | None:
    """The versioned document a project path names (by its file name), or None."""
    name = PurePosixPath(str(rel).replace("\\", "/")).name
    return name if name in DOCUMENTS else None


def version_of(data: dict[str, Any], subject: str) -> int:
    """The document's schema version (0 when it carries none)."""
    version = data.get(KEY, 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise SchemaVersionError(f"{subject}: {KEY} must be a whole number, not {version!r}")
    return version


def upgrade(document: str, data: Any, *, subject: str | None = None) -> Any:
    """``data`` (a document's JSON) upgraded to the current version of ``document``.

    Anything but a JSON object is returned as it is (validation reports it)."""
    if not isinstance(data, dict):
        return data
    subject = subject or document
    current = DOCUMENTS[document]
    version = version_of(data, subject)
    if version > current:
        raise SchemaVersionError(
            f"{subject}: {KEY} {version} is newer than this StoryCore reads ({current}); "
            "upgrade storycore-assistant to open this project"
        )
    if version == current and KEY in data:
        return data
    data = dict(data)
    while version < current:
        version += 1
        hook = UPGRADES.get((document, version))
        if hook is not None:
            data = hook(data)
            if not isinstance(data, dict):
                raise TypeError(f"the upgrade of {document} to {version} returned no dict")
        data[KEY] = version
    return data


def stamp(document: str, data: Any) -> Any:
    """``data`` with the current schema version of ``document`` (first key) if it has none."""
    if not isinstance(data, dict) or KEY in data:
        return data
    return {KEY: DOCUMENTS[document], **data}


__all__ = [
    "DOCUMENTS",
    "KEY",
    "UPGRADES",
    "SchemaVersionError",
    "document_kind",
    "stamp",
    "upgrade",
    "upgrade_function_for",
    "version_of",
]
