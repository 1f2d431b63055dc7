"""The language-model layer: chat model factory, retries, structured output with repair.

Everything here talks to an OpenAI-compatible Chat Completions endpoint through
``langchain_openai.ChatOpenAI``: OpenAI itself, or a local server (Ollama's ``/v1``, vLLM,
LM Studio, llama.cpp). The deterministic core never imports this module; graph phases do,
and fall back to the deterministic engine when it raises :class:`LLMUnavailable` or
:class:`LLMBadOutput`.

- :func:`make_chat_model` builds the model from a :class:`~storycore.agent.context.Context`
  (``None`` offline), with ``temperature=0`` and the client's own retries off.
- :func:`call_with_retry` retries rate limits (429), server errors (5xx), timeouts and
  connection errors with exponential backoff and jitter, then raises :class:`LLMUnavailable`
  with the reason. Other 4xx errors are not retried.
- :func:`structured_call` asks for a pydantic schema, validates the answer, salvages JSON
  from prose or fenced blocks, and runs a bounded repair loop before raising
  :class:`LLMBadOutput`.
- :func:`load_llm_prompt` / :func:`render_llm_prompt` read the templates under
  ``prompts/llm/<language>/<name>.md`` (English fallback).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, SecretStr, ValidationError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
)

from storycore.agent.context import PLACEHOLDER_API_KEY, Context, StructuredMethod, split_model
from storycore.tools.errors import InvalidInput, NotFound, StoryCoreError

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage, BaseMessage

log = logging.getLogger("storycore.llm")

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

DEFAULT_LANGUAGE = "en"
_PROMPT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n?(.*?)```", re.DOTALL)
# Bounds how much of a bad answer goes back to the model in a repair request.
_MAX_ECHO_CHARS = 8000


# --------------------------------------------------------------------------------------
# Errors


class LLMError(StoryCoreError):
    """Base of the language-model errors; a graph phase catches it and falls back."""


class LLMUnavailable(LLMError):
    """The endpoint could not give an answer (after retries, or refused the request).

    ``reason`` is a short phrase for the user ("rate limited (HTTP 429)"); ``attempts`` how
    many requests were made; ``status_code`` the HTTP status when there was one.
    """

    def __init__(
        self, reason: str, *, attempts: int = 1, status_code: int | None = None, endpoint: str = ""
    ) -> None:
        self.reason = reason
        self.attempts = attempts
        self.status_code = status_code
        self.endpoint = endpoint
        where = f" at {endpoint}" if endpoint else ""
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(f"the language model{where} is unavailable{tries}: {reason}.")


class LLMBadOutput(LLMError):
    """The model kept answering something that does not fit the schema, repairs included."""

    def __init__(self, schema_name: str, *, repairs: int, last_error: str, raw: Any) -> None:
        self.schema_name = schema_name
        self.repairs = repairs
        self.last_error = last_error
        self.raw = raw
        super().__init__(
            f"the language model did not produce a valid {schema_name} after {repairs} "
            f"repair request(s); last problem: {_one_line(last_error, 300)}"
        )


# --------------------------------------------------------------------------------------
# Chat model factory


# Optional extra of this package that installs each provider's LangChain package.
PROVIDER_PACKAGES: dict[str, tuple[str, str]] = {
    "anthropic": ("langchain-anthropic", "anthropic"),
    "ollama": ("langchain-ollama", "ollama"),
    "google_genai": ("langchain-google-genai", "google"),
    "mistralai": ("langchain-mistralai", "mistral"),
    "groq": ("langchain-groq", "groq"),
}


def make_chat_model(
    ctx: Context, *, environ: Mapping[str, str] | None = None, **overrides: Any
) -> Any:
    """The chat model described by ``ctx``, or None when working offline.

    A bare model name (or ``openai:NAME``) talks to an OpenAI-compatible Chat Completions
    endpoint through ``ChatOpenAI``: ``temperature=0`` (left out for reasoning models that
    refuse it), ``max_retries=0`` because :func:`call_with_retry` does the retrying, the
    Chat Completions API always (local servers do not implement the Responses API), and the
    base URL passed explicitly so nothing else in the environment can redirect requests.
    ``provider:NAME`` goes through LangChain's ``init_chat_model``; a provider package that
    is not installed is an :class:`~storycore.tools.errors.InvalidInput` naming it.

    The API key is read here, from ``environ`` (default ``os.environ``) and nowhere else:
    ``OPENAI_API_KEY``, or the placeholder ``"not-needed"`` for a base URL without a key (a
    local server). With neither, there is nothing to talk to: None (deterministic engine).
    ``overrides`` go to the model class as is (e.g. ``streaming=True``).
    """
    if ctx.offline:
        return None
    env = os.environ if environ is None else environ
    provider, name = split_model(ctx.model)
    if provider not in (None, "openai"):
        return _provider_model(ctx, provider, name, overrides)
    from langchain_openai import ChatOpenAI

    key = str(env.get("OPENAI_API_KEY", "")).strip()
    if not key and not ctx.base_url:
        log.warning("no OPENAI_API_KEY and no base URL: using the deterministic engine")
        return None
    params: dict[str, Any] = {
        "model": name,
        "base_url": ctx.endpoint,
        "api_key": SecretStr(key or PLACEHOLDER_API_KEY),
        "max_retries": 0,
        "timeout": ctx.timeout,
        "stream_usage": ctx.stream_usage,
        "use_responses_api": False,
    }
    if _accepts_temperature(name):
        params["temperature"] = 0
    params.update(overrides)
    return ChatOpenAI(**params)


def _provider_model(ctx: Context, provider: str, name: str, overrides: dict[str, Any]) -> Any:
    """``init_chat_model(name, model_provider=provider)`` with the house settings."""
    from langchain.chat_models import init_chat_model

    params: dict[str, Any] = {"temperature": 0}
    if ctx.base_url:
        params["base_url"] = ctx.base_url
    if provider != "ollama":
        params.update(max_retries=0, timeout=ctx.timeout)
    params.update(overrides)
    try:
        return init_chat_model(name, model_provider=provider, **params)
    except ImportError as exc:
        package, extra = PROVIDER_PACKAGES.get(
            provider, (f"langchain-{provider.replace('_', '-')}", "")
        )
        how = (
            f"pip install 'storycore-assistant[{extra}]' (or {package})"
            if extra
            else f"pip install {package}"
        )
        raise InvalidInput(
            f"STORYCORE_MODEL={ctx.model} needs the package {package}, which is not "
            f"installed: {how}"
        ) from exc
    except ValueError as exc:
        raise InvalidInput(f"STORYCORE_MODEL={ctx.model}: {_one_line(str(exc), 200)}") from exc


def _accepts_temperature(model: str) -> bool:
    # o-series reasoning models answer 400 to any temperature but 1; langchain-openai
    # already drops it for gpt-5 (non-chat) models.
    return re.match(r"^o\d", model.lower()) is None


# --------------------------------------------------------------------------------------
# Retries


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts, how long to wait between them (0 = no wait, for tests), and the
    total time budget of a call in seconds (None = no bound but the attempts)."""

    attempts: int = 4
    initial_wait: float = 1.0
    max_wait: float = 20.0
    budget: float | None = None

    @classmethod
    def from_context(cls, ctx: Context) -> RetryPolicy:
        """The policy of a run: ``max_retries`` retries after the first attempt, all of them
        within ``ctx.timeout`` seconds (``STORYCORE_TIMEOUT``)."""
        return cls(
            attempts=ctx.max_retries + 1,
            initial_wait=ctx.retry_initial_wait,
            max_wait=ctx.retry_max_wait,
            budget=ctx.timeout,
        )


