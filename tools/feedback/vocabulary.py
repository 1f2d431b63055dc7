"""The words users say: attribute names, style nouns, aspects, French values and field names,
and the look-ups over them (:func:`attribute_for_word`, :func:`translate_value`).
"""

from __future__ import annotations

import re

from storycore.tools.feedback.text import fold

#: Attribute of an element -> the words (folded: lower case, no accents) that name it, in
#: English then French. The first word is the attribute's name. Used by the parser
#: ("les cheveux de GaBy" -> hair) and by the description rewrite in
#: :mod:`storycore.tools.regeneration` (which also uses :data:`STYLE_NOUNS`).
ATTRIBUTE_WORDS: dict[str, tuple[str, ...]] = {
    "hair": ("hair", "hairs", "hairstyle", "haircut", "cheveux", "chevelure", "coiffure"),
    "eyes": ("eyes", "eye", "eye colour", "eye color", "yeux", "oeil", "regard"),
    "skin": ("skin", "complexion", "peau", "teint"),
    "beard": ("beard", "stubble", "moustache", "mustache", "barbe"),
    "coat": (
        "coat",
        "overcoat",
        "raincoat",
        "trench coat",
        "trenchcoat",
        "trench",
        "manteau",
        "impermeable",
        "imper",
        "pardessus",
    ),
    "jacket": ("jacket", "blazer", "veste", "blouson"),
    "dress": ("dress", "gown", "robe"),
    "shirt": ("shirt", "t-shirt", "tee-shirt", "blouse", "chemise", "chemisier"),
    "trousers": ("trousers", "pants", "jeans", "pantalon", "jean"),
    "skirt": ("skirt", "jupe"),
    "shoes": ("shoes", "boots", "sneakers", "chaussures", "bottes", "baskets"),
    "hat": ("hat", "cap", "beanie", "chapeau", "casquette", "bonnet"),
    "glasses": ("glasses", "spectacles", "sunglasses", "lunettes"),
    "scarf": ("scarf", "echarpe", "foulard"),
    "sweater": (
        "sweater",
        "jumper",
        "pullover",
        "hoodie",
        "sweatshirt",
        "cardigan",
        "sweat a capuche",
    ),
    "costume": (
        "costume",
        "outfit",
        "clothes",
        "clothing",
        "wardrobe",
        "uniform",
        "suit",
        "scrubs",
        "tenue",
        "vetements",
        "uniforme",
        "habits",
    ),
    "makeup": ("makeup", "make-up", "make up", "maquillage"),
    # a place's
    "lighting": ("lighting", "eclairage", "lumiere"),
    "colour": ("colour", "color", "couleur"),
}
#: Nouns that name a style of an attribute rather than the attribute itself ("a black bob"
#: is hair): the rewrite replaces them by the attribute's noun.
STYLE_NOUNS: dict[str, tuple[str, ...]] = {
    "hair": (
        "bob",
        "ponytail",
        "pony tail",
        "braid",
        "braids",
        "bun",
        "curls",
        "locks",
        "dreadlocks",
        "mane",
        "queue de cheval",
        "tresse",
        "tresses",
        "chignon",
    ),
}
#: French words of :data:`ATTRIBUTE_WORDS` and :data:`STYLE_NOUNS` (the noun comes before
#: its adjectives: "cheveux blonds").
FRENCH_NOUNS = frozenset(
    {
        "cheveux",
        "chevelure",
        "coiffure",
        "yeux",
        "oeil",
        "regard",
        "peau",
        "teint",
        "barbe",
        "manteau",
        "impermeable",
        "imper",
        "pardessus",
        "veste",
        "blouson",
        "robe",
        "chemise",
        "chemisier",
        "pantalon",
        "jean",
        "jupe",
        "chaussures",
        "bottes",
        "baskets",
        "chapeau",
        "casquette",
        "bonnet",
        "lunettes",
        "echarpe",
        "foulard",
        "sweat a capuche",
        "tenue",
        "vetements",
        "uniforme",
        "habits",
        "maquillage",
        "eclairage",
        "lumiere",
        "couleur",
        "queue de cheval",
        "tresse",
        "tresses",
        "chignon",
    }
)

