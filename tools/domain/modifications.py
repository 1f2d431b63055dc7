"""The typed modifications: one flat pydantic model per kind of change, discriminated by
``kind``. They are the argument schemas of the tools that change a plan (see
:data:`MODIFICATION_TOOLS`), so a language model produces them through tool calls.

To add a kind of change: add its model here (and to :data:`Modification` and
:data:`MODIFICATION_TYPES`), its handler in :mod:`storycore.tools.regeneration`'s ``edit_*``
modules, and, if users say it in words, a phrasing in :mod:`storycore.tools.feedback.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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

from storycore.tools.domain.error_messages import format_validation_error
from storycore.tools.domain.vocabulary import (
    CameraAngle,
    CameraMovement,
    Framing,
    SceneType,
    ShotSize,
    Transition,
)
from storycore.tools.errors import InvalidInput
from storycore.tools.text import fold_same_length as fold

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


SpecFieldName = Literal["duration_seconds", "fps", "aspect_ratio", "resolution"]
#: The project-wide specs :class:`ChangeProjectSpec` may change.
SPEC_FIELDS: tuple[str, ...] = get_args(SpecFieldName)
_SPEC_ALIASES = {
    "duration": "duration_seconds",
    "length": "duration_seconds",
    "frame_rate": "fps",
    "framerate": "fps",
    "rate": "fps",
    "aspect": "aspect_ratio",
    "ratio": "aspect_ratio",
    "format": "aspect_ratio",
    "size": "resolution",
}
_ASPECT_WORDS = {
    "verticale": "9:16",
    "vertical": "9:16",
    "portrait": "9:16",
    "paysage": "16:9",
    "horizontale": "16:9",
    "horizontal": "16:9",
    "landscape": "16:9",
    "widescreen": "16:9",
    "carre": "1:1",
    "square": "1:1",
}


def normalise_spec_value(field_name: str, value: Any) -> str:
    """The canonical text of a :class:`ChangeProjectSpec` value, or ``ValueError`` with one
    sentence: a duration in seconds ("90", from "90 s", "1m30", "1:30"), a supported frame
    rate ("25", "30000/1001", "29.97 drop-frame" -> "30000/1001 DF"), an aspect ratio
    ("16:9", from "16/9", "vertical", "carré") or a resolution ("4k", "1080p", "1920x1080").
    """
    # The brief's readers live above the domain package: imported here, not at the top.
    from storycore.tools.brief.values import is_named_resolution, parse_duration, parse_fps
    from storycore.tools.domain.values import parse_aspect_ratio, parse_resolution

    text = " ".join(str(value if value is not None else "").split())
    if not text:
        raise ValueError(f"{field_name} needs a value")
    if field_name == "duration_seconds":
        seconds = parse_duration(text)
        return f"{seconds:g}"
    if field_name == "fps":
        rate, drop = parse_fps(text)
        return rate if drop is None else f"{rate} {'DF' if drop else 'NDF'}"
    if field_name == "aspect_ratio":
        return parse_aspect_ratio(_ASPECT_WORDS.get(fold(text).lower(), text))
    if field_name == "resolution":
        size = parse_resolution(text)
        if is_named_resolution(text):
            return text.strip().lower()
        return f"{size.width}x{size.height}"
    raise ValueError(f"{field_name!r} is not a project spec feedback can change")


class ChangeProjectSpec(_Modification):
    """Change a spec of the whole project: its total duration (every shot is re-timed in
    proportion, the total exact to the frame), its frame rate (every frame count and
    timecode is recomputed at the new rate), its aspect ratio or its resolution (the models
    are checked again and every shot's media is redone)."""

    kind: Literal["change_project_spec"] = "change_project_spec"
    field: SpecFieldName = Field(description="Which project spec to change.")
    value: str = Field(
        description="The new value: duration_seconds in seconds ('90', '1m30'); fps a "
        "supported rate ('25', '29.97', '24000/1001'); aspect_ratio '16:9', '9:16', '1:1', "
        "'4:3', '2.39:1' (or 'vertical', 'square'); resolution '720p', '1080p', '4K' or "
        "WIDTHxHEIGHT."
    )

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("field"), str) and "value" in data:
            name = _SPEC_ALIASES.get(data["field"].strip().lower(), data["field"])
            value = data["value"]
            if isinstance(value, int | float | str) and name in SPEC_FIELDS:
                data = {**data, "field": name, "value": normalise_spec_value(name, value)}
        return data


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
    | Unlock
    | ChangeProjectSpec,
    Field(discriminator="kind"),
]
#: Every modification class (the assistant's tool list, in this order).
MODIFICATION_TYPES: tuple[type[_Modification], ...] = get_args(get_args(Modification)[0])
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
