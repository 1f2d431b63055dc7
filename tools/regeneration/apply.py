"""Applying a planned change in one project transaction: elements, shot folders laid out in
one pass, shots, prompts, links, segments, documents and the exports already made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from storycore.tools import exports as exports_module
from storycore.tools.domain import AssetMetadata, ShotRef, ShotSpec
from storycore.tools.errors import ConflictError, InvalidInput, StoryCoreError
from storycore.tools.naming import renumbered, slugify, split_numbered, unique
from storycore.tools.project import Project, Transaction
from storycore.tools.project.recent import Recent
from storycore.tools.prompt_builder import build_shot_prompts
from storycore.tools.regeneration.index import write_index
from storycore.tools.regeneration.plan import AppliedChange, ChangePlan, _export_files, _fingerprint
from storycore.tools.registry import AssetRegistry
from storycore.tools.storyboard import fragments, load_plan
from storycore.tools.storyboard.write import write_plan_documents
from storycore.tools.structure import SHOTS, set_segments, shot_title, write_shots


class _Laid(NamedTuple):
    """What the last :func:`_lay_out_shots` of a project left: the very shots it was given,
    the very manifest entries it left and their folders."""

    shots: list[ShotSpec]
    refs: list[ShotRef]
    folders: list[str]


#: Per project root: its last layout in this process (the most recent few projects).
_laid: Recent[_Laid] = Recent()


def forget() -> None:
    """Drop what this process keeps of the last layouts (the next one goes the long way)."""
    _laid.forget()


def _lay_out_shots(tx: Transaction, shots: Sequence[ShotSpec]) -> None:
    """Make ``02_shots/`` hold exactly ``shots`` in this order, numbered from 01.

    The structure manager's naming (``NN_Title``, a shot keeps its title part, a new shot
    gets a unique one), done in one pass: removed folders go, then every folder whose number
    changes is renamed through a temporary name, then new folders are made. Inserting shots
    one by one would rename every later folder once per insert. When the manifest's entries
    are still the very entries the last layout of this process left, in the same folders,
    and the shots the same ones in the same order (each the very shot or one with its id),
    every folder is at its place already: only the entries of the shots changed since are
    looked at (:func:`_in_place`).
    """
    if not _in_place(tx, shots):
        _lay_out_moving(tx, shots)
    refs = tx.manifest.shots
    _laid.put(tx.project.root, _Laid(list(shots), list(refs), [ref.folder for ref in refs]))


def _in_place(tx: Transaction, shots: Sequence[ShotSpec]) -> bool:
    """Lay out ``shots`` when no folder moves (see :func:`_lay_out_shots`): the entries of
    the shots that are not the very shots of the last layout brought up to date. False,
    having done nothing, when that cannot be told without the long way."""
    last = _laid.get(tx.project.root)
    refs = tx.manifest.shots
    if last is None or not len(refs) == len(last.refs) == len(shots) == len(last.shots):
        return False
    if any(ref is not old for ref, old in zip(refs, last.refs, strict=True)):
        return False
    if [ref.folder for ref in refs] != last.folders:
        return False  # an entry's folder changed in place
    pairs = enumerate(zip(shots, last.shots, strict=True))
    changed = [position for position, (shot, old) in pairs if shot is not old]
    if any(shots[position].shot_id != refs[position].shot_id for position in changed):
        return False
    if changed:
        now = list(refs)
        for position in changed:
            now[position] = _shot_ref(refs[position], shots[position], refs[position].folder)
        tx.manifest.shots = now
    return True


def _lay_out_moving(tx: Transaction, shots: Sequence[ShotSpec]) -> None:
    """:func:`_lay_out_shots` the long way: every shot's folder looked at."""
    refs = list(tx.manifest.shots)
    by_id = {ref.shot_id: ref for ref in refs}
    wanted = {shot.shot_id for shot in shots}
    for ref in refs:
        if ref.shot_id not in wanted:
            tx.remove(f"{SHOTS}/{ref.folder}")
    taken: list[str] | None = None  # the title parts in use, found when a shot is new
    targets: list[str] = []
    for position, shot in enumerate(shots, start=1):
        known = by_id.get(shot.shot_id)
        if known is not None:
            folder = known.folder
            prefix = f"{position:02d}_"
            if (
                position < 10000
                and folder.startswith(prefix)
                and len(folder) > len(prefix)
                and "\n" not in folder
            ):
                targets.append(folder)  # already at its place: what renumbered gives
            else:
                targets.append(renumbered(folder, position))
            continue
        if taken is None:
            taken = [
                (split_numbered(by_id[s.shot_id].folder) or (0, by_id[s.shot_id].folder))[1]
                for s in shots
                if s.shot_id in by_id
            ]
        slug = unique(slugify(shot_title(shot), fallback="Shot"), taken)
        taken.append(slug)
        targets.append(f"{position:02d}_{slug}")
    moving = [
        (by_id[shot.shot_id].folder, target)
        for shot, target in zip(shots, targets, strict=True)
        if shot.shot_id in by_id and by_id[shot.shot_id].folder != target
    ]
    for folder, _ in moving:
        tx.rename(f"{SHOTS}/{folder}", f"{SHOTS}/.renumber_{folder}")
    for folder, target in moving:
        tx.rename(f"{SHOTS}/.renumber_{folder}", f"{SHOTS}/{target}")
    for shot, target in zip(shots, targets, strict=True):
        if shot.shot_id not in by_id:
            tx.mkdir(f"{SHOTS}/{target}")
    tx.manifest.shots = [
        _shot_ref(by_id.get(shot.shot_id), shot, target)
        for shot, target in zip(shots, targets, strict=True)
    ]


