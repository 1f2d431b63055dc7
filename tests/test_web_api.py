"""The web studio's JSON API and its safety rules (Starlette's TestClient, and a real uvicorn
server on 127.0.0.1 for the event stream): the same Session, graph and confirmations as the
chat; nothing changes the project before a human approves; files confined to the project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from storycore.agent.context import Context
from storycore.agent.web.app import MAX_BODY_BYTES, create_app
from storycore.agent.web.labels import EN, FR
from storycore.tools.project import Project
from storycore.tools.structure import load_shots, read_shot

from .conftest import snapshot, storycore_executable
from .fake_chat import EXAMPLES, FakeChat, tool_calls

OFFLINE = Context.from_env(offline=True)
CLOSE_UP = "make shot 4 a close-up"
BASE = "http://127.0.0.1"


def plan_example(name: str, root: Path) -> Path:
    from storycore.tools.planner import plan_project

    source = EXAMPLES / name
    plan_project(source.read_text(encoding="utf-8"), root, source_name=source.name)
    return root


@pytest.fixture(scope="module")
def ad_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("ad")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYCORE_CONFIG_DIR", str(base / "config"))
        yield plan_example("ad_brief.md", base / "ad")


@pytest.fixture
def ad(ad_template: Path, tmp_path: Path) -> Path:
    """The example ad planned offline (shot 4 is a wide shot), a copy of this test's own."""
    return Path(shutil.copytree(ad_template, tmp_path / "ad"))


@pytest.fixture
def client(ad: Path) -> Iterator[TestClient]:
    with TestClient(create_app(ad, context=OFFLINE), base_url=BASE) as c:
        yield c


def shot_size(root: Path, shot_id: str) -> str:
    return read_shot(Project.open(root), shot_id).shot_size.value


def ask(client: TestClient, text: str, thread: str = "main") -> dict[str, Any]:
    response = client.post(f"/api/threads/{thread}/messages?wait=1", json={"text": text})
    assert response.status_code == 200, response.text
    return response.json()


# -- reading the project ---------------------------------------------------------------------


def test_the_project_shots_timeline_and_elements_come_from_the_project_on_disk(
    client: TestClient, ad: Path
) -> None:
    project = Project.open(ad)
    shots = load_shots(project)

    head = client.get("/api/project").json()
    assert head["exists"] and head["planned"] and head["title"] == project.manifest.title
    assert head["offline"] is True and head["language"] == "en" and head["labels"] == EN
    assert head["total"] == "00:00:30:00" and head["counts"]["shots"] == len(shots)

    board = client.get("/api/shots").json()
    listed = [s for seg in board["segments"] for s in seg["shots"]]
    assert [s["shot_id"] for s in listed] == [s.shot_id for s in shots]
    third = listed[3]  # shot_04, a wide shot
    assert third["shot_size"] == "WS" and third["model_reason"] and third["segment_id"]
    for key in ("scene", "start", "end", "camera_angle", "camera_movement", "lens_mm", "cast"):
        assert key in third
    panel = client.get(third["panel_url"])
    assert panel.status_code == 200 and panel.content.startswith(b"\x89PNG")
    assert client.get("/api/shots/shot_04").json()["shot_id"] == "shot_04"
    assert client.get("/api/shots/shot_99").status_code == 404

    timeline = client.get("/api/timeline").json()
    assert timeline["total"] == "00:00:30:00" and timeline["total_frames"] == 720
    assert timeline["ruler"][0]["smpte"] == "00:00:00:00"
    assert timeline["ruler"][-1] == {"frame": 720, "smpte": "00:00:30:00", "left": 100.0}
    strip = [s for seg in timeline["segments"] for s in seg["shots"]]
    assert sum(s["width"] for s in strip) == pytest.approx(100.0, abs=0.01)
    assert strip[2]["left"] == pytest.approx(100 * shots[2].start_frame / 720, abs=0.001)

    elements = client.get("/api/elements").json()["elements"]
    assert {e["element_id"] for e in elements} == {e.element_id for e in project.manifest.elements}
    gaby = next(e for e in elements if e["name"] == "GaBy")
    assert gaby["shots"] and gaby["versions"][0]["version"] == 1 and gaby["description"]
    assert client.get(gaby["image_url"]).status_code == 200


def test_a_french_project_gets_french_labels(tmp_path: Path) -> None:
    root = plan_example("french_prose_brief.md", tmp_path / "fr")
    with TestClient(create_app(root, context=OFFLINE), base_url=BASE) as c:
        head = c.get("/api/project").json()
    assert head["language"] == "fr" and head["labels"] == FR
    assert head["labels"]["tab_elements"] == "Éléments"


