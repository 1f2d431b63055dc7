"""ComfyUI's answers read into our own types: the errors, a job's status and output files,
the prompt ids we post, and the readable failure or rejection a history entry, an event or a
``/prompt`` answer tells. No HTTP here; :class:`~storycore.tools.comfyui.client.ComfyClient`
uses these (and every name stays importable from storycore.tools.comfyui.client).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

#: Where ComfyUI listens unless told otherwise.
DEFAULT_URL = "http://127.0.0.1:8188"

#: Extensions of the files ComfyUI writes for a video.
VIDEO_EXTENSIONS = frozenset({".mp4", ".webm", ".mov", ".mkv", ".gif", ".webp"})

# A namespace of our own for the prompt ids derived from the ledger's job ids.
_PROMPT_NAMESPACE = uuid.UUID("6f1c2a4e-9a53-4a3e-8d0b-53c0e7f1c0de")


class ComfyUIError(Exception):
    """Something ComfyUI did not do. One readable line; ``retryable`` for a passing fault."""

    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class ServerUnreachable(ComfyUIError):
    """The server did not answer (refused, reset, timed out) after the retries."""

    retryable = True


class PromptRejected(ComfyUIError):
    """ComfyUI refused the workflow (a 400, or a 200 with ``node_errors``): nothing runs."""

    def __init__(
        self,
        message: str,
        *,
        error_type: str = "",
        node_errors: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.node_errors: dict[str, Any] = dict(node_errors or {})


class JobFailed(ComfyUIError):
    """The job ran and failed (``execution_error``) or was interrupted."""

    def __init__(
        self, message: str, *, node_id: str = "", node_type: str = "", interrupted: bool = False
    ) -> None:
        super().__init__(message)
        self.node_id = node_id
        self.node_type = node_type
        self.interrupted = interrupted


class JobLost(ComfyUIError):
    """The server no longer knows a job it had accepted (a restart emptied its queue)."""

    retryable = True


class JobTimeout(ComfyUIError):
    """The job did not finish within its time limit (it is left to the server)."""

    retryable = True


class JobStatus(StrEnum):
    """What a server says of a prompt id. An unknown id is ``None``, not a status."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    ERROR = "error"
    INTERRUPTED = "interrupted"

    @property
    def final(self) -> bool:
        """True once the server has finished with the job."""
        return self in (JobStatus.SUCCESS, JobStatus.ERROR, JobStatus.INTERRUPTED)


@dataclass(frozen=True)
class OutputFile:
    """One file in a finished job's history entry."""

    node_id: str
    filename: str
    subfolder: str
    type: str  # "output", "temp" or "input": passed back to /view as given
    kind: str  # "image" or "video"

    def view_params(self) -> dict[str, str]:
        """The query of ``GET /view`` for this file."""
        return {"filename": self.filename, "subfolder": self.subfolder, "type": self.type}


@dataclass(frozen=True)
class JobResult:
    """A finished job: its status and output files (saved outputs first, previews left out)."""

    prompt_id: str
    status: JobStatus
    outputs: list[OutputFile] = field(default_factory=list)
    messages: list[Any] = field(default_factory=list)


#: Called with each WebSocket event for our prompt: ``on_event(type, data)``.
EventCallback = Callable[[str, Mapping[str, Any]], None]


def prompt_id_for(job_id: str, attempt: int = 0) -> str:
    """The lowercase UUID we post for a ledger job id (and attempt): always the same one.

    A 32-hex job id is the UUID itself on the first attempt; a later attempt (after a failed
    render) gets a distinct, equally reproducible id, so a retried job never reuses the id of a
    failed one and a crashed run finds its ids again.
    """
    text = job_id.strip().lower()
    if attempt == 0:
        with contextlib.suppress(ValueError):
            return str(uuid.UUID(hex=text))
    return str(uuid.uuid5(_PROMPT_NAMESPACE, f"{text}:{attempt}"))


def _ws_url(base: str, client_id: str) -> str:
    parts = urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    path = parts.path.rstrip("/") + "/ws"
    return urlunsplit((scheme, parts.netloc, path, f"clientId={client_id}", ""))


