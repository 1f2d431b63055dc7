"""Panels drawn ahead while the storyboard phase builds and writes the prompts.

The storyboard phase builds every shot's prompts and writes every ``shot.json`` (pure
Python on this process's thread) before :func:`~.panels.write_panels` writes the panels.
:func:`panels_drawn_ahead` starts drawing them on entry, from the shots as they are before
the prompts (a panel does not depend on the prompts: its hash says exactly what it is drawn
from). For a large storyboard (:data:`AHEAD_MIN_PANELS`), where panel threads would fight
that thread for the GIL too long, they are drawn in worker processes (``python -m`` this
module: a fresh interpreter, so neither a forked copy of a threaded process nor a re-run of
the caller's ``__main__``; the shots go in and the PNGs come back through pipes); for a
smaller one, on threads of this process (:class:`ThreadsAhead`: starting processes would
cost more than it saves). :func:`~.panels.write_panels` then writes, through the
transaction, each PNG whose hash is the one it wants, and draws any other itself; nothing
is written by the workers, and a worker that fails or a pool that cannot start only means
the panels are drawn there as before.

Only on a machine with a core to spare, and only while
:func:`storycore.tools.storyboard.draw_panel` is the real one (a test that replaces it in
this process sees every panel drawn by :func:`~.panels.write_panels`).
"""

from __future__ import annotations

import contextlib
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from typing import IO

from storycore.tools.domain import ShotSpec, TechnicalSpecs
from storycore.tools.errors import StoryCoreError
from storycore.tools.project import Project
from storycore.tools.storyboard import panels
from storycore.tools.storyboard.plan import load_plan

#: Below this many panels to draw, starting worker processes costs more than it saves.
AHEAD_MIN_PANELS = 200
#: Panels per chunk a worker sends back at once.
CHUNK = 32

_Chunk = list[tuple[ShotSpec, list[str]]]


def _draw_chunk(specs: TechnicalSpecs, items: _Chunk) -> list[bytes]:
    """The PNG of each ``(shot, names)``, in order."""
    return [panels.panel_png(shot, specs, names) for shot, names in items]


def _draw_one(specs: TechnicalSpecs, shot: ShotSpec, names: list[str]) -> bytes:
    """The PNG of one panel (on a :class:`ThreadsAhead` thread)."""
    return panels.panel_png(shot, specs, names)


def _worker_main() -> int:
    """A worker: read ``(specs, chunks)`` from stdin, write each chunk's PNGs to stdout."""
    specs, chunks = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    for chunk in chunks:
        blob = pickle.dumps(_draw_chunk(specs, chunk), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(blob).to_bytes(8, "big") + blob)
        out.flush()
    return 0


