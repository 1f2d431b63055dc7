"""The catalog's tools as a model sees them: descriptions, examples, and errors as tool errors.

Every consumer (the assistant's own model, a host's LangChain agent, an MCP client) reads
``ToolSpec.description``: each tool must say what it does or changes, its arguments and an
example call that really works on a planned project. A call a user's input makes fail
comes back as a tool error (``status="error"``), never as a success, and the assistant's
own graph still answers every call.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from storycore.agent.context import Context
from storycore.agent.session import Session
from storycore.agent.toolkit import answer_tool_call, make_tools, mutating_tool_names
from storycore.tools import catalog
from storycore.tools.project import Project
from storycore.tools.structure import read_shot

from .conftest import snapshot
from .fake_chat import FakeChat, assert_tool_calls_answered, tool_calls

SPECS = catalog.catalog()
MUTATING = [spec for spec in SPECS if spec.mutating]
READ_ONLY = [spec for spec in SPECS if not spec.mutating]


def call(name: str, args: dict[str, Any], call_id: str = "call_1") -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def tool(name: str, project: Path) -> Any:
    return next(t for t in make_tools(project) if t.name == name)


# -- descriptions --------------------------------------------------------------------------


def test_every_tool_has_its_own_description() -> None:
    descriptions = [spec.description for spec in SPECS]
    assert len(set(descriptions)) == len(descriptions) == 22
    assert not any("Apply one modification" in d for d in descriptions)


@pytest.mark.parametrize("spec", MUTATING, ids=lambda s: s.name)
def test_a_changing_tool_says_what_it_changes_its_arguments_and_an_example(
    spec: catalog.ToolSpec,
) -> None:
    text = spec.description
    # What it changes: the modification's own documentation, not a generic sentence.
    assert text.startswith(" ".join(str(spec.args.__doc__).split()))
    assert "Changes the plan" in text
    arguments = [name for name in spec.args.model_fields if name != "kind"]
    assert f"Arguments: {', '.join(arguments)}" in text.replace(" (optional)", "")
    assert f"Example: {spec.name}({json.dumps(spec.example, ensure_ascii=False)})" in text


def test_every_tool_has_an_example_and_every_example_a_tool() -> None:
    assert set(catalog.EXAMPLES) == {spec.name for spec in SPECS}
    for spec in SPECS:
        spec.args.model_validate(spec.example)  # a valid call of that tool


@pytest.mark.parametrize("spec", READ_ONLY, ids=lambda s: s.name)
def test_a_read_only_example_works_on_a_planned_film(spec: catalog.ToolSpec, film: Path) -> None:
    before = snapshot(film)
    result = catalog.call(spec.name, spec.example, film)
    assert isinstance(result, dict) and result
    if spec.name != "export_project":
        assert snapshot(film) == before


@pytest.mark.parametrize("spec", MUTATING, ids=lambda s: s.name)
def test_a_changing_example_changes_a_planned_film(spec: catalog.ToolSpec, film: Path) -> None:
    if spec.name == "unlock":  # only a locked item can be unlocked
        catalog.call("lock", spec.example, film)
    before = snapshot(film)
    result = catalog.call(spec.name, spec.example, film)
    assert result["modifications"][0]["kind"] == spec.name
    assert snapshot(film) != before
    Project.open(film).undo()
    assert snapshot(film) == before


def test_the_assistant_and_a_host_see_the_same_descriptions_and_schemas(film: Path) -> None:
    tools = make_tools(film)
    assert [t.name for t in tools] == [spec.name for spec in SPECS]
    for t, spec in zip(tools, SPECS, strict=True):
        assert t.description == spec.description
        assert t.args_schema is spec.args


def test_mutating_tool_names_is_read_from_the_catalog_flag() -> None:
    from storycore.agent.routing import MUTATING_TOOLS

    names = mutating_tool_names()
    assert names == [spec.name for spec in SPECS if spec.mutating]
    assert len(names) == 12 and "update_element" in names and "get_shot" not in names
    assert set(names) == set(MUTATING_TOOLS)  # what the assistant's graph confirms


# -- errors are tool errors ----------------------------------------------------------------


def test_a_tool_answers_a_good_call_with_its_json(film: Path) -> None:
    answer = tool("get_shot", film).invoke(call("get_shot", {"shot_id": "shot_03"}))
    assert isinstance(answer, ToolMessage) and answer.status == "success"
    assert json.loads(str(answer.content))["shot_id"] == "shot_03"


def test_a_domain_error_is_a_tool_error(film: Path) -> None:
    answer = tool("get_shot", film).invoke(call("get_shot", {"shot_id": "shot_99"}))
    assert isinstance(answer, ToolMessage)
    assert answer.status == "error"
    error = json.loads(str(answer.content))["error"]
    assert "shot_99" in error and "\n" not in error


def test_a_refused_change_is_a_tool_error_and_leaves_the_project_as_it_was(film: Path) -> None:
    before = snapshot(film)
    shot = read_shot(Project.open(film), "shot_02")
    args = {"shot_id": "shot_02", "field": "shot_size", "value": "gros plan"}
    catalog.call("lock", {"target": "shot_02"}, film)
    locked = snapshot(film)
    assert locked != before

    answer = tool("set_shot_field", film).invoke(call("set_shot_field", args))

    assert isinstance(answer, ToolMessage) and answer.status == "error"
    assert "lock" in json.loads(str(answer.content))["error"]
    assert snapshot(film) == locked
    assert read_shot(Project.open(film), "shot_02").shot_size == shot.shot_size


def test_bad_arguments_are_a_tool_error_in_one_readable_line(film: Path) -> None:
    before = snapshot(film)
    args = {"shot_id": "shot_02", "duration_seconds": -4}
    answer = tool("retime_shot", film).invoke(call("retime_shot", args))
    assert isinstance(answer, ToolMessage) and answer.status == "error"
    error = json.loads(str(answer.content))["error"]
    assert error.startswith("retime_shot") and "duration_seconds" in error
    assert "\n" not in error
    assert snapshot(film) == before


def test_a_change_that_changes_nothing_is_refused(film: Path) -> None:
    before = snapshot(film)
    args = {"shot_id": "shot_03", "field": "shot_size", "value": "CU"}  # already a close-up
    answer = tool("set_shot_field", film).invoke(call("set_shot_field", args))
    assert isinstance(answer, ToolMessage) and answer.status == "error"
    assert json.loads(str(answer.content)) == {
        "error": "nothing to change: shot_03: shot size is already CU"
    }
    assert snapshot(film) == before


def test_answer_tool_call_answers_errors_as_tool_errors(film: Path) -> None:
    good = answer_tool_call(call("list_shots", {"limit": 2}), film)
    bad = answer_tool_call(call("get_element", {"element": "Nobody"}, "call_2"), film)
    unknown = answer_tool_call(call("no_such_tool", {}, "call_3"), film)
    assert good.status == "success" and len(json.loads(str(good.content))["shots"]) == 2
    assert bad.status == "error" and bad.tool_call_id == "call_2"
    assert "Nobody" in json.loads(str(bad.content))["error"]
    assert unknown.status == "error" and "no_such_tool" in str(unknown.content)


def test_the_assistant_answers_every_call_and_marks_the_failed_ones(film: Path) -> None:
    calls = tool_calls(
        ("get_shot", {"shot_id": "shot_99"}),
        ("get_shot", {"shot_id": "shot_01"}),
        ("retime_shot", {"shot_id": "shot_98", "duration_seconds": 3}),
    )
    model = FakeChat().add(calls, "shot_99 and shot_98 do not exist; shot_01 is a wide shot.")
    context = Context(retry_initial_wait=0, max_retries=1)
    session = Session(film, checkpointer=InMemorySaver(), chat_model=model, context=context)

    turn = session.say("What about shot 99, shot 1, and make shot 98 three seconds")

    assert turn.interrupt is None
    assert turn.messages == ["shot_99 and shot_98 do not exist; shot_01 is a wide shot."]
    sent = model.requests[-1]
    assert_tool_calls_answered(sent)
    answers = {m.tool_call_id: m for m in sent if isinstance(m, ToolMessage)}
    ids = [str(c["id"]) for c in calls.tool_calls]
    assert [answers[i].status for i in ids] == ["error", "success", "error"]
    assert "shot_99" in json.loads(str(answers[ids[0]].content))["error"]