# Set by :func:`cancel_requests` (Ctrl-C): waits between retries end at once and no new
# attempt starts, in whatever thread the call runs.
_CANCELLED = threading.Event()


def cancel_requests() -> None:
    """Stop every language-model call in progress: no further retry, no further wait."""
    _CANCELLED.set()


def allow_requests() -> None:
    """Undo :func:`cancel_requests` (a new command, a new chat turn)."""
    _CANCELLED.clear()


def _cancellable_sleep(seconds: float) -> None:
    if _CANCELLED.wait(max(0.0, seconds)):
        raise KeyboardInterrupt


def _refused(exc: BaseException) -> bool:
    """True when nothing listens at the endpoint: retrying cannot help."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ConnectionRefusedError):
            return True
        if "connection refused" in str(current).lower():
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def is_retryable(exc: BaseException) -> bool:
    """True for a rate limit (429), a server error (5xx), a timeout or a connection error.

    A refused connection (nothing listens there) fails at once, and a cassette mismatch in
    tests is never retried (nor anything but the openai errors).
    """
    import openai

    if _is_cassette_error(exc):
        return False
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    if isinstance(exc, openai.APITimeoutError):
        return True
    return isinstance(exc, openai.APIConnectionError) and not _refused(exc)


def describe_failure(exc: BaseException) -> str:
    """A short phrase saying why a request failed, for :class:`LLMUnavailable`."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(exc, openai.APIConnectionError):
        if _refused(exc):
            return "could not connect (connection refused: is the server running?)"
        cause = exc.__cause__ or exc.__context__
        detail = f" ({_one_line(str(cause), 120)})" if cause and str(cause) else ""
        return f"could not connect{detail}"
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        label = {
            401: "the API key was refused (HTTP 401): check OPENAI_API_KEY",
            403: "access denied (HTTP 403)",
            404: "not found (HTTP 404): check the model name (STORYCORE_MODEL) and the base URL",
            429: "rate limited (HTTP 429)",
        }.get(code)
        if label is None:
            label = (
                f"server error (HTTP {code})" if code >= 500 else f"request refused (HTTP {code})"
            )
        message = _status_message(exc)
        return f"{label}: {message}" if message and code not in (401, 404) else label
    return _one_line(f"{type(exc).__name__}: {exc}", 200)


