"""The ComfyUI render backend (``storycore produce --backend comfyui``).

Each video job becomes, on one ComfyUI server:

1. a **start keyframe**: the job's ``start_image`` when it has one (a shot that
   ``continues_from`` another gets that shot's last frame), else an image rendered with the
   image model (``image_model`` in comfyui.yaml) from the shot's image prompt, with its
   elements' reference images where the template has a reference input;
2. the **clip**: the shot model's template (``comfyui_workflow``, or ``comfyui_workflows``
   per mode: first-last-frame when the job has an end image), the keyframe uploaded as its
   start frame, the length in the model's own frames (``4k+1`` at 16 fps for Wan...);
3. the outputs: ``<target>.mp4`` scaled to the asked size when the family's multiple forced
   another, ``<target>_start.png`` (the keyframe) and ``<target>_end.png`` (the clip's clean
   last frame, for the next shot's continuity).

Image jobs (element references) are one text-to-image render.

Prompt ids are ours (storycore.tools.comfyui.client.prompt_id_for): derived from the ledger's
job id, so after a crash the same ids are looked up on every server before anything is posted
again. **Many servers**: jobs wait in our own queue and one worker per server takes the next
one when its server is free (one running job per server); a server that stops answering is
set aside and its unfinished jobs go back to the queue for the others.

Where the parts live: :mod:`.scheduler` (our queue, the workers, the servers set aside),
:mod:`.rendering` (templates, keyframe, clip, the files fitted) and this module (the Backend
protocol: preflight, submit, lookup, wait, cancel). The private helpers stay importable here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from storycore.tools.comfyui.client import ComfyClient, ComfyUIError, ServerUnreachable
from storycore.tools.comfyui.config import ComfyUIConfig, load_config
from storycore.tools.comfyui.rendering import ComfyRenderer, _other_device, _probe_params
from storycore.tools.comfyui.rendering import _fit_image as _fit_image
from storycore.tools.comfyui.rendering import _fit_video as _fit_video
from storycore.tools.comfyui.rendering import _last_frame as _last_frame
from storycore.tools.comfyui.rendering import _probe as _probe
from storycore.tools.comfyui.scheduler import _STATE as _STATE
from storycore.tools.comfyui.scheduler import (
    MAX_MOVES,
    SERVER_COOLDOWN_S,
    _keyframe_id,
    _project_of,
    _Server,
    _Task,
)
from storycore.tools.comfyui.workflow import (
    WorkflowProblems,
    check_workflow,
    fill_template,
    markers,
    submit_time_inputs,
)
from storycore.tools.errors import StoryCoreError
from storycore.tools.model_registry import ModelRegistry
from storycore.tools.production.backend import (
    BackendError,
    JobState,
    ProgressCallback,
    RenderJob,
    RenderOutput,
)

__all__ = ["ComfyUIBackend"]


class ComfyUIBackend(ComfyRenderer):
    """The Backend protocol (storycore.tools.production.backend) over ComfyUI servers."""

    name = "comfyui"

    def __init__(
        self,
        config: ComfyUIConfig,
        registry: ModelRegistry,
        *,
        work_dir: Path | None = None,
        client_factory: Callable[[str], ComfyClient] | None = None,
        project_dir: Path | None = None,
    ) -> None:
        self.config = config
        self.registry = registry
        self.project_dir = project_dir
        factory = client_factory or (
            lambda url: ComfyClient(
                url,
                retries=self.config.retries,
                poll_interval=self.config.poll_interval_s,
            )
        )
        self.servers = [_Server(factory(url)) for url in config.servers]
        self._work_dir = work_dir
        self._lock = threading.Condition()
        self._queue: deque[_Task] = deque()
        self._tasks: dict[str, _Task] = {}
        self._workers: list[threading.Thread] = []
        self._templates: dict[str, dict[str, Any]] = {}
        self._closed = False
        self._factory = factory
        self._batch: list[RenderJob] = []
        self._adopted = project_dir is not None

    @classmethod
    def from_environment(cls, project_dir: Path | None = None) -> ComfyUIBackend:
        """The backend as configured: comfyui.yaml (shipped, user, project) and
        ``STORYCORE_COMFYUI_URL``; models.yaml likewise."""
        return cls(
            load_config(project_dir),
            ModelRegistry.load(project_dir=project_dir),
            project_dir=project_dir,
        )

    def _adopt_project(self, jobs: Sequence[RenderJob]) -> None:
        """Built without a project (``get_backend("comfyui")``): take the project's own
        comfyui.yaml and models.yaml once its jobs tell where it is."""
        if self._adopted:
            return
        for job in jobs:
            root = _project_of(job)
            if root is None:
                continue
            self._adopted = True
            self.project_dir = root
            self.config = load_config(root)
            self.registry = ModelRegistry.load(project_dir=root)
            self._templates.clear()
            if not self._workers:
                self.servers = [_Server(self._factory(url)) for url in self.config.servers]
            return

    def close(self) -> None:
        """Stop the workers (jobs still queued fail as cancelled)."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        for server in self.servers:
            server.client.close()

    # ---------------------------------------------------------------- Backend protocol

    def estimate_cost(self, job: RenderJob) -> float:
        """Nothing: the GPUs are the user's own."""
        return 0.0

    def preflight(self, jobs: Sequence[RenderJob]) -> None:
        """Every server that answers can run every workflow the jobs need; else one error
        naming the missing node classes and model files. Nothing is submitted."""
        self._adopt_project(jobs)
        self._batch = list(jobs)
        needed: dict[str, set[str]] = {}
        for job in jobs:
            try:
                names = self._templates_for(job)
            except StoryCoreError as exc:
                raise BackendError(str(exc)) from None
            for name in names:
                needed.setdefault(name, set()).add(job.target_id)
            video = names[-1]
            settings, template = self._template(video)
            roles = {m.role for m in markers(template)}
            if (
                job.kind == "video"
                and job.extras.get("continues_from")
                and ("start_image" not in roles)
            ):
                raise BackendError(
                    f"{job.target_id} continues from {job.extras['continues_from']}, but "
                    f"template {video!r} of model {job.model_id!r} takes no start image"
                )
        if not needed:
            return
        answered = 0
        for server in self.servers:
            try:
                info = server.client.object_info(refresh=True)
            except ServerUnreachable:
                server.down_until = time.monotonic() + SERVER_COOLDOWN_S
                continue
            except ComfyUIError as exc:
                raise BackendError(str(exc)) from None
            answered += 1
            problems = WorkflowProblems()
            for name in sorted(needed):
                settings, template = self._template(name)
                filled = fill_template(template, settings, _probe_params(template))
                problems.merge(
                    check_workflow(
                        filled.workflow,
                        info,
                        name,
                        skip_inputs=submit_time_inputs(filled.workflow),
                    )
                )
            if problems:
                raise BackendError(problems.message(server.url))
        if not answered:
            urls = ", ".join(s.url for s in self.servers)
            raise BackendError(
                f"no ComfyUI server answers at {urls}; start ComfyUI or set STORYCORE_COMFYUI_URL",
                retryable=True,
            )

    def submit(self, job: RenderJob, job_id: str) -> str:
        """Queue the job on our side; returns its prompt id (posted when a server is free).

        An id a server already knows (queued, running, finished) is taken up again, never
        posted twice; an id that failed there moves on to the next attempt's id."""
        self._adopt_project([job])
        self._prepare_work_dir(job)
        prompt_id = self._queue_job(job, job_id)
        self._prefetch(job)
        return prompt_id

    def _prefetch(self, submitted: RenderJob) -> None:
        """With several servers, queue the rest of the preflighted batch now, so that every
        server has work while the producer waits for one job at a time. Only jobs that depend
        on no other render (no ``continues_from``, no start image) are taken; they get the
        same prompt ids the producer's own submit will find."""
        if len(self.servers) < 2 or not self._batch:
            return
        from storycore.tools.production.ledger import ledger_job_id

        batch, self._batch = self._batch, []
        for other in batch:
            if other.key == submitted.key or other.kind != "video":
                continue
            if other.start_image is not None or other.extras.get("continues_from"):
                continue
            with contextlib.suppress(BackendError):
                self._queue_job(other, ledger_job_id(other, self.name))

    def lookup(self, backend_job_id: str) -> JobState | None:
        """Our queue first, then every server (the clip's id)."""
        with self._lock:
            task = self._tasks.get(backend_job_id)
        if task is not None:
            if not task.done.is_set():
                return JobState.RUNNING if task.server else JobState.SUBMITTED
            if task.cancelled:
                return JobState.CANCELLED
            return JobState.FAILED if task.error else JobState.DONE
        _, status = self._status_anywhere(backend_job_id)
        return _STATE[status] if status is not None else None

    def wait(
        self,
        backend_job_id: str,
        job: RenderJob,
        out_dir: Path,
        on_progress: ProgressCallback | None = None,
    ) -> list[RenderOutput]:
        """Block until the job is rendered; its files are moved into ``out_dir``."""
        with self._lock:
            task = self._tasks.get(backend_job_id)
        if task is None:
            # Submitted by an earlier run: take it up again under the same id.
            self._prepare_work_dir(job, out_dir)
            from storycore.tools.production.ledger import ledger_job_id

            task = self._enqueue(job, ledger_job_id(job, self.name), backend_job_id)
        task.progress = on_progress
        limit = self.config.timeout(job.kind) * (2 if job.kind == "video" else 1) * MAX_MOVES
        if not task.done.wait(limit):
            raise BackendError(f"{job.target_id}: ComfyUI did not finish in time", retryable=True)
        if task.error is not None:
            raise task.error
        out_dir.mkdir(parents=True, exist_ok=True)
        moved: list[RenderOutput] = []
        for output in task.outputs:
            target = out_dir / output.path.name
            tmp = out_dir / f".{output.path.name}.moving"
            if _other_device(output.path, out_dir):
                shutil.copyfile(output.path, tmp)
            else:
                os.replace(output.path, tmp)
            os.replace(tmp, target)
            moved.append(RenderOutput(target, output.kind, output.frames, output.fps, 0.0))
        shutil.rmtree(task.work, ignore_errors=True)
        with self._lock:
            # Collected: a later submit of the same job asks the servers again.
            self._tasks.pop(backend_job_id, None)
        return moved

    def cancel(self, backend_job_ids: Sequence[str]) -> None:
        """Take our queued jobs back, delete and interrupt them on their server."""
        ids = set(backend_job_ids)
        with self._lock:
            for task in list(self._queue):
                if task.prompt_id in ids:
                    self._queue.remove(task)
                    task.cancelled = True
                    task.error = BackendError(f"{task.job.target_id}: cancelled")
                    task.done.set()
            for task in self._tasks.values():
                if task.prompt_id in ids:
                    task.cancelled = True
            keyframes = {_keyframe_id(t.job_id) for t in self._tasks.values() if t.prompt_id in ids}
        for server in self.servers:
            with contextlib.suppress(ComfyUIError):
                server.client.cancel(sorted(ids | keyframes))
