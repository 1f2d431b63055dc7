"""``storycore feedback``: one correction through the assistant, without a chat.

The text goes through the same graph as a chat message (the deterministic parser offline,
the language model with its typed tools otherwise) in a throw-away in-memory thread; the
change it proposes is shown with what it regenerates, then applied on ``--yes`` (or a yes at
the prompt), or only shown with ``--dry-run``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from rich.markup import escape

from storycore.agent.cli import ui
from storycore.tools.errors import InvalidInput, StoryCoreError
from storycore.tools.i18n import Messages, display_language
from storycore.tools.project import Project


class FeedbackNotUnderstood(StoryCoreError):
    """The feedback gave no change to make."""


def interpret(project_dir: Path, text: str, *, offline: bool) -> tuple[Any, Any]:
    """(session waiting on the change confirmation, the full change plan)."""
    from langgraph.checkpoint.memory import InMemorySaver

    from storycore.agent.context import Context
    from storycore.agent.plans import kept_plan
    from storycore.agent.session import Session
    from storycore.tools.feedback import parse_modifications
    from storycore.tools.regeneration import plan_changes

    project = Project.open(project_dir)
    session = Session(
        project.root,
        context=Context.from_env(offline=offline),
        checkpointer=InMemorySaver(),
        new=True,
    )
    turn = session.say(text)
    pending = turn.interrupt
    if not pending or pending.get("kind") != "confirm_changes":
        said = " ".join(turn.messages) or "no change was found in the feedback"
        raise FeedbackNotUnderstood(said)
    proposal = session.values()["proposal"]
    if proposal.get("unparsed"):
        # Read by the rules, not all of it: one correction is applied whole or not at all
        # (the message names what was not understood).
        said = " ".join(turn.messages) or "part of the feedback was not understood"
        raise FeedbackNotUnderstood(said)
    # The plan the proposal was costed with; made again only if it is no longer kept.
    plan = kept_plan(project.root, proposal["modifications"])
    if plan is None:
        plan = plan_changes(project, parse_modifications(proposal["modifications"]))
    return session, plan


def run_feedback(
    project_dir: Path, text: str, *, offline: bool, yes: bool, dry_run: bool, as_json: bool
) -> None:
    if not text.strip():
        raise InvalidInput("the feedback is empty: say what to change")
    project = Project.open(project_dir)  # a missing or foreign folder is the first thing to say
    m = Messages(display_language(project.manifest.technical_specs.language))
    if not (dry_run or yes or sys.stdin.isatty()):
        raise InvalidInput("pass --yes to apply the change, or --dry-run to only show it")
    session, plan = interpret(project_dir, text, offline=offline)
    data = plan.as_json()
    if as_json and dry_run:
        ui.emit_json({**data, "applied": False})
        return
    if not as_json:
        _show(data, m)
    if dry_run:
        ui.err.print(m("produce.dry_run"))
        return
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInput("pass --yes to apply the change, or --dry-run to only show it")
        from rich.prompt import Confirm

        if not Confirm.ask(m("confirm.changes.question"), console=ui.err, default=False):
            ui.err.print(m("chat.nothing_changed"))
            return
    turn = session.resume({"action": "approve"})
    history = Project.open(project_dir).history()
    if as_json:
        ui.emit_json({**data, "applied": True, "undo": history[0].note if history else None})
        return
    for message in turn.messages:
        ui.out.print(escape(message))
    ui.err.print(m("feedback_cli.undo"))


def _show(data: dict[str, Any], m: Messages | None = None) -> None:
    m = m or Messages("en")
    rows = [(line,) for line in data.get("summary", [])]
    ui.out.print(ui.table(m("feedback_cli.changes"), [m("confirm.changes.change")], rows))
    regenerate = data.get("regenerate", [])
    ids = ", ".join(regenerate) or m("chat.nothing")
    ui.out.print(
        f"[bold]{escape(m('feedback_cli.regenerate'))}[/] ({len(regenerate)}): {escape(ids)}"
    )
