"""Props a person handles in lower case ("opens a black umbrella", "checks his watch") are
registered and shown, with one insert in the film; the body, the set and abstract objects are
never props."""

from __future__ import annotations

import pytest

from storycore.tools.breakdown import breakdown_brief, breakdown_screenplay
from storycore.tools.domain import ElementType, Framing, TechnicalSpecs
from storycore.tools.fountain import find_props
from storycore.tools.fountain.handled import handled_props
from storycore.tools.planner.elements import planned_elements
from storycore.tools.planner.intake import understand


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The old man opens a black umbrella and holds it over the board.", ["black umbrella"]),
        ("Leo holds the rope and checks his watch.", ["rope", "watch"]),
        ("She picks up a smooth stone and throws it into the lake.", ["smooth stone"]),
        ("The sailor hands her a cup of tea.", ["cup"]),
        ("Tomas polishes his hammer.", ["hammer"]),
        ("Nina grabbed the map; Sam was holding a torch.", ["map", "torch"]),
    ],
)
def test_the_thing_a_person_handles_is_a_prop(text: str, expected: list[str]) -> None:
    assert handled_props([text]) == expected


@pytest.mark.parametrize(
    "text",
    [
        "She shakes her head and opens the door.",
        "He takes a deep breath, then a step forward.",
        "Dr. Marsh raises an eyebrow.",
        "The lights of the harbour fade behind him.",
        "The can drops with a heavy clunk.",
        "Mia hugs her mother and takes her hand.",
        "He opens the window and checks the time.",
        # what someone wears is their look, in the registry
        "Kofi, a cyclist in his thirties with a red bandana, climbs the hill.",
        "Kofi, a tall cyclist with round sunglasses, climbs the hill.",
    ],
)
def test_the_body_the_set_people_and_nouns_that_look_like_verbs_are_not(text: str) -> None:
    assert handled_props([text]) == []


def test_a_bare_noun_is_named_by_how_the_story_first_describes_it() -> None:
    texts = ["He packs the pieces into a wooden box.", "He hands the box to the boy."]
    assert handled_props(texts) == ["wooden box"]


def test_one_thing_handled_twice_is_one_prop() -> None:
    texts = ["A glass case holds a jeweled dagger.", "Nina lifts the dagger."]
    assert handled_props(texts) == ["jeweled dagger"]


def test_a_flagged_prop_is_not_found_again_by_its_handling() -> None:
    texts = ["Marc unpacks a FILM CAMERA.", "He slides the camera across the table."]
    assert find_props(texts) == ["film camera"]


def test_a_handled_prop_is_an_element_linked_to_the_shots_that_show_it() -> None:
    text = (
        "# The Chess Players\n\nA 40-second short film.\n\n"
        "In a sunlit park, Ada sits at a stone table. Omar opens a black umbrella over "
        "her.\n\nAt dusk, Omar closes the umbrella and walks home in the rain."
    )
    brief = understand(text, source_name="chess.md")
    result = breakdown_brief(brief)
    props = [p for scene in result.scenes for p in scene.props]
    assert "black umbrella" in props
    shown = [s.action for s in result.shots if "prop_black_umbrella" in s.props]
    # named in full first, then by its noun alone ("closes the umbrella")
    assert any("opens a black umbrella" in d for d in shown), shown
    assert any("closes the umbrella" in d for d in shown), shown
    elements = {e.name: e.type for e in planned_elements(brief, result.scenes)}
    assert elements["black umbrella"] is ElementType.PROP


def test_a_handled_prop_gets_no_insert_of_its_own_a_flagged_or_declared_one_does() -> None:
    screenplay = (
        "INT. GALLERY - NIGHT\n\nNina drops from the skylight on a rope. She checks a RED "
        "PHONE.\n\nEXT. ROOF - CONTINUOUS\n\nLeo holds the rope and looks at the red phone "
        "in his hand. He lights a lantern.\n\nINT. GALLERY - CONTINUOUS\n\nNina climbs the "
        "rope fast.\n"
    )
    shots = breakdown_screenplay(screenplay, TechnicalSpecs(), known_props=["lantern"])[0].shots
    inserts = [(s.scene, s.props) for s in shots if s.framing is Framing.INSERT]
    assert ("1", ["prop_red_phone"]) in inserts and ("2", ["prop_red_phone"]) in inserts
    assert ("2", ["prop_lantern"]) in inserts, inserts
    assert not any(props == ["prop_rope"] for _, props in inserts), inserts
    # the rope is still on every shot that shows it, in every scene
    assert {s.scene for s in shots if "prop_rope" in s.props} == {"1", "2", "3"}


@pytest.mark.parametrize(
    ("text", "prop", "shown"),
    [
        (
            "## Accessoires\n\n- Lanterne : une lanterne de cuivre cabossée\n\n## Scènes\n\n"
            "1. **Grenier** (5s) : Dans le grenier, Aurèle allume la lanterne et la lève.\n",
            "Lanterne",
            "la lanterne",
        ),
        (
            "## Props\n\n- Skateboard: a scuffed red skateboard\n\n## Scenes\n\n"
            "1. **Ramp** (5s): At the skatepark, Jun grabs the skateboard and runs.\n",
            "Skateboard",
            "the skateboard",
        ),
    ],
)
def test_a_declared_prop_handled_in_lower_case_is_one_prop_named_as_the_story_writes_it(
    text: str, prop: str, shown: str
) -> None:
    shots = breakdown_brief(understand(f"# Short\n\nA 10-second film.\n\n{text}")).shots
    props = {p for s in shots for p in s.props}
    assert props == {f"prop_{prop.lower()}"}, props
    inserts = [s.description for s in shots if s.framing is Framing.INSERT]
    assert inserts, [s.description for s in shots]
    assert all(shown in d and prop not in d for d in inserts), inserts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The girl wheels her scooter onto the ferry.", ["scooter"]),
        ("Kenji kicks a tin can against the fence.", ["tin can"]),
        ("Abuela brought him a flask of soup.", ["flask"]),
        ("He pushes a wheelbarrow past the barn.", ["wheelbarrow"]),
    ],
)
def test_a_thing_pushed_kicked_or_brought_is_a_prop(text: str, expected: list[str]) -> None:
    assert handled_props([text]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Margot pousse sa brouette jusqu'à la grange.", ["brouette"]),
        ("Il enfourche sa moto.", ["moto"]),
        # the lid of a hive is the lid: a complement opening on an article is not its name
        ("Elle saisit le manche d'une pelle.", ["manche"]),
        # a bite, a piece: no prop
        ("Il prend une cuillère et goûte un morceau.", ["cuillère"]),
        # where a thing is taken from is no part of its name
        ("Noé sort un gâteau du congélateur.", ["gâteau"]),
        ("Elle tire un briquet de sa poche.", ["briquet"]),
    ],
)
def test_french_things_pushed_or_ridden_are_props_a_piece_is_not(
    text: str, expected: list[str]
) -> None:
    from storycore.tools.fountain.french_props import handled_props as french_handled_props

    assert list(french_handled_props(text)) == expected
