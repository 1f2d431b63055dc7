"""``storycore mcp``: serve a project to an MCP host over stdio or streamable HTTP.

The server is :mod:`storycore.agent.mcp_server`, imported inside the command (it loads the
MCP SDK, Starlette and uvicorn) so that ``storycore --help`` stays instant.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

import typer

from storycore.tools.errors import InvalidInput


class Transport(StrEnum):
    stdio = "stdio"
    http = "http"


def mcp(
    project: Path = typer.Option(
        Path("."),
        "--project",
        help="The project folder to serve (it may be empty: plan_brief plans into it).",
    ),
    transport: Transport = typer.Option(
        Transport.stdio, "--transport", help="stdio (a host starts the command) or http."
    ),
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="HTTP only: the address to bind. Any address but loopback needs "
        "STORYCORE_MCP_TOKEN set (clients send Authorization: Bearer <token>).",
    ),
    port: int = typer.Option(8765, "--port", min=1, max=65535, help="HTTP only: the port."),
    offline: bool = typer.Option(
        False, "--offline", help="Plan and read feedback without a language model."
    ),
) -> None:
    """Serve the project's tools, planning entry points and documents over MCP.

    Tools that change the plan are marked (destructiveHint) and applied at once when called:
    the host asks its user before calling them. Errors come back as MCP tool errors.
    """
    from storycore.agent import mcp_server

    if project.exists() and not project.is_dir():
        raise InvalidInput(f"{project} is a file, not a project folder")
    token = os.environ.get(mcp_server.TOKEN_VARIABLE, "").strip() or None
    if transport is Transport.http:
        mcp_server.check_binding(host, token)  # before anything starts
    server = mcp_server.build_server(project, offline=offline)
    if transport is Transport.stdio:
        mcp_server.run_stdio(server)
    else:
        mcp_server.run_http(server, host=host, port=port, token=token)


def register(app: typer.Typer) -> None:
    app.command("mcp")(mcp)
