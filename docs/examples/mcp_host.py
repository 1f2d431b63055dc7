"""A host reaching StoryCore over MCP with ``langchain-mcp-adapters``' ``MultiServerMCPClient``.

Run by tests/test_mcp_adapters.py. The server is ``storycore mcp --project DIR`` started by
the client over stdio (or reached over streamable HTTP). The tools arrive with their MCP
annotations in ``tool.metadata``: the host gates the ones marked ``destructiveHint``, since
over MCP the host, not StoryCore, asks the user before a change is applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from langchain_mcp_adapters.client import MultiServerMCPClient
from langgraph.checkpoint.memory import InMemorySaver


def stdio_client(
    project_dir: Path | str,
    *,
    command: str = "storycore",
    offline: bool = False,
    env: dict[str, str] | None = None,
) -> MultiServerMCPClient:
    """A client that starts ``storycore mcp`` on ``project_dir`` for each session (``env``:
    the server's environment, e.g. OPENAI_API_KEY; the SDK passes only a safe few without)."""
    args = ["mcp", "--project", str(project_dir), *(["--offline"] if offline else [])]
    return MultiServerMCPClient(
        {"storycore": {"transport": "stdio", "command": command, "args": args, "env": env}}
    )


def http_client(url: str, *, token: str | None = None) -> MultiServerMCPClient:
    """A client of a running ``storycore mcp --transport http`` (``http://127.0.0.1:8765/mcp``)."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return MultiServerMCPClient(
        {"storycore": {"transport": "streamable_http", "url": url, "headers": headers}}
    )


def needs_approval(tools: Sequence[BaseTool]) -> list[str]:
    """The tools the server marks as changing the plan (``destructiveHint``)."""
    return [tool.name for tool in tools if (tool.metadata or {}).get("destructiveHint")]


def build_mcp_host_agent(tools: Sequence[BaseTool], model: BaseChatModel) -> Any:
    """An agent over the MCP tools, each changing one behind the human's approval. MCP tools
    are asynchronous: drive it with ``ainvoke``/``astream``."""
    approval = HumanInTheLoopMiddleware(
        interrupt_on={
            name: {"allowed_decisions": ["approve", "reject"]} for name in needs_approval(tools)
        }
    )
    return create_agent(
        model, tools=list(tools), middleware=[approval], checkpointer=InMemorySaver()
    )
