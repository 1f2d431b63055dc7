"""What one ComfyUI worker does with a job: the templates it needs, the start keyframe, the
clip, and the files made to fit the asked size.

A video job is a start keyframe (its ``start_image``, else an image rendered with the image
model), then the clip from the shot model's template, then ``<target>.mp4`` (scaled when the
family's size multiple forced another size), ``<target>_start.png`` and ``<target>_end.png``
(the clip's clean last frame). An image job is one text-to-image render. A shot whose model
does not render the project's ratio is rendered at the model's native frame (720x1280 for a
4:5 project), keyframe included, and its outputs are centre-cropped and scaled to the job's size
(the conform rule's frame step, storycore.tools.production.conform), as any backend's are.
:class:`ComfyRenderer` is a part of :class:`~storycore.tools.comfyui.backend.ComfyUIBackend`.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from storycore.tools.comfyui.client import (
    ComfyClient,
    JobStatus,
    ServerUnreachable,
    prompt_id_for,
)
from storycore.tools.comfyui.config import TemplateSettings
from storycore.tools.comfyui.scheduler import (
    SERVER_COOLDOWN_S,
    ServerScheduler,
    _keyframe_id,
    _Server,
    _Task,
)
from storycore.tools.comfyui.workflow import (
    GenerationParams,
    fill_template,
    load_template,
    markers,
)
from storycore.tools.errors import StoryCoreError
from storycore.tools.model_registry import ModelRegistry
from storycore.tools.production.backend import BackendError, RenderJob, RenderOutput


class ComfyRenderer(ServerScheduler):
    """Templates and rendering on one server (a part of ``ComfyUIBackend``)."""

    registry: ModelRegistry
    _templates: dict[str, dict[str, Any]]

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
        size = self._render_size(job)
        if start is None:
            name = self._image_template(job)
            prompt = str(job.extras.get("image_prompt") or job.prompt)
            keyframe = self._render_image(
                task, server, name, _keyframe_id(task.job_id), prompt, size
            )
            _fit_image(keyframe, *size)
            start = keyframe
        clip = self._render_video(task, server, start, size)
        outputs = [RenderOutput(clip, "video", *_probe(clip))]
        if keyframe is not None:
            named = task.work / f"{job.target_id}_start.png"
            os.replace(keyframe, named)
            if size != (job.width, job.height):
                _fit_image(named, job.width, job.height, crop=True)  # as the clip was
            outputs.append(RenderOutput(named, "image"))
        end = task.work / f"{job.target_id}_end.png"
        _last_frame(clip, end)
        outputs.append(RenderOutput(end, "image"))
        task.outputs = outputs

    def _render_size(self, job: RenderJob) -> tuple[int, int]:
        """The frame the shot's model renders: the job's (the project's) size, or, for a
        ratio the model does not render (4:5), the native frame the model selector planned to
        crop (720x1280); the producer's conform step crops and scales the clip to the
        project's size (storycore.tools.production.conform)."""
        try:
            model = self.registry.get(job.model_id)
        except StoryCoreError:
            return job.width, job.height
        crop = model.frame_crop(job.width, job.height)
        return crop.render if crop else (job.width, job.height)

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
        self,
        task: _Task,
        server: _Server,
        template_name: str,
        prompt_id: str,
        prompt: str,
        size: tuple[int, int] | None = None,
    ) -> Path:
        job = task.job
        width, height = size or (job.width, job.height)
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
                    width=width,
                    height=height,
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

    def _render_video(
        self, task: _Task, server: _Server, start: Path, size: tuple[int, int]
    ) -> Path:
        job = task.job
        width, height = size
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
                    width=width,
                    height=height,
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
        if (width, height) == (job.width, job.height):
            _fit_video(raw, final, width, height)
        else:  # the model's native frame, centre-cropped to the job's ratio and size
            _fit_video(raw, final, job.width, job.height, crop=True)
        return final


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


def _fit_image(path: Path, width: int, height: int, *, crop: bool = False) -> None:
    """Resize an image to exactly ``width`` x ``height`` (written aside, then renamed);
    ``crop`` first keeps its centred part at that ratio (a native frame made for another)."""
    from PIL import Image

    from storycore.tools.production.conform import crop_box

    with Image.open(path) as image:
        if image.size == (width, height):
            return
        picture = image.convert("RGB")
        if crop:
            x, y, w, h = crop_box(picture.size, (width, height))
            picture = picture.crop((x, y, x + w, y + h))
        fitted = picture.resize((width, height), Image.Resampling.LANCZOS)
    tmp = path.with_name(f".{path.name}.fit.png")
    fitted.save(tmp, format="PNG")
    os.replace(tmp, path)


def _probe(path: Path) -> tuple[int, Fraction | None]:
    from storycore.tools.production.media import probe

    info = probe(path)
    return info.frames, info.fps


def _fit_video(source: Path, target: Path, width: int, height: int, *, crop: bool = False) -> None:
    """The clip at exactly ``width`` x ``height`` (scaled when the family's multiple changed
    it; with ``crop``, its centred part at that ratio first: the conform rule's frame step,
    for a model's native frame of another ratio); the frames and the rate are kept."""
    from storycore.tools.production.conform import crop_box
    from storycore.tools.production.media import probe, run_ffmpeg

    info = probe(source)
    if (info.width, info.height) == (width, height):
        os.replace(source, target)
        return
    scale = f"scale={width}:{height}:flags=lanczos,setsar=1"
    if crop:
        x, y, w, h = crop_box((info.width, info.height), (width, height))
        scale = f"crop={w}:{h}:{x}:{y},{scale}"
    tmp = target.with_name(f".{target.name}.fit.mp4")
    run_ffmpeg(
        [
            "-i",
            str(source),
            "-map",
            "0:v",
            "-vf",
            scale,
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
