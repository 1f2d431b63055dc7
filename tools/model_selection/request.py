"""What the selector is asked and what it answers: requests, candidates, selections.

:class:`SelectionRequest` (one shot's needs and the user's constraints) and
:func:`request_for_shot` (the request for a planned shot under the project's specs);
:class:`CandidateScore`, :class:`Selection` and :class:`NoModelFits` (the answers);
``_Evaluation`` (a request's scored candidates, before one is chosen).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from storycore.tools.domain import (
    AspectField,
    Resolution,
    SceneTypeField,
    ShotSpec,
    TechnicalSpecs,
    format_validation_error,
    parse_aspect_ratio,
)
from storycore.tools.errors import InvalidInput, ModelSelectionError
from storycore.tools.model_registry import Kind, ModelCapability, parse_capability, parse_kind
from storycore.tools.model_selection.wording import Phrase


class SelectionRequest(BaseModel):
    """What one shot needs from a model: its scene type, length and the user's constraints."""

    model_config = ConfigDict(extra="forbid")

    scene_type: SceneTypeField
    duration_seconds: float = Field(gt=0, le=4 * 3600)
    resolution: Resolution | None = Field(
        None, description="Native output size the model must reach (WxH, 720p...)."
    )
    target_resolution: Resolution | None = Field(
        None,
        description="Delivery size (the project's): a model below it is planned with an "
        "upscale step, which costs and ranks it lower; none allowed reaching it rules it out.",
    )
    aspect_ratio: AspectField | None = None
    local_only: bool = False
    vram_gb: float | None = Field(None, gt=0, description="GPU memory available locally.")
    budget_usd: float | None = Field(None, ge=0, description="Most this shot may cost.")
    avoid: list[str] = Field(default_factory=list, description="Model ids never to use.")
    prefer: list[str] = Field(default_factory=list, description="Model ids to favour, in order.")
    requires: list[str] = Field(
        default_factory=list, description="Capabilities: lip_sync, i2v, native_audio, flf2v..."
    )
    segment_model: str | None = Field(
        None, description="The model already used in this shot's segment (consistency)."
    )
    kind: Kind = Kind.VIDEO
    shot_id: str | None = Field(None, description="For messages only.")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        return parse_kind(value) if isinstance(value, str) else value

    @field_validator("requires", mode="before")
    @classmethod
    def _requires(cls, value: Any) -> Any:
        if isinstance(value, list):
            return list(dict.fromkeys(parse_capability(v) for v in value))
        return value

    @model_validator(mode="after")
    def _aspect_matches_resolution(self) -> Self:
        implied = self._resolution_aspect()
        if implied and self.aspect_ratio and implied != self.aspect_ratio:
            raise ValueError(
                f"resolution {self.resolution} is {implied}, not {self.aspect_ratio}; "
                "give one or make them agree"
            )
        return self

    def _resolution_aspect(self) -> str | None:
        if self.resolution is None:
            return None
        try:
            return parse_aspect_ratio(f"{self.resolution.width}:{self.resolution.height}")
        except ValueError:
            return None  # an unusual frame size: only its pixels are checked

    @property
    def effective_aspect(self) -> str | None:
        """The aspect ratio to check: the one given, else the resolution's."""
        return self.aspect_ratio or self._resolution_aspect()

    @classmethod
    def from_input(cls, **fields: Any) -> SelectionRequest:
        """Build a request from user input, turning any problem into :class:`InvalidInput`."""
        try:
            return cls.model_validate(fields)
        except ValidationError as exc:
            raise InvalidInput(format_validation_error(exc, subject="model selection")) from None
        except InvalidInput:
            raise
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None

    def label(self) -> str:
        """How messages name this shot."""
        name = self.shot_id or "this shot"
        return f"{name} ({self.duration_seconds:g} s, {self.scene_type.value})"


def request_for_shot(
    shot: ShotSpec,
    specs: TechnicalSpecs,
    *,
    segment_model: str | None = None,
    requires: Sequence[str] = (),
    budget_usd: float | None = None,
) -> SelectionRequest:
    """The selection request for a planned shot under the project's specs and preferences.

    The duration is the shot's frame count at the project rate; the aspect ratio is the
    shot's, else the project's. The shot's (else the project's) resolution is the
    ``target_resolution``, the delivery size: a model below it is not ruled out but planned
    with an upscale step (named, costed, ranked lower), so plan, critic and
    ``models select --target-resolution`` agree.
    """
    # Shot frames are counted at the project rate, whatever the shot's own fps override.
    return SelectionRequest.from_input(
        scene_type=shot.scene_type,
        duration_seconds=float(Fraction(shot.duration_frames) / specs.rate),
        aspect_ratio=shot.aspect_ratio or specs.aspect_ratio,
        target_resolution=shot.resolution or specs.resolution,
        local_only=specs.models.local_only,
        vram_gb=specs.models.vram_gb,
        budget_usd=budget_usd,
        avoid=list(specs.models.avoid),
        prefer=list(specs.models.prefer),
        requires=list(requires),
        segment_model=segment_model,
        shot_id=shot.shot_id,
    )


class CandidateScore(BaseModel):
    """A model that passed every hard constraint, with its score and what it would take."""

    model_id: str
    score: float
    split: int
    clip_seconds: float | None
    estimated_cost_usd: float
    components: dict[str, float]
    upscaler: str | None = None
    upscale_from: str | None = None
    crop_from: str | None = None
    crop_to: str | None = None


class Selection(BaseModel):
    """The model chosen for one shot, its ordered fallbacks and the one-line reason."""

    model_id: str
    fallbacks: list[str]
    reason: str
    split: int = Field(description="How many clips the shot needs (1 when it fits).")
    clip_seconds: float | None = Field(description="Length of each clip; None for an image.")
    estimated_cost_usd: float
    scores: dict[str, float] = Field(description="Score of every candidate, chosen first.")
    rejected: dict[str, str] = Field(description="Why each other model was ruled out.")
    candidates: list[CandidateScore] = Field(default_factory=list)
    upscaler: str | None = Field(
        None, description="The upscaler planned after the model (its cost is included)."
    )
    upscale_from: str | None = Field(None, description="The model's native frame, WxH.")
    upscale_to: str | None = Field(None, description="The delivery size, WxH.")
    crop_from: str | None = Field(
        None,
        description="The native frame the model renders, WxH, when it does not render the "
        "delivery ratio: a centred crop of it at that ratio is scaled to the delivery size.",
    )
    crop_to: str | None = Field(None, description="The ratio the native frame is cropped to.")


class NoModelFits(ModelSelectionError):
    """No model passes the hard constraints; ``rejected`` holds each candidate's reason."""

    def __init__(self, message: str, rejected: dict[str, str]) -> None:
        super().__init__(message)
        self.rejected = rejected


@dataclass
class _Evaluation:
    request: SelectionRequest
    candidates: list[CandidateScore]  # best first
    rejected: dict[str, Phrase]  # why each other model is ruled out, in no language yet
    segment_note: Phrase | None = None
    models: dict[str, ModelCapability] = field(default_factory=dict)
