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
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

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
from storycore.tools.comfyui.config import ComfyUIConfig, TemplateSettings, load_config
from storycore.tools.comfyui.workflow import (
    GenerationParams,
    WorkflowProblems,
    check_workflow,
    fill_template,
    load_template,
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


class ComfyUIBackend:
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

    # ---------------------------------------------------------------- templates

    def _template(self, name: str) -> tuple[TemplateSettings, dict[str, Any]]:
        settings = self.config.template(name)
        if name not in self._templates:
            self._templates[name] = load_template(settings)
        return settings, self._templates[name]

    def _video_template(self, job: RenderJob) -> str:
        try:
            model = self.registry.get(job.model_id)
        except StoryCoreError as exc:
            raise BackendError(f"{job.target_id}: {exc}") from None
        if not model.local:
            raise BackendError(
                f"{job.target_id}: model {model.id!r} runs in the cloud, not on ComfyUI; "
                "choose a local model for this shot or another backend"
            )
        mode = "flf2v" if job.end_image is not None else "i2v"
        name = model.workflow_for(mode) or model.workflow_for("t2v") or model.comfyui_workflow
        if name is None:
            raise BackendError(f"{job.target_id}: model {model.id!r} has no ComfyUI workflow")
        return name

    def _image_template(self, job: RenderJob) -> str:
        if job.kind == "video" and self.config.keyframe_template:
            return self.config.keyframe_template
        model_id = job.model_id if job.kind == "image" else self.config.image_model
        with contextlib.suppress(StoryCoreError):
            model = self.registry.get(model_id)
            if model.local and model.comfyui_workflow:
                return model.comfyui_workflow
        model = self.registry.get(self.config.image_model)
        if model.comfyui_workflow is None:
            raise BackendError(f"image model {model.id!r} has no ComfyUI workflow")
        return model.comfyui_workflow

    def _templates_for(self, job: RenderJob) -> list[str]:
        if job.kind == "image":
            return [self._image_template(job)]
        names = [self._video_template(job)]
        if job.start_image is None:
            names.insert(0, self._image_template(job))
        return names

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

    # ---------------------------------------------------------------- rendering

    def _run(self, task: _Task, server: _Server) -> None:
        job = task.job
        task.work.mkdir(parents=True, exist_ok=True)
        if job.kind == "image":
            name = self._image_template(job)
            image = self._render_image(task, server, name, task.prompt_id, job.prompt)
            final = task.work / f"{job.target_id}.png"
            os.replace(image, final)
            _fit_image(final, job.width, job.height)
            task.outputs = [RenderOutput(final, "image")]
            return
        start = job.start_image
        keyframe: Path | None = None
        if start is None:
            name = self._image_template(job)
            prompt = str(job.extras.get("image_prompt") or job.prompt)
            keyframe = self._render_image(task, server, name, _keyframe_id(task.job_id), prompt)
            _fit_image(keyframe, job.width, job.height)
            start = keyframe
        clip = self._render_video(task, server, start)
        outputs = [RenderOutput(clip, "video", *_probe(clip))]
        if keyframe is not None:
            named = task.work / f"{job.target_id}_start.png"
            os.replace(keyframe, named)
            outputs.append(RenderOutput(named, "image"))
        end = task.work / f"{job.target_id}_end.png"
        _last_frame(clip, end)
        outputs.append(RenderOutput(end, "image"))
        task.outputs = outputs

    def _located(self, prompt_id: str, server: _Server) -> tuple[_Server, JobStatus | None]:
        """The server that knows ``prompt_id`` (ours first), and what it says."""
        try:
            status = server.client.status(prompt_id)
        except ServerUnreachable:
            raise
        if status is not None:
            return server, status
        for other in self.servers:
            if other is server or not other.available():
                continue
            try:
                found = other.client.status(prompt_id)
            except ServerUnreachable:
                other.down_until = time.monotonic() + SERVER_COOLDOWN_S
                continue
            if found is not None:
                return other, found
        return server, None

    def _post_and_wait(
        self,
        task: _Task,
        server: _Server,
        prompt_id: str,
        build: Callable[[ComfyClient], dict[str, Any]],
        what: str,
        kind: str,
    ) -> tuple[ComfyClient, Any]:
        """Post (unless a server knows the id) and wait; returns the client and the result."""
        owner, status = self._located(prompt_id, server)
        if status in (JobStatus.ERROR, JobStatus.INTERRUPTED):
            # A failed earlier attempt of a keyframe: its id is burned, take a fresh one.
            prompt_id = prompt_id_for(prompt_id.replace("-", ""), task.moves + 1)
            owner, status = server, None
        client = owner.client
        if status is None:
            if task.cancelled:
                raise BackendError(f"{task.job.target_id}: cancelled")
            client = server.client
            client.submit(build(client), prompt_id)
        target = task.job.target_id

        def on_event(kind_: str, data: Mapping[str, Any]) -> None:
            if kind_ == "progress":
                value, top = data.get("value", 0), data.get("max", 1) or 1
                task.report(value / top, f"{target} {what} on {client.url}: {value}/{top}")
            elif kind_ == "execution_start":
                task.report(0.0, f"{target} {what} started on {client.url}")

        task.report(0.0, f"{target} {what} queued on {client.url}")
        result = client.wait(prompt_id, timeout=self.config.timeout(kind), on_event=on_event)
        return client, result

    def _render_image(
        self, task: _Task, server: _Server, template_name: str, prompt_id: str, prompt: str
    ) -> Path:
        job = task.job
        what = "image" if job.kind == "image" else "keyframe"
        kept = task.work / f"{what}.png"
        if kept.is_file():
            return kept  # downloaded whole before the server went away or forgot the job
        settings, template = self._template(template_name)
        references = [Path(p) for p in job.extras.get("reference_images") or ()]
        if not references and "reference_image" in {m.role for m in markers(template)}:
            references = self._shot_references(job)

        def build(client: ComfyClient) -> dict[str, Any]:
            names = tuple(client.upload_image(p) for p in references if p.is_file())
            mapped = fill_template(
                template,
                settings,
                GenerationParams(
                    prompt=prompt,
                    negative=job.negative_prompt,
                    seed=job.seed,
                    width=job.width,
                    height=job.height,
                    reference_images=names,
                    filename_prefix=f"storycore/{job.target_id}_{prompt_id[:8]}",
                ),
            )
            task.notes.extend(mapped.adjustments)
            return mapped.workflow

        client, result = self._post_and_wait(task, server, prompt_id, build, what, "image")
        images = [o for o in result.outputs if o.kind == "image"]
        if not images:
            raise BackendError(f"{job.target_id}: the {what} workflow saved no image")
        return client.download(images[0], kept)

    def _shot_references(self, job: RenderJob) -> list[Path]:
        """The reference images of the elements the shot shows (from the project)."""
        root = self._project_root(job)
        if root is None or job.kind != "video":
            return []
        from storycore.tools.comfyui.references import shot_reference_images
        from storycore.tools.project import Project

        try:
            return shot_reference_images(Project.open(root), job.target_id)
        except StoryCoreError:
            return []

    def _project_root(self, job: RenderJob) -> Path | None:
        if self.project_dir is not None:
            return Path(self.project_dir)
        if self._work_dir is not None and self._work_dir.parent.parent.name == ".storycore":
            return self._work_dir.parent.parent.parent
        return None

    def _render_video(self, task: _Task, server: _Server, start: Path) -> Path:
        job = task.job
        name = self._video_template(job)
        settings, template = self._template(name)
        roles = {m.role for m in markers(template)}
        native = Fraction(settings.fps)
        frames = max(1, math.ceil(job.frame_count / Fraction(job.native_fps) * native))

        def build(client: ComfyClient) -> dict[str, Any]:
            start_name = client.upload_image(start) if "start_image" in roles else None
            end_name = (
                client.upload_image(job.end_image)
                if job.end_image is not None and "end_image" in roles
                else None
            )
            mapped = fill_template(
                template,
                settings,
                GenerationParams(
                    prompt=job.prompt,
                    negative=job.negative_prompt,
                    seed=job.seed,
                    width=job.width,
                    height=job.height,
                    frames=frames,
                    start_image=start_name,
                    end_image=end_name,
                    filename_prefix=f"storycore/{job.target_id}_{task.prompt_id[:8]}",
                ),
            )
            task.notes.extend(mapped.adjustments)
            return mapped.workflow

        client, result = self._post_and_wait(task, server, task.prompt_id, build, "clip", "video")
        videos = [o for o in result.outputs if o.kind == "video"]
        if not videos:
            raise BackendError(f"{job.target_id}: the {name} workflow saved no video")
        raw = client.download(videos[0], task.work / "native.mp4")
        final = task.work / f"{job.target_id}.mp4"
        _fit_video(raw, final, job.width, job.height)
        return final


# ------------------------------------------------------------------ helpers


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


def _probe_params(template: Mapping[str, Any]) -> GenerationParams:
    """Parameters that fill every role of a template, for the preflight check."""
    roles = {m.role for m in markers(template)}
    return GenerationParams(
        prompt="preflight",
        width=512,
        height=512,
        frames=17,
        start_image="preflight.png" if "start_image" in roles else None,
        end_image="preflight.png" if "end_image" in roles else None,
    )


def _other_device(path: Path, folder: Path) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    return path.stat().st_dev != folder.stat().st_dev


def _fit_image(path: Path, width: int, height: int) -> None:
    """Resize an image to exactly ``width`` x ``height`` (written aside, then renamed)."""
    from PIL import Image

    with Image.open(path) as image:
        if image.size == (width, height):
            return
        fitted = image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
    tmp = path.with_name(f".{path.name}.fit.png")
    fitted.save(tmp, format="PNG")
    os.replace(tmp, path)


def _probe(path: Path) -> tuple[int, Fraction | None]:
    from storycore.tools.production.media import probe

    info = probe(path)
    return info.frames, info.fps


def _fit_video(source: Path, target: Path, width: int, height: int) -> None:
    """The clip at exactly ``width`` x ``height`` (scaled when the family's multiple changed
    it); the frames and the rate are kept."""
    from storycore.tools.production.media import probe, run_ffmpeg

    info = probe(source)
    if (info.width, info.height) == (width, height):
        os.replace(source, target)
        return
    tmp = target.with_name(f".{target.name}.fit.mp4")
    run_ffmpeg(
        [
            "-i",
            str(source),
            "-map",
            "0:v",
            "-vf",
            f"scale={width}:{height}:flags=lanczos,setsar=1",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-preset",
            "veryfast",
            str(tmp),
        ],
        what=f"scaling {source.name} to {width}x{height}",
    )
    os.replace(tmp, target)
    source.unlink(missing_ok=True)


def _last_frame(clip: Path, target: Path) -> None:
    """The clip's last frame as a PNG (decoded: exact, whatever the container says)."""
    import av

    last = None
    with av.open(str(clip)) as container:
        for frame in container.decode(video=0):
            last = frame
    if last is None:
        raise BackendError(f"{clip.name} has no frame")
    tmp = target.with_name(f".{target.name}.tmp.png")
    last.to_image().save(tmp, format="PNG")
    os.replace(tmp, target)
