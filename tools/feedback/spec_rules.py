"""The phrasings that change a spec of the whole project, in English and French: its length
("make it 90 seconds", "fais-le en 90 secondes"), its frame rate ("change the frame rate to
25", "passe à 25 images par seconde"), its aspect ratio ("make it 16:9", "mets-le en
vertical") and its resolution ("in 4K", "passe en 1080p"). Each becomes one
:class:`ChangeProjectSpec`; its value is checked there, so "make it -3 seconds" or "frame rate
to 7.5" is one clear error. :data:`SPEC_RULES` comes first in the parser's rules: none of
these names a shot, and a shot's own length ("make shot 3 4 seconds") never matches them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from storycore.tools.domain.modifications import ChangeProjectSpec, Modification, RetimeShot
from storycore.tools.domain.values import ASPECT_RATIOS
from storycore.tools.feedback.reader import _Handler, _Reader, _Rule, _rule

# What the whole video is called (folded: lower case, no accents).
_WHOLE_NOUN = (
    r"(?:video|film|movie|ad|advert|commercial|spot|clip|project|edit|cut|piece|trailer|short|"
    r"thing|story|sequence)"
)
_SUBJ = (
    r"(?P<subj>it|this|that|everything|the whole thing|the total|the whole\s+"
    + _WHOLE_NOUN
    + r"|(?:the|this|our|my|your)\s+(?:whole\s+|entire\s+|final\s+)?"
    + _WHOLE_NOUN
    + r")"
)
_FR_NOUN = (
    r"(?:video|film|pub|publicite|spot|clip|projet|montage|court[- ]metrage|bande[- ]annonce|"
    r"sequence|histoire)"
)
_FR_SUBJ = r"(?P<subj>tout|(?:le|la|l'|ce|cette|notre|mon|ma|ta|ton)\s*" + _FR_NOUN + r")"
_FR_PRONOUN = r"(?P<pro>-?(?:le|la|les))"

# -- values ------------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "a": "1",
    "an": "1",
    "one": "1",
    "un": "1",
    "une": "1",
    "two": "2",
    "deux": "2",
    "three": "3",
    "trois": "3",
    "four": "4",
    "quatre": "4",
    "five": "5",
    "cinq": "5",
    "ten": "10",
    "dix": "10",
}
_DUR_UNIT = r"(?:hours?|heures?|h|minutes?|mins?|mn|m|seconds?|secondes?|secs?|s)"
_DUR = (
    r"(?P<val>(?:-\s*)?\d+(?:[.,]\d+)?(?:\s*-?\s*" + _DUR_UNIT + r"(?:\s*(?:and\s+|et\s+)?\d+"
    r"(?:\s*" + _DUR_UNIT + r")?)?)?|-?\d{1,2}:\d{2}(?::\d{2})?"
    r"|(?:a|an|one|two|three|four|five|ten|un|une|deux|trois|quatre|cinq|dix)\s+"
    r"(?:minutes?|seconds?|secondes?)(?:\s+(?:and\s+|et\s+)?(?:a\s+half|demie?))?)"
)
_FPS_UNIT = (
    r"(?:fps|i/s|ips|im/s|hz|images?\s*(?:par|/|a la)\s*s(?:ec(?:onde)?)?|"
    r"frames?\s*(?:per|a|/)\s*s(?:ec(?:ond)?)?)"
)
_DROP = r"(?:\s+(?:drop[- ]?frame|non[- ]?drop(?:[- ]?frame)?|df|ndf))?"
_FPS_NUM = r"(?P<val>-?\d+(?:[.,]\d+)?(?:\s*/\s*1001)?)"
_FPS_ANY = _FPS_NUM + r"(?:\s*" + _FPS_UNIT + r")?" + r"(?P<drop>" + _DROP + r")"
_FPS_UNITS = _FPS_NUM + r"\s*" + _FPS_UNIT + r"(?P<drop>" + _DROP + r")"
_FPS_WORD = (
    r"(?:frame\s*rate|framerate|fps|frames per second|frame frequency|cadence(?:\s+d'images)?|"
    r"frequence\s+d'images|nombre\s+d'images\s+par\s+seconde|images\s+par\s+seconde)"
)
_ASPECT_VAL = (
    r"(?P<val>\d{1,2}(?:[.,]\d{1,2})?\s*[:/x]\s*\d{1,2}(?:[.,]\d{1,2})?|verticale?|portrait|"
    r"horizontale?|paysage|landscape|widescreen|square|carre|cinemascope|scope|anamorphic)"
)
_ASPECT_WORD = (
    r"(?:aspect\s+ratio|aspect|ratio|format|frame|orientation|rapport\s+d'aspect|"
    r"rapport\s+largeur[- ]hauteur|cadre)"
)
_RES_VAL = (
    r"(?P<val>\d{3,4}\s*p|[248]\s*k|uhd|ultra\s*hd|full\s*hd|fhd|qhd|hd|"
    r"\d{3,5}\s*[x×]\s*\d{3,5})"
)
_RES_WORD = r"(?:resolution|definition|output size|frame size|size|taille)"

_EN_VERB = (
    r"(?:make|set|change|switch|turn|put|bring|cut|trim|extend|shorten|lengthen|render|shoot|"
    r"reframe|convert|go|move|deliver|do|export|output|upscale|bump|conform|crop|redo)"
)
_FR_VERB = (
    r"(?:fais|faites|faire|rends|rendez|rendre|mets|mettez|mettre|passe[rz]?|ramene[rz]?|"
    r"reduis|reduisez|reduire|allonge[rz]?|rallonge[rz]?|raccourcis|raccourcissez|raccourcir|"
    r"change[rz]?|regle[rz]?|fixe[rz]?|bascule[rz]?|convertis|convertissez|convertir|"
    r"recadre[rz]?|tourne[rz]?|exporte[rz]?|monte[rz]?|refais|refaire)"
)
_TO = r"(?:to|at|in|into|as|down to|up to|:|=|->)"
_FR_TO = r"(?:en|a|au|sur|pour|:|=|->)"


def _duration_text(value: str) -> str:
    """A spoken duration as the duration reader reads it ("a minute and a half" -> "90")."""
    text = " ".join(value.replace(",", ".").split())
    words = re.fullmatch(
        r"(\w+)\s+(minutes?|seconds?|secondes?)(?:\s+(?:and\s+|et\s+)?(a\s+half|demie?))?", text
    )
    if words and words.group(1) in _NUMBER_WORDS:
        number = float(_NUMBER_WORDS[words.group(1)]) + (0.5 if words.group(3) else 0.0)
        seconds = number * 60 if words.group(2).startswith("minute") else number
        return f"{seconds:g}"
    # "1 min 30", "1 minute et 30" -> "1min30"; "90-second" -> "90 second"
    text = re.sub(r"\s+(?:and|et)\s+", " ", text)
    text = re.sub(r"(\d)\s*-\s*(?=[a-z])", r"\1 ", text)
    return re.sub(r"(?<=[a-z])\s+(?=\d)", "", text)


def _fps_text(match: re.Match[str]) -> str:
    value = re.sub(r"\s+", "", match.group("val")).replace(",", ".")
    drop = (match.groupdict().get("drop") or "").strip()
    return f"{value} {drop}".strip()


def _duration(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    value = _duration_text(match.group("val"))
    subject = (match.groupdict().get("subj") or match.groupdict().get("pro") or "").strip("- ")
    if subject in ("it", "le", "la", "les") and reader.last_shots:
        # "make shot 3 a close-up and make it 4 seconds": "it" is shot 3, not the video.
        from storycore.tools.brief.values import parse_duration

        seconds = parse_duration(value)
        return [RetimeShot(shot_id=s, duration_seconds=seconds) for s in reader.last_shots]
    return [ChangeProjectSpec(field="duration_seconds", value=value)]


def _rate(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    return [ChangeProjectSpec(field="fps", value=_fps_text(match))]


def _aspect(reader: _Reader, match: re.Match[str], original: str) -> list[Modification] | None:
    value = re.sub(r"\s+", "", match.group("val")).replace(",", ".")
    if re.fullmatch(r"\d{1,2}:[0-5]\d", value) and value not in ASPECT_RATIOS:
        return None  # "make it 1:30" is a length (the duration rules read it)
    return [ChangeProjectSpec(field="aspect_ratio", value=value)]


def _resolution(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    value = re.sub(r"\s+", "", match.group("val"))
    value = {"ultrahd": "uhd", "fullhd": "1080p", "fhd": "1080p"}.get(value, value)
    return [ChangeProjectSpec(field="resolution", value=value)]


def _rules(handler: _Handler, patterns: Sequence[str]) -> list[_Rule]:
    return [_rule(pattern, handler) for pattern in patterns]


_LONG = r"(?:\s+(?:long|in total|total|overall|max|maximum|au total|en tout|maximum))?"

#: The project-spec phrasings, tried before every other rule.
SPEC_RULES: tuple[_Rule, ...] = (
    # resolution first: "1920x1080" is a size, never an aspect ratio
    *_rules(
        _resolution,
        (
            _EN_VERB + r"\s+(?:" + _SUBJ + r"\s+)?(?:(?:the\s+)?" + _RES_WORD + r"\s+)?(?:up\s+)?"
            r"(?:" + _TO + r"\s*)?" + _RES_VAL + r"(?:\s+(?:resolution|output|video))?",
            r"(?:the\s+)?(?:output\s+)?" + _RES_WORD + r"\s*(?:should be|must be|to|:|=|->|of|"
            r"at|is)?\s*" + _RES_VAL,
            _FR_VERB + r"\s*(?:" + _FR_PRONOUN + r"\s+|\s+" + _FR_SUBJ + r"\s+|\s+)"
            r"(?:(?:la\s+|le\s+|l')?" + _RES_WORD + r"\s+)?(?:" + _FR_TO + r"\s*)?" + _RES_VAL,
            r"(?:la\s+|le\s+|l')?" + _RES_WORD + r"\s*(?::|=|en|a|doit etre|devrait etre|sera)?"
            r"\s*" + _RES_VAL,
            r"(?:in|en|at)\s+" + _RES_VAL,
        ),
    ),
    *_rules(
        _rate,
        (
            _EN_VERB + r"\s+(?:(?:the\s+)?(?:project'?s?\s+|video'?s?\s+)?" + _FPS_WORD + r"|"
            r"(?:"
            + _SUBJ
            + r"\s+)?(?:(?:the\s+)?"
            + _FPS_WORD
            + r"\s+)?)\s*(?:"
            + _TO
            + r"\s*)?"
            + _FPS_ANY,
            _EN_VERB + r"\s+(?:" + _SUBJ + r"\s+)?(?:" + _TO + r"\s*)?" + _FPS_UNITS,
            r"(?:the\s+)?" + _FPS_WORD + r"\s*(?:should be|must be|to|:|=|->|of|at|is|doit etre|"
            r"devrait etre|a|en|de)?\s*" + _FPS_ANY,
            _FR_VERB + r"\s*(?:" + _FR_PRONOUN + r"\s+|\s+" + _FR_SUBJ + r"\s+|\s+)"
            r"(?:la\s+|le\s+|les\s+|l')?" + _FPS_WORD + r"\s*(?:" + _FR_TO + r"\s*)?" + _FPS_ANY,
            _FR_VERB + r"\s*(?:" + _FR_PRONOUN + r"\s+|\s+" + _FR_SUBJ + r"\s+|\s+)"
            r"(?:" + _FR_TO + r"\s*)?" + _FPS_UNITS,
            r"(?:(?:at|in|a|en)\s+)?" + _FPS_UNITS,
        ),
    ),
    *_rules(
        _aspect,
        (
            _EN_VERB + r"\s+(?:" + _SUBJ + r"\s+)?(?:(?:the\s+)?" + _ASPECT_WORD + r"\s+)?"
            r"(?:"
            + _TO
            + r"\s*)?(?:an?\s+)?"
            + _ASPECT_VAL
            + r"(?:\s+(?:format|aspect(?:\s+ratio)?|ratio|video|version|mode|frame|orientation|"
            r"cut|edit))?",
            r"(?:the\s+)?"
            + _ASPECT_WORD
            + r"\s*(?:should be|must be|to|:|=|->|is)?\s*"
            + _ASPECT_VAL,
            _FR_VERB + r"\s*(?:" + _FR_PRONOUN + r"\s+|\s+" + _FR_SUBJ + r"\s+|\s+)"
            r"(?:(?:le\s+|la\s+|l')?" + _ASPECT_WORD + r"\s+)?(?:" + _FR_TO + r"\s*)?"
            r"(?:(?:format|mode)\s+)?" + _ASPECT_VAL + r"(?:\s+(?:format|mode))?",
            r"(?:le\s+|la\s+|l')?" + _ASPECT_WORD + r"\s*(?::|=|en|a|doit etre|devrait etre|"
            r"sera)?\s*" + _ASPECT_VAL,
            r"(?:in|en)\s+" + _ASPECT_VAL + r"(?:\s+(?:format|mode|aspect ratio))?",
        ),
    ),
    *_rules(
        _duration,
        (
            _EN_VERB + r"\s+" + _SUBJ + r"\s+(?:" + _TO + r"\s*)?(?:a\s+)?(?:last\s+|run\s+|"
            r"be\s+)?(?:for\s+|about\s+|exactly\s+|only\s+|just\s+)?" + _DUR + _LONG,
            r"(?:(?:set|change|make|cut|trim|bring)\s+)?(?:the\s+)?(?:total\s+|overall\s+)?"
            r"(?:duration|length|runtime|running time|run time)(?:\s+of\s+" + _SUBJ + r")?\s*"
            r"(?:should be|must be|to|:|=|->|is|at|down to|up to)?\s*" + _DUR,
            _SUBJ + r"\s+(?:should|must|needs to|has to|will|shall|can)?\s*(?:be|last|run|take)\s+"
            r"(?:for\s+|about\s+|exactly\s+|only\s+|just\s+)?" + _DUR + _LONG,
            r"(?:make|do|give me|cut|edit)?\s*(?:it\s+)?(?:an?|une?)\s+"
            + _DUR
            + r"\s+(?:version|cut|edit|video|film|ad|spot|clip)",
            _FR_VERB + r"\s*(?:" + _FR_PRONOUN + r"|\s+" + _FR_SUBJ + r")?\s+(?:durer\s+)?"
            r"(?:"
            + _FR_TO
            + r"\s*)?(?:durer\s+)?(?:seulement\s+|environ\s+|exactement\s+)?"
            + _DUR
            + _LONG,
            r"(?:(?:passe[rz]?|mets|mettez|mettre|change[rz]?|regle[rz]?|fixe[rz]?|ramene[rz]?)\s+)?"
            r"(?:la\s+)?(?:duree|longueur)(?:\s+(?:totale|du film|de la video|de la pub|du clip|"
            r"du projet|du montage|du spot))?\s*(?:doit etre|devrait etre|:|=|a|de|en|sur|->)?"
            r"\s*" + _DUR,
            _FR_SUBJ + r"\s+(?:doit|devrait|va)?\s*(?:durer|dure|faire|fait|etre de)\s+"
            r"(?:seulement\s+|environ\s+|exactement\s+)?" + _DUR + _LONG,
            r"(?:fais|faites|je veux|donne-moi|donnez-moi|il faut)?\s*(?:en\s+)?une?\s+(?:version|"
            r"video|pub|film|montage|spot|clip)\s+de\s+" + _DUR,
        ),
    ),
)
