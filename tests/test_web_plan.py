"""Planning from the page alone: a brief pasted into the studio of an empty folder is planned
confirmation by confirmation, offline, and nothing is written before the brief is approved."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from storycore.agent.context import Context
from storycore.agent.web.app import create_app
from storycore.tools.project import Project
from storycore.tools.validation import run_all

BRIEF = """# Lantern Keepers

A 20 second teaser, 16:9, 24 fps.

## Characters
- Ines: a lighthouse keeper in her sixties, grey braid, navy wool coat.

## Story
Ines climbs the spiral stairs of the lighthouse at dusk. At the top she lights the great lamp.
The beam sweeps across the dark sea.
"""


def test_a_brief_pasted_into_an_empty_folder_is_planned_from_the_page(tmp_path: Path) -> None:
    root = tmp_path / "teaser"
    root.mkdir()
    with TestClient(
        create_app(root, context=Context.from_env(offline=True)), base_url="http://127.0.0.1"
    ) as client:
        first = client.post("/api/threads/main/messages?wait=1", json={"text": BRIEF}).json()
        assert first["interrupt"]["kind"] == "confirm_brief"
        assert dict(map(tuple, first["interrupt"]["rows"]))["title"] == "Lantern Keepers"
        assert not Project.is_project(root)  # nothing is written before the brief is approved

        kinds = []
        answer = first
        while answer["interrupt"] is not None:
            kinds.append(answer["interrupt"]["kind"])
            response = client.post("/api/threads/main/decision?wait=1", json={"action": "approve"})
            assert response.status_code == 200, response.text
            answer = response.json()
            assert len(kinds) < 6, kinds
        assert kinds[0] == "confirm_brief" and kinds[-1] == "confirm_storyboard"
        assert answer["phase"] == "planned"

        project = client.get("/api/project").json()
        assert project["title"] == "Lantern Keepers" and project["total"] == "00:00:20:00"
        shots = client.get("/api/shots").json()
        cards = [shot for segment in shots["segments"] for shot in segment["shots"]]
        assert len(cards) == shots["shots"] > 0
        assert all(card["panel_url"] for card in cards)
        assert any(person["name"] == "Ines" for card in cards for person in card["cast"])
    failures = [f for verdict in run_all(Project.open(root)) for f in verdict.failures]
    assert failures == []
