"""Benchmark of the offline planner: wall time and peak memory for about 10, 100 and 1000 shots.

    python bench/plan_bench.py [--sizes 10 100 1000] [--tracemalloc] [--phases]

Each size plans a synthetic Fountain screenplay (deterministic: the same text every run) into
a temporary folder, in a fresh Python process so that one size's memory does not hide
another's. Reported per size:

- shots, scenes, segments: what the planner actually made (the screenplay is sized to give
  about the asked number of shots; model-length splits may add a few);
- wall: seconds of ``plan_project`` alone (imports excluded, also the one ``plan_project``
  makes on first use), ``time.perf_counter``;
- cpu (``--json``: ``cpu_s``): CPU seconds of the process during ``plan_project`` (every thread,
  ``time.process_time``), which depends far less on other work on the machine than wall time;
  ``load_average`` is the 1-minute load when the size finished.
- main cpu (``--json``: ``main_cpu_s``): CPU seconds of the thread that called ``plan_project``
  (``time.thread_time``): on a free machine, the wall time is this thread's CPU plus what it
  waits for (the disk, the threads drawing panels and cards);
- cpu_children_s (table: ``+workers``), maxrss_children_kib: CPU seconds and the largest
  peak RSS of the worker processes that drew panels ahead (``storyboard.ahead``, only for
  large storyboards), which ``cpu`` and ``maxrss`` do not include;
- maxrss: the process's peak resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``,
  KiB on Linux) after planning, and its growth over the same process just before planning
  (imports and the model registry already loaded);
- with ``--tracemalloc``, a second run of the same size under ``tracemalloc`` for the peak of
  Python allocations (slower: its wall time is not reported).

``--phases`` adds the time of each planner phase (from the planner's progress callback) and
the files each phase wrote (counted by wrapping ``storycore.tools.project.atomic_write``, the
one function every project write goes through: a file written twice counts twice, so
``writes`` above ``files`` means rewrites). ``--json`` prints every figure as one JSON
document instead of the table, to compare runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

CHARACTERS = ["ALICE", "BRUNO", "CHLOE", "DANIEL", "EMMA", "FARID", "GRETA", "HUGO"]
LOCATIONS = [
    ("INT.", "KITCHEN"),
    ("EXT.", "HARBOUR"),
    ("INT.", "TRAIN"),
    ("EXT.", "ROOFTOP"),
    ("INT.", "OFFICE"),
    ("EXT.", "FOREST ROAD"),
    ("INT.", "CAFE"),
    ("EXT.", "BRIDGE"),
    ("INT.", "STAIRWELL"),
    ("EXT.", "BEACH"),
    ("INT.", "CAR"),
    ("EXT.", "MARKET"),
]
#: Shot ids have up to four digits (shot_01 ... shot_9999).
MAX_SHOTS = 9999
TIMES = ["DAY", "NIGHT", "DAWN", "DUSK"]
PROPS = ["LANTERN", "OLD MAP", "RED SCARF", "BRASS KEY", "LETTER", "CAMERA"]
LINES = [
    "We should not be here.",
    "Then why did you come?",
    "Because you asked me to, a long time ago.",
    "I remember. I wish I did not.",
]


def screenplay(scenes: int) -> str:
    """A Fountain screenplay of ``scenes`` scenes, each an establishing beat, two action lines
    (one with a prop), and four lines of dialogue between two characters. Deterministic."""
    out = ["Title: Benchmark", "Author: StoryCore bench", "", ""]
    for n in range(scenes):
        int_ext, place = LOCATIONS[n % len(LOCATIONS)]
        a = CHARACTERS[n % len(CHARACTERS)]
        b = CHARACTERS[(n * 3 + 1) % len(CHARACTERS)]
        if a == b:
            b = CHARACTERS[(n + 1) % len(CHARACTERS)]
        prop = PROPS[n % len(PROPS)]
        out += [
            f"{int_ext} {place} - {TIMES[n % len(TIMES)]} #{n + 1}#",
            "",
            f"Rain on the windows. The {place.lower()} is quiet, a single lamp burns.",
            "",
            f"{a.title()} comes in holding a {prop}, and puts it down in front of {b.title()}.",
            "",
        ]
        for i, line in enumerate(LINES):
            out += [a if i % 2 == 0 else b, line, ""]
        out += [f"{b.title()} looks away.", ""]
    return "\n".join(out)


def _scenes_for(target_shots: int) -> int:
    """The number of scenes whose breakdown gives about ``target_shots`` shots (calibrated on
    the pure breakdown, which writes nothing)."""
    from storycore.tools.breakdown import design_shots
    from storycore.tools.domain import TechnicalSpecs
    from storycore.tools.fountain import scenes_from_fountain

    def shots(scenes: int) -> int:
        parsed, _ = scenes_from_fountain(screenplay(scenes))
        return len(design_shots(parsed, TechnicalSpecs(), target_seconds=None).shots)

    per_scene = shots(4) / 4
    # Shot ids have three digits at most (shot_999): never ask for more than that.
    return max(1, min(round(target_shots / per_scene), int(MAX_SHOTS / per_scene)))


def run_child(scenes: int, use_tracemalloc: bool) -> dict[str, Any]:
    """Plan once in this process and return the measures (called in a fresh process)."""
    from storycore.tools import project as project_module
    from storycore.tools.planner import plan_project
    from storycore.tools.planner.run import load_registry

    load_registry()  # the registry file is read once per process: keep it out of the time
    # Imported by plan_project on first use (the storyboard phase's shot index): an import,
    # like the planner's own, kept out of the time (about 0.2-0.4 s, once per process).
    import storycore.tools.regeneration  # noqa: F401

    text = screenplay(scenes)
    phases: list[tuple[str, float, float]] = []
    writes: list[int] = [0]
    real_write = project_module.atomic_write

    def counting_write(path: Path, data: bytes, *, durable: bool = True) -> None:
        writes[0] += 1
        real_write(path, data, durable=durable)

    project_module.atomic_write = counting_write  # type: ignore[assignment]
    phase_writes: list[int] = []
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_before = _children_cpu()
    with tempfile.TemporaryDirectory(prefix="storycore-bench-") as tmp:
        if use_tracemalloc:
            tracemalloc.start()
        start = time.perf_counter()
        cpu_start = time.process_time()
        main_start = time.thread_time()

        def progress(message: str) -> None:
            phases.append((message, time.perf_counter(), time.thread_time()))
            phase_writes.append(writes[0])

        summary = plan_project(
            text, Path(tmp) / "project", source_name="bench.fountain", progress=progress
        )
        end = time.perf_counter()
        cpu = time.process_time() - cpu_start
        main_cpu = time.thread_time() - main_start
        peak = tracemalloc.get_traced_memory()[1] if use_tracemalloc else None
        if use_tracemalloc:
            tracemalloc.stop()
        files = sum(1 for _ in Path(tmp).rglob("*"))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    marks = [*phases, ("end", end, main_start + main_cpu)]
    counts = [*phase_writes, writes[0]]
    return {
        "writes": writes[0],
        "scenes": summary.scenes,
        "shots": summary.shots,
        "segments": summary.segments,
        "files": files,
        "wall_s": end - start,
        "cpu_s": cpu,
        "main_cpu_s": main_cpu,
        "cpu_children_s": _children_cpu() - children_before,
        "load_average": os.getloadavg()[0],
        "maxrss_kib": rss_after,
        "maxrss_growth_kib": rss_after - rss_before,
        "maxrss_children_kib": children.ru_maxrss,
        "tracemalloc_peak_kib": None if peak is None else peak // 1024,
        "phases": [
            {
                "phase": name,
                "seconds": marks[i + 1][1] - at,
                "main_cpu_s": marks[i + 1][2] - cpu_at,
                "writes": counts[i + 1] - counts[i],
            }
            for i, (name, at, cpu_at) in enumerate(marks[:-1])
        ],
    }


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (the storyboard's panel workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _child(scenes: int, use_tracemalloc: bool) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(scenes)]
        + (["--tracemalloc"] if use_tracemalloc else []),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"the benchmark run of {scenes} scenes failed:\n{result.stderr}")
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python peak")
    parser.add_argument("--phases", action="store_true", help="print the time of each phase")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(run_child(args.child, args.tracemalloc)))
        return 0
    if args.json:
        out = []
        for size in args.sizes:
            scenes = _scenes_for(size)
            row = {"asked": size, **_child(scenes, False)}
            if args.tracemalloc:
                row["tracemalloc_peak_kib"] = _child(scenes, True)["tracemalloc_peak_kib"]
            out.append(row)
        print(json.dumps({"bench": "plan", "cores": _cores(), "runs": out}, indent=2))
        return 0

    header = (
        f"{'asked':>6} {'scenes':>6} {'shots':>6} {'segs':>5} {'files':>6} {'writes':>6} "
        f"{'wall s':>8} "
        f"{'maxrss MiB':>10} {'+plan MiB':>9} {'cpu s':>6} {'main':>5} {'+workers':>8}"
        + (f" {'py peak MiB':>11}" if args.tracemalloc else "")
    )
    print(header)
    print("-" * len(header))
    rows: list[dict[str, Any]] = []
    for size in args.sizes:
        scenes = _scenes_for(size)
        row = _child(scenes, False)
        line = (
            f"{size:>6} {row['scenes']:>6} {row['shots']:>6} {row['segments']:>5} "
            f"{row['files']:>6} {row['writes']:>6} {row['wall_s']:>8.2f} "
            f"{row['maxrss_kib'] / 1024:>10.1f} "
            f"{row['maxrss_growth_kib'] / 1024:>9.1f} {row['cpu_s']:>6.2f} "
            f"{row['main_cpu_s']:>5.2f} "
            f"{row['cpu_children_s']:>8.2f}"
        )
        if args.tracemalloc:
            traced = _child(scenes, True)
            line += f" {traced['tracemalloc_peak_kib'] / 1024:>11.1f}"
        if size > MAX_SHOTS:
            line += f"  (capped: shot ids stop at shot_{MAX_SHOTS})"
        print(line, flush=True)
        rows.append(row)
    if args.phases:
        for row in rows:
            print(f"\nphases, {row['shots']} shots:")
            for phase in row["phases"]:
                print(
                    f"  {phase['seconds']:8.2f} s {phase['main_cpu_s']:6.2f} cpu "
                    f"{phase['writes']:>6} writes  {phase['phase']}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
