"""Specs stated in the free text of a brief: durations, aspect ratios, resolutions, frame
rates, languages, model wishes, budget, pace and style words, each found by a documented
pattern (docs/brief-format.md)."""

from __future__ import annotations

import re

from pydantic import ValidationError

from storycore.tools.brief.findings import _Found, _Prose
from storycore.tools.brief.model_wishes import _LOCAL_ONLY, _ModelTable, _scan_models
from storycore.tools.brief.values import _NUM, _WORD_NUM, _DurationRangeError, parse_duration
from storycore.tools.brief.vocabulary import (
    _LANGUAGE_WORDS,
    _STYLE_NOT_IN_FRENCH,
    PACE_WORDS,
    STYLE_VOCABULARY,
)
from storycore.tools.domain import Resolution, parse_aspect_ratio, parse_resolution
from storycore.tools.errors import BriefError, TimecodeError
from storycore.tools.rates import parse_rate, rate_to_string
from storycore.tools.text import fold_phrase as _fold

_KNOWN_RATIO_TEXT = re.compile(
    r"(?<![\d.:])(16\s*[:/]\s*9|9\s*[:/]\s*16|4\s*[:/]\s*3|3\s*[:/]\s*4|1\s*[:/]\s*1|"
    r"4\s*[:/]\s*5|21\s*[:/]\s*9|2[.,]39\s*:\s*1|2[.,]35\s*:\s*1|2[.,]40?\s*:\s*1|"
    r"1[.,]85\s*:\s*1|1[.,]78\s*:\s*1|1[.,]33\s*:\s*1)(?![\d:])"
)
_ASPECT_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:vertical|verticale|verticaux)\b"), "9:16"),
    (re.compile(r"\b(?:portrait (?:format|mode|orientation)|(?:format|mode) portrait)\b"), "9:16"),
    (re.compile(r"\b(?:tiktok|instagram reels?|youtube shorts)\b"), "9:16"),
    (
        re.compile(
            r"\b(?:square (?:format|video|frame|aspect|crop)|(?:format|en|au format) carre)\b"
        ),
        "1:1",
    ),
    (re.compile(r"\b(?:landscape (?:format|mode|orientation)|(?:format|mode) paysage)\b"), "16:9"),
    (re.compile(r"\b(?:horizontal (?:format|video)|format horizontal|widescreen)\b"), "16:9"),
    (re.compile(r"\b(?:cinemascope|scope format|anamorphic widescreen|format scope)\b"), "2.39:1"),
]
_CLOCK_IN_TEXT = re.compile(
    r"(?<![\d:.,])(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:\.(\d{1,2}))?(?![\d:])"
)
_UNITS_RE = r"(?:hours?|hrs?|heures?|h|minutes?|mins?|mn|seconds?|secondes?|secs?|s)"
_DURATION_IN_TEXT = re.compile(
    r"(?<![\w.,$€-])(\d+\s*(?:h|min|mn)\s*\d{2}(?![\w:])"
    r"|\d+m\d{1,2}s(?![\w])"
    rf"|(?:{_NUM}|{_WORD_NUM})\s*-?\s*{_UNITS_RE}(?![\w-])"
    rf"(?:\s*(?:and\s+|et\s+|,\s*)?(?:{_NUM}|{_WORD_NUM})\s*-?\s*{_UNITS_RE}(?![\w-]))*)",
    re.IGNORECASE,
)
_DECADE_AFTER = re.compile(
    r"^[\s-]*(?:style|vibe|aesthetic|look|music|fashion|era|disco|synth|rock|pop|hip|r&b|"
    r"nostalg|movie|film|tv|sitcom|kid|cartoon|anime|retro|neon|vhs|glam|punk|grunge|kitsch)"
)
_TOTAL_BEFORE = re.compile(
    r"(?:duration|durée|duree|length|longueur|runtime|run time|total|lasts?|runs?|dure|"
    r"durera|fera|makes?|de|d'une durée de|of|about|environ|max(?:imum)?|un|une|a|an)"
    r"\W*$"
)
_FORMAT_NOUNS = (
    r"(?:spot|ad|advert|commercial|pub|publicité|clip|video|vidéo|film|movie|trailer|teaser|"
    r"bande-annonce|music video|court[- ]métrage|short|reel|piece|story|sequence|séquence|"
    r"long|au total|in total|total|max(?:imum)?)"
)
_AD_AFTER_DURATION = re.compile(
    r"^[\s-]*(?:[a-zà-ÿ]+\s+){0,2}(?:spot|ad|advert|commercial|pub|publicité)\b"
)
_FPS_IN_TEXT = re.compile(
    r"(?<![\w.,$€])(\d{2}(?:[.,]\d{1,3})?)\s*(?:fps|i/s|ips|images par seconde|images/s|"
    r"frames per second|frames/s|p(?![\w]))"
    r"(?:\s*[-(]?\s*(non[\s-]?drop(?:[\s-]?frame)?|ndf|drop[\s-]?frame|df)\b\)?)?"
    r"|(?<![\w.,$€])(23[.,]976?|23[.,]98|29[.,]97|59[.,]94)(?![\d])"
    r"(?:\s*(?:fps|i/s|ips)?\s*[-(]?\s*(non[\s-]?drop(?:[\s-]?frame)?|ndf|drop[\s-]?frame|df)"
    r"\b\)?)?",
    re.IGNORECASE,
)
_RESOLUTION_IN_TEXT = re.compile(
    r"(?<![\w.$€])(\d{3,5})\s*[x×]\s*(\d{3,5})(?![\w])"
    r"|(?<![\w.$€])(480|540|720|1080|1440|2160)p(?![\w])"
    r"|(?<![\w.$€,])([248])k(?![\w])(?!\s*(?:\$|€|usd|eur|dollars?|euros?|budget|views|followers))"
    r"|\b(ultra hd|uhd|full hd|fhd)\b",
    re.IGNORECASE,
)
_LANG_ALTERNATION = "|".join(sorted(_LANGUAGE_WORDS, key=len, reverse=True))
_PROMPT_LANGUAGE = re.compile(
    rf"\bprompts?\b(?:[^.\n;]{{0,40}}?)\b(?:in|en)\s+({_LANG_ALTERNATION})\b"
    rf"|\bprompt language\W+({_LANG_ALTERNATION})\b"
    rf"|\blangue des prompts\W+({_LANG_ALTERNATION})\b"
)
_ANSWER_LANGUAGE = re.compile(
    r"\b(?:answer|answers|answer me|reply|replies|respond|talk to me|speak to me|write to me|"
    r"chat with me|reponds|repondez|reponse|reponses|parle moi|parlez moi|parle avec moi|"
    r"parlez avec moi|ecris moi|ecrivez moi|discutons|dialoguons)"
    rf"(?:\s+moi)?\s+(?:in|en)\s+({_LANG_ALTERNATION})\b"
    rf"|\b(?:assistant|interface)\s+(?:in|en)\s+({_LANG_ALTERNATION})\b"
)


