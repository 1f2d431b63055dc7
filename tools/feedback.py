"""The feedback processor: what a user says about a plan, as typed modifications.

Two halves:

- **Modifications** (:data:`Modification`): small pydantic models, one per kind of change
  (:class:`SetShotField`, :class:`RetimeShot`, :class:`UpdateElement`, :class:`RemoveShot`,
  :class:`InsertShot`, :class:`MoveShot`, :class:`SetModel`, :class:`RegenerateWithout`,
  :class:`Regenerate`, :class:`Lock`, :class:`Unlock`), discriminated by ``kind``. They are
  flat on purpose: the same classes are the argument schemas of the assistant's tools, so a
  language model produces them through tool calls for phrasings the parser does not know.
  :mod:`storycore.tools.regeneration` validates them against the project, computes what must
  be regenerated and applies them.
- **The parser** (:func:`parse_feedback`): a deterministic reader of the common phrasings in
  English and French ("make shot 3 a close-up", "le plan 5 doit durer 4 secondes",
  "GaBy's hair should be blonde curly", "utilise Sora 2 partout", "redo shot 4"...). What it
  cannot read comes back in ``unparsed`` with ``understood=False`` and the LLM layer takes
  over. Ids it reads are resolved against the project; an unknown shot, element or model is
  an error that names it, never a silent no-op.

``docs/feedback.md`` lists every phrasing, the attribute words and the rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from storycore.tools.domain import (
    CameraAngle,
    CameraMovement,
    Framing,
    Scene,
    SceneType,
    ShotSize,
    Transition,
    format_validation_error,
)
from storycore.tools.errors import InvalidInput, NotFound
from storycore.tools.model_registry import Kind, ModelRegistry
from storycore.tools.planner import read_scenes
from storycore.tools.project import Project
from storycore.tools.registry import AssetRegistry
from storycore.tools.structure import load_shots

__all__ = [
    "ASPECT_WORDS",
    "ATTRIBUTE_WORDS",
    "MODIFICATION_TOOLS",
    "MODIFICATION_TYPES",
    "SHOT_FIELDS",
    "InsertShot",
    "Lock",
    "Modification",
    "MoveShot",
    "ParsedFeedback",
    "Regenerate",
    "RegenerateWithout",
    "RemoveShot",
    "RetimeShot",
    "SetModel",
    "SetShotField",
    "Unlock",
    "UpdateElement",
    "attribute_for_word",
    "fold",
    "modifications_from_json",
    "normalise_shot_value",
    "parse_feedback",
    "parse_modifications",
    "resolve_scene",
    "resolve_shot_ref",
    "translate_value",
]


def _words(text: str) -> frozenset[str]:
    """The words of a space-separated list (vocabulary tables stay readable)."""
    return frozenset(text.split())


# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------

ShotFieldName = Literal[
    "shot_size",
    "camera_angle",
    "camera_movement",
    "framing",
    "lens_mm",
    "description",
    "action",
    "model_id",
    "scene_type",
    "transition_in",
    "time_of_day",
    "weather",
]
#: The shot fields :class:`SetShotField` may change.
SHOT_FIELDS: tuple[str, ...] = get_args(ShotFieldName)
_ENUM_FIELDS: dict[str, Any] = {
    "shot_size": ShotSize,
    "camera_angle": CameraAngle,
    "camera_movement": CameraMovement,
    "framing": Framing,
    "scene_type": SceneType,
    "transition_in": Transition,
}
_TEXT_FIELDS = ("description", "action", "time_of_day", "weather")
_CLEARABLE = ("time_of_day", "weather")

#: Attribute of an element -> the words (folded: lower case, no accents) that name it, in
#: English then French. The first word is the attribute's name. Used by the parser
#: ("les cheveux de GaBy" -> hair) and by the description rewrite in
#: :mod:`storycore.tools.regeneration` (which also uses :data:`STYLE_NOUNS`).
ATTRIBUTE_WORDS: dict[str, tuple[str, ...]] = {
    "hair": ("hair", "hairs", "hairstyle", "haircut", "cheveux", "chevelure", "coiffure"),
    "eyes": ("eyes", "eye", "eye colour", "eye color", "yeux", "oeil", "regard"),
    "skin": ("skin", "complexion", "peau", "teint"),
    "beard": ("beard", "stubble", "moustache", "mustache", "barbe"),
    "coat": (
        "coat",
        "overcoat",
        "raincoat",
        "trench coat",
        "trenchcoat",
        "trench",
        "manteau",
        "impermeable",
        "imper",
        "pardessus",
    ),
    "jacket": ("jacket", "blazer", "veste", "blouson"),
    "dress": ("dress", "gown", "robe"),
    "shirt": ("shirt", "t-shirt", "tee-shirt", "blouse", "chemise", "chemisier"),
    "trousers": ("trousers", "pants", "jeans", "pantalon", "jean"),
    "skirt": ("skirt", "jupe"),
    "shoes": ("shoes", "boots", "sneakers", "chaussures", "bottes", "baskets"),
    "hat": ("hat", "cap", "beanie", "chapeau", "casquette", "bonnet"),
    "glasses": ("glasses", "spectacles", "sunglasses", "lunettes"),
    "scarf": ("scarf", "echarpe", "foulard"),
    "costume": (
        "costume",
        "outfit",
        "clothes",
        "clothing",
        "wardrobe",
        "uniform",
        "suit",
        "scrubs",
        "tenue",
        "vetements",
        "uniforme",
        "habits",
    ),
    "makeup": ("makeup", "make-up", "make up", "maquillage"),
    "colour": ("colour", "color", "couleur"),
}
#: Nouns that name a style of an attribute rather than the attribute itself ("a black bob"
#: is hair): the rewrite replaces them by the attribute's noun.
STYLE_NOUNS: dict[str, tuple[str, ...]] = {
    "hair": (
        "bob",
        "ponytail",
        "pony tail",
        "braid",
        "braids",
        "bun",
        "curls",
        "locks",
        "dreadlocks",
        "mane",
        "queue de cheval",
        "tresse",
        "tresses",
        "chignon",
    ),
}
#: French words of :data:`ATTRIBUTE_WORDS` and :data:`STYLE_NOUNS` (the noun comes before
#: its adjectives: "cheveux blonds").
FRENCH_NOUNS = frozenset(
    {
        "cheveux",
        "chevelure",
        "coiffure",
        "yeux",
        "oeil",
        "regard",
        "peau",
        "teint",
        "barbe",
        "manteau",
        "impermeable",
        "imper",
        "pardessus",
        "veste",
        "blouson",
        "robe",
        "chemise",
        "chemisier",
        "pantalon",
        "jean",
        "jupe",
        "chaussures",
        "bottes",
        "baskets",
        "chapeau",
        "casquette",
        "bonnet",
        "lunettes",
        "echarpe",
        "foulard",
        "tenue",
        "vetements",
        "uniforme",
        "habits",
        "maquillage",
        "couleur",
        "queue de cheval",
        "tresse",
        "tresses",
        "chignon",
    }
)

#: What :class:`RegenerateWithout` removes, by the words users say.
ASPECT_WORDS: dict[str, tuple[str, ...]] = {
    "narration": (
        "narration",
        "narrator",
        "voice-over",
        "voiceover",
        "voice over",
        "vo",
        "v.o.",
        "v.o",
        "voix off",
        "voix-off",
        "narrateur",
    ),
    "dialogue": ("dialogue", "dialogues", "dialog", "dialogs", "lines", "speech", "paroles"),
    "music": ("music", "soundtrack", "score", "musique", "bande son", "bande-son"),
    "sound_effects": (
        "sound effects",
        "sound effect",
        "sfx",
        "effects",
        "foley",
        "sounds",
        "bruitages",
        "bruitage",
        "effets sonores",
        "sons",
    ),
}

_TIME_WORDS = {
    "night": "night",
    "at night": "night",
    "nighttime": "night",
    "nuit": "night",
    "de nuit": "night",
    "la nuit": "night",
    "day": "day",
    "daytime": "day",
    "during the day": "day",
    "jour": "day",
    "de jour": "day",
    "le jour": "day",
    "dawn": "dawn",
    "at dawn": "dawn",
    "aube": "dawn",
    "a l'aube": "dawn",
    "dusk": "dusk",
    "at dusk": "dusk",
    "crepuscule": "dusk",
    "au crepuscule": "dusk",
    "morning": "morning",
    "in the morning": "morning",
    "matin": "morning",
    "le matin": "morning",
    "au matin": "morning",
    "evening": "evening",
    "in the evening": "evening",
    "soir": "evening",
    "le soir": "evening",
    "au soir": "evening",
    "sunset": "sunset",
    "at sunset": "sunset",
    "coucher du soleil": "sunset",
    "au coucher du soleil": "sunset",
    "sunrise": "sunrise",
    "at sunrise": "sunrise",
    "lever du soleil": "sunrise",
    "au lever du soleil": "sunrise",
    "golden hour": "golden hour",
    "noon": "noon",
    "midi": "noon",
}
_WEATHER_WORDS = {
    "rain": "rain",
    "rainy": "rain",
    "raining": "rain",
    "in the rain": "rain",
    "pluie": "rain",
    "sous la pluie": "rain",
    "pluvieux": "rain",
    "snow": "snow",
    "snowy": "snow",
    "in the snow": "snow",
    "neige": "snow",
    "sous la neige": "snow",
    "fog": "fog",
    "foggy": "fog",
    "in the fog": "fog",
    "brouillard": "fog",
    "dans le brouillard": "fog",
    "brume": "fog",
    "storm": "storm",
    "stormy": "storm",
    "orage": "storm",
    "sunny": "sunny",
    "sunshine": "sunny",
    "ensoleille": "sunny",
    "au soleil": "sunny",
    "clear": "clear",
    "clear sky": "clear",
    "ciel degage": "clear",
    "wind": "wind",
    "windy": "wind",
    "vent": "wind",
    "venteux": "wind",
}

#: French words of values a user gives ("blonds et bouclés") with their English, for a
#: project whose prompts are in English. A value is translated only if every word is known.
_FRENCH_VALUES: dict[str, str] = {
    **dict.fromkeys(("blond", "blonde", "blonds", "blondes"), "blonde"),
    **dict.fromkeys(("brun", "brune", "bruns", "brunes"), "brown"),
    **dict.fromkeys(("noir", "noire", "noirs", "noires"), "black"),
    **dict.fromkeys(("chatain", "chatains"), "chestnut"),
    **dict.fromkeys(("roux", "rousse", "rousses"), "red"),
    **dict.fromkeys(("gris", "grise", "grises"), "grey"),
    **dict.fromkeys(("blanc", "blanche", "blancs", "blanches"), "white"),
    **dict.fromkeys(("boucle", "bouclee", "boucles", "bouclees"), "curly"),
    **dict.fromkeys(("frise", "frisee", "frises", "frisees"), "frizzy"),
    **dict.fromkeys(("ondule", "ondulee", "ondules", "ondulees"), "wavy"),
    **dict.fromkeys(("raide", "raides", "lisse", "lisses"), "straight"),
    **dict.fromkeys(("long", "longue", "longs", "longues"), "long"),
    **dict.fromkeys(("court", "courte", "courts", "courtes"), "short"),
    **dict.fromkeys(("rouge", "rouges"), "red"),
    **dict.fromkeys(("bleu", "bleue", "bleus", "bleues"), "blue"),
    **dict.fromkeys(("vert", "verte", "verts", "vertes"), "green"),
    **dict.fromkeys(("jaune", "jaunes"), "yellow"),
    **dict.fromkeys(("rose", "roses"), "pink"),
    **dict.fromkeys(("violet", "violette", "violets", "violettes"), "purple"),
    **dict.fromkeys(("marron", "marrons"), "brown"),
    **dict.fromkeys(("dore", "doree", "dores", "dorees"), "golden"),
    **dict.fromkeys(("argente", "argentee", "argentes", "argentees"), "silver"),
    **dict.fromkeys(("clair", "claire", "clairs", "claires"), "light"),
    **dict.fromkeys(("fonce", "foncee", "fonces", "foncees", "sombre", "sombres"), "dark"),
    "orange": "orange",
    "beige": "beige",
    "et": "and",
    "tres": "very",
}
_FRENCH_AFTER = frozenset({"light", "dark", "very"})  # "bleu clair" is "light blue"

# --------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------


def _fold_char(char: str) -> str:
    if char in "’‘`´":
        return "'"
    if char in "«»“”":
        return '"'
    if char in "–—":
        return "-"
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    lowered = (base or char).lower()
    if len(lowered) == 1:
        return lowered
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def fold(text: str) -> str:
    """Lower case, accents off, curly quotes straight; the SAME length as ``text`` (so a
    span found in the folded text is the same span of the original)."""
    return "".join(_fold_char(c) for c in text)


def _words_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def attribute_for_word(word: str) -> str | None:
    """The attribute a word names ("cheveux" -> "hair", "manteau" -> "coat"), or None."""
    key = " ".join(fold(word).replace("-", " ").split())
    for attribute, words in ATTRIBUTE_WORDS.items():
        if key in {" ".join(w.replace("-", " ").split()) for w in words}:
            return attribute
    return None


def translate_value(value: str, prompt_language: str) -> str:
    """A French value in English when the prompts are in English and every word is known
    ("blonds et bouclés" -> "blonde and curly"); otherwise the value as written."""
    if prompt_language != "en":
        return value
    words = re.findall(r"[a-z]+", fold(value))
    if not words or any(w not in _FRENCH_VALUES for w in words):
        return value
    out = [_FRENCH_VALUES[w] for w in words]
    # French puts "clair"/"foncé" after the colour: "bleu clair" -> "light blue".
    for i in range(len(out) - 1, 0, -1):
        if out[i] in _FRENCH_AFTER and out[i - 1] not in _FRENCH_AFTER | {"and"}:
            out[i - 1], out[i] = out[i], out[i - 1]
    return " ".join(out)


def normalise_shot_value(field_name: str, value: Any) -> str:
    """The canonical text of a :class:`SetShotField` value, or ``ValueError``.

    Enumerations accept their aliases ("close-up", "gros plan" -> "CU"); ``lens_mm`` is a
    number of millimetres ("85", "85mm"); time of day and weather accept a few common words
    and any short text; an empty value clears them.
    """
    text = " ".join(str(value if value is not None else "").split())
    if field_name in _ENUM_FIELDS:
        enum = _ENUM_FIELDS[field_name]
        member = enum.parse(text)
        return str(member.value)
    if field_name == "lens_mm":
        match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(?:mm)?", text.lower())
        if not match:
            raise ValueError(f"lens_mm must be a focal length in millimetres, not {text!r}")
        number = float(match.group(1).replace(",", "."))
        if not 4 < number < 1200:
            raise ValueError(f"lens_mm must be between 4 and 1200 mm, not {number:g}")
        return f"{number:g}"
    if field_name == "model_id":
        if not text:
            raise ValueError("model_id needs a model id or name (like sora2 or 'Wan 2.2')")
        return text
    if field_name in _TEXT_FIELDS:
        if field_name == "time_of_day":
            text = _TIME_WORDS.get(fold(text), text)
        elif field_name == "weather":
            text = _WEATHER_WORDS.get(fold(text), text)
        if not text and field_name not in _CLEARABLE:
            raise ValueError(f"{field_name} cannot be empty")
        if len(text) > 2000:
            raise ValueError(f"{field_name} is too long ({len(text)} characters); keep it short")
        return text
    raise ValueError(f"{field_name!r} is not a shot field feedback can change")


# --------------------------------------------------------------------------------------
# The modifications
# --------------------------------------------------------------------------------------

_SHOT_REF_HELP = "A shot id like shot_03 or shot_04a (or its number, like 3 or 4a)."


class _Modification(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SetShotField(_Modification):
    """Change one field of one shot: its framing (shot size, angle, movement, framing, lens),
    its content (description, action, time of day, weather), its scene type, its transition
    in, or its generative model. The shot is regenerated."""

    kind: Literal["set_shot_field"] = "set_shot_field"
    shot_id: str = Field(description=_SHOT_REF_HELP)
    field: ShotFieldName = Field(description="Which field to change.")
    value: str = Field(
        description="The new value. Shot sizes, angles, movements, framings, scene types and "
        "transitions accept usual names in English or French ('close-up', 'gros plan', "
        "'dolly in', 'contre-plongée'); lens_mm is millimetres ('85'); model_id is a model id "
        "or name ('sora2', 'Wan 2.2'); an empty value clears time_of_day or weather."
    )

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        # Aliases in, canonical codes out: "gros plan" is stored as "CU".
        if isinstance(data, dict) and isinstance(data.get("field"), str) and "value" in data:
            value = data["value"]
            if isinstance(value, int | float | str) and data["field"] in SHOT_FIELDS:
                data = {**data, "value": normalise_shot_value(data["field"], value)}
        return data


class RetimeShot(_Modification):
    """Change how long one shot lasts. Later shots move in time but are not regenerated; a
    shot longer than its model's longest clip is split into parts (shot_05a, shot_05b)."""

    kind: Literal["retime_shot"] = "retime_shot"
    shot_id: str = Field(description=_SHOT_REF_HELP)
    duration_seconds: float = Field(gt=0, le=3600, description="The new length in seconds.")


