"""The assistant's graph offline, through :class:`Session` with an in-memory checkpointer.

Planning: every phase in order, small checkpoints, the confirmations (brief, cost,
storyboard) with their payloads and actions, one interrupt per node and nothing done twice
when a node runs again on resume; approve, edit, feedback and reject; gates that fail, are
repaired a bounded number of times, then ask the human (or stop the run under ``--yes``).
Conversation: a change in plain language becomes a proposal that lists exactly what it
regenerates, is applied on approval and undone exactly.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from storycore.agent import conversation
from storycore.agent.context import Context
from storycore.agent.nodes import MAX_REPAIRS, PlanningStopped
from storycore.agent.session import Session, Turn
from storycore.tools import planner, validation
from storycore.tools.domain import Phase
from storycore.tools.errors import InvalidInput
from storycore.tools.planner import summarize
from storycore.tools.project import Project
from storycore.tools.structure import load_shots

from .conftest import snapshot
from .fake_chat import SHORT_FILM, expected_regeneration, shots_showing

OFFLINE = Context.from_env(offline=True)
FILM = SHORT_FILM.read_text(encoding="utf-8")
PHASES = [
    "intake",
    "structure",
    "breakdown",
    "elements",
    "model_selection",
    "segments",
    "storyboard",
    "critic",
    "planned",
]
#: No local model runs in 1 GB of VRAM: the model selection cannot succeed.
NO_MODEL_FITS = """---
title: Too Small A GPU
models:
  local_only: true
  vram_gb: 1
---
A woman walks along the river in the rain. She meets an old friend under a bridge.
"""
LOCAL_BRIEF = """---
title: River Walk
duration: 20s
models:
  local_only: true
---
A woman walks along the river in the rain. She meets an old friend under a bridge.
"""
HAIR = "GaBy's hair should be blonde curly"


class Recorder:
    """An ``on_event`` handler keeping the phases reported and the messages said."""

    def __init__(self) -> None:
        self.phases: list[str] = []
        self.said: list[str] = []

    def __call__(self, kind: str, data: Any) -> None:
        if kind == "progress":
            self.phases.append(data["phase"])
        elif kind == "message":
            self.said.append(str(data.content))


def session(root: Path, **options: Any) -> Session:
    return Session(root, checkpointer=InMemorySaver(), context=OFFLINE, **options)


def answer_all(s: Session, turn: Turn, answer: Any = "approve") -> tuple[Turn, list[str]]:
    """Give the same answer to every confirmation until the run ends; the kinds seen."""
    kinds = []
    while turn.interrupt is not None:
        kinds.append(turn.interrupt["kind"])
        assert len(kinds) < 12, kinds
        turn = s.resume(answer)
    return turn, kinds


def notes(root: Path) -> list[str]:
    """The project's history, oldest first."""
    return [entry.note for entry in reversed(Project.open(root).history())]


# -- planning --------------------------------------------------------------------------------


def test_offline_plan_with_yes_runs_every_phase_in_order_and_ends_planned(tmp_path: Path) -> None:
    events = Recorder()
    s = session(tmp_path / "film", auto_approve=True)

    turn = s.plan(FILM, source_name=SHORT_FILM.name, on_event=events)

    assert turn.interrupt is None
    assert turn.phase == "planned"
    assert events.phases == PHASES
    project = Project.open(tmp_path / "film")
    assert project.manifest.phase is Phase.PLANNED
    assert [v.gate for v in validation.run_all(project) if not v.ok] == []
    ready = [m for m in turn.messages if m.startswith("The plan is ready")]
    assert len(ready) == 1
    assert f"{summarize(project).shots} shots" in ready[0]


def test_checkpoints_hold_ids_and_phase_not_the_project(tmp_path: Path) -> None:
    saver = InMemorySaver()
    s = Session(tmp_path / "film", checkpointer=saver, context=OFFLINE, auto_approve=True)
    s.plan(FILM, source_name=SHORT_FILM.name)

    checkpoints = list(saver.list(s.config))
    assert len(checkpoints) >= len(PHASES)
    state = [saver.serde.dumps_typed(c.checkpoint["channel_values"])[1] for c in checkpoints]
    # A few KiB at every step, whatever the size of the project.
    assert max(len(blob) for blob in state) < 8 * 1024
    final = state[0]  # newest first
    assert len(final) < 4 * 1024
    shots = load_shots(Project.open(tmp_path / "film"))
    for shot in shots:
        assert shot.description.encode() not in final
        assert shot.image_prompt.encode() not in final
    # Once the project holds the brief, the state drops it.
    values = s.values()
    assert values["brief"] is None and values["brief_text"] is None
    assert values["project_dir"] == str((tmp_path / "film").resolve())


