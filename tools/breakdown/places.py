"""Places in prose: the place nouns (English and French, inside or outside), place phrases
("in the kitchen", "à la gare"), the place a brief's framing sets the story in, and the place
a scene's own words put it in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet

from storycore.tools.breakdown.text import _SETTING_WORDS, _sentences, _words
from storycore.tools.domain import IntExt
from storycore.tools.fountain import fold
from storycore.tools.fountain.headings import PERIODS, is_time_of_day
from storycore.tools.fountain.people import PERSON_NOUNS
from storycore.tools.text import fold_tokens

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
            "bakery pharmacy bookshop bookstore barbershop laundromat gallery factory workshop "
            "cabin cottage chalet mansion chapel cathedral temple mosque synagogue salon "
            "cuisine chambre salle de bain salon couloir bureau appartement maison piece "
            "atelier boutique magasin bibliotheque eglise classe ecole hopital entrepot cave "
            "grenier ascenseur voiture avion musee theatre hotel gare metro boulangerie "
            "patisserie epicerie pharmacie librairie fromagerie laverie galerie usine cabane "
            "chapelle cathedrale mosquee tram subway taxi forge smithy nursery barn stable "
            "shed greenhouse dormitory dorm canteen cafeteria pantry study loft penthouse "
            "arcade casino bank embassy clinic surgery morgue locker theatre backstage "
            "dressing sauna chambre etable grange serre dortoir cantine bureau banque clinique "
            "van truck lorry limousine limo trailer caravan camper helicopter cockpit "
            "camion camionnette fourgon fourgonnette caravane helicoptere carriage compartment "
            "wagon booth kiosk tent hut hangar vault compartiment tente fournil bakehouse "
            "chai cellier farmhouse mill moulin bergerie hayloft"
        ),
        IntExt.INT,
    ),
    **dict.fromkeys(
        _words(
            "street road avenue alley bridge park garden forest woods beach sea shore river "
            "lake mountain hill field desert rooftop roof square plaza harbour harbor port "
            "dock pier cemetery city town village countryside platform highway yard "
            "courtyard playground market stadium island jungle valley cliff canyon "
            "vineyard campsite terrace balcony deck ferry boat ship "
            "rue route ruelle pont parc jardin foret bois plage mer riviere fleuve lac "
            "montagne colline champ desert toit place parking quai cimetiere ville campagne "
            "marche stade ile vallee falaise vignoble camping terrasse balcon ferry bateau navire "
            "jetee digue ponton jetty orchard meadow porch driveway riverbank seafront "
            "promenade boardwalk quay wharf marina junkyard scrapyard "
            "verger prairie porche allee berge promenade phare cliffs hills "
            "mountains dunes docks rooftops ruins falaises collines hillside hilltop hillsides "
            "apiary rucher pasture paturage alpage meadows lighthouse vines vignes vigne farm ferme"
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
        "bus stop": IntExt.EXT,
        "gas station": IntExt.EXT,
        "petrol station": IntExt.EXT,
        "waiting room": IntExt.INT,
        "break room": IntExt.INT,
        "staff room": IntExt.INT,
        "arret de bus": IntExt.EXT,
        "salle d attente": IntExt.INT,
    }
)
for _part in ("living", "dining", "salle", "de", "bain", "a", "manger"):
    PLACE_NOUNS.pop(_part, None)

#: The parts of a place that a compound noun names its edge by ("the cellar door", "the
#: garden gate", "the church steps"), folded: knocking on one is not being in the place.
_ENTRANCE_PARTS = _words(
    "door doors gate gates doorway doorstep doorsteps threshold entrance entrances steps stairs"
)

#: Place nouns that only their accents tell from another common word: "marché" (a market)
#: from "marche" (walks), "pièce" (a room) from "piece" (a piece of).
_ACCENTED_PLACES = {"marche": "marché", "piece": "pièce"}

# Compared in lower case with accents: "à" is a preposition, "a" an article.
_PLACE_PREPOSITIONS = _words(
    "in inside into on onto at to near under outside behind across through towards toward "
    "dans à au aux sur sous devant derrière vers chez en près"
)
# Prepositions that put a place, never a person, after them ("at Anna", "à Marc" are people).
_PLACES_NOT_PEOPLE = _words("in into inside outside near from dans en depuis")
#: The words a phrase that only says when is made of, besides the periods' own ("Just
#: before dawn", "Later that night", "Le lendemain soir", "Bien après minuit"), folded.
_TIME_PHRASE_WORDS = _words(
    "at by around toward towards in on the a an one that this early late later next "
    "following just right shortly long well soon before after until till same "
    "au aux a la le l les un une ce cet cette tot tard plus lendemain veille vers des dans en "
    "juste peu bien avant apres jusqu jusqua jusquau du de meme"
)
_STOP_PHRASE = _PLACE_PREPOSITIONS | {"and", "et", "or", "ou", "but", "mais", "of"}
_PLACE_DETERMINERS = _words(
    "the a an his her their my our its this that le la les l un une son sa ses leur mon ma "
    "du des ce cet cette de"
)


def find_places(
    text: str, known_locations: Iterable[str] = (), *, edges: bool = False
) -> list[tuple[str, IntExt | None]]:
    """Places a text puts the action in, in order of appearance: ``known_locations`` it names
    (or whose last word it names), and place phrases ("in the kitchen", "on the old bridge",
    "à la gare", "au café").

    A place phrase is a preposition, at most two determiners, at most two other words, then
    a noun of :data:`PLACE_NOUNS`; a place missing from that list is found only when it is a
    known location. A place's door ("the cellar door") is no place the action is in, unless
    ``edges`` (a sentence that opens on it: "At the cellar door, Marta waits" is set there).
    """
    words = [(m.start(), m.group(0)) for m in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", text)]
    keys, breaks = _place_keys(text, words)
    found: list[tuple[int, str, IntExt | None]] = []
    for name in known_locations:
        wanted = fold(name).split()
        at = _find_words(keys, wanted)
        if at is None and len(wanted) > 1:
            at = _find_words(keys, wanted[-1:])
        if at is not None:
            found.append((words[at][0], name.strip(), _int_ext_of(name)))
    texts = [w for _, w in words]
    for i, word in enumerate(texts):
        if word.lower() not in _PLACE_PREPOSITIONS:
            continue
        j = i + 1
        while j < len(keys) and j <= i + 2 and keys[j] in _PLACE_DETERMINERS and j not in breaks:
            j += 1
        phrase = None if j in breaks else _place_phrase(texts, keys, j, breaks, edges=edges)
        if phrase is not None:
            found.append((words[j][0], phrase, _int_ext_of(phrase)))
    found.sort(key=lambda item: item[0])
    seen: set[str] = set()
    out: list[tuple[str, IntExt | None]] = []
    for _, name, int_ext in found:
        if fold(name) not in seen:
            seen.add(fold(name))
            out.append((name, int_ext))
    return out


#: Punctuation no place phrase runs across.
_BREAK = re.compile(r"[,;:.!?()«»“”\"—–]")


def _place_keys(text: str, words: Sequence[tuple[int, str]]) -> tuple[list[str], set[int]]:
    """The folded words of ``text`` as place phrases read them, and the indexes of the words
    a break comes before (a comma, a colon, a full stop, a bracket, a quote, a dash): no
    phrase runs across one ("au bonnet rouge, marche seule" names no place). A word that is
    a place only with its accents (:data:`_ACCENTED_PLACES`) is one only written with them."""
    keys: list[str] = []
    breaks: set[int] = set()
    for index, (start, word) in enumerate(words):
        key = fold(word)
        if key in _ACCENTED_PLACES and word.lower() != _ACCENTED_PLACES[key]:
            key = f"{key}-"  # never a place noun
        keys.append(key)
        if index and _BREAK.search(text, words[index - 1][0] + len(words[index - 1][1]), start):
            breaks.add(index)
    return keys, breaks


def setting_place(text: str) -> tuple[str, IntExt | None] | None:
    """The place a brief's own words set the story in, for a story that names none: the
    first place phrase of the whole text (:func:`find_places`), else the first place noun
    after a determiner ("a 20-second ad for a neighbourhood bakery in Lyon" gives
    "neighbourhood bakery"; "une publicité pour une boulangerie" gives "boulangerie")."""
    places = find_places(text)
    if places:
        return places[0]
    return _place_after_determiner(text)


def _place_after_determiner(text: str) -> tuple[str, IntExt | None] | None:
    """The first place noun of ``text`` after a determiner ("the long halls of the hotel"
    gives "hotel", "les salles du musée" gives "musée"), None when it has none."""
    found = [(m.start(), m.group(0)) for m in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", text)]
    words = [word for _, word in found]
    keys, breaks = _place_keys(text, found)
    for i, key in enumerate(keys):
        after = i + 1
        opens = key in _PLACE_DETERMINERS and after not in breaks
        name = _place_phrase(words, keys, after, breaks) if opens else None
        if name is not None:
            return name, _int_ext_of(name)
    return None


def _place_phrase(
    words: Sequence[str],
    keys: Sequence[str],
    start: int,
    breaks: AbstractSet[int] = frozenset(),
    *,
    edges: bool = False,
) -> str | None:
    """The place named from ``words[start]`` on: at most two words, then a noun of
    :data:`PLACE_NOUNS` ("old bridge"); None when a determiner, a phrase break or
    punctuation (``breaks``) comes first. A place noun a person noun follows names who
    someone is, not where ("an old lighthouse keeper", "the bus driver"); nor is one an
    entrance part follows ("the cellar door", "the church steps": :data:`_ENTRANCE_PARTS`)."""
    for span in range(start, min(start + 3, len(keys))):
        if span > start and span in breaks:
            return None
        length = _place_at(keys, span)
        after = keys[span + length] if length and span + length < len(keys) else ""
        if after in _ENTRANCE_PARTS and edges and span + length not in breaks:
            return " ".join(words[start : span + length + 1])  # "At the cellar door, ..."
        if after in PERSON_NOUNS or after in _ENTRANCE_PARTS:
            # "the lighthouse keeper" is who someone is; "knocks on the cellar door" is where
            # they knock, at the edge of a place, not the place the action is in
            return None
        if length:
            # "the village square", "the hospital corridor": the last place noun is the place
            length += _place_at(keys, span + length)
            return " ".join(words[start : span + length])
        if keys[span] in _PLACE_DETERMINERS or words[span].lower() in _STOP_PHRASE:
            return None
    return None


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


def is_place_edge(name: str) -> bool:
    """Whether ``name`` is a place's door or steps ("cellar door", "church steps"): a place
    noun, then an entrance part (:data:`_ENTRANCE_PARTS`)."""
    keys = fold(name).split()
    return len(keys) >= 2 and keys[-1] in _ENTRANCE_PARTS and _int_ext_of(keys[-2]) is not None


def _int_ext_of(name: str) -> IntExt | None:
    keys = fold(name).split()
    if len(keys) >= 2 and keys[-1] in _ENTRANCE_PARTS and keys[-2] in PLACE_NOUNS:
        return IntExt.EXT  # at a place's door, outside it
    for length in (3, 2, 1):
        if len(keys) >= length:
            found = PLACE_NOUNS.get(" ".join(keys[-length:]))
            if found is not None:
                return found
    return None


def _opening_place(
    paragraphs: Sequence[str], locations: Sequence[str]
) -> tuple[str, IntExt | None] | None:
    """The place of the first sentence that opens on one ("In the kitchen, Tom..."): a
    place named further into a sentence ("a storm gathers over the sea") is what is seen,
    not where the scene is."""
    for paragraph in paragraphs:
        for sentence in _sentences(paragraph):
            place = _place_opened(sentence, locations)
            if place is not None:
                return place
    return None


def _place_opened(text: str, locations: Sequence[str]) -> tuple[str, IntExt | None] | None:
    """The first place of ``text`` when it opens on a place preposition ("In the kitchen,
    ..."), else None."""
    opener = re.match(r"\W*([^\W\d_]+)", text)
    if opener is None or opener.group(1).lower() not in _PLACE_PREPOSITIONS:
        after = _after_time_phrase(text)
        return _place_opened(after, locations) if after else None
    places = find_places(text, locations, edges=True)
    return places[0] if places else None


def _after_time_phrase(text: str) -> str | None:
    """What follows a short opening phrase that only says when ("Before sunrise, in the
    bakery, ...", "Le soir, dans le chai, ..."), None when ``text`` does not open on one: a
    sentence that opens on a time, then a place, opens on that place. A clause that only
    ends on a time ("Paul works all night, in the vines") says who acts, not when."""
    head, comma, rest = text.partition(",")
    if not (comma and rest.strip() and 0 < len(head.split()) <= 5 and is_time_of_day(head)):
        return None
    words = set(fold(head).split()) - {w for p in PERIODS.values() for t in p for w in t.split()}
    return rest.strip() if words <= _TIME_PHRASE_WORDS else None


def without_said_setting(sentence: str, said: str) -> str:
    """``sentence`` without its opening phrases that only say where and when, in words
    ``said`` (the establishing shot's "wide shot of the bakery, before sunrise") already
    holds: "Before sunrise, in the bakery, Hélène kneads the dough" gives "Hélène kneads the
    dough" — the heading's place and time are not said twice in one line. A phrase that says
    more ("in the orchard behind the house") and what follows it are kept."""
    known = set(fold_tokens(said)) | _SETTING_WORDS
    rest = sentence.strip()
    for _ in range(3):  # a time, a place, a time again at most ("Le soir, au chai, ...")
        head, comma, after = rest.partition(",")
        opener = re.match(r"\W*([^\W\d_]+)", head)
        setting = opener is not None and (
            opener.group(1).lower() in _PLACE_PREPOSITIONS or _after_time_phrase(rest) is not None
        )
        if not (comma and after.strip() and setting and 0 < len(head.split()) <= 6):
            break
        if not set(fold_tokens(head)) <= known:
            break
        rest = after.strip()
    return rest if rest != sentence.strip() else sentence  # as written: "elle cherche..."