class UpdateElement(_Modification):
    """Change how a character, location or prop looks: named attributes (hair, eyes, coat,
    dress, costume...) and/or its whole canonical description. Every shot whose prompts
    describe the element is regenerated, and only those."""

    kind: Literal["update_element"] = "update_element"
    element: str = Field(description="The element's id (char_gaby) or name (GaBy).")
    attributes: dict[str, str] = Field(
        default_factory=dict,
        description="Attribute name -> new value, e.g. {'hair': 'blonde and curly'}; "
        "an empty value removes the attribute.",
    )
    description: str | None = Field(
        None, description="A new canonical description (replaces the old one), or null."
    )
    mode: Literal["merge", "replace"] = Field(
        "merge",
        description="merge: change only the given attributes; replace: the given attributes "
        "become all of the element's attributes.",
    )


class RemoveShot(_Modification):
    """Remove a shot from the plan. Nothing is regenerated but its segment's assembly."""

    kind: Literal["remove_shot"] = "remove_shot"
    shot_id: str = Field(description=_SHOT_REF_HELP)


class InsertShot(_Modification):
    """Add a new shot after another one (or at the start). It takes the scene, location, time
    of day and weather of the shot before it unless given; its id is the previous shot's
    with a letter (shot_02a after shot_02)."""

    kind: Literal["insert_shot"] = "insert_shot"
    after: str | None = Field(
        description="The shot it follows (shot_02), or null to put it at the very start."
    )
    description: str = Field(min_length=1, max_length=2000, description="What the shot shows.")
    duration_seconds: float = Field(4.0, gt=0, le=3600, description="Its length in seconds.")
    shot_size: str | None = Field(
        None, description="Its shot size ('close-up', 'WS', 'gros plan'), or null to choose."
    )
    characters: list[str] = Field(
        default_factory=list, description="Ids or names of the characters it shows."
    )
    location: str | None = Field(
        None, description="Id or name of its location; null: the previous shot's."
    )
    props: list[str] = Field(default_factory=list, description="Ids or names of props shown.")

    @field_validator("shot_size")
    @classmethod
    def _size(cls, value: str | None) -> str | None:
        return None if value is None else str(ShotSize.parse(value).value)


