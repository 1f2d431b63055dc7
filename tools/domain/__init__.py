"""The domain model of StoryCore: one package the whole project imports.

Film vocabulary as typed data: :class:`TechnicalSpecs`, :class:`CreativeBrief`,
:class:`Scene`, :class:`ShotSpec`, :class:`Segment`, :class:`AssetMetadata` (an element of
the registry) and :class:`ProjectManifest` (``project.json``).

Times are frame counts at the project rate (``start_frame`` inclusive, ``end_frame``
exclusive); :mod:`storycore.tools.timecode` turns them into SMPTE, SRT or seconds. Enumerations
accept the usual aliases on input ("close-up", "CU" and "gros plan" all mean ``CU``) and are
always written as one canonical code.

One module per concern; import from the package (``from storycore.tools.domain import
ShotSpec``), which re-exports every public name:

- ``base``: ``SCHEMA_VERSION`` and the base of every persisted model
- ``vocabulary``: the enumerations with aliases (``ShotSize``, ``CameraMovement``...) and
  their annotated ``...Field`` types
- ``values``: aspect ratios, ``Resolution``, frame rates and languages read from text
- ``technical_specs``: ``TechnicalSpecs``, ``ModelPreferences``, ``Pace``
- ``creative_brief``: ``CreativeBrief`` and the elements and scenes a brief names
- ``shots``: ``DialogueLine``, ``Beat``, ``Scene``, ``ShotSpec``, ``Segment``
- ``elements``: the asset registry's ``AssetMetadata`` and its versions
- ``manifest``: ``project.json`` (``ProjectManifest``) and ``SCHEMA_MODELS``
- ``error_messages``: ``format_validation_error``
"""

from __future__ import annotations

from storycore.tools.domain.base import (
    SCHEMA_VERSION,
)
from storycore.tools.domain.creative_brief import (
    BriefElement,
    BriefScene,
    CreativeBrief,
)
from storycore.tools.domain.elements import (
    AssetMetadata,
    ElementContent,
    ElementVersion,
    ReferenceImage,
)
from storycore.tools.domain.error_messages import (
    format_validation_error,
)
from storycore.tools.domain.manifest import (
    SCHEMA_MODELS,
    ElementRef,
    ProjectManifest,
    ShotMedia,
    ShotRef,
)
from storycore.tools.domain.shots import (
    Beat,
    DialogueLine,
    Scene,
    Segment,
    ShotSpec,
)
from storycore.tools.domain.technical_specs import (
    ModelPreferences,
    Pace,
    TechnicalSpecs,
)
from storycore.tools.domain.values import (
    ASPECT_RATIOS,
    LANGUAGE_NAMES,
    AspectField,
    FpsField,
    Resolution,
    normalize_language,
    parse_aspect_ratio,
    parse_resolution,
    resolution_for,
)
from storycore.tools.domain.vocabulary import (
    CameraAngle,
    CameraAngleField,
    CameraMovement,
    CameraMovementField,
    ElementStatus,
    ElementStatusField,
    ElementType,
    ElementTypeField,
    Framing,
    FramingField,
    IntExt,
    IntExtField,
    Phase,
    PhaseField,
    SceneType,
    SceneTypeField,
    ShotSize,
    ShotSizeField,
    ShotStatus,
    ShotStatusField,
    Transition,
    TransitionField,
)

__all__ = [
    "ASPECT_RATIOS",
    "LANGUAGE_NAMES",
    "SCHEMA_MODELS",
    "SCHEMA_VERSION",
    "AspectField",
    "AssetMetadata",
    "Beat",
    "BriefElement",
    "BriefScene",
    "CameraAngle",
    "CameraAngleField",
    "CameraMovement",
    "CameraMovementField",
    "CreativeBrief",
    "DialogueLine",
    "ElementContent",
    "ElementRef",
    "ElementStatus",
    "ElementStatusField",
    "ElementType",
    "ElementTypeField",
    "ElementVersion",
    "FpsField",
    "Framing",
    "FramingField",
    "IntExt",
    "IntExtField",
    "ModelPreferences",
    "Pace",
    "Phase",
    "PhaseField",
    "ProjectManifest",
    "ReferenceImage",
    "Resolution",
    "Scene",
    "SceneType",
    "SceneTypeField",
    "Segment",
    "ShotMedia",
    "ShotRef",
    "ShotSize",
    "ShotSizeField",
    "ShotSpec",
    "ShotStatus",
    "ShotStatusField",
    "TechnicalSpecs",
    "Transition",
    "TransitionField",
    "format_validation_error",
    "normalize_language",
    "parse_aspect_ratio",
    "parse_resolution",
    "resolution_for",
]
