"""``storycore produce``: render a planned project segment by segment, then assemble it.

It runs the production phases of the assistant graph on the project's ``produce`` thread
(checkpointed in ``.storycore/``). Without ``--yes`` it stops at each confirmation in the
terminal (the cost when a backend charges, each segment, the assembled film); with ``--yes``
it approves them all. ``--dry-run`` prints what would be rendered and its cost and changes
nothing. ``--json`` prints one object:
``rendered``, ``reused``, ``failed``, ``segments``, ``final``, ``cost_usd``.

Exit codes: 0 done, 1 some shot failed (the others were produced), 2 bad input (nothing
changed), 130 interrupted (what finished is kept; run it again to finish).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from storycore.agent.cli import ui
from storycore.tools.errors import InvalidInput, StoryCoreError


def produce(
    folder: Path = typer.Argument(
        ..., metavar="DIR", help="The planned project folder.", show_default=False
    ),
    backend: str = typer.Option(
        "animatic", "--backend", metavar="NAME", help="animatic (default) or comfyui."
    ),
    segment: list[str] = typer.Option(
        [], "--segment", metavar="SEG_ID", help="Produce only this segment (repeatable)."
    ),
    shot: list[str] = typer.Option(
        [], "--shot", metavar="SHOT_ID", help="Produce only this shot (repeatable)."
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Approve every confirmation."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print what would be rendered and its cost; change nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
) -> None:
    """Render a planned project segment by segment (missing and stale shots only), check each
    clip, and assemble the segments and the film in 05_sequences/."""
    from storycore.tools.i18n import Messages, display_language
    from storycore.tools.production.producer import Production
    from storycore.tools.project import Project

    project = Project.open(folder)
    m = Messages(display_language(project.manifest.technical_specs.language))
    # Everything a run needs is checked here, before the graph's thread is touched.
    production = Production(project, backend, segments=segment, shots=shot)
    if dry_run:
        data = production.dry_run()
        if as_json:
            ui.emit_json(data)
        else:
            _show_dry_run(data, m)
        return
    if not yes and not sys.stdin.isatty():
        raise InvalidInput("pass --yes to approve the confirmations, or --dry-run to only look")
    production.preflight()
    result = _run_graph(project.root, backend, segment, shot, yes=yes, quiet=as_json, m=m)
    if as_json:
        ui.emit_json({k: result[k] for k in _JSON_KEYS})
    else:
        _show_result(result, m)
    if result["failed"]:
        raise typer.Exit(1)


_JSON_KEYS = ("rendered", "reused", "failed", "segments", "final", "cost_usd")
#: The production thread of a project (the chat keeps its own threads).
THREAD = "produce"


def _run_graph(
    root: Path,
    backend: str,
    segments: list[str],
    shots: list[str],
    *,
    yes: bool,
    quiet: bool,
    m: Any = None,
) -> dict[str, Any]:
    """Run the graph's production phases on the project's production thread, answering each
    confirmation in the terminal (or approving it with --yes)."""
    from storycore.agent.context import Context
    from storycore.agent.session import Session

    context = Context.from_env(offline=True)
    try:
        session = Session(root, thread_id=THREAD, context=context, auto_approve=yes)
    except StoryCoreError:  # the first production of this project: a new thread
        session = Session(root, thread_id=THREAD, new=True, context=context, auto_approve=yes)
    with session, _progress(disabled=quiet) as bar:

        def on_event(kind: str, data: Any) -> None:
            if bar is not None and kind == "progress" and data.get("phase") == "produce":
                bar(data["segment"], data["done"], data["total"], data.get("text", ""))

        turn = session.produce(backend=backend, segments=segments, shots=shots, on_event=on_event)
        while turn.interrupt is not None:
            answer = _ask(turn.interrupt, bar, m)
            turn = session.resume(answer, on_event=on_event)
        values = session.values()
    result = dict(values.get("production") or {})
    for key in _JSON_KEYS:
        result.setdefault(key, [] if key not in ("final", "cost_usd") else None)
    result["cost_usd"] = float(result.get("cost_usd") or 0)
    stopped = m("produce.stopped_at_confirmation") if m is not None else "stopped at a confirmation"
    result["stopped"] = None if values.get("phase") == "produced" else stopped
    return result


def _ask(question: dict[str, Any], bar: Any, m: Any = None) -> Any:
    """One confirmation in the terminal: the table, the details, the allowed answers."""
    from rich.prompt import Prompt

    rows = [(str(k), str(v)) for k, v in question.get("rows", [])]
    ui.err.print(ui.table(question.get("title", ""), ["", ""], rows))
    for line in question.get("details", []):
        ui.err.print(escape(str(line)))
    actions = list(question.get("actions", ["approve", "reject"]))
    answer = Prompt.ask(
        escape(question.get("question", "?")),
        choices=actions,
        default=actions[0],
        console=ui.err,
    )
    if answer == "feedback":
        what = m("web.feedback_placeholder") if m is not None else "What should change?"
        return {"action": "feedback", "text": Prompt.ask(what, console=ui.err)}
    return answer


class _progress:
    """A progress bar per segment on stderr (shots done of total, ETA)."""

    def __init__(self, *, disabled: bool) -> None:
        self.disabled = disabled
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Any:
        if self.disabled:
            return None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=ui.err,
        )
        self.bar.start()
        return self.update

    def update(self, segment_id: str, done: int, total: int, message: str) -> None:
        if segment_id not in self.tasks:
            self.tasks[segment_id] = self.bar.add_task(segment_id, total=max(total, 1))
        self.bar.update(self.tasks[segment_id], completed=done if total else 1)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _show_dry_run(data: dict[str, Any], m: Any) -> None:
    would = data["would_render"]
    ui.out.print(
        escape(
            m(
                "produce.would_render",
                shots=m.count(len(would), "shot"),
                frames=m.count(data["frames"], "frame"),
                backend=data["backend"],
                ids=", ".join(would) or m("chat.nothing"),
            )
        )
    )
    ui.out.print(m("produce.current", n=len(data["reused"])))
    est = data["estimate"]
    ui.out.print(
        m(
            "produce.estimate",
            usd=f"{est['total_usd']:.2f}",
            spent=f"{est['spent_usd']:.2f}",
        )
    )
    ui.err.print(m("produce.dry_run"))


def _show_result(result: dict[str, Any], m: Any) -> None:
    rows = [(s["segment_id"], s["path"], s["frames"]) for s in result["segments"]]
    columns = [m("cli.production.segment"), m("cli.production.file"), m("produce.frames")]
    ui.out.print(ui.table(m("produce.segments"), columns, rows))
    final = result["final"]
    if final:
        ui.out.print(escape(m("produce.film", path=final["path"], frames=final["frames"])))
    ui.out.print(
        m(
            "produce.result",
            rendered=len(result["rendered"]),
            reused=len(result["reused"]),
            failed=len(result["failed"]),
            usd=f"{result['cost_usd']:.2f}",
        )
    )
    for failure in result["failed"]:
        ui.err.print(f"  [red]✗[/] {failure['shot_id']}: {escape(failure['error'])}")
    if result["stopped"]:
        ui.err.print(escape(m("produce.stopped", reason=result["stopped"])))


def register(app: typer.Typer) -> None:
    """Add ``produce`` to the ``storycore`` command."""
    app.command("produce")(produce)
