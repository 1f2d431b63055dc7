"""The language-model layer under the failures hosts and users meet (issues 12 and 15).

A LangGraph Server's context (``{}`` or a partial dict), any chat model (``provider:model``),
a model without structured output, answers cut off or malformed, a dead endpoint, a total
time budget, and Ctrl-C during retries.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx
import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from pydantic import BaseModel

from storycore.agent.context import OFFLINE_NO_ENDPOINT, Context
from storycore.agent.llm import (
    CUT_NOTICE,
    LLMUnavailable,
    RetryPolicy,
    allow_requests,
    call_with_retry,
    cancel_requests,
    invoke_with_retry,
    is_cut_off,
    make_chat_model,
    stream_reply,
    structured_call,
)
from storycore.tools.errors import InvalidInput

from .openai_stub import OpenAIStub

ONE_TRY = RetryPolicy(attempts=1, initial_wait=0.0)
# The request an openai error is raised for (openai 3.60 reads its headers).
_REQUEST = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


class Title(BaseModel):
    """A tiny schema."""

    title: str


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stub_model(stub: OpenAIStub) -> Any:
    ctx = Context.from_env(environ={"OPENAI_BASE_URL": stub.base_url}, retry_initial_wait=0.0)
    return make_chat_model(ctx, environ={})


# --------------------------------------------------------------------------------------
# The context a LangGraph Server builds: Context(**run_context)


def test_an_empty_server_context_takes_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: Context(**{}) was online with no key and crashed with "Missing credentials".
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("STORYCORE_MODEL", "qwen3:8b")
    monkeypatch.setenv("STORYCORE_TIMEOUT", "7")

    ctx = Context(**{})

    assert (ctx.base_url, ctx.model, ctx.timeout, ctx.offline) == (
        "http://127.0.0.1:9/v1",
        "qwen3:8b",
        7.0,
        False,
    )


def test_a_partial_server_context_keeps_the_rest_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STORYCORE_MODEL", "llama3.1:8b")
    monkeypatch.setenv("STORYCORE_LANGUAGE", "fr")

    ctx = Context(**{"base_url": "http://localhost:11434/v1"})  # Ollama: no key anywhere

    assert (ctx.model, ctx.language, ctx.offline) == ("llama3.1:8b", "fr", False)
    model = make_chat_model(ctx)
    assert model is not None and model.openai_api_base == "http://localhost:11434/v1"


def test_no_endpoint_at_all_is_offline_with_a_reason() -> None:
    ctx = Context(**{})

    assert ctx.offline and ctx.offline_reason == OFFLINE_NO_ENDPOINT
    assert make_chat_model(ctx) is None


def test_an_explicit_online_context_without_key_does_not_crash() -> None:
    ctx = Context(**{"offline": False})

    assert make_chat_model(ctx) is None  # the deterministic engine, no exception


def test_the_context_schema_holds_no_secret() -> None:
    from storycore.agent.graph import graph

    schema = graph.get_context_jsonschema()
    assert schema is not None
    names = set(schema.get("properties", {}))
    assert "model" in names and "base_url" in names
    assert not any("key" in name or "secret" in name for name in names)


# --------------------------------------------------------------------------------------
# Any chat model


def test_openai_provider_prefix_is_the_openai_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-provider-0000")
    ctx = Context.from_env(model="openai:gpt-4.1-mini")

    model = make_chat_model(ctx)

    assert type(model).__name__ == "ChatOpenAI" and model.model_name == "gpt-4.1-mini"


def test_an_ollama_tag_is_not_taken_for_a_provider() -> None:
    ctx = Context.from_env(
        environ={"OPENAI_BASE_URL": "http://localhost:11434/v1"}, model="qwen3:8b"
    )

    assert ctx.provider is None
    assert make_chat_model(ctx, environ={}).model_name == "qwen3:8b"


def test_a_missing_provider_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    if importlib.util.find_spec("langchain_anthropic") is not None:
        pytest.skip("langchain-anthropic is installed here")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    ctx = Context.from_env(model="anthropic:claude-sonnet-4-5")

    with pytest.raises(
        InvalidInput, match=r"langchain-anthropic.*storycore-assistant\[anthropic\]"
    ):
        make_chat_model(ctx)


def test_a_provider_without_its_key_is_offline_with_a_reason() -> None:
    ctx = Context.from_env(environ={}, model="anthropic:claude-sonnet-4-5")

    assert ctx.offline
    assert ctx.offline_reason is not None and "ANTHROPIC_API_KEY" in ctx.offline_reason


# --------------------------------------------------------------------------------------
# Structured output falls back


class NoStructuredOutput(FakeListChatModel):
    """A host's chat model with neither tool calling nor structured output."""

    def with_structured_output(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("not on this model")


def test_a_model_without_structured_output_is_asked_plainly() -> None:
    # Before: NotImplementedError reached the caller (a crash in the host's graph).
    model = NoStructuredOutput(responses=['Here you go: {"title": "Night Shift"}'])

    result = structured_call(model, Title, "a title please", retry=ONE_TRY)

    assert result.value.title == "Night Shift" and result.salvaged


def test_json_schema_refused_by_the_server_falls_back_to_tool_calling(
    openai_stub: OpenAIStub,
) -> None:
    openai_stub.reply_error(400, "response_format json_schema is not supported by this server")
    openai_stub.reply_structured({"title": "Dawn"})

    result = structured_call(
        stub_model(openai_stub), Title, "a title", method="json_schema", retry=ONE_TRY
    )

    assert result.value.title == "Dawn"
    assert "tools" in openai_stub.requests[1] and "response_format" not in openai_stub.requests[1]


# --------------------------------------------------------------------------------------
# Answers cut off or malformed


def test_a_stream_that_stops_early_is_marked_cut(openai_stub: OpenAIStub) -> None:
    # Before: the first words were returned as a complete answer with no notice.
    openai_stub.reply_stream_ending_early(
        "The storyboard has twelve shots in four segments", events=3
    )

    message = stream_reply(stub_model(openai_stub), "how many shots?", retry=ONE_TRY)

    assert is_cut_off(message)
    assert str(message.content).endswith(CUT_NOTICE)


def test_a_complete_stream_is_not_marked(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_text("Twelve shots.")

    message = stream_reply(stub_model(openai_stub), "how many shots?", retry=ONE_TRY)

    assert not is_cut_off(message) and message.content == "Twelve shots."


@pytest.mark.parametrize(
    "body", ['{"id": "x", "object": "chat.completion"}', "garbage <<<", '{"choices": "no"}']
)
def test_a_malformed_answer_is_one_clear_error(openai_stub: OpenAIStub, body: str) -> None:
    # Before: TypeError / JSONDecodeError tracebacks out of plan, chat and feedback.
    openai_stub.reply_raw(body)
    openai_stub.reply_raw(body)

    with pytest.raises(LLMUnavailable) as caught:
        invoke_with_retry(stub_model(openai_stub), "hi", retry=ONE_TRY)
    assert "could not be read" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(LLMUnavailable):
        structured_call(stub_model(openai_stub), Title, "hi", retry=ONE_TRY)


# --------------------------------------------------------------------------------------
# Dead endpoints, time budget, Ctrl-C


def test_a_dead_endpoint_fails_in_well_under_a_second() -> None:
    ctx = Context.from_env(environ={"OPENAI_BASE_URL": f"http://127.0.0.1:{closed_port()}/v1"})
    model = make_chat_model(ctx, environ={})
    started = time.monotonic()

    with pytest.raises(LLMUnavailable, match="connection refused"):
        invoke_with_retry(model, "hi", retry=RetryPolicy(attempts=4, initial_wait=2.0))
    assert time.monotonic() - started < 1.5


def test_the_time_budget_bounds_all_retries() -> None:
    import openai

    def timed_out() -> None:
        time.sleep(0.3)
        raise openai.APITimeoutError(request=_REQUEST)

    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="timed out"):
        call_with_retry(timed_out, attempts=50, initial_wait=0.0, budget=1.0)
    assert time.monotonic() - started < 2.0


def test_the_budget_is_the_users_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYCORE_TIMEOUT", "4.5")

    assert RetryPolicy.from_context(Context.from_env()).budget == 4.5


def test_ctrl_c_stops_the_retries_at_once() -> None:
    # Before: a Ctrl-C in the main thread left a worker thread retrying for up to a minute.
    import openai

    calls: list[float] = []

    def failing() -> None:
        calls.append(time.monotonic())
        raise openai.APIConnectionError(request=_REQUEST)

    outcome: list[BaseException] = []

    def worker() -> None:
        try:
            call_with_retry(failing, attempts=10, initial_wait=5.0, max_wait=5.0)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    cancel_requests()
    try:
        thread.join(timeout=3)
        assert not thread.is_alive()
        assert time.monotonic() - started < 1.0
        assert len(calls) == 1 and isinstance(outcome[0], KeyboardInterrupt)
    finally:
        allow_requests()


# --------------------------------------------------------------------------------------
# Prices per provider


def usage_answer(model: str, tokens_in: int, tokens_out: int) -> Any:
    from langchain_core.messages import AIMessage

    return AIMessage(
        content="x",
        response_metadata={"model_name": model},
        usage_metadata={
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        },
    )


def test_each_provider_has_a_dated_price_file_with_its_source() -> None:
    import re

    from storycore.agent.usage import PriceTable

    table = PriceTable.load()

    assert {"openai", "anthropic", "google_genai"} <= set(table.sources)
    for source, as_of in table.sources.values():
        assert source.startswith("https://") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of)
    assert table.price_of("anthropic:claude-sonnet-4-5") is not None
    assert table.price_of("claude-sonnet-4-5-20250929") == table.price_of("claude-sonnet-4-5")


