"""Elements of the asset registry (characters, locations, props, styles) and their versions."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from storycore.tools.domain.base import _ID_PATTERN, SCHEMA_VERSION, _Model
from storycore.tools.domain.vocabulary import ElementStatus, ElementStatusField, ElementTypeField


class ReferenceImage(_Model):
    path: str = Field(description="Relative to the element's folder.")
    original_path: str | None = Field(None, description="Where the user's file came from.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    role: str = "reference"


class ElementContent(_Model):
    """What a version of an element says: everything that changes the prompts."""

    name: str = Field(min_length=1, max_length=200)
    canonical_description: str = Field(
        "", max_length=4000, description="What every prompt showing this element must say."
    )
    attributes: dict[str, str] = Field(
        default_factory=dict, description="Named traits: hair, eyes, costume, colour..."
    )
    reference_images: list[ReferenceImage] = Field(default_factory=list)
    generation_parameters: dict[str, Any] = Field(default_factory=dict)


class ElementVersion(_Model):
    version: int = Field(ge=1)
    content_hash: str
    created_at: str
    note: str = ""
    content: ElementContent


class AssetMetadata(_Model):
    """An element of the registry (character, location, prop, style...) with its versions."""

    schema_version: int = SCHEMA_VERSION
    element_id: str = Field(pattern=_ID_PATTERN)
    type: ElementTypeField
    name: str = Field(min_length=1, max_length=200)
    aliases: list[str] = Field(default_factory=list, description="Other spellings of the name.")
    canonical_description: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)
    reference_images: list[ReferenceImage] = Field(default_factory=list)
    generation_parameters: dict[str, Any] = Field(default_factory=dict)
    status: ElementStatusField = ElementStatus.DRAFT
    current_version: int = Field(1, ge=1)
    versions: list[ElementVersion] = Field(default_factory=list)
    shots: list[str] = Field(default_factory=list, description="Shot ids that show this element.")
    derived_from: str | None = Field(None, description="Element this one is a variant of.")

    def content(self) -> ElementContent:
        return ElementContent(
            name=self.name,
            canonical_description=self.canonical_description,
            attributes=dict(self.attributes),
            reference_images=list(self.reference_images),
            generation_parameters=dict(self.generation_parameters),
        )

    @property
    def locked(self) -> bool:
        return self.status is ElementStatus.LOCKED
