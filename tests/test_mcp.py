"""``storycore mcp`` driven by real MCP clients: the SDK's own over stdio and streamable HTTP.

Each test starts the installed ``storycore mcp`` command on a planned short film and talks
to it as a host would: the tool list (names, distinct descriptions, the pydantic schemas,
the read-only/destructive hints), a read tool, a changing tool whose change is then on disk,
errors as ``isError`` results that leave the project as it was, the documents as
resources, the planning entry points, and over HTTP the loopback binding, the DNS-rebinding
check and the bearer token.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import McpError

from storycore.agent.mcp_server import ENTRY_POINTS
from storycore.tools import catalog
from storycore.tools.project import Project
from storycore.tools.structure import read_shot

from . import mcp_support
from .conftest import snapshot, storycore_executable
from .mcp_support import server_env

pytestmark = pytest.mark.slow
http_server = mcp_support.http_server  # the fixture

SPECS = {spec.name: spec for spec in catalog.catalog()}
ENTRIES = {entry.name: entry for entry in ENTRY_POINTS}
TOKEN = "test-token-for-the-mcp-server-0001"


def stdio_params(project: Path, *extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=storycore_executable(),
        args=["mcp", "--project", str(project), "--offline", *extra],
        env=server_env(),
    )


@asynccontextmanager
async def stdio_session(project: Path) -> AsyncIterator[ClientSession]:
    async with (
        stdio_client(stdio_params(project)) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def run(test: Callable[[], Awaitable[None]]) -> None:
    async def bounded() -> None:
        with anyio.fail_after(120):
            await test()

    anyio.run(bounded)


def text_of(result: types.CallToolResult) -> str:
    return "".join(c.text for c in result.content if isinstance(c, types.TextContent))


# -- the tool list -------------------------------------------------------------------------


def check_tool_list(tools: list[types.Tool]) -> None:
    by_name = {tool.name: tool for tool in tools}
    assert list(by_name) == [*SPECS, *ENTRIES]
    descriptions = [tool.description for tool in tools]
    assert len(set(descriptions)) == len(descriptions)
    for name, spec in SPECS.items():
        tool = by_name[name]
        assert tool.description == spec.description
        assert tool.inputSchema == spec.args.model_json_schema()
        hints = tool.annotations
        assert hints is not None
        if spec.mutating:
            assert hints.readOnlyHint is False and hints.destructiveHint is True, name
        elif name == "export_project":  # writes a file, changes no plan
            assert hints.readOnlyHint is False and hints.destructiveHint is False
        else:
            assert hints.readOnlyHint is True, name
    for name, entry in ENTRIES.items():
        assert by_name[name].inputSchema == entry.args.model_json_schema()
        assert by_name[name].annotations.readOnlyHint is entry.read_only  # type: ignore[union-attr]
    assert by_name["preview_feedback"].annotations.readOnlyHint is True  # type: ignore[union-attr]
    assert by_name["apply_feedback"].annotations.destructiveHint is True  # type: ignore[union-attr]


async def check_read_change_and_errors(session: ClientSession, film: Path) -> None:
    shot = await session.call_tool("get_shot", {"shot_id": "shot_03"})
    assert not shot.isError
    assert shot.structuredContent is not None and shot.structuredContent["shot_id"] == "shot_03"
    on_disk = read_shot(Project.open(film), "shot_03")
    assert json.loads(text_of(shot))["description"] == on_disk.description

    before = snapshot(film)
    missing = await session.call_tool("get_shot", {"shot_id": "shot_99"})
    assert missing.isError and "shot_99" in text_of(missing)
    bad = await session.call_tool("retime_shot", {"shot_id": "shot_02", "duration_seconds": -4})
    assert bad.isError and "duration_seconds" in text_of(bad)
    unknown = await session.call_tool("no_such_tool", {})
    assert unknown.isError and "no_such_tool" in text_of(unknown)
    assert snapshot(film) == before

    assert read_shot(Project.open(film), "shot_04").shot_size.value != "CU"
    change = {"shot_id": "shot_04", "field": "shot_size", "value": "gros plan"}
    changed = await session.call_tool("set_shot_field", change)
    assert not changed.isError, text_of(changed)
    assert changed.structuredContent is not None
    assert "shot_04" in changed.structuredContent["regenerate_shots"]
    assert read_shot(Project.open(film), "shot_04").shot_size.value == "CU"
    assert Project.open(film).history()  # applied as an undoable transaction


async def check_resources(session: ClientSession, film: Path) -> None:
    listed = await session.list_resources()
    uris = {str(r.uri) for r in listed.resources}
    assert {"storycore://storyboard", "storycore://shots", "storycore://elements"} <= uris
    templates = await session.list_resource_templates()
    assert {t.uriTemplate for t in templates.resourceTemplates} == {
        "storycore://shots/{shot_id}",
        "storycore://elements/{element_id}",
    }

    async def read(uri: str) -> Any:
        result = await session.read_resource(uri)  # type: ignore[arg-type]
        content = result.contents[0]
        assert isinstance(content, types.TextResourceContents)
        assert content.mimeType == "application/json"
        return json.loads(content.text)

    storyboard = await read("storycore://storyboard")
    assert storyboard == json.loads((film / "storyboard.json").read_text(encoding="utf-8"))
    shots = await read("storycore://shots")
    assert shots["total"] == len(shots["shots"]) == len(Project.open(film).manifest.shots)
    assert (await read("storycore://shots/shot_03"))["shot_id"] == "shot_03"
    assert (await read("storycore://elements/char_gaby"))["name"] == "GaBy"
    assert any(e["name"] == "GaBy" for e in (await read("storycore://elements"))["elements"])
    with pytest.raises(McpError, match="shot_99"):
        await session.read_resource("storycore://shots/shot_99")  # type: ignore[arg-type]


def test_stdio_tools_calls_errors_and_resources(film: Path) -> None:
    async def main() -> None:
        async with stdio_session(film) as session:
            check_tool_list((await session.list_tools()).tools)
            await check_read_change_and_errors(session, film)
            await check_resources(session, film)

    run(main)


def test_stdio_planning_entry_points(film: Path, tmp_path: Path) -> None:
    empty = tmp_path / "new_film"
    brief = (Path(__file__).resolve().parents[1] / "examples" / "ad_brief.md").read_text()

    async def main() -> None:
        async with stdio_session(empty) as session:
            planned = await session.call_tool("plan_brief", {"brief": brief})
            assert not planned.isError, text_of(planned)
            assert planned.structuredContent is not None
            assert planned.structuredContent["phase"] == "planned"
            assert planned.structuredContent["shots"] > 0
            refused = await session.call_tool("plan_brief", {"brief": ""})
            assert refused.isError and "brief" in text_of(refused)
        assert Project.is_project(empty)
        assert (empty / "storyboard.json").is_file()

        async with stdio_session(film) as session:
            before = snapshot(film)
            preview = await session.call_tool(
                "preview_feedback", {"feedback": "GaBy's hair should be blonde and curly"}
            )
            assert not preview.isError, text_of(preview)
            assert preview.structuredContent is not None
            assert preview.structuredContent["applied"] is False
            assert "char_gaby" in preview.structuredContent["regenerate_elements"]
            assert snapshot(film) == before

            applied = await session.call_tool(
                "apply_feedback", {"feedback": "GaBy's hair should be blonde and curly"}
            )
            assert not applied.isError, text_of(applied)
            assert applied.structuredContent is not None
            assert applied.structuredContent["applied"] is True
            gaby = await session.call_tool("get_element", {"element": "GaBy"})
            assert gaby.structuredContent is not None
            assert "blonde" in json.dumps(gaby.structuredContent)

            nonsense = await session.call_tool("apply_feedback", {"feedback": "zzz qqq"})
            assert nonsense.isError
        assert snapshot(film) != before

    run(main)


# -- streamable HTTP -----------------------------------------------------------------------


@asynccontextmanager
async def http_session(url: str, token: str | None = None) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx.AsyncClient(headers=headers, timeout=60) as client,
        streamable_http_client(url, http_client=client) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def test_http_tools_calls_errors_and_resources(http_server: str, film: Path) -> None:
    async def main() -> None:
        async with http_session(http_server) as session:
            check_tool_list((await session.list_tools()).tools)
            await check_read_change_and_errors(session, film)
            await check_resources(session, film)

    run(main)


def test_http_refuses_a_foreign_host_header(http_server: str) -> None:
    # A page on evil.example resolving to 127.0.0.1 (DNS rebinding) must not reach the tools.
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {
        "Host": "evil.example",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
    }
    answer = httpx.post(http_server, json=body, headers=headers, timeout=10)
    assert answer.status_code == 421


@pytest.mark.parametrize("http_server", [TOKEN], indirect=True)
def test_http_with_a_token_requires_it(http_server: str, film: Path) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {"Accept": "application/json, text/event-stream"}
    without = httpx.post(http_server, json=body, headers=headers, timeout=10)
    assert without.status_code == 401
    assert without.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.post(
        http_server, json=body, headers={**headers, "Authorization": "Bearer nope"}, timeout=10
    )
    assert wrong.status_code == 401

    async def main() -> None:
        async with http_session(http_server, TOKEN) as session:
            status = await session.call_tool("project_status", {})
            assert not status.isError and status.structuredContent is not None
            assert status.structuredContent["shots"] == len(Project.open(film).manifest.shots)

    run(main)


def test_binding_beyond_loopback_needs_a_token(film: Path) -> None:
    env = server_env()
    env.pop("STORYCORE_MCP_TOKEN", None)
    command = [storycore_executable(), "mcp", "--project", str(film), "--transport", "http"]
    result = subprocess.run(
        [*command, "--host", "0.0.0.0"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "STORYCORE_MCP_TOKEN" in lines[0]
    assert result.stdout == ""


def test_a_file_is_not_a_project_folder(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    result = subprocess.run(
        [storycore_executable(), "mcp", "--project", str(path)],
        env=server_env(),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2 and "is a file" in result.stderr


def test_help_stays_fast_and_lists_mcp() -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "storycore.agent.cli.main", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "mcp" in result.stdout
    assert time.perf_counter() - started < 10
    modules = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, storycore.agent.cli.main; print('mcp' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert modules.stdout.strip() == "False"  # the SDK is imported by the command only


def test_the_documented_sdk_client(film: Path) -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "docs" / "examples" / "mcp_client.py"
    spec = importlib.util.spec_from_file_location("mcp_client_example", path)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)

    async def main() -> None:
        status, shot = await example.status_and_shot(
            film, "shot_03", command=storycore_executable(), env=server_env()
        )
        assert status["phase"] == "planned"
        assert status["shots"] == len(Project.open(film).manifest.shots)
        assert shot["shot_id"] == "shot_03"

    run(main)
