"""Changing how an element looks (:class:`UpdateElement`), and restating the trait in every
text that describes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storycore.tools.domain import AssetMetadata, ElementStatus
from storycore.tools.feedback import ATTRIBUTE_WORDS, UpdateElement
from storycore.tools.feedback.age import AGE, read_age, stated_age
from storycore.tools.feedback.vocabulary import names_itself
from storycore.tools.i18n import Messages, catalog_language
from storycore.tools.prompt_builder import load_vocabulary
from storycore.tools.regeneration.plan import _validated_shot
from storycore.tools.regeneration.rewrite import rewrite_age, rewrite_trait
from storycore.tools.registry import attribute_key

if TYPE_CHECKING:
    from storycore.tools.regeneration.simulator import Planner


@dataclass(frozen=True)
class _Trait:
    """The traits an UpdateElement restates, and whose names to look for in texts."""

    rewrites: dict[str, str]  # attribute -> new value (attributes the rewrite knows words for)
    subject: list[str]  # the element's name and aliases
    others: list[str]  # every other element's name and aliases
    language: str = "en"  # the prompts' (an age is restated in it)

    def restate(self, text: str, *, whole: bool = False) -> str:
        for key, value in self.rewrites.items():
            age = read_age(value) if key == AGE else None
            if age is not None:
                text = rewrite_age(
                    text,
                    age,
                    self.language,
                    subject_names=self.subject,
                    other_names=self.others,
                    whole=whole,
                )
                continue
            text = rewrite_trait(
                text, key, value, subject_names=self.subject, other_names=self.others, whole=whole
            )
        return text


def update_element(planner: Planner, mod: UpdateElement) -> None:
    """Change an element's attributes and/or description; the new traits are restated in the
    element's description, in other draft elements' descriptions and in the shots' texts."""
    element_id = planner.element_id(mod.element)
    element = planner.elements[element_id]
    changes = {attribute_key(k): " ".join(str(v).split()) for k, v in mod.attributes.items()}
    attributes = _new_attributes(element.attributes, changes, mod.mode)
    description = element.canonical_description
    if mod.description is not None:
        description = " ".join(mod.description.split())
    trait = _Trait(
        rewrites={k: v for k, v in changes.items() if v and (k in ATTRIBUTE_WORDS or k == AGE)},
        subject=[element.name, *element.aliases],
        others=[
            name
            for other in planner.elements.values()
            if other.element_id != element_id
            for name in (other.name, *other.aliases)
        ],
        language=planner.specs.prompt_language,
    )
    # A trait the description states is restated, not added ("coat -> yellow raincoat"
    # when it gave a white coat; "adds a yellow raincoat" otherwise).
    stated = {
        key
        for key, value in trait.rewrites.items()
        if _Trait({key: value}, trait.subject, [], trait.language).restate(description, whole=True)
        != description
    }
    description = trait.restate(description, whole=True)
    if description == element.canonical_description and attributes == element.attributes:
        planner.warnings.append(planner.m("change.element_already", element=element_id))
        planner.normalised.append(mod.model_copy(update={"element": element_id}))
        return
    planner.elements[element_id] = element.model_copy(
        update={"canonical_description": description, "attributes": attributes}
    )
    planner.normalised.append(mod.model_copy(update={"element": element_id}))
    before = dict(element.attributes)
    if AGE in changes and AGE not in before and (age := stated_age(element.canonical_description)):
        before[AGE] = age.text(trait.language)  # "age: late 20s -> 40s"
    _summarise(planner, mod, element_id, changes, before, stated)
    if not trait.rewrites:
        return
    # Other texts that describe this element: other elements' descriptions (the planner
    # describes a prop by the first sentence naming it, which may be a character's) and
    # the shots' own description and action.
    _restate_in_other_elements(planner, element, trait)
    _restate_in_shots(planner, trait)


def _new_attributes(
    current: Mapping[str, str], changes: Mapping[str, str], mode: str
) -> dict[str, str]:
    """The attributes after the change: ``replace`` keeps only the given ones; ``merge``
    changes the given ones (an empty value removes one)."""
    if mode == "replace":
        return {k: v for k, v in changes.items() if v}
    attributes = dict(current)
    for key, value in changes.items():
        if value:
            attributes[key] = value
        else:
            attributes.pop(key, None)
    return attributes


