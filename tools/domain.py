"""The domain model of StoryCore: one module the whole project imports.

Film vocabulary as typed data: :class:`TechnicalSpecs`, :class:`CreativeBrief`,
:class:`Scene`, :class:`ShotSpec`, :class:`Segment`, :class:`AssetMetadata` (an element of
the registry) and :class:`ProjectManifest` (``project.json``).

Times are frame counts at the project rate (``start_frame`` inclusive, ``end_frame``
exclusive); :mod:`storycore.tools.timecode` turns them into SMPTE, SRT or seconds. Enumerations
accept the usual aliases on input ("close-up", "CU" and "gros plan" all mean ``CU``) and are
always written as one canonical code.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from storycore.tools.rates import is_drop_frame_rate, parse_rate, rate_to_string

SCHEMA_VERSION = 1

# --------------------------------------------------------------------------------------
# Enumerations with aliases
# --------------------------------------------------------------------------------------


def _alias_key(text: str) -> str:
    """Fold an alias for lookup: accents off, lower case, punctuation to single spaces."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    folded = folded.lower().replace("'", "").replace("’", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


class _AliasEnum(StrEnum):
    """A string enum that reads aliases and writes its canonical value."""

    # Both set per subclass by _register, after its definition (an assignment in the class
    # body would make them members).
    _label: ClassVar[str]
    _lookup: ClassVar[dict[str, Any]]

    @classmethod
    def _register(cls, label: str, aliases: dict[str, list[str]]) -> None:
        cls._label = label
        table: dict[str, Any] = {}
        for member in cls:
            table[_alias_key(member.value)] = member
            table[_alias_key(member.name)] = member
        for value, words in aliases.items():
            member = cls(value)
            for word in words:
                table[_alias_key(word)] = member
        cls._lookup = table

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            return cls._lookup.get(_alias_key(value))
        return None

    @classmethod
    def parse(cls, value: object) -> Any:
        """Return the member for ``value`` or raise ``ValueError`` with a readable message."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            member = cls._lookup.get(_alias_key(value))
            if member is not None:
                return member
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f"unknown {cls._label} {value!r}; use one of {choices}")

    @classmethod
    def aliases(cls) -> dict[str, list[str]]:
        """Every accepted spelling, by canonical value (for help texts and docs)."""
        out: dict[str, list[str]] = {m.value: [] for m in cls}
        for key, member in cls._lookup.items():
            out[member.value].append(key)
        return out


class ShotSize(_AliasEnum):
    """How much of the subject the frame shows, widest first."""

    EWS = "EWS"  # extreme wide / extreme long shot
    WS = "WS"  # wide / long shot
    FS = "FS"  # full shot, head to toe
    MWS = "MWS"  # medium wide, cowboy, plan americain
    MS = "MS"  # medium, waist up
    MCU = "MCU"  # medium close-up, chest up
    CU = "CU"  # close-up, face
    ECU = "ECU"  # extreme close-up, a detail


ShotSize._register(
    "shot size",
    {
        "EWS": [
            "ELS",
            "XWS",
            "XLS",
            "extreme wide",
            "extreme wide shot",
            "extreme long shot",
            "very wide",
            "very long shot",
            "plan general",
            "grand plan d'ensemble",
            "tres grand plan d'ensemble",
            "plan tres large",
        ],
        "WS": ["LS", "wide", "wide shot", "long shot", "plan large", "plan d'ensemble"],
        "FS": ["full", "full shot", "full body", "full figure", "plan moyen", "plan en pied"],
        "MWS": [
            "MLS",
            "medium wide",
            "medium wide shot",
            "medium long shot",
            "medium full",
            "cowboy",
            "cowboy shot",
            "american shot",
            "plan americain",
            "plan genou",
        ],
        "MS": [
            "medium",
            "medium shot",
            "mid shot",
            "waist shot",
            "plan taille",
            "plan rapproche taille",
            "plan mi moyen",
        ],
        "MCU": [
            "medium close up",
            "medium closeup",
            "medium close",
            "chest shot",
            "plan rapproche",
            "plan rapproche poitrine",
            "plan poitrine",
        ],
        "CU": ["close up", "closeup", "close", "close shot", "gros plan", "GP"],
        "ECU": [
            "XCU",
            "BCU",
            "extreme close up",
            "extreme closeup",
            "big close up",
            "detail",
            "detail shot",
            "tres gros plan",
            "TGP",
            "plan de detail",
        ],
    },
)


class Framing(_AliasEnum):
    """Who is in the frame and from where (independent of the shot size)."""

    SINGLE = "single"
    TWO_SHOT = "two_shot"
    GROUP = "group"
    OTS = "ots"
    POV = "pov"
    INSERT = "insert"


Framing._register(
    "framing",
    {
        "single": ["one shot", "1 shot", "solo", "plan seul"],
        "two_shot": ["two shot", "2 shot", "two-shot", "2-shot", "plan a deux"],
        "group": ["group shot", "ensemble", "plan de groupe"],
        "ots": [
            "OTS",
            "over the shoulder",
            "over-the-shoulder",
            "over shoulder",
            "amorce",
            "par dessus l epaule",
            "plan amorce",
        ],
        "pov": ["POV", "point of view", "subjective", "camera subjective", "plan subjectif"],
        "insert": ["insert shot", "cutaway", "plan insert", "plan de coupe"],
    },
)


class CameraAngle(_AliasEnum):
    EYE_LEVEL = "eye_level"
    HIGH = "high"
    LOW = "low"
    DUTCH = "dutch"
    OVERHEAD = "overhead"
    BIRDS_EYE = "birds_eye"
    WORMS_EYE = "worms_eye"


CameraAngle._register(
    "camera angle",
    {
        "eye_level": [
            "eye level",
            "eye-level",
            "neutral",
            "normal",
            "hauteur des yeux",
            "niveau des yeux",
            "hauteur d homme",
        ],
        "high": ["high angle", "high-angle", "plongee", "vue plongeante"],
        "low": ["low angle", "low-angle", "contre plongee", "contreplongee"],
        "dutch": [
            "dutch angle",
            "dutch tilt",
            "canted",
            "canted angle",
            "oblique",
            "plan debulle",
            "plan incline",
            "angle hollandais",
        ],
        "overhead": [
            "top down",
            "top-down",
            "top shot",
            "overhead shot",
            "plongee totale",
            "zenithal",
            "vue zenithale",
        ],
        "birds_eye": [
            "bird's eye",
            "birds eye",
            "bird's-eye",
            "bird's eye view",
            "aerial",
            "vue aerienne",
            "vue d oiseau",
            "vol d oiseau",
        ],
        "worms_eye": [
            "worm's eye",
            "worms eye",
            "worm's-eye",
            "contre plongee totale",
            "ground level",
            "ras du sol",
        ],
    },
)


class CameraMovement(_AliasEnum):
    STATIC = "static"
    PAN = "pan"
    TILT = "tilt"
    DOLLY_IN = "dolly_in"
    DOLLY_OUT = "dolly_out"
    TRUCK = "truck"
    PEDESTAL = "pedestal"
    CRANE = "crane"
    ZOOM_IN = "zoom_in"
    ZOOM_OUT = "zoom_out"
    HANDHELD = "handheld"
    TRACKING = "tracking"
    ORBIT = "orbit"


CameraMovement._register(
    "camera movement",
    {
        "static": [
            "locked off",
            "locked-off",
            "fixed",
            "still",
            "none",
            "fixe",
            "plan fixe",
            "[cut]",
            "cut",
        ],
        "pan": ["pan left", "pan right", "whip pan", "panoramique", "panoramique horizontal"],
        "tilt": ["tilt up", "tilt down", "panoramique vertical", "bascule"],
        "dolly_in": ["dolly in", "push in", "push-in", "dolly", "travelling avant", "move in"],
        "dolly_out": [
            "dolly out",
            "pull out",
            "pull back",
            "pull-back",
            "travelling arriere",
            "move out",
        ],
        "truck": ["truck left", "truck right", "crab", "travelling lateral"],
        "pedestal": ["ped", "pedestal up", "pedestal down", "boom", "elevation"],
        "crane": ["crane up", "crane down", "jib", "drone", "grue"],
        "zoom_in": ["zoom", "zoom in", "zoom avant"],
        "zoom_out": ["zoom out", "zoom arriere"],
        "handheld": [
            "hand held",
            "hand-held",
            "shaky",
            "camera a l epaule",
            "epaule",
            "camera portee",
        ],
        "tracking": [
            "track",
            "tracking shot",
            "follow",
            "steadicam",
            "gimbal",
            "travelling",
            "suivi",
        ],
        "orbit": ["arc", "arc shot", "circle", "360", "orbital", "travelling circulaire"],
    },
)


class Transition(_AliasEnum):
    CUT = "cut"
    DISSOLVE = "dissolve"
    FADE_IN = "fade_in"
    FADE_OUT = "fade_out"
    WIPE = "wipe"
    MATCH_CUT = "match_cut"
    SMASH_CUT = "smash_cut"
    JUMP_CUT = "jump_cut"


Transition._register(
    "transition",
    {
        "cut": ["[cut]", "hard cut", "cut to", "straight cut", "coupe", "cut franc"],
        "dissolve": ["cross dissolve", "crossfade", "dissolve to", "fondu enchaine", "fondu"],
        "fade_in": ["fade in", "fade from black", "ouverture au noir", "ouverture en fondu"],
        "fade_out": ["fade out", "fade to black", "fondu au noir", "fermeture au noir"],
        "wipe": ["wipe to", "volet"],
        "match_cut": ["match cut", "match cut to", "raccord"],
        "smash_cut": ["smash cut", "smash cut to"],
        "jump_cut": ["jump cut", "jump cut to"],
    },
)


class SceneType(_AliasEnum):
    """What a shot must do, which drives the choice of generative model."""

    ATMOSPHERIC = "atmospheric"
    DIALOGUE = "dialogue"
    PERFORMANCE = "performance"
    ACTION = "action"
    ESTABLISHING = "establishing"
    CLOSE_UP = "close_up"
    TRANSITION = "transition"
    INSERT = "insert"


SceneType._register(
    "scene type",
    {
        "atmospheric": ["atmosphere", "mood", "ambient", "ambiance", "atmospherique"],
        "dialogue": ["dialog", "conversation", "talking"],
        "performance": ["lip sync", "lipsync", "lip-sync", "singing", "song", "performance"],
        "action": ["dynamic", "dynamic action", "fight", "chase"],
        "establishing": ["establishing shot", "establisher", "plan d etablissement"],
        "close_up": ["closeup", "close up", "character close up", "portrait"],
        "transition": ["interpolation", "bridge"],
        "insert": ["insert shot", "prop", "detail"],
    },
)


class ShotStatus(_AliasEnum):
    PENDING = "pending"
    GENERATING = "generating"
    REVIEW = "review"
    APPROVED = "approved"


ShotStatus._register("shot status", {"pending": ["todo", "planned"], "review": ["in review"]})


class ElementStatus(_AliasEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    LOCKED = "locked"


ElementStatus._register("element status", {})


class ElementType(_AliasEnum):
    CHARACTER = "character"
    LOCATION = "location"
    PROP = "prop"
    WARDROBE = "wardrobe"
    VEHICLE = "vehicle"
    STYLE = "style"
    AUDIO = "audio"
    OTHER = "other"


ElementType._register(
    "element type",
    {
        "character": ["char", "person", "cast", "personnage"],
        "location": ["loc", "place", "set", "setting", "lieu", "decor"],
        "prop": ["object", "item", "accessoire", "objet"],
        "wardrobe": ["costume", "outfit", "clothes"],
        "vehicle": ["car", "vehicule"],
        "style": ["look", "visual style"],
        "audio": ["sound", "music", "voice", "son", "musique"],
    },
)


class IntExt(_AliasEnum):
    INT = "INT"
    EXT = "EXT"
    INT_EXT = "INT/EXT"


IntExt._register(
    "interior/exterior",
    {
        "INT": ["interior", "int.", "interieur"],
        "EXT": ["exterior", "ext.", "exterieur"],
        "INT/EXT": ["I/E", "INT./EXT.", "EXT/INT", "INT EXT", "EXT./INT."],
    },
)


class Phase(_AliasEnum):
    """Where a project stands in the workflow, in workflow order."""

    NEW = "new"
    INTAKE = "intake"
    STRUCTURE = "structure"
    BREAKDOWN = "breakdown"
    ELEMENTS = "elements"
    MODEL_SELECTION = "model_selection"
    SEGMENTS = "segments"
    STORYBOARD = "storyboard"
    PLANNED = "planned"


Phase._register("phase", {})


def _enum_field(enum: type[_AliasEnum]) -> BeforeValidator:
    return BeforeValidator(enum.parse)


ShotSizeField = Annotated[ShotSize, _enum_field(ShotSize)]
FramingField = Annotated[Framing, _enum_field(Framing)]
CameraAngleField = Annotated[CameraAngle, _enum_field(CameraAngle)]
CameraMovementField = Annotated[CameraMovement, _enum_field(CameraMovement)]
TransitionField = Annotated[Transition, _enum_field(Transition)]
SceneTypeField = Annotated[SceneType, _enum_field(SceneType)]
ShotStatusField = Annotated[ShotStatus, _enum_field(ShotStatus)]
ElementStatusField = Annotated[ElementStatus, _enum_field(ElementStatus)]
ElementTypeField = Annotated[ElementType, _enum_field(ElementType)]
IntExtField = Annotated[IntExt, _enum_field(IntExt)]
PhaseField = Annotated[Phase, _enum_field(Phase)]

# --------------------------------------------------------------------------------------
# Small value types
# --------------------------------------------------------------------------------------

ASPECT_RATIOS: dict[str, Fraction] = {
    "16:9": Fraction(16, 9),
    "9:16": Fraction(9, 16),
    "1:1": Fraction(1, 1),
    "4:3": Fraction(4, 3),
    "3:4": Fraction(3, 4),
    "4:5": Fraction(4, 5),
    "21:9": Fraction(21, 9),
    "2.39:1": Fraction(239, 100),
    "1.85:1": Fraction(185, 100),
}


def parse_aspect_ratio(value: str) -> str:
    """Canonical aspect ratio ("16:9", "2.39:1") from "16/9", "16x9", "1.78", "2.39"..."""
    text = str(value).strip().lower().replace(" ", "")
    named = {
        "vertical": "9:16",
        "portrait": "9:16",
        "square": "1:1",
        "carre": "1:1",
        "carré": "1:1",
        "widescreen": "16:9",
        "landscape": "16:9",
        "horizontal": "16:9",
        "cinemascope": "2.39:1",
        "scope": "2.39:1",
        "anamorphic": "2.39:1",
        "2.35:1": "2.39:1",
        "2.40:1": "2.39:1",
        "2.4:1": "2.39:1",
        "1.78:1": "16:9",
        "1.77:1": "16:9",
        "1.33:1": "4:3",
        "1:1.78": "9:16",
    }
    if text in named:
        return named[text]
    text = re.sub(r"[/x×]", ":", text)
    if text in ASPECT_RATIOS:
        return text
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?", text)
    if match:
        a = Fraction(match.group(1))
        b = Fraction(match.group(2) or 1)
        if a > 0 and b > 0:
            ratio = a / b
            for name, exact in ASPECT_RATIOS.items():
                if abs(ratio - exact) < Fraction(2, 100):
                    return name
    raise ValueError(
        f"unknown aspect ratio {value!r}; use one of {', '.join(ASPECT_RATIOS)} "
        "(or vertical, square, cinemascope)"
    )


class Resolution(BaseModel):
    """A frame size in pixels."""

    model_config = ConfigDict(frozen=True)
    width: int = Field(gt=0, le=16384)
    height: int = Field(gt=0, le=16384)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            return parse_resolution(data).model_dump()
        return data

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"

    @property
    def aspect(self) -> Fraction:
        return Fraction(self.width, self.height)


_NAMED_RESOLUTIONS = {
    "480p": (854, 480),
    "540p": (960, 540),
    "720p": (1280, 720),
    "1080p": (1920, 1080),
    "fhd": (1920, 1080),
    "full hd": (1920, 1080),
    "hd": (1280, 720),
    "1440p": (2560, 1440),
    "2k": (2048, 1080),
    "qhd": (2560, 1440),
    "4k": (3840, 2160),
    "uhd": (3840, 2160),
    "2160p": (3840, 2160),
    "8k": (7680, 4320),
}


def parse_resolution(value: str) -> Resolution:
    text = str(value).strip().lower()
    if text in _NAMED_RESOLUTIONS:
        w, h = _NAMED_RESOLUTIONS[text]
        return Resolution(width=w, height=h)
    match = re.fullmatch(r"(\d{2,5})\s*[x×*]\s*(\d{2,5})", text)
    if not match:
        raise ValueError(
            f"unknown resolution {value!r}; write WIDTHxHEIGHT (1920x1080) or 720p, 1080p, 4K"
        )
    return Resolution(width=int(match.group(1)), height=int(match.group(2)))


def resolution_for(aspect_ratio: str, height_class: int = 1080) -> Resolution:
    """The usual frame size for an aspect ratio at a quality class (the short side)."""
    ratio = ASPECT_RATIOS[aspect_ratio]
    short = height_class
    if ratio >= 1:
        width = round(short * ratio / 2) * 2
        return Resolution(width=width, height=short)
    height = round(short / ratio / 2) * 2
    return Resolution(width=short, height=height)


def _fps_field(value: Any) -> str:
    return rate_to_string(parse_rate(value))


FpsField = Annotated[str, BeforeValidator(_fps_field)]
AspectField = Annotated[str, BeforeValidator(parse_aspect_ratio)]

_ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


class _Model(BaseModel):
    """Base of every persisted model: unknown keys are refused, assignments validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)

    def digest(self, *, exclude: set[str] | None = None) -> str:
        """A stable SHA-256 of the model's JSON (sorted keys), for staleness and versions."""
        data = self.model_dump(mode="json", exclude=exclude)
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