def test_interactive_plan_confirms_brief_cost_then_storyboard(tmp_path: Path) -> None:
    root = tmp_path / "film"
    s = session(root)
    turn = s.plan(FILM, source_name=SHORT_FILM.name)
    payloads: dict[str, dict[str, Any]] = {}
    while turn.interrupt is not None:
        payload = turn.interrupt
        assert {"kind", "title", "question", "rows", "actions"} <= set(payload)
        assert payload["title"] and payload["question"].endswith("?")
        assert payload["rows"] and all(len(row) == 2 for row in payload["rows"])
        assert {"approve", "reject"} <= set(payload["actions"])
        assert s.pending() == payload
        assert len(s.graph.get_state(s.config).interrupts) == 1  # one question at a time
        assert payload["kind"] not in payloads
        payloads[payload["kind"]] = payload
        if payload["kind"] == "confirm_brief":
            assert not root.exists()  # nothing is written before the brief is approved
        turn = s.resume("approve")

    # The short film without preferences is planned on paid models: the cost is asked.
    assert list(payloads) == ["confirm_brief", "confirm_cost", "confirm_storyboard"]
    assert turn.phase == "planned"
    brief = payloads["confirm_brief"]
    assert dict(brief["rows"])["title"] == "The Red Umbrella"
    assert brief["actions"] == ["approve", "edit", "feedback", "reject"]
    assert "duration" in brief["edit_fields"]
    project = Project.open(root)
    shots = load_shots(project)
    cost = payloads["confirm_cost"]
    assert cost["actions"] == ["approve", "feedback", "reject"]
    assert cost["data"]["estimated_cost_usd"] == summarize(project).estimated_cost_usd > 0
    used = Counter(shot.model_id for shot in shots)
    rows = dict(cost["rows"])
    summary = summarize(project)
    for model, n in used.items():
        # per model: shots, seconds (on screen, and billed when whole clips differ), price, dollars
        assert rows[model].startswith(f"{n} shot")
        assert " s x $" in rows[model] and "/s = $" in rows[model]
    assert rows["total"] == f"${summary.estimated_cost_usd:,.2f}"
    assert rows["budget"] == "none given"
    assert sum(c["usd"] for c in cost["data"]["costs"]) == pytest.approx(
        summary.estimated_cost_usd, abs=0.01
    )
    board = dict(payloads["confirm_storyboard"]["rows"])
    assert board["shots"] == str(len(shots))
    assert board["segments"] == str(len(project.manifest.segments))
    # Confirmation nodes run again from their first line on resume: nothing is done twice.
    assert notes(root) == [
        "structure",
        "breakdown",
        "elements",
        "models",
        "segments",
        "storyboard",
        "planned",
    ]
    said = [m for m in s.values()["messages"] if str(m.content).startswith("The plan is ready")]
    assert len(said) == 1


def test_a_local_plan_is_not_asked_about_cost(tmp_path: Path) -> None:
    s = session(tmp_path / "walk")

    turn, kinds = answer_all(s, s.plan(LOCAL_BRIEF))

    assert kinds == ["confirm_brief", "confirm_storyboard"]
    assert turn.phase == "planned"
    assert summarize(Project.open(tmp_path / "walk")).estimated_cost_usd == 0


def test_rejecting_the_brief_writes_nothing(tmp_path: Path) -> None:
    s = session(tmp_path / "film")
    assert s.plan(FILM, source_name=SHORT_FILM.name).interrupt is not None

    turn = s.resume("reject")

    assert turn.interrupt is None
    assert not (tmp_path / "film").exists()
    assert "not approved" in turn.messages[-1]
    assert s.values()["brief"] is None


