"""How an element looks, found in the text: appearance only, never a sentence of action.

A character's or prop's canonical look is what a camera would see of it before anything
happens: age, build, hair, face, clothing, colours, materials. It is taken, in this order, from

1. a Fountain character introduction: the name followed by brackets and/or comma clauses
   (``ODILE (50s), yellow raincoat``, ``GABY (20s, soaked, dark curly hair)``);
2. an apposition after the name (``Léo, a drummer with a shaved head, ...``), what it has or
   wears (``Marco has a beard``, ``Léa porte un ciré jaune``) and the appearance words right
   before it (``a brass LANTERN``);
3. the descriptive phrases of the sentences that name it: ``with``/``in``/``wearing``/
   ``dressed in`` and ``aux``/``à la``/``au``/``en``/``vêtue de``/``avec`` followed by
   appearance words (``une chanteuse aux cheveux noirs raides et à la veste de cuir rouge``).

Each kept clause must contain an appearance word (:data:`APPEARANCE_WORDS`) or an age, and no
sign of action (:func:`is_action_clause`: an auxiliary, a subject pronoun, a verb in first
position). A sentence is never copied whole. A location's look is the static description of
its scene (``A small kitchen in warm lamplight.``): the sentences of the scene's opening
that name no character and are not events; failing those, one sentence of its weather or
light (``Rain hammers the river.``), never an event that happens there (``The train pulls
away.``: the location then has no look yet, and the prompts use its name).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from storycore.tools.brief.names import DESCRIPTIVE_WORDS
from storycore.tools.directions import stated_direction
from storycore.tools.fountain.headings import PERIODS
from storycore.tools.fountain.people import PERSON_NOUNS
from storycore.tools.text import fold_words, split_sentences, word_set

__all__ = ["APPEARANCE_WORDS", "find_look", "is_action_clause", "is_worn", "location_look"]

#: Words that say how someone or something looks (English and French, folded).
APPEARANCE_WORDS = DESCRIPTIVE_WORDS | word_set(
    """hair haired bald shaved beard bearded moustache mustache stubble freckled wrinkled pale
    tanned eyebrows face cheeks lips teeth nose ponytail bun fringe bangs curls braid dreadlocks
    afro mohawk wig makeup lipstick earrings earring necklace ring bracelet watch tie bow glasses
    headphones earphones earbuds tattoos scars piercing piercings beret bowtie
    sunglasses goggles mask helmet cap beanie hood hoodie sweater jumper cardigan blazer
    trousers jeans pants shorts skirt leggings overalls uniform apron gown robe cloak cape
    parka anorak raincoat overcoat trench vest waistcoat tshirt shirt blouse gloves shoes
    sneakers trainers heels sandals boots socks scarf shawl backpack bag satchel briefcase
    umbrella cane crutch crutches wool leather denim silk cotton velvet linen canvas tweed fur
    suede plastic metal
    steel brass copper wooden wood glass paper cardboard chrome gold golden silver rusty
    rusted battered worn scratched faded torn patched shiny polished dented cracked new old
    vintage antique black white grey gray red blue green yellow orange purple pink brown beige
    navy teal crimson scarlet maroon ivory cream khaki olive turquoise striped checked plaid
    spotted floral tall short small big large huge tiny slim skinny thin lanky stocky plump
    broad muscular heavy frail elderly young old teen teenage child kid baby woman man girl
    boy lady gentleman soaked wet muddy dusty elegant shabby scruffy neat tidy
    cheveux chauve rase barbe barbu moustache visage joues levres nez queue cheval chignon
    ecouteurs tatouage tatouages cicatrice cicatrices rousseur
    frange tresse boucles perruque maquillage boucles collier bague bracelet montre cravate
    lunettes masque casque casquette bonnet capuche pull chandail gilet pantalon jean jupe
    short salopette uniforme tablier robe cape parka imperméable impermeable pardessus trench
    chemise chemisier gants chaussures baskets talons sandales bottes chaussettes echarpe
    foulard sac cartable mallette parapluie canne bequille bequilles laine cuir soie coton velours
    lin toile fourrure
    daim plastique metal acier laiton cuivre bois verre papier carton dore doree argente
    argentee rouille rouillee abime abimee use usee raye rayee neuf neuve ancien ancienne noir
    noire noirs noires blanc blanche blancs blanches gris grise rouge rouges bleu bleue bleus
    vert verte verts jaune jaunes orange violet violette rose roses marron beige marine raides
    raide courts courte longs longue longues frises frisee ondules grand grande petit petite
    mince maigre costaud trapu ronde age agee jeune vieux vieille adolescent enfant femme homme
    fille garcon dame monsieur trempe trempee mouille elegant elegante chanteuse chanteur"""
)

#: Words that make a clause an event rather than a look: auxiliaries, subject pronouns,
#: common action verbs (English and French, folded).
_ACTION_WORDS = word_set(
    """is are was were has have had does did will would can could gets got becomes he she they
    we i you it him them est sont etait etaient ont avait avaient sera il elle ils elles
    nous vous je tu lui leur se s hurries runs walks stops looks turns takes holds tilts
    presses sits stands waits opens closes enters leaves smiles laughs cries says speaks
    shouts whispers sees watches grabs pulls pushes throws falls climbs steps moves arrives
    rushes strides finds picks puts gives unpacks sets reaches kisses hugs nods shakes
    marche court arrive part regarde tourne prend tient ouvre ferme entre sort sourit rit
    pleure dit parle crie chante danse voit attend pose donne tend monte descend traverse
    avance recule leve tombe verse remplit boit mange ecrit lave essuie allume eteint frappe
    glisse saisit attrape pousse tire goute respire ecoute plie peint coud repare nettoie
    balaie sonne appelle cherche trouve"""
)
_ARTICLES = word_set("a an the un une le la les l des du de d")
_POSSESSIVES = word_set("his her their its my your our son sa ses leur leurs")
#: An English possessive ("mechanic's overalls"), not the "'s" of "she's" or "it's" (an
#: auxiliary, which ``_ACTION_WORDS`` reads as "s", like French "s'assoit").
_POSSESSIVE = re.compile(
    r"\b(?!(?:he|she|it|that|there|here|who|what|where|let)['’])(\w+)['’]s\b", re.IGNORECASE
)
#: Phrases that introduce a look inside a sentence ("with short grey hair", "aux cheveux...").
_LOOK_OPENERS = (
    r"with|in|wearing|dressed in|clad in|made of|"
    r"aux|au|à la|a la|à l'|en|vêtue? d(?:e|'|’)|vetue? d(?:e|'|’)|habillée? d(?:e|'|’)|"
    r"portant|avec"
)
_LOOK_PHRASE = re.compile(
    rf"(?P<head>\b(?:an?|une?)\s+(?:[^\W\d_][\w'-]*\s+){{0,2}}?)?"
    rf"(?P<look>(?<!\w)(?:{_LOOK_OPENERS})\s+[^,.;:!?()]+)",
    re.IGNORECASE,
)
_AND_SPLIT = re.compile(rf"\s+(?:and|et)\s+(?=(?:{_LOOK_OPENERS})\b)", re.IGNORECASE)
#: A clause that is a time of day a scene heading knows ("au petit matin", "in the early
#: morning", folded), not a look ("une robe bleu nuit" is one).
_TIME_OF_DAY = re.compile(
    r"^(?:(?:au|aux|a la|a l|a|in|at|en|du|de|by|with)\s+)?(?:(?:the|le|la|l|les)\s+)?(?:"
    + "|".join(sorted({re.escape(p) for ps in PERIODS.values() for p in ps}, key=len, reverse=True))
    + r")(?![a-z])"
)
_AGE = re.compile(
    r"^(?:\d0s|\d0's|late \d0s|early \d0s|mid \d0s|\d{1,2}|\d{1,2} (?:ans|years? old)|"
    r"(?:in )?(?:his|her|their) (?:early |late |mid )?(?:\d0s|twenties|thirties|forties|fifties"
    r"|sixties|seventies|eighties|nineties)|la \w+aine|une? \w+aine)$",
    re.IGNORECASE,
)


def is_action_clause(clause: str) -> bool:
    """Whether ``clause`` tells what happens (a verb, an auxiliary, a subject pronoun) rather
    than how something looks. "polishes the great lens" and "il entre" are actions; "navy
    wool sweater" and "aux cheveux noirs" are not."""
    words = fold_words(_POSSESSIVE.sub(r"\1", clause)).split()
    if not words:
        return False
    if any(word in _ACTION_WORDS for word in words):
        return True
    first = next((w for w in words if w not in {"and", "et", "who", "qui", "then"}), "")
    if _verb_like(first) and not _opens_noun_phrase(words):
        return True  # "grips the rail", "climbs down": a third-person verb first
    # "The umbrella drips in the sink": a third-person verb after its subject, before an
    # article or a preposition.
    for index, (before, word, after) in enumerate(
        zip(words, words[1:], [*words[2:], ""], strict=False)
    ):
        if before in _ARTICLES or not _verb_like(word):
            continue
        if _noun_not_verb(words, index + 1):
            continue  # "Empty seats in harsh light", "des tableaux sombres sous la lampe"
        if after in _ARTICLES or after in _PREPOSITIONS:
            return True
    return False


