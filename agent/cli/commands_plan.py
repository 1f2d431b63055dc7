"""``storycore plan``, ``storycore export`` and ``storycore status``.

``plan`` turns a brief or a screenplay into a whole project folder; ``export`` writes one
hand-off format of a planned project; ``status`` reports where a project stands and which
checkpoint gates pass.

Only :func:`_run_plan` knows the planning engine (today the deterministic
:func:`storycore.tools.planner.plan_project`; later the assistant's graph). Everything else
here — arguments, the confirmation, the progress lines, the summary, the errors — talks to it
through :class:`PlanRequest`, :class:`Intake`, a progress callback and the
:class:`~storycore.tools.planner.PlanSummary` it returns.

Output: tables on stdout (``--json``: plain JSON), progress and questions on stderr, errors as
one stderr line with exit 2 and nothing written.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.status import Status
from rich.table import Table
from typer.exceptions import Exit

from storycore.agent.cli import ui
from storycore.tools.errors import InvalidInput, NotAProject, ProjectError, StoryCoreError

if TYPE_CHECKING:
    from storycore.tools.planner import PlanSummary
    from storycore.tools.project import Project

#: The formats ``storycore export`` offers (checked again by the exporter).
EXPORT_FORMAT_NAMES = ("otio", "edl", "fcpxml", "csv", "md", "html", "json", "breakdown")

Progress = Callable[[str], None]


# --------------------------------------------------------------------------------------
# What the CLI hands the engine, and what it gets back before planning
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRequest:
    """Everything ``storycore plan`` was asked, already read and checked."""

    text: str
    source_name: str
    out_dir: Path
    fps: str | None = None
    aspect: str | None = None
    duration: str | None = None
    language: str | None = None
    offline: bool = False
    title: str | None = None


#: Answers a confirmation the assistant shows (its payload) with an action word, feedback
#: text or a decision; None approves everything (``--yes``).
Confirm = Callable[[dict[str, Any]], Any]


class PlanDeclined(Exception):
    """The user rejected the plan at a confirmation (shown in ``language``)."""

    def __init__(self, kind: str, language: str = "en") -> None:
        super().__init__(kind)
        self.kind = kind
        self.language = language


def _run_plan(
    request: PlanRequest, *, progress: Progress, confirm: Confirm | None = None
) -> PlanSummary:
    """Plan ``request`` into its folder by driving the assistant's graph; the one place that
    knows the engine.

    With ``confirm`` None every confirmation is approved; otherwise each confirmation the
    graph stops at is passed to ``confirm`` and its answer resumes the graph. Nothing
    half-written is left behind: on an error, or a rejection before anything was planned,
    the folder is left as it was.
    """
    from storycore.agent.context import Context
    from storycore.agent.session import Session
    from storycore.tools.planner import Overrides, PlanGuard, read_brief, summarize
    from storycore.tools.project import Project

    overrides = Overrides(
        fps=request.fps,
        aspect=request.aspect,
        duration=request.duration,
        language=request.language,
        title=request.title,
    )
    context = Context.from_env(offline=request.offline)
    guard = PlanGuard(request.out_dir)
    with guard:
        with Session(
            request.out_dir, context=context, auto_approve=confirm is None, new=True
        ) as session:

            def on_event(kind: str, data: Any) -> None:
                if kind == "progress":
                    phase = str(data.get("label") or data.get("phase", "")).replace("_", " ")
                    progress(f"{phase}: {data.get('text', '')}" if phase else str(data.get("text")))

            turn = session.plan(
                request.text,
                source_name=request.source_name,
                overrides=overrides.as_dict(),
                on_event=on_event,
            )
            notes = list(turn.messages)
            while turn.interrupt is not None:
                assert confirm is not None
                payload = turn.interrupt
                kind = str(payload.get("kind"))
                answer = confirm(payload)
                try:
                    turn = session.resume(answer, on_event=on_event)
                except InvalidInput as exc:
                    # A bad edit is refused before it reaches the thread: ask again.
                    from storycore.tools.i18n import t

                    language = str(payload.get("language") or "en")
                    ui.warn(t("cli.answer_again", language, error=str(exc)))
                    continue
                notes.extend(turn.messages)
                if turn.interrupt is None and turn.phase != "planned":
                    raise PlanDeclined(kind, str(turn_language(turn.interrupt, request)))
        project = Project.open(request.out_dir)
        stored = read_brief(project)
        # Everything the brief said that the plan does not use, front matter or prose
        # ("format 10:1"): with --yes no confirmation showed it.
        warnings = [*stored.warnings, *stored.not_understood]
        warnings += [n for n in notes if not _is_ready_message(n)]
        return summarize(project, warnings)


def turn_language(payload: dict[str, Any] | None, request: PlanRequest) -> str:
    """The language to tell the user a plan was declined in."""
    from storycore.tools.i18n import display_language

    return display_language((payload or {}).get("language") or request.language)


def _is_ready_message(note: str) -> bool:
    """The node's "The plan is ready: ..." (in any language): not a warning."""
    from storycore.tools.i18n import languages, t

    return any(note.startswith(t("nodes.ready_start", code)) for code in languages())


