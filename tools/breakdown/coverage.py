"""Coverage instead of stretching: which scenes get more shots to reach a target length."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from storycore.tools.breakdown.design import _scene_changes_place, _SceneDesigner
from storycore.tools.breakdown.design_base import StoryFacts
from storycore.tools.breakdown.drafts import _Draft, _f
from storycore.tools.breakdown.fitting import _fit_seconds, _lengthen_capped, _set_seconds
from storycore.tools.breakdown.rules import BreakdownRules
from storycore.tools.domain import (
    Scene,
    TechnicalSpecs,
)
from storycore.tools.i18n import Messages


@dataclass(frozen=True)
class _Covered:
    """Scenes given coverage shots and fitted to their share of the target."""

    drafts: list[list[_Draft]]
    added: dict[int, int]
    """Shots added, by scene index (only scenes that got coverage)."""
    story: Fraction
    """The story's natural length, before coverage."""
    natural: Fraction
    """The natural length after coverage, before fitting."""
    capped: bool
    """Whether the shot limit left some of the gap to stretching."""


def _round(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _cover(
    scenes: Sequence[Scene],
    designed: Sequence[list[_Draft]],
    specs: TechnicalSpecs,
    rules: BreakdownRules,
    target: Fraction,
    capacity: int,
    story: StoryFacts,
) -> _Covered | None:
    """Coverage instead of stretching: ``None`` when every scene can simply be stretched (or
    shortened) to its share of ``target``; otherwise the scenes that would run past
    ``rules.stretch_limit`` times their natural length, or whose shots would average more than
    the pace's longest, get shots added (``capacity`` shots in all at most), and every scene
    is fitted to its share."""
    pace = rules.pace[specs.pace]
    naturals = [sum((d.seconds for d in drafts), Fraction(0)) for drafts in designed]
    # A scene's share follows its own length when it has one, its natural length otherwise.
    weights = [
        _f(scene.target_seconds) if scene.target_seconds else natural
        for scene, natural in zip(scenes, naturals, strict=True)
    ]
    weight = sum(weights, Fraction(0))
    if weight <= 0:
        return None
    planned = [w * target / weight for w in weights]
    limit, longest = _f(rules.stretch_limit), _f(pace.max)
    short = [
        share > natural * limit or share > longest * len(drafts)
        for share, natural, drafts in zip(planned, naturals, designed, strict=True)
    ]
    if not any(short):
        return None
    out = [list(drafts) for drafts in designed]
    designers: dict[int, _SceneDesigner] = {}
    for index, scene in enumerate(scenes):
        if not short[index]:
            continue
        previous = scenes[index - 1] if index else None
        changes_place = _scene_changes_place(previous, scene)
        designer = _SceneDesigner(
            rules, specs, scene, index, changes_place, sentence_shots=True, story=story
        )
        finer = designer.design()
        count = sum(len(drafts) for drafts in out) - len(out[index]) + len(finer)
        # A shot per sentence, unless that alone runs past the scene's share or the limit.
        if sum((d.seconds for d in finer), Fraction(0)) > planned[index] or count > capacity:
            designer = _SceneDesigner(rules, specs, scene, index, changes_place, story=story)
            finer = designer.design()
        out[index] = finer
        designers[index] = designer
    wanted: dict[int, int] = {}
    for index, designer in designers.items():
        drafts = out[index]
        missing = planned[index] - sum((d.seconds for d in drafts), Fraction(0))
        step = designer._kind_seconds("coverage")
        by_length = _round(missing / step)
        by_longest = math.ceil(planned[index] / longest) - len(drafts)
        wanted[index] = max(1, by_length, by_longest)
    room = max(0, capacity - sum(len(drafts) for drafts in out))
    asked = sum(wanted.values())
    capped = asked > room
    if capped:
        wanted = {index: count * room // asked for index, count in wanted.items()}
    said: set[str] = set()  # a coverage shot's words are said once in the film
    for index, count in wanted.items():
        designers[index].bare_said = said
        out[index] = designers[index].cover(count)
    natural = sum((d.seconds for drafts in out for d in drafts), Fraction(0))
    for index, drafts in enumerate(out):
        if index in designers:
            _set_seconds(drafts, _lengthen_capped(drafts, planned[index], longest))
        else:
            _set_seconds(drafts, _fit_seconds(drafts, planned[index]))
    added = {
        index: len(out[index]) - len(designed[index])
        for index in designers
        if len(out[index]) > len(designed[index])
    }
    return _Covered(
        drafts=out, added=added, story=sum(naturals, Fraction(0)), natural=natural, capped=capped
    )


def _coverage_sentence(
    covered: _Covered, scenes: Sequence[Scene], specs: TechnicalSpecs, target: float
) -> str:
    m = Messages(specs.language)
    count = sum(covered.added.values())
    story = f"{float(covered.story):.0f}"
    if not covered.added:
        return m("breakdown.coverage_none", story=story, target=f"{target:g}")
    by_scene = ", ".join(
        m("breakdown.coverage_scene", number=scenes[i].number, n=n)
        for i, n in covered.added.items()
    )
    sentence = m.plural(
        "breakdown.coverage",
        count,
        story=story,
        target=f"{target:g}",
        pace=m(f"breakdown.pace.{specs.pace}"),
        by_scene=by_scene,
    )
    if covered.capped:
        sentence += m("breakdown.coverage_capped")
    return sentence