def test_rejecting_the_brief_with_the_project_checkpointer_leaves_no_project(
    tmp_path: Path,
) -> None:
    root = tmp_path / "film"
    with Session(root, context=OFFLINE) as s:
        s.plan(FILM, source_name=SHORT_FILM.name)
        s.resume("n")

    assert snapshot(root) == {}  # only StoryCore's own .storycore/ (the conversation)
    assert not Project.is_project(root)


def test_editing_the_duration_at_the_brief_reads_it_again(tmp_path: Path) -> None:
    s = session(tmp_path / "film")
    turn = s.plan(FILM, source_name=SHORT_FILM.name)
    assert dict(turn.interrupt["rows"])["duration"] == "from the content"

    turn = s.resume({"action": "edit", "edits": {"duration": 60}})

    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_brief"
    assert dict(turn.interrupt["rows"])["duration"] == "60 s"
    assert not (tmp_path / "film").exists()
    turn, kinds = answer_all(s, turn)
    assert kinds[-1] == "confirm_storyboard"
    project = Project.open(tmp_path / "film")
    assert project.manifest.technical_specs.duration_seconds == 60
    assert summarize(project).total_frames == 60 * 24


def test_an_edit_outside_the_editable_fields_is_refused_and_the_question_stays(
    tmp_path: Path,
) -> None:
    s = session(tmp_path / "film")
    s.plan(FILM, source_name=SHORT_FILM.name)

    with pytest.raises(InvalidInput, match="cannot edit style"):
        s.resume({"action": "edit", "edits": {"style": "noir"}})

    assert s.pending() is not None and s.pending()["kind"] == "confirm_brief"
    assert not (tmp_path / "film").exists()


def test_feedback_on_the_storyboard_is_confirmed_applied_then_asked_again(
    tmp_path: Path,
) -> None:
    root = tmp_path / "film"
    s = session(root)
    turn = s.plan(FILM, source_name=SHORT_FILM.name)
    while turn.interrupt is not None and turn.interrupt["kind"] != "confirm_storyboard":
        turn = s.resume("approve")
    shot = next(x for x in load_shots(Project.open(root)) if x.shot_size.value != "CU")
    number = int(shot.shot_id.removeprefix("shot_"))

    turn = s.resume(f"make shot {number} a close-up")

    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_changes"
    assert turn.interrupt["rows"] == [
        ["change", f"{shot.shot_id}: shot size {shot.shot_size.value} -> CU"]
    ]
    assert shot.shot_id in turn.interrupt["details"][0]
    turn = s.resume("approve")
    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_storyboard"
    changed = {x.shot_id: x for x in load_shots(Project.open(root))}[shot.shot_id]
    assert changed.shot_size.value == "CU"
    turn = s.resume("approve")
    assert turn.phase == "planned"
    assert notes(root)[-2:] == [
        f"feedback: {shot.shot_id}: shot size {shot.shot_size.value} -> CU",
        "planned",
    ]


def test_cost_feedback_selects_the_models_again(tmp_path: Path) -> None:
    root = tmp_path / "film"
    s = session(root)
    turn = s.plan(FILM, source_name=SHORT_FILM.name)
    turn = s.resume("approve")
    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_cost"

    turn = s.resume("only local models please")

    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_storyboard"
    project = Project.open(root)
    assert project.manifest.technical_specs.models.local_only
    assert summarize(project).estimated_cost_usd == 0
    assert dict(turn.interrupt["rows"])["estimated cost"] == "$0.00"


# -- gates -----------------------------------------------------------------------------------


def failing_gate(monkeypatch: pytest.MonkeyPatch, phase: Phase, times: int) -> list[int]:
    """Make ``phase``'s gate fail (repairably) its first ``times`` runs; returns its run log.

    Patched before the graph is built: check nodes take their gate when the graph is made.
    """
    real = validation.GATES[phase]
    runs: list[int] = []

    def gate(project: Project) -> validation.GateVerdict:
        runs.append(1)
        verdict = real(project)
        if len(runs) <= times:
            verdict.failures.append("the segments overlap (test)")
        return verdict

    monkeypatch.setitem(validation.GATES, phase, gate)
    return runs


