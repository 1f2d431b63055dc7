"""What the project records about its rendered media: per shot, its current clip.

Each shot's current media (path, decoded frames, generation hash, backend, model, cost, the
media gate's verdict) is kept with the shot in ``project.json``; every change goes through a
project transaction, so undo brings the previous media back (the previous version's file
stays in ``03_videos/``: files are named by version and never overwritten by a new one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from storycore.tools.domain import ShotMedia
from storycore.tools.project import Project, Transaction

__all__ = ["MediaRecord", "file_sha256", "media_records", "set_media_records"]

#: A shot's current rendered clip (kept in project.json with the shot).
MediaRecord = ShotMedia


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_records(project: Project) -> dict[str, MediaRecord]:
    """Every shot's current media, by shot id (empty before the first production)."""
    return {ref.shot_id: ref.media for ref in project.manifest.shots if ref.media is not None}


def set_media_records(tx: Transaction, records: Mapping[str, MediaRecord]) -> None:
    """Store the current media of the shots in ``records`` with their entries in
    project.json (the others keep theirs)."""
    tx.manifest.shots = [
        ref.model_copy(update={"media": records[ref.shot_id]}) if ref.shot_id in records else ref
        for ref in tx.manifest.shots
    ]
