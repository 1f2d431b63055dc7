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
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from storycore.tools.domain import SceneType, parse_aspect_ratio, parse_resolution
from storycore.tools.errors import InvalidInput, ModelRegistryError, NotFound
from storycore.tools.rates import parse_rate
from storycore.tools.text import underscore_key as _fold

#: The version of the models.yaml format this code reads.
REGISTRY_SCHEMA_VERSION = 1

#: The file name of user and project overrides.
MODELS_FILE_NAME = "models.yaml"

_TOP_LEVEL_KEYS = ("schema_version", "data_date", "models")


class Kind(StrEnum):
    """What a model produces."""

    IMAGE = "image"
    VIDEO = "video"
    VOICE = "voice"
    MUSIC = "music"


class Mode(StrEnum):
    """How a model is driven: from text, an image, two keyframes, audio, a video."""

    T2I = "t2i"  # text to image
    I2I = "i2i"  # image to image (variation, restyle)
    EDIT = "edit"  # instruction or mask edit of an image (corrections, inpainting)
    T2V = "t2v"  # text to video
    I2V = "i2v"  # image to video: animate a keyframe (first-frame video)
    FLF2V = "flf2v"  # first and last frame to video: interpolation between two keyframes
    AUDIO_DRIVEN = "audio_driven"  # a portrait and an audio track to video (lip-sync)
    V2V = "v2v"  # video to video (restyle, extend)
    TTS = "tts"  # text to speech
    VOICE_CLONE = "voice_clone"  # speech in a voice learnt from a sample
    T2M = "t2m"  # text (and lyrics) to music


MODES_BY_KIND: dict[Kind, frozenset[Mode]] = {
    Kind.IMAGE: frozenset({Mode.T2I, Mode.I2I, Mode.EDIT}),
    Kind.VIDEO: frozenset({Mode.T2V, Mode.I2V, Mode.FLF2V, Mode.AUDIO_DRIVEN, Mode.V2V}),
    Kind.VOICE: frozenset({Mode.TTS, Mode.VOICE_CLONE}),
    Kind.MUSIC: frozenset({Mode.T2M}),
}

#: Kinds whose output has a frame size and an aspect ratio.
VISUAL_KINDS = frozenset({Kind.IMAGE, Kind.VIDEO})

#: Capabilities a shot can require: every mode, plus two flags.
CAPABILITIES: tuple[str, ...] = (*(m.value for m in Mode), "lip_sync", "native_audio")

_MODE_ALIASES = {
    "audio-driven": "audio_driven",
    "audio driven": "audio_driven",
    "s2v": "audio_driven",
    "speech_to_video": "audio_driven",
    "first_last_frame": "flf2v",
    "interpolation": "flf2v",
    "img2img": "i2i",
    "img2vid": "i2v",
    "image_to_video": "i2v",
    "text_to_video": "t2v",
    "text_to_image": "t2i",
    "inpaint": "edit",
    "lipsync": "lip_sync",
    "lip-sync": "lip_sync",
    "audio": "native_audio",
}

#: A strength key that applies to every scene type the entry does not name.
DEFAULT_STRENGTH_KEY = "default"


def parse_mode(value: object) -> Mode:
    """The :class:`Mode` for ``value`` ("i2v", "audio-driven", "S2V"...), or ``ValueError``."""
    if isinstance(value, Mode):
        return value
    text = _fold(str(value))
    text = _MODE_ALIASES.get(text, _MODE_ALIASES.get(text.replace("_", " "), text))
    try:
        return Mode(text)
    except ValueError:
        raise ValueError(
            f"unknown mode {value!r}; use one of {', '.join(m.value for m in Mode)}"
        ) from None


def parse_capability(value: object) -> str:
    """A canonical capability name ("i2v", "lip_sync", "native_audio") or ``ValueError``."""
    text = _fold(str(value))
    text = _MODE_ALIASES.get(text, _MODE_ALIASES.get(text.replace("_", " "), text))
    if text in CAPABILITIES:
        return text
    raise ValueError(f"unknown capability {value!r}; use one of {', '.join(CAPABILITIES)}")


def _parse_kind(value: object) -> Kind:
    try:
        return Kind(_fold(str(value)))
    except ValueError:
        raise ValueError(
            f"unknown kind {value!r}; use one of {', '.join(k.value for k in Kind)}"
        ) from None


def parse_kind(value: object) -> Kind:
    """The :class:`Kind` for ``value``, or :class:`InvalidInput`."""
    try:
        return _parse_kind(value)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def strength_key(value: str) -> str:
    """The canonical strengths key: a scene type value ("close-up" -> "close_up") or default."""
    if _fold(value) == DEFAULT_STRENGTH_KEY:
        return DEFAULT_STRENGTH_KEY
    scene: SceneType = SceneType.parse(value)
    return scene.value


