"""The element registry itself: :class:`AssetRegistry` (status, removal, reference cards),
built on the reading, links and content parts in its sibling files."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from pathlib import Path

from storycore.tools import asset_generator, structure
from storycore.tools.domain import AssetMetadata, ElementStatus
from storycore.tools.errors import ConflictError
from storycore.tools.registry.content import _RegistryContent
from storycore.tools.registry.text import _parse_status


class AssetRegistry(_RegistryContent):
    """The elements of one project. Every method that changes something is one transaction
    (joining the caller's if one is active on the same :class:`Project`)."""

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

    # -- cards ---------------------------------------------------------------------------

    def write_cards(self, element_ids: Sequence[str] | None = None) -> builtins.list[Path]:
        """(Re)draw the reference cards of these elements (default: all) where stale."""
        paths: builtins.list[Path] = []
        with self.project.transaction("elements: reference cards") as tx:
            for element_id in element_ids or [ref.element_id for ref in self._refs()]:
                paths.extend(asset_generator.write_reference_card(tx, self.get(element_id)))
        return paths
