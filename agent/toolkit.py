"""The catalog's tools as LangChain tools bound to one project.

A thin typed wrapper per tool: the pydantic argument model is the ``args_schema`` and the
core function's docstring the description, so a model sees exactly what the CLI and MCP see.
Errors a user can cause come back to the model as a JSON ``{"error": ...}`` it can act on;
anything else is a bug and propagates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool

from storycore.tools import catalog
from storycore.tools.errors import StoryCoreError


def make_tools(project_dir: Path | str | None, *, include_mutating: bool = True) -> list[BaseTool]:
    """LangChain tools over the catalog, bound to ``project_dir``."""
    specs = catalog.catalog() if include_mutating else list(catalog.READ_ONLY)
    return [_wrap(spec, project_dir) for spec in specs]


def run_tool(name: str, arguments: dict[str, Any], project_dir: Path | str | None) -> str:
    """Run a catalog tool and return its JSON answer (an error is an answer too)."""
    try:
        result = catalog.call(name, arguments, project_dir)
    except StoryCoreError as exc:
        return json.dumps({"error": str(exc)}, ensure_ascii=False)
    return json.dumps(result, ensure_ascii=False, default=str)


def _wrap(spec: catalog.ToolSpec, project_dir: Path | str | None) -> BaseTool:
    def invoke(**arguments: Any) -> str:
        return run_tool(spec.name, arguments, project_dir)

    return StructuredTool.from_function(
        func=invoke,
        name=spec.name,
        description=spec.description,
        args_schema=spec.args,
    )
