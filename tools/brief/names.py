"""Elements named in prose (when a brief has no section for them), and story text versus
production notes."""

from __future__ import annotations

import re
from collections.abc import Iterable

from storycore.tools.brief.languages import _script_language
from storycore.tools.brief.prose import _STYLE_LOOKUP, states_a_spec
from storycore.tools.brief.vocabulary import _LANGUAGE_WORDS
from storycore.tools.directions import stated_direction
from storycore.tools.domain import BriefElement
from storycore.tools.text import fold_phrase as _fold
from storycore.tools.text import split_sentences, word_set

_CAPITALISED_STOPWORDS = frozenset(
    """a an the i it its he she we they you his her their our my this that these those then
    there here when while where what who why how and but or so if at in on to of for from by
    with as after before during one two monday tuesday wednesday thursday friday saturday
    sunday january february march april may june july august september october november
    december le la les un une des du de au aux il elle ils elles on nous vous je tu puis
    ensuite enfin alors mais et ou donc car dans sur sous avec pour par chez quand lorsque
    pendant avant apres c ce cette ces son sa ses leur leurs mon ma mes tout toute tous
    toutes lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril
    mai juin juillet aout septembre octobre novembre decembre youtube tiktok instagram
    reels shorts ok tv sfx vfx ia ai use make avoid keep add show start end open close cut fade
    style format ambiance mood music musique scene scenes shot shots plan plans note notes
    please thanks merci bonjour hello hi utilise utilisez evite evitez fais faites ajoute
    garde montre commence termine rythme image images video videos clip film prompt prompts
    budget duree duration total final finally first next last premier premiere dernier
    derniere no non yes oui pas sans without with""".split()  # noqa: SIM905 - a word list reads better
)
_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:à|a|au|aux|dans|vers|depuis|sur|traverse|traversent|parcourt|in|at|to|from|"
    r"near|into|toward|towards|across|through|over|above|crosses|près de|loin de|"
    r"au[- ]dessus de|au[- ]dessous de|autour de|en face de|au c(?:œ|oe)ur de|"
    r"outside|inside|around)\s+(?:le |la |les |l'|the )?)$",
    re.IGNORECASE,
)


