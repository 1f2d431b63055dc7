"""Descriptions in the prompt language: which ones are not, their translations, and the plan's
plain statement when they stay as written.

A shot's description and an element's look go into the generation prompts word for word. When
the story is written in one language and the prompts in another ("écris les prompts en
anglais"), those texts must be translated: with a language model, the assistant sends them in
batches (``storycore.agent.translate``) and :func:`apply_translations` writes the answers back
in one transaction. Offline there is no translator, so they stay in the source language and the
plan says so (:func:`description_language` is recorded in ``project.json`` when the prompts are
built; the plan summary and ``status`` state it, and the critic does not report each shot again).

Deterministic core: no LLM import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from storycore.tools.domain import AssetMetadata, ElementStatus, ShotSpec
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry
from storycore.tools.structure import load_shots, write_shots
from storycore.tools.text_language import detect_language

__all__ = ["apply_translations", "description_language", "foreign_texts"]


def foreign_texts(
    shots: Iterable[ShotSpec], elements: Iterable[AssetMetadata], prompt_language: str
) -> dict[str, tuple[str, str]]:
    """The descriptions written in another language than ``prompt_language``: shot id or
    element id -> (language found, text). Approved and locked elements are left out: the user
    settled their look, it is never rewritten behind their back."""
    found: dict[str, tuple[str, str]] = {}
    for shot in shots:
        language = detect_language(shot.description)
        if language and language != prompt_language:
            found[shot.shot_id] = (language, shot.description)
    for element in elements:
        language = detect_language(element.canonical_description)
        if language and language != prompt_language and _editable(element):
            found[element.element_id] = (language, element.canonical_description)
    return found


def description_language(
    shots: Iterable[ShotSpec], elements: Iterable[AssetMetadata], prompt_language: str
) -> str | None:
    """The language the plan's descriptions are left in when it is not the prompt language:
    the most common language among the descriptions that are in another one; None when every
    description that can be told is in the prompt language."""
    counted = Counter(
        language for language, _ in foreign_texts(shots, elements, prompt_language).values()
    )
    return counted.most_common(1)[0][0] if counted else None


def apply_translations(project: Project, translations: Mapping[str, str], *, language: str) -> int:
    """Write translated descriptions (shot id or element id -> text) in one transaction; an
    element's look becomes a new version noted as a translation. Ids the plan does not have
    and empty texts are ignored. Returns how many descriptions changed."""
    wanted = {key: " ".join(text.split()) for key, text in translations.items() if text.strip()}
    if not wanted:
        return 0
    registry = AssetRegistry(project)
    changed = 0
    with project.transaction(f"translate descriptions into {language}") as tx:
        shots = [
            shot.model_copy(update={"description": wanted[shot.shot_id]})
            for shot in load_shots(project)
            if wanted.get(shot.shot_id) and wanted[shot.shot_id] != shot.description
        ]
        write_shots(tx, shots)
        changed += len(shots)
        for element in registry.list():
            text = wanted.get(element.element_id)
            if text and text != element.canonical_description and _editable(element):
                registry.update(
                    element.element_id,
                    canonical_description=text,
                    note=f"translated into {language}",
                )
                changed += 1
    return changed


def _editable(element: AssetMetadata) -> bool:
    """A draft element: approved and locked looks are the user's, never translated for them."""
    return element.status is ElementStatus.DRAFT
