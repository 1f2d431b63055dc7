"""The ``storycore`` command.

Each group of commands lives in its own module and is registered here. Heavy libraries
(LangGraph, langchain-openai, OpenTimelineIO) are imported inside the commands that need
them, so ``storycore --help`` stays instant.

Conventions every command follows, handled here once:

- ``-h`` as well as ``--help``;
- ``--json`` anywhere: output as JSON (a command with no JSON form of its own prints
  ``{"output": ...}``), and an error as ``{"error": "..."}`` on stdout with exit 2;
- ``--verbose`` anywhere: the library's logs on stderr (secrets masked);
- ``--checkpoint-url URL`` anywhere: where conversations are kept
  (``STORYCORE_CHECKPOINT_URL``, see :mod:`storycore.agent.persistence`);
- ``--language en|fr`` anywhere: what the command prints (progress, tables, confirmations,
  chat replies) in that language instead of the project's answer language
  (:mod:`storycore.tools.i18n`); ``plan`` also takes it as the brief's answer language.
"""

from __future__ import annotations

import io
import os
import sys
from contextlib import redirect_stdout
from typing import Any

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
    context_settings={"help_option_names": ["-h", "--help"]},
)
# Interactive or serving commands: no JSON form.
NO_JSON = {"chat", "mcp", "serve"}


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
    _json: bool = typer.Option(
        False, "--json", help='JSON output, and errors as {"error": ...} (any command).'
    ),
    _verbose: bool = typer.Option(False, "--verbose", help="Logs on stderr (any command)."),
    _checkpoint_url: str | None = typer.Option(
        None,
        "--checkpoint-url",
        help="Where conversations are kept: postgresql://... or sqlite:///path "
        "(default: the project's .storycore/; env STORYCORE_CHECKPOINT_URL).",
    ),
    _language: str | None = typer.Option(
        None,
        "--language",
        metavar="L",
        help="Print in this language (en, fr) instead of the project's answer language "
        "(any command).",
    ),
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
        "commands_check",
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
    """Run the CLI; return the exit code (0 ok, 2 bad input, 1 unexpected failure, 130 Ctrl-C)."""
    try:
        return _main(argv)
    finally:
        # --language lasts one command (tests run many in one process). Only a command that
        # printed messages loaded the catalogs: --help stays free of them.
        i18n = sys.modules.get("storycore.tools.i18n")
        if i18n is not None:
            i18n.set_display_language(None)


