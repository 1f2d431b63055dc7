"""Descriptions into the prompt language with the chat model: one structured call per batch.

The planner writes shot descriptions and element looks in the story's own words, so a French
story with English prompts has French descriptions. When a model is configured, the elements
phase sends every description that is not in the prompt language, :data:`BATCH` at a time (one
structured call per batch, never one per shot), and writes the answers back in one transaction
(:func:`storycore.tools.translation.apply_translations`). What the model leaves out or gets
wrong (an unknown id, an empty text) stays as written; the prompts phase then records the
language the rest is in and the plan says so, as offline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storycore.agent.schemas import Translations
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry
from storycore.tools.structure import load_shots
from storycore.tools.translation import apply_translations, foreign_texts

#: Texts per structured call: a batch fits easily in any model's context and answer.
BATCH = 40

#: ``structured(schema, prompt) -> (value or None, usage, note)``: the node's structured call
#: with its fallback rule (``Nodes._structured`` bound to a model and a context).
Structured = Callable[[type[Any], str], tuple[Any, dict[str, Any], str | None]]


@dataclass
class TranslationResult:
    """What a translation pass did: texts sent, texts written, calls made, usage, notes."""

    sent: int = 0
    written: int = 0
    calls: int = 0
    usage: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def translate_plan(
    project: Project,
    structured: Structured,
    render: Callable[..., str],
    *,
    language_name: Callable[[str], str],
    batch: int = BATCH,
) -> TranslationResult:
    """Translate the plan's descriptions that are not in its prompt language.

    ``render(name, **values)`` renders an LLM prompt in the project's answer language;
    ``language_name(code)`` names a language in it."""
    target = project.manifest.technical_specs.prompt_language
    texts = foreign_texts(load_shots(project), AssetRegistry(project).list(), target)
    result = TranslationResult(sent=len(texts))
    if not texts:
        return result
    translated: dict[str, str] = {}
    items = sorted(texts.items())
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        sources = sorted({language for _, (language, _) in chunk})
        prompt = render(
            "translate",
            source_language=", ".join(language_name(code) for code in sources),
            target_language=language_name(target),
            texts="\n".join(f"- {key}: {text}" for key, (_, text) in chunk),
        )
        value, usage, note = structured(Translations, prompt)
        result.calls += 1
        result.usage.append(usage)
        if note:
            result.notes.append(note)
            break  # the model is down or unusable: the rest stays as written
        wanted = {key for key, _ in chunk}
        for item in value.items if value is not None else []:
            if item.id in wanted and item.text.strip():
                translated[item.id] = item.text
    result.written = apply_translations(project, translated, language=target)
    return result
