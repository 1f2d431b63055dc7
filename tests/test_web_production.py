"""The studio's production API: Produce runs the graph's production phases on the project's
``produce`` thread (the Session path of ``storycore produce``, animatic, offline); the shots'
states, the segment review confirmations and the clips, segments and film served as files."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from storycore.agent.context import Context
from storycore.agent.web.app import create_app
from storycore.tools.domain import Phase, Resolution
from storycore.tools.production.records import media_records
from storycore.tools.project import Project

from .conftest import snapshot
from .plan_fixtures import build_planned_project

BASE = "http://127.0.0.1"

pytestmark = pytest.mark.slow


def offline() -> Context:
    """The offline context, read after the test's configuration folder is set (the render's
    generation hash depends on the configured model registry)."""
    return Context.from_env(offline=True)


def tiny_planned(root: Path) -> Path:
    """A planned project with tiny frames (a fast animatic)."""
    project = build_planned_project(root, fps="25")
    with project.transaction("test: planned, tiny frames", undoable=False) as tx:
        specs = tx.manifest.technical_specs
        tx.manifest.technical_specs = specs.model_copy(
            update={"resolution": Resolution(width=64, height=36)}
        )
        tx.manifest.phase = Phase.PLANNED
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return tiny_planned(tmp_path / "p")


@pytest.fixture
def client(project: Path) -> Iterator[TestClient]:
    with TestClient(create_app(project, context=offline()), base_url=BASE) as c:
        yield c


def production(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/production")
    assert response.status_code == 200, response.text
    return dict(response.json())


def states(view: dict[str, Any]) -> dict[str, str]:
    return {s["shot_id"]: s["state"] for seg in view["segments"] for s in seg["shots"]}


def watch_turns(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, Any]]:
    """Every studio turn's (error, the confirmation it stopped on), as they end: a turn that
    fails in the background is otherwise only told to the page's event stream."""
    from storycore.agent.web.studio import Studio

    turns: list[tuple[str | None, Any]] = []
    run = Studio.run

    def watched(self: Studio, *args: Any, **kwargs: Any) -> Any:
        result = run(self, *args, **kwargs)
        asked = result.interrupt or {}
        turns.append(
            (result.error, (asked.get("kind"), (asked.get("data") or {}).get("segment_id")))
        )
        return result

    monkeypatch.setattr(Studio, "run", watched)
    return turns


def test_produce_through_the_studio_reaches_done_and_serves_the_media(
    client: TestClient, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    turns = watch_turns(monkeypatch)
    before = production(client)
    assert before["planned"] and set(states(before).values()) == {"pending"}
    assert before["film_url"] is None and before["pending"] is None

    response = client.post("/api/production", json={"backend": "animatic"})
    assert response.status_code == 202, response.text
    assert response.json()["thread"] == "produce"
    reviewed: list[str] = []
    deadline = time.monotonic() + 120
    while True:
        assert time.monotonic() < deadline, "production did not finish"
        view = production(client)
        if view["running"]:
            time.sleep(0.1)
            continue
        pending = view["pending"]
        if pending is None:
            break
        if view["pending_kind"] == "segment":
            reviewed.append(pending["data"]["segment_id"])
        answer = client.post("/api/threads/produce/decision", json={"action": "approve"})
        assert answer.status_code == 202, answer.text

    manifest = Project.open(project).manifest
    assert len(turns) > len(reviewed) and not [e for e, _ in turns if e], turns  # none failed
    # each segment was reviewed, once
    assert reviewed == [s.segment_id for s in manifest.segments], turns
    assert set(states(view).values()) == {"done"}
    assert set(media_records(Project.open(project))) == {r.shot_id for r in manifest.shots}
    assert view["result"]["final"]["path"] == view["film"]

    urls = [view["film_url"], *(seg["url"] for seg in view["segments"])]
    urls += [s["media_url"] for seg in view["segments"] for s in seg["shots"]]
    for url in urls:
        assert url and url.startswith("/files/")
        whole = client.get(url)
        assert whole.status_code == 200 and whole.content[4:8] == b"ftyp", url
        # a <video> player asks for ranges
        part = client.get(url, headers={"Range": "bytes=0-99"})
        assert part.status_code == 206 and len(part.content) == 100
        assert part.headers["content-range"].startswith("bytes 0-99/")

    # produced again: nothing is stale, nothing is rendered; the segments are asked again
    again = client.post("/api/production?wait=1", json={})
    assert again.status_code == 200 and again.json()["error"] is None


def test_bad_production_requests_are_refused_and_change_nothing(
    client: TestClient, project: Path
) -> None:
    before = snapshot(project)
    for body in (
        {"backend": "comfyui"},
        {"segments": ["seg_99"]},
        {"shots": "shot_01"},
        {"shots": ["no_such_shot"]},
    ):
        response = client.post("/api/production", json=body)
        assert response.status_code in (400, 404), (body, response.text)
        assert response.json()["error"]
    assert snapshot(project) == before


def test_progress_reaches_the_event_stream_with_the_segment_and_counts(project: Path) -> None:
    from .test_web_api import LiveServer, read_events

    events: list[tuple[str, dict[str, Any]]] = []
    with LiveServer(create_app(project, context=offline())) as url:
        import threading

        import httpx

        def stop(kind: str, data: dict[str, Any]) -> bool:
            return kind == "confirmation" and data.get("thread") == "produce"

        reader = threading.Thread(target=read_events, args=(url, stop, events), daemon=True)
        reader.start()
        time.sleep(0.5)
        started = httpx.post(f"{url}/api/production", json={}, timeout=30)
        assert started.status_code == 202, started.text
        reader.join(timeout=120)
    progress = [d for k, d in events if k == "progress" and d.get("thread") == "produce"]
    assert progress and all(d["segment"] == "seg_01" for d in progress)
    assert progress[-1]["done"] == progress[-1]["total"] > 0
    confirmation = [d for k, d in events if k == "confirmation"][-1]
    assert confirmation["payload"]["kind"] == "confirm_segment"
