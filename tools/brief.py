"""The brief parser: a Markdown creative brief to a :class:`CreativeBrief`, with no LLM.

A brief is Markdown with optional YAML front matter, optional sections (Characters,
Locations, Props, Scenes, in English or French) and free text anywhere. The parser reads the
structured parts exactly and finds technical specs in the free text (durations, aspect ratios,
resolutions, frame rates, languages, model wishes, style words, pace) with documented
patterns. It returns what it understood and what it did not (``not_understood``), and every
contradiction it resolved by a rule (``warnings``), so the assistant can ask.

The format and the rules are documented in ``docs/brief-format.md``. Precedence, strongest
first: front matter, then the free text, then values derived from other values (the sum of
the scene durations, a resolution's own aspect ratio).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, TextIO

import yaml
from pydantic import ValidationError

from storycore.tools.domain import (
    ASPECT_RATIOS,
    LANGUAGE_NAMES,
    BriefElement,
    BriefScene,
    CreativeBrief,
    Pace,
    Resolution,
    TechnicalSpecs,
    format_validation_error,
    normalize_language,
    parse_aspect_ratio,
    parse_resolution,
    resolution_for,
)
from storycore.tools.errors import BriefError, InvalidInput, TimecodeError
from storycore.tools.rates import is_drop_frame_rate, parse_rate, rate_label, rate_to_string

__all__ = [
    "BUILTIN_MODEL_ALIASES",
    "CLOUD_MODEL_IDS",
    "FRONT_MATTER_KEYS",
    "MAX_BRIEF_BYTES",
    "MAX_DURATION_SECONDS",
    "PACE_WORDS",
    "STYLE_VOCABULARY",
    "aspect_of",
    "fit_resolution",
    "parse_brief",
    "parse_duration",
    "parse_fps",
    "read_brief_text",
]

#: Longest video a brief may ask for (4 hours): anything longer is a typo.
MAX_DURATION_SECONDS = 4 * 3600
#: Largest brief file read (a brief is a page or two; a screenplay a few hundred KiB).
MAX_BRIEF_BYTES = 2 * 1024 * 1024

# --------------------------------------------------------------------------------------
# Vocabularies (documented in docs/brief-format.md)
# --------------------------------------------------------------------------------------

#: Human model names to model ids (ids of tools/data/models.yaml). Keys are folded with
#: :func:`_model_key`; a caller passes the registry's own names with ``known_models``.
BUILTIN_MODEL_ALIASES: dict[str, str] = {
    "wan": "wan22_14b",
    "wan 2.2": "wan22_14b",
    "wan 2.1": "wan21_flf2v",
    "sora": "sora2",
    "sora 2": "sora2",
    "sora 2 pro": "sora2_pro",
    "kling": "kling_25",
    "kling 2": "kling_25",
    "kling 2.5": "kling_25",
    "ltx": "ltx_video",
    "ltx video": "ltx_video",
    "ltxv": "ltx_video",
    "ltx 2": "ltx2",
    "hunyuan": "hunyuanvideo_15",
    "hunyuanvideo": "hunyuanvideo_15",
    "hunyuan video": "hunyuanvideo_15",
    "hunyuanvideo 1.5": "hunyuanvideo_15",
    "hunyuan 1.5": "hunyuanvideo_15",
    "veo": "veo3",
    "veo 3": "veo3",
    "runway": "runway_gen4",
    "runway gen 4": "runway_gen4",
    "gen 4": "runway_gen4",
    "seedance": "seedance_1_pro",
    "omnihuman": "omnihuman_15",
    "flux": "flux1_dev",
    "flux 1": "flux1_dev",
    "flux 1 dev": "flux1_dev",
    "flux dev": "flux1_dev",
    "flux 2": "flux2_dev",
    "sdxl": "sdxl",
    "stable diffusion xl": "sdxl",
    "z image": "z_image_turbo",
    "z image turbo": "z_image_turbo",
    "qwen image edit": "qwen_image_edit",
    "nano banana": "nano_banana",
    "seedream": "seedream_4",
}

#: Ids of the built-in table that run in the cloud (for the local-only contradiction rule).
CLOUD_MODEL_IDS = frozenset(
    {
        "sora2",
        "sora2_pro",
        "veo3",
        "kling_25",
        "runway_gen4",
        "seedance_1_pro",
        "omnihuman_15",
        "nano_banana",
        "seedream_4",
    }
)

# Plain English words: a mention counts only next to a wish ("use Runway", "avoid Flux").
_AMBIGUOUS_MODEL_WORDS = frozenset({"wan", "runway", "flux"})

#: Style words the parser recognises, by canonical English word, with the spellings accepted
#: (English and French). Matching is case-insensitive; the longest spelling wins.
STYLE_VOCABULARY: dict[str, list[str]] = {
    "noir": ["film noir", "style noir", "ambiance noir", "polar noir", "noir"],
    "neo-noir": ["neo-noir", "néo-noir", "neo noir", "néo noir"],
    "black and white": [
        "black and white",
        "black-and-white",
        "b&w",
        "noir et blanc",
        "noir & blanc",
    ],
    "monochrome": ["monochrome", "monochromatic", "monochromatique"],
    "cinematic": [
        "cinematic",
        "filmic",
        "cinématographique",
        "cinematographique",
        "cinématique",
        "cinematique",
    ],
    "anime": ["anime", "animé japonais", "japanimation", "manga style", "style manga"],
    "documentary": ["documentary", "documentary-style", "documentaire", "docu-style"],
    "pastel": ["pastel", "pastels", "couleurs pastel", "tons pastel"],
    "vintage": ["vintage"],
    "retro": ["retro", "rétro"],
    "cyberpunk": ["cyberpunk"],
    "steampunk": ["steampunk"],
    "synthwave": ["synthwave", "outrun"],
    "vaporwave": ["vaporwave"],
    "minimalist": ["minimalist", "minimalistic", "minimaliste"],
    "surreal": ["surreal", "surrealist", "surréaliste", "surrealiste", "surréel"],
    "dreamy": ["dreamy", "dreamlike", "onirique"],
    "ethereal": ["ethereal", "éthéré", "ethere"],
    "gritty": ["gritty"],
    "photorealistic": [
        "photorealistic",
        "photoreal",
        "photoréaliste",
        "photorealiste",
        "hyperrealistic",
        "hyperréaliste",
    ],
    "realistic": ["realistic", "naturalistic", "réaliste", "realiste", "naturaliste"],
    "watercolor": ["watercolor", "watercolour", "aquarelle"],
    "oil painting": ["oil painting", "peinture à l'huile"],
    "3d animation": ["3d animation", "3d animated", "cgi", "animation 3d"],
    "stop-motion": ["stop-motion", "stop motion", "claymation", "pâte à modeler"],
    "pixel art": ["pixel art", "pixel-art"],
    "comic book": ["comic book", "comic-book", "bande dessinée", "bande dessinee"],
    "cartoon": ["cartoon", "cartoonish", "dessin animé", "dessin anime"],
    "fantasy": ["fantasy", "heroic fantasy", "dark fantasy"],
    "sci-fi": ["sci-fi", "science fiction", "science-fiction"],
    "horror": ["horror", "horreur", "épouvante"],
    "gothic": ["gothic", "gothique"],
    "epic": ["epic", "épique", "epique"],
    "moody": ["moody"],
    "neon": ["neon", "neon-lit", "néon", "néons"],
    "film grain": [
        "film grain",
        "grainy",
        "grain argentique",
        "grain de pellicule",
        "35mm film",
        "16mm film",
        "super 8",
    ],
    "vhs": ["vhs"],
    "glitch": ["glitch", "glitchy"],
    "high contrast": ["high contrast", "high-contrast", "fort contraste", "très contrasté"],
    "low key": ["low key", "low-key", "chiaroscuro", "clair-obscur", "clair obscur"],
    "golden hour": ["golden hour", "heure dorée", "heure doree"],
    "whimsical": ["whimsical", "fantaisiste"],
    "lo-fi": ["lo-fi", "lofi"],
    "desaturated": [
        "desaturated",
        "muted colors",
        "muted colours",
        "désaturé",
        "desature",
        "couleurs désaturées",
    ],
    "vibrant": [
        "vibrant",
        "saturated colors",
        "saturated colours",
        "couleurs vives",
        "couleurs saturées",
    ],
}

# Spellings that are ordinary French words ("un chat noir"): they count only in briefs that
# are not written in French.
_STYLE_NOT_IN_FRENCH = frozenset({"noir"})

#: Words that set TechnicalSpecs.pace, by pace (matched on folded text, first mention wins).
PACE_WORDS: dict[str, list[str]] = {
    "music_video": [
        "music video",
        "music clip",
        "clip musical",
        "clip video",
        "videoclip",
        "video clip musical",
        "clip de musique",
    ],
    "trailer": ["trailer", "teaser", "bande annonce", "bande annonces"],
    "short_film": ["short film", "short movie", "court metrage", "court metrages", "film court"],
    "ad": [
        "ad",
        "ads",
        "advert",
        "advertisement",
        "commercial",
        "advertising spot",
        "tv spot",
        "spot tv",
        "spot publicitaire",
        "publicite",
        "film publicitaire",
        "une pub",
        "la pub",
        "cette pub",
        "notre pub",
        "pub tv",
        "pub tele",
        "pub pour",
        "pub de",
        "un spot",
    ],
    "series": ["web series", "tv series", "episode", "episodes", "web serie", "serie tv", "saison"],
}

#: Front-matter keys (and accepted spellings) to their canonical name.
FRONT_MATTER_KEYS: dict[str, str] = {
    "title": "title",
    "titre": "title",
    "duration": "duration",
    "duree": "duration",
    "length": "duration",
    "aspect_ratio": "aspect_ratio",
    "aspect": "aspect_ratio",
    "ratio": "aspect_ratio",
    "resolution": "resolution",
    "fps": "fps",
    "frame_rate": "fps",
    "framerate": "fps",
    "language": "language",
    "langue": "language",
    "prompt_language": "prompt_language",
    "langue_des_prompts": "prompt_language",
    "style": "style",
    "models": "models",
    "modeles": "models",
    "budget": "budget",
    "budget_usd": "budget",
    "required_prompt_elements": "required_prompt_elements",
    "cut_marker": "cut_marker",
    "camera_movement_rule": "camera_movement_rule",
    "pace": "pace",
    "drop_frame": "drop_frame",
}

_SECTION_NAMES: dict[str, str] = {
    "characters": "characters",
    "character": "characters",
    "cast": "characters",
    "personnages": "characters",
    "personnage": "characters",
    "locations": "locations",
    "location": "locations",
    "lieux": "locations",
    "lieu": "locations",
    "settings": "locations",
    "decors": "locations",
    "props": "props",
    "prop": "props",
    "accessoires": "props",
    "accessoire": "props",
    "objets": "props",
    "scenes": "scenes",
    "scene": "scenes",
}
_SECTION_LABELS = {
    "characters": "Characters",
    "locations": "Locations",
    "props": "Props",
    "scenes": "Scenes",
}

_LANGUAGE_WORDS: dict[str, str] = {
    "english": "en",
    "anglais": "en",
    "french": "fr",
    "francais": "fr",
    "spanish": "es",
    "espagnol": "es",
    "espanol": "es",
    "german": "de",
    "allemand": "de",
    "deutsch": "de",
    "italian": "it",
    "italien": "it",
    "italiano": "it",
    "portuguese": "pt",
    "portugais": "pt",
    "japanese": "ja",
    "japonais": "ja",
    "chinese": "zh",
    "chinois": "zh",
    "mandarin": "zh",
    "korean": "ko",
    "coreen": "ko",
}

# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case, accents off, apostrophes and hyphens to spaces: for phrase matching."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().replace("'", " ").replace("’", " ")
    return re.sub(r"[-_]", " ", text)


def _key(text: str) -> str:
    """A front-matter key or heading, folded: ``Aspect-Ratio`` -> ``aspect_ratio``."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return "_".join(re.sub(r"[^a-z0-9]+", " ", folded.lower()).split())


