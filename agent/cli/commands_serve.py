"""``storycore serve``: the web studio on a local port.

storycore serve DIR [--host 127.0.0.1] [--port N] [--offline] [--token TOKEN]
"""

from __future__ import annotations

import secrets
from pathlib import Path

import typer

from storycore.agent.cli import ui
from storycore.tools.errors import InvalidInput

DEFAULT_PORT = 8765


def _is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def token_for(host: str, token: str | None) -> str | None:
    """The token the server will require: the given one, or a new one for a host other than
    loopback (where anyone on the network could otherwise reach the project)."""
    if token is None and not _is_loopback(host):
        return secrets.token_urlsafe(24)
    return token


def serve(
    project: Path = typer.Argument(..., help="The project folder (created when planning)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(DEFAULT_PORT, "--port", help="Port to listen on (0: any free)."),
    offline: bool = typer.Option(False, "--offline", help="Never contact a language model."),
    token: str | None = typer.Option(
        None,
        "--token",
        help="Require this token on every request (one is generated for a non-loopback host).",
    ),
) -> None:
    """Open the web studio: chat, confirmations, storyboard, timeline and elements.

    It listens on 127.0.0.1 by default. Any other host needs a token on every request: give
    --token, or one is generated and printed once with the URL.
    """
    import asyncio
    import socket

    import uvicorn

    from storycore.agent.context import Context
    from storycore.agent.web.app import LOOPBACK, create_app

    if not 0 <= port <= 65535:
        raise InvalidInput(f"--port must be between 0 and 65535, not {port}")
    if project.exists() and not project.is_dir():
        raise InvalidInput(f"{project} is a file, not a project folder")
    if token is not None and len(token) < 8:
        raise InvalidInput("--token must be at least 8 characters")
    loopback = _is_loopback(host)
    token = token_for(host, token)
    ctx = Context.from_env(offline=offline)
    app = create_app(
        project, context=ctx, token=token, allowed_hosts=LOOPBACK if loopback else None
    )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        # Listening before the URL is printed: a request made at once waits in the backlog
        # until the server accepts it, where a bound socket alone refuses it.
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise InvalidInput(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/" + (f"?token={token}" if token else "")
    mode = f"offline: {ctx.offline_reason}" if ctx.offline else f"model {ctx.model}"
    ui.err.print(f"StoryCore studio for {project.resolve()} · {mode}")
    ui.out.print(url, markup=False)
    if token and not loopback:
        ui.err.print("Every request needs this token; it is printed only here.")
    config = uvicorn.Config(
        app, log_level="warning", timeout_graceful_shutdown=2, lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    try:
        asyncio.run(server.serve(sockets=[sock]))
    finally:
        sock.close()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
