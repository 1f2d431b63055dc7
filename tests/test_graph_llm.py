"""The assistant's graph with a language model: a scripted fake chat model (tests/fake_chat.py)
and an in-memory checkpointer.

Planning: the model's reading of a prose brief, its scenes and its element descriptions go
into the plan; a failing model falls back to the deterministic engine and says so; usage adds
up. Conversation: read-only tool calls are answered and the model answers the user; calls
that change the plan are put to the human first, and every tool call gets exactly one answer
(applied, rejected, or an error) before the model is asked again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from storycore.agent.context import Context
from storycore.agent.llm import LLMUnavailable
from storycore.agent.nodes import MAX_TOOL_ROUNDS
from storycore.agent.schemas import BreakdownProposal, BriefInterpretation, ElementDescriptions
from storycore.agent.session import Session
from storycore.tools import catalog
from storycore.tools.errors import InvalidInput
from storycore.tools.planner import read_scenes
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry
from storycore.tools.structure import load_shots, read_shot

from .conftest import snapshot
from .fake_chat import (
    SHORT_FILM,
    FakeChat,
    assert_tool_calls_answered,
    expected_regeneration,
    reply,
    structured,
    tool_calls,
)

CONTEXT = Context(retry_initial_wait=0, max_retries=1)
BRIEF = (
    "A 20-second teaser for a night market in Taipei, to be watched on phones. Mei, a street "
    "food cook, hands Jun, a courier on a scooter, a bowl of noodles in the rain. Neon signs "
    "and steam everywhere."
)
INTERPRETATION = {
    "title": "Night Market",
    "duration_seconds": 20,
    "aspect_ratio": "9:16",
    "style": "neon, steam, rain",
    "characters": [
        {"name": "Mei", "description": "a street food cook"},
        {"name": "Jun", "description": "a courier on a scooter"},
    ],
    "locations": [{"name": "Night market", "description": "a crowded night market in Taipei"}],
    "props": [{"name": "Bowl of noodles", "description": ""}],
}
SCENES = {
    "scenes": [
        {
            "heading": "EXT. NIGHT MARKET - NIGHT",
            "location": "Night market",
            "time_of_day": "night",
            "interior": False,
            "characters": ["Mei", "Jun"],
            "props": ["Bowl of noodles"],
            "description": "Mei hands Jun a bowl of noodles in the rain.",
            "beats": [
                {"kind": "action", "text": "Neon signs and steam over the crowded night market."},
                {"kind": "action", "text": "Jun rides his scooter through the rain."},
                {"kind": "dialogue", "text": "Eat while it's hot!", "character": "Mei"},
                {"kind": "action", "text": "Mei hands Jun a steaming bowl of noodles."},
            ],
        }
    ]
}
NOODLES = "A white ceramic bowl of steaming beef noodles topped with green onions."
HAIR = {"element": "GaBy", "attributes": {"hair": "blonde curly"}}


def session(root: Path, model: FakeChat, **options: Any) -> Session:
    return Session(root, checkpointer=InMemorySaver(), chat_model=model, context=CONTEXT, **options)


def connection_error() -> openai.APIConnectionError:
    request = httpx2.Request("POST", "https://llm.invalid/v1/chat/completions")
    return openai.APIConnectionError(request=request)


def call_id(message: AIMessage, index: int = 0) -> str:
    return str(message.tool_calls[index]["id"])


def tool_answers(messages: list[Any]) -> dict[str, dict[str, Any]]:
    """The JSON answer of each tool call, by call id."""
    return {
        m.tool_call_id: json.loads(str(m.content)) for m in messages if isinstance(m, ToolMessage)
    }


# -- planning with a model -------------------------------------------------------------------


def test_the_models_reading_of_a_prose_brief_is_shown_for_approval(tmp_path: Path) -> None:
    model = FakeChat().add(structured(BriefInterpretation, INTERPRETATION))
    s = session(tmp_path / "market", model)

    turn = s.plan(BRIEF)

    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_brief"
    rows = dict(turn.interrupt["rows"])
    assert rows["title"] == "Night Market"
    assert rows["characters"] == "Mei, Jun"
    assert rows["locations"] == "Night market"
    assert rows["aspect ratio"] == "9:16"
    assert rows["duration"] == "20 s"  # the brief's own words agree
    # One structured call: the schema bound as the forced tool, the brief in the prompt.
    assert model.bound_tools == [["BriefInterpretation"]]
    assert model.tool_choices == ["any"]
    (request,) = model.requests
    assert BRIEF in str(request[-1].content)
    assert s.usage()["total"]["calls"] == 1


def test_a_plan_uses_the_models_scenes_and_element_descriptions(tmp_path: Path) -> None:
    model = FakeChat().add(
        structured(BriefInterpretation, INTERPRETATION, tokens=(500, 100)),
        structured(BreakdownProposal, SCENES, tokens=(700, 300)),
        structured(
            ElementDescriptions,
            {
                "elements": [
                    {"element_id": "prop_bowl_of_noodles", "canonical_description": NOODLES},
                    {"element_id": "char_nobody", "canonical_description": "not asked for"},
                ]
            },
            tokens=(400, 60),
        ),
    )
    root = tmp_path / "market"
    s = session(root, model, auto_approve=True)

    turn = s.plan(BRIEF)

    assert turn.phase == "planned"
    assert model.pending == 0
    assert not any("failed" in m for m in turn.messages)
    project = Project.open(root)
    assert project.manifest.title == "Night Market"
    (scene,) = read_scenes(project)
    assert scene.heading == "EXT. NIGHT MARKET - NIGHT"
    shots = load_shots(project)
    assert {"char_mei", "char_jun"} <= {c for shot in shots for c in shot.characters}
    assert any("Eat while it's hot!" in line.text for shot in shots for line in shot.dialogue)
    registry = AssetRegistry(project)
    assert registry.get("prop_bowl_of_noodles").canonical_description == NOODLES
    assert "char_nobody" not in {e.element_id for e in registry.list()}
    # The elements prompt listed only the element without a description.
    elements_prompt = str(model.requests[2][-1].content)
    assert "prop_bowl_of_noodles" in elements_prompt
    assert "- char_mei" not in elements_prompt
    # Usage adds up over the phases, per model, with a cost.
    usage = s.usage()
    assert usage["total"]["calls"] == 3
    assert usage["total"]["input_tokens"] == 500 + 700 + 400
    assert usage["total"]["output_tokens"] == 100 + 300 + 60
    assert usage["models"]["gpt-4.1-mini"]["cost_usd"] > 0


def test_a_model_that_fails_leaves_planning_to_the_deterministic_engine(
    tmp_path: Path,
) -> None:
    attempts = CONTEXT.max_retries + 1
    model = FakeChat().add(*[connection_error() for _ in range(3 * attempts)])
    s = session(tmp_path / "market", model, auto_approve=True)

    turn = s.plan(BRIEF)

    assert turn.phase == "planned"
    failures = [m for m in turn.messages if m.startswith("The language model failed")]
    assert failures and all("deterministic engine" in m for m in failures)
    assert all("could not connect" in m for m in failures)
    # Each phase that asked retried, then gave up: a bounded number of requests.
    assert len(model.requests) == attempts * len(failures)
    assert load_shots(Project.open(tmp_path / "market"))


def test_a_model_that_keeps_answering_badly_is_repaired_then_left(tmp_path: Path) -> None:
    # No tool call and no JSON: repaired twice (the context's max_repairs), then dropped.
    model = FakeChat().add(*[reply("I think it is about a night market.") for _ in range(3)])
    s = session(tmp_path / "market", model)

    turn = s.plan(BRIEF)

    assert len(model.requests) == 1 + CONTEXT.max_repairs
    assert any("did not produce a valid BriefInterpretation" in m for m in turn.messages)
    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_brief"
    assert dict(turn.interrupt["rows"])["title"] != "Night Market"


# -- conversation ----------------------------------------------------------------------------


def test_a_question_is_answered_after_a_read_only_tool_call(film: Path) -> None:
    answer = "Shot 3 is a close-up insert of the red umbrella, 3 seconds long."
    model = FakeChat().add(tool_calls(("get_shot", {"shot_id": "shot_03"})), answer)
    tokens: list[str] = []
    s = session(film, model)

    turn = s.say(
        "What is shot 3?",
        on_event=lambda kind, data: tokens.append(data) if kind == "token" else None,
    )

    assert turn.interrupt is None
    assert turn.messages == [answer]
    assert "".join(tokens) == answer  # streamed
    # Every catalog tool was offered; the second request carried the tool's answer.
    assert model.bound_tools[0] == [spec.name for spec in catalog.catalog()]
    first, second = model.requests
    assert isinstance(first[-1], HumanMessage)
    result = second[-1]
    assert isinstance(result, ToolMessage) and result.name == "get_shot"
    shot = read_shot(Project.open(film), "shot_03")
    assert json.loads(str(result.content))["description"] == shot.description
    assert_tool_calls_answered(second)
    # Nothing about where the project lives reaches the model.
    assert str(film) not in str(model.requests)


def test_a_change_asked_through_a_tool_is_confirmed_then_reported_to_the_model(
    film: Path,
) -> None:
    call = tool_calls(("update_element", HAIR))
    done = "Done: GaBy now has blonde curly hair in every shot she appears in."
    model = FakeChat().add(call, done)
    before = snapshot(film)
    s = session(film, model)

    turn = s.say("Make GaBy blonde, with curls.")

    payload = turn.interrupt
    assert payload is not None and payload["kind"] == "confirm_changes"
    expected = expected_regeneration(film, "char_gaby")
    assert payload["details"][0] == "Will be regenerated: " + ", ".join(expected)
    assert payload["rows"][0][1].startswith("char_gaby: hair -> blonde curly")
    assert snapshot(film) == before
    assert len(model.requests) == 1  # the model waits for the tool's answer

    turn = s.resume("approve")

    assert turn.messages == [done]
    last_request = model.requests[-1]
    assert_tool_calls_answered(last_request)
    answer = tool_answers(last_request)[call_id(call)]
    assert answer["regenerate"] == expected
    assert answer["applied"] == payload["rows"][0][1:]
    shots = {shot.shot_id: shot for shot in load_shots(Project.open(film))}
    assert all("blonde curly" in shots[i].image_prompt for i in expected if i.startswith("shot"))


def test_rejected_tool_calls_are_each_answered_as_rejected(film: Path) -> None:
    call = tool_calls(
        ("set_shot_field", {"shot_id": "shot_02", "field": "shot_size", "value": "CU"}),
        ("retime_shot", {"shot_id": "shot_05", "duration_seconds": 3}),
    )
    model = FakeChat().add(call, "Understood, I left both shots as they were.", "You're welcome.")
    before = snapshot(film)
    s = session(film, model)
    turn = s.say("Make shot 2 a close-up and shot 5 three seconds long.")
    assert turn.interrupt is not None and len(turn.interrupt["rows"]) == 2

    turn = s.resume("reject")

    assert turn.messages == ["Understood, I left both shots as they were."]
    assert snapshot(film) == before
    after_reject = model.requests[-1]
    answers = tool_answers(after_reject)
    assert set(answers) == {c["id"] for c in call.tool_calls}
    assert all(a == {"error": "the user rejected this change"} for a in answers.values())
    # The next turn's request is valid for OpenAI: no call left without its answer.
    s.say("Thanks")
    assert_tool_calls_answered(model.requests[-1])
    assert isinstance(model.requests[-1][-1], HumanMessage)


def test_feedback_on_a_proposed_tool_call_still_answers_the_call(film: Path) -> None:
    call = tool_calls(("update_element", {"element": "GaBy", "attributes": {"hair": "red"}}))
    model = FakeChat().add(call, "OK: shot 4 is now a close-up instead.")
    s = session(film, model)
    s.say("GaBy should have red hair")
    shot = next(x for x in load_shots(Project.open(film)) if x.shot_size.value != "CU")
    number = int(shot.shot_id.removeprefix("shot_"))

    turn = s.resume(f"no, make shot {number} a close-up instead")
    assert turn.interrupt is not None
    assert turn.interrupt["rows"][0][1].startswith(f"{shot.shot_id}: shot size")
    turn = s.resume("approve")

    assert turn.messages == ["OK: shot 4 is now a close-up instead."]
    request = model.requests[-1]
    assert_tool_calls_answered(request)
    answer = tool_answers(request)[call_id(call)]
    assert answer["applied"][0].startswith(f"{shot.shot_id}: shot size")


def test_read_only_and_changing_calls_in_one_answer(film: Path) -> None:
    call = tool_calls(
        ("list_elements", {"type": "character"}),
        ("update_element", HAIR),
    )
    model = FakeChat().add(call, "Done.")
    s = session(film, model)

    turn = s.say("Check the characters, then make GaBy blonde and curly.")

    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_changes"
    listed = tool_answers(s.values()["messages"])
    assert {e["name"] for e in listed[call_id(call)]["elements"]} >= {"GaBy"}
    s.resume("approve")
    assert_tool_calls_answered(model.requests[-1])
    assert len(tool_answers(model.requests[-1])) == 2


def test_invalid_tool_arguments_go_back_to_the_model(film: Path) -> None:
    call = tool_calls(("retime_shot", {"shot_id": "shot_02", "duration_seconds": -4}))
    model = FakeChat().add(call, "A shot cannot last a negative time; how long should it be?")
    before = snapshot(film)
    s = session(film, model)

    turn = s.say("Shot 2 should be shorter by 4 seconds")

    assert turn.interrupt is None
    assert turn.messages == ["A shot cannot last a negative time; how long should it be?"]
    answer = tool_answers(model.requests[-1])[call_id(call)]
    assert "duration_seconds" in answer["error"]
    assert snapshot(film) == before


def test_a_tool_call_that_changes_nothing_is_answered_without_asking(film: Path) -> None:
    close_up = next(x for x in load_shots(Project.open(film)) if x.shot_size.value == "CU")
    call = tool_calls(
        ("set_shot_field", {"shot_id": close_up.shot_id, "field": "shot_size", "value": "CU"})
    )
    model = FakeChat().add(call, f"{close_up.shot_id} is already a close-up.")

    turn = session(film, model).say(f"Make {close_up.shot_id} a close-up")

    assert turn.interrupt is None
    assert turn.messages == [f"{close_up.shot_id} is already a close-up."]
    answer = tool_answers(model.requests[-1])[call_id(call)]
    assert answer == {"error": f"nothing to change: {close_up.shot_id}: shot size is already CU"}


def test_a_model_that_keeps_calling_tools_is_stopped(film: Path) -> None:
    looping = [
        tool_calls(("get_shot", {"shot_id": f"shot_{i:02d}"}))
        for i in range(1, MAX_TOOL_ROUNDS + 2)
    ]
    model = FakeChat().add(*looping[:MAX_TOOL_ROUNDS], "Shots 1 to 6 are all in scene 1.")

    turn = session(film, model).say("Tell me about every shot, one by one.")

    assert turn.messages == ["Shots 1 to 6 are all in scene 1."]
    # After the bound, the model is asked without tools: it can only answer.
    assert len(model.requests) == MAX_TOOL_ROUNDS + 1
    assert len(model.bound_tools) == MAX_TOOL_ROUNDS


def test_a_failing_model_in_the_chat_falls_back_to_the_offline_parser(film: Path) -> None:
    model = FakeChat().add(LLMUnavailable("rate limited (HTTP 429)", attempts=2))
    s = session(film, model)

    turn = s.say("GaBy's hair should be blonde curly")

    assert turn.messages[0] == (
        "The language model failed (the language model is unavailable after 2 attempts: "
        "rate limited (HTTP 429).); I used the offline parser instead."
    )
    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_changes"
    assert s.values()["proposal"]["regenerate"] == expected_regeneration(film, "char_gaby")
    assert s.values()["proposal"]["source"] == "feedback"


def test_usage_adds_up_over_a_conversation(film: Path) -> None:
    model = FakeChat().add(
        tool_calls(("project_status", {}), tokens=(1000, 10)),
        reply("4 scenes, 32 shots.", tokens=(1200, 8)),
        reply("Yes.", tokens=(1300, 2)),
    )
    s = session(film, model)

    s.say("Where are we?")
    s.say("Is it planned?")

    total = s.usage()["total"]
    assert total["calls"] == 3
    assert total["input_tokens"] == 3500
    assert total["output_tokens"] == 20
    assert total["cost_complete"] is True


def test_a_conversation_after_planning_sends_no_project_path(tmp_path: Path) -> None:
    root = tmp_path / "market"
    model = FakeChat().add(
        structured(BriefInterpretation, INTERPRETATION),
        structured(BreakdownProposal, SCENES),
        structured(ElementDescriptions, {"elements": []}),
        reply("The storyboard is in storyboard.html."),
    )
    s = session(root, model, auto_approve=True)
    s.plan(BRIEF)

    s.say("Where is the storyboard?")

    history = model.requests[-1]
    assert any(
        isinstance(m, AIMessage) and str(m.content).startswith("The plan is ready") for m in history
    )
    assert str(tmp_path) not in str(model.requests)


def test_planning_is_refused_while_a_tool_call_waits_for_its_answer(film: Path) -> None:
    call = tool_calls(("update_element", {"element": "GaBy", "attributes": {"hair": "green"}}))
    model = FakeChat().add(call, "As you wish: GaBy keeps her hair.", "Hello again.")
    s = session(film, model)
    s.say("GaBy should have green hair")

    with pytest.raises(InvalidInput, match="answer the pending question first"):
        s.plan(SHORT_FILM.read_text(encoding="utf-8"), source_name=SHORT_FILM.name)

    assert s.pending() is not None and s.pending()["kind"] == "confirm_changes"
    s.resume("reject")
    s.say("Hello?")
    assert_tool_calls_answered(model.requests[-1])