#: Words of :data:`ATTRIBUTE_WORDS` that name one kind of the attribute (a raincoat is a
#: coat, and more): the kind is kept in the stored value ("yellow raincoat", not coat
#: "yellow"), in English when the prompts are. A word not listed names the attribute itself
#: ("manteau" is a coat, "cheveux" hair).
KIND_NOUNS: dict[str, str] = {
    **dict.fromkeys(("raincoat", "impermeable", "imper"), "raincoat"),
    **dict.fromkeys(("trench coat", "trenchcoat", "trench"), "trench coat"),
    **dict.fromkeys(("overcoat", "pardessus"), "overcoat"),
    "blazer": "blazer",
    "gown": "gown",
    **dict.fromkeys(("t-shirt", "tee-shirt"), "t-shirt"),
    **dict.fromkeys(("blouse", "chemisier"), "blouse"),
    **dict.fromkeys(("jeans", "jean"), "jeans"),
    **dict.fromkeys(("boots", "bottes"), "boots"),
    **dict.fromkeys(("sneakers", "baskets"), "sneakers"),
    **dict.fromkeys(("cap", "casquette"), "cap"),
    **dict.fromkeys(("beanie", "bonnet"), "beanie"),
    "sunglasses": "sunglasses",
    "stubble": "stubble",
    **dict.fromkeys(("moustache", "mustache"), "moustache"),
    **dict.fromkeys(("hoodie", "sweat a capuche"), "hoodie"),
    "sweatshirt": "sweatshirt",
    "cardigan": "cardigan",
    **dict.fromkeys(("uniform", "uniforme"), "uniform"),
    "suit": "suit",
    "scrubs": "scrubs",
}


#: What :class:`RegenerateWithout` removes, by the words users say.
ASPECT_WORDS: dict[str, tuple[str, ...]] = {
    "narration": (
        "narration",
        "narrator",
        "voice-over",
        "voiceover",
        "voice over",
        "vo",
        "v.o.",
        "v.o",
        "voix off",
        "voix-off",
        "narrateur",
    ),
    "dialogue": ("dialogue", "dialogues", "dialog", "dialogs", "lines", "speech", "paroles"),
    "music": ("music", "soundtrack", "score", "musique", "bande son", "bande-son"),
    "sound_effects": (
        "sound effects",
        "sound effect",
        "sfx",
        "effects",
        "foley",
        "sounds",
        "bruitages",
        "bruitage",
        "effets sonores",
        "sons",
    ),
}


#: French words of values a user gives ("blonds et bouclés") with their English, for a
#: project whose prompts are in English. A value is translated only if every word is known.
_FRENCH_VALUES: dict[str, str] = {
    **dict.fromkeys(("blond", "blonde", "blonds", "blondes"), "blonde"),
    **dict.fromkeys(("brun", "brune", "bruns", "brunes"), "brown"),
    **dict.fromkeys(("noir", "noire", "noirs", "noires"), "black"),
    **dict.fromkeys(("chatain", "chatains"), "chestnut"),
    **dict.fromkeys(("roux", "rousse", "rousses"), "red"),
    **dict.fromkeys(("gris", "grise", "grises"), "grey"),
    **dict.fromkeys(("blanc", "blanche", "blancs", "blanches"), "white"),
    **dict.fromkeys(("boucle", "bouclee", "boucles", "bouclees"), "curly"),
    **dict.fromkeys(("frise", "frisee", "frises", "frisees"), "frizzy"),
    **dict.fromkeys(("ondule", "ondulee", "ondules", "ondulees"), "wavy"),
    **dict.fromkeys(("raide", "raides", "lisse", "lisses"), "straight"),
    **dict.fromkeys(("long", "longue", "longs", "longues"), "long"),
    **dict.fromkeys(("court", "courte", "courts", "courtes"), "short"),
    **dict.fromkeys(("rouge", "rouges"), "red"),
    **dict.fromkeys(("bleu", "bleue", "bleus", "bleues"), "blue"),
    **dict.fromkeys(("vert", "verte", "verts", "vertes"), "green"),
    **dict.fromkeys(("jaune", "jaunes"), "yellow"),
    **dict.fromkeys(("rose", "roses"), "pink"),
    **dict.fromkeys(("violet", "violette", "violets", "violettes"), "purple"),
    **dict.fromkeys(("marron", "marrons"), "brown"),
    **dict.fromkeys(("dore", "doree", "dores", "dorees"), "golden"),
    **dict.fromkeys(("argente", "argentee", "argentes", "argentees"), "silver"),
    **dict.fromkeys(("clair", "claire", "clairs", "claires"), "light"),
    **dict.fromkeys(("fonce", "foncee", "fonces", "foncees", "sombre", "sombres"), "dark"),
    "orange": "orange",
    "beige": "beige",
    "et": "and",
    "tres": "very",
}
_FRENCH_AFTER = frozenset({"light", "dark", "very"})  # "bleu clair" is "light blue"


