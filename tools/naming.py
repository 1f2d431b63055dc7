"""Safe names from user text, and confinement to the project folder.

Folder names follow StoryCore's ``NN_Name`` convention (``03_Judas``, ``02_Intro_Candles``):
a two-digit position (three past 99) and a readable ASCII slug of the user's name. Every name
that reaches the file system goes through :func:`slugify`, and every path through
:func:`confined`, so a name from user text can never leave the project root.
"""

from __future__ import annotations

import errno
import os
import re
import unicodedata
from collections.abc import Collection
from pathlib import Path

from anyascii import anyascii

from storycore.tools.errors import ConfinementError, UnsafeName

#: Longest slug kept from a user's name; the folder adds the ``NN_`` prefix.
MAX_SLUG = 40

# Device names that Windows refuses as a file name, whatever the extension.
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}

_NUMBERED = re.compile(r"^(\d{2,4})_(.+)$")
#: An English possessive's apostrophe ("GaBy's", "the twins' "): dropped, not a word break.
_POSSESSIVE = re.compile(r"(?<=[A-Za-z0-9])'s\b")


def slugify(
    text: str, *, fallback: str = "Untitled", max_length: int = MAX_SLUG, whole_words: bool = True
) -> str:
    """A readable ASCII slug of ``text``: words capitalised and joined by ``_``.

    Unicode is folded to ASCII ("Gérard" -> "Gerard", "北京" -> "BeiJing", an emoji to its
    name), separators and control characters disappear, and the result is bounded. An empty
    result gives ``fallback``; a Windows device name (CON, NUL, COM1...) gets a suffix.
    """
    # Separate camel-case-free words so that "a/b" and "../../x" become plain words.
    folded = anyascii(unicodedata.normalize("NFKC", text or ""))
    # A possessive stays one word: "GaBy's Kitchen" -> "GaBys_Kitchen", not "GaBy_S_Kitchen".
    folded = _POSSESSIVE.sub("s", folded)
    words = re.findall(r"[A-Za-z0-9]+", folded)
    parts = [w[:1].upper() + w[1:] for w in words]
    slug = "_".join(parts)
    if len(slug) > max_length:
        # ``whole_words``: cut between words where one ends in the second half ("..._Feet_Down"
        # rather than "..._Down_T"); a single long word is cut where it must be. Ids keep the
        # plain cut they always had (an id must not change from one version to the next).
        cut = slug.rfind("_", 0, max_length + 1) if whole_words else -1
        slug = slug[: cut if cut >= max_length // 2 else max_length].rstrip("_")
    if not slug:
        slug = fallback
    if slug.lower() in _RESERVED:
        slug = f"{slug}_"
    return slug


def slug_id(text: str, *, prefix: str = "", max_length: int = 48) -> str:
    """A lower-case identifier (``char_gaby``) from user text, matching ``^[a-z][a-z0-9_]*$``."""
    slug = slugify(text, fallback="item", max_length=max_length, whole_words=False)
    slug = slug.lower().strip("_")
    slug = re.sub(r"_+", "_", slug)
    if prefix:
        slug = f"{prefix}_{slug}"
    if not slug[0].isalpha():
        slug = f"x{slug}"
    return slug[:64].rstrip("_")


def unique(candidate: str, taken: Collection[str]) -> str:
    """``candidate`` or ``candidate_2``, ``candidate_3``... whichever is not taken (case-blind)."""
    return unique_folded(candidate, {t.lower() for t in taken})


def unique_folded(candidate: str, lowered: Collection[str]) -> str:
    """:func:`unique` when the caller keeps the taken names in lower case (``lowered``): many
    names made one after another cost one set, not one per name."""
    if candidate.lower() not in lowered:
        return candidate
    n = 2
    while f"{candidate}_{n}".lower() in lowered:
        n += 1
    return f"{candidate}_{n}"


def numbered(position: int, name: str) -> str:
    """The ``NN_Name`` folder name at 1-based ``position`` (two digits, three past 99)."""
    if position < 1:
        raise UnsafeName(f"folder positions start at 1, not {position}")
    return f"{position:02d}_{slugify(name)}"


def split_numbered(folder: str) -> tuple[int, str] | None:
    """``("03", "Judas")`` from ``03_Judas`` as ``(3, "Judas")``; None if not numbered."""
    match = _NUMBERED.match(folder)
    if not match:
        return None
    return int(match.group(1)), match.group(2)


def renumbered(folder: str, position: int) -> str:
    """The same folder name at a new position: ``03_Judas`` at 4 is ``04_Judas``."""
    parts = split_numbered(folder)
    name = parts[1] if parts else slugify(folder)
    return f"{position:02d}_{name}"


def confined(root: Path, *parts: str | Path) -> Path:
    """``root / parts`` resolved, refused if it leaves ``root`` (via ``..``, an absolute
    part, or a symbolic link)."""
    return Path(confined_under(resolved(root), *parts, shown_root=root))


def resolved(path: str | Path) -> str:
    """``Path(path).resolve()`` as a string, without building the :class:`Path` objects.

    The same answer as :meth:`Path.resolve` (``os.path.realpath``, then a ``stat`` so that
    a symbolic link loop raises :class:`RuntimeError`): confinement checks every path a
    project reads or writes, and pathlib's overhead was most of their cost."""
    target = os.path.realpath(path)
    try:
        os.stat(target)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RuntimeError(f"Symlink loop from {exc.filename!r}") from None
    return target


def confined_under(base: str, *parts: str | Path, shown_root: str | Path | None = None) -> str:
    """``base / parts`` resolved, as a string, refused if it leaves ``base``.

    ``base`` must be resolved already (:func:`resolved`): a project resolves its root once
    and checks each path against it. Every path is still resolved whole, so ``..``, an
    absolute part and a symbolic link that leaves ``base`` are refused as by
    :func:`confined`."""
    target = resolved(os.path.join(base, *parts))
    prefix = base if base.endswith(os.sep) else base + os.sep
    if target != base and not target.startswith(prefix):
        shown = "/".join(str(p) for p in parts)
        where = base if shown_root is None else shown_root
        raise ConfinementError(f"the path {shown!r} would leave the project folder {where}")
    return target


#: The id prefix of each element type: ``char_gaby``, ``loc_old_bridge``, ``prop_red_umbrella``.
ELEMENT_PREFIXES = {
    "character": "char",
    "location": "loc",
    "prop": "prop",
    "wardrobe": "ward",
    "vehicle": "veh",
    "style": "style",
    "audio": "audio",
    "other": "elem",
}


def element_id(element_type: str, name: str) -> str:
    """The conventional id of an element from its type and name (``char_gaby``).

    The breakdown, the registry and the planner all derive ids this way, so the same
    character found twice gets the same id.
    """
    prefix = ELEMENT_PREFIXES.get(str(element_type), "elem")
    return slug_id(name, prefix=prefix)