def parse_outputs(entry: Mapping[str, Any]) -> list[OutputFile]:
    """The files of a history entry: ``images`` (``animated`` marks a video) and ``gifs``."""
    saved: list[OutputFile] = []
    previews: list[OutputFile] = []
    for node_id, node_output in (entry.get("outputs") or {}).items():
        if not isinstance(node_output, Mapping):
            continue
        animated = any(bool(a) for a in (node_output.get("animated") or ()))
        for key in ("images", "gifs", "videos"):
            for item in node_output.get(key) or ():
                if not isinstance(item, Mapping) or not item.get("filename"):
                    continue
                name = str(item["filename"])
                video = (
                    key != "images"
                    or animated
                    or Path(name).suffix.lower()
                    in {
                        ".mp4",
                        ".webm",
                        ".mov",
                        ".mkv",
                    }
                )
                out = OutputFile(
                    node_id=str(node_id),
                    filename=name,
                    subfolder=str(item.get("subfolder", "")),
                    type=str(item.get("type", "output")),
                    kind="video" if video else "image",
                )
                (saved if out.type == "output" else previews).append(out)
    return saved or previews


def _failure_from_messages(prompt_id: str, messages: Sequence[Any]) -> JobFailed:
    """The JobFailed told by a history entry's ``status.messages`` (the last one decides)."""
    last_name: str = ""
    last_data: Mapping[str, Any] = {}
    for message in messages:
        if isinstance(message, list | tuple) and len(message) == 2:
            last_name, last_data = str(message[0]), message[1] or {}
    if last_name == "execution_interrupted":
        return JobFailed(
            f"ComfyUI job {prompt_id} was interrupted",
            node_id=str(last_data.get("node_id", "")),
            node_type=str(last_data.get("node_type", "")),
            interrupted=True,
        )
    return _failure_from_event(prompt_id, last_data if last_name == "execution_error" else {})


def _failure_from_event(prompt_id: str, data: Mapping[str, Any]) -> JobFailed:
    node_type = str(data.get("node_type", ""))
    node_id = str(data.get("node_id", ""))
    text = str(data.get("exception_message", "")).strip() or "the job failed"
    where = f" in node {node_id} ({node_type})" if node_id else ""
    return JobFailed(
        f"ComfyUI job {prompt_id} failed{where}: {text.splitlines()[0] if text else text}",
        node_id=node_id,
        node_type=node_type,
    )


def _rejection(body: Any, status_code: int) -> PromptRejected:
    """A PromptRejected from a /prompt answer's ``error`` and ``node_errors``."""
    error = body.get("error") if isinstance(body, Mapping) else None
    node_errors = body.get("node_errors") if isinstance(body, Mapping) else None
    node_errors = node_errors if isinstance(node_errors, Mapping) else {}
    error_type = ""
    parts: list[str] = []
    if isinstance(error, Mapping):
        error_type = str(error.get("type", ""))
        message = str(error.get("message", "")).strip()
        details = str(error.get("details", "")).strip()
        if error_type == "missing_node_type":
            info = error.get("extra_info") or {}
            cls = info.get("class_type") if isinstance(info, Mapping) else None
            message = f"node type {cls!r} is not installed" if cls else message
        if message and not node_errors:
            parts.append(message + (f" ({details})" if details else ""))
    elif isinstance(error, str):
        parts.append(error)
    for node_id, node in node_errors.items():
        if not isinstance(node, Mapping):
            continue
        cls = node.get("class_type", "?")
        for err in node.get("errors") or ():
            if isinstance(err, Mapping):
                error_type = error_type or str(err.get("type", ""))
                msg = str(err.get("message", "")).strip()
                details = str(err.get("details", "")).strip()
                parts.append(f"node {node_id} ({cls}): {msg}" + (f": {details}" if details else ""))
    if not parts:
        parts.append(f"HTTP {status_code}")
    return PromptRejected(
        "ComfyUI refused the workflow: " + "; ".join(parts),
        error_type=error_type,
        node_errors=node_errors,
    )
