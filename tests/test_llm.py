"""Unit tests of the language-model layer against the scripted stub (no cassettes).

Context and offline mode, retry classification (429/500/400/401, connection failures),
the repair loop, usage and cost, and the LLM prompt templates.
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import asdict, fields
from typing import Any

import httpx2
import openai
import pytest
from langchain_core.messages import AIMessage
from pydantic import BaseModel, Field, ValidationError

from storycore.agent.context import (
    DEFAULT_MODEL,
    OFFLINE_NO_ENDPOINT,
    PLACEHOLDER_API_KEY,
    Context,
)
from storycore.agent.llm import (
    LLMBadOutput,
    LLMUnavailable,
    RetryPolicy,
    available_llm_prompts,
    call_with_retry,
    extract_json,
    format_validation_error,
    invoke_with_retry,
    is_retryable,
    load_llm_prompt,
    make_chat_model,
    normalise_language,
    render_llm_prompt,
    stream_reply,
    structured_call,
)
from storycore.agent.usage import PriceTable, UsageTracker, merge_usage
from storycore.tools.errors import InvalidInput, NotFound

from .openai_stub import OpenAIStub

KEY = "sk-test-unit-0123456789abcdef"
NO_WAIT = RetryPolicy(attempts=4, initial_wait=0.0)


class ShotPlan(BaseModel):
    """A small schema to ask for."""

    title: str = Field(min_length=1)
    duration_seconds: float = Field(gt=0)
    characters: list[str] = Field(default_factory=list)


GOOD = {"title": "Opening", "duration_seconds": 4, "characters": ["Mei"]}


def stub_context(stub: OpenAIStub, **overrides: Any) -> Context:
    environ = {"OPENAI_BASE_URL": stub.base_url, "OPENAI_API_KEY": KEY}
    return Context.from_env(environ=environ, retry_initial_wait=0.0, **overrides)


def stub_model(stub: OpenAIStub, **overrides: Any) -> Any:
    model = make_chat_model(stub_context(stub, **overrides), environ={"OPENAI_API_KEY": KEY})
    assert model is not None
    return model


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------------------
# Context


def test_no_key_and_no_base_url_means_offline_said_plainly() -> None:
    ctx = Context.from_env(environ={})

    assert ctx.offline
    assert ctx.offline_reason == OFFLINE_NO_ENDPOINT
    assert make_chat_model(ctx, environ={}) is None


def test_key_alone_talks_to_openai() -> None:
    ctx = Context.from_env(environ={"OPENAI_API_KEY": KEY})

    assert not ctx.offline and ctx.offline_reason is None
    assert ctx.base_url is None
    assert ctx.endpoint == "https://api.openai.com/v1"
    assert ctx.model == DEFAULT_MODEL
    model = make_chat_model(ctx, environ={"OPENAI_API_KEY": KEY})
    assert model.openai_api_key.get_secret_value() == KEY


def test_base_url_without_key_is_a_local_server_with_a_placeholder_key() -> None:
    ctx = Context.from_env(environ={"OPENAI_BASE_URL": "http://localhost:11434/v1/"})

    assert not ctx.offline
    assert ctx.base_url == "http://localhost:11434/v1"
    model = make_chat_model(ctx, environ={})
    assert model.openai_api_key.get_secret_value() == PLACEHOLDER_API_KEY


def test_offline_flag_wins_over_a_configured_endpoint() -> None:
    ctx = Context.from_env(offline=True, environ={"OPENAI_API_KEY": KEY})

    assert ctx.offline
    assert ctx.offline_reason is not None and "--offline" in ctx.offline_reason
    assert make_chat_model(ctx, environ={"OPENAI_API_KEY": KEY}) is None


def test_from_env_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("STORYCORE_MODEL", "llama3.1:8b")
    monkeypatch.setenv("STORYCORE_MAX_RETRIES", "5")
    monkeypatch.setenv("STORYCORE_STRUCTURED_METHOD", "json_mode")

    ctx = Context.from_env(language="fr")

    assert (ctx.model, ctx.max_retries, ctx.structured_method) == ("llama3.1:8b", 5, "json_mode")
    assert ctx.language == "fr"
    assert RetryPolicy.from_context(ctx).attempts == 6


def test_no_secret_is_part_of_the_context() -> None:
    ctx = Context.from_env(environ={"OPENAI_API_KEY": KEY})

    assert "api_key" not in {f.name for f in fields(Context)}
    assert KEY not in repr(ctx)
    assert KEY not in json.dumps(asdict(ctx))
    assert KEY not in json.dumps(ctx.describe())


def test_the_key_cannot_be_passed_in() -> None:
    with pytest.raises(InvalidInput, match="environment only"):
        Context.from_env(environ={}, api_key=KEY)
    with pytest.raises(TypeError):
        Context(api_key=KEY)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("STORYCORE_TIMEOUT", "soon"),
        ("STORYCORE_MAX_REPAIRS", "-1"),
        ("STORYCORE_STRUCTURED_METHOD", "xml"),
        ("STORYCORE_STREAM_USAGE", "maybe"),
    ],
)
def test_bad_settings_are_refused_in_one_sentence(var: str, value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Context.from_env(environ={"OPENAI_API_KEY": KEY, var: value})
    assert "\n" not in str(caught.value)


def test_context_is_a_langgraph_context_schema() -> None:
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph
    from langgraph.runtime import Runtime

    class State(TypedDict):
        seen: str

    def node(state: State, runtime: Runtime[Context]) -> State:
        return {"seen": f"{runtime.context.model}/{runtime.context.language}"}

    builder = StateGraph(State, context_schema=Context)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    builder.add_edge("node", END)
    ctx = Context.from_env(environ={}, model="m1", language="fr")

    assert builder.compile().invoke({"seen": ""}, context=ctx) == {"seen": "m1/fr"}


def test_the_key_never_reaches_a_checkpoint(tmp_path: Any) -> None:
    import sqlite3
    from typing import TypedDict

    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, START, StateGraph
    from langgraph.runtime import Runtime

    class State(TypedDict):
        model: str

    def node(state: State, runtime: Runtime[Context]) -> State:
        return {"model": runtime.context.model}

    builder = StateGraph(State, context_schema=Context)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    builder.add_edge("node", END)
    database = tmp_path / "checkpoints.sqlite"
    with sqlite3.connect(database, check_same_thread=False) as connection:
        graph = builder.compile(checkpointer=SqliteSaver(connection))
        ctx = Context.from_env(environ={"OPENAI_API_KEY": KEY})
        make_chat_model(ctx, environ={"OPENAI_API_KEY": KEY})
        graph.invoke({"model": ""}, {"configurable": {"thread_id": "t1"}}, context=ctx)
        connection.commit()

    assert graph.get_state({"configurable": {"thread_id": "t1"}}).values == {"model": ctx.model}
    assert KEY.encode() not in database.read_bytes()


def test_chat_model_is_deterministic_and_leaves_retries_to_us() -> None:
    ctx = Context.from_env(environ={"OPENAI_API_KEY": KEY}, timeout=12.5)
    model = make_chat_model(ctx, environ={"OPENAI_API_KEY": KEY})

    assert model is not None
    assert model.temperature == 0
    assert model.max_retries == 0
    assert model.request_timeout == 12.5
    assert model.openai_api_base == "https://api.openai.com/v1"
    assert model.use_responses_api is False


def test_reasoning_models_get_no_temperature() -> None:
    ctx = Context.from_env(environ={"OPENAI_API_KEY": KEY}, model="o4-mini")
    model = make_chat_model(ctx, environ={"OPENAI_API_KEY": KEY})

    assert model is not None and model.temperature is None


# --------------------------------------------------------------------------------------
# Retries


def test_rate_limit_is_retried_then_succeeds(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_error(429, retry_after=2)
    openai_stub.reply_text("done")

    reply = invoke_with_retry(stub_model(openai_stub), "go", retry=NO_WAIT)

    assert reply.content == "done"
    assert len(openai_stub.requests) == 2


def test_server_errors_exhaust_the_retries_into_llm_unavailable(openai_stub: OpenAIStub) -> None:
    for _ in range(3):
        openai_stub.reply_error(500, "upstream exploded")

    with pytest.raises(LLMUnavailable) as caught:
        invoke_with_retry(stub_model(openai_stub), "go", retry=RetryPolicy(3, 0.0))

    error = caught.value
    assert error.attempts == 3 and error.status_code == 500
    assert "server error (HTTP 500)" in error.reason
    assert "upstream exploded" in str(error)
    assert len(openai_stub.requests) == 3


@pytest.mark.parametrize(("status", "hint"), [(400, "refused (HTTP 400)"), (401, "OPENAI_API_KEY")])
def test_client_errors_are_not_retried(openai_stub: OpenAIStub, status: int, hint: str) -> None:
    openai_stub.reply_error(status, "no")
    openai_stub.reply_text("never reached")

    with pytest.raises(LLMUnavailable) as caught:
        invoke_with_retry(stub_model(openai_stub), "go", retry=NO_WAIT)

    assert caught.value.attempts == 1 and caught.value.status_code == status
    assert hint in str(caught.value)
    assert len(openai_stub.requests) == 1


def test_connection_refused_fails_fast_without_retrying() -> None:
    # Before: a dead endpoint was retried with backoff (about 10 s per command).
    ctx = Context.from_env(environ={"OPENAI_BASE_URL": f"http://127.0.0.1:{closed_port()}/v1"})
    calls: list[int] = []
    model = make_chat_model(ctx)
    assert model is not None

    def ask() -> Any:
        calls.append(1)
        return model.invoke("go")

    with pytest.raises(LLMUnavailable, match="connection refused"):
        call_with_retry(ask, attempts=4, initial_wait=5.0)
    assert len(calls) == 1


def test_classification_of_openai_errors() -> None:
    request = httpx2.Request("POST", "https://llm.invalid/v1/chat/completions")

    def status_error(code: int) -> openai.APIStatusError:
        response = httpx2.Response(code, request=request)
        return openai.APIStatusError("x", response=response, body=None)

    assert is_retryable(openai.APITimeoutError(request=request))
    assert is_retryable(openai.APIConnectionError(request=request))
    assert is_retryable(status_error(429)) and is_retryable(status_error(503))
    assert not is_retryable(status_error(400)) and not is_retryable(status_error(404))
    assert not is_retryable(ValueError("a bug"))


def cassette_mismatch() -> Exception:
    from vcr.errors import CannotOverwriteExistingCassetteException

    # Its constructor wants a live cassette; only the type matters here.
    error = CannotOverwriteExistingCassetteException.__new__(
        CannotOverwriteExistingCassetteException
    )
    Exception.__init__(error, "no match in cassette")
    return error


def test_a_cassette_mismatch_is_never_retried_nor_disguised() -> None:
    mismatch = cassette_mismatch()
    calls: list[int] = []

    def ask() -> None:
        calls.append(1)
        raise mismatch

    with pytest.raises(type(mismatch)):
        call_with_retry(ask, attempts=4, initial_wait=0.0)
    assert calls == [1]


def test_a_cassette_mismatch_wrapped_by_the_client_is_not_retried_either() -> None:
    request = httpx2.Request("POST", "https://llm.invalid/v1/chat/completions")
    calls: list[int] = []

    def ask() -> None:
        calls.append(1)
        raise openai.APIConnectionError(request=request) from cassette_mismatch()

    with pytest.raises(openai.APIConnectionError):
        call_with_retry(ask, attempts=4, initial_wait=0.0)
    assert calls == [1]


def test_backoff_grows_honours_retry_after_and_stays_bounded(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_error(429, retry_after=3)
    openai_stub.reply_error(500)
    openai_stub.reply_error(500)
    openai_stub.reply_text("ok")
    model = stub_model(openai_stub)
    waits: list[float] = []

    call_with_retry(
        lambda: model.invoke("go"), attempts=4, initial_wait=1.0, max_wait=5.0, sleep=waits.append
    )

    assert len(waits) == 3
    assert waits[0] >= 3.0  # the server asked for 3 s
    assert 2.0 <= waits[1] <= 5.0 and 4.0 <= waits[2] <= 5.0  # 1 s doubling, capped at 5


def test_zero_initial_wait_never_sleeps(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_error(429, retry_after=30)
    openai_stub.reply_text("ok")
    model = stub_model(openai_stub)
    waits: list[float] = []

    call_with_retry(lambda: model.invoke("go"), attempts=2, initial_wait=0.0, sleep=waits.append)

    assert waits == [0.0]


# --------------------------------------------------------------------------------------
# Streaming


def test_stream_is_retried_before_the_first_piece(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_error(503)
    openai_stub.reply_text("a streamed answer, in pieces")
    pieces: list[str] = []
    usage = UsageTracker()

    message = stream_reply(
        stub_model(openai_stub), "go", on_text=pieces.append, retry=NO_WAIT, usage=usage
    )

    assert message.content == "a streamed answer, in pieces" == "".join(pieces)
    assert usage.models[DEFAULT_MODEL].calls == 1
    assert openai_stub.requests[-1]["stream_options"] == {"include_usage": True}


def test_stream_broken_after_text_is_not_replayed_twice(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_text("this answer will be cut in the middle", cut_after=3)
    openai_stub.reply_text("a second answer that must not be asked for")
    pieces: list[str] = []

    with pytest.raises(LLMUnavailable, match="stream broke off"):
        stream_reply(stub_model(openai_stub), "go", on_text=pieces.append, retry=NO_WAIT)

    assert pieces  # the user saw the beginning...
    assert len(openai_stub.requests) == 1  # ...so it was not asked again


def test_stream_usage_can_be_turned_off_for_servers_without_it(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_text("fine")

    stream_reply(stub_model(openai_stub, stream_usage=False), "go", retry=NO_WAIT)

    assert "stream_options" not in openai_stub.requests[0]


# --------------------------------------------------------------------------------------
# Structured output and repair


def test_valid_tool_call_needs_no_repair(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_structured(GOOD)

    result = structured_call(stub_model(openai_stub), ShotPlan, [("human", "plan")], retry=NO_WAIT)

    assert result.value == ShotPlan.model_validate(GOOD)
    assert (result.repairs, result.salvaged) == (0, False)
    assert openai_stub.requests[0]["tool_choice"]["function"]["name"] == "ShotPlan"


def test_json_in_a_fence_inside_prose_is_salvaged_without_a_repair(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_text(f"Here you go!\n```json\n{json.dumps(GOOD)}\n```\nAnything else?")

    result = structured_call(stub_model(openai_stub), ShotPlan, [("human", "plan")], retry=NO_WAIT)

    assert result.value.title == "Opening"
    assert (result.repairs, result.salvaged) == (0, True)
    assert len(openai_stub.requests) == 1


def test_invalid_fields_are_sent_back_with_the_validation_error(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_tool_call("ShotPlan", {"title": "Opening", "duration_seconds": -2})
    openai_stub.reply_structured(GOOD)

    result = structured_call(stub_model(openai_stub), ShotPlan, [("human", "plan")], retry=NO_WAIT)

    assert result.repairs == 1
    repair = openai_stub.requests[1]["messages"]
    assert repair[0] == {"role": "user", "content": "plan"}
    assert json.loads(repair[1]["content"]) == {"title": "Opening", "duration_seconds": -2}
    assert "duration_seconds: Input should be greater than 0" in repair[2]["content"]
    assert "errors.pydantic.dev" not in repair[2]["content"]


def test_broken_json_arguments_are_repaired(openai_stub: OpenAIStub) -> None:
    broken = '{"title": "Opening", "duration_seconds": 4'
    openai_stub.reply_tool_call("ShotPlan", broken)
    openai_stub.reply_structured(GOOD)

    result = structured_call(stub_model(openai_stub), ShotPlan, [("human", "plan")], retry=NO_WAIT)

    assert result.repairs == 1
    assert broken in openai_stub.requests[1]["messages"][1]["content"]


def test_repairs_are_bounded_then_llm_bad_output(openai_stub: OpenAIStub) -> None:
    for _ in range(3):
        openai_stub.reply_text("I would rather describe it in words.")

    with pytest.raises(LLMBadOutput) as caught:
        structured_call(
            stub_model(openai_stub), ShotPlan, [("human", "plan")], max_repairs=2, retry=NO_WAIT
        )

    assert caught.value.repairs == 2
    assert "ShotPlan" in str(caught.value) and "no JSON object" in str(caught.value)
    assert len(openai_stub.requests) == 3
    # Each repair request carries only the latest bad answer: requests stay bounded.
    assert len(openai_stub.requests[2]["messages"]) == len(openai_stub.requests[1]["messages"])


def test_no_repair_allowed_fails_after_one_answer(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_text("prose")

    with pytest.raises(LLMBadOutput):
        structured_call(stub_model(openai_stub), ShotPlan, "plan", max_repairs=0, retry=NO_WAIT)
    assert len(openai_stub.requests) == 1


def test_json_mode_puts_the_schema_in_the_prompt(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_structured(GOOD)

    result = structured_call(
        stub_model(openai_stub),
        ShotPlan,
        [("system", "You plan shots."), ("human", "plan")],
        method="json_mode",
        retry=NO_WAIT,
    )

    assert result.value.title == "Opening"
    sent = openai_stub.requests[0]
    assert sent["response_format"] == {"type": "json_object"}
    assert "tools" not in sent
    system = sent["messages"][0]["content"]
    assert system.startswith("You plan shots.") and "JSON" in system
    assert '"duration_seconds"' in system


def test_json_schema_method_sends_a_response_format(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_structured(GOOD)

    result = structured_call(
        stub_model(openai_stub), ShotPlan, "plan", method="json_schema", retry=NO_WAIT
    )

    assert result.value.duration_seconds == 4
    assert openai_stub.requests[0]["response_format"]["type"] == "json_schema"


def test_transport_failure_during_structured_call_is_llm_unavailable(
    openai_stub: OpenAIStub,
) -> None:
    openai_stub.reply_error(404, "model 'nope' not found")

    with pytest.raises(LLMUnavailable, match="STORYCORE_MODEL"):
        structured_call(stub_model(openai_stub, model="nope"), ShotPlan, "plan", retry=NO_WAIT)


def test_extract_json_finds_objects_in_text() -> None:
    assert extract_json('{"a": 1}') == [{"a": 1}]
    assert {"a": 2} in extract_json('Sure:\n```json\n{"a": 2}\n```')
    assert {"b": [1, 2]} in extract_json('The answer is {"b": [1, 2]} as requested.')
    assert extract_json("no json here, just {broken") == []


def test_validation_errors_are_plain_and_stable() -> None:
    with pytest.raises(ValidationError) as caught:
        ShotPlan.model_validate({"duration_seconds": "long"})

    text = format_validation_error(caught.value)

    assert text.splitlines() == [
        "title: Field required",
        "duration_seconds: Input should be a valid number, unable to parse string as a number",
    ]


# --------------------------------------------------------------------------------------
# Usage and cost

PRICES = PriceTable.from_yaml(
    "source: test\nas_of: '2026-01-01'\nmodels:\n"
    "  cheap-1: {input: 1.0, cached_input: 0.5, output: 4.0}\n"
)


def answer(model: str, prompt: int, completion: int, cached: int = 0, mid: str = "") -> AIMessage:
    return AIMessage(
        content="x",
        id=mid or None,
        response_metadata={"model_name": model},
        usage_metadata={
            "input_tokens": prompt,
            "output_tokens": completion,
            "total_tokens": prompt + completion,
            "input_token_details": {"cache_read": cached},
        },
    )


def test_cost_is_tokens_times_the_listed_price() -> None:
    tracker = UsageTracker(prices=PRICES)
    tracker.add(answer("cheap-1", 1_000_000, 500_000))

    assert tracker.cost_usd("cheap-1") == pytest.approx(1.0 + 2.0)


def test_cached_prompt_tokens_cost_the_cached_rate() -> None:
    tracker = UsageTracker(prices=PRICES)
    tracker.add(answer("cheap-1", 1_000_000, 0, cached=400_000))

    assert tracker.cost_usd("cheap-1") == pytest.approx(0.6 * 1.0 + 0.4 * 0.5)


def test_dated_snapshot_is_priced_as_its_family() -> None:
    tracker = UsageTracker(prices=PRICES)
    tracker.add(answer("cheap-1-2026-01-15", 1_000_000, 0))

    assert tracker.cost_usd("cheap-1-2026-01-15") == pytest.approx(1.0)


def test_unknown_model_counts_tokens_but_not_money() -> None:
    tracker = UsageTracker(prices=PRICES)
    tracker.add(answer("cheap-1", 1000, 100))
    tracker.add(answer("llama3.1:8b", 2000, 200))

    summary = tracker.to_dict()

    assert summary["models"]["llama3.1:8b"]["cost_usd"] is None
    assert summary["models"]["llama3.1:8b"]["input_tokens"] == 2000
    assert summary["total"]["input_tokens"] == 3000
    assert summary["total"]["cost_complete"] is False
    assert summary["total"]["cost_usd"] == pytest.approx(tracker.cost_usd("cheap-1"))


def test_usage_summary_round_trips_and_the_reducer_adds() -> None:
    tracker = UsageTracker(prices=PRICES)
    tracker.add(answer("cheap-1", 100, 10))
    summary = json.loads(json.dumps(tracker.to_dict()))

    merged = merge_usage(summary, summary)

    assert merged["models"]["cheap-1"]["calls"] == 2
    assert merged["models"]["cheap-1"]["input_tokens"] == 200
    assert UsageTracker.from_dict(summary, prices=PRICES).to_dict() == summary
    assert merge_usage(None, summary)["total"]["output_tokens"] == 10


def test_one_answer_is_counted_once_even_if_seen_twice() -> None:
    tracker = UsageTracker(prices=PRICES)
    message = answer("cheap-1", 100, 10, mid="run-1")

    assert tracker.add(message) is True
    assert tracker.add(message) is False
    assert tracker.models["cheap-1"].calls == 1


def test_callback_and_explicit_tracking_agree(openai_stub: OpenAIStub) -> None:
    openai_stub.reply_text("one")
    openai_stub.reply_text("two")
    tracker = UsageTracker()
    model = stub_model(openai_stub)

    model.invoke("a", config={"callbacks": [tracker.callback()]})
    invoke_with_retry(
        model, "b", retry=NO_WAIT, usage=tracker, config={"callbacks": [tracker.callback()]}
    )

    usage = tracker.models[DEFAULT_MODEL]
    assert usage.calls == 2
    assert usage.input_tokens > 0 and usage.output_tokens > 0


def test_shipped_prices_name_their_source_and_date_and_the_default_model() -> None:
    table = PriceTable.load()

    assert table.source.startswith("https://")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", table.as_of)
    assert table.price_of(DEFAULT_MODEL) is not None


def test_user_price_file_overrides_the_shipped_one(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYCORE_CONFIG_DIR", str(tmp_path))
    (tmp_path / "llm_prices.yaml").write_text(
        "models:\n  llama3.1:8b: {input: 0, output: 0}\n", encoding="utf-8"
    )
    tracker = UsageTracker()
    tracker.add(answer("llama3.1:8b", 5000, 500))

    assert tracker.cost_usd("llama3.1:8b") == 0.0
    assert tracker.prices is not None and tracker.prices.price_of(DEFAULT_MODEL) is not None


def test_malformed_price_file_names_the_file(tmp_path: Any) -> None:
    bad = tmp_path / "llm_prices.yaml"
    bad.write_text("models:\n  m: {input: cheap}\n", encoding="utf-8")

    with pytest.raises(InvalidInput, match=r"llm_prices\.yaml"):
        PriceTable.load(user_file=bad)


# --------------------------------------------------------------------------------------
# Prompts

MAIN_PROMPTS = ("system", "brief", "breakdown", "feedback")


@pytest.mark.parametrize("name", MAIN_PROMPTS)
def test_main_prompts_exist_in_english_and_french(name: str) -> None:
    english = load_llm_prompt(name, "en")
    french = load_llm_prompt(name, "fr")

    assert english.strip() and french.strip()
    assert english != french


def test_language_codes_are_normalised_and_fall_back_to_english() -> None:
    assert load_llm_prompt("system", "fr-FR") == load_llm_prompt("system", "fr")
    assert load_llm_prompt("system", "de") == load_llm_prompt("system", "en")
    assert load_llm_prompt("repair", "fr") == load_llm_prompt("repair", "en")
    assert normalise_language("PT_br") == "pt"
    assert normalise_language("") == "en"


@pytest.mark.parametrize("name", ["nonexistent", "../system", "System"])
def test_unknown_prompt_names_are_refused(name: str) -> None:
    with pytest.raises(NotFound):
        load_llm_prompt(name)


def test_prompts_are_deterministic_text() -> None:
    # Cassettes match on the request body: nothing in a prompt may change between runs.
    for language in ("en", "fr"):
        for name in available_llm_prompts(language):
            text = load_llm_prompt(name, language)
            assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}:\d{2}", text), name


def test_render_fills_placeholders_and_leaves_json_alone() -> None:
    text = render_llm_prompt("repair", error="title: Field required", schema='{"type": "object"}')

    assert "title: Field required" in text and '{"type": "object"}' in text
    assert "{error}" not in text and "{schema}" not in text
    with pytest.raises(KeyError, match="error"):
        render_llm_prompt("repair", schema="{}")
