"""The studio's endpoints: the page, the project's files, and the JSON API over a
:class:`~storycore.agent.web.studio.Studio` (``docs/web-studio.md`` describes the API).

One method per endpoint of :class:`StudioApi`; ``create_app`` (``app.py``) routes them. Files
are served only from inside the project folder, by project-relative path, never a folder
listing, never a hidden file (``.storycore/`` holds the conversations), never through a
symbolic link that leaves the folder. Nothing changes the project without the same
confirmation the chat asks for: the API only sends messages and answers to the assistant's own
confirmations (and ``/undo``).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib.resources import files as resource_files
from pathlib import Path, PurePosixPath
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse

from storycore.agent.context import Context
from storycore.agent.web import views
from storycore.agent.web.forms import check_decision, check_edits, edit_form, modification_kinds
from storycore.agent.web.guard import MAX_BODY_BYTES, TOKEN_COOKIE, TooLarge
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

#: Seconds between two looks at the project on disk while an event stream is idle.
WATCH_INTERVAL = 1.0
KEEPALIVE_EVERY = 15

Endpoint = Callable[[Request], Awaitable[Response]]
#: A turn on a session: ``action(session, on_event)``.
Action = Callable[[Any, Any], Any]


def static_dir() -> Path:
    """The folder of the page's HTML, CSS and JavaScript (shipped in the package)."""
    return Path(str(resource_files("storycore.agent.web") / "static"))


def handled(endpoint: Endpoint) -> Endpoint:
    """``endpoint`` answering a domain error as JSON with its status instead of raising."""

    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except (StoryCoreError, TooLarge) as exc:
            return _error(exc)

    wrapper.__name__ = endpoint.__name__
    wrapper.__doc__ = endpoint.__doc__
    return wrapper


