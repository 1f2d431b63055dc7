"""The model capability registry's code; :mod:`storycore.tools.model_registry` is its door.

Import from :mod:`storycore.tools.model_registry` (or from here: the same names). One file
per part:

- ``vocabulary``: :class:`Kind`, :class:`Mode`, the modes of each kind, capability names,
  strength keys and their parsers, :func:`exact`
- ``capability``: :class:`ModelCapability` (one entry of ``models.yaml``, validated) and
  :func:`max_clip_frames`
- ``loading``: the shipped, user and project models files, checked and merged by id
- ``registry``: :class:`ModelRegistry` and its queries (by id, name or alias; by kind)
"""

from storycore.tools.model_capabilities.capability import (
    ModelCapability,
    max_clip_frames,
)
from storycore.tools.model_capabilities.loading import (
    MODELS_FILE_NAME,
    REGISTRY_SCHEMA_VERSION,
    default_user_file,
)
from storycore.tools.model_capabilities.registry import (
    ModelRegistry,
)
from storycore.tools.model_capabilities.vocabulary import (
    CAPABILITIES,
    DEFAULT_STRENGTH_KEY,
    MODES_BY_KIND,
    VISUAL_KINDS,
    Kind,
    Mode,
    exact,
    parse_capability,
    parse_kind,
    parse_mode,
    strength_key,
)

__all__ = [
    "CAPABILITIES",
    "DEFAULT_STRENGTH_KEY",
    "MODELS_FILE_NAME",
    "MODES_BY_KIND",
    "REGISTRY_SCHEMA_VERSION",
    "VISUAL_KINDS",
    "Kind",
    "Mode",
    "ModelCapability",
    "ModelRegistry",
    "default_user_file",
    "exact",
    "max_clip_frames",
    "parse_capability",
    "parse_kind",
    "parse_mode",
    "strength_key",
]
