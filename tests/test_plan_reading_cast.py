"""Who a shot shows and how its line names them, on stories no example holds: a subject
pronoun before anyone is named is someone other than the person its verb meets, and who a
person is (an apposition) is said where they are introduced, not again in a shot's line."""

from __future__ import annotations

import pytest

from storycore.tools.breakdown import breakdown_brief
from storycore.tools.breakdown.shot_lines import action_line, coverage_line
from storycore.tools.domain import Framing
from storycore.tools.planner.intake import understand


def _shots(text: str, name: str = "story.md") -> list:
    return breakdown_brief(understand(text, source_name=name)).shots


def _with(shots: list, words: str) -> list:
    found = [s for s in shots if words in s.action or words in s.description]
    assert found, [s.description for s in shots]
    return found


def _assert_beat_shows(text: str, line: str, expected: set[str]) -> None:
    """The first shot (not an insert) of the beat holding ``line`` shows ``expected``."""
    shots = [s for s in _with(_shots(text), line) if s.framing is not Framing.INSERT]
    assert set(shots[0].characters) >= expected, (shots[0].description, shots[0].characters)


# -- a pronoun before the first name ----------------------------------------------------------


@pytest.mark.parametrize(
    ("story", "line", "expected"),
    [
        # a listed scene that opens on "she": the woman of the scene before, not the man met
        (
            "## Scenes\n\n1. **Dock** (5s): Greta, a welder in a leather apron, unloads crates.\n"
            "2. **Gate** (5s): She hugs Tobias by the gate. Tobias lifts his cap.\n",
            "She hugs Tobias",
            {"char_greta", "char_tobias"},
        ),
        (
            "## Scènes\n\n1. **Quai** (5s) : Margaux, une pêcheuse au bonnet rouge, trie les "
            "filets.\n2. **Phare** (5s) : Elle rejoint Anselme devant le phare. Anselme lui "
            "sourit.\n",
            "Elle rejoint Anselme",
            {"char_margaux", "char_anselme"},
        ),
        # prose, in the first scene: the woman the scene names later, not the man she meets
        (
            "Sur le marché, elle cherche Baptiste depuis le matin. Solène, une fleuriste au "
            "tablier vert, pose ses seaux. Baptiste, un vieux livreur, arrive enfin.\n",
            "elle cherche Baptiste",
            {"char_solene", "char_baptiste"},
        ),
    ],
)
def test_a_pronoun_before_the_first_name_is_someone_else(
    story: str, line: str, expected: set[str]
) -> None:
    text = f"# Short\n\nA 20-second film.\n\n{story}"
    shots = [s for s in _with(_shots(text), line) if s.framing is not Framing.INSERT]
    # the shot of the beat shows both; a coverage single may frame the one who acts
    assert set(shots[0].characters) >= expected, (shots[0].description, shots[0].characters)
    met = next(iter(expected - {shots[0].characters[0]}))
    for shot in shots:
        assert shot.characters[0] != met or len(shot.characters) > 1, shot.description


def test_the_pronouns_person_is_framed_first_when_they_act() -> None:
    text = (
        "# Short\n\nA 20-second film.\n\n## Scenes\n\n"
        "1. **Shop** (5s): Ruben, a baker with flour on his cheeks, closes the shop.\n"
        "2. **Street** (5s): He bumps into the girl at the corner. She drops her bag.\n"
    )
    (shot,) = _with(_shots(text), "He bumps into")
    assert shot.characters[0] == "char_ruben", shot.description


def test_a_name_before_the_pronoun_keeps_the_cast_of_its_scene() -> None:
    text = (
        "# Short\n\nA 20-second film.\n\n## Scenes\n\n"
        "1. **Roof** (5s): Ilse, a painter in a blue smock, feeds the pigeons.\n"
        "2. **Stairs** (5s): Konrad climbs the stairs. He stops at the top.\n"
    )
    for shot in _with(_shots(text), "Konrad climbs"):
        assert "char_ilse" not in shot.characters, shot.description