def test_a_gate_that_fails_once_is_repaired_and_planning_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = failing_gate(monkeypatch, Phase.SEGMENTS, times=1)
    events = Recorder()
    s = session(tmp_path / "film", auto_approve=True)

    turn = s.plan(FILM, source_name=SHORT_FILM.name, on_event=events)

    assert turn.phase == "planned"
    assert len(runs) == 2  # the repair was judged again, not by the stale verdict
    assert events.phases.count("segments") == 2
    assert s.values()["repairs"].get("segments") is None


def test_a_gate_that_keeps_failing_is_repaired_a_bounded_number_of_times_then_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = failing_gate(monkeypatch, Phase.SEGMENTS, times=100)
    events = Recorder()
    s = session(tmp_path / "film")
    turn = s.plan(FILM, source_name=SHORT_FILM.name, on_event=events)
    while turn.interrupt is not None and turn.interrupt["kind"] != "gate_failed":
        turn = s.resume("approve", on_event=events)

    assert turn.interrupt is not None
    assert events.phases.count("segments") == 1 + MAX_REPAIRS
    assert len(runs) == 1 + MAX_REPAIRS
    payload = turn.interrupt
    assert payload["title"] == "The segments check failed"
    assert ["failure", "the segments overlap (test)"] in payload["rows"]
    assert payload["data"] == {"gate": "segments"}
    assert payload["actions"] == ["approve", "feedback", "reject"]

    # Continuing anyway: the next gates judge their own phase, not the old failure.
    turn = s.resume("approve")
    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_storyboard"
    # The storyboard's gate passed (only a pass leads to the plan critic, the last check).
    assert s.values()["verdict"]["gate"] == "critic"


def test_stopping_at_a_failed_gate_says_where_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_gate(monkeypatch, Phase.SEGMENTS, times=100)
    s = session(tmp_path / "film")
    turn = s.plan(FILM, source_name=SHORT_FILM.name)
    while turn.interrupt is not None and turn.interrupt["kind"] != "gate_failed":
        turn = s.resume("approve")

    turn = s.resume("reject")

    assert turn.interrupt is None
    assert turn.messages[-1].startswith("Stopped at the segments check")
    assert "the segments overlap (test)" in turn.messages[-1]
    assert Project.open(tmp_path / "film").manifest.phase is not Phase.PLANNED


def test_with_yes_a_failing_gate_stops_the_run_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = failing_gate(monkeypatch, Phase.SEGMENTS, times=100)
    s = session(tmp_path / "film", auto_approve=True)

    with pytest.raises(PlanningStopped, match="the segments overlap"):
        s.plan(FILM, source_name=SHORT_FILM.name)

    assert len(runs) == 1 + MAX_REPAIRS


def test_models_that_cannot_fit_ask_the_human_without_repairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    selections: list[int] = []
    choose = planner.choose_models

    def counted(*args: Any, **kwargs: Any) -> Any:
        selections.append(1)
        return choose(*args, **kwargs)

    monkeypatch.setattr(planner, "choose_models", counted)
    events = Recorder()
    s = session(tmp_path / "gpu")
    turn = s.plan(NO_MODEL_FITS, on_event=events)
    turn = s.resume("approve", on_event=events)  # the brief

    assert turn.interrupt is not None and turn.interrupt["kind"] == "gate_failed"
    assert turn.interrupt["data"] == {"gate": "model_selection"}
    (label, reason), *_ = turn.interrupt["rows"]
    assert label == "failure" and "VRAM" in reason
    # No automatic repair can add VRAM: the human is asked at once.
    assert selections == [1]
    assert "segments" not in events.phases


def test_with_yes_models_that_cannot_fit_stop_the_run(tmp_path: Path) -> None:
    s = session(tmp_path / "gpu", auto_approve=True)

    with pytest.raises(PlanningStopped, match="VRAM"):
        s.plan(NO_MODEL_FITS)


# -- conversation ----------------------------------------------------------------------------


