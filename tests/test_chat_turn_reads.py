"""What a chat turn reads of the project: a message that is no question and no change (the
offline help) reads no shot, the manifest validated once is shared while ``project.json`` is
the same file, and every answer still follows the files on disk when they change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storycore.agent.context import Context
from storycore.agent.projects import forget_manifests, open_project
from storycore.agent.session import Session
from storycore.tools.feedback.questions import answer_question
from storycore.tools.project import Project
from storycore.tools.structure import SHOT_FILE, SHOTS

OFFLINE = Context.from_env(offline=True)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every document a Project validates, by its path in the project."""
    seen: list[str] = []
    original = Project.read_model

    def counted(self: Project, rel: str | Path, model: type[Any]) -> Any:
        seen.append(Path(rel).as_posix())
        return original(self, rel, model)

    monkeypatch.setattr(Project, "read_model", counted)
    return seen


def test_a_turn_that_does_not_touch_the_project_reads_no_shot(film: Path, reads: list[str]) -> None:
    with Session(film, context=OFFLINE) as session:
        session.say("hello")  # the first turn of the process validates the manifest
        reads.clear()
        for _ in range(3):
            turn = session.say("hello")
            assert turn.messages and turn.interrupt is None
    assert not [r for r in reads if r.endswith(SHOT_FILE)]
    assert "project.json" not in reads  # the same file: validated once in the process
    assert "scenes.json" not in reads


def test_a_manifest_changed_on_disk_is_read_again(film: Path) -> None:
    forget_manifests()
    first = open_project(film)
    assert open_project(film).manifest is first.manifest  # shared while unchanged
    path = film / "project.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["title"] = "Edited By Hand"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    again = open_project(film)
    assert again.manifest.title == "Edited By Hand"


def test_a_question_answers_from_a_shot_edited_by_hand(film: Path) -> None:
    project = Project.open(film)
    ref = next(r for r in project.manifest.shots if r.shot_id == "shot_03")
    assert answer_question(project, "what is shot 3?")  # from the index
    path = film / SHOTS / ref.folder / SHOT_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["description"] = "A lighthouse keeper waves hello"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    answer = answer_question(Project.open(film), "what is shot 3?")
    assert answer is not None and "A lighthouse keeper waves hello" in answer
