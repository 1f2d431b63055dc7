"""StoryCore as an MCP server: the catalog's tools, the planning entry points, the documents.

``storycore mcp --project DIR`` serves one project folder to an MCP host (Claude Desktop, an
IDE, a LangChain agent through ``langchain-mcp-adapters``) over stdio, or over streamable
HTTP at ``http://127.0.0.1:PORT/mcp``.

- **Tools**: every tool of :mod:`storycore.tools.catalog` with its own description and the
  JSON Schema of its pydantic argument model, plus the planning entry points
  (``plan_brief``, ``preview_feedback``, ``apply_feedback``). Each carries MCP tool
  annotations: ``readOnlyHint`` for the tools that change nothing, ``destructiveHint`` for
  the ones that change the plan. The host is responsible for asking its user before a
  changing tool runs; the server applies it at once, through the same locked, journaled
  transactions as the CLI (undoable with ``storycore chat``'s ``/undo``).
- **Errors** a caller can cause are MCP tool errors (``isError: true``, the error's one
  sentence as text); the project is left as it was.
- **Resources**: ``storycore://status``, ``storycore://storyboard``, ``storycore://shots``
  (the shot list), ``storycore://shots/{shot_id}``, ``storycore://elements`` and
  ``storycore://elements/{element_id}``, all JSON.

Over HTTP the server binds 127.0.0.1 unless told otherwise, with DNS-rebinding protection;
bound to any other address it requires a bearer token (``STORYCORE_MCP_TOKEN``, read from
the environment only), and when the variable is set it is required on loopback too.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.lowlevel.helper_types import ReadResourceContents
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storycore.tools import catalog
from storycore.tools.domain import format_validation_error
from storycore.tools.errors import InvalidInput, NotFound, StoryCoreError

if TYPE_CHECKING:
    from storycore.tools.project import Project

logger = logging.getLogger("storycore.mcp")

SERVER_NAME = "storycore"
TOKEN_VARIABLE = "STORYCORE_MCP_TOKEN"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
HTTP_PATH = "/mcp"
URI_SCHEME = "storycore://"


# --------------------------------------------------------------------------------------
# The planning entry points (tools beside the catalog's)
# --------------------------------------------------------------------------------------


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanBriefArgs(_Args):
    brief: str = Field(
        min_length=1,
        max_length=500_000,
        description="The brief as text: Markdown with optional YAML front matter, a Fountain "
        "screenplay, or plain prose.",
    )
    source_name: str | None = Field(
        None,
        max_length=200,
        description="The brief's file name, if it has one (brief.md, film.fountain): a "
        ".fountain name makes it read as a screenplay.",
    )
    fps: str | None = Field(None, description="Frame rate, overriding the brief (24, 29.97).")
    aspect: str | None = Field(None, description="Aspect ratio, overriding the brief (9:16).")
    duration: str | None = Field(None, description="Target length, overriding the brief (30s).")
    language: str | None = Field(None, description="Language of the plan (en, fr).")


class FeedbackArgs(_Args):
    feedback: str = Field(
        min_length=1,
        max_length=4000,
        description="One correction in the user's words, English or French.",
    )


@dataclass(frozen=True)
class EntryPoint:
    """A planning tool of the server: its argument model, what it does, and its hints."""

    name: str
    args: type[BaseModel]
    description: str
    example: dict[str, Any]
    read_only: bool
    destructive: bool


ENTRY_POINTS: tuple[EntryPoint, ...] = (
    EntryPoint(
        "plan_brief",
        PlanBriefArgs,
        "Plan a brief or a screenplay into this server's project folder: scene breakdown, "
        "timecoded shots, elements, a model per shot, segments, storyboard. Every "
        "confirmation is approved (the host asks its user first). An existing plan in the "
        "folder is replaced (undoable); nothing is left half-written if planning fails. "
        "Returns the project's status.",
        {"brief": "A 30-second spot: a nurse finds her second wind.", "duration": "30s"},
        read_only=False,
        destructive=True,
    ),
    EntryPoint(
        "preview_feedback",
        FeedbackArgs,
        "Dry run of a correction: the typed modifications it means and what they would "
        "regenerate (shots, segments, elements). Changes nothing.",
        {"feedback": "make shot 4 a close-up"},
        read_only=True,
        destructive=False,
    ),
    EntryPoint(
        "apply_feedback",
        FeedbackArgs,
        "Apply a correction to the plan in one undoable transaction: the same changes "
        "preview_feedback shows, with the prompts and documents rewritten. Returns what was "
        "changed and what must be regenerated.",
        {"feedback": "GaBy's hair should be blonde and curly"},
        read_only=False,
        destructive=True,
    ),
)


def _entry_description(entry: EntryPoint) -> str:
    example = json.dumps(entry.example, ensure_ascii=False)
    return f"{entry.description} Example: {entry.name}({example})"


# --------------------------------------------------------------------------------------
# What the tools do (synchronous: run in a worker thread)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryCoreTools:
    """The calls of one server, bound to its project folder."""

    project_dir: Path
    offline: bool = False

    def tools(self) -> list[types.Tool]:
        """The MCP tool list: the catalog's tools, then the planning entry points."""
        listed = [
            types.Tool(
                name=spec.name,
                description=spec.description,
                inputSchema=spec.args.model_json_schema(),
                annotations=annotations_for(spec),
            )
            for spec in catalog.catalog()
        ]
        listed += [
            types.Tool(
                name=entry.name,
                description=_entry_description(entry),
                inputSchema=entry.args.model_json_schema(),
                annotations=types.ToolAnnotations(
                    title=entry.name.replace("_", " "),
                    readOnlyHint=entry.read_only,
                    destructiveHint=entry.destructive,
                    idempotentHint=entry.read_only,
                    openWorldHint=not self.offline,
                ),
            )
            for entry in ENTRY_POINTS
        ]
        return listed

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Run one tool; a :class:`StoryCoreError` is the caller's error."""
        for entry in ENTRY_POINTS:
            if entry.name == name:
                try:
                    args = entry.args.model_validate(arguments or {})
                except ValidationError as exc:
                    raise InvalidInput(format_validation_error(exc, subject=name)) from None
                handler: Callable[[Any], dict[str, Any]] = getattr(self, f"_{name}")
                return handler(args)
        return catalog.call(name, arguments, self.project_dir)

    def _plan_brief(self, args: PlanBriefArgs) -> dict[str, Any]:
        from langgraph.checkpoint.memory import InMemorySaver

        from storycore.agent.context import Context
        from storycore.agent.session import Session
        from storycore.tools.planner import Overrides, PlanGuard
        from storycore.tools.project import Project

        overrides = Overrides(
            fps=args.fps, aspect=args.aspect, duration=args.duration, language=args.language
        )
        with PlanGuard(self.project_dir):
            session = Session(
                self.project_dir,
                context=Context.from_env(offline=self.offline),
                checkpointer=InMemorySaver(),
                auto_approve=True,
                new=True,
            )
            turn = session.plan(
                args.brief, source_name=args.source_name, overrides=overrides.as_dict()
            )
            if turn.interrupt is not None or turn.phase != "planned":
                said = " ".join(turn.messages) or "planning stopped before the plan was ready"
                raise InvalidInput(said)
        status = catalog.project_status(Project.open(self.project_dir), catalog.NoArgs())
        return {**status, "messages": list(turn.messages)}

    def _preview_feedback(self, args: FeedbackArgs) -> dict[str, Any]:
        from storycore.agent.feedback_cli import interpret

        _session, plan = interpret(self.project_dir, args.feedback, offline=self.offline)
        return {**plan.as_json(), "applied": False}

    def _apply_feedback(self, args: FeedbackArgs) -> dict[str, Any]:
        from storycore.agent.feedback_cli import interpret
        from storycore.tools.project import Project

        session, plan = interpret(self.project_dir, args.feedback, offline=self.offline)
        data = plan.as_json()
        turn = session.resume({"action": "approve"})
        history = Project.open(self.project_dir).history()
        return {
            **data,
            "applied": True,
            "undo": history[0].note if history else None,
            "messages": list(turn.messages),
        }

    # -- resources ---------------------------------------------------------------------

    def read(self, uri: str) -> dict[str, Any]:
        """The JSON document behind ``uri`` (``storycore://...``)."""
        from storycore.tools.project import Project

        if not uri.startswith(URI_SCHEME):
            raise NotFound(f"{uri} is not a StoryCore resource (they start with {URI_SCHEME})")
        path = uri.removeprefix(URI_SCHEME).strip("/")
        project = Project.open(self.project_dir)
        if path == "status":
            return catalog.project_status(project, catalog.NoArgs())
        if path == "storyboard":
            from storycore.tools.storyboard import STORYBOARD_JSON

            if not project.exists(STORYBOARD_JSON):
                raise NotFound("the project has no storyboard yet: plan a brief first")
            data: dict[str, Any] = project.read_json(STORYBOARD_JSON)
            return data
        if path == "shots":
            return _every_shot(project)
        if path.startswith("shots/"):
            return catalog.get_shot(project, catalog.ShotIdArgs(shot_id=path.split("/", 1)[1]))
        if path == "elements":
            return _every_element(project)
        if path.startswith("elements/"):
            element = path.split("/", 1)[1]
            return catalog.get_element(project, catalog.ElementArgs(element=element))
        raise NotFound(f"no StoryCore resource {uri}")


