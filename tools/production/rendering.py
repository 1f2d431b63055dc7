"""Rendering a segment: its missing or stale shots through the render ledger, then one project
transaction that commits their clips, keyframes, generation hashes and media records.

:class:`ShotRendering` holds :meth:`~ShotRendering.produce_segment` and the steps under it; it
is a part of :class:`~storycore.tools.production.producer.Production`. :func:`_move` moves a
staged file into the project (the assembly uses it too).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from storycore.tools.domain import ShotSpec, ShotStatus
from storycore.tools.errors import ProjectError
from storycore.tools.production.backend import BackendError, RenderJob, RenderOutput
from storycore.tools.production.conform import conform_clip, plan_conform
from storycore.tools.production.ledger import RENDERS_DIR, Ledger, ledger_job_id
from storycore.tools.production.media import probe
from storycore.tools.production.records import MediaRecord, file_sha256, set_media_records
from storycore.tools.production.selection import ProductionBase, ShotTask
from storycore.tools.production.workers import (
    InFlight,
    Pool,
    first_finished,
    wait_and_decode,
    worker_count,
)
from storycore.tools.rates import rate_to_string
from storycore.tools.storyboard import PlannedSegment
from storycore.tools.structure import VIDEOS, write_shots

START_KEYFRAME = "start_keyframe.png"
END_KEYFRAME = "end_keyframe.png"

Progress = Callable[[str, int, int, str], None]  # (segment_id, done, total, message)


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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ShotRendering(ProductionBase):
    """Rendering and committing a segment's shots (a part of ``Production``)."""

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
        """Render the segment's missing or stale selected shots and commit them.

        A backend with ``parallel`` > 1 (the animatic: one ffmpeg per core, up to two) renders
        that many shots at once. Every ledger write stays in this thread: a job is queued and
        its backend id committed *before* its render starts, and only when a worker is free
        (a job in the ledger as ``running`` is rendering). Renders are recorded as they
        finish; the segment's transaction commits them in timeline order. A shot that
        continues from another waits for that one's last frame. A finished render an
        interrupted run left staged is taken as it is (``reused``), never rendered again."""
        segment = self._segment(segment_id)
        outcome = SegmentOutcome(segment_id)
        tasks = self.selected(segment)
        todo = [t for t in tasks if not t.current]
        if todo:
            self.backend.preflight([t.job for t in todo])
        with Ledger.open(self.project.root) as ledger:
            with Pool(worker_count(self.backend, len(todo))) as pool:
                run = _SegmentRun(self, ledger, pool, outcome)
                for index, task in enumerate(start_order(todo, pool.workers)):
                    if run.fatal:
                        break
                    run.prepare(task)  # its panel drawn while the renders in flight run
                    run.make_room(task)
                    if on_progress:
                        on_progress(segment_id, index, len(todo), f"rendering {task.shot_id}")
                    run.start(task)
                    run.record_finished()  # after the start: the free worker is busy again
                run.drain()  # every started render is recorded, even after a fatal error
            if run.fatal:
                raise run.fatal[0]
            if on_progress:
                on_progress(segment_id, len(todo), len(todo), "committing")
            order = {t.shot_id: i for i, t in enumerate(tasks)}
            staged = dict(sorted(run.staged.items(), key=lambda item: order[item[0]]))
            if staged:
                self._commit(segment, staged, outcome)
        outcome.reused = [t.shot_id for t in tasks if t.current or t.shot_id in run.earlier]
        outcome.rendered = [i for i in staged if i not in outcome.reused]
        outcome.failed.sort(key=lambda f: order[f["shot_id"]])
        outcome.cost_usd = round(sum(s[3] for s in staged.values()), 4)
        return outcome

    def _start(self, ledger: Ledger, job: RenderJob, task: ShotTask, pool: Pool) -> InFlight:
        """The ledger's part before a render (queued, submitted with the backend's id, running),
        then the render handed to ``pool``; or the staged outputs of a job an earlier run
        finished (recorded ``done``, or complete and verified by the backend's ``adopt``)."""
        backend = self.backend
        row = ledger.queue(job, backend.name)
        staging = self._staging(row.job_id)
        if row.state.value == "done":
            outputs = [RenderOutput(self.project.root / p, _kind(p)) for p in row.outputs]
            adopt = getattr(backend, "adopt", None)  # checks the files when it can
            complete = bool(outputs) and all(o.path.is_file() for o in outputs)
            if complete and (adopt is None or adopt(job, staging) is not None):
                # rendered by a run that did not commit
                return InFlight(task, job, row.job_id, None, outputs, row.cost_usd)
            ledger.reset(row.job_id)
            row = ledger.queue(job, backend.name)
        backend_job_id = None
        if row.backend_job_id and row.state.value in ("submitted", "running"):
            known = backend.lookup(row.backend_job_id)
            if known is not None and known.value not in ("failed", "cancelled"):
                backend_job_id = row.backend_job_id  # the backend has it: wait, never resubmit
            else:
                adopted = self._adopt(ledger, row.job_id, job, task, staging)
                if adopted is not None:
                    return adopted
        started = time.monotonic()
        if backend_job_id is None:
            if staging.exists():
                shutil.rmtree(staging)  # a half-finished earlier attempt
            backend_job_id = backend.submit(job, ledger_job_id(job, backend.name))
            ledger.submitted(row.job_id, backend_job_id, running=True)
        else:
            ledger.running(row.job_id)
        future = pool.submit(wait_and_decode, backend, backend_job_id, job, staging)
        return InFlight(task, job, row.job_id, future, [], 0.0, started)

    def _adopt(
        self, ledger: Ledger, job_id: str, job: RenderJob, task: ShotTask, staging: Path
    ) -> InFlight | None:
        """A render the interrupted run finished but did not record: the backend's ``adopt``
        checks the staged files (complete, decoded, made from this job's inputs); then it is
        recorded ``done`` as it is. None when there is nothing complete to take."""
        outputs = self._adoptable(job, task, staging)
        if outputs is None:
            return None
        backend = self.backend
        cost = backend.estimate_cost(job) if backend.name != "animatic" else 0.0
        rels = [self.project.relative(o.path) for o in outputs]
        row = ledger.get(job_id)
        seconds = row.render_seconds if row is not None and row.render_seconds else 0.0
        ledger.done(job_id, rels, cost, seconds)
        return InFlight(task, job, job_id, None, outputs, cost)

    def _adoptable(
        self, job: RenderJob, task: ShotTask, staging: Path, *, tidy: bool = True
    ) -> list[RenderOutput] | None:
        """The staged outputs of an interrupted render when the backend's ``adopt`` finds them
        complete and made from this job's inputs, and the clip has exactly the plan's frames
        at its rate and size (never conformed here); else None. ``tidy`` False only looks."""
        adopt = getattr(self.backend, "adopt", None)
        if adopt is None or not staging.is_dir():
            return None
        outputs = adopt(job, staging) if tidy else adopt(job, staging, tidy=False)
        if not outputs:
            return None
        videos = [o for o in outputs if o.kind == "video"]
        info = probe(videos[0].path) if videos else None  # decoded already (cached)
        planned = task.planned.spec.duration_frames
        if info is None or (info.fps or self.rate) != self.rate or info.frames != planned:
            return None
        if (info.width, info.height) != (self.width, self.height):
            return None  # a native frame not conformed yet: rendered again, as a bad length is
        return list(outputs)

    def staged_finished(self, tasks: Sequence[ShotTask]) -> set[str]:
        """The shots of ``tasks`` a run would take as an interrupted run left them finished in
        ``.storycore/renders/`` instead of rendering them (what :meth:`_start` decides, with
        the same checks), for ``--dry-run``: nothing is written, adopted or removed."""
        if not tasks or not Ledger.exists(self.project.root):
            return set()
        with Ledger.open(self.project.root) as ledger:
            return {t.shot_id for t in tasks if self._would_take(ledger, t)}

    def _would_take(self, ledger: Ledger, task: ShotTask) -> bool:
        """True when :meth:`_start` would take the task's staged render (read only)."""
        backend, job = self.backend, task.job
        row = ledger.get(ledger_job_id(job, backend.name))
        if row is None:
            return False
        staging = self._staging(row.job_id)
        adopt = getattr(backend, "adopt", None)
        if row.state.value == "done":
            outputs = [self.project.root / p for p in row.outputs]
            if not outputs or not all(p.is_file() for p in outputs):
                return False
            return adopt is None or adopt(job, staging, tidy=False) is not None
        if not row.backend_job_id or row.state.value not in ("submitted", "running"):
            return False
        known = backend.lookup(row.backend_job_id)
        if known is not None and known.value not in ("failed", "cancelled"):
            return False  # the backend still has it: the run waits for its render
        return self._adoptable(job, task, staging, tidy=False) is not None

    def _finish(
        self, ledger: Ledger, flight: InFlight
    ) -> tuple[list[RenderOutput], float, str | None]:
        """Wait for a started render, conform its clip, record it done (or failed)."""
        if flight.future is None:
            return flight.outputs, flight.cost, None
        job = flight.job
        try:
            outputs = flight.future.result()
            videos = [o for o in outputs if o.kind == "video"]
            if not videos:
                raise BackendError(f"{job.target_id}: the backend returned no video")
            note = self._conform(videos[0], flight.task)
        except BackendError as exc:
            ledger.failed(flight.job_id, str(exc))
            raise
        backend = self.backend
        cost = backend.estimate_cost(job) if backend.name != "animatic" else 0.0
        rels = [self.project.relative(o.path) for o in outputs]
        ledger.done(flight.job_id, rels, cost, time.monotonic() - flight.started)
        return outputs, cost, note

    def _conform(self, video: RenderOutput, task: ShotTask) -> str | None:
        """Apply the conform rule when the clip's decoded rate, length or frame size is not
        the plan's (a model's native frame for a ratio it does not render is cropped and
        scaled to the project's size here, before the gate checks it)."""
        info = probe(video.path)
        fps = info.fps or self.rate
        planned = task.planned.spec.duration_frames
        size, project = (info.width, info.height), (self.width, self.height)
        if fps == self.rate and info.frames == planned and size == project:
            return None
        conform = plan_conform(planned, info.frames, fps, self.rate, size, project)
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
                    picture_hash=job.extras.get("picture_hash"),
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


