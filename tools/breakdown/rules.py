"""The rules (data): every creative number of a breakdown in one place.

``docs/breakdown-rules.md`` explains them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from storycore.tools.breakdown.text import _words
from storycore.tools.domain import (
    CameraMovement,
    Framing,
    SceneType,
    ShotSize,
)

#: No shot of a plan is shorter than this many frames (half a second at 24 fps).
MIN_SHOT_FRAMES = 12

#: Shot ids run from shot_01 to shot_999.
_MAX_SHOTS = 999

# --------------------------------------------------------------------------------------
# The rules (data): every creative number in one place
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaceTiming:
    """Shot lengths for a kind of film, in seconds."""

    base: float
    """The typical shot: an establishing or atmospheric shot lasts this long."""
    min: float
    """No designed shot is shorter (before fitting to a target)."""
    max: float
    """A longer beat is covered by several shots (split at sentence ends)."""


@dataclass(frozen=True)
class FramingRule:
    """How to frame an action line that uses one of ``words``."""

    name: str
    words: frozenset[str]
    shot_size: ShotSize
    camera_movement: CameraMovement
    scene_type: SceneType
    framing: Framing = Framing.SINGLE


@dataclass(frozen=True)
class Coverage:
    """One set-up of dialogue coverage."""

    framing: Framing
    shot_size: ShotSize


@dataclass(frozen=True)
class BreakdownRules:
    """The cinematographer's and editor's rules that :func:`design_shots` applies."""

    pace: Mapping[str, PaceTiming]
    lens_mm: Mapping[ShotSize, float]
    action_words_per_second: float
    """Reading speed of action lines: how long an action line holds the screen."""
    action_floor: float
    """An action shot lasts at least this fraction of the pace's base."""
    dialogue_padding: float
    """Seconds added to each line's speaking time (breath, a look before the cut)."""
    kind_factor: Mapping[str, float]
    """Length of an establishing, atmospheric, insert or reaction shot, times the base."""
    action_rules: Sequence[FramingRule]
    """Checked in order; the first rule with a word in the action line frames it."""
    coverage_opening: Coverage
    coverage_cycle: Sequence[Coverage]
    monologue_cycle: Sequence[ShotSize]
    reaction_pause_words: frozenset[str]
    reaction_min_gap: int
    """Dialogue lines between two reaction shots, at least."""
    small_props: frozenset[str]
    """Head nouns of props small enough for an extreme close-up insert."""
    weather_words: Mapping[str, frozenset[str]]
    reduction_order: Sequence[str]
    """What goes first when a target is too short for every shot."""
    pronouns: Mapping[str, frozenset[str]]
    """An action line with these and no name shows who the previous shot showed: one person
    per group used ("she ... him": two), two for a plural."""
    weather_ended: frozenset[str]
    """Words after a weather word that say it is over ("the rain has stopped")."""
    stretch_limit: float = 1.5
    """A scene whose share of the target is more than this many times its natural length (or
    whose shots would average more than the pace's longest) gets coverage shots instead of
    longer shots."""
    coverage_order: Sequence[str] = (
        "close_up",
        "medium",
        "performance",
        "tracking",
        "insert",
        "atmosphere",
    )
    """The set-ups coverage cycles through (those that apply to the beat; see
    ``docs/breakdown-rules.md``)."""
    performance_words: frozenset[str] = frozenset()
    """A beat with one of these words gets performance coverage at a performance pace."""
    performance_paces: frozenset[str] = frozenset({"music_video"})
    """Paces whose coverage includes performance shots (orbit around who sings or plays)."""


