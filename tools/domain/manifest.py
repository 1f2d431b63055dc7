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


class ShotMedia(_Model):
    """A shot's current rendered clip (written by storycore.tools.production)."""

    path: str = Field(description="Relative to the project: 03_videos/shot_03_v2.mp4")
    frames: int = Field(ge=1, description="Decoded frame count")
    generation_hash: str
    backend: str
    model_id: str
    version: int = Field(ge=1)
    cost_usd: float = 0.0
    sha256: str
    size: int = Field(ge=0)
    width: int
    height: int
    fps: str
    start_keyframe: str | None = Field(None, description="File name in the shot's folder.")
    end_keyframe: str | None = Field(None, description="File name in the shot's folder.")
    gate_ok: bool = True
    gate_problems: list[str] = Field(default_factory=list)
    conform_note: str | None = None
    rendered_at: str = ""
    picture_hash: str | None = Field(
        None,
        description=(
            "The drawing hash of the storyboard panel the clip was made from (the animatic "
            "moves the panel when the shot has no keyframe): a panel drawn differently "
            "renders the clip again. None for a clip made from a keyframe or a card."
        ),
    )


class ShotRef(_Model):
    shot_id: str
    folder: str = Field(description="Relative, under 02_shots/.")
    status: ShotStatusField = ShotStatus.PENDING
    version: int = 1
    media: ShotMedia | None = Field(None, description="Its current rendered clip, if any.")


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
    description_language: str | None = Field(
        None,
        description=(
            "The language the shot descriptions and element looks are left in when it is not "
            "the prompt language (planned offline: no model translated them); the prompts "
            "carry them as written. None when they are in the prompt language."
        ),
    )


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
