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


def test_the_turn_after_a_change_validates_no_manifest(film: Path, reads: list[str]) -> None:
    """The manifest a change committed is the next turn's: project.json is not validated
    again after each change (about 5 ms at 500 shots), and the next change starts from it."""
    versions = []
    with Session(film, context=OFFLINE) as session:
        session.say("hello")
        for size in ("extreme wide shot", "extreme close-up"):
            turn = session.say(f"make shot 3 an {size}")
            assert turn.interrupt is not None, turn.messages
            reads.clear()
            session.say("y")
            session.say("hello")
            assert "project.json" not in reads
            ref = next(s for s in open_project(film).manifest.shots if s.shot_id == "shot_03")
            versions.append(ref.version)
    fresh = Project(film)  # read and validated from the file
    ref = next(s for s in fresh.manifest.shots if s.shot_id == "shot_03")
    assert versions[1] == versions[0] + 1 == ref.version  # each change started from the last
    shot = json.loads((film / SHOTS / ref.folder / SHOT_FILE).read_text(encoding="utf-8"))
    assert shot["shot_size"] == "ECU"


def test_the_committed_manifest_is_the_file_and_a_hand_edit_is_read_again(film: Path) -> None:
    forget_manifests()
    project = open_project(film)
    with project.transaction("retitle") as tx:
        tx.manifest.title = "Retitled"
    again = open_project(film)
    assert again.manifest.title == "Retitled"
    assert again.manifest is project.manifest  # the committed one, not validated again
    on_disk = Project(film).manifest  # a fresh object reads and validates the file
    assert on_disk.model_dump() == again.manifest.model_dump()
    path = film / "project.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["title"] = "Edited By Hand"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    assert open_project(film).manifest.title == "Edited By Hand"


def test_a_change_rolled_back_after_changing_shared_entries_shares_nothing(film: Path) -> None:
    """A transaction that changed an entry of the manifest it began from in place and then
    failed leaves that shared manifest changed: it is never handed out again."""
    forget_manifests()
    project = open_project(film)
    before = project.manifest.shots[0].folder
    with pytest.raises(RuntimeError), project.transaction("fails") as tx:
        tx.manifest.shots[0].__dict__["folder"] = "99_Changed_In_Place"
        raise RuntimeError("boom")
    again = open_project(film)
    assert again.manifest.shots[0].folder == before


def test_is_project_follows_the_file(film: Path) -> None:
    assert Project.is_project(film)
    path = film / "project.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["generator"] = "someone-else"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert not Project.is_project(film)
    data["generator"] = "storycore-assistant"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert Project.is_project(film)


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


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a change is planned (plan_changes), wherever it is called from."""
    import storycore.tools.regeneration as regeneration
    import storycore.tools.regeneration.apply as apply_module

    calls: list[int] = []
    original = regeneration.plan_changes

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(regeneration, "plan_changes", counted)
    monkeypatch.setattr("storycore.tools.regeneration.simulator.plan_changes", counted)
    assert apply_module  # apply_changes plans again through the simulator module
    return calls


def _sizes(film: Path) -> dict[str, str]:
    from storycore.tools.structure import load_shots

    return {s.shot_id: s.shot_size.value for s in load_shots(Project.open(film))}


def test_an_approved_change_is_planned_once(film: Path, planned: list[int]) -> None:
    with Session(film, context=OFFLINE) as session:
        asked = session.say("make shot 3 a wide shot")
        assert asked.interrupt is not None
        assert len(planned) == 1
        done = session.resume("approve")
    assert done.interrupt is None
    assert len(planned) == 1  # the proposal's own plan was applied
    assert _sizes(film)["shot_03"] == "WS"


def test_a_change_approved_after_another_change_is_planned_again(film: Path) -> None:
    """Another change lands between the proposal and its approval: the approved change is
    planned again on the project as it is, and both changes are kept."""
    from storycore.tools.feedback import parse_feedback
    from storycore.tools.regeneration import apply_changes, plan_changes

    with Session(film, context=OFFLINE) as session:
        assert session.say("make shot 3 a wide shot").interrupt is not None
        other = Project.open(film)
        apply_changes(
            other,
            plan_changes(other, parse_feedback("make shot 5 a close-up", other).modifications),
        )
        assert session.resume("approve").interrupt is None
    sizes = _sizes(film)
    assert sizes["shot_03"] == "WS" and sizes["shot_05"] == "CU"


def test_a_change_overtaken_on_disk_is_applied_as_planned_now(film: Path) -> None:
    """The shot the proposal retimes is retimed on disk before the approval, so the kept
    plan would now do something else: the approval plans the change again on the project as
    it is now and says what that did (as it did before plans were kept)."""
    from storycore.tools.feedback import parse_feedback
    from storycore.tools.regeneration import apply_changes, plan_changes
    from storycore.tools.structure import load_shots

    def frames() -> int:
        shots = {s.shot_id: s for s in load_shots(Project.open(film))}
        return shots["shot_03"].duration_frames

    before = frames()
    rate = Project.open(film).manifest.technical_specs.rate
    with Session(film, context=OFFLINE) as session:
        assert session.say("make shot 3 two seconds longer").interrupt is not None
        other = Project.open(film)
        change = parse_feedback("make shot 3 two seconds longer", other).modifications
        apply_changes(other, plan_changes(other, change))
        done = session.resume("approve")
    assert done.interrupt is None
    # "two seconds longer" was read as 5 s, which shot 3 already is: nothing more changes.
    assert frames() == before + 2 * rate
    assert done.messages == ["Applied: no change. To regenerate: nothing."]


def test_a_message_reads_the_last_checkpoint_alone_only_when_nothing_waits(film: Path) -> None:
    """Between turns the thread's messages come from its last checkpoint (the state, as
    ``get_state`` gives it); while a question waits the whole state is read, and a message
    answers that question, in this process or in another one."""
    with Session(film, context=OFFLINE) as session:
        assert session._settled_messages() == []  # a new thread
        session.say("hello")
        settled = session._settled_messages()
        assert settled is not None and settled == session.values()["messages"]
        turn = session.say("make shot 3 a wide shot")
        assert turn.interrupt is not None
        assert session._settled_messages() is None  # a question waits
        thread = session.thread_id
    with Session(film, thread_id=thread, context=OFFLINE) as other:
        turn = other.say("y")
        assert turn.interrupt is None
        assert other._settled_messages() == other.values()["messages"]
    project = Project.open(film)
    shot = json.loads((film / SHOTS / project.manifest.shots[2].folder / SHOT_FILE).read_text())
    assert shot["shot_size"] == "WS"
