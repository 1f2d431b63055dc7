"""The client's HTTP exchange with ComfyUI, replayed from cassettes (no server runs).

``cassettes/test_comfyui_cassettes/*.yaml`` hold what the client sent and got, so a reader
sees the exact wire format (lookups before the post, the post, polling, ``/view``). Replay
(the default) needs no server and works with the network blocked. Record them again against
the stand-in with::

    STORYCORE_RECORD_COMFYUI=1 .venv/bin/python -m pytest -q -p no:randomly \\
        tests/test_comfyui_cassettes.py

or against a real ComfyUI by adding ``STORYCORE_COMFYUI_TEST_URL=http://host:8188``. Requests
are matched on method, path and query (the host and port are rewritten to
``http://comfyui.invalid``); the WebSocket is not used here (polling only).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from PIL import Image

from storycore.tools.comfyui.client import ComfyClient, PromptRejected, prompt_id_for
from storycore.tools.comfyui.config import load_config
from storycore.tools.comfyui.workflow import GenerationParams, fill_template, load_template

from .comfyui_standin import ComfyStandIn, shipped_models

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "test_comfyui_cassettes"
RECORD = os.environ.get("STORYCORE_RECORD_COMFYUI") == "1"
REAL_URL = os.environ.get("STORYCORE_COMFYUI_TEST_URL", "").strip()
CLIENT_ID = "storycore-cassette-client"
ORIGIN = "http://comfyui.invalid"


def _canonical(request: Any) -> Any:
    parts = urlsplit(request.uri)
    request.uri = urlunsplit(("http", "comfyui.invalid", parts.path, parts.query, ""))
    request.headers = {k: v for k, v in request.headers.items() if k.lower() == "content-type"}
    return request


def _scrub(response: dict[str, Any]) -> dict[str, Any]:
    keep = {"content-type"}
    response["headers"] = {k: v for k, v in response["headers"].items() if k.lower() in keep}
    return response


@pytest.fixture
def comfy_url(tmp_path: Path) -> Iterator[str]:
    if not RECORD:
        yield ORIGIN
    elif REAL_URL:
        yield REAL_URL
    else:
        with ComfyStandIn(tmp_path / "comfy", shipped_models()) as standin:
            yield standin.url


def cassette(name: str) -> Any:
    import vcr

    if RECORD:
        (CASSETTES / f"{name}.yaml").unlink(missing_ok=True)  # a new recording, not appended
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if RECORD else "none",
        match_on=("method", "path", "query"),
        before_record_request=_canonical,
        before_record_response=_scrub,
        decode_compressed_response=True,
        ignore_localhost=False,
    )
    return recorder.use_cassette(f"{name}.yaml")


def _workflow(changes: dict[tuple[str, str], Any] | None = None) -> dict[str, Any]:
    settings = load_config().template("sdxl_t2i")
    mapped = fill_template(
        load_template(settings),
        settings,
        GenerationParams(
            prompt="a lighthouse at dusk", seed=3, width=96, height=64,
            filename_prefix="storycore/cassette",
        ),
    )  # fmt: skip
    workflow = mapped.workflow
    for (node, name), value in (changes or {}).items():
        workflow[node]["inputs"][name] = value
    return workflow


def test_an_image_job_over_plain_http(comfy_url: str, tmp_path: Path) -> None:
    client = ComfyClient(
        comfy_url, client_id=CLIENT_ID, use_websocket=False, poll_interval=0.05, retries=1
    )
    prompt_id = prompt_id_for("c0ffee" * 5 + "00")
    with cassette("image_job") as tape:
        assert client.submit(_workflow(), prompt_id) == prompt_id
        result = client.wait(prompt_id, timeout=30)
        path = client.download(result.outputs[0], tmp_path / "key.png")
    assert Image.open(path).size == (96, 64)
    sent = [(r.method, urlsplit(r.uri).path) for r in tape.requests]
    # Looked up before posting (history, queue), posted once, then polled and downloaded.
    assert sent[:3] == [
        ("GET", f"/history/{prompt_id}"),
        ("GET", "/queue"),
        ("GET", f"/history/{prompt_id}"),
    ]
    assert sent.count(("POST", "/prompt")) == 1 and sent[-1] == ("GET", "/view")


def test_a_refused_workflow_over_plain_http(comfy_url: str) -> None:
    client = ComfyClient(comfy_url, client_id=CLIENT_ID, use_websocket=False, retries=1)
    workflow = _workflow({("1", "ckpt_name"): "not_installed.safetensors"})
    with cassette("refused_model"), pytest.raises(PromptRejected) as caught:
        client.submit(workflow, prompt_id_for("badbad" * 5 + "00"))
    assert "not_installed.safetensors" in str(caught.value)
