"""Message catalogs: the text people read, in the project's answer language.

Every sentence the CLI, the chat, the confirmations, the storyboard and the web studio show
comes from a catalog shipped in the package (``tools/data/messages/<lang>.yaml``), looked up
by a dotted key and filled with named placeholders::

    t("confirm.brief.question", "fr")            # "Planifier ce brief ?"
    t("plan.ready", "fr", scenes="3 scènes", ...)

English is the fallback: a key missing from a catalog, or a language with no catalog, reads
the English text. The language is the project's answer language
(``technical_specs.language``); a person may override it for what is *shown* (the CLI's
``--language``) with :func:`set_display_language`, which :func:`display_language` applies.
Documents written into the project (the storyboard) follow the project's own language, so
they stay a pure function of the plan.

Deterministic core: no LLM import; the agent layer and the CLI use it too.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

#: The language every key exists in, and the fallback for every other language.
FALLBACK = "en"

_override: str | None = None


def _catalog_dir() -> Any:
    return resources.files("storycore.tools").joinpath("data", "messages")


@cache
def languages() -> tuple[str, ...]:
    """The languages with a catalog, English first."""
    found = sorted(
        entry.name.removesuffix(".yaml")
        for entry in _catalog_dir().iterdir()
        if entry.name.endswith(".yaml")
    )
    return (FALLBACK, *(code for code in found if code != FALLBACK))


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = "" if value is None else str(value)
    return flat


#: PyYAML's safe loader, on libyaml's C parser when PyYAML was built with it (about ten
#: times faster on a catalog; the same safe constructors and resolver, the same values).
_SafeLoader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


@cache
def catalog(language: str) -> dict[str, str]:
    """The messages of ``language`` (dotted key -> text); empty for a language with none."""
    code = normalize(language)
    if code not in languages():
        return {}
    text = _catalog_dir().joinpath(f"{code}.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_SafeLoader) or {}
    return _flatten(data)


def normalize(language: str | None) -> str:
    """``fr-FR`` -> ``fr``; None or "" -> English."""
    code = (language or FALLBACK).strip().replace("_", "-").split("-")[0].lower()
    return code or FALLBACK


def catalog_language(language: str | None) -> str:
    """The language the messages will actually be in: ``language`` if it has a catalog,
    else English."""
    code = normalize(language)
    return code if code in languages() else FALLBACK


def set_display_language(language: str | None) -> None:
    """Show every message in ``language`` whatever the project's answer language (the CLI's
    ``--language``); None goes back to the project's language."""
    global _override
    _override = normalize(language) if language else None


def display_language(project_language: str | None = None) -> str:
    """The language to show messages in: the override if one is set, else
    ``project_language`` (English when there is none)."""
    return _override or normalize(project_language)


def placeholders(text: str) -> set[str]:
    """The named placeholders of a message (``{title}`` -> ``{"title"}``)."""
    return {
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(text)
        if field
    }


def t(key: str, language: str | None = None, /, **values: Any) -> str:
    """The message ``key`` in ``language`` (English if that catalog lacks it), filled with
    ``values`` (a literal brace is written ``{{`` in a catalog). An unknown key raises
    :class:`KeyError`: a typo must fail its test."""
    text = catalog(normalize(language)).get(key)
    if text is None:
        text = catalog(FALLBACK)[key]
    return text.format(**values)


def plural(key: str, n: int, language: str | None = None, /, **values: Any) -> str:
    """``key.one`` or ``key.other`` by ``n`` (French counts 0 as one), filled with ``n``."""
    code = normalize(language)
    one = n == 1 or (code == "fr" and n == 0)
    return t(f"{key}.{'one' if one else 'other'}", code, n=n, **values)


def section(prefix: str, language: str | None = None) -> dict[str, str]:
    """Every message under ``prefix.`` (the prefix removed), English filling the gaps."""
    head = f"{prefix}."
    merged = {k[len(head) :]: v for k, v in catalog(FALLBACK).items() if k.startswith(head)}
    merged.update(
        {k[len(head) :]: v for k, v in catalog(normalize(language)).items() if k.startswith(head)}
    )
    return merged


class Messages:
    """The messages of one language, as a callable: ``m = Messages("fr"); m("key", x=1)``."""

    def __init__(self, language: str | None = None) -> None:
        self.language = normalize(language)

    def __call__(self, key: str, /, **values: Any) -> str:
        """The message ``key`` filled with ``values``."""
        return t(key, self.language, **values)

    def plural(self, key: str, n: int, /, **values: Any) -> str:
        """``key.one`` / ``key.other`` for ``n``."""
        return plural(key, n, self.language, **values)

    def count(self, n: int, noun: str) -> str:
        """``3 shots`` / ``3 plans`` from the catalog's ``count.<noun>`` plurals."""
        return plural(f"count.{noun}", n, self.language)


def count(n: int, noun: str, language: str | None = None) -> str:
    """``3 shots``, ``1 shot``, ``0 plan``: ``noun`` is a ``count.*`` key (shot, scene...)."""
    return plural(f"count.{noun}", n, language)


__all__ = [
    "FALLBACK",
    "Messages",
    "catalog",
    "catalog_language",
    "count",
    "display_language",
    "languages",
    "normalize",
    "placeholders",
    "plural",
    "section",
    "set_display_language",
    "t",
]
