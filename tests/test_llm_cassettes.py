"""Cassette tests: the language-model layer against the real OpenAI wire format.

Replayed from cassettes/test_llm_cassettes/ by default (no server, no network). Re-record
from the scripted stub with ``pytest --record-mode=rewrite tests/test_llm_cassettes.py``, or
against a real endpoint (see docs/llm-and-cassettes.md). Assertions under
``if llm_endpoint.scripted`` hold only for the stub's script; the others for any model.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest
from pydantic import BaseModel, Field
from vcr.errors import CannotOverwriteExistingCassetteException

from storycore.agent.llm import (
    RetryPolicy,
    call_with_retry,
    invoke_with_retry,
    load_llm_prompt,
    stream_reply,
    structured_call,
)
from storycore.agent.usage import UsageTracker
from storycore.tools.domain import AspectField, CameraMovementField, ShotSize, ShotSizeField

from .cassette_support import (
    CASSETTE_DIR,
    REPO_ROOT,
    TEST_API_KEY,
    LLMEndpoint,
    scan_for_secrets,
)

BRIEF = (
    "A 30-second vertical teaser for a night market in Taipei. Two characters: Mei, a street "
    "food cook, and Jun, a courier on a scooter. Neon, steam, rain on the asphalt. We open "
    "on the crowded market and end on Mei handing Jun a bowl of noodles."
)


class BriefSpecs(BaseModel):
    """What a brief states: the specs the planner needs."""

    title: str = Field(min_length=1)
    duration_seconds: float = Field(gt=0, description="Total length in seconds.")
    aspect_ratio: AspectField = Field(description="e.g. 16:9, 9:16, 1:1.")
    characters: list[str] = Field(description="Character names.")
    locations: list[str] = Field(default_factory=list)
    style_words: list[str] = Field(default_factory=list)


class ShotIdea(BaseModel):
    """One shot as the model proposes it (durations are estimates the tools check)."""

    description: str = Field(min_length=1)
    shot_size: ShotSizeField
    camera_movement: CameraMovementField
    duration_seconds: float = Field(gt=0, le=20)
    characters: list[str] = Field(default_factory=list)


class SceneIdea(BaseModel):
    """A scene and its shots."""

    title: str = Field(min_length=1)
    shots: list[ShotIdea] = Field(min_length=1)


class Breakdown(BaseModel):
    """The breakdown of a story into scenes and shots."""

    scenes: list[SceneIdea] = Field(min_length=1)


def brief_messages() -> list[tuple[str, str]]:
    system = load_llm_prompt("system") + "\n" + load_llm_prompt("brief")
    return [("system", system), ("human", BRIEF)]


SCRIPTED_BRIEF = {
    "title": "Night Market",
    "duration_seconds": 30,
    "aspect_ratio": "9:16",
    "characters": ["Mei", "Jun"],
    "locations": ["night market"],
    "style_words": ["neon", "steam", "rain"],
}


@pytest.mark.vcr
def test_brief_in_prose_is_understood_as_specs(llm_endpoint: LLMEndpoint) -> None:
    llm_endpoint.script.reply_structured(SCRIPTED_BRIEF)
    usage = UsageTracker()

    result = structured_call(
        llm_endpoint.chat_model(),
        BriefSpecs,
        brief_messages(),
        retry=llm_endpoint.retry,
        usage=usage,
    )

    specs = result.value
    assert specs.duration_seconds == 30
    assert specs.aspect_ratio == "9:16"
    # A real model may add a description to a name ("Mei, a street food cook").
    assert all(any(name in c for c in specs.characters) for name in ("Mei", "Jun"))
    # The default method asked for the schema as a forced tool call.
    sent = llm_endpoint.sent_requests()
    assert sent[0]["tool_choice"]["function"]["name"] == "BriefSpecs"
    assert usage.input_tokens > 0 and usage.output_tokens > 0
    if llm_endpoint.scripted:
        assert result.repairs == 0
        assert specs.title == "Night Market"


SCRIPTED_BREAKDOWN = {
    "scenes": [
        {
            "title": "The market at night",
            "shots": [
                {
                    "description": "Crowded night market under neon signs, steam rising",
                    "shot_size": "extreme wide shot",
                    "camera_movement": "crane down",
                    "duration_seconds": 4,
                },
                {
                    "description": "Jun weaves his scooter through the crowd in the rain",
                    "shot_size": "WS",
                    "camera_movement": "tracking",
                    "duration_seconds": 5,
                    "characters": ["Jun"],
                },
                {
                    "description": "Mei hands Jun a steaming bowl of noodles",
                    "shot_size": "close-up",
                    "camera_movement": "static",
                    "duration_seconds": 3,
                    "characters": ["Mei", "Jun"],
                },
            ],
        }
    ]
}


@pytest.mark.vcr
def test_breakdown_through_structured_output(llm_endpoint: LLMEndpoint) -> None:
    llm_endpoint.script.reply_structured(SCRIPTED_BREAKDOWN)
    system = load_llm_prompt("system") + "\n" + load_llm_prompt("breakdown")

    result = structured_call(
        llm_endpoint.chat_model(),
        Breakdown,
        [("system", system), ("human", BRIEF)],
        retry=llm_endpoint.retry,
    )

    shots = [shot for scene in result.value.scenes for shot in scene.shots]
    assert shots
    assert all(isinstance(shot.shot_size, ShotSize) for shot in shots)
    if llm_endpoint.scripted:
        # The model's own words became the field's canonical values.
        assert [shot.shot_size for shot in shots] == [ShotSize.EWS, ShotSize.WS, ShotSize.CU]
        assert [shot.duration_seconds for shot in shots] == [4, 5, 3]


@pytest.mark.vcr
def test_malformed_answer_is_repaired_once(scripted_llm: LLMEndpoint) -> None:
    # A local model answering prose with broken JSON instead of the tool call.
    bad_answer = 'Sure! Here is the brief: {"title": "Night Market", "duration_seconds": 30,'
    scripted_llm.script.reply_text(bad_answer)
    scripted_llm.script.reply_structured(SCRIPTED_BRIEF)

    result = structured_call(
        scripted_llm.chat_model(), BriefSpecs, brief_messages(), retry=scripted_llm.retry
    )

    assert result.repairs == 1
    assert result.value.characters == ["Mei", "Jun"]
    first, repair = scripted_llm.sent_requests()
    # The repair request shows the model its answer and what was wrong with it.
    assert repair["messages"][:2] == first["messages"]
    assert repair["messages"][-2] == {"role": "assistant", "content": bad_answer}
    assert "contains no JSON object" in repair["messages"][-1]["content"]
    assert "corrected JSON object only" in repair["messages"][-1]["content"]


@pytest.mark.vcr
def test_rate_limit_then_success_is_retried(scripted_llm: LLMEndpoint) -> None:
    scripted_llm.script.reply_error(429, "Rate limit reached for requests", retry_after=1)
    scripted_llm.script.reply_text("Ready when you are.")
    attempts: list[int] = []
    model = scripted_llm.chat_model()

    def ask() -> Any:
        attempts.append(1)
        return model.invoke([("human", "Are you there?")])

    answer = call_with_retry(ask, attempts=3, initial_wait=0)

    assert answer.content == "Ready when you are."
    assert len(attempts) == 2
    first, second = scripted_llm.sent_requests()
    assert first == second


@pytest.mark.vcr
def test_streamed_plain_answer(llm_endpoint: LLMEndpoint) -> None:
    text = "A close-up holds emotion; a wide shot sets the place."
    llm_endpoint.script.reply_text(text)
    pieces: list[str] = []
    usage = UsageTracker()

    message = stream_reply(
        llm_endpoint.chat_model(),
        [("human", "In one sentence: when do you use a close-up rather than a wide shot?")],
        on_text=pieces.append,
        retry=llm_endpoint.retry,
        usage=usage,
    )

    assert message.content
    assert "".join(pieces) == message.content
    sent = llm_endpoint.sent_requests()[0]
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}
    if llm_endpoint.scripted:
        # Real servers differ here: some send no usage chunk (STORYCORE_STREAM_USAGE=0).
        assert usage.output_tokens > 0
        assert message.content == text
        assert len(pieces) > 1


class ShotDuration(BaseModel):
    """Arguments of the toy tool below."""

    shot_id: str = Field(pattern=r"^shot_\d{2,3}[a-z]?$")
    seconds: float = Field(gt=0)


def set_shot_duration(shot_id: str, seconds: float) -> str:
    """Set how long a shot lasts, in seconds."""
    return f"{shot_id} now lasts {seconds:g} s"


@pytest.mark.vcr
def test_tool_call_round_trip(llm_endpoint: LLMEndpoint) -> None:
    from langchain_core.messages import HumanMessage, ToolMessage
    from langchain_core.tools import StructuredTool

    tool = StructuredTool.from_function(set_shot_duration, args_schema=ShotDuration)
    llm_endpoint.script.reply_tool_call("set_shot_duration", {"shot_id": "shot_05", "seconds": 4})
    llm_endpoint.script.reply_text("Done: shot_05 now lasts 4 s.")
    model = llm_endpoint.chat_model().bind_tools([tool])
    messages: list[Any] = [
        ("system", load_llm_prompt("system")),
        HumanMessage("Shot 5 should last 4 seconds."),
    ]

    call = invoke_with_retry(model, messages, retry=llm_endpoint.retry)
    assert call.tool_calls, "the model answered without calling the tool"
    messages.append(call)
    for tool_call in call.tool_calls:
        messages.append(ToolMessage(tool.invoke(tool_call["args"]), tool_call_id=tool_call["id"]))
    final = invoke_with_retry(model, messages, retry=llm_endpoint.retry)

    assert call.tool_calls[0]["name"] == "set_shot_duration"
    assert ShotDuration.model_validate(call.tool_calls[0]["args"]).seconds == 4
    assert final.content
    second = llm_endpoint.sent_requests()[1]["messages"]
    assert second[-1]["role"] == "tool" and second[-1]["content"] == "shot_05 now lasts 4 s"
    if llm_endpoint.scripted:
        assert final.content == "Done: shot_05 now lasts 4 s."


@pytest.mark.vcr(record_mode="none")
def test_request_missing_from_cassette_fails_without_retry(llm_endpoint: LLMEndpoint) -> None:
    # This test has no cassette on purpose: replay must refuse, not retry or fall back.
    assert llm_endpoint.mode == "replay"
    model = llm_endpoint.chat_model()
    calls: list[int] = []

    def ask() -> object:
        calls.append(1)
        return model.invoke([("human", "This was never recorded.")])

    with pytest.raises(CannotOverwriteExistingCassetteException):
        call_with_retry(ask, attempts=4, initial_wait=0)
    assert calls == [1]


def test_no_secret_reaches_a_cassette() -> None:
    recorded = sorted((CASSETTE_DIR / "test_llm_cassettes").glob("*.yaml"))
    assert len(recorded) >= 6, "the cassettes of this module are missing"

    assert scan_for_secrets() == []


def test_secret_scan_finds_a_leaked_key(tmp_path) -> None:
    leaked = tmp_path / "leak.yaml"
    leaked.write_text(
        "interactions:\n- request:\n    headers:\n      Authorization:\n"
        f"      - Bearer {TEST_API_KEY}\n  response: {{}}\nversion: 1\n",
        encoding="utf-8",
    )

    problems = scan_for_secrets(tmp_path)

    assert any("test key" in p for p in problems)
    assert any("'Authorization' recorded" in p for p in problems)


def test_endpoint_without_vcr_mark_is_the_live_stub(llm_endpoint: LLMEndpoint) -> None:
    # Not a cassette test: without the vcr mark the endpoint is the live stub.
    assert llm_endpoint.mode == "stub"
    assert llm_endpoint.retry == RetryPolicy(attempts=4, initial_wait=0.0)
    llm_endpoint.script.reply_text("pong")
    reply = invoke_with_retry(llm_endpoint.chat_model(), "ping", retry=llm_endpoint.retry)
    assert reply.content == "pong"
    assert llm_endpoint.stub is not None and llm_endpoint.stub.request_log[0]["authorized"]


@pytest.mark.slow
def test_a_cassette_replays_in_another_process() -> None:
    # What a graph resumed in a child process does: make_vcr + replay_context, no fixtures.
    script = textwrap.dedent(
        """
        from storycore.agent.llm import make_chat_model, stream_reply
        from tests.cassette_support import make_vcr, replay_context

        cassette = "test_llm_cassettes/test_streamed_plain_answer.yaml"
        with make_vcr().use_cassette(cassette) as recorded:
            model = make_chat_model(replay_context())
            question = "In one sentence: when do you use a close-up rather than a wide shot?"
            message = stream_reply(model, [("human", question)])
            assert recorded.all_played
        print(message.content)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "", "PYTHONPATH": str(REPO_ROOT)},
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
