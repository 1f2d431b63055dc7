"""The words a shot's description and title are made of, in the description's language.

The planner writes every framing phrase ("Close-up of Margot", "Gros plan d'Élodie") from the
``shot_text`` messages of the catalogs (``tools/data/messages/<lang>.yaml``), filled with
:class:`Phrase` values: a noun phrase that knows its language's grammar. Each phrase value
``x`` fills ``{x}`` and ``{of_x}``, the phrase after the language's "of", so a catalog
picks the grammar and the code never branches on the language::

    en: "Close-up {of_subject}"      -> "Close-up of Margot"
    fr: "Gros plan {of_subject}"     -> "Gros plan de Margot", "d'Élodie", "du marché"

French noun phrases get their article from the story itself ("sur un toit" -> "le toit",
"du Vieux-Port" -> "le Vieux-Port"); a noun the story never writes with one gets it from
the common place and prop nouns below, then from its ending.

Deterministic core: no LLM import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from storycore.tools.breakdown.places import PLACE_NOUNS, is_place_edge
from storycore.tools.fountain import fold
from storycore.tools.fountain.people import PERSON_NOUNS, person_key
from storycore.tools.i18n import catalog_language, section
from storycore.tools.text import keep_names, place_name, word_set

_VOWELS = frozenset("aeiouyh")

#: Articles a French text puts before a noun, and the definite article each one says.
_FRENCH_ARTICLES = {
    "le": "le",
    "un": "le",
    "du": "le",
    "au": "le",
    "ce": "le",
    "la": "la",
    "une": "la",
    "cette": "la",
    "l": "l'",
    "cet": "l'",
    "les": "les",
    "des": "les",
    "aux": "les",
    "ces": "les",
}
_ARTICLE_WORDS = "|".join(sorted(_FRENCH_ARTICLES, key=len, reverse=True))

#: Common place and prop nouns (folded) by gender; other nouns are read from their ending.
_FEMININE = word_set(
    "plage gare place rue cuisine chambre maison cave foret route eglise ecole salle "
    "boutique cour mer ville tour piscine terrasse voiture porte fenetre table tasse lettre "
    "cle photo lampe valise bouteille boulangerie epicerie librairie pharmacie usine ferme "
    "grange clairiere riviere montagne colline falaise ile plaine prairie vallee impasse "
    "avenue allee ruelle station laverie banque mairie prison chapelle cathedrale "
    "bibliotheque piste scene loge cabine tente caravane barque peniche voile guitare "
    "radio montre bague carte enveloppe cigarette bougie chaise valise malle boite cle "
    "veste robe echarpe casquette tarte baguette brioche vigne bergerie"
)
_MASCULINE = word_set(
    "marche port toit bureau parc quai pont cafe bar restaurant jardin salon couloir musee "
    "hopital appartement atelier garage village champ lac bois studio theatre parking "
    "magasin hangar entrepot stade metro bus train escalier telephone carnet livre verre "
    "couteau sac velo piano violon chapeau parapluie manteau parvis square boulevard "
    "chemin sentier rivage littoral phare ponton bateau navire vestiaire grenier sous-sol "
    "hall immeuble palais chateau cimetiere commissariat tribunal laboratoire hotel motel "
    "camping desert sommet balcon ascenseur taxi camion couloir plateau cinema club "
    "comptoir four fournil pain croissant gateau miroir cahier journal stylo portable "
    "ordinateur micro tambour seau disque vinyle chai cellier vignoble verger moulin"
)
#: Titles a French name may open on, written with the article ("du docteur Arnaud"); "Madame"
#: and "Monsieur" take none.
_FRENCH_TITLES = word_set(
    "docteur professeur capitaine commissaire inspecteur lieutenant sergent colonel general "
    "commandant juge maire abbe pere frere soeur maitre"
)
#: Nouns whose h is aspirated: "le hangar", never "l'hangar".
_ASPIRATED_H = word_set("hangar hall hameau halle hutte haie hublot hamac hibou")
_FEMININE_ENDINGS = (
    "tion",
    "sion",
    "te",
    "ette",
    "elle",
    "ure",
    "ance",
    "ence",
    "ie",
    "ee",
    "ade",
    "ise",
    "ine",
    "ique",
    "iere",
    "eille",
    "aille",
    "ouille",
    "euse",
    "rice",
    "esse",
    "erie",
    "ande",
    "onne",
    "ue",
)


#: A label cut before its last name must not end on what joins it to another ("Théo et
#: Margot" is two people, not a framing "Théo et").
_JOINED = re.compile(r"(?:\b(?:and|et|y|und|e|with|avec|con|mit)|[&,+])\s*$", re.IGNORECASE)


class Phrase:
    """A noun phrase of a description ("Margot", "la boulangerie", "the pier") and its
    form after the language's "of": "of Margot"; "de Margot", "d'Élodie", "du marché",
    "des quais", "de la gare"."""

    def __init__(self, text: str, language: str = "en") -> None:
        self.text = text
        self.language = language

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Phrase({self.text!r}, {self.language!r})"

    def of(self) -> str:
        """The phrase after "of", contracted and elided as the language writes it."""
        return _french_de(self.text) if self.language == "fr" else f"of {self.text}"


class Phrases:
    """Several noun phrases joined as the language joins them ("Nour and Léo", "Nour et
    Léo"); after "of", French repeats it ("of Nour and Léo", "de Nour et de Léo")."""

    def __init__(self, items: Sequence[Phrase], joiner: str, language: str = "en") -> None:
        self.items = list(items)
        self.joiner = joiner
        self.language = language

    def __str__(self) -> str:
        return self.joiner.join(item.text for item in self.items)

    def of(self) -> str:
        """The phrases after "of": once in English, before each one in French."""
        if self.language == "fr":
            return self.joiner.join(item.of() for item in self.items)
        return f"of {self}"


def _french_de(text: str) -> str:
    """``de`` before ``text``, contracted and elided ("du marché", "d'Élodie")."""
    head, _, rest = text.partition(" ")
    article = head.lower()
    if article == "le" and rest:
        return f"du {rest}"
    if article == "les" and rest:
        return f"des {rest}"
    return f"d'{text}" if _elides(text) else f"de {text}"


def _elides(text: str) -> bool:
    """Whether ``de`` elides before ``text`` ("d'Élodie", "d'Hugo"; not "de Yann")."""
    folded = fold(text)
    first = folded[:1]
    if first not in _VOWELS:
        return False
    if first == "y":
        return folded[1:2] not in _VOWELS
    if first == "h":
        return folded.split(" ")[0].split("'")[0] not in _ASPIRATED_H
    return True


class Wording:
    """The shot-text messages of one language and the noun phrases they are filled with."""

    def __init__(self, language: str | None, story: Iterable[str] = ()) -> None:
        self.language = catalog_language(language)
        self._texts = _shot_texts(self.language)
        self._story = " ".join(story)

    def labelled(self, label: str, text: str) -> str:
        """A shot's title: "Ines: climbs the stairs…" as ``label: text``, or the text alone
        when it opens on the label ("Ines climbs the spiral stairs…", not "Ines: Ines
        climbs…", nor on the same people in another order); a label that ends on who the
        text opens on keeps only its framing
        ("Close-up: Rio rolls down…", not "Close-up Rio: Rio rolls down…", which the shot's
        folder name repeated too)."""
        folded = fold(text)
        if folded.startswith(fold(label) + " ") or folded == fold(label):
            return text
        words = label.split()
        # "Ines and Kofi: Kofi and Ines laugh": the same people in another order.
        opening = [w.strip(",.;:") for w in folded.split()[: len(words)]]
        if len(words) > 2 and sorted(opening) == sorted(fold(w) for w in words):
            return text
        for start in range(1, len(words)):
            said = fold(" ".join(words[start:]))
            if (folded.startswith(said + " ") or folded == said) and not _JOINED.search(
                " ".join(words[:start])
            ):
                framing = " ".join(words[:start]).rstrip(",:;")
                return self("labelled", label=framing, text=text)
        return self("labelled", label=label, text=text)

    def __call__(self, key: str, /, **values: object) -> str:
        """The message ``shot_text.<key>`` filled with ``values``; a :class:`Phrase` value
        ``x`` fills ``{x}`` and ``{of_x}``."""
        filled: dict[str, object] = {}
        for name, value in values.items():
            if isinstance(value, Phrase | Phrases):
                filled[f"of_{name}"] = value.of()
                value = str(value)
            filled[name] = value
        return self._texts[key].format(**filled)

    def size(self, size: str) -> str:
        """A shot size's name, capitalised ("Close-up", "Gros plan")."""
        return self(f"size.{size}")

    def name(self, name: str) -> Phrase:
        """A character as the description names them; a French title takes its article
        ("Docteur Arnaud" -> "le docteur Arnaud", "du docteur Arnaud")."""
        if _is_role(name):
            # "The Keeper", a cue's "Clerk": a person the story names by a noun reads as one
            # mid-sentence ("of the keeper", "du chauffeur")
            role = name.lower()
            if self.language == "fr":
                return Phrase(_french_noun(role, self._story), "fr")
            return Phrase(role if role.startswith("the ") else f"the {role}", self.language)
        if self.language == "fr":
            head, _, rest = name.partition(" ")
            if rest and fold(head) in _FRENCH_TITLES:
                return Phrase(_with_article(f"{head.lower()} {rest}", "le"), "fr")
        return Phrase(name, self.language)

    def names(self, names: Sequence[str]) -> Phrases:
        """Several characters (or phrases) joined: "Nour and Léo", "Nour et Léo"."""
        return self.join([self.name(n) for n in names])

    def join(self, items: Sequence[Phrase]) -> Phrases:
        """Noun phrases joined by the language's "and"."""
        return Phrases(items, self("and"), self.language)

    def prop(self, prop: str) -> Phrase:
        """A prop with its definite article: "the can", "la tasse", "l'enveloppe"."""
        lower = prop[:1].lower() + prop[1:]
        if prop[1:] == lower[1:].lower() and re.search(
            rf"(?<![\w'’-]){re.escape(lower)}\b", self._story
        ):
            # a list's "E-bike", "Flacon" that the story writes "the e-bike", "le flacon"
            prop = lower
        if self.language != "fr":
            first, _, rest = prop.partition(" ")
            named = re.search(rf"\b[a-z]+\s+{re.escape(first)}\b", self._story)
            plain_capital = first[:1].isupper() and first[1:].islower()  # not "TrailMix"
            if rest and plain_capital and rest.islower() and named is None:
                # a list's "Cold brew can" is a cold brew can ("his Nike shoes": a name)
                prop = prop[:1].lower() + prop[1:]
            return Phrase(self("prop", prop=prop), self.language)
        return Phrase(_french_noun(prop, self._story), "fr")

    def place(self, location: str | None, names: Iterable[str] = ()) -> Phrase:
        """The scene's place as a shot names it: "the old bridge" (a common place noun,
        from prose, a heading's capitals or a brief's "Hospital corridor"), "GaBy's kitchen"
        (``names``, the characters, keep their spelling), "Central Park" or "Paris" (a
        name), "the scene" (no place known); in French "Marseille", "le toit", "la
        boulangerie", "le décor"."""
        if not location:
            return Phrase(self("place_unknown"), self.language)
        if self.language == "fr":
            return Phrase(_french_place(location, self._story), "fr")
        return Phrase(_english_place(location, list(names), self._story), self.language)

    def quote(self, speaker: str, text: str) -> str:
        """A spoken line as a description quotes it: ``Margot : « Bonjour. »``."""
        return self("quote", speaker=speaker, text=text)


@lru_cache(maxsize=8)
def _shot_texts(language: str) -> dict[str, str]:
    """The ``shot_text`` messages of ``language``, English filling the gaps (looked up once:
    a plan words every shot from them)."""
    return section("shot_text", language)


# A place written as plain words (no "/", no "-" between parts): only such a place is read
# as a common noun phrase.
_PLAIN_PLACE = re.compile(r"^[^\W\d_]+(?:['’][sS])?(?:[ -][^\W\d_]+(?:['’][sS])?){0,4}$")


def _is_role(name: str) -> bool:
    """A character named by a person noun: "The Keeper", "La gardienne" (the planner's
    names for people the story never names), or a screenplay cue's "Clerk", "Old Man"."""
    if person_key(name) is not None:
        return True
    words = fold(name).split()
    return 0 < len(words) <= 2 and words[-1] in PERSON_NOUNS and name[:1].isupper()


def _english_place(location: str, names: list[str], story: str = "") -> str:
    """An English place in a sentence. Its words are a common noun phrase when its last
    word is a place noun (kitchen, bridge, corridor, post office) and it is written in
    capitals (a heading), in sentence case ("Hospital corridor", a brief's list) or in lower
    case: "the old bridge", "the hospital corridor", "GaBy's kitchen" (a possessive takes no
    article). A title-cased name ("Central Park", "Harbour Wall") or a place without a place
    noun ("Marseille") is a name, as written; so is a heading the story writes capitalised
    ("CENTRAL PARK" when the action says "Central Park")."""
    words = location.split()
    plain = bool(_PLAIN_PLACE.match(location.strip()))
    common = plain and (
        any(" ".join(fold(w) for w in words[-n:]) in PLACE_NOUNS for n in (1, 2, 3))
        or is_place_edge(location)  # "CELLAR DOOR": the cellar's door, a common noun
    )
    if plain and not common and location.isupper() and story:
        # "INT. VAN" when the action says "leans against a van": a common noun the story
        # gives an article
        common = (
            re.search(rf"\b(?:the|a|an)\s+{re.escape(location.lower())}\b", story.lower())
            is not None
        )
    titled = len(words) > 1 and all(w[:1].isupper() for w in words) and not location.isupper()
    if location.isupper() and len(words) > 1 and story:
        titled = re.search(rf"(?<!\w){re.escape(place_name(location))}(?!\w)", story) is not None
    if not common or titled or fold(location).startswith(("the ", "a ", "an ")):
        return place_name(location, names) if location.isupper() else location
    possessive = re.search(r"['’]s\b", location, re.IGNORECASE) is not None
    lowered = keep_names(location.lower(), names)  # "GABY'S KITCHEN": GaBy keeps her spelling
    return lowered if possessive else f"the {lowered}"


def _french_place(location: str, story: str) -> str:
    """A French place with the article the story gives it: a heading's capitals read as a
    common noun when the story or the common nouns know it ("BOULANGERIE" -> "la
    boulangerie"), else as a name ("MARSEILLE" -> "Marseille")."""
    parts = [part.strip() for part in re.split(r"\s+[-–—]\s+", location) if part.strip()]
    if len(parts) == 2 and _common_noun(parts[1], story):
        # "HÔPITAL - COULOIR": the part inside the place, "le couloir de l'hôpital"; "MARSEILLE
        # - GARE": "la gare de Marseille".
        return (
            f"{_french_noun(parts[1].lower(), story)} {_french_de(_french_place(parts[0], story))}"
        )
    if location.isupper():
        if _common_noun(location, story):
            return _french_noun(location.lower(), story)
        named = place_name(location)
        # "CHEZ MARGOT" -> "chez Margot" ("de chez Margot").
        return f"chez {named[5:]}" if fold(named).startswith("chez ") else named
    if location[:1].isupper():
        article = _story_article(location, story)
        return _with_article(location, article) if article else location
    return _french_noun(location, story)


def _common_noun(place: str, story: str) -> bool:
    """Whether a heading's place is a common noun: the story writes it with an article, or
    it opens on a common place noun ("BOULANGERIE", "CAFÉ DU PORT")."""
    lowered = place.lower()
    head = fold(lowered).split(" ")[0]
    nouns = _FEMININE | _MASCULINE
    # "VIGNES", "COLLINES": a known noun in the plural is as common as in the singular
    plural = head.endswith("s") and len(head) > 3 and head[:-1] in nouns
    return bool(_story_article(lowered, story)) or head in nouns or plural


def _french_noun(noun: str, story: str) -> str:
    """A common noun with its definite article, as the story writes it or by gender."""
    head, _, rest = noun.partition(" ")
    article = _FRENCH_ARTICLES.get(fold(head).rstrip("'’"))
    if article and rest:
        return _with_article(rest, article)
    if head.lower().startswith(("l'", "l’")):
        return noun
    article = _story_article(noun, story) or _gender_article(noun)
    return _with_article(noun, article)


def _with_article(noun: str, article: str) -> str:
    if article == "les":
        return f"les {noun}"
    folded = fold(noun)
    aspirated = folded.split(" ")[0] in _ASPIRATED_H
    if folded[:1] in _VOWELS - {"y", "h"} or (folded[:1] == "h" and not aspirated):
        return f"l'{noun}"
    return f"{'la' if article == 'la' else 'le'} {noun}"


def _story_article(noun: str, story: str) -> str | None:
    """The definite article the story's own article before ``noun`` says, if it writes one."""
    found = _article_pattern(noun).search(story)
    if found is None:
        return None
    return _FRENCH_ARTICLES[fold(found.group(1)).rstrip("'’")]


@lru_cache(maxsize=256)
def _article_pattern(noun: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![\w])({_ARTICLE_WORDS})(?:\s+|['’]\s*)(?:[\w-]+\s+)?{re.escape(noun)}(?![\w])",
        re.IGNORECASE,
    )


def _gender_article(noun: str) -> str:
    """``la`` or ``le`` for a noun the story never writes with an article."""
    head = fold(noun).split(" ")[0]
    if head in _FEMININE:
        return "la"
    if head in _MASCULINE:
        return "le"
    if head.endswith("s") and len(head) > 3 and head[:-1] in _FEMININE | _MASCULINE:
        return "les"
    return "la" if head.endswith(_FEMININE_ENDINGS) else "le"