_BUDGET = re.compile(
    r"budget\b[^.\n$€]{0,30}?(?:\$\s?(\d[\d,]*(?:\.\d+)?)\s*(k)?|(\d[\d,]*(?:\.\d+)?)\s*(k)?"
    r"\s*(\$|usd|dollars?|€|eur|euros?))"
    r"|\$\s?(\d[\d,]*(?:\.\d+)?)\s*(k)?\s+(?:\w+\s+){0,2}?budget\b",
    re.IGNORECASE,
)


def _language_of_text(text: str) -> str:
    """ "fr" or "en" by common words: decides which ambiguous words count."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    french = {
        "le",
        "la",
        "les",
        "des",
        "une",
        "est",
        "et",
        "dans",
        "avec",
        "pour",
        "qui",
        "sur",
        "du",
        "au",
        "aux",
        "pas",
        "elle",
        "il",
        "nous",
        "vous",
        "sont",
        "cette",
        "ce",
        "se",
        "ne",
        "je",
        "où",
        "très",
        "plus",
        "puis",
    }
    english = {
        "the",
        "and",
        "is",
        "with",
        "for",
        "of",
        "in",
        "to",
        "an",
        "she",
        "he",
        "we",
        "you",
        "are",
        "this",
        "that",
        "it",
        "be",
        "by",
        "her",
        "his",
        "from",
        "at",
        "into",
        "then",
    }
    fr = sum(word in french for word in words)
    en = sum(word in english for word in words)
    return "fr" if fr >= 3 and fr > en else "en"


def _style_pattern() -> list[tuple[str, str]]:
    pairs = [
        (spelling, canonical)
        for canonical, spellings in STYLE_VOCABULARY.items()
        for spelling in spellings
    ]
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


_STYLE_SPELLINGS = _style_pattern()
_STYLE_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(s) for s, _ in _STYLE_SPELLINGS) + r")(?![\w-])",
    re.IGNORECASE,
)
_STYLE_LOOKUP = {spelling.lower(): canonical for spelling, canonical in _STYLE_SPELLINGS}


def find_style_words(text: str, *, language: str = "en") -> list[str]:
    """The canonical style words of :data:`STYLE_VOCABULARY` found in ``text``, in order."""
    found: list[str] = []
    for match in _STYLE_RE.finditer(text):
        spelling = match.group(1).lower()
        if spelling in _STYLE_NOT_IN_FRENCH and language == "fr":
            continue
        canonical = _STYLE_LOOKUP[spelling]
        if canonical not in found:
            found.append(canonical)
    return found


def _pace_pattern() -> re.Pattern[str]:
    words = sorted(
        ((w, pace) for pace, ws in PACE_WORDS.items() for w in ws),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    return re.compile(
        r"\b(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w, _ in words) + r")\b"
        r"(?!\s+(?:hoc|lib|libitum|infinitum|district|street|area|zone|centre|center|building)\b)"
    )


_PACE_RE = _pace_pattern()
_PACE_LOOKUP = {w: pace for pace, ws in PACE_WORDS.items() for w in ws}


def _scan_prose(text: str, language: str, models: _ModelTable) -> _Prose:
    """Every spec the free text states, in order of appearance (one scanner per kind)."""
    prose = _Prose()
    lower = text.lower()
    folded = _fold(text)
    ratio_spans = _scan_aspects(prose, lower, folded)
    _scan_clock_durations(prose, lower, ratio_spans)
    _scan_unit_durations(prose, lower)
    prose.durations.sort(key=lambda f: lower.find(f.text))
    _scan_resolutions(prose, lower)
    _scan_fps(prose, lower)
    _scan_languages(prose, folded)
    _scan_local_only(prose, folded)
    _scan_models(text, models, prose)
    _scan_budget(prose, text)
    _scan_pace(prose, folded)
    prose.style_words = find_style_words(text, language=language)
    return prose


def _scan_aspects(prose: _Prose, lower: str, folded: str) -> list[tuple[int, int]]:
    """Aspect ratios written as numbers ("16:9") or words ("vertical"); returns the spans of
    the numeric ones (a clock duration never reads inside them)."""
    ratio_spans: list[tuple[int, int]] = []
    for match in _KNOWN_RATIO_TEXT.finditer(lower):
        ratio_spans.append(match.span())
        raw = re.sub(r"\s", "", match.group(1)).replace(",", ".").replace("/", ":")
        prose.aspects.append(_Found(parse_aspect_ratio(raw), match.group(1)))
    for pattern, ratio in _ASPECT_WORDS:
        for match in pattern.finditer(folded):
            prose.aspects.append(_Found(ratio, match.group(0)))
    # Ratios are listed by position so that "the first mention wins" holds across forms.
    prose.aspects.sort(key=lambda f: _position(folded, lower, f.text))
    return ratio_spans


def _scan_clock_durations(prose: _Prose, lower: str, ratio_spans: list[tuple[int, int]]) -> None:
    """Durations written as clocks ("4:27", "1:02:30"), not times of day ("at 10:30")."""
    for match in _CLOCK_IN_TEXT.finditer(lower):
        span = match.span()
        if any(a < span[1] and span[0] < b for a, b in ratio_spans):
            continue
        before, after = lower[max(0, match.start() - 8) : match.start()], lower[match.end() :]
        if re.search(r"(?:\bat|à|\bvers|dès|\bfrom|\buntil|jusqu'à)\s*$", before) or re.match(
            r"\s*(?:am|pm|a\.m|p\.m|h\b|heures?\b|o'clock)", after
        ):
            continue
        try:
            seconds = parse_duration(match.group(0))
        except BriefError:
            continue
        prose.durations.append(_Found(seconds, match.group(0), _strong(lower, match)))


def _scan_unit_durations(prose: _Prose, lower: str) -> None:
    """Durations with units ("90 seconds", "1m30s", "a 30-second spot"); a spot sets the pace."""
    for match in _DURATION_IN_TEXT.finditer(lower):
        phrase = match.group(1)
        if _is_decade(lower, match):
            continue
        before = lower[max(0, match.start() - 10) : match.start()]
        if re.search(r"\b(?:at|à|vers|dès)\s*$", before) and re.search(r"\d\s*h", phrase):
            continue  # "à 20h30" is a time of day
        try:
            seconds = parse_duration(re.sub(r"(?<=\d)\s*-\s*", " ", phrase))
        except _DurationRangeError as exc:
            if "4 hours" in str(exc):
                prose.not_understood.append(f"duration {phrase!r} is longer than 4 hours")
            continue
        except BriefError:
            continue
        # "a 30-second spot": the attributive form names the length of the whole.
        strong = bool(re.search(r"\d\s*-\s*[a-z]", phrase)) or _strong(lower, match)
        prose.durations.append(_Found(seconds, phrase, strong))
        if _AD_AFTER_DURATION.match(lower[match.end() :]) and prose.pace is None:
            prose.pace = _Found("ad", lower[match.start() : match.end() + 10].strip())


def _scan_resolutions(prose: _Prose, lower: str) -> None:
    """Frame sizes ("1920x1080") and quality classes ("1080p", "4K", "UHD")."""
    for match in _RESOLUTION_IN_TEXT.finditer(lower):
        if match.group(1):
            try:
                size = Resolution(width=int(match.group(1)), height=int(match.group(2)))
            except ValidationError:
                prose.not_understood.append(
                    f"resolution {match.group(0)!r} is not a frame size StoryCore can use"
                )
                continue
            prose.resolutions.append(_Found((size, False), match.group(0)))
        else:
            if match.group(3):
                name = f"{match.group(3)}p"
            elif match.group(4):
                name = f"{match.group(4)}k"
            else:
                name = match.group(5)
            size = parse_resolution({"ultra hd": "uhd"}.get(name, name))
            prose.resolutions.append(_Found((size, True), match.group(0)))


def _scan_fps(prose: _Prose, lower: str) -> None:
    """Frame rates ("25 fps", "29.97 drop-frame"), and drop-frame said on its own."""
    for match in _FPS_IN_TEXT.finditer(lower):
        number = (match.group(1) or match.group(3)).replace(",", ".")
        drop_text = match.group(2) or match.group(4)
        if (
            match.group(1)
            and re.search(r"p$", match.group(0).strip())
            and number in {"480", "540", "720", "1080"}
        ):
            continue
        try:
            rate = parse_rate(number)
        except TimecodeError:
            prose.not_understood.append(
                f"frame rate {match.group(0).strip()!r} is not one StoryCore supports "
                "(23.976, 24, 25, 29.97, 30, 48, 50, 59.94, 60)"
            )
            continue
        drop = None
        if drop_text:
            drop = not drop_text.startswith(("non", "ndf"))
        prose.fps.append(_Found((rate_to_string(rate), drop), match.group(0).strip()))
    if not prose.fps and re.search(r"\bdrop[\s-]?frame\b", lower):
        prose.drop_frame = not re.search(r"\bnon[\s-]?drop", lower)


def _scan_languages(prose: _Prose, folded: str) -> None:
    """The language of the prompts ("prompts in English") and of the answers ("réponds en
    français")."""
    for pattern, target in (
        (_PROMPT_LANGUAGE, prose.prompt_language),
        (_ANSWER_LANGUAGE, prose.answer_language),
    ):
        for match in pattern.finditer(folded):
            word = next(g for g in match.groups() if g)
            target.append(_Found(_LANGUAGE_WORDS[word], match.group(0)))


def _scan_local_only(prose: _Prose, folded: str) -> None:
    """A wish for local models only ("no cloud", "uniquement en local")."""
    local = _LOCAL_ONLY.search(folded)
    if local:
        prose.local_only = _Found(True, local.group(0))


def _scan_budget(prose: _Prose, text: str) -> None:
    """The first budget in US dollars ("budget of $200", "$1.5k budget"); euros are refused."""
    budget = _BUDGET.search(text)
    if budget:
        groups = budget.groups()
        amount = groups[0] or groups[2] or groups[5]
        thousands = groups[1] or groups[3] or groups[6]
        currency = (groups[4] or "$").lower()
        value = float(amount.replace(",", "")) * (1000 if thousands else 1)
        if currency in ("€", "eur", "euro", "euros"):
            prose.not_understood.append(
                f"budget {budget.group(0).strip()!r} is not in US dollars; give it in USD"
            )
        else:
            prose.budget = _Found(value, budget.group(0).strip())


def _scan_pace(prose: _Prose, folded: str) -> None:
    """The first pace word ("trailer", "clip musical"), unless a spot was named before it."""
    pace = _PACE_RE.search(folded)
    if pace and (prose.pace is None or pace.start() < folded.find(_fold(prose.pace.text))):
        word = re.sub(r"\s+", " ", pace.group(1))
        prose.pace = _Found(_PACE_LOOKUP[word], pace.group(0))


def _position(folded: str, lower: str, text: str) -> int:
    at = lower.find(text)
    return at if at >= 0 else folded.find(text)


def _strong(lower: str, match: re.Match[str]) -> bool:
    """A duration that reads as the total length ("lasts 90 seconds", "a 2 min clip")."""
    before = lower[max(0, match.start() - 30) : match.start()]
    after = lower[match.end() : match.end() + 25]
    return bool(_TOTAL_BEFORE.search(before)) or bool(
        re.match(rf"[\s-]*(?:\w+\s+)?{_FORMAT_NOUNS}\b", after)
    )


def _is_decade(lower: str, match: re.Match[str]) -> bool:
    """ "the 90s", "80s synthwave", "les années 80s", "1980s": a decade, not a duration."""
    phrase = match.group(1)
    decade = re.fullmatch(r"(\d{2,4})s", phrase)
    if not decade:
        return False
    number = int(decade.group(1))
    if 1900 <= number <= 2099:
        return True
    if number % 10 or not 10 <= number <= 90:
        return False
    before = lower[max(0, match.start() - 12) : match.start()]
    return bool(re.search(r"(?:\bthe|\bles|années|annees|['’])\s*$", before)) or bool(
        _DECADE_AFTER.match(lower[match.end() :])
    )
