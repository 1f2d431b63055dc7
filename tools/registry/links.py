"""The registry's relationships: which shots show an element, and which element a variant
derives from (neither is content: no new version)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from storycore.tools import asset_generator
from storycore.tools.domain import AssetMetadata, ShotSpec
from storycore.tools.errors import ConflictError, InvalidInput, NotFound
from storycore.tools.project import Transaction
from storycore.tools.project.recent import Recent
from storycore.tools.project.stamps import Looked
from storycore.tools.registry.reading import _RegistryBase
from storycore.tools.registry.text import _shot_id, _shot_sort_key

#: Shot lists found in shot order (each as a tuple), so that an element whose links did not
#: change is not sorted again at every change (the most recent kept).
_ordered: dict[tuple[str, ...], None] = {}
_ORDERED_KEEP = 256


def _in_order(shots: builtins.list[str], wanted: set[str]) -> bool:
    """Whether ``shots`` is exactly ``wanted`` (no repeat, no other) sorted in shot order,
    as ``sorted(wanted, key=_shot_sort_key) == shots`` says (``len(shots) == len(wanted)``)."""
    if wanted != set(shots):
        return False  # with the same length, equal sets also mean no shot twice
    key = tuple(shots)
    if key in _ordered:
        return True
    if sorted(shots, key=_shot_sort_key) != shots:
        return False
    _ordered[key] = None
    while len(_ordered) > _ORDERED_KEEP:
        del _ordered[next(iter(_ordered))]
    return True


class _Synced(NamedTuple):
    """What the last :meth:`_RegistryLinks.sync_links_of` of a project left: the very shots
    it was given and the very elements (each shared with the kept documents) it left."""

    shots: builtins.list[ShotSpec]
    elements: builtins.list[AssetMetadata]


#: Per project root: its last sync of shot links (the most recent few projects).
_synced: Recent[_Synced] = Recent()


def forget() -> None:
    """Drop what this process keeps of the last syncs (the next one goes the long way)."""
    _synced.forget()


def _unchanged_links(last: _Synced | None, shots: Sequence[ShotSpec]) -> bool:
    """Whether ``shots`` show the elements the ``last`` sync's shots showed: the same shots
    in the same order, each either the very shot the sync was given or one showing the
    same elements."""
    if last is None or len(last.shots) != len(shots):
        return False
    for shot, old in zip(shots, last.shots, strict=True):
        if shot is not old and (
            shot.shot_id != old.shot_id or set(shot.element_ids()) != set(old.element_ids())
        ):
            return False
    return True


class _RegistryLinks(_RegistryBase):
    """Shot links and variants (``derived_from``): part of :class:`AssetRegistry`."""

    # -- relationships -------------------------------------------------------------------

    def link_shot(self, element_id: str, shot_id: str) -> AssetMetadata:
        """Record that ``shot_id`` shows the element (no new version: links are not content)."""
        shot = _shot_id(shot_id)
        with self.project.transaction(f"elements: link {element_id} to {shot}") as tx:
            return self._set_link(tx, self.get(element_id), shot, True)

    def unlink_shot(self, element_id: str, shot_id: str) -> AssetMetadata:
        """Forget that ``shot_id`` shows the element."""
        shot = _shot_id(shot_id)
        with self.project.transaction(f"elements: unlink {element_id} from {shot}") as tx:
            return self._set_link(tx, self.get(element_id), shot, False)

    def set_shot_links(self, shot_id: str, element_ids: Iterable[str]) -> builtins.list[str]:
        """Make ``element_ids`` exactly the elements linked to ``shot_id``, across all
        elements, in one transaction. Returns the ids whose links changed."""
        shot = _shot_id(shot_id)
        wanted = builtins.list(dict.fromkeys(element_ids))
        with self.project.transaction(f"elements: links of {shot}") as tx:
            for element_id in wanted:
                if not self.exists(element_id):
                    raise NotFound(self._missing_message(element_id))
            changed = []
            for element in self.list():
                linked = element.element_id in wanted
                if (shot in element.shots) != linked:
                    self._set_link(tx, element, shot, linked)
                    changed.append(element.element_id)
            return changed

    def sync_shot_links(
        self,
        links: Mapping[str, Iterable[str]],
        *,
        into: dict[str, AssetMetadata] | None = None,
        shared: bool = False,
        listed: Sequence[AssetMetadata] | None = None,
    ) -> builtins.list[str]:
        """Make every element's shot list agree with ``links`` (shot id -> element ids, for
        every shot of the plan), writing each changed element once. Unknown element ids are
        ignored (a shot may name an element not registered yet). Returns the changed ids.

        ``into``: filled with every element as it is after the sync (id -> element, in the
        manifest's order), for a caller that reads them next. ``shared``: the elements are
        shared with the documents the project keeps in memory (not copied), for a caller
        that never changes one in place. ``listed``: every element as the caller just listed
        them (shared), not listed again."""
        wanted: dict[str, set[str]] = {}
        for shot_id, element_ids in links.items():
            shot = _shot_id(shot_id)
            for element_id in element_ids:
                wanted.setdefault(element_id, set()).add(shot)
        changed = []
        with self.project.transaction("elements: shot links") as tx:
            if listed is None:
                listed = self._list_shared() if shared else self.list()
            for element in listed:
                shots = wanted.get(element.element_id, set())
                if len(shots) != len(element.shots) or not _in_order(element.shots, shots):
                    ordered = sorted(shots, key=_shot_sort_key)
                    if ordered != element.shots:
                        element = element.model_copy(update={"shots": ordered})
                        asset_generator.write_sidecar(tx, element)
                        changed.append(element.element_id)
                if into is not None:
                    into[element.element_id] = element
        return changed

    def sync_links_of(
        self,
        shots: Sequence[ShotSpec],
        *,
        into: dict[str, AssetMetadata],
        looked: Looked | None = None,
    ) -> builtins.list[str]:
        """:meth:`sync_shot_links` of every shot of the plan (timeline order), the elements
        shared (``shared=True``) and put ``into`` the caller's dict. ``looked``: a watcher's
        answer holding the element files, taken before (:meth:`_list_shared`: an element
        file no event named since the last listing is not read again).

        When every element is still the very element the last sync of this process left
        (an element written or edited by hand since is read as a new one) and every shot
        either the very shot it was given or one showing the same elements, the links
        already agree: nothing is compared or sorted. Anything else goes the long way."""
        elements = self._list_shared(looked)
        last = _synced.get(self.project.root)
        same = (
            last is not None
            and len(elements) == len(last.elements)
            and all(a is b for a, b in zip(elements, last.elements, strict=True))
        )
        if same and _unchanged_links(last, shots):
            changed: builtins.list[str] = []
            into.update((element.element_id, element) for element in elements)
        else:
            links = {shot.shot_id: shot.element_ids() for shot in shots}
            found: dict[str, AssetMetadata] = {}
            changed = self.sync_shot_links(links, into=found, shared=True, listed=elements)
            into.update(found)
            elements = builtins.list(found.values())
        _synced.put(self.project.root, _Synced(builtins.list(shots), elements))
        return changed

    def _set_link(
        self, tx: Transaction, element: AssetMetadata, shot_id: str, linked: bool
    ) -> AssetMetadata:
        shots = set(element.shots)
        if linked:
            shots.add(shot_id)
        else:
            shots.discard(shot_id)
        ordered = sorted(shots, key=_shot_sort_key)
        if ordered == element.shots:
            return element
        updated = element.model_copy(update={"shots": ordered})
        asset_generator.write_sidecar(tx, updated)
        return updated

    def shots_using(self, element_id: str, *, include_variants: bool = False) -> builtins.list[str]:
        """Shot ids showing the element (and, if asked, any of its variants), in shot order."""
        element = self.get(element_id)
        shots = set(element.shots)
        if include_variants:
            for variant in self.variants_of(element_id, recursive=True):
                shots.update(variant.shots)
        return sorted(shots, key=_shot_sort_key)

    def elements_in_shot(self, shot_id: str) -> builtins.list[AssetMetadata]:
        """The elements linked to a shot, in the manifest's order."""
        return [e for e in self.list() if shot_id in e.shots]

    def variants_of(
        self, element_id: str, *, recursive: bool = False
    ) -> builtins.list[AssetMetadata]:
        """Elements derived from this one (a character's costume variants); with
        ``recursive``, their variants too."""
        self.get(element_id)
        everything = self.list()
        found: builtins.list[AssetMetadata] = []
        parents = {element_id}
        while parents:
            known = {e.element_id for e in found}
            children = [
                e for e in everything if e.derived_from in parents and e.element_id not in known
            ]
            found.extend(children)
            parents = {c.element_id for c in children} if recursive else set()
        return found

    def lineage(self, element_id: str) -> builtins.list[AssetMetadata]:
        """The element, then what it derives from, up to the original."""
        chain = [self.get(element_id)]
        seen = {element_id}
        while chain[-1].derived_from and chain[-1].derived_from not in seen:
            parent = chain[-1].derived_from
            if not self.exists(parent):
                break  # a parent removed by hand: the chain ends here
            seen.add(parent)
            chain.append(self.get(parent))
        return chain

    def set_derived_from(self, element_id: str, parent_id: str | None) -> AssetMetadata:
        """Record which element this one is a variant of (None: an original)."""
        with self.project.transaction(f"elements: {element_id} derives from {parent_id}") as tx:
            return self._set_parent(tx, self.get(element_id), parent_id)

    def _set_parent(
        self, tx: Transaction, element: AssetMetadata, parent_id: str | None
    ) -> AssetMetadata:
        if parent_id is not None:
            if parent_id == element.element_id:
                raise InvalidInput(f"{parent_id} cannot be a variant of itself")
            if element.element_id in {e.element_id for e in self.lineage(parent_id)}:
                raise ConflictError(
                    f"{element.element_id} cannot derive from {parent_id}: {parent_id} already "
                    f"derives from {element.element_id}"
                )
        if element.derived_from == parent_id:
            return element
        updated = element.model_copy(update={"derived_from": parent_id})
        asset_generator.write_sidecar(tx, updated)
        return updated