def _names_in_prose(
    text: str, exclude: Iterable[str]
) -> tuple[list[BriefElement], list[BriefElement]]:
    """Recurring capitalised names: (characters, locations). A documented heuristic.

    A name is a run of up to three capitalised words, seen at least twice and at least once
    in the middle of a sentence (so that "The" or "Puis" at a sentence start are not names).
    It is a location when most of its mentions follow "in", "at", "à", "dans"...
    """
    excluded = {_fold(name).strip() for name in exclude} | _advertised(text)
    words = list(re.finditer(r"[^\W\d_][\w’'-]*", text))
    mentions: dict[str, list[tuple[int, bool, bool]]] = {}
    index = 0
    while index < len(words):
        run: list[re.Match[str]] = []
        while index < len(words) and _is_capitalised(words[index].group(0)):
            if run and text[run[-1].end() : words[index].start()] != " ":
                break
            run.append(words[index])
            index += 1
        if not run:
            index += 1
            continue
        while run and _fold(run[0].group(0)).strip() in _CAPITALISED_STOPWORDS:
            run.pop(0)
        if not run or len(run) > 3:
            continue
        name = text[run[0].start() : run[-1].end()].rstrip("’'-")
        name = re.sub(r"[’']s$", "", name)
        key = _fold(name).strip()
        if len(name) < 2 or key in _LANGUAGE_WORDS or key in _STYLE_LOOKUP:
            continue
        if any(part in _CAPITALISED_STOPWORDS for part in key.split()):
            continue
        prefix = text[max(0, run[0].start() - 40) : run[0].start()]
        at_start = not prefix.strip() or bool(re.search(r"[.!?:;\n»\"*#>—–-]\s*$", prefix))
        locative = bool(_LOCATIVE_BEFORE.search(prefix))
        mentions.setdefault(name, []).append((run[0].start(), at_start, locative))
    characters: list[BriefElement] = []
    locations: list[BriefElement] = []
    introduced: dict[str, str] = {}
    for name, seen in _one_spelling(mentions).items():
        head = _introduced_as(name, text, [start for start, _, _ in seen])
        if _fold(name).strip() in excluded and head is None:
            continue  # the title, a model, a language: a name only when introduced as a person
        if head is not None:
            introduced[name] = head
        if len(seen) < 2 and head is None:
            continue
        if head is None and all(_is_initialism(text[at : at + len(name)]) for at, _, _ in seen):
            continue  # "TV", "SFX": "TOM" is a name only when introduced as a person
        # A name only ever seen at a sentence start ("Camille marche...") counts when it has
        # an inner capital (GaBy) or never appears in lower case (unlike "Style", "Then").
        if all(at_start for _, at_start, _ in seen) and name not in introduced:
            inner_capital = bool(re.search(r".[A-Z]", name))
            in_lower_case = re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", text)
            if not inner_capital and in_lower_case:
                continue
        # The sentence where the name is followed by a comma usually describes it
        # ("Léo, a drummer with a shaved head, ...").
        if name not in introduced and sum(locative for _, _, locative in seen) * 2 > len(seen):
            locations.append(BriefElement(name=name[:200], description=""))
        else:
            characters.append(BriefElement(name=name[:200], description=""))
    # A look is appearance only (storycore.tools.brief.looks): never the sentence of action
    # where the name appears. A place named in passing has no look of its own here; the
    # planner takes it from its scene's description.
    from storycore.tools.brief.looks import find_look

    names = [element.name for element in characters]
    for element in characters:
        look = find_look(element.name, _STORY_LABEL.sub("", text), avoid=names)
        head = introduced.get(element.name, "")
        if head and head.lower() not in look.lower():
            look = f"{head}, {look}" if look else head
        element.description = look[:240].rstrip(" ,")
    return characters, locations


#: "a fisherman named Tomas", "une danseuse nommée Léa": the name after a naming word.
_NAMING_WORDS = (
    r"named|called|nicknamed|nomm(?:é|e)e?s?|appel(?:é|e)e?s?|prénomm(?:é|e)e?s?|"
    r"prenomm(?:é|e)e?s?|surnomm(?:é|e)e?s?|du nom de"
)
#: A noun phrase of up to six words after its determiner ("une jeune femme aux cheveux
#: courts"); a determiner is a word of its own ("a", never the start of "aux").
_NOUN_PHRASE = (
    r"(?P<head>\b(?:(?:an?|une?|the|le|la)\s+|l['’]\s*)(?:[^\W\d_][\w'’-]*\s+){0,5}?"
    r"[^\W\d_][\w'’-]*)"
)
_NAMED_BEFORE = re.compile(rf"{_NOUN_PHRASE}\s+(?:{_NAMING_WORDS})\s+$", re.IGNORECASE)
_APPOSED_BEFORE = re.compile(rf"{_NOUN_PHRASE}\s*,\s*$", re.IGNORECASE)
_APPOSITIVE_AFTER = re.compile(r"^\s*(?:\([^)]{1,160}\)\s*)?,\s*(?:an?|une?)\s+\w", re.IGNORECASE)
_PLACE_BEFORE = re.compile(
    r"\b(?:in|at|on|to|from|into|near|by|dans|sur|sous|vers|chez|près de|pres de|à|a|au|de)"
    r"\s+(?:the |le |la |l['’])?\S*$",
    re.IGNORECASE,
)


