"""People the text never names: "an old keeper", "the driver", "la vieille gardienne".

A person referred to by a noun phrase is a character when the phrase is the subject of an
action ("An old keeper climbs the stairs", "Dehors, le chauffeur attend") or when the same
person noun comes back ("... the keeper ..."). The noun must be one of :data:`PERSON_NOUNS`
(roles, ages, kin; English and French, singular): "a stop", "the bus", "the light" are never
people, and plurals ("passengers", "la foule") are extras, not characters. A noun phrase that
introduces a named character ("Nour, une jeune femme", "a fisherman named Tomas") is that
character, not another one.

The character is named by an article and the noun ("The Keeper", "Le chauffeur", "La
gardienne", "L'infirmière"); :func:`person_key` is what :func:`~storycore.tools.fountain.mentions`
looks for in a text, so "an old keeper" and "the keeper" both name "The Keeper".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from storycore.tools.text import fold_words_keep_colon as fold
from storycore.tools.text import word_set

__all__ = ["PERSON_NOUNS", "introduction", "person_key", "unnamed_characters"]

#: Nouns of a person (folded, singular): roles, trades, ages, kin, English and French.
PERSON_NOUNS = word_set(
    """man woman boy girl child kid baby toddler teenager teen youth lady gentleman guy
    stranger keeper driver nurse doctor soldier officer policeman policewoman cop detective
    guard watchman sailor fisherman farmer priest nun monk waiter waitress bartender barman
    cook chef baker butcher clerk cashier teacher student pupil professor janitor cleaner
    caretaker gardener postman mailman courier messenger pilot captain conductor passenger
    traveller traveler tourist hitchhiker vagrant beggar thief burglar killer hunter
    mother father mom mum dad grandmother grandfather grandma grandpa granny son daughter
    brother sister husband wife widow widower uncle aunt nephew niece cousin fiance fiancee
    neighbour neighbor landlord landlady tenant boss singer dancer musician drummer
    guitarist painter photographer journalist reporter lawyer judge witness patient
    prisoner inmate refugee runner cyclist rider swimmer climber hiker porter doorman
    receptionist shopkeeper vendor merchant mechanic firefighter fireman paramedic surgeon
    homme femme garcon fille enfant gamin gamine bebe adolescent adolescente dame monsieur
    inconnu inconnue gardien gardienne chauffeur chauffeuse infirmier infirmiere medecin
    docteur soldat policier policiere gendarme marin pecheur pecheuse fermier fermiere
    pretre religieuse moine serveur serveuse barman cuisinier cuisiniere boulanger
    boulangere boucher bouchere caissier caissiere professeur prof instituteur institutrice
    eleve etudiant etudiante concierge jardinier jardiniere facteur factrice coursier pilote
    capitaine contrôleur controleur controleuse passager passagere voyageur voyageuse
    touriste vagabond mendiant voleur voleuse tueur chasseur mere pere maman papa
    grand-mere grand-pere mamie papi fils frere soeur mari epouse veuve veuf oncle tante
    neveu niece voisin voisine proprietaire patron patronne chanteur chanteuse danseur
    danseuse musicien musicienne batteur guitariste peintre photographe journaliste avocat
    avocate juge temoin patient patiente prisonnier prisonniere detenu refugie refugiee
    coureur coureuse cycliste nageur nageuse alpiniste randonneur portier receptionniste
    commercant marchand marchande mecanicien pompier ambulancier chirurgien vieillard
    grandson granddaughter girlfriend boyfriend manager colleague assistant intern barista
    friend partner ami amie copain copine collegue camarade
    vendeur vendeuse livreur livreuse petite-fille petit-fils apprenti apprentie
    coursiere passant passante client cliente fleuriste libraire pharmacien pharmacienne
    couturiere couturier ouvrier ouvriere artisan artisane agent agente"""
)
#: Nouns that are also a thing or a sense that is not a person, left out: "the guard rail",
#: "a page", "le pilote automatique" are caught by the rule that they act or come back,
#: these are not even then.
_NOT_PEOPLE = word_set("kid cook judge")

#: A determiner (as written, lower case) before a person noun, and the article its name takes.
_ENGLISH_DETERMINERS = word_set("the a an his her their my our your this that another")
_FRENCH_MASCULINE = word_set("le un son mon ton ce cet notre votre leur")
_FRENCH_FEMININE = word_set("la une sa ma ta cette")
#: Words that open a clause, so that a noun phrase after them is its subject.
_CLAUSE_OPENERS = word_set(
    """and then while as when but so until before after where once
    et puis mais quand lorsque pendant que tandis alors ou ensuite enfin soudain"""
)
#: Words after the noun that make the phrase something other than the subject of an action.
_NOT_A_VERB_AFTER = word_set(
    """of and or with in on at to from by for into near under behind beside named called who
    whose is was
    de du des et ou avec dans sur sous a au aux par pour chez nomme nommee appele appelee
    qui dont est"""
)
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|[’']|[.,;:!?()—–\"“”«»]")
#: Words between the determiner and the noun (adjectives, a trade's first noun): at most two.
_GAP = 2


@dataclass(frozen=True)
class _Mention:
    noun: str  # folded
    written: str  # the noun as written
    article: str  # the name's article: "The", "Le", "La", "L'"
    position: int
    subject: bool
    #: the folded word right before the noun, and as written ("old", "bus", "vieil"), or ""
    modifier: str = ""
    modifier_written: str = ""
    modifier_article: str = ""  # the article before the modifier: "Le vieil homme"


@lru_cache(maxsize=4096)
def person_key(name: str) -> str | None:
    """The folded words :func:`~storycore.tools.fountain.mentions` looks for to find a person
    named by an article and a person noun: "The Keeper" -> "keeper", "La gardienne" ->
    "gardienne", "The Old Man" -> "old man"; None for any other name ("Marc", "Le Havre")."""
    words = fold(name).split()
    if len(words) < 2 or words[0] not in {"the", "le", "la", "l"}:
        return None
    if words[-1] not in PERSON_NOUNS:
        return None
    return " ".join(words[1:])


def person_noun(name: str) -> str | None:
    """The words of ``name`` that :func:`person_key` looks for, as written: "homme" for
    "L'homme", "Old Man" for "The Old Man"; None for any other name."""
    key = person_key(name)
    if key is None:
        return None
    return " ".join(re.split(r"[\s'’]+", name)[-len(key.split()) :])


def unnamed_characters(texts: Sequence[str], named: Iterable[str] = ()) -> list[tuple[int, str]]:
    """The people ``texts`` (a story's action, paragraph by paragraph) refer to by a noun
    phrase, as (position of their first mention, counted over the texts joined by one
    space, name), first seen first; not the nouns of the ``named`` characters ("Driver", "The
    Keeper") or of a named character's introduction."""
    taken = {key for name in named for key in (fold(name), person_key(name)) if key}
    # a cue "OLD MAN" or "BUS DRIVER" is the man, the driver of the action lines
    taken |= {key.split()[-1] for key in list(taken) if key.split()[-1] in PERSON_NOUNS}
    mentions: list[_Mention] = []
    aliases: set[str] = set()
    offset = 0
    for text in texts:
        for mention, alias in _mentions(text, offset):
            (aliases.add(mention.noun) if alias else mentions.append(mention))
        offset += len(text) + 1
    mentions = _told_apart(mentions)
    counts: dict[str, int] = {}
    for mention in mentions:
        counts[mention.noun] = counts.get(mention.noun, 0) + 1
    found: dict[str, tuple[int, str]] = {}
    for mention in mentions:
        noun = mention.noun
        head = noun.rsplit(" ", 1)[-1]
        if noun in taken or head in taken or head in aliases or noun in found:
            continue
        if mention.subject or counts[noun] >= 2:
            first = min(m.position for m in mentions if m.noun == noun)
            found[noun] = (first, _name(mention))
    return sorted(found.values())


def _told_apart(mentions: Sequence[_Mention]) -> list[_Mention]:
    """The mentions with two people of one noun told apart by the word before it: when the
    story comes back at least twice each to "the young man" and "the old man" (or "the bus
    driver" and "the taxi driver"), they are two people, "The Young Man" and "The Old Man",
    and a bare "the man" could be either, so it names neither. One such word, or none, keeps
    one person of the noun ("a tall man... the man": "The Man")."""
    by_noun: dict[str, dict[str, int]] = {}
    for mention in mentions:
        if mention.modifier:
            words = by_noun.setdefault(mention.noun, {})
            words[mention.modifier] = words.get(mention.modifier, 0) + 1
    recurring = {
        noun: {word for word, count in counted.items() if count >= 2}
        for noun, counted in by_noun.items()
    }
    split = {noun: kept for noun, kept in recurring.items() if len(kept) >= 2}
    if not split:
        return list(mentions)
    out: list[_Mention] = []
    for mention in mentions:
        apart = split.get(mention.noun)
        if apart is None:
            out.append(mention)
        elif mention.modifier in apart:
            out.append(_with_modifier(mention))
    return out


def _with_modifier(mention: _Mention) -> _Mention:
    """``mention`` as the person of its noun and the word before it ("old man")."""
    written = f"{mention.modifier_written} {mention.written}"
    noun = f"{mention.modifier} {mention.noun}"
    return _Mention(noun, written, mention.modifier_article, mention.position, mention.subject)


def introduction(name: str, text: str) -> str | None:
    """How ``text`` first describes the person ``name`` (:func:`person_key`) in the noun
    phrase that refers to them, when it says more than the noun: "An old keeper climbs..."
    gives "an old keeper", "une vieille gardienne traverse" gives "une vieille gardienne";
    None when every mention is the bare noun ("the boy") or ``name`` is not such a name."""
    key = person_key(name)
    if key is None:
        return None
    tokens = list(_TOKEN.finditer(text))
    words = [t.group(0) for t in tokens]
    wanted = key.split()
    for index in range(len(words)):
        if [fold(w) for w in words[max(0, index - len(wanted) + 1) : index + 1]] != wanted:
            continue  # "The Old Man" is not described by "a young man"
        start = _determiner_at(words, index)
        if start is None or index - start < 2 or words[start + 1] in _APOSTROPHES:
            continue
        phrase = text[tokens[start].start() : tokens[index].end()]
        return phrase[:1].lower() + phrase[1:]
    return None


def _name(mention: _Mention) -> str:
    if mention.article == "The":
        return "The " + " ".join(w[:1].upper() + w[1:].lower() for w in mention.written.split())
    separator = "" if mention.article == "L'" else " "
    return f"{mention.article}{separator}{mention.written.lower()}"


def _mentions(text: str, offset: int) -> list[tuple[_Mention, bool]]:
    """Each person noun after a determiner in ``text``, with whether it introduces a named
    person (an alias: "Nour, une jeune femme", "a fisherman named Tomas")."""
    tokens = list(_TOKEN.finditer(text))
    words = [t.group(0) for t in tokens]
    out: list[tuple[_Mention, bool]] = []
    for index, word in enumerate(words):
        noun = fold(word)
        if noun not in PERSON_NOUNS or noun in _NOT_PEOPLE:
            continue
        start = _determiner_at(words, index)
        if start is None:
            continue
        if noun in _FRENCH_MASCULINE | _FRENCH_FEMININE and (
            words[start].lower() not in _ENGLISH_DETERMINERS
        ):
            continue  # "le garçon perd son chapeau": the French "son" is no English son
        article = _article(words, start, word)
        if article is None:
            continue
        after = words[index + 1] if index + 1 < len(words) else ""
        # "his baby daughter" then "the baby": the first of two person nouns names the person
        # too ("The Baby" when the story comes back to it), never as the subject
        pair = fold(after) in PERSON_NOUNS
        alias = _introduces_name(words, start, index)
        # "the keeper's log" names the keeper, who does not act in it
        # "past a sleeping GUARD": the screenplay's capitals of a first appearance make a
        # character of one mention, even when they do not act in it
        subject = (
            not pair
            and after not in _APOSTROPHES
            and (
                (_opens_clause(words, start) and _acts(words, index))
                or (len(word) > 1 and word.isupper())
            )
        )
        modifier = words[index - 1] if index - 1 > start else ""
        position = offset + tokens[start].start()
        mention = _Mention(
            noun,
            word,
            article,
            position,
            subject,
            fold(modifier),
            modifier,
            (_article(words, start, modifier) or article) if modifier else article,
        )
        out.append((mention, alias))
    return out


def _determiner_at(words: Sequence[str], index: int) -> int | None:
    """Where the determiner of the noun ``words[index]`` is: right before it, or before at
    most :data:`_GAP` lower-case words ("an old keeper", "the bus driver", "l'infirmière")."""
    for start in range(index - 1, max(-1, index - _GAP - 2), -1):
        word = words[start]
        lower = word.lower()
        if lower in _ENGLISH_DETERMINERS | _FRENCH_MASCULINE | _FRENCH_FEMININE:
            return start
        if word in _APOSTROPHES:
            return start - 1 if start >= 1 and words[start - 1].lower() == "l" else None
        if not word.isalpha() or not word.islower() or lower in _CLAUSE_OPENERS:
            return None
        if fold(word) in _NOT_A_VERB_AFTER:
            return None
    return None


_APOSTROPHES = ("'", "’")


def _article(words: Sequence[str], start: int, noun: str) -> str | None:
    """The article of the name: "The" for English, "Le"/"La"/"L'" for French (elided before
    a vowel or a mute h: "L'infirmière", "L'homme")."""
    lower = words[start].lower()
    vowel = fold(noun)[:1] in tuple("aeiouh")
    if lower in _ENGLISH_DETERMINERS:
        return "The"
    if lower == "l":
        return "L'"
    if lower in _FRENCH_MASCULINE:
        return "L'" if vowel else "Le"
    if lower in _FRENCH_FEMININE:
        return "L'" if vowel else "La"
    return None


def _opens_clause(words: Sequence[str], start: int) -> bool:
    """Whether the noun phrase at ``start`` opens a sentence or a clause."""
    if start == 0:
        return True
    before = words[start - 1]
    return before in _CLAUSE_MARKS or before.lower() in _CLAUSE_OPENERS


_CLAUSE_MARKS = frozenset({".", "!", "?", ",", ";", ":", "—", "–", "(", "“", '"', "«"})


def _acts(words: Sequence[str], index: int) -> bool:
    """Whether a verb follows the noun: a lower-case word that is not a preposition, a
    conjunction or "is" ("the keeper lights", "le chauffeur attend"; not "a woman in red")."""
    after = index + 1
    if after < len(words) and words[after] == "(":  # "a boy (10) knocks"
        while after < len(words) and words[after] != ")":
            after += 1
        after += 1
    if after < len(words) and words[after] == ",":  # "a boy, soaked, knocks"
        return False
    if after >= len(words):
        return False
    word = words[after]
    if fold(word) in _LOOK_PREPOSITIONS:
        # "une boulangère aux cheveux gris lève le rideau", "a man in a grey coat waits":
        # a look between the noun and its verb
        clause: list[str] = []
        for rest in words[after:]:
            if not rest.isalpha() and rest not in _APOSTROPHES:
                break
            clause.append(rest)
        from storycore.tools.brief.looks import is_action_clause  # the brief reads people

        return len(clause) > 2 and is_action_clause(" ".join(clause[1:]))
    return word.isalpha() and word.islower() and fold(word) not in _NOT_A_VERB_AFTER


#: Prepositions that open a look after a person noun ("in a red coat", "aux cheveux gris").
_LOOK_PREPOSITIONS = word_set("in with aux au a en avec")


def _introduces_name(words: Sequence[str], start: int, index: int) -> bool:
    """Whether the noun phrase ``words[start..index]`` is a named person's introduction: an
    apposition after a capitalised name ("Nour, une jeune femme"), before one ("un vieil
    homme, Jules,"), or before a naming word ("a fisherman named Tomas")."""
    if start >= 2 and words[start - 1] == "," and _looks_like_name(words, start - 2):
        return True
    rest = words[index + 1 : index + 8]
    if rest[:1] == [","] and len(rest) > 1 and rest[1][:1].isupper():
        return _looks_like_name(words, index + 2)
    for word in rest:
        if fold(word) in {"named", "called", "nomme", "nommee", "appele", "appelee"}:
            return True
        if not word.isalpha() or word[:1].isupper():
            break
    return False


def _looks_like_name(words: Sequence[str], index: int) -> bool:
    """A capitalised word that is not a sentence opener such as "Later" or "Dehors"."""
    word = words[index]
    if not word[:1].isupper() or word.lower() in _CLAUSE_OPENERS:
        return False
    return fold(word) not in _OPENERS_NOT_NAMES


#: Capitalised words that open a sentence before a comma without being a name.
_OPENERS_NOT_NAMES = word_set(
    """later outside inside suddenly meanwhile then now finally today tonight yesterday
    there here yes no well still upstairs downstairs nearby dehors dedans soudain puis
    ensuite enfin alors maintenant ici la-bas ce soir hier demain plus tard"""
)
