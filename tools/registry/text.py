"""The element registry's text rules: user text cleaned, names folded, ids and shots checked.

:func:`name_key` folds a name for lookup (accents, case, punctuation); :func:`attribute_key`
is the stored form of an attribute name; the ``_clean_*`` functions drop control characters
and cut or refuse over-long names and descriptions; ``_parse_*`` turn user values into the
domain's enums with one clear :class:`InvalidInput`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from storycore.tools.domain import (
    AssetMetadata,
    ElementStatus,
    ElementType,
    format_validation_error,
)
from storycore.tools.errors import InvalidInput

#: Longest element name kept (AssetMetadata.name); longer names are cut, not refused.
MAX_NAME = 200
MAX_DESCRIPTION = 4000
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SHOT_ID = re.compile(r"^shot_(\d{2,3})([a-z]{0,2})$")


def name_key(text: str) -> str:
    """Fold a name for lookup: accents off, case folded, punctuation to single spaces.

    ``"GaBy"``, ``"gaby"`` and ``"Gäby"`` give the same key; non-Latin scripts are kept.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = stripped.casefold().replace("'", "").replace("’", "")
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _shot_sort_key(shot_id: str) -> tuple[int, str]:
    match = _SHOT_ID.match(shot_id)
    return (int(match.group(1)), match.group(2)) if match else (10**6, shot_id)


def _clean_line(text: str) -> str:
    """One line of user text: control characters dropped, whitespace collapsed."""
    # Line breaks and tabs separate words: they become spaces, other controls vanish.
    spaced = "".join(" " if c.isspace() else c for c in str(text))
    kept = "".join(c for c in spaced if not unicodedata.category(c).startswith("C"))
    return " ".join(kept.split())


def _clean_text(text: str) -> str:
    """A paragraph of user text: control characters dropped except line breaks."""
    lines = [
        "".join(c for c in line if not unicodedata.category(c).startswith("C"))
        for line in str(text).replace("\r\n", "\n").split("\n")
    ]
    return "\n".join(line.rstrip() for line in lines).strip()


def _clean_name(name: str) -> str:
    cleaned = _clean_line(name or "")
    if not cleaned:
        raise InvalidInput("an element needs a name; the name given is empty")
    return cleaned[:MAX_NAME].rstrip()


def _clean_description(text: str) -> str:
    cleaned = _clean_text(text or "")
    if len(cleaned) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"the canonical description has {len(cleaned)} characters; keep it under "
            f"{MAX_DESCRIPTION} (it goes into every prompt)"
        )
    return cleaned


def attribute_key(key: str) -> str:
    """The stored form of an attribute name: lower case, words joined by ``_`` (``eye_colour``)."""
    cleaned = "_".join(_clean_line(key).lower().split())
    if not cleaned:
        raise InvalidInput("an attribute needs a name (like hair=blonde curly)")
    if len(cleaned) > 64:
        raise InvalidInput(f"the attribute name {cleaned[:20]!r}... is too long; keep it short")
    return cleaned


def _shot_id(shot_id: str) -> str:
    if not isinstance(shot_id, str) or not _SHOT_ID.match(shot_id):
        raise InvalidInput(f"{shot_id!r} is not a shot id; shot ids look like shot_01 or shot_04a")
    return shot_id


def _parse_type(value: ElementType | str) -> ElementType:
    try:
        member: ElementType = ElementType.parse(value)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    return member


def _parse_status(value: ElementStatus | str) -> ElementStatus:
    try:
        member: ElementStatus = ElementStatus.parse(value)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    return member


def _validated(data: dict[str, Any], subject: str) -> AssetMetadata:
    try:
        return AssetMetadata.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(format_validation_error(exc, subject=subject)) from None
