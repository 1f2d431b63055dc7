"""Specs stated in the free text of a brief: durations, aspect ratios, resolutions, frame
rates, languages, model wishes, budget, pace and style words, each found by a documented
pattern (docs/brief-format.md).

The languages (the brief's own, the prompts' and the answers') are read by
``languages.py``; the model wishes by ``model_wishes.py``. :func:`_scan_prose` runs them all.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import ValidationError

from storycore.tools.brief.findings import _Found, _Prose

# _language_of_text and _script_language stay importable from here, as they were.
from storycore.tools.brief.languages import _language_of_text as _language_of_text
from storycore.tools.brief.languages import _scan_languages
from storycore.tools.brief.languages import _script_language as _script_language
from storycore.tools.brief.model_wishes import _LOCAL_ONLY, _ModelTable, _scan_models
from storycore.tools.brief.values import (
    _NUM,
    _WORD_NUM,
    CJK_DURATION_PART,
    HALF_UNIT,
    _DurationRangeError,
    parse_cjk_duration,
    parse_duration,
)
from storycore.tools.brief.vocabulary import (
    _STYLE_NOT_IN_FRENCH,
    MAX_DURATION_SECONDS,
    PACE_WORDS,
    STYLE_VOCABULARY,
)
from storycore.tools.domain import (
    ASPECT_RATIOS,
    LANGUAGE_NAMES,
    Resolution,
    parse_aspect_ratio,
    parse_resolution,
)
from storycore.tools.errors import BriefError, TimecodeError
from storycore.tools.rates import parse_rate, rate_to_string
from storycore.tools.text import echo, split_sentences
from storycore.tools.text import fold_phrase as _fold

_KNOWN_RATIO_TEXT = re.compile(
    r"(?<![\d.:])(16\s*[:/]\s*9|9\s*[:/]\s*16|4\s*[:/]\s*3|3\s*[:/]\s*4|1\s*[:/]\s*1|"
    r"4\s*[:/]\s*5|21\s*[:/]\s*9|2[.,]39\s*:\s*1|2[.,]35\s*:\s*1|2[.,]40?\s*:\s*1|"
    r"1[.,]85\s*:\s*1|1[.,]78\s*:\s*1|1[.,]33\s*:\s*1)(?![\d:])"
)
# Any other "N:M" read as a ratio only where the text says it is one ("format 10:1",
# "a 5:4 aspect ratio", "au rapport 2:1"); elsewhere "3:1" is a score or a proportion.
_RATIO_WORD = (
    r"(?:aspect(?:\s+ratio)?|ratio|format(?:o|e)?|rapport|proporci[oó]n|propor[cç][aã]o|"
    r"seitenverh[aä]ltnis|bildformat|formato\s+de\s+imagen|rapporto)"
)
_RATIO_NUMBERS = r"(\d{1,2}(?:[.,]\d{1,2})?\s*[:/]\s*\d{1,2}(?:[.,]\d{1,2})?)"
_SAID_RATIO_TEXT = re.compile(
    rf"\b{_RATIO_WORD}(?:\s+(?:of|de|d'image|du|en|in|at|à|di|von))?\s*:?\s*"
    rf"(?<![\d.:]){_RATIO_NUMBERS}(?![\d:])"
    rf"|(?<![\d.:]){_RATIO_NUMBERS}(?![\d:])\s*(?:\(?\s*)?{_RATIO_WORD}\b"
)
_ASPECT_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:vertical|verticale|verticaux|vertikal|vertikales|verticali)\b"), "9:16"),
    (re.compile(r"\b(?:hochformat|formato retrato|formato ritratto|modo retrato)\b"), "9:16"),
    (
        re.compile(
            r"\b(?:querformat|formato horizontal|formato orizzontale|orizzontale|apaisado|"
            r"formato paisaje|formato paisagem|modo paisagem)\b"
        ),
        "16:9",
    ),
    (re.compile(r"\b(?:formato (?:cuadrado|quadrado|quadrato)|quadratisch(?:es|en)?)\b"), "1:1"),
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
# Japanese, Chinese and Korean words for the frame's shape (no word boundaries in these
# scripts: matched as written).
_CJK_ASPECT_WORDS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"縦長|縦型|縦向き|縦動画|縦画面|竖屏|竖版|竖向|豎屏|直屏|세로형|세로\s*(?=\d|영상|화면|비율)"
        ),
        "9:16",
    ),
    (re.compile(r"横長|横型|横向き|横画面|横屏|横版|가로형|가로\s*(?=\d|영상|화면|비율)"), "16:9"),
    (re.compile(r"正方形|スクエア|方形画面|정사각형"), "1:1"),
    (re.compile(r"シネマスコープ|シネスコ|시네마스코프"), "2.39:1"),
]
_CLOCK_IN_TEXT = re.compile(
    r"(?<![\d:.,])(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:\.(\d{1,2}))?(?![\d:])"
)
_UNITS_RE = (
    r"(?:hours?|hrs?|heures?|horas?|stunden?|ore|ora|h|minutes?|minutos?|minuten|minuti|mins?|"
    r"mn|seconds?|secondes?|segundos?|seg|sekunden?|sek|secondi|secondo|secs?|s)"
)
_DURATION_IN_TEXT = re.compile(
    r"(?<![\w.,$€-])(\d+\s*(?:h|min|mn)\s*\d{2}(?![\w:])"
    r"|\d+m\d{1,2}s(?![\w])"
    rf"|(?:{_NUM}|{_WORD_NUM})\s*-?\s*{_UNITS_RE}(?![\w-])(?:\s+{HALF_UNIT})?"
    rf"(?:\s*(?:(?:and|et|y|e|und)\s+|,\s*)?(?:{_NUM}|{_WORD_NUM})\s*-?\s*{_UNITS_RE}"
    rf"(?![\w-])(?:\s+{HALF_UNIT})?)*)",
    re.IGNORECASE,
)
# "1分30秒", "九十秒", "1분 30초"; not "十分" (enough, very), "三分の一" (a third) nor the
# "1秒" of "1秒あたり24フレーム" (per second).
_CJK_DURATION_IN_TEXT = re.compile(
    rf"(?<![\d.,:〇零一二两兩三四五六七八九十百])({CJK_DURATION_PART}(?:\s*{CJK_DURATION_PART})*)"
    r"(?!\s*(?:あたり|当たり|につき|間に|当|당|에\s*\d))"
)
_CJK_TOTAL_BEFORE = re.compile(
    r"(?:長さ|尺|全体|合計|総尺|全長|再生時間|时长|总长|总时长|長度|长度|片长|길이|총|전체|분량|러닝타임)"
    r"\s*(?:は|が|を|:|为|為|是|约|約|는|은|이|가|대략|약)?\s*$"
)
_CJK_FORMAT_AFTER = re.compile(
    r"\s*(?:の|的|짜리|의|で|に)?\s*(?:動画|映像|ビデオ|作品|短編|広告|cm|mv|视频|影片|短片|广告|"
    r"短视频|視頻|영상|동영상|광고|단편|뮤직비디오)"
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
    r"frames per second|frames/s|im[aá]genes por segundo|cuadros por segundo|"
    r"fotogramas por segundo|fotogramas/s|bilder pro sekunde|bildern pro sekunde|bilder/s|"
    r"fotogrammi al secondo|fotogrammi per secondo|quadros por segundo|qps|p(?![\w]))"
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


_BUDGET = re.compile(
    r"budget\b[^.\n$€]{0,30}?(?:\$\s?(\d[\d,]*(?:\.\d+)?)\s*(k)?|(\d[\d,]*(?:\.\d+)?)\s*(k)?"
    r"\s*(\$|usd|dollars?|€|eur|euros?))"
    r"|\$\s?(\d[\d,]*(?:\.\d+)?)\s*(k)?\s+(?:\w+\s+){0,2}?budget\b",
    re.IGNORECASE,
)


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
    lower = _scan_text(text)
    folded = _fold(text)
    ratio_spans = _scan_aspects(prose, lower, folded)
    _scan_clock_durations(prose, lower, ratio_spans)
    _scan_unit_durations(prose, lower)
    _scan_cjk_durations(prose, lower)
    prose.durations.sort(key=lambda f: lower.find(f.text))
    _scan_resolutions(prose, lower)
    _scan_fps(prose, lower)
    _scan_languages(prose, folded, lower)
    _scan_local_only(prose, folded)
    _scan_models(text, models, prose)
    _scan_budget(prose, text)
    _scan_pace(prose, folded)
    prose.style_words = find_style_words(text, language=language)
    _report_unread(prose, text, lower, language)
    return prose


# Words that announce a spec: a sentence with one of them and a number, from which no spec
# was read, is reported instead of dropped ("予算は200ドル", "Auflösung: groß 2000").
_SPEC_CUES = re.compile(
    r"resolution|resolucion|auflosung|risoluzione|resolucao|budget|presupuesto|orcamento|"
    r"bildrate|framerate|frame rate|seitenverhaltnis|formato|dauer|duracion|durata|"
    r"duracao|longitud|"
    r"解像度|分辨率|解析度|해상도|予算|预算|預算|예산|フレームレート|帧率|幀率|프레임|アスペクト比|"
    r"宽高比|寬高比|画面比|화면비|長さ|时长|時長|길이|尺|画質|画质|화질"
)
_UNREAD_NOTE = (
    "the story is written in {name}: offline, StoryCore reads its specs (length, frame, frame "
    "rate, languages) but not who and what is in it; list the characters, places and props in "
    "Characters, Locations and Props sections, or plan with a language model"
)


def _report_unread(prose: _Prose, text: str, lower: str, language: str) -> None:
    """What the reader saw but could not use: a sentence with a spec word and a number that
    gave no spec, and a story in a language the offline breakdown does not read."""
    found = [
        f.text
        for kind in (prose.durations, prose.aspects, prose.resolutions, prose.fps)
        for f in kind
    ] + [f.text for f in (*prose.answer_language, *prose.prompt_language, prose.budget) if f]
    for paragraph in re.split(r"\n\s*\n", text):
        for sentence in split_sentences(" ".join(paragraph.split())):
            scanned = _scan_text(sentence)
            key = _fold(scanned) + " " + scanned
            if not (_SPEC_CUES.search(key) and re.search(r"\d", scanned)):
                continue
            if any(item and (item in scanned or item in _fold(sentence)) for item in found):
                continue
            if any(sentence[:30] in note for note in prose.not_understood):
                continue
            prose.not_understood.append(f"{echo(sentence, 80)}: a spec that was not understood")
    if language not in ("en", "fr"):
        prose.not_understood.append(_UNREAD_NOTE.format(name=LANGUAGE_NAMES[language]))


def states_a_spec(sentence: str) -> bool:
    """Whether ``sentence`` states a length, a frame, a frame rate or a language (in any
    language the reader knows): the production notes of briefs in Japanese, Chinese or
    Korean, whose words the English and French note words cannot catch."""
    prose = _Prose()
    lower = _scan_text(sentence)
    folded = _fold(sentence)
    _scan_aspects(prose, lower, folded)
    _scan_unit_durations(prose, lower)
    _scan_cjk_durations(prose, lower)
    _scan_fps(prose, lower)
    _scan_languages(prose, folded, lower)
    return bool(prose.durations or prose.aspects or prose.fps or prose.answer_language) or bool(
        prose.prompt_language
    )


_CJK_CHAR = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_CJK_THEN_ASCII = re.compile(rf"(?<=[{_CJK_CHAR}])(?=[a-z0-9$€])|(?<=[a-z0-9%])(?=[{_CJK_CHAR}])")


def _scan_text(text: str) -> str:
    """The text the scanners read: compatibility forms unified (full-width "９０ｆｐｓ" and
    "：" to ASCII), lower case, and a space between a Japanese, Chinese or Korean character
    and a Latin letter or digit, since those scripts put no space between words ("縦長9:16の
    動画を24fpsで" reads like "縦長 9:16 の動画を 24 fps で")."""
    return _CJK_THEN_ASCII.sub(" ", unicodedata.normalize("NFKC", text).lower())


def _scan_aspects(prose: _Prose, lower: str, folded: str) -> list[tuple[int, int]]:
    """Aspect ratios written as numbers ("16:9") or words ("vertical"); returns the spans of
    the numeric ones (a clock duration never reads inside them)."""
    ratio_spans: list[tuple[int, int]] = []
    for match in _KNOWN_RATIO_TEXT.finditer(lower):
        ratio_spans.append(match.span())
        raw = re.sub(r"\s", "", match.group(1)).replace(",", ".").replace("/", ":")
        prose.aspects.append(_Found(parse_aspect_ratio(raw), match.group(1)))
    _scan_said_ratios(prose, lower, ratio_spans)
    for pattern, ratio in _ASPECT_WORDS:
        for match in pattern.finditer(folded):
            prose.aspects.append(_Found(ratio, match.group(0)))
    for pattern, ratio in _CJK_ASPECT_WORDS:
        for match in pattern.finditer(lower):
            prose.aspects.append(_Found(ratio, match.group(0).strip()))
    # Ratios are listed by position so that "the first mention wins" holds across forms.
    prose.aspects.sort(key=lambda f: _position(folded, lower, f.text))
    return ratio_spans


def _scan_said_ratios(prose: _Prose, lower: str, ratio_spans: list[tuple[int, int]]) -> None:
    """A ratio the text calls one but no planned frame has ("format 10:1"): reported as not
    understood, naming the ratios that can be planned, instead of being dropped without a
    word while the plan goes out at the default frame. One close to a planned ratio
    ("1.77:1") is that ratio."""
    for match in _SAID_RATIO_TEXT.finditer(lower):
        group = 1 if match.group(1) else 2
        span = match.span(group)
        if any(a < span[1] and span[0] < b for a, b in ratio_spans):
            continue
        ratio_spans.append(span)
        said = re.sub(r"\s", "", match.group(group))
        try:
            ratio = parse_aspect_ratio(said.replace(",", ".").replace("/", ":"))
        except ValueError:
            prose.not_understood.append(
                f"aspect ratio {said!r} cannot be planned; use one of {', '.join(ASPECT_RATIOS)}"
            )
            continue
        prose.aspects.append(_Found(ratio, match.group(group)))


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


def _scan_cjk_durations(prose: _Prose, lower: str) -> None:
    """Durations in Japanese, Chinese and Korean ("90秒", "1分30秒", "一分半", "1분 30초")."""
    for match in _CJK_DURATION_IN_TEXT.finditer(lower):
        phrase = match.group(1).strip()
        if re.fullmatch(r"十\s*分", phrase) or (
            phrase.endswith("分") and lower[match.end() :].lstrip().startswith("の")
        ):
            continue  # 十分: "enough" (ja), "very" (zh); 三分の一: a third
        seconds = parse_cjk_duration(phrase)
        if seconds is None:
            prose.not_understood.append(f"duration {phrase!r} could not be read")
            continue
        if seconds > MAX_DURATION_SECONDS:
            prose.not_understood.append(f"duration {phrase!r} is longer than 4 hours")
            continue
        before = lower[max(0, match.start() - 12) : match.start()]
        strong = bool(_CJK_TOTAL_BEFORE.search(before)) or bool(
            _CJK_FORMAT_AFTER.match(lower[match.end() :])
        )
        prose.durations.append(_Found(seconds, phrase, strong))


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
    _scan_cjk_fps(prose, lower)
    if not prose.fps and re.search(r"\bdrop[\s-]?frame\b", lower):
        prose.drop_frame = not re.search(r"\bnon[\s-]?drop", lower)


_RATE = r"(\d{2}(?:\.\d{1,3})?)"
# "毎秒24フレーム", "每秒25帧", "초당 24프레임", "24フレーム/秒", "帧率25", "25帧".
_CJK_FPS_IN_TEXT = re.compile(
    rf"(?:毎秒|每秒|초당|秒間|1\s*秒\s*(?:あたり|当たり|間に|につき))\s*{_RATE}\s*"
    r"(?:フレーム|コマ|帧|幀|프레임|枚|장)"
    rf"|{_RATE}\s*(?:フレーム|コマ|帧|幀|프레임)\s*(?:/|毎|每|per)\s*(?:秒|초|s\b)"
    r"|(?:フレームレート|フレーム\s*レート|帧率|幀率|帧速率|幀速率|프레임\s*레이트|프레임율|프레임\s*속도)"
    rf"\s*(?:は|を|が|:|为|為|是|用|는|은|을|를|가|이)?\s*{_RATE}"
    rf"|(?<![\d.]){_RATE}\s*(?:帧|幀)(?!\s*(?:/|每|毎))"
)


def _scan_cjk_fps(prose: _Prose, lower: str) -> None:
    """Frame rates in Japanese, Chinese and Korean; "25帧" alone counts only at a rate
    StoryCore supports (otherwise it is a number of frames, not a rate)."""
    for match in _CJK_FPS_IN_TEXT.finditer(lower):
        number = next(g for g in match.groups() if g)
        bare = match.group(4) is not None
        try:
            rate = parse_rate(number)
        except TimecodeError:
            if not bare:
                prose.not_understood.append(
                    f"frame rate {match.group(0).strip()!r} is not one StoryCore supports "
                    "(23.976, 24, 25, 29.97, 30, 48, 50, 59.94, 60)"
                )
            continue
        prose.fps.append(_Found((rate_to_string(rate), None), match.group(0).strip()))
    prose.fps.sort(key=lambda f: lower.find(f.text))


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
