"""What a model makes and how it is driven: kinds, modes, capabilities, strength keys.

The words of ``tools/data/models.yaml`` as enums and parsers: :class:`Kind` (image, video,
voice, music), :class:`Mode` (t2v, i2v, flf2v...) and the modes each kind allows, the
capability names a shot can require, the strengths keys, and :func:`exact` for the data
file's decimals.
"""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction

from storycore.tools.domain import SceneType
from storycore.tools.errors import InvalidInput
from storycore.tools.text import underscore_key as _fold


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
