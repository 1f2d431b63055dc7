"""Film vocabulary as enumerations that read aliases and write one canonical code.

"close-up", "CU" and "gros plan" all mean :attr:`ShotSize.CU`. Each enumeration has an
annotated ``...Field`` type that pydantic models use to accept the aliases on input.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator

from storycore.tools.text import alias_key

# The alias fold, under its former private name.
_alias_key = alias_key


class _AliasEnum(StrEnum):
    """A string enum that reads aliases and writes its canonical value."""

    # Both set per subclass by _register, after its definition (an assignment in the class
    # body would make them members).
    _label: ClassVar[str]
    _lookup: ClassVar[dict[str, Any]]
    #: What :meth:`parse` found for each exact text it was given (``alias_key`` is a pure
    #: function: the same text finds the same member), so a value is folded once.
    _found: ClassVar[dict[str, Any]]

    @classmethod
    def _register(cls, label: str, aliases: dict[str, list[str]]) -> None:
        cls._label = label
        table: dict[str, Any] = {}
        for member in cls:
            table[alias_key(member.value)] = member
            table[alias_key(member.name)] = member
        for value, words in aliases.items():
            member = cls(value)
            for word in words:
                table[alias_key(word)] = member
        cls._lookup = table
        cls._found = {}

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            return cls._lookup.get(alias_key(value))
        return None

    @classmethod
    def parse(cls, value: object) -> Any:
        """Return the member for ``value`` or raise ``ValueError`` with a readable message."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            member = cls._found.get(value)
            if member is not None:
                return member
            member = cls._lookup.get(alias_key(value))
            if member is not None:
                if len(cls._found) < 4096:
                    cls._found[value] = member
                return member
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f"unknown {cls._label} {value!r}; use one of {choices}")

    @classmethod
    def from_key(cls, key: str) -> Any:
        """The member an already folded alias (:func:`alias_key`) names, or None."""
        return cls._lookup.get(key)

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


#: The French names of the shot sizes, widest first: one table, read by the vocabulary (these
#: aliases) and by the size rewrite of descriptions and prompts
#: (:mod:`storycore.tools.regeneration.rewrite`). "Plan moyen" is a full shot, head to toe
#: (the "plan en pied" of the prompts' French vocabulary), as in the French school's scale
#: (plan d'ensemble, plan moyen, plan américain, plan rapproché...); the waist-up shot is the
#: "plan taille" (or "plan mi-moyen").
FRENCH_SHOT_SIZES: dict[str, tuple[str, ...]] = {
    "EWS": (
        "plan general",
        "grand plan d'ensemble",
        "tres grand plan d'ensemble",
        "plan tres large",
    ),
    "WS": ("plan large", "plan d'ensemble"),
    "FS": ("plan moyen", "plan en pied"),
    "MWS": ("plan americain", "plan genou"),
    "MS": ("plan taille", "plan rapproche taille", "plan mi moyen"),
    "MCU": ("plan rapproche", "plan rapproche poitrine", "plan poitrine"),
    "CU": ("gros plan",),
    "ECU": ("tres gros plan", "plan de detail"),
}

ShotSize._register(
    "shot size",
    {
        size: [*english, *FRENCH_SHOT_SIZES[size]]
        for size, english in {
            "EWS": [
                *("ELS", "XWS", "XLS", "extreme wide", "extreme wide shot"),
                *("extreme long shot", "very wide", "very long shot"),
            ],
            "WS": ["LS", "wide", "wide shot", "long shot"],
            "FS": ["full", "full shot", "full body", "full figure"],
            "MWS": [
                *("MLS", "medium wide", "medium wide shot", "medium long shot", "medium full"),
                *("cowboy", "cowboy shot", "american shot"),
            ],
            "MS": ["medium", "medium shot", "mid shot", "waist shot"],
            "MCU": ["medium close up", "medium closeup", "medium close", "chest shot"],
            "CU": ["close up", "closeup", "close", "close shot", "GP"],
            "ECU": [
                *("XCU", "BCU", "extreme close up", "extreme closeup", "big close up"),
                *("detail", "detail shot", "TGP"),
            ],
        }.items()
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
        "cut": [
            *("[cut]", "hard cut", "cut to", "straight cut", "coupe", "cut franc"),
            *("cut sec", "coupe franche", "coupe seche"),
        ],
        "dissolve": [
            *("cross dissolve", "crossfade", "dissolve to", "fondu enchaine", "fondu"),
            *("enchaine", "lap dissolve"),
        ],
        "fade_in": [
            *("fade in", "fade from black", "ouverture au noir", "ouverture en fondu"),
            *("fade up", "fondu d'ouverture", "ouverture en fondu au noir", "fade in from black"),
        ],
        "fade_out": [
            *("fade out", "fade to black", "fondu au noir", "fermeture au noir"),
            *("fade to white", "fondu au blanc", "fermeture en fondu", "fondu de fermeture"),
            *("fondu de sortie", "fade out to black"),
        ],
        "wipe": ["wipe to", "volet"],
        "match_cut": ["match cut", "match cut to", "raccord", "raccord mouvement"],
        "smash_cut": ["smash cut", "smash cut to", "cut brutal"],
        "jump_cut": ["jump cut", "jump cut to", "faux raccord"],
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
