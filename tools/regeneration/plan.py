"""The plan of a change (:class:`ChangePlan`), what applying it did (:class:`AppliedChange`),
the fingerprint that refuses a stale plan, and the small helpers the edits share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from operator import attrgetter
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from storycore.tools import exports as exports_module
from storycore.tools.domain import Segment, ShotSpec, TechnicalSpecs, format_validation_error
from storycore.tools.errors import InvalidInput
from storycore.tools.feedback import Modification
from storycore.tools.i18n import Messages
from storycore.tools.project import Project
from storycore.tools.project.files import sha256_of_file_bytes
from storycore.tools.project.recent import Recent
from storycore.tools.project.stamps import Looked, stamps_of
from storycore.tools.regeneration.index import _Stamp
from storycore.tools.storyboard import (
    STORYBOARD_HTML,
    STORYBOARD_JSON,
    STORYBOARD_MD,
    VISUAL_STRATEGY_JSON,
)
from storycore.tools.structure import SHOT_FILE, SHOTS

#: The documents every change rewrites (plus any export already in ``exports/``).
DOCUMENTS = (STORYBOARD_JSON, STORYBOARD_MD, STORYBOARD_HTML, VISUAL_STRATEGY_JSON)


@dataclass
class _Outcome:
    """What :func:`apply_changes` writes (computed by :func:`plan_changes`)."""

    fingerprint: str
    shots: list[ShotSpec]
    segments: list[Segment] | None
    element_updates: dict[str, tuple[str, dict[str, str], str]]
    element_unlocks: list[str]
    element_force: list[str]
    element_locks: list[str]
    regenerated: list[str]
    hashes: dict[str, str]  # generation hashes of the shots whose prompts were rebuilt
    note: str
    specs: TechnicalSpecs | None = None  # the project's new specs (a ChangeProjectSpec)
    before_shots: list[ShotSpec] = field(default_factory=list)  # the shots it was planned on


@dataclass
class ChangePlan:
    """What a change would do, computed without writing anything (see :func:`plan_changes`).

    ``regenerate_shots`` is in timeline order (after the change); segments and elements by id.
    """

    modifications: list[Modification]
    regenerate_shots: list[str]
    regenerate_segments: list[str]
    regenerate_elements: list[str]
    documents: list[str]
    summary: list[str]
    warnings: list[str] = field(default_factory=list)
    inserted_shots: list[str] = field(default_factory=list)
    removed_shots: list[str] = field(default_factory=list)
    moved_shots: list[str] = field(default_factory=list)
    outcome: _Outcome | None = field(default=None, repr=False, compare=False)

    @property
    def regenerate(self) -> list[str]:
        """Every id that would be redone (shots, segments, elements), sorted."""
        return sorted(
            {*self.regenerate_shots, *self.regenerate_segments, *self.regenerate_elements}
        )

    def as_json(self) -> dict[str, Any]:
        """The JSON the CLI prints for ``storycore feedback --dry-run --json``."""
        return {
            "modifications": [m.model_dump(mode="json") for m in self.modifications],
            "regenerate": self.regenerate,
            "regenerate_shots": list(self.regenerate_shots),
            "regenerate_segments": list(self.regenerate_segments),
            "regenerate_elements": list(self.regenerate_elements),
            "inserted_shots": list(self.inserted_shots),
            "removed_shots": list(self.removed_shots),
            "moved_shots": list(self.moved_shots),
            "documents": list(self.documents),
            "summary": list(self.summary),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class AppliedChange:
    """What :func:`apply_changes` did; ``history_entry`` is the undoable entry's number (None
    when nothing had to change)."""

    history_entry: int | None
    regenerated_shots: list[str]
    regenerated_segments: list[str]
    regenerated_elements: list[str]
    inserted_shots: list[str]
    removed_shots: list[str]
    moved_shots: list[str]
    documents: list[str]
    summary: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "history_entry": self.history_entry,
            "regenerated_shots": list(self.regenerated_shots),
            "regenerated_segments": list(self.regenerated_segments),
            "regenerated_elements": list(self.regenerated_elements),
            "inserted_shots": list(self.inserted_shots),
            "removed_shots": list(self.removed_shots),
            "moved_shots": list(self.moved_shots),
            "documents": list(self.documents),
            "summary": list(self.summary),
        }


#: Per project root: each file the fingerprint hashed, with its identity then and its
#: piece of the fingerprint (its path, a zero byte and the hash of its bytes: a file whose
#: identity did not change is not read again), the last fingerprint with the identities it
#: was made from, and the watcher's last answer for those files.
_digests: Recent[_Digests] = Recent()


@dataclass
class _Digests:
    pieces: dict[str, tuple[_Stamp, bytes]] = field(default_factory=dict)
    #: The last fingerprint: the watcher's answer it was made from, each file's piece of it
    #: (in the answer's order) and the digest (one value, replaced whole).
    last: tuple[Looked, list[bytes], str] | None = None


def _file_digests(root: Path) -> _Digests:
    return _digests.setdefault(root, lambda known: known or _Digests())


def fingerprint_files(project: Project) -> list[str]:
    """The files a change is planned from, relative to the root: the manifest, every shot
    file (in the manifest's order, right after it) and every element file."""
    manifest = project.manifest
    folder = attrgetter("folder")
    rels = ["project.json"]
    rels += map(f"{SHOTS}/{{}}/{SHOT_FILE}".format, map(folder, manifest.shots))
    rels += map("01_elements/{}/element.json".format, map(folder, manifest.elements))
    return rels


def _fingerprint(project: Project) -> tuple[str, Looked]:
    """A hash of the files a change is planned from (to refuse applying a stale plan), and
    the identities of those files (:func:`fingerprint_files`) it was made from.

    The files are read straight under the project root: this only hashes their bytes (the
    planner read them through the project's confined paths), and resolving 500 paths one by
    one cost more than reading them. A file whose identity (inode, size, modification and
    change times: every project write replaces a file) is the one it had when it was last
    hashed in this process is not read again: its hash then is its hash now. The identities
    come from the watcher's last answer brought up to date (:meth:`Stamps.many_since`), and
    only the files it looked at again are considered again (the others keep their piece);
    a file read again whose bytes are those a transaction just wrote there has the digest
    the transaction's journal computed (:func:`sha256_of_file_bytes`)."""
    known = _file_digests(project.root)
    root = str(project.root)
    last = known.last
    looked = stamps_of(root).many_since(
        fingerprint_files(project), last[0] if last is not None else None
    )
    rels, now = looked.rels, looked.stamps
    if last is not None and looked.changed is not None and last[0].rels is rels:
        if not looked.changed:
            known.last = (looked, last[1], last[2])
            return last[2], looked
        parts = list(last[1])
        positions: Iterable[int] = looked.changed
    else:
        parts = [b""] * len(rels)
        positions = range(len(rels))
    # One buffer hashed once: the same digest as updating it file by file. Each file's
    # piece (its path, a zero byte, its digest) is kept with its hash.
    get, pieces = known.pieces.get, known.pieces
    for position in positions:
        rel, stamp = rels[position], now[position]
        hashed = get(rel)
        if stamp is not None and hashed is not None and hashed[0] == stamp:
            parts[position] = hashed[1]
            continue
        path = f"{root}/{rel}"
        try:
            with open(path, "rb") as handle:
                file_digest = sha256_of_file_bytes(path, handle.read())
        except OSError:
            file_digest = b"\0missing"
        piece = rel.encode() + b"\0" + file_digest
        if stamp is not None:
            pieces[rel] = (stamp, piece)
        parts[position] = piece
    if last is not None and parts == last[1]:
        digest = last[2]
    else:
        digest = hashlib.sha256(b"".join(parts)).hexdigest()
    known.last = (looked, parts, digest)
    return digest, looked


def _validated_shot(shot: ShotSpec, **changes: Any) -> ShotSpec:
    try:
        return ShotSpec.model_validate({**shot.model_dump(), **changes})
    except ValidationError as exc:
        raise InvalidInput(format_validation_error(exc, subject=shot.shot_id)) from None


def _seconds_text(frames: int, rate: Fraction) -> str:
    return f"{float(Fraction(frames) / rate):.2f}".rstrip("0").rstrip(".") + " s"


def _value_text(value: Any, m: Messages | None = None) -> str:
    if value is None or value == "":
        return (m or Messages())("change.none")
    if hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def nothing_to_change(project: Project, warnings: Sequence[str]) -> str:
    """Why a change that changes nothing is refused (its warnings), in the project's answer
    language."""
    from storycore.tools.i18n import display_language

    m = Messages(display_language(project.manifest.technical_specs.language))
    reasons = m("change.semicolon").join(warnings) or m("change.already_like_that")
    return m("change.nothing", reasons=reasons)


def _list(ids: Sequence[str], limit: int = 5, m: Messages | None = None) -> str:
    m = m or Messages()
    shown = ", ".join(ids[:limit])
    return shown + (m("change.and_more", n=len(ids) - limit) if len(ids) > limit else "")


def _existing_exports(project: Project) -> list[str]:
    """The default export files already in ``exports/`` (they describe the old plan)."""
    slug = exports_module.title_slug(project.manifest.title)
    names = [f"{exports_module.EXPORTS}/{name}" for _, name in _export_files(slug)]
    return [rel for rel in names if project.exists(rel)]


def _export_files(slug: str) -> list[tuple[str, str]]:
    return [
        ("otio", f"{slug}.otio"),
        ("edl", f"{slug}.edl"),
        ("fcpxml", f"{slug}.xml"),
        ("csv", f"{slug}.csv"),
        ("breakdown", f"{slug}_breakdown.csv"),
    ]
