"""``storycore elements ...`` in the display language: a French project's elements are listed
and shown with French headers, labels, types and statuses; an English project, and
``--language en`` on the French one, print the English ones; ``--json`` stays English.

The briefs are written here (not the examples): a fisherwoman at dawn, a clockmaker."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from storycore.agent.cli.main import main

#: French by its own words: the project's answer language is French.
PECHEUSE = """Réponds en français. Un film de 15 secondes, en 16:9.

Au petit matin, Mathilde, une vieille pêcheuse au ciré orange, pousse sa barque sur la plage
de galets. Elle rame vers le phare.
"""

CLOCKMAKER = """---
title: The Clockmaker
duration: 12s
---

At night, Anton, an old clockmaker with round glasses, winds the great clock in his workshop.
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, ""), captured.err
    return captured.out


def planned(root: Path, name: str, text: str) -> Path:
    from storycore.tools.planner import plan_project

    out = root / name
    plan_project(text, out, source_name=f"{name}.md")
    return out


@pytest.fixture(scope="module")
def planned_once(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The two projects, planned once for the module (a test that changes one copies it)."""
    root = tmp_path_factory.mktemp("planned")
    return {"fr": planned(root, "peche", PECHEUSE), "en": planned(root, "clock", CLOCKMAKER)}


@pytest.fixture
def french(planned_once: dict[str, Path], tmp_path: Path) -> Path:
    return Path(shutil.copytree(planned_once["fr"], tmp_path / "peche"))


@pytest.fixture
def english(planned_once: dict[str, Path], tmp_path: Path) -> Path:
    return Path(shutil.copytree(planned_once["en"], tmp_path / "clock"))


def header(table: str) -> list[str]:
    """The column names of the first table printed."""
    line = next(row for row in table.splitlines() if row.startswith("┃"))
    return [cell.strip() for cell in line.strip("┃").split("┃")]


def test_a_french_project_lists_and_shows_its_elements_in_french(
    french: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = run(capsys, "elements", "list", str(french))
    assert header(listed) == ["id", "type", "nom", "état", "version", "plans"]
    assert "personnage" in listed and "lieu" in listed and "brouillon" in listed
    assert "character" not in listed and "draft" not in listed

    shown = run(capsys, "elements", "show", str(french), "Mathilde")
    assert "char_mathilde  (personnage, brouillon, version 1)" in shown
    assert "description : " in shown and "plans : shot_" in shown
    assert "character" not in shown and "description: " not in shown

    assert run(capsys, "elements", "lock", str(french), "Mathilde") == (
        "état de char_mathilde : verrouillé\n"
    )
    updated = run(
        capsys,
        "elements",
        "add",
        str(french),
        "--type",
        "prop",
        "--name",
        "Barque",
        "--attr",
        "couleur=bleue",
    )
    assert updated == "prop_barque (Barque) ajouté : version 1, brouillon\n"
    shown = run(capsys, "elements", "show", str(french), "barque")
    assert header(shown) == ["attribut", "valeur"]
    assert "(accessoire, brouillon, version 1)" in shown and "description : (aucune)" in shown
    versions = run(capsys, "elements", "versions", str(french), "barque")
    assert header(versions) == ["version", "empreinte", "créée le", "note"]
    assert "création" in versions

    # --json is for programs: English keys and values whatever the language.
    data = json.loads(run(capsys, "elements", "list", str(french), "--json"))
    assert {(e["type"], e["status"]) for e in data} >= {("character", "locked"), ("prop", "draft")}


def test_an_english_project_lists_and_shows_its_elements_in_english(
    english: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = run(capsys, "elements", "list", str(english))
    assert header(listed) == ["id", "type", "name", "status", "version", "shots"]
    assert "character" in listed and "draft" in listed and "personnage" not in listed
    shown = run(capsys, "elements", "show", str(english), "Anton")
    assert "char_anton  (character, draft, version 1)" in shown
    assert "description: " in shown and "shots: shot_" in shown
    assert run(capsys, "elements", "approve", str(english), "Anton") == "char_anton is approved\n"


def test_language_en_prints_a_french_projects_elements_in_english(
    french: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = run(capsys, "elements", "list", str(french), "--language", "en")
    assert header(listed) == ["id", "type", "name", "status", "version", "shots"]
    assert "character" in listed and "draft" in listed and "personnage" not in listed
    shown = run(capsys, "--language", "en", "elements", "show", str(french), "Mathilde")
    assert "char_mathilde  (character, draft, version 1)" in shown
    assert "description: " in shown and "description : " not in shown
    # The override lasts one command: the project speaks French again.
    assert "personnage" in run(capsys, "elements", "list", str(french))


def test_an_english_project_prints_in_french_with_language_fr(
    english: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = run(capsys, "elements", "list", str(english), "--language=fr")
    assert header(listed) == ["id", "type", "nom", "état", "version", "plans"]
    assert "personnage" in listed
