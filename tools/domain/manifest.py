"""The project manifest (``project.json``), and the models whose JSON Schema the CLI prints."""

from __future__ import annotations

from pydantic import BaseModel, Field

from storycore.tools.domain.base import SCHEMA_VERSION, _Model
from storycore.tools.domain.creative_brief import CreativeBrief
from storycore.tools.domain.elements import AssetMetadata
from storycore.tools.domain.shots import Scene, Segment, ShotSpec
from storycore.tools.domain.technical_specs import TechnicalSpecs
from storycore.tools.domain.vocabulary import (
    ElementTypeField,
    Phase,
    PhaseField,
    ShotStatus,
    ShotStatusField,
)


class ElementRef(_Model):
    element_id: str
    type: ElementTypeField
    name: str
    folder: str = Field(description="Relative, under 01_elements/.")


class ShotRef(_Model):
    shot_id: str
    folder: str = Field(description="Relative, under 02_shots/.")
    status: ShotStatusField = ShotStatus.PENDING
    version: int = 1


class ProjectManifest(_Model):
    """``project.json``: specs, phase, and the index of elements and shots (timeline order)."""

    schema_version: int = SCHEMA_VERSION
    generator: str = "storycore-assistant"
    title: str = "Untitled"
    technical_specs: TechnicalSpecs = Field(default_factory=TechnicalSpecs)
    phase: PhaseField = Phase.NEW
    elements: list[ElementRef] = Field(default_factory=list)
    shots: list[ShotRef] = Field(default_factory=list)
    segments: list[Segment] = Field(default_factory=list)


#: Models whose JSON Schema ``storycore schema NAME`` prints.
SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "TechnicalSpecs": TechnicalSpecs,
    "CreativeBrief": CreativeBrief,
    "Scene": Scene,
    "ShotSpec": ShotSpec,
    "Segment": Segment,
    "AssetMetadata": AssetMetadata,
    "ProjectManifest": ProjectManifest,
}
