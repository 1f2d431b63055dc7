"""StoryCore's prompt templates, as package data, and their loader.

Templates live in ``<folder>/<language>/<name>.<ext>`` (``.txt`` or ``.md``):
``generation/fr/image_prompt.txt``, ``llm/en/brief.md``. :func:`load_template` takes the name
without language and extension (``"generation/image_prompt"``), reads the template of the
language asked for and falls back to English when that language has none.

A project overrides any template by putting a file at the same relative path in its own
``prompts/`` folder (``<project>/prompts/generation/fr/image_prompt.txt``), passed as
``override_dir``. Order of lookup: the project's file in the language, the packaged one in
the language, the project's English file, the packaged English one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from storycore.tools.domain import normalize_language
from storycore.tools.errors import InvalidInput, NotFound

__all__ = ["DEFAULT_LANGUAGE", "TEMPLATE_EXTENSIONS", "load_template", "template_sources"]

DEFAULT_LANGUAGE = "en"
TEMPLATE_EXTENSIONS = (".txt", ".md")
_NAME = re.compile(r"^[a-z0-9_]+(?:/[a-z0-9_]+)*(?:\.(?:txt|md))?$")


def _split_name(name: str) -> tuple[str, str, tuple[str, ...]]:
    """(folder, base name, extensions to try) of a template name; refuses unsafe names."""
    if not _NAME.match(name):
        raise InvalidInput(
            f"template name {name!r} is not valid; use lower-case words separated by '/', "
            "such as 'generation/image_prompt'"
        )
    folder, _, base = name.rpartition("/")
    for ext in TEMPLATE_EXTENSIONS:
        if base.endswith(ext):
            return folder, base.removesuffix(ext), (ext,)
    return folder, base, TEMPLATE_EXTENSIONS


def _language(language: str) -> str:
    try:
        return normalize_language(language)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


@lru_cache(maxsize=256)
def _in_package(folder: str, language: str, base: str, exts: tuple[str, ...]) -> str | None:
    # Cached: the packaged templates do not change while the process runs (project overrides,
    # which the user may edit at any time, are read from disk every time by _in_project).
    root: Traversable = resources.files(__name__)
    for part in (*folder.split("/"), language) if folder else (language,):
        root = root.joinpath(part)
    for ext in exts:
        candidate = root.joinpath(base + ext)
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return None


def _in_project(
    override_dir: Path | None, folder: str, language: str, base: str, exts: tuple[str, ...]
) -> str | None:
    if override_dir is None:
        return None
    root = Path(override_dir)
    directory = root.joinpath(*folder.split("/"), language) if folder else root / language
    for ext in exts:
        candidate = directory / (base + ext)
        if candidate.is_file():
            try:
                return candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                raise InvalidInput(
                    f"template override {candidate} cannot be read as UTF-8 text; fix or remove it"
                ) from None
    return None


def template_sources(
    name: str, language: str = DEFAULT_LANGUAGE, override_dir: Path | None = None
) -> list[tuple[str, str]]:
    """Every template found for ``name``, most specific first, as (origin, text) pairs.

    Origins are ``"project:<lang>"`` or ``"package:<lang>"``. Used to merge templates key by
    key (the prompt vocabulary) and to show where a template comes from.
    """
    folder, base, exts = _split_name(name)
    lang = _language(language)
    found: list[tuple[str, str]] = []
    for code in dict.fromkeys((lang, DEFAULT_LANGUAGE)):
        project = _in_project(override_dir, folder, code, base, exts)
        if project is not None:
            found.append((f"project:{code}", project))
        packaged = _in_package(folder, code, base, exts)
        if packaged is not None:
            found.append((f"package:{code}", packaged))
    return found


def load_template(
    name: str, language: str = DEFAULT_LANGUAGE, override_dir: Path | None = None
) -> str:
    """The text of template ``name`` (``"generation/image_prompt"``) in ``language``.

    Falls back to English when the language has no template; a file at the same relative
    path under ``override_dir`` (the project's ``prompts/`` folder) wins over the packaged
    one. Raises :class:`NotFound` when no template of that name exists.
    """
    sources = template_sources(name, language, override_dir)
    if not sources:
        raise NotFound(f"no prompt template named {name!r} (looked for {language} and English)")
    return sources[0][1]