DEFAULT_RULES = BreakdownRules(
    pace={
        "trailer": PaceTiming(base=3.0, min=1.0, max=5.0),
        "music_video": PaceTiming(base=2.0, min=0.8, max=4.0),
        "short_film": PaceTiming(base=6.0, min=2.0, max=10.0),
        "ad": PaceTiming(base=2.5, min=1.0, max=5.0),
        "series": PaceTiming(base=4.5, min=1.5, max=8.0),
    },
    lens_mm={
        ShotSize.EWS: 18,
        ShotSize.WS: 24,
        ShotSize.FS: 28,
        ShotSize.MWS: 35,
        ShotSize.MS: 40,
        ShotSize.MCU: 50,
        ShotSize.CU: 85,
        ShotSize.ECU: 100,
    },
    action_words_per_second=3.0,
    action_floor=0.6,
    dialogue_padding=0.5,
    kind_factor={
        "establishing": 1.0,
        "atmospheric": 1.0,
        "insert": 0.5,
        "reaction": 0.4,
        "coverage": 1.0,
    },
    action_rules=(
        FramingRule(
            # First: "she falls asleep", "il s'endort en tombant de sommeil" are held still,
            # whatever other word ("falls", "tombe") the line also has.
            "stillness",
            _words(
                "asleep sleeps sleep sleeping dozes dozing naps napping slumbers sits seated "
                "sitting waits waiting reads reading breathes breathing rests resting lies "
                "lying motionless "
                "dort dorment dormir endort endorment endormi endormie endormis sommeil "
                "somnole assis assise assoit assied attend attendent lit lisent respire "
                "repose allonge allongee immobile"
            ),
            ShotSize.MS,
            CameraMovement.STATIC,
            SceneType.ATMOSPHERIC,
        ),
        FramingRule(
            "fast action",
            _words(
                "run runs running ran races racing sprints chase chases chasing fight fights "
                "fighting punches punch kicks jumps jump leaps falls fall crashes flees escape "
                "escapes struggles dives attack attacks shoots explodes "
                "court courent courir cours fuit fuient enfuit saute sautent tombe tombent "
                "poursuit poursuivent frappe frappent bat battent plonge attaque tire explose"
            ),
            ShotSize.FS,
            CameraMovement.HANDHELD,
            SceneType.ACTION,
        ),
        FramingRule(
            "performance",
            _words(
                "sings sing singing dances dance dancing raps rapping performs performing "
                "chante chantent chanter danse dansent danser rappe"
            ),
            ShotSize.MS,
            CameraMovement.ORBIT,
            SceneType.PERFORMANCE,
        ),
        FramingRule(
            "movement",
            _words(
                "walks walk walking crosses follows enters leaves exits drives rides climbs "
                "wanders approaches steps strolls hurries arrives "
                "marche marchent traverse traversent suit suivent entre entrent sort sortent "
                "conduit monte descend approche avance avancent arrive arrivent"
            ),
            ShotSize.FS,
            CameraMovement.TRACKING,
            SceneType.ACTION,
        ),
        FramingRule(
            "emotion",
            _words(
                "looks stares gazes glances smiles cries weeps tears eyes face whispers blinks "
                "frowns trembles hesitates "
                "regarde regardent fixe sourit pleure larmes yeux visage murmure tremble hesite"
            ),
            ShotSize.CU,
            CameraMovement.DOLLY_IN,
            SceneType.CLOSE_UP,
        ),
    ),
    coverage_opening=Coverage(Framing.TWO_SHOT, ShotSize.MS),
    coverage_cycle=(
        Coverage(Framing.OTS, ShotSize.MS),
        Coverage(Framing.SINGLE, ShotSize.CU),
        Coverage(Framing.OTS, ShotSize.MCU),
        Coverage(Framing.SINGLE, ShotSize.CU),
        Coverage(Framing.TWO_SHOT, ShotSize.MS),
    ),
    monologue_cycle=(ShotSize.MS, ShotSize.MCU, ShotSize.CU),
    reaction_pause_words=frozenset(
        {"beat", "a beat", "long beat", "pause", "a pause", "long pause", "silence"}
        | {"un temps", "temps", "un silence", "beat then"}
    ),
    reaction_min_gap=2,
    small_props=_words(
        "ring key keys letter note photo photograph picture watch phone coin button card "
        "ticket pill pills bullet locket necklace pen envelope lighter match matches badge "
        "bague cle cles lettre mot photo montre telephone piece bouton carte billet pilule "
        "balle medaillon collier stylo enveloppe briquet allumette"
    ),
    weather_words={
        "rain": _words("rain raining rainy downpour drizzle pluie pleut averse bruine"),
        "snow": _words("snow snowing snowy blizzard neige neigeux"),
        "fog": _words("fog foggy mist misty haze brouillard brume brumeux"),
        "storm": _words("storm stormy thunderstorm lightning orage tempete eclair"),
        "wind": _words("wind windy gale vent venteux rafale"),
    },
    reduction_order=("reaction", "insert", "establishing", "merge"),
    pronouns={
        "masculine": _words("he him his himself il"),
        "feminine": _words("she her hers herself elle"),
        "either": _words("lui"),
        "plural": _words("they them their themselves ils elles eux leur leurs"),
    },
    weather_ended=_words(
        "stopped stops stop over ended cleared clears lifted lifts gone "
        "cesse arrete arretee terminee fini finie"
    ),
    performance_words=_words(
        "sings sing singing dances dance dancing raps rapping performs performing plays play "
        "playing drums drumming strums "
        "chante chantent chanter chantant danse dansent danser dansant rappe joue jouent jouer "
        "jouant"
    ),
)
