"""Feedback phrasings of issue 11, on a plan the examples do not contain: corrections that
name the old value, "has a beard", longer/shorter, swaps, camera speed words, local models,
a shot's model, and a framing change that rewrites the framing words of the description."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from storycore.tools.critic import critique
from storycore.tools.feedback import parse_feedback
from storycore.tools.model_registry import ModelRegistry
from storycore.tools.planner import plan_project
from storycore.tools.project import Project
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.structure import load_shots

BRIEF = """---
title: Harbour Light
duration: 24s
aspect_ratio: "16:9"
resolution: 1280x720
fps: 24
---

## Characters
- **Ines**: a harbour pilot in her 50s, short grey hair, red jacket, navy trousers

## Locations
- **Quay**: a granite quay with iron bollards

## Scenes
- **Quay at dawn**: Ines walks along the quay and checks the ropes (8s)
- **Pilot boat**: Ines steers the small boat out of the harbour (8s)
- **Open sea**: the boat cuts through the grey swell (8s)
"""


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("harbour") / "plan"
    plan_project(BRIEF, root, source_name="harbour.md")
    return root


@pytest.fixture
def project(planned: Path, tmp_path: Path) -> Project:
    shutil.copytree(planned, tmp_path / "plan")
    return Project.open(tmp_path / "plan")


def _mods(text: str, project: Project) -> list[dict[str, Any]]:
    parsed = parse_feedback(text, project)
    assert parsed.understood, (text, parsed.unparsed)
    return [
        {"kind": m.kind, **m.model_dump(mode="json", exclude_defaults=True)}
        for m in parsed.modifications
    ]


def _seconds(project: Project, shot_id: str) -> float:
    rate = project.manifest.technical_specs.rate
    shot = next(s for s in load_shots(project) if s.shot_id == shot_id)
    return float(shot.duration_frames / rate)


@pytest.mark.parametrize(
    ("text", "attributes"),
    [
        ("Ines's jacket should be green instead of red", {"jacket": "green"}),
        ("Ines's trousers should be black, not navy", {"trousers": "black"}),
        ("la veste d'Ines doit être verte, pas rouge", {"jacket": "green"}),
        ("la veste d'Ines doit être verte au lieu de rouge", {"jacket": "green"}),
        ("Ines has a moustache", {"beard": "moustache"}),
        ("Ines wears glasses", {"glasses": "glasses"}),
        ("Ines porte une barbe", {"beard": "beard"}),
        ("Ines porte des lunettes", {"glasses": "glasses"}),
    ],
)
def test_looks(project: Project, text: str, attributes: dict[str, str]) -> None:
    assert _mods(text, project) == [
        {"kind": "update_element", "element": "char_ines", "attributes": attributes}
    ]


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("make shot 2 longer", 2.0),
        ("make shot 2 three seconds longer", 3.0),
        ("make shot 2 1.5 seconds shorter", -1.5),
        ("shorten shot 2 by one second", -1.0),
        ("shot 2 should be a bit longer", 2.0),
        ("rallonge le plan 2 de 2 secondes", 2.0),
        ("raccourcis le plan 2 d'une seconde", -1.0),
        ("rends le plan 2 plus court", -2.0),
    ],
)
def test_longer_and_shorter(project: Project, text: str, delta: float) -> None:
    before = _seconds(project, "shot_02")
    (mod,) = _mods(text, project)
    assert mod["kind"] == "retime_shot" and mod["shot_id"] == "shot_02"
    assert mod["duration_seconds"] == pytest.approx(before + delta, abs=1e-3)


def test_a_shot_cannot_be_made_shorter_than_nothing(project: Project) -> None:
    from storycore.tools.errors import InvalidInput

    with pytest.raises(InvalidInput, match="cannot be 60 s shorter"):
        parse_feedback("make shot 2 60 seconds shorter", project)


@pytest.mark.parametrize("text", ["swap shots 1 and 3", "échange les plans 1 et 3"])
def test_swap(project: Project, text: str) -> None:
    order = [s.shot_id for s in load_shots(project)]
    apply_changes(project, plan_changes(project, parse_feedback(text, project).modifications))
    after = [s.shot_id for s in load_shots(project)]
    expected = list(order)
    expected[0], expected[2] = order[2], order[0]
    assert after == expected


def test_swap_neighbours(project: Project) -> None:
    order = [s.shot_id for s in load_shots(project)]
    apply_changes(
        project,
        plan_changes(project, parse_feedback("swap shot 2 with shot 3", project).modifications),
    )
    after = [s.shot_id for s in load_shots(project)]
    assert after[1:3] == [order[2], order[1]] and after[3:] == order[3:]


@pytest.mark.parametrize(
    "text",
    ["gentle dolly in on shot 2", "slow push-in on shot 2", "travelling avant lent sur le plan 2"],
)
def test_speed_words_do_not_hide_the_movement(project: Project, text: str) -> None:
    assert _mods(text, project) == [
        {
            "kind": "set_shot_field",
            "shot_id": "shot_02",
            "field": "camera_movement",
            "value": "dolly_in",
        }
    ]


@pytest.mark.parametrize(
    "text",
    [
        "use a local model for shot 2",
        "shot 2 should use a local model",
        "utilise un modèle local pour le plan 2",
    ],
)
def test_a_local_model_for_a_shot(project: Project, text: str) -> None:
    (mod,) = _mods(text, project)
    assert mod["kind"] == "set_model" and mod["shot_ids"] == ["shot_02"]
    assert ModelRegistry.load(project.root).get(mod["model_id"]).local


@pytest.mark.parametrize(
    ("text", "model_id"),
    [
        ("switch the model of shot 2 to Kling", "kling_25"),
        ("change the model for shot 2 to Veo 3", "veo3"),
        ("shot 2 should use Veo 3", "veo3"),
        ("le plan 2 doit utiliser Kling", "kling_25"),
    ],
)
def test_the_model_of_one_shot(project: Project, text: str, model_id: str) -> None:
    assert _mods(text, project) == [
        {"kind": "set_model", "model_id": model_id, "shot_ids": ["shot_02"]}
    ]


def test_a_framing_change_rewrites_the_framing_words(project: Project) -> None:
    shot = next(s for s in load_shots(project) if s.shot_size.value in ("WS", "EWS"))
    number = shot.shot_id.removeprefix("shot_")
    assert "wide shot" in shot.description.lower()
    modifications = parse_feedback(f"make shot {number} a close-up", project).modifications
    apply_changes(project, plan_changes(project, modifications))
    after = next(s for s in load_shots(project) if s.shot_id == shot.shot_id)
    assert after.shot_size.value == "CU"
    for text in (after.description, after.image_prompt, after.video_prompt):
        assert "wide shot" not in text.lower(), text
    assert "close-up" in after.description.lower()
    assert critique(project, kinds=["framing_contradiction"]).findings == []


# -- questions about the plan, and the phrasings closest to what was not understood --------


def test_questions_are_answered_from_the_project(project: Project) -> None:
    from storycore.tools.feedback.questions import answer_question

    shots = load_shots(project)
    second = shots[1]
    answer = answer_question(project, "what is shot 2?")
    assert answer is not None and answer.startswith("shot_02 (scene")
    assert second.shot_size.value in answer and "Ines" in answer
    assert answer_question(project, "c'est quoi le plan 2 ?") == answer
    showing = [s.shot_id for s in shots if "char_ines" in s.characters]
    expected = f"Ines is in {len(showing)} shots: {', '.join(showing)}."
    assert answer_question(project, "which shots show Ines?") == expected
    assert answer_question(project, "quels plans montrent Ines ?") == expected
    rate = project.manifest.technical_specs.rate
    scene_two = [s for s in shots if s.scene == "2"]
    seconds = float(sum(s.duration_frames for s in scene_two) / rate)
    answer = answer_question(project, "how long is scene 2?")
    assert answer is not None and answer.startswith(f"Scene 2 lasts {seconds:g} s")
    assert answer_question(project, "combien dure la scène 2 ?") == answer
    assert answer_question(project, "how many shots?") == f"The plan has {len(shots)} shots."
    assert answer_question(project, "make shot 2 a close-up") is None


def test_a_question_about_a_scene_that_does_not_exist(project: Project) -> None:
    from storycore.tools.errors import NotFound
    from storycore.tools.feedback.questions import answer_question

    with pytest.raises(NotFound, match="no scene 9"):
        answer_question(project, "how long is scene 9?")


def test_offline_chat_answers_questions_instead_of_the_help(project: Project) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    from storycore.agent import Context, Session

    session = Session(
        project.root, checkpointer=InMemorySaver(), context=Context.from_env(offline=True)
    )
    turn = session.say("which shots show Ines?")
    assert turn.interrupt is None
    assert len(turn.messages) == 1 and turn.messages[0].startswith("Ines is in ")


def test_what_is_not_understood_gets_the_closest_phrasings(project: Project) -> None:
    from storycore.tools.feedback.questions import closest_phrasings

    assert closest_phrasings(project, "make shot 3 much tighter")[0] == "make shot 3 a close-up"
    assert "Ines has a beard" in closest_phrasings(project, "Ines needs a hat")


@pytest.mark.parametrize(
    ("request_text", "language"),
    [
        ("the vibe is weird", "en"),  # too short to tell: the project's language
        ("make the whole thing feel more dreamy and strange", "en"),
        ("il faut que le film soit plus étrange, avec une ambiance de rêve", "fr"),
    ],
)
def test_the_closest_phrasings_are_in_the_language_of_the_request(
    project: Project, request_text: str, language: str
) -> None:
    from storycore.tools.feedback.questions import PHRASINGS_BY_LANGUAGE, closest_phrasings

    hints = closest_phrasings(project, request_text)
    templates = PHRASINGS_BY_LANGUAGE[language]
    assert len(hints) == 3
    for hint in hints:
        # each hint is one of this language's phrasings, filled in
        assert any(_same_template(hint, t) for t in templates), (hint, templates)


def _same_template(hint: str, template: str) -> bool:
    import re

    pattern = re.escape(template)
    for slot in (r"\$shot", r"\$next", r"\$name"):
        pattern = pattern.replace(re.escape(slot.replace("\\", "")), r".+?")
    return re.fullmatch(pattern, hint) is not None
