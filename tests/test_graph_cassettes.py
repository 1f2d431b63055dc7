"""Cassette tests of the assistant's graph: the real ChatOpenAI wire format, end to end.

Replayed from cassettes/test_graph_cassettes/ by default (no server, no network): a chat turn
with a read-only tool call; GaBy's hair change asked in English and in French, put to the
human through a tool call, approved and applied to exactly her shots; a change left waiting
in one process and approved in another (each process replays its own cassette); a prose brief
read by the model at intake.

Record from the scripted stub with
``python -m pytest tests/test_graph_cassettes.py --record-mode=rewrite``; the scripted answers
are what a real model sends. The requests contain the planned short film (its title, shot
range and element ids in the system prompt, shot fields in tool answers), the catalog's tool
schemas and the prompts: re-record after changing any of them. Nothing in a request depends
on where the project lives (checked below), so tmp paths differ freely between runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from storycore.agent.schemas import BriefInterpretation
from storycore.agent.session import Session
from storycore.tools import catalog
from storycore.tools.project import Project
from storycore.tools.structure import load_shots, read_shot

from .cassette_support import CASSETTE_DIR, REPO_ROOT, TEST_API_KEY, LLMEndpoint, scan_for_secrets
from .conftest import snapshot
from .fake_chat import expected_regeneration, shots_showing

MODULE_CASSETTES = CASSETTE_DIR / "test_graph_cassettes"
HAIR = "GaBy's hair should be blonde curly"
HAIR_FR = "les cheveux de GaBy doivent être blonds et bouclés"
HAIR_CALL = {"element": "char_gaby", "attributes": {"hair": "blonde curly"}}


def session(root: Path, endpoint: LLMEndpoint) -> Session:
    return Session(root, context=endpoint.context(), checkpointer=InMemorySaver())


def assert_wire_calls_answered(messages: list[dict[str, Any]]) -> None:
    """In an OpenAI request: every assistant tool call is answered by a tool message."""
    waiting: set[str] = set()
    for message in messages:
        if message["role"] == "tool":
            assert message["tool_call_id"] in waiting
            waiting.discard(message["tool_call_id"])
            continue
        assert not waiting, f"unanswered tool calls {sorted(waiting)}"
        waiting = {call["id"] for call in message.get("tool_calls") or []}
    assert not waiting, f"unanswered tool calls {sorted(waiting)}"


def assert_no_project_path(sent: list[dict[str, Any]], root: Path) -> None:
    text = json.dumps(sent, ensure_ascii=False)
    assert str(root) not in text
    assert str(root.parent) not in text


def approve_hair_change(s: Session, film: Path, payload: dict[str, Any] | None) -> None:
    """The confirmation lists exactly GaBy's shots; approved, they say blonde curly."""
    expected = expected_regeneration(film, "char_gaby")
    assert payload is not None and payload["kind"] == "confirm_changes"
    assert payload["details"][0] == "Will be regenerated: " + ", ".join(expected)
    assert s.values()["proposal"]["source"] == "tool"

    done = s.resume("approve")

    assert done.interrupt is None
    assert done.messages  # the model reports what was done
    shots = {shot.shot_id: shot for shot in load_shots(Project.open(film))}
    gaby = shots_showing(film, "char_gaby")
    assert all("blonde" in shots[i].image_prompt for i in gaby)
    assert not any("blonde" in s.image_prompt for i, s in shots.items() if i not in gaby)


# -- a chat turn with a tool call ------------------------------------------------------------


