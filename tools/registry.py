"""The element registry: every character, location, prop, wardrobe, vehicle, style or audio
element of a project, with its versions, status and relationships.

Storage. Each element is a folder ``01_elements/NN_Name/`` (registered in ``project.json``)
whose ``element.json`` is an :class:`~storycore.tools.domain.AssetMetadata`: human-readable,
diffable, and the only source of truth. Every write goes through a project transaction
(locked across processes, journaled, rolled back on error, undoable), and reads of the state
to change happen inside it, so concurrent writers never lose each other's changes.

Content and versions. An element's *content* (:class:`ElementContent`: name, canonical
description, attributes, reference images, generation parameters) is what prompts are built
from. Every change of content appends an :class:`ElementVersion` (a full snapshot and its
SHA-256) and moves ``current_version`` to it; old versions are never rewritten, and
:meth:`AssetRegistry.restore` makes a NEW version equal to an old one. A change that leaves the
content as it is makes no version. Status, aliases, shot links and ``derived_from`` are not
content: changing them rewrites the sidecar but makes no version.

Status rules (the decisions):

- ``draft``: free to change.
- ``approved``: content changes need ``force=True`` (CLI ``--force``); a forced change returns
  the element to ``draft``, because the approval was given to the earlier version.
- ``locked``: content changes and removal are refused, even with ``force``; :meth:`unlock`
  (back to ``draft``) first. Shot links and aliases may still change: the planner must be able
  to use a locked character.

Names. :meth:`AssetRegistry.find` matches ids, names and aliases ignoring case and accents
("Gaby", "GABY", "gaby's" all find ``char_gaby``). Renaming an element keeps its old name as an
alias, so feedback that uses the old name still finds it.
"""

from __future__ import annotations

import builtins
import difflib
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from storycore.tools import asset_generator, structure
from storycore.tools.domain import (
    AssetMetadata,
    ElementContent,
    ElementRef,
    ElementStatus,
    ElementType,
    ElementVersion,
    format_validation_error,
)
from storycore.tools.errors import ConflictError, InvalidInput, NotFound, ProjectError
from storycore.tools.naming import element_id as conventional_id
from storycore.tools.naming import slugify, split_numbered, unique
from storycore.tools.project import Project, Transaction

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


