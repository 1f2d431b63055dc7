"""Cassette tests of the language-model layer: vcrpy through pytest-recording.

Two modes, chosen on the command line:

- REPLAY (default, CI): ``pytest`` replays ``cassettes/<test module>/<test name>.yaml``. No
  server runs; the code talks to ``https://llm.invalid/v1``, which does not exist, so a
  request missing from a cassette fails (vcrpy's CannotOverwriteExistingCassetteException,
  never retried) instead of reaching a network. ``--block-network`` works with it.
- RECORD: ``pytest --record-mode=rewrite tests/test_llm_cassettes.py`` records against the
  scripted stub (tests/openai_stub.py) on a free port of 127.0.0.1; with
  ``STORYCORE_RECORD_REAL=1`` and OPENAI_API_KEY and/or OPENAI_BASE_URL set, against that
  real endpoint instead (tests needing the script, ``scripted_llm``, are then skipped and
  keep their cassettes).

How replay finds the recorded answer whatever the endpoint was: every request is put in a
canonical form before it is recorded AND before it is matched (vcrpy runs
``before_record_request`` on both): the origin becomes ``https://llm.invalid``, only the
path from ``/v1/`` on is kept, the headers are reduced to content-type and accept (so no
key or organisation header can be written), and the JSON body loses its ``model`` field
(a cassette recorded with a local model's name replays with the default model). Matching
is on method, canonical URI and body compared as parsed JSON. Responses keep only the
content-type, retry-after and ``x-storycore-stub`` headers (no cookies, no organisation).

A test::

    @pytest.mark.vcr
    def test_brief(llm_endpoint):
        llm_endpoint.script.reply_structured({...})   # used only when recording from the stub
        model = llm_endpoint.chat_model()
        result = structured_call(model, Brief, messages, retry=llm_endpoint.retry)
        assert result.value.title                     # true for any real model
        if llm_endpoint.scripted:                     # true only for the stub's script
            assert result.value.title == "..."

Register in tests/conftest.py with::

    from .cassette_support import (  # noqa: F401
        llm_endpoint, scripted_llm, vcr_cassette_dir, vcr_config,
    )
    from .openai_stub import openai_stub  # noqa: F401
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from storycore.agent.context import DEFAULT_MODEL, Context
from storycore.agent.llm import RetryPolicy, make_chat_model

from .openai_stub import STUB_HEADER, OpenAIStub

REPO_ROOT = Path(__file__).resolve().parents[1]
CASSETTE_DIR = REPO_ROOT / "cassettes"
# The key used with the stub and in replay. Not a secret, but it must never reach a
# cassette either: tests/test_llm_cassettes.py greps for it to prove the filters work.
TEST_API_KEY = "sk-test-storycore-cassette-key-000000"
CASSETTE_ORIGIN = "https://llm.invalid"
REPLAY_BASE_URL = f"{CASSETTE_ORIGIN}/v1"
REAL_KEY_PLACEHOLDER = "<OPENAI_API_KEY>"

REQUEST_HEADERS_KEPT = frozenset({"content-type", "accept"})
RESPONSE_HEADERS_KEPT = frozenset({"content-type", "retry-after", "retry-after-ms", STUB_HEADER})
SECRET_HEADERS = (
    "authorization",
    "api-key",
    "x-api-key",
    "openai-organization",
    "openai-project",
    "cookie",
    "set-cookie",
)
SECRET_QUERY_PARAMETERS = ("api-key", "api_key", "key")
IGNORED_BODY_FIELDS = ("model",)

# Read when this module is imported (at collection), before the autouse fixture of
# tests/conftest.py clears these variables for every test.
_ENV_AT_START: dict[str, str | None] = {
    name: os.environ.get(name)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "STORYCORE_MODEL", "STORYCORE_RECORD_REAL")
}

Mode = Literal["replay", "stub", "real"]


def real_recording_requested() -> bool:
    """True when STORYCORE_RECORD_REAL=1 and a real endpoint is configured."""
    env = _ENV_AT_START
    return env["STORYCORE_RECORD_REAL"] == "1" and bool(
        env["OPENAI_API_KEY"] or env["OPENAI_BASE_URL"]
    )


# --------------------------------------------------------------------------------------
# Canonical requests and scrubbed responses


def canonical_uri(uri: str) -> str:
    """``http://127.0.0.1:53127/v1/chat/completions?api-key=x`` -> ``https://llm.invalid/v1/chat/completions``."""
    parts = urlsplit(uri)
    path = parts.path
    index = path.find("/v1/")
    endpoint = path[index:] if index >= 0 else path
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in SECRET_QUERY_PARAMETERS
    ]
    return CASSETTE_ORIGIN + endpoint + (f"?{urlencode(query)}" if query else "")


