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

The package: ``text`` (names folded, user text cleaned, ids and shot ids checked),
``reading`` (the registry's base: get, resolve, find, list), ``links`` (shot links and
variants), ``content`` (add, update, restore, reference images: the versions) and ``assets``
(:class:`AssetRegistry` itself: status, removal, reference cards).
"""

from storycore.tools.registry.assets import AssetRegistry
from storycore.tools.registry.text import MAX_DESCRIPTION, MAX_NAME, attribute_key, name_key

__all__ = ["MAX_DESCRIPTION", "MAX_NAME", "AssetRegistry", "attribute_key", "name_key"]
