"""``storycore chat`` and ``storycore feedback`` as a user runs them, offline.

chat: a change confirmed with ``y``, ``/status``, ``/undo``, ``/usage``, ``/quit``; running it
again resumes the same thread and shows a confirmation left open; an unknown ``--thread`` is
one stderr line and exit 2. feedback: the ``--dry-run --json`` contract (modifications, and
exactly GaBy's shots, their segments and her element to regenerate; nothing changed),
``--yes`` applies, no TTY without ``--yes`` changes nothing, and feedback it cannot read is
a helpful error.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from storycore.agent.cli.main import main
from storycore.agent.conversation import OFFLINE_HELP
from storycore.tools.project import Project
from storycore.tools.structure import load_shots

from .conftest import snapshot
from .fake_chat import FakeChat, expected_regeneration, shots_showing, tool_calls

HAIR = "GaBy's hair should be blonde curly"
CHAT = [sys.executable, "-m", "storycore.agent.cli.main", "chat"]


def chat(film: Path, lines: list[str], *options: str) -> subprocess.CompletedProcess[str]:
    """``storycore chat --project FILM --offline`` with ``lines`` piped on stdin."""
    return subprocess.run(
        [*CHAT, "--project", str(film), "--offline", *options],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=120,
    )


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- storycore chat ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_chat_session_changes_checks_undoes_and_resumes(film: Path) -> None:
    before = snapshot(film)

    done = chat(film, [HAIR, "y", "/status", "/undo", "/usage", "/quit"])

    assert done.returncode == 0, done.stderr
    welcome = done.stderr.splitlines()[0]
    assert "thread main (new)" in welcome
    assert "offline: --offline given" in welcome
    assert "Proposed changes" in done.stderr
    assert "Apply these changes? approve (y)" in done.stderr
    out = done.stdout
    applied = out.index("Applied: char_gaby: hair -> blonde curly")
    status = out.index("Checkpoint gates")
    undone = out.index("undone: feedback: char_gaby: hair -> blonde curly")
    usage = out.index("No language-model calls in this conversation yet.")
    assert applied < status < undone < usage
    for shot_id in shots_showing(film, "char_gaby"):
        assert shot_id in out[applied:status]
    assert snapshot(film) == before  # the change was undone exactly

    again = chat(film, ["/quit"])

    assert again.returncode == 0, again.stderr
    assert "thread main (resumed)" in again.stderr.splitlines()[0]
    assert "Resume with: storycore chat --project" in again.stderr


@pytest.mark.slow
def test_a_confirmation_left_open_is_shown_again_at_the_next_start(film: Path) -> None:
    first = chat(film, [HAIR])  # the input ends at the question
    assert first.returncode == 0, first.stderr
    assert "Applied" not in first.stdout

    second = chat(film, ["y", "/quit"])

    assert second.returncode == 0, second.stderr
    assert "(resumed)" in second.stderr
    assert "Proposed changes" in second.stderr
    assert "Will be regenerated: " + ", ".join(expected_regeneration(film, "char_gaby")) in (
        " ".join(second.stderr.split())
    )
    assert "Applied: char_gaby: hair -> blonde curly" in second.stdout


def test_an_unknown_thread_is_one_error_line_and_exit_2(
    film: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(film)

    code, out, err = run(
        ["chat", "--project", str(film), "--offline", "--thread", "nope"], capsys, monkeypatch
    )

    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: this project has no conversation 'nope'")
    assert snapshot(film) == before


def test_rejecting_in_the_chat_changes_nothing(
    film: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(film)
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{HAIR}\nn\n/threads\n/nonsense\n/quit\n"))

    code = main(["chat", "--project", str(film), "--offline"])

    captured = capsys.readouterr()
    assert code == 0
    assert "Nothing was changed." in captured.out
    assert "* main" in captured.out
    assert "error: unknown command /nonsense; type /help" in captured.err
    assert snapshot(film) == before


def test_an_edit_at_a_confirmation_replaces_the_proposal(
    film: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shot = next(s for s in load_shots(Project.open(film)) if s.shot_size.value != "CU")
    edit = json.dumps(
        {"kind": "set_shot_field", "shot_id": shot.shot_id, "field": "shot_size", "value": "CU"}
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{HAIR}\nedit {edit}\ny\n"))

    code = main(["chat", "--project", str(film), "--offline"])

    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"Applied: {shot.shot_id}: shot size {shot.shot_size.value} -> CU" in captured.out
    changed = {s.shot_id: s for s in load_shots(Project.open(film))}[shot.shot_id]
    assert changed.shot_size.value == "CU"
    assert "Applied: char_gaby" not in captured.out


def test_a_chat_with_a_model_shows_each_answer_once_on_its_own_line(
    film: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import storycore.agent.llm as llm

    model = FakeChat().add(
        tool_calls(("get_shot", {"shot_id": "shot_03"}), text="Let me look at shot 3."),
        "Shot 3 is a close-up of the red umbrella.",
        tool_calls(("update_element", {"element": "GaBy", "attributes": {"hair": "green"}})),
        "Done: GaBy's hair is green now.",
    )
    monkeypatch.setattr(llm, "make_chat_model", lambda ctx, **overrides: model)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # not offline
    monkeypatch.setattr(
        sys, "stdin", io.StringIO("What is shot 3?\nGaBy's hair should be green\ny\n/usage\n")
    )

    code = main(["chat", "--project", str(film)])

    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "model gpt-4.1-mini at http://127.0.0.1:9/v1" in captured.err
    lines = captured.out.splitlines()
    for answer in (
        "Let me look at shot 3.",
        "Shot 3 is a close-up of the red umbrella.",
        "Done: GaBy's hair is green now.",
    ):
        assert lines.count(f"storycore> {answer}") == 1, captured.out
    assert "Proposed changes" in captured.err
    assert "gpt-4.1-mini" in captured.out  # /usage: a row per model
    assert "No language-model calls" not in captured.out


# -- storycore feedback -----------------------------------------------------------------------


def test_feedback_dry_run_json_lists_exactly_what_would_be_redone(
    film: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(film)

    code, out, err = run(
        ["feedback", str(film), HAIR, "--dry-run", "--json", "--offline"], capsys, monkeypatch
    )

    assert code == 0, err
    data = json.loads(out)
    assert data["modifications"] == [
        {
            "kind": "update_element",
            "element": "char_gaby",
            "attributes": {"hair": "blonde curly"},
            "description": None,
            "mode": "merge",
        }
    ]
    gaby = shots_showing(film, "char_gaby")
    assert data["regenerate"] == expected_regeneration(film, "char_gaby")
    assert data["regenerate_shots"] == gaby
    assert data["regenerate_elements"] == ["char_gaby"]
    assert len(gaby) < len(load_shots(Project.open(film)))
    assert data["applied"] is False
    assert snapshot(film) == before


def test_feedback_with_yes_applies_only_to_gabys_shots(
    film: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gaby = set(shots_showing(film, "char_gaby"))
    before = {s.shot_id: s for s in load_shots(Project.open(film))}

    code, out, err = run(
        ["feedback", str(film), HAIR, "--yes", "--json", "--offline"], capsys, monkeypatch
    )

    assert code == 0, err
    data = json.loads(out)
    assert data["applied"] is True
    assert data["summary"] == [f"char_gaby: hair -> blonde curly ({len(gaby)} shots)"]
    assert data["undo"] == f"feedback: {data['summary'][0]}"  # the history entry to undo
    after = {s.shot_id: s for s in load_shots(Project.open(film))}
    changed = {i for i in after if after[i].image_prompt != before[i].image_prompt}
    assert changed == gaby
    assert all("blonde curly" in after[i].video_prompt for i in gaby)


def test_feedback_with_yes_in_words(
    film: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(["feedback", str(film), HAIR, "--yes", "--offline"], capsys, monkeypatch)

    assert code == 0, err
    assert "char_gaby: hair -> blonde curly" in out
    assert "Applied: char_gaby: hair -> blonde curly" in out
    assert "Undo with /undo in storycore chat." in err


def test_feedback_without_yes_and_no_terminal_changes_nothing(
    film: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(film)

    code, _out, err = run(["feedback", str(film), HAIR, "--offline"], capsys, monkeypatch)

    assert code == 2
    assert err.strip().splitlines()[-1] == (
        "error: pass --yes to apply the change, or --dry-run to only show it"
    )
    assert snapshot(film) == before


def test_feedback_offline_that_cannot_be_read_says_what_can(
    film: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(film)

    code, out, err = run(
        ["feedback", str(film), "the vibe is off, more energy please", "--offline", "--yes"],
        capsys,
        monkeypatch,
    )

    assert code == 2
    assert out == ""
    assert err.startswith(
        'error: I could not turn "the vibe is off, more energy please" into a change. The '
        "closest phrasings"
    )
    assert err.count("\n") == 1 and OFFLINE_HELP.split(". ", 1)[1] in err
    assert "make shot 3 a close-up" in err
    assert snapshot(film) == before


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        ("make shot 2 a close-up. the pacing feels weird", "the pacing feels weird"),
        ("make GaBy's hair red and the mood is wrong", "the mood is wrong"),
        (
            "les cheveux de GaBy doivent être roux et l'ambiance est bizarre",
            "l'ambiance est bizarre",
        ),
    ],
)
def test_feedback_offline_read_in_part_changes_nothing(
    film: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    unread: str,
) -> None:
    """A correction is applied whole or not at all: the part not understood is named."""
    before = snapshot(film)

    code, out, err = run(["feedback", str(film), text, "--offline", "--yes"], capsys, monkeypatch)

    assert code == 2
    assert err.count("\n") == 1 and unread in err.split("Phrasings that work")[0]
    assert "Applied" not in out
    assert snapshot(film) == before


def test_feedback_that_changes_nothing_says_so(
    film: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    close_up = next(s for s in load_shots(Project.open(film)) if s.shot_size.value == "CU")
    number = int(close_up.shot_id.removeprefix("shot_"))

    code, _out, err = run(
        ["feedback", str(film), f"make shot {number} a close-up", "--offline", "--yes"],
        capsys,
        monkeypatch,
    )

    assert code == 2
    assert err == f"error: nothing to change: {close_up.shot_id}: shot size is already CU\n"


@pytest.mark.parametrize(
    ("where", "text", "message"),
    [
        ("film", "   ", "the feedback is empty"),
        ("missing", HAIR, "no project at"),
    ],
)
def test_feedback_bad_input(
    film: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    text: str,
    message: str,
) -> None:
    target = film if where == "film" else tmp_path / "missing"

    code, out, err = run(["feedback", str(target), text, "--offline"], capsys, monkeypatch)

    assert code == 2
    assert out == ""
    assert err.startswith(f"error: {message}") and err.count("\n") == 1
    assert not (tmp_path / "missing").exists()
