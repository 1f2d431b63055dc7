"""The feedback processor: what a user says about a plan, as typed modifications.

Two halves:

- **Modifications** (:data:`Modification`): small pydantic models, one per kind of change
  (:class:`SetShotField`, :class:`RetimeShot`, :class:`UpdateElement`, :class:`RemoveShot`,
  :class:`InsertShot`, :class:`MoveShot`, :class:`SetModel`, :class:`RegenerateWithout`,
  :class:`Regenerate`, :class:`Lock`, :class:`Unlock`, :class:`ChangeProjectSpec`),
  discriminated by ``kind``. They are flat on purpose: the same classes are the argument
  schemas of the assistant's tools, so a language model produces them through tool calls for
  phrasings the parser does not know.
  :mod:`storycore.tools.regeneration` validates them against the project, computes what must
  be regenerated and applies them.
- **The parser** (:func:`parse_feedback`): a deterministic reader of the common phrasings in
  English and French ("make shot 3 a close-up", "le plan 5 doit durer 4 secondes",
  "GaBy's hair should be blonde curly", "utilise Sora 2 partout", "redo shot 4"...). What it
  cannot read comes back in ``unparsed`` with ``understood=False`` and the LLM layer takes
  over. Ids it reads are resolved against the project; an unknown shot, element or model is
  an error that names it, never a silent no-op.

``docs/feedback.md`` lists every phrasing, the attribute words and the rules.

Where each part lives (this package's ``__init__`` re-exports every public name, so callers
import from :mod:`storycore.tools.feedback` as before):

- ``modifications.py``: the typed modifications and their JSON readers;
- ``text.py``, ``vocabulary.py``: folding, and the words users say for attributes, aspects,
  values and fields;
- ``references.py``: shot references and scenes;
- ``patterns.py``, ``reader.py``, ``handlers.py``, ``rules.py``: the pieces of the parser
  (``rules.py`` is the one file to edit to add a phrasing);
- ``parser.py``: :func:`parse_feedback` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storycore.tools.domain.modifications import (
    MODIFICATION_TOOLS,
    MODIFICATION_TYPES,
    SHOT_FIELDS,
    SPEC_FIELDS,
    Aspect,
    ChangeProjectSpec,
    InsertShot,
    Lock,
    Modification,
    MoveShot,
    Regenerate,
    RegenerateWithout,
    RemoveShot,
    RetimeShot,
    SetModel,
    SetShotField,
    ShotFieldName,
    Unlock,
    UpdateElement,
    modifications_from_json,
    normalise_shot_value,
    normalise_spec_value,
    parse_modifications,
)
from storycore.tools.feedback.references import resolve_scene, resolve_shot_ref
from storycore.tools.feedback.text import fold
from storycore.tools.feedback.vocabulary import (
    ASPECT_WORDS,
    ATTRIBUTE_WORDS,
    FRENCH_NOUNS,
    STYLE_NOUNS,
    attribute_for_word,
    translate_value,
)

if TYPE_CHECKING:
    from storycore.tools.feedback.parser import ParsedFeedback, parse_feedback


def __getattr__(name: str) -> Any:
    """The parser, loaded on first use: its rules compile some 200 patterns, and the
    modules that only fold text or read shot references (the critic) never need them."""
    if name in {"ParsedFeedback", "parse_feedback"}:
        from storycore.tools.feedback import parser

        value = getattr(parser, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ASPECT_WORDS",
    "ATTRIBUTE_WORDS",
    "FRENCH_NOUNS",
    "MODIFICATION_TOOLS",
    "MODIFICATION_TYPES",
    "SHOT_FIELDS",
    "SPEC_FIELDS",
    "STYLE_NOUNS",
    "Aspect",
    "ChangeProjectSpec",
    "InsertShot",
    "Lock",
    "Modification",
    "MoveShot",
    "ParsedFeedback",
    "Regenerate",
    "RegenerateWithout",
    "RemoveShot",
    "RetimeShot",
    "SetModel",
    "SetShotField",
    "ShotFieldName",
    "Unlock",
    "UpdateElement",
    "attribute_for_word",
    "fold",
    "modifications_from_json",
    "normalise_shot_value",
    "normalise_spec_value",
    "parse_feedback",
    "parse_modifications",
    "resolve_scene",
    "resolve_shot_ref",
    "translate_value",
]
