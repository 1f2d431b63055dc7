""":func:`export`: one format written to its destination, inside the project through a
transaction (journaled, not undoable) or atomically outside it; the storyboard documents
(``md``, ``html``, ``json``) too."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from storycore.tools.errors import InvalidInput
from storycore.tools.exports.breakdown import breakdown_csv, breakdown_markdown, build_breakdown
from storycore.tools.exports.common import EXPORT_FORMATS, ExportFormat, title_slug
from storycore.tools.exports.editors import _edl_text, _fcp_text
from storycore.tools.exports.shot_list import shot_list_csv
from storycore.tools.exports.timeline import _otio_text
from storycore.tools.project import Project, atomic_write
from storycore.tools.storyboard import (
    STORYBOARD_HTML,
    STORYBOARD_JSON,
    STORYBOARD_MD,
    Plan,
    load_plan,
    render_html,
    render_markdown,
    storyboard_from_plan,
    write_panels,
)
from storycore.tools.structure import EXPORTS

_EXTENSIONS = {"otio": ".otio", "edl": ".edl", "fcpxml": ".xml", "csv": ".csv"}


def _check_format(fmt: str) -> ExportFormat:
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return fmt  # type: ignore[return-value]


def _resolve_out(project: Project, out: Path | str) -> tuple[Path, str | None]:
    """The absolute destination and, if it is inside the project, its relative path."""
    path = Path(out).expanduser()
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give the path of the file to write")
    resolved = path.resolve()
    try:
        return resolved, resolved.relative_to(project.root).as_posix()
    except ValueError:
        return resolved, None


def _write(project: Project, fmt: str, files: Sequence[tuple[Path, str | None, bytes]]) -> None:
    inside = [(rel, data) for _, rel, data in files if rel is not None]
    if inside:
        # Journaled and atomic, but not undoable: an export is not a change of the plan, and
        # /undo must neither remove exported files nor step over them.
        with project.transaction(f"export {fmt}", undoable=False) as tx:
            for rel, data in inside:
                tx.write_bytes(rel, data)
    for path, where, data in files:
        if where is None:
            atomic_write(path, data)


def export(
    project: Project,
    fmt: ExportFormat | str,
    out: Path | str | None = None,
    *,
    plan: Plan | None = None,
) -> Path:
    """Write the plan of ``project`` as ``fmt`` and return the path written.

    Formats: ``otio``, ``edl`` (CMX3600), ``fcpxml`` (Final Cut Pro 7 XML), ``csv`` (shot
    list), ``breakdown`` (script breakdown CSV, plus Markdown at the default destination or
    when ``out`` ends in ``.md``), and the storyboard documents ``md``, ``html``, ``json``.
    Default destination: ``exports/<title-slug>.<ext>``, or the storyboard document at the
    project root. ``out`` may be outside the project; it must not be a folder. ``plan``: the
    project's plan as :func:`load_plan` reads it, when the caller holds it (a change that
    rewrites every export reads the shots once).
    """
    kind = _check_format(fmt)
    plan = plan if plan is not None else load_plan(project)
    slug = title_slug(plan.title)

    if kind in ("md", "json", "html"):
        return _export_document(project, plan, kind, out)

    target_rel: str | None
    if out is None:
        name = f"{slug}_breakdown.csv" if kind == "breakdown" else f"{slug}{_EXTENSIONS[kind]}"
        target_rel = f"{EXPORTS}/{name}"
        target = project.path(target_rel)
    else:
        target, target_rel = _resolve_out(project, out)

    files: list[tuple[Path, str | None, bytes]]
    if kind == "otio":
        files = [(target, target_rel, _otio_text(project, plan, target.parent).encode())]
    elif kind == "edl":
        files = [(target, target_rel, _edl_text(project, plan).encode("ascii", "replace"))]
    elif kind == "fcpxml":
        files = [(target, target_rel, _fcp_text(project, plan).encode("utf-8"))]
    elif kind == "csv":
        files = [(target, target_rel, shot_list_csv(plan))]
    else:
        sheets = build_breakdown(plan)
        markdown = breakdown_markdown(plan.title, sheets).encode("utf-8")
        if out is not None and target.suffix.lower() == ".md":
            files = [(target, target_rel, markdown)]
        else:
            files = [(target, target_rel, breakdown_csv(sheets))]
            if out is None:
                md_rel = f"{EXPORTS}/{slug}_breakdown.md"
                files.append((project.path(md_rel), md_rel, markdown))
    _write(project, kind, files)
    return target


def _export_document(project: Project, plan: Plan, kind: str, out: Path | str | None) -> Path:
    storyboard = storyboard_from_plan(plan)
    default = {"md": STORYBOARD_MD, "json": STORYBOARD_JSON, "html": STORYBOARD_HTML}[kind]
    rel: str | None
    if out is None:
        target, rel = project.path(default), default
    else:
        target, rel = _resolve_out(project, out)
    if kind == "md":
        language = project.manifest.technical_specs.language
        data = render_markdown(storyboard, language).encode("utf-8")
    elif kind == "json":
        data = (json.dumps(storyboard, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    elif rel is None:
        # Outside the project the relative panel paths would break: embed the panels.
        data = render_html(project, storyboard, embed_images=True).encode("utf-8")
    else:
        # Panels and page in one change: both or neither.
        with project.transaction("export html", undoable=False) as tx:
            write_panels(tx, plan)
            page = render_html(project, storyboard, base_dir=target.parent)
            tx.write_text(rel, page)
        return target
    _write(project, kind, [(target, rel, data)])
    return target
