"""The studio's web server: the page, the project's files, and a small JSON API.

``create_app(project_dir, ...)`` returns a Starlette application; ``storycore serve`` runs it
with uvicorn. The API is described in ``docs/web-studio.md``. Safety, in one place
(:class:`Guard`):

- requests must name this server in ``Host`` (a page elsewhere cannot reach it through DNS
  rebinding); a request carrying an ``Origin`` must come from this server's own origin;
- with a token (required for any host other than loopback), every request carries it: the
  ``Authorization: Bearer`` header, the ``storycore_token`` cookie set when the page is opened
  with ``?token=``, or ``?token=`` itself;
- request bodies are JSON and at most :data:`MAX_BODY_BYTES`;
- files are served only from inside the project folder, by project-relative path, never a
  folder listing, never a hidden file (``.storycore/`` holds the conversations), never through
  a symbolic link that leaves the folder;
- nothing changes the project without the same confirmation the chat asks for: the API only
  sends messages and answers to the assistant's own confirmations (and ``/undo``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from importlib.resources import files as resource_files
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from storycore.agent.context import Context
from storycore.agent.web import views
from storycore.agent.web.forms import check_decision, check_edits, edit_form, modification_kinds
from storycore.agent.web.labels import LABELS, labels_for
from storycore.agent.web.studio import PRODUCE_THREAD, Busy, Studio, require_thread
from storycore.tools.errors import (
    ConfinementError,
    ConflictError,
    InvalidInput,
    NotFound,
    StoryCoreError,
)
from storycore.tools.naming import confined

#: Largest request body accepted (a pasted brief fits easily).
MAX_BODY_BYTES = 1024 * 1024
TOKEN_COOKIE = "storycore_token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: Seconds between two looks at the project on disk while an event stream is idle.
WATCH_INTERVAL = 1.0
KEEPALIVE_EVERY = 15

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def static_dir() -> Path:
    """The folder of the page's HTML, CSS and JavaScript (shipped in the package)."""
    return Path(str(resource_files("storycore.agent.web") / "static"))


# -- safety ----------------------------------------------------------------------------------