#: Words that describe a place or a thing before its noun, besides the appearance words
#: (folded): "empty seats", "deserted streets".
_PLACE_ADJECTIVES = word_set(
    """empty bare harsh dim bright dark cold warm quiet silent still lonely deserted abandoned
    crowded busy narrow wide long endless distant nearby wet dry damp icy frozen misty foggy
    smoky dusty rusty broken shattered overturned flickering buzzing humming blinking glowing
    burning falling drifting fluorescent neon pale soft hard low high few many several some
    two three four five six seven eight nine ten"""
)
#: Plural determiners of French noun phrases: "des tableaux sombres" (an adjective after its
#: noun, not a verb).
_FRENCH_PLURAL = word_set("des les ces mes tes ses nos vos leurs quelques plusieurs deux trois")


def _adjective_like(word: str) -> bool:
    """A word that reads as a describing word before a noun ("empty", "flickering")."""
    return word in APPEARANCE_WORDS or word in _PLACE_ADJECTIVES


def _noun_not_verb(words: list[str], index: int) -> bool:
    """Whether ``words[index]``, shaped like a verb, is the noun (or French adjective) of a
    verbless phrase: every word before it describes ("empty seats", "flickering lights"), or
    it follows a French plural noun ("des tableaux sombres", "les rues vides")."""
    before = words[:index]
    if "of" in before and _opens_noun_phrase(words):
        before = before[len(before) - before[::-1].index("of") :]  # "rows of empty seats"
    if len(before) <= 3 and all(_adjective_like(w) for w in before):
        return True
    return (
        index >= 2 and words[index - 2] in _FRENCH_PLURAL and words[index - 1].endswith(("s", "x"))
    )