@pytest.mark.vcr
def test_a_question_is_answered_after_looking_at_the_shot(
    llm_endpoint: LLMEndpoint, film: Path
) -> None:
    llm_endpoint.script.reply_tool_call("get_shot", {"shot_id": "shot_03"})
    llm_endpoint.script.reply_text(
        "Shot 3 is a close-up insert of the red umbrella: static, 85mm macro, eye level."
    )
    before = snapshot(film)
    s = session(film, llm_endpoint)

    turn = s.say("How is shot 3 framed? Look at it before you answer.")

    assert turn.interrupt is None
    assert turn.messages and turn.messages[-1]
    assert snapshot(film) == before
    first, *rest = llm_endpoint.sent_requests()
    assert first["stream"] is True
    assert {tool["function"]["name"] for tool in first["tools"]} == {
        spec.name for spec in catalog.catalog()
    }
    assert first["messages"][0]["role"] == "system"
    assert "shot_01 .. " in first["messages"][0]["content"]
    assert rest, "the model answered without looking at the shot"
    answered = rest[-1]["messages"]
    assert_wire_calls_answered(answered)
    results = [json.loads(m["content"]) for m in answered if m["role"] == "tool"]
    assert any(r.get("shot_id") == "shot_03" for r in results)
    assert_no_project_path(llm_endpoint.sent_requests(), film)
    if llm_endpoint.scripted:
        shot = read_shot(Project.open(film), "shot_03")
        assert results[0]["description"] == shot.description
        assert "close-up" in turn.messages[-1]


# -- GaBy's hair, through a tool call ----------------------------------------------------------


@pytest.mark.vcr
def test_gabys_hair_through_a_tool_call_regenerates_exactly_her_shots(
    llm_endpoint: LLMEndpoint, film: Path
) -> None:
    llm_endpoint.script.reply_tool_call("update_element", HAIR_CALL)
    gaby = shots_showing(film, "char_gaby")
    llm_endpoint.script.reply_text(
        f"Done: GaBy now has blonde curly hair. Her {len(gaby)} shots and their segments "
        "will be regenerated; /undo reverts it."
    )
    s = session(film, llm_endpoint)

    turn = s.say(HAIR)

    calls = [m for m in s.values()["messages"] if getattr(m, "tool_calls", None)]
    assert calls and calls[-1].tool_calls[0]["name"] == "update_element"
    approve_hair_change(s, film, turn.interrupt)
    sent = llm_endpoint.sent_requests()
    assert len(sent) == 2
    assert_wire_calls_answered(sent[-1]["messages"])
    result = json.loads(sent[-1]["messages"][-1]["content"])
    assert result["regenerate"] == expected_regeneration(film, "char_gaby")
    assert_no_project_path(sent, film)


@pytest.mark.vcr
def test_gabys_hair_asked_in_french(llm_endpoint: LLMEndpoint, film: Path) -> None:
    # The project's prompts are in English: the model writes the attribute in English.
    llm_endpoint.script.reply_tool_call("update_element", HAIR_CALL)
    llm_endpoint.script.reply_text(
        "C'est fait : GaBy a maintenant les cheveux blonds et bouclés dans tous ses plans."
    )
    s = session(film, llm_endpoint)

    turn = s.say(HAIR_FR)

    approve_hair_change(s, film, turn.interrupt)
    sent = llm_endpoint.sent_requests()
    assert sent[0]["messages"][-1] == {"role": "user", "content": HAIR_FR}
    assert_wire_calls_answered(sent[-1]["messages"])
    if llm_endpoint.scripted:
        assert turn.interrupt is not None
        assert turn.interrupt["data"]["modifications"][0]["attributes"] == {"hair": "blonde curly"}


# -- a change left in one process, approved in another -------------------------------------

PROCESS_A = textwrap.dedent(
    """
    import json, sys
    from storycore.agent.context import Context
    from storycore.agent.session import Session
    from tests.cassette_support import make_vcr, replay_context

    project, cassette, mode = sys.argv[1:4]
    replaying = mode == "replay"
    ctx = replay_context() if replaying else Context.from_env(
        retry_initial_wait=0.0 if mode == "stub" else 1.0
    )
    with make_vcr("none" if replaying else "all").use_cassette(cassette) as recorded:
        with Session(project, context=ctx) as s:
            turn = s.say(sys.argv[4])
        assert not replaying or recorded.all_played
    print(json.dumps({"thread": s.thread_id, "interrupt": turn.interrupt}))
    """
)


