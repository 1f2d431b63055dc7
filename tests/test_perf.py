"""Doing each computation once: the selection cache, the panel pool, the imports of --help.

These tests check behaviour (same answers, fewer computations, which modules load), never
timing: speed is measured by bench/ and reported in docs/benchmarks.md.
"""

from __future__ import annotations

from storycore.tools.model_registry import ModelRegistry
from storycore.tools.model_selector import ModelSelector, SelectionRequest


def _requests() -> list[SelectionRequest]:
    return [
        SelectionRequest(scene_type="dialogue", duration_seconds=4.0, shot_id=f"shot_{i:02d}")
        for i in range(1, 7)
    ] + [SelectionRequest(scene_type="action", duration_seconds=2.5, shot_id="shot_07")]


def test_selection_is_computed_once_per_distinct_request(monkeypatch) -> None:
    """Seven shots asking two distinct questions evaluate the registry twice, not seven times,
    and give exactly the selections an uncached selector gives."""
    registry = ModelRegistry.load()
    expected = [ModelSelector(registry).select(r) for r in _requests()]
    selector = ModelSelector(registry)
    calls: list[str | None] = []
    original = selector._evaluate_uncached

    def counting(request: SelectionRequest, *, raise_if_empty: bool) -> object:
        calls.append(request.shot_id)
        return original(request, raise_if_empty=raise_if_empty)

    monkeypatch.setattr(selector, "_evaluate_uncached", counting)
    got = selector.select_plan(_requests())
    assert len(calls) == 2
    assert got == expected


def test_cached_selection_still_names_its_own_shot() -> None:
    """The cache key leaves out the shot id, but each answer keeps its own request."""
    selector = ModelSelector(ModelRegistry.load())
    first, second = (selector._evaluate(r) for r in _requests()[:2])
    assert first.request.shot_id == "shot_01"
    assert second.request.shot_id == "shot_02"
    assert first.candidates == second.candidates
