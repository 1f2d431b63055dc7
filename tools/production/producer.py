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

Where the parts live: :mod:`.selection` (the selection's shots, their jobs, the checks before
a run, :func:`get_backend`), :mod:`.rendering` (``produce_segment`` and the commit) and
:mod:`.assembly` (segments and the film); this module joins them into :class:`Production`
and holds the gate, approval, estimates and status. Every name stays importable from here.
"""

from __future__ import annotations

from typing import Any, Literal

from storycore.tools.domain import ShotStatus
from storycore.tools.production.assembly import AssemblyResult, SegmentAssembly
from storycore.tools.production.assembly import _concat_quote as _concat_quote
from storycore.tools.production.assembly import _inputs_hash as _inputs_hash
from storycore.tools.production.assembly import title_slug as title_slug
from storycore.tools.production.ledger import Ledger
from storycore.tools.production.rendering import END_KEYFRAME as END_KEYFRAME
from storycore.tools.production.rendering import START_KEYFRAME as START_KEYFRAME
from storycore.tools.production.rendering import Progress as Progress
from storycore.tools.production.rendering import SegmentOutcome, ShotRendering
from storycore.tools.production.rendering import _kind as _kind
from storycore.tools.production.rendering import _move as _move
from storycore.tools.production.rendering import _now as _now
from storycore.tools.production.rendering import _with_start as _with_start
from storycore.tools.production.selection import BACKENDS, get_backend
from storycore.tools.production.selection import (
    DISK_BYTES_PER_PIXEL_FRAME as DISK_BYTES_PER_PIXEL_FRAME,
)
from storycore.tools.production.selection import DISK_MARGIN_BYTES as DISK_MARGIN_BYTES
from storycore.tools.production.selection import ProductionBase as ProductionBase
from storycore.tools.production.selection import ShotTask as ShotTask
from storycore.tools.production.selection import _few as _few

__all__ = [
    "BACKENDS",
    "AssemblyResult",
    "Production",
    "SegmentOutcome",
    "ShotState",
    "get_backend",
]

ShotState = Literal["done", "stale", "pending", "failed", "rendering"]


class Production(ShotRendering, SegmentAssembly):
    """Production of one project with one backend (see the module docstring)."""

    # -- estimates -----------------------------------------------------------------------

    def estimate(self, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
        """Cost per model of what would be rendered (the shots in ``skip`` left out), the
        budget, what was spent."""
        per_model: dict[str, float] = {}
        for task in self.to_render():
            if task.shot_id in skip:
                continue
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
        """What a run would render and its cost; writes nothing. A shot whose finished
        render an interrupted run left in ``.storycore/renders/`` (which the run takes after
        checking it, without rendering) is listed as reused, as the run will count it."""
        render = self.to_render()
        staged = frozenset(self.staged_finished(render))
        would = [t for t in render if t.shot_id not in staged]
        return {
            "backend": self.backend.name,
            "would_render": [t.shot_id for t in would],
            "reused": [
                t.shot_id
                for seg in self.plan.segments
                for t in self.selected(seg)
                if t.current or t.shot_id in staged
            ],
            "frames": sum(t.job.frame_count for t in would),
            "estimate": self.estimate(staged),
        }

    def preflight(self) -> None:
        """The backend's own checks on every job of the selection (nothing written)."""
        self.backend.preflight([t.job for t in self.to_render()])

    # -- the gate and approval ----------------------------------------------------------

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
