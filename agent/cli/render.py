"""How the terminal shows the assistant's confirmations and reads the answer.

A confirmation payload (:class:`storycore.agent.schemas.Confirmation` as a dict) becomes a
table with its details and the allowed actions; the answer is an action word (approve, edit,
feedback, reject, or y/n), or free text, which counts as feedback.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from rich.markup import escape
from rich.panel import Panel

from storycore.agent.cli import ui

#: How each action is answered at the terminal (English; the catalogs' ``cli.action.*``).
ACTION_HELP = {
    "approve": "approve (y)",
    "edit": "edit (edit {json})",
    "feedback": "feedback (type it)",
    "reject": "reject (n)",
}


def action_help(action: str, language: str | None) -> str:
    """How ``action`` is answered, in ``language``."""
    from storycore.tools.i18n import catalog, t

    key = f"cli.action.{action}"
    return t(key, language) if key in catalog("en") else action


def render_confirmation(payload: dict[str, Any]) -> None:
    """Print a confirmation as a titled table, its details and its actions (in the
    payload's language)."""
    rows = [(escape(str(k)), escape(str(v))) for k, v in payload.get("rows", [])]
    table = ui.table(None, ["", ""], rows)
    table.show_header = False
    ui.err.print(Panel(table, title=escape(str(payload.get("title", ""))), title_align="left"))
    for line in payload.get("details", []):
        ui.err.print(f"  {escape(str(line))}")
    language = str(payload.get("language") or "en")
    actions = [action_help(a, language) for a in payload.get("actions", [])]
    ui.err.print(f"[bold]{escape(str(payload.get('question', '')))}[/] " + " · ".join(actions))


def parse_answer(text: str, actions: list[str]) -> dict[str, Any] | str:
    """``edit {...}`` -> an edit decision with its JSON; anything else goes to the session,
    which reads action words and takes other text as feedback."""
    stripped = text.strip()
    if stripped.lower().startswith("edit ") and "edit" in actions:
        body = stripped[5:].strip()
        try:
            edits = json.loads(body)
        except ValueError:
            # "edit duration=60 fps=25 title='Nuit Blanche'": key=value pairs, quotes kept whole
            try:
                parts = shlex.split(body)
            except ValueError:  # an unclosed quote
                parts = body.split()
            edits = dict(part.split("=", 1) for part in parts if "=" in part)
        if not isinstance(edits, dict) or not edits:
            return stripped
        if (
            "modifications" not in edits
            and "edit_fields" not in edits
            and isinstance(edits.get("kind"), str)
        ):
            edits = {"modifications": [edits]}
        return {"action": "edit", "edits": edits}
    return stripped