def _every_shot(project: Project) -> dict[str, Any]:
    """Every shot of list_shots, in pages of the tool's largest size."""
    shots: list[dict[str, Any]] = []
    while True:
        page = catalog.ListShotsArgs(offset=len(shots), limit=200)
        found = catalog.list_shots(project, page)["shots"]
        shots += found
        if len(found) < page.limit:
            return {"total": len(shots), "shots": shots}


def _every_element(project: Project) -> dict[str, Any]:
    """Every element of list_elements, in pages of the tool's largest size."""
    elements: list[dict[str, Any]] = []
    while True:
        answer = catalog.list_elements(
            project, catalog.ListElementsArgs(offset=len(elements), limit=200)
        )
        elements += answer["elements"]
        if answer["next_offset"] is None:
            return {"total": len(elements), "elements": elements}


def annotations_for(spec: catalog.ToolSpec) -> types.ToolAnnotations:
    """MCP hints from the catalog: a mutating tool changes (and may overwrite) the plan; a
    read-only one changes nothing, except ``export_project``, which writes one export file."""
    read_only = not spec.mutating and not spec.writes_files
    return types.ToolAnnotations(
        title=spec.name.replace("_", " "),
        readOnlyHint=read_only,
        destructiveHint=spec.mutating,
        idempotentHint=not spec.mutating,
        openWorldHint=False,
    )


