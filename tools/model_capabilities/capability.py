"""One model's capabilities as a validated record: :class:`ModelCapability`.

The fields of a ``tools/data/models.yaml`` entry, their validation (each field, then the
entry as a whole), and the facts derived from them (native frame, clip limit, workflow per
mode, strength per scene type, billed seconds); :func:`max_clip_frames` turns the clip limit
into frames of the project rate.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from storycore.tools.domain import ASPECT_RATIOS, SceneType, parse_aspect_ratio, parse_resolution
from storycore.tools.errors import InvalidInput
from storycore.tools.model_capabilities.vocabulary import (
    DEFAULT_STRENGTH_KEY,
    MODES_BY_KIND,
    VISUAL_KINDS,
    Kind,
    Mode,
    _parse_kind,
    exact,
    parse_capability,
    parse_mode,
    strength_key,
)
from storycore.tools.rates import parse_rate

#: The least of a native frame's width (or height) a centre crop to the delivery ratio may
#: keep: two thirds. 9:16 cropped to 4:5 keeps 70%, 16:9 to 2.39:1 keeps 74%; 16:9 to 1:1
#: (56%) or to 4:5 (45%) would cut away the picture's subject, and 10:1 is reached by none.
MIN_CROP_KEEP = Fraction(2, 3)


@dataclass(frozen=True)
class FrameCrop:
    """How a model makes a delivery frame whose ratio it does not render natively: it renders
    ``render`` (a native ratio, ``ratio``), a centred ``crop`` of it at the delivery ratio is
    kept (``kept``: the share of the cut side left), then scaled to the delivery size."""

    ratio: str
    render: tuple[int, int]
    crop: tuple[int, int]
    kept: Fraction

    @property
    def render_text(self) -> str:
        """The rendered frame as ``WxH``."""
        return f"{self.render[0]}x{self.render[1]}"


def ratio_name(width: int, height: int) -> str:
    """A frame's ratio as people write it: its named ratio ("4:5", "2.39:1") when it has one,
    else its reduced ``W:H`` ("10:1")."""
    try:
        return parse_aspect_ratio(f"{width}:{height}")
    except ValueError:
        ratio = Fraction(width, height)
        return f"{ratio.numerator}:{ratio.denominator}"


def _even(value: Fraction) -> int:
    """A frame side rounded down to an even number of pixels (what yuv420p encoders need)."""
    return max(2, math.floor(value) // 2 * 2)


def _even_up(value: Fraction) -> int:
    """A frame side rounded up to an even number of pixels."""
    return max(2, math.ceil(value / 2) * 2)


def centre_crop(width: int, height: int, ratio: Fraction) -> tuple[int, int]:
    """The largest centred frame of ``ratio`` (width / height) inside ``width`` x ``height``."""
    if Fraction(width, height) > ratio:
        return min(width, _even(height * ratio)), height
    return width, min(height, _even(width / ratio))


class ModelCapability(BaseModel):
    """One generative model: what it makes, its limits, where it runs, what it costs.

    See the header of ``tools/data/models.yaml`` for what each field means. Figures are
    approximate public facts; ``source`` and ``as_of`` say where and when from.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    name: str = Field(min_length=1, max_length=120)
    vendor: str = ""
    aliases: list[str] = Field(default_factory=list)
    kinds: list[Kind] = Field(min_length=1)
    modes: list[Mode] = Field(min_length=1)
    max_clip_seconds: float | None = Field(None, gt=0)
    max_clip_frames: int | None = Field(None, gt=0)
    native_fps: str | None = None
    clip_durations: list[float] = Field(default_factory=list)
    resolutions: list[str] = Field(default_factory=list)
    aspect_ratios: list[str] = Field(default_factory=list)
    runs: Literal["local", "cloud"]
    vram_gb: float | None = Field(None, gt=0)
    cost_usd_per_second: float | None = Field(None, ge=0)
    cost_usd_per_image: float | None = Field(None, ge=0)
    strengths: dict[str, float] = Field(default_factory=dict)
    native_audio: bool = False
    lip_sync: bool = False
    # An upscaler: a v2v model that enlarges another model's clips by up to this factor (it
    # makes no shot of its own; the selector plans it after a model below the delivery size).
    upscale_factor: float | None = Field(None, gt=1, le=8)
    comfyui_workflow: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_]{0,63}$")
    # A template per mode where one workflow does not serve them all (flf2v: wan22_flf2v).
    comfyui_workflows: dict[Mode, str] = Field(default_factory=dict)
    source: str | None = None
    as_of: str | None = Field(None, pattern=r"^\d{4}-\d{2}(-\d{2})?$")
    notes: str = ""

    @field_validator("kinds", mode="before")
    @classmethod
    def _kinds(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [_parse_kind(v) for v in value]
        return value

    @field_validator("modes", mode="before")
    @classmethod
    def _modes(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [parse_mode(v) for v in value]
        return value

    @field_validator("comfyui_workflows", mode="before")
    @classmethod
    def _workflows(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[Mode, str] = {}
        for mode, name in value.items():
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_]{0,63}", name):
                raise ValueError(f"{mode}: not a workflow template name: {name!r}")
            out[parse_mode(mode)] = name
        return out

    @field_validator("native_fps", mode="before")
    @classmethod
    def _fps(cls, value: Any) -> Any:
        if value is None:
            return None
        try:
            rate = Fraction(str(value).strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"not a frame rate: {value!r} (write 24, 25 or 30000/1001)") from None
        if rate <= 0 or rate > 240:
            raise ValueError(f"must be between 0 and 240 fps, not {value!r}")
        return str(rate)

    @field_validator("clip_durations")
    @classmethod
    def _durations(cls, value: list[float]) -> list[float]:
        if any(d <= 0 for d in value):
            raise ValueError("every clip duration must be greater than 0")
        return sorted(set(value))

    @field_validator("resolutions", mode="before")
    @classmethod
    def _resolutions(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(parse_resolution(str(v))) for v in value]
        return value

    @field_validator("aspect_ratios", mode="before")
    @classmethod
    def _aspects(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [
                "any" if str(v).strip().lower() == "any" else parse_aspect_ratio(str(v))
                for v in value
            ]
        return value

    @field_validator("strengths", mode="before")
    @classmethod
    def _strengths(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for key, score in value.items():
            canonical = strength_key(str(key))
            if canonical in out:
                raise ValueError(f"scene type {canonical!r} is given twice")
            out[canonical] = score
        return out

    @field_validator("strengths")
    @classmethod
    def _strength_range(cls, value: dict[str, float]) -> dict[str, float]:
        for key, score in value.items():
            if not 0 <= score <= 1:
                raise ValueError(f"{key}: must be between 0 and 1, not {score}")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        allowed = frozenset().union(*(MODES_BY_KIND[k] for k in self.kinds))
        stray = [m.value for m in self.modes if m not in allowed]
        if stray:
            kinds = ", ".join(k.value for k in self.kinds)
            raise ValueError(f"modes: {', '.join(stray)} do not apply to a {kinds} model")
        foreign = [m.value for m in self.comfyui_workflows if m not in self.modes]
        if foreign:
            raise ValueError(f"comfyui_workflows: {', '.join(foreign)} is not a mode of the model")
        if Kind.VIDEO in self.kinds and self.max_clip_seconds is None:
            raise ValueError("max_clip_seconds: required for a video model")
        if self.upscale_factor is not None and (
            Kind.VIDEO not in self.kinds or Mode.V2V not in self.modes
        ):
            raise ValueError("upscale_factor: an upscaler is a video model with the v2v mode")
        if self.max_clip_frames is not None and self.native_fps is None:
            raise ValueError("native_fps: required when max_clip_frames is given")
        longest = max(self.clip_durations, default=0.0)
        if self.max_clip_seconds is not None and longest > self.max_clip_seconds:
            raise ValueError("clip_durations: longer than max_clip_seconds")
        if any(k in VISUAL_KINDS for k in self.kinds):
            if not self.resolutions:
                raise ValueError("resolutions: required for an image or video model")
            if not self.aspect_ratios:
                raise ValueError("aspect_ratios: required for an image or video model")
        if self.runs == "local":
            if self.vram_gb is None:
                raise ValueError("vram_gb: required for a local model")
            if self.comfyui_workflow is None:
                raise ValueError("comfyui_workflow: required for a local model")
        else:
            if Kind.IMAGE in self.kinds and self.cost_usd_per_image is None:
                raise ValueError("cost_usd_per_image: required for a cloud image model")
            timed = [k for k in self.kinds if k is not Kind.IMAGE]
            if timed and self.cost_usd_per_second is None:
                raise ValueError(f"cost_usd_per_second: required for a cloud {timed[0]} model")
        return self

    # ---------------------------------------------------------------- derived facts

    @property
    def is_upscaler(self) -> bool:
        """True for an upscaling step (``upscale_factor``), which never makes a shot itself."""
        return self.upscale_factor is not None

    def native_size(self, width: int, height: int) -> tuple[int, int] | None:
        """The largest native frame of the model's in the orientation and ratio of
        ``width`` x ``height``: the frame, scaled down to fit, it renders for that delivery
        size (None when it has no frame size). 1280x720 for a 1080x1920 request is 720x1280
        scaled to 9:16, i.e. 720x1280."""
        best: tuple[int, int] | None = None
        for text in self.resolutions:
            size = parse_resolution(text)
            long_side, short_side = max(size.width, size.height), min(size.width, size.height)
            frame_w, frame_h = (
                (long_side, short_side)
                if width >= height
                else (
                    short_side,
                    long_side,
                )
            )
            scale = min(Fraction(frame_w, width), Fraction(frame_h, height), Fraction(1))
            fitted = (int(width * scale), int(height * scale))
            if best is None or fitted[0] * fitted[1] > best[0] * best[1]:
                best = fitted
        return best

    def renders_ratio(self, width: int, height: int) -> bool:
        """Whether the model renders the ratio of a ``width`` x ``height`` delivery frame as
        one of its native ratios (an unnamed ratio such as 10:1 is native to no video model)."""
        if "any" in self.aspect_ratios:
            return True
        for text in self.resolutions:  # one of its own frame sizes (Wan's 1280x704)
            size = parse_resolution(text)
            if {size.width, size.height} == {width, height}:
                return True
        try:
            return parse_aspect_ratio(f"{width}:{height}") in self.aspect_ratios
        except ValueError:
            return False

    def reaches_ratio(self, width: int, height: int) -> bool:
        """Whether the model can deliver a ``width`` x ``height`` frame's ratio: natively, or
        with a centre crop of one of its native frames (:meth:`frame_crop`)."""
        return self.renders_ratio(width, height) or self.frame_crop(width, height) is not None

    def ratio_frame(self, ratio: str) -> tuple[int, int] | None:
        """The largest frame of the native ``ratio`` ("9:16") the model renders: the ratio
        fitted in its largest frame size turned to the ratio's orientation (720x1280 for
        9:16 on a 1280x720 model). None for a ratio it does not render."""
        if ratio not in self.aspect_ratios or ratio not in ASPECT_RATIOS:
            return None
        wanted = ASPECT_RATIOS[ratio]
        best: tuple[int, int] | None = None
        for text in self.resolutions:
            size = parse_resolution(text)
            long_side, short_side = max(size.width, size.height), min(size.width, size.height)
            box = (long_side, short_side) if wanted >= 1 else (short_side, long_side)
            # A frame size that is the ratio give or take its latent multiple (1280x704 is
            # Wan's 16:9) is rendered as it is; another is the ratio fitted in it.
            close = abs(Fraction(box[0], box[1]) / wanted - 1) <= Fraction(3, 100)
            frame = box if close else centre_crop(box[0], box[1], wanted)
            if best is None or frame[0] * frame[1] > best[0] * best[1]:
                best = frame
        return best

    def frame_crop(self, width: int, height: int) -> FrameCrop | None:
        """How the model reaches a ``width`` x ``height`` delivery frame whose ratio it does
        not render: the native frame whose centre crop to that ratio keeps the most pixels
        (up to the delivery size), then the least picture cut away. None when it renders the
        ratio natively, or when every native ratio would keep less than
        :data:`MIN_CROP_KEEP` of its frame (a 4:5 frame from 16:9, any frame at 10:1)."""
        if self.renders_ratio(width, height):
            return None
        target = Fraction(width, height)
        best: tuple[tuple[int, Fraction], FrameCrop] | None = None
        for ratio in self.aspect_ratios:
            frame = self.ratio_frame(ratio)
            if frame is None:
                continue
            native = Fraction(frame[0], frame[1])
            kept = min(native, target) / max(native, target)
            if kept < MIN_CROP_KEEP:
                continue
            crop = centre_crop(frame[0], frame[1], target)
            key = (min(crop[0], width), kept)
            if best is None or key > best[0]:
                best = key, FrameCrop(ratio, frame, crop, kept)
        if best is None:
            return None
        chosen = best[1]
        if chosen.crop[0] <= width:
            return chosen
        # Larger than needed: the frame is asked no larger than its crop needs (a 1080x1440
        # frame for a 540x675 delivery is rendered 540x720), as a native ratio is rendered
        # at the delivery size.
        scale = Fraction(width, chosen.crop[0])
        render = (_even_up(chosen.render[0] * scale), _even_up(chosen.render[1] * scale))
        return FrameCrop(chosen.ratio, render, centre_crop(*render, target), chosen.kept)

    def upscale_needed(self, width: int, height: int) -> Fraction:
        """By how much this model's native frame must be enlarged to reach the delivery size
        (1 when it reaches it natively). For a ratio it reaches with a centre crop
        (:meth:`frame_crop`) the crop is what is enlarged."""
        crop = self.frame_crop(width, height)
        if crop is not None:
            return max(Fraction(1), Fraction(width, crop.crop[0]))
        if self.supports_resolution(width, height):
            return Fraction(1)
        native = self.native_size(width, height)
        if native is None or native[0] == 0:
            return Fraction(0)
        return Fraction(width, native[0])

    @property
    def local(self) -> bool:
        """True when the model runs on the user's own GPU."""
        return self.runs == "local"

    @property
    def clip_limit_seconds(self) -> Fraction | None:
        """The longest clip in one generation, in exact seconds (None: no limit).

        The smaller of ``max_clip_seconds`` and ``max_clip_frames / native_fps``: a vendor
        may state either, and the stricter one is what the model can really make.
        """
        limits: list[Fraction] = []
        if self.max_clip_seconds is not None:
            limits.append(exact(self.max_clip_seconds))
        if self.max_clip_frames is not None and self.native_fps is not None:
            limits.append(Fraction(self.max_clip_frames) / Fraction(self.native_fps))
        return min(limits) if limits else None

    def workflow_for(self, mode: Mode | str) -> str | None:
        """The ComfyUI workflow template for ``mode`` ("i2v", "flf2v"...), or None.

        ``comfyui_workflows`` names a template per mode; any other mode of the model uses
        ``comfyui_workflow``. A mode the model does not have has no template.
        """
        wanted = parse_mode(mode)
        if wanted not in self.modes:
            return None
        return self.comfyui_workflows.get(wanted, self.comfyui_workflow)

    def strength(self, scene_type: SceneType | str) -> float:
        """How well the model serves a scene type, 0..1 (its ``default``, else 0)."""
        key = strength_key(str(scene_type))
        return self.strengths.get(key, self.strengths.get(DEFAULT_STRENGTH_KEY, 0.0))

    def has_capability(self, capability: str) -> bool:
        """Whether the model has a mode ("i2v") or a flag ("lip_sync", "native_audio")."""
        name = parse_capability(capability)
        if name == "lip_sync":
            return self.lip_sync
        if name == "native_audio":
            return self.native_audio
        return Mode(name) in self.modes

    def supports_aspect(self, aspect_ratio: str) -> bool:
        """Whether the model renders ``aspect_ratio`` natively ("any" accepts every ratio)."""
        return "any" in self.aspect_ratios or parse_aspect_ratio(aspect_ratio) in self.aspect_ratios

    def supports_resolution(self, width: int, height: int) -> bool:
        """Whether a native frame size (either orientation) holds ``width`` x ``height``."""
        long_side, short_side = max(width, height), min(width, height)
        for text in self.resolutions:
            size = parse_resolution(text)
            if max(size.width, size.height) >= long_side and min(size.width, size.height) >= (
                short_side
            ):
                return True
        return False

    def billed_seconds(self, clip_seconds: Fraction) -> Fraction:
        """The seconds a clip of ``clip_seconds`` costs: the next fixed duration, if any."""
        for duration in self.clip_durations:
            if exact(duration) >= clip_seconds:
                return exact(duration)
        return clip_seconds


def max_clip_frames(model: ModelCapability, rate: Fraction | str | int) -> int:
    """The longest clip ``model`` can make, in whole frames of the PROJECT rate (floor).

    Planned shots are cut at the project rate, so a 5 s model at 24000/1001 gives 119 frames,
    not 120: a 120-frame shot would be 5.005 s and need a second clip.
    """
    limit = model.clip_limit_seconds
    if limit is None:
        kinds = ", ".join(k.value for k in model.kinds)
        raise InvalidInput(f"model {model.id!r} ({kinds}) has no clip length limit")
    project_rate = rate if isinstance(rate, Fraction) else parse_rate(rate)
    if project_rate <= 0:
        raise InvalidInput(f"the frame rate must be greater than 0, not {rate}")
    return math.floor(limit * project_rate)