def exact(value: float) -> Fraction:
    """A float from the data file as the decimal it was written as (5.0 -> 5, 0.1 -> 1/10)."""
    return Fraction(str(value))


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

    def upscale_needed(self, width: int, height: int) -> Fraction:
        """By how much this model's native frame must be enlarged to reach the delivery size
        (1 when it reaches it natively)."""
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


def default_user_file() -> Path:
    """Where the user's own models.yaml lives (it need not exist)."""
    config_dir = os.environ.get("STORYCORE_CONFIG_DIR")
    if config_dir:
        return Path(config_dir).expanduser() / MODELS_FILE_NAME
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "storycore" / MODELS_FILE_NAME


def _lookup_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", str(text).lower())


def _problem(error: ValidationError) -> str:
    """The first problem of a validation error as ``field: message`` (plus a count)."""
    problems: list[str] = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item.get("loc", ()))
        message = str(item.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        message = message.replace("Input should be", "must be")
        if item.get("type") == "extra_forbidden":
            message = "unknown field"
        elif item.get("type") == "missing":
            message = "required field is missing"
        problems.append(f"{where}: {message}" if where else message)
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return (problems[0] if problems else str(error)) + more


class ModelRegistry:
    """The models StoryCore knows, by id: the shipped file plus the user's overrides."""

    def __init__(
        self,
        models: Iterable[ModelCapability],
        *,
        schema_version: int = REGISTRY_SCHEMA_VERSION,
        data_date: str = "",
        files: Iterable[str] = (),
    ) -> None:
        self._models: dict[str, ModelCapability] = {}
        for model in models:
            if model.id in self._models:
                raise ModelRegistryError(f"model {model.id!r} is listed twice")
            self._models[model.id] = model
        self.schema_version = schema_version
        self.data_date = data_date
        #: The files merged into this registry, shipped file first.
        self.files: list[str] = list(files)
        # Ids first, then names, then aliases: an id always wins over another model's alias.
        self._lookup: dict[str, str] = {}
        for pick in (lambda m: [m.id], lambda m: [m.name], lambda m: m.aliases):
            for model in self._models.values():
                for text in pick(model):
                    self._lookup.setdefault(_lookup_key(text), model.id)

    # ---------------------------------------------------------------- loading

    @classmethod
    def load(cls, project_dir: Path | None = None, user_file: Path | None = None) -> ModelRegistry:
        """The shipped models merged with the user file and the project's ``models.yaml``.

        ``user_file`` defaults to :func:`default_user_file` and is skipped when absent; an
        explicit ``user_file`` that does not exist is an error.
        """
        shipped = resources.files("storycore.tools").joinpath("data", MODELS_FILE_NAME)
        label = "storycore/tools/data/models.yaml"
        document = _parse_document(shipped.read_text(encoding="utf-8"), label)
        if "schema_version" not in document:
            raise ModelRegistryError(f"{label}: schema_version: required field is missing")
        raw: dict[str, dict[str, Any]] = {}
        _merge_entries(raw, document, label, shipped=True)
        files = [label]

        if user_file is None:
            candidate = default_user_file()
            user_path: Path | None = candidate if candidate.is_file() else None
        else:
            user_path = Path(user_file).expanduser()
            if not user_path.is_file():
                raise ModelRegistryError(f"{user_path}: model file not found")
        overrides: list[Path] = [user_path] if user_path else []
        if project_dir is not None:
            project = Path(project_dir).expanduser()
            if not project.is_dir():
                raise InvalidInput(f"project folder {str(project)!r} does not exist")
            if (project / MODELS_FILE_NAME).is_file():
                overrides.append(project / MODELS_FILE_NAME)

        for path in overrides:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ModelRegistryError(f"{path}: cannot be read ({exc})") from None
            _merge_entries(raw, _parse_document(text, str(path)), str(path), shipped=False)
            files.append(str(path))

        models = [ModelCapability.model_validate(entry) for entry in raw.values()]
        return cls(
            models,
            schema_version=int(document["schema_version"]),
            data_date=str(document.get("data_date", "")),
            files=files,
        )

    # ---------------------------------------------------------------- queries

    def get(self, model_id: str) -> ModelCapability:
        """The model ``model_id`` (or a unique name or alias: "Sora-2", "Kling").

        Raises :class:`NotFound` with the closest id as a suggestion.
        """
        resolved = self._lookup.get(_lookup_key(model_id)) if model_id else None
        if resolved is None:
            raise NotFound(self.unknown_message(model_id))
        return self._models[resolved]

    def unknown_message(self, model_id: str) -> str:
        """The sentence for an unknown model id, with a "did you mean" when one is close."""
        suggestion = self.suggest(model_id)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        return f"unknown model {model_id!r}{hint} (`storycore models list` shows every id)"

    def suggest(self, text: str) -> str | None:
        """The id closest to ``text`` (spelling, name or alias), or None."""
        key = _lookup_key(text)
        if not key:
            return None
        close = difflib.get_close_matches(key, list(self._lookup), n=1, cutoff=0.6)
        if close:
            return self._lookup[close[0]]
        if len(key) >= 3:
            for known, model_id in self._lookup.items():
                if known.startswith(key) or key.startswith(known):
                    return model_id
        return None

    def models(self, kind: str | None = None, local_only: bool = False) -> list[ModelCapability]:
        """The models, in file order, optionally of one kind and only those running locally.

        Asked for a kind, only the models that make shots of it: upscalers (a step after a
        video model, never a shot's model) are listed by :meth:`upscalers`; without a kind,
        every model, upscalers included."""
        wanted = parse_kind(kind) if kind is not None else None
        return [
            m
            for m in self._models.values()
            if (wanted is None or (wanted in m.kinds and not m.is_upscaler))
            and (m.local or not local_only)
        ]

    def upscalers(self, local_only: bool = False) -> list[ModelCapability]:
        """The video upscalers (``upscale_factor``), in file order."""
        return [m for m in self._models.values() if m.is_upscaler and (m.local or not local_only)]

    def ids(self) -> list[str]:
        """Every model id, in file order."""
        return list(self._models)

    def __contains__(self, model_id: object) -> bool:
        return isinstance(model_id, str) and model_id in self._models

    def __iter__(self) -> Iterator[ModelCapability]:
        return iter(self._models.values())

    def __len__(self) -> int:
        return len(self._models)


def _parse_document(text: str, label: str) -> dict[str, Any]:
    """The top level of a models file, checked: a mapping with a ``models`` list."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ModelRegistryError(f"{label}: not valid YAML{where}: {problem}") from None
    if document is None:
        return {"models": []}
    if not isinstance(document, dict):
        raise ModelRegistryError(f"{label}: must be a mapping with a 'models' list")
    unknown = [str(k) for k in document if k not in _TOP_LEVEL_KEYS]
    if unknown:
        raise ModelRegistryError(
            f"{label}: unknown top-level key {unknown[0]!r} (use {', '.join(_TOP_LEVEL_KEYS)})"
        )
    version = document.get("schema_version", REGISTRY_SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelRegistryError(
            f"{label}: schema_version: must be a whole number, not {version!r}"
        )
    if version > REGISTRY_SCHEMA_VERSION:
        raise ModelRegistryError(
            f"{label}: schema_version {version} is newer than this StoryCore reads "
            f"({REGISTRY_SCHEMA_VERSION}); upgrade storycore-assistant"
        )
    models = document.get("models", [])
    if models is None:
        models = []
    if not isinstance(models, list):
        raise ModelRegistryError(f"{label}: models: must be a list of model entries")
    document["models"] = models
    return document


def _merge_entries(
    raw: dict[str, dict[str, Any]], document: Mapping[str, Any], label: str, *, shipped: bool
) -> None:
    """Merge a file's entries into ``raw`` (validated dicts by id), validating each result."""
    seen: set[str] = set()
    for position, entry in enumerate(document["models"], start=1):
        if not isinstance(entry, dict):
            raise ModelRegistryError(f"{label}: models entry {position}: must be a mapping")
        model_id = entry.get("id")
        if not isinstance(model_id, str) or not model_id.strip():
            raise ModelRegistryError(
                f"{label}: models entry {position}: id: required field is missing"
            )
        if model_id in seen:
            raise ModelRegistryError(f"{label}: model {model_id!r} is listed twice")
        seen.add(model_id)
        base = raw.get(model_id)
        if base is not None and shipped:
            raise ModelRegistryError(f"{label}: model {model_id!r} is listed twice")
        merged = dict(entry) if base is None else _overlay(base, entry, label, model_id)
        try:
            model = ModelCapability.model_validate(merged)
        except ValidationError as exc:
            raise ModelRegistryError(f"{label}: model {model_id!r}: {_problem(exc)}") from None
        raw[model_id] = model.model_dump(mode="json")


def _overlay(
    base: dict[str, Any], entry: dict[str, Any], label: str, model_id: str
) -> dict[str, Any]:
    """A shipped entry changed by a partial override: fields replace, strengths merge by key."""
    merged = dict(base)
    for key, value in entry.items():
        if key == "strengths" and isinstance(value, dict):
            strengths = dict(base.get("strengths") or {})
            for scene, score in value.items():
                try:
                    strengths[strength_key(str(scene))] = score
                except ValueError as exc:
                    raise ModelRegistryError(
                        f"{label}: model {model_id!r}: strengths: {exc}"
                    ) from None
            merged[key] = strengths
        else:
            merged[key] = value
    return merged