def attribute_for_word(word: str) -> str | None:
    """The attribute a word names ("cheveux" -> "hair", "manteau" -> "coat"), or None."""
    key = " ".join(fold(word).replace("-", " ").split())
    for attribute, words in ATTRIBUTE_WORDS.items():
        if key in {" ".join(w.replace("-", " ").split()) for w in words}:
            return attribute
    return None


def names_itself(key: str, value: str) -> bool:
    """Whether attribute ``key``'s ``value`` names the thing itself ("glasses", "yellow
    raincoat", "blonde bob"), which then reads alone, rather than qualifying it ("yellow":
    "yellow coat")."""
    from storycore.tools.text import fold_words

    folded = f" {fold_words(value)} "
    nouns = (*ATTRIBUTE_WORDS.get(key, ()), *STYLE_NOUNS.get(key, ()))
    return any(f" {fold_words(noun)} " in folded for noun in nouns)


def kind_noun(word: str) -> str | None:
    """The English noun of the kind of an attribute ``word`` names ("imperméable" ->
    "raincoat", "trench" -> "trench coat"), or None when it names the attribute itself."""
    return KIND_NOUNS.get(" ".join(fold(word).split()))


def with_kind(value: str, word: str, *, french: bool, prompt_language: str) -> str:
    """The value to store for ``value`` said of attribute word ``word``: with the kind of
    garment the word names ("yellow" and "raincoat" -> "yellow raincoat"; "jaune" and
    "imperméable" -> "yellow raincoat" for English prompts, "imperméable jaune" for French
    ones or when a word is not in the glossary); a French value in English when the prompts
    are (:func:`translate_value`)."""
    kind = kind_noun(word)
    translated = translate_value(value, prompt_language) if french else value
    if kind is None:
        return translated
    if not french:
        return f"{value} {' '.join(word.split())}".strip()
    if prompt_language == "en" and (not value or translated != value or _all_known(value)):
        return f"{translated} {kind}".strip()
    return f"{' '.join(word.split())} {value}".strip()


def _all_known(value: str) -> bool:
    words = re.findall(r"[a-z]+", fold(value))
    return bool(words) and all(w in _FRENCH_VALUES for w in words)


def translate_value(value: str, prompt_language: str) -> str:
    """A French value in English when the prompts are in English and every word is known
    ("blonds et bouclés" -> "blonde and curly"); otherwise the value as written."""
    if prompt_language != "en":
        return value
    if not _all_known(value):
        return value
    out = [_FRENCH_VALUES[w] for w in re.findall(r"[a-z]+", fold(value))]
    # French puts "clair"/"foncé" after the colour: "bleu clair" -> "light blue".
    for i in range(len(out) - 1, 0, -1):
        if out[i] in _FRENCH_AFTER and out[i - 1] not in _FRENCH_AFTER | {"and"}:
            out[i - 1], out[i] = out[i], out[i - 1]
    return " ".join(out)


_FIELD_WORDS: dict[str, str] = {
    "shot size": "shot_size",
    "size": "shot_size",
    "shot type": "shot_size",
    "taille de plan": "shot_size",
    "valeur de plan": "shot_size",
    "valeur": "shot_size",
    "framing": "framing",
    "cadrage": "framing",
    "camera angle": "camera_angle",
    "angle": "camera_angle",
    "angle de camera": "camera_angle",
    "angle de vue": "camera_angle",
    "camera movement": "camera_movement",
    "camera move": "camera_movement",
    "movement": "camera_movement",
    "move": "camera_movement",
    "mouvement": "camera_movement",
    "mouvement de camera": "camera_movement",
    "lens": "lens_mm",
    "focal length": "lens_mm",
    "focal": "lens_mm",
    "focale": "lens_mm",
    "objectif": "lens_mm",
    "description": "description",
    "action": "action",
    "model": "model_id",
    "modele": "model_id",
    "scene type": "scene_type",
    "type de scene": "scene_type",
    "transition": "transition_in",
    "transition in": "transition_in",
    "transition d'entree": "transition_in",
    "time of day": "time_of_day",
    "time": "time_of_day",
    "moment": "time_of_day",
    "heure": "time_of_day",
    "weather": "weather",
    "meteo": "weather",
}
