"""The model note on every shot is written in the project's answer language (a French
project reads French on its shot cards), and the figures it states still check."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from storycore.tools.critic import load_view
from storycore.tools.critic.checks import check_cost, shot_cost
from storycore.tools.model_registry import ModelRegistry
from storycore.tools.model_selection.wording import stated_costs
from storycore.tools.model_selector import ModelSelector, SelectionRequest, restate_cost
from storycore.tools.planner import plan_project
from storycore.tools.project import Project
from storycore.tools.structure import load_shots, write_shots

BAKERY = """Réponds en français. Une publicité de 20 secondes pour une boulangerie de quartier
à Lyon, au format 16:9. Au petit matin, Margot, une boulangère aux cheveux roux noués, sort
une fournée de croissants du four. Un client, Paul, un vieil homme en imperméable gris,
entre en faisant tinter la clochette. Elle lui tend un sac de papier chaud. Budget 40 dollars.
"""

ENGLISH_WORDS = ("fallback", "ruled out", "strength", "fits in", "est. $", "preferred by")


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Project:
    out = tmp_path_factory.mktemp("bakery") / "project"
    plan_project(BAKERY, out, source_name="boulangerie.md")
    return Project.open(out)


def test_a_french_project_states_its_model_choices_in_french(french: Project) -> None:
    assert french.manifest.technical_specs.language == "fr"
    view = load_view(french)
    for shot in load_shots(french):
        reason = shot.model_reason or ""
        assert " : score " in reason and "solution" in reason, reason
        assert not [w for w in ENGLISH_WORDS if w in reason], reason
        cost = float(shot_cost(view, shot))
        if cost:  # a paid model states its own estimate, in French, and it adds up
            assert list(stated_costs(reason)) == [pytest.approx(cost, abs=0.005)]
            assert f"coût estimé {cost:.2f} $" in reason


def test_the_critic_checks_a_cost_stated_in_french(french: Project, tmp_path: Path) -> None:
    view = load_view(french)
    assert check_cost(view) == []
    shot = next(s for s in load_shots(french) if shot_cost(view, s) > 0)
    wrong = restate_cost(shot.model_reason, 99)
    assert wrong and "coût estimé 99.00 $" in wrong
    with french.transaction("wrong cost") as tx:
        write_shots(tx, [shot.model_copy(update={"model_reason": wrong})])
    try:
        findings = check_cost(load_view(french))
        assert [f.target for f in findings] == [shot.shot_id]
        assert "99.00" in findings[0].message
    finally:
        with french.transaction("cost back") as tx:
            write_shots(tx, [shot])


def test_one_evaluation_reads_the_same_in_both_languages() -> None:
    """The choice does not depend on the language, only its wording does."""
    registry = ModelRegistry.load()
    request = SelectionRequest.from_input(
        scene_type="dialogue", duration_seconds=7.5, local_only=True, budget_usd=2.0
    )
    english = ModelSelector(registry).select(request)
    french = ModelSelector(registry, "fr").select(request)
    assert english.model_id == french.model_id and english.scores == french.scores
    assert english.rejected.keys() == french.rejected.keys() and english.rejected
    cloud = [m for m, why in english.rejected.items() if why.startswith("cloud model")]
    assert cloud and all(french.rejected[m].startswith("modèle dans le cloud") for m in cloud)
    assert english.reason.startswith(f"{registry.get(english.model_id).name}: score ")
    assert french.reason.startswith(f"{registry.get(french.model_id).name} : score ")
    assert "dialogue" in english.reason and "pour dialogue" in french.reason


def test_a_budget_note_and_a_split_part_keep_their_language() -> None:
    registry = ModelRegistry.load()
    requests = [
        SelectionRequest.from_input(
            scene_type="action", duration_seconds=4.0, shot_id=f"shot_{i:02d}"
        )
        for i in range(1, 5)
    ]
    free = ModelSelector(registry, "fr").select_plan(requests)
    tight = ModelSelector(registry, "fr").select_plan(requests, budget_usd=0.01)
    noted = [s for s, f in zip(tight, free, strict=True) if s.model_id != f.model_id]
    assert noted, "a near-zero budget must move some shot to a cheaper model"
    for selection in noted:
        assert (
            "moins cher que" in selection.reason
            and "pour tenir le plan dans 0.01 $" in selection.reason
        )
    part = restate_cost("X : score 0.5 (coût estimé 1.00 $) ; 1 solution de repli", Fraction(1, 4))
    assert part == "X : score 0.5 (coût estimé 0.25 $) ; 1 solution de repli"