# --------------------------------------------------------------------------------------
# Technical specs and brief
# --------------------------------------------------------------------------------------


class ModelPreferences(_Model):
    """The user's wishes about generative models."""

    prefer: list[str] = Field(default_factory=list, description="Model ids to favour.")
    avoid: list[str] = Field(default_factory=list, description="Model ids never to use.")
    local_only: bool = Field(False, description="Refuse cloud models.")
    vram_gb: float | None = Field(None, gt=0, description="GPU memory available locally.")


Pace = Literal["trailer", "music_video", "short_film", "ad", "series"]


class TechnicalSpecs(_Model):
    """Per-project technical specs. Defaults: 16:9, 1920x1080, 24 fps, English."""

    aspect_ratio: AspectField = "16:9"
    resolution: Resolution = Field(default_factory=lambda: Resolution(width=1920, height=1080))
    fps: FpsField = Field("24", description="Exact rational frame rate: 24, 25, 30000/1001...")
    drop_frame: bool | None = Field(
        None, description="Drop-frame timecode at 29.97 and 59.94 (default: yes at those rates)."
    )
    language: str = Field("en", description="The language the assistant answers in.")
    prompt_language: str = Field(
        "en", description="The language generation prompts are written in."
    )
    style: str | None = None
    required_prompt_elements: list[str] = Field(default_factory=list)
    camera_movement_rule: str | None = Field(None, description="e.g. 'dynamic except on cuts'")
    cut_marker: str = "[cut]"
    models: ModelPreferences = Field(default_factory=ModelPreferences)
    budget_usd: float | None = Field(None, ge=0)
    duration_seconds: float | None = Field(
        None,
        gt=0,
        le=4 * 3600,
        description="Target length of the finished video (the brief's, or --duration).",
    )
    pace: Pace = "short_film"
    words_per_second: float = Field(
        2.5, gt=0.5, le=6, description="Speech rate for dialogue timing."
    )
    max_segment_seconds: float = Field(60.0, gt=0)

    @field_validator("language", "prompt_language")
    @classmethod
    def _lang(cls, value: str) -> str:
        return normalize_language(value)

    @model_validator(mode="after")
    def _drop_frame_only_at_ntsc(self) -> Self:
        if self.drop_frame and not is_drop_frame_rate(self.rate):
            raise ValueError(f"drop-frame timecode does not exist at {self.fps} fps")
        return self

    @property
    def rate(self) -> Fraction:
        return parse_rate(self.fps)

    @property
    def uses_drop_frame(self) -> bool:
        return is_drop_frame_rate(self.rate) if self.drop_frame is None else self.drop_frame