def _read_exact(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError("the panel worker stopped")
    return data


class PanelsAhead:
    """PNGs being drawn by worker processes, by panel path and hash (:class:`PanelSource`).

    Chunk ``k`` of the jobs goes to worker ``k % workers``; a thread per worker reads its
    results as they come (so a worker never waits for this process to ask)."""

    def __init__(self, specs: TechnicalSpecs, jobs: list[panels.PanelJob], workers: int):
        chunks = [jobs[at : at + CHUNK] for at in range(0, len(jobs), CHUNK)]
        self._where = {
            job[0]: (job[1], k, i) for k, chunk in enumerate(chunks) for i, job in enumerate(chunk)
        }
        self._results: dict[int, list[bytes]] = {}
        self._stopped: set[int] = set()
        self._done = threading.Condition()
        self._workers = workers
        self._procs: list[subprocess.Popen[bytes]] = []
        self._threads: list[threading.Thread] = []
        try:
            for worker in range(workers):
                mine = list(range(worker, len(chunks), workers))
                self._start(worker, specs, [chunks[k] for k in mine], mine)
        except OSError:
            self.close()
            raise

    def _start(
        self,
        worker: int,
        specs: TechnicalSpecs,
        chunks: list[list[panels.PanelJob]],
        mine: list[int],
    ) -> None:
        data = pickle.dumps(
            (specs, [[(job[2], job[3]) for job in chunk] for chunk in chunks]),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        warm = _warm.get()
        proc = warm.pop(0) if warm else _spawn()
        self._procs.append(proc)
        thread = threading.Thread(target=self._serve, args=(proc, data, mine, worker), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _serve(
        self, proc: subprocess.Popen[bytes], data: bytes, mine: list[int], worker: int
    ) -> None:
        """Send a worker its chunks, then collect each chunk's PNGs as it sends them."""
        try:
            assert proc.stdin is not None and proc.stdout is not None
            with proc.stdin:
                proc.stdin.write(data)
            for k in mine:
                size = int.from_bytes(_read_exact(proc.stdout, 8), "big")
                result = pickle.loads(_read_exact(proc.stdout, size))
                with self._done:
                    self._results[k] = result
                    self._done.notify_all()
        except (OSError, EOFError, pickle.UnpicklingError, ValueError):
            pass  # those panels are drawn by write_panels instead
        finally:
            with self._done:
                self._stopped.add(worker)
                self._done.notify_all()

    def take(self, rel: str, wanted: str) -> bytes | None:
        """The PNG drawn for ``rel`` if it was drawn for the hash ``wanted``, else None."""
        found = self._where.pop(rel, None)
        if found is None or found[0] != wanted:
            return None
        _, k, index = found
        with self._done:
            while k not in self._results and k % self._workers not in self._stopped:
                self._done.wait()
            result = self._results.get(k)
        if result is None or index >= len(result):
            return None
        data = result[index]
        return data if panels._text_chunk(data, panels.PANEL_HASH_KEY) == wanted else None

    def ready(self, rel: str) -> bool:
        """Whether :meth:`take` of ``rel`` would answer now (its chunk is back, or its
        worker stopped, or it is not one of the jobs)."""
        found = self._where.get(rel)
        if found is None:
            return True
        k = found[1]
        with self._done:
            return k in self._results or k % self._workers in self._stopped

    @property
    def steal_min_left(self) -> int:
        """:data:`~.panels.STEAL_MIN_LEFT` (read when asked: tests change it)."""
        return panels.STEAL_MIN_LEFT

    def forget(self, rel: str) -> bool:
        """``rel`` is drawn by the caller (its PNG, when it comes, is not kept apart)."""
        self._where.pop(rel, None)
        return True

    def close(self) -> None:
        """Stop the workers (finished or not) and their threads."""
        for proc in self._procs:
            _stop(proc)
        for thread in self._threads:
            thread.join()


def _spawn() -> subprocess.Popen[bytes]:
    """A worker process: it imports what it needs, then waits for its panels on stdin."""
    return subprocess.Popen(
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


#: Worker processes started ahead of the storyboard phase (:func:`workers_started`).
_warm: ContextVar[list[subprocess.Popen[bytes]] | None] = ContextVar(
    "storycore_panel_workers", default=None
)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


@contextlib.contextmanager
def workers_started(panels_expected: int) -> Iterator[None]:
    """Start the panel worker processes now, when about ``panels_expected`` panels will be
    drawn (enough for :class:`PanelsAhead`), so that their interpreter has started and
    imported its modules by the time the storyboard phase needs them (about half a second
    of CPU on the core the caller leaves free). Workers not used by the end are stopped."""
    workers = _worker_count()
    if panels_expected < AHEAD_MIN_PANELS or workers < 1 or _warm.get() is not None:
        yield
        return
    started: list[subprocess.Popen[bytes]] = []
    with contextlib.suppress(OSError):  # none here: PanelsAhead starts its own or none
        for _ in range(workers):
            started.append(_spawn())
    token = _warm.set(list(started))
    try:
        yield
    finally:
        left = _warm.get() or []
        _warm.reset(token)
        for proc in left:
            _stop(proc)


class ThreadsAhead:
    """PNGs being drawn on threads of this process (:class:`PanelSource`): for a storyboard
    too small to pay for worker processes. Pillow releases the GIL while it resamples and
    encodes, so the panels are mostly drawn while this thread builds and writes the prompts;
    when it comes to write them, it draws those the threads have not started (from the last)
    instead of waiting for the threads."""

    #: Taking a panel nobody started costs nothing: this thread never waits while one is left.
    steal_min_left = 1

    def __init__(self, specs: TechnicalSpecs, jobs: list[panels.PanelJob], workers: int):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="storycore-panel")
        self._futures: dict[str, tuple[str, Future[bytes]]] = {
            rel: (wanted, self._pool.submit(_draw_one, specs, shot, names))
            for rel, wanted, shot, names in jobs
        }

    def take(self, rel: str, wanted: str) -> bytes | None:
        """The PNG drawn for ``rel`` if it was drawn for the hash ``wanted``, else None (a
        panel that failed to draw is drawn again by the caller, which sees the error)."""
        found = self._futures.pop(rel, None)
        if found is None or found[0] != wanted:
            return None
        try:
            data = found[1].result()
        except Exception:
            return None
        return data if panels._text_chunk(data, panels.PANEL_HASH_KEY) == wanted else None

    def ready(self, rel: str) -> bool:
        """Whether the panel of ``rel`` is drawn (or failed, or is not one of the jobs)."""
        found = self._futures.get(rel)
        return found is None or found[1].done()

    def forget(self, rel: str) -> bool:
        """``rel`` is drawn by the caller if no thread has started it (True; False: it is
        being drawn or drawn, and stays to be taken)."""
        found = self._futures.get(rel)
        if found is not None and not found[1].cancel():
            return False
        self._futures.pop(rel, None)
        return True

    def close(self) -> None:
        """Stop the threads (panels not taken are dropped)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _worker_count() -> int:
    return min(3, panels.panel_workers() - 1)


def _source(
    specs: TechnicalSpecs, jobs: list[panels.PanelJob]
) -> PanelsAhead | ThreadsAhead | None:
    """Worker processes for a large storyboard, threads for a smaller one, else None."""
    if len(jobs) >= AHEAD_MIN_PANELS:
        workers = _worker_count()
        if workers >= 1:
            try:
                return PanelsAhead(specs, jobs, workers)
            except OSError:  # no processes here: drawn by write_panels as before
                return None
        return None
    threads = panels.panel_workers()
    if threads >= 2 and len(jobs) >= panels.PARALLEL_MIN_PANELS:
        return ThreadsAhead(specs, jobs, threads)
    return None


@contextlib.contextmanager
def panels_drawn_ahead(project: Project, shots: Sequence[ShotSpec]) -> Iterator[None]:
    """While inside, :func:`~.panels.write_panels` takes the panels of ``shots`` (every
    shot of the project, in timeline order) from worker processes or threads that started
    drawing them on entry (:func:`_source`). Does nothing for fewer panels than
    :data:`~.panels.PARALLEL_MIN_PANELS`, on one core, or when ``draw_panel`` has been
    replaced."""
    from storycore.tools import storyboard

    if storyboard.draw_panel is not panels.draw_panel or panels.panel_workers() < 2:
        yield
        return
    try:
        plan = load_plan(project, shots)
    except StoryCoreError:  # the storyboard itself says what is wrong, as before
        yield
        return
    _, jobs = panels.panels_to_draw(project.root, plan)
    ahead = _source(plan.specs, jobs)
    if ahead is None:
        yield
        return
    token = panels.drawn_ahead.set(ahead)
    try:
        yield
    finally:
        panels.drawn_ahead.reset(token)
        ahead.close()


if __name__ == "__main__":
    sys.exit(_worker_main())
