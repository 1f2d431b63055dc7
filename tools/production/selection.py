"""The selection's shots before anything renders: their render jobs, whether their media is
current, and the checks a run makes before it writes anything.

:class:`ProductionBase` is opened on a planned project with a backend and an optional selection
(segments, shots); :class:`~storycore.tools.production.producer.Production` builds on it, with
the rendering in :mod:`.rendering` and the assembly in :mod:`.assembly`. :func:`get_backend`
finds a backend by name.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from storycore.tools.domain import Phase
from storycore.tools.errors import InvalidInput, NotFound, ProjectError, StoryCoreError
from storycore.tools.production.backend import Backend, BackendError, RenderJob
from storycore.tools.production.gate import GateResult, check_clip
from storycore.tools.production.ledger import RENDERS_DIR
from storycore.tools.production.media import aside, read_tags
from storycore.tools.production.records import MediaRecord, media_records
from storycore.tools.project import INTERNAL, Project
from storycore.tools.rates import rate_to_string
from storycore.tools.storyboard import (
    Plan,
    PlannedSegment,
    PlannedShot,
    load_plan,
    stored_panel_hash,
)
from storycore.tools.storyboard.card import shot_card_words
from storycore.tools.structure import SEQUENCES, SHOTS, VIDEOS
from storycore.tools.timecode import format_smpte

BACKENDS = ("animatic", "comfyui")
#: Bytes per pixel and frame kept free on the disk before a run (clips and joins; generous).
DISK_BYTES_PER_PIXEL_FRAME = 0.02
DISK_MARGIN_BYTES = 50 * 1024 * 1024


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


class ProductionBase:
    """A planned project, its backend, the selection and each shot's task (nothing written).

    See :class:`~storycore.tools.production.producer.Production` for the whole of it."""

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
        picture = self._picture(planned)
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
                "panel": str(picture),
                "image_prompt": spec.image_prompt,
                "continues_from": spec.continues_from,
                # A card shot's words when its picture is its panel: the animatic draws the
                # card at the clip's size (a keyframe, when there is one, is the picture).
                **({"card": card} if (card := self._card(planned, picture)) else {}),
                # The drawing the clip moves, when it is the panel: recorded with the clip,
                # so that a panel drawn differently (a new drawing rule) renders it again.
                **({"picture_hash": drawn} if (drawn := self._drawing(planned, picture)) else {}),
            },
        )
        record = self.records.get(spec.shot_id)
        current = (
            record is not None
            and record.generation_hash == generation_hash
            and record.backend == backend
            and record.picture_hash == job.extras.get("picture_hash")
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

    def _card(self, planned: PlannedShot, picture: Path) -> str:
        """The words of the shot's card (:func:`~storycore.tools.storyboard.card.shot_card_words`)
        when ``picture`` is its panel, else ""."""
        if picture != self.project.root / planned.panel_path:
            return ""
        return shot_card_words(planned.spec)

    def _drawing(self, planned: PlannedShot, picture: Path) -> str | None:
        """The drawing hash of the panel the animatic moves for this shot (the one on disk,
        else the one :meth:`_ensure_picture` draws), None when its picture is a keyframe or
        its card's words (in the generation hash already) or the backend renders prompts."""
        if self.backend.name != "animatic" or picture != self.project.root / planned.panel_path:
            return None
        if self._card(planned, picture):
            return None
        if picture.is_file():
            return stored_panel_hash(picture)
        from storycore.tools.storyboard import panel_hash

        return panel_hash(planned.spec, self.plan.specs, self._names(planned))

    def _names(self, planned: PlannedShot) -> list[str]:
        """The names a shot's panel labels its people with, as the storyboard's panel does."""
        return [self.plan.element_name(i) for i in planned.spec.characters]

    def _ensure_picture(self, job: RenderJob, planned: PlannedShot) -> RenderJob:
        """A job whose picture exists: a plan made without its storyboard panels gets the
        panel drawn into StoryCore's cache (``.storycore/renders/panels/``)."""
        if Path(str(job.extras.get("panel"))).is_file():
            return job
        from dataclasses import replace

        from storycore.tools.storyboard import panel_png

        spec = planned.spec
        cached = self.project.root / RENDERS_DIR / "panels" / f"{spec.shot_id}.png"
        data = panel_png(spec, self.plan.specs, self._names(planned))
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

    # -- lookups -------------------------------------------------------------------------

    def _segment(self, segment_id: str) -> PlannedSegment:
        for segment in self.plan.segments:
            if segment.segment_id == segment_id:
                return segment
        raise NotFound(f"the project has no segment {segment_id!r}")

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


def _few(ids: Sequence[str]) -> str:
    return ", ".join(ids[:6]) + (f" and {len(ids) - 6} more" if len(ids) > 6 else "")