def _opens_noun_phrase(words: list[str]) -> bool:
    """Whether a sentence whose first word is shaped like a verb opens on a noun phrase:
    "rows of empty seats", "piles of boxes" (a plural before "of"), "abandoned cars in the
    yard" (an "-ed" word before neither an article nor a preposition; "climbed down", "pulled
    the rope" are actions)."""
    if len(words) < 2:
        return False
    if words[1] == "of":
        return True
    return words[0].endswith("ed") and words[1] not in _ARTICLES | _PREPOSITIONS


_PREPOSITIONS = word_set(
    "in on at to into onto from over under across through toward towards past down up out off "
    "away back against along around behind beside between forward forwards ahead onward onwards "
    "aside apart inside outside upward upwards downward backward backwards home "
    "dans sur sous vers contre"
)


def _verb_like(word: str) -> bool:
    """A word shaped like an English third-person verb ("drips", "hurried"), not a look."""
    if word in APPEARANCE_WORDS or word in _ARTICLES:
        return False
    return bool(re.fullmatch(r"[a-z]{3,}(?:s|ed)", word)) and not word.endswith(("ss", "us"))


def _is_look_clause(clause: str) -> bool:
    text = clause.strip(" -–—")
    if not text or len(text.split()) > 12:
        return False
    if _AGE.match(text):
        return True
    if _TIME_OF_DAY.search(fold_words(text)):
        return False  # "au petit matin", "in the early morning": when, not how one looks
    words = fold_words(text).split()
    if _names_a_place(words):
        return False  # "in a small bakery", "en forêt": where, not how one looks
    return any(word in APPEARANCE_WORDS for word in words) and not is_action_clause(text)


