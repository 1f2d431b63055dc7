"""Shortcuts for the planner: a screenplay or a brief straight to a :class:`Breakdown`."""

from __future__ import annotations

from collections.abc import Iterable

from storycore.tools.breakdown.drafts import Breakdown
from storycore.tools.breakdown.scenes import scenes_from_brief
from storycore.tools.breakdown.shots import design_shots
from storycore.tools.domain import (
    CreativeBrief,
    TechnicalSpecs,
)
from storycore.tools.fountain import (
    scenes_from_fountain,
)


def breakdown_screenplay(
    text: str,
    specs: TechnicalSpecs,
    *,
    target_seconds: float | None = None,
    known_props: Iterable[str] = (),
) -> tuple[Breakdown, dict[str, str]]:
    """A Fountain screenplay to a :class:`Breakdown`, with its title page."""
    scenes, title_page = scenes_from_fountain(text, known_props=known_props)
    target = target_seconds if target_seconds is not None else specs.duration_seconds
    breakdown = design_shots(scenes, specs, target_seconds=target, declared_props=known_props)
    return breakdown, title_page


def breakdown_brief(brief: CreativeBrief) -> Breakdown:
    """A brief to a :class:`Breakdown` at its own specs and length."""
    specs = brief.technical_specs
    target = brief.duration_seconds or specs.duration_seconds
    declared = [p.name for p in brief.props]
    return design_shots(
        scenes_from_brief(brief), specs, target_seconds=target, declared_props=declared
    )
