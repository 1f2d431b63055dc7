"""Production as ``storycore status`` shows it: per segment and shot, and money spent."""

from __future__ import annotations

from collections import Counter
from typing import Any

from storycore.tools.errors import StoryCoreError
from storycore.tools.production.ledger import Ledger
from storycore.tools.project import Project

__all__ = ["production_status"]


def production_status(project: Project, backend: str = "animatic") -> dict[str, Any] | None:
    """Per segment: its shots' states (pending, rendering, done, failed, stale) and whether
    its file is assembled; the film; money spent. None before the project is planned."""
    from storycore.tools.production.producer import Production

    try:
        production = Production(project, backend, check_files=False)
    except StoryCoreError:
        return None
    states = production.shot_states()
    segments = []
    for index, segment in enumerate(production.plan.segments, start=1):
        ids = [p.spec.shot_id for p in segment.shots]
        rel = production.segment_path(index, segment)
        segments.append(
            {
                "segment_id": segment.segment_id,
                "shots": {i: states[i] for i in ids},
                "counts": dict(Counter(states[i] for i in ids)),
                "path": rel if (project.root / rel).is_file() else None,
            }
        )
    film = production.film_path()
    spent = 0.0
    if Ledger.exists(project.root):
        with Ledger.open(project.root) as ledger:
            spent = ledger.spent_usd()
    return {
        "segments": segments,
        "counts": dict(Counter(states.values())),
        "film": film if (project.root / film).is_file() else None,
        "spent_usd": round(spent, 4),
    }
