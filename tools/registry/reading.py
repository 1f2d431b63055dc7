"""The registry's base: reading elements (get, resolve, find, list) and the small helpers
every change uses (attributes merged, aliases cleaned, name keys)."""

from __future__ import annotations

import builtins
import difflib
from collections.abc import Iterable
from typing import NamedTuple

from storycore.tools import asset_generator, structure
from storycore.tools.domain import (
    AssetMetadata,
    ElementContent,
    ElementRef,
    ElementType,
    ElementVersion,
)
from storycore.tools.errors import ConflictError, NotFound, ProjectError
from storycore.tools.project import Project
from storycore.tools.project.recent import Recent
from storycore.tools.project.stamps import Looked, Stamps, stamps_of
from storycore.tools.registry.text import (
    MAX_NAME,
    _clean_line,
    _now,
    _parse_type,
    attribute_key,
    name_key,
)


class _Listed(NamedTuple):
    """What the last :meth:`_RegistryBase._list_shared` given a watcher's answer read."""

    owner: Stamps  # the watcher that kept the element files
    clock: int  # its clock before the files were read
    keys: list[tuple[str, str]]  # each element's file and id, in the manifest's order
    elements: list[AssetMetadata]
    kept: list[bool]  # whether the watcher kept each file (an event says when it changes)


#: Per project root: what its last :meth:`_RegistryBase._list_shared` read.
_listed: Recent[_Listed] = Recent()


def forget() -> None:
    """Drop what the element listing keeps (the next one reads every element file)."""
    _listed.forget()


