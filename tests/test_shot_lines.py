"""A shot's line reads like a shot list: the set-up and what it shows in one sentence
("Close-up of Noa tying her laces"), not the set-up then the story's sentence again; and a
coverage shot of a beat does not repeat the beat's sentence after its set-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from storycore.tools.breakdown import breakdown_brief
from storycore.tools.breakdown.shot_lines import action_line, coverage_line, thing_line
from storycore.tools.domain import Framing
from storycore.tools.planner import plan_project
from storycore.tools.planner.intake import understand
from storycore.tools.project import Project
from storycore.tools.structure import load_shots

CAST = ["Noa", "Uncle Femi"]


@pytest.mark.parametrize(
    ("phrase", "focus", "text", "expected"),
    [
        # the shot's own subject acts: its verbs as participles, the opener dropped
        (
            "Close-up of Noa",
            ["Noa"],
            "At the gate, Noa ties her laces.",
            "Close-up of Noa tying her laces.",
        ),
        (
            "Full shot of Noa",
            ["Noa"],
            "Noa stops, grins and begins to hop.",
            "Full shot of Noa stopping, grinning and beginning to hop.",
        ),
        (
            "Close-up of Noa",
            ["Noa"],
            "She slowly lifts the jar and drops it.",
            "Close-up of Noa slowly lifting the jar and dropping it.",
        ),
        # "they" and "X and Y" include whoever the shot is on
        (
            "Close-up of Uncle Femi",
            ["Uncle Femi"],
            "They sit on the wall and watch the boats.",
            "Close-up of Uncle Femi sitting on the wall and watching the boats.",
        ),
        # after "and", only a verb: "clouds" stays a noun
        (
            "Close-up of Noa",
            ["Noa"],
            "Noa watches the gulls and clouds.",
            "Close-up of Noa watching the gulls and clouds.",
        ),
        # someone else's action, or a thing's: "as" and the clause
        (
            "Close-up of Noa",
            ["Noa"],
            "Uncle Femi shows her the knot.",
            "Close-up of Noa, as Uncle Femi shows her the knot.",
        ),
        (
            "Insert, close-up of the jar",
            [],
            "The jar rolls off the table.",
            "Insert, close-up of the jar, as the jar rolls off the table.",
        ),
        # who someone is to the other before their name: both are the subject
        (
            "Close-up of Noa",
            ["Noa"],
            "Noa and her neighbour Uncle Femi sit by the fire.",
            "Close-up of Noa sitting by the fire.",
        ),
        # someone with a thing or an animal: the clause as written, no participle of "his"
        (
            "Close-up of Noa",
            ["Noa"],
            "Noa and his dog run across the field.",
            "Close-up of Noa, as Noa and his dog run across the field.",
        ),
        # a bracket closes the set-up: a comma before the participle
        (
            "Over Noa's shoulder onto Uncle Femi (medium shot)",
            ["Uncle Femi"],
            "Uncle Femi pours the tea.",
            "Over Noa's shoulder onto Uncle Femi (medium shot), pouring the tea.",
        ),
    ],
)
def test_an_english_coverage_line(phrase: str, focus: list[str], text: str, expected: str) -> None:
    assert coverage_line(phrase, focus, text, CAST, "en") == expected


@pytest.mark.parametrize(
    ("phrase", "focus", "text", "expected"),
    [
        (
            "Gros plan de Noa",
            ["Noa"],
            "Au portail, elle noue ses lacets.",
            "Gros plan de Noa qui noue ses lacets.",
        ),
        (
            "Gros plan de Noa",
            ["Noa"],
            "Oncle Femi lui montre le nœud.",
            "Gros plan de Noa, pendant qu’Oncle Femi lui montre le nœud.",
        ),
        (
            "Gros plan de Noa",
            ["Noa"],
            "Il pleut sur le port.",
            "Gros plan de Noa, pendant qu’il pleut sur le port.",
        ),
    ],
)
def test_a_french_coverage_line(phrase: str, focus: list[str], text: str, expected: str) -> None:
    assert coverage_line(phrase, focus, text, ["Noa", "Oncle Femi"], "fr") == expected


def test_a_beat_shot_is_one_line_only_for_its_own_subject_in_one_sentence() -> None:
    assert action_line("Full shot of Noa", ["Noa"], "Noa runs.", CAST, "en") == (
        "Full shot of Noa running."
    )
    # a few sentences of the framed person's actions: one line, "then" between them
    assert action_line("Full shot of Noa", ["Noa"], "Noa runs. She falls.", CAST, "en") == (
        "Full shot of Noa running, then falling."
    )
    # someone else's sentence, another person spoken to: the first sentence in the line,
    # the others as written (never "Full shot of Noa. Noa runs.", the name twice)
    assert action_line("Full shot of Noa", ["Noa"], "Noa runs. Rain falls.", CAST, "en") == (
        "Full shot of Noa running. Rain falls."
    )
    assert action_line(
        "Full shot of Noa", ["Noa"], "Noa runs. She hands him a jar.", CAST, "en"
    ) == ("Full shot of Noa running. She hands him a jar.")
    # a two-shot, a first sentence of someone else's: told as written
    two = ["Noa", "Uncle Femi"]
    assert action_line("Two-shot", two, "Noa hands him the jar.", CAST, "en") is None
    assert action_line("Full shot of Noa", ["Noa"], "Rain falls on Noa.", CAST, "en") is None
    # a verb it cannot tell ("has", "will"): as written
    assert action_line("Full shot of Noa", ["Noa"], "Noa has a plan.", CAST, "en") is None
    # no rule for other languages
    assert action_line("ノアの全身", ["Noa"], "Noa runs.", CAST, "ja") is None


def test_coverage_of_a_beat_does_not_repeat_its_sentence() -> None:
    text = (
        "# Short\n\nA 60-second film.\n\n## Characters\n- **Noa**: a girl of nine, red cap\n"
        "- **Uncle Femi**: her uncle, fifties, grey beard\n\n## Story\n"
        "On the jetty, Noa struggles with a fishing line. Uncle Femi shows her the knot.\n"
        "The float bobs on the water. Noa laughs and runs along the jetty.\n"
    )
    shots = breakdown_brief(understand(text, source_name="story.md")).shots
    for shot in shots:
        if shot.action:
            # the beat's sentence is told once at most: never "<set-up>. <the sentence>"
            # twice in one beat's coverage
            assert shot.description.count(shot.action) <= 1
    repeated = [
        s.description
        for s in shots
        if s.framing is not Framing.INSERT and s.action and s.description.endswith(s.action)
    ]
    beats = {s.action for s in shots if s.action}
    # each beat's own sentence appears whole in at most one of its shots' descriptions
    assert len(repeated) <= len(beats), repeated
    lines = [s.description for s in shots]
    assert any("Noa struggling with a fishing line" in line for line in lines), lines


def test_a_pronoun_is_not_the_framed_person_when_the_clause_names_them_after_it() -> None:
    line = coverage_line(
        "Gros plan de Femi", ["Femi"], "Sur le quai, elle retrouve Femi.", ["Noa", "Femi"], "fr"
    )
    assert line == "Gros plan de Femi, pendant qu’elle retrouve Femi."
    line = coverage_line("Close-up of Noa", ["Noa"], "He hands Noa a shell.", CAST, "en")
    assert line == "Close-up of Noa, as he hands Noa a shell."


def test_a_relative_clause_about_the_framed_person_is_what_their_shot_shows() -> None:
    line = coverage_line(
        "Close-up of Uncle Femi",
        ["Uncle Femi"],
        "Noa runs past Uncle Femi, who frowns.",
        CAST,
        "en",
    )
    assert line == "Close-up of Uncle Femi frowning."


def test_a_clause_with_no_verb_is_not_said_with_as_and_a_quote_keeps_its_mark() -> None:
    assert (
        coverage_line("Insert of the jar", [], "The jar on the shelf, label “Honey.”", CAST, "en")
        is None
    )
    line = coverage_line("Close-up of Noa", ["Noa"], "Noa whispers “Now.”", CAST, "en")
    assert line == "Close-up of Noa whispering “Now.”"


def test_a_french_qui_goes_only_after_the_framed_name() -> None:
    line = coverage_line(
        "Plan taille sur Noa, Femi en amorce",
        ["Noa"],
        "Noa lui sert un thé.",
        ["Noa", "Femi"],
        "fr",
    )
    assert line == "Plan taille sur Noa, Femi en amorce, pendant que Noa lui sert un thé."


def test_a_prompt_says_the_action_once_when_the_line_tells_it_in_its_own_words(
    tmp_path: Path,
) -> None:
    text = (
        "# Short\n\nA 20-second film.\n\n## Characters\n- **Noa**: a girl of nine, red cap\n\n"
        "## Story\nOn the jetty, Noa climbs a wooden ladder and drops a bucket.\n"
    )
    plan_project(text, tmp_path / "project", source_name="story.md")
    shots = load_shots(Project.open(tmp_path / "project"))
    own = next(s for s in shots if "following Noa climbing" in s.description)
    assert "climbing a wooden ladder" in own.video_prompt
    assert "climbs a wooden ladder" not in own.video_prompt, own.video_prompt


@pytest.mark.parametrize(
    ("phrase", "text", "language", "expected"),
    [
        (
            "Medium shot of Ilka",
            "Ilka unlocks the shed. She drags out a rusty mower and kicks it twice.",
            "en",
            "Medium shot of Ilka unlocking the shed, then dragging out a rusty mower and "
            "kicking it twice.",
        ),
        (
            "Plan taille d'Ilka",
            "Ilka ouvre la remise. Elle sort une vieille tondeuse. Elle soupire.",
            "fr",
            "Plan taille d'Ilka qui ouvre la remise, puis sort une vieille tondeuse, puis soupire.",
        ),
    ],
)
def test_a_few_sentences_of_one_persons_actions_are_one_line(
    phrase: str, text: str, language: str, expected: str
) -> None:
    assert action_line(phrase, ["Ilka"], text, ["Ilka", "Bo"], language) == expected


def test_four_sentences_or_a_name_again_keep_the_later_sentences_as_written() -> None:
    many = "Ilka waits. She sits. She stands. She leaves."
    assert action_line("Full shot of Ilka", ["Ilka"], many, ["Ilka"], "en") == (
        "Full shot of Ilka waiting. She sits. She stands. She leaves."
    )
    again = "Ilka waits. Ilka sits."
    assert action_line("Full shot of Ilka", ["Ilka"], again, ["Ilka"], "en") == (
        "Full shot of Ilka waiting. Ilka sits."
    )


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        # a new subject after "and", with or without its determiner: a clause of its own
        ("glows and smoke rises from the chimney.", "glowing, and smoke rises from the chimney"),
        ("glows and the lid rattles.", "glowing, and the lid rattles"),
        # one thing's verbs
        ("swells and glows.", "swelling and glowing"),
    ],
)
def test_a_things_line_keeps_a_new_subjects_verb(rest: str, expected: str) -> None:
    assert thing_line("Close-up of the kiln", rest) == f"Close-up of the kiln {expected}."
