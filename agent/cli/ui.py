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
from rich.segment import Segment
from rich.table import Table

# C0 controls but newline and tab, DEL, C1 controls (0x9b is a one-byte CSI), and the Unicode
# bidirectional overrides that make text read differently from what it is.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Longest echo of user input in an error line.
ECHO_LIMIT = 200


def printable(text: str) -> str:
    """``text`` with every terminal control character shown as an escape (``\\x1b``).

    User text (a title, a name, a feedback, a file name) can hold ESC or OSC sequences that
    would move the cursor, rewrite the screen or set the window title. Every print path of
    the CLI goes through this function."""
    return _UNPRINTABLE.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shorten(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, with the number of characters left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


class SafeConsole(Console):
    """A rich console that escapes control characters in the text it renders.

    The styles rich adds (colours, bold) and its own control segments are kept; only the
    characters of the printed text are escaped, whatever renderable holds them."""

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        safe = (
            seg if seg.control else Segment(printable(seg.text), seg.style, seg.control)
            for seg in buffer
        )
        return super()._render_buffer(safe)


out = SafeConsole(highlight=False, soft_wrap=True)
err = SafeConsole(stderr=True, highlight=False, soft_wrap=True)


def emit_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout, with no colour and no wrapping.

    JSON escapes C0 controls itself; C1 controls and bidi overrides are escaped too."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write(_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")
    sys.stdout.flush()


def error_line(message: str) -> None:
    """One line on stderr: what was wrong. Echoes of the user's input are cut where the
    message is made (:func:`shorten`), so the message itself is never cut."""
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
    out = SafeConsole(file=stream, highlight=False, soft_wrap=True, no_color=True, width=10_000)
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