class _RegistryBase:
    """The elements of one project, read-only: the base of :class:`AssetRegistry`."""

    def __init__(self, project: Project, *, cards: bool = True) -> None:
        """``cards=False`` skips drawing reference cards on each change (a bulk import);
        :meth:`write_cards` draws the stale ones later."""
        self.project = project
        self.cards = cards

    # -- reading -------------------------------------------------------------------------

    def _refs(self) -> builtins.list[ElementRef]:
        return builtins.list(self.project.manifest.elements)

    def _ref(self, element_id: str) -> ElementRef | None:
        for ref in self.project.manifest.elements:
            if ref.element_id == element_id:
                return ref
        return None

    def _load(self, ref: ElementRef, *, shared: bool = False) -> AssetMetadata:
        rel = f"{structure.ELEMENTS}/{ref.folder}/{asset_generator.ELEMENT_FILE}"
        if not self.project.exists(rel):
            # A folder registered by the structure manager alone: its first version is
            # made from the manifest's entry (and written at the element's next change).
            content = ElementContent(name=ref.name[:MAX_NAME] or ref.element_id)
            return AssetMetadata(
                element_id=ref.element_id,
                type=ref.type,
                name=content.name,
                versions=[
                    ElementVersion(
                        version=1,
                        content_hash=content.digest(),
                        created_at=_now(),
                        note="registered without metadata",
                        content=content,
                    )
                ],
            )
        if shared:
            meta = self.project.read_shared(rel, AssetMetadata)
        else:
            meta = self.project.read_model(rel, AssetMetadata)
        if meta.element_id != ref.element_id:
            raise ProjectError(
                f"{rel} describes {meta.element_id!r} but project.json registers that folder "
                f"as {ref.element_id!r}; fix one of them"
            )
        return meta

    def get(self, element_id: str) -> AssetMetadata:
        """The element with this id; :class:`NotFound` (with a suggestion) if there is none."""
        ref = self._ref(element_id)
        if ref is None:
            raise NotFound(self._missing_message(element_id))
        return self._load(ref)

    def exists(self, element_id: str) -> bool:
        return self._ref(element_id) is not None

    def resolve(self, id_or_name: str) -> AssetMetadata:
        """The element with this id, else the one with this name or alias (see :meth:`find`);
        :class:`NotFound` if neither."""
        if self._ref(id_or_name) is not None:
            return self.get(id_or_name)
        found = self.find(id_or_name)
        if found is None:
            raise NotFound(self._missing_message(id_or_name))
        return found

    def _missing_message(self, wanted: str) -> str:
        refs = self._refs()
        if not refs:
            return f"the project has no element {wanted!r}; it has no elements yet"
        try:
            match = self.find(wanted)
        except ConflictError:
            match = None
        if match is not None and match.element_id != wanted:
            return f"the project has no element {wanted!r}; did you mean {match.element_id}?"
        by_key: dict[str, str] = {}
        for element in self.list():
            for spelling in (element.element_id, element.name, *element.aliases):
                by_key.setdefault(name_key(spelling), element.element_id)
        close = difflib.get_close_matches(name_key(wanted), by_key, n=1, cutoff=0.6)
        if close:
            return f"the project has no element {wanted!r}; did you mean {by_key[close[0]]}?"
        return (
            f"the project has no element {wanted!r}; list the elements to see their ids "
            "(storycore elements list)"
        )

    def find(self, name: str, *, type: ElementType | str | None = None) -> AssetMetadata | None:
        """The element whose id, name or alias matches ``name`` ignoring case and accents.

        A possessive ("GaBy's") also matches. Names win over aliases. :class:`ConflictError`
        if two elements match equally (give the type or the id); None if nothing matches.
        """
        wanted_type = _parse_type(type) if type is not None else None
        candidates = [name_key(name or "")]
        for suffix in ("'s", "’s", "'"):
            if name and name.rstrip().endswith(suffix):
                candidates.append(name_key(name.rstrip()[: -len(suffix)]))
        candidates = [c for c in candidates if c]
        if not candidates:
            return None
        elements = self.list(wanted_type)
        for key in candidates:
            for level in ("id", "name", "alias"):
                hits = [e for e in elements if key in self._keys(e, level)]
                if len(hits) == 1:
                    return hits[0]
                if len(hits) > 1:
                    ids = ", ".join(e.element_id for e in hits)
                    raise ConflictError(
                        f"{name!r} names {len(hits)} elements ({ids}); use an id or give the type"
                    )
        return None

    @staticmethod
    def _keys(element: AssetMetadata, level: str) -> set[str]:
        if level == "id":
            return {name_key(element.element_id)}
        if level == "name":
            return {name_key(element.name)}
        return {name_key(alias) for alias in element.aliases}

    def list(self, type: ElementType | str | None = None) -> builtins.list[AssetMetadata]:
        """Every element in the manifest's order, or those of one type."""
        wanted = _parse_type(type) if type is not None else None
        return [self._load(ref) for ref in self._refs() if wanted is None or ref.type is wanted]

    def _list_shared(self, looked: Looked | None = None) -> builtins.list[AssetMetadata]:
        """:meth:`list` of every element, each shared with what the project keeps in memory
        (not copied): for a caller that never changes an element in place (it replaces it:
        ``model_copy(update=...)``), such as the change planner.

        ``looked``: a watcher's answer, taken just before, that holds the element files
        (the change fingerprint's). An element file the watcher kept then, of which no event
        was reported since the last such listing read it, is that listing's element again
        (not confirmed, not read: the kernel said nothing changed it); every other one is
        read as before."""
        refs = self._refs()
        root = self.project.root
        stamps = stamps_of(root) if looked is not None else None
        if stamps is None or looked is None or looked.owner is not stamps:
            return [self._load(ref, shared=True) for ref in refs]
        folder, name = structure.ELEMENTS, asset_generator.ELEMENT_FILE
        keys = [(f"{folder}/{ref.folder}/{name}", ref.element_id) for ref in refs]
        last = _listed.get(root)
        changed = None
        if last is not None and last.owner is stamps and last.keys == keys:
            changed = stamps.changed_since(last.clock)
        loose = set(looked.loose)
        where = looked.where
        elements: list[AssetMetadata] = []
        kept: list[bool] = []
        for position, (ref, (rel, _)) in enumerate(zip(refs, keys, strict=True)):
            at = where.get(rel)
            kept.append(at is not None and at not in loose and looked.stamps[at] is not None)
            if (
                changed is not None
                and last is not None
                and last.kept[position]
                and rel not in changed[0]
                and not any(rel.startswith(below) for below in changed[1])
            ):
                elements.append(last.elements[position])
            else:
                elements.append(self._load(ref, shared=True))
        _listed.put(root, _Listed(stamps, looked.clock, keys, elements, kept))
        return elements

    def versions(self, element_id: str) -> builtins.list[ElementVersion]:
        """Every version of an element, oldest first."""
        return builtins.list(self.get(element_id).versions)

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _merge_attributes(current: dict[str, str], changes: dict[str, str]) -> dict[str, str]:
        merged = dict(current)
        for key, value in changes.items():
            clean_key = attribute_key(str(key))
            clean_value = _clean_line(str(value) if value is not None else "")
            if clean_value:
                merged[clean_key] = clean_value
            else:
                merged.pop(clean_key, None)
        return merged

    @staticmethod
    def _clean_aliases(aliases: Iterable[str], name: str) -> builtins.list[str]:
        seen = {name_key(name)}
        out = []
        for alias in aliases:
            cleaned = _clean_line(alias)[:MAX_NAME]
            key = name_key(cleaned)
            if key and key not in seen:
                seen.add(key)
                out.append(cleaned)
        return out

    @staticmethod
    def _name_keys(element: AssetMetadata) -> set[str]:
        return {name_key(element.name), *(name_key(a) for a in element.aliases)}