class MoveShot(_Modification):
    """Move a shot to another place in the timeline (its media stays valid)."""

    kind: Literal["move_shot"] = "move_shot"
    shot_id: str = Field(description=_SHOT_REF_HELP)
    after: str | None = Field(
        description="The shot it will follow, or null to put it at the very start."
    )


class SetModel(_Modification):
    """Use one generative video model for some shots: the given shots, one scene, one scene
    type, or (none of these) every shot. A shot longer than the model's longest clip is split
    into parts."""

    kind: Literal["set_model"] = "set_model"
    model_id: str = Field(description="A model id or name: sora2, 'Sora 2', 'Wan', kling_25...")
    shot_ids: list[str] | None = Field(None, description="Only these shots (ids or numbers).")
    scene: str | None = Field(
        None, description="Only the shots of this scene: its number, or words of its heading."
    )
    scene_type: str | None = Field(
        None, description="Only shots of this scene type (action, dialogue, close_up...)."
    )

    @field_validator("scene_type")
    @classmethod
    def _scene_type(cls, value: str | None) -> str | None:
        return None if value is None else str(SceneType.parse(value).value)


Aspect = Literal["narration", "dialogue", "music", "sound_effects"]


class RegenerateWithout(_Modification):
    """Remove narration, dialogue, music or sound effects from shots and regenerate them
    ("quality is low, regenerate without narration"). Without shot_ids: every shot that has
    it; with shot_ids: those shots, regenerated even if they had none."""

    kind: Literal["regenerate_without"] = "regenerate_without"
    aspect: Aspect = Field(description="What to remove.")
    shot_ids: list[str] | None = Field(None, description="Only these shots; null: all shots.")


class Regenerate(_Modification):
    """Regenerate shots without changing their specification ("shot 4 looks bad, redo it")."""

    kind: Literal["regenerate"] = "regenerate"
    shot_ids: list[str] = Field(min_length=1, description="The shots to redo.")
    reason: str = Field("", max_length=500, description="Why, in the user's words.")


class Lock(_Modification):
    """Lock a shot or an element: later changes that would rewrite or regenerate it are
    refused until it is unlocked."""

    kind: Literal["lock"] = "lock"
    target: str = Field(description="A shot id (shot_03) or an element id or name (GaBy).")


class Unlock(_Modification):
    """Unlock a locked shot or element, and allow this change to redo it even if it was
    approved (an approved element goes back to draft)."""

    kind: Literal["unlock"] = "unlock"
    target: str = Field(description="A shot id (shot_03) or an element id or name (GaBy).")


Modification = Annotated[
    SetShotField
    | RetimeShot
    | UpdateElement
    | RemoveShot
    | InsertShot
    | MoveShot
    | SetModel
    | RegenerateWithout
    | Regenerate
    | Lock
    | Unlock,
    Field(discriminator="kind"),
]
#: Every modification class (the assistant's tool list, in this order).
MODIFICATION_TYPES: tuple[type[_Modification], ...] = (
    SetShotField,
    RetimeShot,
    UpdateElement,
    RemoveShot,
    InsertShot,
    MoveShot,
    SetModel,
    RegenerateWithout,
    Regenerate,
    Lock,
    Unlock,
)
#: (tool name, argument model) of every modification: the name is its ``kind``.
MODIFICATION_TOOLS: tuple[tuple[str, type[BaseModel]], ...] = tuple(
    (str(kind.model_fields["kind"].default), kind) for kind in MODIFICATION_TYPES
)
_LIST_ADAPTER: TypeAdapter[list[Modification]] = TypeAdapter(list[Modification])


def modifications_from_json(data: Any) -> list[Modification]:
    """Modifications from JSON data (a list of objects with ``kind``, or one object), or one
    clear :class:`InvalidInput`."""
    if isinstance(data, dict):
        data = [data]
    try:
        return _LIST_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise InvalidInput(format_validation_error(exc, subject="modification")) from None


def parse_modifications(items: Iterable[Any]) -> list[Modification]:
    """Modifications from a mix of modification objects and JSON objects (dicts with
    ``kind``), in order; :class:`InvalidInput` names the first bad one."""
    out: list[Modification] = []
    for item in items:
        if isinstance(item, MODIFICATION_TYPES):
            out.append(item)  # type: ignore[arg-type]
        elif isinstance(item, BaseModel):
            out.extend(modifications_from_json(item.model_dump(mode="json")))
        else:
            out.extend(modifications_from_json(item))
    return out


class ParsedFeedback(BaseModel):
    """What :func:`parse_feedback` read: the modifications, and the clauses it could not read
    (``understood`` is False when there are any: the LLM layer then takes over)."""

    modifications: list[Modification] = Field(default_factory=list)
    understood: bool
    unparsed: list[str] = Field(default_factory=list)
    remarks: list[str] = Field(
        default_factory=list,
        description="Clauses with nothing to do ('quality is low') next to ones that had.",
    )


# --------------------------------------------------------------------------------------
# Resolving references
# --------------------------------------------------------------------------------------

_SHOT_ID = re.compile(r"shot_(\d{2,4})([a-z]{0,2})")


def resolve_shot_ref(ref: str, shot_ids: Sequence[str]) -> list[str]:
    """The shot ids a user's reference names, in timeline order.

    ``"3"``, ``"shot 3"``, ``"shot_03"`` -> ``shot_03``; ``"4a"`` -> ``shot_04a``; ``"4"``
    when only ``shot_04a`` and ``shot_04b`` exist -> both parts. :class:`NotFound` names the
    reference when the project has no such shot.
    """
    text = fold(str(ref)).strip()
    text = re.sub(r"^(?:shot|plan)s?[\s_#]*", "", text)
    match = re.fullmatch(r"0*(\d{1,4})([a-z]{0,2})", text)
    if match is None:
        raise InvalidInput(f"{ref!r} is not a shot; name shots like shot_03, 3 or 4a")
    number, letters = int(match.group(1)), match.group(2)
    widths = (f"shot_{number:02d}", f"shot_{number:03d}", f"shot_{number:04d}")
    for candidate in (f"{width}{letters}" for width in widths):
        if candidate in shot_ids:
            return [candidate]
    if not letters:
        parts = []
        for shot_id in shot_ids:
            found = _SHOT_ID.fullmatch(shot_id)
            if found and int(found.group(1)) == number and found.group(2):
                parts.append(shot_id)
        if parts:
            return parts
    wanted = f"shot_{number:02d}{letters}"
    if not shot_ids:
        raise NotFound(f"the project has no shot {wanted}; it has no shots yet")
    return _missing_shot(wanted, shot_ids)


def _missing_shot(wanted: str, shot_ids: Sequence[str]) -> list[str]:
    raise NotFound(
        f"the project has no shot {wanted}; its shots run from {shot_ids[0]} to {shot_ids[-1]}"
    )


