"""Conversations kept in the project (``.storycore/checkpoints.sqlite``, ``project-id``):
resuming the last thread, choosing one, refusing one the project does not know, and a
confirmation left open in one process answered in another."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from storycore.agent.context import Context
from storycore.agent.session import CHECKPOINTS, PROJECT_ID, SESSIONS, Session
from storycore.tools.errors import InvalidInput, NotFound
from storycore.tools.project import INTERNAL, Project
from storycore.tools.structure import load_shots

from .conftest import snapshot
from .fake_chat import SHORT_FILM, expected_regeneration, shots_showing

OFFLINE = Context.from_env(offline=True)
HAIR = "GaBy's hair should be blonde curly"


def open_session(root: Path, **options: object) -> Session:
    return Session(root, context=OFFLINE, **options)


def test_a_conversation_is_kept_in_the_project(film: Path) -> None:
    with open_session(film) as s:
        assert s.thread_id == "main" and not s.started
        s.say(HAIR)
        assert s.started

    assert (film / INTERNAL / CHECKPOINTS).is_file()
    record = json.loads((film / INTERNAL / PROJECT_ID).read_text(encoding="utf-8"))
    assert record["path"] == str(film.resolve()) and len(record["id"]) == 32
    mirror = json.loads((film / INTERNAL / SESSIONS).read_text(encoding="utf-8"))
    assert mirror == {"last": "main", "threads": ["main"]}  # for the web studio
    with open_session(film) as again:
        assert again.threads() == ["main"]
        assert again.config["configurable"]["thread_id"] == f"{record['id']}/main"


def test_a_new_session_resumes_the_last_thread_and_its_open_question(film: Path) -> None:
    with open_session(film) as first:
        turn = first.say(HAIR)
        asked = turn.interrupt
    assert asked is not None

    with open_session(film) as again:
        assert again.thread_id == "main" and again.started
        assert again.pending() == asked
        turn = again.resume("approve")

    assert turn.interrupt is None
    shots = {s.shot_id: s for s in load_shots(Project.open(film))}
    assert all("blonde curly" in shots[i].image_prompt for i in shots_showing(film, "char_gaby"))


def test_threads_are_chosen_by_id(film: Path) -> None:
    with open_session(film) as s:
        s.say(HAIR)
    with open_session(film, new=True) as other:
        assert other.thread_id == "main-2"
        other.say("make shot 2 a close-up")
        assert other.pending() is not None
        assert other.threads() == ["main", "main-2"]

    with open_session(film, thread_id="main") as s:
        pending = s.pending()
        assert pending is not None and pending["rows"][0][1].startswith("char_gaby: hair")
        s.resume("reject")
        assert s.threads() == ["main-2", "main"]  # the last one used comes last
    with open_session(film) as last:
        assert last.thread_id == "main"
    with open_session(film, thread_id="mine", new=True) as named:
        assert named.thread_id == "mine" and not named.started


def test_an_unknown_thread_is_refused_with_the_known_ones(film: Path) -> None:
    with open_session(film) as s:
        s.say(HAIR)
    with open_session(film, new=True) as s:
        s.say("remove shot 2")

    with pytest.raises(NotFound) as refused:
        open_session(film, thread_id="mian")

    message = str(refused.value)
    assert "no conversation 'mian'" in message
    assert "known threads: main, main-2" in message
    assert "\n" not in message


def test_an_unknown_thread_in_a_new_folder_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="known threads: none yet"):
        open_session(tmp_path / "nowhere", thread_id="main")

    assert not (tmp_path / "nowhere").exists()


def test_a_listed_thread_without_a_checkpoint_is_unknown(film: Path) -> None:
    # The project knows its id, but the checkpoints are gone (the file was deleted).
    with open_session(film) as s:
        s.say(HAIR)
    (film / INTERNAL / CHECKPOINTS).unlink()

    with pytest.raises(NotFound, match="no conversation 'main'"):
        open_session(film, thread_id="main")


@pytest.mark.parametrize("thread", ["", "   ", "x" * 101])
def test_thread_ids_are_checked(film: Path, thread: str) -> None:
    with pytest.raises(InvalidInput, match="1 to 100 characters"):
        open_session(film, thread_id=thread, new=True)


def test_a_new_thread_cannot_take_an_existing_name(film: Path) -> None:
    with open_session(film) as s:
        s.say(HAIR)

    with pytest.raises(InvalidInput, match="already exists"):
        open_session(film, thread_id="main", new=True)


def test_bad_calls_say_what_is_wrong(film: Path, tmp_path: Path) -> None:
    with open_session(film) as s:
        with pytest.raises(InvalidInput, match="empty"):
            s.say("   ")
        with pytest.raises(InvalidInput, match="not waiting"):
            s.resume("approve")
        assert s.usage() == {}
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInput, match="is a file"):
        open_session(tmp_path / "a_file")


def test_an_answer_outside_the_actions_is_refused(film: Path) -> None:
    with open_session(film) as s:
        s.plan(SHORT_FILM.read_text(encoding="utf-8"), source_name=SHORT_FILM.name)
        # confirm_brief offers edit; an edit must name modifications or fields.
        with pytest.raises(InvalidInput, match="answer with one of"):
            s.resume({"action": "maybe"})
        assert s.pending() is not None


@pytest.mark.slow
def test_a_confirmation_left_in_one_process_is_approved_in_another(film: Path) -> None:
    before = snapshot(film)
    expected = expected_regeneration(film, "char_gaby")

    # Process A: the chat, which stops at the confirmation when its input ends.
    chat = [sys.executable, "-m", "storycore.agent.cli.main", "chat", "--offline"]
    done = subprocess.run(
        [*chat, "--project", str(film)],
        input=f"{HAIR}\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Proposed changes" in done.stderr
    assert snapshot(film) == before

    # Process B (this one): the same project, the same thread, the same question.
    with open_session(film) as s:
        assert s.thread_id == "main"
        pending = s.pending()
        assert pending is not None and pending["kind"] == "confirm_changes"
        assert pending["details"][0] == "Will be regenerated: " + ", ".join(expected)
        turn = s.resume("approve")

    assert turn.messages[-1].startswith("Applied: char_gaby: hair -> blonde curly")
    assert Project.open(film).history()[0].note.startswith("feedback: char_gaby")
