"""The ComfyUI backend: a produce against the stand-in, faults, resume, many servers.

Frame counts are always counted by decoding (PyAV), never read from a container.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storycore.tools.comfyui.backend import ComfyUIBackend
from storycore.tools.comfyui.config import load_config
from storycore.tools.model_registry import ModelRegistry
from storycore.tools.production.backend import Backend, BackendError, JobState, RenderJob
from storycore.tools.production.media import probe
from storycore.tools.production.producer import Production
from storycore.tools.project import Project

from .comfyui_standin import ComfyStandIn, shipped_models
from .conftest import storycore_executable

BRIEF = """---
title: Tiny Lighthouse
duration: 6s
aspect_ratio: "16:9"
resolution: 128x72
fps: 24
models:
  local_only: true
  prefer: [Wan 2.2]
---

# Tiny Lighthouse

A keeper climbs the lighthouse at dusk and lights the lamp.

## Characters
- Mara: an old lighthouse keeper in a yellow raincoat

## Scenes
1. Mara climbs the spiral stairs, lantern in hand.
2. The lamp flares over the stormy sea.
"""


@pytest.fixture(scope="module")
def planned_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from storycore.tools.planner import plan_project

    base = tmp_path_factory.mktemp("tiny")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYCORE_CONFIG_DIR", str(base / "config"))
        plan_project(BRIEF, base / "film", source_name="tiny.md")
    yield base / "film"


@pytest.fixture
def film(planned_template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(planned_template, tmp_path / "film"))


REAL_URL = os.environ.get("STORYCORE_COMFYUI_TEST_URL", "").strip()
needs_standin = pytest.mark.skipif(bool(REAL_URL), reason="simulates faults of the stand-in")


class RealServer:
    """A real ComfyUI given by STORYCORE_COMFYUI_TEST_URL (only ``url`` is real)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Any]:
    if REAL_URL:
        yield RealServer(REAL_URL)
        return
    with ComfyStandIn(tmp_path / "comfy", shipped_models()) as standin:
        yield standin


def backend_for(film: Path, *urls: str, monkeypatch: pytest.MonkeyPatch) -> ComfyUIBackend:
    monkeypatch.setenv("STORYCORE_COMFYUI_URL", ",".join(urls))
    write_fast_config(film)
    return ComfyUIBackend.from_environment(film)


def write_fast_config(film: Path) -> None:
    # Short timeouts and quick retries: the tests are about behaviour, not patience.
    (film / "comfyui.yaml").write_text(
        "timeouts: {image_s: 30, video_s: 60}\npoll_interval_s: 0.05\nretries: 3\n",
        encoding="utf-8",
    )


def decoded_frames(path: Path) -> int:
    return probe(path).frames


def produce_all(production: Production) -> list[Any]:
    outcomes = [production.produce_segment(s.segment_id) for s in production.segments_to_produce()]
    return outcomes


def test_the_backend_is_found_by_the_producer(monkeypatch: pytest.MonkeyPatch) -> None:
    from storycore.tools.production.producer import get_backend

    monkeypatch.setenv("STORYCORE_COMFYUI_URL", "http://127.0.0.1:8188")
    backend = get_backend("comfyui")
    assert isinstance(backend, Backend) and backend.name == "comfyui"
    assert [s.url for s in backend.servers] == ["http://127.0.0.1:8188"]  # type: ignore[attr-defined]


