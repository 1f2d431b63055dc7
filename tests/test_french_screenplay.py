"""French input read as a director writes it: a screenplay with no front matter is planned in
French (its language read from its headings, action and dialogue), transitions are never
shots, a voice-over written in a sentence is narration (no on-screen speaker, no two-shot),
props written in lower case are elements, and "plan moyen" means one size everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storycore.tools.domain import ShotSize, ShotSpec, Transition
from storycore.tools.domain.vocabulary import FRENCH_SHOT_SIZES
from storycore.tools.fountain import parse_fountain, scenes_from_fountain, screenplay_language
from storycore.tools.fountain.french_props import handled_props
from storycore.tools.fountain.timing import transition_named
from storycore.tools.planner import plan_project
from storycore.tools.project import Project
from storycore.tools.regeneration.rewrite import rewrite_shot_size, size_phrases
from storycore.tools.structure import load_shots

# Screenplays no other test plans, without a title page.
ATELIER = """INT. ATELIER - NUIT

Une lampe éclaire l'établi. MAXIME (50 ans, tablier de cuir) tient une vieille guitare et la
pose sur l'établi. Il ouvre un carnet rouge.

Une voix off, celle de sa fille, raconte : « Papa réparait tout, sauf lui-même. »

INÈS (20 ans) entre, la clé de la voiture à la main.

INÈS
Tu viens ? Le train part dans une heure.

MAXIME
Pas encore.

FONDU ENCHAÎNÉ :

EXT. QUAI - AUBE

Inès attend sur le quai. Elle serre le carnet rouge contre elle.

En voix off, Maxime dit : « Elle n'a jamais su que je l'avais vue partir. »

Fondu au noir.
"""

# Almost all dialogue: few of the prose reader's common words.
DIALOGUE_ONLY = """EXT. TERRASSE - SOIR

JULES
Tu viens ?

NINA
Non. Pas maintenant.

JULES
Pourquoi ? On t'attend.

NINA (OFF)
Rien. J'arrive.

CUT :

INT. VOITURE - NUIT

NINA
Merci.
"""

ENGLISH = """EXT. PIER - NIGHT

Waves slap the pilings. OWEN (60s) grips an old lantern and stares at the water.

A voice-over says: "He waited here every winter."

OWEN
She'll come back.

