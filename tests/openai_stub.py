"""A scripted OpenAI-compatible server for tests: POST /v1/chat/completions on 127.0.0.1.

A test queues the answers, in order, then points the code at ``stub.base_url``::

    def test_something(openai_stub):
        openai_stub.reply_text("Hello")
        openai_stub.reply_tool_call("add_shot", {"after": "shot_02"})
        openai_stub.reply_error(429, retry_after=1)
        ...
        assert openai_stub.requests[0]["messages"][-1]["content"] == "..."

Each request consumes the next queued answer. A request with ``"stream": true`` gets the
same answer as server-sent events (text in small pieces, tool-call arguments in pieces, then
a usage chunk when ``stream_options.include_usage`` is set). Every response has a fixed id,
``created`` value and headers (no date), so cassettes recorded from it are stable; responses
carry ``x-storycore-stub: scripted`` so a replay knows it came from a script.

When the queue is empty the stub answers 400 with a message saying so (400 is never retried,
so the test fails at once instead of waiting).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

STUB_HEADER = "x-storycore-stub"
CREATED = 1_700_000_000
FINGERPRINT = "fp_storycore_stub"
# Text is streamed in pieces of this many characters (deterministic chunking).
STREAM_PIECE = 12


@dataclass
class ScriptedAnswer:
    """One queued answer. ``kind`` is text, tool_calls, structured or error."""

    kind: str
    content: str | None = None
    tool_calls: list[tuple[str, str]] = field(default_factory=list)  # (name, raw JSON args)
    data: Any = None
    status: int = 200
    message: str = ""
    retry_after: float | None = None
    finish_reason: str | None = None
    cut_after: int | None = None
    end_after: int | None = None


class OpenAIStub:
    """The server and its script. Start with :meth:`start`, stop with :meth:`stop`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._script: deque[ScriptedAnswer] = deque()
        self._lock = threading.Lock()
        self._counter = 0
        self.requests: list[dict[str, Any]] = []
        self.request_log: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What to give as OPENAI_BASE_URL / ``Context.base_url``."""
        return f"{self.origin}/v1"

    def start(self) -> OpenAIStub:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            # A short poll interval makes shutdown() quick (the default waits up to 0.5 s).
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="openai-stub",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- the script ------------------------------------------------------------------

    def reply_text(
        self, text: str, *, finish_reason: str = "stop", cut_after: int | None = None
    ) -> None:
        """An assistant message with this content (prose, broken JSON, anything).

        ``cut_after``: for a streaming request, drop the connection after that many events
        (a network failure in the middle of an answer).
        """
        self._queue(
            ScriptedAnswer("text", content=text, finish_reason=finish_reason, cut_after=cut_after)
        )

    def reply_stream_ending_early(self, text: str, *, events: int) -> None:
        """For a streaming request: send the first ``events`` events of ``text`` as a whole,
        well-formed body (no finish reason, no ``[DONE]``): a stream that simply stops."""
        self._queue(ScriptedAnswer("text", content=text, end_after=events))

    def reply_raw(self, body: str, *, status: int = 200) -> None:
        """This body as is, as JSON content type (a body without ``choices``, garbage)."""
        self._queue(ScriptedAnswer("raw", content=body, status=status))

    def reply_json(self, data: Any) -> None:
        """An assistant message whose content is ``data`` as JSON text."""
        self.reply_text(json.dumps(data, ensure_ascii=False))

    def reply_tool_call(self, name: str, arguments: dict[str, Any] | str) -> None:
        """One tool call; ``arguments`` as a dict, or a raw (possibly broken) JSON string."""
        self.reply_tool_calls([(name, arguments)])

    def reply_tool_calls(
        self, calls: list[tuple[str, dict[str, Any] | str]], *, content: str | None = None
    ) -> None:
        """Several tool calls in one answer (parallel tool calls), optionally with text."""
        raw = [
            (n, a if isinstance(a, str) else json.dumps(a, ensure_ascii=False)) for n, a in calls
        ]
        self._queue(ScriptedAnswer("tool_calls", content=content, tool_calls=raw))

    def reply_structured(self, data: Any) -> None:
        """``data`` in whatever form the request asked for.

        A forced tool call (``tool_choice`` naming a function, as ``with_structured_output``
        with ``function_calling`` sends) gets a call to that function; otherwise (JSON mode,
        JSON schema, or nothing) the data is the message content as JSON.
        """
        self._queue(ScriptedAnswer("structured", data=data))

    def reply_error(
        self, status: int, message: str | None = None, *, retry_after: float | None = None
    ) -> None:
        """An error response in OpenAI's format (429 with ``retry-after``, 500, 400...)."""
        text = message or HTTPStatus(status).phrase
        self._queue(ScriptedAnswer("error", status=status, message=text, retry_after=retry_after))

    @property
    def pending(self) -> int:
        """How many queued answers have not been served yet."""
        with self._lock:
            return len(self._script)

    def _queue(self, answer: ScriptedAnswer) -> None:
        with self._lock:
            self._script.append(answer)

    # --- serving ---------------------------------------------------------------------

    def _next(
        self, body: dict[str, Any], path: str, headers: dict[str, str]
    ) -> tuple[int, int, ScriptedAnswer | None]:
        with self._lock:
            self._counter += 1
            self.requests.append(body)
            self.request_log.append(
                {
                    "path": path,
                    "body": body,
                    # Whether a key was sent, never the key itself.
                    "authorized": headers.get("authorization", "").startswith("Bearer "),
                }
            )
            answer = self._script.popleft() if self._script else None
            return self._counter, len(self.requests), answer


