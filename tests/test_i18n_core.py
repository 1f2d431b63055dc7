"""The domain core speaks the project's answer language: the critic's findings, the
breakdown's warnings, the gates' details and a change's summary come from the message
catalogs (tools/data/messages/), in French for a brief that answers in French and in English
for an English one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storycore.tools import i18n
from storycore.tools.critic import critique, load_view
from storycore.tools.critic.checks import check_framing, check_unused_elements
from storycore.tools.domain import ShotSize
from storycore.tools.feedback import RemoveShot, SetShotField
from storycore.tools.planner import PlanSummary, plan_project
from storycore.tools.project import Project
from storycore.tools.regeneration import plan_changes
from storycore.tools.validation import check_brief, run_all

FRENCH_BRIEF = """\
Bonjour ! Il me faut une publicité verticale de 45 secondes pour une petite boulangerie de
Lyon. Réponds en français, mais écris les prompts en anglais.

L'histoire : Camille, une boulangère aux cheveux courts et au tablier bleu, sort une fournée
de croissants du four avant l'aube. Elle pose les croissants dans la vitrine et ouvre la
porte de la boutique. Un vieux monsieur entre avec son chien et il sourit en sentant le pain
chaud.

Ambiance chaleureuse, lumière dorée. Tout en local, pas de cloud. Format 1080p, 24 images
par seconde.
"""

ENGLISH_BRIEF = """\
Hi! I need a 45-second vertical ad for a small bakery in Lyon. Answer in English.

The story: Camille, a baker with short hair and a blue apron, takes a batch of croissants
out of the oven before dawn. She puts the croissants in the window and opens the door of the
shop. An old man walks in with his dog and he smiles at the smell of warm bread.

Warm mood, golden light. Everything local, no cloud. 1080p, 24 frames per second.
"""


@pytest.fixture(autouse=True)
def _project_language() -> Iterator[None]:
    """No display override: every text follows the project's own language."""
    i18n.set_display_language(None)
    yield
    i18n.set_display_language(None)


def _plan(text: str, root: Path) -> tuple[Project, PlanSummary]:
    summary = plan_project(text, root, source_name="brief.md")
    return Project.open(root), summary


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, PlanSummary]:
    i18n.set_display_language(None)
    project, summary = _plan(FRENCH_BRIEF, tmp_path_factory.mktemp("fr") / "pub")
    assert project.manifest.technical_specs.language == "fr"
    assert project.manifest.technical_specs.prompt_language == "en"
    # The plan states that its descriptions stay in French (tests/test_translation.py); here
    # the statement is removed, so the critic reports each French description, as a finding
    # to read in French.
    assert project.manifest.description_language == "fr"
    with project.transaction("unstated") as tx:
        tx.manifest.description_language = None
    return Project.open(project.root), summary


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, PlanSummary]:
    i18n.set_display_language(None)
    project, summary = _plan(ENGLISH_BRIEF, tmp_path_factory.mktemp("en") / "ad")
    assert project.manifest.technical_specs.language == "en"
    return project, summary


def test_the_critic_writes_its_findings_in_french_for_a_french_project(
    french: tuple[Project, PlanSummary],
) -> None:
    project, _ = french
    report = critique(project)
    described = [
        f for f in report.findings if f.kind == "prompt_language" and f.target.startswith("shot")
    ]
    assert described, [f.line() for f in report.findings]
    finding = described[0]
    assert finding.message == (
        "sa description, reprise dans ses prompts, est en français ; les prompts sont en anglais."
    )
    assert finding.hint.startswith("Traduisez-la en anglais")
    for f in report.findings:
        assert "goes into its prompts" not in f.message and "Translate it" not in f.hint


def test_the_critic_quotes_and_counts_in_french(french: tuple[Project, PlanSummary]) -> None:
    project, _ = french
    shots = sorted(project.manifest.shots, key=lambda ref: ref.shot_id)
    first = shots[0].shot_id
    # A framing word against the shot's own size.
    view = load_view(project)
    view.shots = [
        s.model_copy(update={"shot_size": ShotSize.ECU, "description": "Plan large sur la rue."})
        if s.shot_id == first
        else s
        for s in view.shots
    ]
    (framing,) = [f for f in check_framing(view) if f.target == first]
    assert framing.message.startswith("c'est un ")
    assert "mais la description, le prompt d'image" in framing.message
    assert "parlent de « Plan large »" in framing.message
    assert "but its" not in framing.message
    shown = {eid for s in view.shots for eid in s.element_ids()}
    view.shots = [s.model_copy(update={"characters": []}) for s in view.shots]
    unused = [f for f in check_unused_elements(view) if f.target in shown]
    assert unused and all("n'apparaît dans aucun plan" in f.message for f in unused)
    assert all("is in no shot" not in f.message for f in unused)


def test_the_breakdown_warns_in_french(french: tuple[Project, PlanSummary]) -> None:
    _, summary = french
    covered = [w for w in summary.warnings if "plans de couverture ajoutés" in w]
    assert covered, summary.warnings
    assert "durée visée de 45 s" in covered[0] and "au rythme d'une publicité" in covered[0]
    assert "scène 1 : " in covered[0]
    assert not any("coverage shot" in w or "the story runs" in w for w in summary.warnings)