_LANGUAGES = {
    "en": ["english", "anglais", "eng", "en-us", "en-gb"],
    "fr": ["french", "francais", "français", "fra", "fr-fr"],
    "es": ["spanish", "espagnol", "espanol", "español"],
    "de": ["german", "allemand", "deutsch"],
    "it": ["italian", "italien", "italiano"],
    "pt": ["portuguese", "portugais", "portugues", "português"],
    "ja": ["japanese", "japonais", "日本語", "jp"],
    "zh": ["chinese", "chinois", "中文", "mandarin"],
    "ko": ["korean", "coreen", "coréen", "한국어"],
}
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "ja": "Japanese",
    "zh": "Chinese",
    "ko": "Korean",
}


def normalize_language(value: str) -> str:
    """ISO 639-1 code for a language name or code ("French", "français", "fr" -> "fr")."""
    text = str(value).strip().lower()
    if text in _LANGUAGES:
        return text
    for code, names in _LANGUAGES.items():
        if text in names:
            return code
    raise ValueError(f"unknown language {value!r}; use one of {', '.join(_LANGUAGES)} or its name")


class BriefElement(_Model):
    """A character, location or prop named in a brief."""

    name: str = Field(min_length=1, max_length=200)
    description: str = ""


class BriefScene(_Model):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    duration_seconds: float | None = Field(None, gt=0)


