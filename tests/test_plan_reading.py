"""Plans read as a director reads them, on stories no example holds: who an object pronoun
is, who is there before they come in, the look of a possessive, capitals of a first
appearance, times a picture cannot show, and the place a scene with no stated place shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storycore.tools.breakdown import breakdown_brief, breakdown_screenplay
from storycore.tools.brief.looks import find_look, is_action_clause
from storycore.tools.domain import Framing, ShotSize, TechnicalSpecs
from storycore.tools.fountain import fold, lit_time
from storycore.tools.planner import plan_project
from storycore.tools.planner.intake import understand
from storycore.tools.project import Project
from storycore.tools.structure import load_shots


def _shots(text: str, name: str = "story.md") -> list:
    return breakdown_brief(understand(text, source_name=name)).shots


def _with(shots: list, words: str) -> list:
    found = [s for s in shots if words in s.action or words in s.description]
    assert found, [s.description for s in shots]
    return found


# -- object pronouns ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("story", "line", "expected"),
    [
        # "him" is never the subject: the other person, whatever the subject's gender
        (
            "Marta feeds the goats while Pablo carries a bucket. Then Pablo sits down.\n\n"
            "Marta waves and throws him an apple.",
            "throws him",
            {"char_marta", "char_pablo"},
        ),
        (
            "Yusuf sweeps the floor as Amira counts the coins. Then Amira yawns.\n\n"
            "Yusuf smiles and hands her the keys.",
            "hands her",
            {"char_yusuf", "char_amira"},
        ),
        (
            "Chloé essuie le comptoir quand Bastien entre, trempé. Puis Bastien frissonne.\n\n"
            "Chloé lui tend une serviette.",
            "lui tend",
            {"char_chloe", "char_bastien"},
        ),
    ],
)
def test_an_object_pronoun_adds_the_person_it_stands_for(
    story: str, line: str, expected: set[str]
) -> None:
    text = f"# Short\n\nA 20-second film.\n\n## Story\n{story}\n"
    for shot in _with(_shots(text), line):
        if shot.framing is not Framing.INSERT:
            assert set(shot.characters) >= expected, (shot.description, shot.characters)


def test_her_before_a_noun_is_a_possessive_not_someone_else() -> None:
    text = (
        "# Short\n\nA 20-second film.\n\n## Story\n"
        "Nadia waits at the bus stop. Omar runs past.\n\nNadia checks her phone and sighs.\n"
    )
    for shot in _with(_shots(text), "checks her phone"):
        assert shot.characters == ["char_nadia"], shot.characters


def test_a_scene_that_opens_on_a_pronoun_keeps_who_it_stands_for() -> None:
    text = (
        "# Short\n\nUn film de 30 secondes.\n\n## Histoire\n"
        "Au marché, Madame Roux vend des fleurs à Monsieur Blanc. Puis Monsieur Blanc part.\n\n"
        "Le lendemain, il revient avec un bouquet. Madame Roux rit.\n"
    )
    shots = _with(_shots(text), "il revient")
    assert all("char_monsieur_blanc" in s.characters for s in shots), [
        (s.description, s.characters) for s in shots
    ]


# -- who is there -----------------------------------------------------------------------------


def test_a_line_before_the_listener_comes_in_frames_the_speaker_alone() -> None:
    screenplay = (
        "INT. KITCHEN - NIGHT\n\nRITA (50s, flour on her apron) kneads dough.\n\n"
        "RITA\nShe's never on time.\n\nJUNE (20s) bursts in, shaking off the snow.\n\n"
        "JUNE\nSorry! The bus.\n"
    )
    breakdown, _ = breakdown_screenplay(screenplay, TechnicalSpecs())
    first = next(s for s in breakdown.shots if s.dialogue)
    assert first.dialogue[0].character == "Rita"
    assert first.characters == ["char_rita"], first.description
    later = [s for s in breakdown.shots if s.dialogue and s.dialogue[0].character == "June"]
    assert later and all("char_june" in s.characters for s in later)


def test_a_person_in_capitals_is_a_character_even_when_mentioned_once() -> None:
    screenplay = (
        "INT. MUSEUM HALL - NIGHT\n\nMILO (20s) creeps between the statues.\n\n"
        "He tiptoes past a dozing JANITOR.\n"
    )
    breakdown, _ = breakdown_screenplay(screenplay, TechnicalSpecs())
    shot = next(s for s in breakdown.shots if "dozing" in s.action)
    assert any("janitor" in c for c in shot.characters), shot.characters


# -- looks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "clause", ["mechanic's overalls", "her father's old coat", "a sailor's cap"]
)
def test_a_possessive_is_a_look_not_an_action(clause: str) -> None:
    assert not is_action_clause(clause)


@pytest.mark.parametrize("clause", ["she's tired", "it's raining", "s'assoit"])
def test_a_contraction_is_still_an_action(clause: str) -> None:
    assert is_action_clause(clause)


def test_a_screenplay_introduction_keeps_a_possessive_costume() -> None:
    text = "EXT. DOCK - DAY\n\nBRUNO (40s, fisherman's jumper, grey beard) coils a rope."
    assert find_look("Bruno", text) == "40s, fisherman's jumper, grey beard"


# -- times and places -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading_time", "expected"),
    [
        ("NIGHT", "night"),
        ("THE NEXT MORNING", "the next morning"),
        ("CONTINUOUS", None),
        ("LATER", None),
        ("MOMENTS LATER", None),
        ("PLUS TARD", None),
        ("SUITE", None),
    ],
)
def test_only_a_time_a_picture_shows_is_lit(heading_time: str, expected: str | None) -> None:
    assert lit_time(heading_time) == expected


def test_no_relative_time_reaches_a_description_or_a_prompt_field() -> None:
    screenplay = (
        "EXT. HARBOUR - NIGHT\n\nSAM (30s) unties a boat.\n\n"
        "INT. BOAT CABIN - CONTINUOUS\n\nSam starts the engine.\n\n"
        "EXT. OPEN SEA - LATER\n\nThe boat cuts through the waves.\n"
    )
    breakdown, _ = breakdown_screenplay(screenplay, TechnicalSpecs())
    for shot in breakdown.shots:
        assert "continuous" not in shot.description.lower(), shot.description
        assert ", later" not in shot.description.lower(), shot.description
        assert shot.time_of_day == "night", (shot.shot_id, shot.time_of_day)


def test_a_heading_place_the_story_writes_as_a_common_noun_takes_an_article() -> None:
    screenplay = (
        "EXT. ROAD - DAY\n\nIVY (30s) loads a truck.\n\n"
        "INT. TRUCK - CONTINUOUS\n\nIvy buckles up and turns the key.\n"
    )
    breakdown, _ = breakdown_screenplay(screenplay, TechnicalSpecs())
    inside = [s for s in breakdown.shots if s.scene == "2" and s.framing is not Framing.INSERT]
    assert any("the truck" in s.description for s in inside), [s.description for s in inside]
    assert not any("of Truck" in s.description for s in inside)


def test_a_scene_with_no_stated_place_is_shot_where_its_first_sentence_looks() -> None:
    text = (
        "# Short\n\nA 20-second film.\n\n## Story\n"
        "At dawn, mist lifts off the hills. Rosa walks her dog.\n\n"
        "Later, the fishing boats come into the marina. Rosa waves.\n"
    )
    shots = _shots(text)
    assert shots[0].location == "loc_hills", [s.location for s in shots]
    assert any(s.location == "loc_marina" for s in shots), [s.location for s in shots]


# -- props handled, French people by their trade ----------------------------------------------


def test_french_prose_props_are_read_like_a_screenplays() -> None:
    text = (
        "# Pub\n\nUne publicité de 20 secondes.\n\n## Histoire\n"
        "Au petit matin, Inès ouvre l'atelier et allume la lampe de bureau. Inès déplie un "
        "vieux plan. Plus tard, Inès laisse une enveloppe sur l'établi.\n"
    )
    props = {p for s in _shots(text) for p in s.props}
    assert {"prop_lampe_de_bureau", "prop_plan", "prop_enveloppe"} <= props, props


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Ana tosses him a bunch of keys.", "bunch of keys"),
        ("Ana opens the drawer: it holds her mother's locket.", "locket"),
        ("Ana fills a bucket of water.", "bucket"),
    ],
)
def test_a_handled_thing_is_named_by_what_it_is(line: str, expected: str) -> None:
    from storycore.tools.fountain.handled import handled_props

    assert expected in handled_props([line])


def test_french_people_named_by_their_trade_act_through_a_look_and_pronouns() -> None:
    text = (
        "# Film\n\nUn film de 20 secondes.\n\n## Histoire\n"
        "Sur le marché, une fleuriste aux mains gercées arrange des tulipes. Un coursier à "
        "trottinette s'arrête devant l'étal. Elle lui tend un bouquet. Il repart en souriant.\n"
    )
    shots = _shots(text)
    cast = {c for s in shots for c in s.characters}
    assert {"char_la_fleuriste", "char_le_coursier"} <= cast, [
        (s.description, s.characters) for s in shots
    ]
    handing = _with(shots, "lui tend")
    assert all(
        {"char_la_fleuriste", "char_le_coursier"} <= set(s.characters)
        for s in handing
        if s.framing is not Framing.INSERT
    ), [(s.description, s.characters) for s in handing]
    assert all(s.characters == ["char_le_coursier"] for s in _with(shots, "Il repart"))


def test_a_time_opener_is_written_as_the_story_writes_it() -> None:
    text = (
        "# Film\n\nUn film de 10 secondes.\n\n## Histoire\n"
        "À l'aube, une boulangère lève le rideau de sa boutique.\n"
    )
    first = _shots(text)[0]
    assert "à l'aube" in first.description and "a l aube" not in first.description


def test_a_scene_title_that_is_a_place_is_where_it_is_shot() -> None:
    text = (
        "# Film\n\nA 12-second film.\n\n## Scenes\n"
        "- **Boiler room**: Omar bleeds the radiator and looks out at the canal (6s)\n"
        "- **Rooftop**: Omar smokes in the rain above the city (6s)\n"
    )
    shots = _shots(text)
    assert {s.scene: s.location for s in shots} == {"1": "loc_boiler_room", "2": "loc_rooftop"}


# -- coverage says what happens ---------------------------------------------------------------


def test_coverage_of_an_introduction_leaves_the_look_to_the_registry() -> None:
    text = (
        "# Film\n\nA 30-second film.\n\n## Story\n"
        "Anouk, a young cyclist in a yellow rain jacket, rides through the empty market at "
        "dawn. Anouk stops at a fountain and drinks.\n"
    )
    shots = _shots(text)
    riding = _with(shots, "rides through")
    assert "yellow rain jacket" in riding[0].description
    coverage = [s for s in riding[1:] if s.framing is not Framing.INSERT]
    assert coverage, [s.description for s in shots]
    # what the set-up shows of the beat, in one line: "Tracking shot following Anouk riding
    # through the empty market at dawn", said once; the other set-ups do not say it again
    telling = [s for s in coverage if "through the empty market" in s.description]
    assert len(telling) == 1, [s.description for s in coverage]
    for shot in coverage:
        assert "rain jacket" not in shot.description, shot.description


@pytest.mark.parametrize(
    "text",
    [
        "Sur le parvis, elle retrouve Léo, un batteur qui joue sur des seaux.",
        "Ines, who is late, hurries out.",
        "Tom waits, clutching a box.",
    ],
)
def test_a_look_with_an_event_or_at_the_end_stays(text: str) -> None:
    from storycore.tools.brief.looks import without_introductions

    assert without_introductions(text, ["Léo", "Ines", "Tom"]) == text


def test_a_listed_scene_that_names_no_place_goes_on_where_the_last_one_was() -> None:
    text = (
        "# Film\n\nA 15-second film.\n\n## Scenes\n"
        "- **Vineyard**: Paolo walks between the vines at dusk (5s)\n"
        "- **Closer**: Paolo tastes a grape and smiles (5s)\n"
        "- **Harbour**: the fishing boats come in (5s)\n"
    )
    shots = _shots(text)
    assert {s.scene: s.location for s in shots} == {
        "1": "loc_vineyard",
        "2": "loc_vineyard",
        "3": "loc_harbour",
    }
    assert all("of the scene" not in s.description for s in shots), [s.description for s in shots]


def test_a_title_does_not_repeat_the_name_its_text_opens_on() -> None:
    text = "# Film\n\nA 10-second film.\n\n## Story\nAt noon, Wren crosses the square. Wren sits.\n"
    titles = [s.title for s in _shots(text)]
    assert not any(t.startswith("Wren: Wren") for t in titles), titles


def test_a_framed_title_does_not_repeat_the_name_its_text_opens_on(tmp_path: Path) -> None:
    text = (
        "# Film\n\nA 40-second film.\n\n## Characters\n- **Ines**: a baker\n"
        "- **Kofi**: her son\n\n## Story\nIn the bakery, Ines kneads the dough. Kofi and Ines "
        "laugh by the oven. Ines runs along the pier.\n"
    )
    plan_project(text, tmp_path / "film", source_name="film.md")
    project = Project.open(tmp_path / "film")
    titles = [s.title for s in load_shots(project)]
    assert not any(re.search(r"\b(Ines|Kofi): \1\b", t) for t in titles), titles
    # A framed title keeps its framing ("Close-up: Ines kneads…"); two people stay two.
    assert any(re.match(r"[\w -]+: (Ines|Kofi)\b", t) for t in titles), titles
    assert not any(re.search(r"\band:", t) for t in titles), titles
    folders = [ref.folder for ref in project.manifest.shots]
    assert not any(re.search(r"_(Ines|Kofi)_\1_", f) for f in folders), folders


def test_a_pronoun_goes_to_the_person_of_its_gender_across_a_shot_of_two() -> None:
    text = (
        "# Film\n\nA 30-second film.\n\n## Characters\n- **Ayla**: a potter\n"
        "- **Bram**: a courier\n\n## Story\n"
        "Clay spins under Ayla's hands as she shapes a bowl. Bram parks his bike and knocks at "
        "her window.\nShe wraps the bowl and hands it over. He checks the address, nods and "
        "rides off.\nAcross town, a sleepy student opens her door and finds Bram with the "
        "parcel. She laughs.\n"
    )
    shots = _shots(text)
    assert all(s.characters == ["char_bram"] for s in _with(shots, "He checks the address"))
    laughs = _with(shots, "She laughs")
    assert all(s.characters == ["char_the_student"] for s in laughs), [
        (s.description, s.characters) for s in laughs
    ]
    assert {s.location for s in laughs} == {"loc_town"}


def test_a_pronoun_in_a_subordinate_clause_does_not_give_the_subject_its_gender() -> None:
    text = (
        "# Film\n\nUn film de 30 secondes.\n\n## Personnages\n- **Nina** : fleuriste\n"
        "- **Monsieur Paul** : client\n\n## Histoire\n"
        "Au matin, Nina ouvre la boutique. Monsieur Paul entre, ôte son chapeau. Nina lui "
        "prépare un bouquet sans qu'il ait besoin de parler.\n\n"
        "Plus tard, il revient avec une petite boîte. Nina la pose sur le comptoir.\n"
    )
    shots = _with(_shots(text), "il revient")
    assert all("char_monsieur_paul" in s.characters for s in shots), [
        (s.description, s.characters) for s in shots
    ]


# -- groups, carried things, people in capitals, genders ----------------------------------------


@pytest.mark.parametrize(
    ("story", "line"),
    [
        (
            "Zara tunes her guitar backstage. The dancers stretch as they wait for the music.",
            "The dancers stretch",
        ),
        (
            "Hugo range la salle. À l'aube, les musiciens accordent leurs violons.",
            "les musiciens accordent",
        ),
    ],
)
def test_a_plural_subject_is_who_its_pronoun_stands_for_not_the_cast(story: str, line: str) -> None:
    text = f"# Short\n\nA 20-second film.\n\n## Story\n{story}\n"
    for shot in _with(_shots(text), line):
        assert shot.characters == [], (shot.description, shot.characters)


def test_people_acting_before_the_story_opens_on_a_place_are_a_scene_of_their_own() -> None:
    text = (
        "# Short\n\nA 30-second film.\n\n## Story\n"
        "At noon, bees drift over the lavender. Priya cuts the stems on the terrace. "
        "Noor ties them in bundles.\nIn the garage, the old van will not start. "
        "Noor kicks a tyre.\n"
    )
    shots = _shots(text)
    cutting = _with(shots, "Priya cuts the stems")
    assert {s.location for s in cutting} == {"loc_terrace"}, [s.location for s in shots]
    # named once, opening a sentence on what only a person does: a character
    assert all("char_priya" in s.characters for s in cutting if s.framing is not Framing.INSERT)
    assert {s.location for s in _with(shots, "kicks a tyre")} == {"loc_garage"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Leo crosses the square with a red kite.", ["red kite"]),
        ("Leo climbs the stairs with an oil lamp and lights the great lamp.", None),
        ("The field is covered with snow.", []),
        ("Leo laughs with relief.", []),
        ("A man with a beard waits.", []),
        ("The crate lands with a dull thud.", []),
    ],
)
def test_a_thing_carried_with_someone_is_a_prop(line: str, expected: list[str] | None) -> None:
    from storycore.tools.fountain.handled import handled_props

    found = handled_props([line])
    if expected is None:  # two lamps told apart by their words
        assert {"oil lamp", "great lamp"} <= set(found), found
    else:
        assert found == expected


def test_a_french_thing_carried_avec_is_a_prop_named_with_its_matter() -> None:
    from storycore.tools.fountain.french_props import handled_props

    assert list(handled_props("Lina arrive avec sa valise en cuir.")) == ["valise en cuir"]
    assert list(handled_props("Lina répond avec un sourire.")) == []


def test_a_person_noun_in_capitals_after_an_article_reads_as_a_noun() -> None:
    screenplay = (
        "INT. WARD - NIGHT\n\nA NURSE in green scrubs checks the chart.\n\n"
        "DOCTOR\nHow is she?\n\nNURSE\nStable.\n\nThe DOCTOR nods.\n"
    )
    breakdown, _ = breakdown_screenplay(screenplay, TechnicalSpecs())
    text = " ".join(s.description for s in breakdown.shots)
    assert "A nurse in green scrubs" in text, text
    assert "A Nurse" not in text and "A NURSE" not in text


@pytest.mark.parametrize(
    ("action", "cue", "expected"),
    [
        ("An OLD VENDOR holds up a red chili.", "OLD VENDOR", "An old vendor holds up"),
        ("Behind the counter, a TIRED WAITRESS wipes a cup.", "TIRED WAITRESS", "a tired waitress"),
        ("Une VIEILLE DAME traverse la place.", "VIEILLE DAME", "Une vieille dame traverse"),
    ],
)
def test_a_person_named_by_a_described_noun_reads_as_that_noun(
    action: str, cue: str, expected: str
) -> None:
    screenplay = f"EXT. MARKET - NIGHT\n\n{action}\n\n{cue}\nHere.\n\nLIN\nThanks.\n"
    breakdown, _ = breakdown_screenplay(screenplay, TechnicalSpecs())
    text = " ".join(s.description for s in breakdown.shots)
    assert expected in text, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mist hangs over the pond. Dario rows out alone.", ["Dario"]),
        ("Silence falls. Music plays. Kitchen waits. Dario nods.", ["Dario"]),
        ("Inès sourit. La pluie tombe.", ["Inès"]),
        # after the phrase that sets the scene
        ("At the end of the pier, Oona waves. The gulls wheel.", ["Oona"]),
        ("Au fond de la cour, Maël balaie les feuilles.", ["Maël"]),
    ],
)
def test_a_name_opening_a_sentence_on_a_persons_verb_is_a_character(
    text: str, expected: list[str]
) -> None:
    from storycore.tools.breakdown.scenes import prose_characters

    assert prose_characters(text) == expected


def test_a_note_word_with_an_object_is_the_storys_verb() -> None:
    from storycore.tools.brief.names import is_production_note

    assert not is_production_note("Dario cuts the rope on the deck.")
    assert is_production_note("Fast cuts, handheld.")


def test_a_pronoun_after_an_object_pronoun_does_not_vote_for_the_subject() -> None:
    text = (
        "# Short\n\nA 30-second film.\n\n## Story\n"
        "Lena reads her book on a bench. Ravi sits down beside her. She closes the book.\n\n"
        "Later, Ravi waits alone at the station. Lena waves from the train. He smiles.\n"
    )
    shots = _with(_shots(text), "He smiles")
    assert all(s.characters == ["char_ravi"] for s in shots), [
        (s.description, s.characters) for s in shots
    ]


def test_a_heading_of_a_vehicle_part_takes_an_article() -> None:
    screenplay = "INT. SUBWAY CARRIAGE - NIGHT\n\nOMAR (40s) dozes against the window.\n"
    breakdown, _ = breakdown_screenplay(screenplay, TechnicalSpecs())
    assert any("the subway carriage" in s.description for s in breakdown.shots), [
        s.description for s in breakdown.shots
    ]


# -- props flagged in capitals ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("screenplay", "flagged", "plain"),
    [
        (
            "INT. WORKSHOP - NIGHT\n\nOTTO (60s, leather apron) sands a WOODEN VIOLIN under a "
            "lamp.\n\nHe lifts the WOODEN VIOLIN to the light and smiles.",
            "WOODEN VIOLIN",
            "wooden violin",
        ),
        (
            "INT. CUISINE - SOIR\n\nCLARA (30 ans) sort une VIEILLE BOÎTE du placard.\n\n"
            "Elle ouvre la VIEILLE BOÎTE. Des lettres tombent sur la table.",
            "VIEILLE BOÎTE",
            "vieille boîte",
        ),
    ],
)
def test_a_prop_flagged_in_capitals_reads_in_plain_case_in_shots_and_prompts(
    screenplay: str, flagged: str, plain: str
) -> None:
    breakdown, _ = breakdown_screenplay(screenplay, TechnicalSpecs())
    assert plain in [p.lower() for s in breakdown.scenes for p in s.props]
    texts = [t or "" for s in breakdown.shots for t in (s.description, s.action, s.image_prompt)]
    assert not [t for t in texts if flagged in t]
    assert [t for t in texts if plain in t]
    # the capitals still asked for the prop's insert
    assert [s for s in breakdown.shots if s.framing == Framing.INSERT]


# -- people introduced in capitals, places a comma or a time jump bounds ---------------------


def _brief(story: str, framing: str = "A 30-second film.") -> str:
    return f"# Film\n\n{framing}\n\n{story}\n"


def test_a_name_in_capitals_after_who_someone_is_is_a_character_said_in_plain_case() -> None:
    """ "A tall nurse, IDA, ..." names a person once, in capitals of three letters (which,
    alone, read as an initialism): she is cast, named "Ida", and described as a nurse."""
    story = (
        "OSKAR, a retired boxer with a flattened nose and a moth-eaten cardigan, waits in "
        "the clinic.\n\nA tall nurse, IDA, hands Oskar a paper cup. Oskar drinks slowly."
    )
    brief = understand(_brief(story), source_name="story.md")
    people = {c.name: c.description for c in brief.characters}
    assert set(people) == {"Oskar", "Ida"}, people
    assert people["Oskar"].startswith("a retired boxer with a flattened nose")
    assert people["Ida"] == "a tall nurse"
    shots = breakdown_brief(brief).shots
    handing = _with(shots, "paper cup")
    assert all({"char_oskar", "char_ida"} <= set(s.characters) for s in handing), [
        (s.description, s.characters) for s in handing
    ]
    said = " ".join(s.description for s in shots)
    assert "IDA" not in said and "OSKAR" not in said and "Ida" in said, said


def test_an_initialism_is_not_a_character() -> None:
    brief = understand(
        _brief("Rosa watches the TV in the kitchen. The TV flickers. Rosa sighs."),
        source_name="story.md",
    )
    assert [c.name for c in brief.characters] == ["Rosa"]


@pytest.mark.parametrize(
    ("story", "place"),
    [
        # a comma ends a place phrase: "au manteau vert, marche" is not a market
        ("LUCIE, une fillette au manteau vert, marche vers l'école. Lucie chante.", "école"),
        # "marché" is a market only with its accent
        ("Paul, un vieux pêcheur, marche sur la plage. Paul ramasse un coquillage.", "plage"),
        # a place noun before a person noun says who someone is: "a lighthouse keeper"
        ("An old lighthouse keeper walks along the harbour. He ties a rope.", "harbour"),
    ],
)
def test_a_place_phrase_stops_at_a_comma_and_a_place_noun_before_a_person_is_a_trade(
    story: str, place: str
) -> None:
    scenes = breakdown_brief(understand(_brief(story), source_name="story.md")).scenes
    assert [s.location for s in scenes] == [place], [s.heading for s in scenes]


@pytest.mark.parametrize(
    ("jump", "places"),
    [
        # the jump's first sentence shows a place: the scene is there
        ("At noon, the square is crowded. Hugo sells the last loaf.", ["bakery", "square"]),
        # it shows none: the scene stays where it was
        ("The next morning, Hugo yawns and counts the coins.", ["bakery", "bakery"]),
    ],
)
def test_a_time_jump_is_set_where_its_first_sentence_shows(jump: str, places: list[str]) -> None:
    story = f"In the bakery, Hugo kneads the dough and slides the loaves into the oven.\n\n{jump}"
    scenes = breakdown_brief(understand(_brief(story), source_name="story.md")).scenes
    assert [s.location for s in scenes] == places, [s.heading for s in scenes]


@pytest.mark.parametrize("note", ["Ton : conte, doux.", "Mood: melancholic.", "Style : aquarelle."])
def test_a_production_heading_with_a_colon_is_not_an_action(note: str) -> None:
    story = f"{note}\n\nNina waters the tomatoes in the garden. Nina smiles."
    shots = breakdown_brief(understand(_brief(story), source_name="story.md")).shots
    said = " ".join(s.description for s in shots)
    assert note.split(":")[0].strip() not in said, said


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("La petite fille marche lentement.", None),  # walks: no market
        ("Elle traverse le vieux marché.", "vieux marché"),
        ("He finds a piece of bread.", None),  # a piece, not a room
        ("Elle entre dans la pièce.", "pièce"),
    ],
)
def test_a_place_only_its_accents_tell_is_one_only_with_them(text: str, place: str | None) -> None:
    from storycore.tools.breakdown.places import setting_place

    found = setting_place(text)
    assert (found[0] if found else None) == place


def test_what_an_ad_sells_is_not_a_character_and_its_end_card_is_a_shot_of_its_own() -> None:
    """A brand written like a name with an inner capital ("LumoLite") is what the ad sells."""
    text = (
        "A 15-second ad for LumoLite desk lamps. Warm and calm.\n\n"
        "At night in a small studio, Ravi sketches under a LumoLite lamp. The light glows on "
        "the paper. Ravi smiles at his drawing. End card: “LumoLite. Light that lasts.”\n"
    )
    brief = understand(text, source_name="lumo.md")
    assert [c.name for c in brief.characters] == ["Ravi"]
    shots = breakdown_brief(brief).shots
    assert all(s.characters in ([], ["char_ravi"]) for s in shots), [
        (s.description, s.characters) for s in shots
    ]
    card = _with(shots, "End card")
    assert len(card) == 1 and card[0].description == "End card: “LumoLite. Light that lasts.”"
    assert card[0].framing is Framing.INSERT and "Ravi" not in card[0].description


def test_an_opening_that_only_names_the_place_and_time_is_not_said_twice() -> None:
    text = _brief("Dusk over the harbour. Ines coils a rope on the quay. Ines whistles.")
    first = breakdown_brief(understand(text, source_name="story.md")).shots[0]
    assert first.description.lower().count("harbour") == 1, first.description


def test_what_an_ad_sells_is_a_prop_the_story_shows_by_its_noun() -> None:
    text = (
        "A 12-second ad for FizzUp lemon soda.\n\n"
        "On a hot rooftop, Maya opens a bottle of soda. Close on the soda: bubbles rise.\n"
    )
    brief = understand(text, source_name="fizz.md")
    assert [p.name for p in brief.props] == ["FizzUp lemon soda"]
    shots = breakdown_brief(brief).shots
    close = _with(shots, "Close on the soda")
    assert all("prop_fizzup_lemon_soda" in s.props for s in close), [s.props for s in close]
    said = " ".join(s.description for s in shots)
    assert "fizzUp" not in said


def test_an_ad_for_a_brand_alone_or_a_place_declares_no_product() -> None:
    from storycore.tools.brief.names import advertised_product

    assert advertised_product("A 20-second ad for Nike. Fast cuts.") is None
    assert advertised_product("An ad for a neighbourhood bakery in Lyon.") is None
    assert advertised_product("Une pub pour les chaussures TrailMix, en 9:16.") == (
        "chaussures TrailMix"
    )
    assert advertised_product("A 30-second spot for a canned cold brew, made for phones.") == (
        "canned cold brew"
    )


def test_a_card_or_a_framed_shot_is_not_a_places_look() -> None:
    from storycore.tools.brief.looks import location_look

    look = location_look(
        "Fog over the pier. Close on the rusted bell. Title card: “Harbour Lights.”"
    )
    assert look == "Fog over the pier."


# -- a look that describes a thing or a place, capitals after a phrase, a second subject -----


@pytest.mark.parametrize(
    ("story", "name", "wanted", "unwanted"),
    [
        # what follows a thing someone handles describes the thing
        (
            "IRENE, a potter with clay to her elbows, hands Theo a jug with a chipped spout. "
            "Theo seals a box in brown paper and carries it out.",
            "Theo",
            "",
            ["spout", "paper"],
        ),
        # a place phrase with describing words says where, not how one looks
        (
            "At noon, in a tiny laundromat, Bruno, a mechanic in oily overalls, folds shirts.",
            "Bruno",
            "a mechanic in oily overalls",
            ["laundromat"],
        ),
        # what someone wears stays theirs after a thing or a place
        (
            "Bruno waits by the dryer in a yellow raincoat.",
            "Bruno",
            "in a yellow raincoat",
            [],
        ),
        # English "a" is no French "has"
        (
            "Noor throws Karim a towel with blue stripes. Karim laughs.",
            "Karim",
            "",
            ["stripes"],
        ),
    ],
)
def test_a_look_after_a_thing_or_a_place_is_not_a_persons(
    story: str, name: str, wanted: str, unwanted: list[str]
) -> None:
    look = find_look(name, story, avoid=["Irene", "Theo", "Bruno", "Noor", "Karim"])
    assert wanted in look, look
    assert not [word for word in unwanted if word in look], look
    assert not look.endswith((" and", " et")), look


def test_capitals_after_a_preposition_are_words_not_a_prop() -> None:
    """ "the card on the easel to SOLD": the capitals are what the card says, not a prop
    (the card is one, and "a CHISEL" after its determiner still is)."""
    story = (
        "Inside a small gallery, Marguerite turns the card on the easel to SOLD. "
        "She lifts a CHISEL from the bench."
    )
    breakdown = breakdown_brief(understand(_brief(story), source_name="story.md"))
    props = [p.lower() for scene in breakdown.scenes for p in scene.props]
    assert "sold" not in props and "chisel" in props, props
    inserts = [s.description for s in breakdown.shots if s.framing == Framing.INSERT]
    assert inserts and not [d for d in inserts if "sold" in d.lower()], inserts
    # named once after the phrase that sets the scene, she is cast
    lifting = _with(breakdown.shots, "chisel from the bench")
    assert any("char_marguerite" in s.characters for s in lifting)


def test_a_clause_with_its_own_subject_is_not_made_a_participle() -> None:
    """ "Close-up of Ada lifting the lid, and steam rises": the second clause keeps its
    subject and verb after a comma, never "lifting the lid and steam rises"."""
    from storycore.tools.breakdown.shot_lines import coverage_line

    for sentence, expected in [
        ("Ada lifts the lid and it rattles.", "Close-up of Ada lifting the lid, and it rattles."),
        (
            "Ada lifts the lid and the steam rises.",
            "Close-up of Ada lifting the lid, and the steam rises.",
        ),
        ("Ada lifts the lid and smiles.", "Close-up of Ada lifting the lid and smiling."),
    ]:
        assert coverage_line("Close-up of Ada", ["Ada"], sentence, ["Ada"], "en") == expected


def test_a_french_ad_with_its_length_names_its_product_noun_first() -> None:
    """ "Une publicité de 15 secondes pour le thé Brume": the product is "thé Brume", a prop
    the story shows as "le thé", and it never takes the look of the person who pours it."""
    from storycore.tools.brief.names import advertised_product
    from storycore.tools.planner.elements import planned_elements

    assert advertised_product("Une publicité de 15 secondes pour le thé Brume.") == "thé Brume"
    assert advertised_product("An ad for the Brume café in Lyon.") is None  # a place
    text = (
        "# Brume\n\nUne publicité de 15 secondes pour le thé Brume, format 1:1.\n\n"
        "Un salon sous la pluie. Un homme en gilet de laine verse le thé dans un bol.\n"
    )
    brief = understand(text, source_name="brume.md")
    breakdown = breakdown_brief(brief)
    assert "thé Brume" in [p for s in breakdown.scenes for p in s.props]
    looks = {e.name: e.description for e in planned_elements(brief, breakdown.scenes)}
    assert "gilet" not in looks["thé Brume"], looks
    # a person named by a bare noun has the look phrases after it
    person = next(name for name in looks if "homme" in name.lower())
    assert looks[person] == "un homme en gilet de laine", looks


def test_a_handled_thing_ends_before_an_adverb_of_times() -> None:
    from storycore.tools.fountain.handled import handled_props

    assert handled_props(["Ravi taps the table twice, then grabs the cup once."]) == [
        "table",
        "cup",
    ]


def test_a_pronoun_after_a_framed_shot_of_nobody_is_a_shot_of_its_own() -> None:
    """ "Close on the kettle. She pours." : she is not in the kettle's close-up; her
    sentence is a beat of its own (a framed shot of someone keeps what follows)."""
    story = (
        "Priya waits in the kitchen.\n\nClose on the kettle as it boils. She pours the water "
        "slowly.\n\nClose on Priya's hands. She ties a ribbon."
    )
    shots = breakdown_brief(
        understand(_brief(story, "A 20-second film."), source_name="s.md")
    ).shots
    kettle = _with(shots, "kettle")
    assert not [s for s in kettle if "pours" in s.description], [s.description for s in kettle]
    pouring = _with(shots, "pour")
    assert all("char_priya" in s.characters for s in pouring)
    assert [s for s in _with(shots, "hands") if "ribbon" in s.description]


@pytest.mark.parametrize(
    ("story", "language", "hands", "face"),
    [
        (
            "Tomasz, a cobbler with a grey moustache, stitches a leather sole at his bench."
            "\n\nTomasz smiles at the window.",
            "en",
            "Close-up of Tomasz's hands stitching a leather sole",
            "smiles",
        ),
        (
            "Odile, une fleuriste aux cheveux blancs, noue un ruban autour du bouquet.\n\n"
            "Odile sourit à la fenêtre.",
            "fr",
            "Gros plan sur les mains d'Odile qui noue un ruban",
            "sourit",
        ),
    ],
)
def test_the_close_up_covering_work_of_the_hands_frames_the_hands(
    story: str, language: str, hands: str, face: str
) -> None:
    """Coverage of a beat that is work of the hands ("stitches a leather sole") does not
    show the same action again in a close-up of the face: the close-up frames the hands. A
    beat that is no such work (a smile) keeps the close-up of the person."""
    framing = "A 30-second film." if language == "en" else "Un film de 30 secondes."
    shots = breakdown_brief(understand(_brief(story, framing), source_name="s.md")).shots
    said = [s.description for s in shots]
    assert [d for d in said if d.startswith(hands)], said
    assert not [d for d in said if ("hands" in d or "mains" in d) and face in d], said


@pytest.mark.parametrize(
    ("phrase", "name", "sentence", "language", "expected"),
    [
        (
            "Gros plan de la vieille dame",
            "La vieille dame",
            "Une vieille dame nourrit les pigeons.",
            "fr",
            "Gros plan de la vieille dame qui nourrit les pigeons.",
        ),
        (
            "Close-up of the fisherman",
            "The Fisherman",
            "A tired fisherman mends his net.",
            "en",
            "Close-up of the fisherman mending his net.",
        ),
        # a look right after the noun: told as written, not "qui en manteau rouge..."
        (
            "Plan taille de la dame",
            "La dame",
            "Une dame en manteau rouge nourrit les pigeons.",
            "fr",
            None,
        ),
    ],
)
def test_a_person_named_by_a_noun_is_the_subject_of_their_sentence(
    phrase: str, name: str, sentence: str, language: str, expected: str | None
) -> None:
    """ "Une vieille dame nourrit les pigeons" is what "La vieille dame" does: the line says
    "qui nourrit", never "pendant qu'une vieille dame nourrit" after a close-up of her."""
    from storycore.tools.breakdown.shot_lines import action_line

    assert action_line(phrase, [name], sentence, [name], language) == expected


def test_a_french_object_pronoun_before_its_verb_is_no_prop() -> None:
    """ "Inès sourit et la serre contre elle": "la serre" is "holds it", not a prop "serre"
    (a greenhouse); the thing handled before it still is one."""
    from storycore.tools.fountain.french_props import handled_props

    said = "Inès prend une lettre. Elle sourit et la serre contre elle."
    assert list(handled_props(said)) == ["lettre"]


@pytest.mark.parametrize(
    ("phrase", "sentence", "expected"),
    [
        # a set-up that does not end on the person takes a comma before the participle
        (
            "Performance shot of Ines, slow orbit",
            "Ines plays the cello on the pier.",
            "Performance shot of Ines, slow orbit, playing the cello on the pier.",
        ),
        # "A cellist, Ines, plays": the apposition's comma is not the verb's
        (
            "Medium shot of Ines",
            "A cellist, Ines, plays the cello on the pier.",
            "Medium shot of Ines playing the cello on the pier.",
        ),
    ],
)
def test_a_line_after_a_set_up_or_an_apposition_reads_as_english(
    phrase: str, sentence: str, expected: str
) -> None:
    from storycore.tools.breakdown.shot_lines import coverage_line

    assert coverage_line(phrase, ["Ines"], sentence, ["Ines"], "en") == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("The kettle on the stove boils and whistles.", "Close-up of the kettle on the stove"),
        ("The oven timer rings.", "Close-up of the oven timer ringing."),
    ],
)
def test_a_thing_that_acts_with_nobody_named_is_a_close_up_of_it(line: str, expected: str) -> None:
    """ "The kettle boils." shows the kettle, not a wide shot of the kitchen; weather, the
    sea, a crowd or a sound ("Rain lashes the window", "The crowd cheers") keep the wide
    shot."""
    story = f"Vera reads in the kitchen.\n\n{line}\n\nRain lashes the window. The crowd cheers."
    shots = breakdown_brief(
        understand(_brief(story, "A 12-second film."), source_name="s.md")
    ).shots
    thing = [s for s in shots if s.action and fold(line.split()[-2]) in fold(s.action)]
    assert thing and thing[0].shot_size == ShotSize.CU, [
        (s.shot_size, s.description) for s in shots
    ]
    assert thing[0].description.startswith(expected), thing[0].description
    weather = [s for s in shots if "Rain lashes" in s.action]
    assert weather and weather[0].shot_size in (ShotSize.WS, ShotSize.EWS, ShotSize.FS)