# -- appositions are not said again -------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "focus", "text", "language", "expected"),
    [
        (
            "Medium shot of Odile",
            ["Odile"],
            "Odile, her landlady, knocks twice on the door.",
            "en",
            "Medium shot of Odile knocking twice on the door.",
        ),
        (
            "Plan taille de Gaspard",
            ["Gaspard"],
            "Gaspard, un contrôleur aux gants blancs, vérifie les billets.",
            "fr",
            "Plan taille de Gaspard qui vérifie les billets.",
        ),
        (
            "Gros plan d'Yvette",
            ["Yvette"],
            "Yvette salue Armel, son cousin de Brest, sur le quai.",
            "fr",
            "Gros plan d'Yvette qui salue Armel sur le quai.",
        ),
        (
            "Close-up of Wendell",
            ["Wendell"],
            "Wendell greets Maud, an old classmate.",
            "en",
            "Close-up of Wendell greeting Maud.",
        ),
    ],
)
def test_a_shot_line_does_not_repeat_an_apposition(
    phrase: str, focus: list[str], text: str, language: str, expected: str
) -> None:
    people = ["Odile", "Gaspard", "Yvette", "Armel", "Wendell", "Maud"]
    assert action_line(phrase, focus, text, people, language) == expected
    assert coverage_line(phrase, focus, text, people, language) == expected


def test_coverage_of_someone_elses_action_drops_the_apposition_too() -> None:
    line = coverage_line(
        "Close-up of Maud",
        ["Maud"],
        "Wendell, her old classmate, hands Maud a letter.",
        ["Wendell", "Maud"],
        "en",
    )
    assert line == "Close-up of Maud, as Wendell hands Maud a letter."


def test_a_planned_shot_says_who_someone_is_once() -> None:
    text = (
        "# Short\n\nUn film de 20 secondes.\n\n"
        "Dans la gare, Clémence, une contrôleuse aux cheveux gris, vérifie les billets. "
        "Elle siffle le départ.\n"
    )
    shots = _shots(text)
    told = [s.description for s in shots if "aux cheveux gris" in s.description]
    assert len(told) <= 1, told
    assert not any(" qui ," in s.description for s in shots), [s.description for s in shots]


# -- a look belongs to who it follows -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "prop", "person", "look"),
    [
        (
            "Rosalind, a chemist with cropped white hair, uncorks a flask.",
            "flask",
            "Rosalind",
            "cropped white hair",
        ),
        (
            "Éloi, un vigneron à la barbe rousse, remplit sa hotte.",
            "hotte",
            "Éloi",
            "barbe rousse",
        ),
    ],
)
def test_a_persons_look_is_not_the_look_of_the_prop_they_handle(
    text: str, prop: str, person: str, look: str
) -> None:
    from storycore.tools.brief.looks import find_look

    assert look not in find_look(prop, text, avoid=[person])
    assert look in find_look(person, text, avoid=[prop])


def test_a_prop_keeps_the_look_that_follows_it() -> None:
    from storycore.tools.brief.looks import find_look

    text = "Rosalind, a chemist with cropped hair, lifts a flask with a cracked neck."
    assert "cracked neck" in find_look("flask", text, avoid=["Rosalind"])


@pytest.mark.parametrize(
    ("scenes", "line", "expected"),
    [
        (
            "1. **Field** (5s): In the field, the girl flies a kite. The old farmer watches.\n"
            "2. **Fence** (5s): The girl hands him the string. He laughs.\n",
            "hands him the string",
            {"char_the_girl", "char_the_farmer"},
        ),
        (
            "1. **Cour** (5s) : Dans la cour, Basile répare un vélo. Capucine rit, Capucine "
            "applaudit.\n"
            "2. **Atelier** (5s) : Basile lui tend une clé. Il sourit.\n",
            "lui tend une clé",
            {"char_basile", "char_capucine"},
        ),
    ],
)
def test_an_object_pronoun_opening_a_scene_is_someone_of_the_scene_before(
    scenes: str, line: str, expected: set[str]
) -> None:
    text = f"# Short\n\nA 10-second film.\n\n## Scenes\n\n{scenes}"
    _assert_beat_shows(text, line, expected)