def test_an_empty_folder_is_served_and_says_there_is_no_plan(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "new", context=OFFLINE), base_url=BASE) as c:
        head = c.get("/api/project").json()
        assert head["exists"] is False
        assert c.get("/api/shots").json()["segments"] == []
        assert c.get("/api/threads/main").json()["pending"] is None


# -- changes need the confirmation ----------------------------------------------------------


def test_a_change_waits_for_approval_then_applies_and_undoes(client: TestClient, ad: Path) -> None:
    before = snapshot(ad)

    turn = ask(client, CLOSE_UP)

    assert turn["interrupt"]["kind"] == "confirm_changes" and turn["error"] is None
    assert snapshot(ad) == before  # nothing written before the human answers
    state = client.get("/api/threads/main").json()
    assert state["pending_kind"] == "changes"
    assert state["regenerate"]["shots"] == ["shot_04"]
    assert state["edit_form"]["mode"] == "modifications"
    assert state["edit_form"]["modifications"] == [
        {"kind": "set_shot_field", "shot_id": "shot_04", "field": "shot_size", "value": "CU"}
    ]

    done = client.post("/api/threads/main/decision?wait=1", json={"action": "approve"}).json()

    assert done["interrupt"] is None and done["error"] is None
    assert shot_size(ad, "shot_04") == "CU"
    assert client.get("/api/shots/shot_04").json()["shot_size"] == "CU"
    assert client.get("/api/threads/main").json()["pending"] is None

    undone = client.post("/api/undo", json={})
    assert undone.status_code == 200 and undone.json()["text"].startswith("undone")
    assert shot_size(ad, "shot_04") == "WS"


def test_reject_leaves_the_project_exactly_as_it_was(client: TestClient, ad: Path) -> None:
    before = snapshot(ad)
    ask(client, CLOSE_UP)

    done = client.post("/api/threads/main/decision?wait=1", json={"action": "reject"}).json()

    assert done["interrupt"] is None
    assert snapshot(ad) == before
    assert "Nothing was changed." in [
        m["text"] for m in client.get("/api/threads/main").json()["messages"]
    ]


def test_an_edit_is_checked_before_it_is_sent_and_a_bad_one_changes_nothing(
    client: TestClient, ad: Path
) -> None:
    ask(client, CLOSE_UP)
    pending = client.get("/api/threads/main").json()["pending"]
    bad = {
        "modifications": [
            {"kind": "set_shot_field", "shot_id": "shot_99", "field": "shot_size", "value": "CU"}
        ]
    }

    checked = client.post("/api/threads/main/check-edit", json={"edits": bad})
    refused = client.post("/api/threads/main/decision", json={"action": "edit", "edits": bad})
    wrong_field = client.post("/api/threads/main/check-edit", json={"edits": {"fps": "25"}})

    assert checked.status_code == 400 and "shot_99" in checked.json()["error"]
    assert refused.status_code == 400
    assert wrong_field.status_code == 400 and "modifications" in wrong_field.json()["error"]
    assert client.get("/api/threads/main").json()["pending"] == pending  # still answerable
    good = {
        "modifications": [
            {"kind": "set_shot_field", "shot_id": "shot_04", "field": "shot_size", "value": "ECU"}
        ]
    }
    preview = client.post("/api/threads/main/check-edit", json={"edits": good}).json()
    assert preview["ok"] and preview["regenerate_shots"] == ["shot_04"]

    revised = client.post(
        "/api/threads/main/decision?wait=1", json={"action": "edit", "edits": good}
    ).json()
    assert revised["interrupt"]["kind"] == "confirm_changes"  # the edited change, to approve
    assert shot_size(ad, "shot_04") == "WS"
    client.post("/api/threads/main/decision?wait=1", json={"action": "approve"})
    assert shot_size(ad, "shot_04") == "ECU"


def test_feedback_at_a_confirmation_revises_the_change(client: TestClient, ad: Path) -> None:
    ask(client, CLOSE_UP)

    empty = client.post("/api/threads/main/decision", json={"action": "feedback", "text": " "})
    revised = client.post(
        "/api/threads/main/decision?wait=1",
        json={"action": "feedback", "text": "make shot 4 an extreme close-up"},
    ).json()

    assert empty.status_code == 400
    assert "ECU" in json.dumps(revised["interrupt"]["data"])
    assert shot_size(ad, "shot_04") == "WS"


def test_answers_are_refused_when_nothing_waits_and_threads_must_exist(
    client: TestClient,
) -> None:
    nothing = client.post("/api/threads/main/decision", json={"action": "approve"})
    unknown = client.get("/api/threads/nope")
    unknown_post = client.post("/api/threads/nope/messages", json={"text": "hi"})
    empty = client.post("/api/threads/main/messages", json={"text": "   "})

    assert nothing.status_code == 400 and "not waiting" in nothing.json()["error"]
    assert unknown.status_code == 404 and unknown_post.status_code == 404
    assert empty.status_code == 400