#: Words of a look phrase before its noun: its opener's words, determiners, possessives.
_BEFORE_NOUN = (
    _ARTICLES
    | _POSSESSIVES
    | word_set("with in wearing dressed clad made of aux au a l en vetu vetue habille habillee")
    | word_set("portant avec")
)


def _names_a_place(words: Sequence[str]) -> bool:
    """Whether a look phrase's noun (its first word past the opener, the determiners and
    the describing words) is a place noun: "in a small bakery" says where someone is."""
    from storycore.tools.breakdown.places import PLACE_NOUNS

    rest = list(words)
    while rest and (rest[0] in _BEFORE_NOUN or _adjective_like(rest[0])):
        rest.pop(0)
    return bool(rest) and (rest[0] in PLACE_NOUNS or " ".join(rest[:2]) in PLACE_NOUNS)


_APPOSITIVE = re.compile(r"^\s*(?:an?|une?)\s+\w", re.IGNORECASE)
#: The longest appositive read as who someone is: commas close it, and "an old lighthouse
#: keeper with a grey braid and a yellow oilskin coat" is 13 words.
_APPOSITIVE_WORDS = 24


def _is_appositive(clause: str) -> bool:
    """ "a marathon runner in her thirties" right after a name: who the person is, which
    describes them as a look does (an action clause never is one)."""
    return (
        bool(_APPOSITIVE.match(clause))
        and len(clause.split()) <= _APPOSITIVE_WORDS
        and not is_action_clause(clause)
        and not _TIME_OF_DAY.search(fold_words(clause))
    )


def _relative_cut(clause: str) -> str:
    """``clause`` up to a relative pronoun or a conjunction that starts an event."""
    return re.split(r"\s+(?:who|which|that|and then|qui|que|puis|then)\s+", clause)[0]


def _clean(clause: str) -> str:
    return " ".join(clause.strip(" ,;:-–—").split())