@pytest.mark.slow
@pytest.mark.vcr
def test_a_change_stopped_in_one_process_is_approved_in_another(
    llm_endpoint: LLMEndpoint, film: Path
) -> None:
    # Process A's answer, then this process's (the report after the change is applied).
    llm_endpoint.script.reply_tool_call("update_element", HAIR_CALL)
    llm_endpoint.script.reply_text("Done: GaBy now has blonde curly hair in all her shots.")
    name = "test_a_change_stopped_in_one_process_is_approved_in_another.process_a.yaml"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    if llm_endpoint.mode == "stub":
        env.update(OPENAI_API_KEY=TEST_API_KEY, OPENAI_BASE_URL=str(llm_endpoint.base_url))
    elif llm_endpoint.mode == "real":
        env.update(
            STORYCORE_RECORD_REAL="1",
            OPENAI_API_KEY=llm_endpoint.api_key,
            OPENAI_BASE_URL=llm_endpoint.base_url or "",
            STORYCORE_MODEL=llm_endpoint.model_name,
        )
    if llm_endpoint.mode != "replay":
        (MODULE_CASSETTES / name).unlink(missing_ok=True)  # process A records afresh
    before = snapshot(film)

    arguments = [str(film), f"test_graph_cassettes/{name}", llm_endpoint.mode, HAIR]
    process_a = subprocess.run(
        [sys.executable, "-c", PROCESS_A, *arguments],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert process_a.returncode == 0, process_a.stderr
    stopped = json.loads(process_a.stdout.strip().splitlines()[-1])
    assert stopped["interrupt"]["kind"] == "confirm_changes"
    assert snapshot(film) == before
    assert (MODULE_CASSETTES / name).is_file()

    # Process B (this one): the same project and thread, from the project's SqliteSaver.
    with Session(film, context=llm_endpoint.context()) as s:
        assert s.thread_id == stopped["thread"]
        assert s.pending() == stopped["interrupt"]
        approve_hair_change(s, film, s.pending())

    (request,) = llm_endpoint.sent_requests()  # A's request is in A's cassette
    messages = request["messages"]
    assert_wire_calls_answered(messages)
    assert messages[1] == {"role": "user", "content": HAIR}
    assert messages[-1]["role"] == "tool"
    assert json.loads(messages[-1]["content"])["regenerate"] == expected_regeneration(
        film, "char_gaby"
    )
    assert_no_project_path([request], film)


# -- a prose brief read by the model at intake -------------------------------------------------

BRIEF = (
    "We need a 20-second teaser for a night market in Taipei, made for phones. Mei, a street "
    "food cook, hands Jun, a courier on a scooter, a steaming bowl of noodles in the rain. "
    "Neon signs, steam, wet asphalt."
)


@pytest.mark.vcr
def test_a_prose_brief_is_read_by_the_model_at_intake(
    llm_endpoint: LLMEndpoint, tmp_path: Path
) -> None:
    llm_endpoint.script.reply_structured(
        {
            "title": "Night Market",
            "duration_seconds": 20,
            "aspect_ratio": "9:16",
            "style": "neon, steam, rain",
            "characters": [
                {"name": "Mei", "description": "a street food cook"},
                {"name": "Jun", "description": "a courier on a scooter"},
            ],
            "locations": [{"name": "Night market", "description": "a night market in Taipei"}],
            "props": [{"name": "Bowl of noodles", "description": "a steaming bowl of noodles"}],
        }
    )
    s = session(tmp_path / "market", llm_endpoint)

    turn = s.plan(BRIEF)

    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_brief"
    rows = dict(turn.interrupt["rows"])
    assert "Mei" in rows["characters"] and "Jun" in rows["characters"]
    assert rows["duration"] == "20 s"
    assert rows["aspect ratio"] == "9:16"
    (sent,) = llm_endpoint.sent_requests()
    assert sent["tool_choice"]["function"]["name"] == BriefInterpretation.__name__
    assert BRIEF in sent["messages"][-1]["content"]
    assert s.usage()["total"]["input_tokens"] > 0
    if llm_endpoint.scripted:
        assert rows["title"] == "Night Market"
    s.resume("reject")
    assert not (tmp_path / "market").exists()


# -- the cassettes themselves ------------------------------------------------------------------


def test_the_cassettes_hold_no_secret_and_no_path() -> None:
    recorded = sorted(MODULE_CASSETTES.glob("*.yaml"))
    assert len(recorded) >= 6, "the cassettes of this module are missing"
    assert scan_for_secrets(MODULE_CASSETTES) == []
    for path in recorded:
        text = path.read_text(encoding="utf-8")
        assert "/tmp/" not in text and "pytest-of" not in text, path.name
        assert str(REPO_ROOT) not in text, path.name
