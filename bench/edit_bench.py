"""The deterministic core of an edit: ``plan_changes`` and ``apply_changes`` of a one-shot
change, called directly (no chat session, no graph).

    python bench/edit_bench.py [--sizes 10 500] [--turns 3] [--json] [--profile OUT]

For each size, a synthetic screenplay (``bench/plan_bench.py``) is planned offline into a
temporary project (not timed). Then, in one process, the same one-shot change is proposed and
applied ``--turns`` times each way (the third shot's size -> CU, MS if it is a close-up, then
back to what it was), so turn 1 is a new process's first change (it parses the shot index)
and the others are what a long-lived process (chat session, studio, MCP server) pays.

Reported per size and step (``propose`` = ``plan_changes``, ``apply`` = ``apply_changes``):
the median and the first of the wall times (``time.perf_counter``) and CPU times
(``time.process_time``: every thread of the process, which the machine's load changes much
less than wall time), then the ratio of the largest size's median over the smallest's (an
edit should cost what it changes: the goal is at most 2) and the load average. Also the bytes
an applied change writes (the median over the changes, and its files): unlike the times, a
figure the machine's load does not move, and the one that bounds an edit on a busy disk. A file
a change replaces stays on disk as the change's undo copy, so its new bytes are new data the
disk has to take: back to back, the changes fill the page cache's dirty share and the kernel
makes each write wait for the disk (about 100 MB/s here), which is most of the difference
between the quiet and the loaded apply times.
``--profile OUT`` writes a cProfile of the largest size's changes (after the first) to OUT.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan_bench import _scenes_for, screenplay


def _timed(call: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


@contextlib.contextmanager
def _counting_writes() -> Iterator[dict[str, int]]:
    """The files the store writes in the block (their path -> bytes), through the
    ``storycore.tools.project.atomic_write`` every write of the store looks up."""
    from storycore.tools import project as package

    files: dict[str, int] = {}
    original = package.atomic_write

    def counting(path: Path, data: bytes, **kwargs: Any) -> None:
        name = Path(path).as_posix().split("/project/", 1)[-1]
        files[name] = files.get(name, 0) + len(data)
        original(path, data, **kwargs)

    package.atomic_write = counting  # type: ignore[assignment]
    try:
        yield files
    finally:
        package.atomic_write = original


def _forget() -> None:
    """Drop what a process keeps between changes (parsed index, documents' parts, the
    visual strategy's parts, the last shot-link sync and layout, the last index answer and
    element listing, file hashes, validated documents, watched file identities, folded
    aliases), as a new process (``storycore
    feedback``) starts; what it finds on disk (the index, the storyboard parts file) stays."""
    from storycore.tools.domain import vocabulary
    from storycore.tools.project import kept, stamps
    from storycore.tools.regeneration import apply, index, plan
    from storycore.tools.registry import links, reading
    from storycore.tools.storyboard import fragments, fragments_disk, visual_strategy

    with index._memory_lock:
        index._memory.clear()
        index._found.clear()
    with plan._digests_lock:
        plan._digests.clear()
    fragments.forget()
    visual_strategy.forget()
    links.forget()
    reading.forget()
    apply.forget()
    kept.forget()
    stamps.forget()
    fragments_disk._renderer = None
    for enum in vocabulary._AliasEnum.__subclasses__():
        enum._found.clear()


def measure(
    shots: int,
    turns: int,
    profile: cProfile.Profile | None = None,
    *,
    exports: bool = False,
    cold: bool = False,
) -> dict[str, Any]:
    """Plan a project of about ``shots`` shots, then time ``2 * turns`` one-shot changes
    (``exports``: with every export made first, so each change rewrites them; ``cold``: what
    this process keeps in memory forgotten before each step, as a new process would start)."""
    from storycore.tools import exports as exports_module
    from storycore.tools.planner import plan_project
    from storycore.tools.project import Project
    from storycore.tools.regeneration import apply_changes, plan_changes
    from storycore.tools.regeneration.index import indexed_shots

    folder = Path(tempfile.mkdtemp(prefix="storycore-edit-bench-")) / "project"
    summary = plan_project(screenplay(_scenes_for(shots)), folder, source_name="bench.fountain")
    project = Project.open(folder)
    if exports:
        for fmt in ("otio", "edl", "fcpxml", "csv", "breakdown"):
            exports_module.export(project, fmt)
    third = indexed_shots(project)[2]  # shot_03 (shot_003 at 100 shots and more)
    target, original = third.shot_id, third.shot_size.value
    values = ["CU" if original != "CU" else "MS", original]
    steps: dict[str, list[tuple[float, float]]] = {"propose": [], "apply": []}
    written: list[dict[str, int]] = []
    for turn in range(2 * turns):
        change = [
            {"kind": "set_shot_field", "shot_id": target, "field": "shot_size", "value": v}
            for v in [values[turn % 2]]
        ]
        if profile is not None and turn > 0:
            profile.enable()
        if cold:
            _forget()
        plan, wall, cpu = _timed(lambda c=change: plan_changes(project, c))
        steps["propose"].append((wall, cpu))
        if cold:
            _forget()
        _, wall, cpu = _timed(lambda p=plan: apply_changes(project, p))
        steps["apply"].append((wall, cpu))
        if profile is not None:
            profile.disable()
    # The bytes a change writes, counted on two more changes, not timed: the counting
    # writer is not the store's own, so the store copies what it replaces instead of
    # keeping the old file as its backup (a hard link), which would bias the times.
    for turn in range(2):
        change = [
            {"kind": "set_shot_field", "shot_id": target, "field": "shot_size", "value": v}
            for v in [values[turn % 2]]
        ]
        with _counting_writes() as files:
            apply_changes(project, plan_changes(project, change))
        written.append(files)
    out: dict[str, Any] = {"shots": summary.shots}
    median = statistics.median_low(sum(files.values()) for files in written)
    typical = next(files for files in written if sum(files.values()) == median)
    out["apply_bytes"] = median
    out["apply_files"] = dict(sorted(typical.items(), key=lambda item: -item[1]))
    for step, values_ in steps.items():
        out[step] = {
            "wall_ms": statistics.median(w for w, _ in values_[1:] or values_) * 1000,
            "cpu_ms": statistics.median(c for _, c in values_[1:] or values_) * 1000,
            "first_wall_ms": values_[0][0] * 1000,
            "first_cpu_ms": values_[0][1] * 1000,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 500])
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--exports", action="store_true", help="every export made first")
    parser.add_argument("--cold", action="store_true", help="forget the memory before each")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    results = []
    for i, size in enumerate(args.sizes):
        profile = cProfile.Profile() if args.profile and i == len(args.sizes) - 1 else None
        results.append(measure(size, args.turns, profile, exports=args.exports, cold=args.cold))
        if profile is not None:
            profile.dump_stats(str(args.profile))
    small, large = results[0], results[-1]
    ratio = {
        step: large[step]["cpu_ms"] / max(small[step]["cpu_ms"], 1e-6)
        for step in ("propose", "apply")
    }
    report = {
        "results": results,
        "ratio_cpu": ratio,
        "load": [load, os.getloadavg()[0]],
        "exports": args.exports,
        "cold": args.cold,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"{'shots':>6} {'step':<8} {'wall ms':>8} {'cpu ms':>8} {'first wall':>11} "
        f"{'first cpu':>10}"
    )
    for result in results:
        for step in ("propose", "apply"):
            r = result[step]
            print(
                f"{result['shots']:>6} {step:<8} {r['wall_ms']:>8.1f} {r['cpu_ms']:>8.1f} "
                f"{r['first_wall_ms']:>11.1f} {r['first_cpu_ms']:>10.1f}"
            )
    for result in results:
        top = ", ".join(
            f"{name} {size / 1024:.0f}" for name, size in list(result["apply_files"].items())[:4]
        )
        print(
            f"{result['shots']:>6} apply writes {result['apply_bytes'] / 1024:,.0f} KiB "
            f"in {len(result['apply_files'])} files (KiB: {top})"
        )
    goal = ", ".join(f"{step} {'yes' if ratio[step] <= 2 else 'no'}" for step in ratio)
    print(
        f"ratio (CPU, {large['shots']}/{small['shots']} shots): propose {ratio['propose']:.2f}x, "
        f"apply {ratio['apply']:.2f}x (within 2x: {goal}); "
        f"load {report['load'][0]:.1f} -> {report['load'][1]:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