def _model_key(text: str) -> str:
    """The lookup key of a model name: letters and digits only ("Wan 2.2" -> "wan22")."""
    return re.sub(r"[^a-z0-9]+", "", str(text).lower())


def _seconds_text(seconds: float) -> str:
    """90.0 -> "90 s", 267 -> "267 s (4:27)"."""
    whole = f"{seconds:g}"
    if seconds >= 60:
        minutes, rest = divmod(seconds, 60)
        return f"{whole} s ({int(minutes)}:{rest:05.2f})".replace(".00)", ")")
    return f"{whole} s"


class _DurationRangeError(BriefError):
    """A duration that reads fine but is negative, zero or absurd: always refused."""


# --------------------------------------------------------------------------------------
# Durations
# --------------------------------------------------------------------------------------

_NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "quinze": 15,
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "quarante-cinq": 45,
    "cinquante": 50,
    "soixante": 60,
    "quatre-vingt-dix": 90,
    "quatre-vingts": 80,
}
_UNIT_SECONDS: dict[str, int] = {}
for _names, _value in (
    (("h", "hr", "hrs", "hour", "hours", "heure", "heures"), 3600),
    (("m", "min", "mins", "minute", "minutes", "mn"), 60),
    (("s", "sec", "secs", "second", "seconds", "seconde", "secondes", "''", '"'), 1),
):
    for _name in _names:
        _UNIT_SECONDS[_name] = _value

_NUM = r"\d+(?:[.,]\d+)?"
_WORD_NUM = "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
_CLOCK = re.compile(r"^(?:(\d{1,2}):)?(\d{1,3}):(\d{2})(?:[.,](\d{1,3}))?$")


def _number(text: str) -> float:
    text = text.strip().lower()
    if text in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[text])
    return float(text.replace(",", "."))


def _check_range(seconds: float, original: object) -> float:
    if seconds <= 0:
        raise _DurationRangeError(
            f"duration {original!r} is not positive; give a length such as 30s, 1m30s or 4:27"
        )
    if seconds > MAX_DURATION_SECONDS:
        raise _DurationRangeError(
            f"duration {original!r} is longer than 4 hours; check the value (30s, 1m30s, 4:27)"
        )
    return seconds


def parse_duration(text: str | float) -> float:
    """Seconds from a duration: ``90``, ``90s``, ``90 seconds``, ``90 secondes``, ``2 min``,
    ``1m30s``, ``1min30``, ``1h05``, ``4:27``, ``1:02:30``, ``00:16.80``.

    A bare number is seconds. Raises :class:`BriefError` for text that is not a duration and
    for a negative, zero or absurd (over 4 hours) duration.
    """
    if isinstance(text, bool):
        raise BriefError(f"{text!r} is not a duration; give a length such as 30s, 1m30s or 4:27")
    if isinstance(text, int | float):
        return _check_range(float(text), text)
    original = text
    s = str(text).strip().lower()
    if not s:
        raise BriefError("the duration is empty; give a length such as 30s, 1m30s or 4:27")
    if s[0] in "-−–":
        raise _DurationRangeError(
            f"duration {original!r} is negative; give a length such as 30s, 1m30s or 4:27"
        )
    if re.fullmatch(r"\d{1,2}:\d{2}:\d{2}[:;]\d{2}", s):
        raise BriefError(
            f"{original!r} is a timecode with frames; a duration needs no frame rate: "
            "write it as H:MM:SS or in seconds"
        )
    if re.fullmatch(_NUM, s):
        return _check_range(_number(s), original)
    clock = _CLOCK.match(s)
    if clock:
        hours, minutes, secs, frac = clock.groups()
        if int(secs) >= 60 or (hours is not None and int(minutes) >= 60):
            raise BriefError(f"{original!r} is not a valid M:SS or H:MM:SS duration")
        seconds = int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)
        return _check_range(seconds + (float(f"0.{frac}") if frac else 0.0), original)
    value = _parse_unit_duration(s)
    if value is None:
        raise BriefError(
            f"{original!r} is not a duration; give a length such as 30s, 90 seconds, 2 min, "
            "1m30s or 4:27"
        )
    return _check_range(value, original)


