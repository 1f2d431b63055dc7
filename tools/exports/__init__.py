"""Hand-off exports of a planned project: editor timelines, a shot list, a breakdown sheet.

:func:`export` writes one format; :func:`build_timeline` gives the OpenTimelineIO timeline the
editor formats are written from.

Editor timelines (``otio``, ``edl``, ``fcpxml``)
    One video track, one clip per shot, named by its shot id (``shot_04a``): FCP XML drops
    custom metadata, so the clip name is what carries the id into an editor. Each clip's
    media is where the rendered clip will be, ``03_videos/shot_01_video.mp4`` (the seed's
    naming), used from its first frame for the planned duration.

    The cut starts at **01:00:00:00** (``01:00:00;00`` at 29.97/59.94 drop-frame), the
    editorial convention: Resolve, Premiere and Avid start a new timeline there, and an EDL
    whose record times start elsewhere lands offset when conformed. The storyboard documents
    keep program time (the first shot at ``00:00:00:00``); a shot's record time is its
    storyboard time plus one hour.

    Media paths by format:

    - ``.otio``: relative URLs, relative to the folder of the ``.otio`` file
      (``../03_videos/shot_01_video.mp4`` from ``exports/``), so the project folder can move
      as a whole; :func:`build_timeline` alone gives them relative to the project folder.
      Each media reference's metadata also holds ``storycore.project_path``.
    - FCP7 ``.xml``: absolute ``file://localhost/...`` URLs, which Premiere and Resolve need
      in ``<pathurl>``.
    - CMX3600 ``.edl``: the project-relative path in the ``* FROM CLIP:`` comment (an EDL path
      is a hint; editors conform by reel and clip name). Reels are ``SHOT01``, ``SHOT04A``
      (8 characters of A-Z0-9; ``SH123AB`` when the id is longer).

    Adapter traps handled here: exact NTSC rates; SMPTE drop-frame stated explicitly; the CMX
    writer ignores the timeline start (a leading gap of one hour is added to a deep copy, as
    the writer also mutates what it is given), writes drop-frame at any NTSC rate (a
    non-drop-frame 29.97 EDL is written at the nominal integer rate, whose labels are the
    same), and has no ``FCM`` line (added). Planned dissolves and fades between two shots are
    exported as SMPTE dissolve transitions of up to a second, starting at the cut (the clips
    have no handles); they add no time to the record. A fade at the very start or end of the
    film stays in the shot list notes and the clip metadata.

Shot list (``csv``)
    One row per shot with the columns of :data:`SHOT_LIST_COLUMNS`. UTF-8 with a byte-order
    mark (spreadsheets then read accents right); a cell that a spreadsheet would run as a
    formula (starting with ``=``, ``+``, ``-``, ``@``) is prefixed with ``'``.

Breakdown (``breakdown``)
    Per scene, the standard categories of :data:`BREAKDOWN_CATEGORIES`, as CSV (one row per
    scene) and Markdown. Filled only from the plan: elements by type (character -> cast,
    location, prop, wardrobe, vehicle, audio -> sound), character attributes naming hair,
    make-up, costume or wardrobe, the shots' sound (dialogue, effects, music, narration),
    weather (special effects), and camera moves needing gear (special equipment). An element
    whose attributes say ``breakdown: <category>`` (e.g. ``extras``, ``stunts``, ``animals``,
    ``visual effects``, ``set dressing``) goes to that category. Nothing else is invented:
    categories without data stay empty.

Destinations: ``exports/<title-slug>.<ext>`` in the project (``.otio``, ``.edl``, ``.xml``,
``.csv``; the breakdown as ``<slug>_breakdown.csv`` and ``.md``), and the storyboard documents
(``md``, ``html``, ``json``) at the project root. An explicit ``out`` may be anywhere; it must
not be a folder. Writes inside the project go through a transaction (journaled, undoable);
writes outside it are atomic.

The package, one file per format: ``common`` (formats, file names, media paths, reels, CSV
cells), ``timeline`` (the OTIO timeline and the ``.otio`` file), ``editors`` (CMX3600 EDL and
FCP7 XML), ``shot_list``, ``breakdown`` and ``write`` (:func:`export`).
"""

from storycore.tools.exports.breakdown import (
    BREAKDOWN_CATEGORIES,
    BREAKDOWN_COLUMNS,
    SceneBreakdown,
    breakdown_csv,
    breakdown_markdown,
    build_breakdown,
)
from storycore.tools.exports.common import (
    EXPORT_FORMATS,
    ExportFormat,
    media_path,
    reel_name,
    title_slug,
)
from storycore.tools.exports.editors import (
    EDL_MAX_EVENTS,
)
from storycore.tools.exports.shot_list import (
    EQUIPMENT,
    SHOT_LIST_COLUMNS,
    SPECIAL_EQUIPMENT,
    shot_list_csv,
    shot_list_rows,
)
from storycore.tools.exports.timeline import (
    TIMELINE_START_HOURS,
    TRANSITION_SECONDS,
    build_timeline,
    timeline_start_frame,
)
from storycore.tools.exports.write import (
    export,
)

# Reached through this module by callers (``exports.EXPORTS``, ``exports.load_plan``).
from storycore.tools.storyboard import load_plan as load_plan
from storycore.tools.structure import EXPORTS as EXPORTS

__all__ = [
    "BREAKDOWN_CATEGORIES",
    "BREAKDOWN_COLUMNS",
    "EDL_MAX_EVENTS",
    "EQUIPMENT",
    "EXPORT_FORMATS",
    "SHOT_LIST_COLUMNS",
    "SPECIAL_EQUIPMENT",
    "TIMELINE_START_HOURS",
    "TRANSITION_SECONDS",
    "ExportFormat",
    "SceneBreakdown",
    "breakdown_csv",
    "breakdown_markdown",
    "build_breakdown",
    "build_timeline",
    "export",
    "media_path",
    "reel_name",
    "shot_list_csv",
    "shot_list_rows",
    "timeline_start_frame",
    "title_slug",
]
