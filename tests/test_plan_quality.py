"""Plans a director can trust (issue 11): figures and facts checked on scripts the examples
do not contain."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from storycore.tools.model_registry import ModelRegistry
from storycore.tools.planner import Overrides, plan_project, summarize
from storycore.tools.project import Project
from storycore.tools.structure import load_shots

LIGHTHOUSE = """Title: The Keeper

INT. LIGHTHOUSE LAMP ROOM - NIGHT

A round glass room high above the sea, brass rails gleaming.

HECTOR (70s), white beard, navy wool sweater, polishes the great lens.

HECTOR
Another storm tonight.

He climbs down the spiral stairs, one hand on the cold rail.

EXT. ROCKY SHORE - DAWN

Waves break on black rocks. Hector walks along the water line, searching the sand.

He finds a glass bottle and holds it up to the light.
"""


def _plan(tmp_path: Path, text: str, name: str = "keeper.fountain", **overrides: str) -> Project:
    out = tmp_path / "project"
    plan_project(text, out, source_name=name, overrides=Overrides(**overrides))
    return Project.open(out)


def test_estimated_cost_is_dollars_summed_from_each_shots_billed_seconds(tmp_path: Path) -> None:
    project = _plan(tmp_path, LIGHTHOUSE)
    registry = ModelRegistry.load(project.root)
    rate = project.manifest.technical_specs.rate
    expected = Fraction(0)
    billed_total = Fraction(0)
    for shot in load_shots(project):
        model = registry.get(shot.model_id)
        seconds = Fraction(shot.duration_frames) / rate
        limit = model.clip_limit_seconds
        clips = 1 if limit is None else -(-seconds // limit)
        billed = clips * model.billed_seconds(seconds / clips)
        billed_total += billed
        if not model.local:
            expected += billed * Fraction(str(model.cost_usd_per_second))
    summary = summarize(project)
    assert expected > 0, "the test needs a paid model"
    assert summary.estimated_cost_usd == pytest.approx(float(expected), abs=0.01)
    assert summary.estimated_cost_usd != pytest.approx(float(billed_total), abs=0.01)
    # The per-model breakdown adds up to the total, shot counts included.
    assert sum(c.usd for c in summary.costs) == pytest.approx(summary.estimated_cost_usd, abs=0.01)
    assert sum(c.shots for c in summary.costs) == summary.shots
    for cost in summary.costs:
        assert cost.usd == pytest.approx(cost.billed_seconds * cost.usd_per_second, abs=0.01)
        assert cost.describe().startswith(f"{cost.shots} shot")


def test_model_cost_line_tells_screen_time_from_billed_time(tmp_path: Path) -> None:
    """The per-model line a director reads: the seconds on screen add up to the film, and
    when a model bills whole clips the line says both figures rather than only the billed
    one (``3 shots, 10.0 s on screen, billed 15.0 s x ...``)."""
    project = _plan(tmp_path, LIGHTHOUSE)
    summary = summarize(project)
    film = summary.total_frames / float(project.manifest.technical_specs.rate)
    assert sum(c.screen_seconds or 0 for c in summary.costs) == pytest.approx(film, abs=0.01)
    rounded = [
        c for c in summary.costs if round(c.billed_seconds, 1) != round(c.screen_seconds or 0, 1)
    ]
    for cost in summary.costs:
        line = cost.describe()
        assert f"{cost.screen_seconds:.1f} s" in line
        if cost in rounded:
            assert f"billed {cost.billed_seconds:.1f} s x" in line
            assert "billed" in cost.describe("en") and "facturés" in cost.describe("fr")
        else:
            assert "billed" not in line
    # A model billing fixed clip lengths, given shots shorter than its shortest clip.
    from storycore.tools.planner import ModelCost

    short = ModelCost(
        "m", shots=2, billed_seconds=10.0, usd_per_second=0.1, usd=1.0, screen_seconds=6.5
    )
    assert (
        short.describe()
        == "2 shots, 6.5 s on screen, billed 10.0 s x $0.10/s = $1.00 (whole clips)"
    )
    exact = ModelCost(
        "m", shots=2, billed_seconds=10.0, usd_per_second=0.1, usd=1.0, screen_seconds=10.0
    )
    assert exact.describe() == "2 shots, 10.0 s x $0.10/s = $1.00"


# -- looks are appearance only ------------------------------------------------------------


def _elements(project: Project) -> dict[str, dict[str, str]]:
    from storycore.tools.registry import AssetRegistry

    return {
        item.name.lower(): {"type": item.type.value, "look": item.canonical_description}
        for item in AssetRegistry(project).list()
    }


def test_a_fountain_introduction_gives_the_look_never_the_action(tmp_path: Path) -> None:
    elements = _elements(_plan(tmp_path, LIGHTHOUSE))
    look = elements["hector"]["look"]
    assert "70s" in look and "white beard" in look and "navy wool sweater" in look
    for action in ("polishes", "climbs", "walks", "finds"):
        assert action not in look
    # A location's look is its description in the script.
    assert elements["lighthouse lamp room"]["look"].startswith("A round glass room")


def test_french_prose_looks_are_the_descriptive_clauses(tmp_path: Path) -> None:
    prose = (
        "Format vertical, 30 secondes.\n\n"
        "Au petit matin, Inès, une violoniste aux cheveux roux bouclés et à la robe de velours "
        "vert, attend sur le quai de la gare. Inès sort son archet et joue pour les voyageurs.\n\n"
        "Plus tard, Inès range son violon et monte dans le train sous la pluie."
    )
    elements = _elements(_plan(tmp_path, prose, name="ines.txt"))
    look = elements["ines"]["look"] if "ines" in elements else elements["inès"]["look"]
    assert "aux cheveux roux bouclés" in look
    assert "à la robe de velours vert" in look
    for action in ("attend", "sort", "joue", "range", "monte"):
        assert f" {action} " not in f" {look} "


def test_a_prop_does_not_take_the_sentence_it_is_used_in(tmp_path: Path) -> None:
    script = (
        "INT. WORKSHOP - DAY\n\n"
        "Sawdust hangs in the light.\n\n"
        "ALMA (60s), leather apron, grey braid, lifts a brass LANTERN from the shelf.\n\n"
        "She hangs the lantern by the door and leaves.\n"
    )
    elements = _elements(_plan(tmp_path, script, name="alma.fountain"))
    assert "lifts" not in elements["alma"]["look"]
    assert "leather apron" in elements["alma"]["look"]
    lantern = next(v for k, v in elements.items() if "lantern" in k)
    assert "hangs" not in lantern["look"] and "lifts" not in lantern["look"]


# -- sentences do not end at abbreviations ------------------------------------------------


def test_abbreviations_do_not_cut_a_shot_and_the_named_character_is_in_it(
    tmp_path: Path,
) -> None:
    brief = (
        "# Night rounds\n\n## Characters\n"
        "- Tomas: a porter in his forties, shaved head, orange vest\n"
        "- Dr. Okafor: a surgeon with silver glasses and green scrubs\n\n"
        "## Story\n"
        "Tomas pushes an empty bed past Dr. Okafor, who looks up from her chart. "
        "Tomas stops at the lift and waits for M. Brun.\n"
    )
    project = _plan(tmp_path, brief, name="rounds.md")
    descriptions = [shot.description for shot in load_shots(project)]
    assert not any(d.rstrip().endswith((" Dr.", " M.")) for d in descriptions), descriptions
    okafor = [s for s in load_shots(project) if "char_dr_okafor" in s.element_ids()]
    assert okafor and "past Dr. Okafor, who looks up" in okafor[0].description
    assert not any(d.startswith("## Story") or "## Story" in d for d in descriptions)


# -- declared elements are in their shots -------------------------------------------------

PRODUCT_BRIEF = """---
title: Morning Jar
duration: 20s
---