def _introduced_as(name: str, text: str, starts: Iterable[int]) -> str | None:
    """How prose introduces ``name`` as a person, or None when it does not.

    "Ada, a singer with..." (an appositive after the name) gives "" (its look is read by
    :func:`~storycore.tools.brief.looks.find_look`); "a fisherman named Tomas" and "un vieil
    homme, Jules, ..." give the noun phrase before the name ("a fisherman", "un vieil homme").
    One such introduction makes a name a character even when it is named only once.
    """
    for start in starts:
        after = text[start + len(name) : start + len(name) + 200]
        if _APPOSITIVE_AFTER.match(after):
            return ""
        before = text[max(0, start - 80) : start]
        sentence_start = max(before.rfind(mark) for mark in ".!?\n")
        before = before[sentence_start + 1 :]
        named = _NAMED_BEFORE.search(before)
        apposed = _APPOSED_BEFORE.search(before) if after.lstrip().startswith(",") else None
        for match in (named, apposed):
            if match is None:
                continue
            head = " ".join(match.group("head").split())
            head = head[:1].lower() + head[1:]
            if _PLACE_BEFORE.search(before[: match.start("head")].rstrip()):
                continue  # "in the harbour, Jules, ...": a place, not who he is
            if len(head.split()) < 2:
                continue
            return head
    return None


#: "an ad for TrailMix running shoes", "une pub pour Maison Lenoir", "une publicité de 20
#: secondes pour le café Lumen" (its length between): what an ad is for.
_ADVERTISED = re.compile(
    r"\b(?:ad|advert|advertisement|commercial|promo|spot|campaign|teaser|publicit[ée]|pub|"
    r"campagne)\s+(?:de\s+\d+\s+(?:secondes?|s|sec|minutes?|min)\s+)?"
    r"(?:for|pour|promoting|selling|de|du)\s+(?:the\s+|la\s+|le\s+|l['’])?"
    r"(?P<words>(?:[^\W\d_][\w’'&-]*\s*){1,3})",
    re.IGNORECASE,
)


def _advertised(text: str) -> set[str]:
    """The folded capitalised words an ad's framing names as what it sells ("A 20-second ad
    for TrailMix running shoes" gives "trailmix"): a brand or a product, never a character
    unless the text introduces it as a person."""
    found: set[str] = set()
    for match in _ADVERTISED.finditer(text):
        run: list[str] = []
        for word in [*match.group("words").split(), ""]:
            if word and _is_capitalised(word):
                found.add(_fold(word).strip())
                run.append(_fold(word).strip())
                continue
            if len(run) > 1:
                found.add(" ".join(run))  # a brand of several words: "le vin Clos Amiel"
            run = []
    return found


#: Words that end the name of what an ad sells: "a canned cold brew, made for phones".
_PRODUCT_END = word_set(
    """made for that which with in on at to shot filmed set showing where and or by from
    featuring starring pour avec dans sur qui que en a au aux par"""
)
_PRODUCT_DETERMINERS = word_set("a an the our its their un une le la les l des du nos")


def advertised_product(text: str) -> str | None:
    """What an ad's framing says it sells, when it names a thing ("A 20-second ad for
    TrailMix running shoes" gives "TrailMix running shoes", "une pub pour les chaussures
    TrailMix" gives "chaussures TrailMix"); None for a brand alone ("an ad for Nike") or no
    ad framing. The story's "the shoes" are then this product."""
    from storycore.tools.breakdown.places import PLACE_NOUNS

    match = _ADVERTISED.search(text)
    if match is None:
        return None
    words = re.findall(r"[^\W\d_][\w’'&-]*|[^\w\s]", text[match.start("words") :])
    kept: list[str] = []
    for word in words:
        key = _fold(word).strip()
        if not kept and word.lower() in _PRODUCT_DETERMINERS:
            continue  # "the", never "thé"
        if not word[:1].isalnum() or key in _PRODUCT_END or len(kept) == 4:
            break
        kept.append(word)
    common = [w for w in kept if not _is_capitalised(w)]
    if not common:
        return None  # a brand alone ("an ad for Nike"): no product
    # a place ("an ad for a bakery in Lyon") is no product, but a noun a brand follows is one
    # ("le café Lumen": the French order names a thing, "the Lumen café" a place)
    brand_after = _is_capitalised(kept[-1]) and kept.index(common[-1]) < len(kept) - 1
    if _fold(common[-1]).strip() in PLACE_NOUNS and not brand_after:
        return None
    return " ".join(kept)


