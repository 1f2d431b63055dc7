"""Helpers of the MCP tests: the server's environment and an HTTP server on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import storycore_executable


def server_env(**extra: str) -> dict[str, str]:
    """The test's environment (isolated config, no API key) for the server process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def http_server(film: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """``storycore mcp --transport http`` on a free port of 127.0.0.1; yields its URL."""
    port = free_port()
    token = getattr(request, "param", None)
    env = server_env(**({"STORYCORE_MCP_TOKEN": token} if token else {}))
    command = [storycore_executable(), "mcp", "--project", str(film), "--offline"]
    process = subprocess.Popen(
        [*command, "--transport", "http", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    said = process.stderr.read() if process.stderr else ""
                    raise RuntimeError(f"the server did not start: {said}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
