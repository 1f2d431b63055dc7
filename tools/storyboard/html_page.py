"""``storyboard.html``: one panel per shot, readable offline, or self-contained (embedded)."""

from __future__ import annotations

import base64
import html
import os
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote

from storycore.tools.domain import (
    ShotSpec,
)
from storycore.tools.i18n import Messages, catalog_language
from storycore.tools.project import Project
from storycore.tools.rates import rate_label
from storycore.tools.storyboard.card import card_text
from storycore.tools.storyboard.markdown import _names, transition_text, vocab, voice_over_text
from storycore.tools.storyboard.panels import panel_hash, panel_png, panel_size, stored_panel_hash

# --------------------------------------------------------------------------------------
# storyboard.html
# --------------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; background: #f4f3f0; color: #1d1d1f;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
header h1 { margin: 0 0 4px; font-size: 26px; }
.meta, .tc { color: #5b5b60; font-variant-numeric: tabular-nums; }
section { margin-top: 28px; }
section h2 { font-size: 19px; border-bottom: 2px solid #1d1d1f; padding-bottom: 4px; }
section h2 .tc { font-size: 14px; font-weight: normal; margin-left: 8px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
  gap: 16px; }
article { background: #fff; border: 1px solid #d9d8d4; border-radius: 6px; overflow: hidden; }
article img { display: block; width: 100%; height: auto; background: #e8e8e4; }
.cap { padding: 8px 10px 10px; }
.cap h3 { margin: 0; font-size: 15px; display: flex; justify-content: space-between; }
.cap h3 span { color: #5b5b60; font-weight: normal; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 1px 10px; margin: 6px 0; }
dt { color: #5b5b60; } dd { margin: 0; }
.desc { margin: 6px 0; }
.vo { margin: 6px 0; font-style: italic; color: #4a4a55; }
details { color: #3a3a3f; font-size: 13px; }
details p { margin: 4px 0; white-space: pre-wrap; }
@media print { body { background: #fff; padding: 0; } article { break-inside: avoid; } }
"""

_CSP = "default-src 'none'; img-src 'self' data: file:; style-src 'unsafe-inline'"


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _panel_src(
    project: Project, shot: dict[str, Any], *, embed: bool, base_dir: Path | None
) -> str:
    rel = str(shot.get("panel") or "")
    if embed:
        spec = _spec_from_entry(shot)
        specs = project.manifest.technical_specs
        names = shot.get("_names", [])
        path = project.path(rel) if rel else None
        # The panel on disk only if it was drawn from this very shot; else draw it now.
        if path is not None and stored_panel_hash(path) == panel_hash(spec, specs, names):
            data = path.read_bytes()
        else:
            data = panel_png(spec, specs, names)
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    if base_dir is not None:
        rel = Path(os.path.relpath(project.path(rel), base_dir)).as_posix()
    return quote(rel)


def _spec_from_entry(shot: dict[str, Any]) -> ShotSpec:
    # Enough of a ShotSpec to draw a panel that was not written to disk yet (its title and
    # description say whether it is a card and what it frames: the panel draws them).
    return ShotSpec(
        shot_id=shot["shot_id"],
        title=shot.get("title", ""),
        description=shot.get("description", ""),
        start_frame=shot.get("start_frame", 0),
        end_frame=shot.get("end_frame", shot.get("start_frame", 0) + shot["duration_frames"]),
        shot_size=shot["shot_size"],
        framing=shot.get("framing", "single"),
        camera_angle=shot["camera_angle"],
        camera_movement=shot["camera_movement"],
        lens_mm=shot["lens_mm"],
        characters=shot["characters"],
        location=shot["location"],
        props=shot["props"],
    )


def render_html(
    project: Project,
    storyboard: dict[str, Any],
    *,
    embed_images: bool = False,
    base_dir: Path | None = None,
    language: str | None = None,
) -> str:
    """``storyboard.html``: one panel per shot, with inline CSS and no network reference.

    Panels are referenced by their path relative to the project root (where
    ``storyboard.html`` lives), or relative to ``base_dir`` when the page is written
    elsewhere in the project; ``embed_images`` embeds them as data URIs instead (a page sent
    outside the project). Every text from the plan is HTML-escaped. Labels are in
    ``language``, by default the project's answer language.
    """
    m = Messages(catalog_language(language or project.manifest.technical_specs.language))
    out = html_head(storyboard, m)
    for segment in storyboard["segments"]:
        out += html_section(segment)
        for shot in segment["shots"]:
            out.append(_html_panel(project, storyboard, shot, embed_images, base_dir, m))
        out += HTML_SECTION_END
    out += HTML_END
    return "\n".join(out)


#: The lines that close a segment's section, and the page.
HTML_SECTION_END = ["</div>", "</section>"]
HTML_END = ["</body>", "</html>", ""]


def html_head(storyboard: dict[str, Any], m: Messages) -> list[str]:
    """The lines of ``storyboard.html`` before its first segment: head, title and specs."""
    title = storyboard["title"]
    rate = Fraction(storyboard["frame_rate"])
    shot_count = sum(len(seg["shots"]) for seg in storyboard["segments"])
    return [
        "<!DOCTYPE html>",
        f'<html lang="{_e(m.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)} — {_e(m('storyboard.document'))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">{_e(rate_label(rate))} fps'
        f"{_e(m('common.drop_frame_suffix')) if storyboard['drop_frame'] else ''} · "
        f"{_e(storyboard.get('aspect_ratio', ''))} · {_e(storyboard.get('resolution', ''))} · "
        f"{_e(storyboard['start'])} – {_e(storyboard['end'])} · "
        f"{_e(m.count(storyboard['total_frames'], 'frame'))} · "
        f"{_e(m.count(shot_count, 'shot'))}</p>",
        "</header>",
    ]


def html_section(segment: dict[str, Any]) -> list[str]:
    """The lines that open a segment's section (its heading and the grid of panels)."""
    heading = _e(segment["segment_id"])
    if segment["title"]:
        heading += f" — {_e(segment['title'])}"
    return [
        f'<section id="{_e(segment["segment_id"])}">',
        f'<h2>{heading}<span class="tc">{_e(segment["start"])} – {_e(segment["end"])}</span></h2>',
        '<div class="grid">',
    ]


def html_article(
    project: Project, storyboard: dict[str, Any], shot: dict[str, Any], m: Messages
) -> str:
    """A shot's ``<article>`` in ``storyboard.html`` at the project root (``shot``: its
    ``storyboard.json`` entry; panels referenced by their path in the project)."""
    return _html_panel(project, storyboard, shot, False, None, m)


def _size_text(shot: dict[str, Any], m: Messages) -> str:
    """A shot's size and kind as its panel's details print them ("CU · two shot"); a card
    shot's kind is its card ("CU · card"), as its panel's label says (:func:`.drawing.kind_tag`)."""
    framing = shot.get("framing")
    if card_text(shot.get("description", ""), shot.get("title", "")):
        kind = m("storyboard.card_kind")
    elif framing not in (None, "single"):
        kind = vocab("framing", framing, m.language)
    else:
        return str(shot["shot_size"])
    return f"{shot['shot_size']} · {kind}"


def _html_panel(
    project: Project,
    storyboard: dict[str, Any],
    shot: dict[str, Any],
    embed: bool,
    base_dir: Path | None,
    m: Messages,
) -> str:
    cast = _names(storyboard, shot["characters"])
    props = _names(storyboard, shot["props"])
    location = _names(storyboard, [shot["location"]])[0] if shot["location"] else ""
    entry = dict(shot, _names=cast)
    src = _panel_src(project, entry, embed=embed, base_dir=base_dir)
    width, height = panel_size(storyboard.get("aspect_ratio", "16:9"))
    time_range = shot.get("time_range") or ["", ""]
    rows = [
        (m("storyboard.size"), _size_text(shot, m)),
        (m("storyboard.angle"), vocab("angle", shot["camera_angle"], m.language)),
        (m("storyboard.movement"), vocab("movement", shot["camera_movement"], m.language)),
        (m("storyboard.lens"), f"{shot['lens_mm']}mm"),
        (m("storyboard.cast"), ", ".join(cast)),
        (m("storyboard.location"), location),
        (m("storyboard.props"), ", ".join(props)),
        (m("storyboard.model"), shot["model_id"] or "—"),
        (
            m("storyboard.transition"),
            transition_text(shot.get("transition_in"), shot.get("transition_out"), m.language),
        ),
    ]
    details = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows if v)
    prompts = "".join(
        f"<p><b>{_e(label)}</b> {_e(shot[key])}</p>"
        for label, key in (
            (m("storyboard.image"), "image_prompt"),
            (m("storyboard.video"), "video_prompt"),
            (m("storyboard.negative"), "negative_prompt"),
        )
        if shot.get(key)
    )
    movement = vocab("movement", shot["camera_movement"], m.language)
    alt = f"{shot['shot_id']}: {shot['shot_size']}, {movement}"
    return "\n".join(
        [
            f'<article id="{_e(shot["shot_id"])}">',
            f'<img src="{_e(src)}" width="{width}" height="{height}" alt="{_e(alt)}" '
            'loading="lazy">',
            '<div class="cap">',
            f"<h3>{_e(shot['shot_id'])}<span>{_e(m('storyboard.scene'))} {_e(shot['scene'])}"
            "</span></h3>",
            f'<p class="tc">{_e(shot["start"])} → {_e(shot["end"])} · '
            f"{_e(shot['duration_frames'])} f · {_e(time_range[0])}–{_e(time_range[1])}</p>",
            f"<dl>{details}</dl>",
            f'<p class="desc">{_e(shot["description"])}</p>',
            f'<p class="vo">{_e(heard)}</p>' if (heard := voice_over_text(shot, m)) else "",
            f"<details><summary>{_e(m('storyboard.prompts'))}</summary>{prompts}</details>"
            if prompts
            else "",
            "</div>",
            "</article>",
        ]
    )