# -- people spoken of together ------------------------------------------------------------


@pytest.mark.parametrize(
    ("story", "line", "expected"),
    [
        (
            "At the harbour, Oskar, a fisherman in a yellow smock, mends a net. Oskar waves "
            "to Freya. Freya, a tall girl, jumps onto the quay.\n\n"
            "In the tavern, the two friends share a pie. Freya laughs.\n",
            "the two friends share",
            {"char_oskar", "char_freya"},
        ),
        (
            "Au marché, Lucien, un vieux libraire, range ses livres. Lucien appelle Manon. "
            "Manon, une voisine, arrive.\n\n"
            "Dans le café, les deux complices comptent la recette. Manon sourit.\n",
            "les deux complices comptent",
            {"char_lucien", "char_manon"},
        ),
    ],
)
def test_the_two_friends_are_the_people_of_the_story(
    story: str, line: str, expected: set[str]
) -> None:
    text = f"# Short\n\nA 20-second film.\n\n{story}"
    _assert_beat_shows(text, line, expected)


def test_a_french_plural_verb_is_not_said_of_one_person() -> None:
    line = coverage_line(
        "Gros plan de Lise", ["Lise"], "Elles partagent une glace.", ["Lise", "Maud"], "fr"
    )
    assert line is not None and "Lise qui partagent" not in line, line
    both = coverage_line(
        "Plan à deux de Lise et de Maud",
        ["Lise", "Maud"],
        "Elles partagent une glace.",
        ["Lise", "Maud"],
        "fr",
    )
    assert both == "Plan à deux de Lise et de Maud qui partagent une glace."


# -- a name said once, with who they are ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "pronoun_line"),
    [
        (
            "In the workshop, Hamid sands a chair. Hamid whistles. Zofia, his landlady, "
            "comes in with a letter. She frowns at the dust.",
            "Zofia",
            "She frowns",
        ),
        (
            "Au garage, Félix démonte un moteur. Félix siffle. Agathe, sa cliente, entre "
            "sans frapper. Elle regarde l'horloge.",
            "Agathe",
            "Elle regarde",
        ),
    ],
)
def test_a_person_named_once_with_an_apposition_is_a_character_of_her_own_gender(
    text: str, name: str, pronoun_line: str
) -> None:
    from storycore.tools.breakdown.scenes import prose_characters

    assert name in prose_characters(text)
    shots = _shots(f"# Short\n\nA 20-second film.\n\n{text}\n")
    wanted = f"char_{name.lower()}"
    for shot in _with(shots, pronoun_line):
        assert wanted in shot.characters, (shot.description, shot.characters)


@pytest.mark.parametrize(
    "text",
    [
        "In the café, Ulla grinds the beans. Coffee pours out. Ulla smiles.",
        "Au café, Ulla moud les grains. Thé verse doucement. Ulla sourit.",
    ],
)
def test_a_thing_that_pours_opening_a_sentence_is_no_character(text: str) -> None:
    from storycore.tools.breakdown.scenes import prose_characters

    assert prose_characters(text) == ["Ulla"]


# -- a time jump after a scene with no known place ------------------------------------------


@pytest.mark.parametrize(
    "story",
    [
        "Au petit matin, près des ruches, Odon enfile ses gants. Odon sourit.\n\n"
        "Plus tard, dans la cuisine, il verse le miel dans des pots.\n",
        "At first light, among the hives, Odon pulls on his gloves. Odon smiles.\n\n"
        "Hours later, in the kitchen, he pours the honey into jars.\n",
    ],
)
def test_a_time_jump_starts_a_scene_after_one_whose_place_is_not_known(story: str) -> None:
    from storycore.tools.breakdown.scenes import scenes_from_prose

    scenes = scenes_from_prose(story)
    assert len(scenes) == 2, [s.heading for s in scenes]
    assert (scenes[1].location or "").lower() in ("cuisine", "kitchen"), scenes[1].heading


