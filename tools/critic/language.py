"""Which language a short text is written in: :mod:`storycore.tools.text_language`, where it
lives so that the planner can ask without importing the critic."""

from __future__ import annotations

from storycore.tools.text_language import detect_language

__all__ = ["detect_language"]
