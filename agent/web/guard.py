"""The studio server's safety, in one place: an ASGI middleware (:class:`Guard`).

- requests must name this server in ``Host`` (a page elsewhere cannot reach it through DNS
  rebinding); a request carrying an ``Origin`` must come from this server's own origin;
- with a token (required for any host other than loopback), every request carries it: the
  ``Authorization: Bearer`` header, the ``storycore_token`` cookie set when the page is opened
  with ``?token=``, or ``?token=`` itself;
- request bodies are JSON and at most :data:`MAX_BODY_BYTES`.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from starlette.responses import JSONResponse

#: Largest request body accepted (a pasted brief fits easily).
MAX_BODY_BYTES = 1024 * 1024
TOKEN_COOKIE = "storycore_token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


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
                    raise TooLarge()
            return message

        return bounded


class TooLarge(Exception):
    """A request body went over the limit while it was being read."""


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    await JSONResponse({"error": message}, status_code=status)(scope, receive, send)
