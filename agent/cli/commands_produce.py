"""``storycore produce``: render a planned project segment by segment, then assemble it.

Without ``--yes`` it stops at each confirmation in the terminal (the cost when a backend
charges, each segment, the assembled film); with ``--yes`` it approves them all. ``--dry-run``
prints what would be rendered and its cost and changes nothing. ``--json`` prints one object:
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
from storycore.tools.errors import InvalidInput


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
    from storycore.tools.production.producer import Production
    from storycore.tools.production.run import run_production
    from storycore.tools.project import Project

    project = Project.open(folder)
    production = Production(project, backend, segments=segment, shots=shot)
    if dry_run:
        data = production.dry_run()
        if as_json:
            ui.emit_json(data)
        else:
            _show_dry_run(data)
        return
    if not yes and not sys.stdin.isatty():
        raise InvalidInput("pass --yes to approve the confirmations, or --dry-run to only look")
    confirm = _auto if yes else _ask
    with _progress(disabled=as_json) as on_progress:
        result = run_production(
            production,
            confirm=confirm,
            apply_feedback=None if yes else _feedback(project.root, backend, segment, shot),
            on_progress=on_progress,
        )
    if as_json:
        ui.emit_json(result.as_json())
    else:
        _show_result(result)
    if result.failed:
        raise typer.Exit(1)


def _auto(kind: str, payload: dict[str, Any]) -> Any:
    from storycore.tools.production.run import Decision

    return Decision("approve")


def _ask(kind: str, payload: dict[str, Any]) -> Any:
    from rich.prompt import Prompt

    from storycore.tools.production.run import Decision

    if kind == "cost":
        per_model = ", ".join(f"{m}: ${c:.2f}" for m, c in payload["per_model_usd"].items())
        budget = payload.get("budget_usd")
        ui.err.print(
            f"Estimated cost ${payload['total_usd']:.2f} ({escape(per_model)}); "
            f"spent so far ${payload['spent_usd']:.2f}"
            + (f"; budget ${budget:.2f}" if budget is not None else "")
        )
        answer = Prompt.ask("Spend it?", choices=["yes", "no"], default="no", console=ui.err)
        return Decision("approve" if answer == "yes" else "reject")
    if kind == "segment":
        _show_segment(payload)
        answer = Prompt.ask(
            f"{payload['segment_id']}: approve, feedback or reject?",
            choices=["approve", "feedback", "reject"],
            default="approve",
            console=ui.err,
        )
        if answer == "feedback":
            text = Prompt.ask("What should change?", console=ui.err)
            return Decision("feedback", text)
        return Decision(answer)  # type: ignore[arg-type]
    final = payload.get("final")
    if final:
        ui.err.print(f"Film: {escape(final['path'])} ({final['frames']} frames)")
    return Decision("approve")


def _feedback(root: Path, backend: str, segments: list[str], shots: list[str]) -> Any:
    def apply(text: str) -> Any:
        from storycore.agent.feedback_cli import interpret
        from storycore.tools.production.producer import Production
        from storycore.tools.project import Project

        session, plan = interpret(root, text, offline=False)
        ui.err.print("Regenerate: " + escape(", ".join(plan.as_json().get("regenerate", []))))
        session.resume({"action": "approve"})
        return Production(Project.open(root), backend, segments=segments, shots=shots)

    return apply


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


def _show_dry_run(data: dict[str, Any]) -> None:
    would = data["would_render"]
    ui.out.print(
        f"Would render {len(would)} shots ({data['frames']} frames) with {data['backend']}: "
        + escape(", ".join(would) or "nothing")
    )
    ui.out.print(f"Already current: {len(data['reused'])}")
    est = data["estimate"]
    ui.out.print(f"Estimated cost: ${est['total_usd']:.2f} (spent so far ${est['spent_usd']:.2f})")
    ui.err.print("Dry run: nothing was changed.")


def _show_segment(payload: dict[str, Any]) -> None:
    ui.err.print(
        f"[bold]{payload['segment_id']}[/]: rendered {len(payload['rendered'])}, "
        f"reused {len(payload['reused'])}, failed {len(payload['failed'])}"
    )
    for failure in payload["failed"]:
        ui.err.print(f"  [red]✗[/] {failure['shot_id']}: {escape(failure['error'])}")
    for shot_id, problems in payload["gate"].items():
        ui.err.print(f"  [red]gate[/] {shot_id}: {escape('; '.join(problems))}")
    for note in payload["notes"]:
        ui.err.print(f"  note: {escape(note)}")


def _show_result(result: Any) -> None:
    rows = [(s["segment_id"], s["path"], s["frames"]) for s in result.segments]
    ui.out.print(ui.table("Segments", ["segment", "file", "frames"], rows))
    if result.final:
        ui.out.print(f"Film: {escape(result.final['path'])} ({result.final['frames']} frames)")
    ui.out.print(
        f"Rendered {len(result.rendered)}, reused {len(result.reused)}, "
        f"failed {len(result.failed)}; cost ${result.cost_usd:.2f}"
    )
    for failure in result.failed:
        ui.err.print(f"  [red]✗[/] {failure['shot_id']}: {escape(failure['error'])}")
    if result.stopped:
        ui.err.print(f"Stopped: {escape(result.stopped)}")


def register(app: typer.Typer) -> None:
    """Add ``produce`` to the ``storycore`` command."""
    app.command("produce")(produce)
