"""The scene breakdown engine: briefs, prose and screenplays to scenes, scenes to timed shots.

Three steps, each a pure function over the domain model so a planner (or an LLM that improves
the creative choices) can run, replace or correct any one of them:

1. **Scenes** — :func:`scenes_from_brief`, :func:`scenes_from_prose` (and
   :func:`storycore.tools.fountain.scenes_from_fountain` for screenplays).
2. **Shots** — :func:`design_shots` turns scenes into a :class:`Breakdown`: shots framed by
   the rules of :data:`DEFAULT_RULES` (establishing shots, dialogue coverage, reactions,
   inserts, lens and movement to match), timed from their content at the project's pace, and
   fitted to a target length exactly to the frame; a target far longer than the story gets
   more shots (coverage), not longer ones.
3. **Edits** — :func:`split_long_shots` cuts a shot longer than its model's longest clip into
   continuous parts; :func:`retime` makes timecodes contiguous again after any edit.

Every number a cinematographer or editor would argue about lives in :class:`BreakdownRules`;
``docs/breakdown-rules.md`` explains them.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from storycore.tools.brief import story_text
from storycore.tools.domain import (
    Beat,
    BriefScene,
    CameraAngle,
    CameraMovement,
    CreativeBrief,
    DialogueLine,
    Framing,
    IntExt,
    Scene,
    SceneType,
    ShotSize,
    ShotSpec,
    TechnicalSpecs,
    Transition,
)
from storycore.tools.errors import BriefError, InvalidInput
from storycore.tools.fountain import (
    PERIODS,
    SceneHeading,
    SceneTime,
    entry_transition,
    find_props,
    fold,
    infer_transitions,
    mentions,
    parse_heading,
    props_by_scene,
    scenes_from_fountain,
    time_relations,
)
from storycore.tools.naming import element_id
from storycore.tools.rates import parse_rate
from storycore.tools.timecode import seconds_to_frames

__all__ = [
    "DEFAULT_RULES",
    "MIN_SHOT_FRAMES",
    "Breakdown",
    "BreakdownRules",
    "Coverage",
    "FramingRule",
    "PaceTiming",
    "allocate_frames",
    "breakdown_brief",
    "breakdown_screenplay",
    "design_shots",
    "find_places",
    "link_continuity",
    "prose_characters",
    "retime",
    "same_place_continuous",
    "scenes_from_brief",
    "scenes_from_prose",
    "split_long_shots",
]

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


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


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

ShotKind = Literal[
    "establishing", "action", "dialogue", "reaction", "insert", "narration", "coverage"
]

# --------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»’']?\s+(?=\S)")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _word_count(text: str) -> int:
    return len(re.findall(r"\w+(?:['’-]\w+)*", text))


def _tokens(text: str) -> list[str]:
    return fold(text).replace(":", " ").split()


def _chunks(text: str, max_words: float) -> list[str]:
    """Sentences grouped so each chunk has at most ``max_words`` (a sentence is never cut)."""
    chunks: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in _sentences(text) or [text.strip()]:
        n = _word_count(sentence)
        if current and count + n > max_words:
            chunks.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += n
    if current:
        chunks.append(" ".join(current))
    return chunks


_CLAUSE_END = re.compile(r"(?<=[:;])\s+(?=\S)")


def _clauses(text: str, characters: Sequence[str] = (), min_words: int = 4) -> list[str]:
    """The pictures of an action line, for one shot each: its sentences (one shorter than
    ``min_words`` stays with the one before: "She checks her phone. Nothing."), each cut
    after a colon or semicolon when what follows names one of ``characters`` and both sides
    have ``min_words`` ("au lever du soleil : Nour chante..." is two pictures; "a photograph:
    the bridge at night" is one)."""
    out: list[str] = []
    for sentence in _sentences(text) or [text.strip()]:
        if out and _word_count(sentence) < min_words:
            out[-1] = f"{out[-1]} {sentence}"
            continue
        pieces: list[str] = []
        for piece in _CLAUSE_END.split(sentence):
            piece = piece.strip()
            if not piece:
                continue
            new_picture = (
                pieces
                and _word_count(pieces[-1]) >= min_words
                and _word_count(piece) >= min_words
                and any(mentions(piece, name) for name in characters)
            )
            if pieces and not new_picture:
                pieces[-1] = f"{pieces[-1]} {piece}"
            else:
                pieces.append(piece)
        out.extend(p.rstrip(" :;") if i + 1 < len(pieces) else p for i, p in enumerate(pieces))
    if len(out) > 1 and _word_count(out[0]) < min_words:
        out[:2] = [f"{out[0]} {out[1]}"]
    return out


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --------------------------------------------------------------------------------------
# Prose: places, characters, quoted speech
# --------------------------------------------------------------------------------------

#: Place nouns (English and French) with whether they are inside or outside. A place phrase
#: is a preposition, an optional determiner, up to two words, and one of these nouns.
PLACE_NOUNS: dict[str, IntExt] = {
    **dict.fromkeys(
        _words(
            "kitchen bedroom bathroom living room lounge hall hallway corridor office apartment "
            "flat house room studio bar pub cafe restaurant diner shop store supermarket "
            "library church classroom school hospital ward laboratory lab warehouse garage "
            "basement attic cellar elevator lift car train bus plane museum theatre theater "
            "cinema club nightclub hotel motel lobby gym prison cell courtroom station "
            "cuisine chambre salle de bain salon couloir bureau appartement maison piece "
            "atelier boutique magasin bibliotheque eglise classe ecole hopital entrepot cave "
            "grenier ascenseur voiture avion musee theatre hotel gare metro"
        ),
        IntExt.INT,
    ),
    **dict.fromkeys(
        _words(
            "street road avenue alley bridge park garden forest woods beach sea shore river "
            "lake mountain hill field desert rooftop roof square plaza harbour harbor port "
            "dock pier cemetery city town village countryside platform highway yard "
            "courtyard playground market stadium island jungle valley cliff canyon "
            "rue route ruelle pont parc jardin foret bois plage mer riviere fleuve lac "
            "montagne colline champ desert toit place parking quai cimetiere ville campagne "
            "marche stade ile vallee falaise"
        ),
        IntExt.EXT,
    ),
}
# Two-word and three-word places, written folded.
PLACE_NOUNS.update(
    {
        "living room": IntExt.INT,
        "dining room": IntExt.INT,
        "train station": IntExt.INT,
        "police station": IntExt.INT,
        "parking lot": IntExt.EXT,
        "car park": IntExt.EXT,
        "salle de bain": IntExt.INT,
        "salle a manger": IntExt.INT,
        "salle de classe": IntExt.INT,
    }
)
for _part in ("living", "dining", "salle", "de", "bain", "a", "manger"):
    PLACE_NOUNS.pop(_part, None)

# Compared in lower case with accents: "à" is a preposition, "a" an article.
_PLACE_PREPOSITIONS = _words(
    "in inside into on onto at to near under outside behind across through towards toward "
    "dans à au aux sur sous devant derrière vers chez en près"
)
# Prepositions that put a place, never a person, after them ("at Anna", "à Marc" are people).
_PLACES_NOT_PEOPLE = _words("in into inside outside near from dans en depuis")
_STOP_PHRASE = _PLACE_PREPOSITIONS | {"and", "et", "or", "ou", "but", "mais", "of"}
_PLACE_DETERMINERS = _words(
    "the a an his her their my our its this that le la les l un une son sa ses leur mon ma "
    "du des ce cet cette de"
)

#: Capitalised words that open sentences without being names (English and French).
NOT_NAMES = _words(
    "the a an and but or so then when while as at in on of to for with from by he she it "
    "they we i you his her their its our my your this that these those there here what "
    "who where why how after before later suddenly meanwhile finally now yes no oh one "
    "two also still just even if because though although once every each all some many "
    "most none not only soon inside outside above below tonight today tomorrow yesterday "
    "morning evening night day everyone nobody someone something nothing everything "
    "let lets please hello hey okay ok mr mrs ms dr sir madam miss "
    "le la les l un une des du de d et mais ou donc or ni car puis alors quand lorsque il "
    "elle ils elles on nous vous je tu son sa ses leur leurs ce cet cette ces dans sur "
    "sous avec pour par chez en au aux y plus tard soudain enfin ensuite apres avant "
    "pendant maintenant oui non ici voici voila tout toute tous toutes chaque "
    "aujourd demain hier matin soir nuit jour personne quelqu rien lui eux moi toi "
    "monsieur madame mademoiselle bonjour bonsoir salut merci c qu s n j m t "
    "january february march april may june july august september october november "
    "december monday tuesday wednesday thursday friday saturday sunday "
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre "
    "decembre lundi mardi mercredi jeudi vendredi samedi dimanche"
)

_TIME_JUMP_OPENER = re.compile(
    r"^(?:(?:some |a few |many |two |three |several )?(?:hours|days|weeks|months|years|moments)"
    r" later|later(?: that (?:day|night|evening|morning))?|the next (?:morning|day|night|evening)"
    r"|the following (?:morning|day|night|evening)|that (?:night|evening|morning)|meanwhile"
    r"|the morning after|plus tard|bien plus tard|le lendemain(?: matin| soir)?"
    r"|(?:quelques |des |deux |trois )?(?:heures|jours|semaines|mois|ans|annees) plus tard"
    r"|ce soir la|cette nuit la|ce matin la|pendant ce temps|le soir venu|a l aube)\b"
)
_QUOTE = re.compile(r"“([^”]+)”|«\s*([^»]+?)\s*»|\"([^\"]+)\"")


def find_places(text: str, known_locations: Iterable[str] = ()) -> list[tuple[str, IntExt | None]]:
    """Places a text puts the action in, in order of appearance: ``known_locations`` it names
    (or whose last word it names), and place phrases ("in the kitchen", "on the old bridge",
    "à la gare", "au café").

    A place phrase is a preposition, at most two determiners, at most two other words, then
    a noun of :data:`PLACE_NOUNS`; a place missing from that list is found only when it is a
    known location.
    """
    words = [(m.start(), m.group(0)) for m in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", text)]
    keys = [fold(w) for _, w in words]
    found: list[tuple[int, str, IntExt | None]] = []
    for name in known_locations:
        wanted = fold(name).split()
        at = _find_words(keys, wanted)
        if at is None and len(wanted) > 1:
            at = _find_words(keys, wanted[-1:])
        if at is not None:
            found.append((words[at][0], name.strip(), _int_ext_of(name)))
    for i, (_, word) in enumerate(words):
        if word.lower() not in _PLACE_PREPOSITIONS:
            continue
        j = i + 1
        while j < len(keys) and j <= i + 2 and keys[j] in _PLACE_DETERMINERS:
            j += 1
        for span in range(j, min(j + 3, len(keys))):
            length = _place_at(keys, span)
            if length:
                name = " ".join(w for _, w in words[j : span + length])
                found.append((words[j][0], name, _int_ext_of(name)))
                break
            if keys[span] in _PLACE_DETERMINERS or words[span][1].lower() in _STOP_PHRASE:
                break
    found.sort(key=lambda item: item[0])
    seen: set[str] = set()
    out: list[tuple[str, IntExt | None]] = []
    for _, name, int_ext in found:
        if fold(name) not in seen:
            seen.add(fold(name))
            out.append((name, int_ext))
    return out


def _find_words(keys: Sequence[str], wanted: Sequence[str]) -> int | None:
    if not wanted:
        return None
    for i in range(len(keys) - len(wanted) + 1):
        if list(keys[i : i + len(wanted)]) == list(wanted):
            return i
    return None


def _place_at(keys: Sequence[str], index: int) -> int:
    """Length in words of the place noun starting at ``keys[index]`` (0 if none)."""
    for length in (3, 2, 1):
        if index + length <= len(keys) and " ".join(keys[index : index + length]) in PLACE_NOUNS:
            return length
    return 0


def _int_ext_of(name: str) -> IntExt | None:
    keys = fold(name).split()
    for length in (3, 2, 1):
        if len(keys) >= length:
            found = PLACE_NOUNS.get(" ".join(keys[-length:]))
            if found is not None:
                return found
    return None


def _name_candidates(sentence: str) -> Iterator[tuple[str, bool]]:
    """Capitalised words of a sentence, with whether each opens it."""
    tokens = list(re.finditer(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", sentence))
    for index, match in enumerate(tokens):
        word = match.group(0)
        if not word[0].isupper() or len(word) < 2:
            continue
        previous = tokens[index - 1].group(0).lower() if index else ""
        if fold(previous) in _PLACE_DETERMINERS or previous in _PLACES_NOT_PEOPLE:
            # "the Old Bridge", "in Paris": a place or a thing, not a person.
            continue
        yield word, index == 0


def prose_characters(text: str, known_characters: Iterable[str] = ()) -> list[str]:
    """Character names in prose, in order of first appearance.

    A name is a capitalised word that is not a common sentence opener (:data:`NOT_NAMES`,
    English and French), not after a determiner or a place preposition ("the Old Bridge",
    "à Paris"), and that appears at least twice, at least once inside a sentence; or any of
    ``known_characters`` the text names. Spellings are grouped ("GaBy", "GABY", "Gaby") and
    the most frequent mixed-case one is kept.
    """
    counts: Counter[str] = Counter()
    inside: set[str] = set()
    spellings: dict[str, Counter[str]] = {}
    for paragraph in _paragraphs(text):
        for sentence in _sentences(_QUOTE.sub(" ", paragraph)):
            for word, opens in _name_candidates(sentence):
                key = fold(word)
                if key in NOT_NAMES or not key:
                    continue
                counts[key] += 1
                if not opens:
                    inside.add(key)
                spellings.setdefault(key, Counter())[word] += 1
    names: dict[str, tuple[int, str]] = {}
    for name in known_characters:
        if name.strip() and mentions(text, name):
            names[fold(name)] = (_first_index(text, name), name.strip())
    for key, count in counts.items():
        if count >= 2 and key in inside and key not in names:
            if any(key in fold(known).split() for known in known_characters):
                continue  # "Marie" of a known "Marie Dupont"
            written = spellings[key]
            mixed = [w for w, _ in written.most_common() if not w.isupper()]
            names[key] = (_first_index(text, key), (mixed or [key.title()])[0])
    return [name for _, name in sorted(names.values())]


def _first_index(text: str, name: str) -> int:
    index = f" {fold(text)} ".find(f" {fold(name)} ")
    return index if index >= 0 else len(text)


def _paragraphs(text: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(parts) == 1 and "\n" in parts[0]:
        parts = [line.strip() for line in parts[0].splitlines() if line.strip()]
    return [" ".join(p.split()) for p in parts]


def _speaker(text: str, characters: Sequence[str]) -> str | None:
    best: tuple[int, str] | None = None
    for name in characters:
        keys = [fold(name), fold(name).split(" ")[0]]
        haystack = f" {fold(text)} "
        for key in keys:
            index = haystack.find(f" {key} ")
            if index >= 0 and (best is None or index < best[0]):
                best = (index, name)
    return best[1] if best else None


def _prose_beats(paragraph: str, characters: Sequence[str]) -> list[Beat]:
    """Sentences as action beats; quoted speech with a named speaker as dialogue beats."""
    beats: list[Beat] = []
    pieces: list[tuple[str, str]] = []
    last = 0
    for match in _QUOTE.finditer(paragraph):
        pieces.append(("text", paragraph[last : match.start()]))
        quote = next(g for g in match.groups() if g is not None)
        pieces.append(("quote", quote.strip()))
        last = match.end()
    pieces.append(("text", paragraph[last:]))
    skip_attribution = False
    for index, (kind, piece) in enumerate(pieces):
        if kind == "quote":
            after = pieces[index + 1][1] if index + 1 < len(pieces) else ""
            before = pieces[index - 1][1] if index else ""
            attribution = _sentences(after)[0] if after.strip() else ""
            opener = before.strip()
            speaker = None
            # '"...," says Marc' / '"...," Marc says' / '« ... », dit Marc'
            if attribution and (
                piece.endswith(",")
                or after.lstrip()[:1] in (",", "—", "–", "-")
                or attribution[0].islower()
            ):
                speaker = _speaker(attribution, characters)
            if speaker is None and opener.endswith((":", ",")):
                speaker = _speaker(_sentences(opener)[-1] if opener else "", characters)
            if speaker is None:
                beats.append(Beat(kind="action", text=f"“{piece}”"))
                continue
            beats.append(Beat(kind="dialogue", text=piece.rstrip(",").strip(), character=speaker))
            skip_attribution = bool(attribution) and _word_count(attribution) <= 6
            continue
        sentences = _sentences(piece)
        if skip_attribution and sentences:
            sentences = sentences[1:]
        skip_attribution = False
        # "GaBy says:" only introduces the quote that follows.
        if (
            sentences
            and index + 1 < len(pieces)
            and sentences[-1].endswith((":", ","))
            and _word_count(sentences[-1]) <= 6
            and _speaker(sentences[-1], characters)
        ):
            sentences = sentences[:-1]
        for sentence in sentences:
            cleaned = sentence.strip(" ,;—–-")
            if _word_count(cleaned):
                beats.append(Beat(kind="action", text=cleaned))
    return beats


def _period_words(text: str) -> str | None:
    folded = f" {fold(text)} "
    best: tuple[int, str] | None = None
    for words in PERIODS.values():
        for word in words:
            index = folded.find(f" {word} ")
            if index >= 0 and (best is None or index < best[0]):
                best = (index, word)
    return best[1] if best else None


def _heading_for(location: str | None, int_ext: IntExt | None, time: str | None) -> str:
    parts = []
    if int_ext is not None:
        parts.append({"INT": "INT.", "EXT": "EXT.", "INT/EXT": "INT./EXT."}[int_ext.value])
    if location:
        parts.append(location.upper())
    heading = " ".join(parts)
    if time:
        heading = f"{heading} - {time.upper()}" if heading else time.upper()
    return heading


def scenes_from_prose(
    text: str,
    known_characters: Iterable[str] = (),
    *,
    known_locations: Iterable[str] = (),
    known_props: Iterable[str] = (),
) -> list[Scene]:
    """Scenes from free prose (English or French).

    Paragraphs become scenes' beats, one action beat per sentence; a quotation with a named
    speaker ("..., said GaBy" / « ... », dit Marc) is a dialogue beat. A paragraph whose first
    sentence puts the action in another place (:func:`find_places`), or that opens on a time
    jump ("The next morning", "Le lendemain"), starts a new scene. Characters come from
    :func:`prose_characters`, props from ``known_props`` and capitals after a determiner.
    """
    locations = [name for name in known_locations if name.strip()]
    characters = prose_characters(text, known_characters)
    paragraphs = _paragraphs(text)
    if not paragraphs:
        raise BriefError("the text is empty; describe the story or give a screenplay")
    groups: list[dict[str, Any]] = []
    for paragraph in paragraphs:
        first = (_sentences(paragraph) or [paragraph])[0]
        places = find_places(first, locations)
        jump = _TIME_JUMP_OPENER.match(fold(first))
        current = groups[-1] if groups else None
        place = places[0] if places else None
        starts = current is None or bool(jump)
        if current is not None and place is not None and current["location"] is not None:
            starts = starts or fold(place[0]) != fold(current["location"])
        if starts:
            previous_place = current["location"] if current else None
            previous_ie = current["int_ext"] if current else None
            groups.append(
                {
                    "location": place[0] if place else (previous_place if jump else None),
                    "int_ext": place[1] if place else (previous_ie if jump else None),
                    "time": jump.group(0) if jump else None,
                    "paragraphs": [paragraph],
                }
            )
        else:
            assert current is not None
            current["paragraphs"].append(paragraph)
            if current["location"] is None and place is not None:
                current["location"], current["int_ext"] = place
    scenes: list[Scene] = []
    for index, group in enumerate(groups):
        body = "\n\n".join(group["paragraphs"])
        beats = [b for p in group["paragraphs"] for b in _prose_beats(p, characters)]
        time = group["time"] or _period_words(body)
        location = group["location"]
        scenes.append(
            Scene(
                scene_id=f"sc_{index + 1:02d}",
                number=str(index + 1),
                heading=_heading_for(location, group["int_ext"], time)
                or _short(group["paragraphs"][0]),
                location=location,
                int_ext=group["int_ext"],
                time_of_day=time,
                description=group["paragraphs"][0],
                characters=[c for c in characters if mentions(body, c)],
                beats=beats,
            )
        )
    return _attach_props(infer_transitions(scenes), known_props, characters)


def _attach_props(
    scenes: list[Scene], known_props: Iterable[str], characters: Iterable[str]
) -> list[Scene]:
    actions = [b.text for s in scenes for b in s.beats if b.kind == "action"]
    props = find_props(actions, known_props=known_props, exclude=characters)
    shown = props_by_scene(
        [[b.text for b in s.beats if b.kind == "action"] + [s.description] for s in scenes], props
    )
    return [
        scene.model_copy(update={"props": _dedupe([*scene.props, *found])})
        for scene, found in zip(scenes, shown, strict=True)
    ]


def _brief_scene(
    index: int,
    item: BriefScene,
    characters: Sequence[str],
    locations: Sequence[str],
) -> Scene:
    heading: SceneHeading | None = parse_heading(item.title)
    if heading is not None and heading.int_ext is None and not heading.forced:
        heading = None  # an ordinary title, not a scene heading
    text = f"{item.title}. {item.description}".strip()
    location = next((name for name in locations if mentions(text, name, head_noun=True)), None)
    int_ext = heading.int_ext if heading else None
    if location is None and heading is not None:
        location = heading.location
    if location is None:
        places = find_places(text)
        if places:
            location, int_ext = places[0][0], int_ext or places[0][1]
    if int_ext is None and location is not None:
        int_ext = _int_ext_of(location)
    time = (heading.time_of_day if heading else None) or _period_words(text)
    beats = _prose_beats(" ".join(item.description.split()), characters) or [
        Beat(kind="action", text=item.title)
    ]
    return Scene(
        scene_id=f"sc_{index + 1:02d}",
        number=heading.number if heading and heading.number else str(index + 1),
        heading=heading.text if heading else item.title,
        location=location,
        int_ext=int_ext,
        time_of_day=time,
        description=item.description or item.title,
        characters=[c for c in characters if mentions(text, c)],
        beats=beats,
        target_seconds=item.duration_seconds,
    )


def scenes_from_brief(brief: CreativeBrief) -> list[Scene]:
    """The scenes of a brief: its Scenes section when it has one (each with its duration),
    else its text (a Fountain screenplay when ``source_format`` is ``fountain``, prose
    otherwise). Characters, locations and props the brief names are attached to every scene
    whose text mentions them.
    """
    names = [c.name for c in brief.characters]
    locations = [loc.name for loc in brief.locations]
    props = [p.name for p in brief.props]
    if brief.source_format == "fountain" and brief.text.strip():
        scenes, _ = scenes_from_fountain(brief.text, known_props=props)
        return scenes
    if brief.scenes:
        all_text = "\n\n".join(f"{s.title}. {s.description}" for s in brief.scenes)
        characters = prose_characters(all_text, names)
        scenes = [
            _brief_scene(index, item, characters, locations)
            for index, item in enumerate(brief.scenes)
        ]
        numbers = Counter(scene.number for scene in scenes)
        if any(count > 1 for count in numbers.values()):
            # Written numbers that repeat (or collide with an order) give way to the order.
            scenes = [s.model_copy(update={"number": str(i + 1)}) for i, s in enumerate(scenes)]
        return _attach_props(infer_transitions(scenes), props, characters)
    if brief.text.strip():
        # Production notes ("Format 1080p", "avoid Sora") are specs, not story beats.
        story = story_text(brief.text, names) or brief.text
        return scenes_from_prose(story, names, known_locations=locations, known_props=props)
    raise BriefError(
        "the brief has no scenes and no story text to break down; add a Scenes section or "
        "describe what happens"
    )


# --------------------------------------------------------------------------------------
# Shot design
# --------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A shot being designed: its framing, content and natural length (seconds)."""

    kind: ShotKind
    scene_index: int
    seconds: Fraction
    floor: Fraction
    elastic: bool
    shot_size: ShotSize
    framing: Framing
    camera_movement: CameraMovement
    scene_type: SceneType
    title: str
    description: str
    camera_angle: CameraAngle = CameraAngle.EYE_LEVEL
    action: str = ""
    camera_details: str = ""
    characters: list[str] = field(default_factory=list)
    props: list[str] = field(default_factory=list)
    dialogue: list[DialogueLine] = field(default_factory=list)
    narration: str | None = None
    notes: list[str] = field(default_factory=list)
    transition_in: Transition | None = None
    speech_seconds: Fraction = Fraction(0)


@dataclass(frozen=True)
class Breakdown:
    """The result of :func:`design_shots`: the scenes, the timed shots, and what was changed
    to meet the target (one sentence each)."""

    scenes: list[Scene]
    shots: list[ShotSpec]
    warnings: list[str]
    rate: Fraction

    @property
    def total_frames(self) -> int:
        return self.shots[-1].end_frame if self.shots else 0


def _f(value: float) -> Fraction:
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


class _SceneDesigner:
    """Designs the shots of one scene; holds the coverage state between beats."""

    def __init__(
        self,
        rules: BreakdownRules,
        specs: TechnicalSpecs,
        scene: Scene,
        index: int,
        new_location: bool,
        *,
        sentence_shots: bool = False,
    ) -> None:
        self.rules = rules
        self.specs = specs
        # One shot per sentence (or clause) for a scene that will get coverage shots.
        self.sentence_shots = sentence_shots
        self.pace = rules.pace[specs.pace]
        self.wps = _f(specs.words_per_second)
        self.scene = scene
        self.index = index
        self.new_location = new_location
        self.drafts: list[_Draft] = []
        self.lines_since_reaction = rules.reaction_min_gap
        self.coverage_count = 0
        self.inserted: set[str] = set()
        self.last_speakers: list[str] = []
        self.pending_transition: Transition | None = None
        self.coverage_turn = 0
        self.coverage_last: str | None = None
        self.coverage_variant: Counter[str] = Counter()

    # -- timing -------------------------------------------------------------------------

    def _kind_seconds(self, kind: str) -> Fraction:
        seconds = _f(self.pace.base) * _f(self.rules.kind_factor.get(kind, 1.0))
        return min(max(seconds, _f(self.pace.min)), _f(self.pace.max))

    def _action_seconds(self, text: str) -> Fraction:
        reading = Fraction(_word_count(text)) / _f(self.rules.action_words_per_second)
        seconds = max(_f(self.pace.base) * _f(self.rules.action_floor), reading)
        return min(max(seconds, _f(self.pace.min)), _f(self.pace.max))

    def _speech_seconds(self, text: str) -> Fraction:
        return Fraction(_word_count(text)) / self.wps

    def _dialogue_seconds(self, text: str) -> Fraction:
        seconds = self._speech_seconds(text) + _f(self.rules.dialogue_padding)
        return max(seconds, _f(self.pace.min))

    # -- helpers ------------------------------------------------------------------------

    def _lens(self, size: ShotSize) -> float:
        return float(self.rules.lens_mm[size])

    def _who(self, text: str) -> list[str]:
        return [c for c in self.scene.characters if mentions(text, c)]

    def _who_or_pronoun(self, text: str) -> list[str]:
        who = self._who(text)
        if who:
            return who
        tokens = set(_tokens(text))
        groups = {name for name, words in self.rules.pronouns.items() if tokens & words}
        if not groups:
            return []
        count = 2 if "plural" in groups else max(1, len(groups - {"either"}))
        # "She tilts the umbrella": whoever the previous shot showed, the first of them first.
        for draft in reversed(self.drafts):
            if draft.characters:
                return draft.characters[:count]
        return []

    def _seen(self, name: str) -> bool:
        return any(name in draft.characters for draft in self.drafts)

    def _place(self) -> str:
        location = self.scene.location or "the scene"
        return string.capwords(location.lower()) if location.isupper() else location

    def _props_in(self, text: str) -> list[str]:
        return [p for p in self.scene.props if mentions(text, p, head_noun=True)]

    def _add(self, draft: _Draft) -> None:
        if self.pending_transition is not None:
            draft.transition_in = self.pending_transition
            self.pending_transition = None
        self.drafts.append(draft)

    def _max_words_action(self) -> float:
        return max(1.0, self.pace.max * self.rules.action_words_per_second)

    def _action_chunks(self, text: str) -> list[str]:
        if self.sentence_shots:
            return _clauses(text, self.scene.characters)
        return _chunks(text, self._max_words_action())

    def _max_words_dialogue(self) -> float:
        return max(1.0, (self.pace.max - self.rules.dialogue_padding) * float(self.wps))

    # -- shots --------------------------------------------------------------------------

    def establishing(self, opening: str) -> None:
        outside = self.scene.int_ext is IntExt.EXT
        size = ShotSize.EWS if outside else ShotSize.WS
        place = self._place()
        what = f"Establishing {'extreme wide' if outside else 'wide'} shot of {place}"
        if self.scene.time_of_day:
            what += f", {self.scene.time_of_day.lower()}"
        seconds = max(self._kind_seconds("establishing"), self._action_seconds(opening))
        self._add(
            _Draft(
                kind="establishing",
                scene_index=self.index,
                seconds=seconds if opening else self._kind_seconds("establishing"),
                floor=_f(self.pace.min),
                elastic=True,
                shot_size=size,
                framing=Framing.SINGLE,
                camera_angle=CameraAngle.HIGH if outside else CameraAngle.EYE_LEVEL,
                camera_movement=CameraMovement.DOLLY_IN,
                scene_type=SceneType.ESTABLISHING,
                title=f"Establishing {_short(place, 40)}",
                description=f"{what}. {opening}".strip() if opening else f"{what}.",
                action=opening,
                camera_details=f"{self._lens(size):g}mm, slow dolly in",
                characters=self._who(opening),
                props=self._props_in(opening),
            )
        )
        self._inserts(opening)

    def action(self, text: str) -> None:
        for chunk in self._action_chunks(text):
            self._action_chunk(chunk)

    def _action_chunk(self, chunk: str) -> None:
        who = self._who_or_pronoun(chunk)
        tokens = set(_tokens(chunk))
        rule = next((r for r in self.rules.action_rules if tokens & r.words), None)
        if rule is not None and (who or rule.scene_type is not SceneType.CLOSE_UP):
            size, movement, scene_type = rule.shot_size, rule.camera_movement, rule.scene_type
            framing = rule.framing
            if len(who) >= 2 and framing is Framing.SINGLE:
                framing = Framing.TWO_SHOT if len(who) == 2 else Framing.GROUP
                if size in (ShotSize.CU, ShotSize.ECU):
                    # Two faces do not fit a close-up: a medium two-shot, pushing in.
                    size, scene_type = ShotSize.MS, SceneType.ATMOSPHERIC
        elif who:
            size = ShotSize.MS if len(who) == 1 else ShotSize.MWS if len(who) == 2 else ShotSize.WS
            framing = (
                Framing.SINGLE
                if len(who) == 1
                else Framing.TWO_SHOT
                if len(who) == 2
                else Framing.GROUP
            )
            movement, scene_type = CameraMovement.STATIC, SceneType.ATMOSPHERIC
        else:
            size, framing = ShotSize.WS, Framing.SINGLE
            outside = self.scene.int_ext is IntExt.EXT
            movement = CameraMovement.PAN if outside else CameraMovement.STATIC
            scene_type = SceneType.ATMOSPHERIC
        subject = " and ".join(who) if who else self._place()
        self._add(
            _Draft(
                kind="action",
                scene_index=self.index,
                seconds=self._action_seconds(chunk),
                floor=_f(self.pace.min),
                elastic=True,
                shot_size=size,
                framing=framing,
                camera_movement=movement,
                scene_type=scene_type,
                title=f"{_short(subject, 30)}: {_short(chunk, 40)}",
                description=f"{_size_name(size)} of {subject}. {chunk}",
                action=chunk,
                camera_details=f"{self._lens(size):g}mm, {_movement_name(movement)}",
                characters=who,
                props=self._props_in(chunk),
            )
        )
        self._inserts(chunk)

    def _inserts(self, text: str) -> None:
        for prop in self._props_in(text):
            if prop in self.inserted:
                continue
            self.inserted.add(prop)
            head = fold(prop).rsplit(" ", 1)[-1]
            size = ShotSize.ECU if head in self.rules.small_props else ShotSize.CU
            self._add(
                _Draft(
                    kind="insert",
                    scene_index=self.index,
                    seconds=self._kind_seconds("insert"),
                    floor=_f(self.pace.min),
                    elastic=True,
                    shot_size=size,
                    framing=Framing.INSERT,
                    camera_movement=CameraMovement.STATIC,
                    scene_type=SceneType.INSERT,
                    title=f"Insert {_short(prop, 40)}",
                    description=f"Insert, {_size_name(size).lower()} of the {prop}.",
                    camera_details=f"{self._lens(size):g}mm macro, static",
                    props=[prop],
                )
            )

    def _listener(self, speaker: str, upcoming: Sequence[Beat]) -> str | None:
        for beat in upcoming:
            if (
                beat.kind == "dialogue"
                and beat.character
                and beat.character != speaker
                and beat.extension is None
                and beat.character in self.scene.characters
            ):
                return beat.character
        for name in reversed(self.last_speakers):
            if name != speaker and name in self.scene.characters:
                return name
        return next((c for c in self.scene.characters if c != speaker), None)

    def narration(self, beat: Beat) -> None:
        speech = self._speech_seconds(beat.text)
        line = f"{beat.character}: {beat.text}" if beat.character else beat.text
        last = self.drafts[-1] if self.drafts else None
        if last is not None and last.kind != "dialogue" and not last.narration:
            # Voice-over plays over the picture already there; the shot holds for it.
            last.narration = line
            last.seconds = max(last.seconds, speech + _f(self.rules.dialogue_padding))
            last.floor = max(last.floor, speech)
            last.speech_seconds = speech
            last.notes.append("voice-over: no lip-sync")
            return
        place = self._place()
        self._add(
            _Draft(
                kind="narration",
                scene_index=self.index,
                seconds=self._dialogue_seconds(beat.text),
                floor=speech,
                elastic=False,
                shot_size=ShotSize.WS,
                framing=Framing.SINGLE,
                camera_movement=CameraMovement.PAN,
                scene_type=SceneType.ATMOSPHERIC,
                title=f"Voice-over {_short(beat.text, 40)}",
                description=f"Wide shot of {place} under {beat.character or 'the'} voice-over.",
                camera_details=f"{self._lens(ShotSize.WS):g}mm, slow pan",
                narration=line,
                notes=["voice-over: no lip-sync"],
                speech_seconds=speech,
            )
        )

    def dialogue(self, beats: Sequence[Beat], upcoming: Sequence[Beat]) -> None:
        """One dialogue beat (or a dual-dialogue pair spoken together)."""
        beat = beats[0]
        speaker = beat.character or "Someone"
        if len(beats) == 2:
            self._dual(beats)
            return
        if beat.extension == "V.O.":
            self.narration(beat)
            return
        listener = self._listener(speaker, upcoming)
        chunks = _chunks(beat.text, self._max_words_dialogue())
        for part, chunk in enumerate(chunks):
            line = DialogueLine(
                character=speaker,
                text=chunk,
                parenthetical=beat.parenthetical if part == 0 else None,
            )
            if beat.extension is not None:
                self._off_screen(line, listener)
            else:
                self._coverage(line, listener)
            self.lines_since_reaction += 1
        self.last_speakers.append(speaker)
        if self._lands(beat, upcoming) and listener and beat.extension is None:
            self._reaction(listener, speaker)

    def _lands(self, beat: Beat, upcoming: Sequence[Beat]) -> bool:
        if self.lines_since_reaction < self.rules.reaction_min_gap:
            return False
        if beat.text.rstrip(" \"'”»’").endswith(("!", "?")):
            return True
        following = next((b for b in upcoming if b.kind != "transition"), None)
        return bool(
            following is not None
            and following.kind == "dialogue"
            and following.parenthetical
            and fold(following.parenthetical) in self.rules.reaction_pause_words
        )

    def _dialogue_draft(
        self,
        line: DialogueLine,
        size: ShotSize,
        framing: Framing,
        who: list[str],
        description: str,
        details: str,
        notes: list[str] | None = None,
    ) -> _Draft:
        speech = self._speech_seconds(line.text)
        return _Draft(
            kind="dialogue",
            scene_index=self.index,
            seconds=self._dialogue_seconds(line.text),
            floor=speech,
            elastic=False,
            shot_size=size,
            framing=framing,
            camera_movement=CameraMovement.STATIC,
            scene_type=SceneType.DIALOGUE,
            title=f"{_short(line.character, 30)}: {_short(line.text, 40)}",
            description=description,
            camera_details=f"{self._lens(size):g}mm, static, {details}",
            characters=who,
            dialogue=[line],
            notes=notes or [],
            speech_seconds=speech,
        )

    def _coverage(self, line: DialogueLine, listener: str | None) -> None:
        speaker = line.character
        quote = f"{speaker}: “{line.text}”"
        if listener is None:
            size = self.rules.monologue_cycle[self.coverage_count % len(self.rules.monologue_cycle)]
            draft = self._dialogue_draft(
                line,
                size,
                Framing.SINGLE,
                [speaker],
                f"{_size_name(size)} of {speaker}. {quote}",
                "single",
            )
        else:
            if self.coverage_count == 0:
                setup = self.rules.coverage_opening
            else:
                cycle = self.rules.coverage_cycle
                setup = cycle[(self.coverage_count - 1) % len(cycle)]
            if setup.framing is Framing.TWO_SHOT:
                who = [speaker, listener]
                description = f"Two-shot of {speaker} and {listener}. {quote}"
                details = "two-shot"
            elif setup.framing is Framing.OTS:
                who = [speaker, listener]
                description = (
                    f"Over {listener}'s shoulder onto {speaker} ({_size_name(setup.shot_size)})."
                    f" {quote}"
                )
                details = f"over {listener}'s shoulder"
            else:
                who = [speaker]
                description = f"{_size_name(setup.shot_size)} of {speaker}. {quote}"
                details = "single"
            draft = self._dialogue_draft(
                line, setup.shot_size, setup.framing, who, description, details
            )
        self.coverage_count += 1
        self._add(draft)

    def _off_screen(self, line: DialogueLine, listener: str | None) -> None:
        # Frame the listener only once the scene has shown them; otherwise the place.
        if listener is not None and not self._seen(listener):
            listener = None
        who = [listener] if listener else []
        subject = listener or self._place()
        size = ShotSize.MCU if listener else ShotSize.WS
        self._add(
            self._dialogue_draft(
                line,
                size,
                Framing.SINGLE,
                who,
                f"{_size_name(size)} of {subject} as {line.character} speaks off screen. "
                f"{line.character}: “{line.text}”",
                "speaker off screen",
                ["speaker off screen: no lip-sync"],
            )
        )

    def _dual(self, beats: Sequence[Beat]) -> None:
        speakers = [b.character or "Someone" for b in beats]
        lines = [
            DialogueLine(character=s, text=b.text, parenthetical=b.parenthetical)
            for s, b in zip(speakers, beats, strict=True)
        ]
        speech = max(self._speech_seconds(b.text) for b in beats)
        seconds = max(
            speech + _f(self.rules.dialogue_padding), _f(self.pace.min)
        )  # spoken together
        self._add(
            _Draft(
                kind="dialogue",
                scene_index=self.index,
                seconds=seconds,
                floor=speech,
                elastic=False,
                shot_size=ShotSize.MS,
                framing=Framing.TWO_SHOT,
                camera_movement=CameraMovement.STATIC,
                scene_type=SceneType.DIALOGUE,
                title=f"{' and '.join(speakers)} together",
                description=f"Two-shot of {' and '.join(speakers)} speaking at once. "
                + " ".join(f"{line.character}: “{line.text}”" for line in lines),
                camera_details=f"{self._lens(ShotSize.MS):g}mm, static, two-shot",
                characters=[s for s in speakers if s in self.scene.characters] or speakers,
                dialogue=lines,
                notes=["dual dialogue: both lines at once"],
                speech_seconds=speech,
            )
        )
        self.coverage_count += 1
        self.last_speakers.extend(speakers)

    def _reaction(self, listener: str, speaker: str) -> None:
        self.lines_since_reaction = 0
        self._add(
            _Draft(
                kind="reaction",
                scene_index=self.index,
                seconds=self._kind_seconds("reaction"),
                floor=_f(self.pace.min),
                elastic=True,
                shot_size=ShotSize.CU,
                framing=Framing.SINGLE,
                camera_movement=CameraMovement.STATIC,
                scene_type=SceneType.CLOSE_UP,
                title=f"Reaction {_short(listener, 40)}",
                description=f"Close-up of {listener} reacting to {speaker}'s line, silent.",
                camera_details=f"{self._lens(ShotSize.CU):g}mm, static, reaction",
                characters=[listener],
            )
        )

    # -- coverage -----------------------------------------------------------------------

    def cover(self, count: int) -> list[_Draft]:
        """The scene's shots with ``count`` coverage shots added, each right after the beat
        it covers (longer beats get more). A beat's own action is covered first (performance
        when someone sings or plays, tracking when someone moves), then the scene's rotation
        of close-ups, medium angles, inserts and cutaways (``rules.coverage_order``)."""
        hosts = [i for i, d in enumerate(self.drafts) if d.kind in _COVERAGE_HOSTS]
        if count <= 0 or not hosts:
            return self.drafts
        shares = allocate_frames([self.drafts[i].seconds for i in hosts], count)
        out: list[_Draft] = list(self.drafts[: hosts[0]])
        recent: list[str] = []  # characters shown so far, the last shown last
        for n, start in enumerate(hosts):
            end = hosts[n + 1] if n + 1 < len(hosts) else len(self.drafts)
            group = self.drafts[start:end]
            out.extend(group)
            host = group[0]
            who = self._coverage_people(host, recent)
            for draft in group:
                for name in draft.characters:
                    recent = [*(c for c in recent if c != name), name]
            # A beat naming nobody still has whoever is already there.
            who = who or list(reversed(recent))
            own, rotation = self._coverage_options(host, who)
            self.coverage_turn = self._rotation_start(rotation)
            following = self.drafts[end] if end < len(self.drafts) else None
            for k in range(shares[n]):
                neighbours = [out[-1]]
                if k + 1 == shares[n] and following is not None:
                    neighbours.append(following)
                out.append(self._coverage_shot(host, who, own, rotation, neighbours))
        self.drafts = out
        return out

    def _coverage_people(self, host: _Draft, recent: Sequence[str]) -> list[str]:
        """Who a beat shows: its characters, plus the people its pronouns point back to when
        it also names someone ("elle retrouve Léo" shows Nour too)."""
        people = list(host.characters)
        if host.dialogue:
            # The listeners first: coverage of a line is mostly their reaction.
            speakers = {line.character for line in host.dialogue}
            listeners = [c for c in reversed(recent) if c not in speakers]
            return _dedupe([*listeners[:1], *people])
        if not self._who(host.action):
            return people
        tokens = set(_tokens(host.action))
        groups = {name for name, words in self.rules.pronouns.items() if tokens & words}
        if not groups:
            return people
        count = 2 if "plural" in groups else len(groups)
        others = [c for c in reversed(recent) if c not in people]
        return people + others[:count]

    def _coverage_options(
        self, host: _Draft, who: Sequence[str]
    ) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
        """The set-ups that fit a beat: its own (performance, tracking), used once each and
        first, and the scene's rotation."""
        text = host.action or " ".join(line.text for line in host.dialogue)
        tokens = set(_tokens(text))
        own: list[tuple[str, str | None]] = []
        rotation: list[tuple[str, str | None]] = []
        for name in self.rules.coverage_order:
            if host.dialogue and name not in ("close_up", "medium"):
                continue  # between lines, coverage is reactions and angles, not cutaways
            if name == "close_up":
                rotation.extend(("close_up", c) for c in who)
            elif name == "medium" and who:
                rotation.append(("medium", None))
            elif (
                name == "performance"
                and self.specs.pace in self.rules.performance_paces
                and who
                and tokens & self.rules.performance_words
            ):
                own.append(("performance", None))
            elif name == "tracking" and who and host.kind != "dialogue":
                moving = any(
                    tokens & rule.words
                    for rule in self.rules.action_rules
                    if rule.scene_type is SceneType.ACTION
                )
                if moving:
                    own.append(("tracking", who[0]))
            elif name == "insert" and host.props:
                rotation.append(("insert", None))
            elif name == "atmosphere":
                rotation.append(("atmosphere", None))
        return own, rotation or [("atmosphere", None)]

    def _rotation_start(self, rotation: Sequence[tuple[str, str | None]]) -> int:
        """Where a beat's rotation starts: at the set-up after the last one the scene used,
        so consecutive beats do not all open on the same kind of shot."""
        if self.coverage_last is None:
            return 0
        order = list(self.rules.coverage_order)
        last = order.index(self.coverage_last) if self.coverage_last in order else -1
        for position, (name, _) in enumerate(rotation):
            if name in order and order.index(name) > last:
                return position
        return 0

    def _coverage_shot(
        self,
        host: _Draft,
        who: Sequence[str],
        own: list[tuple[str, str | None]],
        rotation: Sequence[tuple[str, str | None]],
        neighbours: Sequence[_Draft],
    ) -> _Draft:
        turn = self.coverage_turn % len(rotation)
        candidates = [(option, True) for option in own] + [
            (rotation[(turn + k) % len(rotation)], False) for k in range(len(rotation))
        ]
        chosen: tuple[tuple[str, str | None], bool, _Draft] | None = None
        for option, is_own in candidates:
            draft = self._coverage_draft(option[0], option[1], host, who)
            chosen = (option, is_own, draft)
            if not any(_same_look(draft, other) for other in neighbours):
                break
        assert chosen is not None
        option, is_own, draft = chosen
        if is_own:
            own.remove(option)
        else:
            self.coverage_turn = rotation.index(option) + 1
            self.coverage_last = option[0]
        self.coverage_variant[option[0]] += 1
        return draft

    def _coverage_draft(
        self,
        setup: str,
        subject: str | None,
        host: _Draft,
        who: Sequence[str],
    ) -> _Draft:
        variant = self.coverage_variant[setup]
        place = self._place()
        characters: list[str] = []
        shown_props: list[str] = []
        angle = CameraAngle.EYE_LEVEL
        framing = Framing.SINGLE
        if setup == "close_up":
            assert subject is not None
            size, movement, scene_type = ShotSize.CU, CameraMovement.DOLLY_IN, SceneType.CLOSE_UP
            characters, phrase, label = [subject], f"Close-up of {subject}", f"Close-up {subject}"
        elif setup == "medium":
            movement = CameraMovement.STATIC
            scene_type = (
                SceneType.ACTION if host.scene_type is SceneType.ACTION else (SceneType.ATMOSPHERIC)
            )
            if len(who) >= 2:
                onto, over = (who[0], who[1]) if variant % 4 < 2 else (who[1], who[0])
                if variant % 2 == 0:
                    size, framing = ShotSize.MS, Framing.OTS
                    characters = [onto, over]
                    phrase = f"Over {over}'s shoulder onto {onto} (medium shot)"
                    label = f"Over {over}'s shoulder"
                else:
                    size, framing = ShotSize.MWS, Framing.TWO_SHOT
                    characters = [onto, over]
                    phrase = f"Medium wide two-shot of {onto} and {over}"
                    label = f"Two-shot {onto} and {over}"
            else:
                size = ShotSize.MS if variant % 2 == 0 else ShotSize.MCU
                characters = [who[0]]
                phrase = f"{_size_name(size)} of {who[0]}"
                label = f"{_size_name(size)} {who[0]}"
        elif setup == "performance":
            performers = list(who)
            size, movement, scene_type = ShotSize.MS, CameraMovement.ORBIT, SceneType.PERFORMANCE
            if len(performers) >= 2 and variant % 3 == 2:
                size = ShotSize.MWS
                framing = Framing.TWO_SHOT if len(performers) == 2 else Framing.GROUP
                characters = performers
            else:
                characters = [performers[variant % len(performers)]]
            names = " and ".join(characters)
            phrase, label = f"Performance shot of {names}, slow orbit", f"Performance {names}"
        elif setup == "tracking":
            assert subject is not None
            size, movement, scene_type = ShotSize.FS, CameraMovement.TRACKING, SceneType.ACTION
            characters = [subject]
            phrase, label = f"Tracking shot following {subject}", f"Tracking {subject}"
        elif setup == "insert":
            prop = host.props[variant % len(host.props)]
            head = fold(prop).rsplit(" ", 1)[-1]
            size = ShotSize.ECU if head in self.rules.small_props else ShotSize.CU
            movement, scene_type, framing = CameraMovement.STATIC, SceneType.INSERT, Framing.INSERT
            shown_props = [prop]
            phrase = f"Insert, {_size_name(size).lower()} of the {prop}"
            label = f"Insert {prop}"
        else:  # atmosphere: a cutaway of the place itself
            scene_type = SceneType.ATMOSPHERIC
            outside = self.scene.int_ext is IntExt.EXT
            if variant % 3 == 0:
                size = ShotSize.EWS if outside else ShotSize.WS
                angle = CameraAngle.HIGH if outside else CameraAngle.EYE_LEVEL
                movement = CameraMovement.PAN
                phrase = f"{_size_name(size)} of {place}, slow pan"
            elif variant % 3 == 1:
                size, movement = ShotSize.WS, CameraMovement.DOLLY_IN
                phrase = f"Wide cutaway of {place}, slow push in"
            else:
                size, movement, angle = ShotSize.WS, CameraMovement.PAN, CameraAngle.LOW
                phrase = f"Low-angle wide shot of {place}, slow pan"
            label = f"Atmosphere {place}"
        if host.dialogue:
            said = " ".join(f"{line.character}: “{line.text}”" for line in host.dialogue)
            description, action, beat = f"{phrase}, silent, after {said}", "", said
        else:
            beat = host.action
            description = f"{phrase}. {beat}".strip() if beat else f"{phrase}."
            action = beat
        return _Draft(
            kind="coverage",
            scene_index=self.index,
            seconds=self._kind_seconds("coverage"),
            floor=_f(self.pace.min),
            elastic=True,
            shot_size=size,
            framing=framing,
            camera_angle=angle,
            camera_movement=movement,
            scene_type=scene_type,
            title=f"{_short(label, 40)}: {_short(beat, 40)}" if beat else _short(label, 80),
            description=description,
            action=action,
            camera_details=f"{self._lens(size):g}mm, {_movement_name(movement)}",
            characters=characters,
            props=shown_props,
            notes=[f"coverage ({setup.replace('_', '-')}) added to reach the target length"],
        )

    # -- the scene ----------------------------------------------------------------------

    def design(self) -> list[_Draft]:
        beats = list(self.scene.beats)
        # Entry and exit transitions are the scene's; only those inside it matter here.
        while beats and beats[0].kind == "transition":
            beats.pop(0)
        while beats and beats[-1].kind == "transition":
            beats.pop()
        if self.new_location:
            opening = ""
            if beats and beats[0].kind == "action":
                chunks = self._action_chunks(beats[0].text)
                opening = chunks[0]
                rest = " ".join(chunks[1:])
                beats[0] = beats[0].model_copy(update={"text": rest})
            self.establishing(opening)
        index = 0
        while index < len(beats):
            beat = beats[index]
            if beat.kind == "transition":
                parsed = _parse_transition(beat.text)
                self.pending_transition = parsed
            elif beat.kind == "action":
                if beat.text.strip():
                    self.action(beat.text)
            elif beat.dual and index + 1 < len(beats) and beats[index + 1].dual:
                self.dialogue(beats[index : index + 2], beats[index + 2 :])
                index += 1
            else:
                self.dialogue([beat], beats[index + 1 :])
            index += 1
        if not self.drafts:
            # A scene with nothing to show still gets a shot of its place.
            self.establishing(self.scene.description)
        return self.drafts


#: Shots that carry a beat of the story; coverage is added after them (not after inserts and
#: reactions, which already cover a beat).
_COVERAGE_HOSTS = frozenset({"establishing", "action", "dialogue", "narration"})


def _same_look(draft: _Draft, previous: _Draft) -> bool:
    """Whether two shots would look alike cut together (same set-up or same description)."""
    return draft.description == previous.description or (
        draft.shot_size == previous.shot_size
        and draft.framing == previous.framing
        and set(draft.characters) == set(previous.characters)
        and set(draft.props) == set(previous.props)
    )


def _parse_transition(text: str) -> Transition:
    cleaned = text.strip().strip(">").strip().rstrip(":.").strip()
    try:
        parsed: Transition = Transition.parse(cleaned)
    except ValueError:
        return Transition.CUT
    return parsed


_SIZE_NAMES = {
    ShotSize.EWS: "Extreme wide shot",
    ShotSize.WS: "Wide shot",
    ShotSize.FS: "Full shot",
    ShotSize.MWS: "Medium wide shot",
    ShotSize.MS: "Medium shot",
    ShotSize.MCU: "Medium close-up",
    ShotSize.CU: "Close-up",
    ShotSize.ECU: "Extreme close-up",
}


def _size_name(size: ShotSize) -> str:
    return _SIZE_NAMES[size]


def _movement_name(movement: CameraMovement) -> str:
    return {
        CameraMovement.STATIC: "static",
        CameraMovement.HANDHELD: "handheld, following the action",
        CameraMovement.TRACKING: "tracking alongside",
        CameraMovement.DOLLY_IN: "slow push in",
        CameraMovement.PAN: "slow pan",
        CameraMovement.ORBIT: "slow orbit",
    }.get(movement, movement.value.replace("_", " "))


# -- fitting to a length -----------------------------------------------------------------


def allocate_frames(weights: Sequence[Fraction], total: int, minimum: int = 0) -> list[int]:
    """Split ``total`` frames in proportion to ``weights``, exactly, none under ``minimum``.

    Shots whose share would fall under the minimum get the minimum and the rest is shared
    among the others; shares are then floored and the frames left over go to the largest
    remainders (the earlier shot on a tie). The result sums to ``total`` and each share is
    within one frame of its ideal: no drift however many shots.
    """
    n = len(weights)
    if n == 0:
        if total:
            raise InvalidInput(f"cannot share {total} frames among no shots")
        return []
    if any(w <= 0 for w in weights):
        raise InvalidInput("every shot needs a positive length to share frames")
    if n * minimum > total:
        raise InvalidInput(
            f"{total} frames cannot hold {n} shots of at least {minimum} frames each"
        )
    fixed: set[int] = set()
    while True:
        free = [i for i in range(n) if i not in fixed]
        remaining = total - minimum * len(fixed)
        weight = sum((weights[i] for i in free), Fraction(0))
        ideal = {i: weights[i] * remaining / weight for i in free}
        under = [i for i in free if ideal[i] < minimum]
        if not under:
            break
        fixed.update(under)
    frames = [minimum] * n
    for i in free:
        frames[i] = math.floor(ideal[i])
    left = total - sum(frames)
    by_remainder = sorted(free, key=lambda i: (-(ideal[i] - math.floor(ideal[i])), i))
    for i in by_remainder[:left]:
        frames[i] += 1
    return frames


def _fit_seconds(drafts: Sequence[_Draft], target: Fraction) -> list[Fraction]:
    """Lengths that sum to ``target``. Lengthening scales every shot alike; shortening first
    takes from elastic shots (not dialogue) down to the pace minimum, then scales all."""
    natural = [d.seconds for d in drafts]
    total = sum(natural, Fraction(0))
    if total <= 0:
        return [target / len(drafts)] * len(drafts)
    if target >= total:
        return [n * target / total for n in natural]
    need = total - target
    slack = [max(Fraction(0), d.seconds - d.floor) if d.elastic else Fraction(0) for d in drafts]
    available = sum(slack, Fraction(0))
    if available >= need:
        ratio = need / available
        return [n - s * ratio for n, s in zip(natural, slack, strict=True)]
    base = [n - s for n, s in zip(natural, slack, strict=True)]
    scale = target / sum(base, Fraction(0))
    return [b * scale for b in base]


def _merge(first: _Draft, second: _Draft) -> _Draft:
    dialogue = first.dialogue + second.dialogue
    merged = _Draft(
        kind="dialogue" if dialogue else first.kind,
        scene_index=first.scene_index,
        seconds=first.seconds + second.seconds,
        floor=first.floor + second.floor,
        elastic=first.elastic and second.elastic,
        shot_size=first.shot_size,
        framing=first.framing,
        camera_movement=first.camera_movement,
        scene_type=first.scene_type,
        camera_angle=first.camera_angle,
        title=first.title,
        description=f"{first.description} {second.description}",
        action=" ".join(t for t in (first.action, second.action) if t),
        camera_details=first.camera_details,
        characters=_dedupe(first.characters + second.characters),
        props=_dedupe(first.props + second.props),
        dialogue=dialogue,
        narration=" ".join(n for n in (first.narration, second.narration) if n) or None,
        notes=_dedupe([*first.notes, *second.notes, "two planned shots merged to fit the target"]),
        transition_in=first.transition_in,
        speech_seconds=first.speech_seconds + second.speech_seconds,
    )
    if dialogue and first.kind != "dialogue":
        # Lines now carry the shot: frame who speaks, as a two-shot when two do.
        speakers = _dedupe(line.character for line in dialogue)
        merged.scene_type = SceneType.DIALOGUE
        merged.shot_size = ShotSize.MS
        merged.framing = Framing.TWO_SHOT if len(merged.characters) >= 2 else Framing.SINGLE
        merged.camera_movement = CameraMovement.STATIC
        merged.title = f"{' and '.join(speakers)}: {_short(dialogue[0].text, 40)}"
    elif dialogue and len(_dedupe(line.character for line in dialogue)) > 1:
        merged.framing = Framing.TWO_SHOT
        merged.shot_size = ShotSize.MS
    return merged


def _reduce(drafts: list[_Draft], capacity: int, rules: BreakdownRules) -> Counter[str]:
    """Drop or merge the least important shots until at most ``capacity`` remain."""
    done: Counter[str] = Counter()
    stages = {name: rank for rank, name in enumerate(rules.reduction_order)}
    while len(drafts) > capacity:
        best: tuple[tuple[int, Fraction, int], str, int] | None = None
        for i, draft in enumerate(drafts):
            same_scene_next = i + 1 < len(drafts) and drafts[i + 1].scene_index == draft.scene_index
            same_scene_prev = i > 0 and drafts[i - 1].scene_index == draft.scene_index
            alone = not (same_scene_next or same_scene_prev)
            options: list[tuple[str, Fraction]] = []
            if draft.kind in ("reaction", "insert") and not alone:
                options.append((draft.kind, draft.seconds))
            if draft.kind == "establishing" and i > 0 and same_scene_next:
                options.append(("establishing", draft.seconds))
            if same_scene_next:
                options.append(("merge", draft.seconds + drafts[i + 1].seconds))
            for action, seconds in options:
                key = (stages.get(action, len(stages)), seconds, -i)
                if best is None or key < best[0]:
                    best = (key, action, i)
        if best is None:
            raise BriefError("no shot can be dropped or merged")  # guarded by the caller
        _, action, i = best
        if action in ("reaction", "insert"):
            drafts.pop(i)
        else:
            merged = _merge(drafts[i], drafts[i + 1])
            if action == "establishing":
                # The next shot keeps its framing and takes the place's description.
                opening, following = drafts[i], drafts[i + 1]
                merged = _merge(following, opening)
                merged.description = f"{opening.description} {following.description}"
                merged.action = " ".join(t for t in (opening.action, following.action) if t)
                merged.notes = [n for n in merged.notes if "merged" not in n]
                merged.notes.append("establishing shot folded in to fit the target")
            drafts[i : i + 2] = [merged]
        done[action] += 1
    return done


def _reduction_sentence(done: Counter[str], target: float, before: int, minimum: int) -> str:
    parts = []
    names = {
        "reaction": ("reaction shot", "dropped"),
        "insert": ("insert", "dropped"),
        "establishing": ("establishing shot", "folded into the next shot"),
        "merge": ("pair of shots", "merged"),
    }
    for key, (noun, verb) in names.items():
        count = done.get(key, 0)
        if count:
            parts.append(f"{verb} {count} {noun}{'s' if count > 1 else ''}")
    return (
        f"the {target:g} s target is too short for {before} shots of at least {minimum} "
        f"frames: {', '.join(parts)}"
    )


def _set_seconds(drafts: Sequence[_Draft], seconds: Sequence[Fraction]) -> None:
    for draft, length in zip(drafts, seconds, strict=True):
        draft.seconds = length
        draft.floor = min(draft.floor, length)


def _lengthen_capped(drafts: Sequence[_Draft], target: Fraction, cap: Fraction) -> list[Fraction]:
    """Lengths that sum to ``target`` (at least the drafts' total): every shot scaled alike,
    except that none is pushed past ``cap`` (or its own length when already longer) while
    other shots still have room. When no shot has room left, all are scaled alike."""
    natural = [d.seconds for d in drafts]
    total = sum(natural, Fraction(0))
    if total <= 0 or target <= total:
        return _fit_seconds(drafts, target)
    limits = [max(cap, n) for n in natural]
    fixed: set[int] = set()
    while True:
        free = [i for i in range(len(natural)) if i not in fixed]
        if not free:
            return [n * target / total for n in natural]
        room = target - sum((limits[i] for i in fixed), Fraction(0))
        weight = sum((natural[i] for i in free), Fraction(0))
        over = [i for i in free if natural[i] * room > limits[i] * weight]
        if not over:
            break
        fixed.update(over)
    return [limits[i] if i in fixed else natural[i] * room / weight for i in range(len(natural))]


@dataclass(frozen=True)
class _Covered:
    """Scenes given coverage shots and fitted to their share of the target."""

    drafts: list[list[_Draft]]
    added: dict[int, int]
    """Shots added, by scene index (only scenes that got coverage)."""
    story: Fraction
    """The story's natural length, before coverage."""
    natural: Fraction
    """The natural length after coverage, before fitting."""
    capped: bool
    """Whether the shot limit left some of the gap to stretching."""


def _round(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _cover(
    scenes: Sequence[Scene],
    designed: Sequence[list[_Draft]],
    specs: TechnicalSpecs,
    rules: BreakdownRules,
    target: Fraction,
    capacity: int,
) -> _Covered | None:
    """Coverage instead of stretching: ``None`` when every scene can simply be stretched (or
    shortened) to its share of ``target``; otherwise the scenes that would run past
    ``rules.stretch_limit`` times their natural length, or whose shots would average more than
    the pace's longest, get shots added (``capacity`` shots in all at most), and every scene
    is fitted to its share."""
    pace = rules.pace[specs.pace]
    naturals = [sum((d.seconds for d in drafts), Fraction(0)) for drafts in designed]
    # A scene's share follows its own length when it has one, its natural length otherwise.
    weights = [
        _f(scene.target_seconds) if scene.target_seconds else natural
        for scene, natural in zip(scenes, naturals, strict=True)
    ]
    weight = sum(weights, Fraction(0))
    if weight <= 0:
        return None
    planned = [w * target / weight for w in weights]
    limit, longest = _f(rules.stretch_limit), _f(pace.max)
    short = [
        share > natural * limit or share > longest * len(drafts)
        for share, natural, drafts in zip(planned, naturals, designed, strict=True)
    ]
    if not any(short):
        return None
    out = [list(drafts) for drafts in designed]
    designers: dict[int, _SceneDesigner] = {}
    for index, scene in enumerate(scenes):
        if not short[index]:
            continue
        previous = scenes[index - 1] if index else None
        changes_place = _scene_changes_place(previous, scene)
        designer = _SceneDesigner(rules, specs, scene, index, changes_place, sentence_shots=True)
        finer = designer.design()
        count = sum(len(drafts) for drafts in out) - len(out[index]) + len(finer)
        # A shot per sentence, unless that alone runs past the scene's share or the limit.
        if sum((d.seconds for d in finer), Fraction(0)) > planned[index] or count > capacity:
            designer = _SceneDesigner(rules, specs, scene, index, changes_place)
            finer = designer.design()
        out[index] = finer
        designers[index] = designer
    wanted: dict[int, int] = {}
    for index, designer in designers.items():
        drafts = out[index]
        missing = planned[index] - sum((d.seconds for d in drafts), Fraction(0))
        step = designer._kind_seconds("coverage")
        by_length = _round(missing / step)
        by_longest = math.ceil(planned[index] / longest) - len(drafts)
        wanted[index] = max(1, by_length, by_longest)
    room = max(0, capacity - sum(len(drafts) for drafts in out))
    asked = sum(wanted.values())
    capped = asked > room
    if capped:
        wanted = {index: count * room // asked for index, count in wanted.items()}
    for index, count in wanted.items():
        out[index] = designers[index].cover(count)
    natural = sum((d.seconds for drafts in out for d in drafts), Fraction(0))
    for index, drafts in enumerate(out):
        if index in designers:
            _set_seconds(drafts, _lengthen_capped(drafts, planned[index], longest))
        else:
            _set_seconds(drafts, _fit_seconds(drafts, planned[index]))
    added = {
        index: len(out[index]) - len(designed[index])
        for index in designers
        if len(out[index]) > len(designed[index])
    }
    return _Covered(
        drafts=out, added=added, story=sum(naturals, Fraction(0)), natural=natural, capped=capped
    )


def _coverage_sentence(
    covered: _Covered, scenes: Sequence[Scene], specs: TechnicalSpecs, target: float
) -> str:
    count = sum(covered.added.values())
    pace = specs.pace.replace("_", "-")
    by_scene = ", ".join(f"scene {scenes[i].number}: {n}" for i, n in covered.added.items())
    sentence = (
        f"the story runs about {float(covered.story):.0f} s; {count} coverage "
        f"shot{'s' if count != 1 else ''} added to reach the {target:g} s target at the "
        f"{pace} pace ({by_scene})"
    )
    if not covered.added:
        return (
            f"the story runs about {float(covered.story):.0f} s; no coverage shot fits the "
            f"shot limit, so the shots are stretched to the {target:g} s target"
        )
    if covered.capped:
        sentence += "; the shot limit left the rest to longer shots"
    return sentence


def _scene_changes_place(previous: Scene | None, scene: Scene) -> bool:
    if not scene.location:
        return False
    if previous is None or not previous.location:
        return True
    return element_id("location", previous.location) != element_id("location", scene.location)


def _weather(scene: Scene, rules: BreakdownRules) -> str | None:
    if scene.int_ext is IntExt.INT:
        return None
    text = " ".join([scene.heading, scene.description, *(b.text for b in scene.beats)])
    tokens = _tokens(text)
    for index, token in enumerate(tokens):
        for name, words in rules.weather_words.items():
            if token in words and not set(tokens[index + 1 : index + 4]) & rules.weather_ended:
                return name
    return None


def design_shots(
    scenes: Sequence[Scene],
    specs: TechnicalSpecs,
    *,
    target_seconds: float | None = None,
    min_frames: int = MIN_SHOT_FRAMES,
    rules: BreakdownRules = DEFAULT_RULES,
) -> Breakdown:
    """Shots for ``scenes``: framed, timed at ``specs.pace`` and ``specs.words_per_second``,
    with contiguous timecodes at ``specs.rate`` from frame 0, ids ``shot_01``...

    With ``target_seconds`` (the brief's length) the total is exactly the target to the
    nearest frame (half up); a scene's own ``target_seconds`` is honoured first. A scene whose
    share of the target is more than ``rules.stretch_limit`` times its natural length (or
    whose shots would average more than the pace's longest) is covered with more shots rather
    than longer ones: a shot per sentence, then close-ups, medium angles, performance,
    tracking, inserts and cutaways after the beats they cover. When the target cannot hold
    every shot at ``min_frames``, reactions, inserts and establishing shots go first, then
    neighbouring shots of a scene are merged. The warnings say what was done. A target too
    short for one shot per scene raises :class:`BriefError`.
    """
    if not scenes:
        raise BriefError("there are no scenes to design shots for; give a screenplay or a brief")
    if min_frames < 1:
        raise InvalidInput(f"the minimum shot length must be at least 1 frame, not {min_frames}")
    if specs.pace not in rules.pace:
        raise InvalidInput(f"no timing rules for the pace {specs.pace!r}")
    rate = specs.rate
    times = time_relations(scenes)
    warnings: list[str] = []
    designed: list[list[_Draft]] = []
    for index, scene in enumerate(scenes):
        previous = scenes[index - 1] if index else None
        designer = _SceneDesigner(rules, specs, scene, index, _scene_changes_place(previous, scene))
        designed.append(designer.design())
    if target_seconds is not None and target_seconds <= 0:
        raise InvalidInput(f"the target length must be positive, not {target_seconds} s")
    covered: _Covered | None = None
    if target_seconds is not None:
        target_frames = seconds_to_frames(target_seconds, rate)
        capacity = min(_MAX_SHOTS, target_frames // min_frames)
        covered = _cover(scenes, designed, specs, rules, Fraction(target_frames) / rate, capacity)
    drafts: list[_Draft] = []
    if covered is not None:
        # Each scene already lasts its share of the target (coverage, then fitting).
        for scene_drafts in covered.drafts:
            drafts.extend(scene_drafts)
        natural = covered.natural
        warnings.append(_coverage_sentence(covered, scenes, specs, target_seconds or 0))
    else:
        for scene, scene_drafts in zip(scenes, designed, strict=True):
            if scene.target_seconds:
                _set_seconds(scene_drafts, _fit_seconds(scene_drafts, _f(scene.target_seconds)))
            drafts.extend(scene_drafts)
        natural = sum((d.seconds for d in drafts), Fraction(0))
    if target_seconds is not None:
        total = seconds_to_frames(target_seconds, rate)
        scene_targets = [s.target_seconds for s in scenes if s.target_seconds]
        if scene_targets and len(scene_targets) == len(scenes):
            planned = sum(_f(t) for t in scene_targets)
            if seconds_to_frames(planned, rate) != total:
                warnings.append(
                    f"the scenes' own lengths add up to {float(planned):g} s but the target is "
                    f"{target_seconds:g} s: every scene was scaled to fit"
                )
    else:
        total = seconds_to_frames(natural, rate)
    if len(scenes) * min_frames > total:
        needed = Fraction(len(scenes) * min_frames) / rate
        raise BriefError(
            f"a {float(Fraction(total) / rate):g} s plan cannot hold {len(scenes)} scenes of at "
            f"least {min_frames} frames each; give at least {math.ceil(float(needed) * 10) / 10:g}"
            " s or fewer scenes"
        )
    before = len(drafts)
    if before * min_frames > total:
        done = _reduce(drafts, total // min_frames, rules)
        warnings.append(
            _reduction_sentence(done, float(Fraction(total) / rate), before, min_frames)
        )
    fitted = _fit_seconds(drafts, Fraction(total) / rate)
    frames = allocate_frames(fitted, total, min_frames)
    if target_seconds is not None and natural > 0:
        factor = float(Fraction(total) / rate / natural)
        if abs(factor - 1) > 0.25:
            warnings.append(
                f"the shots need about {float(natural):.1f} s; fitted to the {target_seconds:g} s "
                f"target they run at x{factor:.2f} of their natural length"
            )
    rushed = [
        d
        for d, n in zip(drafts, frames, strict=True)
        if d.speech_seconds and Fraction(n) / rate < d.speech_seconds
    ]
    if rushed:
        warnings.append(
            f"{len(rushed)} dialogue shot{'s are' if len(rushed) > 1 else ' is'} shorter than "
            f"the lines need at {specs.words_per_second:g} words/s: lengthen the target or "
            "trim the lines"
        )
    shots = _build_shots(drafts, frames, scenes, times, rules)
    return Breakdown(
        scenes=list(scenes), shots=link_continuity(shots, scenes), warnings=warnings, rate=rate
    )


def _build_shots(
    drafts: Sequence[_Draft],
    frames: Sequence[int],
    scenes: Sequence[Scene],
    times: Sequence[SceneTime],
    rules: BreakdownRules,
) -> list[ShotSpec]:
    if len(drafts) > _MAX_SHOTS:
        raise BriefError(
            f"the plan has {len(drafts)} shots, more than the {_MAX_SHOTS} shot ids allow; "
            "break the film into episodes"
        )
    transitions_in: list[Transition] = []
    for number, draft in enumerate(drafts):
        scene = scenes[draft.scene_index]
        opens_scene = number == 0 or drafts[number - 1].scene_index != draft.scene_index
        if opens_scene:
            previous = scenes[draft.scene_index - 1] if draft.scene_index else None
            transition = entry_transition(previous, scene, times[draft.scene_index].relation)
            if number == 0 and transition is Transition.CUT:
                transition = Transition.FADE_IN
        else:
            transition = draft.transition_in or Transition.CUT
        transitions_in.append(transition)
    last_scene = scenes[drafts[-1].scene_index] if drafts else None
    ends_on_fade = bool(
        last_scene
        and last_scene.beats
        and last_scene.beats[-1].kind == "transition"
        and _parse_transition(last_scene.beats[-1].text) is Transition.FADE_OUT
    )
    shots: list[ShotSpec] = []
    start = 0
    for number, (draft, length) in enumerate(zip(drafts, frames, strict=True)):
        scene = scenes[draft.scene_index]
        if number + 1 < len(drafts):
            following = transitions_in[number + 1]
            transition_out = Transition.FADE_OUT if following is Transition.FADE_IN else following
        else:
            transition_out = Transition.FADE_OUT if ends_on_fade else Transition.CUT
        time = times[draft.scene_index].period or (
            scene.time_of_day.lower() if scene.time_of_day else None
        )
        spoken = bool(draft.dialogue or draft.narration)
        shots.append(
            ShotSpec(
                shot_id=f"shot_{number + 1:02d}",
                title=_short(draft.title, 80),
                scene=scene.number,
                start_frame=start,
                end_frame=start + length,
                shot_size=draft.shot_size,
                framing=draft.framing,
                camera_angle=draft.camera_angle,
                camera_movement=draft.camera_movement,
                camera_details=draft.camera_details,
                lens_mm=rules.lens_mm[draft.shot_size],
                scene_type=draft.scene_type,
                description=draft.description.strip(),
                action=draft.action,
                characters=_dedupe(element_id("character", c) for c in draft.characters),
                location=element_id("location", scene.location) if scene.location else None,
                props=_dedupe(element_id("prop", p) for p in draft.props),
                time_of_day=time,
                weather=_weather(scene, rules),
                vocals_type="spoken" if spoken else None,
                dialogue=list(draft.dialogue),
                narration=draft.narration,
                transition_in=transitions_in[number],
                transition_out=transition_out,
                generation_notes="; ".join(draft.notes),
            )
        )
        start += length
    return shots


# --------------------------------------------------------------------------------------
# Continuity
# --------------------------------------------------------------------------------------


def same_place_continuous(previous: ShotSpec, shot: ShotSpec, scenes: Sequence[Scene]) -> bool:
    """Whether ``shot`` follows ``previous`` in the same place with no cut in time: the same
    scene, or the next scene marked CONTINUOUS/SAME at the same location, joined by a cut."""
    return _continuous(previous, shot, _ContinuityIndex(scenes))


class _ContinuityIndex:
    """Scene order and time relations, computed once for many shot pairs."""

    def __init__(self, scenes: Sequence[Scene]) -> None:
        self.position = {scene.number: i for i, scene in enumerate(scenes)}
        self.relations = [t.relation for t in time_relations(scenes)]


def _continuous(previous: ShotSpec, shot: ShotSpec, index: _ContinuityIndex) -> bool:
    if previous.location is None or previous.location != shot.location:
        return False
    if shot.transition_in is not Transition.CUT:
        return False
    if previous.scene == shot.scene:
        return True
    before, after = index.position.get(previous.scene), index.position.get(shot.scene)
    if before is None or after is None or after != before + 1:
        return False
    return index.relations[after] == "continuous"


def _same_setup(previous: ShotSpec, shot: ShotSpec) -> bool:
    return (
        previous.shot_size == shot.shot_size
        and previous.framing == shot.framing
        and previous.camera_angle == shot.camera_angle
        and set(previous.characters) == set(shot.characters)
        and set(previous.props) == set(shot.props)
    )


def link_continuity(shots: Sequence[ShotSpec], scenes: Sequence[Scene]) -> list[ShotSpec]:
    """The shots with ``continues_from`` set where a shot picks up the previous one's last
    frame: same place, continuous time, a cut, and the same set-up (size, framing, angle,
    characters). A cut between different set-ups (wide to close-up) is not a continuation:
    its first frame cannot be the previous last frame. Values already set are kept."""
    index = _ContinuityIndex(scenes)
    out: list[ShotSpec] = []
    for position, shot in enumerate(shots):
        if position and shot.continues_from is None:
            previous = shots[position - 1]
            if _continuous(previous, shot, index) and _same_setup(previous, shot):
                shot = shot.model_copy(update={"continues_from": previous.shot_id})
        out.append(shot)
    return out


# --------------------------------------------------------------------------------------
# Edits: split, retime
# --------------------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _part_ids(shot_id: str, parts: int, taken: set[str]) -> list[str]:
    match = re.fullmatch(r"(shot_\d{2,3})([a-z]{0,2})", shot_id)
    if match is None:
        raise InvalidInput(f"{shot_id!r} is not a shot id like shot_04")
    used_letters = len(match.group(2))
    candidates: list[str] = []
    if used_letters <= 1 and parts <= len(_LETTERS):
        candidates = [f"{shot_id}{a}" for a in _LETTERS]
    elif used_letters == 0:
        candidates = [f"{shot_id}{a}{b}" for a in _LETTERS for b in _LETTERS]
    free = [c for c in candidates if c not in taken]
    if len(free) < parts:
        raise InvalidInput(
            f"{shot_id} cannot be split into {parts} parts (shot ids end in at most two "
            "letters); choose a model with longer clips for it"
        )
    return free[:parts]


def _spread_words(texts: Sequence[str], bounds: Sequence[Fraction]) -> list[list[str]]:
    """Each text's words by part: words are spoken evenly across the whole shot."""
    words = [(t, w) for t, text in enumerate(texts) for w in text.split()]
    out: list[list[list[str]]] = [[[] for _ in texts] for _ in bounds]
    total = len(words)
    for k, (t, word) in enumerate(words):
        when = Fraction(2 * k + 1, 2 * total)
        part = next(i for i, end in enumerate(bounds) if when < end or i == len(bounds) - 1)
        out[part][t].append(word)
    return [[" ".join(ws) for ws in part] for part in out]


def split_long_shots(
    shots: Sequence[ShotSpec], max_frames: Callable[[ShotSpec], int]
) -> list[ShotSpec]:
    """Cut each shot longer than ``max_frames(shot)`` (its model's longest clip) into the
    fewest near-equal consecutive parts that fit: ``shot_04`` becomes ``shot_04a``,
    ``shot_04b``... (letters already used by other shots are skipped). Parts keep the framing
    and content, carry ``split_from`` (the planned shot) and ``continues_from`` (the part
    before), are joined by cuts, and share the dialogue by when its words are spoken. Other
    shots are returned unchanged, ids included.
    """
    taken = {shot.shot_id for shot in shots}
    out: list[ShotSpec] = []
    for shot in shots:
        limit = max_frames(shot)
        if limit < 1:
            raise InvalidInput(
                f"the longest clip for {shot.shot_id} must be at least one frame, not {limit}"
            )
        length = shot.duration_frames
        if length <= limit:
            out.append(shot)
            continue
        count = -(-length // limit)
        sizes = [length // count + (1 if i < length % count else 0) for i in range(count)]
        ids = _part_ids(shot.shot_id, count, taken)
        taken.update(ids)
        bounds: list[Fraction] = []
        elapsed = 0
        for size in sizes:
            elapsed += size
            bounds.append(Fraction(elapsed, length))
        lines = shot.dialogue
        spread = _spread_words([line.text for line in lines], bounds) if lines else None
        narration = _spread_words([shot.narration], bounds) if shot.narration else None
        origin = shot.split_from or shot.shot_id
        start = shot.start_frame
        spoken: set[int] = set()  # lines whose first words are already placed
        for part, (part_id, size) in enumerate(zip(ids, sizes, strict=True)):
            first, last = part == 0, part == count - 1
            dialogue: list[DialogueLine] = []
            for n, line in enumerate(lines):
                text = spread[part][n] if spread is not None else ""
                if text:
                    paren = line.parenthetical if n not in spoken else None
                    spoken.add(n)
                    dialogue.append(line.model_copy(update={"text": text, "parenthetical": paren}))
            note = f"part {part + 1} of {count} of {origin}"
            if not first:
                note = f"continues {ids[part - 1]} from its last frame; {note}"
            notes = "; ".join(n for n in (shot.generation_notes, note) if n)
            update: dict[str, Any] = {
                "shot_id": part_id,
                "title": _short(f"{shot.title} ({part + 1}/{count})", 200),
                "start_frame": start,
                "end_frame": start + size,
                "split_from": origin,
                "continues_from": shot.continues_from if first else ids[part - 1],
                "transition_in": shot.transition_in if first else Transition.CUT,
                "transition_out": shot.transition_out if last else Transition.CUT,
                "start_keyframe": shot.start_keyframe if first else None,
                "end_keyframe": shot.end_keyframe if last else None,
                "dialogue": dialogue,
                "narration": (narration[part][0] or None) if narration else None,
                "generation_notes": notes,
            }
            if not first:
                update["description"] = f"{shot.description} (continues)"
            out.append(shot.model_copy(update=update))
            start += size
    return out


def retime(shots: Sequence[ShotSpec], rate: Fraction | str | int = 24) -> list[ShotSpec]:
    """The shots laid end to end from frame 0, each keeping its length in frames (``rate``
    is the project rate the frames count at; it is checked, not used to convert)."""
    parse_rate(rate)
    out: list[ShotSpec] = []
    start = 0
    for shot in shots:
        length = shot.duration_frames
        out.append(shot.model_copy(update={"start_frame": start, "end_frame": start + length}))
        start += length
    return out


# --------------------------------------------------------------------------------------
# Shortcuts for the planner
# --------------------------------------------------------------------------------------


def breakdown_screenplay(
    text: str,
    specs: TechnicalSpecs,
    *,
    target_seconds: float | None = None,
    known_props: Iterable[str] = (),
) -> tuple[Breakdown, dict[str, str]]:
    """A Fountain screenplay to a :class:`Breakdown`, with its title page."""
    scenes, title_page = scenes_from_fountain(text, known_props=known_props)
    target = target_seconds if target_seconds is not None else specs.duration_seconds
    return design_shots(scenes, specs, target_seconds=target), title_page


def breakdown_brief(brief: CreativeBrief) -> Breakdown:
    """A brief to a :class:`Breakdown` at its own specs and length."""
    specs = brief.technical_specs
    target = brief.duration_seconds or specs.duration_seconds
    return design_shots(scenes_from_brief(brief), specs, target_seconds=target)
