"""The storyboard documents of a planned project.

:func:`write_documents` writes, inside the caller's transaction, the documents a planned
project carries at its root:

- ``storyboard.json``: segments -> shots with SMPTE, ``MM:SS.cc`` and seconds ranges and every
  field a generator or another tool needs (the contract below);
- ``storyboard.md``: the same as readable Markdown, one table of shots per segment;
- ``storyboard.html``: one panel per shot, drawn locally with Pillow
  (``02_shots/NN_Title/panel.png``), readable offline;
- ``visual_strategy.json``: style anchors, a palette hint, each character's canonical look and
  the model plan by segment.

The ``storyboard.json`` contract (other tools read it; extra keys may be added, none removed)::

    schema_version, title, frame_rate ("24", "30000/1001"), drop_frame, total_frames,
    segments: [{segment_id, title, start, end,                 (SMPTE, end exclusive)
      shots: [{shot_id, scene, start, end, duration_frames, shot_size, camera_angle,
               camera_movement, lens_mm, description, characters, location, props,
               model_id, image_prompt, video_prompt, negative_prompt}]}]

Shots are contiguous: each shot's ``end`` is the next shot's ``start`` and the last ``end``
minus the first ``start`` is ``total_frames``. Times are program time from the plan's frames
(the first shot normally starts at ``00:00:00:00``); SMPTE is drop-frame (``;``) when the
project's specs use drop-frame. The editor exports (:mod:`storycore.tools.exports`) place the
same cut at ``01:00:00:00``.

Every document is a pure function of the plan: no timestamp, no absolute path, sorted and
stable output, so writing twice gives byte-identical files and a re-run journals nothing.

Panels: the HTML references ``02_shots/NN_Title/panel.png`` by relative path rather than
embedding data URIs, so that a 1000-shot storyboard stays a small HTML file, a change to one
shot rewrites one PNG, and other tools (a review UI, the CLI) can show the same panel. Each
PNG stores a hash of what it was drawn from in a text chunk (``storycore-panel``); a panel
whose inputs did not change is not drawn again. For a storyboard sent outside the project
(``render_html(..., embed_images=True)``) the panels are embedded as data URIs instead.

The package, one file per document: ``plan`` (the plan as the documents see it), ``document``
(``storyboard.json``), ``markdown``, ``drawing`` (the Pillow drawing), ``panels`` (a panel,
its hash, the shared backgrounds), ``html_page``, ``visual_strategy`` and ``write``
(:func:`write_documents`).
"""

from storycore.tools.storyboard.document import (
    SCHEMA_VERSION,
    build_storyboard,
    storyboard_from_plan,
)
from storycore.tools.storyboard.html_page import (
    render_html,
)
from storycore.tools.storyboard.markdown import (
    md_cell,
    render_markdown,
    transition_text,
)
from storycore.tools.storyboard.panels import (
    PANEL_HASH_KEY,
    PANEL_STYLE,
    PANEL_WIDTH,
    draw_panel,
    panel_hash,
    panel_png,
    panel_size,
    stored_panel_hash,
    write_panels,
)
from storycore.tools.storyboard.plan import (
    ELEMENT_FILE,
    PANEL_FILE,
    STORYBOARD_HTML,
    STORYBOARD_JSON,
    STORYBOARD_MD,
    VISUAL_STRATEGY_JSON,
    Plan,
    PlannedSegment,
    PlannedShot,
    load_elements,
    load_plan,
)
from storycore.tools.storyboard.visual_strategy import (
    COLOUR_WORDS,
    STYLE_PALETTES,
    build_visual_strategy,
    palette_for,
)
from storycore.tools.storyboard.write import (
    write_documents,
)

__all__ = [
    "COLOUR_WORDS",
    "ELEMENT_FILE",
    "PANEL_FILE",
    "PANEL_HASH_KEY",
    "PANEL_STYLE",
    "PANEL_WIDTH",
    "SCHEMA_VERSION",
    "STORYBOARD_HTML",
    "STORYBOARD_JSON",
    "STORYBOARD_MD",
    "STYLE_PALETTES",
    "VISUAL_STRATEGY_JSON",
    "Plan",
    "PlannedSegment",
    "PlannedShot",
    "build_storyboard",
    "build_visual_strategy",
    "draw_panel",
    "load_elements",
    "load_plan",
    "md_cell",
    "palette_for",
    "panel_hash",
    "panel_png",
    "panel_size",
    "render_html",
    "render_markdown",
    "stored_panel_hash",
    "storyboard_from_plan",
    "transition_text",
    "write_documents",
    "write_panels",
]
