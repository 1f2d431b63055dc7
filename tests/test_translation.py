"""Descriptions in the prompt language (issue 11, "Languages"): a story written in one language
with prompts in another is translated by the model in batches; planned offline, the plan says
plainly that the descriptions stay as written, and the critic does not report each shot again.

The model test replays cassettes/test_translation/; re-record it from the scripted stub with
``pytest --record-mode=rewrite tests/test_translation.py`` (docs/llm-and-cassettes.md).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from storycore.agent.llm import load_llm_prompt, render_llm_prompt, structured_call
from storycore.agent.translate import translate_plan
from storycore.tools.critic import critique
from storycore.tools.critic.language import detect_language
from storycore.tools.planner import build_storyboard, plan_project, summarize
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry
from storycore.tools.structure import load_shots, write_shots
from storycore.tools.translation import foreign_texts

from .cassette_support import LLMEndpoint

# Written for these tests: no example contains it.
FRENCH_BRIEF = (
    "Un teaser de 20 secondes, format 16:9. Réponds en français, mais écris les prompts en "
    "anglais.\n\n"
    "Camille, une boulangère aux cheveux courts et roux, vêtue d'un tablier bleu, ouvre sa "
    "boutique avant l'aube. Elle allume le four et sort les baguettes dorées.\n\n"
    "Plus tard, elle pose les pains sur le comptoir et sourit aux premiers clients."
)
ENGLISH_BRIEF = (
    "A 20-second teaser, 16:9. Camille, a baker with short red hair and a blue apron, opens "
    "her shop before dawn. She lights the oven and takes out the golden loaves."
)


def _plan(tmp_path: Path, text: str, name: str = "bakery.txt") -> Project:
    out = tmp_path / "plan"
    plan_project(text, out, source_name=name)
    return Project.open(out)


def test_an_offline_plan_says_its_descriptions_stay_in_the_storys_language(
    tmp_path: Path,
) -> None:
    project = _plan(tmp_path, FRENCH_BRIEF)
    specs = project.manifest.technical_specs
    assert (specs.language, specs.prompt_language) == ("fr", "en")
    assert project.manifest.description_language == "fr"
    # Said plainly, in the user's language, with why and what to do.
    (statement,) = [w for w in summarize(project).warnings if "STORYCORE_MODEL" in w]
    assert "restent en français" in statement and "hors ligne" in statement
    # A stated fact of the plan, not one finding per shot...
    assert not [f for f in critique(project.root).findings if f.kind == "prompt_language"]
    # ...but a description in a third language still is one.
    shot = load_shots(project)[0]
    spanish = "La panadera abre la tienda y enciende el horno con las manos."
    with project.transaction("plant") as tx:
        write_shots(tx, [shot.model_copy(update={"description": spanish})])
    found = [f for f in critique(project.root).findings if f.kind == "prompt_language"]
    assert [f.target for f in found] == [shot.shot_id]


def test_a_plan_in_the_prompt_language_states_nothing(tmp_path: Path) -> None:
    project = _plan(tmp_path, ENGLISH_BRIEF)
    assert project.manifest.description_language is None
    assert not [w for w in summarize(project).warnings if "STORYCORE_MODEL" in w]


def _english(key: str, text: str) -> str:
    """What the scripted model answers for one text (a real model translates it)."""
    return f"The scene of {key} in English, with the light and the colours of the morning."


@pytest.mark.vcr
def test_the_model_translates_the_descriptions_in_batches(
    llm_endpoint: LLMEndpoint, tmp_path: Path
) -> None:
    project = _plan(tmp_path, FRENCH_BRIEF)
    registry = AssetRegistry(project)
    texts = foreign_texts(load_shots(project), registry.list(), "en")
    assert len(texts) >= 4  # shots and looks in French
    batch = math.ceil(len(texts) / 2)  # two calls
    ordered = sorted(texts)
    for start in range(0, len(ordered), batch):
        chunk = ordered[start : start + batch]
        llm_endpoint.script.reply_structured(
            {"items": [{"id": key, "text": _english(key, texts[key][1])} for key in chunk]}
        )
    model = llm_endpoint.chat_model()
    system = load_llm_prompt("system", "fr")

    def structured(schema: Any, prompt: str) -> tuple[Any, dict[str, Any], str | None]:
        result = structured_call(
            model, schema, [("system", system), ("human", prompt)], retry=llm_endpoint.retry
        )
        return result.value, {}, None

    result = translate_plan(
        project,
        structured,
        lambda name, **values: render_llm_prompt(name, "fr", **values),
        language_name=lambda code: {"fr": "français", "en": "anglais"}[code],
        batch=batch,
    )

    assert result.calls == 2 and result.sent == len(texts)
    sent = llm_endpoint.sent_requests()
    assert len(sent) == 2  # one structured call per batch, never one per shot
    assert all(r["tool_choice"]["function"]["name"] == "Translations" for r in sent)
    prompt = str(sent[0]["messages"][-1]["content"])
    assert "en anglais" in prompt and texts[ordered[0]][1] in prompt
    assert result.written == len(texts)
    shots = load_shots(project)
    assert all(detect_language(s.description) in (None, "en") for s in shots)
    looks = [e for e in AssetRegistry(project).list() if e.element_id in texts]
    assert looks and all(e.versions[-1].note == "translated into en" for e in looks)
    # The prompts are rebuilt from the translations: nothing left to state or to find.
    build_storyboard(project)
    project = Project.open(project.root)
    assert project.manifest.description_language is None
    assert not [f for f in critique(project.root).findings if f.kind == "prompt_language"]
    if llm_endpoint.scripted:
        assert shots[0].description == _english(shots[0].shot_id, "")


def test_an_approved_look_is_never_translated_behind_the_users_back(tmp_path: Path) -> None:
    project = _plan(tmp_path, FRENCH_BRIEF)
    registry = AssetRegistry(project)
    camille = next(e for e in registry.list() if e.element_id.startswith("char_camille"))
    look = camille.canonical_description
    assert detect_language(look) == "fr"
    registry.approve(camille.element_id)
    sent: list[str] = []

    def structured(schema: Any, prompt: str) -> tuple[Any, dict[str, Any], str | None]:
        ids = [line[2:].split(":", 1)[0] for line in prompt.splitlines() if line.startswith("- ")]
        sent.extend(ids)
        return schema(items=[{"id": i, "text": _english(i, "")} for i in ids]), {}, None

    result = translate_plan(
        project,
        structured,
        lambda name, **values: render_llm_prompt(name, "en", **values),
        language_name=str,
    )
    assert result.written > 0 and camille.element_id not in sent
    assert AssetRegistry(project).get(camille.element_id).canonical_description == look
