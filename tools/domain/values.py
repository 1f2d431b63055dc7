"""Small value types: aspect ratios, frame sizes, frame rates and languages, parsed from text."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from storycore.tools.rates import parse_rate, rate_to_string

ASPECT_RATIOS: dict[str, Fraction] = {
    "16:9": Fraction(16, 9),
    "9:16": Fraction(9, 16),
    "1:1": Fraction(1, 1),
    "4:3": Fraction(4, 3),
    "3:4": Fraction(3, 4),
    "4:5": Fraction(4, 5),
    "21:9": Fraction(21, 9),
    "2.39:1": Fraction(239, 100),
    "1.85:1": Fraction(185, 100),
}


def parse_aspect_ratio(value: str) -> str:
    """Canonical aspect ratio ("16:9", "2.39:1") from "16/9", "16x9", "1.78", "2.39"..."""
    text = str(value).strip().lower().replace(" ", "")
    named = {
        "vertical": "9:16",
        "portrait": "9:16",
        "square": "1:1",
        "carre": "1:1",
        "carré": "1:1",
        "widescreen": "16:9",
        "landscape": "16:9",
        "horizontal": "16:9",
        "cinemascope": "2.39:1",
        "scope": "2.39:1",
        "anamorphic": "2.39:1",
        "2.35:1": "2.39:1",
        "2.40:1": "2.39:1",
        "2.4:1": "2.39:1",
        "1.78:1": "16:9",
        "1.77:1": "16:9",
        "1.33:1": "4:3",
        "1:1.78": "9:16",
    }
    if text in named:
        return named[text]
    text = re.sub(r"[/x×]", ":", text)
    if text in ASPECT_RATIOS:
        return text
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?", text)
    if match:
        a = Fraction(match.group(1))
        b = Fraction(match.group(2) or 1)
        if a > 0 and b > 0:
            ratio = a / b
            for name, exact in ASPECT_RATIOS.items():
                if abs(ratio - exact) < Fraction(2, 100):
                    return name
    raise ValueError(
        f"unknown aspect ratio {value!r}; use one of {', '.join(ASPECT_RATIOS)} "
        "(or vertical, square, cinemascope)"
    )


class Resolution(BaseModel):
    """A frame size in pixels."""

    model_config = ConfigDict(frozen=True)
    width: int = Field(gt=0, le=16384)
    height: int = Field(gt=0, le=16384)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            return parse_resolution(data).model_dump()
        return data

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"

    @property
    def aspect(self) -> Fraction:
        return Fraction(self.width, self.height)


_NAMED_RESOLUTIONS = {
    "480p": (854, 480),
    "540p": (960, 540),
    "720p": (1280, 720),
    "1080p": (1920, 1080),
    "fhd": (1920, 1080),
    "full hd": (1920, 1080),
    "hd": (1280, 720),
    "1440p": (2560, 1440),
    "2k": (2048, 1080),
    "qhd": (2560, 1440),
    "4k": (3840, 2160),
    "uhd": (3840, 2160),
    "2160p": (3840, 2160),
    "8k": (7680, 4320),
}


def parse_resolution(value: str) -> Resolution:
    text = str(value).strip().lower()
    if text in _NAMED_RESOLUTIONS:
        w, h = _NAMED_RESOLUTIONS[text]
        return Resolution(width=w, height=h)
    match = re.fullmatch(r"(\d{2,5})\s*[x×*]\s*(\d{2,5})", text)
    if not match:
        raise ValueError(
            f"unknown resolution {value!r}; write WIDTHxHEIGHT (1920x1080) or 720p, 1080p, 4K"
        )
    return Resolution(width=int(match.group(1)), height=int(match.group(2)))


def resolution_for(aspect_ratio: str, height_class: int = 1080) -> Resolution:
    """The usual frame size for an aspect ratio at a quality class (the short side)."""
    ratio = ASPECT_RATIOS[aspect_ratio]
    short = height_class
    if ratio >= 1:
        width = round(short * ratio / 2) * 2
        return Resolution(width=width, height=short)
    height = round(short / ratio / 2) * 2
    return Resolution(width=short, height=height)


def _fps_field(value: Any) -> str:
    return rate_to_string(parse_rate(value))


FpsField = Annotated[str, BeforeValidator(_fps_field)]
AspectField = Annotated[str, BeforeValidator(parse_aspect_ratio)]


_LANGUAGES = {
    "en": ["english", "anglais", "eng", "en-us", "en-gb"],
    "fr": ["french", "francais", "français", "fra", "fr-fr"],
    "es": ["spanish", "espagnol", "espanol", "español"],
    "de": ["german", "allemand", "deutsch"],
    "it": ["italian", "italien", "italiano"],
    "pt": ["portuguese", "portugais", "portugues", "português"],
    "ja": ["japanese", "japonais", "日本語", "jp"],
    "zh": ["chinese", "chinois", "中文", "mandarin"],
    "ko": ["korean", "coreen", "coréen", "한국어"],
}
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "ja": "Japanese",
    "zh": "Chinese",
    "ko": "Korean",
}


def normalize_language(value: str) -> str:
    """ISO 639-1 code for a language name or code ("French", "français", "fr" -> "fr")."""
    text = str(value).strip().lower()
    if text in _LANGUAGES:
        return text
    for code, names in _LANGUAGES.items():
        if text in names:
            return code
    raise ValueError(f"unknown language {value!r}; use one of {', '.join(_LANGUAGES)} or its name")
