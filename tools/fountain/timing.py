"""When each scene happens relative to the one before it (:func:`time_relations`), and how it
is entered (:func:`entry_transition`, :func:`infer_transitions`): explicit transitions first,
then a fade in at the start and a dissolve on a time jump."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from storycore.tools.domain import Scene, Transition
from storycore.tools.fountain.headings import (
    _JUMP_WORDS,
    CONTINUOUS_TIMES,
    ELLIPSIS_TIMES,
    TimeRelation,
    _period_of,
)
from storycore.tools.text import alias_key
from storycore.tools.text import fold_words_keep_colon as fold


@dataclass(frozen=True)
class SceneTime:
    """When a scene happens relative to the one before it."""

    relation: TimeRelation
    period: str | None
    """The period of day that lights the scene (inherited across CONTINUOUS, LATER...)."""


def time_relations(scenes: Sequence[Scene]) -> list[SceneTime]:
    """For each scene, its time relation to the previous scene and its effective period.

    ``continuous`` (CONTINUOUS, SAME), ``ellipsis`` (MOMENTS LATER: a cut is enough), ``jump``
    (LATER, THE NEXT MORNING, or a period that differs from the previous one: NIGHT after
    DAY), ``same_period`` (DAY after DAY), ``unspecified`` (no time given), ``start``.
    """
    out: list[SceneTime] = []
    previous: str | None = None
    for index, scene in enumerate(scenes):
        folded = fold(scene.time_of_day or "")
        period = _period_of(folded) if folded else None
        relation: TimeRelation
        if index == 0:
            relation = "start"
        elif not folded:
            relation = "unspecified"
        elif folded in CONTINUOUS_TIMES:
            relation = "continuous"
        elif folded in ELLIPSIS_TIMES:
            relation = "ellipsis"
        elif _JUMP_WORDS.search(folded):
            relation = "jump"
        elif period is not None and previous is not None:
            relation = "same_period" if period == previous else "jump"
        else:
            relation = "unspecified"
        effective = period or previous
        out.append(SceneTime(relation=relation, period=effective))
        previous = effective
    return out


# The word that leads a transition to the next shot: "DISSOLVE TO:", "FONDU ENCHAÎNÉ SUR :".
_LEADS_TO = re.compile(r"\s+(?:to|sur|vers|on|a|à)$", re.IGNORECASE)


def transition_named(text: str) -> Transition | None:
    """The transition a line is made of, in English or French, or None when the line says
    anything more: ``FADE TO BLACK.``, ``SMASH CUT TO:``, ``FONDU AU NOIR.``, ``CUT :``,
    ``FONDU ENCHAÎNÉ SUR :``, ``> FERMETURE AU NOIR`` (the names are the transition
    vocabulary's, :class:`~storycore.tools.domain.Transition`)."""
    cleaned = text.strip().strip(">").strip().rstrip(":.!").strip()
    if not cleaned or len(cleaned) > 40:
        return None
    for candidate in (cleaned, _LEADS_TO.sub("", cleaned)):
        member: Transition | None = Transition.from_key(alias_key(candidate))
        if member is not None:
            return member
    return None


def _transition_of(text: str) -> Transition | None:
    cleaned = text.strip().strip(">").strip().rstrip(":.").strip()
    named = transition_named(cleaned)
    if named is not None:
        return named
    try:
        parsed: Transition = Transition.parse(cleaned)
    except ValueError:
        # BACK TO:, FLASH CUT TO:, INTERCUT WITH: are all cuts as far as timing goes.
        return Transition.CUT if re.search(r"\b(cut|to)\b", cleaned, re.IGNORECASE) else None
    return parsed


def entry_transition(
    previous: Scene | None, scene: Scene, relation: TimeRelation | None = None
) -> Transition:
    """How a scene is entered, by precedence: an explicit transition beat (the previous
    scene's last beat, or this scene's first), a non-cut ``scene.transition_in``, a fade in for
    the first scene, a dissolve on a time jump, else a cut. ``FADE OUT`` before a scene
    means it fades in."""
    explicit: Transition | None = None
    if previous is not None and previous.beats and previous.beats[-1].kind == "transition":
        explicit = _transition_of(previous.beats[-1].text)
    if scene.beats and scene.beats[0].kind == "transition":
        explicit = _transition_of(scene.beats[0].text) or explicit
    if explicit is not None:
        return Transition.FADE_IN if explicit is Transition.FADE_OUT else explicit
    if scene.transition_in is not Transition.CUT:
        return scene.transition_in
    if previous is None:
        return Transition.FADE_IN
    if relation == "jump":
        return Transition.DISSOLVE
    return Transition.CUT


def infer_transitions(scenes: Sequence[Scene]) -> list[Scene]:
    """The scenes with ``transition_in`` set by :func:`entry_transition`."""
    times = time_relations(scenes)
    out: list[Scene] = []
    for index, scene in enumerate(scenes):
        previous = scenes[index - 1] if index else None
        transition = entry_transition(previous, scene, times[index].relation)
        out.append(scene.model_copy(update={"transition_in": transition}))
    return out
