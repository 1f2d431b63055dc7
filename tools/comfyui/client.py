"""A small synchronous client for ComfyUI's HTTP and WebSocket API.

What it relies on (ComfyUI's ``server.py``, checked in 2026; docs/comfyui.md):

- ``POST /prompt {prompt, client_id, prompt_id}``: the prompt id is ours (a lowercase UUID),
  so a job can be looked up before it is ever posted again. A 200 answer may still carry
  ``node_errors``; a 400 carries ``{error: {type, message, details}, node_errors}``.
- ``GET /history/{id}`` is ``{}`` while queued, while running and for an unknown id alike;
  ``GET /queue`` (items ``[number, prompt_id, prompt, extra_data, outputs]``) tells them apart.
- ``GET /ws?clientId=`` sends events only for prompts posted with that ``client_id``; events are
  never replayed, so the history is read before and after connecting. A lost socket falls
  back to polling.
- Outputs: ``SaveImage``/``SaveVideo`` under ``images`` (videos with ``animated``),
  ``VHS_VideoCombine`` under ``gifs``; fetched with ``GET /view``.

Connection errors are retried with exponential backoff (tenacity). ``POST /prompt`` is never
blindly retried: after a failure whose effect is unknown the prompt id is looked up first.

The errors, statuses, output files and prompt ids are in storycore.tools.comfyui.answers
(re-exported here).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from storycore.tools.comfyui.answers import _PROMPT_NAMESPACE as _PROMPT_NAMESPACE
from storycore.tools.comfyui.answers import DEFAULT_URL as DEFAULT_URL
from storycore.tools.comfyui.answers import VIDEO_EXTENSIONS as VIDEO_EXTENSIONS
from storycore.tools.comfyui.answers import (
    ComfyUIError,
    JobFailed,
    JobLost,
    JobResult,
    JobStatus,
    JobTimeout,
    OutputFile,
    PromptRejected,
    ServerUnreachable,
    _failure_from_event,
    _failure_from_messages,
    _rejection,
    _ws_url,
    parse_outputs,
    prompt_id_for,
)
from storycore.tools.comfyui.answers import EventCallback as EventCallback

__all__ = [
    "ComfyClient",
    "ComfyUIError",
    "JobFailed",
    "JobLost",
    "JobResult",
    "JobStatus",
    "JobTimeout",
    "OutputFile",
    "PromptRejected",
    "ServerUnreachable",
    "prompt_id_for",
]


class ComfyClient:
    """One ComfyUI server. Thread-safe for independent calls (httpx's client is).

    ``timeout`` bounds each HTTP request; a job's own time limit is given to :meth:`wait`.
    ``retries`` and ``backoff`` shape the retries of connection errors (tenacity).
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        client_id: str | None = None,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        poll_interval: float = 1.0,
        use_websocket: bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.client_id = client_id or uuid.uuid4().hex
        self.retries = max(1, retries)
        self.backoff = backoff
        self.poll_interval = poll_interval
        self.use_websocket = use_websocket
        self._http = httpx.Client(
            base_url=self.url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
            trust_env=False,
        )
        self._object_info: dict[str, Any] | None = None

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> ComfyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- plumbing

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request, retried with backoff on connection errors (never on an answer)."""
        retrying = Retrying(
            stop=stop_after_attempt(self.retries),
            wait=wait_exponential(multiplier=self.backoff, max=8),
            retry=retry_if_exception_type(httpx.TransportError),
            reraise=False,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._http.request(method, path, **kwargs)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            raise ServerUnreachable(
                f"ComfyUI at {self.url} does not answer ({type(cause).__name__}: {cause}); "
                "is it running? (STORYCORE_COMFYUI_URL)"
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        if response.status_code >= 400:
            raise ComfyUIError(
                f"ComfyUI at {self.url} answered {method} {path} with HTTP "
                f"{response.status_code}: {response.text[:200]}"
            )
        try:
            return response.json()
        except ValueError:
            raise ComfyUIError(
                f"ComfyUI at {self.url} answered {method} {path} with something not JSON"
            ) from None

    def _post_ok(self, path: str, body: Mapping[str, Any]) -> None:
        """A POST answered with an empty 200 (``/queue``, ``/interrupt``)."""
        response = self._request("POST", path, json=dict(body))
        if response.status_code >= 400:
            raise ComfyUIError(
                f"ComfyUI at {self.url} answered POST {path} with HTTP {response.status_code}"
            )

    # ---------------------------------------------------------------- queries

    def system_stats(self) -> dict[str, Any]:
        """``GET /system_stats``: the server's version, devices and VRAM."""
        data = self._json("GET", "/system_stats")
        return data if isinstance(data, dict) else {}

    def object_info(self, refresh: bool = False) -> dict[str, Any]:
        """``GET /object_info``: every node class with its inputs and outputs (cached)."""
        if self._object_info is None or refresh:
            data = self._json("GET", "/object_info")
            if not isinstance(data, dict):
                raise ComfyUIError(f"ComfyUI at {self.url}: /object_info is not a mapping")
            self._object_info = data
        return self._object_info

    def queue(self) -> tuple[list[str], list[str]]:
        """The prompt ids running and pending (``GET /queue``)."""
        data = self._json("GET", "/queue")

        def ids(items: Any) -> list[str]:
            return [
                str(item[1]) for item in items or () if isinstance(item, list) and len(item) > 1
            ]

        return ids(data.get("queue_running")), ids(data.get("queue_pending"))

    def history(self, prompt_id: str) -> dict[str, Any] | None:
        """The history entry of a finished job, or None (queued, running or unknown)."""
        data = self._json("GET", f"/history/{prompt_id}")
        entry = data.get(prompt_id) if isinstance(data, dict) else None
        return entry if isinstance(entry, dict) else None

    def status(self, prompt_id: str) -> JobStatus | None:
        """What the server knows of ``prompt_id``: finished (history), running, queued, or None."""
        entry = self.history(prompt_id)
        if entry is not None:
            return self._entry_status(entry)
        running, pending = self.queue()
        if prompt_id in running:
            return JobStatus.RUNNING
        if prompt_id in pending:
            return JobStatus.QUEUED
        # It may have finished between the two questions.
        entry = self.history(prompt_id)
        return self._entry_status(entry) if entry is not None else None

    @staticmethod
    def _entry_status(entry: Mapping[str, Any]) -> JobStatus:
        status = entry.get("status") or {}
        if status.get("status_str") == "success" or (
            not status and entry.get("outputs") is not None
        ):
            return JobStatus.SUCCESS
        messages = status.get("messages") or []
        last = messages[-1] if messages else None
        if isinstance(last, list | tuple) and last and last[0] == "execution_interrupted":
            return JobStatus.INTERRUPTED
        return JobStatus.ERROR

    def _result(self, prompt_id: str, entry: Mapping[str, Any]) -> JobResult:
        status = self._entry_status(entry)
        messages = list((entry.get("status") or {}).get("messages") or [])
        if status is not JobStatus.SUCCESS:
            raise _failure_from_messages(prompt_id, messages)
        return JobResult(prompt_id, status, parse_outputs(entry), messages)

    # ---------------------------------------------------------------- submitting

    def submit(self, workflow: Mapping[str, Any], prompt_id: str) -> str:
        """Post ``workflow`` as ``prompt_id`` unless the server already knows that id.

        Returns the prompt id. Raises :class:`PromptRejected` for a refused workflow (400, or a
        200 with ``node_errors``), :class:`ServerUnreachable` when the server cannot be reached.
        A post whose answer was lost is looked up before it is ever posted again.
        """
        prompt_id = str(uuid.UUID(prompt_id))  # lowercase, canonical; ValueError if not a UUID
        if self.status(prompt_id) is not None:
            return prompt_id
        body = {"prompt": dict(workflow), "client_id": self.client_id, "prompt_id": prompt_id}
        delay = self.backoff
        for attempt in range(self.retries):
            try:
                response = self._http.post("/prompt", json=body)
            except httpx.TransportError as exc:
                # Sent or not? Ask before posting again.
                if attempt + 1 >= self.retries:
                    raise ServerUnreachable(
                        f"ComfyUI at {self.url} does not answer POST /prompt "
                        f"({type(exc).__name__}: {exc})"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 8.0)
                with contextlib.suppress(ServerUnreachable):
                    if self.status(prompt_id) is not None:
                        return prompt_id
                continue
            return self._accepted(response, prompt_id)
        raise AssertionError("unreachable")  # pragma: no cover

    def _accepted(self, response: httpx.Response, prompt_id: str) -> str:
        try:
            body = response.json()
        except ValueError:
            body = {"error": response.text[:200]}
        if response.status_code != 200:
            raise _rejection(body, response.status_code)
        node_errors = body.get("node_errors") if isinstance(body, dict) else None
        if node_errors:
            # Accepted in part: the failing outputs will not run. Take nothing half-done, and
            # leave no history that a later run could take for a finished job.
            with contextlib.suppress(ComfyUIError):
                self.cancel([prompt_id])
                self.forget([prompt_id])
            raise _rejection(body, 200)
        return str(body.get("prompt_id") or prompt_id)

    # ---------------------------------------------------------------- waiting

    def wait(
        self,
        prompt_id: str,
        *,
        timeout: float = 3600.0,
        on_event: EventCallback | None = None,
    ) -> JobResult:
        """Block until ``prompt_id`` finishes; return its outputs or raise.

        Follows the WebSocket while it stays up (the history is read after connecting, since
        events are not replayed), then polls ``/history`` and ``/queue``. Raises
        :class:`JobFailed`, :class:`JobLost` (the server forgot the job), :class:`JobTimeout`.
        """
        deadline = time.monotonic() + timeout
        entry = self.history(prompt_id)
        if entry is not None:
            return self._result(prompt_id, entry)
        result = None
        if self.use_websocket:
            try:
                result = self._wait_socket(prompt_id, deadline, on_event)
            except _SocketLost:
                result = None
        if result is not None:
            return result
        return self._wait_polling(prompt_id, deadline, on_event)

    def _wait_socket(
        self, prompt_id: str, deadline: float, on_event: EventCallback | None
    ) -> JobResult | None:
        """Follow the job's events; None when it ended without a history entry yet."""
        from websockets.exceptions import WebSocketException
        from websockets.sync.client import connect

        try:
            socket = connect(
                _ws_url(self.url, self.client_id),
                open_timeout=min(10.0, max(0.1, deadline - time.monotonic())),
                close_timeout=1.0,
                max_size=None,
            )
        except (OSError, WebSocketException, TimeoutError):
            raise _SocketLost() from None
        with socket:
            # Events are not replayed: whatever finished before we connected is in the history.
            if (entry := self.history(prompt_id)) is not None:
                return self._result(prompt_id, entry)
            if self.status(prompt_id) is None:
                raise JobLost(f"ComfyUI at {self.url} does not know job {prompt_id}")
            last_check = time.monotonic()
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise JobTimeout(
                        f"ComfyUI job {prompt_id} did not finish in time on {self.url}"
                    )
                try:
                    raw = socket.recv(timeout=min(remaining, self.poll_interval * 5))
                except TimeoutError:
                    raw = None
                except (OSError, WebSocketException):
                    raise _SocketLost() from None
                if raw is None or time.monotonic() - last_check > 30:
                    # Quiet socket: make sure the job is still there (a restart loses it).
                    last_check = time.monotonic()
                    if (entry := self.history(prompt_id)) is not None:
                        return self._result(prompt_id, entry)
                    if raw is None and self.status(prompt_id) is None:
                        raise JobLost(
                            f"ComfyUI at {self.url} no longer knows job {prompt_id} "
                            "(was it restarted?)"
                        )
                    continue
                if isinstance(raw, bytes):
                    continue  # binary previews
                try:
                    event = json.loads(raw)
                except ValueError:
                    continue
                kind = str(event.get("type", "")) if isinstance(event, dict) else ""
                data = event.get("data") if isinstance(event, dict) else None
                if not isinstance(data, dict):
                    continue
                if data.get("prompt_id") not in (None, prompt_id):
                    continue
                if kind != "status" and "prompt_id" not in data:
                    continue
                if on_event is not None and kind != "status":
                    on_event(kind, data)
                if kind == "execution_error":
                    raise _failure_from_event(prompt_id, data)
                if kind == "execution_interrupted":
                    raise JobFailed(f"ComfyUI job {prompt_id} was interrupted", interrupted=True)
                if kind == "execution_success" or (
                    kind == "executing" and "node" in data and data["node"] is None
                ):
                    return self._collect(prompt_id, deadline)

    def _collect(self, prompt_id: str, deadline: float) -> JobResult | None:
        """The history entry just after the job ended (it may lag the event a little)."""
        for _ in range(50):
            if (entry := self.history(prompt_id)) is not None:
                return self._result(prompt_id, entry)
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        return None

    def _wait_polling(
        self, prompt_id: str, deadline: float, on_event: EventCallback | None
    ) -> JobResult:
        announced = ""
        while True:
            entry = self.history(prompt_id)
            if entry is not None:
                return self._result(prompt_id, entry)
            running, pending = self.queue()
            if prompt_id in running:
                state = "running"
            elif prompt_id in pending:
                state = "queued"
            else:
                entry = self.history(prompt_id)
                if entry is not None:
                    return self._result(prompt_id, entry)
                raise JobLost(
                    f"ComfyUI at {self.url} no longer knows job {prompt_id} (was it restarted?)"
                )
            if on_event is not None and state != announced:
                announced = state
                on_event("polling", {"prompt_id": prompt_id, "state": state})
            if time.monotonic() + self.poll_interval > deadline:
                raise JobTimeout(f"ComfyUI job {prompt_id} did not finish in time on {self.url}")
            time.sleep(self.poll_interval)

    # ---------------------------------------------------------------- files

    def download(self, output: OutputFile, dest: Path) -> Path:
        """``GET /view`` of ``output`` into ``dest``, written aside and renamed when complete."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
        for attempt in range(self.retries):
            try:
                with self._http.stream("GET", "/view", params=output.view_params()) as response:
                    if response.status_code != 200:
                        raise ComfyUIError(
                            f"ComfyUI at {self.url} has no output file {output.filename!r} "
                            f"(HTTP {response.status_code})"
                        )
                    with tmp.open("wb") as handle:
                        for chunk in response.iter_bytes():
                            handle.write(chunk)
                        handle.flush()
                        os.fsync(handle.fileno())
                os.replace(tmp, dest)
                return dest
            except httpx.TransportError as exc:
                tmp.unlink(missing_ok=True)
                if attempt + 1 >= self.retries:
                    raise ServerUnreachable(
                        f"ComfyUI at {self.url} broke off the download of {output.filename!r} "
                        f"({type(exc).__name__})"
                    ) from None
                time.sleep(self.backoff * 2**attempt)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def upload_image(self, path: Path) -> str:
        """``POST /upload/image`` of ``path``; returns the name the server gave it (use it).

        The file is sent under a name derived from its content, with ``overwrite``, so a
        retried upload replaces itself instead of piling up renamed copies.
        """
        data = Path(path).read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:16]
        name = f"storycore_{digest}{Path(path).suffix.lower() or '.png'}"
        body = self._json(
            "POST",
            "/upload/image",
            files={"image": (name, data, "image/png")},
            data={"overwrite": "true", "type": "input"},
        )
        returned = body.get("name") if isinstance(body, dict) else None
        if not returned:
            raise ComfyUIError(f"ComfyUI at {self.url} did not name the uploaded image")
        subfolder = str(body.get("subfolder") or "")
        return f"{subfolder}/{returned}" if subfolder else str(returned)

    # ---------------------------------------------------------------- cancelling

    def cancel(self, prompt_ids: Iterable[str]) -> None:
        """Remove our pending ids from the queue and interrupt ours if it is running."""
        ids = [str(p) for p in prompt_ids]
        if not ids:
            return
        self._post_ok("/queue", {"delete": ids})
        running, _ = self.queue()
        for prompt_id in ids:
            if prompt_id in running:
                # Newer servers interrupt only the given prompt; older ones whatever runs,
                # which is ours: we checked.
                self._post_ok("/interrupt", {"prompt_id": prompt_id})

    def forget(self, prompt_ids: Iterable[str], settle: float = 5.0) -> None:
        """Delete finished jobs from the history (``POST /history {delete}``), once not running."""
        ids = [str(p) for p in prompt_ids]
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            running, _ = self.queue()
            if not set(ids) & set(running):
                break
            time.sleep(min(0.1, self.poll_interval))
        self._post_ok("/history", {"delete": ids})


class _SocketLost(Exception):
    """The WebSocket could not be opened or dropped: poll instead."""
