"""The brief parser: a Markdown creative brief to a :class:`CreativeBrief`, with no LLM.

A brief is Markdown with optional YAML front matter, optional sections (Characters,
Locations, Props, Scenes, in English or French) and free text anywhere. The parser reads the
structured parts exactly and finds technical specs in the free text (durations, aspect ratios,
resolutions, frame rates, languages, model wishes, style words, pace) with documented
patterns. It returns what it understood and what it did not (``not_understood``), and every
contradiction it resolved by a rule (``warnings``), so the assistant can ask.

The format and the rules are documented in ``docs/brief-format.md``. Precedence, strongest
first: front matter, then the free text, then values derived from other values (the sum of
the scene durations, a resolution's own aspect ratio).

One module per step; import from the package, which re-exports every public name:

- ``vocabulary``: model names, style and pace words, front-matter keys, section names
- ``values``: durations, frame rates, aspect ratios and frame sizes read from text
- ``source``: the file (or stdin), the YAML front matter, the Markdown sections and items
- ``findings``: what the free text states (``_Found``, ``_Prose``)
- ``prose``: the specs found in the free text, one scanner per kind of spec
- ``languages``: the language a brief is written in, and the languages it asks for
- ``model_wishes``: model names and the wishes around them ("use Wan", "local only")
- ``names``: characters and locations named in prose; story text versus production notes
- ``front_matter``: a handler per front-matter key
- ``decisions``: the precedence rules between front matter, free text and scenes
- ``parser``: :func:`parse_brief`, which runs the steps in order
"""

from __future__ import annotations

from storycore.tools.brief.names import (
    DESCRIPTIVE_WORDS,
    descriptive_score,
    is_production_note,
    story_text,
)
from storycore.tools.brief.parser import (
    parse_brief,
)
from storycore.tools.brief.prose import (
    find_style_words,
)
from storycore.tools.brief.source import (
    read_brief_text,
)
from storycore.tools.brief.values import (
    aspect_of,
    fit_resolution,
    is_named_resolution,
    parse_duration,
    parse_fps,
)
from storycore.tools.brief.vocabulary import (
    BUILTIN_MODEL_ALIASES,
    CLOUD_MODEL_IDS,
    FRONT_MATTER_KEYS,
    MAX_BRIEF_BYTES,
    MAX_DURATION_SECONDS,
    PACE_WORDS,
    STYLE_VOCABULARY,
)

__all__ = [
    "BUILTIN_MODEL_ALIASES",
    "CLOUD_MODEL_IDS",
    "DESCRIPTIVE_WORDS",
    "FRONT_MATTER_KEYS",
    "MAX_BRIEF_BYTES",
    "MAX_DURATION_SECONDS",
    "PACE_WORDS",
    "STYLE_VOCABULARY",
    "aspect_of",
    "descriptive_score",
    "find_style_words",
    "fit_resolution",
    "is_named_resolution",
    "is_production_note",
    "parse_brief",
    "parse_duration",
    "parse_fps",
    "read_brief_text",
    "story_text",
]
