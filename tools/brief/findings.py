"""What the free text of a brief states: the values found, with the words they were read from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Found:
    """One value found in the free text, with the words it was read from."""

    value: Any
    text: str
    strong: bool = False


@dataclass
class _Prose:
    durations: list[_Found] = field(default_factory=list)
    aspects: list[_Found] = field(default_factory=list)
    resolutions: list[_Found] = field(default_factory=list)  # value: (Resolution, named)
    fps: list[_Found] = field(default_factory=list)  # value: (rate, drop)
    drop_frame: bool | None = None
    answer_language: list[_Found] = field(default_factory=list)
    prompt_language: list[_Found] = field(default_factory=list)
    prefer: list[_Found] = field(default_factory=list)
    avoid: list[_Found] = field(default_factory=list)
    local_only: _Found | None = None
    budget: _Found | None = None
    pace: _Found | None = None
    style_words: list[str] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)