def canonical_body(body: Any) -> Any:
    """The JSON body with sorted keys and without the fields replay ignores."""
    if body is None:
        return body
    raw = body if isinstance(body, (bytes, str)) else None
    if raw is None:
        return body
    try:
        data = json.loads(raw)
    except ValueError:
        return body
    if isinstance(data, dict):
        for name in IGNORED_BODY_FIELDS:
            data.pop(name, None)
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def canonical_request(request: Any) -> Any:
    """vcrpy ``before_record_request``: applied to recorded AND to matched requests."""
    request.uri = canonical_uri(request.uri)
    request.headers = {
        name: value
        for name, value in request.headers.items()
        if name.lower() in REQUEST_HEADERS_KEPT
    }
    request.body = canonical_body(request.body)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy ``before_record_response``: keep only harmless headers."""
    headers = response.get("headers") or {}
    response["headers"] = {
        name: values for name, values in headers.items() if name.lower() in RESPONSE_HEADERS_KEPT
    }
    return response


def vcr_kwargs(real_api_key: str | None = None) -> dict[str, Any]:
    """The ``VCR.use_cassette`` settings (no ``record_mode``: that comes from the command line)."""
    config: dict[str, Any] = {
        "filter_headers": list(SECRET_HEADERS),
        "filter_query_parameters": list(SECRET_QUERY_PARAMETERS),
        "before_record_request": canonical_request,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
        # The stub is on 127.0.0.1: vcrpy must record it, not let it through.
        "ignore_localhost": False,
        "match_on": ("method", "uri", "body"),
    }
    if real_api_key:
        # Belt and braces for real recordings: the key anywhere in an interaction is masked.
        # Not done for TEST_API_KEY, so that the cassette scan can see a filter failing.
        config["filter_sensitive_data"] = {REAL_KEY_PLACEHOLDER: real_api_key}
    return config


def make_vcr(record_mode: str = "none", cassette_dir: Path = CASSETTE_DIR) -> Any:
    """A ``vcr.VCR`` with these settings, for code outside pytest-recording (a subprocess).

    ``make_vcr().use_cassette("test_module/name.yaml")`` replays like the fixtures do.
    """
    import vcr

    key = _ENV_AT_START["OPENAI_API_KEY"] if real_recording_requested() else None
    return vcr.VCR(
        cassette_library_dir=str(cassette_dir), record_mode=record_mode, **vcr_kwargs(key)
    )


def replay_context(**overrides: Any) -> Context:
    """The :class:`Context` replayed cassettes expect, for code outside the fixtures.

    With :func:`make_vcr`, this lets a subprocess (a graph resumed in another process)
    replay a cassette: ``with make_vcr().use_cassette(path): run(replay_context())``.
    """
    environ = {"OPENAI_API_KEY": TEST_API_KEY, "OPENAI_BASE_URL": REPLAY_BASE_URL}
    overrides.setdefault("retry_initial_wait", 0.0)
    return Context.from_env(environ=environ, **overrides)


# --------------------------------------------------------------------------------------
# The endpoint a test talks to


class _NoScript:
    """Stands in for the stub's script when there is no stub (replay, real endpoint)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("reply_"):
            return lambda *args, **kwargs: None
        raise AttributeError(name)


