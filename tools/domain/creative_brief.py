"""The brief as understood: what the creator asked for, and what was not understood."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from storycore.tools.domain.base import SCHEMA_VERSION, _Model
from storycore.tools.domain.technical_specs import TechnicalSpecs


class BriefElement(_Model):
    """A character, location or prop named in a brief."""

    name: str = Field(min_length=1, max_length=200)
    description: str = ""


class BriefScene(_Model):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    duration_seconds: float | None = Field(None, gt=0)


class CreativeBrief(_Model):
    """The brief as understood: what the creator asked for, and what was not understood."""

    schema_version: int = SCHEMA_VERSION
    title: str = "Untitled"
    text: str = Field("", description="The free text of the brief (logline, synopsis, notes).")
    source_format: Literal["brief", "fountain", "prose"] = "brief"
    duration_seconds: float | None = Field(None, gt=0, le=4 * 3600)
    technical_specs: TechnicalSpecs = Field(default_factory=TechnicalSpecs)
    characters: list[BriefElement] = Field(default_factory=list)
    locations: list[BriefElement] = Field(default_factory=list)
    props: list[BriefElement] = Field(default_factory=list)
    scenes: list[BriefScene] = Field(default_factory=list)
    style_words: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(
        default_factory=list, description="Contradictions resolved by a rule."
    )
    not_understood: list[str] = Field(
        default_factory=list, description="Keys or values the parser could not use."
    )
