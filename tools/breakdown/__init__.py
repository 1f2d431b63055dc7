"""The scene breakdown engine: briefs, prose and screenplays to scenes, scenes to timed shots.

Three steps, each a pure function over the domain model so a planner (or an LLM that improves
the creative choices) can run, replace or correct any one of them:

1. **Scenes** — :func:`scenes_from_brief`, :func:`scenes_from_prose` (and
   :func:`storycore.tools.fountain.scenes_from_fountain` for screenplays).
2. **Shots** — :func:`design_shots` turns scenes into a :class:`Breakdown`: shots framed by
   the rules of :data:`DEFAULT_RULES` (establishing shots, dialogue coverage, reactions,
   inserts, lens and movement to match), timed from their content at the project's pace, and
   fitted to a target length exactly to the frame; a target far longer than the story gets
   more shots (coverage), not longer ones.
3. **Edits** — :func:`split_long_shots` cuts a shot longer than its model's longest clip into
   continuous parts; :func:`retime` makes timecodes contiguous again after any edit.

Every number a cinematographer or editor would argue about lives in :class:`BreakdownRules`;
``docs/breakdown-rules.md`` explains them.

The package, one file per step: ``rules`` (the numbers), ``text`` (word sets, sentences),
``places`` (place nouns and phrases), ``scenes`` (prose and briefs to scenes), ``drafts``
(a shot being designed, the result),
``design_base``, ``beat_shots``, ``coverage_shots`` and ``design`` (the scene designer and its
two kinds of shots), ``coverage`` (which scenes get more shots for a target), ``fitting``
(exact frame shares, merging, reducing), ``shots`` (:func:`design_shots`), ``continuity``,
``edits`` (split, retime) and ``shortcuts`` (screenplay or brief to a breakdown).
"""

from storycore.tools.breakdown.continuity import (
    link_continuity,
    same_place_continuous,
)
from storycore.tools.breakdown.drafts import (
    Breakdown,
    ShotKind,
)
from storycore.tools.breakdown.edits import (
    retime,
    split_long_shots,
)
from storycore.tools.breakdown.fitting import (
    allocate_frames,
)
from storycore.tools.breakdown.places import (
    PLACE_NOUNS,
    find_places,
)
from storycore.tools.breakdown.rules import (
    DEFAULT_RULES,
    MIN_SHOT_FRAMES,
    BreakdownRules,
    Coverage,
    FramingRule,
    PaceTiming,
)
from storycore.tools.breakdown.scenes import (
    NOT_NAMES,
    prose_characters,
    scenes_from_brief,
    scenes_from_prose,
)
from storycore.tools.breakdown.shortcuts import (
    breakdown_brief,
    breakdown_screenplay,
)
from storycore.tools.breakdown.shots import (
    design_shots,
)

__all__ = [
    "DEFAULT_RULES",
    "MIN_SHOT_FRAMES",
    "NOT_NAMES",
    "PLACE_NOUNS",
    "Breakdown",
    "BreakdownRules",
    "Coverage",
    "FramingRule",
    "PaceTiming",
    "ShotKind",
    "allocate_frames",
    "breakdown_brief",
    "breakdown_screenplay",
    "design_shots",
    "find_places",
    "link_continuity",
    "prose_characters",
    "retime",
    "same_place_continuous",
    "scenes_from_brief",
    "scenes_from_prose",
    "split_long_shots",
]
