"""Shot descriptions and titles in the project's language: the framing phrases the planner
writes (tools/breakdown/wording.py, the ``shot_text`` catalog messages), their French grammar,
and the readers that rewrite them (a size edit, the critic's framing check)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storycore.tools import i18n
from storycore.tools.breakdown.wording import Wording
from storycore.tools.critic import critique
from storycore.tools.feedback import parse_feedback
from storycore.tools.planner import Overrides, plan_project
from storycore.tools.project import Project
from storycore.tools.prompt_builder import load_vocabulary
from storycore.tools.regeneration import apply_changes, plan_changes
from storycore.tools.regeneration.rewrite import rewrite_shot_size, size_phrases
from storycore.tools.structure import load_shots

# Stories no other test plans: a market, a workshop, a station; dialogue, an off-screen line
# and a voice-over.
MARKET = """Title: Le Marché

INT. ATELIER - NUIT

L'atelier sent la colle et le bois. ÉLISE (40 ans, lunettes rondes) ponce une vieille guitare.

OSCAR (12 ans, casquette) entre en courant.

OSCAR
Le marché ouvre dans une heure !

ÉLISE
(sans lever les yeux)
Alors aide-moi au lieu de crier.

ÉLISE (V.O.)
Cette nuit-là, il a appris à écouter le bois.

Oscar attrape un chiffon et frotte le manche.

EXT. MARCHÉ - MATIN

Le marché s'éveille sous les platanes. Élise installe la guitare sur l'étal.

HECTOR (O.S.)
Élise ! Elle est à vendre ?

Élise sourit.
"""

STATION = """---
language: fr
duration: 30s
---
# Le Dernier Train

