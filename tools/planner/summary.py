"""The plan in figures: :class:`PlanSummary` (what ``storycore plan`` reports), the cost per
model (:class:`ModelCost`) and :func:`summarize`, which reads them off a planned project.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from storycore.tools.model_registry import ModelRegistry
from storycore.tools.model_selector import (
    clip_cost,
    shot_cost_usd,
)
from storycore.tools.planner.intake import read_scenes
from storycore.tools.project import (
    Project,
)


@dataclass
class PlanSummary:
    """What ``storycore plan`` reports at the end."""

    project_dir: Path
    title: str
    scenes: int
    shots: int
    segments: int
    total_frames: int
    fps: str
    drop_frame: bool
    models: dict[str, int]
    estimated_cost_usd: float
    warnings: list[str] = field(default_factory=list)
    #: What each model costs, most expensive first (local models too, at $0).
    costs: list[ModelCost] = field(default_factory=list)
    #: The brief's budget (None: no budget was given).
    budget_usd: float | None = None
    #: The project's answer language: what the summary is shown in (by default).
    language: str = "en"

    @property
    def budget_left_usd(self) -> float | None:
        """The budget minus the estimated cost (negative: over budget); None without one."""
        if self.budget_usd is None:
            return None
        return round(self.budget_usd - self.estimated_cost_usd, 2)


@dataclass
class ModelCost:
    """One model's share of the estimated cost: its shots, billed seconds and dollars.

    ``screen_seconds`` is how long those shots last in the film; ``billed_seconds`` is what
    the model charges for them, which is more when it bills whole clips of fixed lengths (a
    3.5 s shot made by a 5-or-10-second model is billed 5 s).
    """

    model_id: str
    shots: int
    billed_seconds: float
    usd_per_second: float
    usd: float
    local: bool = False
    screen_seconds: float | None = None

    def describe(self, language: str | None = None) -> str:
        """``3 shots, 24.0 s x $0.50/s = $12.00`` (or ``local, no API cost``), in
        ``language`` (English by default)."""
        from storycore.tools.i18n import count, t

        shots = count(self.shots, "shot", language)
        screen = self.billed_seconds if self.screen_seconds is None else self.screen_seconds
        if self.local:
            return t("cost.local", language, shots=shots, seconds=f"{screen:.1f}")
        figures = {
            "shots": shots,
            "seconds": f"{screen:.1f}",
            "billed": f"{self.billed_seconds:.1f}",
            "per_second": f"{self.usd_per_second:.2f}",
            "usd": f"{self.usd:,.2f}",
        }
        # Rounded to the tenth shown: a difference the line cannot show is no difference.
        if f"{self.billed_seconds:.1f}" != f"{screen:.1f}":
            return t("cost.paid_rounded", language, **figures)
        return t("cost.paid", language, **figures)


# -- the summary -------------------------------------------------------------------------------


def summarize(
    project: Project, warnings: Sequence[str] = (), *, registry: ModelRegistry | None = None
) -> PlanSummary:
    """The plan in figures: scenes, shots, duration, models and the estimated cost in dollars.

    Each shot costs what :func:`~storycore.tools.model_selector.clip_cost` says (its clips'
    billed seconds times the model's price per second), so the total is the sum of the
    shots' own estimates, and ``costs`` shows it per model.
    """
    from storycore.tools.regeneration.index import indexed_shots

    registry = registry or ModelRegistry.load(project.root)
    shots = indexed_shots(project)  # the shot index the plan just wrote, checked on disk
    specs = project.manifest.technical_specs
    rate = specs.rate
    models: dict[str, int] = {}
    per_model: dict[str, list[Fraction]] = {}
    # A shot's figures depend only on its model, upscaler and length: computed once for
    # each (a plan has many shots of the same length and model).
    figures: dict[tuple[str, str | None, int], tuple[Fraction, Fraction, Fraction]] = {}
    for shot in shots:
        if not shot.model_id:
            continue
        models[shot.model_id] = models.get(shot.model_id, 0) + 1
        key = (shot.model_id, shot.upscaler, shot.duration_frames)
        found = figures.get(key)
        if found is None:
            model = registry.get(shot.model_id) if shot.model_id in registry else None
            if model is None:
                continue
            seconds = Fraction(shot.duration_frames) / rate
            _clips, _clip, billed, _usd = clip_cost(model, seconds)
            upscaler = (
                registry.get(shot.upscaler) if shot.upscaler and shot.upscaler in registry else None
            )
            found = figures[key] = (billed, shot_cost_usd(model, seconds, upscaler), seconds)
        billed, usd, seconds = found
        totals = per_model.setdefault(shot.model_id, [Fraction(0)] * 4)
        totals[0] += 1
        totals[1] += billed
        totals[2] += usd
        totals[3] += seconds
    costs = []
    for model_id, (count, billed, usd, screen) in per_model.items():
        model = registry.get(model_id)
        costs.append(
            ModelCost(
                model_id=model_id,
                shots=int(count),
                billed_seconds=round(float(billed), 3),
                usd_per_second=0.0 if model.local else float(model.cost_usd_per_second or 0),
                usd=round(float(usd), 2),
                local=model.local,
                screen_seconds=round(float(screen), 3),
            )
        )
    costs.sort(key=lambda c: (-c.usd, -c.shots, c.model_id))
    cost = sum((total[2] for total in per_model.values()), Fraction(0))
    return PlanSummary(
        project_dir=project.root,
        title=project.manifest.title,
        scenes=len(read_scenes(project)),
        shots=len(shots),
        segments=len(project.manifest.segments),
        total_frames=shots[-1].end_frame - shots[0].start_frame if shots else 0,
        fps=specs.fps,
        drop_frame=specs.uses_drop_frame,
        models=dict(sorted(models.items(), key=lambda kv: (-kv[1], kv[0]))),
        estimated_cost_usd=round(float(cost), 2),
        warnings=[*warnings, *_language_warnings(project)],
        costs=costs,
        budget_usd=specs.budget_usd,
        language=specs.language,
    )


def _language_warnings(project: Project) -> list[str]:
    """The plain statement of a plan whose descriptions are not in its prompt language
    (planned offline: nothing translated them), in the project's answer language."""
    from storycore.tools.i18n import t

    source = project.manifest.description_language
    specs = project.manifest.technical_specs
    if not source or source == specs.prompt_language:
        return []
    lang = specs.language
    return [
        t(
            "summary.untranslated",
            lang,
            source=t(f"language_name.{source}", lang),
            target=t(f"language_name.{specs.prompt_language}", lang),
        )
    ]
