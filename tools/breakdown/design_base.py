"""The scene designer's state, timing and helpers, shared by its beat and coverage shots."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from storycore.tools.breakdown.drafts import _Draft, _f
from storycore.tools.breakdown.moments import Moment
from storycore.tools.breakdown.rules import BreakdownRules
from storycore.tools.breakdown.text import (
    _OBJECT_NEXT,
    _chunks,
    _clauses,
    _name_keys,
    _tokens,
    _word_count,
    _words,
    noun_gender,
    object_genders,
    pronoun_before_names,
    speaks_of_the_group,
)
from storycore.tools.breakdown.wording import Phrase, Wording
from storycore.tools.domain import (
    Scene,
    ShotSize,
    TechnicalSpecs,
    Transition,
)
from storycore.tools.fountain import (
    fold,
    mentions,
)
from storycore.tools.fountain.french_props import handled_props as french_handled_props
from storycore.tools.fountain.handled import handled_props
from storycore.tools.fountain.people import PERSON_NOUNS
from storycore.tools.text import fold_words_keep_colon, split_sentences

#: Determiners that open a subject noun phrase (folded).
_SUBJECT_DETERMINERS = _words(
    "the these those some two three four five several many a few les des ces quelques deux "
    "trois quatre cinq plusieurs"
)
#: Plural nouns not written with a final s.
_PLURAL_NOUNS = _words("men women people children police gens")

#: Possessives that say whose relation a person is ("his granddaughter Mira", "sa fille
#: Alma"): the possessor is spoken of, not shown (folded).
_POSSESSIVES = _words("his her their son sa ses leur leurs")


def _without_relations(tokens: list[str]) -> set[str]:
    """The folded ``tokens`` of a beat less the possessives that open a relation ("his
    granddaughter", "her old friend", "sa petite soeur"): a pronoun there says whose
    relative someone is and casts nobody ("His granddaughter Mira runs up the slope" is
    Mira's shot); any other pronoun is kept ("Ines hands him the key")."""
    kept = set()
    for i, token in enumerate(tokens):
        if token in _POSSESSIVES and (
            (tokens[i + 1 : i + 2] and tokens[i + 1] in PERSON_NOUNS)
            or (tokens[i + 2 : i + 3] and tokens[i + 2] in PERSON_NOUNS)
        ):
            continue
        kept.add(token)
    return kept


#: A clause opening on a plural subject pronoun: at the start, after a mark, or after
#: "then" / "puis" / "and" / "et" ("They laugh", "..., puis ils trinquent").
_PLURAL_SUBJECT = re.compile(
    r"(?:^|[,;:.!?]\s+|\b(?:then|and|puis|et|ensuite)\s+)(?:they|ils|elles)\s", re.IGNORECASE
)


def _first_name_at(text: str, names: Sequence[str]) -> int:
    """Where the first of ``names`` is named in ``text`` (its length when none is)."""
    folded = fold(text)
    places = [folded.find(fold(name)) for name in names]
    return min((p for p in places if p >= 0), default=len(text))


def _plural_subject(text: str, pronouns: frozenset[str]) -> bool:
    """Whether the first sentence of ``text`` opens (after a comma-closed opener such as "At
    dawn," or "Au petit matin,") on a plural noun phrase that comes before its first plural
    pronoun (one of ``pronouns``): "The pickers laugh as they ...", "Les commerçants
    installent leurs étals"."""
    sentence = (split_sentences(text) or [text])[0]
    head, comma, rest = sentence.partition(",")
    tokens = list(_tokens(rest if comma and len(head.split()) <= 4 else sentence))
    if not tokens or tokens[0] not in _SUBJECT_DETERMINERS:
        return False
    if tokens[0] == "a" and tokens[1:2] != ["few"]:
        return False
    start = 2 if tokens[:2] == ["a", "few"] else 1
    for token in tokens[start : start + 3]:
        if token in pronouns:
            return False
        if token in _PLURAL_NOUNS or (len(token) > 3 and token[-1] in "sx"):
            return any(t in pronouns for t in tokens[start:])
    return False


class _DesignerBase:
    """The state of one scene's design and the helpers its shots share."""

    def __init__(
        self,
        rules: BreakdownRules,
        specs: TechnicalSpecs,
        scene: Scene,
        index: int,
        new_location: bool,
        *,
        sentence_shots: bool = False,
        story: StoryFacts | None = None,
    ) -> None:
        self.rules = rules
        # The characters' genders read from the whole story (:func:`story_genders`); a
        # scene's own text alone may show someone once, followed by another's pronoun.
        self.genders = story.genders if story else None
        # The props known only from being handled: no insert shot of their own.
        self.handled_only: frozenset[str] = story.handled_only if story else frozenset()
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
        # the moments of the beat being covered, and those a coverage shot told already
        self.beat_moments: list[Moment] = []
        self.moments_told: Counter[int] = Counter()
        self.bare_said: set[str] = set()  # the coverage descriptions the film has said
        # The words of the shots, in the project's language; French articles are read from
        # the scene's own text ("sur un toit" -> "du toit").
        self.words = Wording(
            specs.language,
            [scene.heading, scene.description, *(beat.text for beat in scene.beats)],
        )

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
        tokens = _without_relations(list(_tokens(text)))
        groups = {name for name, words in self.rules.pronouns.items() if tokens & words}
        if who:
            # "Ines hands him the key": an object pronoun is someone else than the named
            who = self._with_objects(text, who)
            # "Il sourit à Léa", "Tomas watches her": the named, plus the one person of the
            # pronoun's gender the previous shots showed who is not named here.
            # "He rides past the woman": a subject pronoun before the names is someone else
            first = pronoun_before_names(text, who)
            for gender in ("masculine", "feminine") if groups else ():
                before = first in self.rules.pronouns.get(gender, frozenset())
                # "Ada looks at her phone": a pronoun that may be the named person's own
                if gender in groups and (
                    before or all(self._gender(n) not in (gender, None) for n in who)
                ):
                    found = self._last_of_gender(gender, exclude=who) or self._cast_of_gender(
                        gender, exclude=who
                    )
                    if found and found not in who:
                        who = [found, *who] if before else [*who, found]
            return self._with_plural_subject(text, who)
        if speaks_of_the_group((split_sentences(text) or [text])[0]):
            return self._recent_people(2)  # "the two friends sit at the back"
        if not groups:
            return []
        if groups == {"plural"} and _plural_subject(text, self.rules.pronouns["plural"]):
            # "The pickers laugh as they fill crates", "les commerçants installent leurs
            # étals": the pronoun stands for the sentence's own plural subject, not the cast
            return []
        # "Elle lui tend un croissant": the subject, then who the object pronoun stands for
        who = self._pronoun_subject(groups)
        return self._with_objects(text, who) if who else who

    def _with_plural_subject(self, text: str, who: list[str]) -> list[str]:
        """``who`` and, when a clause of ``text`` opens on "they" / "ils" / "elles" ("Ils
        trinquent, puis Alma rit"), the people the last shots showed, so the pronoun's
        clause has at least two: a toast is not Alma's alone."""
        found = _PLURAL_SUBJECT.search(text)
        if found is None or len(who) >= 2 or _plural_subject(text, self.rules.pronouns["plural"]):
            return who
        others = [c for c in self._recent_people(3) if c not in who][: 2 - len(who)]
        # the pronoun before the names: its people first ("Ils trinquent, puis Alma rit")
        return [*others, *who] if found.start() < _first_name_at(text, who) else [*who, *others]

    def _with_objects(self, text: str, who: list[str]) -> list[str]:
        """``who`` and, for each object pronoun of ``text``, the person it stands for: the
        last shown of its gender (or of no known gender) who is not already there."""
        for gender in object_genders(text):
            found = self._last_other(gender, exclude=who)
            if found:
                who = [*who, found]
        return who

    def _pronoun_subject(self, groups: set[str]) -> list[str]:
        """Who a text that names no one speaks of with the pronouns of ``groups``."""
        count = 2 if "plural" in groups else max(1, len(groups - {"either"}))
        genders = [g for g in ("masculine", "feminine") if g in groups]
        if count == 1 and len(genders) == 1:
            # "Elle regarde la mer": the last person shown of that gender, else the last one.
            found = self._last_of_gender(genders[0], exclude=[])
            if found:
                return [found]
            # "il" where no one shown is known to be of that gender (a scene's opening, or
            # "Later, the girl jumps off. He waves back"): its one character of that gender,
            # else its one character whose gender is not known
            found = self._cast_of_gender(genders[0], exclude=[])
            if found and (self._gender(found) == genders[0] or not self._fits_shown(genders[0])):
                return [found]
        if "plural" in groups:
            return self._recent_people(count)
        # "She tilts the umbrella": whoever the previous shot showed, the one its action names
        # first first, leaving out who is known to be of another gender ("He checks his
        # phone" after a shot of Mei and Jonah is Jonah).
        for draft in reversed(self.drafts):
            fitting = [
                name
                for name in draft.characters
                if len(genders) != 1 or self._gender(name) in (genders[0], None)
            ]
            if fitting:
                fitting.sort(key=lambda name: _first_mention(draft.action, name))
                return fitting[:count]
        return []

    def _recent_people(self, count: int) -> list[str]:
        """ "They dance together": the people the last shots showed, at least ``count``
        (singles of Iris then of Theo give both), else the scene's own cast."""
        found: list[str] = []
        for draft in reversed(self.drafts):
            for name in draft.characters:
                if name not in found:
                    found.append(name)
            if len(found) >= count:
                break
        if len(found) < count:
            found += [c for c in self.scene.characters if c not in found][: count - len(found)]
        return [c for c in self.scene.characters if c in found] + [
            c for c in found if c not in self.scene.characters
        ]

    def _last_other(self, gender: str | None, *, exclude: list[str]) -> str | None:
        """Who an object pronoun of ``gender`` stands for beside ``exclude``: the last person
        shown of that gender, else the last shown whose gender is not known to differ, else
        the scene's one other character."""
        if gender:
            found = self._last_of_gender(gender, exclude=exclude)
            if found:
                return found

        def fits(name: str) -> bool:
            return gender is None or self._gender(name) in (gender, None)

        for draft in reversed(self.drafts):
            for name in draft.characters:
                if name not in exclude and fits(name):
                    return name
        others = [c for c in self.scene.characters if c not in exclude]
        if len(others) == 1 and fits(others[0]):
            return others[0]
        return None

    def _last_of_gender(self, gender: str, *, exclude: list[str]) -> str | None:
        """The character most recently shown whose gender (read from the scene's own text)
        is ``gender``; None when none is known to be."""
        for draft in reversed(self.drafts):
            found = [
                name
                for name in draft.characters
                if name not in exclude and self._gender(name) == gender
            ]
            if found:
                # "The old man hands the box to the young man. He walks away": the subject,
                # named first, is who the pronoun goes on with
                return min(found, key=lambda name: _first_mention(draft.action, name))
        return None

    def _fits_shown(self, gender: str) -> bool:
        """Whether someone the scene's shots showed may be of ``gender``."""
        return any(
            self._gender(name) in (gender, None)
            for draft in self.drafts
            for name in draft.characters
        )

    def _cast_of_gender(self, gender: str, *, exclude: list[str]) -> str | None:
        """The scene's one character of ``gender`` beside ``exclude`` ("He rides past the
        woman" opening a scene whose cast goes on from the scene before), else its one other
        character whose gender is not known; None when there are none, or several."""
        others = [c for c in self.scene.characters if c not in exclude]
        for wanted in (gender, None):
            found = [c for c in others if self._gender(c) == wanted]
            if found:
                return found[0] if len(found) == 1 else None
        return None

    def _gender(self, name: str) -> str | None:
        """A character's grammatical gender from the scene: the subject pronoun of the
        sentence after the one that names only them, or a gendered noun of its introduction
        ("a fisherman named Tomas", "Léa, une danseuse")."""
        article = name.split(" ", 1)[0]
        if " " in name and article in ("Le", "La"):
            # "La boulangère", "Le livreur": a person the story names by a French noun, whose
            # article says more than any pronoun nearby
            return "feminine" if article == "La" else "masculine"
        if self.genders is not None and name in self.genders:
            return self.genders[name]
        cache = self.__dict__.setdefault("_genders", {})
        if name in cache:
            return cache[name]
        text = " ".join(beat.text for beat in self.scene.beats if beat.kind == "action")
        sentences = split_sentences(" ".join(text.split()))
        gender = None
        for sentence, following in zip(sentences, [*sentences[1:], ""], strict=False):
            if self._who(sentence) != [name]:
                continue
            gender = noun_gender(sentence)
            first = next(iter(_tokens(following)), "")
            for key in ("masculine", "feminine"):
                if gender is None and first in self.rules.pronouns.get(key, frozenset()):
                    gender = key
            if gender:
                break
        cache[name] = gender
        return gender

    def _seen(self, name: str) -> bool:
        return any(name in draft.characters for draft in self.drafts)

    def _place(self) -> Phrase:
        """The scene's place as a shot names it: "Harbour Wall" (a name, as written),
        "the old bridge" (a common noun from prose), "the scene" (no place known); "la
        boulangerie", "le toit" in French."""
        return self.words.place(self.scene.location, self.scene.characters)

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


@dataclass(frozen=True)
class StoryFacts:
    """What the designer of one scene reads from the whole story."""

    genders: Mapping[str, str | None]
    #: the props the writer only handles in lower case (no insert shot of their own)
    handled_only: frozenset[str]


def story_facts(
    scenes: Sequence[Scene], rules: BreakdownRules, declared: Iterable[str] = ()
) -> StoryFacts:
    """The characters' genders (:func:`story_genders`) and the props known only from being
    handled (:func:`handled_only`)."""
    return StoryFacts(story_genders(scenes, rules), handled_only(scenes, declared))


def handled_only(scenes: Sequence[Scene], declared: Iterable[str] = ()) -> frozenset[str]:
    """The props the writer neither flags in capitals nor declares (``declared``, the brief's
    Props), but a person handles in lower case ("checks his watch", "holds the rope":
    :func:`~storycore.tools.fountain.handled.handled_props`). They are registered and on
    every shot that shows them, so they look the same from shot to shot, but they get no
    insert shot of their own: the writer asked for one only by flagging the prop ("a RED
    UMBRELLA")."""
    lines = [beat.text for scene in scenes for beat in scene.beats if beat.kind == "action"]
    handled = {*handled_props(lines), *(p for t in lines for p in french_handled_props(t))}
    wanted = {fold_words_keep_colon(name) for name in declared}
    props = {p for scene in scenes for p in scene.props if fold_words_keep_colon(p) not in wanted}
    return frozenset(
        prop for prop in props & handled if not any(prop.upper() in line for line in lines)
    )


def story_genders(scenes: Sequence[Scene], rules: BreakdownRules) -> dict[str, str | None]:
    """Each character's grammatical gender, voted over the whole story: a gendered noun in a
    sentence that names only them (two votes: "a fisherman named Tomas"), the subject pronoun
    of the sentence after it (one vote: "GaBy waits. She checks her phone."). None for a tie
    or no evidence. One stray pronoun ("GaBy grows smaller. He smiles": he is Marc) is
    outvoted by the rest of the story."""
    characters = list(dict.fromkeys(c for scene in scenes for c in scene.characters))
    votes: dict[str, Counter[str]] = {name: Counter() for name in characters}
    for scene in scenes:
        text = " ".join(beat.text for beat in scene.beats if beat.kind == "action")
        sentences = split_sentences(" ".join(text.split()))
        for sentence, following in zip(sentences, [*sentences[1:], ""], strict=False):
            named = [c for c in characters if mentions(sentence, c)]
            for name, gender in _own_pronouns(sentence, named):
                votes[name][gender] += 2  # "Jonah weaves his scooter", "a nurse opens her door"
            if len(named) != 1:
                continue
            said = noun_gender(sentence)
            if said:
                votes[named[0]][said] += 2
            first = next(iter(_tokens(following)), "")
            # "Marc stops in front of her. She tilts the umbrella": the pronoun goes on with
            # the one the object pronoun stood for, not with Marc
            objects = set(object_genders(sentence))
            for key in ("masculine", "feminine"):
                if first in rules.pronouns.get(key, frozenset()) and key not in objects:
                    votes[named[0]][key] += 1
    genders: dict[str, str | None] = {}
    for name, counted in votes.items():
        ranked = counted.most_common(2)
        tied = len(ranked) == 2 and ranked[0][1] == ranked[1][1]
        genders[name] = ranked[0][0] if ranked and not tied else None
    return genders


def _own_pronouns(sentence: str, named: Sequence[str]) -> list[tuple[str, str]]:
    """(name, gender) for each of ``named`` followed in ``sentence`` by an English possessive
    before anyone else is named ("Jonah weaves his scooter", "a nurse opens her door"): the
    owner is the one just named. A subject pronoun there may be someone else's ("sans qu'il
    ait besoin"), an object "her" is ("brings her a bag"), so neither counts."""
    haystack = f" {fold_words_keep_colon(sentence)} "
    starts = sorted((_first_mention(sentence, name), name) for name in named)
    out: list[tuple[str, str]] = []
    for index, (start, name) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(haystack)
        words = haystack[start:end].split()[1:]
        for position, word in enumerate(words):
            after = words[position + 1] if position + 1 < len(words) else ""
            if word in ("his", "her") and PERSON_NOUNS & set(words[position + 1 : position + 3]):
                break  # "Priya, his manager, walks in": a relation, "his" is someone else
            if word in ("his", "himself"):
                out.append((name, "masculine"))
                break
            if word == "herself" or (word == "her" and after and after not in _OBJECT_NEXT):
                out.append((name, "feminine"))
                break
    return out


def _first_mention(text: str, name: str) -> int:
    """Where ``text`` first names ``name`` (by its whole name, its first word, or the noun of
    a person named by one: "The Old Man" by "old man"); past the end when it does not."""
    haystack = f" {fold_words_keep_colon(text)} "
    found = [haystack.find(f" {key} ") for key in _name_keys(name) if key]
    return min((index for index in found if index >= 0), default=len(haystack))
