"""The catalog's tools as LangChain tools bound to one project.

A thin typed wrapper per tool: the pydantic argument model is the ``args_schema`` and the
catalog's description (what the tool does or changes, its arguments, an example) the
description, so a model sees exactly what the CLI and MCP clients see.

Errors a user can cause (a shot that does not exist, a value out of range) are tool errors:
invoked with a tool call, a tool answers a ``ToolMessage`` with ``status="error"`` whose
content is ``{"error": "<one sentence>"}``, which the model can act on (the assistant's own
graph answers the same way); anything else is a bug and propagates.

:func:`mutating_tool_names` is the one list of the tools that change the plan (read from the
catalog's ``mutating`` flag): the assistant confirms their calls, and a host agent puts them
behind its own approval (``HumanInTheLoopMiddleware``, see docs/embedding-mcp.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import ValidationError

from storycore.tools import catalog
from storycore.tools.domain import format_validation_error
from storycore.tools.errors import StoryCoreError


def make_tools(project_dir: Path | str | None, *, include_mutating: bool = True) -> list[BaseTool]:
    """LangChain tools over the catalog, bound to ``project_dir``.

    Calling a mutating tool applies its change at once (one undoable transaction): a host
    puts the tools named by :func:`mutating_tool_names` behind its own approval.
    """
    specs = catalog.catalog() if include_mutating else list(catalog.READ_ONLY)
    return [_wrap(spec, project_dir) for spec in specs]


def mutating_tool_names() -> list[str]:
    """The names of the tools that change the plan, from the catalog's ``mutating`` flag."""
    return catalog.mutating_tool_names()


def run_tool(name: str, arguments: dict[str, Any], project_dir: Path | str | None) -> str:
    """Run a catalog tool and return its JSON answer (an error is an answer too)."""
    try:
        result = catalog.call(name, arguments, project_dir)
    except StoryCoreError as exc:
        return error_content(str(exc))
    return json.dumps(result, ensure_ascii=False, default=str)


def answer_tool_call(call: Mapping[str, Any], project_dir: Path | str | None) -> ToolMessage:
    """Run one tool call of a model's message and answer it: the result as JSON, or the
    error's sentence with ``status="error"``. Every call gets an answer."""
    try:
        result = catalog.call(str(call["name"]), dict(call.get("args") or {}), project_dir)
    except StoryCoreError as exc:
        return error_message(call, str(exc))
    return ToolMessage(
        content=json.dumps(result, ensure_ascii=False, default=str),
        tool_call_id=str(call["id"]),
        name=str(call["name"]),
    )


def error_message(call: Mapping[str, Any], error: str) -> ToolMessage:
    """The answer to a tool call that failed: ``{"error": error}`` as a tool error."""
    return ToolMessage(
        content=error_content(error),
        tool_call_id=str(call["id"]),
        name=str(call["name"]),
        status="error",
    )


def error_content(error: str) -> str:
    """What a model reads of an error: ``{"error": "<sentence>"}``."""
    return json.dumps({"error": error}, ensure_ascii=False)


def _wrap(spec: catalog.ToolSpec, project_dir: Path | str | None) -> BaseTool:
    def invoke(**arguments: Any) -> str:
        try:
            result = catalog.call(spec.name, arguments, project_dir)
        except StoryCoreError as exc:
            raise ToolException(str(exc)) from exc
        return json.dumps(result, ensure_ascii=False, default=str)

    def tool_error(exc: ToolException) -> str:
        return error_content(str(exc))

    def bad_arguments(exc: ValidationError) -> str:
        return error_content(format_validation_error(exc, subject=spec.name))

    return StructuredTool.from_function(
        func=invoke,
        name=spec.name,
        description=spec.description,
        args_schema=spec.args,
        handle_tool_error=tool_error,
        handle_validation_error=bad_arguments,
    )
