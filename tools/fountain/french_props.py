"""Props a French story handles, written in lower case: "Claire pose une vieille guitare",
"elle ouvre un carnet rouge", "il tend la clé de la voiture", "elle joue de la guitare"
(:func:`handled_props`). An object is a prop when someone takes, holds, opens, shows or uses
it; what a verb takes that is a part of the body, a part of the set or not a thing at all
("ferme les yeux", "ouvre la porte", "prend la parole") is not."""

from __future__ import annotations

import re
from collections.abc import Iterator

from storycore.tools.fountain.people import PERSON_NOUNS
from storycore.tools.text import fold_words_keep_colon as fold
from storycore.tools.text import word_set

# Verbs of handling, using, showing, in the present (singular and plural), as action lines
# are written.
_VERBS = (
    r"pose|posent|dépose|déposent|prend|prennent|reprend|reprennent|ouvre|ouvrent|referme|"
    r"referment|ferme|ferment|tient|tiennent|sort|sortent|attrape|attrapent|saisit|"
    r"saisissent|ramasse|ramassent|tend|tendent|range|rangent|cache|cachent|lit|lisent|"
    r"brandit|brandissent|allume|allument|éteint|éteignent|serre|serrent|glisse|glissent|"
    r"montre|montrent|feuillette|feuillettent|déplie|déplient|lâche|lâchent|jette|jettent|"
    r"récupère|récupèrent|examine|examinent|caresse|caressent|essuie|essuient|frotte|"
    r"frottent|ponce|poncent|accorde|accordent|installe|installent|secoue|secouent|agite|"
    r"agitent|remplit|remplissent|vide|vident|boit|boivent|déchire|déchirent|emballe|"
    r"emballent|déballe|déballent|fouille|fouillent|manipule|manipulent|rend|rendent|"
    r"offre|offrent|donne|donnent|joue de|joue du|jouent de|jouent du|se sert de|se sert du|"
    r"laisse|laissent|apporte|apportent|emporte|emportent|remet|remettent|lance|lancent|"
    r"verse|versent|soulève|soulèvent|ajuste|ajustent|enfile|enfilent|décroche|décrochent|"
    r"signe|signent|écrit|écrivent|répare|réparent|nettoie|nettoient|arrose|arrosent|"
    r"tire|tirent|pointe|pointent|lève|lèvent|brandit|agrippe|agrippent|serre contre|"
    r"empile|empilent|goûte|goûtent|pousse|poussent|enfourche|enfourchent|"
    r"tourne|tournent|façonne|façonnent|modèle|modèlent|pétrit|pétrissent|découpe|"
    r"découpent|coupe|coupent|tranche|tranchent|mélange|mélangent|casse|cassent|peint|"
    r"peignent|porte|portent|transporte|transportent|trempe|trempent|"
    r"plonge (?:\w+ \w+ )?dans|plongent (?:\w+ \w+ )?dans|"
    r"noue|nouent|coud|cousent|tricote|tricotent|brode|brodent|plie|plient|ficelle|"
    r"ficellent|cloue|clouent|visse|vissent|scie|scient|sculpte|sculptent|dessine|"
    r"dessinent|étale|étalent|roule|roulent|enroule|enroulent|déroule|déroulent|assemble|"
    r"assemblent|trie|trient|pèse|pèsent|sème|sèment|plante|plantent|cueille|cueillent|"
    # carried: "arrive avec son panier en osier"
    r"avec"
)
_DETERMINERS = (
    r"une|un|les|le|la|l['’]|son|sa|ses|leur|leurs|mon|ma|mes|ton|ta|tes|cette|cet|ce|"
    r"de la|de l['’]|des|du|d['’]une|d['’]un"
)
# Adjectives written before the noun: not part of the prop's name ("une vieille guitare" is
# the guitar the story goes on calling "la guitare").
_BEFORE = (
    r"vieux|vieil|vieille|vieilles|petit|petite|petits|petites|grand|grande|grands|grandes|"
    r"gros|grosse|beau|bel|belle|nouveau|nouvel|nouvelle|long|longue|lourd|lourde|vrai|vraie|"
    r"autre|même|premier|première|dernier|dernière"
)
_WORD = r"[a-zà-öø-ÿœ][a-zà-öø-ÿœ'’-]*"
# The noun is in lower case: one in capitals is the screenwriter's prop, read elsewhere.
_HANDLED = re.compile(
    rf"(?<![\w'’])(?i:{_VERBS})\s+(?:(?:à nouveau|encore|[a-zà-ÿ]+ment)\s+)?"
    rf"(?i:{_DETERMINERS})\s*(?:(?:{_BEFORE})\s+)?(?P<noun>{_WORD})"
    # looked at, not taken: "ouvre le café et allume la machine" has a second verb
    rf"(?=(?P<after>(?:\s+{_WORD}){{0,3}}))"
)
# Something carried: "la clé de la voiture à la main", "un dossier sous le bras".
_CARRIED = re.compile(
    rf"(?<![\w'’])(?i:{_DETERMINERS})\s*(?:(?:{_BEFORE})\s+)?(?P<noun>{_WORD})"
    rf"(?P<after>(?:\s+{_WORD}){{0,3}}?)\s+(?:à la main|en main|sous le bras|dans la main|"
    r"dans les mains|dans les bras|entre les mains|contre (?:elle|lui|sa poitrine))\b"
)
# What a thing is made of, after "en": "un panier en osier", "une canne en bois".
_MATTER = (
    r"osier|bois|cuir|verre|fer|acier|cuivre|laine|papier|carton|plastique|métal|argent|"
    r"or|paille|tissu|terre|porcelaine|étain|bronze|laiton|pierre|soie|coton|lin"
)
# What follows the noun and still names it: an adjective of colour, matter or state, or a
# complement "de la voiture", "du camion", "à musique".
_AFTER_ADJECTIVE = word_set(
    """rouge rouges bleu bleue bleus bleues vert verte verts vertes noir noire noirs noires
    blanc blanche blancs blanches jaune jaunes gris grise rose roses brun brune marron dore
    doree argente argentee rouille rouillee casse cassee use usee ancien ancienne vide
    pleine plein froisse froissee ecorne ecornee abime abimee cabosse cabossee fele felee
    ouvert ouverte ferme fermee plie pliee dechire dechiree neuf neuve ebreche ebrechee
    tache tachee jauni jaunie cuir bois metal electrique acoustique"""
)
_COMPLEMENT = re.compile(
    rf"^\s+(?P<link>de la|de l['’]|du|des|à|de|d['’]|en(?=\s+(?:{_MATTER})\b))\s*(?P<noun>{_WORD})"
)
#: Nouns a verb of handling takes that are not props: the body, the set, the world, words.
NOT_HANDLED = word_set(
    """yeux oeil main mains tete bras epaule epaules visage bouche levres dos pied pieds
    jambe jambes cheveux doigt doigts genou genoux regard front joue joues nez oreille
    oreilles poing poings coeur souffle respiration voix gorge peau corps ventre
    porte portes fenetre fenetres rideau rideaux volet volets mur murs sol plafond escalier
    marche lumiere lumieres ombre ombres rue route chemin mer ciel vent pluie soleil nuit
    jour matin soir air place temps moment instant parole paroles question questions
    reponse silence decision courage fuite pause direction tour rendez vie mort nouvelle
    nouvelles peur envie raison sens page pages ligne lignes note notes mot mots phrase
    chose choses rien tout autre autres rire sourire larmes pas elan chance risque coup
    coups baiser bisou signal ordre conseil nom appel numero place tete main pied
    barbe moustache cicatrice tatouage accent soin prudence attention douceur amis ami amie
    morceau bout bouchee gorgee peu part
    robe manteau veste chapeau echarpe lunettes bonnet tablier costume chemise pull gants
    bottes uniforme casquette blouse jupe pantalon cravate foulard coin
    """
)
#: Places a verb may take ("sort de la cuisine", "prend un taxi"): not props either.
_PLACES = word_set(
    """piece salle maison chambre cuisine couloir appartement immeuble ville quartier bus
    train metro taxi voiture bateau avion gare quai plage jardin cour bureau atelier magasin
    boutique bar cafe restaurant eglise ecole hopital parc foret salon grenier cave
    barque canot radeau pirogue chaloupe"""
)


