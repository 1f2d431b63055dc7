"""The model capability registry: what each generative model can do, as data.

The figures (clip length, native fps, resolutions, VRAM, price, strengths by scene type) live
in ``tools/data/models.yaml``, shipped with the package and versioned by its
``schema_version`` and ``data_date``; no figure is written in code. A user adds or overrides
models with a file of the same format, merged by id in this order (later wins):

1. the shipped file;
2. the user file: ``$STORYCORE_CONFIG_DIR/models.yaml``, else
   ``$XDG_CONFIG_HOME/storycore/models.yaml``, else ``~/.config/storycore/models.yaml``;
3. the project file: ``<project>/models.yaml``.

An entry whose id already exists changes only the fields it gives (``strengths`` merges key
by key); a new id must be a complete entry. Any problem raises
:class:`~storycore.tools.errors.ModelRegistryError` naming the file, the model and the field.

Typical use (ids are whatever the data file holds; ``storycore models list`` shows them)::

    registry = ModelRegistry.load(project_dir=Path("my_film"))
    model = registry.get(model_id)          # also a name or an alias: "Sora-2", "Kling"
    max_clip_frames(model, Fraction(24000, 1001))  # the longest clip, in project frames

The code lives in the package ``tools/model_capabilities/``: ``vocabulary`` (kinds, modes,
capabilities, strength keys), ``capability`` (:class:`ModelCapability`,
:func:`max_clip_frames`), ``loading`` (the models files, checked and merged) and
``registry`` (:class:`ModelRegistry`). This module re-exports every name callers use; it
stays a file because ``tests/test_model_registry.py`` reads it.
"""

from storycore.tools.model_capabilities.capability import (
    MIN_CROP_KEEP,
    FrameCrop,
    ModelCapability,
    centre_crop,
    max_clip_frames,
    ratio_name,
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

# The shared key fold the registry uses (tests check it is the one of tools/text.py).
from storycore.tools.model_capabilities.vocabulary import _fold as _fold

__all__ = [
    "CAPABILITIES",
    "DEFAULT_STRENGTH_KEY",
    "MIN_CROP_KEEP",
    "MODELS_FILE_NAME",
    "MODES_BY_KIND",
    "REGISTRY_SCHEMA_VERSION",
    "VISUAL_KINDS",
    "FrameCrop",
    "Kind",
    "Mode",
    "ModelCapability",
    "ModelRegistry",
    "centre_crop",
    "default_user_file",
    "exact",
    "max_clip_frames",
    "parse_capability",
    "parse_kind",
    "parse_mode",
    "ratio_name",
    "strength_key",
]
