"""The segment producer: render what is missing or stale, segment by segment, then assemble.

:class:`Production` is opened on a planned project with a backend and an optional selection
(segments, shots). Opening it checks everything a run needs and writes nothing, so bad input
(a project not planned, an unknown shot, segment or backend, an unwritable folder, a foreign
file in ``03_videos/``) is one clear error with the project and its ledger as they were.

Then, as the graph's production phases (or ``storycore produce``) call them:

- :meth:`Production.produce_segment` renders the segment's missing or stale shots in timeline
  order through the render ledger (crash-safe, see storycore.tools.production.ledger), and
  commits them in one project transaction: the clip as ``03_videos/<shot>_v<version>.mp4``,
  the clean start and end keyframes in the shot's ``02_shots/NN_Title/`` folder, the shot's
  ``generation_hash`` and the media record. A failed shot does not stop the others;
- :meth:`Production.check_segment` runs the media gate on the segment's clips;
- :meth:`Production.approve_segment` marks its shots approved;
- :meth:`Production.assemble` joins each complete segment into
  ``05_sequences/segment_NN_name/<segment_id>.mp4`` and, when every segment is complete, the
  film into ``05_sequences/<slug>.mp4``, without re-encoding, re-joining only what changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from storycore.tools.domain import Phase, ShotSpec, ShotStatus
from storycore.tools.errors import InvalidInput, NotFound, ProjectError, StoryCoreError
from storycore.tools.production.backend import Backend, BackendError, RenderJob, RenderOutput
from storycore.tools.production.conform import conform_clip, plan_conform
from storycore.tools.production.gate import GateResult, check_clip
from storycore.tools.production.ledger import RENDERS_DIR, Ledger, ledger_job_id
from storycore.tools.production.media import (
    aside,
    count_packets,
    fsync_file,
    metadata_args,
    probe,
    read_tags,
    run_ffmpeg,
)
from storycore.tools.production.records import (
    MediaRecord,
    file_sha256,
    media_records,
    set_media_records,
)
from storycore.tools.project import INTERNAL, Project
from storycore.tools.rates import rate_to_string
from storycore.tools.storyboard import Plan, PlannedSegment, PlannedShot, load_plan
from storycore.tools.structure import SEQUENCES, SHOTS, VIDEOS, segment_folder_name, write_shots
from storycore.tools.timecode import format_smpte

__all__ = [
    "BACKENDS",
    "AssemblyResult",
    "Production",
    "SegmentOutcome",
    "ShotState",
    "get_backend",
]

BACKENDS = ("animatic", "comfyui")
ShotState = Literal["done", "stale", "pending", "failed", "rendering"]
START_KEYFRAME = "start_keyframe.png"
END_KEYFRAME = "end_keyframe.png"
#: Bytes per pixel and frame kept free on the disk before a run (clips and joins; generous).
DISK_BYTES_PER_PIXEL_FRAME = 0.02
DISK_MARGIN_BYTES = 50 * 1024 * 1024

Progress = Callable[[str, int, int, str], None]  # (segment_id, done, total, message)


def get_backend(name: str) -> Backend:
    """The backend called ``name`` (InvalidInput for an unknown one)."""
    if name == "animatic":
        from storycore.tools.production.animatic import AnimaticBackend

        return AnimaticBackend()
    if name == "comfyui":
        try:
            from storycore.tools.production import comfyui
        except ImportError:
            raise InvalidInput(
                "the comfyui backend is not installed in this version; use --backend animatic"
            ) from None
        backend: Backend = comfyui.ComfyUIBackend.from_environment()
        return backend
    raise InvalidInput(f"unknown backend {name!r}; use one of: {', '.join(BACKENDS)}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def title_slug(title: str) -> str:
    """The film's file name stem (the exports' slug)."""
    from storycore.tools.exports import title_slug as slug

    return slug(title)


@dataclass
class ShotTask:
    """One shot of the selection: its job and whether its media is current."""

    planned: PlannedShot
    job: RenderJob
    record: MediaRecord | None
    current: bool

    @property
    def shot_id(self) -> str:
        return self.planned.spec.shot_id


@dataclass
class SegmentOutcome:
    """What producing one segment did."""

    segment_id: str
    rendered: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    gate: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cost_usd: float = 0.0


@dataclass
class AssemblyResult:
    segments: list[dict[str, Any]] = field(default_factory=list)
    final: dict[str, Any] | None = None
    joined: list[str] = field(default_factory=list)  # what was (re)joined in this run


class Production:
    """Production of one project with one backend (see the module docstring)."""

    def __init__(
        self,
        project: Project,
        backend: str | Backend = "animatic",
        *,
        segments: Sequence[str] = (),
        shots: Sequence[str] = (),
        check_files: bool = True,
    ) -> None:
        self.project = project
        manifest = project.manifest
        if manifest.phase is not Phase.PLANNED:
            raise InvalidInput(
                f"{project.root} is not planned yet (phase: {manifest.phase.value}); "
                "run `storycore plan` first"
            )
        self.plan: Plan = load_plan(project)
        self.backend: Backend = get_backend(backend) if isinstance(backend, str) else backend
        seg_ids = [s.segment_id for s in self.plan.segments]
        shot_ids = [s.spec.shot_id for s in self.plan.shots]
        for seg in segments:
            if seg not in seg_ids:
                raise NotFound(f"the project has no segment {seg!r} (it has {_few(seg_ids)})")
        for shot in shots:
            if shot not in shot_ids:
                raise NotFound(f"the project has no shot {shot!r} (it has {_few(shot_ids)})")
        self.selected_segments = list(segments)
        self.selected_shots = list(shots)
        self.rate: Fraction = self.plan.rate
        res = manifest.technical_specs.resolution
        self.width, self.height = res.width, res.height
        from storycore.tools.regeneration import shot_generation_hash

        self._hash = shot_generation_hash
        self.records = media_records(project)
        self.tasks: dict[str, ShotTask] = {}
        for planned in self.plan.shots:
            task = self._task(planned)
            self.tasks[task.shot_id] = task
        if check_files:  # a status report reads; only a run refuses what it cannot use
            self._check_files()

    # -- planning ------------------------------------------------------------------------

    def _task(self, planned: PlannedShot) -> ShotTask:
        spec = planned.spec
        generation_hash = self._hash(spec, self.plan.elements)
        backend = self.backend.name
        model_id = "animatic" if backend == "animatic" else (spec.model_id or "unknown")
        start = self._timeline_start() + spec.start_frame
        job = RenderJob(
            target_id=spec.shot_id,
            generation_hash=generation_hash,
            kind="video",
            prompt=spec.video_prompt,
            negative_prompt=spec.negative_prompt,
            model_id=model_id,
            width=self.width,
            height=self.height,
            frame_count=spec.duration_frames,
            native_fps=self.rate,
            seed=int(generation_hash[:8], 16),
            version=spec.version,
            provenance={
                "shot_id": spec.shot_id,
                "version": str(spec.version),
                "generation_hash": generation_hash,
                "model": model_id,
                "backend": backend,
                "prompt": spec.video_prompt,
                "negative_prompt": spec.negative_prompt,
                "segment_id": planned.segment_id,
                "project": self.plan.title,
                "frames": str(spec.duration_frames),
                "fps": rate_to_string(self.rate),
            },
            extras={
                "camera_movement": spec.camera_movement.value,
                "timecode": format_smpte(start, self.rate, drop_frame=self.plan.drop_frame),
                "drop_frame": self.plan.drop_frame,
                "panel": str(self._picture(planned)),
                "image_prompt": spec.image_prompt,
                "continues_from": spec.continues_from,
            },
        )
        record = self.records.get(spec.shot_id)
        current = (
            record is not None
            and record.generation_hash == generation_hash
            and record.backend == backend
            and record.gate_ok
            and (record.width, record.height, record.fps)
            == (self.width, self.height, rate_to_string(self.rate))
            and self._intact(record)
        )
        return ShotTask(planned, job, record, current)

    def _timeline_start(self) -> int:
        from storycore.tools.exports import timeline_start_frame

        return timeline_start_frame(self.plan)

    def _picture(self, planned: PlannedShot) -> Path:
        """The shot's keyframe if the plan names an existing one, else its panel."""
        spec = planned.spec
        if spec.start_keyframe:
            try:
                path = self.project.path(spec.start_keyframe)
            except StoryCoreError:
                path = None
            if path is not None and path.is_file():
                return path
        return self.project.root / planned.panel_path

    def _ensure_picture(self, job: RenderJob, planned: PlannedShot) -> RenderJob:
        """A job whose picture exists: a plan made without its storyboard panels gets the
        panel drawn into StoryCore's cache (``.storycore/renders/panels/``)."""
        if Path(str(job.extras.get("panel"))).is_file():
            return job
        from dataclasses import replace

        from storycore.tools.storyboard import panel_png

        spec = planned.spec
        cached = self.project.root / RENDERS_DIR / "panels" / f"{spec.shot_id}.png"
        data = panel_png(spec, self.project.manifest.technical_specs)
        if not cached.is_file() or cached.read_bytes() != data:
            tmp = aside(cached)
            tmp.write_bytes(data)
            os.replace(tmp, cached)
        return replace(job, extras={**job.extras, "panel": str(cached)})

    def _intact(self, record: MediaRecord) -> bool:
        path = self.project.root / record.path
        return path.is_file() and path.stat().st_size == record.size

    def _check_files(self) -> None:
        """Refuse foreign or corrupt files where production reads or writes, and folders it
        cannot write; check the free space. Nothing is written."""
        root = self.project.root
        for rel in ("", VIDEOS, SEQUENCES, SHOTS, INTERNAL):
            folder = root / rel
            if folder.exists() and not folder.is_dir():
                raise ProjectError(f"{rel} is a file, not a folder: move it away and run again")
            if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
                name = rel or str(root)
                raise ProjectError(f"cannot write to {name}: check its permissions")
        videos = root / VIDEOS
        recorded = {r.path for r in self.records.values()}
        if videos.is_dir():
            for path in sorted(videos.glob("*.mp4")):
                rel = f"{VIDEOS}/{path.name}"
                if rel in recorded and self._record_by_path(rel) is not None:
                    record = self._record_by_path(rel)
                    if record is not None and self._intact(record):
                        continue
                try:
                    read_tags(path)
                except BackendError:
                    raise ProjectError(
                        f"{rel} is not a readable video (a file left by hand?); move it out of "
                        f"{VIDEOS}/ and run again"
                    ) from None
        needed = sum(
            t.job.frame_count * self.width * self.height
            for t in self.tasks.values()
            if not t.current
        )
        need = int(needed * DISK_BYTES_PER_PIXEL_FRAME * 2) + DISK_MARGIN_BYTES
        free = shutil.disk_usage(root).free
        if needed and free < need:
            raise ProjectError(
                f"the disk holding {root} has {free // 2**20} MiB free; production needs about "
                f"{need // 2**20} MiB: free some space and run again"
            )

    def _record_by_path(self, rel: str) -> MediaRecord | None:
        for record in self.records.values():
            if record.path == rel:
                return record
        return None

    def selected(self, segment: PlannedSegment) -> list[ShotTask]:
        """The segment's shots the selection asks for (all of them without one)."""
        if self.selected_segments and segment.segment_id not in self.selected_segments:
            return []
        tasks = [self.tasks[s.spec.shot_id] for s in segment.shots]
        if self.selected_shots:
            tasks = [t for t in tasks if t.shot_id in self.selected_shots]
        return tasks

    def segments_to_produce(self) -> list[PlannedSegment]:
        return [seg for seg in self.plan.segments if self.selected(seg)]

    def to_render(self) -> list[ShotTask]:
        return [t for seg in self.plan.segments for t in self.selected(seg) if not t.current]

    def estimate(self) -> dict[str, Any]:
        """Cost per model of what would be rendered, the budget, what was spent."""
        per_model: dict[str, float] = {}
        for task in self.to_render():
            cost = self.backend.estimate_cost(task.job)
            per_model[task.job.model_id] = per_model.get(task.job.model_id, 0.0) + cost
        spent = 0.0
        if Ledger.exists(self.project.root):
            with Ledger.open(self.project.root) as ledger:
                spent = ledger.spent_usd()
        return {
            "per_model_usd": {k: round(v, 4) for k, v in per_model.items()},
            "total_usd": round(sum(per_model.values()), 4),
            "budget_usd": self.project.manifest.technical_specs.budget_usd,
            "spent_usd": round(spent, 4),
        }

    def dry_run(self) -> dict[str, Any]:
        """What a run would render and its cost; writes nothing."""
        render = self.to_render()
        return {
            "backend": self.backend.name,
            "would_render": [t.shot_id for t in render],
            "reused": [
                t.shot_id for seg in self.plan.segments for t in self.selected(seg) if t.current
            ],
            "frames": sum(t.job.frame_count for t in render),
            "estimate": self.estimate(),
        }

    def preflight(self) -> None:
        """The backend's own checks on every job of the selection (nothing written)."""
        self.backend.preflight([t.job for t in self.to_render()])

    # -- rendering -----------------------------------------------------------------------

    def _staging(self, job_id: str) -> Path:
        return self.project.root / RENDERS_DIR / job_id

    def _start_image(self, task: ShotTask, fresh: dict[str, Path]) -> Path | None:
        """A continuing shot's start image: the clean last frame of the shot before it."""
        previous = task.planned.spec.continues_from
        if not previous:
            return None
        if previous in fresh:
            return fresh[previous]
        record = self.records.get(previous)
        if record is not None and record.end_keyframe:
            path = self.project.root / self._folder(previous) / record.end_keyframe
            if path.is_file():
                return path
        raise BackendError(
            f"{task.shot_id} continues from {previous}, which has no rendered last frame yet"
        )

    def produce_segment(
        self, segment_id: str, on_progress: Progress | None = None
    ) -> SegmentOutcome:
        """Render the segment's missing or stale selected shots and commit them."""
        segment = self._segment(segment_id)
        outcome = SegmentOutcome(segment_id)
        tasks = self.selected(segment)
        todo = [t for t in tasks if not t.current]
        outcome.reused = [t.shot_id for t in tasks if t.current]
        fresh_end: dict[str, Path] = {}
        staged: dict[str, tuple[ShotTask, RenderJob, list[RenderOutput], float, str | None]] = {}
        if todo:
            self.backend.preflight([t.job for t in todo])
        with Ledger.open(self.project.root) as ledger:
            for index, task in enumerate(todo):
                if on_progress:
                    on_progress(segment_id, index, len(todo), f"rendering {task.shot_id}")
                try:
                    start_image = self._start_image(task, fresh_end)
                    job = _with_start(self._ensure_picture(task.job, task.planned), start_image)
                    outputs, cost, note = self._render(ledger, job, task)
                except BackendError as exc:
                    if "disk is full" in str(exc):
                        raise ProjectError(f"{task.shot_id}: {exc}") from None
                    outcome.failed.append({"shot_id": task.shot_id, "error": str(exc)})
                    continue
                staged[task.shot_id] = (task, job, outputs, cost, note)
                end = [o.path for o in outputs if o.path.name.endswith("_end.png")]
                if end:
                    fresh_end[task.shot_id] = end[0]
            if on_progress:
                on_progress(segment_id, len(todo), len(todo), "committing")
            if staged:
                self._commit(segment, staged, outcome)
        outcome.rendered = [i for i in staged if i not in outcome.reused]
        outcome.cost_usd = round(sum(s[3] for s in staged.values()), 4)
        return outcome

    def _render(
        self, ledger: Ledger, job: RenderJob, task: ShotTask
    ) -> tuple[list[RenderOutput], float, str | None]:
        """One job through the ledger: reuse finished staged outputs, else submit and wait."""
        backend = self.backend
        row = ledger.queue(job, backend.name)
        staging = self._staging(row.job_id)
        if row.state.value == "done":
            outputs = [RenderOutput(self.project.root / p, _kind(p)) for p in row.outputs]
            if outputs and all(o.path.is_file() for o in outputs):
                return outputs, row.cost_usd, None  # rendered by a run that did not commit
            ledger.reset(row.job_id)
            row = ledger.queue(job, backend.name)
        backend_job_id = None
        if row.backend_job_id and row.state.value in ("submitted", "running"):
            known = backend.lookup(row.backend_job_id)
            if known is not None and known.value not in ("failed", "cancelled"):
                backend_job_id = row.backend_job_id  # the backend has it: wait, never resubmit
        started = time.monotonic()
        if backend_job_id is None:
            if staging.exists():
                shutil.rmtree(staging)  # a half-finished earlier attempt
            backend_job_id = backend.submit(job, ledger_job_id(job, backend.name))
            ledger.submitted(row.job_id, backend_job_id)
        ledger.running(row.job_id)
        try:
            outputs = backend.wait(backend_job_id, job, staging)
            videos = [o for o in outputs if o.kind == "video"]
            if not videos:
                raise BackendError(f"{job.target_id}: the backend returned no video")
            note = self._conform(videos[0], task)
        except BackendError as exc:
            ledger.failed(row.job_id, str(exc))
            raise
        cost = backend.estimate_cost(job) if backend.name != "animatic" else 0.0
        rels = [self.project.relative(o.path) for o in outputs]
        ledger.done(row.job_id, rels, cost, time.monotonic() - started)
        return outputs, cost, note

    def _conform(self, video: RenderOutput, task: ShotTask) -> str | None:
        """Apply the conform rule when the clip's decoded rate or length is not the plan's."""
        info = probe(video.path)
        fps = info.fps or self.rate
        planned = task.planned.spec.duration_frames
        if fps == self.rate and info.frames == planned:
            return None
        conform = plan_conform(planned, info.frames, fps, self.rate)
        conform_clip(video.path, video.path, conform)
        return conform.report()

    def _commit(
        self,
        segment: PlannedSegment,
        staged: dict[str, tuple[ShotTask, RenderJob, list[RenderOutput], float, str | None]],
        outcome: SegmentOutcome,
    ) -> None:
        """Move the staged outputs into the project and record them: one transaction."""
        records = dict(self.records)
        specs = []
        with self.project.transaction(f"produce {segment.segment_id}: {', '.join(staged)}") as tx:
            for shot_id, (task, job, outputs, cost, note) in staged.items():
                folder = task.planned.folder
                video = next(o for o in outputs if o.kind == "video")
                target = f"{VIDEOS}/{shot_id}_v{job.version}.mp4"
                _move(tx, video.path, target)
                keyframes: dict[str, str] = {}
                for output in outputs:
                    if output.path.name.endswith("_start.png"):
                        keyframes["start"] = START_KEYFRAME
                        _move(tx, output.path, f"{folder}/{START_KEYFRAME}")
                    elif output.path.name.endswith("_end.png"):
                        keyframes["end"] = END_KEYFRAME
                        _move(tx, output.path, f"{folder}/{END_KEYFRAME}")
                path = self.project.root / target
                info = probe(path)
                start_image = None
                if task.planned.spec.continues_from:
                    start_image = self.project.root / f"{self._folder_of(task)}/{END_KEYFRAME}"
                gate = self._gate(path, task, start_image)
                records[shot_id] = MediaRecord(
                    path=target,
                    frames=info.frames,
                    generation_hash=job.generation_hash,
                    backend=self.backend.name,
                    model_id=job.model_id,
                    version=job.version,
                    cost_usd=cost,
                    sha256=file_sha256(path),
                    size=path.stat().st_size,
                    width=info.width,
                    height=info.height,
                    fps=rate_to_string(info.fps or self.rate),
                    start_keyframe=keyframes.get("start"),
                    end_keyframe=keyframes.get("end"),
                    gate_ok=gate.ok,
                    gate_problems=gate.problems,
                    conform_note=note,
                    rendered_at=_now(),
                )
                if not gate.ok:
                    outcome.gate[shot_id] = gate.problems
                if note:
                    outcome.notes.append(f"{shot_id}: {note}")
                specs.append(
                    task.planned.spec.model_copy(
                        update={
                            "generation_hash": job.generation_hash,
                            "status": ShotStatus.REVIEW,
                        }
                    )
                )
            write_shots(tx, specs)
            set_media_records(tx, records)
        self.records = records
        # The (now empty) staging folders stay: undoing this transaction moves the files back
        # into them, and the next run then commits them again without rendering.
        self._refresh(specs)

    def _refresh(self, specs: Sequence[ShotSpec]) -> None:
        """Put specs just written into the plan and recompute their tasks."""
        from dataclasses import replace

        by_id = {s.shot_id: s for s in specs}
        for segment in self.plan.segments:
            for i, planned in enumerate(segment.shots):
                spec = by_id.get(planned.spec.shot_id)
                if spec is not None:
                    segment.shots[i] = replace(planned, spec=spec)
                    self.tasks[spec.shot_id] = self._task(segment.shots[i])

    def _folder(self, shot_id: str) -> str:
        """The shot's folder, relative to the project (02_shots/NN_Title)."""
        for planned in self.plan.shots:
            if planned.spec.shot_id == shot_id:
                return planned.folder
        raise NotFound(f"the project has no shot {shot_id!r}")

    def _folder_of(self, task: ShotTask) -> str:
        previous = task.planned.spec.continues_from
        for planned in self.plan.shots:
            if planned.spec.shot_id == previous:
                return planned.folder
        return task.planned.folder

    def _gate(self, path: Path, task: ShotTask, start_image: Path | None) -> GateResult:
        return check_clip(
            path,
            frames=task.planned.spec.duration_frames,
            width=self.width,
            height=self.height,
            rate=self.rate,
            start_image=start_image,
        )

    def check_segment(self, segment_id: str) -> dict[str, list[str]]:
        """The media gate on every clip of the segment: shot id -> problems (empty: passed).
        A shot without media is reported as such."""
        segment = self._segment(segment_id)
        out: dict[str, list[str]] = {}
        for planned in segment.shots:
            record = self.records.get(planned.spec.shot_id)
            task = self.tasks[planned.spec.shot_id]
            if record is None or not task.current:
                out[planned.spec.shot_id] = ["no current media"]
                continue
            start = None
            if planned.spec.continues_from:
                previous = self.records.get(planned.spec.continues_from)
                if previous and previous.end_keyframe:
                    start = (
                        self.project.root
                        / self._folder(planned.spec.continues_from)
                        / previous.end_keyframe
                    )
            out[planned.spec.shot_id] = self._gate(
                self.project.root / record.path, task, start
            ).problems
        return out

    def approve_segment(self, segment_id: str) -> bool:
        """Record that the human approved the segment's clips (``Segment.status``).

        The shots stay in ``review``: an approved *shot* is locked against feedback
        (storycore.tools.regeneration), and approving a cut must not forbid changing it.
        Returns True when the status changed."""
        self._segment(segment_id)
        segments = self.project.manifest.segments
        if not any(s.segment_id == segment_id for s in segments):
            return False  # the plan's implicit single segment: nothing to record
        if all(s.status is ShotStatus.APPROVED for s in segments if s.segment_id == segment_id):
            return False
        with self.project.transaction(f"approve {segment_id}") as tx:
            tx.manifest.segments = [
                s.model_copy(update={"status": ShotStatus.APPROVED})
                if s.segment_id == segment_id
                else s
                for s in tx.manifest.segments
            ]
        return True

    # -- assembly ------------------------------------------------------------------------

    def _segment(self, segment_id: str) -> PlannedSegment:
        for segment in self.plan.segments:
            if segment.segment_id == segment_id:
                return segment
        raise NotFound(f"the project has no segment {segment_id!r}")

    def segment_path(self, index: int, segment: PlannedSegment) -> str:
        folder = None
        for seg in self.project.manifest.segments:
            if seg.segment_id == segment.segment_id:
                folder = seg.folder
        folder = folder or segment_folder_name(index, segment.title or segment.segment_id)
        return f"{SEQUENCES}/{folder}/{segment.segment_id}.mp4"

    def film_path(self) -> str:
        return f"{SEQUENCES}/{title_slug(self.plan.title)}.mp4"

    def assemble(self) -> AssemblyResult:
        """Join complete segments and, when all are complete, the film (only what changed)."""
        result = AssemblyResult()
        parts: list[tuple[str, str, str, int]] = []  # (segment id, path, inputs hash, frames)
        complete = True
        for index, segment in enumerate(self.plan.segments, start=1):
            shots = [self.tasks[p.spec.shot_id] for p in segment.shots]
            if not all(t.current for t in shots):
                complete = False
                continue
            records = [self.records[t.shot_id] for t in shots]
            inputs = _inputs_hash([f"{r.path}:{r.sha256}" for r in records])
            frames = segment.end_frame - segment.start_frame
            rel = self.segment_path(index, segment)
            tags = {
                "storycore_segment_id": segment.segment_id,
                "storycore_inputs": inputs,
                "storycore_shots": ",".join(t.shot_id for t in shots),
                "storycore_project": self.plan.title,
                "title": f"{segment.segment_id} {segment.title}".strip(),
            }
            if self._join(rel, [(r.path, r.frames) for r in records], frames, tags):
                result.joined.append(segment.segment_id)
            result.segments.append(
                {"segment_id": segment.segment_id, "path": rel, "frames": frames}
            )
            parts.append((segment.segment_id, rel, inputs, frames))
        if complete and parts:
            total = self.plan.end_frame - self.plan.start_frame
            rel = self.film_path()
            tags = {
                "storycore_film": self.plan.title,
                "storycore_inputs": _inputs_hash([p[2] for p in parts]),
                "storycore_segments": ",".join(p[0] for p in parts),
                "title": self.plan.title,
            }
            if self._join(rel, [(p[1], p[3]) for p in parts], total, tags):
                result.joined.append("film")
            result.final = {"path": rel, "frames": total}
        return result

    def _join(
        self, rel: str, inputs: Sequence[tuple[str, int]], frames: int, tags: dict[str, str]
    ) -> bool:
        """Concatenate ``inputs`` (path, frames) into ``rel`` unless it is already their join.
        Returns True when it (re)joined.

        Each input's ``duration`` line is its exact video length, so the next one starts on
        the frame after its last (a silent AAC track is a little longer than its video; left
        to itself the concat demuxer would start the next clip after the audio, and the
        film's video would drift by a few milliseconds per cut)."""
        target = self.project.root / rel
        if target.is_file():
            try:
                if read_tags(target).get("storycore_inputs") == tags["storycore_inputs"]:
                    return False
            except BackendError:
                pass
        staging = self.project.root / RENDERS_DIR / "joins"
        staging.mkdir(parents=True, exist_ok=True)
        listing = staging / f"{Path(rel).stem}.txt"
        listing.write_text(
            "".join(
                f"file '{_concat_quote(self.project.root / path)}'\n"
                f"duration {float(Fraction(count) / self.rate):.6f}\n"
                for path, count in inputs
            ),
            encoding="utf-8",
        )
        staged = staging / Path(rel).name
        tmp = aside(staged)
        from storycore.tools.production.animatic import timescale

        run_ffmpeg(
            [
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                str(listing),
                "-map",
                "0:v",
                "-map",
                "0:a?",
                "-c",
                "copy",
                "-video_track_timescale",
                str(timescale(self.rate)),
                "-fflags",
                "+bitexact",
                *metadata_args(tags),
                "-f",
                "mp4",
                str(tmp),
            ],
            what=f"joining {rel}",
        )
        fsync_file(tmp)
        joined = count_packets(tmp)
        if joined != frames:
            tmp.unlink()
            raise ProjectError(f"joining {rel} gave {joined} frames instead of {frames}")
        os.replace(tmp, staged)
        listing.unlink()
        with self.project.transaction(f"assemble {Path(rel).name}") as tx:
            _move(tx, staged, rel)
        return True

    # -- status --------------------------------------------------------------------------

    def shot_states(self) -> dict[str, ShotState]:
        """Per shot: done (current media), stale (media of an older spec), pending (none),
        failed or rendering (the ledger's latest job for its current spec)."""
        rows: dict[str, str] = {}
        if Ledger.exists(self.project.root):
            with Ledger.open(self.project.root) as ledger:
                for row in ledger.rows():
                    task = self.tasks.get(row.target_id)
                    if task and row.generation_hash == task.job.generation_hash:
                        rows[row.target_id] = row.state.value
        states: dict[str, ShotState] = {}
        for shot_id, task in self.tasks.items():
            if task.current:
                states[shot_id] = "done"
            elif rows.get(shot_id) == "failed":
                states[shot_id] = "failed"
            elif rows.get(shot_id) in ("submitted", "running"):
                states[shot_id] = "rendering"
            elif task.record is not None:
                states[shot_id] = "stale"
            else:
                states[shot_id] = "pending"
        return states


def _with_start(job: RenderJob, start_image: Path | None) -> RenderJob:
    if start_image is None:
        return job
    from dataclasses import replace

    return replace(job, start_image=start_image)


def _kind(rel: str) -> Literal["image", "video"]:
    return "video" if rel.endswith(".mp4") else "image"


def _move(tx: Any, source: Path, rel: str) -> None:
    """Move a staged file into the project (the file it replaces kept for undo)."""
    src = tx.project.relative(source)
    target = tx.project.path(rel)
    if target.exists():
        tx.remove(rel)
    tx.mkdir(str(Path(rel).parent))
    tx.rename(src, rel)


def _concat_quote(path: Path) -> str:
    return str(path).replace("'", "'\\''")


def _inputs_hash(items: Iterable[str]) -> str:
    return hashlib.sha256(json.dumps(list(items)).encode()).hexdigest()


def _few(ids: Sequence[str]) -> str:
    return ", ".join(ids[:6]) + (f" and {len(ids) - 6} more" if len(ids) > 6 else "")