class CreativeBrief(_Model):
    """The brief as understood: what the creator asked for, and what was not understood."""

    schema_version: int = SCHEMA_VERSION
    title: str = "Untitled"
    text: str = Field("", description="The free text of the brief (logline, synopsis, notes).")
    source_format: Literal["brief", "fountain", "prose"] = "brief"
    duration_seconds: float | None = Field(None, gt=0, le=4 * 3600)
    technical_specs: TechnicalSpecs = Field(default_factory=TechnicalSpecs)
    characters: list[BriefElement] = Field(default_factory=list)
    locations: list[BriefElement] = Field(default_factory=list)
    props: list[BriefElement] = Field(default_factory=list)
    scenes: list[BriefScene] = Field(default_factory=list)
    style_words: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(
        default_factory=list, description="Contradictions resolved by a rule."
    )
    not_understood: list[str] = Field(
        default_factory=list, description="Keys or values the parser could not use."
    )


# --------------------------------------------------------------------------------------
# Scenes, shots, segments
# --------------------------------------------------------------------------------------


class DialogueLine(_Model):
    character: str
    text: str
    parenthetical: str | None = None


class Beat(_Model):
    """One unit of a scene: a line of action or of dialogue, in story order."""

    kind: Literal["action", "dialogue", "transition"]
    text: str
    character: str | None = None
    parenthetical: str | None = None
    extension: str | None = Field(
        None, description="A character cue's extension: V.O., O.S., O.C. (the speaker unseen)."
    )
    dual: bool = Field(False, description="Spoken at the same time as the neighbouring line.")


