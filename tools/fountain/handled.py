"""Props the story handles in lower case: "opens a black umbrella", "lifts the dagger",
"hands the box to", "polishes his hammer".

Screenwriters flag an important prop in capitals (:mod:`storycore.tools.fountain.props`);
prose writers and many screenplays do not. A thing a person handles is a prop all the same:
the director must see the same umbrella in every shot that shows it. So the object of a
handling verb (:data:`HANDLING_VERBS`, English, any tense) after a determiner is a prop,
named by the words of its noun phrase ("black umbrella"): the adjectives before the noun and
the noun, up to a preposition, a conjunction or the end of the clause ("a bucket of water"
gives "bucket").

What is handled but is not a prop is left out (:data:`NOT_HANDLED_PROPS`): the body ("shakes
his head"), the set ("opens the door"), an abstract object ("takes a breath", "takes a
step"), weather and light, people (:data:`~storycore.tools.fountain.people.PERSON_NOUNS`) and
places. French follows its own rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from storycore.tools.fountain.people import PERSON_NOUNS
from storycore.tools.text import word_set

__all__ = [
    "HANDLING_VERBS",
    "NOT_HANDLED_PROPS",
    "handled_props",
    "handling_verb",
    "works_with_hands",
]

#: Verbs whose object is a thing in a person's hands (base forms; every tense is read).
HANDLING_VERBS = word_set(
    """hold carry lift raise grab grip clutch take pick hand give pass offer show drop throw
    toss catch open unfold fold unwrap wrap pack unpack fill empty pour drink sip light strike
    polish clean wipe hammer sharpen load aim wave read sign tear hide pocket slide put place
    lay wear adjust unlock lock twist pluck strum tune dial answer swing brandish wield
    flip spin shuffle deal cradle hug clasp squeeze rub hang pin tape seal stamp stir whisk
    knead slice chop peel snap tap shake sniff smell taste kiss examine inspect study check
    fiddle plug unplug charge switch push wheel kick bring fetch"""
)

#: Irregular past forms of the handling verbs.
_IRREGULAR = {
    "held": "hold",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "threw": "throw",
    "thrown": "throw",
    "caught": "catch",
    "lit": "light",
    "drank": "drink",
    "struck": "strike",
    "read": "read",
    "tore": "tear",
    "torn": "tear",
    "hid": "hide",
    "hidden": "hide",
    "put": "put",
    "laid": "lay",
    "wore": "wear",
    "worn": "wear",
    "swung": "swing",
    "spun": "spin",
    "dealt": "deal",
    "hung": "hang",
    "shook": "shake",
    "brought": "bring",
}

#: Objects of a handling verb that are no prop: the body, the set, abstract things, weather,
#: light, sound, food and drink as such, containers of a place.
NOT_HANDLED_PROPS = word_set(
    """head hand hands arm arms leg legs foot feet finger fingers eye eyes ear ears face mouth
    lips hair shoulder shoulders back chest neck knee knees fist fists nose chin cheek cheeks
    eyebrow eyebrows brow brows thumb thumbs wrist wrists elbow hip hips waist lap tongue
    teeth tear tears palm palms
    body breath step steps look glance moment time turn chance seat place way hold grip care
    part lead look nap walk break shower bath sip bite door doors window windows gate curtain
    curtains blinds shutters wall walls floor ceiling roof stairs step lid drawer tap switch
    light lights fire air water rain snow wind sun sky sea world room house car bus
    train boat attention notice picture pictures photo note notes word words name names
    silence deep courage aim fun sides side end beginning rest shape form position stand
    breath oath vow risk care advice order orders call calls message answer question
    something anything everything nothing one ones other others it this that them
    app apps website email"""
)

_DETERMINER = word_set("a an the his her their its my your our this that another")
_DETERMINERS = "|".join(sorted(_DETERMINER))
#: Words that end a noun phrase: prepositions, conjunctions, relatives, particles, adverbs.
_STOP = word_set(
    """of to from into onto in on at by for with without over under through across around
    against along past
    behind beside near off out up down away back and or but then while as when before after
    that which who whose where so tight tightly close closed open shut again together slowly
    quickly gently carefully aside high low forward forwards toward towards above below
    once twice thrice softly instead alone anyway too also"""
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|[^\sA-Za-z]")
#: The most words a noun phrase has after its determiner ("a small diamond cutter").
_MAX_WORDS = 3


@lru_cache(maxsize=4096)
def handling_verb(word: str) -> str | None:
    """The handling verb ``word`` is a form of ("holds", "grabbed", "taking"), or None."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    return next((c for c in _base_forms(word) if c in HANDLING_VERBS), None)