def _shot_ref(known: ShotRef | None, shot: ShotSpec, folder: str) -> ShotRef:
    """The manifest's entry of ``shot`` in ``folder`` (``known``, its entry before, when it
    already says so)."""
    if known is not None and (known.folder, known.status, known.version) == (
        folder,
        shot.status,
        shot.version,
    ):
        return known
    return ShotRef(
        shot_id=shot.shot_id,
        folder=folder,
        status=shot.status,
        version=shot.version,
        media=known.media if known is not None else None,
    )


def _reprompted(
    project: Project, registry: AssetRegistry, shots: Sequence[ShotSpec], shot_ids: Sequence[str]
) -> list[ShotSpec]:
    """``shots`` with the prompts of ``shot_ids`` rebuilt from the registry as it is now (the
    elements were just updated); the other shots are left as they are."""
    wanted = set(shot_ids)
    if not wanted:
        return list(shots)
    specs = project.manifest.technical_specs
    # A shot's prompts read the elements it shows only: those are read, not the registry.
    shown = {e for s in shots if s.shot_id in wanted for e in s.element_ids()}
    elements = {e: registry.get(e) for e in sorted(shown) if registry.exists(e)}
    override = project.path("prompts")
    folder = override if override.is_dir() else None
    return [
        build_shot_prompts(s, elements, specs, override_dir=folder).apply_to(s)
        if s.shot_id in wanted
        else s
        for s in shots
    ]


def _replan_if_independent(project: Project, plan: ChangePlan) -> ChangePlan:
    """The same change planned again on the project as it is now (the lock is held).

    Another change applied in between (by another process, on other shots) is not a reason
    to ask the user to retry: the change is planned again and applied if it does the same
    thing. It is refused only if it no longer applies or would now do something else."""
    from storycore.tools.regeneration.simulator import plan_changes

    said = "the project changed after this change was planned"
    try:
        fresh = plan_changes(project, plan.modifications)
    except StoryCoreError as exc:
        raise ConflictError(f"{said} and it no longer applies ({exc}); plan it again") from None
    same = (
        fresh.summary == plan.summary
        and fresh.regenerate_shots == plan.regenerate_shots
        and fresh.inserted_shots == plan.inserted_shots
        and fresh.removed_shots == plan.removed_shots
        and fresh.moved_shots == plan.moved_shots
    )
    if not same or fresh.outcome is None:
        raise ConflictError(f"{said} and it would now do something else; plan it again")
    return fresh