def _is_capitalised(word: str) -> bool:
    return word.strip("’'-")[:1].isupper()


def _is_initialism(name: str) -> bool:
    """A word of three capitals or fewer ("TV", "SFX", "TOM"): an initialism unless the text
    introduces it as a person."""
    return name.isupper() and len(name) <= 3


def _one_spelling(
    mentions: dict[str, list[tuple[int, bool, bool]]],
) -> dict[str, list[tuple[int, bool, bool]]]:
    """The mentions of each name whatever its case, under its most frequent spelling in mixed
    case: a character introduced in capitals ("MARA, an old keeper...") then written "Mara"
    is one person, named "Mara" (and "TOM", never written otherwise, is "Tom")."""
    groups: dict[str, list[str]] = {}
    for name in mentions:
        groups.setdefault(_fold(name).strip(), []).append(name)
    merged: dict[str, list[tuple[int, bool, bool]]] = {}
    for names in groups.values():
        mixed = [n for n in names if not n.isupper()]
        spelling = max(mixed, key=lambda n: len(mentions[n])) if mixed else names[0].title()
        merged[spelling] = sorted(m for n in names for m in mentions[n])
    return dict(sorted(merged.items(), key=lambda item: item[1][0][0]))


#: Words that make a sentence a description of someone or something (English and French).
DESCRIPTIVE_WORDS = frozenset(
    """hair haired eyes eyed wearing wears dressed coat jacket dress shirt suit hat scarf boots
    tall short young old woman man girl boy years beard glasses skin braids curly straight
    blonde blond brunette red dark grey gray silver slim thin stocky freckles scar tattoo
    cheveux yeux porte vetu vetue manteau veste robe chemise costume chapeau echarpe grand
    grande petit petite jeune vieux vieille femme homme fille garcon ans barbe lunettes peau
    tresses boucles blonds blondes brune brun roux rousse argentees argentes mince""".split()  # noqa: SIM905
)

#: Words of production notes rather than story: specs, models, pace, style, requests.
_NOTE_WORDS = frozenset(
    """format fps resolution 1080p 720p 4k 8k aspect vertical horizontal widescreen cinemascope
    local cloud gpu vram model models modele modeles wan sora kling veo ltx flux hunyuan
    seedance runway prompt prompts reponds repondre answer reply budget cost cout style
    ambiance mood rythme rhythm pace cuts coupes montage grain pastel cinematic look palette
    couleurs colours colors secondes seconds minutes clip spot trailer teaser subtitles
    energy energie vibe vibes tone
    please merci bonjour hello besoin need""".split()  # noqa: SIM905 - a word list reads better
)
_OBJECT_DETERMINERS = frozenset(
    """the a an his her their its my your our this that le la les un une son sa ses leur
    leurs ce cette""".split()  # noqa: SIM905 - a word list reads better
)
_NOTE_PHRASES = ("carte graphique", "sous titres", "images par seconde", "frames per second")
#: "An ad for a bakery chain", "A 20-second vertical spot for...", "Une publicité pour...",
#: "Un court métrage sur...", "A short portrait of a glassblower": a sentence that opens by
#: saying what the film is (folded).
_FILM_FRAMING = re.compile(
    r"^\s*(?:an?|one|our|this|une?|notre|ce|cette)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:ad|advert|advertisement|commercial|promo|music video|video|film|short film|short|"
    r"movie|spot|clip|teaser|trailer|publicite|pub|court metrage|court|video clip|reel|"
    r"documentary|documentaire|comedy sketch|sketch comique|music clip|reportage|"
    r"animated short|(?P<also_thing>portrait|profile|vignette|tale|fable|conte|essay|essai))"
    r"\s+(?:for|about|on|of|pour|sur|de|du|des|d|promoting|selling|set|where|in|showing)\b"
)
#: "Ton : conte, doux.", "Mood: melancholic.": a sentence that opens on a production
#: heading and a colon (folded).
_NOTE_LABEL = re.compile(
    r"^\s*(?:ton|tone|mood|ambiance|atmosphere|style|look|genre|music|musique|son|sound|"
    r"palette|couleurs|colou?rs|rythme|rhythm|pace|format|public|audience|cible|target|"
    r"references?|inspirations?|voix off|voice over)\s*:"
)
#: "L'histoire :", "The story:": a label before the story itself.
_STORY_LABEL = re.compile(
    r"^(?:l'|l’)?(?:histoire|the story|story|synopsis|pitch|résumé|resume|logline)\s*:\s*",
    re.IGNORECASE,
)


