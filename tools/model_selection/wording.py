"""The selector's sentences, kept as catalog keys until they are shown.

The selector decides in no language: why a model is ruled out, a budget note or the one-line
reason for a choice are :class:`Phrase` values (a catalog key under ``selection.`` and its
values, which may be phrases too), rendered in the project's answer language when a
:class:`~storycore.tools.model_selection.request.Selection` is made. One evaluation, cached
by its inputs, can so be shown in any language.

:func:`stated_cost` writes the "est. $X" a reason carries, and :func:`stated_costs` finds it
again in a reason of any catalog's language (the critic checks it against the model's price,
and a split part restates its own).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any

from storycore.tools.i18n import catalog, languages, t


@dataclass(frozen=True)
class Phrase:
    """A sentence of the selector: ``selection.<key>`` filled with ``values``."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: str | None = None) -> str:
        """The sentence in ``language`` (English by default), nested phrases rendered too."""
        return t(f"selection.{self.key}", language, **_rendered(self.values, language))


@dataclass(frozen=True)
class Joined:
    """Phrases shown one after the other, separated by ``;`` (a list of refusals)."""

    parts: tuple[Phrase, ...]

    def render(self, language: str | None = None) -> str:
        """Each part in ``language``, joined by ``; ``."""
        return "; ".join(part.render(language) for part in self.parts)


def _rendered(values: Mapping[str, Any], language: str | None) -> dict[str, Any]:
    return {
        name: value.render(language) if isinstance(value, Phrase | Joined) else value
        for name, value in values.items()
    }


def phrase(key: str, **values: Any) -> Phrase:
    """``Phrase(key, values)``, written as a call."""
    return Phrase(key, values)


def capability(name: str) -> Phrase | str:
    """A capability as people say it ("lip-sync to an audio track"); its id if the catalog
    has no wording for it."""
    if f"selection.capability.{name}" in catalog("en"):
        return Phrase(f"capability.{name}")
    return name


# ---------------------------------------------------------------- stated costs


def stated_cost(cost_usd: Fraction | float, language: str | None = None) -> str:
    """A reason's estimate of a shot's dollars, ``est. $1.05`` in English."""
    return t("selection.cost", language, usd=f"{float(cost_usd):.2f}")


@cache
def _stated_cost_forms() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(the pattern that finds a stated cost, its template) for each catalog's wording."""
    forms: list[tuple[re.Pattern[str], str]] = []
    for language in languages():
        template = catalog(language).get("selection.cost")
        if not template or any(template == known for _, known in forms):
            continue
        head, _, tail = template.partition("{usd}")
        pattern = re.escape(head).replace(r"\ ", r"\s*") + r"(\d+(?:\.\d+)?)"
        pattern += re.escape(tail).replace(r"\ ", r"\s*")
        forms.append((re.compile(pattern), template))
    return tuple(forms)


def stated_costs(reason: str | None) -> Iterator[float]:
    """Every dollar figure ``reason`` states as its estimate, in any catalog's wording."""
    for pattern, _template in _stated_cost_forms():
        for found in pattern.finditer(reason or ""):
            yield float(found.group(1))


def restate_cost(reason: str | None, cost_usd: Fraction | float) -> str | None:
    """``reason`` with its stated estimate made the given cost, in the wording it was
    written in: a split part states its own."""
    if not reason:
        return reason
    for pattern, template in _stated_cost_forms():
        reason = pattern.sub(template.format(usd=f"{float(cost_usd):.2f}"), reason)
    return reason