# --------------------------------------------------------------------------------------
# Progress: one line per finished phase on stderr (a spinner on a terminal)
# --------------------------------------------------------------------------------------


class PhaseProgress(AbstractContextManager["PhaseProgress"]):
    """A progress callback: each phase the assistant finishes prints ``✓ what it did (0.12 s)``
    on stderr; on a terminal a spinner runs between phases (paused during questions)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.last = time.perf_counter()
        self._status: Status | None = None

    def __enter__(self) -> PhaseProgress:
        if self.console.is_terminal:
            self._status = self.console.status("planning...")
            self._status.start()
        return self

    def __call__(self, message: str) -> None:
        now = time.perf_counter()
        self.console.print(
            f"[green]✓[/] {escape(message)} [dim]({now - self.last:.2f} s)[/]", highlight=False
        )
        self.last = now

    def pause(self) -> None:
        if self._status is not None:
            self._status.stop()

    def resume(self) -> None:
        self.last = time.perf_counter()
        if self._status is not None:
            self._status.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._status is not None:
            self._status.stop()


# --------------------------------------------------------------------------------------
# storycore plan
# --------------------------------------------------------------------------------------


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, OSError, ValueError):
        return False


def check_out_dir(out_dir: Path) -> None:
    """Refuse a destination the planner must not touch: a file, or a non-empty folder that is
    not a StoryCore project. Checked before any work so the refusal comes first and alone."""
    from storycore.tools.project import Project, interrupted_plan

    for part in out_dir.parts:
        if len(part.encode("utf-8", "surrogateescape")) > _NAME_MAX:
            raise InvalidInput(
                f"--out: the name {ui.shorten(part, 40)!r} is longer than {_NAME_MAX} bytes"
            )
    probe = out_dir.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise ProjectError(f"--out {out_dir}: {probe} is a file, not a folder")
    if out_dir.exists() and not out_dir.is_dir():
        raise ProjectError(f"{out_dir} is a file, not a folder; choose a new or empty folder")
    if out_dir.is_dir() and not out_dir.is_symlink():
        left = interrupted_plan(out_dir)
        if left is not None and left["new"]:
            return  # what a killed plan into a new folder left: planning again replaces it
    if out_dir.is_dir() and not Project.is_project(out_dir) and any(out_dir.iterdir()):
        raise NotAProject(
            f"{out_dir} is not empty and is not a StoryCore project; choose a new or empty folder"
        )


def unused_front_matter(not_understood: list[str]) -> list[str]:
    """The front-matter values a brief gave that the plan cannot use (``fps: 1000``)."""
    return [item for item in not_understood if item.startswith("front matter")]


def check_front_matter_used(text: str, source_name: str | None) -> None:
    """``--strict``: refuse a brief whose front matter holds a value that would be dropped."""
    from storycore.tools.brief import parse_brief
    from storycore.tools.planner import detect_format

    if detect_format(text, source_name) == "fountain":
        return
    unused = unused_front_matter(parse_brief(text, source_name=source_name).not_understood)
    if unused:
        more = f" (and {len(unused) - 1} more)" if len(unused) > 1 else ""
        raise InvalidInput(f"--strict: {ui.shorten(unused[0], 160)}{more}")


def check_brief_file(brief: str) -> None:
    """Only a regular file is a brief: ``/dev/zero`` would be read forever, a FIFO would
    block until someone writes to it."""
    import os
    import stat

    from storycore.tools.errors import BriefError

    if brief == "-":
        return
    try:
        info = os.stat(brief)
    except FileNotFoundError:
        return  # read_brief_text says it does not exist
    except OSError as exc:
        raise BriefError(
            f"cannot read brief file {ui.shorten(brief, 80)!r}: {exc.strerror}"
        ) from None
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise BriefError(
            f"{ui.shorten(brief, 80)!r} is not a regular file (a device, a pipe or a socket); "
            "give the path of a text file, or - for standard input"
        )


def _kv_table(title: str, rows: list[tuple[str, Any]]) -> Table:
    """A two-column table of settings and values, without a header row."""
    table = ui.table(title, ["setting", "value"], rows)
    table.show_header = False
    # Paths and ids are copied by users: fold long values instead of cutting them with "…".
    table.columns[1].overflow = "fold"
    return table


def _prompt(question: str) -> str:
    """One answer typed at the terminal (tests replace this)."""
    from rich.prompt import Prompt

    return Prompt.ask(question, console=ui.err, default="y")


def _terminal_confirm(progress: PhaseProgress) -> Confirm:
    """Show each confirmation as a table and read the answer at the terminal."""
    from storycore.agent.cli.render import parse_answer, render_confirmation

    def confirm(payload: dict[str, Any]) -> Any:
        from storycore.tools.i18n import t

        progress.pause()
        try:
            render_confirmation(payload)
            answer = _prompt(t("cli.your_answer", str(payload.get("language") or "en")))
        finally:
            progress.resume()
        return parse_answer(answer, list(payload.get("actions", [])))

    return confirm


def summary_data(summary: PlanSummary) -> dict[str, Any]:
    """The plan summary as plain data (what ``--json`` prints)."""
    from storycore.tools.rates import parse_rate, rate_label
    from storycore.tools.timecode import format_seconds, format_smpte

    rate = parse_rate(summary.fps)
    return {
        "project_dir": str(summary.project_dir),
        "title": summary.title,
        "scenes": summary.scenes,
        "shots": summary.shots,
        "segments": summary.segments,
        "total_frames": summary.total_frames,
        "duration": format_smpte(summary.total_frames, rate, drop_frame=summary.drop_frame),
        "duration_seconds": float(format_seconds(summary.total_frames, rate)),
        "frame_rate": summary.fps,
        "frame_rate_label": rate_label(rate),
        "drop_frame": summary.drop_frame,
        "models": dict(summary.models),
        "estimated_cost_usd": summary.estimated_cost_usd,
        "costs": [dict(vars(cost)) for cost in summary.costs],
        "budget_usd": summary.budget_usd,
        "warnings": list(summary.warnings),
        "storyboard_html": str(Path(summary.project_dir) / "storyboard.html"),
    }


def _cost_line(cost: dict[str, Any], language: str) -> str:
    """``3 shots, 24.0 s x $0.50/s = $12.00`` for one model of the summary, in ``language``."""
    from storycore.tools.i18n import count, t
    from storycore.tools.planner import ModelCost

    if not cost["local"]:
        return ModelCost(**cost).describe(language)
    shots = count(cost["shots"], "shot", language)
    seconds = cost.get("screen_seconds")
    seconds = cost["billed_seconds"] if seconds is None else seconds
    return t("cli.summary.local", language, shots=shots, seconds=f"{seconds:.1f}")


def _print_summary(data: dict[str, Any], language: str = "en") -> None:
    from storycore.tools.i18n import Messages

    m = Messages(language)
    costs = {cost["model_id"]: cost for cost in data.get("costs", [])}
    models = "\n".join(
        f"{model_id}: " + _cost_line(costs[model_id], m.language)
        if model_id in costs
        else f"{model_id} ({m.count(count, 'shot')})"
        for model_id, count in data["models"].items()
    )
    budget = data.get("budget_usd")
    usd = f"{data['estimated_cost_usd']:,.2f}"
    if budget is not None:
        left = budget - data["estimated_cost_usd"]
        cost_row = m("cli.summary.of_budget", usd=usd, budget=f"{budget:,.2f}") + (
            m("cli.summary.left", usd=f"{left:,.2f}")
            if left >= 0
            else m("cli.summary.over", usd=f"{-left:,.2f}")
        )
    else:
        cost_row = m("cli.summary.usd", usd=usd)
    rate = data["frame_rate_label"] + (m("cli.summary.drop_frame") if data["drop_frame"] else "")
    none = m("cli.none")
    rows = [
        (m("cli.summary.title"), escape(data["title"])),
        (m("cli.summary.scenes"), data["scenes"]),
        (m("cli.summary.shots"), data["shots"]),
        (m("cli.summary.segments"), data["segments"]),
        (m("cli.summary.duration"), f"{data['duration']} ({data['duration_seconds']:.3f} s)"),
        (m("cli.summary.fps"), f"{rate} fps"),
        (m("cli.summary.models"), escape(models) or none),
        (m("cli.summary.cost"), cost_row),
        (m("cli.summary.warnings"), escape("\n".join(data["warnings"])) or none),
    ]
    ui.out.print(_kv_table(m("cli.summary.table"), rows))
    # On its own line, whole, so that it can be copied or clicked.
    ui.out.print(
        m("cli.summary.storyboard", path=data["storyboard_html"]), markup=False, highlight=False
    )


def plan(
    brief: str = typer.Argument(
        ...,
        metavar="BRIEF",
        help="A brief (.md, .txt) or a Fountain screenplay (.fountain); - reads standard input.",
        show_default=False,
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        "-o",
        metavar="DIR",
        help="The project folder to write: new, empty, or a StoryCore project to re-plan.",
        show_default=False,
    ),
    offline: bool = typer.Option(
        False, "--offline", help="Contact no language model (the deterministic planner only)."
    ),
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Approve every confirmation (needed without a terminal)."
    ),
    strict: bool = typer.Option(
        False, "--strict", help="Refuse a brief whose front matter has a value that is not used."
    ),
    fps: str | None = typer.Option(
        None,
        "--fps",
        metavar="FPS",
        help="Frame rate: 23.976, 24, 25, 29.97, 30, 48, 50, 59.94, 60.",
    ),
    aspect: str | None = typer.Option(
        None,
        "--aspect",
        metavar="A",
        help="Aspect ratio: 16:9, 9:16, 1:1, 4:3, 2.39:1, vertical...",
    ),
    duration: str | None = typer.Option(
        None,
        "--duration",
        metavar="D",
        help="Target length: 30, 90s, 1m30s, 4:27 (seconds by default).",
    ),
    language: str | None = typer.Option(
        None,
        "--language",
        metavar="L",
        help="The language the assistant answers in: en, fr, es, de...",
    ),
    title: str | None = typer.Option(
        None,
        "--title",
        metavar="TEXT",
        help="The video's title (instead of the brief's or the file name).",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the summary as JSON on stdout instead of a table."
    ),
) -> None:
    """Plan a brief or screenplay into a project folder: scenes, shots, elements, models,
    segments, storyboard.

    Progress goes to stderr, the summary to stdout. A brief that cannot be planned, or a
    folder that is neither empty nor a StoryCore project, is refused with nothing written.
    """
    from storycore.tools.brief import read_brief_text

    interactive = brief != "-" and _stdin_is_tty()
    if not yes and not interactive:
        reason = "the brief comes from standard input" if brief == "-" else "there is no terminal"
        raise InvalidInput(f"planning needs a confirmation and {reason}; pass --yes to approve it")
    if title is not None:
        from storycore.tools.planner import checked_title

        title = checked_title(title)
    check_out_dir(out)
    check_brief_file(brief)
    text, source_name = read_brief_text(brief)
    if strict:
        check_front_matter_used(text, source_name)
    request = PlanRequest(
        text=text,
        source_name=source_name,
        out_dir=out,
        fps=fps,
        aspect=aspect,
        duration=duration,
        language=language,
        offline=offline,
        title=title,
    )
    from storycore.tools.i18n import display_language, t

    try:
        with PhaseProgress(ui.err) as progress:
            summary = _run_plan(
                request, progress=progress, confirm=None if yes else _terminal_confirm(progress)
            )
    except OSError as exc:  # the destination cannot be written (/proc, a read-only disk)
        where = exc.filename or out
        raise InvalidInput(f"cannot write the project to {where}: {exc.strerror or exc}") from None
    except PlanDeclined as declined:
        what = t(f"cli.declined_kind.{declined.kind}", declined.language)
        ui.err.print(t("cli.not_planned", declined.language, what=what))
        raise Exit(1) from None
    data = summary_data(summary)
    language = display_language(summary.language)
    if as_json:
        ui.emit_json(data)
    else:
        _print_summary(data, language)
    if not offline:
        from storycore.agent.context import OFFLINE_NO_ENDPOINT, Context

        offline_reason = Context.from_env().offline_reason
        if offline_reason:  # said plainly, once the plan is done
            if offline_reason == OFFLINE_NO_ENDPOINT:
                offline_reason = t("cli.offline_no_endpoint", language)
            ui.err.print(t("cli.note", language, text=offline_reason))


# --------------------------------------------------------------------------------------
# storycore export
# --------------------------------------------------------------------------------------


def export(
    folder: Path = typer.Argument(
        ..., metavar="DIR", help="The project folder.", show_default=False
    ),
    fmt: str = typer.Option(
        ...,
        "--format",
        "-f",
        metavar="FORMAT",
        help=(
            "otio, edl (CMX3600), fcpxml (Final Cut Pro 7 XML), csv (shot list), "
            "breakdown (script breakdown), md, html, json (storyboard)."
        ),
        show_default=False,
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        metavar="PATH",
        help="The file to write (default: exports/<title>.<ext>, or the storyboard file).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Overwrite an existing file outside the project's exports/."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print {format, path} as JSON."),
) -> None:
    """Write a planned project as an editor timeline, a shot list or a storyboard document,
    and print the path written (``--out -`` writes the document to stdout)."""
    kind = fmt.strip().lower()
    if kind not in EXPORT_FORMAT_NAMES:
        raise InvalidInput(
            f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMAT_NAMES)}"
        )
    from storycore.tools.exports import export as write_export
    from storycore.tools.project import Project

    project = Project.open(folder)
    if out is not None and str(out) == "-":
        _export_to_stdout(project, kind)
        return
    if out is not None:
        check_export_target(project, out, force=force)
    try:
        path = write_export(project, kind, out)
    except OSError as exc:
        raise InvalidInput(f"cannot write {exc.filename or out}: {exc.strerror or exc}") from None
    if as_json:
        ui.emit_json({"format": kind, "path": str(path)})
    else:
        ui.out.print(str(path), markup=False, highlight=False)


#: Files of the project an export may replace besides exports/: the storyboard documents.
_EXPORTABLE_AT_ROOT = ("storyboard.md", "storyboard.json", "storyboard.html")
#: Longest file name most file systems accept (bytes).
_NAME_MAX = 255


def check_export_target(project: Any, out: Path, *, force: bool) -> None:
    """Refuse an ``export --out`` that could harm: a device, FIFO or folder, one of the
    project's own documents, a name too long, a parent that is a file, or an existing file
    outside ``exports/`` without ``force``. Checked before anything is written."""
    import os
    import stat

    path = Path(out).expanduser()
    for part in path.parts:
        if len(part.encode("utf-8", "surrogateescape")) > _NAME_MAX:
            raise InvalidInput(
                f"--out: the name {ui.shorten(part, 40)!r} is longer than {_NAME_MAX} bytes"
            )
    try:
        info: os.stat_result | None = path.stat()
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        raise InvalidInput(f"--out {path}: a parent of it is a file, not a folder") from None
    except OSError as exc:
        raise InvalidInput(f"--out {path}: {exc.strerror or exc}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise InvalidInput(f"--out {path} is {kind}; give the path of a file to write")
    probe = path.parent if path.parent != Path("") else Path(".")
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise InvalidInput(f"--out {path}: {probe} is a file, not a folder")
    resolved = path.resolve()
    root = project.root
    if resolved == root or root in resolved.parents:
        rel = resolved.relative_to(root).as_posix()
        if not (rel.startswith("exports/") or rel in _EXPORTABLE_AT_ROOT):
            raise InvalidInput(
                f"--out {path} is inside the project but not under exports/; an export must "
                "not replace the project's own files"
            )
        return
    if info is not None and not force:
        raise InvalidInput(f"--out {path} exists; add --force to overwrite it")


def _export_to_stdout(project: Any, kind: str) -> None:
    """Export into a private temporary file outside the project and copy it to stdout."""
    import tempfile

    from storycore.tools.exports import export as write_export

    suffix = {"otio": ".otio", "edl": ".edl", "fcpxml": ".xml", "csv": ".csv"}.get(kind, "")
    suffix = suffix or {"md": ".md", "html": ".html", "json": ".json"}.get(kind, ".csv")
    with tempfile.TemporaryDirectory(prefix="storycore-export-") as tmp:
        target = Path(tmp) / f"export{suffix}"
        written = write_export(project, kind, target)
        data = written.read_bytes()
    if sys.stdout.isatty():  # a person reads it: no control character reaches the terminal
        ui.out.file.write(ui.printable(data.decode("utf-8", "replace")))
        ui.out.file.flush()
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


# --------------------------------------------------------------------------------------
# storycore status
# --------------------------------------------------------------------------------------


def status_data(project: Project) -> dict[str, Any]:
    """Where ``project`` stands: specs, counts, duration, shot statuses, models, gates."""
    from storycore.tools.i18n import display_language
    from storycore.tools.planner import read_scenes
    from storycore.tools.rates import rate_label
    from storycore.tools.specs import describe_specs
    from storycore.tools.structure import load_shots
    from storycore.tools.timecode import format_seconds, format_smpte
    from storycore.tools.validation import run_all

    manifest = project.manifest
    specs = manifest.technical_specs
    problems: list[str] = []
    try:
        shots = load_shots(project)
    except StoryCoreError as exc:
        shots, problems = [], [*problems, str(exc)]
    try:
        scenes = len(read_scenes(project))
    except StoryCoreError as exc:
        scenes, problems = 0, [*problems, str(exc)]
    total = shots[-1].end_frame - shots[0].start_frame if shots else 0
    elements = Counter(ref.type.value for ref in manifest.elements)
    statuses = Counter(shot.status.value for shot in shots)
    models = Counter(shot.model_id or "(none)" for shot in shots)
    gates = [verdict.as_dict() for verdict in run_all(project)]
    from storycore.tools.production.status import production_status

    return {
        "project_dir": str(project.root),
        "title": manifest.title,
        "phase": manifest.phase.value,
        "specs": dict(describe_specs(specs, display_language(specs.language))),
        "counts": {
            "scenes": scenes,
            "shots": len(shots),
            "segments": len(manifest.segments),
            "elements": dict(sorted(elements.items())),
        },
        "total_frames": total,
        "duration": format_smpte(total, specs.rate, drop_frame=specs.uses_drop_frame),
        "duration_seconds": float(format_seconds(total, specs.rate)),
        "frame_rate": specs.fps,
        "frame_rate_label": rate_label(specs.rate),
        "drop_frame": specs.uses_drop_frame,
        "shots_by_status": dict(sorted(statuses.items())),
        "models": dict(sorted(models.items(), key=lambda kv: (-kv[1], kv[0]))),
        "gates": gates,
        "ok": all(gate["ok"] for gate in gates) and not problems,
        "problems": problems,
        "production": production_status(project),
    }


def _print_status(data: dict[str, Any], language: str = "en") -> None:
    from storycore.agent.confirmations import gate_name
    from storycore.tools.i18n import Messages, catalog

    m = Messages(language)
    out = ui.out
    phase = m(f"phase.{data['phase']}") if f"phase.{data['phase']}" in catalog("en") else ""
    out.print(
        f"[bold]{escape(data['title'])}[/]  {m('cli.status.phase')}: {phase or data['phase']}"
    )
    out.print(escape(data["project_dir"]), markup=False, highlight=False)
    counts = data["counts"]
    none = m("cli.none")
    elements = ", ".join(m.count(n, kind) for kind, n in counts["elements"].items()) or none
    overview = [
        (m("cli.summary.scenes"), counts["scenes"]),
        (m("cli.summary.shots"), counts["shots"]),
        (m("cli.summary.segments"), counts["segments"]),
        (m("cli.status.elements"), elements),
        (m("cli.summary.duration"), f"{data['duration']} ({data['duration_seconds']:.3f} s)"),
        (
            m("cli.status.by_status"),
            ", ".join(f"{n} {_shot_status(s, m)}" for s, n in data["shots_by_status"].items())
            or none,
        ),
        (
            m("cli.summary.models"),
            ", ".join(f"{model} ({n})" for model, n in data["models"].items()) or none,
        ),
    ]
    out.print(_kv_table(m("cli.status.project"), [(k, escape(str(v))) for k, v in overview]))
    out.print(
        ui.table(
            m("cli.status.specs"),
            [m("cli.status.setting"), m("cli.status.value")],
            [(_spec_label(k, m), escape(v)) for k, v in data["specs"].items()],
        )
    )
    gate_rows = [
        (
            "[green]✓[/]" if gate["ok"] else "[red]✗[/]",
            gate_name(gate["gate"], m),
            escape(
                "\n".join(gate["failures"])
                if gate["failures"]
                else m("validation.semicolon").join(gate["passed"])
            ),
        )
        for gate in data["gates"]
    ]
    out.print(
        ui.table(
            m("cli.status.gates"), ["", m("cli.status.gate"), m("cli.status.details")], gate_rows
        )
    )
    _print_production(data.get("production"), m)
    for problem in data["problems"]:
        ui.warn(escape(problem))


def _spec_label(label: str, m: Any) -> str:
    """A row name of the specs table (English in ``status --json``) in the messages' language."""
    from storycore.tools.i18n import catalog

    key = "cli.specs." + "_".join(label.lower().split())
    return str(m(key)) if key in catalog("en") else label