class AssetRegistry:
    """The elements of one project. Every method that changes something is one transaction
    (joining the caller's if one is active on the same :class:`Project`)."""

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

    def _load(self, ref: ElementRef) -> AssetMetadata:
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

    def versions(self, element_id: str) -> builtins.list[ElementVersion]:
        """Every version of an element, oldest first."""
        return builtins.list(self.get(element_id).versions)

    # -- adding and changing content ---------------------------------------------------------

    def add(
        self,
        type: ElementType | str,
        name: str,
        *,
        canonical_description: str = "",
        attributes: dict[str, str] | None = None,
        aliases: Iterable[str] | None = None,
        element_id: str | None = None,
        derived_from: str | None = None,
        note: str = "",
        force: bool = False,
    ) -> AssetMetadata:
        """Register an element (folder, sidecar, card) and return it at version 1.

        The id defaults to the conventional one (``char_gaby``). Adding an id that exists is
        idempotent when nothing new is given; otherwise it updates the element with what was
        given (a non-empty description, attributes merged, new aliases; a differently spelled
        name becomes an alias: :meth:`update` renames). Such an update obeys the status rules.
        """
        element_type = _parse_type(type)
        clean_name = _clean_name(name)
        if element_id is None:
            element_id = conventional_id(element_type.value, clean_name)
        elif not _ID.match(element_id):
            raise InvalidInput(
                f"{element_id!r} is not an element id; use lower-case letters, digits and _ "
                "starting with a letter (like char_gaby)"
            )
        description = _clean_description(canonical_description)
        attrs = self._merge_attributes({}, attributes or {})
        with self.project.transaction(f"elements: add {element_id}") as tx:
            if self._ref(element_id) is not None:
                current = self.get(element_id)
                if current.type is not element_type:
                    raise ConflictError(
                        f"{element_id} is already a {current.type.value}, not a "
                        f"{element_type.value}; choose another id"
                    )
                extra = builtins.list(aliases or [])
                if name_key(clean_name) not in self._name_keys(current):
                    extra.append(clean_name)
                updated = self._update_in(
                    tx,
                    current,
                    canonical_description=description or None,
                    attributes=attributes,
                    add_aliases=extra,
                    note=note or "added again",
                    force=force,
                )
                if derived_from is not None and derived_from != updated.derived_from:
                    updated = self._set_parent(tx, updated, derived_from)
                return updated
            if derived_from is not None:
                self.get(derived_from)  # NotFound with a suggestion
                if derived_from == element_id:
                    raise InvalidInput(f"{element_id} cannot be a variant of itself")
            content = ElementContent(
                name=clean_name, canonical_description=description, attributes=attrs
            )
            meta = _validated(
                {
                    "element_id": element_id,
                    "type": element_type,
                    "name": clean_name,
                    "aliases": self._clean_aliases(aliases or [], clean_name),
                    "canonical_description": description,
                    "attributes": attrs,
                    "current_version": 1,
                    "versions": [
                        ElementVersion(
                            version=1,
                            content_hash=content.digest(),
                            created_at=_now(),
                            note=note or "created",
                            content=content,
                        )
                    ],
                    "derived_from": derived_from,
                },
                element_id,
            )
            asset_generator.create_element_folder(tx, meta)
            if self.cards:
                asset_generator.write_reference_card(tx, meta)
            return meta

    def update(
        self,
        element_id: str,
        *,
        name: str | None = None,
        canonical_description: str | None = None,
        attributes: dict[str, str] | None = None,
        aliases: Iterable[str] | None = None,
        note: str = "",
        force: bool = False,
    ) -> AssetMetadata:
        """Change an element's content; a real change makes a new version.

        ``attributes`` are merged into the current ones (a value of ``""`` removes the key);
        ``aliases`` replaces the alias list. A locked element is refused; an approved one needs
        ``force=True`` and returns to draft. Nothing changed: no version, nothing written.
        """
        with self.project.transaction(f"elements: update {element_id}") as tx:
            current = self.get(element_id)
            return self._update_in(
                tx,
                current,
                name=name,
                canonical_description=canonical_description,
                attributes=attributes,
                aliases=aliases,
                note=note,
                force=force,
            )

    def _update_in(
        self,
        tx: Transaction,
        current: AssetMetadata,
        *,
        name: str | None = None,
        canonical_description: str | None = None,
        attributes: dict[str, str] | None = None,
        aliases: Iterable[str] | None = None,
        add_aliases: Iterable[str] = (),
        note: str = "",
        force: bool = False,
    ) -> AssetMetadata:
        new_name = _clean_name(name) if name is not None else current.name
        content = ElementContent(
            name=new_name,
            canonical_description=(
                _clean_description(canonical_description)
                if canonical_description is not None
                else current.canonical_description
            ),
            attributes=self._merge_attributes(current.attributes, attributes or {}),
            reference_images=builtins.list(current.reference_images),
            generation_parameters=dict(current.generation_parameters),
        )
        alias_list = builtins.list(current.aliases if aliases is None else aliases)
        alias_list += builtins.list(add_aliases)
        if new_name != current.name:
            alias_list.append(current.name)  # the old name still finds the element
        new_aliases = self._clean_aliases(alias_list, new_name)
        changed = self._commit_content(tx, current, content, note=note or "updated", force=force)
        if new_aliases != changed.aliases:
            changed = changed.model_copy(update={"aliases": new_aliases})
            asset_generator.write_sidecar(tx, changed)
        return changed

    def _commit_content(
        self,
        tx: Transaction,
        current: AssetMetadata,
        content: ElementContent,
        *,
        note: str,
        force: bool,
    ) -> AssetMetadata:
        """Write ``content`` as the element's next version (nothing if it is unchanged)."""
        if content.digest() == current.content().digest():
            return current
        self._check_writable(current, force=force)
        number = max((v.version for v in current.versions), default=0) + 1
        version = ElementVersion(
            version=number,
            content_hash=content.digest(),
            created_at=_now(),
            note=_clean_line(note)[:500],
            content=content,
        )
        status = ElementStatus.DRAFT if current.status is ElementStatus.APPROVED else current.status
        updated = _validated(
            {
                **current.model_dump(),
                "name": content.name,
                "canonical_description": content.canonical_description,
                "attributes": content.attributes,
                "reference_images": content.reference_images,
                "generation_parameters": content.generation_parameters,
                "current_version": number,
                "versions": [*current.versions, version],
                "status": status,
            },
            current.element_id,
        )
        if content.name != current.name:
            self._rename_folder(tx, updated)
        asset_generator.write_sidecar(tx, updated)
        if self.cards:
            asset_generator.write_reference_card(tx, updated)
        return updated

    def _check_writable(self, element: AssetMetadata, *, force: bool) -> None:
        if element.status is ElementStatus.LOCKED:
            raise ConflictError(
                f"{element.element_id} is locked; unlock it first "
                f"(storycore elements unlock DIR {element.element_id}, or AssetRegistry.unlock)"
            )
        if element.status is ElementStatus.APPROVED and not force:
            raise ConflictError(
                f"{element.element_id} is approved; pass --force (force=True) to change it, "
                "which returns it to draft"
            )

    def _rename_folder(self, tx: Transaction, element: AssetMetadata) -> None:
        # Folders follow names for people browsing the project; references are by id.
        refs = builtins.list(tx.manifest.elements)
        index = next(i for i, r in enumerate(refs) if r.element_id == element.element_id)
        ref = refs[index]
        parts = split_numbered(ref.folder)
        number = parts[0] if parts else index + 1
        taken = [
            (split_numbered(r.folder) or (0, r.folder))[1] for i, r in enumerate(refs) if i != index
        ]
        folder = f"{number:02d}_{unique(slugify(element.name, fallback='Element'), taken)}"
        if folder != ref.folder:
            tx.rename(f"{structure.ELEMENTS}/{ref.folder}", f"{structure.ELEMENTS}/{folder}")
        refs[index] = ref.model_copy(update={"folder": folder, "name": element.name})
        tx.manifest.elements = refs

    def restore(self, element_id: str, version: int) -> AssetMetadata:
        """Make a new version whose content is that of ``version`` (history is never
        rewritten). Restoring the content the element already has changes nothing."""
        with self.project.transaction(f"elements: restore {element_id} v{version}") as tx:
            current = self.get(element_id)
            old = next((v for v in current.versions if v.version == version), None)
            if old is None:
                known = ", ".join(str(v.version) for v in current.versions)
                raise NotFound(f"{element_id} has no version {version}; it has {known}")
            updated = self._commit_content(
                tx, current, old.content, note=f"restored version {version}", force=True
            )
            if updated.name != current.name:
                aliases = self._clean_aliases([*current.aliases, current.name], updated.name)
                if aliases != updated.aliases:
                    updated = updated.model_copy(update={"aliases": aliases})
                    asset_generator.write_sidecar(tx, updated)
            return updated

    def add_reference_image(
        self, element_id: str, source: Path | str, role: str = "reference", *, force: bool = False
    ) -> AssetMetadata:
        """Copy a user's image into the element's ``references/`` and record it (a new
        version). The same image twice is recorded once. Missing files, non-images and
        images Pillow cannot open are refused with one clear error."""
        clean_role = _clean_line(role)[:40] or "reference"
        path = Path(source).expanduser()
        asset_generator.check_image(path)  # before taking the lock
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with self.project.transaction(f"elements: reference image for {element_id}") as tx:
            current = self.get(element_id)
            if any(ref.sha256 == digest for ref in current.reference_images):
                return current
            self._check_writable(current, force=force)
            image = asset_generator.import_reference_image(tx, current, path, clean_role)
            content = current.content().model_copy(
                update={"reference_images": [*current.reference_images, image]}
            )
            return self._commit_content(
                tx, current, content, note=f"reference image {image.path}", force=force
            )

    # -- status --------------------------------------------------------------------------

    def set_status(self, element_id: str, status: ElementStatus | str) -> AssetMetadata:
        """Set the status explicitly (any transition; no new version)."""
        wanted = _parse_status(status)
        with self.project.transaction(f"elements: {wanted.value} {element_id}") as tx:
            current = self.get(element_id)
            if current.status is wanted:
                return current
            updated = current.model_copy(update={"status": wanted})
            asset_generator.write_sidecar(tx, updated)
            return updated

    def approve(self, element_id: str) -> AssetMetadata:
        """Mark the current version approved. A locked element stays locked (locked implies
        approved)."""
        with self.project.transaction(f"elements: approve {element_id}"):
            current = self.get(element_id)
            if current.status is ElementStatus.LOCKED:
                return current
            return self.set_status(element_id, ElementStatus.APPROVED)

    def lock(self, element_id: str) -> AssetMetadata:
        """Lock the element: its content cannot change until :meth:`unlock`."""
        return self.set_status(element_id, ElementStatus.LOCKED)

    def unlock(self, element_id: str) -> AssetMetadata:
        """Unlock a locked element, back to draft (free to change). Others are unchanged."""
        with self.project.transaction(f"elements: unlock {element_id}"):
            current = self.get(element_id)
            if current.status is not ElementStatus.LOCKED:
                return current
            return self.set_status(element_id, ElementStatus.DRAFT)

    # -- removal -------------------------------------------------------------------------

    def remove(self, element_id: str, *, force: bool = False) -> None:
        """Remove an element and its folder (undoable with ``Project.undo``).

        Refused while shots use it or variants derive from it, unless ``force`` (its variants
        then derive from its own parent); refused while locked, whatever ``force``.
        """
        with self.project.transaction(f"elements: remove {element_id}") as tx:
            current = self.get(element_id)
            if current.locked:
                raise ConflictError(
                    f"{element_id} is locked; unlock it first "
                    f"(storycore elements unlock DIR {element_id}) before removing it"
                )
            variants = self.variants_of(element_id)
            if not force and current.shots:
                shown = ", ".join(current.shots[:5]) + ("..." if len(current.shots) > 5 else "")
                raise ConflictError(
                    f"{element_id} is used by {len(current.shots)} shot(s) ({shown}); unlink "
                    "them first or force the removal"
                )
            if not force and variants:
                ids = ", ".join(v.element_id for v in variants)
                raise ConflictError(
                    f"{element_id} has variants ({ids}); remove them first or force the removal"
                )
            for variant in variants:
                moved = variant.model_copy(update={"derived_from": current.derived_from})
                asset_generator.write_sidecar(tx, moved)
            structure.remove_element_folder(tx, element_id)

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

    def sync_shot_links(self, links: Mapping[str, Iterable[str]]) -> builtins.list[str]:
        """Make every element's shot list agree with ``links`` (shot id -> element ids, for
        every shot of the plan), writing each changed element once. Unknown element ids are
        ignored (a shot may name an element not registered yet). Returns the changed ids."""
        wanted: dict[str, set[str]] = {}
        for shot_id, element_ids in links.items():
            shot = _shot_id(shot_id)
            for element_id in element_ids:
                wanted.setdefault(element_id, set()).add(shot)
        changed = []
        with self.project.transaction("elements: shot links") as tx:
            for element in self.list():
                ordered = sorted(wanted.get(element.element_id, ()), key=_shot_sort_key)
                if ordered != element.shots:
                    asset_generator.write_sidecar(tx, element.model_copy(update={"shots": ordered}))
                    changed.append(element.element_id)
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

    # -- cards ---------------------------------------------------------------------------

    def write_cards(self, element_ids: Sequence[str] | None = None) -> builtins.list[Path]:
        """(Re)draw the reference cards of these elements (default: all) where stale."""
        paths: builtins.list[Path] = []
        with self.project.transaction("elements: reference cards") as tx:
            for element_id in element_ids or [ref.element_id for ref in self._refs()]:
                paths.extend(asset_generator.write_reference_card(tx, self.get(element_id)))
        return paths

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
