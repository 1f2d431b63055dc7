"""Our own queue of ComfyUI jobs and one worker thread per server.

Jobs wait in our queue and each server's worker takes the next one when its server is free
(one running job per server); a server that stops answering is set aside for
:data:`SERVER_COOLDOWN_S` and its unfinished jobs go back to the queue for the others, at most
:data:`MAX_MOVES` times. :class:`ServerScheduler` is the base of
:class:`~storycore.tools.comfyui.backend.ComfyUIBackend`; what a worker does with a job
(:meth:`ServerScheduler._run`) is in :mod:`.rendering`.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from storycore.tools.comfyui.client import (
    ComfyClient,
    ComfyUIError,
    JobFailed,
    JobLost,
    JobStatus,
    JobTimeout,
    PromptRejected,
    ServerUnreachable,
    prompt_id_for,
)
from storycore.tools.comfyui.config import ComfyUIConfig
from storycore.tools.production.backend import (
    BackendError,
    JobState,
    ProgressCallback,
    RenderJob,
    RenderOutput,
)

#: How long a server that stopped answering is left aside before it is tried again.
SERVER_COOLDOWN_S = 30.0
#: How many times one job may move to another server (or be re-posted after a lost queue).
MAX_MOVES = 4

_STATE = {
    JobStatus.QUEUED: JobState.SUBMITTED,
    JobStatus.RUNNING: JobState.RUNNING,
    JobStatus.SUCCESS: JobState.DONE,
    JobStatus.ERROR: JobState.FAILED,
    JobStatus.INTERRUPTED: JobState.CANCELLED,
}


@dataclass
class _Server:
    client: ComfyClient
    down_until: float = 0.0
    busy: bool = False

    @property
    def url(self) -> str:
        return self.client.url

    def available(self) -> bool:
        return time.monotonic() >= self.down_until


@dataclass
class _Task:
    """One job in our queue: its ids, where it runs, what it produced."""

    job: RenderJob
    job_id: str
    prompt_id: str  # the main render (the clip, or the image of an image job)
    work: Path
    done: threading.Event = field(default_factory=threading.Event)
    outputs: list[RenderOutput] = field(default_factory=list)
    error: BackendError | None = None
    server: str = ""
    moves: int = 0
    cancelled: bool = False
    notes: list[str] = field(default_factory=list)
    progress: ProgressCallback | None = None

    def report(self, fraction: float, message: str) -> None:
        if self.progress is not None:
            with contextlib.suppress(Exception):
                self.progress(max(0.0, min(1.0, fraction)), message)


class ServerScheduler:
    """The queue, the workers and the servers (a part of ``ComfyUIBackend``, which sets the
    attributes below in its ``__init__``)."""

    config: ComfyUIConfig
    project_dir: Path | None
    servers: list[_Server]
    _work_dir: Path | None
    _lock: threading.Condition
    _queue: deque[_Task]
    _tasks: dict[str, _Task]
    _workers: list[threading.Thread]
    _closed: bool

    def _run(self, task: _Task, server: _Server) -> None:
        """Render ``task`` on ``server`` (storycore.tools.comfyui.rendering)."""
        raise NotImplementedError

    def _queue_job(self, job: RenderJob, job_id: str) -> str:
        for attempt in range(MAX_MOVES * 4):
            prompt_id = prompt_id_for(job_id, attempt)
            with self._lock:
                task = self._tasks.get(prompt_id)
            if task is not None and not (task.done.is_set() and task.error is not None):
                return prompt_id
            status = None if task is not None else self._status_anywhere(prompt_id)[1]
            if task is None and status in (None, JobStatus.QUEUED, JobStatus.RUNNING):
                self._enqueue(job, job_id, prompt_id)
                return prompt_id
            if status is JobStatus.SUCCESS:
                self._enqueue(job, job_id, prompt_id)  # collected, not rendered again
                return prompt_id
        raise BackendError(f"{job.target_id}: too many failed attempts on ComfyUI")

    # ---------------------------------------------------------------- our queue

    def _prepare_work_dir(self, job: RenderJob, out_dir: Path | None = None) -> None:
        if self._work_dir is not None:
            return
        root = self.project_dir
        if root is None and out_dir is not None:
            for parent in out_dir.parents:
                if parent.name == ".storycore":
                    root = parent.parent
                    break
        if root is None:
            root = _project_of(job)
        if root is not None:
            self._work_dir = Path(root) / ".storycore" / "renders" / "comfyui"
        else:
            self._work_dir = Path(tempfile.mkdtemp(prefix="storycore-comfyui-"))

    def _enqueue(self, job: RenderJob, job_id: str, prompt_id: str) -> _Task:
        assert self._work_dir is not None
        with self._lock:
            existing = self._tasks.get(prompt_id)
            if existing is not None and not existing.done.is_set():
                return existing
            task = _Task(job, job_id, prompt_id, self._work_dir / prompt_id)
            self._tasks[prompt_id] = task
            self._queue.append(task)
            self._start_workers()
            self._lock.notify_all()
        return task

    def _start_workers(self) -> None:
        if self._workers:
            return
        for server in self.servers:
            thread = threading.Thread(
                target=self._worker, args=(server,), name=f"comfyui {server.url}", daemon=True
            )
            thread.start()
            self._workers.append(thread)

    def _worker(self, server: _Server) -> None:
        while True:
            with self._lock:
                while not self._closed and (not self._queue or not server.available()):
                    if not self._queue and self._closed:
                        return
                    if self._queue and not server.available():
                        self._fail_if_no_server_left()
                    self._lock.wait(timeout=0.2)
                if self._closed:
                    return
                task = self._queue.popleft()
                server.busy = True
                task.server = server.url
            try:
                self._run(task, server)
            except (ServerUnreachable, JobLost) as exc:
                self._requeue(task, server, exc)
                continue
            except (PromptRejected, JobFailed, JobTimeout, ComfyUIError) as exc:
                task.error = BackendError(
                    f"{task.job.target_id}: {exc}", retryable=isinstance(exc, JobTimeout)
                )
                task.done.set()
            except BackendError as exc:
                task.error = exc
                task.done.set()
            except Exception as exc:  # a worker thread must never die silently
                task.error = BackendError(f"{task.job.target_id}: {type(exc).__name__}: {exc}")
                task.done.set()
            finally:
                server.busy = False
            if not task.done.is_set():
                task.done.set()

    def _requeue(self, task: _Task, server: _Server, exc: ComfyUIError) -> None:
        """The server went away or forgot the job: set it aside, give the job to the others."""
        if isinstance(exc, ServerUnreachable):
            server.down_until = time.monotonic() + SERVER_COOLDOWN_S
        task.moves += 1
        task.notes.append(f"{server.url}: {exc}")
        task.report(0.0, f"{task.job.target_id}: {server.url} lost the job; queued again")
        with self._lock:
            if task.moves > MAX_MOVES or task.cancelled:
                task.error = BackendError(
                    f"{task.job.target_id}: ComfyUI lost the job {task.moves} times (last: {exc})",
                    retryable=True,
                )
                task.done.set()
            else:
                task.server = ""
                self._queue.appendleft(task)
                self._fail_if_no_server_left()
            self._lock.notify_all()

    def _fail_if_no_server_left(self) -> None:
        """Called with the lock held: when every server is set aside, fail the queue."""
        if any(s.available() for s in self.servers):
            return
        urls = ", ".join(s.url for s in self.servers)
        while self._queue:
            task = self._queue.popleft()
            task.error = BackendError(
                f"{task.job.target_id}: no ComfyUI server answers ({urls})", retryable=True
            )
            task.done.set()

    def _status_anywhere(self, prompt_id: str) -> tuple[_Server | None, JobStatus | None]:
        for server in self.servers:
            if not server.available():
                continue
            try:
                status = server.client.status(prompt_id)
            except ServerUnreachable:
                server.down_until = time.monotonic() + SERVER_COOLDOWN_S
                continue
            if status is not None:
                return server, status
        return None, None


def _keyframe_id(job_id: str) -> str:
    """The keyframe's prompt id, derived from the job's (stable across runs and attempts: a
    clip that failed is rendered again from the keyframe already made)."""
    return prompt_id_for(hashlib.sha256(f"{job_id}:keyframe".encode()).hexdigest()[:32])


def _project_of(job: RenderJob) -> Path | None:
    """The project a job belongs to, from the picture the producer names in its extras."""
    panel = job.extras.get("panel")
    if not panel:
        return None
    for parent in Path(str(panel)).parents:
        if (parent / "project.json").is_file():
            return parent
    return None