#: Determiners a complement may open on: "le couvercle d'une ruche" is the lid, not a "couvercle
#: d'une".
_ARTICLE_WORDS = word_set("un une le la les des du son sa ses leur leurs mon ma mes")
#: Where a thing is taken from ("sort les baguettes du four", "une bouteille du frigo"): no
#: part of its name.
_SOURCES = word_set(
    """four frigo refrigerateur congelateur placard tiroir poche sac etagere armoire
    coffre buffet vitrine carton"""
)


def _name(noun: str, after: str) -> str | None:
    """The prop's name: the noun, an adjective after it, a complement ("de la voiture")."""
    key = fold(noun)
    if len(key) < 3 or key in NOT_HANDLED or key in _PLACES or key in PERSON_NOUNS:
        return None
    name = noun.lower()
    words = after.split()
    complement = _COMPLEMENT.match(after)
    if words and fold(words[0]) in _AFTER_ADJECTIVE:
        name = f"{name} {words[0].lower()}"
    elif (
        complement is not None
        and fold(complement.group("noun")) not in _ARTICLE_WORDS | _SOURCES
        and (
            complement.group("link") in {"à", "de", "d'", "d’"}
            or fold(complement.group("noun")) not in NOT_HANDLED
        )
    ):  # "la clé de la voiture", "un sac à dos", "une paire de baguettes", "une tasse de
        # café" (not "la clé de la porte": the set, no part of the prop's name)
        name = f"{name} {' '.join(complement.group(0).split()).lower()}"
    return name


