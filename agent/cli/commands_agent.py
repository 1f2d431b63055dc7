"""``storycore chat`` and ``storycore feedback``: the assistant in a terminal.

storycore chat [--project DIR] [--thread ID] [--offline]
storycore feedback DIR "TEXT" [--offline] [--yes] [--dry-run] [--json]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from storycore.agent.cli import ui
from storycore.tools.errors import InvalidInput, StoryCoreError


def _context(offline: bool) -> Any:
    from storycore.agent.context import Context

    return Context.from_env(offline=offline)


def _chat_language(folder: Path) -> str:
    """The chat's language: ``--language``, else the project's answer language (English in
    a folder with no plan yet)."""
    from storycore.tools.i18n import display_language
    from storycore.tools.project import Project

    language = None
    if Project.is_project(folder):
        try:
            language = Project.open(folder).manifest.technical_specs.language
        except StoryCoreError:
            language = None
    return display_language(language)


def _t(key: str, language: str, **values: Any) -> str:
    from storycore.tools.i18n import t

    return t(key, language, **values)


def _describe_mode(ctx: Any, language: str = "en") -> str:
    from storycore.agent.context import OFFLINE_NO_ENDPOINT

    if ctx.offline:
        reason = ctx.offline_reason
        if reason == OFFLINE_NO_ENDPOINT:
            reason = _t("cli.offline_no_endpoint", language)
        return _t("chat_cli.offline", language, reason=reason)
    return _t("chat_cli.model", language, model=ctx.model, url=ctx.base_url or "api.openai.com")


class _Printer:
    """Streams tokens and progress lines as the assistant works; prints what it said that
    was not streamed (each answer once)."""

    def __init__(self) -> None:
        self.streaming = False
        self.streamed: list[str] = []  # the answers shown as they came, in order

    def _end_line(self) -> None:
        if self.streaming:
            ui.out.print()
            self.streaming = False

    def __call__(self, kind: str, data: Any) -> None:
        if kind == "answer":
            self._end_line()  # several answers in one turn: each on its own line
            self.streamed.append("")
        elif kind == "token":
            if not self.streaming:
                ui.out.print("[bold cyan]storycore>[/] ", end="")
                self.streaming = True
            if not self.streamed:
                self.streamed.append("")
            self.streamed[-1] += str(data)
            ui.out.print(escape(str(data)), end="")
        elif kind == "progress":
            ui.err.print(
                f"[green]✓[/] {escape(str(data.get('label') or data.get('phase', '')))}: "
                f"{escape(str(data.get('text', '')))}"
            )
        elif kind == "message":
            from storycore.agent.nodes import message_text

            self._end_line()
            text = message_text(data)
            if text in self.streamed:
                self.streamed.remove(text)  # already shown as it came
                return
            ui.out.print(f"[bold cyan]storycore>[/] {escape(text)}")


def chat(
    project: Path = typer.Option(Path("."), "--project", "-p", help="The project folder."),
    thread: str | None = typer.Option(
        None, "--thread", help="Resume this conversation (default: the last one)."
    ),
    new: bool = typer.Option(False, "--new", help="Start a new conversation thread."),
    offline: bool = typer.Option(False, "--offline", help="Never contact a language model."),
) -> None:
    """Talk with the assistant about a project: plan, review, change, undo.

    Leaving and running it again resumes the same conversation.
    """
    from storycore.agent.cli.render import parse_answer, render_confirmation
    from storycore.agent.session import Session

    ctx = _context(offline)
    session = Session(project, thread_id=thread, new=new, context=ctx)
    printer = _Printer()
    resumed = session.started
    language = _chat_language(Path(session.project_dir))
    ui.err.print(
        "[bold]StoryCore[/] · "
        + escape(
            _t(
                "chat_cli.header",
                language,
                project=str(session.project_dir),
                thread=session.thread_id,
                state=_t("chat_cli.resumed" if resumed else "chat_cli.new", language),
                mode=_describe_mode(ctx, language),
            )
        )
    )
    ui.err.print(_t("chat_cli.help", language))
    told_offline = False
    try:
        if session.stopped():
            # A crash (a killed process) stopped the last turn in the middle: finish it.
            ui.err.print(_t("chat_cli.recovering", language))
            session.recover(on_event=printer)
        pending = session.pending()
        if pending:
            render_confirmation(pending)
        while True:
            try:
                line = _read_line()
            except EOFError:
                break
            if not line.strip():
                continue
            command = line.strip()
            if command in ("/quit", "/exit", "/q"):
                break
            try:
                if command.startswith("/"):
                    _slash(session, command, language)
                    told_offline = told_offline and session.offline_since is not None
                else:
                    pending = session.pending()
                    answer = parse_answer(command, pending["actions"]) if pending else command
                    turn = (
                        session.resume(answer, on_event=printer)
                        if pending
                        else session.say(command, on_event=printer)
                    )
                    if turn.interrupt:
                        render_confirmation(turn.interrupt)
                    if session.offline_since is not None and not told_offline:
                        told_offline = True
                        ui.warn(escape(str(session.context.offline_reason)))
            except StoryCoreError as exc:
                ui.error_line(str(exc))
    finally:
        session.close()
    ui.err.print(_t("chat_cli.bye", language, project=str(session.project_dir)))


def _read_line() -> str:
    if sys.stdin.isatty():
        return ui.out.input("[bold]you>[/] ")
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")


def _slash(session: Any, command: str, language: str = "en") -> None:
    name, _, arg = command.partition(" ")
    if name == "/help":
        ui.err.print(_t("chat_cli.help", language))
    elif name == "/status":
        from storycore.agent.cli.commands_plan import show_status

        show_status(session.project_dir)
    elif name == "/usage":
        _show_usage(session.usage(), language)
    elif name == "/undo":
        ui.out.print(session.undo())
    elif name == "/retry":
        mode = _describe_mode(session.context, language)
        if session.retry_online():
            ui.out.print(_t("chat_cli.retrying", language, mode=mode))
        else:
            ui.out.print(_t("chat_cli.no_retry", language, mode=mode))
    elif name == "/history":
        _show_history(session, arg.strip(), language)
    elif name == "/threads":
        for thread in session.threads():
            mark = "*" if thread == session.thread_id else " "
            ui.out.print(f"{mark} {thread}")
    elif name == "/plan":
        from storycore.agent.cli.render import render_confirmation
        from storycore.tools.brief import read_brief_text

        if not arg.strip():
            raise InvalidInput("give the brief's path: /plan examples/ad_brief.md")
        text, source = read_brief_text(arg.strip())
        turn = session.plan(text, source_name=source, on_event=_Printer())
        if turn.interrupt:
            render_confirmation(turn.interrupt)
    else:
        raise InvalidInput(f"unknown command {name}; type /help")


def _show_history(session: Any, arg: str, language: str = "en") -> None:
    """The whole conversation of the thread (its transcript), or its last N messages."""
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    from storycore.agent.nodes import message_text

    if arg and (not arg.isdigit() or int(arg) < 1):
        raise InvalidInput(f"/history takes a number of messages, not {arg!r}")
    shown = []
    for message in session.history():
        text = message_text(message)
        if isinstance(message, HumanMessage):
            shown.append(f"[bold]{_t('chat_cli.history_you', language)}>[/] {escape(text)}")
        elif isinstance(message, AIMessage):
            calls = ", ".join(str(c.get("name")) for c in message.tool_calls)
            if text:
                shown.append(f"[bold cyan]storycore>[/] {escape(text)}")
            if calls:
                shown.append(f"[dim]  (tools: {escape(calls)})[/]")
        elif isinstance(message, ToolMessage):
            shown.append(f"[dim]  ({escape(str(message.name or 'tool'))}: {len(text)} chars)[/]")
    for line in shown[-int(arg) :] if arg else shown:
        ui.out.print(line)
    if not shown:
        ui.out.print(_t("chat_cli.history_empty", language))


def _show_usage(usage: dict[str, Any], language: str = "en") -> None:
    from storycore.agent.usage import UsageTracker

    tracker = UsageTracker.from_dict(usage)
    rows = tracker.rows()
    if not tracker.models:  # rows() always has a total row
        ui.out.print(_t("web.no_usage", language))
        return
    columns = list(rows[0].keys())
    ui.out.print(
        ui.table(_t("web.usage", language), columns, [[r.get(c) for c in columns] for r in rows])
    )


def feedback(
    project: Path = typer.Argument(..., help="The project folder."),
    text: str = typer.Argument(..., help='The correction, e.g. "make shot 3 a close-up".'),
    offline: bool = typer.Option(False, "--offline", help="Never contact a language model."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Apply without asking."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would change; change nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the change as JSON."),
) -> None:
    """Turn a correction into typed changes, show what they regenerate, and apply them.

    Only what the change touches is regenerated: changing a character regenerates exactly
    the shots that show it. Applied changes can be undone (storycore chat, /undo).
    """
    from storycore.agent.feedback_cli import run_feedback

    run_feedback(project, text, offline=offline, yes=yes, dry_run=dry_run, as_json=as_json)


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
    app.command("feedback")(feedback)
