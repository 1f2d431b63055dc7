"""Renders side by side: the worker pool of :meth:`ShotRendering.produce_segment` and the
state of one job between its start and its finish.

Every ledger write stays in the producer's thread; a worker only runs the backend's ``wait``
(which renders into the job's staging folder) and decodes the finished clip once for the media
gate, so the commit's probe finds it in the cache.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storycore.tools.production.backend import BackendError, RenderJob, RenderOutput
from storycore.tools.production.media import probe

if TYPE_CHECKING:
    from storycore.tools.production.selection import ShotTask

__all__ = ["InFlight", "Pool", "first_finished", "wait_and_decode", "worker_count"]


@dataclass
class InFlight:
    """A job between its start (ledger written, render handed to a worker) and its finish."""

    task: ShotTask
    job: RenderJob
    job_id: str
    future: Future[list[RenderOutput]] | None  # None: finished by an earlier run
    outputs: list[RenderOutput]
    cost: float
    started: float = 0.0

    @property
    def earlier(self) -> bool:
        """True when an earlier (interrupted) run rendered it: nothing rendered now."""
        return self.future is None


class Pool:
    """Up to ``workers`` renders at once; with one worker each runs in the calling thread
    (as it always did), so a backend that cannot render side by side never has to."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor = ThreadPoolExecutor(workers) if workers > 1 else None

    def submit(
        self, fn: Callable[..., list[RenderOutput]], *args: Any
    ) -> Future[list[RenderOutput]]:
        """Run ``fn(*args)`` on a free worker (or now, with one worker)."""
        if self._executor is not None:
            return self._executor.submit(fn, *args)
        future: Future[list[RenderOutput]] = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # handed over to whoever waits on it
            future.set_exception(exc)
        return future

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)  # never leave a render running behind


def worker_count(backend: Any, jobs: int) -> int:
    """How many shots render at once: the backend's ``parallel`` (1 when it has none), never
    more than there are jobs."""
    wanted = int(getattr(backend, "parallel", 1) or 1)
    return max(1, min(wanted, jobs))


def first_finished(in_flight: dict[str, InFlight]) -> str:
    """The id of a job whose render has finished (waiting for one): the earliest in timeline
    order among those finished, so equal runs record in the same order."""
    futures = [f.future for f in in_flight.values() if f.future is not None]
    done, _ = wait(futures, return_when=FIRST_COMPLETED)
    return next(i for i, f in in_flight.items() if f.future is None or f.future in done)


def wait_and_decode(
    backend: Any, backend_job_id: str, job: RenderJob, staging: Path
) -> list[RenderOutput]:
    """A worker's part: the backend renders into the staging folder, then the clip is
    decoded once for the gate (cached: the commit's probe finds it)."""
    outputs: list[RenderOutput] = backend.wait(backend_job_id, job, staging)
    for output in outputs:
        if output.kind == "video" and output.path.is_file():
            with contextlib.suppress(BackendError):  # the conform step reports it
                probe(output.path)
    return outputs
