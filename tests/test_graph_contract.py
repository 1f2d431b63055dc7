"""The graph as a caller of LangGraph sees it: its JSON schemas, and resumes that cannot
poison a thread (each of these failed before the fix: issue 12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from storycore.agent.confirmations import check_answer
from storycore.agent.context import Context
from storycore.agent.graph import build_graph, graph
from storycore.agent.session import Session
from storycore.tools.errors import InvalidInput

from .fake_chat import SHORT_FILM

OFFLINE = Context.from_env(offline=True)
FILM = SHORT_FILM.read_text(encoding="utf-8")


# -- schemas ------------------------------------------------------------------------------------


def test_the_input_and_output_json_schemas_build_and_are_narrow() -> None:
    given = graph.get_input_jsonschema()
    assert set(given["properties"]) == {
        "request",
        "project_dir",
        "brief_text",
        "brief_source",
        "overrides",
        "auto_approve",
        "messages",
        "production_selection",
    }
    assert given["required"] == ["project_dir"]
    assert given["properties"]["request"]["enum"] == ["plan", "message", "produce"]
    returned = graph.get_output_jsonschema()
    assert set(returned["properties"]) == {
        "project_dir",
        "phase",
        "verdict",
        "proposal",
        "messages",
        "usage",
        "production",
    }
    # The internal bookkeeping stays inside.
    for internal in (
        "repairs",
        "decision",
        "brief",
        "tool_rounds",
        "cost_usd",
        "segments_todo",
        "segment_outcome",
        "production_estimate",
    ):
        assert internal not in given["properties"] and internal not in returned["properties"]


# -- resumes ------------------------------------------------------------------------------------


class Thread:
    """The raw compiled graph on one thread, as LangGraph Server or the SDK drive it."""

    def __init__(self, root: Path) -> None:
        self.graph = build_graph(InMemorySaver())
        self.config: Any = {"configurable": {"thread_id": "t1"}}
        self.root = root

    def plan(self) -> dict[str, Any]:
        start = {
            "request": "plan",
            "project_dir": str(self.root),
            "brief_text": FILM,
            "brief_source": SHORT_FILM.name,
        }
        return self._question(self.graph.invoke(start, self.config, context=OFFLINE))

    def resume(self, answer: Any) -> dict[str, Any]:
        result = self.graph.invoke(Command(resume=answer), self.config, context=OFFLINE)
        return self._question(result)

    @staticmethod
    def _question(result: dict[str, Any]) -> dict[str, Any]:
        interrupts = result.get("__interrupt__") or []
        assert len(interrupts) == 1, result
        return dict(interrupts[0].value)


@pytest.mark.parametrize(
    "garbage",
    # (Command(resume=None) is no resume at all for LangGraph: not an answer to test.)
    [{"action": "bogus"}, ["approve"], {"action": "edit", "edits": "fps=25"}],
)
def test_a_bad_resume_is_asked_again_and_approve_then_goes_on(tmp_path: Path, garbage: Any) -> None:
    thread = Thread(tmp_path / "film")
    first = thread.plan()
    assert first["kind"] == "confirm_brief"

    again = thread.resume(garbage)

    assert again["kind"] == "confirm_brief"
    assert again["details"][0].startswith("Your answer was not accepted: ")
    assert again["rows"] == first["rows"] and again["actions"] == first["actions"]
    assert not (tmp_path / "film").exists()  # nothing was planned on a bad answer
    # The thread is not poisoned: the next answer is read.
    after = thread.resume("approve")
    assert after["kind"] in ("confirm_cost", "confirm_storyboard")
    assert (tmp_path / "film" / "project.json").is_file()


def test_several_bad_resumes_in_a_row_each_get_a_new_question(tmp_path: Path) -> None:
    thread = Thread(tmp_path / "film")
    thread.plan()
    assert "answer with one of" in thread.resume({"action": "maybe"})["details"][0]
    assert (
        "cannot edit style"
        in thread.resume({"action": "edit", "edits": {"style": "X"}})["details"][0]
    )
    # A good edit after two bad answers is the one applied.
    edited = thread.resume({"action": "edit", "edits": {"duration": "60"}})
    assert edited["kind"] == "confirm_brief"
    assert not edited["details"] or not edited["details"][0].startswith("Your answer")
    assert ("duration", "60 s") in [tuple(row) for row in edited["rows"]]


def test_a_change_that_cannot_be_made_at_the_storyboard_is_asked_again(tmp_path: Path) -> None:
    thread = Thread(tmp_path / "film")
    question = thread.plan()
    while question["kind"] != "confirm_storyboard":
        question = thread.resume("approve")
    bad = {"action": "edit", "edits": {"modifications": [{"type": "remove_shot"}]}}

    again = thread.resume(bad)

    assert again["kind"] == "confirm_storyboard"
    assert again["details"][0].startswith("Your answer was not accepted: ")
    final = thread.graph.invoke(Command(resume="approve"), thread.config, context=OFFLINE)
    assert final["phase"] == "planned"


def test_a_session_refuses_a_bad_edit_before_the_thread_and_approve_still_works(
    tmp_path: Path,
) -> None:
    s = Session(tmp_path / "film", checkpointer=InMemorySaver(), context=OFFLINE)
    s.plan(FILM, source_name=SHORT_FILM.name)
    with pytest.raises(InvalidInput, match="cannot edit style"):
        s.resume({"action": "edit", "edits": {"style": "noir"}})
    turn = s.resume("approve")
    assert turn.interrupt is not None and turn.interrupt["kind"] != "confirm_brief"


def test_check_answer_knows_what_each_question_lets_edit() -> None:
    brief = {"actions": ["approve", "edit", "feedback", "reject"], "edit_fields": ["fps"]}
    assert check_answer(brief, "y") == {"action": "approve"}
    assert check_answer(brief, {"action": "edit", "edits": {"fps": "25"}})["edits"] == {"fps": "25"}
    with pytest.raises(InvalidInput, match="cannot edit aspect here; editable: fps"):
        check_answer(brief, {"action": "edit", "edits": {"aspect": "9:16"}})
    board = {"actions": ["approve", "edit"], "edit_fields": ["modifications"]}
    with pytest.raises(InvalidInput, match="'modifications': a list"):
        check_answer(board, {"action": "edit", "edits": {"shot": 3}})
    cost = {"actions": ["approve", "feedback", "reject"]}
    with pytest.raises(InvalidInput, match="answer with one of: approve, feedback, reject"):
        check_answer(cost, {"action": "edit"})
