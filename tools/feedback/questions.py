"""Questions about a plan answered from the project ("what is shot 5?", "which shots show
Marc?", "how long is scene 2?", "combien dure la scène 2 ?"), and the phrasings closest to a
request the parser did not understand. Deterministic, English and French."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from storycore.tools.domain import AssetMetadata, ShotSpec
from storycore.tools.errors import NotFound
from storycore.tools.feedback.references import resolve_shot_ref
from storycore.tools.feedback.text import fold
from storycore.tools.i18n import Messages
from storycore.tools.project import Project
from storycore.tools.text_language import detect_language

_SHOT = r"(?:shot|plan|clip)\s*(?:#|n[o°]\.?\s*)?(?P<ref>(?:shot_)?\d{1,4}[a-z]{0,2})"
_SCENE = r"(?:scene|sequence)\s*(?:#|n[o°]\.?\s*)?(?P<scene>\d{1,4}[a-z]?)"
_WHOLE = (
    r"(?:the\s+|le\s+|la\s+|this\s+|ce\s+|cette\s+)?"
    r"(?:film|video|movie|plan|project|projet|clip|spot|ad|pub|thing|total)"
)

_WHAT_SHOT = re.compile(
    r"^(?:what(?:'s| is| does)|describe|tell me about|show(?: me)?|details? (?:of|for)|"
    r"c'est quoi|qu'est-ce que|que montre|decris|montre(?:-moi)?|quel est)\s+(?:the\s+|le\s+|"
    r"est\s+)?" + _SHOT + r"(?:\s+(?:show|about|montre))?\s*\??$"
)
_WHICH_SHOTS = re.compile(
    r"^(?:which|what|in which|where(?: does| do| is| are)?|quels?|quelles?|dans quels?|ou)\s+"
    r"(?:shots?\s+|plans?\s+)?(?:show|shows|have|has|contain|contains|feature|features|with|"
    r"montrent|montre|ont|avec|contiennent|apparait|apparaissent|voit-on|est|sont)?\s*"
    r"(?P<name>.+?)(?:\s+(?:appear|appears|in|show up|apparait|apparaissent))?\s*\??$"
)
_HOW_LONG = re.compile(
    r"^(?:how long (?:is|does|will)|what(?:'s| is) the (?:length|duration) of|combien dure|"
    r"quelle est la duree (?:de|du|d')|la duree (?:de|du))\s*(?:the\s+|la\s+|le\s+|l')?"
    r"(?:" + _SCENE + r"|" + _SHOT + r"|(?P<whole>" + _WHOLE + r"))(?:\s+(?:last|take|run|dure))?"
    r"\s*\??$"
)
_HOW_MANY = re.compile(
    r"^(?:how many|combien (?:de|d'))\s*(?P<what>shots?|plans?|scenes?|segments?|characters?|"
    r"personnages?|elements?)\b.*$"
)


def _seconds(frames: int, rate: Fraction) -> str:
    text = f"{float(Fraction(frames) / rate):.2f}".rstrip("0").rstrip(".")
    return f"{text} s"


def _shot_line(
    shot: ShotSpec, rate: Fraction, names: dict[str, str], m: Messages | None = None
) -> str:
    m = m or Messages("en")
    who = ", ".join(names.get(c, c) for c in shot.characters)
    where = names.get(shot.location or "", shot.location or "")
    props = ", ".join(names.get(p, p) for p in shot.props)
    parts = [
        f"{shot.shot_id} ({m('answer.scene')} {shot.scene}, "
        f"{_seconds(shot.duration_frames, rate)}): "
        f"{shot.shot_size.value}, {shot.camera_angle.value.replace('_', ' ')}, "
        f"{shot.camera_movement.value.replace('_', ' ')}, {shot.lens_mm:g} mm",
        shot.description or shot.action,
    ]
    if who:
        parts.append(m("answer.characters", names=who))
    if where:
        parts.append(m("answer.location", name=where))
    if props:
        parts.append(m("answer.props", names=props))
    if shot.model_id:
        parts.append(m("answer.model", model=shot.model_id))
    return ". ".join(p.rstrip(".") for p in parts if p) + "."


@dataclass
class _Plan:
    """What the answers read off the project: its shots (in timeline order), elements and
    the messages of the answer's language, each read on first use (a message that is no
    question this reader knows reads none of them)."""

    project: Project
    m: Messages

    @cached_property
    def shots(self) -> list[ShotSpec]:
        # The shot index, checked against every shot.json (those that changed are read).
        from storycore.tools.regeneration.index import indexed_shots

        return indexed_shots(self.project)

    @property
    def rate(self) -> Fraction:
        return self.project.manifest.technical_specs.rate

    @cached_property
    def elements(self) -> list[AssetMetadata]:
        from storycore.tools.registry import AssetRegistry

        return AssetRegistry(self.project, cards=False).list()

    @property
    def ids(self) -> list[str]:
        return [s.shot_id for s in self.shots]

    @property
    def by_id(self) -> dict[str, ShotSpec]:
        return {s.shot_id: s for s in self.shots}

    @property
    def names(self) -> dict[str, str]:
        return {e.element_id: e.name for e in self.elements}


def answer_question(project: Project, text: str, language: str | None = None) -> str | None:
    """The answer to a question about the plan, from the project, in ``language`` (English
    by default); None when ``text`` is not a question this reader knows (a change request)."""
    m = Messages(language)
    folded = " ".join(fold(text).split()).strip()
    if not folded:
        return None
    plan = _Plan(project=project, m=m)

    match = _WHAT_SHOT.match(folded)
    if match:
        found = resolve_shot_ref(match.group("ref"), plan.ids)
        by_id, names = plan.by_id, plan.names
        return " ".join(_shot_line(by_id[s], plan.rate, names, m) for s in found)
    match = _HOW_LONG.match(folded)
    if match:
        return _how_long(match, plan)
    match = _HOW_MANY.match(folded)
    if match:
        return _how_many(match, plan)
    match = _WHICH_SHOTS.match(folded)
    if match and re.match(
        r"^(?:which|what|in which|where|quels?|quelles?|dans quels?|ou)\b", folded
    ):
        return _which_shots(match, plan)
    return None


def _how_long(match: re.Match[str], plan: _Plan) -> str:
    """How long a scene, some shots or the whole plan last (:data:`_HOW_LONG`)."""
    m, shots, rate = plan.m, plan.shots, plan.rate
    if match.group("scene"):
        number = match.group("scene")
        in_scene = [s for s in shots if fold(s.scene) == number]
        if not in_scene:
            scenes = sorted({s.scene for s in shots}, key=lambda n: (len(n), n))
            raise NotFound(f"the plan has no scene {number}; its scenes are {', '.join(scenes)}")
        frames = sum(s.duration_frames for s in in_scene)
        return m(
            "answer.scene_lasts",
            scene=number,
            seconds=_seconds(frames, rate),
            shots=m.count(len(in_scene), "shot"),
            first=in_scene[0].shot_id,
            last=in_scene[-1].shot_id,
        )
    if match.group("ref"):
        found = resolve_shot_ref(match.group("ref"), plan.ids)
        by_id = plan.by_id
        frames = sum(by_id[s].duration_frames for s in found)
        return m(
            "answer.shot_lasts",
            shots=", ".join(found),
            seconds=_seconds(frames, rate),
            frames=m.count(frames, "frame"),
        )
    frames = shots[-1].end_frame - shots[0].start_frame if shots else 0
    return m("answer.plan_lasts", seconds=_seconds(frames, rate), shots=m.count(len(shots), "shot"))


def _how_many(match: re.Match[str], plan: _Plan) -> str:
    """How many shots, scenes, segments, characters or elements the plan has
    (:data:`_HOW_MANY`)."""
    m, shots = plan.m, plan.shots
    what = match.group("what")
    if what.startswith(("shot", "plan")):
        return m("answer.plan_has", what=m.count(len(shots), "shot"))
    if what.startswith("scene"):
        return m("answer.plan_has", what=m.count(len({s.scene for s in shots}), "scene"))
    if what.startswith("segment"):
        return m("answer.plan_has", what=m.count(len(plan.project.manifest.segments), "segment"))
    kind = "character" if what.startswith(("character", "personnage")) else None
    chosen = [e for e in plan.elements if kind is None or e.type.value == kind]
    return f"{len(chosen)}: " + ", ".join(e.name for e in chosen) + "."


def _which_shots(match: re.Match[str], plan: _Plan) -> str | None:
    """The shots that show an element (:data:`_WHICH_SHOTS`); None when the name is no
    element's."""
    m = plan.m
    wanted = fold(match.group("name")).strip(" ?")
    wanted = re.sub(r"^(?:the|le|la|les|l')\s+", "", wanted)
    element = next(
        (
            e
            for e in plan.elements
            if fold(e.name) == wanted or wanted in {fold(a) for a in e.aliases}
        ),
        None,
    )
    if element is None:
        return None
    showing = [s.shot_id for s in plan.shots if element.element_id in s.element_ids()]
    if not showing:
        return m("answer.no_shot_shows", name=element.name)
    return m(
        "answer.is_in",
        name=element.name,
        shots=m.count(len(showing), "shot"),
        ids=", ".join(showing),
    )