def test_a_hair_change_lists_exactly_gabys_shots_applies_and_undoes(film: Path) -> None:
    before = snapshot(film)
    gaby = shots_showing(film, "char_gaby")
    others = [s for s in load_shots(Project.open(film)) if s.shot_id not in gaby]
    assert gaby and others
    s = session(film)

    turn = s.say(HAIR)

    payload = turn.interrupt
    assert payload is not None and payload["kind"] == "confirm_changes"
    expected = expected_regeneration(film, "char_gaby")
    assert payload["details"][0] == "Will be regenerated: " + ", ".join(expected)
    assert s.values()["proposal"]["regenerate"] == expected
    assert payload["data"]["modifications"] == [
        {
            "kind": "update_element",
            "element": "char_gaby",
            "attributes": {"hair": "blonde curly"},
            "description": None,
            "mode": "merge",
        }
    ]
    assert snapshot(film) == before  # nothing is written before approval

    turn = s.resume("y")

    assert turn.interrupt is None
    assert turn.messages and turn.messages[-1].startswith(
        "Applied: char_gaby: hair -> blonde curly"
    )
    after = {shot.shot_id: shot for shot in load_shots(Project.open(film))}
    for shot_id in gaby:
        assert "blonde curly" in after[shot_id].image_prompt
        assert "blonde curly" in after[shot_id].video_prompt
    for shot in others:
        assert after[shot.shot_id].image_prompt == shot.image_prompt

    assert s.undo().startswith("undone: feedback: char_gaby")
    assert snapshot(film) == before


def test_the_same_change_in_french_regenerates_the_same(film: Path) -> None:
    s = session(film)

    turn = s.say("les cheveux de GaBy doivent être blonds et bouclés")

    assert turn.interrupt is not None
    assert s.values()["proposal"]["regenerate"] == expected_regeneration(film, "char_gaby")


def test_a_rejected_change_changes_nothing(film: Path) -> None:
    before = snapshot(film)
    s = session(film)
    s.say(HAIR)

    turn = s.resume("reject")

    assert turn.interrupt is None
    assert turn.messages == ["Nothing was changed."]
    assert snapshot(film) == before
    assert s.values()["proposal"] is None


def test_feedback_offline_that_is_not_understood_says_what_is(film: Path) -> None:
    before = snapshot(film)

    turn = session(film).say("the vibe feels off, more energy please")

    assert turn.interrupt is None
    (message,) = turn.messages
    assert message.startswith(
        'I could not turn "the vibe feels off, more energy please" into a change. The closest'
    )
    assert "'make shot" in message and "(and the same in French)" in message
    assert snapshot(film) == before


def test_a_change_that_changes_nothing_is_not_put_to_approval(film: Path) -> None:
    close_up = next(x for x in load_shots(Project.open(film)) if x.shot_size.value == "CU")
    number = int(close_up.shot_id.removeprefix("shot_"))

    turn = session(film).say(f"make shot {number} a close-up")

    assert turn.interrupt is None
    assert turn.messages == [f"nothing to change: {close_up.shot_id}: shot size is already CU"]


