"""The ``storycore`` command.

Each group of commands lives in its own module and is registered here. Heavy libraries
(LangGraph, langchain-openai, OpenTimelineIO) are imported inside the commands that need
them, so ``storycore --help`` stays instant.
"""

from __future__ import annotations

import sys

import typer
from typer.exceptions import Abort, Exit, TyperException

from storycore.agent.cli import ui
from storycore.tools.errors import StoryCoreError

app = typer.Typer(
    name="storycore",
    help="StoryCore Assistant: plan and produce videos made with generative models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    """StoryCore Assistant: plan and produce videos made with generative models."""
    if version:
        from importlib.metadata import version as dist_version

        ui.out.print(dist_version("storycore-assistant"))
        raise Exit(0)
    if ctx.invoked_subcommand is None:
        ui.out.print(ctx.get_help())


def _register() -> None:
    # Imported here so that a module's import error names the module, not this file.
    from storycore.agent.cli import commands_schema

    commands_schema.register(app)
    for name in (
        "commands_timecode",
        "commands_models",
        "commands_plan",
        "commands_elements",
        "commands_agent",
        "commands_mcp",
        "commands_serve",
        "commands_produce",
        "commands_comfyui",
    ):
        try:
            module = __import__(f"storycore.agent.cli.{name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"storycore.agent.cli.{name}":
                raise
            continue  # a command group not built yet
        module.register(app)


_register()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 2 bad input, 1 unexpected failure)."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        args = ["--help"]
    try:
        result = app(args=args, prog_name="storycore", standalone_mode=False)
    except Exit as exc:
        return exc.exit_code
    except Abort:
        ui.error_line("aborted")
        return 130
    except TyperException as exc:  # usage errors: a bad option, a missing argument
        ui.error_line(exc.format_message())
        return 2
    except StoryCoreError as exc:
        ui.error_line(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        ui.error_line("interrupted")
        return 130
    return result if isinstance(result, int) else 0


def entry_point() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
