"""The brief parser: a Markdown creative brief to a :class:`CreativeBrief`, with no LLM."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from storycore.tools.brief.decisions import (
    _decide_duration,
    _decide_fps,
    _decide_frame,
    _decide_languages,
    _decide_models,
    _decide_simple,
    _Decisions,
)
from storycore.tools.brief.findings import _Prose
from storycore.tools.brief.front_matter import _read_front_matter
from storycore.tools.brief.languages import _language_of_text
from storycore.tools.brief.model_wishes import _ModelTable
from storycore.tools.brief.names import _names_in_prose, advertised_product
from storycore.tools.brief.prose import _scan_prose
from storycore.tools.brief.source import _Body, _item_parts, _split_body, _split_front_matter
from storycore.tools.brief.vocabulary import _SECTION_LABELS, BUILTIN_MODEL_ALIASES
from storycore.tools.brief.warnings import BriefWarning, Term, render_warnings
from storycore.tools.domain import (
    LANGUAGE_NAMES,
    BriefElement,
    BriefScene,
    CreativeBrief,
    TechnicalSpecs,
    format_validation_error,
)
from storycore.tools.errors import BriefError
from storycore.tools.fountain import mentions
from storycore.tools.text import fold_phrase as _fold
from storycore.tools.text import split_sentences


def parse_brief(
    text: str,
    *,
    source_name: str | None = None,
    known_models: Mapping[str, str] | None = None,
    language: str | None = None,
) -> CreativeBrief:
    """Parse a Markdown brief (front matter, sections, free text) into a :class:`CreativeBrief`.

    ``known_models`` maps model names (aliases) to model ids, e.g. the model registry's names;
    it is merged over the built-in table. Raises :class:`BriefError` for an empty brief, a
    front matter that is not YAML, and a negative, zero or absurd duration. Everything else
    that cannot be used is listed in ``not_understood``; contradictions are resolved by the
    rules of docs/brief-format.md and reported in ``warnings``, in the brief's answer language
    (``language`` instead when the caller imposes one, like the CLI's ``--language``).
    """
    if not text or not text.strip():
        raise BriefError("the brief is empty; write what the video is about")
    if "\x00" in text:
        raise BriefError("the brief is binary, not text")
    text = text.lstrip("\ufeff")
    front, body_text, body_line = _split_front_matter(text)
    body = _split_body(body_text, body_line)
    models = _ModelTable(known_models)
    free_text = "\n".join(body.free_lines).strip()
    free_text = re.sub(r"\n{3,}", "\n\n", free_text)
    decisions = _Decisions()

    elements, scenes = _read_sections(body, decisions)
    described = " ".join(
        [free_text]
        + [e.description for kind in elements.values() for e in kind]
        + [s.description for s in scenes]
    )
    brief_language = _language_of_text(described)
    prose = _scan_prose(free_text, brief_language, models)
    decisions.not_understood.extend(prose.not_understood)

    fm = _read_front_matter(front, models, decisions)

    title: str | None = fm.get("title") or body.title or quoted_title(free_text)
    if not title and source_name and source_name != "stdin":
        title = Path(source_name).stem.replace("_", " ").replace("-", " ").strip().capitalize()
    _decide_duration(fm, prose, scenes, decisions)
    _decide_frame(fm, prose, decisions)
    _decide_fps(fm, prose, decisions)
    _decide_languages(fm, prose, brief_language, decisions)
    _decide_models(fm, prose, decisions)
    _decide_simple(fm, prose, decisions)

    style_words = _decide_style_words(fm, prose, decisions)

    # Elements named in prose (the free text and the scenes' own), when the brief has no
    # section for them: "Maya, a marathon runner in her thirties, laces her shoes."
    story = "\n\n".join([free_text, *(s.description for s in scenes if s.description)]).strip()
    if not body.sections & {"characters", "locations"} and story:
        known = [*BUILTIN_MODEL_ALIASES, *(known_models or {}), *LANGUAGE_NAMES.values()]
        if title:
            known.append(title)
        characters, locations = _names_in_prose(story, known)
        elements["characters"].extend(characters)
        elements["locations"].extend(locations)

    if "props" not in body.sections:
        product = _product_shown(free_text, story)
        if product and all(_fold(p.name) != _fold(product) for p in elements["props"]):
            elements["props"].append(BriefElement(name=product, description=""))

    try:
        specs = TechnicalSpecs(**decisions.specs)
    except ValidationError as error:  # a rule above let an invalid combination through
        raise BriefError(format_validation_error(error, subject="technical specs")) from None

    is_structured = bool(front) or bool(body.sections)
    return CreativeBrief(
        title=(title or "Untitled")[:300],
        text=free_text,
        source_format="brief" if is_structured else "prose",
        duration_seconds=decisions.specs.get("duration_seconds"),
        technical_specs=specs,
        characters=elements["characters"],
        locations=elements["locations"],
        props=elements["props"],
        scenes=scenes,
        style_words=style_words,
        warnings=render_warnings(decisions.warnings, language or specs.language),
        not_understood=decisions.not_understood,
    )


def _read_sections(
    body: _Body, decisions: _Decisions
) -> tuple[dict[str, list[BriefElement]], list[BriefScene]]:
    """The elements and scenes of the structured sections (a name listed twice: the first)."""
    elements: dict[str, list[BriefElement]] = {"characters": [], "locations": [], "props": []}
    scenes: list[BriefScene] = []
    for item in body.items:
        name, description, duration, problem = _item_parts(item)
        if problem:
            decisions.not_understood.append(problem)
            continue
        if item.kind == "scenes":
            scene_title = name or f"Scene {len(scenes) + 1}"
            scenes.append(
                BriefScene(title=scene_title, description=description, duration_seconds=duration)
            )
            continue
        same = [e for e in elements[item.kind] if _fold(e.name) == _fold(name)]
        if same:
            label = Term(f"brief_warnings.section.{item.kind}", _SECTION_LABELS[item.kind])
            decisions.warnings.append(BriefWarning.of("listed_twice", section=label, name=name))
            continue
        elements[item.kind].append(BriefElement(name=name, description=description))
    return elements, scenes


def _decide_style_words(fm: dict[str, Any], prose: _Prose, decisions: _Decisions) -> list[str]:
    """The front matter's style words, then the text's; the style itself when none is set."""
    style_words = list(fm.get("style_words", []))
    for word in prose.style_words:
        if word not in style_words:
            style_words.append(word)
    if "style" not in decisions.specs and style_words:
        decisions.set("style", ", ".join(style_words), "free text")
    return style_words


# « Nuit Blanche », "The Last Train" after "titled", “Night Shift” after "a film"...
_GUILLEMETS = re.compile(r"«\s*([^«»\n]{1,80}?)\s*»")
_QUOTED_AFTER_CUE = re.compile(
    r"(?i)\b(?:titled|entitled|called|named|title|intitule|intitulée?|appele|appelée?|nommée?|"
    r"titre|film|clip|short|court[- ]metrage|court[- ]métrage|video|vidéo|spot|movie|song|"
    r"morceau|chanson)\s*:?\s*[\"“”]([^\"“”\n]{1,80}?)[\"“”]"
)


def quoted_title(text: str) -> str | None:
    """A title the prose gives in guillemets (« Nuit Blanche ») or in quotes after a word
    that announces one ("a short film called "The Last Ferry""); None when there is none.
    A quoted sentence (dialogue: it ends with . ! ?, or has more than 8 words) is not one."""
    for pattern in (_GUILLEMETS, _QUOTED_AFTER_CUE):
        for match in pattern.finditer(text):
            candidate = " ".join(match.group(1).split()).strip(" ,;:")
            if candidate and len(candidate.split()) <= 8 and candidate[-1] not in ".!?…":
                return candidate
    return None


def _product_shown(free_text: str, story: str) -> str | None:
    """What an ad sells (:func:`~storycore.tools.brief.names.advertised_product`) when the
    story shows it by its common noun ("Close on the shoes" in an ad for TrailMix running
    shoes): a prop of its own, so "the shoes" are the product in every shot."""
    product = advertised_product(free_text)
    if product is None:
        return None
    nouns = [w for w in product.split() if not w[:1].isupper()]
    told = " ".join(
        sentence
        for sentence in split_sentences(" ".join(story.split()))
        if advertised_product(sentence) is None  # the framing sentence itself
    )
    return product if nouns and mentions(told, nouns[-1]) else None