def descriptive_score(sentence: str) -> int:
    """How much a sentence describes how someone or something looks (a count of telling
    words, plus two for an age in brackets such as "(20s")."""
    words = set(_fold(sentence).split())
    return len(words & DESCRIPTIVE_WORDS) + (2 if re.search(r"\(\s*\d", sentence) else 0)


_COURTESY_WORDS = frozenset(
    {"bonjour", "bonsoir", "salut", "hello", "hi", "hey", "thanks", "thank", "you", "merci"}
    | {"please", "svp", "stp", "ok", "okay", "cordialement", "regards", "cheers", "beaucoup"}
)


def _tells_an_event(sentence: str) -> bool:
    from storycore.tools.brief.looks import is_action_clause

    return is_action_clause(sentence)


def is_production_note(sentence: str, characters: Iterable[str] = ()) -> bool:
    """A sentence about the production (format, models, pace, style, a request) rather than
    the story: two note words, or one note word and no character named."""
    if stated_direction(sentence) is not None:
        return False  # "The clip ends on a close-up of...": a shot of the story
    framing = _FILM_FRAMING.match(_fold(sentence))
    if framing and not (framing.group("also_thing") and _tells_an_event(sentence)):
        # "An ad for a bakery chain.", "A short portrait of a glassblower at work.": what
        # the film is, not what it shows ("A portrait of Ana hangs on the wall" is a thing)
        return True
    if _NOTE_LABEL.match(_fold(sentence)):
        return True  # "Ton : conte, doux.", "Music: a slow piano."
    # words without their punctuation: "spot." is the note word "spot"
    words = re.findall(r"[a-z0-9]+", _fold(sentence))
    folded = " ".join(words)
    # a note word with an object is the story's verb: "Priya cuts the stems", not "fast cuts"
    following = [*words[1:], ""]
    hits = sum(
        1
        for word, after in zip(words, following, strict=False)
        if word in _NOTE_WORDS and after not in _OBJECT_DETERMINERS
    )
    hits += sum(1 for phrase in _NOTE_PHRASES if phrase in folded)
    if re.search(
        r"\d+\s*(?:fps|p\b|k\b|s\b|%|\$|€)|\b\d+:\d+\b|\b\d+[\s-]*(?:seconds?|secondes?|sec|"
        r"minutes?|min)\b",
        sentence,
        re.IGNORECASE,
    ):
        hits += 1
    if not hits and _script_language(sentence) and states_a_spec(sentence):
        hits += 1  # "90秒の縦長動画。", "用中文回答。": no English or French note word
    if words and all(word in _COURTESY_WORDS for word in words):
        return True  # "Bonjour !", "Thanks." (but "Omar laughs." is story)
    named = any(_fold(name).strip() in folded for name in characters)
    return hits >= 2 or (hits == 1 and not named)


def story_text(text: str, characters: Iterable[str] = ()) -> str:
    """``text`` without its production notes, paragraphs kept: what the breakdown tells."""
    names = list(characters)
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text):
        sentences = split_sentences(" ".join(paragraph.split()))
        kept = [
            _STORY_LABEL.sub("", s)
            for s in sentences
            if s.strip() and not is_production_note(s, names)
        ]
        if kept:
            paragraphs.append(" ".join(kept))
    return "\n\n".join(paragraphs)