#: Phrasings the offline reader understands ($shot, $next, $name are filled from the plan).
#: The phrasings the offline reader understands, by the language they are in (the hints for
#: a request it cannot read are given in the language of the request, else the project's).
PHRASINGS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "en": (
        "make shot $shot a close-up",
        "slow push-in on shot $shot",
        "shot $shot should last 4 seconds",
        "make shot $shot two seconds longer",
        "remove shot $shot",
        "swap shots $shot and $next",
        "move shot $shot after shot $next",
        "add a close-up of $name after shot $shot",
        "$name's hair should be blonde",
        "$name has a beard",
        "use a local model for shot $shot",
        "switch the model of shot $shot to Kling",
        "use Sora 2 everywhere",
        "regenerate shot $shot",
        "regenerate without narration",
        "lock shot $shot",
        "make it 90 seconds",
        "change the frame rate to 25",
        "make it 16:9",
        "what is shot $shot?",
        "which shots show $name?",
        "how long is scene 1?",
    ),
    "fr": (
        "le plan $shot en gros plan",
        "rallonge le plan $shot de 2 secondes",
        "la veste de $name doit être noire",
        "$name porte une barbe",
        "fais-le en 90 secondes",
        "passe à 25 images par seconde",
        "mets-le en 16:9",
    ),
}
PHRASINGS: tuple[str, ...] = tuple(p for ps in PHRASINGS_BY_LANGUAGE.values() for p in ps)


