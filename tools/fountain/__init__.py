"""Fountain screenplays to :class:`~storycore.tools.domain.Scene` objects, and the vocabulary
of scene headings (interior/exterior, time of day, time jumps) that every breakdown shares.

Parsing
-------
Paragraphs are classified by screenplain 0.12 (scene headings with their ``#12A#`` numbers,
forced headings ``.FLASHBACK``, character cues and ``@`` forced cues, parentheticals, dual
dialogue ``^``, transitions ``CUT TO:`` and ``> FADE OUT``, centered text, sections and
synopses). This module does what screenplain gets wrong or leaves out:

* boneyard ``/* */`` and notes ``[[ ]]`` are removed before classification, and a line that
  held nothing else disappears (screenplain would leave a blank line that splits a dialogue
  block in two);
* the title page is read only when the first line is not a scene heading and at least one
  key is a usual title-page key (screenplain takes ``EXT. STREET - 10:30 AM`` for a title page
  because of its colon);
* ``FADE IN:``, ``FADE OUT.``, ``FADE TO BLACK.`` are transitions (the spec only recognises
  lines ending in ``TO:``);
* cue extensions (``(V.O.)``, ``(CONT'D)``, ``(O.S.)``...) are removed from the name and the
  V.O./O.S./O.C. kind is kept on the beat, since an unseen speaker must not be lip-synced.

Scenes
------
:func:`scenes_from_fountain` numbers scenes as written (``#12A#`` gives ``"12A"``) or by their
order, names characters from their cues (with the mixed-case spelling the action lines use,
``GABY`` -> ``GaBy``), finds props (see :func:`find_props`), and sets each scene's entry
transition (:func:`entry_transition`).

The package, along the reader's steps: ``headings`` (scene headings, periods of the day, time
words), ``timing`` (time relations between scenes, entry transitions), ``props`` (props and
:func:`mentions`), ``characters`` (cues, display names, dialogue beats), ``parse``
(:func:`parse_fountain`: text to a :class:`Screenplay`) and ``scenes``
(:func:`scenes_from_fountain`).
"""

from storycore.tools.fountain.characters import (
    UNSEEN_EXTENSIONS as UNSEEN_EXTENSIONS,
)
from storycore.tools.fountain.characters import (
    normalize_cue,
)
from storycore.tools.fountain.headings import (
    CONTINUOUS_TIMES as CONTINUOUS_TIMES,
)
from storycore.tools.fountain.headings import (
    ELLIPSIS_TIMES as ELLIPSIS_TIMES,
)
from storycore.tools.fountain.headings import (
    PERIODS as PERIODS,
)
from storycore.tools.fountain.headings import (
    SceneHeading,
    TimeRelation,
    is_time_of_day,
    lit_time,
    looks_like_screenplay,
    parse_heading,
)
from storycore.tools.fountain.language import screenplay_language
from storycore.tools.fountain.parse import (
    MAX_FOUNTAIN_CHARS as MAX_FOUNTAIN_CHARS,
)
from storycore.tools.fountain.parse import (
    MAX_SCENES as MAX_SCENES,
)
from storycore.tools.fountain.parse import (
    TITLE_PAGE_KEYS as TITLE_PAGE_KEYS,
)
from storycore.tools.fountain.parse import (
    Screenplay,
    ScreenplayScene,
    parse_fountain,
)
from storycore.tools.fountain.props import (
    NOT_PROPS as NOT_PROPS,
)
from storycore.tools.fountain.props import (
    find_props,
    in_plain_case,
    mentions,
    props_by_scene,
    text_in_plain_case,
)
from storycore.tools.fountain.scenes import (
    scenes_from_fountain,
    scenes_from_screenplay,
)
from storycore.tools.fountain.timing import (
    SceneTime,
    entry_transition,
    infer_transitions,
    time_relations,
)
from storycore.tools.text import fold_words_keep_colon as fold

__all__ = [
    "SceneHeading",
    "SceneTime",
    "Screenplay",
    "ScreenplayScene",
    "TimeRelation",
    "entry_transition",
    "find_props",
    "fold",
    "in_plain_case",
    "infer_transitions",
    "is_time_of_day",
    "lit_time",
    "looks_like_screenplay",
    "mentions",
    "normalize_cue",
    "parse_fountain",
    "parse_heading",
    "props_by_scene",
    "scenes_from_fountain",
    "scenes_from_screenplay",
    "screenplay_language",
    "text_in_plain_case",
    "time_relations",
]