def call_with_retry(
    fn: Callable[[], T],
    *,
    attempts: int = 4,
    initial_wait: float = 1.0,
    max_wait: float = 20.0,
    budget: float | None = None,
    sleep: Callable[[float], None] | None = None,
) -> T:
    """Call ``fn`` and retry it on transient failures, then raise :class:`LLMUnavailable`.

    Waits grow exponentially from ``initial_wait`` (doubling, plus up to ``initial_wait`` of
    jitter) up to ``max_wait`` seconds, and honour a server's ``retry-after`` within that
    bound. ``initial_wait=0`` retries immediately. No attempt starts once ``budget`` seconds
    have passed since the first. Any openai error that is not retried (400, 401, 404, a
    refused connection...) also becomes :class:`LLMUnavailable`, after one attempt; other
    exceptions (bugs, cassette mismatches) propagate unchanged. After
    :func:`cancel_requests` (Ctrl-C) the call raises ``KeyboardInterrupt`` instead of
    waiting or retrying.
    """
    import openai

    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    stop: Any = stop_after_attempt(attempts)
    if budget is not None:
        stop = stop | stop_before_delay(budget)
    retrying = Retrying(
        stop=stop,
        wait=_backoff(initial_wait, max_wait),
        retry=retry_if_exception(is_retryable),
        reraise=True,
        before_sleep=_log_retry,
        sleep=sleep or _cancellable_sleep,
    )

    def attempt() -> T:
        if _CANCELLED.is_set():
            raise KeyboardInterrupt
        return fn()

    try:
        return retrying(attempt)
    except (LLMError, NotImplementedError):
        raise
    except (TypeError, KeyError, AttributeError, IndexError, ValueError) as exc:
        if _is_cassette_error(exc) or isinstance(exc, openai.APIError):
            raise
        # The client could not make sense of the answer (a body without "choices", a
        # garbage body): one clear sentence, never a traceback.
        failure = LLMUnavailable(
            "the endpoint's answer could not be read "
            f"({_one_line(f'{type(exc).__name__}: {exc}', 160)})",
            attempts=int(retrying.statistics.get("attempt_number", 1)),
        )
        _report_unavailable(failure)
        raise failure from exc
    except openai.APIError as exc:
        if _CANCELLED.is_set():
            raise KeyboardInterrupt from None
        if _is_cassette_error(exc):
            raise
        made = int(retrying.statistics.get("attempt_number", 1))
        status = exc.status_code if isinstance(exc, openai.APIStatusError) else None
        failure = LLMUnavailable(
            describe_failure(exc), attempts=made, status_code=status, endpoint=_origin_of(exc)
        )
        _report_unavailable(failure)
        raise failure from exc


