"""Scenes from prose and briefs: characters, quoted speech, beats (places: ``places``)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from storycore.tools.breakdown.places import (
    _PLACE_DETERMINERS,
    _PLACES_NOT_PEOPLE,
    _after_time_phrase,
    _int_ext_of,
    _opening_place,
    _place_after_determiner,
    _place_opened,
    find_places,
    setting_place,
)
from storycore.tools.breakdown.places import PLACE_NOUNS as PLACE_NOUNS
from storycore.tools.breakdown.shot_lines import without_opener
from storycore.tools.breakdown.text import (
    PERSON_VERBS,
    _dedupe,
    _name_keys,
    _sentences,
    _short,
    _word_count,
    _words,
    noun_gender,
    object_genders,
    pronoun_before_names,
    speaks_of_the_group,
)
from storycore.tools.brief import story_text
from storycore.tools.directions import stated_direction
from storycore.tools.domain import (
    Beat,
    BriefScene,
    CreativeBrief,
    IntExt,
    Scene,
)
from storycore.tools.errors import BriefError
from storycore.tools.fountain import (
    SceneHeading,
    find_props,
    fold,
    infer_transitions,
    mentions,
    parse_heading,
    props_by_scene,
    scenes_from_fountain,
)
from storycore.tools.fountain.headings import qualified_period
from storycore.tools.fountain.people import PERSON_NOUNS, person_key, unnamed_characters
from storycore.tools.fountain.timing import transition_named
from storycore.tools.fountain.voice_over import voice_over_beats, voice_over_opener
from storycore.tools.text import word_set
from storycore.tools.text_language import detect_language

#: Capitalised words that open sentences without being names (English and French).
NOT_NAMES = _words(
    "the a an and but or so then when while as at in on of to for with from by he she it "
    "they we i you his her their its our my your this that these those there here what "
    "who where why how after before later suddenly meanwhile finally now yes no oh one "
    "two also still just even if because though although once every each all some many "
    "most none not only soon inside outside above below tonight today tomorrow yesterday "
    "morning evening night day everyone nobody someone something nothing everything "
    "let lets please hello hey okay ok mr mrs ms dr sir madam miss "
    "le la les l un une des du de d et mais ou donc or ni car puis alors quand lorsque il "
    "elle ils elles on nous vous je tu son sa ses leur leurs ce cet cette ces dans sur "
    "sous avec pour par chez en au aux y plus tard soudain enfin ensuite apres avant "
    "pendant maintenant oui non ici voici voila tout toute tous toutes chaque "
    "aujourd demain hier matin soir nuit jour personne quelqu rien lui eux moi toi "
    "monsieur madame mademoiselle bonjour bonsoir salut merci c qu s n j m t "
    "january february march april may june july august september october november "
    "december monday tuesday wednesday thursday friday saturday sunday "
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre "
    "decembre lundi mardi mercredi jeudi vendredi samedi dimanche"
)

_TIME_JUMP_OPENER = re.compile(
    r"^(?:(?:some |a few |many |two |three |several )?(?:hours|days|weeks|months|years|moments)"
    r" later|later(?: that (?:day|night|evening|morning))?|the next (?:morning|day|night|evening)"
    r"|the following (?:morning|day|night|evening)|that (?:night|evening|morning)|meanwhile"
    r"|the morning after|plus tard|bien plus tard|le lendemain(?: matin| soir)?"
    r"|(?:quelques |des |deux |trois )?(?:heures|jours|semaines|mois|ans|annees) plus tard"
    r"|ce soir la|cette nuit la|ce matin la|pendant ce temps|le soir venu|a l aube)\b"
)
#: A sentence that opens on a period of the day ("At sunset, they sit...", "À midi, la
#: place est pleine"): later in a story, time has passed (folded).
_PERIOD_OPENER = re.compile(
    r"^(?:(?:(?:at|by|around|toward|towards)|(?:(?:just|right|shortly|long) )?(?:before|after))"
    r" (?:the )?(?:sunset|sunrise|dusk|dawn|nightfall|midnight|noon|midday|daybreak|twilight|night)"
    r"|(?:au|a la|a|vers|vers la|des) (?:coucher du soleil|lever du soleil|tombee de la nuit"
    r"|crepuscule|midi|minuit|petit matin|nuit tombee)"
    r"|(?:(?:juste|peu|bien) )?(?:avant|apres) (?:le |la |l )?(?:coucher du soleil|lever du soleil"
    r"|tombee de la nuit|crepuscule|aube|midi|minuit))\b"
)
_QUOTE = re.compile(r"“([^”]+)”|«\s*([^»]+?)\s*»|\"([^\"]+)\"")


def _name_candidates(sentence: str) -> Iterator[tuple[str, bool]]:
    """Capitalised words of a sentence, with whether each opens it."""
    tokens = list(re.finditer(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", sentence))
    for index, match in enumerate(tokens):
        word = match.group(0)
        if not word[0].isupper() or len(word) < 2:
            continue
        previous = tokens[index - 1].group(0).lower() if index else ""
        if fold(previous) in _PLACE_DETERMINERS or previous in _PLACES_NOT_PEOPLE:
            # "the Old Bridge", "in Paris": a place or a thing, not a person.
            continue
        yield word, index == 0


#: Capitalised openers that are things acting, never people ("Mist hangs", "Music plays").
_THINGS = _words(
    "mist fog smoke steam dust light darkness music silence night day dawn dusk time "
    "rain snow wind thunder lightning water fire ice frost sunlight moonlight shadow "
    "everything nothing nobody someone somebody anybody anyone everyone something nature "
    "life death love hope "
    "pluie neige vent brume fumee lumiere nuit jour aube temps musique silence tout rien "
    "personne quelqu'un"
)


#: A determiner, a noun, then a capitalised word: "Sa petite-fille Lina", "his brother Tom".
_NOUN_THEN_NAME = re.compile(
    r"(?<![\w'’])(?i:his|her|their|my|our|your|the|a|an|son|sa|ses|leur|mon|ma|notre|le|la|un|une)"
    r"\s+(?:[a-zà-ÿ][\w'’]*\s+)?(?P<noun>[a-zà-ÿ][\w'’-]*)\s+(?P<name>[A-ZÀ-Þ][a-zà-ÿ]+)\b"
)
#: A capitalised first word, an apposition maybe ("Priya, his manager,"), its verb and the
#: word after it.
_OPENER_ACTING = re.compile(
    r"\s*(?P<name>[A-ZÀ-Þ][^\W\d_]+)"
    r"(?:,\s+(?P<apposition>(?i:an?|the|his|her|their|une?|son|sa|leur)\s+[^,.;:!?]{1,60}),)?"
    r"\s+(?P<verb>[a-zà-ÿ][\w'’]*)\s*(?P<next>[^\W\d_]*)"
)
#: Person verbs a thing also does when nothing follows them ("Coffee pours out").
_THINGS_DO_TOO = word_set("pours opens closes turns verse tourne")
#: Words that open the object of a verb: a person then does it ("Priya pours the tea").
_OBJECT_OPENERS = word_set(
    "the a an his her their its my some two le la les un une des du son sa ses leur"
)


def _opener_acting(sentence: str) -> str | None:
    """The folded first word of ``sentence`` (or of its words after an opening phrase: "In
    the greenhouse, Priya cuts...") when it is capitalised and followed by a verb only a
    person does ("Priya cuts the stems" gives "priya"), else None."""
    found = _name_acting(sentence)
    if found is None:
        after_opener = without_opener(sentence)
        found = _name_acting(after_opener) if after_opener != sentence else None
    return found


def _name_acting(sentence: str) -> str | None:
    match = _OPENER_ACTING.match(sentence)
    if match is None:
        return None
    key, verb = fold(match.group("name")), fold(match.group("verb"))
    apposition = fold(match.group("apposition") or "").split()
    if key in NOT_NAMES or key in _THINGS:
        return None
    if verb not in PERSON_VERBS and not PERSON_NOUNS & set(apposition):
        return None  # "Zofia, his landlady, comes in": who she is says she is a person
    if verb in _THINGS_DO_TOO and fold(match.group("next")) not in _OBJECT_OPENERS:
        return None  # "Coffee pours out", "Tide turns": a thing does it too, with no object
    if key in PLACE_NOUNS or key in PERSON_NOUNS:
        return None  # "Kitchen waits", "Doctor enters": a place, a role
    return key


def prose_characters(text: str, known_characters: Iterable[str] = ()) -> list[str]:
    """Character names in prose, in order of first appearance.

    A name is a capitalised word that is not a common sentence opener (:data:`NOT_NAMES`,
    English and French), not after a determiner or a place preposition ("the Old Bridge",
    "à Paris"), and that appears at least twice, at least once inside a sentence, or once
    opening a sentence on a verb only a person does ("Priya cuts the stems",
    :func:`_opener_acting`); or any of ``known_characters`` the text names. Spellings are
    grouped ("GaBy", "GABY", "Gaby") and the most frequent mixed-case one is kept.
    """
    counts: Counter[str] = Counter()
    inside: set[str] = set()
    spellings: dict[str, Counter[str]] = {}
    openers_acting: set[str] = set()
    for paragraph in _paragraphs(text):
        for sentence in _sentences(_QUOTE.sub(" ", paragraph)):
            acting = _opener_acting(sentence)
            if acting is not None:
                openers_acting.add(acting)
            # "Son apprenti Malik arrive", "his brother Tom": a name a person noun introduces
            for found in _NOUN_THEN_NAME.finditer(sentence):
                if fold(found.group("noun")).replace(" ", "-") in PERSON_NOUNS:
                    openers_acting.add(fold(found.group("name")))
            for word, opens in _name_candidates(sentence):
                key = fold(word)
                if key in NOT_NAMES or not key:
                    continue
                counts[key] += 1
                if not opens:
                    inside.add(key)
                spellings.setdefault(key, Counter())[word] += 1
    names: dict[str, tuple[int, str]] = {}
    for name in known_characters:
        if name.strip() and mentions(text, name):
            names[fold(name)] = (_first_index(text, name), name.strip())
    for key, count in counts.items():
        acts = key in openers_acting
        if (acts or (count >= 2 and key in inside)) and key not in names:
            if any(key in fold(known).split() for known in known_characters):
                continue  # "Marie" of a known "Marie Dupont"
            written = spellings[key]
            mixed = [w for w, _ in written.most_common() if not w.isupper()]
            names[key] = (_first_index(text, key), (mixed or [key.title()])[0])
    return [name for _, name in sorted(names.values())]


def _first_index(text: str, name: str) -> int:
    key = person_key(name) or fold(name)  # "The Keeper": where "keeper" first is
    index = f" {fold(text)} ".find(f" {key} ")
    return index if index >= 0 else len(text)


def story_characters(text: str, known_characters: Iterable[str] = ()) -> list[str]:
    """The characters of prose, first seen first: the named ones (:func:`prose_characters`)
    and the people it refers to by a noun phrase that acts or comes back ("An old keeper
    climbs...", "la gardienne", :func:`~storycore.tools.fountain.people.unnamed_characters`),
    named by it ("The Keeper", "La gardienne"). Quoted speech is not looked in."""
    named = prose_characters(text, known_characters)
    story = [_QUOTE.sub(" ", paragraph) for paragraph in _paragraphs(text)]
    unnamed = [name for _, name in unnamed_characters(story, [*named, *known_characters])]
    if not unnamed:
        return named
    return sorted([*named, *unnamed], key=lambda name: _first_index(text, name))


def _paragraphs(text: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(parts) == 1 and "\n" in parts[0]:
        parts = [line.strip() for line in parts[0].splitlines() if line.strip()]
    return [" ".join(p.split()) for p in parts]


def _speaker(text: str, characters: Sequence[str]) -> str | None:
    best: tuple[int, str] | None = None
    for name in characters:
        keys = _name_keys(name)
        haystack = f" {fold(text)} "
        for key in keys:
            index = haystack.find(f" {key} ")
            if index >= 0 and (best is None or index < best[0]):
                best = (index, name)
    return best[1] if best else None


def _prose_beats(paragraph: str, characters: Sequence[str]) -> list[Beat]:
    """Sentences as action beats; quoted speech with a named speaker as dialogue beats."""
    beats: list[Beat] = []
    pieces: list[tuple[str, str]] = []
    last = 0
    for match in _QUOTE.finditer(paragraph):
        pieces.append(("text", paragraph[last : match.start()]))
        quote = next(g for g in match.groups() if g is not None)
        pieces.append(("quote", quote.strip()))
        last = match.end()
    pieces.append(("text", paragraph[last:]))
    skip_attribution = False
    for index, (kind, piece) in enumerate(pieces):
        if kind == "quote":
            after = pieces[index + 1][1] if index + 1 < len(pieces) else ""
            before = pieces[index - 1][1] if index else ""
            attribution = _sentences(after)[0] if after.strip() else ""
            opener = before.strip()
            heard = _voice_over(opener, attribution, piece, characters)
            if heard is not None:
                beats.append(heard)
                skip_attribution = voice_over_opener(attribution)
                continue
            speaker = None
            # '"...," says Marc' / '"...," Marc says' / '« ... », dit Marc'
            if attribution and (
                piece.endswith(",")
                or after.lstrip()[:1] in (",", "—", "–", "-")
                or attribution[0].islower()
            ):
                speaker = _speaker(attribution, characters)
            if speaker is None and opener.endswith((":", ",")):
                speaker = _speaker(_sentences(opener)[-1] if opener else "", characters)
            pronoun = _PRONOUN_ATTRIBUTION.match(attribution) if attribution else None
            if speaker is None and pronoun:
                # '"I'm done," she says': whoever the paragraph named last before the quote
                speaker = _last_named(paragraph[: paragraph.find(piece)], characters)
            if speaker is None:
                if beats and beats[-1].kind == "action" and _ON_SCREEN.search(opener):
                    # 'the can on the counter, tagline "Stay bright."': text on screen, part
                    # of the shot it is shown in, not a line anyone says
                    beats[-1] = beats[-1].model_copy(update={"text": f"{beats[-1].text} “{piece}”"})
                else:
                    beats.append(Beat(kind="action", text=f"“{piece}”"))
                continue
            beats.append(Beat(kind="dialogue", text=piece.rstrip(",").strip(), character=speaker))
            # '..., she says and leaves.': the speech verb goes, what she does stays
            rest = _action_after_speech(attribution, speaker) if attribution else None
            skip_attribution = bool(rest) or (bool(attribution) and _word_count(attribution) <= 6)
            if rest:
                beats.append(Beat(kind="action", text=rest))
            continue
        sentences = _sentences(piece)
        if skip_attribution and sentences:
            sentences = sentences[1:]
        skip_attribution = False
        # "GaBy says:" only introduces the quote that follows.
        if (
            sentences
            and index + 1 < len(pieces)
            and sentences[-1].endswith((":", ","))
            and _word_count(sentences[-1]) <= 6
            and _speaker(sentences[-1], characters)
        ):
            sentences = sentences[:-1]
        elif sentences and index + 1 < len(pieces) and _opens_voice_over(sentences[-1]):
            sentences = sentences[:-1]  # "Une voix off raconte :" only introduces the words
        for sentence in sentences:
            cleaned = sentence.strip(" ,;—–-")
            if _word_count(cleaned):
                beats.extend(_sentence_beats(cleaned, characters))
    return _directed_beats(beats, characters)


def _opens_voice_over(sentence: str) -> bool:
    """Whether a sentence right before a quotation introduces it as a voice-over."""
    return not sentence.rstrip().endswith((".", "!", "?", "…")) and voice_over_opener(sentence)


def _voice_over(
    opener: str, attribution: str, words: str, characters: Sequence[str]
) -> Beat | None:
    """Quoted words a voice-over says ("Une voix off raconte : « ... »", "« ... », dit la
    voix off", 'A voice-over, her daughter's, says: “...”'): narration, its speaker (when
    named) unseen; None when the words are not a voice-over."""
    said = _sentences(opener)[-1] if opener else ""
    if not _opens_voice_over(said):
        said = attribution if voice_over_opener(attribution) else ""
    if not said:
        return None
    speaker = _speaker(said, characters)
    return Beat(
        kind="dialogue", text=words.rstrip(",").strip(), character=speaker, extension="V.O."
    )


def _sentence_beats(sentence: str, characters: Sequence[str]) -> list[Beat]:
    """A sentence of prose as beats: a transition when it only names one ("Fade to black.",
    "FONDU AU NOIR.", "Fondu enchaîné."), which shapes the edit and is never a shot; the
    voice-over it introduces ("En voix off, Julie dit : ..."); else an action."""
    if transition_named(sentence) is not None:
        return [Beat(kind="transition", text=sentence)]
    return voice_over_beats(sentence, characters) or [Beat(kind="action", text=sentence)]


# "BACK TO SCENE": the end of an insert or a POV, an editing note with nothing to show.
_BACK_TO_SCENE = re.compile(r"^\s*(?:back to (?:the )?scene|retour [aà] la sc[eè]ne)\W*$", re.I)


#: A sentence opening on a person's pronoun: someone acts.
_PERSON_PRONOUN = re.compile(r"^\s*(?:he|she|they|il|elle|ils|elles)\b", re.IGNORECASE)


def _directed_beats(beats: list[Beat], characters: Sequence[str] = ()) -> list[Beat]:
    """The sentences after one that opens on a shot direction ("Close-up of an alarm clock:
    4:45. A hand slaps it off.", "INSERT - THE KEY BOWL" then "Empty.") belong to the shot it
    frames, up to the next direction, a "BACK TO SCENE" (dropped), or a sentence that names
    someone the framed shot does not ("Close on the parcel." then "Priya bursts in.", or "She
    ..." after a shot that names nobody)."""
    out: list[Beat] = []
    framing = False
    for beat in beats:
        if beat.kind == "action" and _BACK_TO_SCENE.match(beat.text):
            framing = False
            continue
        directed = beat.kind == "action" and stated_direction(beat.text) is not None
        if framing and (
            any(mentions(beat.text, c) and not mentions(out[-1].text, c) for c in characters)
            or (
                _PERSON_PRONOUN.match(beat.text)
                and not any(mentions(out[-1].text, c) for c in characters)
            )
        ):
            # someone new acts ("Close on the parcel." then "Priya bursts in.", "Gros plan
            # sur la vapeur." then "Elle ferme les yeux."): the story goes on, out of the shot
            framing = False
        if framing and beat.kind == "action" and not directed:
            joined = out[-1].text.rstrip()
            joined += " " if joined[-1:] in ".!?…:;" else ". "  # "INSERT - THE KEY BOWL. Empty."
            out[-1] = out[-1].model_copy(update={"text": joined + beat.text})
            continue
        framing = directed
        out.append(beat)
    return out


#: The words that put a quote on screen rather than in someone's mouth, right before it.
_ON_SCREEN = re.compile(
    r"\b(?:tag ?line|slogan|title|caption|super|title card|end card|card|sign|text|logo|"
    r"banner|headline|label|reads|reading|line|words|message|motto|claim|baseline|"
    r"titre|texte|carton|panneau|affiche|bandeau|phrase|mention|"
    r"légende|legende|indique|on lit)\s*[:,]?\s*$",
    re.IGNORECASE,
)
_SPEECH_VERBS = (
    r"says|said|asks|asked|replies|replied|answers|answered|whispers|whispered|shouts|"
    r"shouted|murmurs|murmured|mutters|muttered|calls|called|adds|added|dit|demande|répond|"
    r"repond|murmure|chuchote|crie|lance|ajoute|souffle"
)
#: '..., she says', '..., dit-il': an attribution to a pronoun, not a name.
_PRONOUN_ATTRIBUTION = re.compile(
    rf"^\s*(?:(?:he|she|they|il|elle)\s+(?:{_SPEECH_VERBS})|(?:{_SPEECH_VERBS})-(?:t-)?"
    r"(?:il|elle))\b",
    re.IGNORECASE,
)
_AFTER_SPEECH = re.compile(
    rf"^\s*(?P<who>.*?)\b(?:{_SPEECH_VERBS})(?:-(?:t-)?(?:il|elle))?\b(?P<who_after>[^,]*?)"
    r"(?:,\s*|\s+)(?:and(?: then)?|then|et|puis)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)


#: Words that open a clause with its own subject ('and the door slams', 'puis il sort').
_OWN_SUBJECT = word_set(
    """he she they it i we you the a an his her their its this that il elle ils elles on je
    nous vous le la les l un une des son sa ses leur leurs ce cet cette"""
)


def _last_named(text: str, characters: Sequence[str]) -> str | None:
    """The character ``text`` names last (a pronoun's likeliest antecedent)."""
    best: tuple[int, str] | None = None
    haystack = f" {fold(text)} "
    for name in characters:
        for key in _name_keys(name):
            index = haystack.rfind(f" {key} ")
            if index >= 0 and (best is None or index > best[0]):
                best = (index, name)
    return best[1] if best else None


def _action_after_speech(attribution: str, speaker: str) -> str | None:
    """What the speaker does after speaking: 'she says and leaves.' gives 'She leaves.',
    'dit Marc, puis il sort.' gives 'Il sort.'; None when the attribution only says who
    spoke."""
    match = _AFTER_SPEECH.match(attribution)
    if match is None:
        return None
    rest = match.group("rest").strip()
    if not rest:
        return None
    first = fold(rest.split()[0])
    if first in _OWN_SUBJECT or first in _name_keys(speaker):
        sentence = rest  # 'puis il sort', 'and the door slams': its own subject
    else:
        who = match.group("who").strip(" ,") or match.group("who_after").strip(" ,")
        subject = who if who and _word_count(who) <= 3 else speaker
        sentence = f"{subject} {rest}"
    sentence = sentence[0].upper() + sentence[1:]
    return sentence if sentence.endswith((".", "!", "?", "…")) else f"{sentence}."


def _period_words(text: str) -> str | None:
    """The first words of ``text`` that name a period of the day, as written (lower case,
    accents kept: "at dusk" gives "dusk", "au petit matin" "petit matin"), with the words
    that put it before or after ("Before sunrise, ..." gives "before sunrise", not "sunrise":
    it is still dark; :func:`~storycore.tools.fountain.headings.qualified_period`)."""
    text = text.replace("’", "'")  # "jusqu’au" folds to one word, "jusqu'au" to two
    found = qualified_period(fold(text))
    return _as_written(text, found[1]) if found else None


def _as_written(text: str, folded: str) -> str:
    """The words of ``text`` that fold to ``folded`` (its first occurrence), in lower case
    with their accents and apostrophes: "a l aube" in "À l'aube, ..." is "à l'aube"."""
    tokens = list(re.finditer(r"[^\W_]+", text))
    keys = [fold(t.group(0)) for t in tokens]
    wanted = folded.split()
    for index in range(len(keys) - len(wanted) + 1):
        if wanted and keys[index : index + len(wanted)] == wanted:
            return text[tokens[index].start() : tokens[index + len(wanted) - 1].end()].lower()
    return folded


def _heading_for(location: str | None, int_ext: IntExt | None, time: str | None) -> str:
    parts = []
    if int_ext is not None:
        parts.append({"INT": "INT.", "EXT": "EXT.", "INT/EXT": "INT./EXT."}[int_ext.value])
    if location:
        parts.append(location.upper())
    heading = " ".join(parts)
    if time:
        heading = f"{heading} - {time.upper()}" if heading else time.upper()
    return heading


def scenes_from_prose(
    text: str,
    known_characters: Iterable[str] = (),
    *,
    known_locations: Iterable[str] = (),
    known_props: Iterable[str] = (),
) -> list[Scene]:
    """Scenes from free prose (English or French).

    Paragraphs become scenes' beats, one action beat per sentence; a quotation with a named
    speaker ("..., said GaBy" / « ... », dit Marc) is a dialogue beat. A paragraph whose first
    sentence puts the action in another place (:func:`find_places`), or that opens on a time
    jump ("The next morning", "Le lendemain"), starts a new scene; a scene none of whose
    paragraphs opens on a place is set where its first sentence that opens on one says
    (:func:`_opening_place`). Characters come from
    :func:`prose_characters`, props from ``known_props`` and capitals after a determiner.
    """
    locations = [name for name in known_locations if name.strip()]
    characters = story_characters(text, known_characters)
    paragraphs = _paragraphs(text)
    if not paragraphs:
        raise BriefError("the text is empty; describe the story or give a screenplay")
    groups: list[dict[str, Any]] = []
    for paragraph, cut_to, label in _joined_labels(
        [unit for p in paragraphs for unit in _scene_units(p, locations)]
    ):
        first = (_sentences(paragraph) or [paragraph])[0]
        # "At the cellar door, Tom waits": a sentence that opens on a place's door is there
        edges = _place_opened(first, locations) is not None
        places = [cut_to] if cut_to else find_places(first, locations, edges=edges)
        jump = _TIME_JUMP_OPENER.match(fold(first))
        current = groups[-1] if groups else None
        opens_period = _PERIOD_OPENER.match(fold(first))
        period = _period_words(first) if opens_period else None
        if (
            period is not None
            and current is not None
            and fold(period)
            != fold(current["time"] or _period_words(" ".join(current["paragraphs"])) or "")
        ):
            jump = opens_period  # "At sunset, ...": later that day
        place = places[0] if places else None
        if current is not None and current["location"] is None and place is not None:
            # "...les salles vides du musée." then "Dehors, sur le parking, ...": the scene
            # so far is where its own words set it (a sentence that opens on a place, else
            # a place noun of its first sentence), not where the next paragraph goes; a
            # place seen further on ("a storm rolls in over the black sea") is not it.
            opening = (_sentences(current["paragraphs"][0]) or [""])[0]
            own = _opening_place(current["paragraphs"], locations) or _place_after_determiner(
                opening
            )
            if own is not None:
                current["location"], current["int_ext"] = own
        starts = current is None or bool(jump) or cut_to is not None or label is not None
        if current is not None and place is not None and current["location"] is not None:
            starts = starts or fold(place[0]) != fold(current["location"])
        elif current is not None and current["location"] is None and place is not None:
            # "Marta walks the rows ... In the barn, the old press creaks.": people acted
            # somewhere else before the story opened on this place; a scene of atmosphere
            # alone ("Night. Rain on the windows.") is this place's opening
            starts = starts or (
                _place_opened(first, locations) is not None
                and any(mentions(p, c) for p in current["paragraphs"] for c in characters)
            )  # a time jump ("Plus tard, dans l'atelier") starts a scene all the same
        if starts and place is None and jump:
            # "At dawn, the sea is calm.": a time jump whose first sentence shows a place
            # is there; one that shows none ("The next morning, Tom wakes") stays put
            place = _place_after_determiner(first)
        if starts:
            previous_place = current["location"] if current else None
            previous_ie = current["int_ext"] if current else None
            groups.append(
                {
                    "location": place[0] if place else (previous_place if jump else None),
                    "int_ext": place[1] if place else (previous_ie if jump else None),
                    "time": period
                    if period and jump
                    else _as_written(first, jump.group(0))
                    if jump
                    else _period_words(label or ""),
                    "paragraphs": [paragraph],
                }
            )
        else:
            assert current is not None
            current["paragraphs"].append(paragraph)
            if current["location"] is None and place is not None:
                current["location"], current["int_ext"] = place
    for group in groups:
        if group["location"] is None:  # no paragraph opens on a place: a sentence may,
            # else the first place the scene's first sentence shows ("a storm rolls in over
            # the cliffs": the wide shot is of the cliffs, not of "the scene")
            opening = (_sentences(group["paragraphs"][0]) or [""])[0]
            place = (
                _opening_place(group["paragraphs"], locations)
                or _place_after_determiner(opening)
                or _first_place(group["paragraphs"], locations)
            )
            if place is None and len(locations) == 1:
                # the brief's one declared place ("Night market") for a scene that names none
                place = (locations[0], _int_ext_of(locations[0]))
            if place is not None:
                group["location"], group["int_ext"] = place
    scenes: list[Scene] = []
    for index, group in enumerate(groups):
        body = "\n\n".join(group["paragraphs"])
        beats = [b for p in group["paragraphs"] for b in _prose_beats(p, characters)]
        time = group["time"] or _period_words(body)
        location = group["location"]
        scenes.append(
            Scene(
                scene_id=f"sc_{index + 1:02d}",
                number=str(index + 1),
                heading=_heading_for(location, group["int_ext"], time)
                or _short(group["paragraphs"][0]),
                location=location,
                int_ext=group["int_ext"],
                time_of_day=time,
                description=group["paragraphs"][0],
                characters=_cast(body, characters, scenes[-1].characters if scenes else []),
                beats=beats,
            )
        )
    return _attach_props(infer_transitions(scenes), known_props, characters)


def _first_place(
    paragraphs: Sequence[str], locations: Sequence[str]
) -> tuple[str, IntExt | None] | None:
    """The first place phrase of a scene's sentences ("fill crates on the hillside"): where
    its people are seen, for a scene none of whose sentences opens on a place."""
    for paragraph in paragraphs:
        places = find_places(paragraph, locations)
        if places:
            return places[0]
    return None


# Subject pronouns of people (folded): a scene told only with them goes on with the people of
# the scene before it ("On passe à la plage : ils courent vers la mer").
_PERSON_PRONOUNS = word_set("he she they him her them il elle ils elles lui eux")


_SAID_GENDER = {"he": "masculine", "il": "masculine", "she": "feminine", "elle": "feminine"}


def _someone_else_said(body: str, named: Sequence[str]) -> bool:
    """Whether a sentence of ``body`` opens on a pronoun that none of ``named`` can be: all
    of them are people a noun names ("the girl", "le vieil homme") of the other gender ("Later,
    the girl jumps off. He waves back": he is someone of the scene before)."""
    genders = set()
    for name in named:
        key = person_key(name)
        gender = noun_gender(key) if key else None
        if gender is None:
            return False
        genders.add(gender)
    for sentence in _sentences(body)[1:]:
        first = fold(sentence).split()[:1]
        said = _SAID_GENDER.get(first[0]) if first else None
        if said is not None and said not in genders:
            return True
    return False


def _cast(body: str, characters: Sequence[str], before: Sequence[str]) -> list[str]:
    """The characters a scene's text names; when it speaks of people with pronouns before it
    names anyone ("Plus tard, il laisse une boîte. Léa la pose"), also the cast of the scene
    before it."""
    named = [c for c in characters if mentions(body, c)]
    if not before:
        return named
    sentences = _sentences(body) or [body]
    opening = sentences[0]
    if len(named) == 1 and any(
        object_genders(sentence) for sentence in sentences if mentions(sentence, named[0])
    ):
        # "The boy brings her the ball", "Later, the sea is calm. Tom hands her a mug": the
        # one named gives to someone else, who comes from the scene before
        return named + [c for c in before if c not in named]
    if any(mentions(opening, c) for c in characters):
        if pronoun_before_names(opening, characters) or _someone_else_said(body, named):
            # "He rides past the woman", "Elle retrouve Léo au café", "The boy brings her
            # the ball": who the pronoun is comes from the scene before, the one named is
            # someone else
            return named + [c for c in before if c not in named]
        return named
    told = opening if named else body
    if not set(fold(told).split()) & _PERSON_PRONOUNS and not any(
        speaks_of_the_group(sentence) for sentence in _sentences(told)
    ):
        return named
    return named + [c for c in before if c not in named]


# "Cut to the laundromat:", "Back on the rooftop,", "Retour au phare :", "On passe à la gare".
_CUT_OPENER = re.compile(
    r"^(?:(?:and |then |we |now )?cut(?:s)? (?:back )?to|back (?:in|on|at|to|inside)"
    r"|(?:et |puis )?(?:retour|on revient|on passe|on coupe|coupe|cut) ?(?:sur|a|au|aux|dans|vers)"
    r"|de retour (?:a|au|aux|dans|sur)"
    r"|across (?:town|the city)|on the other side of (?:town|the city)"
    r"|(?:a|de) l autre bout de la ville|de l autre cote de la ville)\b"
)
# The cue itself, when a colon, a full stop or a dash closes it: it is an editing note,
# not something seen ("Cut to the laundromat: Iris spins" shows Iris spinning).
_CUT_CLAUSE = re.compile(r"^[^:.;—–,]{1,60}[:.—–]\s*")
_CLAUSE_END = re.compile(r"[,:;—–]")


class _Unit(NamedTuple):
    """A part of a paragraph that a scene takes whole."""

    text: str
    #: the place a cut cue or a scene label names
    cut_to: tuple[str, IntExt | None] | None
    #: the words of a scene label ("the forge at dawn"), which always starts a scene
    label: str | None = None


#: A scene label the writer numbers: "Scene 1 - the forge at dawn.", "Scène 2 : la place".
_SCENE_LABEL = re.compile(
    r"^\s*(?:scene|sc[eè]ne|s[eé]quence|sequence)\s+\d{1,3}[a-z]?\s*(?:[-–—:.)]\s*|$)",
    re.IGNORECASE,
)


def _scene_units(paragraph: str, locations: Sequence[str]) -> list[_Unit]:
    """A paragraph cut where one of its later sentences moves the story: a cut to a place
    ("Cut to the laundromat: ...", "Back on the rooftop, ..."), a sentence that opens on a
    place ("In the kitchen, ..."), a time jump ("The next morning, ...") or a numbered scene
    label ("Scene 2 - the square."). Each part is a :class:`_Unit`: ``cut_to`` is the place a
    cut cue or a label names (a cue's words are dropped when a colon, full stop or dash
    closes them: an editing note, not something seen; a label is the scene's heading). A
    paragraph that does not move stays whole, as written."""
    sentences = _sentences(paragraph)
    units: list[tuple[list[str], tuple[str, IntExt | None] | None, str | None]] = [([], None, None)]

    def start(cut_to: tuple[str, IntExt | None] | None, label: str | None = None) -> None:
        if units[-1][0]:
            units.append(([], cut_to, label))
        else:
            units[-1] = ([], cut_to, label)

    for index, sentence in enumerate(sentences):
        label = _SCENE_LABEL.match(sentence)
        if label is not None:
            sentence, words = _label_parts(sentence[label.end() :])
            places = find_places(f"in {words}", locations) if words else []
            start(places[0] if places else None, words)
        else:
            key = fold(sentence)
            cut_to = None
            if _CUT_OPENER.match(key):
                places = find_places(_CLAUSE_END.split(sentence, maxsplit=1)[0], locations)
                cut_to = places[0] if places else None
            if cut_to is not None or (index and _moves_story(sentence, key, locations)):
                if cut_to is not None:
                    rest = _CUT_CLAUSE.sub("", sentence, count=1)
                    sentence = rest[:1].upper() + rest[1:]
                start(cut_to)
        if sentence:
            units[-1][0].append(sentence)
    if len(units) == 1 and units[0][1] is None and units[0][2] is None:
        return [_Unit(paragraph, None)]
    return [
        _Unit(" ".join(parts), cut_to, label)
        for parts, cut_to, label in units
        if parts or label is not None
    ]


def _joined_labels(units: Sequence[_Unit]) -> list[_Unit]:
    """The units with a scene label that stands alone ("Scene 2 - the square." as its own
    paragraph) given to the text after it."""
    out: list[_Unit] = []
    pending: _Unit | None = None
    for unit in units:
        if pending is not None:
            unit = _Unit(unit.text, unit.cut_to or pending.cut_to, unit.label or pending.label)
            pending = None
        if unit.text:
            out.append(unit)
        elif unit.label is not None:
            pending = unit
    return out


def _label_parts(rest: str) -> tuple[str, str]:
    """A scene label's words and what follows them: "the forge at dawn." is a label alone
    (no sentence), "the square: Tomas waves." labels the square and goes on with "Tomas
    waves."."""
    words, colon, after = rest.partition(":")
    if colon and after.strip():
        after = after.strip()
        return after[:1].upper() + after[1:], words.strip(" .")
    return "", rest.strip(" .")


def _moves_story(sentence: str, key: str, locations: Sequence[str]) -> bool:
    """A later sentence of a paragraph that opens on a place or on a time jump."""
    if _TIME_JUMP_OPENER.match(key) or _PERIOD_OPENER.match(key):
        return True
    # the place must be in the opening clause: "In the end, she walks to the kitchen" stays;
    # after a phrase that only says when, the next clause opens it ("Le soir, dans le chai")
    opened = _after_time_phrase(sentence) or sentence
    return _place_opened(_CLAUSE_END.split(opened, maxsplit=1)[0], locations) is not None


def _framing(text: str, story: str) -> str:
    """The sentences of a brief that are not its story ("A 20-second ad for a bakery in
    Lyon, 16:9."): where it says what the film is, and often where it happens."""
    told = set(_sentences(story))
    return " ".join(s for p in _paragraphs(text) for s in _sentences(p) if s not in told)


def _set_in(scenes: list[Scene], framing: str) -> list[Scene]:
    """Scenes placed where the brief's framing sentences set the story
    (:func:`setting_place`) when the story itself names no place at all: "an ad for a
    bakery" is shot in the bakery."""
    if any(scene.location for scene in scenes):
        return scenes
    place = setting_place(framing)
    if place is None:
        return scenes
    name, int_ext = place
    return [
        scene.model_copy(
            update={
                "location": name,
                "int_ext": scene.int_ext or int_ext,
                "heading": _heading_for(name, scene.int_ext or int_ext, scene.time_of_day),
            }
        )
        for scene in scenes
    ]


def _attach_props(
    scenes: list[Scene], known_props: Iterable[str], characters: Iterable[str]
) -> list[Scene]:
    known_props = list(known_props)
    actions = [b.text for s in scenes for b in s.beats if b.kind == "action"]
    # French things handled in lower case ("allume la machine à expresso") in French prose
    french = detect_language(" ".join(actions)) == "fr"
    props = find_props(actions, known_props=known_props, exclude=characters, handled=french)
    shown = props_by_scene(
        [[b.text for b in s.beats if b.kind == "action"] + [s.description] for s in scenes],
        props,
        declared=list(known_props),
    )
    return [
        scene.model_copy(update={"props": _dedupe([*scene.props, *found])})
        for scene, found in zip(scenes, shown, strict=True)
    ]


def _brief_scene(
    index: int,
    item: BriefScene,
    characters: Sequence[str],
    locations: Sequence[str],
) -> Scene:
    heading: SceneHeading | None = parse_heading(item.title)
    if heading is not None and heading.int_ext is None and not heading.forced:
        heading = None  # an ordinary title, not a scene heading
    text = f"{item.title}. {item.description}".strip()
    named = [name for name in locations if mentions(item.title, name, head_noun=True)]
    location = named[0] if named else None
    int_ext = heading.int_ext if heading else None
    if location is None and heading is not None:
        location = heading.location
    if location is None and _is_place_title(item.title):
        # "Lamp room: Ines looks out at the sea": the title says where, the sea is seen
        location = item.title.strip()
    if location is None:
        location = next((name for name in locations if mentions(text, name, head_noun=True)), None)
    if location is None:
        places = find_places(text)
        if places:
            location, int_ext = places[0][0], int_ext or places[0][1]
    if int_ext is None and location is not None:
        int_ext = _int_ext_of(location)
    time = (heading.time_of_day if heading else None) or _period_words(text)
    beats = _prose_beats(" ".join(item.description.split()), characters) or [
        Beat(kind="action", text=item.title)
    ]
    return Scene(
        scene_id=f"sc_{index + 1:02d}",
        number=heading.number if heading and heading.number else str(index + 1),
        heading=heading.text if heading else item.title,
        location=location,
        int_ext=int_ext,
        time_of_day=time,
        description=item.description or item.title,
        characters=[c for c in characters if mentions(text, c)],
        beats=beats,
        target_seconds=item.duration_seconds,
    )


def _is_place_title(title: str) -> bool:
    """Whether a scene's title is a place and nothing else: at most four words ending on a
    place noun ("Lamp room", "The harbour at night" is not: it ends on a time)."""
    words = fold(title).split()
    return 0 < len(words) <= 4 and _int_ext_of(title) is not None and title.strip()[-1:].isalpha()


def scenes_from_brief(brief: CreativeBrief) -> list[Scene]:
    """The scenes of a brief: its Scenes section when it has one (each with its duration),
    else its text (a Fountain screenplay when ``source_format`` is ``fountain``, prose
    otherwise). Characters, locations and props the brief names are attached to every scene
    whose text mentions them.
    """
    names = [c.name for c in brief.characters]
    locations = [loc.name for loc in brief.locations]
    props = [p.name for p in brief.props]
    if brief.source_format == "fountain" and brief.text.strip():
        scenes, _ = scenes_from_fountain(brief.text, known_props=props)
        return [
            s.model_copy(update={"beats": _directed_beats(list(s.beats), s.characters)})
            for s in scenes
        ]
    if brief.scenes:
        all_text = "\n\n".join(f"{s.title}. {s.description}" for s in brief.scenes)
        characters = story_characters(all_text, names)
        scenes = [
            _brief_scene(index, item, characters, locations)
            for index, item in enumerate(brief.scenes)
        ]
        for index, scene in enumerate(scenes[1:], start=1):
            before = scenes[index - 1]
            # "He rides past the woman": a scene told with a pronoun goes on with the people
            # of the scene before it
            cast = _cast(scene.description, characters, before.characters)
            if cast != scene.characters:
                scenes[index] = scene = scene.model_copy(update={"characters": cast})
            if scene.location is None and before.location is not None:
                # "Horizon: the sun rises over the edge of the flat" after "Salt flat": a
                # scene that names no place goes on where the one before it was
                scenes[index] = scene.model_copy(
                    update={"location": before.location, "int_ext": before.int_ext}
                )
        numbers = Counter(scene.number for scene in scenes)
        if any(count > 1 for count in numbers.values()):
            # Written numbers that repeat (or collide with an order) give way to the order.
            scenes = [s.model_copy(update={"number": str(i + 1)}) for i, s in enumerate(scenes)]
        return _attach_props(infer_transitions(scenes), props, characters)
    if brief.text.strip():
        # Production notes ("Format 1080p", "avoid Sora") are specs, not story beats.
        story = story_text(brief.text, names) or brief.text
        scenes = scenes_from_prose(story, names, known_locations=locations, known_props=props)
        return _set_in(scenes, _framing(brief.text, story))
    raise BriefError(
        "the brief has no scenes and no story text to break down; add a Scenes section or "
        "describe what happens"
    )