#: "et la serre contre lui", "il le pose": "la", "le" an object pronoun before its verb, no
#: determiner of a thing.
_CLITIC_BEFORE = re.compile(
    r"(?<![\w'’])(?i:et|puis|il|elle|ils|elles|on|je|tu|nous|vous|qui|ne|lui|leur)\s+"
    r"(?i:la|le|les|l['’])\s*$"
)


def handled_props(text: str) -> Iterator[str]:
    """The props a French action text handles, by name (lower case), in order: "pose une
    vieille guitare" gives "guitare", "ouvre un carnet rouge" "carnet rouge", "tend la clé
    de la voiture" "clé de la voiture", and what is carried: "la clé de la voiture à la
    main", "un dossier sous le bras"."""
    found = {
        m.start("noun"): m
        for m in [*_CARRIED.finditer(text), *_HANDLED.finditer(text)]
        if not _CLITIC_BEFORE.search(text[: m.start("noun")])
    }
    for start in sorted(found):
        name = _name(found[start].group("noun"), found[start].group("after"))
        if name is not None and not _worn(found[start].group(0), name):
            yield name


#: Verbs whose object may be what the person wears ("porte un ciré jaune", "enfile sa veste").
_WEARING = re.compile(r"(?i:porte|portent|enfile|enfilent|avec)\b")


def _worn(said: str, name: str) -> bool:
    """Whether what ``said`` ("porte un ciré jaune") handles is worn: the character's look,
    which the registry keeps with them (:func:`~storycore.tools.brief.looks.is_worn`), no
    prop."""
    # imported here: the brief's looks read the screenplay package
    from storycore.tools.brief.looks import is_worn

    return _WEARING.match(said) is not None and is_worn(name)