## Characters
- Rosa: a baker in her thirties, flour-dusted apron, red headscarf

## Props
- Apricot jam jar: a squat glass jar with a gingham lid
- Silver whistle: a tiny silver whistle on a chain

## Story
Rosa opens the bakery shutters at dawn. She spreads jam from the jar on warm bread.
The jar on the counter, sunlight through the glass.
"""


def test_a_declared_prop_named_by_its_head_noun_is_in_its_shots(tmp_path: Path) -> None:
    from storycore.tools import validation

    project = _plan(tmp_path, PRODUCT_BRIEF, name="jar.md")
    shots = load_shots(project)
    with_jar = [s for s in shots if "prop_apricot_jam_jar" in s.element_ids()]
    assert with_jar, [s.description for s in shots]
    # The shot where nobody acts shows the product, not "a wide shot of the scene".
    counter = [s for s in shots if "on the counter" in s.description]
    assert counter and all("prop_apricot_jam_jar" in s.element_ids() for s in counter)
    assert all(not s.description.startswith("Wide shot of the scene") for s in counter)
    # The whistle is declared and never shown: the elements gate names it.
    verdict = validation.check_elements(project)
    assert not verdict.ok
    assert any("Silver whistle" in failure for failure in verdict.failures)
    assert not any("Apricot jam jar" in failure for failure in verdict.failures)


# -- transitions from the script are shown ------------------------------------------------


def test_script_transitions_are_on_the_storyboard_and_in_the_shot_list(tmp_path: Path) -> None:
    import csv
    import io

    from storycore.tools.exports import shot_list_csv
    from storycore.tools.storyboard import load_plan

    script = (
        "FADE IN:\n\n"
        "EXT. ORCHARD - DAY\n\n"
        "PAULINE (40s), straw hat, picks a pear and bites into it.\n\n"
        "DISSOLVE TO:\n\n"
        "INT. BARN - NIGHT\n\n"
        "Pauline hangs the lamp on a nail.\n\n"
        "FADE OUT.\n"
    )
    project = _plan(tmp_path, script, name="orchard.fountain")
    shots = load_shots(project)
    assert shots[0].transition_in.value == "fade_in"
    markdown = (project.root / "storyboard.md").read_text(encoding="utf-8")
    html = (project.root / "storyboard.html").read_text(encoding="utf-8")
    assert "Transition" in markdown and "Fade in →" in markdown and "Dissolve" in markdown
    assert "<dt>Transition</dt><dd>Fade in →" in html
    rows = list(csv.DictReader(io.StringIO(shot_list_csv(load_plan(project)).decode("utf-8-sig"))))
    assert rows[0]["Transition"].startswith("Fade in")
    assert any("Dissolve" in row["Transition"] for row in rows)
    assert "Fade out" in rows[-1]["Transition"]


# -- /undo undoes plan changes, not exports -----------------------------------------------


def test_undo_skips_exports_and_keeps_the_exported_files(tmp_path: Path) -> None:
    from storycore.tools.exports import export

    project = _plan(tmp_path, LIGHTHOUSE)
    last_change = project.history()[0].note
    written = [export(project, fmt) for fmt in ("csv", "html")]
    assert all(path.is_file() for path in written)
    assert project.history()[0].note == last_change  # exports are not in the history
    undone = project.undo()
    assert undone.note == last_change
    assert all(path.is_file() for path in written)


# -- facts agree with the text ------------------------------------------------------------


def test_weather_that_the_text_says_is_over_is_not_in_the_prompts(tmp_path: Path) -> None:
    script = (
        "EXT. HARBOUR - MORNING\n\n"
        "The snow has stopped. Boats rock at their moorings.\n\n"
        "LENA (30s), orange oilskin, looks at a postcard of the harbour in the snow.\n\n"
        "LENA\nIt never snows twice. Unless the snow stops and starts again.\n"
    )
    project = _plan(tmp_path, script, name="harbour.fountain")
    for shot in load_shots(project):
        assert shot.weather != "snow", shot.description
        for prompt in (shot.image_prompt, shot.video_prompt):
            assert "Weather: snow" not in (prompt or "")


def test_production_notes_leave_the_story_and_short_story_sentences_stay(tmp_path: Path) -> None:
    prose = (
        "A 20 second spot. Merci !\n\n"
        "At the fish market, Yuki grills skewers. Yuki hands a skewer to Omar. Omar laughs.\n"
    )
    project = _plan(tmp_path, prose, name="market.txt")
    shown = load_shots(project)
    descriptions = " ".join(shot.description for shot in shown)
    assert "20 second spot" not in descriptions and "Merci" not in descriptions
    assert "Omar laughs." in [shot.action for shot in shown]


def test_a_location_described_only_by_events_takes_its_weather_never_an_action(
    tmp_path: Path,
) -> None:
    script = (
        "EXT. HARBOUR - NIGHT\n\n"
        "A ferry leaves the quay. Fog rolls over the black water.\n\n"
        "NINA (30s), red beret, watches from the pier.\n\n"
        "INT. BUS - CONTINUOUS\n\n"
        "The bus lurches forward. Nina takes a seat at the back.\n"
    )
    elements = _elements(_plan(tmp_path, script, name="harbour.fountain"))
    assert elements["harbour"]["look"] == "Fog rolls over the black water."
    bus = elements["bus"]["look"]
    assert "lurches" not in bus and "takes" not in bus


# -- quotes: on screen or in someone's mouth --------------------------------------------


def test_a_quoted_slogan_stays_on_its_shot_and_a_pronoun_attribution_keeps_the_action(
    tmp_path: Path,
) -> None:
    brief = (
        "# Last call\n\n## Characters\n"
        "- Lena: a bartender in her forties, silver rings, black apron\n\n"
        "## Props\n- Bottle: a squat green bottle with a wax seal\n\n"
        "## Scenes\n"
        '1. **Closing** (6s): Lena wipes the bar. "We\'re closed," she says and turns off '
        "the lights.\n"
        '2. **Pack shot** (4s): the bottle on the shelf, slogan "Drink slow."\n'
    )
    shots = load_shots(_plan(tmp_path, brief, name="last_call.md"))
    lines = [(d.character, d.text) for s in shots for d in s.dialogue]
    assert ("Lena", "We're closed") in lines
    descriptions = [s.description for s in shots]
    assert not any("says and" in d for d in descriptions), descriptions
    assert any(
        "Lena turns off the lights" in d or "She turns off the lights" in d
        for d in [s.action for s in shots]
    )
    # The slogan is text on the bottle's shot, not a shot of its own of nobody.
    slogan = [s for s in shots if "Drink slow." in s.description]
    assert slogan and all("prop_bottle" in s.element_ids() for s in slogan), descriptions
    assert not any(d.split(". ", 1)[-1].startswith("“") for d in descriptions), descriptions
    # A brief's lower-case scene line still reads as a sentence after the framing.
    assert any(". The bottle on the shelf" in d for d in descriptions), descriptions


def test_a_pronoun_goes_to_the_person_of_its_gender_the_whole_story_knows(tmp_path: Path) -> None:
    script = (
        "EXT. DOCK - DAY\n\n"
        "ADA (40s), red scarf, ties the boat to the post. She looks at the sky.\n\n"
        "TOM (50s), grey beard, loads the crates. He wipes his hands.\n\n"
        "EXT. BOAT - CONTINUOUS\n\n"
        "Tom, at the stern, watches the dock. The boat drifts out. Ada grows smaller on the "
        "dock.\n\n"
        "He raises one hand and keeps it there.\n"
    )
    shots = load_shots(_plan(tmp_path, script, name="dock.fountain"))
    wave = next(s for s in shots if "raises one hand" in s.action)
    assert wave.characters == ["char_tom"], wave.description


def test_a_look_says_each_trait_once(tmp_path: Path) -> None:
    prose = (
        "A 15-second teaser, 16:9.\n\n"
        "Ada, a singer with a shaved head, walks onto the empty stage. Ada, with a shaved head "
        "and a silver coat, grabs the microphone and sings to the empty hall."
    )
    # The file is named after her, so the title is "Ada": she is still a character.
    look = _elements(_plan(tmp_path, prose, name="ada.txt"))["ada"]["look"]
    assert look.count("shaved head") == 1, look
    assert "a singer with a shaved head" in look and "silver coat" in look


# -- a story set where the brief says ------------------------------------------------------

SET_IN_BRIEF = {
    "en": "A 15-second spot for a small flower shop in Porto, 9:16. Ines, a florist with a "
    "green apron, ties a bouquet of peonies. A girl, Rosa, points at the sunflowers.",
    "fr": "Un film de 15 secondes pour une petite librairie de Nantes, en 9:16. Odile, une "
    "libraire aux lunettes rondes, range des romans. Un enfant, Hugo, lui tend un album.",
}


@pytest.mark.parametrize(
    ("language", "place", "framed", "unknown"),
    [
        ("en", "flower shop", "shot of the ", "of the scene"),
        # A French project's shots are framed in French: "plan d'ensemble de la librairie".
        ("fr", "librairie", "plan d'ensemble de la ", "du décor"),
    ],
)
def test_a_story_that_names_no_place_is_set_where_the_brief_sets_it(
    tmp_path: Path, language: str, place: str, framed: str, unknown: str
) -> None:
    """The place is in the brief's framing sentence ("a spot for a flower shop"), not in the
    story: the scenes are set there, it is a location element, and no shot is "of the scene"."""
    from storycore.tools.planner.intake import read_scenes
    from storycore.tools.registry import AssetRegistry

    project = _plan(tmp_path, SET_IN_BRIEF[language], name="spot.md")
    scenes = read_scenes(project)
    assert scenes and all(place in (s.location or "") for s in scenes)
    locations = [e.name.lower() for e in AssetRegistry(project).list(type="location")]
    assert any(place in name for name in locations), locations
    shots = load_shots(project)
    assert not [d for d in (s.description for s in shots) if "of the scene" in d or unknown in d]
    assert any(framed in s.description and place in s.description for s in shots)


def test_a_place_the_story_names_wins_over_the_brief_framing(tmp_path: Path) -> None:
    text = (
        "An ad for a bakery chain. In the kitchen, Tom, a cook with a white cap, kneads "
        "dough.\n\nLater, in the park, Tom shares a loaf with his daughter, Lily."
    )
    from storycore.tools.planner.intake import read_scenes

    scenes = read_scenes(_plan(tmp_path, text, name="ad.md"))
    assert [s.location for s in scenes] == ["kitchen", "park"]


def test_a_screenplay_introduction_keeps_every_look_clause(tmp_path: Path) -> None:
    """Accessories are looks too ("headphones around her neck"), and the location is named
    as people write it, not in the heading's capitals."""
    text = (
        "EXT. BUS STOP - NIGHT\n\nRain. A lone shelter under a flickering streetlight. NADIA "
        "(30s), green parka, headphones around her neck, checks her phone.\n\nNADIA\n"
        "Twelve minutes.\n"
    )
    elements = _elements(_plan(tmp_path, text, name="bus.fountain"))
    look = elements["nadia"]["look"]
    assert "green parka" in look and "headphones around her neck" in look
    assert "checks" not in look
    from storycore.tools.registry import AssetRegistry

    registry = AssetRegistry(Project.open(tmp_path / "project"))
    assert [e.name for e in registry.list(type="location")] == ["Bus Stop"]


