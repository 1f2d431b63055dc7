"""Who a shot shows and how its line names them, on stories no example holds: a subject
pronoun before anyone is named is someone other than the person its verb meets, and who a
person is (an apposition) is said where they are introduced, not again in a shot's line."""

from __future__ import annotations

import pytest

from storycore.tools.breakdown import breakdown_brief
from storycore.tools.breakdown.shot_lines import action_line, coverage_line
from storycore.tools.planner.intake import understand


def _shots(text: str, name: str = "story.md") -> list:
    return breakdown_brief(understand(text, source_name=name)).shots


# -- appositions are not said again -------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "focus", "text", "language", "expected"),
    [
        (
            "Medium shot of Odile",
            ["Odile"],
            "Odile, her landlady, knocks twice on the door.",
            "en",
            "Medium shot of Odile knocking twice on the door.",
        ),
        (
            "Plan taille de Gaspard",
            ["Gaspard"],
            "Gaspard, un contrôleur aux gants blancs, vérifie les billets.",
            "fr",
            "Plan taille de Gaspard qui vérifie les billets.",
        ),
        (
            "Gros plan d'Yvette",
            ["Yvette"],
            "Yvette salue Armel, son cousin de Brest, sur le quai.",
            "fr",
            "Gros plan d'Yvette qui salue Armel sur le quai.",
        ),
        (
            "Close-up of Wendell",
            ["Wendell"],
            "Wendell greets Maud, an old classmate.",
            "en",
            "Close-up of Wendell greeting Maud.",
        ),
    ],
)
def test_a_shot_line_does_not_repeat_an_apposition(
    phrase: str, focus: list[str], text: str, language: str, expected: str
) -> None:
    people = ["Odile", "Gaspard", "Yvette", "Armel", "Wendell", "Maud"]
    assert action_line(phrase, focus, text, people, language) == expected
    assert coverage_line(phrase, focus, text, people, language) == expected


def test_coverage_of_someone_elses_action_drops_the_apposition_too() -> None:
    line = coverage_line(
        "Close-up of Maud",
        ["Maud"],
        "Wendell, her old classmate, hands Maud a letter.",
        ["Wendell", "Maud"],
        "en",
    )
    assert line == "Close-up of Maud, as Wendell hands Maud a letter."


def test_a_planned_shot_says_who_someone_is_once() -> None:
    text = (
        "# Short\n\nUn film de 20 secondes.\n\n"
        "Dans la gare, Clémence, une contrôleuse aux cheveux gris, vérifie les billets. "
        "Elle siffle le départ.\n"
    )
    shots = _shots(text)
    told = [s.description for s in shots if "aux cheveux gris" in s.description]
    assert len(told) <= 1, told
    assert not any(" qui ," in s.description for s in shots), [s.description for s in shots]