_UNIT_TOKEN = re.compile(
    rf"\s*(?:and\s+|et\s+|,\s*)?({_NUM}|{_WORD_NUM})\s*-?\s*"
    r"(hours|hour|hrs|hr|heures|heure|h|minutes|minute|mins|min|mn|m|seconds|second|"
    r"secondes|seconde|secs|sec|s|''|\")?(?![a-z])",
)


def _parse_unit_duration(s: str) -> float | None:
    """``1h30``, ``1 min 30 s``, ``2 minutes and 10 seconds``, ``thirty seconds``: seconds."""
    pos, total, last_unit = 0, 0.0, 0
    seen = False
    while pos < len(s):
        match = _UNIT_TOKEN.match(s, pos)
        if not match or match.end() == pos:
            return None
        number, unit = match.group(1), match.group(2)
        if unit is None:
            # A bare number after hours is minutes, after minutes seconds (1h30, 1min30).
            if last_unit == 0 and not seen:
                size = 1
            elif last_unit in (3600, 60) and re.fullmatch(r"\d{1,2}", number):
                size = last_unit // 60
            else:
                return None
        else:
            size = _UNIT_SECONDS[unit]
        if last_unit and size >= last_unit:
            return None
        total += _number(number) * size
        last_unit, seen, pos = size, True, match.end()
        if unit is None:
            break
    if s[pos:].strip():
        return None
    return total if seen else None


# --------------------------------------------------------------------------------------
# Frame rates, aspect ratios, resolutions (shared with storycore.tools.specs)
# --------------------------------------------------------------------------------------

_DROP = re.compile(
    r"\s*(?:fps)?\s*[-(]?\s*(non[\s-]?drop(?:[\s-]?frame)?|ndf|drop[\s-]?frame|df)\)?$"
)


def parse_fps(value: str | int | float | Fraction) -> tuple[str, bool | None]:
    """The canonical rate and the drop-frame wish of ``value``: ``"29.97 drop-frame"`` ->
    ``("30000/1001", True)``, ``"24fps"`` -> ``("24", None)``.

    Raises :class:`TimecodeError` for an unsupported rate and :class:`InvalidInput` for
    drop-frame at a rate that has none.
    """
    drop: bool | None = None
    if isinstance(value, str):
        text = value.strip().lower()
        match = _DROP.search(text)
        if match:
            drop = not match.group(1).startswith(("non", "ndf"))
            text = text[: match.start()].strip()
        value = text
    rate = parse_rate(value)
    if drop and not is_drop_frame_rate(rate):
        raise InvalidInput(
            f"drop-frame timecode does not exist at {rate_label(rate)} fps; "
            "use 29.97 or 59.94, or leave drop-frame out"
        )
    return rate_to_string(rate), drop


def aspect_of(resolution: Resolution) -> str | None:
    """The canonical aspect ratio of a frame size (within 2 %), or None: 1080x1920 -> 9:16."""
    ratio = Fraction(resolution.width, resolution.height)
    best: tuple[Fraction, str] | None = None
    for name, exact in ASPECT_RATIOS.items():
        gap = abs(ratio - exact) / exact
        if gap < Fraction(2, 100) and (best is None or gap < best[0]):
            best = (gap, name)
    return best[1] if best else None


_NAMED_RESOLUTION = re.compile(
    r"^(?:\d{3,4}p|[248]k|uhd|fhd|full ?hd|hd|qhd|2160p)$", re.IGNORECASE
)


def is_named_resolution(text: str) -> bool:
    """True for a quality class that says no orientation: 720p, 1080p, 4K, UHD."""
    return bool(_NAMED_RESOLUTION.match(str(text).strip()))


def fit_resolution(aspect_ratio: str, resolution: Resolution) -> Resolution:
    """``resolution``'s quality class (its short side) at ``aspect_ratio``.

    A named class keeps its own size when it already has that aspect (2K stays 2048x1080 only
    if asked at its own ratio); otherwise the usual size for the ratio at the same short side.
    """
    if aspect_of(resolution) == aspect_ratio:
        return resolution
    return resolution_for(aspect_ratio, min(resolution.width, resolution.height))


# --------------------------------------------------------------------------------------
# Reading a brief file
# --------------------------------------------------------------------------------------


