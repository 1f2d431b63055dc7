"""What a shot's text says about the weather and the time of day, in English and French, to
compare with the shot's ``weather`` and ``time_of_day`` fields."""

from __future__ import annotations

import re

from storycore.tools.feedback.text import fold

#: Weather values by family: a shot "in the rain" whose text says the sun shines is wrong.
WET = frozenset({"rain", "storm", "snow", "drizzle", "downpour", "thunderstorm"})
DRY = frozenset({"sunny", "clear", "sun", "sunshine"})
NIGHT = frozenset({"night", "midnight", "late night", "nighttime"})
DAY = frozenset({"day", "daytime", "morning", "noon", "midday", "afternoon", "daylight"})

_RAIN = r"(?:rain|drizzle|downpour|storm|snow|showers?|pluie|averse|orage|neige|bruine)"
_STOPPED = (
    r"(?:has |have |had |is |just )?(?:stopped|stops|ceased|ceases|cleared|clears|is over|"
    r"was over|ended|ends|let up|lets up|eased off|eases off|passed)"
)
# Sentences saying the wet weather is over or absent.
_WET_OVER = re.compile(
    r"(?<![a-z])(?:"
    + _RAIN
    + r"\s+"
    + _STOPPED
    + r"|(?:stopped|stops|no longer|isn't|is not|not)\s+(?:raining|snowing|pouring)"
    + r"|no (?:more )?(?:rain|snow)(?![a-z])"
    + r"|after the (?:rain|storm|snow)"
    + r"|(?:la |l')?(?:pluie|averse|orage|neige)\s+(?:a |s'est |s'est\s+)?"
    + r"(?:cesse|arrete|s'arrete|s'est arretee|se calme|se dissipe|dissipee|finie|terminee)"
    + r"|(?:ne |n')\s*(?:pleut|neige)\s+plus"
    + r"|plus de (?:pluie|neige)"
    + r"|apres (?:la pluie|l'orage|l'averse)"
    + r")"
)
# Sentences saying the sun shines or the sky is clear.
_DRY_NOW = re.compile(
    r"(?<![a-z])(?:sunny|sunshine|sunlit|sun-drenched|blazing sun|the sun (?:shines|blazes|beats)"
    r"|clear (?:blue )?sky|cloudless|under a blue sky|ensoleille|grand soleil|plein soleil"
    r"|le soleil (?:brille|tape)|ciel (?:bleu|degage))(?![a-z])"
)
_WET_NOW = re.compile(
    r"(?<![a-z])(?:it(?:'s| is) raining|raining|pouring rain|downpour|in the rain|rain falls|"
    r"rain-soaked|rainy|sous la pluie|il pleut|pluie battante|averse)(?![a-z])"
)
# Statements of time. "night shift", "nightclub" are not.
_NIGHT_NOW = re.compile(
    r"(?<![a-z])(?:at night|tonight|midnight|moonlight|moonlit|night sky|in the dead of night|"
    r"middle of the night|[1-4] ?a\.?m\.?(?![a-z])|la nuit(?! blanche)|de nuit|cette nuit|"
    r"minuit|clair de lune|au milieu de la nuit|en pleine nuit)(?![a-z])"
)
_DAY_NOW = re.compile(
    r"(?<![a-z])(?:in (?:broad )?daylight|broad daylight|midday|at noon|noon sun|"
    r"in the (?:morning|afternoon)|this (?:morning|afternoon)|the next morning|morning sun|"
    r"afternoon sun|en plein jour|le matin|ce matin|au matin|a midi|l'apres-midi|"
    r"lumiere du jour|le lendemain matin)(?![a-z])"
)


def weather_contradiction(weather: str | None, text: str) -> tuple[str, str | None] | None:
    """``(what the text says, the weather it implies or None)`` when ``text`` contradicts
    ``weather``; None when it does not."""
    if not weather or not text:
        return None
    value = fold(weather).strip()
    folded = fold(text)
    if any(word in value for word in WET):
        over = _WET_OVER.search(folded)
        if over:
            return text[over.start() : over.end()], None
        dry = _DRY_NOW.search(folded)
        if dry:
            return text[dry.start() : dry.end()], "sunny"
    elif any(word in value for word in DRY):
        wet = _WET_NOW.search(folded)
        if wet and not _WET_OVER.search(folded):
            return text[wet.start() : wet.end()], "rain"
    return None


def time_contradiction(time_of_day: str | None, text: str) -> tuple[str, str] | None:
    """``(what the text says, the time of day it implies)`` when ``text`` contradicts
    ``time_of_day`` (night against day); None when it does not."""
    if not time_of_day or not text:
        return None
    value = fold(time_of_day).strip()
    folded = fold(text)
    if value in DAY or any(value.startswith(word) for word in ("morning", "afternoon")):
        night = _NIGHT_NOW.search(folded)
        if night:
            return text[night.start() : night.end()], "night"
    elif value in NIGHT:
        day = _DAY_NOW.search(folded)
        if day:
            said = folded[day.start() : day.end()]
            implied = "morning" if "morning" in said or "matin" in said else "day"
            return text[day.start() : day.end()], implied
    return None