def test_the_gates_detail_in_french(french: tuple[Project, PlanSummary]) -> None:
    project, _ = french
    verdicts = {v.gate: v for v in run_all(project)}
    assert all(v.ok for v in verdicts.values()), [v.failures for v in verdicts.values()]
    assert "chaque plan a un modèle" in verdicts["model_selection"].passed
    assert "les timecodes se suivent sans trou" in verdicts["breakdown"].passed
    details = [line for v in verdicts.values() for line in v.passed]
    assert not any("every shot" in line or "timecodes are" in line for line in details)


def test_the_brief_gate_details_in_french(french: tuple[Project, PlanSummary]) -> None:
    from storycore.tools.planner import read_brief

    project, _ = french
    verdict = check_brief(read_brief(project))
    assert verdict.passed[0].startswith("le brief compte ")
    assert "mots de texte" in verdict.passed[0]


def test_a_change_summary_in_french(french: tuple[Project, PlanSummary]) -> None:
    project, _ = french
    shot = sorted(ref.shot_id for ref in project.manifest.shots)[1]
    planned = plan_changes(project, [SetShotField(shot_id=shot, field="shot_size", value="ECU")])
    assert any(line.startswith(f"{shot} : valeur de plan ") for line in planned.summary)
    removed = plan_changes(project, [RemoveShot(shot_id=shot)])
    assert any(line.startswith(f"{shot} : supprimé") for line in removed.summary)
    assert not any("shot size" in line or "removed" in line for line in removed.summary)


def test_an_english_project_keeps_the_english_texts(
    english: tuple[Project, PlanSummary],
) -> None:
    project, summary = english
    assert any("coverage shots added to reach the 45 s target" in w for w in summary.warnings)
    verdicts = {v.gate: v for v in run_all(project)}
    assert "every shot has a model" in verdicts["model_selection"].passed
    assert "timecodes are contiguous" in verdicts["breakdown"].passed
    shot = sorted(ref.shot_id for ref in project.manifest.shots)[1]
    planned = plan_changes(project, [SetShotField(shot_id=shot, field="shot_size", value="ECU")])
    assert any(line.startswith(f"{shot}: shot size ") for line in planned.summary)
    removed = plan_changes(project, [RemoveShot(shot_id=shot)])
    assert any(line.startswith(f"{shot}: removed") for line in removed.summary)
    for finding in critique(project).findings:
        assert "reprise dans" not in finding.message and "n'apparaît" not in finding.message


def test_the_display_language_overrides_the_project_language(
    french: tuple[Project, PlanSummary],
) -> None:
    project, _ = french
    i18n.set_display_language("en")
    verdicts = {v.gate: v for v in run_all(project)}
    assert "every shot has a model" in verdicts["model_selection"].passed
    report = critique(project)
    assert any("goes into its prompts" in f.message for f in report.findings)


def test_an_element_change_and_an_empty_change_in_french(
    french: tuple[Project, PlanSummary],
) -> None:
    from storycore.tools.errors import InvalidInput
    from storycore.tools.feedback import UpdateElement
    from storycore.tools.regeneration.plan import nothing_to_change

    project, _ = french
    element = next(
        ref.element_id for ref in project.manifest.elements if "camille" in ref.element_id
    )
    planned = plan_changes(project, [UpdateElement(element=element, attributes={"hair": "red"})])
    (line,) = [s for s in planned.summary if s.startswith(element)]
    assert line.startswith(f"{element} : cheveux -> red (") and line.endswith(" plans)")
    assert nothing_to_change(project, []) == "rien à changer : le plan est déjà ainsi"
    shot = sorted(ref.shot_id for ref in project.manifest.shots)[0]
    current = next(s for s in load_view(project).shots if s.shot_id == shot).shot_size.value
    empty = plan_changes(project, [SetShotField(shot_id=shot, field="shot_size", value=current)])
    assert not empty.summary
    assert empty.warnings == [f"{shot} : valeur de plan déjà à {current}"]
    with pytest.raises(InvalidInput, match="rien à changer"):
        raise InvalidInput(nothing_to_change(project, empty.warnings))


def test_a_finding_line_in_french(french: tuple[Project, PlanSummary]) -> None:
    project, _ = french
    finding = next(f for f in critique(project).findings if f.kind == "prompt_language")
    assert finding.line("fr").startswith(f"{finding.target} : sa description")
    assert finding.line() == f"{finding.target}: {finding.message} {finding.hint}"


def test_the_specs_values_in_french(french: tuple[Project, PlanSummary]) -> None:
    from storycore.tools.specs import describe_specs

    project, _ = french
    specs = project.manifest.technical_specs
    rows = dict(describe_specs(specs, "fr"))
    assert rows["Pace"] == "publicité"
    assert rows["Answer language"] == "français (fr)"
    assert rows["Models"] == "en local uniquement"
    assert rows["Speech rate"].endswith(" mots/s")
    english = dict(describe_specs(specs))
    assert (english["Pace"], english["Answer language"]) == ("ad", "French (fr)")
    assert english["Models"] == "local only"
