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

from pydantic import BaseModel, ConfigDict, Field

from storycore.tools.project import Project, Transaction

__all__ = ["MEDIA_INDEX", "MediaRecord", "file_sha256", "media_records", "set_media_records"]

#: The index of current media, until the shot entries of project.json carry it themselves.
MEDIA_INDEX = "03_videos/media.json"


class MediaRecord(BaseModel):
    """A shot's current rendered clip."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Relative to the project: 03_videos/shot_03_v2.mp4")
    frames: int = Field(ge=1, description="Decoded frame count")
    generation_hash: str
    backend: str
    model_id: str
    version: int = Field(ge=1)
    cost_usd: float = 0.0
    sha256: str
    size: int = Field(ge=0)
    width: int
    height: int
    fps: str
    start_keyframe: str | None = None
    end_keyframe: str | None = None
    gate_ok: bool = True
    gate_problems: list[str] = Field(default_factory=list)
    conform_note: str | None = None
    rendered_at: str = ""


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_records(project: Project) -> dict[str, MediaRecord]:
    """Every shot's current media, by shot id (empty before the first production)."""
    if not project.exists(MEDIA_INDEX):
        return {}
    data = project.read_json(MEDIA_INDEX)
    shots = data.get("shots", {}) if isinstance(data, dict) else {}
    return {k: MediaRecord.model_validate(v) for k, v in shots.items()}


def set_media_records(tx: Transaction, records: Mapping[str, MediaRecord]) -> None:
    """Store the current media of every shot (the whole index, in timeline order)."""
    order = {ref.shot_id: i for i, ref in enumerate(tx.manifest.shots)}
    ordered = sorted(records.items(), key=lambda item: order.get(item[0], len(order)))
    tx.write_json(
        MEDIA_INDEX,
        {"shots": {k: v.model_dump(mode="json") for k, v in ordered}},
    )