def test_an_unknown_model_is_shown_as_unknown_never_zero() -> None:
    # Before: the usage table printed an empty cell, and a total of known costs only.
    from storycore.agent.usage import UsageTracker

    tracker = UsageTracker()
    tracker.add(usage_answer("qwen3:8b", 1000, 100))
    tracker.add(usage_answer("gpt-4.1-mini", 1000, 100))

    rows = {row["model"]: row for row in tracker.rows()}
    assert rows["qwen3:8b"]["cost_usd"] == "unknown"
    assert rows["gpt-4.1-mini"]["cost_usd"].startswith("$0.00")
    assert rows["total"]["cost_usd"].endswith("+ unknown")
    assert tracker.to_dict()["models"]["qwen3:8b"]["cost_usd"] is None


def test_the_users_price_file_prices_a_local_model(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storycore.agent.usage import UsageTracker

    monkeypatch.setenv("STORYCORE_CONFIG_DIR", str(tmp_path))
    (tmp_path / "llm_prices.yaml").write_text(
        'as_of: "2026-12-01"\nmodels:\n  qwen3:8b: {input: 0, output: 0}\n', encoding="utf-8"
    )
    tracker = UsageTracker()
    tracker.add(usage_answer("qwen3:8b", 1000, 100))

    assert tracker.rows()[0]["cost_usd"] == "$0.0000"
    assert tracker.prices is not None and "user" in tracker.prices.sources