def apply_changes(project: Project, plan: ChangePlan) -> AppliedChange:
    """Apply a plan from :func:`plan_changes` in one project transaction (atomic, and undone
    as a whole by :meth:`Project.undo`).

    Elements get new versions (unlocked first when the change unlocks them); shots are
    removed, inserted and moved with their folders renumbered in one pass (the structure
    manager's naming), and retimed end to end;
    regenerated shots get version + 1, status ``pending`` and rebuilt prompts; element links,
    segments and the documents are brought up to date. A plan made before the project changed
    is refused (:class:`ConflictError`): plan it again.
    """
    outcome = plan.outcome
    if outcome is None:
        raise InvalidInput("this change plan has nothing to apply; make it with plan_changes")
    with project.transaction(outcome.note) as tx:
        fingerprint, looked = _fingerprint(project)
        if fingerprint != outcome.fingerprint:
            plan = _replan_if_independent(project, plan)
            assert plan.outcome is not None
            outcome = plan.outcome
        if outcome.specs is not None:
            tx.manifest.technical_specs = outcome.specs
        registry = AssetRegistry(project)
        for element_id in outcome.element_unlocks:
            registry.unlock(element_id)
        for element_id, (description, attributes, note) in outcome.element_updates.items():
            registry.update(
                element_id,
                canonical_description=description,
                attributes=attributes,
                note=f"feedback: {note}"[:200],
                force=element_id in outcome.element_force,
            )
        before = {s.shot_id: s for s in outcome.before_shots}
        folders = [ref.folder for ref in tx.manifest.shots]
        _lay_out_shots(tx, outcome.shots)
        shots = _reprompted(project, registry, outcome.shots, outcome.regenerated)
        # Only what changed: untouched shots keep their files byte for byte.
        rewritten = [s for s in shots if (old := before.get(s.shot_id)) is not s and old != s]
        write_shots(tx, rewritten)
        moved = folders != [ref.folder for ref in tx.manifest.shots]
        # Every element as it is after the sync: the documents do not read them again (they
        # only read them: shared with the kept documents, not copied).
        elements: dict[str, AssetMetadata] = {}
        # The fingerprint's look holds the element files: those no event named since the
        # last listing (the ones the change wrote are named) are not read again.
        registry.sync_links_of(shots, into=elements, looked=looked)
        if outcome.segments is not None and outcome.segments != list(project.manifest.segments):
            set_segments(tx, outcome.segments)
        for element_id in outcome.element_locks:
            registry.lock(element_id)
            elements.pop(element_id, None)  # a new version: read again
        planned = load_plan(project, shots, elements=elements)
        documents = write_plan_documents(tx, planned)
        if tx.touched():  # a new process then renders only what changes (a change that
            fragments.persist(tx)  # writes nothing writes no parts either)
        if rewritten or moved:  # a change that changes no shot leaves the index alone
            write_index(tx, shots)
        slug = exports_module.title_slug(project.manifest.title)
        made = [
            (fmt, name)
            for fmt, name in _export_files(slug)
            if project.exists(f"{exports_module.EXPORTS}/{name}")
        ]
        if made:  # the documents' plan, for every export
            for fmt, name in made:
                exports_module.export(project, fmt, plan=planned)
                documents.append(f"{exports_module.EXPORTS}/{name}")
        number = tx.number
    # The entry is in the history when the change wrote something (else it left none).
    entry = project._history_dir() / f"{number:06d}" / "meta.json"
    return AppliedChange(
        history_entry=number if entry.is_file() else None,
        regenerated_shots=list(plan.regenerate_shots),
        regenerated_segments=list(plan.regenerate_segments),
        regenerated_elements=list(plan.regenerate_elements),
        inserted_shots=list(plan.inserted_shots),
        removed_shots=list(plan.removed_shots),
        moved_shots=list(plan.moved_shots),
        documents=documents,
        summary=list(plan.summary),
    )
