"""The breakdown's own text helpers: word sets, sentences, clauses, chunks, short labels."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from storycore.tools.fountain import fold, mentions
from storycore.tools.fountain.people import PERSON_NOUNS, person_key

# The shared variants (storycore.tools.text), under the names the breakdown modules use.
from storycore.tools.text import fold_tokens as _tokens
from storycore.tools.text import split_sentences
from storycore.tools.text import word_count as _word_count
from storycore.tools.text import word_set as _words

#: Verbs only a person does, in the third person present (English and French): a word in
#: capitals that opens a sentence on one of them ("Priya cuts the stems", "Inès sourit")
#: is someone's name, even named once.
PERSON_VERBS = _words(
    "smiles laughs grins nods sighs shrugs winks frowns cries weeps sobs shouts yells "
    "whispers says asks answers replies mutters murmurs sings hums dances walks runs "
    "jogs strolls sits stands kneels crouches waits watches stares looks glances "
    "turns leans climbs jumps cuts ties picks grabs holds carries takes gives hands "
    "opens closes reads writes types calls phones texts hugs kisses waves points "
    "pushes pulls cooks bakes paints draws sweeps cleans wipes pours drinks eats "
    "sips tastes checks counts unlocks locks knocks enters leaves arrives returns "
    "sourit rit hoche soupire pleure crie chuchote dit demande repond chante danse "
    "marche court s'assoit attend regarde observe fixe se retourne grimpe saute coupe "
    "attache cueille prend tient porte donne tend ouvre ferme lit ecrit appelle "
    "embrasse salue pousse tire cuisine peint dessine balaie nettoie verse boit mange "
    "goute compte frappe entre sort arrive revient "
    "rows swims drives rides paddles hurries rushes steps crosses wanders limps pauses "
    "hesitates thinks remembers breathes listens hears sees notices spots finds searches "
    "lifts catches throws stirs folds fixes repairs builds plants digs feeds pets strokes "
    "brushes combs dresses wakes sleeps yawns stretches bows prays reaches offers shows "
    "pays buys sells serves plays "
    "nage conduit rame pedale hesite ecoute entend voit remarque trouve cherche souleve "
    "lance attrape remue plie repare construit plante creuse nourrit caresse brosse dort "
    "baille prie offre montre paie achete vend sert joue"
)


#: Nouns that say a person's gender (English and French, folded as ``_tokens`` folds).
_GENDER_NOUNS = {
    "masculine": _words(
        "man boy father brother husband king fisherman gentleman grandfather uncle grandson "
        "nephew boyfriend waiter priest monk prince "
        "homme garcon pere fils frere mari roi pecheur monsieur oncle vieil chanteur danseur "
        "serveur neveu "
        "acteur"
    ),
    "feminine": _words(
        "woman girl mother daughter sister wife queen lady grandmother aunt actress "
        "granddaughter niece girlfriend waitress nun princess serveuse cliente "
        "femme fille mere soeur epouse reine dame tante vieille chanteuse danseuse actrice"
    ),
}


#: Words after "her" that make it an object ("hands her the key"), folded.
_OBJECT_NEXT = _words(
    "the a an this that these those some to and back away up down off out over into in on "
    "at with from for again goodbye one"
)
#: Object pronouns that never stand for the subject of their own clause ("Dana tosses him
#: the keys", "Léa lui sert un café"): someone else, shown before, whatever the subject's
#: gender (None: either gender). "her" is one only where no noun follows it ("hands her the
#: key", not "her phone").
_OBJECT_PRONOUNS = re.compile(
    r"\b(?P<him>him)\b|(?:^|\s)(?P<lui>lui)\b(?!-)"
    r"|\b(?P<her>her)\b(?=\s*(?:[.,;:!?)]|$|\s+(?:" + "|".join(sorted(_OBJECT_NEXT)) + r")\b))",
    re.IGNORECASE,
)
_OBJECT_GENDER = {"him": "masculine", "her": "feminine", "lui": None}


#: French determiners that say the gender of the person noun after them ("une étudiante",
#: "un vieux batteur"); "son", "leur" say nothing ("son amie").
_FRENCH_GENDERED = {
    "feminine": _words("une la cette ma ta"),
    "masculine": _words("un le ce cet mon ton"),
}


def noun_gender(sentence: str) -> str | None:
    """The gender a sentence gives the one person it names: a gendered noun ("a fisherman",
    "une danseuse"), else a French person noun after a gendered determiner, at most one
    word between them ("une étudiante au ciré bleu", "un vieux batteur")."""
    tokens = list(_tokens(sentence))
    words = set(tokens)
    found = [key for key, nouns in _GENDER_NOUNS.items() if words & nouns]
    if found:
        return found[-1]  # both said: the last, feminine
    for index, token in enumerate(tokens):
        if token not in PERSON_NOUNS:
            continue
        for before in tokens[max(0, index - 2) : index][::-1]:
            said = next((k for k, words in _FRENCH_GENDERED.items() if before in words), None)
            if said:
                return said
    return None


def object_genders(text: str) -> list[str | None]:
    """The genders of the object pronouns of ``text``, in order."""
    return [_OBJECT_GENDER[m.lastgroup or ""] for m in _OBJECT_PRONOUNS.finditer(text)]


_SUBJECT_PRONOUNS = _words("he she they il elle ils elles")

#: Plural nouns by which a story speaks of its own people together ("the two friends", "les
#: deux complices", "the couple"): the people it has shown, not extras (folded).
GROUP_NOUNS = _words(
    """friends couple lovers siblings partners accomplices companions pair duo
    amis amies complices amoureux copains copines compagnons partenaires duo"""
)


def speaks_of_the_group(sentence: str) -> bool:
    """Whether ``sentence`` opens (after a short opener closed by a comma) on its people as a
    group: "the two friends", "les deux complices", "both friends", "le couple"."""
    head, comma, rest = sentence.partition(",")
    words = fold(rest if comma and len(head.split()) <= 4 else sentence).split()
    return any(word in GROUP_NOUNS for word in words[:3])


def pronoun_before_names(sentence: str, characters: Sequence[str]) -> str | None:
    """The subject pronoun (folded) by which ``sentence`` speaks of someone before it names
    any of ``characters`` ("Later, she meets Hugo" gives "she"; "Hugo waits; he smiles"
    gives None)."""
    words = fold(sentence).split()
    first = next((i for i, word in enumerate(words) if word in _SUBJECT_PRONOUNS), None)
    if first is None:
        return None
    before = " ".join(words[:first])
    return None if any(mentions(before, c) for c in characters) else words[first]


#: Determiners that open an apposition after a name ("Léo, his old friend,", "Nadia, une
#: inspectrice aux cheveux courts,"): who the person is, said once, where they are named.
_APPOSITION = re.compile(
    r",\s+(?:an?|the|his|her|their|its|my|our|your|une?|le|la|l['’]|son|sa|leur|mon|ma|notre"
    r"|votre)\b[^,;:.!?()]*?(?:,\s*|(?=[.!?…]*$))",
    re.IGNORECASE,
)


def without_appositions(clause: str, characters: Sequence[str]) -> str:
    """``clause`` without the apposition after a character's name ("Priya, his manager,
    walks in" gives "Priya walks in"; "elle retrouve Léo, son vieil ami, au café" gives
    "elle retrouve Léo au café"): the shot says who the person is by framing them, and a
    coverage line is one sentence of what they do."""
    for name in sorted(characters, key=len, reverse=True):
        at = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", clause, re.IGNORECASE)
        if at is None:
            continue
        found = _APPOSITION.match(clause, at.end())
        if found is None:
            continue
        after = clause[found.end() :]
        joiner = " " if after and found.group(0).rstrip().endswith(",") else ""
        clause = clause[: at.end()] + joiner + after
    return clause


def _name_keys(name: str) -> list[str]:
    """What names a character in a text, folded: the whole name and its first word ("Marie
    Dupont", "Marie"); a person named by a noun, only the noun ("The Keeper": "keeper", never
    "the")."""
    person = person_key(name)
    if person is not None:
        return [person]
    return list(dict.fromkeys([fold(name), fold(name).split(" ")[0]]))


def _sentences(text: str) -> list[str]:
    """The shared, abbreviation-aware splitter ("Dr. Marsh" stays in one sentence)."""
    return split_sentences(text)


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


def _sentence_case(text: str) -> str:
    """``text`` with a capital first letter, as it reads after a full stop ("close on the
    machine" in a brief's scene line opens the second sentence of a description)."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def told_sentence(text: str) -> str:
    """``text`` as the second sentence of a description: a capital first letter and a full
    stop when it ends on a word ("…au lever du soleil" cut before a colon)."""
    text = _sentence_case(text.strip())
    return f"{text}." if text[-1:].isalnum() else text


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


#: Words a sentence that only names a place and a time holds besides them ("Dawn in the
#: mountains.", "Nuit sur le port.").
_SETTING_WORDS = _words(
    "the a an in on at of over by early late "
    "le la les l un une au aux du de des d en sur dans tot tard"
)


def _says_only(opening: str, what: str) -> bool:
    """Whether ``opening`` says nothing the establishing shot's own words (``what``: "extreme
    wide shot of the mountains, dawn") do not: "Dawn in the mountains." would only repeat
    them after the framing."""
    said = set(_tokens(what))
    return all(token in said or token in _SETTING_WORDS for token in _tokens(opening))


#: Subject pronouns a beat may open on, by how many people they stand for (folded).
_OPENING_PRONOUNS = {"he": 1, "she": 1, "il": 1, "elle": 1, "they": 2, "ils": 2, "elles": 2}


def named_subject(chunk: str, who: Sequence[str], subject: object) -> str:
    """``chunk`` with the subject pronoun it opens on said as ``subject`` when that is who
    the shot frames ("He wipes the frost..." in Tomas's shot: "Tomas wipes the frost...";
    "They ride..." in the shot of both), so the shot's title and folder read as a line of
    the shot list ("Tomas wipes the frost off the…", not "Tomas: He wipes…")."""
    first, _, rest = chunk.partition(" ")
    many = _OPENING_PRONOUNS.get(fold(first))
    if not rest or many is None or not who or (many == 1) != (len(who) == 1):
        return chunk
    return f"{subject} {rest}"


def capitalised(title: str) -> str:
    """A shot's title with a capital first letter ("The hut: Snow falls…", "La femme ferme
    les yeux…"): a title opens a line of the shot list and a folder's name."""
    return title[:1].upper() + title[1:]
