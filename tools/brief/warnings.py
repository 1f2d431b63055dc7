"""The brief's warnings as deferred messages: a catalog key and its values, rendered in the
brief's answer language once the parser has decided it (the warnings are found before)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storycore.tools.domain import LANGUAGE_NAMES
from storycore.tools.i18n import FALLBACK, Messages, catalog

#: The catalog section of the brief's warnings.
SECTION = "brief_warnings"


@dataclass(frozen=True)
class Term:
    """A value that is itself a message (a language name, a section's label): ``key`` in the
    rendering language, ``fallback`` when no catalog has the key."""

    key: str
    fallback: str

    def render(self, m: Messages) -> str:
        """The term in ``m``'s language."""
        return m(self.key) if self.key in catalog(FALLBACK) else self.fallback


def language_term(code: str) -> Term:
    """A language's name (``fr`` -> "French", "français")."""
    return Term(f"language_name.{code}", LANGUAGE_NAMES.get(code, code))


def origin_term(origin: str) -> Term:
    """Where a value came from ("front matter", "free text"), as the sentence names it."""
    return Term(f"{SECTION}.origin.{origin.replace(' ', '_')}", origin)


@dataclass(frozen=True)
class BriefWarning:
    """One warning of the brief reader: ``brief_warnings.<key>`` filled with ``values``
    (quoted user text stays as written); ``str()`` is its English text."""

    key: str
    values: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, key: str, /, **values: Any) -> BriefWarning:
        """The warning ``key`` with named values."""
        return cls(key, tuple(values.items()))

    def render(self, language: str | None = None) -> str:
        """The warning in ``language`` (English where its catalog lacks the key)."""
        m = Messages(language)
        filled = {
            name: value.render(m) if isinstance(value, Term) else value
            for name, value in self.values
        }
        return m(f"{SECTION}.{self.key}", **filled)

    def __str__(self) -> str:
        return self.render(FALLBACK)


def render_warnings(warnings: list[BriefWarning], language: str | None) -> list[str]:
    """Every warning in ``language``, in order."""
    return [warning.render(language) for warning in warnings]
