"""Scene headings and their vocabulary: interior/exterior, the periods of the day, the times
that continue a scene or jump ahead, :func:`parse_heading`, and whether a text looks like a
screenplay at all."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from storycore.tools.domain import IntExt
from storycore.tools.text import fold_words_keep_colon as fold

_INT_EXT = re.compile(
    r"^(?P<ie>INT\.?\s*/\s*EXT|EXT\.?\s*/\s*INT|I\s*/\s*E|E\s*/\s*I|INT\.?\s+EXT|"
    r"INT(?:ERIOR|ÉRIEUR|ERIEUR)?|EXT(?:ERIOR|ÉRIEUR|ERIEUR)?|EST)(?:\.|\s|$)\s*",
    re.IGNORECASE,
)
_INT_EXT_CODES = {
    "EST": IntExt.EXT,
    "INTEXT": IntExt.INT_EXT,
    "E/I": IntExt.INT_EXT,
    "INT": IntExt.INT,
    "EXT": IntExt.EXT,
}
# What screenplain recognises as a heading without a leading '.'.
_STANDARD_HEADING = re.compile(r"^(?:INT|EXT|EST|INT\.?/EXT|I/E)[ .]", re.IGNORECASE)
_CUE_LINE = re.compile(r"^[A-Z][A-Z .'\-]{1,30}$")
_HEADING_LINE = re.compile(r"^(?:\.(?!\.)\S|(?:INT|EXT|EST|INT\.?/EXT|I/E)[\s.])", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"\s*#([\w.\-]+)#\s*$")
_PART_SEPARATOR = re.compile(r"\s+[-–—]+\s+")


#: Periods of the day a heading can name, with their English and French words. The keys are
#: what shots carry as ``time_of_day`` (generation prompts light by them).
PERIODS: dict[str, tuple[str, ...]] = {
    "dawn": (
        "dawn",
        "sunrise",
        "daybreak",
        "first light",
        "aube",
        "aurore",
        "lever du jour",
        "lever du soleil",
        "point du jour",
    ),
    "morning": ("morning", "early morning", "late morning", "matin", "matinee", "petit matin"),
    "day": ("day", "daytime", "afternoon", "noon", "midday", "jour", "apres midi", "midi"),
    "evening": (
        "evening",
        "sunset",
        "dusk",
        "twilight",
        "golden hour",
        "magic hour",
        "soir",
        "soiree",
        "crepuscule",
        "coucher du soleil",
        "fin de journee",
    ),
    "night": ("night", "midnight", "late night", "nuit", "minuit", "nuit tombee"),
}
#: Heading times that continue the previous scene without a cut in time.
CONTINUOUS_TIMES = frozenset(
    {"continuous", "cont", "continued", "same", "same time", "suite", "continu", "continue"}
    | {"meme moment", "au meme moment", "meme temps"}
)
#: Heading times that skip a little time: a cut is enough.
ELLIPSIS_TIMES = frozenset(
    {"moments later", "a moment later", "seconds later", "minutes later", "instants plus tard"}
    | {"un instant plus tard", "quelques instants plus tard", "quelques minutes plus tard"}
)
#: Words that mark a time jump (a dissolve), alone or with a period ("THE NEXT MORNING").
_JUMP_WORDS = re.compile(
    r"\b(later|next|following|earlier|plus tard|plus tot|lendemain|veille|suivant|suivante|"
    r"flashback|flash back)\b"
)
# 10:30, 10h30, 10:30 pm, 10 pm (a bare number is not a time: "INT. ROOM - 12").
_CLOCK = re.compile(r"^(\d{1,2})\s*(?:[:h]\s*\d{2}\s*(am|pm|a m|p m)?|(am|pm|a m|p m))$")

TimeRelation = Literal["start", "continuous", "ellipsis", "jump", "same_period", "unspecified"]


#: The periods in the order a day runs through them: what comes before and after each.
_CYCLE = ("night", "dawn", "morning", "day", "evening")
#: The moments a period word may name rather than a span: the sun coming up, going down,
#: noon and midnight, each with the period just before it and the one just after.
_MOMENTS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(PERIODS["dawn"], ("night", "morning")),
    **dict.fromkeys(("sunset", "dusk", "crepuscule", "coucher du soleil"), ("evening", "night")),
    **dict.fromkeys(("noon", "midday", "midi"), ("morning", "day")),
    **dict.fromkeys(("midnight", "minuit"), ("night", "night")),
}
# A word that puts the time before or after the period named next, then an article maybe
# (folded: "before sunrise", "just after dusk", "avant l aube", "jusqu au lever du soleil").
_QUALIFIER = re.compile(
    r"(?:^| )(?P<word>(?:(?:just|right|shortly|long|well|soon|juste|peu|bien|un peu) )?"
    r"(?P<side>before|after|until|till|avant|apres|jusqu a|jusqu au|jusqua|jusquau))"
    r"(?: (?:the|le|la|l))? $"
)
_BEFORE_WORDS = frozenset({"before", "until", "till", "avant", "jusqu a", "jusqu au"})
#: Words that keep a moment's own period after it: "just after sunset" is still evening.
_NEAR_WORDS = frozenset({"just", "right", "shortly", "soon", "juste", "peu"})


def qualified_period(folded: str) -> tuple[str, str, int] | None:
    """The period of day a folded text names first, the words that name it and where they
    start ("at dawn" gives ("dawn", "dawn", 3)). A qualifier before the word moves the period
    and is part of the words: "before sunrise" and "jusqu a l aube" are still night ("night",
    "before sunrise", 0), "after sunset" is night but "just after sunset" still evening,
    "after dawn" is morning, "avant midi" the morning."""
    padded = f" {folded} "
    best: tuple[int, str, str] | None = None
    for period, words in PERIODS.items():
        for word in words:
            index = padded.find(f" {word} ")
            if index >= 0 and (best is None or index < best[0]):
                best = (index, period, word)
    if best is None:
        return None
    index, period, word = best
    qualifier = _QUALIFIER.search(padded[: index + 1].rstrip() + " ")
    if qualifier is None:
        return period, word, index
    side = qualifier.group("side").replace("jusqua", "jusqu a").replace("jusquau", "jusqu au")
    before = side in _BEFORE_WORDS
    near = qualifier.group("word").split()[0] in _NEAR_WORDS
    if word in _MOMENTS:
        earlier, later = _MOMENTS[word]
        moved = earlier if before else (period if near else later)
    else:  # a span: "before morning" is the end of the night, "after dark" the next period
        position = _CYCLE.index(period)
        moved = _CYCLE[(position + (-1 if before else 1)) % len(_CYCLE)]
    start = qualifier.start("word") - 1
    return moved, padded[start + 1 : index + 1 + len(word)], start


def _period_of(folded: str) -> str | None:
    qualified = qualified_period(folded)
    if qualified is not None:
        return qualified[0]
    clock = _CLOCK.match(folded)
    if clock:
        hour = int(clock.group(1)) % 24
        suffix = (clock.group(2) or clock.group(3) or "").replace(" ", "")
        if suffix == "pm" and hour < 12:
            hour += 12
        if suffix == "am" and hour == 12:
            hour = 0
        if 5 <= hour < 7:
            return "dawn"
        if 7 <= hour < 12:
            return "morning"
        if 12 <= hour < 17:
            return "day"
        if 17 <= hour < 21:
            return "evening"
        return "night"
    return None


def looks_like_screenplay(text: str) -> bool:
    """Whether text without a ``.fountain`` name is a screenplay: at least one standard scene
    heading (INT./EXT. ...) and one character cue (a short line in capitals)."""
    lines = [line.strip() for line in text.splitlines()]
    has_heading = any(_STANDARD_HEADING.match(line) and line.isupper() for line in lines)
    return has_heading and any(_CUE_LINE.match(line) for line in lines)


def is_time_of_day(text: str) -> bool:
    """Whether the last part of a heading names a time ("NIGHT", "LATER", "10:30 AM")."""
    folded = fold(text)
    return bool(
        folded
        and (
            folded in CONTINUOUS_TIMES
            or folded in ELLIPSIS_TIMES
            or _period_of(folded) is not None
            or _JUMP_WORDS.search(folded)
        )
    )


def lit_time(text: str | None) -> str | None:
    """The part of a heading's time that says how the scene is lit, lower case: "night",
    "the next morning"; None for a time that only relates it to the scene before
    ("CONTINUOUS", "LATER", "MOMENTS LATER"), which a picture cannot show."""
    if not text:
        return None
    folded = fold(text)
    if folded in CONTINUOUS_TIMES or folded in ELLIPSIS_TIMES:
        return None
    if _period_of(folded) is None and _JUMP_WORDS.search(folded):
        return None
    return text.lower()


@dataclass(frozen=True)
class SceneHeading:
    """A scene heading taken apart: ``INT. KITCHEN - NIGHT #12A#``."""

    text: str
    number: str | None = None
    int_ext: IntExt | None = None
    location: str | None = None
    time_of_day: str | None = None
    forced: bool = False