def _stem(word: str) -> str:
    for suffix in ("ings", "ing", "ent", "ers", "er", "es", "ed", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


_SCENE_STOP = _words(
    "the a an of with where in on at scene scenes sequence sequences la le les l de du des d "
    "ou avec dans sur au aux un une"
)


def resolve_scene(text: str, scenes: Sequence[Scene]) -> str:
    """The number of the scene ``text`` names: its number ("2", "scene 2") or words of its
    heading, location or description ("the dance scene", "la scène de la cuisine").

    :class:`NotFound` if no scene matches, :class:`InvalidInput` if several do equally.
    """
    folded = " ".join(fold(text).split())
    number = re.sub(r"^(?:the |la |le )?(?:scene|sequence|sc)[\s_#.]*", "", folded).strip()
    for scene in scenes:
        if fold(scene.number) == number or scene.scene_id == folded:
            return scene.number
    words = [w for w in re.findall(r"[a-z0-9]+", folded) if w not in _SCENE_STOP]
    if not words:
        raise InvalidInput(f"{text!r} does not name a scene; give its number or its place")
    wanted = [_stem(w) for w in words]

    def found(haystack: str) -> bool:
        stems = {_stem(w) for w in re.findall(r"[a-z0-9]+", fold(haystack))}
        return all(w in stems for w in wanted)

    head = [s for s in scenes if found(f"{s.heading} {s.location or ''}")]
    body = [
        s
        for s in scenes
        if found(
            f"{s.heading} {s.location or ''} {s.description} "
            + " ".join(b.text for b in s.beats if b.kind == "action")
        )
    ]
    matches = head or body
    if len(matches) == 1:
        return matches[0].number
    listed = ", ".join(f"{s.number} ({s.heading or s.location or s.scene_id})" for s in scenes)
    if not matches:
        raise NotFound(f"no scene matches {text!r}; the scenes are {listed}")
    numbers = " and ".join(s.number for s in matches)
    raise InvalidInput(f"{text!r} matches scenes {numbers}; say the scene number")


# --------------------------------------------------------------------------------------
# The parser
# --------------------------------------------------------------------------------------

_REF = r"(?:shot_)?\d{1,4}[a-z]{0,2}(?![\w])"
_RANGE = rf"{_REF}(?:\s*(?:-|to|through|thru|a)\s*{_REF})?"
_REFS = (
    rf"{_RANGE}(?:\s*(?:,|and|et|&|\+|or|ou)\s*(?:(?:the\s+|le\s+)?(?:shots?|plans?)\s*)?"
    rf"{_RANGE})*"
)
_DET = r"(?:the|le|la|les|du|des|au|aux|de|l'|this|that|ce|cet)"


def _shots(name: str) -> str:
    """A pattern for a reference to one or more shots, captured in group ``name``."""
    return (
        rf"(?:(?:{_DET}\s*)?(?:shots?|plans?|clips?)\s*(?:#|n[o°]\.?\s*|number\s+|numero\s+)?"
        rf"(?P<{name}>{_REFS})|(?P<{name}_id>shot_\d{{2,4}}[a-z]{{0,2}}(?![\w])))"
    )


_DURATION = (
    r"(?P<dur>\d+(?:[.,]\d+)?)\s*-?\s*"
    r"(?P<unit>seconds?|secondes?|secs?|s|frames?|images?|f)(?![a-z])"
)


def _alternatives(words: Sequence[str]) -> str:
    ordered = sorted({re.escape(w).replace(r"\ ", r"\s+") for w in words}, key=len, reverse=True)
    return "(?:" + "|".join(ordered) + ")"


_ATTR = _alternatives([w for words in ATTRIBUTE_WORDS.values() for w in words])
_ASPECT = _alternatives([w for words in ASPECT_WORDS.values() for w in words])

_COMMAND_WORDS = _words(
    "make set change turn switch use remove delete drop cut kill add insert move put place redo "
    "regenerate rerender re-render render remake retry reshoot shorten lengthen extend trim lock "
    "unlock freeze unfreeze give replace mets mettre passe change changer utilise utiliser "
    "supprime supprimer enleve enlever retire retirer coupe couper ajoute ajouter rajoute insere "
    "inserer deplace deplacer bouge refais refaire regenere regenerer relance raccourcis rallonge "
    "allonge verrouille deverrouille bloque debloque donne fais fait rends teins dye"
)
_SPLIT_BEFORE = (
    r"(?:" + "|".join(sorted(set(_COMMAND_WORDS), key=len, reverse=True)) + r")"
    r"(?:(?![\w-])|-(?=(?:le|la|les)(?!\w)))"
    r"|(?:the\s+|le\s+)?(?:shot|plan)\s*\d{1,4}[a-z]{0,2}(?![\w])(?=\s*\S)(?!\s*(?:,|and|et)\s)"
    r"|(?:les?|la|l')\s*" + _ATTR + r"\s+(?:de|d')\s"
    # "... and Marc's coat should be red", "... and her eyes green"
    r"|(?:[a-z][\w.-]*\s+)?[a-z][\w.-]*'s?\s+" + _ATTR + r"(?![\w])"
    r"|(?:her|his|their|its|son|sa|ses)\s+" + _ATTR + r"(?![\w])"
)
_SOFT_SPLIT = re.compile(
    r"(?:\s*,\s*(?:and\s+|then\s+|et\s+|puis\s+|also\s+|aussi\s+)?(?:then\s+|puis\s+)?"
    r"|\s+(?:and|et|then|puis|also|ensuite|plus)\s+(?:then\s+|puis\s+|also\s+)?)"
    r"(?=(?:please\s+|also\s+|aussi\s+)?(?:" + _SPLIT_BEFORE + r"))"
)
_ABBREVIATIONS = _words("dr mr mrs ms st jr sr prof mme mlle m no vs")

_LEAD_FILLER = re.compile(
    r"^(?:(?:please|pls|ok|okay|so|now|also|and|then|but|et|puis|alors|aussi|ensuite|"
    r"hey|hi|bon|ah|oh|enfin|"
    r"can you|could you|would you|will you|can we|could we|let's|lets|let us|"
    r"i want you to|i'd like you to|i would like you to|i need you to|"
    r"i want|i'd like|i would like|i need|we need to|we need|"
    r"peux-tu|peux tu|pourrais-tu|pourrais tu|tu peux|pouvez-vous|pouvez vous|"
    r"merci de|il faut|il faudrait|je veux que tu|je voudrais que tu|je veux que|"
    r"je voudrais que|j'aimerais que|je veux|je voudrais|j'aimerais|"
    r"s'il te plait|s'il vous plait|stp|svp|que|qu')[\s,:]+)+"
)
_TRAIL_FILLER = re.compile(
    r"(?:[\s,]+(?:please|pls|thanks|thank you|thx|merci|stp|svp|s'il te plait|"
    r"s'il vous plait|again|instead|aussi|too|as well)|[\s!,.:;?]+)+$"
)
_REMARK = re.compile(
    r"^(?:(?:the|la|le|les|l')\s*)?(?:quality|result|results|render|rendering|image|images|"
    r"video|videos|output|it|this|that|everything|qualite|resultat|rendu|video|ca|c'|tout)"
    r"\s*(?:is|looks|seems|'s|s|are|est|semble|a l'air|sont)\s+(?:too\s+|very\s+|really\s+|"
    r"pretty\s+|a bit\s+|quite\s+|so\s+|vraiment\s+|trop\s+|tres\s+|un peu\s+|assez\s+)?"
    r"(?:low|bad|poor|terrible|awful|wrong|off|ugly|blurry|weird|not good|not great|meh|"
    r"mauvaise|mauvais|basse|bas|faible|nulle|nul|moche|rate|ratee|flou|floue|bof|"
    r"pas terrible|pas top|pas bien|pas bon|pas bonne)$"
)
_SHOT_REMARK = re.compile(
    r"^" + _shots("s") + r"\s*(?:is|looks|seems|'s|est|a l'air|semble)\s+.{1,40}$"
)
_NEGATION = re.compile(
    # Written French always negates with "ne"/"n'": "plus" or "pas" alone are not enough
    # ("plan 2 plus large" is a request).
    r"(?<![\w])(?:don't|do not|dont|never|not|no longer|ne|n')(?![\w])"
)


@dataclass
class _Reader:
    """What the parser knows about the project while reading one feedback."""

    project: Project
    shot_ids: list[str]
    registry: AssetRegistry
    scenes: list[Scene]
    prompt_language: str
    last_shots: list[str] = field(default_factory=list)
    last_element: str | None = None
    text: str = ""
    _models: ModelRegistry | None = None

    @property
    def models(self) -> ModelRegistry:
        # Loaded on first use: reading the models file is most of a parse's time.
        if self._models is None:
            self._models = ModelRegistry.load(self.project.root)
        return self._models

    # -- references ----------------------------------------------------------------------

    def shots(self, refs: str) -> list[str]:
        """Shot ids of a captured list of references ("3, 4 and 6", "3-5")."""
        out: list[str] = []
        for part in re.split(r"\s*(?:,|\band\b|\bet\b|&|\+|\bor\b|\bou\b)\s*", refs.strip()):
            part = re.sub(r"^(?:(?:the|le)\s+)?(?:shots?|plans?)[\s_#]*", "", part.strip())
            if not part:
                continue
            bounds = re.split(r"\s*(?:-|\bto\b|\bthrough\b|\bthru\b|\ba\b)\s*", part)
            if len(bounds) == 2:
                first = resolve_shot_ref(bounds[0], self.shot_ids)
                last = resolve_shot_ref(bounds[1], self.shot_ids)
                i, j = self.shot_ids.index(first[0]), self.shot_ids.index(last[-1])
                if j < i:
                    i, j = j, i
                out.extend(self.shot_ids[i : j + 1])
            else:
                out.extend(resolve_shot_ref(part, self.shot_ids))
        ordered = list(dict.fromkeys(out))
        if ordered:
            self.last_shots = ordered
        return ordered

    def shot_group(self, match: re.Match[str], name: str) -> list[str]:
        refs = match.group(name)
        if refs is None:
            refs = match.group(f"{name}_id")
        return self.shots(refs)

    def element(self, original: str) -> str:
        """The id of the element a name names (NotFound, with a suggestion, otherwise)."""
        name = original.strip().strip("\"'")
        name = re.sub(r"^(?:the|le|la|les|l')\s+", "", name, flags=re.IGNORECASE)
        found = self.registry.resolve(name)
        self.last_element = found.element_id
        return found.element_id

    def model(self, text: str, *, strict: bool) -> str | None:
        """The id of the model ``text`` names; with ``strict`` an unknown model is an error,
        otherwise only one close to a known model is (None: not a model at all)."""
        name = text.strip().strip("\"'.")
        name = re.sub(r"^(?:the|le|la|l')\s+", "", name, flags=re.IGNORECASE)
        name = re.sub(r"\s+(?:model|modele|modèle)$", "", name, flags=re.IGNORECASE)
        try:
            model = self.models.get(name)
        except NotFound:
            if strict or (self.models.suggest(name) and len(name.split()) <= 3):
                raise
            return None
        if Kind.VIDEO not in model.kinds:
            kinds = ", ".join(k.value for k in model.kinds)
            raise InvalidInput(
                f"{model.name} is a {kinds} model; shots need a video model "
                "(`storycore models list --kind video`)"
            )
        return model.id

    def mentioned_elements(self, text: str) -> tuple[list[str], str | None, list[str]]:
        """(characters, location, props) a free description names: full names (or
        aliases) of any element, and single significant words of location and prop names
        ("the bridge" -> OLD BRIDGE)."""
        folded = " " + " ".join(re.findall(r"[a-z0-9]+", fold(text))) + " "
        elements = self.registry.list()
        spellings: list[tuple[str, str]] = []
        for element in elements:
            for spelling in (element.name, *element.aliases):
                key = _words_key(spelling)
                if key:
                    spellings.append((key, element.element_id))
        spellings.sort(key=lambda item: len(item[0]), reverse=True)
        found: list[str] = []
        for key, element_id in spellings:
            if f" {key} " in folded and element_id not in found:
                found.append(element_id)
                folded = folded.replace(f" {key} ", " ")
        by_id = {e.element_id: e for e in elements}
        words = set(folded.split())
        for element in elements:
            if element.element_id in found or element.type.value not in ("location", "prop"):
                continue
            significant = [
                w for w in _words_key(element.name).split() if len(w) >= 4 and w not in _SCENE_STOP
            ]
            if any(w in words for w in significant):
                found.append(element.element_id)
        characters = [i for i in found if by_id[i].type.value == "character"]
        locations = [i for i in found if by_id[i].type.value == "location"]
        props = [i for i in found if by_id[i].type.value not in ("character", "location")]
        return characters, (locations[0] if len(locations) == 1 else None), props


_Handler = Callable[[_Reader, re.Match[str], str], list[Modification] | None]


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    handler: _Handler


def _rule(pattern: str, handler: _Handler) -> _Rule:
    return _Rule(re.compile(pattern), handler)


def _span(match: re.Match[str], original: str, name: str) -> str:
    start, end = match.span(name)
    return original[start:end]


def _seconds(match: re.Match[str], reader: _Reader) -> float:
    number = float(match.group("dur").replace(",", "."))
    unit = match.group("unit")
    if unit.startswith(("f", "i")):
        return float(number / reader.project.manifest.technical_specs.rate)
    return number


# -- handlers ---------------------------------------------------------------------------


def _lock(kind: type[Lock] | type[Unlock]) -> _Handler:
    def handler(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
        target = match.group("target")
        if re.match(r"^" + _shots("s") + r"$", target):
            inner = re.match(r"^" + _shots("s") + r"$", target)
            assert inner is not None
            return [kind(target=s) for s in reader.shot_group(inner, "s")]
        if target.strip() in ("it", "them", "le", "les", "la"):
            return [kind(target=s) for s in reader.last_shots] or []
        return [kind(target=reader.element(_span(match, original, "target")))]

    return handler


def _aspect_of(words: str) -> Aspect:
    key = " ".join(words.split())
    for aspect, spellings in ASPECT_WORDS.items():
        if key in spellings:
            return aspect  # type: ignore[return-value]
    raise InvalidInput(f"{words!r} is not narration, dialogue, music or sound effects")


def _without(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    aspect = _aspect_of(match.group("aspect"))
    shots: list[str] | None = None
    for name in ("s", "t"):
        if match.groupdict().get(name) is not None or match.groupdict().get(f"{name}_id"):
            shots = reader.shot_group(match, name)
    if shots is None and (match.groupdict().get("it") or "").strip():
        shots = list(reader.last_shots) or None
    return [RegenerateWithout(aspect=aspect, shot_ids=shots)]


def _regenerate(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    if match.groupdict().get("s") is not None or match.groupdict().get("s_id"):
        shots = reader.shot_group(match, "s")
    else:
        shots = list(reader.last_shots)
    if not shots:
        raise InvalidInput("say which shot to redo (like 'redo shot 4')")
    return [Regenerate(shot_ids=shots, reason=" ".join(reader.text.split())[:500])]


def _remove(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    return [RemoveShot(shot_id=s) for s in reader.shot_group(match, "s")]


def _position(reader: _Reader, match: re.Match[str]) -> str | None:
    """The shot a new or moved shot follows: after X, before X, at the start or the end."""
    groups = match.groupdict()
    where = groups.get("where") or ""
    if groups.get("end"):
        end = groups["end"]
        if end in ("end", "la fin", "fin", "en dernier", "last"):
            return reader.shot_ids[-1] if reader.shot_ids else None
        return None
    targets = reader.shot_group(match, "b")
    if where in ("before", "avant", "ahead of", "in front of"):
        index = reader.shot_ids.index(targets[0])
        return reader.shot_ids[index - 1] if index > 0 else None
    return targets[-1]


def _move(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    moving = reader.shot_group(match, "a")
    after = _position(reader, match)
    if after in moving:
        raise InvalidInput(f"cannot move {after} after itself")
    out: list[Modification] = []
    for shot_id in moving:
        out.append(MoveShot(shot_id=shot_id, after=after))
        after = shot_id
    return out


_INSERT_HEAD = re.compile(r"(?:(?:a|an|one|another|new|a new|un|une|un autre|un nouveau)\s+)*")


def _insert(reader: _Reader, match: re.Match[str], original: str) -> list[Modification] | None:
    head = match.group("head") or ""
    head = _INSERT_HEAD.sub("", head, count=1).strip()
    duration = 4.0
    duration_match = re.search(
        r"(?:(?:of|lasting|for|de|d'une duree de|durant)\s+)?" + _DURATION + r"(?:\s*long)?",
        head,
    )
    if duration_match:
        duration = _seconds(duration_match, reader)
        head = (head[: duration_match.start()] + head[duration_match.end() :]).strip()
    size: str | None = None
    head = re.sub(r"(?:^|\s)(?:shot|plan|clip)$", "", head).strip() if head != "gros plan" else head
    if head and head not in ("shot", "plan", "clip"):
        try:
            size = str(ShotSize.parse(head).value)
        except ValueError:
            return None
    description = _span(match, original, "desc").strip().strip("\"'")
    connector = (match.groupdict().get("conn") or "").strip()
    article = {"du": "le ", "de la": "la ", "de l'": "l'", "des": "les ", "d'": ""}.get(connector)
    if article is not None:
        description = article + description
    desc_duration = re.search(
        r"\s*,?\s*(?:(?:lasting|for|of|de|durant)\s+)?" + _DURATION + r"(?:\s*long)?\s*$",
        fold(description),
    )
    if desc_duration:
        duration = _seconds(desc_duration, reader)
        description = description[: desc_duration.start()].strip()
    if not description:
        return None
    characters, location, props = reader.mentioned_elements(description)
    after = _position(reader, match)
    return [
        InsertShot(
            after=after,
            description=description[0].upper() + description[1:],
            duration_seconds=duration,
            shot_size=size,
            characters=characters,
            location=location,
            props=props,
        )
    ]


def _retime(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    shots = reader.shot_group(match, "s")
    seconds = _seconds(match, reader)
    if len(shots) > 1:
        listed = ", ".join(shots)
        raise InvalidInput(
            f"that names {len(shots)} shots ({listed}); give the length of one shot at a time"
        )
    return [RetimeShot(shot_id=shots[0], duration_seconds=seconds)]


def _element_update(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    name = _span(match, original, "name")
    if name.strip().lower() in ("her", "his", "their", "its", "son", "sa", "ses", "leur"):
        if reader.last_element is None:
            raise InvalidInput(f'say whose {match.group("attr")} (like "GaBy\'s hair")')
        element = reader.last_element
    else:
        element = reader.element(name)
    attribute = attribute_for_word(match.group("attr")) or match.group("attr")
    value = _span(match, original, "val").strip().strip("\"'").rstrip(".")
    value = re.sub(
        r"^(?:a|an|the|un|une|des|de|d'|en|du|to|into)\s+", "", value, flags=re.IGNORECASE
    )
    # "blonde curly hair" as the value of hair: the noun is the attribute, not the value.
    nouns = ATTRIBUTE_WORDS.get(attribute, ()) + STYLE_NOUNS.get(attribute, ())
    folded_value = fold(value)
    for noun in sorted(nouns, key=len, reverse=True):
        if folded_value.endswith(" " + noun):
            value = value[: -len(noun) - 1].strip()
            break
        if folded_value.startswith(noun + " "):
            value = value[len(noun) + 1 :].strip()
            break
    if not value:
        raise InvalidInput(f'give the new {attribute} (like "GaBy\'s hair should be blonde")')
    if _is_french(match):
        value = translate_value(value, reader.prompt_language)
    return [UpdateElement(element=element, attributes={attribute: value})]


def _is_french(match: re.Match[str]) -> bool:
    return bool(match.groupdict().get("fr"))


def _element_description(
    reader: _Reader, match: re.Match[str], original: str
) -> list[Modification]:
    element = reader.element(_span(match, original, "name"))
    description = _span(match, original, "val").strip().strip("\"'")
    return [UpdateElement(element=element, description=description)]


def _scope(
    reader: _Reader, text: str, original: str
) -> tuple[list[str] | None, str | None, str | None]:
    """(shot ids, scene, scene type) a "for ..." phrase names; all None for everything."""
    text = text.strip()
    if re.fullmatch(
        r"(?:all|every|each|everything|everywhere|all (?:the )?shots|every shot|the whole "
        r"(?:film|video|project|thing)|tout|partout|tous les plans|tout le film|"
        r"toute la video|l'ensemble)",
        text,
    ):
        return None, None, None
    shot_match = re.fullmatch(_shots("s"), text)
    if shot_match:
        return reader.shot_group(shot_match, "s"), None, None
    bare = re.sub(r"^(?:the|all the|all|les|tous les|toutes les|la|le)\s+", "", text)
    bare = re.sub(r"\s+(?:shots?|scenes?|plans?|sequences?)$", "", bare)
    bare = re.sub(r"^(?:shots?|scenes?|plans?|sequences?)\s+(?:d'|de\s+|du\s+)?", "", bare)
    try:
        scene_type = str(SceneType.parse(bare).value)
    except ValueError:
        scene_type = None
    if scene_type and not re.search(r"\bscenes?\s+\d", text):
        return None, None, scene_type
    return None, resolve_scene(original.strip(), reader.scenes), None


def _set_model(reader: _Reader, match: re.Match[str], original: str) -> list[Modification] | None:
    strict = bool(match.groupdict().get("strict"))
    model = reader.model(_span(match, original, "model"), strict=strict)
    if model is None:
        return None
    groups = match.groupdict()
    if groups.get("s") is not None or groups.get("s_id"):
        return [SetModel(model_id=model, shot_ids=reader.shot_group(match, "s"))]
    if groups.get("scope"):
        shots, scene, scene_type = _scope(
            reader, match.group("scope"), _span(match, original, "scope")
        )
        return [SetModel(model_id=model, shot_ids=shots, scene=scene, scene_type=scene_type)]
    return [SetModel(model_id=model)]


_VALUE_LEAD = re.compile(
    r"^(?:(?:use|utilise|try|a|an|the|to|into|as|in|un|une|en|a la|au|avec|with|be|:|=|->)"
    r"\s+)+|^[:=]\s*"
)


def _field_value(reader: _Reader, text: str, shot_ids: Sequence[str]) -> list[Modification]:
    """The SetShotField changes a bare value means ("close-up", "dolly in", "85mm", "at
    night"), or [] when it is not a value of any shot field."""
    value = " ".join(_VALUE_LEAD.sub("", text.strip()).split()).strip(" .")
    if not value:
        return []
    lens = re.fullmatch(
        r"(?:(?:objectif|focale|lens)\s+(?:de\s+)?)?(\d+(?:[.,]\d+)?)\s*-?\s*mm"
        r"(?:\s+(?:lens|objectif|focal length|focale))?",
        value,
    )
    if lens:
        return [
            SetShotField(shot_id=s, field="lens_mm", value=lens.group(1).replace(",", "."))
            for s in shot_ids
        ]
    relative = _relative_size(value)
    if relative:
        return _relative_changes(reader, shot_ids, relative)
    candidates = [value]
    for suffix in (" shot", " plan", " angle", " camera", " move", " movement", " transition"):
        if value.endswith(suffix) and value != "gros plan":
            candidates.append(value[: -len(suffix)])
    for name in ("shot_size", "camera_movement", "camera_angle", "framing", "transition_in"):
        for candidate in candidates:
            try:
                normalised = normalise_shot_value(name, candidate)
            except ValueError:
                continue
            return [SetShotField(shot_id=s, field=name, value=normalised) for s in shot_ids]
    if value in _TIME_WORDS:
        return [SetShotField(shot_id=s, field="time_of_day", value=value) for s in shot_ids]
    if value in _WEATHER_WORDS:
        return [SetShotField(shot_id=s, field="weather", value=value) for s in shot_ids]
    for candidate in candidates:
        try:
            scene_type = normalise_shot_value("scene_type", candidate)
        except ValueError:
            continue
        return [SetShotField(shot_id=s, field="scene_type", value=scene_type) for s in shot_ids]
    return []


_CLOSER = frozenset({"closer", "tighter", "plus serre", "plus pres"})
_WIDER = frozenset({"wider", "looser", "plus large", "plus loin"})


def _relative_size(value: str) -> int:
    if value in _CLOSER:
        return 1
    if value in _WIDER:
        return -1
    return 0


def _relative_changes(reader: _Reader, shot_ids: Sequence[str], step: int) -> list[Modification]:
    sizes = list(ShotSize)
    shots = {s.shot_id: s for s in load_shots(reader.project)}
    out: list[Modification] = []
    for shot_id in shot_ids:
        index = sizes.index(shots[shot_id].shot_size) + step
        if not 0 <= index < len(sizes):
            edge = "closest" if step > 0 else "widest"
            raise InvalidInput(f"{shot_id} is already the {edge} shot size ({sizes[index - step]})")
        out.append(SetShotField(shot_id=shot_id, field="shot_size", value=sizes[index].value))
    return out


_FIELD_WORDS: dict[str, str] = {
    "shot size": "shot_size",
    "size": "shot_size",
    "shot type": "shot_size",
    "taille de plan": "shot_size",
    "valeur de plan": "shot_size",
    "valeur": "shot_size",
    "framing": "framing",
    "cadrage": "framing",
    "camera angle": "camera_angle",
    "angle": "camera_angle",
    "angle de camera": "camera_angle",
    "angle de vue": "camera_angle",
    "camera movement": "camera_movement",
    "camera move": "camera_movement",
    "movement": "camera_movement",
    "move": "camera_movement",
    "mouvement": "camera_movement",
    "mouvement de camera": "camera_movement",
    "lens": "lens_mm",
    "focal length": "lens_mm",
    "focal": "lens_mm",
    "focale": "lens_mm",
    "objectif": "lens_mm",
    "description": "description",
    "action": "action",
    "model": "model_id",
    "modele": "model_id",
    "scene type": "scene_type",
    "type de scene": "scene_type",
    "transition": "transition_in",
    "transition in": "transition_in",
    "transition d'entree": "transition_in",
    "time of day": "time_of_day",
    "time": "time_of_day",
    "moment": "time_of_day",
    "heure": "time_of_day",
    "weather": "weather",
    "meteo": "weather",
}
_FIELD = _alternatives(list(_FIELD_WORDS))


def _explicit_field(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    field_name = _FIELD_WORDS[" ".join(match.group("field").split())]
    shots = reader.shot_group(match, "s")
    value = _span(match, original, "val").strip().strip("\"'")
    if field_name == "model_id":
        model = reader.model(value, strict=True)
        assert model is not None
        return [SetModel(model_id=model, shot_ids=shots)]
    if field_name not in ("description", "action"):
        value = _VALUE_LEAD.sub("", value)
    try:
        return [SetShotField(shot_id=s, field=field_name, value=value) for s in shots]
    except ValidationError as exc:
        subject = f"{field_name} of {shots[0]}"
        raise InvalidInput(format_validation_error(exc, subject=subject)) from None


def _shot_value(reader: _Reader, match: re.Match[str], original: str) -> list[Modification] | None:
    shots = reader.shot_group(match, "s")
    return _field_value(reader, match.group("val"), shots) or None


# -- rules ------------------------------------------------------------------------------

_S = _shots("s")
_RULES: tuple[_Rule, ...] = (
    # lock / unlock
    _rule(
        r"(?:unlock|unfreeze|deverrouille[rz]?|debloque[rz]?|defige[rz]?)\s+(?P<target>.+)",
        _lock(Unlock),
    ),
    _rule(r"(?:lock|freeze|verrouille[rz]?|bloque[rz]?|fige[rz]?)\s+(?P<target>.+)", _lock(Lock)),
    # regenerate without narration / dialogue / music / effects
    _rule(
        r"(?:regenerate|redo|re-?render|render|generate|remake|do|make|try)\s*(?:"
        + _S
        + r"|(?P<it>it|them|everything|all(?: shots)?|the whole thing|that|this))?\s*"
        r"(?:again\s+)?(?:without|with no|minus|but without)\s+(?:the\s+|any\s+)?(?P<aspect>"
        + _ASPECT
        + r")(?:\s+(?:on|for|in)\s+"
        + _shots("t")
        + r")?",
        _without,
    ),
    _rule(
        r"(?:remove|drop|delete|cut|mute|lose|get rid of|take out|strip|no)\s+(?:the\s+|all\s+"
        r"(?:the\s+)?|any\s+)?(?P<aspect>"
        + _ASPECT
        + r")(?:\s+(?:on|from|in|of|for)\s+"
        + _S
        + r")?",
        _without,
    ),
    _rule(
        r"(?:without|with no|sans)\s+(?:the\s+|la\s+|le\s+|les\s+)?(?P<aspect>" + _ASPECT + r")",
        _without,
    ),
    _rule(
        r"(?P<fr>regenere[rz]?|refai[st]|refaire|relance[rz]?|recommence[rz]?)\s*(?:"
        + _S
        + r"|(?P<it>-?(?:le|les|la|tout)))?\s*sans\s+(?:la\s+|le\s+|les\s+|l')?(?P<aspect>"
        + _ASPECT
        + r")(?:\s+(?:sur|pour|du|dans)\s+"
        + _shots("t")
        + r")?",
        _without,
    ),
    _rule(
        r"(?:supprime[rz]?|enleve[rz]?|retire[rz]?|coupe[rz]?)\s+(?:la|le|les|l')\s*(?P<aspect>"
        + _ASPECT
        + r")(?:\s+(?:du|des|sur|dans|de)\s+"
        + _S
        + r")?",
        _without,
    ),
    # regenerate as it is
    _rule(
        r"(?:redo|regenerate|re-?render|re-?generate|remake|re-?do|retry|reshoot|render|"
        r"generate|refai[st]|refaire|regenere[rz]?|relance[rz]?|recommence[rz]?)\s*-?\s*(?:"
        + _S
        + r"|it|them|that one|this one|that|this|le|les|la)(?:\s+again|\s+encore)?",
        _regenerate,
    ),
    _rule(
        _S + r"\s+(?:again|needs to be redone|should be redone|must be redone|has to be redone|"
        r"needs redoing|a refaire|est a refaire|doit etre refait|doit etre regenere)",
        _regenerate,
    ),
    # remove
    _rule(
        r"(?:remove|delete|drop|cut|kill|lose|get rid of|take out|scrap|skip|supprime[rz]?|"
        r"enleve[rz]?|retire[rz]?|coupe[rz]?|vire[rz]?)\s+" + _S,
        _remove,
    ),
    _rule(_S + r"\s+(?:should|must|can|has to)\s+(?:go|be removed|be deleted|be cut)", _remove),
    # move
    _rule(
        r"(?:move|put|place|deplace[rz]?|mets|mettre|mettez|place[rz]?|bouge[rz]?)\s+"
        + _shots("a")
        + r"\s+(?:(?:right|just|juste)\s+)?(?P<where>after|before|behind|ahead of|in front of|"
        r"apres|avant|derriere)\s+" + _shots("b"),
        _move,
    ),
    _rule(
        r"(?:move|put|place|deplace[rz]?|mets|mettre|mettez|place[rz]?|bouge[rz]?)\s+"
        + _shots("a")
        + r"\s+(?:to the|at the|a la|au|en)\s*(?P<end>end|start|beginning|fin|debut|premier|"
        r"dernier|la fin)",
        _move,
    ),
    # insert
    _rule(
        r"(?:add|insert|put|create|ajoute[rz]?|rajoute[rz]?|insere[rz]?|cree[rz]?)\s+"
        r"(?P<head>(?:(?:a|an|one|another|new|un|une|autre|nouveau)\s+)*[^,]*?)\s*"
        r"(?:(?:of|showing|with|on|:)\s+|(?P<conn>du|de la|de l'|des|d'|de|sur|montrant)\s*)"
        r"(?P<desc>.+?)\s+(?P<where>after|before|right after|just after|apres|avant|juste apres)"
        r"\s+" + _shots("b"),
        _insert,
    ),
    _rule(
        r"(?:add|insert|put|create|ajoute[rz]?|rajoute[rz]?|insere[rz]?)\s+"
        r"(?P<head>(?:(?:a|an|one|another|new|un|une|autre|nouveau)\s+)*[^,]*?)\s*"
        r"(?:(?:of|showing|with|on|:)\s+|(?P<conn>du|de la|de l'|des|d'|de|sur|montrant)\s*)"
        r"(?P<desc>.+?)\s+(?:at the|a la|au|en)\s*(?P<end>end|start|beginning|fin|debut)",
        _insert,
    ),
    _rule(
        r"(?:add|insert|ajoute[rz]?|rajoute[rz]?|insere[rz]?)\s+"
        r"(?P<head>(?:(?:a|an|one|another|new|un|une|autre|nouveau)\s+)*[^,]*?)\s+"
        r"(?P<where>after|before|apres|avant)\s+"
        + _shots("b")
        + r"\s*(?:(?:of|showing|with|:)\s+|(?P<conn>du|de la|de l'|des|d'|de|montrant)\s*)"
        r"(?P<desc>.+)",
        _insert,
    ),
    # retime
    _rule(
        _S + r"\s+(?:should|must|needs to|has to|will|to|shall|can)?\s*(?:last|be|run|take|runs|"
        r"lasts|takes)\s+(?:for\s+|about\s+|exactly\s+|only\s+|just\s+)?"
        + _DURATION
        + r"(?:\s+long)?",
        _retime,
    ),
    _rule(
        r"(?:make|set|change|retime|shorten|lengthen|extend|trim|cut|fais durer|raccourcis|"
        r"raccourcir|rallonge[rz]?|allonge[rz]?|mets|passe[rz]?|regle[rz]?|ramene[rz]?)\s+"
        + _S
        + r"\s+(?:to\s+|at\s+|down to\s+|up to\s+|a\s+|en\s+|sur\s+)?"
        + _DURATION
        + r"(?:\s+long)?",
        _retime,
    ),
    _rule(
        r"(?:the\s+)?(?:duration|length|la duree|duree|la longueur|longueur)\s+(?:of|du|de)\s+"
        + _S
        + r"\s*(?::|=|to|should be|must be|is|doit etre|est|a|sur)?\s*"
        + _DURATION,
        _retime,
    ),
    _rule(
        _S + r"\s+(?:doit|devrait|va|dois)?\s*(?:durer|dure|faire|fait)\s+(?:seulement\s+|"
        r"environ\s+)?" + _DURATION,
        _retime,
    ),
    _rule(_S + r"\s*(?::|=|->|to|en)?\s*" + _DURATION, _retime),
    # element appearance
    _rule(
        r"(?P<name>.+?)\s*'s?\s+(?P<attr>" + _ATTR + r")\s+(?:should|must|needs to|has to|"
        r"to|shall|will|ought to)?\s*(?:be|become|look|is|are|be made|=|:|->)\s+(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?P<name>.+?)\s*'s?\s+(?P<attr>" + _ATTR + r")\s*(?::|=|->)\s*(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?:make|turn|change|set|dye|colou?r|switch)\s+(?P<name>.+?)\s*'s?\s+(?P<attr>"
        + _ATTR
        + r")\s+(?:to\s+|into\s+|as\s+)?(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?:the\s+)?(?P<attr>" + _ATTR + r")\s+of\s+(?P<name>.+?)\s+(?:should|must|needs to)?"
        r"\s*(?:be|become|is|are|=|:)\s+(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?:give|gives)\s+(?P<name>.+?)\s+(?:a\s+|an\s+|some\s+)?(?P<val>.+?)\s+(?P<attr>"
        + _ATTR
        + r")",
        _element_update,
    ),
    _rule(
        r"(?P<name>.+?)\s+(?:should|must|needs to|has to|will)?\s*(?:have|has|get|gets|wear|"
        r"wears|sport|sports)\s+(?:a\s+|an\s+|some\s+)?(?P<val>.+?)\s+(?P<attr>" + _ATTR + r")",
        _element_update,
    ),
    _rule(
        r"(?P<fr>(?:les?|la|l')\s*)(?P<attr>" + _ATTR + r")\s+(?:de|d')\s*(?P<name>.+?)\s+"
        r"(?:doivent|doit|devraient|devrait|vont|va)?\s*(?:etre|sont|est|seront|sera|"
        r"deviennent|devient|devenir|:|=)\s+(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?P<fr>change[rz]?|mets|mettre|rends|rendre|passe[rz]?|teins|teindre)\s+"
        r"(?:les?|la|l')\s*(?P<attr>" + _ATTR + r")\s+(?:de|d')\s*(?P<name>.+?)\s+"
        r"(?:en|a)\s+(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?P<name>.+?)\s+(?P<fr>doit avoir|devrait avoir|a|aura|porte|doit porter|devrait "
        r"porter|portera)\s+(?:les?|la|l'|un|une|des|de)\s*(?P<attr>" + _ATTR + r")\s+"
        r"(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?P<fr>donne[rz]?)\s+a\s+(?P<name>.+?)\s+(?:des|un|une|les?|la)\s+(?P<attr>"
        + _ATTR
        + r")\s+(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?P<name>her|his|their|its)\s+(?P<attr>" + _ATTR + r")\s+(?:should|must)?\s*"
        r"(?:be\s+|is\s+|are\s+|:\s*|=\s*)?(?P<val>.+)",
        _element_update,
    ),
    _rule(
        r"(?P<name>son|sa|ses)(?P<fr>\s+)(?P<attr>" + _ATTR + r")\s+(?:(?:doivent etre|"
        r"doit etre|sont|est|:)\s+)?(?P<val>.+)",
        _element_update,
    ),
    _rule(r"describe\s+(?P<name>.+?)\s+as\s+(?P<val>.+)", _element_description),
    _rule(r"(?P<name>.+?)\s+should look like\s+(?P<val>.+)", _element_description),
    # model
    _rule(
        r"(?P<strict>(?:switch|change|set|update)\s+(?:the\s+)?(?:video\s+)?models?)\s+"
        r"(?:to|for|:|=)?\s*(?P<model>.+?)(?:\s+(?:for|on|in)\s+(?:" + _S + r"|(?P<scope>.+)))?",
        _set_model,
    ),
    _rule(
        r"(?P<strict>(?:change[rz]?|passe[rz]?)\s+(?:le\s+)?modele)\s+(?:pour|en|a|:|=|vers)?"
        r"\s*(?P<model>.+?)(?:\s+(?:pour|sur|dans)\s+(?:" + _S + r"|(?P<scope>.+)))?",
        _set_model,
    ),
    _rule(
        r"(?P<strict>(?:the\s+|le\s+)?(?:video\s+)?(?:model|modele))\s*(?::|=|->|should be|"
        r"doit etre)\s*(?P<model>.+?)(?:\s+(?:for|on|pour|sur)\s+(?:" + _S + r"|(?P<scope>.+)))?",
        _set_model,
    ),
    _rule(
        r"(?:switch|change|move|go|passe[rz]?|bascule[rz]?)\s+(?:everything\s+|all\s+"
        r"(?:shots\s+)?|tout\s+)?(?:to|a|sur|vers|en)\s+(?P<model>.+?)(?:\s+(?:for|on|pour|sur)"
        r"\s+(?:" + _S + r"|(?P<scope>.+)))?",
        _set_model,
    ),
    _rule(
        r"(?:use|utilise[rz]?|prends|prendre)\s+(?P<model>.+?)(?:\s+(?:model|modele|instead|"
        r"a la place))?(?:\s+(?:everywhere|for everything|throughout|partout|pour tout)|\s+"
        r"(?:for|on|in|pour|sur|dans)\s+(?:" + _S + r"|(?P<scope>.+)))?",
        _set_model,
    ),
    _rule(
        r"(?:render|generate|make|do|shoot|fais|genere[rz]?)\s+" + _S + r"\s+(?:with|using|in|"
        r"on|avec|en|sur)\s+(?P<model>.+)",
        _set_model,
    ),
    # explicit shot field
    _rule(
        r"(?:set|change|make|mets|change[rz]?|passe[rz]?)?\s*(?:the\s+|le\s+|la\s+|l')?"
        r"(?P<field>"
        + _FIELD
        + r")\s+(?:of|for|on|du|de|pour)\s+"
        + _S
        + r"\s*(?:to|:|=|->|should be|must be|as|en|a|doit etre|sur)\s*(?P<val>.+)",
        _explicit_field,
    ),
    _rule(
        _S + r"\s*(?:'s)?\s*(?P<field>" + _FIELD + r")\s*(?::|=|->|to|should be|must be|en)\s*"
        r"(?P<val>.+)",
        _explicit_field,
    ),
    # a bare value for a shot
    _rule(
        r"(?:make|set|change|turn|switch|frame|shoot|film|have|mets|mettre|passe[rz]?|"
        r"cadre[rz]?|fais|faire|transforme[rz]?)\s+" + _S + r"\s+(?P<val>.+)",
        _shot_value,
    ),
    _rule(
        _S + r"\s*(?::|=|->|should be|must be|to be|needs to be|be|as|in|en|doit etre|"
        r"devrait etre|sera|soit|est)?\s*(?P<val>.+)",
        _shot_value,
    ),
    _rule(
        r"(?P<val>.+?)\s+(?:on|for|in|sur|pour|dans|au|du)\s+" + _S,
        _shot_value,
    ),
)


# -- clauses ----------------------------------------------------------------------------


def _clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the clauses of a feedback: sentences, then parts joined by "and"/"et"/","
    where the next part starts a new command."""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"[.;!?\n]+", folded):
        end = match.start()
        piece = folded[start:end]
        if match.group().startswith("."):
            # "4.5 s", "Dr. Marsh", "v.o." are not sentence ends.
            after = folded[match.end() : match.end() + 1]
            before = re.search(r"(\w+)$", piece)
            if (before and before.group(1).isdigit() and after.isdigit()) or (
                before and before.group(1) in _ABBREVIATIONS
            ):
                continue
            if before and len(before.group(1)) == 1 and after and after.isalpha():
                continue
        spans.append((start, end))
        start = match.end()
    spans.append((start, len(folded)))
    out: list[tuple[int, int]] = []
    for begin, end in spans:
        piece = folded[begin:end]
        cuts = [begin]
        for match in _SOFT_SPLIT.finditer(piece):
            cuts.append(begin + match.start())
            cuts.append(begin + match.end())
        cuts.append(end)
        for i in range(0, len(cuts), 2):
            a, b = cuts[i], cuts[i + 1]
            if folded[a:b].strip(" ,"):
                out.append((a, b))
    return out


def _trim(folded: str, start: int, end: int) -> tuple[int, int]:
    """The span of a clause without leading and trailing politeness and punctuation."""
    while start < end and folded[start] in " ,:-":
        start += 1
    lead = _LEAD_FILLER.match(folded[start:end])
    if lead and lead.end() < end - start:
        start += lead.end()
    trail = _TRAIL_FILLER.search(folded[start:end])
    if trail and trail.start() > 0:
        end = start + trail.start()
    while end > start and folded[end - 1] in " ,":
        end -= 1
    return start, end


def _read_clause(reader: _Reader, folded: str, original: str) -> list[Modification] | None:
    for rule in _RULES:
        match = rule.pattern.fullmatch(folded)
        if match is None:
            continue
        try:
            found = rule.handler(reader, match, original)
        except ValidationError as exc:
            raise InvalidInput(format_validation_error(exc, subject="feedback")) from None
        if found:
            return found
    return None


def parse_feedback(text: str, project: Project) -> ParsedFeedback:
    """Read a user's feedback (English or French) into typed modifications.

    Clauses are read one by one ("make shot 3 a close-up and remove shot 7" is two).
    Shot numbers map to ids (``shot 3`` -> ``shot_03``; ``shot 4`` -> both ``shot_04a`` and
    ``shot_04b`` when it was split); names to element ids through the asset registry; model
    names through the model registry. An unknown shot, element or model raises
    :class:`NotFound` naming it. Clauses the rules cannot read are returned in ``unparsed``
    (``understood=False``); a remark such as "quality is low" next to a readable request is
    kept in ``remarks``. A negated clause ("don't remove shot 7") is never guessed at.
    """
    if not text or not text.strip():
        raise InvalidInput("the feedback is empty; say what to change")
    if len(text) > 10_000:
        raise InvalidInput("the feedback is too long to read; keep it under 10000 characters")
    specs = project.manifest.technical_specs
    reader = _Reader(
        project=project,
        shot_ids=[ref.shot_id for ref in project.manifest.shots],
        registry=AssetRegistry(project),
        scenes=read_scenes(project),
        prompt_language=specs.prompt_language,
        text=text,
    )
    folded_text = fold(text)
    modifications: list[Modification] = []
    unparsed: list[str] = []
    remarks: list[str] = []
    for start, end in _clauses(text):
        a, b = _trim(folded_text, start, end)
        folded, original = folded_text[a:b], text[a:b]
        if not folded.strip():
            continue
        if _NEGATION.search(folded) and not _REMARK.match(folded):
            unparsed.append(original.strip())
            continue
        remark = _SHOT_REMARK.fullmatch(folded)
        if _REMARK.fullmatch(folded) or (remark and _read_clause(reader, folded, original) is None):
            if remark:
                reader.shot_group(remark, "s")  # "shot 4 looks bad, redo it": "it" is shot 4
            remarks.append(original.strip())
            continue
        found = _read_clause(reader, folded, original)
        if found is None:
            unparsed.append(original.strip())
        else:
            modifications.extend(found)
    if not modifications and remarks:
        # Only remarks: there is something to do, but not something these rules can say.
        unparsed = [*remarks, *unparsed]
        remarks = []
    return ParsedFeedback(
        modifications=modifications,
        understood=not unparsed and bool(modifications),
        unparsed=unparsed,
        remarks=remarks,
    )
