"""Phase 4 of the planner: the characters, locations and props the plan shows, each with the
canonical description the rules found, registered and linked to their shots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from storycore.tools.brief.looks import find_look, location_look
from storycore.tools.card_encoding import LaterCards, card_batch
from storycore.tools.domain import (
    AssetMetadata,
    CreativeBrief,
    ElementType,
    Phase,
    Scene,
    ShotSpec,
)
from storycore.tools.fountain import mentions
from storycore.tools.fountain.people import introduction, person_key, person_noun
from storycore.tools.naming import element_id
from storycore.tools.planner.intake import read_brief, read_scenes
from storycore.tools.project import (
    Project,
)
from storycore.tools.registry import AssetRegistry
from storycore.tools.structure import (
    load_shots,
)
from storycore.tools.text import fold_words, place_name, split_sentences

# -- phase 4: elements ------------------------------------------------------------------------


def describe_from_text(name: str, text: str, *, avoid: Iterable[str] = (), limit: int = 240) -> str:
    """How the writer described ``name``'s appearance: its introduction's clauses and the
    look phrases of the sentences that name it (:func:`~storycore.tools.brief.looks.find_look`),
    never a sentence of action; "" when the text says nothing of how it looks. Phrases that
    name one of ``avoid`` (the characters, for a prop) are left out: a prop must not carry a
    character's look into every prompt that shows it."""
    return find_look(name, text, avoid=avoid)[:limit].rstrip()


def describe_person(name: str, text: str, *, avoid: Iterable[str] = ()) -> str:
    """A character's look (:func:`describe_from_text`); for a person the story names by a
    noun ("The Keeper": :func:`~storycore.tools.fountain.people.person_key`), the noun
    phrase that first describes them ("an old keeper") and the look phrases of the sentences
    with the noun, read in the story's action only (``text``'s first part, before a blank
    line: never a title that says "The Keeper")."""
    key = person_key(name)
    if key is None:
        return describe_from_text(name, text, avoid=avoid)
    story = text.split("\n\n", 1)[0]
    phrase = introduction(name, story)
    if phrase is None:
        # the bare noun ("une femme en pyjama rayé verse..."): only the look phrases after it
        look = describe_from_text(person_noun(name) or name, story, avoid=avoid)
        return look[:1].lower() + look[1:]
    # the noun as written, with the word that tells two people of it apart ("old man")
    noun = " ".join(phrase.split()[-len(key.split()) :])
    look = describe_from_text(noun, story, avoid=avoid)
    rest: list[str] = []
    for clause in look.split(", "):
        if not clause or fold_words(clause) in fold_words(phrase):
            continue
        if fold_words(clause).startswith(fold_words(phrase)):
            phrase = clause[:1].lower() + clause[1:]  # "a young woman in a red coat"
            continue
        rest.append(clause)
    return ", ".join([phrase, *rest])[:240].rstrip(" ,")


def _element_place_name(location: str, characters: Iterable[str] = ()) -> str:
    """A scene's place as the registry names it: :func:`place_name` (a heading's capitals in
    title case, a character's name in its own spelling: "GABY'S KITCHEN" with "GaBy" gives
    "GaBy's Kitchen"), with a capital ("kitchen" -> "Kitchen")."""
    name = place_name(location, characters)
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class PlannedElement:
    """An element the plan shows, with the canonical description the rules found."""

    type: ElementType
    name: str
    element_id: str
    description: str
    described: bool  # False: nobody described it; the description is a placeholder