class Scene(_Model):
    scene_id: str = Field(pattern=r"^sc_\d{2,3}[a-z]?$", description="sc_01, sc_02...")
    number: str = Field(description="The screenplay's scene number ('1', '12A') or its order.")
    heading: str = ""
    location: str | None = Field(None, description="Location name as written.")
    int_ext: IntExtField | None = None
    time_of_day: str | None = None
    description: str = ""
    characters: list[str] = Field(default_factory=list, description="Character names.")
    props: list[str] = Field(default_factory=list, description="Prop names.")
    beats: list[Beat] = Field(default_factory=list)
    target_seconds: float | None = Field(None, gt=0)
    transition_in: TransitionField = Transition.CUT


class ShotSpec(_Model):
    """One shot: timing, framing, content, audio, assets, technical, status."""

    # identity and timing (frames at the project rate; end exclusive)
    shot_id: str = Field(pattern=r"^shot_\d{2,4}[a-z]{0,2}$", description="shot_01, shot_04a")
    title: str = Field("", max_length=200, description="A short name; its folder's name.")
    segment_id: str | None = Field(None, pattern=r"^seg_\d{2,3}$")
    scene: str = Field("1", description="Scene number this shot belongs to.")
    start_frame: int = Field(ge=0)
    end_frame: int = Field(gt=0, description="Exclusive: the next shot's start_frame.")
    # framing
    shot_size: ShotSizeField = ShotSize.MS
    framing: FramingField = Framing.SINGLE
    camera_angle: CameraAngleField = CameraAngle.EYE_LEVEL
    camera_movement: CameraMovementField = CameraMovement.STATIC
    camera_details: str = ""
    lens_mm: float = Field(
        35, gt=4, lt=1200, description="Focal length in mm (full-frame equivalent)."
    )
    scene_type: SceneTypeField = SceneType.ATMOSPHERIC
    # content
    description: str = ""
    action: str = ""
    characters: list[str] = Field(default_factory=list, description="Element ids.")
    location: str | None = Field(None, description="Element id of the location.")
    props: list[str] = Field(default_factory=list, description="Element ids.")
    time_of_day: str | None = None
    weather: str | None = None
    # audio
    music_cue: str | None = None
    vocals_type: Literal["none", "rap", "singing", "growl", "spoken", "instrumental"] | None = None
    lyrics_ref: str | None = None
    dialogue: list[DialogueLine] = Field(default_factory=list)
    narration: str | None = None
    sound_effects: list[str] = Field(default_factory=list)
    # assets
    start_keyframe: str | None = None
    end_keyframe: str | None = None
    reference_images: list[str] = Field(default_factory=list)
    # technical overrides (None: the project's)
    aspect_ratio: AspectField | None = None
    fps: FpsField | None = None
    resolution: Resolution | None = None
    # transitions and continuity
    transition_in: TransitionField = Transition.CUT
    transition_out: TransitionField = Transition.CUT
    continues_from: str | None = Field(
        None, description="Shot whose last frame starts this one (continuity)."
    )
    split_from: str | None = Field(None, description="The planned shot this one was split from.")
    # generation
    model_id: str | None = None
    fallback_models: list[str] = Field(default_factory=list)
    model_reason: str | None = None
    image_prompt: str = ""
    video_prompt: str = ""
    negative_prompt: str = ""
    generation_notes: str = ""
    generation_hash: str | None = Field(
        None,
        description="shot_generation_hash of the spec its media was generated from; None: "
        "no valid media yet (see storycore.tools.regeneration).",
    )
    # status
    status: ShotStatusField = ShotStatus.PENDING
    version: int = Field(1, ge=1)
    locked: bool = False

    @model_validator(mode="before")
    @classmethod
    def _check_times(cls, data: Any) -> Any:
        # Checked before field validation so the message names the shot and both frames.
        if isinstance(data, dict):
            start, end = data.get("start_frame"), data.get("end_frame")
            if isinstance(start, int) and isinstance(end, int):
                name = data.get("shot_id", "the shot")
                if end == start:
                    raise ValueError(
                        f"{name} has a zero duration (starts and ends at frame {start})"
                    )
                if end < start:
                    raise ValueError(f"{name} ends (frame {end}) before it starts (frame {start})")
        return data

    @property
    def duration_frames(self) -> int:
        return self.end_frame - self.start_frame

    def element_ids(self) -> list[str]:
        """Every element this shot shows: characters, location, props."""
        ids = list(self.characters)
        if self.location:
            ids.append(self.location)
        ids.extend(self.props)
        return ids