def _summarise(
    planner: Planner,
    mod: UpdateElement,
    element_id: str,
    changes: Mapping[str, str],
    before: Mapping[str, str],
    stated: set[str],
) -> None:
    m = planner.m
    shown = [s.shot_id for s in planner.shots if element_id in s.element_ids()]
    # The element's own history keeps the English note; the summary is in the answer language.
    notes = _change_parts(changes, before, stated, mod.description is not None)
    parts = _change_parts(changes, before, stated, mod.description is not None, m)
    planner.summary.append(
        m.plural(
            "change.element_changed",
            len(shown),
            element=element_id,
            changes=m("change.semicolon").join(parts),
        )
    )
    planner.element_notes.setdefault(element_id, []).append("; ".join(notes))


def _change_parts(
    changes: Mapping[str, str],
    before: Mapping[str, str],
    stated: set[str],
    new_description: bool,
    m: Messages | None = None,
) -> list[str]:
    """What an element update says it changes, in ``m``'s language: ``hair: black ->
    red`` (the attribute it had), ``hair -> red``, ``adds glasses`` (a value that names the
    thing, neither an attribute nor ``stated`` in the description before), ``scar
    removed``."""
    m = m or Messages()
    nouns = load_vocabulary(catalog_language(m.language))
    said = []
    for key, value in changes.items():
        if not value:
            continue
        noun = nouns.get(f"trait_noun.{key}", key)
        old = before.get(key)
        if old and old != value:
            said.append(m("change.element_attribute_was", key=noun, old=old, value=value))
        elif not old and key not in stated and names_itself(key, value):
            said.append(m("change.element_added", value=value))
        else:
            said.append(m("change.element_attribute", key=noun, value=value))
    removed = [
        m("change.element_removed", key=nouns.get(f"trait_noun.{k}", k))
        for k, v in changes.items()
        if not v
    ]
    parts = [p for p in (", ".join(said), ", ".join(removed)) if p]
    if new_description:
        parts.append(m("change.element_new_description"))
    return parts


def _restate_in_other_elements(planner: Planner, element: AssetMetadata, trait: _Trait) -> None:
    """Restate the trait in other elements' descriptions; a fixed (not draft) one that is not
    unlocked in the same change is left as it is, with a warning."""
    for other_id, other in list(planner.elements.items()):
        if other_id == element.element_id:
            continue
        text = trait.restate(other.canonical_description)
        if text == other.canonical_description:
            continue
        if other.status is not ElementStatus.DRAFT and other_id not in planner.unlocked:
            # The user spoke of one element: a fixed one is not rewritten behind their back.
            planner.warnings.append(
                planner.m(
                    "change.element_fixed",
                    element=other_id,
                    status=planner.m(f"change.element_status.{other.status.value}"),
                    name=element.name,
                    keys=", ".join(trait.rewrites),
                )
            )
            continue
        planner.elements[other_id] = other.model_copy(update={"canonical_description": text})
        shows = [s.shot_id for s in planner.shots if other_id in s.element_ids()]
        keys = ", ".join(trait.rewrites)
        planner.summary.append(
            planner.m.plural(
                "change.element_restated",
                len(shows),
                element=other_id,
                name=element.name,
                keys=keys,
            )
        )
        planner.element_notes.setdefault(other_id, []).append(f"{element.name}'s {keys} restated")


def _restate_in_shots(planner: Planner, trait: _Trait) -> None:
    """Restate the trait in every shot's description and action."""
    for i, shot in enumerate(planner.shots):
        update: dict[str, str] = {}
        for name in ("description", "action"):
            text = trait.restate(getattr(shot, name))
            if text != getattr(shot, name):
                update[name] = text
        if update:
            planner.shots[i] = _validated_shot(shot, **update)


#: The handler of each modification kind this module edits.
HANDLERS: dict[type[Any], Callable[[Planner, Any], None]] = {
    UpdateElement: update_element,
}