Un court film de 30 secondes. Sur le quai de la gare de Lille, au petit matin, Anaïs, une
étudiante en manteau rouge, attend le dernier train avec une valise. Ulysse, son frère, court
le long du quai et lui tend une enveloppe. Anaïs ouvre l'enveloppe et sourit. Le train entre
en gare. Couleurs froides, grain léger.
"""

#: English framing words a French description must not open on (nor carry).
ENGLISH_FRAMING = re.compile(
    r"\b(?:Establishing|Close-up|close-up|Two-shot|Medium shot|Wide shot|Full shot|"
    r"Extreme|Over \w+'s shoulder|voice-over|reacting to|speaks off screen|Tracking shot|"
    r"Performance shot|Wide cutaway|High-angle|Low-angle|Crane shot|Insert, [a-z -]+ of)\b"
)


def _plan(tmp_path: Path, text: str, name: str, **extra: str) -> Project:
    out = tmp_path / "project"
    plan_project(text, out, source_name=name, overrides=Overrides(**extra))
    return Project.open(out)


@pytest.fixture
def market(tmp_path: Path) -> Project:
    return _plan(tmp_path, MARKET, "marche.fountain", language="fr")


def test_a_french_screenplay_is_framed_in_french(market: Project) -> None:
    shots = load_shots(market)
    descriptions = [s.description for s in shots]
    for shot in shots:
        assert not ENGLISH_FRAMING.search(shot.description), shot.description
        assert not ENGLISH_FRAMING.search(shot.title), shot.title
    text = "\n".join(descriptions)
    # Elision, contraction, the article the story gives a place, French quotes.
    assert "d'Élise" in text and "d'Oscar" in text
    assert "de l'atelier" in text and "du marché" in text
    assert "Oscar : « Le marché ouvre dans une heure ! »" in text
    # The voice-over, the off-screen line and a reaction, each in French.
    assert any("Élise en voix off" in d for d in descriptions), descriptions
    assert any("Hector hors champ" in d for d in descriptions), descriptions
    assert not any(" de le " in d or " de les " in d or " de É" in d for d in descriptions)


def test_a_french_prose_brief_is_framed_in_french(tmp_path: Path) -> None:
    shots = load_shots(_plan(tmp_path, STATION, "train.md"))
    assert shots
    for shot in shots:
        assert not ENGLISH_FRAMING.search(shot.description), shot.description
    text = "\n".join(s.description for s in shots)
    assert re.search(r"(Plan|plan) [^.]* d'Anaïs", text), text


def test_an_english_story_keeps_its_english_framing(tmp_path: Path) -> None:
    story = MARKET.replace("Title: Le Marché", "Title: The Market")
    shots = load_shots(_plan(tmp_path, story, "market.fountain", language="en"))
    text = "\n".join(s.description for s in shots)
    assert "Establishing wide shot of the atelier" in text  # a heading's place noun
    assert "under Élise voice-over" in text and "as Hector speaks off screen" in text
    assert "Oscar: “Le marché ouvre dans une heure !”" in text


@pytest.mark.parametrize(
    ("story", "location", "expected"),
    [
        ("Elle monte sur un toit.", "toit", "du toit"),
        ("Il entre dans la cuisine.", "CUISINE", "de la cuisine"),
        ("", "HÔPITAL - COULOIR", "du couloir de l'hôpital"),
        ("Ils traversent Lyon.", "LYON", "de Lyon"),
        ("Le bateau quitte le Vieux-Port.", "Vieux-Port", "du Vieux-Port"),
        ("", "église", "de l'église"),
        ("", "hangar", "du hangar"),
        ("", "CHEZ MARGOT", "de chez Margot"),
        ("Les quais sont vides.", "quais", "des quais"),
        ("", None, "du décor"),
    ],
)
def test_a_french_place_takes_its_article_and_contracts(
    story: str, location: str | None, expected: str
) -> None:
    assert Wording("fr", [story]).place(location).of() == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Élodie", "d'Élodie"),
        ("Hugo", "d'Hugo"),
        ("Yves", "d'Yves"),
        ("Yann", "de Yann"),
        ("Margot", "de Margot"),
        ("Docteur Arnaud", "du docteur Arnaud"),
    ],
)
def test_a_french_name_elides(name: str, expected: str) -> None:
    assert Wording("fr").name(name).of() == expected


def test_several_names_take_de_each_in_french_and_of_once_in_english() -> None:
    assert Wording("fr").names(["Nour", "Élodie"]).of() == "de Nour et d'Élodie"
    assert Wording("en").names(["Nour", "Élodie"]).of() == "of Nour and Élodie"


def test_the_size_names_are_the_prompt_vocabularys() -> None:
    """The size rewrite reads the prompt vocabulary: the descriptions must use its names."""
    for language in ("en", "fr"):
        vocabulary = load_vocabulary(language)
        for size in ("EWS", "WS", "FS", "MWS", "MS", "MCU", "CU", "ECU"):
            name = i18n.t(f"shot_text.size.{size}", language)
            assert name.lower() == vocabulary[f"shot_size.{size}"].lower(), (language, size)


@pytest.mark.parametrize(
    ("text", "size", "expected"),
    [
        ("Plan rapproché poitrine de Margot. Elle sourit.", "CU",
         "Gros plan de Margot. Elle sourit."),
        ("Gros plan d'Élodie, qui réagit.", "MS", "Plan taille d'Élodie, qui réagit."),
        ("Plan de situation, plan d'ensemble du marché, matin.", "EWS",
         "Plan de situation, très grand plan d'ensemble du marché, matin."),
        ("Plan taille sur Inès, Hugo en amorce.", "MCU",
         "Plan rapproché poitrine sur Inès, Hugo en amorce."),
    ],
)  # fmt: skip
def test_a_size_rewrite_restates_french_framing(text: str, size: str, expected: str) -> None:
    assert rewrite_shot_size(text, size) == expected


def test_a_french_size_edit_rewrites_the_description(market: Project) -> None:
    shot = next(s for s in load_shots(market) if s.shot_size.value in ("MS", "FS", "WS"))
    number = int(shot.shot_id.removeprefix("shot_"))
    modifications = parse_feedback(f"passe le plan {number} en gros plan", market).modifications
    apply_changes(market, plan_changes(market, modifications))
    after = next(s for s in load_shots(market) if s.shot_id == shot.shot_id)
    assert after.shot_size.value == "CU"
    # Every framing phrase of the description now names the close-up, in French.
    phrases = size_phrases(after.description)
    assert phrases and {(p.size, p.language) for p in phrases} == {("CU", "fr")}, after.description
    assert critique(market, kinds=["framing_contradiction"]).findings == []


def test_the_critic_reads_a_french_plan_without_false_framing_findings(market: Project) -> None:
    assert critique(market, kinds=["framing_contradiction"]).findings == []


@pytest.mark.parametrize(("language", "said"), [("fr", " (suite)"), ("en", " (continues)")])
def test_a_split_part_says_it_continues_in_the_projects_language(
    market: Project, language: str, said: str
) -> None:
    from storycore.tools.breakdown import split_long_shots

    shot = max(load_shots(market), key=lambda s: s.duration_frames)
    parts = split_long_shots([shot], lambda s: -(-shot.duration_frames // 2), language)
    assert [p.description for p in parts] == [shot.description, shot.description + said]


@pytest.mark.parametrize(
    ("story", "prop", "expected"),
    [
        ("Elle pose une tasse sur la table.", "tasse", "de la tasse"),
        ("", "enveloppe", "de l'enveloppe"),
        ("Il sort un carnet.", "carnet", "du carnet"),
        ("Elle range les clés.", "clés", "des clés"),
    ],
)
def test_a_french_prop_takes_its_article(story: str, prop: str, expected: str) -> None:
    assert Wording("fr", [story]).prop(prop).of() == expected
    assert Wording("en", [story]).prop(prop).of() == f"of the {prop}"


@pytest.mark.parametrize(
    ("location", "names", "story", "phrase"),
    [
        ("OLD BRIDGE", [], "Rain on the bridge.", "the old bridge"),  # a heading's place noun
        ("POST OFFICE", [], "", "the post office"),
        ("GABY'S KITCHEN", ["GaBy"], "", "GaBy's kitchen"),  # a possessive takes no article
        ("Hospital corridor", [], "", "the hospital corridor"),  # a brief's list entry
        ("Laundromat", [], "", "the laundromat"),
        ("CENTRAL PARK", [], "Ana jogs through Central Park.", "Central Park"),  # the story's
        ("Harbour Wall", [], "", "Harbour Wall"),  # a title-cased name
        ("MARSEILLE", [], "", "Marseille"),  # no place noun: a name
        ("STATION PLATFORM / TRAIN", [], "", "Station Platform / Train"),
    ],
)
def test_english_places_read_as_people_write_them(
    location: str, names: list[str], story: str, phrase: str
) -> None:
    assert str(Wording("en", [story]).place(location, names)) == phrase


@pytest.mark.parametrize(
    ("language", "name", "phrase", "of"),
    [
        ("en", "The Keeper", "the keeper", "of the keeper"),
        ("en", "Clerk", "the clerk", "of the clerk"),
        ("en", "Old Man", "the old man", "of the old man"),
        ("en", "Rosa", "Rosa", "of Rosa"),
        ("en", "Grandpa Li", "Grandpa Li", "of Grandpa Li"),
        ("fr", "Le chauffeur", "le chauffeur", "du chauffeur"),
        ("fr", "L'infirmière", "l'infirmière", "de l'infirmière"),
    ],
)
def test_a_person_named_by_a_noun_reads_as_one_mid_sentence(
    language: str, name: str, phrase: str, of: str
) -> None:
    named = Wording(language).name(name)
    assert (str(named), named.of()) == (phrase, of)
