"""Assembly: each complete segment joined into ``05_sequences/segment_NN_name/<id>.mp4`` and,
when every segment is complete, the film into ``05_sequences/<slug>.mp4``, without re-encoding,
re-joining only what changed (the inputs' hash is kept in the joined file's tags).

:class:`SegmentAssembly` is a part of :class:`~storycore.tools.production.producer.Production`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from storycore.tools.errors import ProjectError
from storycore.tools.production.backend import BackendError
from storycore.tools.production.ledger import RENDERS_DIR
from storycore.tools.production.media import (
    aside,
    count_packets,
    fsync_file,
    metadata_args,
    read_tags,
    run_ffmpeg,
)
from storycore.tools.production.rendering import _move
from storycore.tools.production.selection import ProductionBase
from storycore.tools.storyboard import PlannedSegment
from storycore.tools.structure import SEQUENCES, segment_folder_name


def title_slug(title: str) -> str:
    """The film's file name stem (the exports' slug)."""
    from storycore.tools.exports import title_slug as slug

    return slug(title)


@dataclass
class AssemblyResult:
    """What :meth:`SegmentAssembly.assemble` joined: the segments, the film, what changed."""

    segments: list[dict[str, Any]] = field(default_factory=list)
    final: dict[str, Any] | None = None
    joined: list[str] = field(default_factory=list)  # what was (re)joined in this run


class SegmentAssembly(ProductionBase):
    """Joining segments and the film (a part of ``Production``)."""

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
        joins: list[tuple[str, str, list[tuple[str, int]], int, dict[str, str]]] = []
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
            joins.append(
                (segment.segment_id, rel, [(r.path, r.frames) for r in records], frames, tags)
            )
            parts.append((segment.segment_id, rel, inputs, frames))
        # The segments are joined two at a time (a join is mostly reading and writing files, and
        # the film waits for them), and committed one by one in timeline order: the first that
        # fails is raised after those before it are committed, as when they were joined in turn.
        staged = self._stage_joins(
            [(rel, files, frames, tags) for _, rel, files, frames, tags in joins]
        )
        try:
            for (segment_id, rel, _files, frames, _tags), done in zip(joins, staged, strict=True):
                path = done.result()  # raises what the join raised
                if path is not None:
                    self._commit_join(rel, path)
                    result.joined.append(segment_id)
                result.segments.append({"segment_id": segment_id, "path": rel, "frames": frames})
        except BaseException:
            for done in staged:  # the joins after the one that failed are not committed
                with contextlib.suppress(BaseException):
                    path = done.result()
                    if path is not None and path.is_file():
                        path.unlink()
            raise
        if complete and parts:
            total = self.plan.end_frame - self.plan.start_frame
            rel = self.film_path()
            tags = {
                "storycore_film": self.plan.title,
                "storycore_inputs": _inputs_hash([p[2] for p in parts]),
                "storycore_segments": ",".join(p[0] for p in parts),
                "title": self.plan.title,
            }
            path = self._stage_join(rel, [(p[1], p[3]) for p in parts], total, tags)
            if path is not None:
                self._commit_join(rel, path)
                result.joined.append("film")
            result.final = {"path": rel, "frames": total}
        return result

    def _stage_joins(
        self, joins: Sequence[tuple[str, Sequence[tuple[str, int]], int, dict[str, str]]]
    ) -> list[Future[Path | None]]:
        """:meth:`_stage_join` of each (rel, inputs, frames, tags), two at a time."""
        with ThreadPoolExecutor(max(1, min(2, len(joins)))) as pool:
            return [pool.submit(self._stage_join, *join) for join in joins]

    def _stage_join(
        self, rel: str, inputs: Sequence[tuple[str, int]], frames: int, tags: dict[str, str]
    ) -> Path | None:
        """Concatenate ``inputs`` (path, frames) into a staged file for ``rel`` unless ``rel``
        is already their join (None). Writes nothing in the project (thread-safe): the staged
        file goes in with :meth:`_commit_join`.

        Each input's ``duration`` line is its exact video length, so the next one starts on
        the frame after its last (a silent AAC track is a little longer than its video; left
        to itself the concat demuxer would start the next clip after the audio, and the
        film's video would drift by a few milliseconds per cut)."""
        target = self.project.root / rel
        if target.is_file():
            try:
                if read_tags(target).get("storycore_inputs") == tags["storycore_inputs"]:
                    return None
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
        return staged

    def _commit_join(self, rel: str, staged: Path) -> None:
        """Move a staged join into the project as ``rel`` (one transaction)."""
        with self.project.transaction(f"assemble {Path(rel).name}") as tx:
            _move(tx, staged, rel)


def _concat_quote(path: Path) -> str:
    return str(path).replace("'", "'\\''")


def _inputs_hash(items: Iterable[str]) -> str:
    return hashlib.sha256(json.dumps(list(items)).encode()).hexdigest()