Staged = tuple[ShotTask, RenderJob, list[RenderOutput], float, str | None]


def start_order(todo: Sequence[ShotTask], workers: int) -> list[ShotTask]:
    """The order renders start in: with several workers, the longest shots first (ties in
    timeline order), so the segment does not end on one long render while the other workers
    have nothing left to do; in timeline order with one worker, or when a shot to render
    continues from another one to render (it needs that one's last frame first). Either way
    the segment is committed in timeline order."""
    ids = {t.shot_id for t in todo}
    if workers < 2 or any(t.planned.spec.continues_from in ids for t in todo):
        return list(todo)
    return sorted(todo, key=lambda t: -t.job.frame_count)  # a stable sort keeps ties in order


class _SegmentRun:
    """One segment's renders in flight (at most one per worker), recorded as they finish."""

    def __init__(
        self, rendering: ShotRendering, ledger: Ledger, pool: Pool, outcome: SegmentOutcome
    ) -> None:
        self.rendering, self.ledger, self.pool, self.outcome = rendering, ledger, pool, outcome
        self.in_flight: dict[str, InFlight] = {}  # timeline order
        self.staged: dict[str, Staged] = {}
        self.earlier: set[str] = set()  # staged by an interrupted run, not rendered now
        self.fresh_end: dict[str, Path] = {}
        self.fatal: list[ProjectError] = []
        self._finished: list[InFlight] = []  # rendered, not yet recorded
        self._prepared: dict[str, RenderJob | BackendError] = {}

    def prepare(self, task: ShotTask) -> None:
        """The job with its picture (a storyboard panel drawn into the cache when the plan has
        none), before a worker is free: the drawing does not keep a free worker waiting. A
        failure is kept for :meth:`start` to report."""
        try:
            job: RenderJob | BackendError = self.rendering._ensure_picture(task.job, task.planned)
        except BackendError as exc:
            job = exc
        self._prepared[task.shot_id] = job

    def make_room(self, task: ShotTask) -> None:
        """Wait for the shot this one continues from (recorded at once: its last frame is
        this one's first), then until a worker is free (recorded by :meth:`record_finished`,
        once the next render has started)."""
        previous = task.planned.spec.continues_from
        if previous and previous in self.in_flight:
            self._finish(self.in_flight.pop(previous))
        while len(self.in_flight) >= self.pool.workers:
            self._finished.append(self.in_flight.pop(first_finished(self.in_flight)))

    def record_finished(self) -> None:
        """Record the renders :meth:`make_room` found finished."""
        while self._finished:
            self._finish(self._finished.pop(0))

    def start(self, task: ShotTask) -> None:
        """Write the job's ledger rows and hand its render to a worker (or take the staged
        outputs an earlier run finished)."""
        rendering = self.rendering
        try:
            start_image = rendering._start_image(task, self.fresh_end)
            prepared = self._prepared.pop(task.shot_id, None)
            if prepared is None:
                prepared = rendering._ensure_picture(task.job, task.planned)
            if isinstance(prepared, BackendError):
                raise prepared
            job = _with_start(prepared, start_image)
            flight = rendering._start(self.ledger, job, task, self.pool)
        except BackendError as exc:
            self._failed(task.shot_id, exc)
            return
        if flight.future is None:
            self._finish(flight)
        else:
            self.in_flight[task.shot_id] = flight

    def drain(self) -> None:
        """Record every render still in flight, as each finishes."""
        self.record_finished()
        while self.in_flight:
            self._finish(self.in_flight.pop(first_finished(self.in_flight)))

    def _finish(self, flight: InFlight) -> None:
        shot_id = flight.task.shot_id
        try:
            outputs, cost, note = self.rendering._finish(self.ledger, flight)
        except BackendError as exc:
            self._failed(shot_id, exc)
            return
        self.staged[shot_id] = (flight.task, flight.job, outputs, cost, note)
        if flight.earlier:
            self.earlier.add(shot_id)
        end = [o.path for o in outputs if o.path.name.endswith("_end.png")]
        if end:
            self.fresh_end[shot_id] = end[0]

    def _failed(self, shot_id: str, exc: BackendError) -> None:
        if "disk is full" in str(exc):
            self.fatal.append(ProjectError(f"{shot_id}: {exc}"))
        else:
            self.outcome.failed.append({"shot_id": shot_id, "error": str(exc)})


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
