"""Benchmark of animatic production: about 10 and 100 shots at 1280x720 and 1080x1920.

    python bench/produce_bench.py [--shots 10 100] [--sizes 1280x720 1080x1920] [--json]

Each case builds a planned project in a temporary folder (deterministic: shot lengths cycle
through 2-5 s at 24 fps, camera movements through static, dolly in, pan, handheld, tracking,
static; two shots per five are static), then:

- **produce**: every shot rendered, gated, committed, segments and the film joined
  (``run_production`` in this process, imports excluded; the storyboard panels are drawn on
  demand and counted);
- **change**: one shot's size changed through the change proposal (``plan_changes`` +
  ``apply_changes``, as ``storycore feedback`` does), then production again: it renders that
  one shot and re-joins its segment and the film.

Reported per case: film seconds, wall seconds, seconds per shot, speed as a multiple of real
time (film seconds / wall seconds), and the change's wall time, shots rendered and joins.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MOVES = ["static", "dolly_in", "pan", "static", "handheld", "tracking", "static"]
SIZES = ["MS", "CU", "WS", "MCU", "FS"]
SECONDS = [2, 3, 4, 5, 3, 2.5]
SHOTS_PER_SEGMENT = 10


def build(root: Path, shots: int, width: int, height: int) -> None:
    """A planned project of ``shots`` shots at 24 fps and width x height."""
    from storycore.tools.domain import Phase, Resolution, Segment, ShotSpec, TechnicalSpecs
    from storycore.tools.project import Project
    from storycore.tools.structure import add_shots, set_segments

    aspect = "16:9" if width > height else "9:16"
    specs = TechnicalSpecs(
        aspect_ratio=aspect, resolution=Resolution(width=width, height=height), fps="24"
    )
    project = Project.create(root, title=f"Bench {shots}", specs=specs)
    specs_list = []
    frame = 0
    for i in range(shots):
        length = round(SECONDS[i % len(SECONDS)] * 24)
        specs_list.append(
            ShotSpec(
                shot_id=f"shot_{i + 1:03d}",
                title=f"Bench shot {i + 1}",
                segment_id=f"seg_{i // SHOTS_PER_SEGMENT + 1:02d}",
                start_frame=frame,
                end_frame=frame + length,
                shot_size=SIZES[i % len(SIZES)],
                camera_movement=MOVES[i % len(MOVES)],
                description=f"Shot {i + 1} of the benchmark.",
                video_prompt=f"Shot {i + 1}, cinematic.",
            )
        )
        frame += length
    with project.transaction("bench plan", undoable=False) as tx:
        add_shots(tx, specs_list)
        groups: dict[str, list[ShotSpec]] = {}
        for spec in specs_list:
            groups.setdefault(spec.segment_id or "seg_01", []).append(spec)
        set_segments(
            tx,
            [
                Segment(
                    segment_id=seg_id,
                    title=f"Part {n}",
                    shot_ids=[s.shot_id for s in group],
                    start_frame=group[0].start_frame,
                    end_frame=group[-1].end_frame,
                )
                for n, (seg_id, group) in enumerate(groups.items(), start=1)
            ],
        )
        tx.manifest.phase = Phase.PLANNED


def _cpu() -> float:
    """CPU seconds of this process and its finished children (ffmpeg), user + system."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_case(shots: int, width: int, height: int) -> dict[str, Any]:
    from storycore.tools.feedback import SetShotField
    from storycore.tools.production.producer import Production
    from storycore.tools.production.run import run_production
    from storycore.tools.project import Project
    from storycore.tools.regeneration import apply_changes, plan_changes

    with tempfile.TemporaryDirectory(prefix="produce-bench-") as tmp:
        root = Path(tmp) / "p"
        build(root, shots, width, height)
        project = Project.open(root)
        start, cpu0 = time.perf_counter(), _cpu()
        result = run_production(Production(project, "animatic"))
        wall, cpu = time.perf_counter() - start, _cpu() - cpu0
        assert not result.failed, result.failed
        frames = result.final["frames"] if result.final else 0
        film_seconds = frames / 24
        target = f"shot_{shots // 2:03d}"
        change = plan_changes(
            project, [SetShotField(shot_id=target, field="shot_size", value="ECU")]
        )
        apply_changes(project, change)
        start = time.perf_counter()
        again = run_production(Production(Project.open(root), "animatic"))
        change_wall = time.perf_counter() - start
        return {
            "shots": shots,
            "size": f"{width}x{height}",
            "frames": frames,
            "film_seconds": round(film_seconds, 2),
            "wall_seconds": round(wall, 2),
            "seconds_per_shot": round(wall / shots, 3),
            "x_real_time": round(film_seconds / wall, 2),
            "cpu_seconds": round(cpu, 2),
            "x_real_time_per_cpu_second": round(film_seconds / cpu, 2),
            "change_wall_seconds": round(change_wall, 2),
            "change_rendered": again.rendered,
            "change_reused": len(again.reused),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--sizes", nargs="+", default=["1280x720", "1080x1920"])
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        width, height = (int(v) for v in size.split("x"))
        for shots in args.shots:
            case = run_case(shots, width, height)
            results.append(case)
            if not args.json:
                print(
                    f"{case['shots']:>4} shots {case['size']:>9}: {case['film_seconds']:>7.1f} s "
                    f"of film in {case['wall_seconds']:>7.2f} s ({case['seconds_per_shot']:.3f} "
                    f"s/shot, {case['x_real_time']:.1f}x real time; "
                    f"{case['cpu_seconds']:.1f} CPU s, "
                    f"{case['x_real_time_per_cpu_second']:.1f}x per CPU s); one-shot change "
                    f"{case['change_wall_seconds']:.2f} s, rendered {case['change_rendered']}",
                    flush=True,
                )
    if args.json:
        meta = {"cpus": os.cpu_count(), "load_average": os.getloadavg(), "python": sys.version}
        print(json.dumps({"machine": meta, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
