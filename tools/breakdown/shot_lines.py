"""A coverage shot's line as a shot list writes it: the set-up, then what it shows of the
beat, in one sentence, not the beat's sentence again after it.

"Close-up of Sami, struggling with a paper kite." (the beat's own subject: its verbs as
participles), "Close-up of Sami, as Grandpa Ali shows him how to hold the string." (someone
else's action, or a thing's: "as the kite climbs into the sky"); in French "Gros plan de
Sami, qui lutte avec un cerf-volant." and "..., pendant que Grand-père Ali lui montre...".
A beat this cannot read (several sentences that all matter, a verb it cannot tell) keeps
the old form, the set-up then the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from storycore.tools.breakdown.places import PLACE_NOUNS
from storycore.tools.breakdown.text import (
    PERSON_VERBS,
    _sentences,
    object_genders,
    without_appositions,
)
from storycore.tools.fountain import fold, mentions
from storycore.tools.fountain.french_props import handled_props as french_handled_props
from storycore.tools.fountain.handled import handling_verb, works_with_hands
from storycore.tools.fountain.people import PERSON_NOUNS, person_noun
from storycore.tools.text import word_set

#: First words of an opening phrase ("On a windy beach,", "At sunset,", "Au petit matin,")
#: that sets the scene and is not what the shot shows again.
_OPENERS = word_set(
    """at on in by under over across inside outside near behind beyond after before later
    then now meanwhile suddenly finally slowly soon once that this every all through along
    with without from around during above below
    a au aux dans sur sous pres apres avant plus puis soudain enfin pendant lentement
    derriere devant le la les l ce cette ces tout toute"""
)
_SINGULAR = word_set("he she il elle")
#: What an impersonal "il" does ("il pleut", "il fait nuit", "il y a"): no person.
_IMPERSONAL = word_set("pleut neige fait y est vente grele faut semble reste suffit")
_PLURAL = word_set("they ils elles")
#: Verbs before which the clause is not a plain present action (modals, negations...).
_NOT_ACTIONS = word_set(
    """is are was were has have had will would can could may might must shall should does
    do did doesn't don't isn't aren't won't can't cannot never also just still only already
    almost"""
)
#: Verbs that double their last consonant though they have two syllables.
_DOUBLING = word_set(
    "begin forget admit commit regret prefer occur refer control patrol compel permit submit"
)
_VOWELS = "aeiou"
_ARTICLES = word_set("the a an his her their its my our your some le la les un une des son sa ses")
#: Words that follow a verb, not a noun: "and begins to dance", "and waves the flag".
_AFTER_VERB = word_set(
    """to the a an his her their its my our your up down out off away back into onto at on
    in over through across toward towards it them him me us"""
)


def action_line(
    phrase: str, focus: Sequence[str], text: str, characters: Sequence[str], language: str
) -> str | None:
    """The description of a beat's own shot framed by ``phrase`` on ``focus``: one line
    when the beat's first sentence's subject is who the shot frames ("Full shot of Marta
    walking the rows with a wicker basket"), the beat's other sentences after it as written
    unless they tell more of the same person's action (:func:`_one_line`); None otherwise
    (the caller keeps ``phrase. text``: someone else's action is told as written)."""
    sentences = _sentences(text)
    if len(sentences) > 1:
        one = _one_line(phrase, focus, sentences, characters, language)
        if one is not None:
            return one
        # "Medium shot of GaBy waiting under a red umbrella. She checks her phone.": the
        # first sentence in the set-up's line, the others as written (never "Medium shot of
        # GaBy. GaBy waits...", the name twice)
        first = _line(phrase, focus, sentences[0], characters, language)
        if first is None or not first[1]:
            return None
        return " ".join([first[0], *(s.strip() for s in sentences[1:])])
    read = _line(phrase, focus, text, characters, language)
    return read[0] if read is not None and read[1] else None


#: How a shot list joins the actions of one person in one line ("..., then pulling").
_THEN = {"en": ", then ", "fr": ", puis "}
#: The most sentences one line tells: more is a beat for several shots.
_MOST_SENTENCES = 3


def _one_line(
    phrase: str,
    focus: Sequence[str],
    sentences: Sequence[str],
    characters: Sequence[str],
    language: str,
) -> str | None:
    """The line of a beat of a few sentences that all tell what the framed person does
    ("Kosta climbs down from a wagon. He pulls a case from his coat." gives "Full shot of
    Kosta climbing down from a wagon, then pulling a case from his coat"; French "..., puis
    grimace"); None when a sentence tells someone else's action, speaks of another person
    with an object pronoun, or cannot be read."""
    if len(focus) != 1 or len(sentences) > _MOST_SENTENCES or language not in _THEN:
        return None
    parts: list[str] = []
    for index, sentence in enumerate(sentences):
        if index and (not fold(sentence).split()[:1] or _speaks_to_someone(sentence)):
            return None  # "She tosses him the keys": another person in the shot
        read = _line(phrase, focus, sentence, characters, language)
        if read is None or not read[1]:
            return None
        said = read[0].rstrip(".")
        if index and (fold(without_opener(sentence)).split()[0] not in _SINGULAR):
            return None  # "Kosta climbs. Kosta smiles": a name again is a new beat
        told = said[len(phrase) :].lstrip(", ")
        parts.append(said if not index else told.removeprefix("qui "))
    return _THEN[language].join(parts) + "."


def _speaks_to_someone(sentence: str) -> bool:
    """Whether ``sentence`` has a person's object pronoun ("hands him", "lui tend", "gives
    them"; not "checks her phone")."""
    return bool(object_genders(sentence)) or re.search(r"\bthem\b", sentence) is not None


def coverage_line(
    phrase: str, focus: Sequence[str], text: str, characters: Sequence[str], language: str
) -> str | None:
    """The description of a coverage shot framed by ``phrase`` on ``focus`` (the people it
    is on, first the one it frames) of the beat ``text``; None when the beat cannot be read
    into one line (the caller keeps ``phrase. text``). Every opening phrase of time and
    place goes ("Au crépuscule, dans les vignes,"): the beat's own shot told them."""
    read = _line(phrase, focus, text, characters, language, openers=MOST_OPENERS)
    return read[0] if read is not None else None


def _line(
    phrase: str,
    focus: Sequence[str],
    text: str,
    characters: Sequence[str],
    language: str,
    openers: int = 1,
) -> tuple[str, bool] | None:
    """The line, and whether it tells the beat's own subject (participles, "qui"), without
    up to ``openers`` opening phrases."""
    sentences = _sentences(text)
    if not sentences or language not in ("en", "fr"):
        return None
    sentence = next(
        (s for s in sentences if any(mentions(s, name) for name in focus)), sentences[0]
    )
    opened = without_opener(sentence.strip(), openers)
    clause = without_appositions(opened, characters)
    clause = clause if clause.endswith(("”", "»", '"')) else clause.rstrip(" .!?…")
    if not clause:
        return None
    end = "" if clause.endswith(("”", "»", '"')) else "."
    french = language == "fr"
    # French "qui" goes with the last name of the set-up: "Plan taille sur Léa, Henri en
    # amorce" cannot take it
    ends_on_focus = bool(focus) and fold(phrase).endswith(fold(focus[-1]))
    # "Close-up of Sami struggling", but "(medium shot), showing" and "Performance shot of
    # Zoe, slow orbit, singing": a mark after what does not end on the person
    join = ", " if phrase.endswith(")") or (focus and "," in phrase and not ends_on_focus) else " "
    subject, rest = _subject(clause, characters)
    if (
        subject is not None
        and rest
        and _same(subject, rest, focus)
        and (ends_on_focus or not french)
        # "Plan taille de Léa qui partagent...": a plural verb needs the people it says
        and not (french and len(subject) > 1 and len(focus) < 2)
    ):
        if french:
            return f"{phrase}{join}qui {rest}{end}", True
        participles = _participles(rest, plural=len(subject) > 1 or _plural_pronoun(clause))
        if participles is not None:
            return f"{phrase}{join}{participles}{end}", True
    # "Léo, un batteur qui joue sur des seaux": what he does, past who he is
    relative = _relative_of(opened.rstrip(" .!?…"), focus, french)
    if relative is not None and (ends_on_focus or not french):
        # "GaBy strides past Dr. Marsh, who raises an eyebrow": the close-up of Dr. Marsh
        # is of what the relative clause says he does
        if french:
            return f"{phrase}{join}qui {relative}{end}", True
        participles = _participles(relative, plural=False)
        if participles is not None:
            return f"{phrase}{join}{participles}{end}", True
    if relative is not None:
        # "Plan de performance de Léo, travelling circulaire lent": no "qui" after the
        # movement, the relative told as his own clause
        clause = f"{focus[0]} {relative}"
    elif subject is None and not _acts(clause):
        return None  # "The can on the counter, tagline ...": no verb to say "as" with
    lowered = _lower_first(clause, characters)
    if french:
        elided = fold(lowered)[:1] in _VOWELS
        return f"{phrase}, {'pendant qu’' if elided else 'pendant que '}{lowered}{end}", False
    return f"{phrase}, as {lowered}{end}", False


#: What a wide shot shows when it does something: weather, sky, light, the land and the sea,
#: vehicles, animals, crowds and sounds (a close-up of "the engine coughs" shows nothing).
_WIDE_SUBJECTS = word_set(
    """rain snow wind storm fog mist thunder lightning cloud clouds sky sun moon star stars
    night day dawn dusk light darkness shadow shadows sea ocean wave waves tide river lake
    water stream forest tree trees wood woods field fields grass mountain mountains hill hills
    valley desert sand dust city town village street road traffic crowd audience people music
    song melody silence noise sound bell alarm siren engine train car bus truck boat ship
    plane tram metro bike horse dog fox bird birds gull gulls flock herd deer wolf world earth
    horizon sunrise sunset morning evening everything nothing time"""
)
_THING_DETERMINERS = word_set("the a an his her their its")
_PLACE_WORDS = word_set("on in at by under over near beside behind inside of")


def _thing_opening(sentence: str) -> tuple[list[str], str] | None:
    """The noun phrase a sentence opens on and the words from its verb ("the oven door",
    "opens"): a determiner, at most three words, then a word that is a present verb."""
    words = sentence.split()
    if not words or words[0].lower() not in _THING_DETERMINERS:
        return None
    for end in range(2, min(len(words), 7)):  # "the kettle on the stove boils"
        phrase = [word.lower() for word in words[:end]]
        if not all(re.fullmatch(r"[a-z][a-z-]*", word) for word in phrase[1:]):
            return None  # a mark or a name inside: no plain noun phrase
        if _ing(words[end].rstrip(",;.!?…"), plural=False) is not None:
            return phrase, " ".join(words[end:])
    return None


def thing_acting(text: str) -> tuple[str, str] | None:
    """The thing an English beat that names nobody shows when it opens on what it does, and
    the words from its verb ("The kettle boils." gives ("kettle", "boils."), "The oven door
    opens" the oven door): a singular noun phrase and a present verb, the noun no person,
    place, weather, land, vehicle, animal, crowd or sound (those want the wide shot). None
    else."""
    sentence = without_opener(_sentences(text)[0].strip()) if text.strip() else ""
    found = _thing_opening(sentence)
    if found is None:
        return None
    phrase, rest = found
    # the noun before a place phrase: "the kettle on the stove"
    head = next((phrase[:i] for i, w in enumerate(phrase) if i and w in _PLACE_WORDS), phrase)
    noun = head[-1]
    if len(head) > 4 or noun in _NOT_VERB_WORDS or noun in _AFTER_VERB:
        return None  # "the crowd below cheers": no noun last
    if any(w in _WIDE_SUBJECTS or w in PLACE_NOUNS or w in PERSON_NOUNS for w in head[1:]):
        return None
    if noun.endswith("s") and not noun.endswith("ss"):
        return None  # a plural: many things, a wider view
    return " ".join(phrase[1:]), rest


def thing_line(phrase: str, rest: str) -> str | None:
    """ "Close-up of the bubble swelling and glowing.": the set-up on a thing and what it
    does (the words from its verb, :func:`thing_acting`), its verbs as participles."""
    participles = _participles(rest.rstrip(" .!?…"), plural=False, known_only=False)
    return None if participles is None else f"{phrase} {participles}."


def hands_at_work(text: str, name: str, characters: Sequence[str], language: str) -> bool:
    """Whether ``name`` does work with the hands in the sentence of ``text`` that tells what
    they do ("Ana rolls the dough", "Léa pose une tasse"): the close-up that covers such a
    beat frames the hands, not the face again."""
    sentence = next((s for s in _sentences(text) if mentions(s, name)), "")
    clause = without_appositions(without_opener(sentence.strip(), MOST_OPENERS), characters)
    subject, rest = _subject(clause, characters)
    if not subject or not rest or not (subject == [name] or subject == ["_"]):
        return False
    if language == "fr":
        return next(french_handled_props(rest), None) is not None
    return language == "en" and works_with_hands(rest)


def does_it(text: str, focus: Sequence[str], characters: Sequence[str]) -> bool:
    """Whether who a shot is on (``focus``) is the subject of ``text``'s first clause
    ("Elle monte les escaliers" for a close-up of Nour; not "Léo lui tend…")."""
    subject, rest = _subject(without_opener(text.strip(), MOST_OPENERS), characters)
    return subject is not None and bool(rest) and _same(subject, rest, focus)


def _relative_of(clause: str, focus: Sequence[str], french: bool) -> str | None:
    """What a relative clause about the shot's one person says they do ("..., past Dr.
    Marsh, who raises an eyebrow" gives "raises an eyebrow"), None when there is none."""
    if len(focus) != 1:
        return None
    return relative_clause(clause, focus[0], "qui" if french else "who")


#: A name, who they are after a comma ("Léo, un batteur aux cheveux rasés"), and the relative
#: clause saying what they do: group 1 who they are, group 2 the clause.
_RELATIVE_OF = (
    r"(?<![\w'’]){name}(,\s+(?:a|an|the|his|her|their|un|une|le|la|l['’]|son|sa)\s*"
    r"[^,.;:!?]+?)?,?\s+(?:{pronoun})\s+([^,;:.!?]+)"
)


def relative_clause(text: str, name: str, pronoun: str = "qui|who") -> str | None:
    """What a relative clause after ``name`` says they do ("…, past Dr. Marsh, who raises
    an eyebrow"; "elle retrouve Léo, un batteur qui joue sur des seaux" past who he is),
    None when there is none. A relative inside who someone is, the sentence going on
    after it ("Léa, une adolescente qui porte un ciré, traverse la cour"), is their look,
    not what they do."""
    said = _RELATIVE_OF.format(name=re.escape(name), pronoun=pronoun)
    found = re.search(said, text, re.IGNORECASE)
    if found is None:
        return None
    if found.group(1) and text[found.end() :].strip(' .!?…”»"'):
        return None
    return found.group(2).strip()


def _acts(clause: str) -> bool:
    """Whether a clause that opens on no person has a verb to tell: a determiner, at most
    three words, then a present verb ("the kite climbs", "la place est pleine")."""
    words = fold(clause).split()
    if words[:1] and words[0] in ("it", "il", "elle", "on"):
        return True  # "il pleut sur le port"
    if not words or words[0] not in _ARTICLES:
        return False
    return any(
        word.endswith(("s", "e", "t")) and word not in _ARTICLES and index > 1
        for index, word in enumerate(words[1:5], start=1)
        if word not in _NOT_VERB_WORDS
    )


#: Words after a determiner that are not the verb ("on the counter").
_NOT_VERB_WORDS = word_set(
    """on in at of to by with from the a an its his her their this that sur dans de du des
    la le les avec a au aux et and or ou below above outside inside behind nearby"""
)


def without_opener(sentence: str, most: int = 1) -> str:
    """``sentence`` without a short opening phrase closed by a comma ("On a windy beach,
    Sami struggles" gives "Sami struggles"), or up to ``most`` of them ("Au crépuscule, dans
    les vignes, Paul cueille" gives "Paul cueille" with two): what sets its time and
    place, which a later telling of the beat does not say again."""
    for _ in range(most):
        head, comma, rest = sentence.partition(",")
        words = head.split()
        if not (comma and rest.strip() and 0 < len(words) <= 6 and fold(words[0]) in _OPENERS):
            break
        if fold(words[0]) in _CLAUSE_DETERMINERS and _acts(head):
            break  # "Le renard s'approche lentement, prend la pomme": a clause, no opener
        rest = rest.strip()
        first = fold(rest.split()[0])
        sentence = rest[:1].upper() + rest[1:] if first in _SINGULAR | _PLURAL else rest
    return sentence


#: Determiners that open an opener ("Le soir,", "That night,") or a clause ("Le renard
#: s'approche lentement,"): which one, its verb says (not "à", folded "a": "À l'aube,").
_CLAUSE_DETERMINERS = word_set("le la les l ce cette ces the this that")
#: How many opening phrases a sentence sets its time and place with ("At dusk, in the rows,").
MOST_OPENERS = 3


def _subject(clause: str, characters: Sequence[str]) -> tuple[list[str] | None, str]:
    """Who a clause opens on (characters, "X and Y", or a person pronoun as ``[]`` of one or
    two) and the words after them; (None, "") when it opens on neither."""
    rest = before_join = clause
    found: list[str] = []
    longest_first = sorted(characters, key=len, reverse=True)  # "Grandpa Ali" before "Ali"
    while True:
        name = next((c for c in longest_first if _opens_on(rest, c)), None)
        if name is not None:
            said = len(name)
        else:
            # "Une femme boit..." for "La femme", "An old man sits" for "The Old Man"
            name, said = next(
                ((c, n) for c in longest_first if (n := _opens_on_noun(rest, c))), (None, 0)
            )
        if name is None and found:
            # "Leo and his sister Ana stand": who she is to him, then her name
            name, said = _named_after_noun(rest, longest_first)
        if name is None:
            rest = before_join  # "Noa and her dog run": "and her dog" is no name to drop
            break
        found.append(name)
        rest = rest[said:].lstrip()
        if rest.startswith(", ") and rest[2:3].islower():
            rest = rest[2:]  # "A drummer, Kai, hits the drums": the apposition's comma
        joined = re.match(r"(?:and|et)\s+", rest)
        if joined is None:
            break
        before_join, rest = rest, rest[joined.end() :]
    if found:
        return found, rest
    first, _, after = clause.partition(" ")
    key = fold(first)
    if key == "il" and fold(after.split(" ", 1)[0]) in _IMPERSONAL:
        return None, ""  # "Il pleut": nobody
    if key in _SINGULAR:
        return ["_"], after
    if key in _PLURAL:
        return ["_", "_"], after
    return None, ""


#: A determiner or a possessive and one or two nouns before a name ("his sister Ana",
#: "son frère Léo", "the old farmer Jo").
_NOUN_BEFORE_NAME = (
    r"(?:his|her|their|my|our|its|the|a|an|son|sa|ses|leur|le|la|l['’]|un|une)\s+"
    r"(?:[^\W\d_][\w'’-]*\s+){1,2}?"
)


def _named_after_noun(text: str, names: Sequence[str]) -> tuple[str | None, int]:
    """The one of ``names`` ``text`` opens on after a noun saying who they are ("his
    sister Ana stand..."), and how many characters name them; (None, 0) otherwise."""
    for name in names:
        found = re.match(rf"{_NOUN_BEFORE_NAME}{re.escape(name)}(?=[\s,])", text, re.IGNORECASE)
        if found is not None:
            return name, found.end()
    return None, 0


def _opens_on(text: str, name: str) -> bool:
    return fold(text).startswith(fold(name) + " ")


#: A determiner and up to two describing words before a person's noun ("une vieille femme").
_PERSON_OPENING = r"(?:the|a|an|le|la|l['’]|un|une)\s*(?:[^\W\d_][\w'’-]*\s+){0,2}?"


def _opens_on_noun(text: str, name: str) -> int:
    """How many characters of ``text`` name the person ``name`` is when a person noun names
    them ("La femme", "The Old Man": :func:`~storycore.tools.fountain.people.person_key`)
    and ``text`` opens on that noun after any determiner ("Une femme boit", "an old man
    sits"); 0 otherwise."""
    written = person_noun(name)
    if written is None:
        return 0
    noun = r"\s+".join(re.escape(word) for word in written.split())
    found = re.match(rf"{_PERSON_OPENING}{noun}\b(?=\s)", text, re.IGNORECASE)
    if found is None or _LOOK_AFTER.match(text[found.end() :]):
        return 0  # "Une femme en pyjama rayé verse...": her look first, told as written
    return found.end()


#: Words that open a look phrase right after a person's noun.
_LOOK_AFTER = re.compile(
    r"\s+(?:in|with|wearing|dressed|en|aux|au|à|a|avec|vêtue?|vetue?|habillée?|portant)\b",
    re.IGNORECASE,
)


def _same(subject: Sequence[str], rest: str, focus: Sequence[str]) -> bool:
    """Whether who the shot is on does the clause's action: all of them are its subject
    ("Sami and Ali sit" for a close-up of Sami), or a pronoun stands for them ("they" for
    anyone of the shot, "she" for a shot of one), unless the clause names them after its
    verb ("elle retrouve Léo": a shot of Léo is not of who "elle" is)."""
    if not focus:
        return False
    if all(name == "_" for name in subject):
        if any(mentions(rest, name) for name in focus):
            return False
        return len(subject) > 1 or len(focus) == 1
    return set(focus) <= set(subject)


def _plural_pronoun(clause: str) -> bool:
    return fold(clause.split(" ", 1)[0]) in _PLURAL


def _participles(rest: str, *, plural: bool, known_only: bool = True) -> str | None:
    """The words after the subject with its verbs as participles ("laughs and runs along
    the shore" gives "laughing and running along the shore"); None when the first word is
    not a verb this can tell. A verb after "and" is one only when it is known or a word
    that follows verbs comes next, unless ``known_only`` is False (a thing's verbs: "swells
    and glows")."""
    words = rest.split(" ")
    index = 0
    while index < len(words) and words[index].endswith("ly") and len(words[index]) > 4:
        index += 1  # "slowly lifts": the adverb stays before the participle
    if index >= len(words):
        return None
    first = _converted(words[index], plural=plural, strict=False)
    if first is None:
        return None
    words[index] = first
    for position in range(index + 1, len(words)):
        before = words[position - 1]
        if before in ("and", "then") or before.endswith(","):
            # "stops, grins and begins to dance": each verb of the list
            after = words[position + 1] if position + 1 < len(words) else ""
            # "and begins to dance": a verb before what follows verbs; "then" is always
            # followed by one ("then lands hard")
            strict = known_only and before != "then" and after.rstrip(",;") not in _AFTER_VERB
            following = _converted(words[position], plural=plural, strict=strict)
            if following is not None:
                words[position] = following
            elif before == "and" and position > 1 and _new_subject(words[position:]):
                # "rolling the dough clumsily and it tears": a clause of its own
                if not words[position - 2].endswith((",", ";")):
                    words[position - 2] += ","
                break
    return " ".join(words)


#: Pronouns that open a clause of their own after "and" ("and it tears").
_SUBJECT_PRONOUNS = word_set("it he she they we i you")


def _new_subject(words: Sequence[str]) -> bool:
    """Whether ``words`` (after an "and") open a clause with its own subject: a pronoun
    ("it tears") or a determiner, a noun and its verb ("the lid falls")."""
    first = fold(words[0]) if words else ""
    return first in _SUBJECT_PRONOUNS or _acts(" ".join(words)) or _bare_subject(words)


#: Words before a verb that are no subject of it ("and still laughs", "and then lands").
_ADVERBS = word_set("almost also again always barely even just never often once only soon still")


def _bare_subject(words: Sequence[str]) -> bool:
    """Whether ``words`` open on a noun without a determiner and its present verb ("smoke
    rises from the chimney", "rain falls"): a word that is no verb nor adverb, then one
    that is a verb."""
    if len(words) < 2:
        return False
    noun, verb = words[0], words[1].rstrip(",;.!?…")
    return (
        noun.isalpha()
        and noun.islower()
        and not noun.endswith("ly")
        and noun not in _ADVERBS
        and noun not in _NOT_VERB_WORDS
        and _ing(noun, plural=False) is None
        and verb not in _NOT_VERB_WORDS
        and _ing(verb, plural=False) is not None
    )


def _converted(word: str, *, plural: bool, strict: bool) -> str | None:
    """``word`` (with the mark after it) as a participle, None when it is no verb."""
    bare = word.rstrip(",;")
    participle = _ing(bare, plural=plural, strict=strict)
    return None if participle is None else participle + word[len(bare) :]


def _ing(word: str, *, plural: bool, strict: bool = False) -> str | None:
    """The -ing form of a present verb ("runs" -> "running", "smiles" -> "smiling",
    "watches" -> "watching", "sit" for a plural subject -> "sitting"). ``strict`` (a verb
    after "and") takes only third-person forms of verbs it knows end so."""
    if not word.isalpha() or not word.islower() or word in _NOT_ACTIONS:
        return None
    if plural:
        if word.endswith("s") and not word.endswith("ss"):
            return None  # "they sits"? not a verb after a plural subject
        if strict and not _known(word):
            return None
        return _ing_of(word)
    if not word.endswith("s") or word.endswith("ss"):
        return None
    if word.endswith("ies") and len(word) > 4:
        base = word[:-3] + "y"
    elif word.endswith(("sses", "shes", "ches", "xes", "zzes", "oes")):
        base = word[:-2]
    else:
        base = word[:-1]
    if strict and not _known(word):
        return None
    return _ing_of(base)


def _known(word: str) -> bool:
    """Whether ``word`` (a present form) is a verb the story vocabulary knows, a handling
    verb or one only people do: after "and", "clouds" must not become "clouding"."""
    return any(
        form in PERSON_VERBS or handling_verb(form) is not None
        for form in (word, word + "s", word + "es")
    )


def _ing_of(base: str) -> str:
    if base.endswith("ie"):
        return base[:-2] + "ying"
    if base.endswith(("ee", "ye", "oe")) or base == "be":
        return base + "ing"
    if base.endswith("e") and len(base) > 2:
        return base[:-1] + "ing"
    groups = re.findall(f"[{_VOWELS}]+", base)
    one_syllable = len(groups) == 1 and len(groups[0]) == 1
    if (one_syllable or base in _DOUBLING) and re.search(f"[{_VOWELS}][^{_VOWELS}wxy]$", base):
        return base + base[-1] + "ing"
    return base + "ing"


def _lower_first(clause: str, characters: Sequence[str]) -> str:
    """``clause`` as the middle of a sentence: its first word in lower case when it is a
    pronoun, an article or an opener ("The kite climbs" -> "the kite climbs"); a name
    ("Grandpa Ali shows", "Paris wakes") or an acronym stays."""
    if any(_opens_on(clause, name) for name in characters):
        return clause
    first = clause.split(" ", 1)[0]
    if first.isupper() and len(first) > 1:
        return clause  # an acronym, a name in capitals
    if fold(first) in _SINGULAR | _PLURAL | _OPENERS | _ARTICLES:
        return clause[:1].lower() + clause[1:]
    return clause