def _report_unavailable(failure: LLMUnavailable) -> None:
    """Tell a running graph's stream that the model failed (a chat then goes offline)."""
    if _refuses_method(failure):
        return  # structured_call asks another way: the model is not down
    from storycore.agent.events import emit

    try:
        emit({"llm_unavailable": str(failure)})
    except Exception:  # a listener's failure never hides the model's
        return


def _backoff(initial: float, maximum: float) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        if initial <= 0:
            return 0.0
        exponential = initial * 2 ** (state.attempt_number - 1)
        delay = min(maximum, exponential + random.uniform(0, initial))
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        hinted = _retry_after_seconds(exc) if exc is not None else None
        if hinted is not None:
            delay = max(delay, hinted)
        return min(delay, maximum)

    return wait


def _retry_after_seconds(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            continue  # an HTTP date: fall back to our own backoff
    return None


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome is not None else None
    log.warning(
        "language model request failed (%s); retry %d after %.1f s",
        describe_failure(exc) if exc is not None else "unknown error",
        state.attempt_number,
        state.upcoming_sleep,
    )


def _is_cassette_error(exc: BaseException) -> bool:
    # vcrpy is a test dependency: recognise its exception by name, anywhere in the chain.
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if type(current).__name__ == "CannotOverwriteExistingCassetteException":
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _status_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return _one_line(str(error["message"]), 160)
    return _one_line(str(getattr(exc, "message", "") or ""), 160)


def _origin_of(exc: Any) -> str:
    # Scheme, host and port only: a query string could carry a key (Azure's api-key=).
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    if url is None:
        return ""
    try:
        port = f":{url.port}" if url.port else ""
        return f"{url.scheme}://{url.host}{port}"
    except AttributeError:
        return ""


# --------------------------------------------------------------------------------------
# Plain calls


def invoke_with_retry(
    model: Any,
    messages: Any,
    *,
    retry: RetryPolicy | None = None,
    usage: Any = None,
    config: Any = None,
) -> AIMessage:
    """Invoke a chat model (or ``model.bind_tools(...)``) with retries; count its usage."""
    policy = retry or RetryPolicy()
    message = call_with_retry(
        lambda: model.invoke(messages, config=config),
        attempts=policy.attempts,
        initial_wait=policy.initial_wait,
        max_wait=policy.max_wait,
        budget=policy.budget,
    )
    if usage is not None:
        usage.add(message)
    return message


def stream_reply(
    model: Any,
    messages: Any,
    *,
    on_text: Callable[[str], None] | None = None,
    retry: RetryPolicy | None = None,
    usage: Any = None,
    config: Any = None,
) -> AIMessage:
    """Stream an answer, passing each piece of text to ``on_text``; return the whole message.

    A failure before the first piece is retried like any call; once text has been shown it
    is not (the user would see it twice) and :class:`LLMUnavailable` is raised at once.
    """
    from langchain_core.messages import message_chunk_to_message

    policy = retry or RetryPolicy()

    def attempt() -> Any:
        whole: Any = None
        shown = False
        try:
            for chunk in model.stream(messages, config=config):
                whole = chunk if whole is None else whole + chunk
                text = str(chunk.text)
                if text:
                    shown = True
                    if on_text is not None:
                        on_text(text)
        except Exception as exc:
            if shown and is_retryable(exc):
                raise LLMUnavailable(
                    f"the stream broke off ({describe_failure(exc)})", endpoint=_origin_of(exc)
                ) from exc
            raise
        if whole is None:
            raise LLMUnavailable("the stream ended without an answer")
        return _mark_if_cut(model, whole, shown)

    chunk = call_with_retry(
        attempt,
        attempts=policy.attempts,
        initial_wait=policy.initial_wait,
        max_wait=policy.max_wait,
        budget=policy.budget,
    )
    message = message_chunk_to_message(chunk)
    if usage is not None:
        usage.add(message)
    return message  # type: ignore[return-value]


CUT_NOTICE = "[the answer was cut off before its end]"


def _mark_if_cut(model: Any, whole: Any, shown: bool) -> Any:
    """A streamed answer that ended without a finish reason (the connection closed early) or
    at the token limit is kept, marked as cut: ``response_metadata["cut_off"]`` and a notice
    at its end, so it is never saved as a complete answer."""
    metadata = dict(getattr(whole, "response_metadata", None) or {})
    reason = metadata.get("finish_reason", metadata.get("stop_reason"))
    # Only OpenAI-compatible streams always end with a finish reason; other models may not.
    always_says = getattr(getattr(model, "bound", model), "_llm_type", "") == "openai-chat"
    cut = reason in ("length", "max_tokens") or (always_says and reason is None)
    if not (shown and cut):
        return whole
    log.warning("the streamed answer was cut off (finish_reason=%s)", reason)
    metadata["cut_off"] = True
    content = whole.content
    if isinstance(content, str):
        content = f"{content.rstrip()}\n\n{CUT_NOTICE}"
    return whole.model_copy(update={"response_metadata": metadata, "content": content})


def is_cut_off(message: Any) -> bool:
    """True for an answer :func:`stream_reply` marked as cut off."""
    return bool((getattr(message, "response_metadata", None) or {}).get("cut_off"))


# --------------------------------------------------------------------------------------
# Structured output


@dataclass(frozen=True)
class StructuredResult(Generic[M]):
    """A validated answer: the value, how many repair requests it took, the last raw message.

    ``salvaged`` is True when the value was extracted from prose or a fenced block rather
    than given in the requested form.
    """

    value: M
    repairs: int
    raw: Any
    salvaged: bool = False


def structured_call(
    model: Any,
    schema: type[M],
    messages: Any,
    *,
    max_repairs: int = 2,
    method: StructuredMethod = "function_calling",
    retry: RetryPolicy | None = None,
    usage: Any = None,
    config: Any = None,
) -> StructuredResult[M]:
    """Ask ``model`` for an instance of ``schema``; validate, salvage, repair.

    ``method`` is how the schema is requested: ``"function_calling"`` (default: a forced
    tool call, supported by OpenAI and by vLLM, Ollama, LM Studio, llama.cpp),
    ``"json_mode"`` (``response_format={"type": "json_object"}`` plus the schema in the
    prompt), or ``"json_schema"`` (OpenAI structured outputs, not on every local server).

    When the answer does not validate, JSON is first looked for in the text (the whole
    answer, fenced blocks, the first object in prose). If none validates, the model is sent
    its answer and the validation error and asked for corrected JSON only, at most
    ``max_repairs`` times; then :class:`LLMBadOutput` is raised (the caller falls back to
    the deterministic engine). Transport failures go through :func:`call_with_retry` and
    raise :class:`LLMUnavailable`.

    A model that cannot be asked with ``method`` (``NotImplementedError``, as a chat model
    without tool calling raises, or an HTTP 400/422 saying the format is not supported)
    is asked the next way: json_schema, function_calling, json_mode, then a plain call with
    the schema in the prompt.
    """
    from langchain_core.messages import convert_to_messages

    policy = retry or RetryPolicy()
    base = list(convert_to_messages(messages))
    methods = [method, *(m for m in FALLBACK_METHODS if m != method), "plain"]
    last: LLMError | None = None
    for current in methods:
        try:
            return _structured_with(
                model, schema, base, current, max_repairs, policy, usage, config
            )
        except NotImplementedError as exc:
            log.info("structured output: %s not supported (%s), trying the next", current, exc)
            continue
        except LLMUnavailable as exc:
            if not _refuses_method(exc):
                raise  # down, or refusing for another reason: another method will not help
            log.info("structured output: %s refused (%s), trying the next", current, exc)
            last = exc
    if last is not None:
        raise last
    raise LLMBadOutput(schema.__name__, repairs=0, last_error="no method worked", raw=None)


def _refuses_method(exc: LLMUnavailable) -> bool:
    """True for an HTTP 400/422 that says the way of asking is not supported."""
    if exc.status_code not in (400, 422):
        return False
    reason = exc.reason.lower()
    return any(w in reason for w in ("response_format", "json", "schema", "tool", "support"))


# After the method asked for, in this order; then a plain call with the schema in the prompt.
FALLBACK_METHODS: tuple[StructuredMethod, ...] = ("json_schema", "function_calling", "json_mode")


def _structured_with(
    model: Any,
    schema: type[M],
    base: list[Any],
    method: str,
    max_repairs: int,
    policy: RetryPolicy,
    usage: Any,
    config: Any,
) -> StructuredResult[M]:
    """One way of asking, with the salvage and repair loop; NotImplementedError when the
    model cannot be asked this way."""
    from langchain_core.messages import AIMessage, HumanMessage

    schema_text = schema_json(schema)
    if method in ("json_mode", "plain"):
        base = _with_json_instructions(base, schema_text)
    if method == "plain":
        plain = model

        def invoke(conversation: Any, config: Any = None) -> dict[str, Any]:
            return {"raw": plain.invoke(conversation, config=config), "parsed": None}

        runnable: Any = type("_Plain", (), {"invoke": staticmethod(invoke)})()
    else:
        runnable = model.with_structured_output(schema, method=method, include_raw=True)

    conversation = base
    repairs = 0
    while True:
        out = call_with_retry(
            functools.partial(runnable.invoke, conversation, config=config),
            attempts=policy.attempts,
            initial_wait=policy.initial_wait,
            max_wait=policy.max_wait,
            budget=policy.budget,
        )
        if not isinstance(out, dict):
            out = {"raw": out, "parsed": out if isinstance(out, schema) else None}
        raw = out.get("raw")
        if usage is not None and raw is not None:
            usage.add(raw)
        value, salvaged, problem, answer = _validated(schema, out)
        if value is not None:
            if repairs or salvaged:
                log.info(
                    "structured output %s: %d repair(s), salvaged=%s",
                    schema.__name__,
                    repairs,
                    salvaged,
                )
            return StructuredResult(value=value, repairs=repairs, raw=raw, salvaged=salvaged)
        if repairs >= max_repairs:
            raise LLMBadOutput(schema.__name__, repairs=repairs, last_error=problem, raw=raw)
        repairs += 1
        log.info("structured output %s invalid (%s): repair %d", schema.__name__, problem, repairs)
        # Only the latest bad answer goes back: the request stays bounded however many repairs.
        conversation = [
            *base,
            AIMessage(content=answer[:_MAX_ECHO_CHARS] or "(empty answer)"),
            HumanMessage(
                content=render_llm_prompt(
                    "repair", DEFAULT_LANGUAGE, error=problem, schema=schema_text
                )
            ),
        ]


def schema_json(schema: type[BaseModel]) -> str:
    """The JSON schema of ``schema`` as stable text (sorted keys) for prompts."""
    return json.dumps(schema.model_json_schema(), ensure_ascii=False, sort_keys=True)


def extract_json(text: str) -> list[Any]:
    """Every JSON value a text plausibly contains, most likely first.

    The whole text, then each fenced block (```json ... ```), then each object or array that
    starts in the prose. Broken JSON is not guessed at: it is left to a repair request.
    """
    found: list[Any] = []
    candidates = [text.strip(), *(block.strip() for block in _FENCE.findall(text))]
    for candidate in candidates:
        if not candidate:
            continue
        try:
            found.append(json.loads(candidate))
        except ValueError:
            continue
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[\[{]", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, (dict, list)):
            found.append(value)
    unique: list[Any] = []
    for value in found:
        if value not in unique:
            unique.append(value)
    return unique


def format_validation_error(error: ValidationError) -> str:
    """A validation error as ``field: message`` lines, without links or echoed input.

    Deterministic (no pydantic version in it), so repair requests replay from cassettes.
    """
    lines = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        where = ".".join(str(p) for p in item.get("loc", ())) or "(root)"
        lines.append(f"{where}: {item.get('msg', 'invalid value')}")
    return "\n".join(lines)


def _validated(schema: type[M], out: dict[str, Any]) -> tuple[M | None, bool, str, str]:
    """(value, salvaged, problem, answer text) for one structured-output response."""
    parsed = out.get("parsed")
    if isinstance(parsed, schema):
        return parsed, False, "", ""
    raw = out.get("raw")
    answer_texts: list[str] = []
    structured: list[Any] = []
    for call in getattr(raw, "tool_calls", None) or []:
        structured.append(call.get("args"))
        answer_texts.append(json.dumps(call.get("args"), ensure_ascii=False, sort_keys=True))
    for call in getattr(raw, "invalid_tool_calls", None) or []:
        args = call.get("args")
        if isinstance(args, str):
            answer_texts.append(args)
    content = _text_of(raw)
    if content:
        answer_texts.append(content)

    problem = ""
    for candidate in structured:
        value, error = _try_validate(schema, candidate)
        if value is not None:
            return value, False, "", ""
        problem = problem or error
    for text in answer_texts:
        for candidate in extract_json(text):
            value, error = _try_validate(schema, candidate)
            if value is not None:
                return value, True, "", ""
            problem = problem or error
    if not problem:
        error_obj = out.get("parsing_error")
        if not answer_texts:
            problem = "the answer was empty: no JSON object was given"
        elif error_obj is not None and not isinstance(error_obj, ValidationError):
            problem = "the answer is not valid JSON: " + _one_line(str(error_obj), 200)
        else:
            problem = "the answer contains no JSON object"
    return None, False, problem, "\n".join(answer_texts)


def _try_validate(schema: type[M], candidate: Any) -> tuple[M | None, str]:
    if not isinstance(candidate, dict):
        return None, f"expected one JSON object, got {type(candidate).__name__}"
    try:
        return schema.model_validate(candidate), ""
    except ValidationError as exc:
        return None, format_validation_error(exc)


def _text_of(message: Any) -> str:
    if message is None:
        return ""
    content = getattr(message, "content", "")
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


def _with_json_instructions(messages: Sequence[BaseMessage], schema_text: str) -> list[BaseMessage]:
    """JSON mode sends no schema: put it in the system prompt (and the word JSON, required)."""
    from langchain_core.messages import SystemMessage

    instructions = render_llm_prompt("json_instructions", DEFAULT_LANGUAGE, schema=schema_text)
    out = list(messages)
    if out and isinstance(out[0], SystemMessage) and isinstance(out[0].content, str):
        out[0] = SystemMessage(content=f"{out[0].content.rstrip()}\n\n{instructions}")
    else:
        out.insert(0, SystemMessage(content=instructions))
    return out


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# --------------------------------------------------------------------------------------
# Prompts


def normalise_language(language: str | None) -> str:
    """``"fr-FR"``, ``"FR"``, ``"fr_CA"`` -> ``"fr"``; anything unusable -> ``"en"``."""
    code = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else DEFAULT_LANGUAGE


def available_llm_prompts(language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Names of the LLM prompts that exist in ``language`` (English ones for a fallback)."""
    folder = resources.files("storycore.prompts").joinpath("llm", normalise_language(language))
    if not folder.is_dir():
        return []
    return sorted(p.name[:-3] for p in folder.iterdir() if p.name.endswith(".md"))


def load_llm_prompt(name: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The template ``prompts/llm/<language>/<name>.md``, else the English one.

    Raises :class:`~storycore.tools.errors.NotFound` for a name that has no English template.
    """
    if not _PROMPT_NAME.match(name):
        raise NotFound(f"no LLM prompt named {name!r}: names are lower-case words.")
    root = resources.files("storycore.prompts").joinpath("llm")
    for lang in dict.fromkeys((normalise_language(language), DEFAULT_LANGUAGE)):
        candidate = root.joinpath(lang, f"{name}.md")
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    known = ", ".join(available_llm_prompts()) or "none"
    raise NotFound(f"no LLM prompt named {name!r} (known: {known}).")


def render_llm_prompt(name: str, language: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """:func:`load_llm_prompt` with its ``{placeholders}`` filled from ``values``.

    Only ``{lower_case_name}`` placeholders are replaced, so JSON examples in a template
    stay as they are; a placeholder without a value raises ``KeyError`` (a bug, not input).
    """
    template = load_llm_prompt(name, language)
    missing = sorted({m for m in _PLACEHOLDER.findall(template) if m not in values})
    if missing:
        raise KeyError(f"prompt {name!r} needs values for: {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template).strip() + "\n"