def test_a_long_list_to_regenerate_says_how_many_are_not_shown(
    film: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The state keeps a bounded list of ids (small checkpoints); the payload says the rest.
    monkeypatch.setattr(conversation, "MAX_IDS_IN_STATE", 5)
    expected = expected_regeneration(film, "char_gaby")

    turn = session(film).say(HAIR)

    assert turn.interrupt is not None
    shown = ", ".join(expected[:5])
    assert turn.interrupt["details"][0] == (
        f"Will be regenerated: {shown}, and {len(expected) - 5} more"
    )


def test_a_message_without_a_project_asks_for_a_brief(tmp_path: Path) -> None:
    turn = session(tmp_path / "empty").say("hello")

    assert turn.interrupt is None
    assert "There is no plan here yet" in turn.messages[0]
    assert not (tmp_path / "empty").exists()


def test_a_brief_pasted_in_the_chat_is_planned(tmp_path: Path) -> None:
    s = session(tmp_path / "teaser")

    turn = s.say(
        "A 20-second teaser: Mei, a street food cook, hands Jun a bowl of noodles at a "
        "night market in the rain."
    )

    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_brief"
    rows = dict(turn.interrupt["rows"])
    assert rows["duration"] == "20 s"
    assert not rows["title"].startswith("<")  # no placeholder source name as a title
    turn, _ = answer_all(s, turn)
    assert turn.phase == "planned"


def test_a_brief_too_thin_to_plan_asks_for_more_and_reads_the_answer(tmp_path: Path) -> None:
    s = session(tmp_path / "cat")

    turn = s.plan("A cat.")

    assert turn.interrupt is not None and turn.interrupt["kind"] == "gate_failed"
    assert turn.interrupt["data"] == {"gate": "brief"}
    assert "describe what happens" in turn.interrupt["rows"][0][1]
    turn = s.resume("A 10 second clip: a black cat jumps onto a sunny windowsill and sleeps.")
    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_brief"
    assert dict(turn.interrupt["rows"])["duration"] == "10 s"
    assert not (tmp_path / "cat").exists()


def test_a_locked_shot_is_not_rewritten_without_an_unlock(film: Path) -> None:
    first = shots_showing(film, "char_gaby")[0]
    s = session(film)
    s.say(f"lock shot {int(first.removeprefix('shot_'))}")
    s.resume("y")
    locked = snapshot(film)

    turn = s.say(HAIR)

    assert turn.interrupt is None
    assert turn.messages == [
        f"{first} is locked and this change would redo it; add an Unlock of {first} to the "
        f"change (say 'unlock {first}') to allow it"
    ]
    assert snapshot(film) == locked
    s.say(f"unlock {first}")
    s.resume("y")
    turn = s.say(HAIR)
    assert turn.interrupt is not None
    assert s.values()["proposal"]["regenerate"] == expected_regeneration(film, "char_gaby")


def test_what_a_change_goes_against_is_shown_before_approval(film: Path) -> None:
    project = Project.open(film)
    with project.transaction("avoid sora2") as tx:
        specs = tx.manifest.technical_specs
        models = specs.models.model_copy(update={"avoid": ["sora2"]})
        tx.manifest.technical_specs = specs.model_copy(update={"models": models})
    shot = next(s for s in load_shots(project) if s.model_id != "sora2")

    turn = session(film).say(f"use Sora 2 for shot {int(shot.shot_id.removeprefix('shot_'))}")

    assert turn.interrupt is not None
    assert "warning: sora2 is in the project's models to avoid" in turn.interrupt["details"]


def test_storyboard_feedback_that_is_not_understood_asks_again(tmp_path: Path) -> None:
    # Prompts asked in German, a language StoryCore has no prompt templates for: a finding.
    brief = (
        "---\ntitle: Ferry\nduration: 12s\nprompt_language: de\n---\n\n"
        "## Story\nA ferry crosses the grey bay at dawn. Ines watches the harbour lights fade.\n"
    )
    s = session(tmp_path / "film")
    turn = s.plan(brief, source_name="ferry.md")
    while turn.interrupt is not None and turn.interrupt["kind"] != "confirm_storyboard":
        turn = s.resume("approve")
    before = snapshot(tmp_path / "film")

    turn = s.resume("hmm, make it pop more")

    (message,) = turn.messages
    assert message.startswith('I could not turn "hmm, make it pop more" into a change.')
    assert turn.interrupt is not None and turn.interrupt["kind"] == "confirm_storyboard"
    assert snapshot(tmp_path / "film") == before


def test_the_plan_critic_runs_after_the_storyboard_and_its_findings_are_shown(
    tmp_path: Path,
) -> None:
    from storycore.tools.critic import critique

    # Prompts asked in German, a language StoryCore has no prompt templates for: a finding.
    brief = (
        "---\ntitle: Ferry\nduration: 12s\nprompt_language: de\n---\n\n"
        "## Story\nA ferry crosses the grey bay at dawn. Ines watches the harbour lights fade.\n"
    )
    s = session(tmp_path / "film")
    turn = s.plan(brief, source_name="ferry.md")
    while turn.interrupt is not None and turn.interrupt["kind"] != "confirm_storyboard":
        turn = s.resume("approve")
    assert turn.interrupt is not None
    verdict = s.values()["verdict"]
    report = critique(tmp_path / "film")
    assert verdict["gate"] == "critic" and verdict["findings"] == len(report.findings)
    shown = [d for d in turn.interrupt["details"] if d.startswith("critic: ")]
    assert shown and shown[0] == "critic: " + report.findings[0].line()