def _base_forms(word: str) -> list[str]:
    """The base forms ``word`` may be a tense of ("grabbed": "grabb", "grabbe", "grab")."""
    candidates = [word]
    for ending in ("ing", "ed", "es", "s", "d"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            candidates += [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                candidates.append(stem[:-1])  # "grabbed", "dropping"
            if stem.endswith("i"):
                candidates.append(stem[:-1] + "y")  # "empties"
    return candidates


def handled_props(texts: Iterable[str] | list[str], *, exclude: Iterable[str] = ()) -> list[str]:
    """The props ``texts`` (action lines) show handled, as their noun phrases in lower case,
    first handled first: "She opens a black umbrella" gives "black umbrella". Nouns in
    ``exclude`` (the characters' words, places) are left out."""
    excluded = {word.lower() for name in exclude for word in name.split()}
    found: dict[str, None] = {}
    texts = list(texts)
    for text in texts:
        words = _WORD.findall(text)
        for index, word in enumerate(words):
            if word == "with" and _carries(words, index):
                phrase = _object(words, index + 1)
                if phrase is None or phrase.rsplit(" ", 1)[-1] in _NOT_CARRIED or _worn(phrase):
                    continue  # "a skater with a bleached mohawk": his look
            elif not word.islower() or handling_verb(word) is None:
                continue
            elif handling_verb(word) == "wear" and _worn(_object(words, index + 1) or ""):
                continue  # "wears a red cap": the look the registry gives her
            elif index and words[index - 1].lower() in _DETERMINER:
                continue  # "the lights of the harbour": a noun, not a verb
            else:
                phrase = _object(words, index + 1)
            if phrase is None:
                continue
            head = phrase.rsplit(" ", 1)[-1]
            if _not_a_prop(head) or head in excluded:
                continue
            words_of = set(phrase.split())
            if any(
                p.rsplit(" ", 1)[-1] == head
                and (words_of <= set(p.split()) or set(p.split()) <= words_of)
                for p in found
            ):
                # "a jeweled dagger" then "the dagger": one dagger ("an oil lamp" and "the
                # great lamp" are two)
                continue
            found.setdefault(_fullest(texts, phrase), None)
    return list(found)


#: What "with" brings that is no thing in hand: a manner, a feeling, a sound, a look (what
#: someone wears is theirs, in the registry: "a runner with a green headband").
_NOT_CARRIED = word_set(
    """smile smiles grin sigh nod laugh shrug wink frown glance start jolt thud bang ease
    difficulty pride joy fear love passion purpose determination confidence relief surprise
    interest delight horror hint touch mix view beard moustache mustache scar scars tattoo
    tattoos braid ponytail fringe accent voice limp cough yawn gasp squeal cry shout
    whisper vengeance flourish clunk clang clatter crash splash thump creak rattle roar
    whoosh hiss pop snap crack click buzz hum screech squeak rumble boom
    headband hairband bandana hat cap beanie beret scarf coat jacket hoodie hood dress shirt
    sweater jumper cardigan apron uniform boots gloves glasses sunglasses spectacles earrings
    necklace bracelet freckles dimples eyes hair curls bob"""
)
#: Words before "with" that make it part of a description, not a thing carried ("filled
#: with", "a man with a beard": a look).
_NOT_CARRYING = word_set(
    """filled covered lined dotted littered packed crowded full stuffed together along
    man woman boy girl child kid people one someone something it"""
)


def _worn(phrase: str) -> bool:
    """Whether a noun phrase is something worn, hair or a face's feature: a character's
    look (:func:`~storycore.tools.brief.looks.is_worn`), which the registry keeps with the
    character, never a prop of its own."""
    # imported here: the brief's looks read the screenplay package
    from storycore.tools.brief.looks import is_worn

    return is_worn(phrase)


def _carries(words: list[str], index: int) -> bool:
    """Whether ``words[index]`` ("with") brings a thing a person carries: "walks the rows
    with a wicker basket", "climbs the stairs with an oil lamp" (not "a field covered with
    snow", "filled with light", "a man with a beard")."""
    if index == 0:
        return False
    before = words[index - 1].lower()
    return before.isalpha() and not before.endswith("ed") and before not in _NOT_CARRYING


def _fullest(texts: list[str], phrase: str) -> str:
    """A bare noun handled ("hands the box") by the words the story first describes it with
    ("into a wooden box"): one or two lower-case words between a determiner and the noun."""
    if " " in phrase:
        return phrase
    between = r"((?:[a-z][a-z-]*\s+){1,2})"
    pattern = re.compile(rf"\b(?:{_DETERMINERS})\s+{between}{re.escape(phrase)}\b")
    for text in texts:
        for match in pattern.finditer(text):
            words = match.group(1).split()
            if not any(w in _STOP or w in _DETERMINER or w.endswith("ly") for w in words):
                return f"{' '.join(words)} {phrase}"
    return phrase


def _object(words: list[str], index: int) -> str | None:
    """The noun phrase a verb's object is, from ``words[index]``: after a particle ("switches
    off the lamp", "picks up a stone"), a determiner, then at most :data:`_MAX_WORDS` lower-case
    words up to a stop word or a mark; None when there is none."""
    if index < len(words) and words[index] in {"up", "off", "out", "down", "on"}:
        index += 1
    if (
        index + 1 < len(words)
        and words[index] in {"her", "him", "them", "me", "us", "you"}
        and words[index + 1].lower() in _DETERMINER
    ):
        index += 1  # "hands her a cup", "gives him the key": the thing, not the person
    if index >= len(words) or words[index].lower() not in _DETERMINER:
        return None
    phrase: list[str] = []
    rest = words[index + 1 :]
    for position, word in enumerate(rest):
        if word == "of" and len(phrase) == 1 and phrase[0] in _QUANTITIES:
            phrase.append(word)  # "a ring of keys", "a pair of scissors"
            continue
        if not word[:1].isalpha() or word in _STOP or word.endswith("ly"):
            break
        following = rest[position + 1] if position + 1 < len(rest) else ""
        if word.islower() and re.fullmatch(r"[a-z]+['’]s", word) and following.islower():
            phrase = []  # "his grandfather's compass": the thing after the possessive
            continue
        if not word.islower() or "'" in word or "’" in word:
            return None  # a name ("the Queen"), a possessive alone ("the man's"): not a thing
        phrase.append(word)
    if phrase and phrase[-1] == "of":
        phrase.pop()
    if not phrase or len(phrase) > _MAX_WORDS:
        return None
    return " ".join(phrase)


#: Nouns that count what follows "of": the prop is the whole phrase ("a ring of keys"), not
#: the container ("a bucket of water" is the bucket).
_QUANTITIES = word_set("ring bunch set pair bundle stack pile handful deck sheaf roll wad")


@lru_cache(maxsize=4096)
def _not_a_prop(head: str) -> bool:
    """Whether a handled noun is the body, the set, an abstract thing, a person or a place."""
    # imported here: the breakdown's places read the screenplay package
    from storycore.tools.breakdown.places import PLACE_NOUNS

    singular = head[:-1] if head.endswith("s") and not head.endswith("ss") else head
    return any(
        word in NOT_HANDLED_PROPS or word in PERSON_NOUNS or word in PLACE_NOUNS
        for word in {head, singular}
    )


#: Verbs of work a person's hands do to a thing, besides the handling verbs (base forms):
#: "shapes the neck", "rolls the dough", "turns the card".
_MANUAL_VERBS = HANDLING_VERBS | word_set(
    """shape roll mould mold carve sew knit stitch paint draw write type cut gather plant
    water sweep scrub wash dry mend fix repair tie untie button zip lace thread weave sculpt
    sand glue sort count stack arrange turn press pat stroke brush comb trim prune pull drag
    open close fill pour stir set build assemble measure weigh bake season chop grate mix
    beat roll fold plait braid tune play strum"""
)
#: The body besides the hands: "drags her feet" is no work of the hands.
_BODY = word_set(
    """head arm arms leg legs foot feet eye eyes ear ears face mouth lips hair shoulder
    shoulders back chest neck knee knees nose chin cheek cheeks eyebrow eyebrows brow brows
    hip hips waist lap tongue teeth body breath step steps look glance way"""
)


def works_with_hands(rest: str) -> bool:
    """Whether the words after a clause's subject ("rolls the dough clumsily", "pulls out a
    tray", "gathers molten glass") are work a person's hands do to a thing: a verb of
    handling or of a craft first (after an adverb), then its object, which is no body part
    but the hands, no person and no place. A close-up of such a beat shows the hands."""
    from storycore.tools.breakdown.places import PLACE_NOUNS

    written = _WORD.findall(rest)
    words = [word.lower() for word in written]
    index = 0
    while index < len(words) and words[index].endswith("ly"):
        index += 1
    verb = words[index] if index < len(words) else ""
    if not _manual_verb(verb):
        return False
    index += 1
    if index < len(words) and words[index] in {"up", "off", "out", "down", "on", "over"}:
        index += 1
    determiner = words[index] if index < len(words) and words[index] in _DETERMINER else ""
    index += bool(determiner)
    phrase: list[str] = []
    for word in written[index : index + _MAX_WORDS + 1]:
        if word[:1].isupper():
            return False  # a name: "hugs Ana" is no work of the hands on a thing
        if not word[:1].isalpha() or word in _STOP or word.endswith("ly") or word in _DETERMINER:
            break
        phrase.append(word)
    if not phrase:
        return False  # "turns around", "pulls away": no thing
    noun = phrase[-1]
    after = words[index + len(phrase) : index + len(phrase) + 2]
    return (
        not (noun in _BODY and (noun not in _THING_PARTS or _own_body(determiner, after)))
        and noun not in PERSON_NOUNS
        and noun not in PLACE_NOUNS
    )


#: Determiners of a part of a thing ("shapes the neck", "carves a face"): not a body's own.
_ARTICLE = word_set("a an the this that another")
#: The body's words that also name a part of a thing: a vase's neck, a chair's arm, a
#: table's leg, a statue's face, a hammer's head, a jar's mouth.
_THING_PARTS = word_set("neck arm arms leg legs face head back mouth foot feet lip shoulder")


def _own_body(determiner: str, after: Sequence[str]) -> bool:
    """Whether a body-part noun after a verb is the person's body ("drags her feet",
    "raises an eyebrow", "rubs the back of his neck") and not a thing's part the hands
    work on ("shapes the neck with wet newspaper": the vase's neck)."""
    if determiner not in _ARTICLE:
        return True  # "her feet", "his head"
    return after[:1] == ["of"] and after[1:2] != [] and after[1] not in _ARTICLE


def _manual_verb(word: str) -> bool:
    if not word.endswith("s") or word.endswith("ss"):
        return False  # a present verb after a subject: "rolls", "pushes"
    return any(form in _MANUAL_VERBS for form in _base_forms(word)[1:])
