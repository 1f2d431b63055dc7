"""StoryCore as a node of a host graph whose own state has ``messages`` and ``phase``: the
documented example (docs/embedding.md, "As a subgraph") run as written."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, NotRequired

import pytest
from langchain_core.messages import AnyMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import Command
from typing_extensions import TypedDict

from storycore.agent import Context
from storycore.agent.graph import build_builder, build_subgraph
from storycore.tools.errors import InvalidInput
from storycore.tools.project import Project

from .fake_chat import SHORT_FILM

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "subgraph.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("subgraph_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # LangGraph reads the host state's annotations from it
    spec.loader.exec_module(module)
    return module


def test_the_documentation_shows_the_example_that_runs() -> None:
    text = (ROOT / "docs" / "embedding.md").read_text(encoding="utf-8")
    assert "## As a subgraph" in text
    code = EXAMPLE.read_text(encoding="utf-8")
    body = code[code.index("class HostState") : code.index('if __name__ == "__main__":')].strip()
    assert body in text


def test_a_host_graph_plans_through_storycore_and_its_keys_do_not_collide(
    tmp_path: Path,
) -> None:
    example = _example()
    graph = example.build_host(InMemorySaver())
    config: Any = {"configurable": {"thread_id": "host-1"}}
    start = {
        "messages": [HumanMessage("plan my film")],
        "phase": "new",
        "brief": SHORT_FILM.read_text(encoding="utf-8"),
        "project_dir": str(tmp_path / "film"),
    }

    result = graph.invoke(start, config)

    # StoryCore's first confirmation surfaces as the host's interrupt...
    kinds = []
    while result.get("__interrupt__"):
        question = result["__interrupt__"][0].value
        kinds.append(question["kind"])
        assert len(kinds) < 8, kinds
        if len(kinds) == 1:
            # ...a bad answer through the host is asked again, not a poisoned thread...
            again = graph.invoke(Command(resume={"action": "maybe"}), config)
            assert again["__interrupt__"][0].value["kind"] == "confirm_brief"
            assert "not accepted" in again["__interrupt__"][0].value["details"][0]
        result = graph.invoke(Command(resume="approve"), config)  # ...and resumes there.

    assert kinds[0] == "confirm_brief" and kinds[-1] == "confirm_storyboard"
    # The host's keys are the host's: StoryCore wrote its own under "storycore".
    assert result["phase"] == "done"
    assert [m.content for m in result["messages"]] == ["plan my film", "The storyboard is ready."]
    slot = result["storycore"]
    assert slot["phase"] == "planned" and slot["project_dir"] == str(tmp_path / "film")
    assert any("The plan is ready" in str(m.content) for m in slot["messages"])
    assert "brief_text" not in slot and "request" not in slot  # a later call asks afresh
    assert Project.open(tmp_path / "film").manifest.phase.value == "planned"


class ChatHost(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    phase: str
    storycore: NotRequired[dict[str, Any]]


def test_a_host_converses_with_storycore_through_its_key_and_confirms_a_change(
    film: Path,
) -> None:

    from typing_extensions import TypedDict

    class Host(TypedDict):
        messages: Annotated[list[AnyMessage], add_messages]
        phase: str
        storycore: NotRequired[dict[str, Any]]

    builder = StateGraph(ChatHost)
    builder.add_node("assistant", build_subgraph(context=Context.from_env(offline=True)))
    builder.add_edge(START, "assistant")
    builder.add_edge("assistant", END)
    graph = builder.compile(checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "chat"}}
    slot = {
        "request": "message",
        "project_dir": str(film),
        "messages": [HumanMessage("GaBy's hair should be blonde curly")],
    }

    history = len(Project.open(film).history())

    asked = graph.invoke({"messages": [], "phase": "host", "storycore": slot}, config)

    question = asked["__interrupt__"][0].value
    assert question["kind"] == "confirm_changes"
    done = graph.invoke(Command(resume="approve"), config)
    assert done["phase"] == "host" and done["messages"] == []
    said = [str(m.content) for m in done["storycore"]["messages"]]
    assert any(text.startswith("Applied:") for text in said)
    assert len(Project.open(film).history()) == history + 1  # the change, applied once


def test_the_subgraph_node_says_what_its_key_must_hold() -> None:
    node = build_subgraph("sc")
    with pytest.raises(InvalidInput, match="'sc' needs a 'project_dir'"):
        node({"sc": {"request": "plan"}})
    with pytest.raises(InvalidInput, match="must be a mapping"):
        node({"sc": "plan this"})


def test_the_uncompiled_builder_is_not_a_node_which_is_why_build_subgraph_exists() -> None:
    host = StateGraph(dict)
    with pytest.raises(TypeError):
        host.add_node("storycore", build_builder())  # type: ignore[call-overload]
