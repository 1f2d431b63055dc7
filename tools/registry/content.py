"""The registry's content changes: add, update, restore, reference images; each real change
makes a new version, and the status rules decide whether it may happen."""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from storycore.tools import asset_generator, structure
from storycore.tools.domain import (
    AssetMetadata,
    ElementContent,
    ElementStatus,
    ElementType,
    ElementVersion,
)
from storycore.tools.errors import ConflictError, InvalidInput, NotFound
from storycore.tools.naming import element_id as conventional_id
from storycore.tools.naming import slugify, split_numbered, unique
from storycore.tools.project import Transaction
from storycore.tools.registry.links import _RegistryLinks
from storycore.tools.registry.text import (
    _ID,
    _clean_description,
    _clean_line,
    _clean_name,
    _now,
    _parse_type,
    _validated,
    name_key,
)


@dataclass(frozen=True)
class _Addition:
    """What :meth:`AssetRegistry.add` was asked to register, its text already cleaned."""

    element_id: str
    type: ElementType
    name: str
    description: str
    #: The attributes as given (an update merges them itself) and cleaned (a new element).
    attributes: dict[str, str] | None
    clean_attributes: dict[str, str]
    aliases: Iterable[str] | None
    derived_from: str | None
    note: str
    force: bool


def _checked_element_id(element_id: str | None, element_type: ElementType, name: str) -> str:
    """The id given (refused unless well formed), else the conventional one (``char_gaby``)."""
    if element_id is None:
        return conventional_id(element_type.value, name)
    if not _ID.match(element_id):
        raise InvalidInput(
            f"{element_id!r} is not an element id; use lower-case letters, digits and _ "
            "starting with a letter (like char_gaby)"
        )
    return element_id


class _RegistryContent(_RegistryLinks):
    """Adding elements and changing their content: part of :class:`AssetRegistry`."""

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
        wanted = _Addition(
            element_id=_checked_element_id(element_id, element_type, clean_name),
            type=element_type,
            name=clean_name,
            description=_clean_description(canonical_description),
            attributes=attributes,
            clean_attributes=self._merge_attributes({}, attributes or {}),
            aliases=aliases,
            derived_from=derived_from,
            note=note,
            force=force,
        )
        with self.project.transaction(f"elements: add {wanted.element_id}") as tx:
            if self._ref(wanted.element_id) is not None:
                return self._add_again(tx, wanted)
            return self._add_new(tx, wanted)

    def _add_again(self, tx: Transaction, wanted: _Addition) -> AssetMetadata:
        """:meth:`add` of an id that exists: update it with what was given."""
        current = self.get(wanted.element_id)
        if current.type is not wanted.type:
            raise ConflictError(
                f"{wanted.element_id} is already a {current.type.value}, not a "
                f"{wanted.type.value}; choose another id"
            )
        extra = builtins.list(wanted.aliases or [])
        if name_key(wanted.name) not in self._name_keys(current):
            extra.append(wanted.name)
        updated = self._update_in(
            tx,
            current,
            canonical_description=wanted.description or None,
            attributes=wanted.attributes,
            add_aliases=extra,
            note=wanted.note or "added again",
            force=wanted.force,
        )
        if wanted.derived_from is not None and wanted.derived_from != updated.derived_from:
            updated = self._set_parent(tx, updated, wanted.derived_from)
        return updated

    def _add_new(self, tx: Transaction, wanted: _Addition) -> AssetMetadata:
        """:meth:`add` of a new id: the element's folder, sidecar (version 1) and card."""
        if wanted.derived_from is not None:
            self.get(wanted.derived_from)  # NotFound with a suggestion
            if wanted.derived_from == wanted.element_id:
                raise InvalidInput(f"{wanted.element_id} cannot be a variant of itself")
        content = ElementContent(
            name=wanted.name,
            canonical_description=wanted.description,
            attributes=wanted.clean_attributes,
        )
        meta = _validated(
            {
                "element_id": wanted.element_id,
                "type": wanted.type,
                "name": wanted.name,
                "aliases": self._clean_aliases(wanted.aliases or [], wanted.name),
                "canonical_description": wanted.description,
                "attributes": wanted.clean_attributes,
                "current_version": 1,
                "versions": [
                    ElementVersion(
                        version=1,
                        content_hash=content.digest(),
                        created_at=_now(),
                        note=wanted.note or "created",
                        content=content,
                    )
                ],
                "derived_from": wanted.derived_from,
            },
            wanted.element_id,
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
