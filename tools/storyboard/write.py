"""Writing every storyboard document and panel inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import compress
from operator import is_not
from pathlib import Path

from storycore.tools.domain import AssetMetadata, ShotSpec
from storycore.tools.project import Transaction
from storycore.tools.project.recent import Recent
from storycore.tools.project.stamps import Looked, stamps_of
from storycore.tools.storyboard.fragments import ShotPart, file_stamp, render_documents
from storycore.tools.storyboard.panels import write_panels
from storycore.tools.storyboard.plan import (
    PANEL_FILE,
    STORYBOARD_HTML,
    STORYBOARD_JSON,
    STORYBOARD_MD,
    VISUAL_STRATEGY_JSON,
    Plan,
    PlannedSegment,
    load_plan,
)
from storycore.tools.storyboard.visual_strategy import visual_strategy_bytes

# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


#: Per project root (the most recent few): what the last :func:`_write_panels` looked at,
#: the watcher's answer for the panel files and the shot parts it checked them against.
_panels_seen: Recent[tuple[Looked, list[ShotPart]]] = Recent()


def _unsure(root: Path, looked: Looked, parts: Sequence[ShotPart]) -> Iterable[int] | None:
    """The positions whose panel may not be the one its part was drawn as: those the watcher
    looked at again since the last call, and those whose part is not the very part checked
    then (every other one was checked then, and no event named its file since); None when
    that is not known (no last answer of this watcher, another list of panels)."""
    last = _panels_seen.get(root)
    if looked.changed is None or last is None or last[0].rels is not looked.rels:
        return None
    before = last[1]
    if len(before) != len(parts):
        return None
    unsure = set(looked.changed)
    unsure.update(compress(range(len(parts)), map(is_not, parts, before)))
    return sorted(unsure)


def _write_panels(tx: Transaction, plan: Plan, parts: Sequence[ShotPart]) -> list[str]:
    """Every shot's panel, drawn again where its inputs changed (:func:`write_panels`), the
    panels whose file is still the one found drawn from the same shot left unread.

    A warm process compares only the panels the kernel reported a change of and the parts
    that are new since its last call (:func:`_unsure`): a one-shot change checks one panel,
    not every one."""
    root = tx.project.root
    shots = plan.shots
    rels = [f"{planned.folder}/{PANEL_FILE}" for planned in shots]
    last = _panels_seen.get(root)
    if last is not None and last[0].rels == rels:
        rels = last[0].rels  # the same list: the watcher brings its last answer up to date
    looked = stamps_of(root).many_since(rels, last[0] if last is not None else None)
    now = looked.stamps
    positions = _unsure(root, looked, parts)
    if positions is None:
        positions = range(len(shots))
    todo = []
    for position in positions:
        part, stamp = parts[position], now[position]
        if part.panel is None or part.panel != stamp:
            todo.append((shots[position], part))
    if todo:
        checked = PlannedSegment("", "", "cut", "cut", [planned for planned, _ in todo])
        write_panels(tx, replace(plan, segments=[checked]))
        for planned, part in todo:
            part.panel = file_stamp(f"{root}/{planned.panel_path}")
    _panels_seen.put(root, (looked, list(parts)))
    return [planned.panel_path for planned in shots]


def write_documents(
    tx: Transaction,
    shots: Sequence[ShotSpec] | None = None,
    *,
    elements: Mapping[str, AssetMetadata] | None = None,
) -> list[str]:
    """Write ``storyboard.json``, ``.md``, ``.html``, ``visual_strategy.json`` and the panels.

    Runs inside the caller's transaction (so a failure rolls everything back) and returns the
    relative paths of the documents and panels. The output is a pure function of the plan:
    unchanged files are not rewritten and panels whose inputs did not change are not redrawn.
    ``shots``: every shot of the project in timeline order, when the caller holds them (they
    are not read back from disk). Only the shots this process has not rendered before are
    rendered (:mod:`~storycore.tools.storyboard.fragments`). ``elements``: the elements the
    caller holds as their files now are (:func:`load_plan`).
    """
    return write_plan_documents(tx, load_plan(tx.project, shots, elements=elements))


def write_plan_documents(tx: Transaction, plan: Plan) -> list[str]:
    """:func:`write_documents` of a plan just loaded (:func:`load_plan`) in ``tx``."""
    project = tx.project
    documents = render_documents(project, plan, project.manifest.technical_specs.language)
    panels = _write_panels(tx, plan, documents.parts)
    tx.write_bytes(STORYBOARD_JSON, documents.json, pieces=documents.json_pieces)
    tx.write_bytes(STORYBOARD_MD, documents.markdown, pieces=documents.markdown_pieces)
    tx.write_bytes(STORYBOARD_HTML, documents.html, pieces=documents.html_pieces)
    tx.write_bytes(VISUAL_STRATEGY_JSON, visual_strategy_bytes(project, plan))
    return [STORYBOARD_JSON, STORYBOARD_MD, STORYBOARD_HTML, VISUAL_STRATEGY_JSON, *panels]
