"""Run-time settings of the assistant: which language model, where, and how patiently.

`Context` is a plain dataclass so LangGraph can take it as ``context_schema``; nodes read it
through ``Runtime[Context]``. Every setting a caller leaves out comes from the environment
(``STORYCORE_MODEL``, ``OPENAI_BASE_URL``, ``STORYCORE_TIMEOUT``...), then from the built-in
default. This holds however the Context is made: :meth:`Context.from_env`, ``Context()``,
or LangGraph Server turning a run's ``context`` dict (``{}`` when the run gives none, or a
partial one such as ``{"base_url": "http://localhost:11434/v1"}``) into ``Context(**dict)``.

No secret is part of the context: an API key is read from the environment (``OPENAI_API_KEY``,
or the provider's own variable) only when the chat model is built
(:func:`storycore.agent.llm.make_chat_model`), so it never reaches a run's configuration, a
server's run list, a checkpoint or a log.

``model`` is either a bare model name for an OpenAI-compatible endpoint (``gpt-4.1-mini``,
``qwen3:8b`` behind Ollama's ``/v1``) or ``provider:model`` for LangChain's
``init_chat_model`` (``openai:gpt-4.1-mini``, ``ollama:qwen3:8b``, ``anthropic:...``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, get_args

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

# Providers of ``init_chat_model`` and the variable holding their key. A provider listed
# with None needs no key (a local server); one not listed is left to its own package.
PROVIDER_KEYS: dict[str, str | None] = {
    "openai": "OPENAI_API_KEY",
    "azure_openai": "AZURE_OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "google_genai": "GOOGLE_API_KEY",
    "mistralai": "MISTRAL_API_KEY",
    "groq": "GROQ_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "xai": "XAI_API_KEY",
    "fireworks": "FIREWORKS_API_KEY",
    "together": "TOGETHER_API_KEY",
    "ollama": None,
}

_UNSET: Any = object()


def split_model(model: str) -> tuple[str | None, str]:
    """``"anthropic:claude-x"`` -> ``("anthropic", "claude-x")``; a bare name -> ``(None, name)``.

    Only a known provider prefix counts, so an Ollama tag behind ``/v1`` (``qwen3:8b``)
    stays a bare model name.
    """
    head, sep, tail = model.partition(":")
    if sep and head.strip().lower() in PROVIDER_KEYS and tail.strip():
        return head.strip().lower(), tail.strip()
    return None, model


@dataclass(frozen=True, init=False)
class Context:
    """Run-time settings of the language-model layer (a LangGraph ``context_schema``).

    Any setting not given comes from the environment, else from the default shown here.
    ``offline`` is True when there is no endpoint to talk to or when the caller asked for it;
    ``offline_reason`` then says why in one sentence the CLI can print as is.
    """

    model: str = DEFAULT_MODEL
    base_url: str | None = None
    language: str = "en"
    offline: bool = False
    offline_reason: str | None = None
    max_repairs: int = 2
    max_retries: int = 3
    # Total time budget of one language-model call, retries and waits included (seconds).
    timeout: float = 60.0
    structured_method: StructuredMethod = "function_calling"
    stream_usage: bool = True
    # Exponential backoff between retries, in seconds; 0 makes retries immediate (tests).
    retry_initial_wait: float = 1.0
    retry_max_wait: float = 20.0

    def __init__(
        self,
        *,
        model: str = _UNSET,
        base_url: str | None = _UNSET,
        language: str = _UNSET,
        offline: bool | None = _UNSET,
        offline_reason: str | None = _UNSET,
        max_repairs: int = _UNSET,
        max_retries: int = _UNSET,
        timeout: float = _UNSET,
        structured_method: StructuredMethod = _UNSET,
        stream_usage: bool = _UNSET,
        retry_initial_wait: float = _UNSET,
        retry_max_wait: float = _UNSET,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        given = {k: v for k, v in locals().items() if k in _FIELD_NAMES and v is not _UNSET}
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {f.name: f.default for f in fields(Context)}
        for name, var in ENV_VARS.items():
            raw = str(env.get(var, "")).strip()
            if raw and name not in given:
                values[name] = _parse_env(name, var, raw)
        values.update({k: v for k, v in given.items() if k not in ("offline", "offline_reason")})
        if isinstance(values["base_url"], str):
            values["base_url"] = values["base_url"].strip().rstrip("/") or None
        if not isinstance(values["model"], str) or not values["model"].strip():
            values["model"] = DEFAULT_MODEL

        requested = given.get("offline")
        if requested:
            reason = given.get("offline_reason") or OFFLINE_REQUESTED
            values.update(offline=True, offline_reason=reason)
        elif requested is False:
            # Said explicitly (a copy made by ``replace``): kept. Should the key be missing
            # after all, make_chat_model finds out and the run stays deterministic.
            values.update(offline=False, offline_reason=None)
        else:
            missing = _missing_endpoint(values["model"], values["base_url"], env)
            values.update(offline=missing is not None, offline_reason=missing)
        for name, value in values.items():
            object.__setattr__(self, name, value)
        self._check()

    def _check(self) -> None:
        if self.structured_method not in get_args(StructuredMethod):
            raise InvalidInput(
                f"unknown structured-output method {self.structured_method!r}: use one of "
                f"{', '.join(get_args(StructuredMethod))}."
            )
        if self.max_repairs < 0 or self.max_retries < 0:
            raise InvalidInput("max_repairs and max_retries must be 0 or more.")
        if not self.timeout > 0:
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

        No endpoint (no ``OPENAI_API_KEY`` and no ``OPENAI_BASE_URL`` for an OpenAI model, no
        key for a provider that needs one) means offline. ``offline=True`` (the CLI's
        ``--offline``) forces offline mode whatever the environment says.
        """
        if "api_key" in overrides:
            raise InvalidInput(
                "the API key is read from the environment only (OPENAI_API_KEY), never passed in."
            )
        unknown = set(overrides) - _FIELD_NAMES
        if unknown:
            raise InvalidInput(f"unknown context setting(s): {', '.join(sorted(unknown))}.")
        given = {k: v for k, v in overrides.items() if v is not None}
        if offline:
            given["offline"] = True
        return cls(environ=environ, **given)

    def with_overrides(self, **changes: Any) -> Context:
        """A copy with some settings changed (an API key cannot be passed this way)."""
        if "api_key" in changes:
            raise InvalidInput(
                "the API key is read from the environment only (OPENAI_API_KEY), never passed in."
            )
        return replace(self, **changes)

    @property
    def provider(self) -> str | None:
        """The ``init_chat_model`` provider of ``provider:model``, None for a bare name."""
        return split_model(self.model)[0]

    @property
    def endpoint(self) -> str:
        """Where requests go, for messages: the base URL or the provider's default."""
        if self.base_url:
            return self.base_url
        provider = self.provider
        if provider in (None, "openai"):
            return "https://api.openai.com/v1"
        if provider == "ollama":
            return "http://localhost:11434"
        return f"{provider}'s default endpoint"

    def describe(self) -> dict[str, Any]:
        """The settings as a JSON-safe dict for display (no secret is part of them)."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["endpoint"] = self.endpoint
        return out


_FIELD_NAMES = frozenset(f.name for f in fields(Context))


def _missing_endpoint(model: str, base_url: str | None, env: Mapping[str, str]) -> str | None:
    """Why there is nothing to talk to (a sentence), or None when there is an endpoint."""
    provider, _name = split_model(model)
    if provider in (None, "openai"):
        if base_url or str(env.get("OPENAI_API_KEY", "")).strip():
            return None
        return OFFLINE_NO_ENDPOINT
    key_var = PROVIDER_KEYS.get(provider)
    if key_var is None or base_url or str(env.get(key_var, "")).strip():
        return None
    return (
        f"STORYCORE_MODEL={model} needs {key_var}, which is not set: "
        "working offline with the deterministic planner"
    )


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
