"""Conventions every ``storycore`` command follows: ``-h``, ``--json`` (errors included),
``--verbose`` logs without secrets, ``--checkpoint-url``."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from storycore.agent.cli import ui
from storycore.agent.cli.main import main


@pytest.mark.parametrize(
    "argv",
    [["-h"], ["timecode", "-h"], ["timecode", "convert", "-h"], ["models", "list", "-h"]],
)
def test_dash_h_is_help_everywhere(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    # Before: "-h" was "No such option" (exit 2) on every command.
    assert main(argv) == 0
    assert "Usage: storycore" in capsys.readouterr().out


def test_an_error_with_json_is_json_on_stdout_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["status", str(tmp_path / "nowhere"), "--json"])

    captured = capsys.readouterr()
    assert code == 2
    data = json.loads(captured.out)
    assert "no project" in data["error"] and data["exit_code"] == 2
    assert captured.err.startswith("error:")


def test_a_usage_error_with_json_is_json_too(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["models", "list", "--no-such-option", "--json"])

    assert code == 2
    assert "no-such-option" in json.loads(capsys.readouterr().out)["error"]


def test_json_on_a_command_without_its_own_json_form(capsys: pytest.CaptureFixture[str]) -> None:
    # Before: "No such option: --json".
    assert main(["timecode", "convert", "48", "--fps", "24", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"output": "00:00:02:00"}


def test_json_before_the_command_works_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json", "models", "list"]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), list)


def test_an_interactive_command_refuses_json_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chat", "--json"]) == 2
    assert "interactive" in json.loads(capsys.readouterr().out)["error"]


def test_verbose_logs_mask_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-verbose-secret-123")
    record = logging.LogRecord(
        "storycore.llm",
        logging.INFO,
        __file__,
        1,
        "calling with %s at %s",
        ("sk-test-verbose-secret-123", "postgresql://me:hunter22@db:5432/x"),
        None,
    )

    assert ui.SecretFilter().filter(record)
    text = record.getMessage()
    assert "sk-test-verbose-secret-123" not in text and "hunter22" not in text
    assert "postgresql://me:***@db:5432/x" in text


def test_verbose_sends_logs_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        assert main(["--verbose", "timecode", "convert", "48", "--fps", "24"]) == 0
        logging.getLogger("storycore.test").info("visible with --verbose")
        captured = capsys.readouterr()
        assert captured.out.strip() == "00:00:02:00"
        assert "visible with --verbose" in captured.err
    finally:
        for handler in root.handlers[len(before) :]:
            root.removeHandler(handler)
        root.setLevel(logging.WARNING)


def test_a_bad_checkpoint_url_is_one_line_and_exit_2(
    film: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Recorded so that the variable main() sets is undone after the test.
    monkeypatch.setenv("STORYCORE_CHECKPOINT_URL", "")
    code = main(["--checkpoint-url", "mysql://u@h/db", "chat", "--project", str(film), "--offline"])

    assert code == 2
    assert "not a checkpoint URL" in capsys.readouterr().err
