"""A real ``langgraph dev`` server (langgraph-cli[inmem]) driven by ``langgraph-sdk``.

What a host developer does: serve ``langgraph.json``, start a run with NO context (the server
then passes ``{}``), meet the brief's confirmation, approve it, give feedback at the
storyboard, approve, and read the final state. Offline: no endpoint is configured, so the
context's defaults from the server's environment say "offline", and the deterministic
planner runs. Bound to 127.0.0.1 on a free port, no browser, no telemetry.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
BRIEF = REPO / "examples" / "ad_brief.md"
STARTUP_SECONDS = 90

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``langgraph dev`` on a free port of 127.0.0.1; its URL."""
    cli = Path(sys.executable).parent / "langgraph"
    if not cli.is_file() and shutil.which("langgraph") is None:
        pytest.skip("langgraph-cli is not installed (pip install -e '.[dev]')")
    work = tmp_path_factory.mktemp("server")
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "STORYCORE_MODEL")
    }
    env.update(
        LANGGRAPH_CLI_NO_ANALYTICS="1",
        LANGSMITH_TRACING="false",
        LANGCHAIN_TRACING_V2="false",
        LANGSMITH_API_KEY="",
        PYTHONUNBUFFERED="1",
    )
    log = (work / "server.log").open("w")
    process = subprocess.Popen(
        [
            str(cli) if cli.is_file() else "langgraph",
            "dev",
            "--config",
            str(REPO / "langgraph.json"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-browser",
            "--no-reload",
            "--allow-blocking",
        ],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, process, work / "server.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"langgraph dev exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"langgraph dev did not start in {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def interrupt_of(state: dict[str, Any]) -> dict[str, Any] | None:
    for task in state.get("tasks") or []:
        for item in task.get("interrupts") or []:
            return dict(item["value"])
    for item in state.get("interrupts") or []:
        return dict(item["value"])
    return None


def test_a_thread_plans_with_no_context_through_the_server(server: str, tmp_path: Path) -> None:
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=server)
    assistants = client.assistants.search(graph_id="storycore")
    assert assistants, "the server does not serve the storycore graph"
    schemas = client.assistants.get_schemas(assistants[0]["assistant_id"])
    assert "project_dir" in str(schemas.get("state_schema"))
    context_schema = str(schemas.get("context_schema"))
    assert "base_url" in context_schema and "api_key" not in context_schema

    thread = client.threads.create()
    tid = thread["thread_id"]
    project = tmp_path / "ad"
    client.runs.wait(
        tid,
        "storycore",
        input={
            "request": "plan",
            "project_dir": str(project),
            "brief_text": BRIEF.read_text(encoding="utf-8"),
            "brief_source": BRIEF.name,
            "overrides": {},
            "auto_approve": False,
        },
    )  # no context: the server passes {}
    asked = interrupt_of(client.threads.get_state(tid))
    assert asked is not None and asked["kind"] == "confirm_brief", asked

    client.runs.wait(tid, "storycore", command={"resume": {"action": "approve"}})
    asked = interrupt_of(client.threads.get_state(tid))
    if asked is not None and asked["kind"] == "confirm_cost":  # a billed shot in the plan
        client.runs.wait(tid, "storycore", command={"resume": {"action": "approve"}})
        asked = interrupt_of(client.threads.get_state(tid))
    assert asked is not None and asked["kind"] == "confirm_storyboard", asked

    feedback = {"action": "feedback", "text": "make shot 2 a wide shot"}
    client.runs.wait(tid, "storycore", command={"resume": feedback})
    kinds = []
    for _ in range(4):  # the change's confirmation, then the storyboard's again
        asked = interrupt_of(client.threads.get_state(tid))
        if asked is None:
            break
        kinds.append(asked["kind"])
        client.runs.wait(tid, "storycore", command={"resume": {"action": "approve"}})
    assert kinds[0] == "confirm_changes", kinds
    final = client.threads.get_state(tid)
    assert interrupt_of(final) is None
    values = final["values"]
    assert values["phase"] == "planned"
    said = " ".join(str(m.get("content", "")) for m in values.get("messages", []))
    assert "The plan is ready" in said
    shot = (project / "storyboard.json").read_text(encoding="utf-8")
    assert '"shot_id": "shot_02"' in shot and '"shot_size": "WS"' in shot.split("shot_03")[0]
