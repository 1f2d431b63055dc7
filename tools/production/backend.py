"""The render backend interface: what a renderer takes, what it returns, how it is tracked.

One interface for two kinds of renderer:

- a **local synchronous** renderer (the animatic): ``submit`` does nothing but hand back an id,
  ``wait`` does the work and returns the files;
- a **remote queue** (ComfyUI, cloud APIs later): ``submit`` enqueues the job and returns the
  backend's own id, which the producer saves in the ledger *before* it waits; after a crash the
  producer asks ``lookup`` whether the backend already knows that id, so a job is never
  submitted twice, and ``wait`` collects the outputs of a job submitted by an earlier run.

The producer's loop, for each job (see storycore.tools.production.producer)::

    backend.preflight(jobs)                          # once: fail early, nothing spent
    known = ledger.backend_job_id(job)               # saved by an earlier run?
    if known is None or backend.lookup(known) in (None, FAILED, CANCELLED):
        known = backend.submit(job, job_id)          # job_id: the ledger's own key
        ledger.mark_submitted(job, known)            # committed before waiting
    files = backend.wait(known, job, out_dir, on_progress)
    ledger.mark_done(job, files)

Rules every backend keeps:

- ``wait`` writes each output aside (a temporary name in ``out_dir``) and renames it into place
  only when it is complete, so a half-written file never looks done;
- ``submit`` with the same ``job_id`` twice must not start a second paid render where the
  backend can tell (ComfyUI: the prompt id is chosen by the client);
- errors are raised as :class:`BackendError` with one readable line; ``retryable`` tells the
  producer whether another attempt may succeed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = [
    "Backend",
    "BackendError",
    "JobState",
    "ProgressCallback",
    "RenderJob",
    "RenderOutput",
]


class JobState(StrEnum):
    """Where a render job is. ``done``, ``failed`` and ``cancelled`` are final."""

    QUEUED = "queued"  # recorded in the ledger, not yet handed to a backend
    SUBMITTED = "submitted"  # the backend accepted it; its id is in the ledger
    RUNNING = "running"  # the backend reports it is working on it
    DONE = "done"  # outputs written and renamed into place
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        """True for a state the job never leaves by itself."""
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


JobKind = Literal["image", "video"]


@dataclass(frozen=True)
class RenderJob:
    """One thing to render: a shot's clip, a shot's keyframe, or an element's reference image.

    Frames are counted at the **model's native rate** (``native_fps``): a model that makes
    81 frames at 16 fps gets ``frame_count=81, native_fps=Fraction(16)``; the producer conforms
    the result to the project's rate (storycore.tools.production.conform). For the animatic the
    native rate is the project's rate and ``frame_count`` is the shot's ``duration_frames``.
    """

    target_id: str  # shot id ("shot_03") or element id ("char_mira")
    generation_hash: str  # what the media is generated from: same hash, same media
    kind: JobKind
    prompt: str
    negative_prompt: str = ""
    model_id: str = "animatic"
    width: int = 1280
    height: int = 720
    frame_count: int = 1  # at native_fps; 1 for an image
    native_fps: Fraction = Fraction(24)
    start_image: Path | None = None  # first frame to start from (keyframe, continues_from)
    end_image: Path | None = None  # last frame to reach (first/last-frame models)
    seed: int = 0
    version: int = 1  # the shot's version: the file name and the burn-in carry it
    # Written into the produced file (MP4 tags, PNG text chunks): shot id, version, hash, ...
    provenance: dict[str, str] = field(default_factory=dict)
    # Backend-specific knobs: camera_movement, burn_in text lines, timecode start, workflow...
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The ledger's key: target id, generation hash and kind."""
        return f"{self.target_id}:{self.generation_hash}:{self.kind}"

    @property
    def job_id(self) -> str:
        """A stable id derived from the key (hex, 32 chars): the same job gets the same id.

        Backends that let the client choose the id (ComfyUI's prompt id) use it, so a job
        submitted again after a crash is recognised instead of rendered twice.
        """
        return hashlib.sha256(self.key.encode()).hexdigest()[:32]

    @property
    def seconds(self) -> float:
        """The clip's length in seconds at its native rate (0 for an image)."""
        if self.kind == "image":
            return 0.0
        return float(self.frame_count / self.native_fps)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (paths as strings, the rate as "num/den")."""
        data = asdict(self)
        data["native_fps"] = f"{self.native_fps.numerator}/{self.native_fps.denominator}"
        data["start_image"] = str(self.start_image) if self.start_image else None
        data["end_image"] = str(self.end_image) if self.end_image else None
        return data

    def fingerprint(self) -> str:
        """sha256 of the job's JSON: two jobs with the same fingerprint render the same."""
        return hashlib.sha256(
            json.dumps(self.to_json(), sort_keys=True, default=str).encode()
        ).hexdigest()


@dataclass(frozen=True)
class RenderOutput:
    """One file a backend produced, already renamed into place."""

    path: Path
    kind: JobKind
    frames: int = 1  # decoded count for a video, 1 for an image
    fps: Fraction | None = None
    cost_usd: float = 0.0


# Called as on_progress(fraction_done 0..1, message).
ProgressCallback = Callable[[float, str], None]


class BackendError(Exception):
    """A backend could not do a job (or any job: preflight). One readable line."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


@runtime_checkable
class Backend(Protocol):
    """What the producer needs of a renderer. See the module docstring for the loop."""

    name: str  # "animatic", "comfyui"...

    def preflight(self, jobs: Sequence[RenderJob]) -> None:
        """Check that every job can run (binaries, codecs, server reachable, models present).

        Raise :class:`BackendError` before anything is submitted or spent.
        """
        ...

    def estimate_cost(self, job: RenderJob) -> float:
        """The job's expected cost in US dollars (0 for a local renderer)."""
        ...

    def submit(self, job: RenderJob, job_id: str) -> str:
        """Hand the job to the backend; return the backend's own id for it.

        ``job_id`` is the ledger's stable id (``job.job_id``); a backend that lets the client
        choose ids uses it. Must return quickly: the id is saved before ``wait``.
        """
        ...

    def lookup(self, backend_job_id: str) -> JobState | None:
        """What the backend knows of an id saved by an earlier run; None if nothing.

        A local backend that keeps nothing between runs returns None (submit again is free).
        """
        ...

    def wait(
        self,
        backend_job_id: str,
        job: RenderJob,
        out_dir: Path,
        on_progress: ProgressCallback | None = None,
    ) -> list[RenderOutput]:
        """Block until the job is finished and its outputs are in ``out_dir``.

        Outputs are written under a temporary name and renamed when complete. Raise
        :class:`BackendError` when the job failed.
        """
        ...

    def cancel(self, backend_job_ids: Sequence[str]) -> None:
        """Cancel queued or running jobs (best effort; unknown ids are ignored)."""
        ...
