"""The studio's web server: the page, the project's files, and a small JSON API.

``create_app(project_dir, ...)`` returns a Starlette application; ``storycore serve`` runs it
with uvicorn. The API is described in ``docs/web-studio.md``. Three files:

- ``guard.py``: the safety middleware (:class:`Guard`): ``Host`` and ``Origin`` checks against
  DNS rebinding and other sites, the token (required for any host other than loopback), JSON
  bodies of at most :data:`MAX_BODY_BYTES`;
- ``endpoints.py``: one method per endpoint (:class:`StudioApi`); files are served only from
  inside the project folder, never a hidden file, never through a link that leaves it, and
  nothing changes the project without the confirmation the chat asks for;
- this file: the routes and the application.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from storycore.agent.context import Context
from storycore.agent.web.endpoints import StudioApi, handled, static_dir
from storycore.agent.web.guard import LOOPBACK, MAX_BODY_BYTES, TOKEN_COOKIE, Guard
from storycore.agent.web.studio import Studio

__all__ = ["LOOPBACK", "MAX_BODY_BYTES", "TOKEN_COOKIE", "Guard", "create_app", "static_dir"]


def _routes(api: StudioApi) -> list[Route | Mount]:
    def on(path: str, endpoint: Any, method: str = "GET") -> Route:
        return Route(path, handled(endpoint), methods=[method])

    return [
        Route("/", api.index),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/files/{path:path}", handled(api.project_file)),
        on("/api/project", api.project),
        on("/api/shots", api.shots),
        on("/api/shots/{shot_id}", api.shot),
        on("/api/timeline", api.timeline),
        on("/api/elements", api.elements),
        on("/api/labels", api.labels),
        on("/api/modifications", api.modifications),
        on("/api/threads", api.threads),
        on("/api/threads", api.new_thread, "POST"),
        on("/api/threads/{thread}", api.thread),
        on("/api/threads/{thread}/messages", api.message, "POST"),
        on("/api/threads/{thread}/decision", api.decision, "POST"),
        on("/api/threads/{thread}/check-edit", api.check_edit, "POST"),
        on("/api/production", api.production),
        on("/api/production", api.produce, "POST"),
        on("/api/undo", api.undo, "POST"),
        Route("/api/events", api.events),
        Mount("/static", app=StaticFiles(directory=static_dir()), name="static"),
    ]


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

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        the_studio.close()

    app = Starlette(routes=_routes(StudioApi(the_studio, ctx, token)), lifespan=lifespan)
    app.state.studio = the_studio
    app.add_middleware(Guard, token=token, allowed_hosts=allowed_hosts)
    return app