def planned_elements(brief: CreativeBrief, scenes: Sequence[Scene]) -> list[PlannedElement]:
    """Every character, location and prop of the brief and scenes, first seen first.

    The description comes from the brief's sections, else from the first sentence of the
    text that names the element, else it is a placeholder (``described`` is False).
    """
    given = {
        ElementType.CHARACTER: {
            element_id(ElementType.CHARACTER, e.name): e.description for e in brief.characters
        },
        ElementType.LOCATION: {
            element_id(ElementType.LOCATION, e.name): e.description for e in brief.locations
        },
        ElementType.PROP: {
            element_id(ElementType.PROP, e.name): e.description for e in brief.props
        },
    }
    found: dict[str, PlannedElement] = {}
    characters = [c.name for c in brief.characters] + [c for s in scenes for c in s.characters]
    props = [p.name for p in brief.props] + [p for s in scenes for p in s.props]

    def add(kind: ElementType, name: str, context: str) -> None:
        eid = element_id(kind, name)
        if eid in found:
            return
        avoid = [c for c in characters if c != name] if kind is not ElementType.CHARACTER else []
        description = given[kind].get(eid, "")
        if any(mentions(description, other) for other in avoid):
            description = ""  # a place or prop described by a character's sentence
        if kind is ElementType.LOCATION and not description:
            named = [s for s in split_sentences(context) if mentions(s, name)]
            description = location_look(" ".join(named), characters)
        elif kind is ElementType.CHARACTER:
            # another element's look is not this character's ("waits under a RED UMBRELLA")
            others = [*props, *(c for c in characters if c != name)]
            description = description or describe_person(name, context, avoid=others)
        else:
            description = description or describe_from_text(name, context, avoid=avoid)
        found[eid] = PlannedElement(
            kind, name, eid, description or default_description(kind, name), bool(description)
        )

    def add_location(scene: Scene, location: str) -> None:
        eid = element_id(ElementType.LOCATION, location)
        if eid in found:
            return
        description = given[ElementType.LOCATION].get(eid, "")
        description = description or location_look(scene.description, characters)
        found[eid] = PlannedElement(
            ElementType.LOCATION,
            _element_place_name(location, characters),
            eid,
            description,
            bool(description),
        )

    for kind, items in (
        (ElementType.CHARACTER, brief.characters),
        (ElementType.LOCATION, brief.locations),
        (ElementType.PROP, brief.props),
    ):
        for item in items:
            add(kind, item.name, brief.text)
    for scene in scenes:
        scene_text = " ".join(beat.text for beat in scene.beats if beat.kind == "action")
        for character in scene.characters:
            add(ElementType.CHARACTER, character, f"{scene_text}\n\n{brief.text}")
        if scene.location:
            add_location(scene, scene.location)
        for prop in scene.props:
            add(ElementType.PROP, prop, scene_text)
    return list(found.values())


def undescribed_elements(project: Project) -> list[tuple[str, str, str]]:
    """(id, type, name) of the planned elements nobody described and the registry has no
    description for: what the language model is asked to describe."""
    registry = AssetRegistry(project)
    out = []
    for item in planned_elements(read_brief(project), read_scenes(project)):
        if item.described:
            continue
        if registry.exists(item.element_id) and registry.get(item.element_id).canonical_description:
            continue
        out.append((item.element_id, item.type.value, item.name))
    return out


def default_description(kind: ElementType, name: str) -> str:
    """The description of an element nobody described: honest and editable."""
    return {
        ElementType.CHARACTER: f"{name}, a character of the story (appearance to be defined)",
    }.get(kind, "")


def build_elements(
    project: Project,
    *,
    descriptions: Mapping[str, str] | None = None,
    shots: Sequence[ShotSpec] | None = None,
    cards: LaterCards | None = None,
) -> list[AssetMetadata]:
    """Register every character, location and prop of the plan, and link every shot to the
    elements it shows. ``descriptions`` (element id -> text) overrides the canonical
    descriptions the rules found (the LLM's proposal). Locked elements are left as they are.
    ``shots``: the plan's shots when the caller holds them (read from the project otherwise).
    The reference cards are encoded on the usable cores (:func:`card_batch`); with ``cards``,
    those still being encoded when the elements are registered are left to it, for the
    caller to write later (:meth:`LaterCards.write`) while it goes on.
    """
    registry = _register_elements(project, descriptions=descriptions, shots=shots, cards=cards)
    return registry.list()


def _register_elements(
    project: Project,
    *,
    descriptions: Mapping[str, str] | None = None,
    shots: Sequence[ShotSpec] | None = None,
    cards: LaterCards | None = None,
) -> AssetRegistry:
    """:func:`build_elements`, returning the registry instead of every element read back
    (:func:`~storycore.tools.planner.plan_project` does not read them)."""
    brief = read_brief(project)
    scenes = read_scenes(project)
    registry = AssetRegistry(project)
    with project.transaction("elements") as tx:
        with card_batch(tx, cards):
            for item in planned_elements(brief, scenes):
                eid, description = item.element_id, item.description
                if descriptions and descriptions.get(eid):
                    description = descriptions[eid]
                if registry.exists(eid):
                    current = registry.get(eid)
                    if current.locked or current.canonical_description:
                        continue  # never rewrite what the user fixed or approved
                registry.add(
                    item.type, item.name, canonical_description=description, element_id=eid
                )
        sync_links(project, registry, shots=shots)
        tx.manifest.phase = Phase.ELEMENTS
    return registry


def sync_links(
    project: Project,
    registry: AssetRegistry | None = None,
    *,
    shots: Sequence[ShotSpec] | None = None,
) -> None:
    """Make every element's list of shots agree with the shots on disk (or with ``shots``,
    the plan's shots in memory, when the caller holds them)."""
    registry = registry or AssetRegistry(project)
    shots = load_shots(project) if shots is None else shots
    registry.sync_shot_links({shot.shot_id: shot.element_ids() for shot in shots})