def read_brief_text(path_or_dash: str, stdin: TextIO | None = None) -> tuple[str, str]:
    """The text of a brief file (or of stdin for ``-``) and a name for it.

    Refuses with :class:`BriefError`: a missing file, a folder, a binary or non-UTF-8 file,
    a file over 2 MiB, an empty or whitespace-only brief.
    """
    if path_or_dash == "-":
        stream = stdin if stdin is not None else sys.stdin
        try:
            text = stream.read(MAX_BRIEF_BYTES + 1)
        except UnicodeDecodeError:
            raise BriefError(
                "the brief on standard input is not UTF-8 text; save it as UTF-8"
            ) from None
        name = "stdin"
        if len(text.encode("utf-8", "replace")) > MAX_BRIEF_BYTES:
            raise BriefError("the brief on standard input is larger than 2 MiB; shorten it")
    else:
        path = Path(path_or_dash)
        name = path_or_dash
        if not path.exists():
            raise BriefError(f"brief file {path_or_dash!r} does not exist")
        if path.is_dir():
            raise BriefError(f"{path_or_dash!r} is a folder, not a brief file")
        size = path.stat().st_size
        if size > MAX_BRIEF_BYTES:
            raise BriefError(
                f"brief file {path_or_dash!r} is {size / 1048576:.1f} MiB; a brief must be "
                "under 2 MiB of text"
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BriefError(f"cannot read brief file {path_or_dash!r}: {exc.strerror}") from None
        if b"\x00" in data:
            raise BriefError(f"brief file {path_or_dash!r} is a binary file, not text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BriefError(
                f"brief file {path_or_dash!r} is not UTF-8 text; save it as UTF-8"
            ) from None
    if "\x00" in text:
        raise BriefError(f"the brief {name!r} is binary, not text")
    if not text.strip():
        raise BriefError(f"the brief {name!r} is empty; write what the video is about")
    return text, name


# --------------------------------------------------------------------------------------
# Front matter
# --------------------------------------------------------------------------------------


class _BriefLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without YAML 1.1's base-60 numbers.

    PyYAML reads ``16:9`` as the integer 969 and ``4:27`` as 267: a brief's ratios and
    clock durations must stay text.
    """


_BriefLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_BriefLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_BriefLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """(front matter, body, line number where the body starts)."""
    lines = text.splitlines()
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or lines[index].rstrip() != "---":
        return {}, text, 1
    opening = index
    for end in range(opening + 1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            break
    else:
        raise BriefError(
            f"the front matter opened by '---' on line {opening + 1} is never closed; "
            "end it with a '---' line"
        )
    block = "\n".join(lines[opening + 1 : end])
    try:
        data = yaml.load(block, Loader=_BriefLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" on line {opening + 2 + mark.line}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "it is not valid YAML"
        raise BriefError(
            f"the front matter is not valid YAML{where} ({problem}); write 'key: value' "
            "lines, indent with spaces, not tabs"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BriefError(
            f"the front matter (lines {opening + 2}-{end}) must be 'key: value' lines, "
            f"not a {type(data).__name__}"
        )
    return data, "\n".join(lines[end + 1 :]), end + 2


# --------------------------------------------------------------------------------------
# Sections and items
# --------------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d{1,3}[.)])\s+(.*\S)\s*$")
_BRACKETED = re.compile(r"[(\[]\s*([^()\[\]]{1,24}?)\s*[)\]]")
_BOLD_NAME = re.compile(r"^(\*\*|__)(.+?)\1\s*(.*)$")
_SEPARATED = re.compile(r"^(.+?)\s*(?::(?=\s|$)|—|–|\s-\s)\s*(.*)$")


@dataclass
class _Item:
    kind: str
    head: str
    line: int
    extra: list[str] = field(default_factory=list)


@dataclass
class _Body:
    title: str | None = None
    items: list[_Item] = field(default_factory=list)
    free_lines: list[str] = field(default_factory=list)
    sections: set[str] = field(default_factory=set)


def _section_kind(heading: str) -> str | None:
    words = _key(heading.strip().rstrip(":")).split("_")
    return _SECTION_NAMES.get("_".join(words)) if words else None


def _split_body(body: str, first_line: int = 1) -> _Body:
    """Headings, known sections with their items, and the rest (free text)."""
    out = _Body()
    section: str | None = None
    section_level = 0
    current: _Item | None = None
    item_indent = 0
    blank_before = False
    in_fence = False
    for number, line in enumerate(body.splitlines(), start=first_line):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            section, current = None, None
            out.free_lines.append(line)
            continue
        heading = None if in_fence else _HEADING.match(line)
        if heading:
            level, name = len(heading.group(1)), heading.group(2)
            kind = _section_kind(name)
            if kind:
                section, section_level, current = kind, level, None
                out.sections.add(kind)
                continue
            if section and level > section_level:
                # "### GaBy" under "## Characters": an item whose description follows.
                current = _Item(section, _strip_markup(name), number)
                current.extra.append("")  # marks a heading item: its paragraph continues it
                out.items.append(current)
                item_indent = -1
                continue
            section, current = None, None
            if level == 1 and out.title is None:
                out.title = _strip_markup(name)
                continue
            out.free_lines.append(line)
            continue
        if section is None:
            out.free_lines.append(line)
            continue
        if not line.strip():
            blank_before = True
            continue
        item = _ITEM.match(line)
        indent = len(line) - len(line.lstrip())
        if item and (current is None or (item_indent >= 0 and len(item.group(1)) <= item_indent)):
            current = _Item(section, item.group(2), number)
            out.items.append(current)
            item_indent, blank_before = len(item.group(1)), False
            continue
        if current is not None and (item_indent < 0 or indent > item_indent or not blank_before):
            current.extra.append(item.group(2) if item else line.strip())
            blank_before = False
            continue
        out.free_lines.append(line)
        current, blank_before = None, False
    return out


def _strip_markup(text: str) -> str:
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])", r"\1", text)
    return text.replace("`", "").strip()


def _item_parts(item: _Item) -> tuple[str, str, float | None, str | None]:
    """(name, description, duration, problem) of a section item."""
    head = item.head.strip()
    duration: float | None = None
    if item.kind == "scenes":
        for match in _BRACKETED.finditer(head):
            try:
                duration = parse_duration(match.group(1))
            except _DurationRangeError as exc:
                raise BriefError(f"Scenes (line {item.line}): {exc}") from None
            except BriefError:
                continue
            head = (head[: match.start()] + head[match.end() :]).strip()
            head = re.sub(r"\s{2,}", " ", head)
            break
    heading_item = bool(item.extra) and item.extra[0] == ""
    extra = " ".join(part for part in item.extra if part)
    if heading_item:
        name, description = head, extra
    else:
        bold = _BOLD_NAME.match(head)
        if bold:
            name = bold.group(2).strip().rstrip(":").strip()
            description = re.sub(r"^(?::|—|–|-)\s*", "", bold.group(3).strip())
        else:
            separated = _SEPARATED.match(head)
            if separated:
                name, description = separated.group(1), separated.group(2)
            else:
                name, description = head, ""
        description = " ".join(p for p in (description.strip(), extra) if p)
    name = _strip_markup(name).rstrip(":").strip()
    description = description.strip()
    problem = None
    limit = 300 if item.kind == "scenes" else 200
    if not name or len(name) > 80:
        if item.kind == "scenes":
            name, description = "", " ".join(p for p in (head, extra) if p)
        else:
            problem = (
                f"{_SECTION_LABELS[item.kind]} (line {item.line}): an entry has no short name; "
                "write '- **Name**: description'"
            )
    return name[:limit], description, duration, problem


# --------------------------------------------------------------------------------------
# Findings in the free text
# --------------------------------------------------------------------------------------


@dataclass
class _Found:
    """One value found in the free text, with the words it was read from."""

    value: Any
    text: str
    strong: bool = False


@dataclass
class _Prose:
    durations: list[_Found] = field(default_factory=list)
    aspects: list[_Found] = field(default_factory=list)
    resolutions: list[_Found] = field(default_factory=list)  # value: (Resolution, named)
    fps: list[_Found] = field(default_factory=list)  # value: (rate, drop)
    drop_frame: bool | None = None
    answer_language: list[_Found] = field(default_factory=list)
    prompt_language: list[_Found] = field(default_factory=list)
    prefer: list[_Found] = field(default_factory=list)
    avoid: list[_Found] = field(default_factory=list)
    local_only: _Found | None = None
    budget: _Found | None = None
    pace: _Found | None = None
    style_words: list[str] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)


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
_LOCAL_ONLY = re.compile(
    r"\b(?:no|without|not any|pas de|sans|aucun|jamais de|zero)\s+cloud(?:\s+(?:models?|"
    r"modeles?|services?|apis?|generation|rendering|providers?|gpus?))?\b"
    r"(?!\s+(?:in|above|over|dans)\b)"
    r"|\blocal(?:ly)?\s+only\b|\bonly\s+(?:run\s+)?local(?:ly)?\b|\bonly\s+local\s+models?\b"
    r"|\blocal\s+models?\s+only\b|\boffline only\b"
    r"|\b(?:uniquement|seulement|que|tout)\s+en\s+local\b|\ben\s+local\s+(?:uniquement|seulement)\b"
    r"|\b100\s*%?\s*(?:en\s+)?local\b|\bmodeles\s+locaux\s+(?:uniquement|seulement)\b"
    r"|\b(?:uniquement|seulement)\s+des\s+modeles\s+locaux\b"
)
_NEGATIVE_CUES = [
    "don t use",
    "do not use",
    "dont use",
    "never use",
    "don t want",
    "do not want",
    "ne pas utiliser",
    "n utilise pas",
    "n utilisez pas",
    "ne veux pas",
    "ne voulons pas",
    "rather than",
    "instead of",
    "other than",
    "plutot que",
    "au lieu de",
    "sauf",
    "except",
    "but not",
    "mais pas",
    "avoid",
    "avoiding",
    "without",
    "not",
    "no",
    "never",
    "evite",
    "evitez",
    "eviter",
    "pas de",
    "pas d",
    "sans",
    "jamais",
    "aucun",
    "exclude",
    "exclure",
    "ban",
    "skip",
]
_POSITIVE_CUES = [
    "use",
    "using",
    "prefer",
    "preferably",
    "with",
    "via",
    "through",
    "want",
    "try",
    "utilise",
    "utilisez",
    "utiliser",
    "prefere",
    "preferez",
    "preferer",
    "avec",
    "veux",
    "voudrais",
    "aimerais",
    "generated with",
    "made with",
    "go with",
    "pick",
    "choose",
    "choisis",
    "choisir",
]
_CUES = re.compile(
    r"\b("
    + "|".join(
        re.escape(c) for c in sorted({*_NEGATIVE_CUES, *_POSITIVE_CUES}, key=len, reverse=True)
    )
    + r")\b"
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


def _sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs: split at ``. ! ? ;`` and line ends."""
    out, start = [], 0
    for match in re.finditer(r"(?<!\d)[.!?;](?!\d)|\n", text):
        out.append((start, text[start : match.end()]))
        start = match.end()
    out.append((start, text[start:]))
    return [(offset, s) for offset, s in out if s.strip()]


class _ModelTable:
    """Model names (built-in aliases plus the caller's) and how to find them in prose."""

    def __init__(self, known_models: Mapping[str, str] | None) -> None:
        table = {_model_key(alias): model_id for alias, model_id in BUILTIN_MODEL_ALIASES.items()}
        if known_models:
            caller = {_model_key(alias): model_id for alias, model_id in known_models.items()}
            for model_id in list(caller.values()):
                caller.setdefault(_model_key(model_id), model_id)
            # The caller's registry names win; built-in aliases it does not know stay only if
            # they point to an id the caller has.
            ids = set(caller.values())
            table = {k: v for k, v in table.items() if v in ids} | caller
        for model_id in list(table.values()):
            table.setdefault(_model_key(model_id), model_id)
        self.table = table
        self.ids = set(table.values())
        spellings: set[str] = set(BUILTIN_MODEL_ALIASES) | set(known_models or {})
        spellings |= {model_id for model_id in self.ids}
        patterns = []
        for spelling in sorted(spellings, key=lambda s: (-len(s), s)):
            tokens = re.findall(r"[a-z]+|\d+", _fold(spelling))
            if tokens and _model_key(spelling) in table:
                patterns.append(r"[\s._-]*".join(tokens))
        self.regex = (
            re.compile(r"(?<![a-z0-9])(" + "|".join(patterns) + r")(?![a-z0-9]|[.,]\d)")
            if patterns
            else None
        )

    def resolve(self, name: str) -> str | None:
        """The id for a model name or id, or None."""
        return self.table.get(_model_key(name))


def _scan_models(text: str, models: _ModelTable, prose: _Prose) -> None:
    """Model wishes: a model name and the nearest wish word before it in its clause.

    A clause without a wish word inherits the previous one when that clause only lists
    models ("avoid Sora, Kling and Veo").
    """
    if models.regex is None:
        return
    regex = models.regex
    for _, sentence in _sentences(_fold(text)):
        for match in regex.finditer(sentence):
            spelling = match.group(1)
            model_id = models.resolve(spelling)
            shown = spelling
            version = re.match(
                r"[\s-]?v?(\d+(?:\.\d+)*)(?![\d.])"
                r"(?!\s*(?:s|sec|secs|seconds?|secondes?|min|minutes?|fps|shots?|plans?)\b)",
                sentence[match.end() :],
            )
            if version and not re.search(r"\d", spelling):
                number = version.group(1)
                shown = f"{spelling} {number}"
                model_id = models.resolve(shown) or models.resolve(
                    f"{spelling} {number.split('.')[0]}"
                )
                if model_id is None:
                    prose.not_understood.append(
                        f"model {shown!r} is not a model StoryCore knows; name one from "
                        "'storycore models list'"
                    )
                    continue
            ambiguous = _model_key(spelling) in _AMBIGUOUS_MODEL_WORDS
            cue = _wish_before(sentence, match.start(), regex)
            if cue is None or (ambiguous and cue in ("with", "avec")):
                if not ambiguous:
                    prose.not_understood.append(
                        f"model {shown!r} is mentioned without saying whether to use or avoid it"
                    )
                continue
            if model_id is None:
                continue
            target = prose.avoid if cue in _NEGATIVE_CUES else prose.prefer
            target.append(_Found(model_id, shown))


_CONJUNCTIONS = re.compile(r"\b(?:and|or|et|ou|nor|ni|also|aussi)\b")


def _wish_before(sentence: str, position: int, regex: re.Pattern[str]) -> str | None:
    """The nearest wish word before ``position``, within its clause (see _scan_models)."""
    clauses = re.split(r"[,:]", sentence[:position])
    for index in range(len(clauses) - 1, -1, -1):
        clause = clauses[index]
        cues = list(_CUES.finditer(clause))
        tail = clause[cues[-1].end() :] if cues else clause
        only_models = not _CONJUNCTIONS.sub(" ", regex.sub(" ", tail)).strip()
        if cues and (index == len(clauses) - 1 or only_models):
            return cues[-1].group(1)
        if not only_models:
            return None
    return None


def _scan_prose(text: str, language: str, models: _ModelTable) -> _Prose:
    """Every spec the free text states, in order of appearance."""
    prose = _Prose()
    lower = text.lower()
    folded = _fold(text)

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

    def inside_ratio(span: tuple[int, int]) -> bool:
        return any(a < span[1] and span[0] < b for a, b in ratio_spans)

    for match in _CLOCK_IN_TEXT.finditer(lower):
        if inside_ratio(match.span()):
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
    prose.durations.sort(key=lambda f: lower.find(f.text))

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

    for pattern, target in (
        (_PROMPT_LANGUAGE, prose.prompt_language),
        (_ANSWER_LANGUAGE, prose.answer_language),
    ):
        for match in pattern.finditer(folded):
            word = next(g for g in match.groups() if g)
            target.append(_Found(_LANGUAGE_WORDS[word], match.group(0)))

    local = _LOCAL_ONLY.search(folded)
    if local:
        prose.local_only = _Found(True, local.group(0))
    _scan_models(text, models, prose)

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

    pace = _PACE_RE.search(folded)
    if pace and (prose.pace is None or pace.start() < folded.find(_fold(prose.pace.text))):
        word = re.sub(r"\s+", " ", pace.group(1))
        prose.pace = _Found(_PACE_LOOKUP[word], pace.group(0))

    prose.style_words = find_style_words(text, language=language)
    return prose


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


# --------------------------------------------------------------------------------------
# Elements named in prose (when the brief has no section for them)
# --------------------------------------------------------------------------------------

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
    excluded = {_fold(name).strip() for name in exclude}
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
        if len(name) < 2 or key in excluded or key in _LANGUAGE_WORDS or key in _STYLE_LOOKUP:
            continue
        if any(part in _CAPITALISED_STOPWORDS for part in key.split()):
            continue
        prefix = text[max(0, run[0].start() - 40) : run[0].start()]
        at_start = not prefix.strip() or bool(re.search(r"[.!?:;\n»\"*#>—–-]\s*$", prefix))
        locative = bool(_LOCATIVE_BEFORE.search(prefix))
        mentions.setdefault(name, []).append((run[0].start(), at_start, locative))
    characters: list[BriefElement] = []
    locations: list[BriefElement] = []
    for name, seen in mentions.items():
        if len(seen) < 2:
            continue
        # A name only ever seen at a sentence start ("Camille marche...") counts when it has
        # an inner capital (GaBy) or never appears in lower case (unlike "Style", "Then").
        if all(at_start for _, at_start, _ in seen):
            inner_capital = bool(re.search(r".[A-Z]", name))
            in_lower_case = re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", text)
            if not inner_capital and in_lower_case:
                continue
        # The sentence where the name is followed by a comma usually describes it
        # ("Léo, a drummer with a shaved head, ...").
        described = [at for at, _, _ in seen if text[at + len(name) : at + len(name) + 1] == ","]
        candidates = [_sentence_around(text, at) for at in (described or [seen[0][0]])]
        # Of those, the sentence that says the most about how it looks.
        best = max(
            candidates,
            key=lambda sentence: (descriptive_score(sentence), -candidates.index(sentence)),
        )
        element = BriefElement(name=name[:200], description=_STORY_LABEL.sub("", best))
        if sum(locative for _, _, locative in seen) * 2 > len(seen):
            locations.append(element)
        else:
            characters.append(element)
    return characters, locations


def _is_capitalised(word: str) -> bool:
    clean = word.strip("’'-")
    return clean[:1].isupper() and not (clean.isupper() and len(clean) <= 3)


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
    please merci bonjour hello besoin need""".split()  # noqa: SIM905 - a word list reads better
)
_NOTE_PHRASES = ("carte graphique", "sous titres", "images par seconde", "frames per second")
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


def is_production_note(sentence: str, characters: Iterable[str] = ()) -> bool:
    """A sentence about the production (format, models, pace, style, a request) rather than
    the story: two note words, or one note word and no character named."""
    words = _fold(sentence).split()
    folded = " ".join(words)
    hits = sum(1 for word in words if word in _NOTE_WORDS)
    hits += sum(1 for phrase in _NOTE_PHRASES if phrase in folded)
    if re.search(r"\d+\s*(?:fps|p\b|k\b|s\b|%|\$|€)|\b\d+:\d+\b", sentence, re.IGNORECASE):
        hits += 1
    if len(words) <= 2:
        return True  # "Bonjour !", "Thanks."
    named = any(_fold(name).strip() in folded for name in characters)
    return hits >= 2 or (hits == 1 and not named)


def story_text(text: str, characters: Iterable[str] = ()) -> str:
    """``text`` without its production notes, paragraphs kept: what the breakdown tells."""
    names = list(characters)
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text):
        sentences = re.split(r"(?<=[.!?])\s+", " ".join(paragraph.split()))
        kept = [
            _STORY_LABEL.sub("", s)
            for s in sentences
            if s.strip() and not is_production_note(s, names)
        ]
        if kept:
            paragraphs.append(" ".join(kept))
    return "\n\n".join(paragraphs)


def _sentence_around(text: str, offset: int) -> str:
    """The sentence of ``text`` that contains ``offset``, on one line."""
    start = 0
    for match in re.finditer(r"[.!?](?=\s)|\n\s*\n", text[:offset]):
        start = match.end()
    end_match = re.compile(r"[.!?](?=\s|$)|\n\s*\n").search(text, offset)
    end = end_match.end() if end_match else len(text)
    return " ".join(text[start:end].split())[:400]


# --------------------------------------------------------------------------------------
# The parser
# --------------------------------------------------------------------------------------


@dataclass
class _Decisions:
    """Values decided so far, each with where it came from (for the warnings)."""

    specs: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)

    def set(self, name: str, value: Any, origin: str) -> None:
        self.specs[name] = value
        self.origin[name] = origin


def parse_brief(
    text: str,
    *,
    source_name: str | None = None,
    known_models: Mapping[str, str] | None = None,
) -> CreativeBrief:
    """Parse a Markdown brief (front matter, sections, free text) into a :class:`CreativeBrief`.

    ``known_models`` maps model names (aliases) to model ids, e.g. the model registry's names;
    it is merged over the built-in table. Raises :class:`BriefError` for an empty brief, a
    front matter that is not YAML, and a negative, zero or absurd duration. Everything else
    that cannot be used is listed in ``not_understood``; contradictions are resolved by the
    rules of docs/brief-format.md and reported in ``warnings``.
    """
    if not text or not text.strip():
        raise BriefError("the brief is empty; write what the video is about")
    if "\x00" in text:
        raise BriefError("the brief is binary, not text")
    text = text.lstrip("\ufeff")
    front, body_text, body_line = _split_front_matter(text)
    body = _split_body(body_text, body_line)
    models = _ModelTable(known_models)
    free_text = "\n".join(body.free_lines).strip()
    free_text = re.sub(r"\n{3,}", "\n\n", free_text)
    decisions = _Decisions()

    # Structured sections.
    elements: dict[str, list[BriefElement]] = {"characters": [], "locations": [], "props": []}
    scenes: list[BriefScene] = []
    for item in body.items:
        name, description, duration, problem = _item_parts(item)
        if problem:
            decisions.not_understood.append(problem)
            continue
        if item.kind == "scenes":
            scene_title = name or f"Scene {len(scenes) + 1}"
            scenes.append(
                BriefScene(title=scene_title, description=description, duration_seconds=duration)
            )
            continue
        same = [e for e in elements[item.kind] if _fold(e.name) == _fold(name)]
        if same:
            decisions.warnings.append(
                f"{_SECTION_LABELS[item.kind]}: {name!r} is listed twice; the first entry is kept"
            )
            continue
        elements[item.kind].append(BriefElement(name=name, description=description))

    described = " ".join(
        [free_text]
        + [e.description for kind in elements.values() for e in kind]
        + [s.description for s in scenes]
    )
    brief_language = _language_of_text(described)
    prose = _scan_prose(free_text, brief_language, models)
    decisions.not_understood.extend(prose.not_understood)

    fm = _read_front_matter(front, models, decisions)

    title: str | None = fm.get("title") or body.title
    if not title and source_name and source_name != "stdin":
        title = Path(source_name).stem.replace("_", " ").replace("-", " ").strip().capitalize()
    _decide_duration(fm, prose, scenes, decisions)
    _decide_frame(fm, prose, decisions)
    _decide_fps(fm, prose, decisions)
    _decide_languages(fm, prose, brief_language, decisions)
    _decide_models(fm, prose, decisions)
    _decide_simple(fm, prose, decisions)

    style_words = list(fm.get("style_words", []))
    for word in prose.style_words:
        if word not in style_words:
            style_words.append(word)
    if "style" not in decisions.specs and style_words:
        decisions.set("style", ", ".join(style_words), "free text")

    # Elements named in prose, when the brief has no section for them.
    if not body.sections & {"characters", "locations"} and free_text:
        known = [*BUILTIN_MODEL_ALIASES, *(known_models or {}), *LANGUAGE_NAMES.values()]
        if title:
            known.append(title)
        characters, locations = _names_in_prose(free_text, known)
        elements["characters"].extend(characters)
        elements["locations"].extend(locations)

    try:
        specs = TechnicalSpecs(**decisions.specs)
    except ValidationError as error:  # a rule above let an invalid combination through
        raise BriefError(format_validation_error(error, subject="technical specs")) from None

    is_structured = bool(front) or bool(body.sections)
    return CreativeBrief(
        title=(title or "Untitled")[:300],
        text=free_text,
        source_format="brief" if is_structured else "prose",
        duration_seconds=decisions.specs.get("duration_seconds"),
        technical_specs=specs,
        characters=elements["characters"],
        locations=elements["locations"],
        props=elements["props"],
        scenes=scenes,
        style_words=style_words,
        warnings=decisions.warnings,
        not_understood=decisions.not_understood,
    )


# ------------------------------------------------------------------ front matter values


def _read_front_matter(
    front: Mapping[Any, Any], models: _ModelTable, decisions: _Decisions
) -> dict[str, Any]:
    """Front-matter values, validated one by one; what cannot be used goes to not_understood."""
    out: dict[str, Any] = {}
    miss = decisions.not_understood.append

    def readable(value: Any) -> str:
        return repr(value) if not isinstance(value, str) else repr(value.strip())

    for raw_key, value in front.items():
        key = FRONT_MATTER_KEYS.get(_key(str(raw_key)))
        if key is None:
            miss(f"front matter: unknown key {str(raw_key)!r}")
            continue
        if value is None or value == "" or value == []:
            continue
        handler = _FRONT_HANDLERS[key]
        try:
            handler(value, out, models, decisions)
        except _DurationRangeError as exc:
            raise BriefError(f"front matter {key}: {exc}") from None
        except ValidationError as exc:
            message = format_validation_error(exc)
            miss(f"front matter {key}: {readable(value)} cannot be used ({message})")
        except (ValueError, TypeError, InvalidInput) as exc:
            message = " ".join(str(exc).removeprefix("Value error, ").split())
            miss(f"front matter {key}: {readable(value)} cannot be used ({message})")
    return out


def _fm_title(value: Any, out: dict[str, Any], *_: Any) -> None:
    if not isinstance(value, str | int | float):
        raise ValueError("write the title as text")
    out["title"] = " ".join(str(value).split())


def _fm_duration(value: Any, out: dict[str, Any], *_: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("write a length such as 30s, 1m30s or 4:27")
    out["duration"] = parse_duration(value)


def _fm_aspect(value: Any, out: dict[str, Any], *_: Any) -> None:
    out["aspect_ratio"] = parse_aspect_ratio(str(value))


def _fm_resolution(value: Any, out: dict[str, Any], *_: Any) -> None:
    if isinstance(value, dict):
        out["resolution"] = (Resolution(**value), False)
        return
    text = str(value).strip()
    out["resolution"] = (parse_resolution(text), is_named_resolution(text))


def _fm_fps(value: Any, out: dict[str, Any], *_: Any) -> None:
    if isinstance(value, bool):
        raise ValueError("write a frame rate such as 24, 25 or 29.97")
    out["fps"] = parse_fps(value)


def _fm_language(key: str) -> Callable[..., None]:
    def handler(value: Any, out: dict[str, Any], *_: Any) -> None:
        out[key] = normalize_language(str(value))

    return handler


def _fm_style(value: Any, out: dict[str, Any], *_: Any) -> None:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    if not isinstance(value, str | int | float):
        raise ValueError("write the style as text")
    out["style"] = str(value).strip()
    out["style_words"] = find_style_words(str(value))


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,;\n]", value) if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v).strip() for v in value if str(v).strip()]
    raise ValueError("write a list of names")


def _fm_models(value: Any, out: dict[str, Any], models: _ModelTable, decisions: _Decisions) -> None:
    if isinstance(value, str | list):
        value = {"prefer": value}
    if not isinstance(value, dict):
        raise ValueError("write prefer: [...], avoid: [...], local_only: true")
    result: dict[str, Any] = {"prefer": [], "avoid": []}
    for raw_key, item in value.items():
        key = _key(str(raw_key))
        if key in ("prefer", "use", "preferred"):
            target = result["prefer"]
        elif key in ("avoid", "exclude", "never"):
            target = result["avoid"]
        elif key in ("local_only", "local"):
            if not isinstance(item, bool):
                decisions.not_understood.append(
                    f"front matter models.local_only: {item!r} is not true or false"
                )
                continue
            result["local_only"] = item
            continue
        elif key in ("vram_gb", "vram"):
            try:
                result["vram_gb"] = float(str(item).lower().removesuffix("gb").strip())
            except ValueError:
                decisions.not_understood.append(
                    f"front matter models.vram_gb: {item!r} is not a number of GB"
                )
            continue
        else:
            decisions.not_understood.append(f"front matter: unknown key 'models.{raw_key}'")
            continue
        try:
            names = _as_list(item)
        except ValueError:
            decisions.not_understood.append(
                f"front matter models.{key}: {item!r} is not a list of model names"
            )
            continue
        for name in names:
            model_id = models.resolve(name)
            if model_id is None:
                decisions.not_understood.append(
                    f"front matter models.{key}: unknown model {name!r}"
                )
            elif model_id not in target:
                target.append(model_id)
    out["models"] = result


def _fm_budget(value: Any, out: dict[str, Any], *_: Any) -> None:
    if isinstance(value, bool):
        raise ValueError("write an amount in US dollars")
    if isinstance(value, int | float):
        amount = float(value)
    else:
        text = str(value).strip().lower().replace(" ", "")
        if re.search(r"€|eur", text):
            raise ValueError("only US dollars are understood; give the amount in USD")
        match = re.fullmatch(r"(?:\$|usd)?(\d[\d,]*(?:\.\d+)?)(k)?(?:\$|usd|dollars?)?", text)
        if not match:
            raise ValueError("write an amount in US dollars such as 200 or $200")
        amount = float(match.group(1).replace(",", "")) * (1000 if match.group(2) else 1)
    if amount < 0:
        raise ValueError("a budget cannot be negative")
    out["budget"] = amount


def _fm_list(key: str) -> Callable[..., None]:
    def handler(value: Any, out: dict[str, Any], *_: Any) -> None:
        out[key] = _as_list(value)

    return handler


def _fm_text(key: str) -> Callable[..., None]:
    def handler(value: Any, out: dict[str, Any], *_: Any) -> None:
        if not isinstance(value, str | int | float) or not str(value).strip():
            raise ValueError("write it as text")
        out[key] = str(value).strip()

    return handler


def _fm_pace(value: Any, out: dict[str, Any], *_: Any) -> None:
    text = _fold(str(value)).strip()
    pace = {p: p for p in PACE_WORDS} | {p.replace("_", " "): p for p in PACE_WORDS}
    found = pace.get(text) or _PACE_LOOKUP.get(text)
    if found is None:
        raise ValueError(f"use one of {', '.join(PACE_WORDS)}")
    out["pace"] = found


def _fm_drop_frame(value: Any, out: dict[str, Any], *_: Any) -> None:
    if not isinstance(value, bool):
        raise ValueError("write true or false")
    out["drop_frame"] = value


_FRONT_HANDLERS: dict[str, Callable[..., None]] = {
    "title": _fm_title,
    "duration": _fm_duration,
    "aspect_ratio": _fm_aspect,
    "resolution": _fm_resolution,
    "fps": _fm_fps,
    "language": _fm_language("language"),
    "prompt_language": _fm_language("prompt_language"),
    "style": _fm_style,
    "models": _fm_models,
    "budget": _fm_budget,
    "required_prompt_elements": _fm_list("required_prompt_elements"),
    "cut_marker": _fm_text("cut_marker"),
    "camera_movement_rule": _fm_text("camera_movement_rule"),
    "pace": _fm_pace,
    "drop_frame": _fm_drop_frame,
}


# ------------------------------------------------------------------ decisions (the rules)


def _first_strong(found: list[_Found]) -> _Found | None:
    for item in found:
        if item.strong:
            return item
    return found[0] if found else None


def _decide_duration(
    fm: Mapping[str, Any], prose: _Prose, scenes: list[BriefScene], decisions: _Decisions
) -> None:
    """Front matter > free text > sum of the scene durations (when every scene has one)."""
    timed = [s.duration_seconds for s in scenes if s.duration_seconds is not None]
    scene_sum = round(sum(timed), 3) if timed else None
    all_timed = bool(scenes) and len(timed) == len(scenes)
    stated = _first_strong(prose.durations)
    chosen: float | None = None
    if "duration" in fm:
        chosen = fm["duration"]
        decisions.set("duration_seconds", chosen, "front matter")
        if stated and abs(stated.value - chosen) > 0.5 and stated.strong:
            decisions.warnings.append(
                f"the front matter says duration {_seconds_text(chosen)} but the text says "
                f"{stated.text!r}; the front matter wins"
            )
    elif stated is not None:
        chosen = stated.value
        decisions.set("duration_seconds", chosen, "free text")
    elif all_timed and scene_sum:
        if scene_sum > MAX_DURATION_SECONDS:
            raise BriefError("the scene durations add up to more than 4 hours; check them")
        decisions.set("duration_seconds", scene_sum, "scenes")
        return
    if chosen is None or scene_sum is None:
        return
    origin = decisions.origin["duration_seconds"]
    if all_timed and abs(scene_sum - chosen) > 0.5:
        decisions.warnings.append(
            f"the scenes add up to {_seconds_text(scene_sum)} but the {origin} says "
            f"{_seconds_text(chosen)}; {_seconds_text(chosen)} is kept and the scenes are "
            "scaled when planned"
        )
    elif not all_timed and scene_sum > chosen + 0.5:
        decisions.warnings.append(
            f"the timed scenes already add up to {_seconds_text(scene_sum)}, more than the "
            f"{_seconds_text(chosen)} the {origin} says; {_seconds_text(chosen)} is kept"
        )


def _decide_frame(fm: Mapping[str, Any], prose: _Prose, decisions: _Decisions) -> None:
    """Aspect ratio and resolution: front matter > text; within one level the ratio wins."""
    fm_aspect: str | None = fm.get("aspect_ratio")
    fm_res: tuple[Resolution, bool] | None = fm.get("resolution")
    text_aspect = prose.aspects[0] if prose.aspects else None
    text_res = prose.resolutions[0] if prose.resolutions else None
    for found, label in ((prose.aspects, "aspect ratios"), (prose.resolutions, "resolutions")):
        values = []
        for item in found:
            shown = str(item.value[0]) if label == "resolutions" else item.value
            if shown not in values:
                values.append(shown)
        if len(values) > 1:
            decisions.warnings.append(
                f"the text names several {label} ({', '.join(values)}); the first, "
                f"{values[0]}, is used"
            )
    if fm_aspect and text_aspect and text_aspect.value != fm_aspect:
        decisions.warnings.append(
            f"the front matter says aspect ratio {fm_aspect} but the text says "
            f"{text_aspect.text!r} ({text_aspect.value}); the front matter wins"
        )
    if fm_res and text_res and str(text_res.value[0]) != str(fm_res[0]) and not text_res.value[1]:
        decisions.warnings.append(
            f"the front matter says resolution {fm_res[0]} but the text says "
            f"{text_res.text!r}; the front matter wins"
        )

    # Pick each value at its strongest level, remembering the level.
    aspect: tuple[str, int] | None = None  # (ratio, level: 2 front matter, 1 text)
    if fm_aspect:
        aspect = (fm_aspect, 2)
    elif text_aspect:
        aspect = (text_aspect.value, 1)
    resolution: tuple[Resolution, bool, int] | None = None
    if fm_res:
        resolution = (*fm_res, 2)
    elif text_res:
        resolution = (*text_res.value, 1)

    if aspect is None and resolution is None:
        return
    if resolution is None:
        assert aspect is not None
        decisions.set("aspect_ratio", aspect[0], _level(aspect[1]))
        decisions.set("resolution", resolution_for(aspect[0]), "derived")
        return
    size, named, res_level = resolution
    own = aspect_of(size)
    if aspect is None:
        if own is None:
            decisions.warnings.append(
                f"resolution {size} matches no aspect ratio StoryCore knows; the aspect ratio "
                "stays 16:9"
            )
        decisions.set("resolution", size, _level(res_level))
        decisions.set("aspect_ratio", own or "16:9", "derived")
        return
    ratio, ratio_level = aspect
    if named or own == ratio:
        # "4K" or "1080p" is a quality class: it takes the ratio's orientation.
        decisions.set("aspect_ratio", ratio, _level(ratio_level))
        decisions.set("resolution", fit_resolution(ratio, size), _level(res_level))
        return
    if res_level > ratio_level and own is not None:
        decisions.warnings.append(
            f"the front matter's resolution {size} is {own}, but the text asks for {ratio}; "
            f"the front matter wins: {own}"
        )
        decisions.set("aspect_ratio", own, "front matter")
        decisions.set("resolution", size, "front matter")
        return
    fitted = fit_resolution(ratio, size)
    decisions.warnings.append(
        f"resolution {size} does not match aspect ratio {ratio}; the aspect ratio wins and the "
        f"resolution becomes {fitted}"
    )
    decisions.set("aspect_ratio", ratio, _level(ratio_level))
    decisions.set("resolution", fitted, "derived")


def _level(level: int) -> str:
    return "front matter" if level == 2 else "free text"


def _decide_fps(fm: Mapping[str, Any], prose: _Prose, decisions: _Decisions) -> None:
    """Front matter > first rate in the text; drop-frame only where it exists."""
    rates = []
    for item in prose.fps:
        if item.value[0] not in rates:
            rates.append(item.value[0])
    if len(rates) > 1:
        labels = ", ".join(rate_label(parse_rate(r)) for r in rates)
        decisions.warnings.append(
            f"the text names several frame rates ({labels}); the first, "
            f"{rate_label(parse_rate(rates[0]))} fps, is used"
        )
    chosen: tuple[str, bool | None] | None = None
    if "fps" in fm:
        chosen = fm["fps"]
        decisions.set("fps", chosen[0], "front matter")
        if prose.fps and prose.fps[0].value[0] != chosen[0]:
            decisions.warnings.append(
                f"the front matter says {rate_label(parse_rate(chosen[0]))} fps but the text "
                f"says {prose.fps[0].text!r}; the front matter wins"
            )
    elif prose.fps:
        chosen = prose.fps[0].value
        decisions.set("fps", chosen[0], "free text")
    drop = fm.get("drop_frame")
    if drop is None and chosen is not None:
        drop = chosen[1]
    if drop is None and chosen is not None and prose.fps and prose.fps[0].value[0] == chosen[0]:
        drop = prose.fps[0].value[1]
    if drop is None:
        drop = prose.drop_frame
    if drop is None:
        return
    rate = parse_rate(decisions.specs.get("fps", "24"))
    if drop and not is_drop_frame_rate(rate):
        decisions.warnings.append(
            f"drop-frame timecode does not exist at {rate_label(rate)} fps; non-drop is used"
        )
        return
    decisions.set("drop_frame", drop, "front matter" if "drop_frame" in fm else "free text")


def _decide_languages(
    fm: Mapping[str, Any], prose: _Prose, brief_language: str, decisions: _Decisions
) -> None:
    """Front matter > text > (answers only) the language the brief is written in."""
    for key, found in (
        ("language", prose.answer_language),
        ("prompt_language", prose.prompt_language),
    ):
        label = "answer language" if key == "language" else "prompt language"
        if key in fm:
            decisions.set(key, fm[key], "front matter")
            if found and found[0].value != fm[key]:
                decisions.warnings.append(
                    f"the front matter says {label} {LANGUAGE_NAMES[fm[key]]} but the text says "
                    f"{found[0].text!r}; the front matter wins"
                )
        elif found:
            decisions.set(key, found[0].value, "free text")
            others = {f.value for f in found[1:]} - {found[0].value}
            if others:
                decisions.warnings.append(
                    f"the text names several {label}s; the first, "
                    f"{LANGUAGE_NAMES[found[0].value]}, is used"
                )
    if "language" not in decisions.specs and brief_language != "en":
        decisions.set("language", brief_language, "detected")


def _decide_models(fm: Mapping[str, Any], prose: _Prose, decisions: _Decisions) -> None:
    """Front matter and text wishes merge; on a conflict the front matter wins, and a model
    both preferred and avoided at the same level is avoided."""
    fm_models: dict[str, Any] = fm.get("models", {})
    prefer: list[str] = list(fm_models.get("prefer", []))
    avoid: list[str] = list(fm_models.get("avoid", []))
    for model_id in [m for m in prefer if m in avoid]:
        prefer.remove(model_id)
        decisions.warnings.append(
            f"the front matter both prefers and avoids {model_id}; it is avoided"
        )
    text_prefer = _unique(f.value for f in prose.prefer)
    text_avoid = _unique(f.value for f in prose.avoid)
    for model_id in [m for m in text_prefer if m in text_avoid]:
        text_prefer.remove(model_id)
        decisions.warnings.append(f"the text both asks for and avoids {model_id}; it is avoided")
    for model_id in text_prefer:
        if model_id in avoid:
            decisions.warnings.append(
                f"the text asks for {model_id} but the front matter avoids it; the front "
                "matter wins"
            )
        elif model_id not in prefer:
            prefer.append(model_id)
    for model_id in text_avoid:
        if model_id in fm_models.get("prefer", []):
            decisions.warnings.append(
                f"the text avoids {model_id} but the front matter prefers it; the front matter wins"
            )
        elif model_id not in avoid:
            avoid.append(model_id)
    local_only: bool = bool(fm_models.get("local_only", False))
    if "local_only" in fm_models:
        if prose.local_only and not fm_models["local_only"]:
            decisions.warnings.append(
                f"the front matter says local_only: false but the text says "
                f"{prose.local_only.text!r}; the front matter wins"
            )
    elif prose.local_only:
        local_only = True
    if local_only:
        for model_id in [m for m in prefer if m in CLOUD_MODEL_IDS]:
            prefer.remove(model_id)
            decisions.warnings.append(
                f"{model_id} runs in the cloud but the brief asks for local models only; it is "
                "not preferred"
            )
    if prefer or avoid or local_only or "vram_gb" in fm_models:
        payload: dict[str, Any] = {"prefer": prefer, "avoid": avoid, "local_only": local_only}
        if "vram_gb" in fm_models:
            payload["vram_gb"] = fm_models["vram_gb"]
        decisions.set("models", payload, "brief")


def _unique(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def _decide_simple(fm: Mapping[str, Any], prose: _Prose, decisions: _Decisions) -> None:
    """Style, budget, pace, required prompt elements, cut marker, camera movement rule."""
    for key in ("style", "required_prompt_elements", "cut_marker", "camera_movement_rule"):
        if key in fm:
            decisions.set(key, fm[key], "front matter")
    if "budget" in fm:
        decisions.set("budget_usd", fm["budget"], "front matter")
        if prose.budget and abs(prose.budget.value - fm["budget"]) > 0.005:
            decisions.warnings.append(
                f"the front matter says budget ${fm['budget']:g} but the text says "
                f"{prose.budget.text!r}; the front matter wins"
            )
    elif prose.budget:
        decisions.set("budget_usd", prose.budget.value, "free text")
    pace: Pace | None = fm.get("pace")
    if pace:
        decisions.set("pace", pace, "front matter")
        if prose.pace and prose.pace.value != pace:
            decisions.warnings.append(
                f"the front matter says pace {pace} but the text says {prose.pace.text!r} "
                f"({prose.pace.value}); the front matter wins"
            )
    elif prose.pace:
        decisions.set("pace", prose.pace.value, "free text")