def parse_heading(line: str) -> SceneHeading:
    """Take a heading apart: INT/EXT, location, time of day (the last ``-`` part, when it
    names a time) and the ``#number#``. A leading ``.`` (a forced heading) is dropped."""
    text = line.strip()
    forced = text.startswith(".") and not text.startswith("..")
    if forced:
        text = text[1:].strip()
    number = None
    match = _SCENE_NUMBER.search(text)
    if match:
        number = match.group(1).upper()
        text = text[: match.start()].strip()
    int_ext: IntExt | None = None
    rest = text
    match = _INT_EXT.match(text)
    if match:
        code = re.sub(r"[\s.]", "", match.group("ie").upper())
        if code.startswith(("INTER", "INTÉR", "EXTER", "EXTÉR")):
            code = code[:3]  # INTERIOR, EXTÉRIEUR...
        int_ext = _INT_EXT_CODES.get(code) or IntExt.parse(code)
        rest = text[match.end() :].strip()
    parts = [p.strip() for p in _PART_SEPARATOR.split(rest) if p.strip()]
    time_of_day = None
    if len(parts) > 1 and is_time_of_day(parts[-1]):
        time_of_day = parts.pop()
    elif len(parts) == 1 and int_ext is None and is_time_of_day(parts[0]):
        # ".LATER" or ".THE NEXT MORNING": a forced heading that only moves time.
        time_of_day = parts.pop()
    location = " - ".join(parts) or None
    return SceneHeading(
        text=text,
        number=number,
        int_ext=int_ext,
        location=location,
        time_of_day=time_of_day,
        forced=forced,
    )
