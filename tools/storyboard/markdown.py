"""``storyboard.md``: the storyboard as readable Markdown, one table of shots per segment."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from storycore.tools.i18n import Messages, catalog_language
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


def vocab(kind: str, value: str | None, language: str | None = None) -> str:
    """A camera angle, movement or framing for people (``dolly_in`` -> ``dolly in`` /
    ``travelling avant``); a value the catalogs do not know reads as itself."""
    from storycore.tools.i18n import catalog, t

    key = f"vocab.{kind}.{value}"
    return t(key, language) if key in catalog("en") else _label(value)


def _transition_name(value: str, language: str | None) -> str:
    from storycore.tools.i18n import catalog, t

    key = f"transition.{value}"
    return t(key, language) if key in catalog("en") else _label(value).capitalize()


def transition_text(
    transition_in: str | None, transition_out: str | None, language: str | None = None
) -> str:
    """A shot's transitions from the script, for people: ``Fade in →``, ``→ Dissolve``,
    ``Fade in → · → Fade out``; "" when both are plain cuts. In ``language`` (English by
    default)."""
    parts = []
    if transition_in and transition_in != "cut":
        parts.append(f"{_transition_name(transition_in, language)} →")
    if transition_out and transition_out != "cut":
        parts.append(f"→ {_transition_name(transition_out, language)}")
    return " · ".join(parts)


_COLUMNS = (
    "shot",
    "scene",
    "start",
    "end",
    "frames",
    "size",
    "angle",
    "movement",
    "lens",
    "description",
    "cast",
    "model",
    "transition",
)
_ALIGN = "|---|---|---|---|---:|---|---|---|---:|---|---|---|---|"


def markdown_head(storyboard: dict[str, Any], m: Messages) -> list[str]:
    """The lines of ``storyboard.md`` before its first segment: title and specs."""
    rate = Fraction(storyboard["frame_rate"])
    drop = m("common.drop_frame_suffix") if storyboard["drop_frame"] else ""
    shot_count = sum(len(seg["shots"]) for seg in storyboard["segments"])
    return [
        f"# {md_cell(storyboard['title'])}",
        "",
        f"{rate_label(rate)} fps{drop} · "
        f"{md_cell(storyboard.get('aspect_ratio', ''))} · "
        f"{md_cell(storyboard.get('resolution', ''))} · "
        f"{storyboard['start']} – {storyboard['end']} · "
        f"{m.count(storyboard['total_frames'], 'frame')} "
        f"({storyboard.get('duration_seconds', '')} s) · "
        f"{m.count(shot_count, 'shot')}",
        "",
    ]


def markdown_table_head(m: Messages) -> list[str]:
    """The two lines that open every segment's table of shots."""
    header = [m(f"storyboard.{key}") for key in _COLUMNS]
    return ["| " + " | ".join(header) + " |", _ALIGN]


def markdown_segment(
    segment: dict[str, Any], m: Messages, table: Sequence[str] | None = None
) -> list[str]:
    """The lines of a segment before its rows: heading, time range, table header
    (``table``: :func:`markdown_table_head`, when the caller has it)."""
    heading = segment["segment_id"]
    if segment["title"]:
        heading += f" — {md_cell(segment['title'])}"
    return [
        f"## {heading}",
        "",
        f"{segment['start']} – {segment['end']} · {m.count(len(segment['shots']), 'shot')}",
        "",
        *(markdown_table_head(m) if table is None else table),
    ]


#: A narration as the planner stores it: "Henrik: Fifty years..." (its speaker first).
_SPOKEN_BY = re.compile(r"^(?P<who>[^\W\d][\w .'’-]{0,40}?)\s*:\s+(?P<words>\S.*)$", re.DOTALL)


_QUOTE_MARKS = '“”"«» '


def voice_over_text(shot: dict[str, Any], m: Messages) -> str:
    """What a shot's voice-over says, for a reader of the storyboard ('VO (Henrik): “Fifty
    years...”'); "" when it has none or its description already quotes it. A voice-over is
    heard over the picture, so no shot's description tells it."""
    narration = " ".join(str(shot.get("narration") or "").split())
    if not narration:
        return ""
    spoken = _SPOKEN_BY.match(narration)
    words = (spoken.group("words") if spoken else narration).strip(_QUOTE_MARKS)
    if not words or words in shot.get("description", ""):
        return ""
    label = m("storyboard.voice_over")
    if spoken:
        label = f"{label} ({spoken.group('who')})"
    return f"{label}: “{words}”"


def markdown_row(storyboard: dict[str, Any], shot: dict[str, Any], m: Messages) -> str:
    """A shot's row of its segment's table (``shot``: its ``storyboard.json`` entry; the
    storyboard gives the names of the elements)."""
    cast = ", ".join(_names(storyboard, shot["characters"]))
    cells = [
        shot["shot_id"],
        shot["scene"],
        shot["start"],
        shot["end"],
        str(shot["duration_frames"]),
        shot["shot_size"],
        vocab("angle", shot["camera_angle"], m.language),
        vocab("movement", shot["camera_movement"], m.language),
        f"{shot['lens_mm']}mm",
        " ".join(filter(None, [shot["description"], voice_over_text(shot, m)])),
        cast,
        shot["model_id"] or "",
        transition_text(shot.get("transition_in"), shot.get("transition_out"), m.language),
    ]
    return "| " + " | ".join(md_cell(c) for c in cells) + " |"


def render_markdown(storyboard: dict[str, Any], language: str | None = None) -> str:
    """``storyboard.md``: segments as headings, a table of shots with timecodes; labels in
    ``language`` (English by default)."""
    m = Messages(catalog_language(language))
    lines = markdown_head(storyboard, m)
    table = markdown_table_head(m)
    for segment in storyboard["segments"]:
        lines += markdown_segment(segment, m, table)
        lines += [markdown_row(storyboard, shot, m) for shot in segment["shots"]]
        lines.append("")
    return "\n".join(lines)
