"""The project structure manager: the StoryCore layout and its numbered folders.

``01_elements/NN_Name/`` holds one folder per element, ``02_shots/NN_Title/`` one per shot
(``shot.json`` is the shot's full specification), ``05_sequences/segment_NN_name/`` one per
segment. The manifest (``project.json``) lists elements and shots in order with their folders;
every reference between files is by id (``char_gaby``, ``shot_04a``), never by folder, so
inserting or removing a shot renames the folders after it without breaking anything.

All functions that change the project take the current :class:`Transaction`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from storycore.tools.domain import (
    ElementRef,
    ElementType,
    Segment,
    ShotRef,
    ShotSpec,
)
from storycore.tools.errors import ConflictError, NotFound
from storycore.tools.naming import slugify, split_numbered, unique, unique_folded
from storycore.tools.project import LAYOUT, Project, Transaction

ELEMENTS = "01_elements"
SHOTS = "02_shots"
VIDEOS = "03_videos"
AUDIO = "04_audio"
SEQUENCES = "05_sequences"
EXPORTS = "exports"
SHOT_FILE = "shot.json"

Ref = TypeVar("Ref", ElementRef, ShotRef)


def ensure_layout(tx: Transaction) -> None:
    """Create any missing layout folder (idempotent)."""
    for folder in LAYOUT:
        tx.mkdir(folder)


def _slug_of(folder: str) -> str:
    parts = split_numbered(folder)
    return parts[1] if parts else folder


def _renumber(tx: Transaction, parent: str, folders: Sequence[str], *, start: int = 1) -> list[str]:
    """Rename ``folders`` (current names, in their new order) to ``NN_...`` from ``start``.

    Renames go through temporary names so that shifting a run of folders by one never
    collides with itself. Returns the new names.
    """
    targets = [f"{i:02d}_{_slug_of(name)}" for i, name in enumerate(folders, start=start)]
    moving = [(old, new) for old, new in zip(folders, targets, strict=True) if old != new]
    for old, _ in moving:
        tx.rename(f"{parent}/{old}", f"{parent}/.renumber_{old}")
    for old, new in moving:
        tx.rename(f"{parent}/.renumber_{old}", f"{parent}/{new}")
    return targets


# -- elements -----------------------------------------------------------------------------


def add_element_folder(
    tx: Transaction, element_id: str, element_type: ElementType, name: str
) -> ElementRef:
    """Register an element in the manifest and create its ``01_elements/NN_Name`` folder.

    Idempotent: an element already registered keeps its folder.
    """
    for ref in tx.manifest.elements:
        if ref.element_id == element_id:
            tx.mkdir(f"{ELEMENTS}/{ref.folder}")
            return ref
    taken = [_slug_of(ref.folder) for ref in tx.manifest.elements]
    slug = unique(slugify(name, fallback="Element"), taken)
    folder = f"{len(tx.manifest.elements) + 1:02d}_{slug}"
    tx.mkdir(f"{ELEMENTS}/{folder}")
    ref = ElementRef(element_id=element_id, type=element_type, name=name, folder=folder)
    tx.manifest.elements = [*tx.manifest.elements, ref]
    return ref


def remove_element_folder(tx: Transaction, element_id: str) -> None:
    """Remove an element's folder and renumber the folders after it."""
    refs = tx.manifest.elements
    index = _index(refs, element_id, "element")
    tx.remove(f"{ELEMENTS}/{refs[index].folder}")
    kept = refs[:index] + refs[index + 1 :]
    names = _renumber(tx, ELEMENTS, [r.folder for r in kept])
    tx.manifest.elements = [
        r.model_copy(update={"folder": n}) for r, n in zip(kept, names, strict=True)
    ]


def element_folder(project: Project, element_id: str) -> Path:
    ref = _find(project.manifest.elements, element_id, "element")
    return project.path(ELEMENTS, ref.folder)


# -- shots --------------------------------------------------------------------------------


def shot_title(shot: ShotSpec) -> str:
    """The name of a shot's folder: its title, or the first words of its description."""
    if shot.title:
        return shot.title
    words = (shot.description or shot.action or shot.shot_id).split()
    return " ".join(words[:5])


def write_shot(tx: Transaction, shot: ShotSpec) -> None:
    """Write ``shot.json`` of an existing shot and mirror its status and version in the index."""
    refs = tx.manifest.shots
    index = _index(refs, shot.shot_id, "shot")
    tx.write_json(f"{SHOTS}/{refs[index].folder}/{SHOT_FILE}", shot)
    if (refs[index].status, refs[index].version) != (shot.status, shot.version):
        updated = refs[index].model_copy(update={"status": shot.status, "version": shot.version})
        tx.manifest.shots = [*refs[:index], updated, *refs[index + 1 :]]


def write_shots(tx: Transaction, shots: Iterable[ShotSpec]) -> None:
    """Write many existing shots at once (one manifest update, not one per shot)."""
    refs = list(tx.manifest.shots)
    index = {ref.shot_id: i for i, ref in enumerate(refs)}
    changed = False
    for shot in shots:
        if shot.shot_id not in index:
            raise NotFound(f"the project has no shot {shot.shot_id!r}")
        i = index[shot.shot_id]
        tx.write_json(f"{SHOTS}/{refs[i].folder}/{SHOT_FILE}", shot)
        if (refs[i].status, refs[i].version) != (shot.status, shot.version):
            refs[i] = refs[i].model_copy(update={"status": shot.status, "version": shot.version})
            changed = True
    if changed:
        tx.manifest.shots = refs


