"""What the CLI prints: rich tables and colours for people, plain JSON with ``--json``.

Colours follow the terminal: rich turns them off when stdout is not a TTY or NO_COLOR is set.
Errors go to stderr on one line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
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
