"""An invalid ``edit`` at a terminal confirmation asks again instead of ending the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from storycore.agent.cli import commands_plan
from storycore.agent.cli.main import main
from storycore.tools.project import Project

BRIEF = """---
title: Night Ferry
duration: 12s
resolution: 1280x720
---

A ferry crosses a dark bay; a deckhand coils a rope under a single lamp.
"""


def test_an_invalid_edit_asks_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    brief = tmp_path / "ferry.md"
    brief.write_text(BRIEF, encoding="utf-8")
    answers = iter(["edit colour=blue", "edit fps=25", "y", "y", "y"])
    asked: list[str] = []
    monkeypatch.setattr(commands_plan, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr(commands_plan, "_prompt", lambda p: asked.append(p) or next(answers))
    code = main(["plan", str(brief), "--out", str(tmp_path / "out"), "--offline"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "cannot edit colour here" in err and "answer again" in err
    assert len(asked) >= 3  # the refused edit, the good edit, then the confirmations
    assert Project.open(tmp_path / "out").manifest.technical_specs.fps == "25"