def _handler_for(stub: OpenAIStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def version_string(self) -> str:
            return "openai-stub"

        def log_message(self, format: str, *args: Any) -> None:
            return  # keep pytest output clean

        def date_time_string(self, timestamp: float | None = None) -> str:
            return "Tue, 14 Nov 2023 22:13:20 GMT"  # fixed: cassettes must not change

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                payload = {"object": "list", "data": [{"id": "stub-model", "object": "model"}]}
                self._send_json(200, payload)
            else:
                self._send_json(404, _error_body("not found", "invalid_request_error"))

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send_json(404, _error_body(f"no route {self.path}", "invalid_request_error"))
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._send_json(400, _error_body("body is not JSON", "invalid_request_error"))
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            number, _, answer = stub._next(body, self.path, headers)
            if answer is None:
                self._send_json(
                    400,
                    _error_body(
                        "openai_stub: no scripted answer left for this request "
                        f"(request #{number}); queue one with reply_*()",
                        "invalid_request_error",
                    ),
                )
                return
            if answer.kind == "raw":
                self._send(answer.status, (answer.content or "").encode(), "application/json")
                return
            if answer.kind == "error":
                extra = {}
                if answer.retry_after is not None:
                    extra["retry-after"] = _format_seconds(answer.retry_after)
                kind = (
                    "rate_limit_error"
                    if answer.status == 429
                    else ("server_error" if answer.status >= 500 else "invalid_request_error")
                )
                self._send_json(answer.status, _error_body(answer.message, kind), extra)
                return
            message, finish = _message_for(answer, body, number)
            completion_id = f"chatcmpl-stub-{number:04d}"
            model = str(body.get("model") or "stub-model")
            usage = _usage(body, message)
            if body.get("stream"):
                include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                events = _stream_events(completion_id, model, message, finish, usage, include_usage)
                data = "".join(events).encode()
                if answer.end_after is not None:
                    self._send(
                        200, "".join(events[: answer.end_after]).encode(), "text/event-stream"
                    )
                    return
                if answer.cut_after is not None:
                    # Announce the whole body, send part of it, hang up.
                    partial = "".join(events[: answer.cut_after]).encode()
                    self.close_connection = True
                    self._send(200, partial, "text/event-stream; charset=utf-8", length=len(data))
                    return
                self._send(200, data, "text/event-stream; charset=utf-8")
                return
            payload = {
                "id": completion_id,
                "object": "chat.completion",
                "created": CREATED,
                "model": model,
                "system_fingerprint": FINGERPRINT,
                "choices": [
                    {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
                ],
                "usage": usage,
            }
            self._send_json(200, payload)

        def _send_json(
            self, status: int, payload: Any, extra: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self._send(status, data, "application/json", extra)

        def _send(
            self,
            status: int,
            data: bytes,
            content_type: str,
            extra: dict[str, str] | None = None,
            length: int | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data) if length is None else length))
            self.send_header(STUB_HEADER, "scripted")
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _error_body(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _format_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _forced_function(body: dict[str, Any]) -> str | None:
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        function = choice.get("function") or {}
        name = function.get("name")
        return str(name) if name else None
    tools = body.get("tools") or []
    if choice == "required" and len(tools) == 1:
        return str(tools[0].get("function", {}).get("name"))
    return None


def _message_for(
    answer: ScriptedAnswer, body: dict[str, Any], number: int
) -> tuple[dict[str, Any], str]:
    calls = answer.tool_calls
    content = answer.content
    if answer.kind == "structured":
        forced = _forced_function(body)
        text = json.dumps(answer.data, ensure_ascii=False)
        if forced:
            calls, content = [(forced, text)], None
        else:
            calls, content = [], text
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if calls:
        message["tool_calls"] = [
            {
                "id": f"call_stub_{number:04d}_{i}",
                "type": "function",
                "function": {"name": name, "arguments": args},
            }
            for i, (name, args) in enumerate(calls)
        ]
        return message, "tool_calls"
    return message, answer.finish_reason or "stop"


def _usage(body: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    # Deterministic token counts (about 4 characters a token), so usage tests can assert.
    prompt_chars = len(json.dumps(body.get("messages", []), ensure_ascii=False))
    prompt_chars += len(json.dumps(body.get("tools", []), ensure_ascii=False))
    answer_chars = len(message.get("content") or "")
    answer_chars += sum(len(c["function"]["arguments"]) for c in message.get("tool_calls", []))
    prompt = max(1, prompt_chars // 4)
    completion = max(1, answer_chars // 4)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }


def _pieces(text: str, size: int = STREAM_PIECE) -> Iterator[str]:
    for start in range(0, len(text), size):
        yield text[start : start + size]


def _stream_events(
    completion_id: str,
    model: str,
    message: dict[str, Any],
    finish: str,
    usage: dict[str, Any],
    include_usage: bool,
) -> list[str]:
    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> str:
        payload = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": model,
            "system_fingerprint": FINGERPRINT,
            "choices": [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            ],
        }
        if include_usage:
            payload["usage"] = None
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    events = [chunk({"role": "assistant", "content": "", "refusal": None})]
    for piece in _pieces(message.get("content") or ""):
        events.append(chunk({"content": piece}))
    for index, call in enumerate(message.get("tool_calls", [])):
        head = {
            "index": index,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        events.append(chunk({"tool_calls": [head]}))
        for piece in _pieces(call["function"]["arguments"]):
            events.append(
                chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
            )
    events.append(chunk({}, finish))
    if include_usage:
        final = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": model,
            "system_fingerprint": FINGERPRINT,
            "choices": [],
            "usage": usage,
        }
        events.append(f"data: {json.dumps(final, ensure_ascii=False)}\n\n")
    events.append("data: [DONE]\n\n")
    return events


@pytest.fixture
def openai_stub() -> Iterator[OpenAIStub]:
    """A started stub on a free port of 127.0.0.1, stopped after the test."""
    stub = OpenAIStub().start()
    try:
        yield stub
    finally:
        stub.stop()
