"""A long conversation: the checkpoints keep the current turn only, the whole conversation is
in the thread's transcript (shown by Session.history, the chat's /history and the web API), the
model is sent a bounded window with a summary of older turns, and a crash mid-turn loses
nothing and writes nothing twice."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from starlette.testclient import TestClient

from storycore.agent import transcript as transcript_module
from storycore.agent.context import Context
from storycore.agent.conversation import HISTORY_WINDOW
from storycore.agent.session import SESSIONS, Session
from storycore.agent.transcript import TRANSCRIPTS, Transcript, iter_lines, keep_current_turn
from storycore.agent.web.app import create_app
from storycore.tools.project import INTERNAL

from .fake_chat import FakeChat, tool_calls

OFFLINE = Context.from_env(offline=True)
CHAT_CLI = [sys.executable, "-m", "storycore.agent.cli.main", "chat"]
ONLINE = Context(retry_initial_wait=0, max_retries=1)
LIMIT = 8 * 1024
CHAT = [sys.executable, "-m", "storycore.agent.cli.main", "chat"]


def checkpoint_bytes(root: Path) -> int:
    with sqlite3.connect(root / INTERNAL / "checkpoints.sqlite") as conn:
        total = conn.execute(
            "SELECT COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0) FROM checkpoints"
        ).fetchone()[0]
        total += conn.execute("SELECT COALESCE(SUM(LENGTH(value)), 0) FROM writes").fetchone()[0]
    return int(total)


def chars(request: list[BaseMessage]) -> int:
    return sum(len(str(m.content)) for m in request)


# -- the checkpoint stays the same size ---------------------------------------------------------


def test_a_turn_adds_the_same_few_bytes_at_turn_5_and_turn_40(film: Path) -> None:
    added: list[int] = []
    with Session(film, context=OFFLINE) as session:
        session.say("qu'est-ce qui reste à faire ?")  # creates the thread and its tables
        for _ in range(40):
            before = checkpoint_bytes(film)
            session.say("qu'est-ce qui reste à faire ?")
            added.append(checkpoint_bytes(film) - before)
        assert len(session.values()["messages"]) == 2  # the current turn only
    assert added[4] < LIMIT and added[39] < LIMIT, added
    assert abs(added[39] - added[4]) <= 64, added  # no growth with the conversation


def test_the_state_keeps_the_current_turn_and_the_calls_it_answers() -> None:
    from langchain_core.messages import AIMessage, ToolMessage

    old = [HumanMessage("a", id="1"), AIMessage("b", id="2")]
    call = AIMessage("", id="4", tool_calls=[{"name": "t", "args": {}, "id": "c1"}])
    turn = [HumanMessage("c", id="3"), call, ToolMessage("r", tool_call_id="c1", id="5")]
    assert [m.id for m in keep_current_turn(old, turn)] == ["3", "4", "5"]
    # A run without a message of the user (plan, produce) keeps a bounded tail.
    notes = [AIMessage(f"note {i}", id=f"n{i}") for i in range(100)]
    kept = keep_current_turn([], notes)
    assert len(kept) == transcript_module.MAX_STATE_MESSAGES and kept[-1].id == "n99"


# -- the whole conversation is shown, the model sees a bounded window ------------------------


@pytest.fixture(scope="module")
def long_talk(
    film_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, FakeChat]]:
    """200 turns with a scripted model, each question and answer its own (once per module:
    the tests only read it)."""
    film = Path(shutil.copytree(film_template, tmp_path_factory.mktemp("talk") / "film"))
    model = FakeChat().add(*[f"Réponse numéro {n}." for n in range(200)])
    with Session(film, context=ONLINE, chat_model=model) as session:
        for n in range(200):
            session.say(f"Question numéro {n} sur le plan ?")
    yield film, model


def test_after_200_turns_every_message_is_shown_in_order(long_talk: tuple[Path, Any]) -> None:
    film, _ = long_talk
    with Session(film, context=OFFLINE) as session:  # another process would see the same
        said = [str(m.content) for m in session.history()]
    assert len(said) == 400
    assert said[0] == "Question numéro 0 sur le plan ?" and said[1] == "Réponse numéro 0."
    assert said[-2:] == ["Question numéro 199 sur le plan ?", "Réponse numéro 199."]
    lines = list(iter_lines(next((film / INTERNAL / TRANSCRIPTS).glob("*.jsonl"))))
    assert len(lines) == 400 and len({line["id"] for line in lines}) == 400  # none twice


def test_the_web_api_and_the_chat_show_the_whole_conversation(long_talk: tuple[Path, Any]) -> None:
    film, _ = long_talk
    with TestClient(create_app(film, context=OFFLINE), base_url="http://127.0.0.1") as client:
        shown = client.get("/api/threads/main").json()["messages"]
    assert len(shown) == 400
    assert shown[0] == {"role": "user", "text": "Question numéro 0 sur le plan ?"}
    assert shown[-1]["text"] == "Réponse numéro 199."
    done = subprocess.run(
        [*CHAT, "--project", str(film), "--offline"],
        input="/history 3\n/history\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[:3] == [
        "storycore> Réponse numéro 198.",
        "you> Question numéro 199 sur le plan ?",
        "storycore> Réponse numéro 199.",
    ]
    assert out[3] == "you> Question numéro 0 sur le plan ?" and len(out) == 3 + 400


def test_the_model_input_is_bounded_with_a_summary_of_older_turns(
    long_talk: tuple[Path, FakeChat],
) -> None:
    _, model = long_talk
    early, middle, late = model.requests[4], model.requests[49], model.requests[199]
    assert len(early) == 1 + 9  # the system prompt, four turns and the question
    assert len(middle) == len(late) == 1 + HISTORY_WINDOW
    assert abs(chars(late) - chars(middle)) <= 40  # the numbers grow by a digit at most
    assert isinstance(late[0], SystemMessage)
    assert "older messages are not shown" not in str(early[0].content)
    system = str(late[0].content)
    assert "older messages are not shown" in system
    assert "Question numéro 186 sur le plan ?" in system  # just before the window
    assert "Question numéro 0 " not in system  # long gone: the summary is bounded too
    assert str(late[-1].content) == "Question numéro 199 sur le plan ?"


# -- crashes, secrets, confinement -------------------------------------------------------------


def crash_mid_turn(
    film: Path, monkeypatch: pytest.MonkeyPatch, model: FakeChat, question: str
) -> None:
    """Run a turn that crashes after run_tools wrote its answer, before its checkpoint."""
    real = Transcript.append
    calls = {"n": 0}

    def crash_after_writing(self: Transcript, messages: list[BaseMessage]) -> int:
        written = real(self, messages)
        calls["n"] += 1
        if calls["n"] == 2:  # run_tools wrote its answer; its checkpoint never comes
            raise RuntimeError("the power went off")
        return written

    monkeypatch.setattr(Transcript, "append", crash_after_writing)
    with Session(film, context=ONLINE, chat_model=model) as session, pytest.raises(RuntimeError):
        session.say(question)
    monkeypatch.setattr(Transcript, "append", real)


def test_a_crash_mid_turn_loses_nothing_and_writes_nothing_twice(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = FakeChat().add(tool_calls(("list_shots", {})), "Voici les plans.", "Rien d'autre.")
    crash_mid_turn(film, monkeypatch, model, "quels sont les plans ?")
    with Session(film, context=ONLINE, chat_model=model) as session:
        assert session.stopped()
        turn = session.recover()
        assert turn.messages == ["Voici les plans."] and not session.stopped()
        session.say("merci")
        kinds = [m.type for m in session.history()]
        path = session.transcript.path
    assert kinds == ["human", "ai", "tool", "ai", "human", "ai"]
    ids = [line["id"] for line in iter_lines(path)]
    assert len(ids) == len(set(ids)) == 6  # the tool's answer was not written again


def test_storycore_chat_finishes_a_turn_a_crash_stopped_before_anything_else(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = FakeChat().add(tool_calls(("list_shots", {})), "Here are the shots.")
    crash_mid_turn(film, monkeypatch, model, "which shots are there?")
    with Session(film, context=OFFLINE) as session:
        assert session.stopped()

    result = subprocess.run(
        [*CHAT_CLI, "--project", str(film), "--offline"],
        input="/quit\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "stopped in the middle" in result.stderr
    with Session(film, context=OFFLINE) as session:
        assert not session.stopped()
        kinds = [m.type for m in session.history()]
    assert kinds[:3] == ["human", "ai", "tool"] and kinds[3] == "ai"  # the turn was finished
    assert len(kinds) == 4


def test_a_torn_last_line_is_skipped_and_the_next_turn_written_after_it(film: Path) -> None:
    with Session(film, context=OFFLINE) as session:
        session.say("bonjour")
        with open(session.transcript.path, "ab") as handle:
            handle.write(b'{"id": "torn", "h": "00", "message": {"ty')  # a crash mid-write
        session.say("encore bonjour")
        said = [str(m.content) for m in session.history() if m.type == "human"]
    assert said == ["bonjour", "encore bonjour"]


def test_secrets_never_reach_the_transcript_and_it_is_private(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-proj-Zq8tEXAMPLEexample0123456789"
    monkeypatch.setenv("MY_SERVICE_TOKEN", "tok-very-secret-42")
    with Session(film, context=OFFLINE) as session:
        session.say(f"my key is {key} and the token tok-very-secret-42, db postgres://u:pw9@h/x")
        path = session.transcript.path
    text = path.read_text(encoding="utf-8")
    assert key not in text and "tok-very-secret-42" not in text and "pw9@" not in text
    assert "my key is sk-***" in text
    assert os.stat(path).st_mode & 0o077 == 0


def test_a_transcripts_folder_linked_outside_the_project_is_not_followed(
    film: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (film / INTERNAL / TRANSCRIPTS).symlink_to(outside, target_is_directory=True)
    with Session(film, context=OFFLINE) as session:
        turn = session.say("bonjour")
        assert turn.messages  # the conversation goes on
        assert [m.type for m in session.history()] == ["human", "ai"]  # from the state
    assert list(outside.iterdir()) == []


# -- the studio's threads come from the checkpoints ----------------------------------------------


def test_the_studio_lists_threads_from_the_checkpoints_not_a_mirror_file(film: Path) -> None:
    with Session(film, context=OFFLINE) as session:
        session.say("bonjour")
    with Session(film, context=OFFLINE, thread_id="revue", new=True) as session:
        session.say("bonsoir")
    (film / INTERNAL / SESSIONS).write_text(json.dumps({"last": None, "threads": []}), "utf-8")
    with TestClient(create_app(film, context=OFFLINE), base_url="http://127.0.0.1") as client:
        threads = client.get("/api/threads").json()["threads"]
        shown = client.get("/api/threads/revue").json()["messages"]
    assert threads == ["main", "revue"]
    assert [m["text"] for m in shown][:1] == ["bonsoir"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_change_confirmed_in_another_process_keeps_the_whole_conversation(
    film: Path, backend: str
) -> None:
    url = os.environ.get("STORYCORE_TEST_POSTGRES_URL", "") if backend == "postgres" else ""
    if backend == "postgres" and not url:
        pytest.skip("STORYCORE_TEST_POSTGRES_URL is not set (.ci/run starts a PostgreSQL server)")
    with Session(film, context=OFFLINE, checkpoint_url=url) as first:
        first.say("bonjour")
        assert first.say("le plan 2 doit être un gros plan").interrupt is not None
        thread = first.thread_id
    with Session(film, context=OFFLINE, checkpoint_url=url, thread_id=thread) as again:
        again.resume("approve")
        again.say("merci")
        assert [m.type for m in again.values()["messages"]] == ["human", "ai"]
        said = [str(m.content) for m in again.history() if m.type == "human"]
        applied = [str(m.content) for m in again.history() if m.type == "ai"]
    assert said == ["bonjour", "le plan 2 doit être un gros plan", "merci"]
    assert any(text.startswith("Applied") for text in applied), applied


@pytest.mark.parametrize("count", [1, 3, 10, 40, 130])
def test_the_tail_of_a_long_transcript_is_its_last_messages(tmp_path: Path, count: int) -> None:
    # Short and long lines mixed (some longer than a read block), past 64 KiB in all: the
    # last messages are found whole and in order, and an append of messages already written
    # leaves the file as it was.
    (tmp_path / INTERNAL).mkdir()
    transcript = Transcript(tmp_path, "p/main")
    said: list[BaseMessage] = []
    for n in range(160):
        text = f"Question {n}?" if n % 7 else "a long answer. " * (600 if n % 21 else 6000)
        said.append(HumanMessage(text, id=f"m{n}"))
    transcript.append(said)
    before = transcript.path.read_bytes()
    assert len(before) > 64 * 1024
    tail = transcript.tail(count)
    assert [(m.id, m.content) for m in tail] == [(m.id, m.content) for m in said[-count:]]
    assert transcript.append(said[-count:]) == 0
    assert transcript.path.read_bytes() == before


def test_secret_values_found_whatever_the_case_of_their_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("my_service_token", "tok-abcdef123")
    monkeypatch.setenv("Db_Password", "hunter2hunter2")
    monkeypatch.setenv("PLAIN_VALUE", "visible-value")
    (tmp_path / INTERNAL).mkdir()
    transcript = Transcript(tmp_path, "p/main")
    transcript.append([HumanMessage("tok-abcdef123 and hunter2hunter2 and visible-value", id="s1")])
    text = transcript.path.read_text(encoding="utf-8")
    assert "tok-abcdef123" not in text and "hunter2hunter2" not in text
    assert "visible-value" in text
