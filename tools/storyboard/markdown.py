"""``storyboard.md``: the storyboard as readable Markdown, one table of shots per segment."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from storycore.tools.rates import rate_label

# --------------------------------------------------------------------------------------
# storyboard.md
# --------------------------------------------------------------------------------------

# Markdown punctuation that could start a link, code, emphasis or a new cell. An underscore
# inside a word (shot_01) cannot start emphasis and stays readable.
_MD_SPECIAL = re.compile(r"[\\`*\[\]|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def md_cell(text: object) -> str:
    """Text safe in a Markdown table cell: one line, no table break, no live HTML."""
    value = " ".join(str(text).split())
    value = html.escape(value, quote=False)
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), value)


def _names(storyboard: dict[str, Any], ids: Iterable[str]) -> list[str]:
    elements = storyboard.get("elements", {})
    return [elements.get(i, {}).get("name", i) for i in ids]


def _label(value: str | None) -> str:
    return (value or "").replace("_", " ")


def render_markdown(storyboard: dict[str, Any]) -> str:
    """``storyboard.md``: segments as headings, a table of shots with timecodes."""
    rate = Fraction(storyboard["frame_rate"])
    lines = [
        f"# {md_cell(storyboard['title'])}",
        "",
        f"{rate_label(rate)} fps{' drop-frame' if storyboard['drop_frame'] else ''} · "
        f"{md_cell(storyboard.get('aspect_ratio', ''))} · "
        f"{md_cell(storyboard.get('resolution', ''))} · "
        f"{storyboard['start']} – {storyboard['end']} · "
        f"{storyboard['total_frames']} frames ({storyboard.get('duration_seconds', '')} s) · "
        f"{sum(len(seg['shots']) for seg in storyboard['segments'])} shots",
        "",
    ]
    for segment in storyboard["segments"]:
        heading = segment["segment_id"]
        if segment["title"]:
            heading += f" — {md_cell(segment['title'])}"
        lines += [
            f"## {heading}",
            "",
            f"{segment['start']} – {segment['end']} · {len(segment['shots'])} shots",
            "",
            "| Shot | Scene | Start | End | Frames | Size | Angle | Movement | Lens | "
            "Description | Cast | Model |",
            "|---|---|---|---|---:|---|---|---|---:|---|---|---|",
        ]
        for shot in segment["shots"]:
            cast = ", ".join(_names(storyboard, shot["characters"]))
            cells = [
                shot["shot_id"],
                shot["scene"],
                shot["start"],
                shot["end"],
                str(shot["duration_frames"]),
                shot["shot_size"],
                _label(shot["camera_angle"]),
                _label(shot["camera_movement"]),
                f"{shot['lens_mm']}mm",
                shot["description"],
                cast,
                shot["model_id"] or "",
            ]
            lines.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)
