"""The tools in a host's agent: docs/examples/host_agent.py, as docs/embedding-mcp.md shows it.

A host builds ``langchain.agents.create_agent`` over ``make_tools(project)`` with
``HumanInTheLoopMiddleware`` on ``mutating_tool_names()``; driven here by the scripted chat
model with an in-memory checkpointer. A read-only call runs at once; a changing call stops
for approval with the project untouched; approve applies it on disk, reject leaves the
project as it was; a call that fails is answered as a tool error and the agent goes on.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from langchain_core.messages import ToolMessage

from storycore.agent.toolkit import mutating_tool_names
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry

from .conftest import snapshot
from .fake_chat import FakeChat, assert_tool_calls_answered, tool_calls

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "host_agent.py"
HAIR = {"element": "GaBy", "attributes": {"hair": "blonde and curly"}}


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("host_agent_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hair(project: Path) -> str | None:
    return AssetRegistry(Project.open(project)).resolve("GaBy").attributes.get("hair")


def test_the_approval_list_is_the_catalogs() -> None:
    from storycore.tools import catalog

    gated = set(load_example().approval_for_changes().interrupt_on)
    assert gated == set(mutating_tool_names())
    assert gated == {spec.name for spec in catalog.catalog() if spec.mutating}
    assert len(gated) == 12 and "get_shot" not in gated


def test_a_change_waits_for_approval_and_approve_applies_it(film: Path) -> None:
    example = load_example()
    look = tool_calls(("get_element", {"element": "GaBy"}))
    change = tool_calls(("update_element", HAIR))
    model = FakeChat().add(look, change, "GaBy's hair is now blonde and curly.")
    agent = example.build_host_agent(film, model)
    before = snapshot(film)

    result = example.ask(agent, "Make GaBy's hair blonde and curly", thread_id="t1")

    assert example.pending_changes(result) == [{"name": "update_element", "args": HAIR}]
    assert snapshot(film) == before  # nothing applied while waiting
    looked = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert [m.name for m in looked] == ["get_element"]  # read-only: ran without asking

    result = example.decide(agent, "approve", thread_id="t1")

    assert hair(film) == "blonde and curly"
    answers = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert answers[-1].name == "update_element" and answers[-1].status == "success"
    assert "char_gaby" in json.loads(str(answers[-1].content))["regenerate_elements"]
    assert result["messages"][-1].content == "GaBy's hair is now blonde and curly."
    assert_tool_calls_answered(model.requests[-1])
    Project.open(film).undo()  # one undoable transaction
    assert snapshot(film) == before


def test_reject_leaves_the_project_as_it_was(film: Path) -> None:
    example = load_example()
    model = FakeChat().add(tool_calls(("remove_shot", {"shot_id": "shot_03"})), "Kept it.")
    agent = example.build_host_agent(film, model)
    before = snapshot(film)

    result = example.ask(agent, "Remove shot 3", thread_id="t2")
    assert [c["name"] for c in example.pending_changes(result)] == ["remove_shot"]
    result = example.decide(agent, "reject", thread_id="t2", message="Keep shot 3.")

    assert snapshot(film) == before
    answer = next(m for m in result["messages"] if isinstance(m, ToolMessage))
    assert answer.status == "error" and "Keep shot 3." in str(answer.content)
    assert_tool_calls_answered(model.requests[-1])


def test_an_approved_change_that_fails_is_a_tool_error_the_agent_reads(film: Path) -> None:
    example = load_example()
    change = tool_calls(("retime_shot", {"shot_id": "shot_99", "duration_seconds": 3}))
    model = FakeChat().add(change, "There is no shot 99.")
    agent = example.build_host_agent(film, model)
    before = snapshot(film)

    example.ask(agent, "Shot 99 should last 3 seconds", thread_id="t3")
    result = example.decide(agent, "approve", thread_id="t3")

    answer = next(m for m in result["messages"] if isinstance(m, ToolMessage))
    assert answer.status == "error" and "shot_99" in json.loads(str(answer.content))["error"]
    assert result["messages"][-1].content == "There is no shot 99."
    assert snapshot(film) == before


def test_the_docs_code_is_the_tested_examples() -> None:
    """Each Python block of docs/embedding-mcp.md is an excerpt of a tested example file."""
    import re

    docs = EXAMPLE.parents[1]
    text = (docs / "embedding-mcp.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 6

    def lines(source: str) -> list[str]:
        return [line.strip() for line in source.splitlines() if line.strip()]

    examples = [lines(p.read_text(encoding="utf-8")) for p in (docs / "examples").glob("*.py")]
    for block in blocks:
        wanted = lines(block)
        found = any(
            source[i : i + len(wanted)] == wanted
            for source in examples
            for i in range(len(source) - len(wanted) + 1)
        )
        assert found, f"not in docs/examples/: {block[:80]!r}"