def insert_shot(tx: Transaction, shot: ShotSpec, position: int | None = None) -> ShotRef:
    """Add a shot at 0-based ``position`` (default: the end) and renumber the folders after it."""
    refs = list(tx.manifest.shots)
    if any(r.shot_id == shot.shot_id for r in refs):
        raise ConflictError(f"the project already has a shot {shot.shot_id}")
    position = len(refs) if position is None else max(0, min(position, len(refs)))
    taken = [_slug_of(r.folder) for r in refs]
    slug = unique(slugify(shot_title(shot), fallback="Shot"), taken)
    # Shift the folders after the insertion point first, then create the new one.
    after = refs[position:]
    names = _renumber(tx, SHOTS, [r.folder for r in after], start=position + 2)
    shifted = [r.model_copy(update={"folder": n}) for r, n in zip(after, names, strict=True)]
    ref = ShotRef(
        shot_id=shot.shot_id,
        folder=f"{position + 1:02d}_{slug}",
        status=shot.status,
        version=shot.version,
    )
    tx.mkdir(f"{SHOTS}/{ref.folder}")
    tx.manifest.shots = [*refs[:position], ref, *shifted]
    write_shot(tx, shot)
    return ref


def add_shots(tx: Transaction, shots: Iterable[ShotSpec], *, files: bool = True) -> None:
    """Append many shots at once (the planner's path: no renumbering to do).

    ``files=False`` records the shots in the manifest only: the caller writes every
    ``shot.json`` later in the same plan (:func:`write_shots`), so each is written once."""
    refs = list(tx.manifest.shots)
    known = {r.shot_id for r in refs}
    taken = {_slug_of(r.folder).lower() for r in refs}
    for shot in shots:
        if shot.shot_id in known:
            raise ConflictError(f"the project already has a shot {shot.shot_id}")
        slug = unique_folded(slugify(shot_title(shot), fallback="Shot"), taken)
        taken.add(slug.lower())
        known.add(shot.shot_id)
        ref = ShotRef(
            shot_id=shot.shot_id,
            folder=f"{len(refs) + 1:02d}_{slug}",
            status=shot.status,
            version=shot.version,
        )
        refs.append(ref)
        if files:
            tx.write_json(f"{SHOTS}/{ref.folder}/{SHOT_FILE}", shot)
    tx.manifest.shots = refs


def remove_shot(tx: Transaction, shot_id: str) -> None:
    """Remove a shot's folder and renumber the folders after it."""
    refs = tx.manifest.shots
    index = _index(refs, shot_id, "shot")
    tx.remove(f"{SHOTS}/{refs[index].folder}")
    after = refs[index + 1 :]
    names = _renumber(tx, SHOTS, [r.folder for r in after], start=index + 1)
    shifted = [r.model_copy(update={"folder": n}) for r, n in zip(after, names, strict=True)]
    tx.manifest.shots = [*refs[:index], *shifted]


def move_shot(tx: Transaction, shot_id: str, position: int) -> None:
    """Move a shot to 0-based ``position`` in the timeline, renumbering folders."""
    refs = list(tx.manifest.shots)
    index = _index(refs, shot_id, "shot")
    ref = refs.pop(index)
    position = max(0, min(position, len(refs)))
    refs.insert(position, ref)
    names = _renumber(tx, SHOTS, [r.folder for r in refs])
    tx.manifest.shots = [
        r.model_copy(update={"folder": n}) for r, n in zip(refs, names, strict=True)
    ]


def clear_shots(tx: Transaction) -> None:
    """Remove every shot folder (re-planning a project from scratch)."""
    for ref in tx.manifest.shots:
        tx.remove(f"{SHOTS}/{ref.folder}")
    tx.manifest.shots = []


def read_shot(project: Project, shot_id: str) -> ShotSpec:
    ref = _find(project.manifest.shots, shot_id, "shot")
    return project.read_model(f"{SHOTS}/{ref.folder}/{SHOT_FILE}", ShotSpec)


def load_shots(project: Project) -> list[ShotSpec]:
    """Every shot in timeline order."""
    return [
        project.read_model(f"{SHOTS}/{ref.folder}/{SHOT_FILE}", ShotSpec)
        for ref in project.manifest.shots
    ]


def shot_folder(project: Project, shot_id: str) -> Path:
    return project.path(SHOTS, _find(project.manifest.shots, shot_id, "shot").folder)


# -- segments -----------------------------------------------------------------------------


def segment_folder_name(index: int, title: str) -> str:
    """``segment_01_intro``: the seed's name for an assembled segment's folder."""
    return f"segment_{index:02d}_{slugify(title, fallback='segment').lower()}"


def set_segments(tx: Transaction, segments: Sequence[Segment]) -> list[Segment]:
    """Store the segments in the manifest and give each a ``05_sequences`` folder.

    Folders of segments that no longer exist are removed if empty (rendered material is
    never deleted silently).
    """
    named = [
        seg.model_copy(update={"folder": segment_folder_name(i, seg.title or seg.segment_id)})
        for i, seg in enumerate(segments, start=1)
    ]
    wanted = {seg.folder for seg in named}
    base = tx.project.path(SEQUENCES)
    if base.is_dir():
        for child in sorted(base.iterdir()):
            if child.is_dir() and child.name not in wanted and not any(child.iterdir()):
                tx.remove(f"{SEQUENCES}/{child.name}")
    for seg in named:
        tx.mkdir(f"{SEQUENCES}/{seg.folder}")
    tx.manifest.segments = named
    return named


# -- helpers ------------------------------------------------------------------------------


def _index(refs: Sequence[ElementRef] | Sequence[ShotRef], wanted: str, kind: str) -> int:
    for i, ref in enumerate(refs):
        if getattr(ref, f"{kind}_id") == wanted:
            return i
    raise NotFound(f"the project has no {kind} {wanted!r}")


def _find(refs: Sequence[Ref], wanted: str, kind: str) -> Ref:
    return refs[_index(refs, wanted, kind)]
