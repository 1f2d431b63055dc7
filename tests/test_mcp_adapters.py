"""``storycore mcp`` through ``langchain-mcp-adapters``' ``MultiServerMCPClient``.

What docs/examples/mcp_host.py shows a host: the tools as LangChain tools (names, their own
descriptions, schemas, the MCP annotations in ``metadata``) over stdio and streamable HTTP;
a read call, a change that lands on disk, an error answered as a tool error, the documents
as resources; and a host agent over the MCP tools whose changing calls wait for approval.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import pytest
from langchain_core.messages import ToolMessage
from langchain_mcp_adapters.tools import load_mcp_tools
from langgraph.types import Command

from storycore.agent.mcp_server import ENTRY_POINTS
from storycore.tools import catalog
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry
from storycore.tools.structure import read_shot

from . import mcp_support
from .conftest import snapshot, storycore_executable
from .fake_chat import FakeChat, tool_calls
from .mcp_support import server_env

pytestmark = pytest.mark.slow
http_server = mcp_support.http_server  # the fixture

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "mcp_host.py"
SPECS = catalog.catalog()
HAIR = {"element": "GaBy", "attributes": {"hair": "blonde and curly"}}


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mcp_host_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(test: Callable[[], Awaitable[None]]) -> None:
    async def bounded() -> None:
        with anyio.fail_after(120):
            await test()

    anyio.run(bounded)


def call(name: str, args: dict[str, Any], call_id: str = "call_1") -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def stdio(film: Path) -> Any:
    return load_example().stdio_client(
        film, command=storycore_executable(), offline=True, env=server_env()
    )


async def check_client(client: Any, film: Path) -> None:
    example = load_example()
    async with client.session("storycore") as session:
        tools = {tool.name: tool for tool in await load_mcp_tools(session)}
        assert list(tools) == [s.name for s in SPECS] + [e.name for e in ENTRY_POINTS]
        assert len({t.description for t in tools.values()}) == len(tools)
        for spec in SPECS:
            assert tools[spec.name].description == spec.description
            assert tools[spec.name].args_schema == spec.args.model_json_schema()
        gated = example.needs_approval(list(tools.values()))
        assert set(gated) == {
            *(s.name for s in SPECS if s.mutating),
            *(e.name for e in ENTRY_POINTS if e.destructive),
        }

        shot = await tools["get_shot"].ainvoke(call("get_shot", {"shot_id": "shot_03"}))
        assert isinstance(shot, ToolMessage) and shot.status == "success"
        assert "shot_03" in str(shot.content)

        before = snapshot(film)
        missing = await tools["get_shot"].ainvoke(call("get_shot", {"shot_id": "shot_99"}))
        assert isinstance(missing, ToolMessage) and missing.status == "error"
        assert "shot_99" in str(missing.content)
        assert snapshot(film) == before

        change = {"shot_id": "shot_04", "field": "shot_size", "value": "close-up"}
        changed = await tools["set_shot_field"].ainvoke(call("set_shot_field", change))
        assert isinstance(changed, ToolMessage) and changed.status == "success"
        assert read_shot(Project.open(film), "shot_04").shot_size.value == "CU"

    blobs = await client.get_resources("storycore", uris=["storycore://storyboard"])
    assert json.loads(blobs[0].as_string())["segments"]
    blobs = await client.get_resources("storycore", uris=["storycore://elements/char_gaby"])
    assert json.loads(blobs[0].as_string())["name"] == "GaBy"


def test_multiserver_client_over_stdio(film: Path) -> None:
    run(lambda: check_client(stdio(film), film))


def test_multiserver_client_over_http(http_server: str, film: Path) -> None:
    run(lambda: check_client(load_example().http_client(http_server), film))


def test_client_get_tools_opens_its_own_sessions(film: Path) -> None:
    # The short way a host writes it: each call opens a session (starts the server).
    async def main() -> None:
        tools = {t.name: t for t in await stdio(film).get_tools()}
        status = await tools["project_status"].ainvoke(call("project_status", {}))
        assert status.status == "success" and '"phase": "planned"' in str(status.content)

    run(main)


def test_a_host_agent_over_mcp_asks_before_a_change(film: Path) -> None:
    example = load_example()
    model = FakeChat().add(tool_calls(("update_element", HAIR)), "Done: GaBy is blonde.")
    before = snapshot(film)

    async def main() -> None:
        async with stdio(film).session("storycore") as session:
            tools = await load_mcp_tools(session)
            agent = example.build_mcp_host_agent(tools, model)
            config = {"configurable": {"thread_id": "t1"}}
            message = {"role": "user", "content": "Make GaBy's hair blonde and curly"}
            result = await agent.ainvoke({"messages": [message]}, config)
            requests = result["__interrupt__"][0].value["action_requests"]
            assert [r["name"] for r in requests] == ["update_element"]
            assert snapshot(film) == before  # waiting: nothing applied

            decision = {"decisions": [{"type": "approve"}]}
            result = await agent.ainvoke(Command(resume=decision), config)
            assert result["messages"][-1].content == "Done: GaBy is blonde."

    run(main)
    registry = AssetRegistry(Project.open(film))
    assert registry.resolve("GaBy").attributes["hair"] == "blonde and curly"