class Segment(_Model):
    """A run of consecutive shots produced and reviewed together."""

    segment_id: str = Field(pattern=r"^seg_\d{2,3}$")
    title: str = ""
    shot_ids: list[str] = Field(min_length=1)
    start_frame: int = Field(ge=0)
    end_frame: int = Field(gt=0)
    transition_in: TransitionField = Transition.CUT
    transition_out: TransitionField = Transition.CUT
    depends_on: list[str] = Field(
        default_factory=list,
        description="Segments whose last frame this one continues from (continuity).",
    )
    status: ShotStatusField = ShotStatus.PENDING
    folder: str | None = Field(None, description="Relative, under 05_sequences/.")

    @model_validator(mode="after")
    def _check_times(self) -> Self:
        if self.end_frame <= self.start_frame:
            raise ValueError(
                f"{self.segment_id} ends (frame {self.end_frame}) at or before it starts "
                f"(frame {self.start_frame})"
            )
        return self


# --------------------------------------------------------------------------------------
# Elements (the asset registry)
# --------------------------------------------------------------------------------------


class ReferenceImage(_Model):
    path: str = Field(description="Relative to the element's folder.")
    original_path: str | None = Field(None, description="Where the user's file came from.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    role: str = "reference"


class ElementContent(_Model):
    """What a version of an element says: everything that changes the prompts."""

    name: str = Field(min_length=1, max_length=200)
    canonical_description: str = Field(
        "", max_length=4000, description="What every prompt showing this element must say."
    )
    attributes: dict[str, str] = Field(
        default_factory=dict, description="Named traits: hair, eyes, costume, colour..."
    )
    reference_images: list[ReferenceImage] = Field(default_factory=list)
    generation_parameters: dict[str, Any] = Field(default_factory=dict)


class ElementVersion(_Model):
    version: int = Field(ge=1)
    content_hash: str
    created_at: str
    note: str = ""
    content: ElementContent


class AssetMetadata(_Model):
    """An element of the registry (character, location, prop, style...) with its versions."""

    schema_version: int = SCHEMA_VERSION
    element_id: str = Field(pattern=_ID_PATTERN)
    type: ElementTypeField
    name: str = Field(min_length=1, max_length=200)
    aliases: list[str] = Field(default_factory=list, description="Other spellings of the name.")
    canonical_description: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)
    reference_images: list[ReferenceImage] = Field(default_factory=list)
    generation_parameters: dict[str, Any] = Field(default_factory=dict)
    status: ElementStatusField = ElementStatus.DRAFT
    current_version: int = Field(1, ge=1)
    versions: list[ElementVersion] = Field(default_factory=list)
    shots: list[str] = Field(default_factory=list, description="Shot ids that show this element.")
    derived_from: str | None = Field(None, description="Element this one is a variant of.")

    def content(self) -> ElementContent:
        return ElementContent(
            name=self.name,
            canonical_description=self.canonical_description,
            attributes=dict(self.attributes),
            reference_images=list(self.reference_images),
            generation_parameters=dict(self.generation_parameters),
        )

    @property
    def locked(self) -> bool:
        return self.status is ElementStatus.LOCKED


