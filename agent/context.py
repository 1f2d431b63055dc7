"""Run-time settings of the assistant: which language model, where, and how patiently.

`Context` is a plain dataclass so LangGraph can take it as ``context_schema``; nodes read it
through ``Runtime[Context]``. It is built once per run with :meth:`Context.from_env`.

The API key is read from ``OPENAI_API_KEY`` and nowhere else. It is kept as a
``pydantic.SecretStr`` (masked in ``str``/``repr``, refused by ``json.dumps``), left out of
``repr`` and of :meth:`Context.describe`, and never copied into graph state or run
configuration, so it cannot reach a checkpoint, a log or a cassette.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, get_args

from pydantic import SecretStr

from storycore.tools.errors import InvalidInput

StructuredMethod = Literal["function_calling", "json_mode", "json_schema"]

DEFAULT_MODEL = "gpt-4.1-mini"
# Local OpenAI-compatible servers (Ollama's /v1, vLLM, LM Studio) ignore the key, but the
# openai client refuses to start without one.
PLACEHOLDER_API_KEY = "not-needed"
OFFLINE_NO_ENDPOINT = (
    "no OPENAI_API_KEY or OPENAI_BASE_URL set: working offline with the deterministic planner"
)
OFFLINE_REQUESTED = "--offline given: working offline with the deterministic planner"

# Environment variable for each setting that can come from the environment.
ENV_VARS: dict[str, str] = {
    "model": "STORYCORE_MODEL",
    "base_url": "OPENAI_BASE_URL",
    "language": "STORYCORE_LANGUAGE",
    "max_repairs": "STORYCORE_MAX_REPAIRS",
    "max_retries": "STORYCORE_MAX_RETRIES",
    "timeout": "STORYCORE_TIMEOUT",
    "structured_method": "STORYCORE_STRUCTURED_METHOD",
    "stream_usage": "STORYCORE_STREAM_USAGE",
}


@dataclass(frozen=True)
class Context:
    """Run-time settings of the language-model layer (a LangGraph ``context_schema``).

    ``offline`` is True when there is no endpoint to talk to or when the user asked for it;
    ``offline_reason`` then says why in one sentence the CLI can print as is.
    """

    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: SecretStr | None = field(default=None, repr=False, compare=False)
    language: str = "en"
    offline: bool = False
    offline_reason: str | None = None
    max_repairs: int = 2
    max_retries: int = 3
    timeout: float = 60.0
    structured_method: StructuredMethod = "function_calling"
    stream_usage: bool = True
    # Exponential backoff between retries, in seconds; 0 makes retries immediate (tests).
    retry_initial_wait: float = 1.0
    retry_max_wait: float = 20.0

    def __post_init__(self) -> None:
        if self.structured_method not in get_args(StructuredMethod):
            raise InvalidInput(
                f"unknown structured-output method {self.structured_method!r}: use one of "
                f"{', '.join(get_args(StructuredMethod))}."
            )
        if self.max_repairs < 0 or self.max_retries < 0:
            raise InvalidInput("max_repairs and max_retries must be 0 or more.")
        if self.timeout <= 0:
            raise InvalidInput(f"timeout must be a positive number of seconds, not {self.timeout}.")
        if self.retry_initial_wait < 0 or self.retry_max_wait < 0:
            raise InvalidInput("retry waits must be 0 or more seconds.")

    @classmethod
    def from_env(
        cls,
        offline: bool = False,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> Context:
        """Build the settings from the environment, then apply ``overrides`` (CLI options).

        An override of ``None`` is ignored (an option the user did not give); ``environ``
        replaces ``os.environ`` (tests, subprocesses).

        No ``OPENAI_API_KEY`` and no ``OPENAI_BASE_URL`` means offline. A base URL without a
        key is a local server and gets the placeholder key ``"not-needed"``. ``offline=True``
        (the CLI's ``--offline``) forces offline mode whatever the environment says.
        """
        env = os.environ if environ is None else environ
        if "api_key" in overrides:
            raise InvalidInput("the API key is read from OPENAI_API_KEY only, never passed in.")
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise InvalidInput(f"unknown context setting(s): {', '.join(sorted(unknown))}.")

        values: dict[str, Any] = {}
        for name, var in ENV_VARS.items():
            raw = env.get(var, "").strip()
            if raw:
                values[name] = _parse_env(name, var, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values.get("base_url"), str):
            values["base_url"] = values["base_url"].rstrip("/") or None

        key = env.get("OPENAI_API_KEY", "").strip()
        base_url = values.get("base_url")
        if offline:
            values.update(offline=True, offline_reason=OFFLINE_REQUESTED)
        elif not key and not base_url:
            values.update(offline=True, offline_reason=OFFLINE_NO_ENDPOINT)
        else:
            values.update(offline=False, offline_reason=None)
            values["api_key"] = SecretStr(key or PLACEHOLDER_API_KEY)
        return cls(**values)

    def with_overrides(self, **changes: Any) -> Context:
        """A copy with some settings changed (the API key cannot be changed this way)."""
        if "api_key" in changes:
            raise InvalidInput("the API key is read from OPENAI_API_KEY only, never passed in.")
        return replace(self, **changes)

    @property
    def endpoint(self) -> str:
        """Where requests go, for messages: the base URL or OpenAI's default."""
        return self.base_url or "https://api.openai.com/v1"

    def describe(self) -> dict[str, Any]:
        """The settings as a JSON-safe dict for display; the key only as set / not set."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "api_key":
                continue
            out[f.name] = getattr(self, f.name)
        out["endpoint"] = self.endpoint
        out["api_key"] = "set" if self.api_key is not None else "not set"
        return out


def _parse_env(name: str, var: str, raw: str) -> Any:
    """Convert one environment value to the field's type, with a one-sentence error."""
    try:
        if name in ("max_repairs", "max_retries"):
            return int(raw)
        if name == "timeout":
            return float(raw)
        if name == "stream_usage":
            lowered = raw.lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
    except ValueError:
        raise InvalidInput(f"{var}={raw!r} is not a valid value for {name}.") from None
    return raw
