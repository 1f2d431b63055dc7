"""Writing every storyboard document and panel inside the caller's transaction."""

from __future__ import annotations

import json
from typing import Any

from storycore.tools.project import Transaction
from storycore.tools.storyboard.document import storyboard_from_plan
from storycore.tools.storyboard.html_page import render_html
from storycore.tools.storyboard.markdown import render_markdown
from storycore.tools.storyboard.panels import write_panels
from storycore.tools.storyboard.plan import (
    STORYBOARD_HTML,
    STORYBOARD_JSON,
    STORYBOARD_MD,
    VISUAL_STRATEGY_JSON,
    load_plan,
)
from storycore.tools.storyboard.visual_strategy import build_visual_strategy

# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_documents(tx: Transaction) -> list[str]:
    """Write ``storyboard.json``, ``.md``, ``.html``, ``visual_strategy.json`` and the panels.

    Runs inside the caller's transaction (so a failure rolls everything back) and returns the
    relative paths of the documents and panels. The output is a pure function of the plan:
    unchanged files are not rewritten and panels whose inputs did not change are not redrawn.
    """
    project = tx.project
    plan = load_plan(project)
    storyboard = storyboard_from_plan(plan)
    panels = write_panels(tx, plan)
    tx.write_bytes(STORYBOARD_JSON, _json_bytes(storyboard))
    language = project.manifest.technical_specs.language
    tx.write_text(STORYBOARD_MD, render_markdown(storyboard, language))
    tx.write_text(STORYBOARD_HTML, render_html(project, storyboard))
    tx.write_bytes(VISUAL_STRATEGY_JSON, _json_bytes(build_visual_strategy(project, plan)))
    return [STORYBOARD_JSON, STORYBOARD_MD, STORYBOARD_HTML, VISUAL_STRATEGY_JSON, *panels]