@pytest.mark.parametrize(
    ("text", "name", "look", "not_look"),
    [
        (
            "Au petit matin, Margot, une boulangère aux cheveux roux noués, sort le pain du "
            "four. Plus tard, Margot sert une cliente.",
            "margot",
            "cheveux roux",
            "matin",
        ),
        (
            "At dusk, Theo, a fisherman with a grey beard, mends his net. In the early "
            "morning, Theo rows out.",
            "theo",
            "grey beard",
            "morning",
        ),
        (
            "Le soir, Lina, une danseuse à la robe bleu nuit, traverse la place. Lina s'arrête.",
            "lina",
            "robe bleu nuit",
            "soir",
        ),
    ],
)
def test_a_time_of_day_opening_the_sentence_is_not_a_look(
    tmp_path: Path, text: str, name: str, look: str, not_look: str
) -> None:
    """ "Au petit matin, Margot, une boulangère..." : the look is the baker's, the morning is
    when the scene happens (it reached every prompt as "Margot: ..., Au petit matin")."""
    elements = _elements(_plan(tmp_path, text, name="brief.md"))
    described = elements[name]["look"]
    assert look in described and not_look not in described.lower(), described


@pytest.mark.parametrize(
    ("story", "words", "label"),
    [
        (
            "Ilse waters the tomatoes at dawn.\n\n"
            'Voice-over (Ilse): "My mother planted the first row."\n\n'
            "She kneels and pulls a weed.",
            "My mother planted the first row.",
            "VO (Ilse)",
        ),
        (
            "Ilse arrose les tomates à l'aube.\n\n"
            "En voix off, Ilse dit : « Ma mère a planté le premier rang. »\n\n"
            "Elle s'agenouille et arrache une herbe.",
            "Ma mère a planté le premier rang.",
            "Voix off (Ilse)",
        ),
    ],
)
def test_a_voice_over_is_read_on_the_storyboard(
    tmp_path: Path, story: str, words: str, label: str
) -> None:
    """A voice-over is heard over the picture, so no shot's description tells it: the
    storyboard a director reads (Markdown and HTML) says it with its speaker."""
    project = _plan(tmp_path, f"# Garden\n\nA 20-second film.\n\n{story}\n", name="garden.md")
    markdown = (project.root / "storyboard.md").read_text(encoding="utf-8")
    rows = [line for line in markdown.splitlines() if words in line]
    assert len(rows) == 1 and f"{label}: “{words}”" in rows[0], markdown
    page = (project.root / "storyboard.html").read_text(encoding="utf-8")
    assert f'<p class="vo">{label}: “{words}”</p>' in page