def _topic(words: str) -> frozenset[str]:
    return frozenset(words.split())


_SIZE_TOPIC = _topic("close closer tighter wide wider framing frame size serre large cadre cadrage")
_MOVE_TOPIC = _topic("camera move movement push dolly pan tilt track zoom travelling mouvement")
_TIME_TOPIC = _topic("long longer short shorter length duration seconds dure duree court")
_LOOK_TOPIC = _topic("hair colour color eyes look looks jacket coat dress cheveux veste robe")
_WEAR_TOPIC = _topic("has have wear wears hat beard glasses scarf needs porte barbe lunettes")
_MODEL_TOPIC = _topic("model models sora kling veo wan local cloud gpu modele")
_SPEC_TOPIC = _topic(
    "video film whole total fps rate framerate aspect ratio vertical horizontal portrait "
    "landscape square format resolution images cadence"
)
# Words that make a phrasing relevant even when the sentence is worded differently.
_TOPICS: dict[str, frozenset[str]] = {
    "make shot $shot a close-up": _SIZE_TOPIC,
    "le plan $shot en gros plan": _SIZE_TOPIC,
    "slow push-in on shot $shot": _MOVE_TOPIC,
    "shot $shot should last 4 seconds": _TIME_TOPIC,
    "make shot $shot two seconds longer": _TIME_TOPIC,
    "rallonge le plan $shot de 2 secondes": _TIME_TOPIC,
    "$name's hair should be blonde": _LOOK_TOPIC,
    "la veste de $name doit être noire": _LOOK_TOPIC,
    "$name has a beard": _WEAR_TOPIC,
    "$name porte une barbe": _WEAR_TOPIC,
    "use a local model for shot $shot": _MODEL_TOPIC,
    "switch the model of shot $shot to Kling": _MODEL_TOPIC,
    "use Sora 2 everywhere": _MODEL_TOPIC,
    "make it 90 seconds": _SPEC_TOPIC | _TIME_TOPIC,
    "fais-le en 90 secondes": _SPEC_TOPIC | _TIME_TOPIC,
    "change the frame rate to 25": _SPEC_TOPIC,
    "passe à 25 images par seconde": _SPEC_TOPIC,
    "make it 16:9": _SPEC_TOPIC,
    "mets-le en 16:9": _SPEC_TOPIC,
}


def closest_phrasings(project: Project, text: str, count: int = 3) -> list[str]:
    """The ``count`` phrasings of :data:`PHRASINGS_BY_LANGUAGE` nearest to ``text``, in the
    language of ``text`` (else the project's), filled with this plan's shot numbers and
    first character's name."""
    from storycore.tools.registry import AssetRegistry

    ids = [ref.shot_id for ref in project.manifest.shots]
    shot = re.sub(r"^shot_0*", "", ids[0]) if ids else "1"
    following = re.sub(r"^shot_0*", "", ids[1]) if len(ids) > 1 else shot
    named = re.search(r"(?:shot|plan)\s+(\d+[a-z]?)", fold(text))
    if named:
        shot = named.group(1)
    characters = [e.name for e in AssetRegistry(project, cards=False).list("character")]
    name = characters[0] if characters else "Marc"
    for candidate in characters:
        if fold(candidate) in fold(text):
            name = candidate
    language = detect_language(text) or project.manifest.technical_specs.language
    phrasings = PHRASINGS_BY_LANGUAGE.get(language, PHRASINGS)
    filled = [
        p.replace("$shot", shot).replace("$next", following).replace("$name", name)
        for p in phrasings
    ]
    key = fold(text)
    words = set(re.findall(r"[a-z]+", key))

    def score(index: int) -> float:
        ratio = difflib.SequenceMatcher(None, key, fold(filled[index])).ratio()
        return ratio + (0.5 if words & _TOPICS.get(phrasings[index], frozenset()) else 0.0)

    ranked = sorted(range(len(filled)), key=lambda i: -score(i))
    return [filled[i] for i in ranked[:count]]
