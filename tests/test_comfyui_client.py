"""The ComfyUI client against the protocol-faithful stand-in (tests/comfyui_standin.py).

With STORYCORE_COMFYUI_TEST_URL set, the tests marked ``real_ok`` run against that server
instead (docs/comfyui.md); the fault simulations need the stand-in and are skipped then.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from storycore.tools.comfyui.client import (
    ComfyClient,
    JobFailed,
    JobLost,
    JobStatus,
    JobTimeout,
    PromptRejected,
    ServerUnreachable,
    parse_outputs,
    prompt_id_for,
)
from storycore.tools.comfyui.config import load_config
from storycore.tools.comfyui.workflow import GenerationParams, fill_template, load_template

from .comfyui_standin import ComfyStandIn, shipped_models

REAL_URL = os.environ.get("STORYCORE_COMFYUI_TEST_URL", "").strip()
needs_standin = pytest.mark.skipif(bool(REAL_URL), reason="simulates faults of the stand-in")


class RealServer:
    """A real ComfyUI given by STORYCORE_COMFYUI_TEST_URL (only ``url`` is real)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.step_delay = 0.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Any]:
    if REAL_URL:
        yield RealServer(REAL_URL)
        return
    with ComfyStandIn(tmp_path / "comfy", shipped_models()) as standin:
        yield standin


def client_for(server: ComfyStandIn, **kwargs: Any) -> ComfyClient:
    options: dict[str, Any] = {"poll_interval": 0.05, "retries": 2, "backoff": 0.01}
    options.update(kwargs)
    return ComfyClient(server.url, **options)


def image_workflow(
    prefix: str = "storycore/t", width: int = 96, height: int = 64
) -> dict[str, Any]:
    settings = load_config().template("sdxl_t2i")
    mapped = fill_template(
        load_template(settings),
        settings,
        GenerationParams(prompt="a lighthouse", width=width, height=height, filename_prefix=prefix),
    )
    return mapped.workflow


def video_workflow(start_image: str, frames: int = 17) -> dict[str, Any]:
    settings = load_config().template("wan22_i2v")
    mapped = fill_template(
        load_template(settings),
        settings,
        GenerationParams(
            prompt="waves", width=64, height=48, frames=frames, start_image=start_image
        ),
    )
    return mapped.workflow


def test_prompt_ids_are_lowercase_uuids_and_stable() -> None:
    job_id = "0123456789ABCDEF0123456789abcdef"
    first = prompt_id_for(job_id)
    assert first == "01234567-89ab-cdef-0123-456789abcdef"
    assert prompt_id_for(job_id) == first
    retry = prompt_id_for(job_id, attempt=1)
    assert retry != first and retry == prompt_id_for(job_id, 1) and retry == retry.lower()


def test_image_job_over_the_websocket_with_progress(server: Any, tmp_path: Path) -> None:
    server.step_delay = 0.02
    client = client_for(server)
    prompt_id = prompt_id_for("1" * 32)
    events: list[tuple[str, dict[str, Any]]] = []
    assert client.submit(image_workflow(), prompt_id) == prompt_id
    result = client.wait(prompt_id, timeout=20, on_event=lambda k, d: events.append((k, dict(d))))
    kinds = [k for k, _ in events]
    assert "progress" in kinds and "execution_success" in kinds
    progress = [d for k, d in events if k == "progress"]
    assert progress[-1]["value"] == progress[-1]["max"] == 25
    assert all(d["prompt_id"] == prompt_id for _, d in events)
    assert [o.kind for o in result.outputs] == ["image"]
    path = client.download(result.outputs[0], tmp_path / "out" / "key.png")
    assert Image.open(path).size == (96, 64)
    assert not list(path.parent.glob(".*part"))  # nothing half-written left beside it
    assert client.status(prompt_id) is JobStatus.SUCCESS