def _name_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w'’]){re.escape(name)}(?:['’]s)?(?![\w'’])", re.IGNORECASE)


def _introduction(name: str, text: str) -> list[str]:
    """The look clauses right after each mention of ``name``: brackets and comma clauses."""
    found: list[str] = []
    for match in _name_pattern(name).finditer(text):
        rest = text[match.end() :]
        bracket = re.match(r"\s*\(([^)]{1,160})\)", rest)
        if bracket:
            clauses = [_relative_cut(c) for c in bracket.group(1).split(",")]
            found += [_clean(c) for c in clauses if _is_look_clause(c)]
            rest = rest[bracket.end() :]
        if rest.startswith(","):
            # up to the end of the sentence, one clause at a time, while each is a look
            end = re.search(r"[.!?;:\n]", rest)
            for index, clause in enumerate(rest[: end.start() if end else len(rest)].split(",")):
                clause = _relative_cut(clause)
                if not index or not clause.strip():
                    continue
                if not (_is_look_clause(clause) or (index == 1 and _is_appositive(clause))):
                    break
                found.append(_clean(clause))
    return list(dict.fromkeys(found))


def without_introductions(text: str, names: Iterable[str]) -> str:
    """``text`` without the look that introduces each of ``names`` where the sentence goes on
    after it: "Nour, une jeune femme aux longues tresses, vêtue d'un manteau jaune, traverse
    Marseille" gives "Nour traverse Marseille", "GaBy (20s, soaked) waits" gives "GaBy
    waits". The look is the character's, in the registry; a shot that covers the sentence
    again says what happens. A look that ends the sentence, or holds an event ("un batteur
    qui joue sur des seaux"), stays."""
    for name in names:
        if not name:
            continue
        out: list[str] = []
        last = 0
        for match in _name_pattern(name).finditer(text):
            if match.start() < last:
                continue
            rest = text[match.end() :]
            bracket = re.match(r"\s*\(([^)]{1,160})\)(?=\s+[a-zà-ÿ])", rest)
            if bracket and all(_is_look_clause(c) for c in bracket.group(1).split(",")):
                out.append(text[last : match.end()])
                last = match.end() + bracket.end()
                continue
            if not rest.startswith(","):
                continue
            end = re.search(r"[.!?;:\n]", rest)
            parts = rest[: end.start() if end else len(rest)].split(",")[1:]
            taken = 0
            for index, clause in enumerate(parts[:-1]):
                if _relative_cut(clause) != clause:
                    break  # "un batteur qui joue": an event inside the look
                if _is_look_clause(clause) or (index == 0 and _is_appositive(clause)):
                    taken = index + 1
                else:
                    break
            following = parts[taken].strip() if taken < len(parts) else ""
            if taken and following[:1].islower() and is_action_clause(following):
                out.append(text[last : match.end()])
                # past the look's clauses, each after its comma, and the comma that ends it
                last = match.end() + sum(len(part) + 1 for part in parts[:taken]) + 1
        out.append(text[last:])
        text = "".join(out)
    return " ".join(text.split())


#: The verbs after a name that say what the person has or wears. French "a" (has) only
#: before a French determiner: "Sami a rolling pin" is English, an article.
_HAS = (
    r"has|has got|wears|is wearing|is dressed in|is|looks|sports|carries|"
    r"porte|a(?=\s+(?:un|une|des|les|le|la|l['’]|de|du)\b)|est|est vêtue? d(?:e|'|’)|"
    r"est habillée? d(?:e|'|’)"
)


def _attributes(name: str, text: str) -> list[str]:
    """What a sentence says ``name`` has or wears: "Marco has a beard" -> "a beard",
    "Léa porte un ciré jaune" -> "un ciré jaune" (when the words are appearance words)."""
    found = []
    pattern = rf"(?<![\w'’]){re.escape(name)}\s+(?:{_HAS})\s+([^.,;:!?\n]+)"
    for match in re.finditer(pattern, text, re.IGNORECASE):
        phrase = _relative_cut(match.group(1))
        phrase = re.split(r"\s+(?:and|et|while|pendant que|as|comme)\s+", phrase)[0]
        if _is_look_clause(phrase):
            found.append(_clean(phrase))
    return found


def _modifiers(name: str, text: str) -> list[str]:
    """The appearance words right before a mention: "a brass LANTERN" -> "brass lantern".
    After a possessive, the person noun before a name says who they are to someone, not how
    they look: "sa fille Alma", "her girl Maya" give no "fille alma"."""
    found = []
    pattern = (
        r"\b(?P<determiner>an?|the|une?|le|la|les|son|sa|ses|his|her|their)\s+"
        rf"((?:[\w'’-]+\s+){{1,3}}){re.escape(name)}\b"
    )
    for match in re.finditer(pattern, text, re.IGNORECASE):
        words = match.group(2).split()
        if fold_words(match.group("determiner")) in _POSSESSIVES:
            while words and fold_words(words[-1]) in PERSON_NOUNS:
                words.pop()  # "sa fille": the relation
        while words and fold_words(words[0]) not in APPEARANCE_WORDS:
            words.pop(0)
        if words and all(fold_words(w) in APPEARANCE_WORDS for w in words):
            found.append(" ".join([*words, name.lower()]))
    return found


def _phrases(name: str, sentences: Iterable[str], others: Sequence[str] = ()) -> list[str]:
    """The look phrases ("with short grey hair", "à la veste de cuir rouge") of the
    sentences that name ``name``, but not one that follows another of ``others`` more
    closely ("Armand, un apiculteur à la barbe blanche, enfile sa vareuse": the beard is
    Armand's, not the smock's)."""
    found: list[str] = []
    pattern = _name_pattern(name)
    any_other = _any_name_pattern(tuple(others))
    for sentence in sentences:
        if not pattern.search(sentence):
            continue
        for match in _LOOK_PHRASE.finditer(sentence):
            before = sentence[: match.start("look")]
            if _owner_is_other(before, pattern, any_other):
                continue
            head = match.group("head") or ""
            if (
                _names_a_person(head)
                and not pattern.search(head)
                and not pattern.match(sentence[match.end() :].lstrip(" ,"))
            ):
                # "une femme en pyjama rayé verse le café": the woman's look, not the
                # coffee's ("une femme aux cheveux courts, Lucie, ..." is Lucie's)
                continue
            for index, part in enumerate(_AND_SPLIT.split(match.group("look"))):
                part = _up_to_action(_relative_cut(part))
                if not _is_look_clause(part) or pattern.search(part):
                    continue  # not a look, or "with the old woman": the person, not a look
                if (
                    index == 0
                    and _follows_thing(before)
                    and not _is_worn(part)
                    and fold_words(before).split()[-1:] != fold_words(name).split()[-1:]
                ):
                    continue  # "wraps a loaf in paper": the loaf's paper, not Sami's
                # "une chanteuse aux cheveux noirs": the noun the look belongs to, once
                found.append(_clean(f"{head}{part}" if index == 0 and head else part))
    return found


#: Words of what a person wears or has on their head and face (folded): a look phrase with
#: one is a person's even after a thing ("waits by the door in a red coat").
_WORN = word_set(
    """hair haired bald shaved beard moustache mustache stubble freckles ponytail bun fringe
    bangs curls braid braids dreadlocks mohawk mullet quiff afro wig makeup lipstick earrings
    necklace glasses
    sunglasses goggles mask helmet cap beanie hat hood hoodie sweater jumper cardigan blazer
    jacket coat suit dress trousers jeans pants shorts skirt leggings overalls uniform apron
    gown robe cloak cape parka anorak raincoat overcoat trench vest waistcoat tshirt shirt
    blouse gloves shoes sneakers trainers heels sandals boots socks scarf shawl tie bowtie
    sixties fifties forties thirties twenties seventies eighties teens
    cheveux barbe moustache chignon tresse tresses boucles perruque lunettes casquette bonnet
    chapeau capuche pull gilet veste manteau costume robe pantalon jupe tablier cape ciré cire
    impermeable chemise chemisier gants chaussures baskets bottes echarpe foulard"""
)
#: Determiners and possessives that open the noun phrase of a thing.
_THING_DETERMINERS = _ARTICLES | _POSSESSIVES


def _follows_thing(before: str) -> bool:
    """Whether the words before a look phrase end on a thing's noun phrase ("wraps a loaf",
    "hands Sami a rolling pin"): a determiner, at most three words, and a noun that is not a
    person, a garment or a place, so the look phrase after it describes the thing."""
    from storycore.tools.breakdown.places import PLACE_NOUNS

    words = fold_words(before).split()[-4:]
    starts = [i for i, word in enumerate(words) if word in _THING_DETERMINERS]
    if not starts or starts[-1] == len(words) - 1:
        return False
    noun = words[-1]
    return not (noun in APPEARANCE_WORDS or noun in PERSON_NOUNS or noun in PLACE_NOUNS)


def _names_a_person(head: str) -> bool:
    """Whether a look phrase's head ("a man ", "une femme ") is a person noun."""
    return any(word in PERSON_NOUNS for word in fold_words(head).split())


def _is_worn(phrase: str) -> bool:
    return any(word in _WORN for word in fold_words(phrase).split())


def is_worn(phrase: str) -> bool:
    """Whether ``phrase`` ("a bleached mohawk", "a torn denim jacket") names what a person
    wears or has on their head and face: their look, not a thing they carry."""
    return _is_worn(phrase)


@functools.lru_cache(maxsize=64)
def _any_name_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """Where any of ``names`` is named (as :func:`_name_pattern` finds each), found at every
    place one starts, the longest first: group 1 is the longest name said there."""
    if not names:
        return None
    alternatives = "|".join(
        rf"{re.escape(name)}(?:['’]s)?" for name in sorted(set(names), key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w'’])(?=({alternatives})(?![\w'’]))", re.IGNORECASE)


def _owner_is_other(before: str, pattern: re.Pattern[str], others: re.Pattern[str] | None) -> bool:
    """Whether the element named last in ``before`` (the words before a look phrase) is
    one of ``others`` (:func:`_any_name_pattern`) rather than the one of ``pattern``."""
    if others is None:
        return False
    other = max((m.start() + len(m.group(1)) for m in others.finditer(before)), default=-1)
    return other > max((m.end() for m in pattern.finditer(before)), default=-1)


def _up_to_action(clause: str) -> str:
    """A look phrase up to the verb its sentence goes on with: "in a red coat sits alone"
    gives "in a red coat" (the look), "in paper and hands it over" gives "in paper" (no
    "and" left hanging), "with grey hair" stays whole."""
    words = clause.split()
    for index in range(2, len(words)):
        word = fold_words(words[index])
        previous = fold_words(words[index - 1])
        if previous in _ARTICLES:
            continue
        if word in _ACTION_WORDS or _verb_like(word):
            kept = words[:index]
            while len(kept) > 1 and fold_words(kept[-1]) in _CONJUNCTIONS:
                kept.pop()
            return " ".join(kept)
    return clause


_CONJUNCTIONS = word_set("and or but then et ou mais puis")


def find_look(name: str, text: str, *, avoid: Iterable[str] = ()) -> str:
    """The appearance of ``name`` in ``text``, as comma-separated clauses ("" if none).

    ``avoid`` names other elements: a phrase that names one of them is not this element's
    look (the prop must not carry a character's coat).
    """
    others = [other for other in avoid if other and other.lower() != name.lower()]
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    clauses = _introduction(name, "\n".join(paragraphs))
    clauses += _modifiers(name, "\n".join(paragraphs))
    clauses += _attributes(name, "\n".join(paragraphs))
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    for phrase in _phrases(name, sentences, others):
        if phrase.lower() not in (c.lower() for c in clauses):
            clauses.append(phrase)
    any_other = _any_name_pattern(tuple(others))
    kept = [c for c in clauses if any_other is None or not any_other.search(c)]
    return ", ".join(_without_repeats(kept))[:240].rstrip(" ,")


def _without_repeats(clauses: Iterable[str]) -> list[str]:
    """Each trait once: "a singer with a shaved head" then "with a shaved head and a red
    coat" gives "a singer with a shaved head, a red coat"; a clause a later one contains is
    dropped for it."""
    kept: list[str] = []
    for clause in clauses:
        said = " | ".join(fold_words(k) for k in kept)
        pieces = [p for p in re.split(r"\s+(?:and|et)\s+", clause) if p.strip()]
        new = [p for p in pieces if fold_words(p) not in said]
        if not new:
            continue
        joiner = re.search(r"\s+(and|et)\s+", clause)
        text = (
            clause
            if len(new) == len(pieces)
            else f" {joiner.group(1) if joiner else 'and'} ".join(new)
        )
        folded = fold_words(text)
        kept = [k for k in kept if fold_words(k) not in folded]
        kept.append(text)
    return kept


def location_look(description: str, characters: Iterable[str] = ()) -> str:
    """A location's look: the sentences of its scene description that name no character and
    describe rather than happen ("A small kitchen in warm lamplight.")."""
    names = [name for name in characters if name]
    kept, events = [], []
    for sentence in split_sentences(description):
        if any(_name_pattern(name).search(sentence) for name in names):
            continue
        if re.search(r"\b[A-Z]{3,}\b", sentence) and not sentence.isupper():
            continue  # a Fountain prop or character in capitals: an event of the scene
        if stated_direction(sentence) is not None or re.search(r"[“«\"]", sentence):
            continue  # "Final card: “TrailMix.”", "Close on the shoes": a shot, words said
        if is_action_clause(sentence):
            if _is_ambience(sentence):
                events.append(sentence)  # "Rain hammers the river": the place, but happening
            continue  # "The train pulls away": an event in the place, not how it looks
        kept.append(sentence)
    return " ".join(kept[:2] or events[:1])[:240]


#: What a place is made of while something happens in it: weather, light, water, sound.
_AMBIENCE_WORDS = word_set(
    """rain drizzle snow sleet hail wind breeze gust storm thunder lightning fog mist haze smoke
    steam dust sand light lights sunlight moonlight sun moon stars dawn dusk shadows neon lamps
    candles fire flames waves sea surf tide river water puddles leaves heat silence music
    pluie bruine neige grele vent rafale orage tonnerre eclair eclairs brouillard brume fumee
    vapeur poussiere lumiere lumieres soleil lune etoiles aube crepuscule ombres neons lampes
    bougies feu flammes vagues mer maree riviere eau flaques feuilles chaleur silence musique"""
)


def _is_ambience(sentence: str) -> bool:
    """Whether an event sentence is the place's weather or light ("Rain hammers the river",
    "Neon flickers over the wet street"): its subject, the first word after any article, is
    ambience. "The train pulls away" is something happening there, not a look of it."""
    words = [w for w in fold_words(sentence).split() if w not in _ARTICLES]
    return bool(words) and words[0] in _AMBIENCE_WORDS