class Guard:
    """ASGI middleware: host check, token, JSON bodies of bounded size (module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        allowed_hosts: tuple[str, ...] | None,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.token = token
        self.allowed_hosts = allowed_hosts
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if self.allowed_hosts is not None and _hostname(host) not in self.allowed_hosts:
            await _refuse(scope, receive, send, 421, f"this server does not answer for {host!r}")
            return
        origin = headers.get("origin")
        if origin and origin != "null" and origin.split("://", 1)[-1] != host:
            await _refuse(scope, receive, send, 403, "requests from another site are refused")
            return
        if self.token is not None and not self._authorized(scope, headers):
            await _refuse(
                scope, receive, send, 401, "this server needs its token (open the printed URL)"
            )
            return
        method = scope["method"]
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                await _refuse(
                    scope, receive, send, 413, f"the request is over {self.max_body} bytes"
                )
                return
            kind = headers.get("content-type", "").split(";")[0].strip().lower()
            if length not in (None, "0") and kind != "application/json":
                await _refuse(scope, receive, send, 415, "send JSON (application/json)")
                return
            receive = self._bounded(receive)
        await self.app(scope, receive, send)

    def _authorized(self, scope: Scope, headers: dict[str, str]) -> bool:
        assert self.token is not None
        given: list[str] = []
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given.append(auth[7:].strip())
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == TOKEN_COOKIE:
                given.append(value)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given.extend(query.get("token", []))
        return any(secrets.compare_digest(g.encode(), self.token.encode()) for g in given)

    def _bounded(self, receive: Receive) -> Receive:
        seen = 0
        limit = self.max_body

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge()
            return message

        return bounded


class _TooLarge(Exception):
    pass


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    await JSONResponse({"error": message}, status_code=status)(scope, receive, send)


# -- helpers ---------------------------------------------------------------------------------


def _error(exc: Exception) -> JSONResponse:
    if isinstance(exc, NotFound):
        status = 404
    elif isinstance(exc, Busy | ConflictError):
        status = 409
    elif isinstance(exc, _TooLarge):
        return JSONResponse({"error": f"the request is over {MAX_BODY_BYTES} bytes"}, 413)
    else:
        status = 400
    return JSONResponse({"error": str(exc)}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise InvalidInput("the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object")
    return data


def _wants_wait(request: Request) -> bool:
    return request.query_params.get("wait", "").lower() in ("1", "true", "yes")


def _sse(kind: str, data: dict[str, Any], event_id: int | None = None) -> str:
    lines = [f"event: {kind}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, default=str))
    return "\n".join(lines) + "\n\n"


def _handled(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except (StoryCoreError, _TooLarge) as exc:
            return _error(exc)

    wrapper.__name__ = endpoint.__name__
    wrapper.__doc__ = endpoint.__doc__
    return wrapper


# -- the application -------------------------------------------------------------------------


def create_app(
    project_dir: Path | str,
    *,
    context: Context | None = None,
    token: str | None = None,
    allowed_hosts: tuple[str, ...] | None = LOOPBACK,
    chat_model: Any = None,
    studio: Studio | None = None,
) -> Starlette:
    """The studio for ``project_dir``. ``allowed_hosts=None`` accepts any ``Host`` (use it
    only with a token); ``chat_model`` replaces the configured model (tests)."""
    ctx = context or Context.from_env()
    the_studio = studio or Studio(project_dir, context=ctx, chat_model=chat_model)
    root = the_studio.project_dir
    mode = f"offline: {ctx.offline_reason}" if ctx.offline else f"model {ctx.model}"

    async def index(request: Request) -> Response:
        response = FileResponse(static_dir() / "index.html", headers={"Cache-Control": "no-cache"})
        given = request.query_params.get("token")
        if token is not None and given and secrets.compare_digest(given, token):
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response

    async def project_file(request: Request) -> Response:
        rel = request.path_params["path"]
        parts = PurePosixPath(rel).parts
        if not parts or "\\" in rel or "\x00" in rel or any(p.startswith(".") for p in parts):
            return JSONResponse({"error": "no such file in the project"}, 404)
        try:
            target = confined(root, rel)
        except ConfinementError:
            return JSONResponse({"error": "no such file in the project"}, 404)
        inside = target.relative_to(root).parts
        if not target.is_file() or any(p.startswith(".") for p in inside):
            return JSONResponse({"error": "no such file in the project"}, 404)
        return FileResponse(target, headers={"Cache-Control": "no-cache"})

    async def api_project(request: Request) -> Response:
        view = await run_in_threadpool(
            views.project_view,
            root,
            fallback_language=ctx.language,
            offline=ctx.offline,
            mode=mode,
        )
        view["folder"] = str(root)
        view["default_thread"] = the_studio.default_thread
        view["running"] = the_studio.running
        return JSONResponse(view)

    async def api_shots(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(views.shots_view, root))

    async def api_shot(request: Request) -> Response:
        shot_id = request.path_params["shot_id"]
        board = await run_in_threadpool(views.shots_view, root)
        for segment in board["segments"]:
            for shot in segment["shots"]:
                if shot["shot_id"] == shot_id:
                    return JSONResponse(shot)
        raise NotFound(f"this project has no shot {shot_id!r}")

    async def api_timeline(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(views.timeline_view, root))

    async def api_elements(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(views.elements_view, root))

    async def api_labels(request: Request) -> Response:
        code, labels = labels_for(request.query_params.get("lang"))
        return JSONResponse({"language": code, "labels": labels, "languages": sorted(LABELS)})

    async def api_modifications(request: Request) -> Response:
        return JSONResponse({"kinds": modification_kinds()})

    async def api_threads(request: Request) -> Response:
        threads = await run_in_threadpool(the_studio.known_threads)
        return JSONResponse(
            {
                "threads": threads,
                "default": the_studio.default_thread,
                "running": the_studio.running,
            }
        )

    async def api_new_thread(request: Request) -> Response:
        body = await _body(request)
        wanted = body.get("thread_id")
        if wanted is not None and not isinstance(wanted, str):
            raise InvalidInput("thread_id is a string")
        thread = await run_in_threadpool(the_studio.new_thread, wanted)
        the_studio.hub.publish("threads", {"thread": thread})
        return JSONResponse({"thread": thread}, status_code=201)

    async def api_thread(request: Request) -> Response:
        def read() -> dict[str, Any]:
            session = require_thread(the_studio, request.path_params["thread"])
            view = views.thread_view(the_studio, session)
            view["edit_form"] = edit_form(view["pending"])
            return view

        return JSONResponse(await run_in_threadpool(read))

    async def _turn(request: Request, action: Callable[[Any, Any], Any]) -> Response:
        return await _turn_on(request, request.path_params["thread"], action)

    async def _turn_on(
        request: Request, thread: str, action: Callable[[Any, Any], Any]
    ) -> Response:
        if _wants_wait(request):
            result = await run_in_threadpool(the_studio.start, thread, action, wait=True)
            return JSONResponse(result.as_json())  # type: ignore[union-attr]
        started = await run_in_threadpool(the_studio.start, thread, action)
        tid, turn_id = started  # type: ignore[misc]
        return JSONResponse({"thread": tid, "turn_id": turn_id, "state": "started"}, 202)

    async def api_message(request: Request) -> Response:
        body = await _body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("say something: the message is empty")
        await run_in_threadpool(require_thread, the_studio, request.path_params["thread"])
        return await _turn(request, lambda s, on_event: s.say(text, on_event=on_event))

    async def api_decision(request: Request) -> Response:
        body = await _body(request)

        def checked() -> dict[str, Any]:
            session = require_thread(the_studio, request.path_params["thread"])
            return check_decision(root, session.pending(), body)

        decision = await run_in_threadpool(checked)
        return await _turn(request, lambda s, on_event: s.resume(decision, on_event=on_event))

    async def api_check_edit(request: Request) -> Response:
        body = await _body(request)

        def check() -> dict[str, Any]:
            session = require_thread(the_studio, request.path_params["thread"])
            pending = session.pending()
            if pending is None:
                raise InvalidInput("the assistant is not waiting for a confirmation")
            try:
                return check_edits(root, pending, body.get("edits"))
            except StoryCoreError:
                raise
            except ValueError as exc:
                raise InvalidInput(" ".join(str(exc).split())) from None

        return JSONResponse({"ok": True, **(await run_in_threadpool(check))})

    live: dict[str, Any] = {}  # the production's latest progress (shown on a reload)

    async def api_production(request: Request) -> Response:
        def read() -> dict[str, Any]:
            running = the_studio.running == PRODUCE_THREAD  # first: what follows is newer
            view = views.production_view(root)
            session = the_studio.production_session()
            pending = session.pending()
            view["thread"] = PRODUCE_THREAD
            view["running"] = running
            view["pending"] = pending
            view["pending_kind"] = views.SHORT_KINDS.get(str((pending or {}).get("kind")))
            view["result"] = session.values().get("production")
            view["progress"] = dict(live) if view["running"] else None
            view["backends"] = ["animatic"]
            return view

        return JSONResponse(await run_in_threadpool(read))

    async def api_produce(request: Request) -> Response:
        body = await _body(request)
        backend = body.get("backend", "animatic")
        segments = body.get("segments", [])
        shots = body.get("shots", [])
        if backend != "animatic":
            raise InvalidInput("the studio produces with the animatic backend (offline)")
        for name, value in (("segments", segments), ("shots", shots)):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InvalidInput(f"{name} is a list of ids")

        def check() -> None:
            from storycore.tools.production.producer import Production
            from storycore.tools.project import Project

            if not Project.is_project(root):
                raise InvalidInput("there is no project here to produce: plan one first")
            # Everything is checked before the thread is touched (as `storycore produce`).
            Production(Project.open(root), backend, segments=segments, shots=shots).preflight()
            if the_studio.production_session().pending() is not None:
                raise ConflictError("answer the pending production confirmation first")

        await run_in_threadpool(check)

        def action(session: Any, on_event: Any) -> Any:
            live.clear()

            def relay(kind: str, data: Any) -> None:
                if kind == "progress" and isinstance(data, dict):
                    live.update({k: data.get(k) for k in ("phase", "segment", "done", "total")})
                    live["text"] = data.get("text")
                on_event(kind, data)

            return session.produce(backend=backend, segments=segments, shots=shots, on_event=relay)

        await run_in_threadpool(the_studio.production_session)
        return await _turn_on(request, PRODUCE_THREAD, action)

    async def api_undo(request: Request) -> Response:
        text = await run_in_threadpool(the_studio.undo)
        return JSONResponse({"text": text})

    async def api_events(request: Request) -> Response:
        queue = the_studio.hub.subscribe()

        async def stream() -> AsyncIterator[str]:
            try:
                stamp = await run_in_threadpool(views.project_stamp, root)
                yield "retry: 2000\n\n"
                yield _sse("hello", {"stamp": stamp, "running": the_studio.running})
                idle = 0
                while True:
                    try:
                        event = await asyncio.wait_for(queue.get(), timeout=WATCH_INTERVAL)
                    except TimeoutError:
                        idle += 1
                        now = await run_in_threadpool(views.project_stamp, root)
                        if now != stamp:
                            stamp = now
                            yield _sse("project", {"reason": "disk", "stamp": now})
                        elif idle % KEEPALIVE_EVERY == 0:
                            yield ": keep-alive\n\n"
                        continue
                    yield _sse(event.kind, event.data, event.id)
            finally:
                the_studio.hub.unsubscribe(queue)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    routes = [
        Route("/", index),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/files/{path:path}", _handled(project_file)),
        Route("/api/project", _handled(api_project)),
        Route("/api/shots", _handled(api_shots)),
        Route("/api/shots/{shot_id}", _handled(api_shot)),
        Route("/api/timeline", _handled(api_timeline)),
        Route("/api/elements", _handled(api_elements)),
        Route("/api/labels", _handled(api_labels)),
        Route("/api/modifications", _handled(api_modifications)),
        Route("/api/threads", _handled(api_threads), methods=["GET"]),
        Route("/api/threads", _handled(api_new_thread), methods=["POST"]),
        Route("/api/threads/{thread}", _handled(api_thread)),
        Route("/api/threads/{thread}/messages", _handled(api_message), methods=["POST"]),
        Route("/api/threads/{thread}/decision", _handled(api_decision), methods=["POST"]),
        Route("/api/threads/{thread}/check-edit", _handled(api_check_edit), methods=["POST"]),
        Route("/api/production", _handled(api_production), methods=["GET"]),
        Route("/api/production", _handled(api_produce), methods=["POST"]),
        Route("/api/undo", _handled(api_undo), methods=["POST"]),
        Route("/api/events", api_events),
        Mount("/static", app=StaticFiles(directory=static_dir()), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        the_studio.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.studio = the_studio
    app.add_middleware(Guard, token=token, allowed_hosts=allowed_hosts)
    return app
