"""Characters found in a prose brief with no Characters section: introduced by name with an
appositive ("Mira, a pilot with...") or a naming word ("a baker named Otto", "un marin
nommé Yves", "une vieille femme, Rose, ..."), their look from that clause, and linked to the
shots whose sentence names them or refers to them by a pronoun."""

from __future__ import annotations

from pathlib import Path

import pytest

from storycore.tools.planner import plan_project
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry
from storycore.tools.structure import load_shots

ENGLISH = """# Hangar

Mira, a pilot with cropped red hair and a leather flight jacket, checks her plane in an old
hangar. She climbs onto the wing. A storm rolls over the field. A baker named Otto brings her
a paper bag. He waves and leaves.
"""

FRENCH = """# Le port

Nora, une peintre aux lunettes rondes et au manteau vert, installe son chevalet sur la jetée.
Elle observe les bateaux. Le vent se lève. Un vieux marin nommé Yves répare une voile. Il
salue Nora. Une vieille femme, Rose, vend des fleurs près du phare. Elle rit.
"""


def _plan(tmp_path: Path, text: str, name: str) -> Project:
    out = tmp_path / "project"
    plan_project(text, out, source_name=name)
    return Project.open(out)


def _found(project: Project) -> tuple[dict[str, str], dict[str, str], list[tuple[str, list[str]]]]:
    items = AssetRegistry(project).list()
    looks = {i.name: i.canonical_description for i in items if i.type.value == "character"}
    ids = {i.element_id: i.name for i in items}
    shots = [(s.action or "", [ids[c] for c in s.characters]) for s in load_shots(project)]
    return looks, ids, shots


def _cast_of(shots: list[tuple[str, list[str]]], words: str) -> list[str]:
    matches = [cast for action, cast in shots if words in " ".join(action.split())]
    assert matches, f"no shot tells {words!r}: {[a for a, _ in shots]}"
    return matches[0]


def test_english_prose_finds_characters_with_looks_and_links_pronouns(tmp_path: Path) -> None:
    looks, _, shots = _found(_plan(tmp_path, ENGLISH, "hangar.md"))
    assert set(looks) == {"Mira", "Otto"}
    assert "cropped red hair" in looks["Mira"] and "leather flight jacket" in looks["Mira"]
    assert "checks" not in looks["Mira"]
    assert looks["Otto"] == "a baker"
    assert _cast_of(shots, "She climbs onto the wing") == ["Mira"]
    assert set(_cast_of(shots, "named Otto brings her")) == {"Otto", "Mira"}
    assert _cast_of(shots, "He waves") == ["Otto"]
    assert _cast_of(shots, "A storm rolls over") == []  # no person, no cast by pronoun


def test_french_prose_links_il_and_elle_by_gender(tmp_path: Path) -> None:
    looks, _, shots = _found(_plan(tmp_path, FRENCH, "port.md"))
    assert {"Nora", "Yves", "Rose"} <= set(looks)
    assert "lunettes rondes" in looks["Nora"] and "manteau vert" in looks["Nora"]
    assert "installe" not in looks["Nora"]
    assert looks["Yves"] == "un vieux marin"
    assert looks["Rose"] == "une vieille femme"
    assert _cast_of(shots, "Elle observe les bateaux") == ["Nora"]
    # "Il salue Nora": Nora is named, "Il" is the last man shown, Yves.
    assert set(_cast_of(shots, "Il salue Nora")) == {"Yves", "Nora"}
    assert _cast_of(shots, "Elle rit") == ["Rose"]
    assert _cast_of(shots, "Le vent se lève") == []


@pytest.mark.parametrize(
    "text",
    [
        "# Nuit\n\nDans le couloir, Sam, ouvre la porte. Sam entre.\n",
        "# Rain\n\nThe rain falls on the town. The bells ring at noon.\n",
    ],
)
def test_no_person_no_invented_character(tmp_path: Path, text: str) -> None:
    looks, _, _ = _found(_plan(tmp_path, text, "x.md"))
    assert "Couloir" not in looks and "Rain" not in looks


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Au fournil, Jeanne pétrit la pâte. Jeanne chante. Son apprenti Malik arrive.", "Malik"),
        ("Armand ouvre la ruche. Armand sourit. Sa petite-fille Lina tourne la manivelle.", "Lina"),
        ("Tomas mends the net. Tomas hums. His nephew Ivo brings the coffee.", "Ivo"),
    ],
)
def test_a_name_a_person_noun_introduces_is_a_character_named_once(text: str, name: str) -> None:
    from storycore.tools.breakdown.scenes import prose_characters

    assert name in prose_characters(text)


def test_a_place_noun_before_a_capital_is_no_introduction() -> None:
    from storycore.tools.breakdown.scenes import prose_characters

    assert prose_characters("Tomas rows down the river Thames. Tomas sings.") == ["Tomas"]
