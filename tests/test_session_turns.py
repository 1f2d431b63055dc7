"""A message to a thread whose last run is over goes straight to the conversation node (the
message is an update of the last checkpoint, no input superstep): the same answers, the same
transcript, one checkpoint a turn, and a process killed at any point of such a turn loses
neither the message nor what the turn did, and the turn is finished by ``recover()``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage

from storycore.agent.context import Context
from storycore.agent.session import Session
from storycore.agent.transcript import iter_lines

from .fake_chat import FakeChat, tool_calls

ONLINE = Context(retry_initial_wait=0, max_retries=1)
OFFLINE = Context.from_env(offline=True)
ROOT = Path(__file__).resolve().parents[1]

# A chat in its own process whose model answers the first question, then is killed (SIGKILL)
# while it answers a later one, after a pause like a model's latency. ``CALLS`` scripts the
# model: "answer" for a text, "tool" for a list_shots call, "kill" to die.
KILLED_CHAT = textwrap.dedent(
    """
    import os, signal, sys, time
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage
    from storycore.agent.context import Context
    from storycore.agent.session import Session

    calls = sys.argv[2].split(",")

    class Dying(GenericFakeChatModel):
        def bind_tools(self, tools, **kwargs):
            return self

        def _generate(self, messages, *args, **kwargs):
            what = calls.pop(0)
            if what == "kill":
                time.sleep(0.05)  # the model's latency: the process dies while it waits
                os.kill(os.getpid(), signal.SIGKILL)
            return super()._generate(messages, *args, **kwargs)

        _stream = GenericFakeChatModel.__mro__[1]._stream  # the answers in one piece

    call = {"name": "list_shots", "args": {}, "id": "call_1", "type": "tool_call"}
    script = iter(
        AIMessage("", tool_calls=[call]) if what == "tool" else AIMessage("Answer.")
        for what in list(calls)
    )
    model = Dying(messages=script)
    context = Context(retry_initial_wait=0, max_retries=1)
    with Session(sys.argv[1], context=context, chat_model=model) as session:
        for text in sys.argv[3:]:
            session.say(text)
    """
)


def run_killed_chat(film: Path, calls: list[str], said: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_CHAT, str(film), ",".join(calls), *said],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == -signal.SIGKILL, done.stderr


def checkpoint_count(session: Session) -> int:
    return len(list(session.checkpointer.list(session.config)))


def test_later_turns_answer_as_the_first_with_one_checkpoint_each(film: Path) -> None:
    model = FakeChat().add("Bonjour.", tool_calls(("list_shots", {})), "Voici les plans.", "Oui.")
    with Session(film, context=ONLINE, chat_model=model) as session:
        assert session.say("bonjour").messages == ["Bonjour."]
        first = checkpoint_count(session)
        assert session.say("quels sont les plans ?").messages == ["Voici les plans."]
        middle = checkpoint_count(session)
        assert session.say("merci").messages == ["Oui."]
        last = checkpoint_count(session)
        kinds = [m.type for m in session.history()]
        state = [m.type for m in session.values()["messages"]]
        path = session.transcript.path
    assert kinds == ["human", "ai", "human", "ai", "tool", "ai", "human", "ai"]
    assert state == ["human", "ai"]  # the state keeps the current turn only
    ids = [line["id"] for line in iter_lines(path)]
    assert len(ids) == len(set(ids)) == 8
    assert middle - first == 3  # converse, run_tools, converse: one checkpoint a step
    assert last - middle == 1  # a plain turn: one checkpoint, the message's own step skipped
    # What the model is sent on a later turn is the conversation in order, the question last.
    assert [m.type for m in model.requests[-1][1:]] == kinds[:-1]


def test_a_change_asked_on_a_later_turn_waits_for_approval_then_applies(film: Path) -> None:
    with Session(film, context=OFFLINE) as session:
        session.say("bonjour")
        turn = session.say("make shot 3 a wide shot")
        assert turn.interrupt is not None and session.pending() is not None
        done = session.say("y")
        assert done.interrupt is None and done.messages[0].startswith("Applied")
        assert session.pending() is None and not session.stopped()


@pytest.mark.parametrize(
    ("calls", "said"),
    [
        # killed while the model answers a later question: the message was only an update
        (["answer", "kill"], ["bonjour", "quels sont les plans ?"]),
        # killed in the model's second call of a later turn, after a tool answered
        (["answer", "tool", "kill"], ["bonjour", "quels sont les plans ?"]),
    ],
    ids=["update-only", "after-a-tool"],
)
def test_a_later_turn_killed_loses_nothing_and_is_finished_by_recover(
    film: Path, calls: list[str], said: list[str]
) -> None:
    run_killed_chat(film, calls, said)
    model = FakeChat().add("Voici les plans.", "De rien.")
    with Session(film, context=ONLINE, chat_model=model) as session:
        assert session.stopped() and session.pending() is None
        asked = [str(m.content) for m in session.history() if m.type == "human"]
        assert asked == said  # the killed turn's question is kept
        turn = session.recover()
        assert turn.messages == ["Voici les plans."] and not session.stopped()
        assert session.say("merci").messages == ["De rien."]
        kinds = [m.type for m in session.history()]
        path = session.transcript.path
    tool = ["ai", "tool"] if "tool" in calls else []
    assert kinds == ["human", "ai", "human", *tool, "ai", "human", "ai"]
    ids = [line["id"] for line in iter_lines(path)]
    assert len(ids) == len(set(ids)) == len(kinds)  # nothing written twice
    asked_model = [m for m in model.requests[0] if not isinstance(m, AIMessage)]
    assert str(asked_model[-1].content) == said[-1] or "tool" in calls


@pytest.mark.parametrize("kept", [0, 1], ids=["no-transcript", "its-last-line-lost"])
def test_what_the_last_state_holds_and_the_transcript_lacks_is_written_at_the_next_turn(
    film: Path, kept: int
) -> None:
    """A thread from before transcripts (none), or one whose transcript lacks the answer the
    state holds: the next turn writes them first, once, in order."""
    with Session(film, context=OFFLINE) as session:
        session.say("bonjour")
        path = session.transcript.path
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:kept]))
    with Session(film, context=OFFLINE) as session:
        session.say("encore bonjour")
        session.say("merci")
    records = list(iter_lines(path))
    said = [(r["message"]["type"], r["message"]["data"]["content"][:14]) for r in records]
    assert [kind for kind, _ in said] == ["human", "ai"] * 3
    assert [text for kind, text in said if kind == "human"] == [
        "bonjour",
        "encore bonjour",
        "merci",
    ]
    assert len({r["id"] for r in records}) == 6