def _shot_status(status: str, m: Any) -> str:
    from storycore.tools.i18n import catalog

    key = f"cli.shot_status.{status}"
    return str(m(key)) if key in catalog("en") else status


def status(
    folder: Path = typer.Argument(
        ..., metavar="DIR", help="The project folder.", show_default=False
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Report where a project stands: specs, counts, duration, shot statuses, models, and the
    checkpoint gates. Exits 0 even when a gate fails (it is a report); 2 for a non-project."""
    from storycore.tools.project import Project

    if not as_json:
        show_status(folder)
        return
    ui.emit_json(status_data(Project.open(folder)))


def _print_production(production: dict[str, Any] | None, m: Any = None) -> None:
    from storycore.tools.i18n import Messages

    m = m or Messages("en")
    if not production or not any(production["counts"].get(k) for k in _PRODUCED):
        return
    rows = []
    for seg in production["segments"]:
        counts = ", ".join(
            f"{n} {_shot_status(state, m)}" for state, n in sorted(seg["counts"].items())
        )
        shots = " ".join(f"{i}:{state}" for i, state in seg["shots"].items() if state != "done")
        rows.append((seg["segment_id"], counts, seg["path"] or "-", shots or m("cli.all_done")))
    columns = [m(f"cli.production.{c}") for c in ("segment", "shots", "file", "not_done")]
    ui.out.print(ui.table(m("cli.production.title"), columns, rows))
    ui.out.print(
        m(
            "cli.production.film",
            film=production["film"] or m("cli.production.not_assembled"),
            usd=f"{production['spent_usd']:.2f}",
        )
    )


_PRODUCED = ("done", "stale", "failed", "rendering")


def register(app: typer.Typer) -> None:
    """Add ``plan``, ``export`` and ``status`` to the ``storycore`` command."""
    app.command("plan")(plan)
    app.command("export")(export)
    app.command("status")(status)


def show_status(folder: Path) -> None:
    """The status report of ``folder`` (also the chat's /status), in the display language
    (``--language``) or the project's answer language."""
    from storycore.tools.i18n import display_language
    from storycore.tools.project import Project
    from storycore.tools.specs import describe_specs

    project = Project.open(folder)
    language = display_language(project.manifest.technical_specs.language)
    data = status_data(project)  # English values, as --json prints them
    data["specs"] = dict(describe_specs(project.manifest.technical_specs, language))
    _print_status(data, language)