@dataclass
class LLMEndpoint:
    """What a cassette test talks to, and how to build the code's context for it.

    ``mode``: ``"replay"`` (cassette, no server), ``"stub"`` (scripted server, recording
    when the test is marked vcr and a record mode is given), ``"real"`` (recording against
    OPENAI_BASE_URL / OPENAI_API_KEY).
    """

    mode: Mode
    base_url: str | None
    model_name: str
    api_key: str = field(repr=False)
    stub: OpenAIStub | None = None
    _request: Any = field(default=None, repr=False)

    @property
    def script(self) -> Any:
        """The stub (``reply_text``, ``reply_structured``...) or a no-op stand-in."""
        return self.stub if self.stub is not None else _NoScript()

    @property
    def scripted(self) -> bool:
        """True when the answers are the stub's script, live or replayed from a cassette.

        Assertions that only the script can satisfy (exact values, repairs == 1) go under
        ``if llm_endpoint.scripted:``.
        """
        if self.mode == "stub":
            return True
        if self.mode == "real":
            return False
        cassette = self._cassette()
        return cassette is not None and any(
            STUB_HEADER in {name.lower() for name in (response.get("headers") or {})}
            for response in cassette.responses
        )

    @property
    def retry(self) -> RetryPolicy:
        """Immediate retries except against a real endpoint."""
        return RetryPolicy(attempts=4, initial_wait=1.0 if self.mode == "real" else 0.0)

    def environ(self) -> dict[str, str]:
        """The environment variables of this endpoint (the key is read from them when the
        chat model is built, never kept in the Context)."""
        environ = {"OPENAI_API_KEY": self.api_key, "STORYCORE_MODEL": self.model_name}
        if self.base_url:
            environ["OPENAI_BASE_URL"] = self.base_url
        return environ

    def context(self, *, offline: bool = False, **overrides: Any) -> Context:
        """A :class:`Context` pointing at this endpoint (environment variables ignored)."""
        if self.mode != "real":
            overrides.setdefault("retry_initial_wait", 0.0)
        return Context.from_env(offline=offline, environ=self.environ(), **overrides)

    def chat_model(self, **overrides: Any) -> Any:
        """``make_chat_model(self.context())``; ``overrides`` go to ChatOpenAI."""
        model = make_chat_model(self.context(), environ=self.environ(), **overrides)
        assert model is not None
        return model

    def sent_requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of the requests this test made, in order, without ``model``.

        From the cassette when there is one (replayed or recorded), else from the stub.
        """
        cassette = self._cassette()
        if cassette is None:
            if self.stub is None:
                return []
            return [json.loads(canonical_body(json.dumps(b))) for b in self.stub.requests]
        loaded = getattr(cassette, "_loaded_count", 0)
        bodies = []
        for index, request in enumerate(cassette.requests):
            if index >= loaded or cassette.play_counts[index] > 0:
                raw = request.body
                bodies.append(json.loads(raw) if raw else {})
        return bodies

    def _cassette(self) -> Any:
        if self._request is None or self._request.node.get_closest_marker("vcr") is None:
            return None
        return self._request.getfixturevalue("vcr")


def _mode_for(request: pytest.FixtureRequest) -> Mode:
    markers = list(request.node.iter_markers(name="vcr"))
    marked = bool(markers)
    record_mode = request.getfixturevalue("record_mode")
    # A mark's record_mode wins over the command line (as in pytest-recording).
    for marker in reversed(markers):
        record_mode = marker.kwargs.get("record_mode", record_mode)
    disabled = request.getfixturevalue("disable_recording")
    if marked and record_mode == "none" and not disabled:
        return "replay"
    if marked and real_recording_requested():
        return "real"
    return "stub"


@pytest.fixture
def llm_endpoint(request: pytest.FixtureRequest) -> Iterator[LLMEndpoint]:
    """The endpoint of this test: a cassette, the scripted stub, or a real server."""
    mode = _mode_for(request)
    if mode == "real":
        env = _ENV_AT_START
        key = env["OPENAI_API_KEY"] or ""
        yield LLMEndpoint(
            mode="real",
            base_url=env["OPENAI_BASE_URL"],
            model_name=env["STORYCORE_MODEL"] or DEFAULT_MODEL,
            api_key=key,
            _request=request,
        )
        return
    if mode == "replay":
        yield LLMEndpoint(
            mode="replay",
            base_url=REPLAY_BASE_URL,
            model_name=DEFAULT_MODEL,
            api_key=TEST_API_KEY,
            _request=request,
        )
        return
    stub = OpenAIStub().start()
    try:
        yield LLMEndpoint(
            mode="stub",
            base_url=stub.base_url,
            model_name=DEFAULT_MODEL,
            api_key=TEST_API_KEY,
            stub=stub,
            _request=request,
        )
    finally:
        stub.stop()


@pytest.fixture
def scripted_llm(llm_endpoint: LLMEndpoint) -> LLMEndpoint:
    """``llm_endpoint`` for tests that only make sense with the script (429, broken JSON).

    When recording against a real endpoint such a test is skipped before its cassette is
    opened, so ``--record-mode=rewrite`` does not delete the cassette it cannot re-record.
    """
    return llm_endpoint


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """``cassettes/<test module>/`` at the repository root (not next to the tests)."""
    return str(CASSETTE_DIR / Path(str(request.node.path)).stem)


@pytest.fixture
def vcr_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """pytest-recording's settings for every ``@pytest.mark.vcr`` test."""
    # Decided without starting the stub: pytest-recording also asks for this fixture in
    # tests that are not marked vcr (with --block-network).
    mode = _mode_for(request)
    if mode == "real" and "scripted_llm" in request.fixturenames:
        pytest.skip("needs the scripted stub: a real model cannot be made to fail on demand")
    return vcr_kwargs(_ENV_AT_START["OPENAI_API_KEY"] if mode == "real" else None)


def scan_for_secrets(
    root: Path = CASSETTE_DIR, extra: Mapping[str, str] | None = None
) -> list[str]:
    """Problems found in the cassettes under ``root``: secret headers or key-like strings.

    ``extra`` maps a label to a literal that must not appear (e.g. the real key).
    """
    import re

    import yaml

    problems: list[str] = []
    key_like = re.compile(r"\b(sk-[A-Za-z0-9_\-]{12,}|Bearer\s+\S+)")
    literals = {"test key": TEST_API_KEY, **(extra or {})}
    for path in sorted(root.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root).as_posix()
        for label, literal in literals.items():
            if literal and literal in text:
                problems.append(f"{rel}: contains the {label}")
        for match in key_like.finditer(text):
            problems.append(f"{rel}: key-like string {match.group(0)[:12]}...")
        data = yaml.safe_load(text) or {}
        for interaction in data.get("interactions", []):
            for part in ("request", "response"):
                headers = (interaction.get(part) or {}).get("headers") or {}
                for name in headers:
                    if name.lower() in SECRET_HEADERS:
                        problems.append(f"{rel}: {part} header {name!r} recorded")
    return problems