@pytest.mark.parametrize(
    "framing",
    [
        "A short documentary about the last lock keeper on the canal.",
        "Un court documentaire sur la dernière éclusière du canal.",
        "A comedy sketch about a lost parcel.",
        "A quiet portrait of a beekeeper at dawn, with a soft voice-over.",
        "Un conte d'hiver sur un renard perdu.",
    ],
)
def test_a_sentence_that_says_what_the_film_is_is_no_scene(framing: str) -> None:
    from storycore.tools.brief.names import is_production_note

    assert is_production_note(framing)
    assert not is_production_note("A portrait of Ana hangs on the wall.")
    assert not is_production_note("The tale of the fox begins at the river.")


@pytest.mark.parametrize(
    ("story", "line", "expected"),
    [
        (
            "At noon, in the square, Anders, an old clockmaker, winds the tower clock. "
            "Anders hums.\n\nLater, on the bridge, the girl drops her hat. He picks it up.\n",
            "He picks it up",
            "char_anders",
        ),
        (
            "À midi, sur la place, Pia, une vieille horlogère, remonte l'horloge. Pia "
            "chantonne.\n\nPlus tard, sur le pont, le garçon perd son chapeau. Elle le "
            "ramasse.\n",
            "Elle le ramasse",
            "char_pia",
        ),
    ],
)
def test_a_pronoun_no_one_named_in_the_scene_can_be_is_the_person_before(
    story: str, line: str, expected: str
) -> None:
    shots = _shots(f"# Short\n\nA 20-second film.\n\n{story}")
    for shot in _with(shots, line):
        assert expected in shot.characters, (shot.description, shot.characters)


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("Au petit matin, dans le fournil, Jeanne pétrit la pâte.", "fournil"),
        ("Au lever du jour, dans le rucher, Armand allume l'enfumoir.", "rucher"),
        ("At dawn, in the apiary, Ruth lifts a frame.", "apiary"),
    ],
)
def test_a_trades_place_is_a_place(sentence: str, place: str) -> None:
    from storycore.tools.breakdown.places import find_places

    assert [found for found, _ in find_places(sentence)][:1] == [place]


@pytest.mark.parametrize(
    ("story", "line", "expected"),
    [
        # the scene opens on the weather, then the one named hands something to "her"
        (
            "## Characters\n\n- **Odile**: a ferry captain in a navy coat\n- **Ravi**: a "
            "young deckhand\n\n## Scenes\n\n1. **Pier** (5s): Odile ties the rope.\n"
            "2. **Dawn** (5s): Later, the fog lifts. Ravi passes her a thermos and they watch "
            "the gulls.\n",
            "Ravi passes her",
            {"char_odile", "char_ravi"},
        ),
        (
            "## Personnages\n\n- **Maëlle** : une forgeronne au tablier de cuir\n- **Hugo** : "
            "son apprenti\n\n## Scènes\n\n1. **Forge** (5s) : Maëlle bat le fer.\n"
            "2. **Cour** (5s) : Plus tard, la pluie cesse. Hugo lui tend une cruche d'eau.\n",
            "Hugo lui tend",
            {"char_maelle", "char_hugo"},
        ),
    ],
)
def test_the_one_named_giving_to_someone_is_with_the_person_of_the_scene_before(
    story: str, line: str, expected: set[str]
) -> None:
    """A scene that opens on the weather, then names one person giving something to "her",
    "lui": the person of the scene before is there too."""
    text = f"# Short\n\nA 20-second film.\n\n{story}"
    _assert_beat_shows(text, line, expected)