def test_threads_are_listed_created_and_kept_apart(client: TestClient) -> None:
    ask(client, CLOSE_UP)
    created = client.post("/api/threads", json={})
    assert created.status_code == 201
    new = created.json()["thread"]

    assert new != "main" and new in client.get("/api/threads").json()["threads"]
    assert client.get(f"/api/threads/{new}").json()["pending"] is None
    assert client.get("/api/threads/main").json()["pending"] is not None
    assert client.post("/api/threads", json={"thread_id": "main"}).status_code == 400


def test_a_second_turn_while_one_runs_is_refused_not_interleaved(
    client: TestClient, ad: Path
) -> None:
    studio = client.app.state.studio  # type: ignore[attr-defined]
    _session, _turn = studio.begin("main")  # a turn in progress (another tab)
    try:
        busy = client.post("/api/threads/main/messages", json={"text": CLOSE_UP})
        undo = client.post("/api/undo", json={})
    finally:
        studio._turn_lock.release()
        studio._running = None
    assert busy.status_code == 409 and "busy" in busy.json()["error"]
    assert undo.status_code == 409
    assert ask(client, CLOSE_UP)["interrupt"] is not None


# -- safety ----------------------------------------------------------------------------------


def test_only_files_inside_the_project_are_served(
    client: TestClient, ad: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("outside", encoding="utf-8")
    (ad / "exports" / "escape.txt").symlink_to(secret)
    (ad / "exports" / "inside.json").symlink_to(ad / "project.json")

    assert client.get("/files/project.json").status_code == 200
    assert client.get("/files/exports/inside.json").status_code == 200
    for path in (
        "/files/exports/escape.txt",  # a symbolic link that leaves the folder
        "/files/../secret.txt",
        "/files/%2e%2e/secret.txt",
        "/files/02_shots",  # a folder: no listing
        "/files/",
        "/files/.storycore/sessions.json",  # the conversations
        "/files/.storycore/checkpoints.sqlite",
        f"/files/{secret}",
        "/files/nothing.png",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"outside" not in response.content


def test_requests_for_another_host_or_from_another_site_are_refused(ad: Path) -> None:
    app = create_app(ad, context=OFFLINE)
    with TestClient(app, base_url="http://evil.example") as foreign:
        assert foreign.get("/api/project").status_code == 421
    with TestClient(app, base_url=BASE) as c:
        cross = c.post(
            "/api/threads/main/messages",
            json={"text": CLOSE_UP},
            headers={"Origin": "http://evil.example"},
        )
        form = c.post(
            "/api/threads/main/messages",
            content=b"text=make+shot+3+a+close-up",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert cross.status_code == 403 and form.status_code == 415
        assert c.get("/api/threads/main").json()["pending"] is None


def test_bodies_are_size_limited(client: TestClient) -> None:
    big = client.post("/api/threads/main/messages", json={"text": "x" * (MAX_BODY_BYTES + 10)})
    assert big.status_code == 413


def test_a_token_is_needed_on_every_request_when_one_is_set(ad: Path) -> None:
    app = create_app(ad, context=OFFLINE, token="s3cret-token", allowed_hosts=None)
    with TestClient(app, base_url="http://studio.lan") as c:
        assert c.get("/api/project").status_code == 401
        assert c.get("/files/project.json").status_code == 401
        assert c.get("/").status_code == 401
        assert c.get("/api/project", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = c.get("/api/project", headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200
        page = c.get("/?token=s3cret-token")  # the printed URL: sets the cookie
        assert page.status_code == 200 and "storycore_token" in page.headers["set-cookie"]
        assert c.get("/api/shots").status_code == 200  # the cookie now


def test_the_page_and_its_assets_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<textarea id="message" aria-label="Message"' in page.text
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/").status_code == 404  # no listing


# -- the event stream, on a real server ------------------------------------------------------


class LiveServer:
    """uvicorn serving ``app`` on 127.0.0.1 in a thread of the test process."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def read_events(url: str, until: Any, out: list[tuple[str, dict[str, Any]]]) -> None:
    with httpx.Client(timeout=30) as http, http.stream("GET", f"{url}/api/events") as stream:
        kind = None
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind:
                out.append((kind, json.loads(line[6:])))
                if until(kind, out[-1][1]):
                    return


def listen(url: str, until: Any) -> tuple[threading.Thread, list[tuple[str, dict[str, Any]]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    worker = threading.Thread(target=read_events, args=(url, until, events), daemon=True)
    worker.start()
    return worker, events


def finished(kind: str, data: dict[str, Any]) -> bool:
    return kind == "turn" and data.get("state") in ("finished", "failed")


def wait_for_subscribers(app: Any, count: int) -> None:
    deadline = time.monotonic() + 10
    while app.state.studio.hub.subscribers < count:
        assert time.monotonic() < deadline, "the event streams did not connect"
        time.sleep(0.02)


def test_two_tabs_both_see_a_turn_as_it_happens(ad: Path) -> None:
    app = create_app(ad, context=OFFLINE)
    with LiveServer(app) as url:
        first, seen_a = listen(url, finished)
        second, seen_b = listen(url, finished)
        wait_for_subscribers(app, 2)

        started = httpx.post(f"{url}/api/threads/main/messages", json={"text": CLOSE_UP})
        assert started.status_code == 202

        first.join(30)
        second.join(30)
    kinds = [k for k, _ in seen_a]
    assert kinds[0] == "hello"
    assert ("node", "converse") in [(k, d.get("node")) for k, d in seen_a]
    assert "confirmation" in kinds and kinds[-1] == "turn"
    confirmation = next(d for k, d in seen_a if k == "confirmation")
    assert confirmation["payload"]["kind"] == "confirm_changes"
    assert [k for k, _ in seen_b] == kinds  # the other tab saw the same turn


def test_answers_stream_token_by_token_and_tool_calls_show_live(ad: Path) -> None:
    model = FakeChat().add(
        tool_calls(("get_shot", {"shot_id": "shot_04"}), text="Let me look at shot 4."),
        "Shot 4 is a wide shot of the corridor, for about four seconds.",
    )
    app = create_app(ad, context=OFFLINE, chat_model=model)
    with LiveServer(app) as url:
        worker, events = listen(url, finished)
        wait_for_subscribers(app, 1)
        httpx.post(f"{url}/api/threads/main/messages", json={"text": "What is shot 4?"})
        worker.join(30)
        usage = httpx.get(f"{url}/api/threads/main").json()["usage"]

    tokens = [d["text"] for k, d in events if k == "token"]
    assert len(tokens) > 3
    assert (
        "".join(tokens)
        == "Let me look at shot 4.Shot 4 is a wide shot of the corridor, for about four seconds."
    )
    tools = [(d["status"], d["name"]) for k, d in events if k == "tool"]
    assert tools == [("called", "get_shot"), ("result", "get_shot")]
    assert usage["calls"] and usage["total"]["calls"] == 2


def test_a_change_made_elsewhere_reaches_the_page(ad: Path) -> None:
    app = create_app(ad, context=OFFLINE)
    with LiveServer(app) as url:
        worker, events = listen(url, lambda kind, data: kind == "project")
        wait_for_subscribers(app, 1)
        code = subprocess.run(
            [storycore_executable(), "feedback", str(ad), CLOSE_UP, "--offline", "--yes"],
            capture_output=True,
            env={**os.environ},
        ).returncode
        worker.join(30)
    assert code == 0
    assert events[-1][0] == "project" and events[-1][1]["reason"] == "disk"


# -- the command ---------------------------------------------------------------------------


@pytest.mark.slow
def test_storycore_serve_prints_its_url_and_serves_the_project(ad: Path) -> None:
    process = subprocess.Popen(
        [storycore_executable(), "serve", str(ad), "--port", "0", "--offline"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        head = httpx.get(f"{url}api/project", timeout=10).json()
        assert head["title"] and head["offline"] is True
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_storycore_serve_with_a_token_refuses_requests_without_it(ad: Path) -> None:
    process = subprocess.Popen(
        [
            storycore_executable(),
            "serve",
            str(ad),
            "--port",
            "0",
            "--offline",
            "--token",
            "a-long-token",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.endswith("/?token=a-long-token")
        base = url.split("?")[0]
        assert httpx.get(f"{base}api/project", timeout=10).status_code == 401
        assert httpx.get(url, timeout=10).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_storycore_serve_refuses_bad_arguments_with_one_line(tmp_path: Path) -> None:
    from storycore.agent.cli.main import main

    file = tmp_path / "a_file"
    file.write_text("x", encoding="utf-8")
    assert main(["serve", str(file), "--offline"]) == 2
    assert main(["serve", str(tmp_path), "--port", "70000"]) == 2
    assert main(["serve", str(tmp_path), "--token", "short"]) == 2


def test_a_host_other_than_loopback_gets_a_generated_token() -> None:
    from storycore.agent.cli.commands_serve import token_for

    assert token_for("127.0.0.1", None) is None
    assert token_for("::1", None) is None
    assert token_for("127.0.0.1", "given-token") == "given-token"
    generated = token_for("0.0.0.0", None)
    assert generated is not None and len(generated) >= 24
    assert token_for("0.0.0.0", None) != generated