# --------------------------------------------------------------------------------------
# The project manifest (project.json)
# --------------------------------------------------------------------------------------


class ElementRef(_Model):
    element_id: str
    type: ElementTypeField
    name: str
    folder: str = Field(description="Relative, under 01_elements/.")


class ShotRef(_Model):
    shot_id: str
    folder: str = Field(description="Relative, under 02_shots/.")
    status: ShotStatusField = ShotStatus.PENDING
    version: int = 1


class ProjectManifest(_Model):
    """``project.json``: specs, phase, and the index of elements and shots (timeline order)."""

    schema_version: int = SCHEMA_VERSION
    generator: str = "storycore-assistant"
    title: str = "Untitled"
    technical_specs: TechnicalSpecs = Field(default_factory=TechnicalSpecs)
    phase: PhaseField = Phase.NEW
    elements: list[ElementRef] = Field(default_factory=list)
    shots: list[ShotRef] = Field(default_factory=list)
    segments: list[Segment] = Field(default_factory=list)


#: Models whose JSON Schema ``storycore schema NAME`` prints.
SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "TechnicalSpecs": TechnicalSpecs,
    "CreativeBrief": CreativeBrief,
    "Scene": Scene,
    "ShotSpec": ShotSpec,
    "Segment": Segment,
    "AssetMetadata": AssetMetadata,
    "ProjectManifest": ProjectManifest,
}


def format_validation_error(error: ValidationError, *, subject: str | None = None) -> str:
    """One readable line from a pydantic ``ValidationError`` (the first problem, then a count)."""
    problems = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "__root__")
        message = str(item.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if item.get("type") == "extra_forbidden":
            message = "unknown field"
        elif item.get("type") == "missing":
            message = "required field is missing"
        problems.append(f"{where}: {message}" if where else message)
    head = problems[0] if problems else str(error)
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    prefix = f"{subject}: " if subject else ""
    return f"{prefix}{head}{more}"