RESOURCES: tuple[tuple[str, str, str], ...] = (
    ("status", "Project status", "Phase, specs, counts, duration, models and every gate."),
    ("storyboard", "Storyboard", "storyboard.json: segments and their timecoded shots."),
    ("shots", "Shot list", "Every shot in timeline order: timecodes, framing, who, model."),
    ("elements", "Elements", "The registry: characters, locations, props and their looks."),
)
TEMPLATES: tuple[tuple[str, str, str], ...] = (
    ("shots/{shot_id}", "Shot", "Every field of one shot (shot_03), prompts included."),
    ("elements/{element_id}", "Element", "One element (char_gaby) with its versions."),
)


# --------------------------------------------------------------------------------------
# The MCP server
# --------------------------------------------------------------------------------------


def build_server(project_dir: Path | str, *, offline: bool = False) -> Server[Any, Any]:
    """A low-level MCP server over ``project_dir`` (the folder need not be planned yet)."""
    from importlib.metadata import version

    tools = StoryCoreTools(Path(project_dir).resolve(), offline=offline)
    server: Server[Any, Any] = Server(
        SERVER_NAME,
        version=version("storycore-assistant"),
        instructions="StoryCore plans videos made with generative models. Read the plan "
        "through the resources or the read-only tools; tools with destructiveHint change the "
        "plan at once (undoable): ask the user before calling them.",
    )

    @server.list_tools()
    async def list_tools() -> list[types.Tool]:
        return tools.tools()

    @server.call_tool(validate_input=False)  # the pydantic models validate, readably
    async def call_tool(name: str, arguments: dict[str, Any]) -> types.CallToolResult:
        try:
            result = await anyio.to_thread.run_sync(tools.call, name, arguments)
        except StoryCoreError as exc:
            return types.CallToolResult(
                content=[types.TextContent(type="text", text=str(exc))], isError=True
            )
        text = json.dumps(result, ensure_ascii=False, default=str)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)],
            structuredContent=json.loads(text),
        )

    @server.list_resources()
    async def list_resources() -> list[types.Resource]:
        return [
            types.Resource(
                uri=f"{URI_SCHEME}{path}",
                name=name,
                description=description,
                mimeType="application/json",
            )
            for path, name, description in RESOURCES
        ]

    @server.list_resource_templates()
    async def list_templates() -> list[types.ResourceTemplate]:
        return [
            types.ResourceTemplate(
                uriTemplate=f"{URI_SCHEME}{path}",
                name=name,
                description=description,
                mimeType="application/json",
            )
            for path, name, description in TEMPLATES
        ]

    @server.read_resource()
    async def read_resource(uri: Any) -> Iterable[ReadResourceContents]:
        try:
            data = await anyio.to_thread.run_sync(tools.read, str(uri))
        except StoryCoreError as exc:
            # The SDK turns an exception into a JSON-RPC error carrying this sentence.
            raise ValueError(str(exc)) from None
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        return [ReadResourceContents(content=text, mime_type="application/json")]

    return server