def test_the_producers_backend_reads_the_projects_comfyui_yaml(
    film: Path, server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYCORE_COMFYUI_URL", server.url)
    write_fast_config(film)
    with (film / "comfyui.yaml").open("a", encoding="utf-8") as handle:
        handle.write("templates:\n  wan22_i2v: {steps: 4}\n")
    production = Production(Project.open(film), "comfyui")  # as `storycore produce` builds it
    production.preflight()
    backend = production.backend
    assert isinstance(backend, ComfyUIBackend)
    assert backend.config.template("wan22_i2v").steps == 4
    assert backend.config.poll_interval_s == 0.05
    assert backend.project_dir == film


@needs_standin
def test_cancel_takes_back_queued_jobs_and_interrupts_the_running_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ComfyStandIn(tmp_path / "a", shipped_models(), step_delay=0.05) as standin:
        monkeypatch.setenv("STORYCORE_COMFYUI_URL", standin.url)
        config = load_config().model_copy(update={"poll_interval_s": 0.05, "retries": 2})
        backend = ComfyUIBackend(config, ModelRegistry.load(), work_dir=tmp_path / "work")
        first, second = _job("shot_01"), _job("shot_02")
        ids = [backend.submit(first, first.job_id), backend.submit(second, second.job_id)]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not standin.running:
            time.sleep(0.01)
        backend.cancel(ids)
        for job, prompt_id in zip((first, second), ids, strict=True):
            with pytest.raises(BackendError):
                backend.wait(prompt_id, job, tmp_path / "out" / job.target_id)
        backend.close()
        assert backend.lookup(ids[1]) is JobState.CANCELLED
        # The second job never reached the server.
        assert not any(p == ids[1] for p in standin.posted)


def test_a_full_produce_renders_keyframes_clips_and_the_film(
    film: Path, server: ComfyStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = backend_for(film, server.url, monkeypatch=monkeypatch)
    production = Production(Project.open(film), backend)
    outcomes = produce_all(production)
    assert all(not o.failed and not o.gate for o in outcomes), outcomes
    assembled = production.assemble()
    assert assembled.final is not None
    film_file = film / assembled.final["path"]
    assert decoded_frames(film_file) == assembled.final["frames"] == 144
    shots = sorted(production.records)
    assert shots == ["shot_01", "shot_02"]
    for shot_id in shots:
        record = production.records[shot_id]
        clip = film / record.path
        assert decoded_frames(clip) == 72
        info = probe(clip)
        assert (info.width, info.height, info.fps) == (128, 72, Fraction(24))
        folder = film / production.tasks[shot_id].planned.folder
        assert record.start_keyframe and record.end_keyframe
        assert Image.open(folder / record.start_keyframe).size == (128, 72)
        assert Image.open(folder / record.end_keyframe).size == (128, 72)
        assert record.backend == "comfyui" and record.model_id == "wan22_14b"
    # Producing again renders nothing.
    again = Production(Project.open(film), backend_for(film, server.url, monkeypatch=monkeypatch))
    assert again.to_render() == []
    if isinstance(server, ComfyStandIn):
        # A keyframe and a clip per shot, each posted once.
        assert len(server.posted) == 4 == len(set(server.posted))


@needs_standin
def test_node_errors_fail_the_shot_with_the_nodes_message(
    film: Path, server: ComfyStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = backend_for(film, server.url, monkeypatch=monkeypatch)
    checked = backend.preflight

    def preflight_then_lose_a_model(jobs: Any) -> None:
        # Someone removes a model file after the check: the server's own validation answers.
        checked(jobs)
        server.models["diffusion_models"].discard("wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors")

    monkeypatch.setattr(backend, "preflight", preflight_then_lose_a_model)
    production = Production(Project.open(film), backend)
    outcome = produce_all(production)[0]
    assert [f["shot_id"] for f in outcome.failed] == ["shot_01", "shot_02"]
    error = outcome.failed[0]["error"]
    assert "node 2 (UNETLoader): Value not in list" in error
    assert "wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors" in error
    assert not list((film / "03_videos").glob("*.mp4"))
    assert len(server.posted) == 2  # the two keyframes; no clip was accepted


@needs_standin
def test_an_execution_error_mid_run_fails_the_shot(
    film: Path, server: ComfyStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.fail_class = "KSamplerAdvanced"  # the clip's sampler: the keyframes succeed
    production = Production(
        Project.open(film), backend_for(film, server.url, monkeypatch=monkeypatch)
    )
    outcome = produce_all(production)[0]
    assert len(outcome.failed) == 2
    assert "KSamplerAdvanced" in outcome.failed[0]["error"]
    assert "out of memory" in outcome.failed[0]["error"]
    # The next run after the fault is fixed renders them, without re-posting the keyframes.
    server.fail_class = None
    posted = list(server.posted)
    production = Production(
        Project.open(film), backend_for(film, server.url, monkeypatch=monkeypatch)
    )
    outcome = produce_all(production)[0]
    assert not outcome.failed
    new = server.posted[len(posted) :]
    assert len(new) == 2 and not set(new) & set(posted)  # two fresh clip ids, no keyframe


@needs_standin
def test_a_restart_that_loses_the_queue_reposts_the_lost_job_once(
    film: Path, server: ComfyStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.step_delay = 0.03
    production = Production(
        Project.open(film), backend_for(film, server.url, monkeypatch=monkeypatch)
    )
    restarted = threading.Event()

    def restart_when_a_clip_runs() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            running = server.running
            if running and any(n["class_type"] == "SaveVideo" for n in running["prompt"].values()):
                server.restart()
                restarted.set()
                return
            time.sleep(0.01)

    watcher = threading.Thread(target=restart_when_a_clip_runs)
    watcher.start()
    outcome = produce_all(production)[0]
    watcher.join()
    assert restarted.is_set()
    assert not outcome.failed and not outcome.gate, outcome
    lost = [p for p in set(server.posted) if server.posted.count(p) > 1]
    assert len(lost) == 1  # the clip that was running, posted again after the server forgot it
    assert len(server.posted) == 5


@needs_standin
def test_a_dropped_websocket_does_not_stop_the_render(
    film: Path, server: ComfyStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.step_delay = 0.02
    production = Production(
        Project.open(film), backend_for(film, server.url, monkeypatch=monkeypatch)
    )
    stop = threading.Event()

    def drop_sockets_now_and_then() -> None:
        while not stop.wait(0.3):
            server.drop_sockets()

    dropper = threading.Thread(target=drop_sockets_now_and_then)
    dropper.start()
    try:
        outcome = produce_all(production)[0]
    finally:
        stop.set()
        dropper.join()
    assert not outcome.failed and not outcome.gate
    assert len(server.posted) == 4 == len(set(server.posted))


@needs_standin
def test_missing_nodes_and_models_are_refused_before_any_submission(
    film: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = shipped_models()
    models["diffusion_models"] = [m for m in models["diffusion_models"] if "low_noise" not in m]
    with ComfyStandIn(tmp_path / "bare", models, missing_classes=["WanImageToVideo"]) as bare:
        production = Production(
            Project.open(film), backend_for(film, bare.url, monkeypatch=monkeypatch)
        )
        with pytest.raises(BackendError) as caught:
            production.preflight()
        message = str(caught.value)
        assert "WanImageToVideo" in message
        assert "wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors" in message
        assert "\n" not in message
        with pytest.raises(BackendError):
            produce_all(production)
        assert bare.posted == []


def test_a_server_that_answers_nothing_is_one_clear_error(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    production = Production(
        Project.open(film), backend_for(film, "http://127.0.0.1:9", monkeypatch=monkeypatch)
    )
    with pytest.raises(BackendError, match=r"no ComfyUI server answers at http://127\.0\.0\.1:9"):
        production.preflight()


def _job(target: str, width: int = 64, height: int = 48) -> RenderJob:
    return RenderJob(
        target_id=target,
        generation_hash=f"hash-{target}",
        kind="video",
        prompt=f"{target} waves",
        model_id="wan22_14b",
        width=width,
        height=height,
        frame_count=12,
        native_fps=Fraction(24),
        extras={"image_prompt": f"{target} keyframe"},
    )


@needs_standin
def test_two_servers_share_the_jobs_and_one_dying_gives_its_jobs_to_the_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        ComfyStandIn(tmp_path / "a", shipped_models(), step_delay=0.02) as first,
        ComfyStandIn(tmp_path / "b", shipped_models(), step_delay=0.02) as second,
    ):
        monkeypatch.setenv("STORYCORE_COMFYUI_URL", f"{first.url},{second.url}")
        config = load_config().model_copy(update={"poll_interval_s": 0.05, "retries": 2})
        backend = ComfyUIBackend(config, ModelRegistry.load(), work_dir=tmp_path / "work")
        jobs = [_job(f"shot_{i:02d}") for i in range(1, 5)]
        backend.preflight(jobs)
        messages: list[str] = []
        ids = [backend.submit(job, job.job_id) for job in jobs]
        assert all(backend.lookup(i) in (JobState.SUBMITTED, JobState.RUNNING) for i in ids)

        def kill_second_when_busy() -> None:
            # Once the second server has reported progress on a job: it worked, and dies busy.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (
                second.running and any(second.url in m for m in list(messages))
            ):
                time.sleep(0.01)
            second.stop()

        killer = threading.Thread(target=kill_second_when_busy)
        killer.start()
        results: dict[str, Any] = {}

        def wait(job: RenderJob, prompt_id: str) -> None:
            try:
                results[job.target_id] = backend.wait(
                    prompt_id,
                    job,
                    tmp_path / "out" / job.target_id,
                    on_progress=lambda f, m: messages.append(m),
                )
            except BackendError as exc:  # pragma: no cover - reported by the assert below
                results[job.target_id] = exc

        waiters = [
            threading.Thread(target=wait, args=(j, i)) for j, i in zip(jobs, ids, strict=True)
        ]
        for thread in waiters:
            thread.start()
        for thread in waiters:
            thread.join(120)
        killer.join()
        backend.close()
        assert all(isinstance(r, list) for r in results.values()), results
        for outputs in results.values():
            clip = next(o.path for o in outputs if o.kind == "video")
            assert decoded_frames(clip) == 9  # 12 frames at 24 fps = 8 at 16 -> 4k+1 = 9
            assert (probe(clip).width, probe(clip).height) == (64, 48)
        # Both servers worked, the second's unfinished job went to the first.
        assert second.posted and first.posted
        assert any(second.url in m for m in messages) and any(first.url in m for m in messages)
        assert any("queued again" in m for m in messages)
        on_first = set(first.posted)
        assert set(ids) <= on_first | set(second.history)


@needs_standin
@pytest.mark.slow
def test_kill_9_of_storycore_produce_then_resume_with_no_second_submission(
    film: Path, server: ComfyStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.step_delay = 0.05
    write_fast_config(film)
    env = {**os.environ, "STORYCORE_COMFYUI_URL": server.url}
    command = [storycore_executable(), "produce", str(film), "--backend", "comfyui", "--yes"]
    child = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        # Kill it while the first clip renders (its keyframe is done, the clip is posted).
        while time.monotonic() < deadline and len(server.posted) < 2:
            assert child.poll() is None, child.communicate()
            time.sleep(0.02)
        assert len(server.posted) >= 2
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    first_run = list(server.posted)
    resumed = subprocess.run(
        [*command, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert json.loads(resumed.stdout)["final"]["frames"] == 144
    assert len(server.posted) == len(set(server.posted)) == 4, (first_run, server.posted)
    final = Production(Project.open(film), "animatic").film_path()
    assert decoded_frames(film / final) == 144


@needs_standin
def test_references_first_then_keyframes_that_use_them(
    film: Path, server: ComfyStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storycore.tools.regeneration import stale_shots

    write_fast_config(film)
    with (film / "comfyui.yaml").open("a", encoding="utf-8") as handle:
        handle.write("keyframe_template: flux1_kontext_ref\n")
    env = {**os.environ, "STORYCORE_COMFYUI_URL": server.url}
    before = Production(Project.open(film), "animatic").tasks
    hashes = {k: t.job.generation_hash for k, t in before.items()}
    # Without --yes and no terminal: rendered, shown, nothing recorded.
    refused = subprocess.run(
        [storycore_executable(), "comfyui", "references", str(film)],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert refused.returncode == 2 and "nothing was recorded" in refused.stderr
    element = film / "01_elements" / "01_Mara"
    assert not (element / "references").exists()
    done = subprocess.run(
        [storycore_executable(), "comfyui", "references", str(film), "--yes"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    refs = sorted(p.name for p in (element / "references").iterdir())
    assert refs == ["Char_Mara_Front.png", "Char_Mara_Three_Quarter.png"]
    assert "char_mara is at version" in done.stdout
    # Exactly the shots showing Mara changed their generation hash.
    after = Production(Project.open(film), "animatic").tasks
    changed = [k for k, t in after.items() if t.job.generation_hash != hashes[k]]
    assert changed == ["shot_01"]
    assert "shot_01" in stale_shots(Project.open(film))
    # The keyframe of shot_01 is rendered with Mara's references; shot_02 shows no element.
    refs_posted = len(server.posted)
    monkeypatch.setenv("STORYCORE_COMFYUI_URL", server.url)
    production = Production(Project.open(film), ComfyUIBackend.from_environment(film))
    outcome = produce_all(production)[0]
    assert not outcome.failed and not outcome.gate
    keyframes = [
        server.history[p]["prompt"][2]
        for p in server.posted[refs_posted:]
        if any(
            n["class_type"] == "ReferenceLatent" for n in server.history[p]["prompt"][2].values()
        )
    ]
    assert len(keyframes) == 2
    with_refs = [
        [n["inputs"]["image"] for n in k.values() if n["class_type"] == "LoadImage"]
        for k in keyframes
    ]
    assert sorted(len(images) for images in with_refs) == [0, 1]
    assert all(name.startswith("storycore_") for images in with_refs for name in images)


def test_storycore_produce_with_the_comfyui_backend(film: Path, server: Any) -> None:
    write_fast_config(film)
    env = {**os.environ, "STORYCORE_COMFYUI_URL": server.url}
    done = subprocess.run(
        [storycore_executable(), "produce", str(film), "--backend", "comfyui", "--yes", "--json"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["rendered"] == ["shot_01", "shot_02"] and not result["failed"]
    assert decoded_frames(film / result["final"]["path"]) == result["final"]["frames"] == 144


@needs_standin
def test_a_produce_on_two_servers_keeps_both_busy(
    film: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        ComfyStandIn(tmp_path / "a", shipped_models(), step_delay=0.02) as first,
        ComfyStandIn(tmp_path / "b", shipped_models(), step_delay=0.02) as second,
    ):
        backend = backend_for(film, first.url, second.url, monkeypatch=monkeypatch)
        production = Production(Project.open(film), backend)
        outcome = produce_all(production)[0]
        assert not outcome.failed and not outcome.gate
        # The producer waits for one shot at a time; the backend queued the other shot at once,
        # so each server rendered one shot (its keyframe and clip), nothing twice.
        assert len(first.posted) == len(second.posted) == 2
        assert not set(first.posted) & set(second.posted)
        assert production.assemble().final is not None
