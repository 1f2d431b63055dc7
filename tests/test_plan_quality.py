"""Plans a director can trust (issue 11): figures and facts checked on scripts the examples
do not contain."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from storycore.tools.model_registry import ModelRegistry
from storycore.tools.planner import Overrides, plan_project, summarize
from storycore.tools.project import Project
from storycore.tools.structure import load_shots

LIGHTHOUSE = """Title: The Keeper

INT. LIGHTHOUSE LAMP ROOM - NIGHT

A round glass room high above the sea, brass rails gleaming.

HECTOR (70s), white beard, navy wool sweater, polishes the great lens.

HECTOR
Another storm tonight.

He climbs down the spiral stairs, one hand on the cold rail.

EXT. ROCKY SHORE - DAWN

Waves break on black rocks. Hector walks along the water line, searching the sand.

He finds a glass bottle and holds it up to the light.
"""


def _plan(tmp_path: Path, text: str, name: str = "keeper.fountain", **overrides: str) -> Project:
    out = tmp_path / "project"
    plan_project(text, out, source_name=name, overrides=Overrides(**overrides))
    return Project.open(out)


def test_estimated_cost_is_dollars_summed_from_each_shots_billed_seconds(tmp_path: Path) -> None:
    project = _plan(tmp_path, LIGHTHOUSE)
    registry = ModelRegistry.load(project.root)
    rate = project.manifest.technical_specs.rate
    expected = Fraction(0)
    billed_total = Fraction(0)
    for shot in load_shots(project):
        model = registry.get(shot.model_id)
        seconds = Fraction(shot.duration_frames) / rate
        limit = model.clip_limit_seconds
        clips = 1 if limit is None else -(-seconds // limit)
        billed = clips * model.billed_seconds(seconds / clips)
        billed_total += billed
        if not model.local:
            expected += billed * Fraction(str(model.cost_usd_per_second))
    summary = summarize(project)
    assert expected > 0, "the test needs a paid model"
    assert summary.estimated_cost_usd == pytest.approx(float(expected), abs=0.01)
    assert summary.estimated_cost_usd != pytest.approx(float(billed_total), abs=0.01)
    # The per-model breakdown adds up to the total, shot counts included.
    assert sum(c.usd for c in summary.costs) == pytest.approx(summary.estimated_cost_usd, abs=0.01)
    assert sum(c.shots for c in summary.costs) == summary.shots
    for cost in summary.costs:
        assert cost.usd == pytest.approx(cost.billed_seconds * cost.usd_per_second, abs=0.01)
        assert cost.describe().startswith(f"{cost.shots} shot")
