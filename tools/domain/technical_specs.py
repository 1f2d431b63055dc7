"""A project's technical specs (frame, rate, languages, style, models, budget, pace)."""

from __future__ import annotations

from fractions import Fraction
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from storycore.tools.domain.base import _Model
from storycore.tools.domain.values import AspectField, FpsField, Resolution, normalize_language
from storycore.tools.rates import is_drop_frame_rate, parse_rate


class ModelPreferences(_Model):
    """The user's wishes about generative models."""

    prefer: list[str] = Field(default_factory=list, description="Model ids to favour.")
    avoid: list[str] = Field(default_factory=list, description="Model ids never to use.")
    local_only: bool = Field(False, description="Refuse cloud models.")
    vram_gb: float | None = Field(None, gt=0, description="GPU memory available locally.")


Pace = Literal["trailer", "music_video", "short_film", "ad", "series"]


class TechnicalSpecs(_Model):
    """Per-project technical specs. Defaults: 16:9, 1920x1080, 24 fps, English."""

    aspect_ratio: AspectField = "16:9"
    resolution: Resolution = Field(default_factory=lambda: Resolution(width=1920, height=1080))
    fps: FpsField = Field("24", description="Exact rational frame rate: 24, 25, 30000/1001...")
    drop_frame: bool | None = Field(
        None, description="Drop-frame timecode at 29.97 and 59.94 (default: yes at those rates)."
    )
    language: str = Field("en", description="The language the assistant answers in.")
    prompt_language: str = Field(
        "en", description="The language generation prompts are written in."
    )
    style: str | None = None
    required_prompt_elements: list[str] = Field(default_factory=list)
    camera_movement_rule: str | None = Field(None, description="e.g. 'dynamic except on cuts'")
    cut_marker: str = "[cut]"
    models: ModelPreferences = Field(default_factory=ModelPreferences)
    budget_usd: float | None = Field(None, ge=0)
    duration_seconds: float | None = Field(
        None,
        gt=0,
        le=4 * 3600,
        description="Target length of the finished video (the brief's, or --duration).",
    )
    pace: Pace = "short_film"
    words_per_second: float = Field(
        2.5, gt=0.5, le=6, description="Speech rate for dialogue timing."
    )
    max_segment_seconds: float = Field(60.0, gt=0)

    @field_validator("language", "prompt_language")
    @classmethod
    def _lang(cls, value: str) -> str:
        return normalize_language(value)

    @model_validator(mode="after")
    def _drop_frame_only_at_ntsc(self) -> Self:
        if self.drop_frame and not is_drop_frame_rate(self.rate):
            raise ValueError(f"drop-frame timecode does not exist at {self.fps} fps")
        return self

    @property
    def rate(self) -> Fraction:
        return parse_rate(self.fps)

    @property
    def uses_drop_frame(self) -> bool:
        return is_drop_frame_rate(self.rate) if self.drop_frame is None else self.drop_frame
