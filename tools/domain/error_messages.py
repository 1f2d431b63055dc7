"""Readable one-line messages from pydantic validation errors."""

from __future__ import annotations

from pydantic import ValidationError


def format_validation_error(error: ValidationError, *, subject: str | None = None) -> str:
    """One readable line from a pydantic ``ValidationError`` (the first problem, then a count)."""
    problems = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "__root__")
        message = str(item.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if item.get("type") == "extra_forbidden":
            message = "unknown field"
        elif item.get("type") == "missing":
            message = "required field is missing"
        problems.append(f"{where}: {message}" if where else message)
    head = problems[0] if problems else str(error)
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    prefix = f"{subject}: " if subject else ""
    return f"{prefix}{head}{more}"
