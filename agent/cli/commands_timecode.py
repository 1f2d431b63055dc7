"""``storycore timecode convert VALUE --fps FPS``: one time, written in another form.

The work is :mod:`storycore.tools.timecode`; it is imported inside the command because it
loads OpenTimelineIO, and ``storycore --help`` must stay instant.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from typer.core import TyperCommand, TyperOption

from storycore.agent.cli import ui
from storycore.tools.errors import TimecodeError

_NEGATIVE_LOOKING = re.compile(r"-[\d.:;,]")

_CONVERT_HELP = """Write a time in another form: frames, SMPTE, seconds, SRT or MM:SS.cc.

VALUE is recognised by its form: HH:MM:SS:FF (SMPTE), HH:MM:SS;FF (drop-frame SMPTE),
HH:MM:SS,mmm (SRT), MM:SS.cc (storyboard; minutes may exceed 59), an integer (a frame
count) or a number followed by s (seconds, e.g. 12.5s). Clock forms are read to the nearest
frame (half up); seconds, SRT and MM:SS.cc are printed from the frame's start time rounded to
the millisecond or centisecond.

Drop-frame exists at 29.97 and 59.94 only. For the INPUT, a ';' timecode is always
drop-frame; a ':' timecode is read as non-drop unless --drop-frame is given. For the OUTPUT,
SMPTE is drop-frame at 29.97 and 59.94 unless --non-drop-frame is given. So at 29.97,
'00:01:00:00' (non-drop) prints 00:01:00;02, and '00:01:00;02 --non-drop-frame' prints
00:01:00:00. Quote a drop-frame VALUE in the shell, where ';' ends a command.
"""


class _ConvertCommand(TyperCommand):
    """Reads a negative VALUE (``-5``, ``-00:00:01:00``) as the argument, not as an option.

    Click would report "No such option: -5", which hides the real problem; moved behind
    ``--``, the value reaches the parser, which says it is negative.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        takes_value = {
            opt
            for param in self.params
            if isinstance(param, TyperOption) and not param.is_flag
            for opt in param.opts
        }
        kept: list[str] = []
        moved: list[str] = []
        tail: list[str] = []
        for index, arg in enumerate(args):
            if arg == "--":
                tail = args[index + 1 :]
                break
            previous = args[index - 1] if index else ""
            if _NEGATIVE_LOOKING.match(arg) and previous not in takes_value:
                moved.append(arg)
            else:
                kept.append(arg)
        if not moved:
            return super().parse_args(ctx, args)
        return super().parse_args(ctx, [*kept, "--", *moved, *tail])


def convert(
    value: str = typer.Argument(
        ...,
        metavar="VALUE",
        help="HH:MM:SS:FF, HH:MM:SS;FF, HH:MM:SS,mmm, MM:SS.cc, a frame count, or 12.5s.",
        show_default=False,
    ),
    fps: str = typer.Option(
        ...,
        "--fps",
        help="Frame rate: 23.976 (24000/1001), 24, 25, 29.97 (30000/1001), 30, 48, 50, "
        "59.94 (60000/1001), 60.",
        show_default=False,
    ),
    to: str = typer.Option("smpte", "--to", help="Output form: frames, smpte, seconds, srt, mmss."),
    drop_frame: bool | None = typer.Option(
        None,
        "--drop-frame/--non-drop-frame",
        help="Read a ':' VALUE as drop-frame / print SMPTE as non-drop (default: drop-frame "
        "output at 29.97 and 59.94, ':' input read as non-drop).",
        show_default=False,
    ),
) -> None:
    """Write a time in another form (see the full help for drop-frame rules)."""
    from storycore.tools import timecode
    from storycore.tools.rates import is_drop_frame_rate, parse_rate, rate_label

    rate = parse_rate(fps)
    form = to.strip().lower()
    if form not in timecode.OUTPUT_FORMS:
        raise TimecodeError(
            f"unknown --to form {to!r}; use one of {', '.join(timecode.OUTPUT_FORMS)}"
        )
    if drop_frame and not is_drop_frame_rate(rate):
        raise TimecodeError(
            f"--drop-frame is not possible at {rate_label(rate)} fps; drop-frame timecode "
            "exists only at 29.97 and 59.94"
        )
    # --non-drop-frame governs the output only: a ';' VALUE stays drop-frame by its form.
    frames = timecode.parse_timecode(value, rate, drop_frame=True if drop_frame else None)
    ui.out.print(
        timecode.format_frames(frames, rate, form, drop_frame), markup=False, highlight=False
    )


timecode_app = typer.Typer(
    name="timecode",
    help="Timecodes: convert between frames, SMPTE (drop-frame too), seconds, SRT and MM:SS.cc.",
    add_completion=False,
    rich_markup_mode=None,
)


@timecode_app.callback(invoke_without_command=True)
def _timecode_group(ctx: typer.Context) -> None:
    """Timecodes: convert between frames, SMPTE (drop-frame too), seconds, SRT and MM:SS.cc."""
    # Help on stdout with exit 0, as `storycore` alone does (no_args_is_help would make
    # click raise a usage error, which main() prints as an error with exit 2).
    if ctx.invoked_subcommand is None:
        ui.out.print(ctx.get_help(), markup=False, highlight=False)


timecode_app.command("convert", cls=_ConvertCommand, help=_CONVERT_HELP)(convert)


def register(app: typer.Typer) -> None:
    """Add the ``timecode`` group to the ``storycore`` command."""
    app.add_typer(timecode_app, name="timecode")
