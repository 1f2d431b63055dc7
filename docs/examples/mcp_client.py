"""The MCP SDK's own client talking to ``storycore mcp`` over stdio.

Run by tests/test_mcp.py: read the project's status, then read a document resource.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client


async def status_and_shot(
    project_dir: Path | str, shot_id: str, *, command: str = "storycore", env: Any = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The project's status (a tool call) and one shot (the resource storycore://shots/ID)."""
    server = StdioServerParameters(
        command=command, args=["mcp", "--project", str(project_dir)], env=env
    )
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        result = await session.call_tool("project_status", {})
        if result.isError:  # a StoryCore error: one sentence in the text content
            text = "".join(c.text for c in result.content if isinstance(c, types.TextContent))
            raise RuntimeError(text)
        assert result.structuredContent is not None
        shot = await session.read_resource(f"storycore://shots/{shot_id}")  # type: ignore[arg-type]
        content = shot.contents[0]
        assert isinstance(content, types.TextResourceContents)
        return result.structuredContent, json.loads(content.text)
