"""Plain text and flag parameters read without pydantic.

Typer (0.29) checks every parameter's value through a pydantic ``TypeAdapter`` built the first
time the parameter is read: any command but ``--help`` imports pydantic and builds a schema
per parameter (about 0.1 s before the command starts). Almost every StoryCore parameter is a
``str`` or a ``bool`` that the command line already gives as one, and the adapter hands it
back unchanged. :func:`plain_params` gives those parameters a check that returns such a value
as it is and sends anything else (bytes, a default of another type) to Typer's own adapter,
built then: what a command receives is exactly what Typer would give it.

It uses Typer's runtime-parameter hook (``typer._coercion``); with a Typer without it, every
parameter keeps Typer's own check.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

__all__ = ["plain_params"]

try:
    from typer._coercion import RuntimeParam, build_runtime_param
except ImportError:  # pragma: no cover - another Typer: its own checks apply
    RuntimeParam = None  # type: ignore[assignment,misc]


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class _Plain(RuntimeParam):
        """A ``str`` or ``bool`` value as it is; any other through Typer's adapter."""

        descriptor: Any = None

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if type(value) is self.annotation:
                return value
            typer_own = build_runtime_param(self.descriptor)
            return typer_own._coerce_value(value, param=param, ctx=ctx)


def _plain(param: Any) -> bool:
    """A single ``str`` or ``bool`` value with no parser, choices, path or file rules."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", False) is not None:
        return False
    if descriptor.annotation not in (str, bool) or descriptor.parameter_info.parser is not None:
        return False
    if param.multiple or param.nargs != 1:
        return False
    return not (descriptor.is_choice or descriptor.is_path or descriptor.is_file)


def _help_option(command: Any, names: list[str]) -> Any:
    """The command's ``--help`` option, made now as click makes it at its first parse (it
    keeps it: the same object then)."""
    try:
        return command.get_help_option(SimpleNamespace(help_option_names=names))
    except (AttributeError, TypeError):  # pragma: no cover - another click or Typer
        return None


def plain_params(command: Any, help_names: list[str] | None = None) -> Any:
    """Give the plain parameters of ``command`` and its subcommands (and their ``--help``
    options) the light check; ``command`` is returned. ``help_names`` are the help option
    names a parent's context passes down (click's default: ``--help``)."""
    if RuntimeParam is None:
        return command  # pragma: no cover
    settings = getattr(command, "context_settings", None) or {}
    names = list(settings.get("help_option_names") or help_names or ["--help"])
    for param in [*getattr(command, "params", []), _help_option(command, names)]:
        if param is not None and _plain(param):
            descriptor = param.type_descriptor
            param._runtime_param = _Plain(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                descriptor=descriptor,
            )
    for sub in getattr(command, "commands", {}).values():
        plain_params(sub, names)
    return command
