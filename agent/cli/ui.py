"""What the CLI prints: rich tables and colours for people, plain JSON with ``--json``.

Colours follow the terminal: rich turns them off when stdout is not a TTY or NO_COLOR is set.
Errors go to stderr on one line.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.table import Table

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def emit_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout, with no colour and no wrapping."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def error_line(message: str) -> None:
    """One line on stderr: what was wrong."""
    text = " ".join(str(message).split())
    err.print(f"[bold red]error:[/] {text}", markup=True, highlight=False)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {message}", markup=True, highlight=False)


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    justify: dict[str, str] | None = None,
) -> Table:
    """A rich table with the house look; numbers right-aligned via ``justify``."""
    t = Table(title=title, title_justify="left", header_style="bold", show_lines=False)
    for name in columns:
        t.add_column(name, justify=(justify or {}).get(name, "left"))  # type: ignore[arg-type]
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    return t


@contextmanager
def redirect_out(stream: Any) -> Iterator[None]:
    """Send what :data:`out` prints to ``stream`` for a while (``--json`` capturing)."""
    global out
    saved = out
    out = Console(file=stream, highlight=False, soft_wrap=True, no_color=True, width=10_000)
    try:
        yield
    finally:
        out = saved


_SECRET_NAMES = ("KEY", "TOKEN", "SECRET", "PASSWORD")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+):[^@\s]+@")


class SecretFilter(logging.Filter):
    """Masks, in every log line, the values of secret environment variables (``*_API_KEY``,
    ``*_TOKEN``...) and the password of any URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for name, value in os.environ.items():
            if len(value) >= 6 and any(part in name.upper() for part in _SECRET_NAMES):
                message = message.replace(value, "***")
        record.msg = _URL_PASSWORD.sub(r"\1:***@", message)
        record.args = None
        return True