def _main(argv: list[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["--help"]
    options = _global_options(args)
    args = options["args"]
    if options["verbose"]:
        _enable_logs()
    if options["checkpoint_url"] is not None:
        os.environ["STORYCORE_CHECKPOINT_URL"] = options["checkpoint_url"]
    as_json = options["json"]
    try:
        if options["language"] is not None:
            from storycore.tools import i18n

            i18n.set_display_language(_display_language(options["language"]))
        command = _leaf_command(args)
        if as_json and command is not None and command.name in NO_JSON:
            raise TyperException(f"storycore {command.name} is interactive: it has no --json")
        takes_json = command is not None and any(
            "--json" in getattr(p, "opts", []) for p in command.params
        )
        if as_json and takes_json:
            args = _with_json(args)
        takes_language = command is not None and any(
            "--language" in getattr(p, "opts", []) for p in command.params
        )
        if options["language"] is not None and takes_language:
            args = _with_option(args, "--language", options["language"])
        if as_json and not takes_json and command is not None:
            captured = io.StringIO()
            with redirect_stdout(captured), ui.redirect_out(captured):
                result = _run(args)
            ui.emit_json(_as_json(captured.getvalue()))
        else:
            result = _run(args)
    except Exit as exc:
        if exc.exit_code == 130:  # typer's answer to Ctrl-C
            return _fail("interrupted", 130, as_json)
        return exc.exit_code
    except Abort:
        return _fail("aborted", 130, as_json)
    except TyperException as exc:  # usage errors: a bad option, a missing argument
        return _fail(exc.format_message(), 2, as_json)
    except StoryCoreError as exc:
        return _fail(str(exc), exc.exit_code, as_json)
    except KeyboardInterrupt:
        return _fail("interrupted", 130, as_json)
    if result == 130:  # click returns typer's Exit(130) for a Ctrl-C: say so
        return _fail("interrupted", 130, as_json)
    return result if isinstance(result, int) else 0


def _as_json(text: str) -> Any:
    """What a command printed, as JSON: itself if it is JSON already, else ``{"output"}``."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return {"output": text.rstrip("\n")}


_command: Any = None


def _click_command() -> Any:
    """The click command of :data:`app`, built once per process (Typer builds it anew at
    each call: about 15 ms), its plain parameters read without pydantic
    (:mod:`storycore.agent.cli.params`)."""
    global _command
    if _command is None:
        from storycore.agent.cli.params import plain_params

        _command = plain_params(typer.main.get_command(app))
    return _command


def _run(args: list[str]) -> Any:
    # What ``app(...)`` does, on the command built once.
    if sys.excepthook is not typer.main.except_hook:
        sys.excepthook = typer.main.except_hook
    return _click_command()(args=args, prog_name="storycore", standalone_mode=False)


def _display_language(value: str) -> str:
    """The code of ``--language``'s value (``fr``, ``French``, ``français``); a language
    without messages of its own prints in English."""
    from storycore.tools.domain.values import normalize_language

    try:
        return normalize_language(value)
    except ValueError as exc:
        raise TyperException(f"--language: {exc}") from None


def _fail(message: str, code: int, as_json: bool) -> int:
    ui.error_line(message)
    if as_json:
        ui.emit_json({"error": " ".join(str(message).split()), "exit_code": code})
    return code


def _global_options(args: list[str]) -> dict[str, Any]:
    """Take ``--json``, ``--verbose``, ``--checkpoint-url`` and ``--language`` out of ``args``
    (before a ``--``); ``--json`` and ``--language`` go back in for the commands that have
    their own."""
    kept: list[str] = []
    found: dict[str, Any] = {
        "json": False,
        "verbose": False,
        "checkpoint_url": None,
        "language": None,
    }
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            kept.append(arg)
            kept.extend(rest)
            break
        if arg == "--json":
            found["json"] = True
        elif arg == "--verbose":
            found["verbose"] = True
        elif arg == "--checkpoint-url":
            found["checkpoint_url"] = next(rest, "")
        elif arg.startswith("--checkpoint-url="):
            found["checkpoint_url"] = arg.split("=", 1)[1]
        elif arg == "--language":
            found["language"] = next(rest, "")
        elif arg.startswith("--language="):
            found["language"] = arg.split("=", 1)[1]
        else:
            kept.append(arg)
    found["args"] = kept
    return found


def _leaf_command(args: list[str]) -> Any:
    """The command ``args`` name (``storycore models list`` -> list), or None."""
    command: Any = _click_command()
    for arg in args:
        if arg.startswith("-") or not hasattr(command, "commands"):
            break
        sub = command.commands.get(arg)
        if sub is None:
            return None
        command = sub
    return None if hasattr(command, "commands") else command


def _with_json(args: list[str]) -> list[str]:
    if "--" in args:
        at = args.index("--")
        return [*args[:at], "--json", *args[at:]]
    return [*args, "--json"]


def _with_option(args: list[str], name: str, value: str) -> list[str]:
    if "--" in args:
        at = args.index("--")
        return [*args[:at], name, value, *args[at:]]
    return [*args, name, value]


def _enable_logs() -> None:
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ui.SecretFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in ("httpcore", "httpx", "httpx2", "openai._base_client", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def entry_point() -> None:
    """The ``storycore`` executable: exit with :func:`main`'s code.

    After Ctrl-C, exit at once: a language-model request still running in a worker thread
    must not hold the process (its retries are already cancelled, and a transaction it
    left open is rolled back the next time the project is opened).
    """
    code = main()
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    sys.exit(code)


if __name__ == "__main__":
    entry_point()