# --------------------------------------------------------------------------------------
# Transports
# --------------------------------------------------------------------------------------


def run_stdio(server: Server[Any, Any]) -> None:
    """Serve over stdin/stdout until the host closes them."""
    from mcp.server.stdio import stdio_server

    async def main() -> None:
        async with stdio_server() as (read, write):
            # stdout now carries the protocol only: anything printed goes to stderr.
            saved, sys.stdout = sys.stdout, sys.stderr
            try:
                await server.run(read, write, server.create_initialization_options())
            finally:
                sys.stdout = saved

    anyio.run(main)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1, localhost and the rest of the loopback range."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: str | None) -> None:
    """Refuse to serve a non-loopback address without a bearer token."""
    if not is_loopback(host) and not token:
        raise InvalidInput(
            f"serving MCP on {host} needs a bearer token: set {TOKEN_VARIABLE} "
            f"(clients send 'Authorization: Bearer <token>'), or bind {DEFAULT_HOST}"
        )


ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


class BearerAuth:
    """ASGI middleware: every HTTP request must carry ``Authorization: Bearer <token>``."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                from starlette.responses import JSONResponse

                response = JSONResponse(
                    {"error": "a valid bearer token is required"},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="storycore"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def http_app(server: Server[Any, Any], *, host: str, token: str | None) -> Any:
    """The Starlette app serving ``server`` over streamable HTTP at ``/mcp``."""
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.applications import Starlette
    from starlette.routing import Route

    check_binding(host, token)
    if is_loopback(host):
        # A web page the user visits must not reach a local server (DNS rebinding).
        names = ("127.0.0.1", "localhost", "[::1]")
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=[f"{name}:*" for name in names],
            allowed_origins=[f"http://{name}:*" for name in names],
        )
    else:
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    manager = StreamableHTTPSessionManager(app=server, security_settings=security)

    class _Endpoint:
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await manager.handle_request(scope, receive, send)

    @asynccontextmanager
    async def lifespan(_app: Any) -> Any:
        async with manager.run():
            yield

    app: Any = Starlette(routes=[Route(HTTP_PATH, endpoint=_Endpoint())], lifespan=lifespan)
    return BearerAuth(app, token) if token else app


def run_http(
    server: Server[Any, Any],
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
) -> None:
    """Serve over streamable HTTP at ``http://HOST:PORT/mcp`` until interrupted."""
    import uvicorn

    app = http_app(server, host=host, token=token)
    shown = f"[{host}]" if ":" in host else host
    print(f"StoryCore MCP server on http://{shown}:{port}{HTTP_PATH}", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on")


__all__ = [
    "ENTRY_POINTS",
    "BearerAuth",
    "StoryCoreTools",
    "annotations_for",
    "build_server",
    "check_binding",
    "http_app",
    "is_loopback",
    "run_http",
    "run_stdio",
]
