"""``storycore comfyui ...``: the ComfyUI servers a project renders on (docs/comfyui.md).

- ``check DIR``: every server answers and has every node class and model file the project's
  shots need (nothing is submitted);
- ``references DIR [--element ID]... [--yes]``: render the elements' reference images, show
  them, and on confirmation record them in ``01_elements/NN_Name/references/`` as new element
  versions (the shots showing those elements become stale and are rendered again from them).

Every refusal prints one line on stderr, exits 2 and leaves the project unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

from storycore.agent.cli import ui

comfyui_app = typer.Typer(
    name="comfyui",
    help="ComfyUI servers: check them, render element references.",
    add_completion=False,
    rich_markup_mode=None,
)

_DIR = typer.Argument(..., metavar="DIR", help="The project folder.", show_default=False)


@comfyui_app.callback(invoke_without_command=True)
def _group(ctx: typer.Context) -> None:
    """ComfyUI servers: check them, render element references."""
    if ctx.invoked_subcommand is None:
        ui.out.print(ctx.get_help(), markup=False, highlight=False)


def _fail(message: str) -> None:
    ui.error_line(message)
    raise typer.Exit(2)


@comfyui_app.command("check")
def check(folder: Path = _DIR) -> None:
    """Check that the ComfyUI servers can run every shot of the project (submits nothing)."""
    from storycore.tools.comfyui.backend import ComfyUIBackend
    from storycore.tools.production.backend import BackendError
    from storycore.tools.production.producer import Production
    from storycore.tools.project import Project

    project = Project.open(folder)
    backend = ComfyUIBackend.from_environment(project.root)
    production = Production(project, backend)
    jobs = [t.job for t in production.tasks.values()]
    try:
        backend.preflight(jobs)
    except BackendError as exc:
        _fail(str(exc))
    servers = ", ".join(s.url for s in backend.servers if s.available())
    ui.out.print(f"{len(jobs)} shots can render on {escape(servers)}", highlight=False)


@comfyui_app.command("references")
def references(
    folder: Path = _DIR,
    element: list[str] = typer.Option(
        [], "--element", metavar="ID", help="Only this element (repeat it)."
    ),
    yes: bool = typer.Option(False, "--yes", help="Record the references without asking."),
) -> None:
    """Render the elements' reference images, then record them as new element versions."""
    from storycore.tools.comfyui.backend import ComfyUIBackend
    from storycore.tools.comfyui.references import (
        accept_references,
        discard_references,
        reference_jobs,
        render_references,
    )
    from storycore.tools.production.backend import BackendError
    from storycore.tools.project import Project

    project = Project.open(folder)
    backend = ComfyUIBackend.from_environment(project.root)
    jobs = reference_jobs(project, backend.config.image_model, element)
    if not jobs:
        _fail("the project has no visual element to render references for")
    try:
        rendered = render_references(
            project, backend, jobs, on_progress=lambda m: ui.out.print(escape(m), highlight=False)
        )
    except BackendError as exc:
        _fail(str(exc))
    finally:
        backend.close()
    for key, error in rendered.failed.items():
        ui.warn(f"{key}: {error}")
    if not rendered.images:
        _fail("no reference image was rendered")
    for element_id, images in rendered.images.items():
        for role, path in images:
            ui.out.print(f"{element_id} {role}: {escape(str(path))}", highlight=False)
    if not yes:
        if not sys.stdin.isatty():
            discard_references(project, rendered)
            _fail("confirm with --yes (no terminal to ask on); nothing was recorded")
        if not typer.confirm("Use these references for the shots?", default=False):
            discard_references(project, rendered)
            ui.out.print("nothing recorded")
            return
    updated = accept_references(project, rendered)
    for item in updated:
        ui.out.print(
            f"{item.element_id} is at version {item.current_version} "
            f"({len(item.reference_images)} reference images)",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add the ``comfyui`` group to the ``storycore`` command."""
    app.add_typer(comfyui_app, name="comfyui")