def test_video_job_has_the_snapped_frame_count(server: Any, tmp_path: Path) -> None:
    import av

    client = client_for(server)
    still = tmp_path / "start.png"
    Image.new("RGB", (64, 48), (10, 20, 30)).save(still)
    name = client.upload_image(still)
    assert client.upload_image(still) == name  # content-named, overwritten: no renamed copies
    prompt_id = prompt_id_for("2" * 32)
    client.submit(video_workflow(name, frames=30), prompt_id)  # 30 -> 33 (4k+1)
    result = client.wait(prompt_id, timeout=30)
    assert [o.kind for o in result.outputs] == ["video"]
    clip = client.download(result.outputs[0], tmp_path / "clip.mp4")
    with av.open(str(clip)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 33


@needs_standin
def test_a_known_prompt_id_is_never_posted_again(server: ComfyStandIn) -> None:
    client = client_for(server)
    prompt_id = prompt_id_for("3" * 32)
    client.submit(image_workflow(), prompt_id)
    client.submit(image_workflow(), prompt_id)
    client.wait(prompt_id, timeout=20)
    client.submit(image_workflow(), prompt_id)  # finished: still known, still not re-posted
    # A new client (a new process after a crash) finds it too.
    client_for(server).submit(image_workflow(), prompt_id)
    assert server.posted == [prompt_id]


class _LoseFirstPromptAnswer(httpx.HTTPTransport):
    """Delivers the first POST /prompt, then fails as if the answer had been lost."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and request.url.path == "/prompt" and not self.lost:
            self.lost += 1
            response.read()
            raise httpx.ReadTimeout("answer lost", request=request)
        return response


@needs_standin
def test_a_post_whose_answer_was_lost_is_looked_up_not_reposted(server: ComfyStandIn) -> None:
    transport = _LoseFirstPromptAnswer()
    client = client_for(server, transport=transport, retries=3)
    prompt_id = prompt_id_for("4" * 32)
    assert client.submit(image_workflow(), prompt_id) == prompt_id
    assert transport.lost == 1
    client.wait(prompt_id, timeout=20)
    assert server.posted == [prompt_id]


@needs_standin
def test_node_errors_in_a_200_fail_the_job_with_the_nodes_message(server: ComfyStandIn) -> None:
    workflow = image_workflow()
    # A second output fed by a sampler whose scheduler does not exist: ComfyUI accepts the
    # valid output with 200 and reports the other in node_errors.
    workflow["90"] = {**workflow["5"], "inputs": {**workflow["5"]["inputs"], "scheduler": "bogus"}}
    workflow["91"] = {"class_type": "VAEDecode", "inputs": {"samples": ["90", 0], "vae": ["1", 2]}}
    workflow["92"] = {
        "class_type": "SaveImage",
        "inputs": {"images": ["91", 0], "filename_prefix": "storycore/other"},
    }
    client = client_for(server)
    prompt_id = prompt_id_for("5" * 32)
    with pytest.raises(PromptRejected) as caught:
        client.submit(workflow, prompt_id)
    message = str(caught.value)
    assert "node 90 (KSampler): Value not in list" in message and "bogus" in message
    assert "90" in caught.value.node_errors
    # Half a job is no job: what was queued of it is taken back, and no history of it stays
    # for a later run to take for a finished job.
    assert client.status(prompt_id) is None
    assert server.posted == [prompt_id]


def test_a_missing_node_type_is_refused_with_its_name(server: Any) -> None:
    workflow = image_workflow()
    workflow["50"] = {"class_type": "NoSuchNodeXYZ", "inputs": {}}
    with pytest.raises(PromptRejected) as caught:
        client_for(server).submit(workflow, prompt_id_for("6" * 32))
    assert caught.value.error_type == "missing_node_type"
    assert "NoSuchNodeXYZ" in str(caught.value)


def test_a_missing_model_file_is_refused_as_value_not_in_list(server: Any) -> None:
    workflow = image_workflow()
    workflow["1"]["inputs"]["ckpt_name"] = "not_installed_model.safetensors"
    with pytest.raises(PromptRejected) as caught:
        client_for(server).submit(workflow, prompt_id_for("7" * 32))
    assert "value_not_in_list" in (
        caught.value.error_type,
        *(e["type"] for n in caught.value.node_errors.values() for e in n["errors"]),
    )
    assert "not_installed_model.safetensors" in str(caught.value)


@needs_standin
def test_an_execution_error_mid_run_fails_with_the_nodes_message(server: ComfyStandIn) -> None:
    server.fail_class = "KSampler"
    client = client_for(server)
    prompt_id = prompt_id_for("8" * 32)
    client.submit(image_workflow(), prompt_id)
    with pytest.raises(JobFailed) as caught:
        client.wait(prompt_id, timeout=20)
    assert caught.value.node_type == "KSampler" and not caught.value.interrupted
    assert "out of memory" in str(caught.value)
    assert client.status(prompt_id) is JobStatus.ERROR
    # The same failure read from the history (a later process) says the same.
    with pytest.raises(JobFailed, match="out of memory"):
        client_for(server).wait(prompt_id, timeout=5)


@needs_standin
def test_a_dropped_websocket_falls_back_to_polling(server: ComfyStandIn) -> None:
    server.step_delay = 0.05  # 25 steps: about 1.3 s
    client = client_for(server)
    prompt_id = prompt_id_for("9" * 32)
    client.submit(image_workflow(), prompt_id)
    events: list[str] = []
    timer = threading.Timer(0.4, server.drop_sockets)
    timer.start()
    result = client.wait(prompt_id, timeout=20, on_event=lambda k, d: events.append(k))
    timer.join()
    assert result.status is JobStatus.SUCCESS and result.outputs
    assert "progress" in events and "polling" in events


@needs_standin
def test_a_restart_that_loses_the_queue_is_reported_as_lost(server: ComfyStandIn) -> None:
    server.step_delay = 0.05
    client = client_for(server, retries=6, backoff=0.05)  # rides out the seconds it is down
    prompt_id = prompt_id_for("a" * 32)
    client.submit(image_workflow(), prompt_id)
    timer = threading.Timer(0.3, server.restart)
    timer.start()
    with pytest.raises(JobLost, match="no longer knows"):
        client.wait(prompt_id, timeout=20)
    timer.join()
    assert client.status(prompt_id) is None
    # It is unknown now: posting it again is the right thing, and happens once.
    client.submit(image_workflow(), prompt_id)
    client.wait(prompt_id, timeout=20)
    assert client.status(prompt_id) is JobStatus.SUCCESS


@needs_standin
def test_history_before_connecting_finds_a_job_that_already_finished(server: ComfyStandIn) -> None:
    client = client_for(server)
    prompt_id = prompt_id_for("b" * 32)
    client.submit(image_workflow(), prompt_id)
    deadline = time.monotonic() + 10
    while client.status(prompt_id) is not JobStatus.SUCCESS and time.monotonic() < deadline:
        time.sleep(0.05)
    result = client_for(server).wait(prompt_id, timeout=2)  # no event will ever come
    assert result.outputs


@needs_standin
def test_a_slow_job_times_out(server: ComfyStandIn) -> None:
    server.step_delay = 0.5
    client = client_for(server)
    prompt_id = prompt_id_for("c" * 32)
    client.submit(image_workflow(), prompt_id)
    started = time.monotonic()
    with pytest.raises(JobTimeout):
        client.wait(prompt_id, timeout=0.6)
    assert time.monotonic() - started < 3
    client.cancel([prompt_id])


@needs_standin
def test_cancel_removes_pending_and_interrupts_running(server: ComfyStandIn) -> None:
    server.step_delay = 0.05
    client = client_for(server)
    first, second = prompt_id_for("d" * 32), prompt_id_for("e" * 32)
    client.submit(image_workflow("storycore/a"), first)
    client.submit(image_workflow("storycore/b"), second)
    deadline = time.monotonic() + 5
    while client.status(first) is not JobStatus.RUNNING and time.monotonic() < deadline:
        time.sleep(0.02)
    assert client.status(second) is JobStatus.QUEUED
    client.cancel([first, second])
    with pytest.raises(JobFailed) as caught:
        client.wait(first, timeout=10)
    assert caught.value.interrupted
    assert client.status(first) is JobStatus.INTERRUPTED
    assert client.status(second) is None  # deleted before it ran


def test_an_unreachable_server_is_one_clear_error(tmp_path: Path) -> None:
    client = ComfyClient("http://127.0.0.1:9", retries=2, backoff=0.01, timeout=1)
    started = time.monotonic()
    with pytest.raises(ServerUnreachable, match=r"127\.0\.0\.1:9 does not answer"):
        client.object_info()
    assert time.monotonic() - started < 5


def test_outputs_of_every_saving_node_are_found() -> None:
    entry = {
        "outputs": {
            "9": {"images": [{"filename": "a.png", "subfolder": "", "type": "output"}]},
            "10": {
                "images": [{"filename": "v.mp4", "subfolder": "x", "type": "output"}],
                "animated": [True],
            },
            "11": {"gifs": [{"filename": "g.mp4", "subfolder": "", "type": "output"}]},
            "12": {"images": [{"filename": "preview.png", "subfolder": "", "type": "temp"}]},
        }
    }
    found = {(o.filename, o.kind) for o in parse_outputs(entry)}
    assert found == {("a.png", "image"), ("v.mp4", "video"), ("g.mp4", "video")}