FADE TO BLACK.
"""

#: English framing words a French description must not carry.
ENGLISH_FRAMING = re.compile(
    r"\b(?:Establishing|Close-up|Two-shot|Medium shot|Wide shot|Full shot|voice-over|"
    r"Over \w+'s shoulder|Tracking shot|Insert, [a-z -]+ of)\b"
)


def _plan(tmp_path: Path, text: str, name: str) -> tuple[Project, list[ShotSpec]]:
    out = tmp_path / name.replace(".", "_")
    plan_project(text, out, source_name=name)
    project = Project.open(out)
    return project, load_shots(project)


# -- 1. the language of a screenplay ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (ATELIER, "fr"),
        (DIALOGUE_ONLY, "fr"),
        (ENGLISH, "en"),
        ("Title: Rue\nLanguage: French\n\nINT. ROOM - DAY\n\nThe room is empty.\n", "fr"),
        ("INT. GARE - NUIT\n\nLÉA\nJ'ai froid.\n\nHUGO\nMoi aussi.\n", "fr"),
        ("INT. STATION - NIGHT\n\nLEA\nI'm cold.\n\nHUGO\nMe too.\n", "en"),
    ],
)
def test_a_screenplay_is_read_in_the_language_it_is_written_in(text: str, language: str) -> None:
    assert screenplay_language(parse_fountain(text)) == language


@pytest.mark.parametrize("text", [ATELIER, DIALOGUE_ONLY])
def test_a_french_screenplay_without_front_matter_is_planned_in_french(
    tmp_path: Path, text: str
) -> None:
    project, shots = _plan(tmp_path, text, "court.fountain")
    assert project.manifest.technical_specs.language == "fr"
    assert project.manifest.technical_specs.prompt_language == "en"  # prompts stay English
    for shot in shots:
        assert not ENGLISH_FRAMING.search(shot.description), shot.description
        assert not ENGLISH_FRAMING.search(shot.title), shot.title


def test_an_english_screenplay_stays_english(tmp_path: Path) -> None:
    project, shots = _plan(tmp_path, ENGLISH, "pier.fountain")
    assert project.manifest.technical_specs.language == "en"
    assert any(s.description.startswith("Establishing") for s in shots)


# -- 2. transitions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("FONDU AU NOIR.", Transition.FADE_OUT),
        ("Fondu au noir.", Transition.FADE_OUT),
        ("FERMETURE AU NOIR", Transition.FADE_OUT),
        ("FONDU AU BLANC.", Transition.FADE_OUT),
        ("FONDU ENCHAÎNÉ :", Transition.DISSOLVE),
        ("FONDU ENCHAÎNÉ SUR :", Transition.DISSOLVE),
        ("CUT :", Transition.CUT),
        ("COUPE FRANCHE :", Transition.CUT),
        ("FONDU D'OUVERTURE :", Transition.FADE_IN),
        ("> OUVERTURE AU NOIR", Transition.FADE_IN),
        ("FADE TO BLACK.", Transition.FADE_OUT),
        ("Fade to black.", Transition.FADE_OUT),
        ("SMASH CUT TO:", Transition.SMASH_CUT),
        ("SMASH CUT:", Transition.SMASH_CUT),
        ("MATCH CUT TO:", Transition.MATCH_CUT),
    ],
)
def test_a_transition_line_is_a_transition_never_an_action(line: str, expected: Transition) -> None:
    screenplay = parse_fountain(
        f"INT. CUISINE - NUIT\n\nClaire mange.\n\n{line}\n\nEXT. RUE - JOUR\n\nRien.\n"
    )
    beat = screenplay.scenes[0].beats[-1]
    assert beat.kind == "transition"
    assert transition_named(beat.text) is expected


@pytest.mark.parametrize(
    "text",
    ["Le noir se fait sur la ville.", "Claire coupe le pain.", "Fade to black and white photos."],
)
def test_a_sentence_that_says_more_than_a_transition_is_story(text: str) -> None:
    assert transition_named(text) is None


def test_transitions_shape_the_edit_and_are_never_shots(tmp_path: Path) -> None:
    _project, shots = _plan(tmp_path, ATELIER, "atelier.fountain")
    for shot in shots:
        assert not re.search(r"(?i)fondu|fade", shot.description), shot.description
    assert shots[-1].transition_out is Transition.FADE_OUT
    entered = [s for s in shots if s.transition_in is Transition.DISSOLVE]
    assert entered and "quai" in entered[0].description


@pytest.mark.parametrize(
    ("story", "name"),
    [
        (
            "Un court film de 15 secondes. Dans la cuisine, Léa boit un café. Léa sourit. "
            "Fondu au noir.",
            "cafe.md",
        ),
        (
            "A 15-second film. In the kitchen, Lea drinks a coffee. Lea smiles. FADE TO BLACK.",
            "coffee.md",
        ),
    ],
)
def test_a_transition_in_prose_ends_the_film_on_a_fade(
    tmp_path: Path, story: str, name: str
) -> None:
    _project, shots = _plan(tmp_path, story, name)
    assert not any(re.search(r"(?i)fondu au noir|fade to black", s.description) for s in shots)
    assert shots[-1].transition_out is Transition.FADE_OUT


# -- 3. voice-over ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "speaker", "words"),
    [
        ("Une voix off, celle de sa fille, raconte : « Il pleuvait. »", None, "Il pleuvait."),
        ("En voix off, Nina dit : Je savais.", "Nina", "Je savais."),
        ("La voix off de Nina murmure « Reviens ».", "Nina", "Reviens"),
        ("Narrateur (V.O.) : « Tout a commencé ici. »", None, "Tout a commencé ici."),
        ('A voice-over says: "He waited here every winter."', None, "He waited here every winter."),
        ("Nina (V.O.): “I knew.”", "Nina", "I knew."),
    ],
)
def test_a_voice_over_written_in_action_is_narration(
    line: str, speaker: str | None, words: str
) -> None:
    text = f"INT. SALON - NUIT\n\nNINA (30 ans) lit.\n\n{line}\n"
    scenes, _ = scenes_from_fountain(text)
    heard = [b for b in scenes[0].beats if b.kind == "dialogue"]
    assert len(heard) == 1
    assert heard[0].extension == "V.O."
    assert heard[0].text == words
    assert heard[0].character == speaker


@pytest.mark.parametrize(
    "line",
    [
        "Nina regarde : la rue est vide.",
        "Nina décolle l'affiche : « DÉFENSE D'ENTRER ».",
        "The plane takes off: the runway empties.",
    ],
)
def test_a_colon_or_a_quote_without_a_voice_over_stays_action(line: str) -> None:
    scenes, _ = scenes_from_fountain(f"INT. SALON - NUIT\n\n{line}\n")
    assert [b.kind for b in scenes[0].beats] == ["action"]


def test_a_voice_over_makes_no_on_screen_speaker_and_no_two_shot(tmp_path: Path) -> None:
    _project, shots = _plan(tmp_path, ATELIER, "atelier.fountain")
    narrated = [s for s in shots if s.narration]
    assert any("Papa réparait tout" in (s.narration or "") for s in narrated)
    assert any("je l'avais vue partir" in (s.narration or "") for s in narrated)
    for shot in shots:
        for line in shot.dialogue:
            assert "Papa réparait" not in line.text and "vue partir" not in line.text
    # Maxime speaks over the quay scene: he is not seen there.
    quay = [s for s in shots if "je l'avais vue partir" in (s.narration or "")]
    assert quay and all("char_maxime" not in s.characters for s in quay)
    assert not any("Plan à deux" in s.description and s.narration for s in shots)


def test_voice_over_cue_extensions_are_narration_in_french(tmp_path: Path) -> None:
    _project, shots = _plan(tmp_path, DIALOGUE_ONLY, "terrasse.fountain")
    assert any("Rien. J'arrive." in (s.narration or "") for s in shots)
    assert not any(line.text == "Rien. J'arrive." for s in shots for line in s.dialogue)


@pytest.mark.parametrize(
    ("story", "words"),
    [
        (
            "Un court film de 20 secondes. Dans le salon, Hélène et son père Marc trient des "
            "photos. Marc sourit à Hélène. Une voix off, celle de sa fille Hélène, raconte : "
            "« Papa gardait tout. » Marc range la boîte.",
            "Papa gardait tout.",
        ),
        (
            "A 20-second film. In the living room, Helen and her father Mark sort photos. "
            "Mark smiles at Helen. A voice-over says: “Dad kept everything.” Mark puts the "
            "box away.",
            "Dad kept everything.",
        ),
    ],
)
def test_a_voice_over_in_prose_is_narration_not_a_two_shot(
    tmp_path: Path, story: str, words: str
) -> None:
    _project, shots = _plan(tmp_path, story, "photos.md")
    assert any(words in (s.narration or "") for s in shots)
    assert not any(words in line.text for s in shots for line in s.dialogue)
    assert not any(words in s.description for s in shots)


# -- 4. props in lower case -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "props"),
    [
        ("Claire pose une vieille guitare contre le mur.", ["guitare"]),
        ("Elle ouvre un carnet rouge.", ["carnet rouge"]),
        ("Paul tend la clé de la voiture à Inès.", ["clé de la voiture"]),
        ("Il joue de la guitare, puis allume une cigarette.", ["guitare", "cigarette"]),
        ("Léa attrape son sac à dos et lit une lettre.", ["sac à dos", "lettre"]),
        ("Il ferme les yeux. Elle ouvre la porte. Il sort de la cuisine.", []),
        ("Marc prend la parole et serre la main de Paul.", []),
        # worked, carried (an adverb between), dipped into: a thing in hand all the same
        ("Le potier façonne un pichet sur le tour.", ["pichet"]),
        ("Nina porte prudemment une lanterne jusqu'au puits.", ["lanterne"]),
        ("Il trempe le pinceau et plonge les doigts dans la cuvette.", ["pinceau", "cuvette"]),
        # worn, or the body: no prop
        ("Nina porte une longue robe et tourne la tête.", []),
    ],
)
def test_things_a_french_story_handles_are_props(text: str, props: list[str]) -> None:
    assert list(handled_props(text)) == props


def test_lower_case_french_props_become_prop_elements(tmp_path: Path) -> None:
    project, shots = _plan(tmp_path, ATELIER, "atelier.fountain")
    names = {e.name for e in project.manifest.elements if e.type.value == "prop"}
    assert {"guitare", "carnet rouge", "clé de la voiture"} <= names
    quay = [s for s in shots if "quai" in s.description.lower()]
    assert any("prop_carnet_rouge" in s.props for s in quay)


# -- 5. one table of French size names ---------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "name"), [(size, name) for size, names in FRENCH_SHOT_SIZES.items() for name in names]
)
def test_every_french_size_name_means_one_size_in_the_vocabulary_and_the_rewrite(
    size: str, name: str
) -> None:
    assert ShotSize.parse(name).value == size
    found = size_phrases(f"Un {name} de Léa.")
    assert [p.size for p in found] == [size]


def test_plan_moyen_is_a_full_shot() -> None:
    assert ShotSize.parse("plan moyen") is ShotSize.FS
    assert rewrite_shot_size("Plan moyen de Léa.", "CU") == "Gros plan de Léa."
    assert rewrite_shot_size("Plan moyen de Léa.", "FS") == "Plan moyen de Léa."
    assert rewrite_shot_size("Plan mi-moyen de Léa.", "MS") == "Plan mi-moyen de Léa."
