"""Pydantic models for what the language model returns, and for the interrupt payloads.

The LLM fills these through structured output (validated, repaired when malformed); the graph
turns them into domain objects with the deterministic core, which does every computation.
The interrupt payloads a UI renders at a confirmation are defined in
:mod:`storycore.agent.confirmations` and importable from here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from storycore.agent.confirmations import Confirmation, ConfirmationKind

# -- structured LLM outputs ---------------------------------------------------------------------


class NamedThing(BaseModel):
    name: str = Field(description="The name as the brief writes it.")
    description: str = Field("", description="A short description taken from the brief.")


class BriefInterpretation(BaseModel):
    """What a brief in prose states. Empty fields mean the brief does not say."""

    model_config = ConfigDict(extra="ignore")

    title: str | None = Field(None, description="The title, if the brief gives one.")
    duration_seconds: float | None = Field(None, description="Total length in seconds.")
    aspect_ratio: str | None = Field(None, description="e.g. 16:9, 9:16, 1:1, 2.39:1")
    fps: str | None = Field(None, description="Frame rate as written, e.g. 24 or 23.976")
    style: str | None = Field(None, description="Visual style words from the brief.")
    prompt_language: str | None = Field(
        None, description="Language the generation prompts must be written in."
    )
    characters: list[NamedThing] = Field(default_factory=list)
    locations: list[NamedThing] = Field(default_factory=list)
    props: list[NamedThing] = Field(default_factory=list)
    not_understood: list[str] = Field(
        default_factory=list, description="Parts of the brief you could not place."
    )


class BeatPlan(BaseModel):
    kind: Literal["action", "dialogue"] = "action"
    text: str = Field(description="The action, or the line spoken.")
    character: str | None = Field(None, description="Who speaks (dialogue) or acts.")


class ScenePlan(BaseModel):
    heading: str = Field(description="A scene heading, e.g. 'EXT. OLD BRIDGE - NIGHT'.")
    location: str = Field(description="The place, by the name the story uses.")
    time_of_day: str | None = Field(None, description="day, night, dawn, dusk...")
    interior: bool | None = Field(None, description="True inside, False outside.")
    characters: list[str] = Field(default_factory=list, description="Names of who appears.")
    props: list[str] = Field(default_factory=list, description="Important objects shown.")
    description: str = Field("", description="One sentence: what happens in the scene.")
    beats: list[BeatPlan] = Field(default_factory=list, description="In story order.")


class BreakdownProposal(BaseModel):
    """The story split into scenes of beats; the tools design and time the shots."""

    scenes: list[ScenePlan] = Field(min_length=1)


class ElementDescription(BaseModel):
    element_id: str
    canonical_description: str = Field(
        description="How every image prompt must describe this element: concrete and visual "
        "(age, build, hair, clothes, colours for a character), one or two sentences."
    )


class ElementDescriptions(BaseModel):
    elements: list[ElementDescription]


class TranslatedText(BaseModel):
    id: str = Field(description="The id of the text, exactly as given.")
    text: str = Field(description="The text in the target language, nothing else.")


class Translations(BaseModel):
    """Shot descriptions and element looks in the prompt language, one per id given."""

    items: list[TranslatedText]


# -- interrupt payloads -------------------------------------------------------------------------
# They live with the rest of the interrupt contract in storycore.agent.confirmations; imported
# here too, where they have always been importable from.

__all__ = [
    "BeatPlan",
    "BreakdownProposal",
    "BriefInterpretation",
    "Confirmation",
    "ConfirmationKind",
    "ElementDescription",
    "ElementDescriptions",
    "NamedThing",
    "ScenePlan",
    "TranslatedText",
    "Translations",
]