class StudioApi:
    """The endpoints of one studio, bound to its project, settings and token."""

    def __init__(self, studio: Studio, context: Context, token: str | None) -> None:
        self.studio = studio
        self.root = studio.project_dir
        self.ctx = context
        self.token = token
        offline = f"offline: {context.offline_reason}"
        self.mode = offline if context.offline else f"model {context.model}"
        self.live: dict[str, Any] = {}  # the production's latest progress (shown on a reload)

    # -- the page and the files ------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        response = FileResponse(static_dir() / "index.html", headers={"Cache-Control": "no-cache"})
        given = request.query_params.get("token")
        if self.token is not None and given and secrets.compare_digest(given, self.token):
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
        return response

    async def project_file(self, request: Request) -> Response:
        missing = JSONResponse({"error": "no such file in the project"}, 404)
        rel = request.path_params["path"]
        parts = PurePosixPath(rel).parts
        if not parts or "\\" in rel or "\x00" in rel or any(p.startswith(".") for p in parts):
            return missing
        try:
            target = confined(self.root, rel)
        except ConfinementError:
            return missing
        inside = target.relative_to(self.root).parts
        if not target.is_file() or any(p.startswith(".") for p in inside):
            return missing
        return FileResponse(target, headers={"Cache-Control": "no-cache"})

    # -- the plan ----------------------------------------------------------------------------

    async def project(self, request: Request) -> Response:
        view = await run_in_threadpool(
            views.project_view,
            self.root,
            fallback_language=self.ctx.language,
            offline=self.ctx.offline,
            mode=self.mode,
        )
        view["folder"] = str(self.root)
        view["default_thread"] = self.studio.default_thread
        view["running"] = self.studio.running
        return JSONResponse(view)

    async def shots(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(views.shots_view, self.root))

    async def shot(self, request: Request) -> Response:
        shot_id = request.path_params["shot_id"]
        board = await run_in_threadpool(views.shots_view, self.root)
        for segment in board["segments"]:
            for shot in segment["shots"]:
                if shot["shot_id"] == shot_id:
                    return JSONResponse(shot)
        raise NotFound(f"this project has no shot {shot_id!r}")

    async def timeline(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(views.timeline_view, self.root))

    async def elements(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(views.elements_view, self.root))

    async def labels(self, request: Request) -> Response:
        code, labels = labels_for(request.query_params.get("lang"))
        return JSONResponse({"language": code, "labels": labels, "languages": sorted(LABELS)})

    async def modifications(self, request: Request) -> Response:
        return JSONResponse({"kinds": modification_kinds()})

    # -- threads and turns -------------------------------------------------------------------

    async def threads(self, request: Request) -> Response:
        threads = await run_in_threadpool(self.studio.known_threads)
        return JSONResponse(
            {
                "threads": threads,
                "default": self.studio.default_thread,
                "running": self.studio.running,
            }
        )

    async def new_thread(self, request: Request) -> Response:
        body = await _body(request)
        wanted = body.get("thread_id")
        if wanted is not None and not isinstance(wanted, str):
            raise InvalidInput("thread_id is a string")
        thread = await run_in_threadpool(self.studio.new_thread, wanted)
        self.studio.hub.publish("threads", {"thread": thread})
        return JSONResponse({"thread": thread}, status_code=201)

    async def thread(self, request: Request) -> Response:
        def read() -> dict[str, Any]:
            session = require_thread(self.studio, request.path_params["thread"])
            view = views.thread_view(self.studio, session)
            view["edit_form"] = edit_form(view["pending"])
            return view

        return JSONResponse(await run_in_threadpool(read))

    async def message(self, request: Request) -> Response:
        body = await _body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("say something: the message is empty")
        await run_in_threadpool(require_thread, self.studio, request.path_params["thread"])
        return await self._turn(request, lambda s, on_event: s.say(text, on_event=on_event))

    async def decision(self, request: Request) -> Response:
        body = await _body(request)

        def checked() -> dict[str, Any]:
            session = require_thread(self.studio, request.path_params["thread"])
            return check_decision(self.root, session.pending(), body)

        decision = await run_in_threadpool(checked)
        return await self._turn(request, lambda s, on_event: s.resume(decision, on_event=on_event))

    async def check_edit(self, request: Request) -> Response:
        body = await _body(request)

        def check() -> dict[str, Any]:
            session = require_thread(self.studio, request.path_params["thread"])
            pending = session.pending()
            if pending is None:
                raise InvalidInput("the assistant is not waiting for a confirmation")
            try:
                return check_edits(self.root, pending, body.get("edits"))
            except StoryCoreError:
                raise
            except ValueError as exc:
                raise InvalidInput(" ".join(str(exc).split())) from None

        return JSONResponse({"ok": True, **(await run_in_threadpool(check))})

    async def undo(self, request: Request) -> Response:
        text = await run_in_threadpool(self.studio.undo)
        return JSONResponse({"text": text})

    async def _turn(self, request: Request, action: Action) -> Response:
        return await self._turn_on(request, request.path_params["thread"], action)

    async def _turn_on(self, request: Request, thread: str, action: Action) -> Response:
        if _wants_wait(request):
            result = await run_in_threadpool(self.studio.start, thread, action, wait=True)
            return JSONResponse(result.as_json())  # type: ignore[union-attr]
        started = await run_in_threadpool(self.studio.start, thread, action)
        tid, turn_id = started  # type: ignore[misc]
        return JSONResponse({"thread": tid, "turn_id": turn_id, "state": "started"}, 202)

    # -- production --------------------------------------------------------------------------

    async def production(self, request: Request) -> Response:
        def read() -> dict[str, Any]:
            running = self.studio.running == PRODUCE_THREAD  # first: what follows is newer
            view = views.production_view(self.root)
            session = self.studio.production_session()
            pending = session.pending()
            view["thread"] = PRODUCE_THREAD
            view["running"] = running
            view["pending"] = pending
            view["pending_kind"] = views.SHORT_KINDS.get(str((pending or {}).get("kind")))
            view["result"] = session.values().get("production")
            view["progress"] = dict(self.live) if view["running"] else None
            view["backends"] = ["animatic"]
            return view

        return JSONResponse(await run_in_threadpool(read))

    async def produce(self, request: Request) -> Response:
        body = await _body(request)
        backend = body.get("backend", "animatic")
        segments = body.get("segments", [])
        shots = body.get("shots", [])
        if backend != "animatic":
            raise InvalidInput("the studio produces with the animatic backend (offline)")
        for name, value in (("segments", segments), ("shots", shots)):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InvalidInput(f"{name} is a list of ids")
        await run_in_threadpool(self._check_production, backend, segments, shots)

        def action(session: Any, on_event: Any) -> Any:
            self.live.clear()

            def relay(kind: str, data: Any) -> None:
                if kind == "progress" and isinstance(data, dict):
                    self.live.update(
                        {k: data.get(k) for k in ("phase", "segment", "done", "total")}
                    )
                    self.live["text"] = data.get("text")
                on_event(kind, data)

            return session.produce(backend=backend, segments=segments, shots=shots, on_event=relay)

        await run_in_threadpool(self.studio.production_session)
        return await self._turn_on(request, PRODUCE_THREAD, action)

    def _check_production(self, backend: str, segments: list[str], shots: list[str]) -> None:
        """Everything is checked before the thread is touched (as ``storycore produce``)."""
        from storycore.tools.production.producer import Production
        from storycore.tools.project import Project

        if not Project.is_project(self.root):
            raise InvalidInput("there is no project here to produce: plan one first")
        Production(Project.open(self.root), backend, segments=segments, shots=shots).preflight()
        if self.studio.production_session().pending() is not None:
            raise ConflictError("answer the pending production confirmation first")

    # -- the event stream --------------------------------------------------------------------

    async def events(self, request: Request) -> Response:
        return StreamingResponse(
            self._stream(self.studio.hub.subscribe()),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def _stream(self, queue: Any) -> AsyncIterator[str]:
        """The hub's events, a ``project`` event when the files change on disk, keep-alives."""
        try:
            stamp = await run_in_threadpool(views.project_stamp, self.root)
            yield "retry: 2000\n\n"
            yield _sse("hello", {"stamp": stamp, "running": self.studio.running})
            idle = 0
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=WATCH_INTERVAL)
                except TimeoutError:
                    idle += 1
                    now = await run_in_threadpool(views.project_stamp, self.root)
                    if now != stamp:
                        stamp = now
                        yield _sse("project", {"reason": "disk", "stamp": now})
                    elif idle % KEEPALIVE_EVERY == 0:
                        yield ": keep-alive\n\n"
                    continue
                yield _sse(event.kind, event.data, event.id)
        finally:
            self.studio.hub.unsubscribe(queue)


# -- helpers ---------------------------------------------------------------------------------


def _error(exc: Exception) -> JSONResponse:
    if isinstance(exc, NotFound):
        status = 404
    elif isinstance(exc, Busy | ConflictError):
        status = 409
    elif isinstance(exc, TooLarge):
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
