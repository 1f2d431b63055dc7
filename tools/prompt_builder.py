"""Generation prompts for one shot: image (keyframe), video (clip) and negative prompts.

Built from the shot (shot size, framing, angle, movement, lens, description, action, time of
day, weather), the canonical descriptions of the elements it shows, the project's style and
required prompt elements, in the project's prompt language. Everything is deterministic: the
same input gives the same prompts, with no date or random part, so that a prompt's hash says
whether a shot must be regenerated.

Templates and the fixed vocabulary ("close-up", "gros plan", "クローズアップ") live in
``prompts/generation/<language>/`` and can be overridden per project (see
:func:`storycore.prompts.load_template`). Free text (descriptions, action, style, required
elements) is never translated: it goes into the prompt as written.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict

from storycore.prompts import load_template, template_sources
from storycore.tools.domain import (
    AssetMetadata,
    CameraMovement,
    ShotSpec,
    TechnicalSpecs,
    Transition,
)
from storycore.tools.errors import InvalidInput, NotFound
from storycore.tools.text import fold_words as _fold_key

__all__ = [
    "CUT_TRANSITIONS",
    "IMAGE_TEMPLATE",
    "NEGATIVE_TEMPLATE",
    "VIDEO_TEMPLATE",
    "VOCABULARY",
    "ShotPrompts",
    "build_shot_prompts",
    "load_vocabulary",
    "render_prompt_template",
    "split_required_elements",
]

IMAGE_TEMPLATE = "generation/image_prompt"
VIDEO_TEMPLATE = "generation/video_prompt"
NEGATIVE_TEMPLATE = "generation/negative_prompt"
VOCABULARY = "generation/vocabulary"

#: Transitions into a shot that count as a cut for the cut-marker rule.
CUT_TRANSITIONS = frozenset(
    {Transition.CUT, Transition.SMASH_CUT, Transition.JUMP_CUT, Transition.MATCH_CUT}
)

# "no <thing>" in the required prompt elements: the thing goes to the negative prompt.
_NEGATION = re.compile(
    r"^\s*(?:no|without|avoid|never|not any|pas de|pas d'|pas d’|sans|aucun|aucune|"
    r"jamais de|ni)\s+(.+?)\s*$",
    re.IGNORECASE,
)
_NEGATION_JA = re.compile(r"^\s*(.+?)\s*(?:なし|無し|禁止|不要)\s*$")
# What the vocabulary's negative.<key> expands, by the words a user writes.
_FORBIDDEN_KEYS: dict[str, str] = {
    "subtitles": "subtitles",
    "subtitle": "subtitles",
    "captions": "subtitles",
    "caption": "subtitles",
    "sous titres": "subtitles",
    "sous titre": "subtitles",
    "sous titrage": "subtitles",
    "字幕": "subtitles",
    "text": "text",
    "texte": "text",
    "on screen text": "text",
    "lettering": "text",
    "文字": "text",
    "テキスト": "text",
    "watermark": "watermark",
    "watermarks": "watermark",
    "filigrane": "watermark",
    "透かし": "watermark",
    "logo": "logo",
    "logos": "logo",
    "brand": "logo",
    "brands": "logo",
    "marque": "logo",
    "ロゴ": "logo",
    "dialogue": "dialogue",
    "dialogues": "dialogue",
    "dialog": "dialogue",
    "talking": "dialogue",
    "台詞": "dialogue",
    "セリフ": "dialogue",
    "people": "people",
    "crowd": "people",
    "foule": "people",
    "personnes": "people",
    "人物": "people",
    "music": "music",
    "musique": "music",
    "音楽": "music",
}
# Required elements about time, motion or sound belong to the video prompt only.
_VIDEO_ONLY = re.compile(
    r"(?<![a-z])(?:cuts?|fps|frame ?rate|sfx|sound|sounds|audio|music|dialogue|voice|motion|"
    r"movement|camera|slow ?motion|timelapse|tempo|pace|rythme|ralenti|son|sons|musique|"
    r"bruitages?|mouvements?|montage|coupes?|beat|transitions?|lip ?sync)(?![a-z])"
)


class ShotPrompts(BaseModel):
    """The three generation prompts of a shot, in ``language``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    image_prompt: str
    video_prompt: str
    negative_prompt: str
    language: str = "en"

    def apply_to(self, shot: ShotSpec) -> ShotSpec:
        """A copy of ``shot`` carrying these prompts (the shot itself is not changed)."""
        return shot.model_copy(
            update={
                "image_prompt": self.image_prompt,
                "video_prompt": self.video_prompt,
                "negative_prompt": self.negative_prompt,
            }
        )


# --------------------------------------------------------------------------------------
# Templates and vocabulary
# --------------------------------------------------------------------------------------


def load_vocabulary(language: str = "en", override_dir: Path | None = None) -> dict[str, str]:
    """The fixed vocabulary in ``language``, merged key by key.

    Most specific wins: the project's file in the language, the packaged one, the project's
    English file, the packaged English one.
    """
    merged: dict[str, str] = {}
    for origin, text in reversed(template_sources(VOCABULARY, language, override_dir)):
        merged.update(_parse_vocabulary(text, origin))
    return merged


@lru_cache(maxsize=32)
def _parse_vocabulary(text: str, origin: str) -> Mapping[str, str]:
    # Cached by the file's text (a pure function of it): every shot's prompts load the
    # vocabulary, and an edit rebuilds the prompts of every shot it compares.
    return MappingProxyType(_parse_vocabulary_text(text, origin))


def _parse_vocabulary_text(text: str, origin: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(
                f"prompt vocabulary ({origin}) line {number} is not 'key = text': {line[:60]!r}"
            )
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        out[key.strip()] = value
    return out


def render_prompt_template(
    template: str, values: Mapping[str, str], *, name: str, separator: str = " "
) -> str:
    """Fill a prompt template line by line and join the lines with ``separator``.

    ``#`` lines are comments; a line whose placeholders are all empty is left out; an empty
    item inside a line is dropped with its comma. A placeholder without a value raises
    :class:`InvalidInput` naming the template (a project override with a typo).
    """
    lines: list[str] = []
    for raw, line, names in _template_lines(template):
        unknown = sorted(set(names) - set(values)) if names else []
        if unknown:
            raise InvalidInput(
                f"prompt template {name} uses unknown placeholder ${unknown[0]}; known: "
                + ", ".join(f"${key}" for key in sorted(values))
            )
        if line is None:
            raise InvalidInput(
                f"prompt template {name} has a '$' that is not a placeholder in {raw.strip()!r}; "
                "write $$ for a dollar sign"
            )
        if names and not any(values[key] for key in names):
            continue
        text = _tidy(line.substitute(values))
        if text:
            lines.append(text)
    return separator.join(lines).strip()


@lru_cache(maxsize=256)
def _template_lines(template: str) -> tuple[tuple[str, string.Template | None, list[str]], ...]:
    """The lines of a template that are not blank or comments, parsed once per template:
    (the line, its :class:`string.Template` or None if it has a stray ``$``, its
    placeholders). Every shot's prompts fill the same few templates."""
    out = []
    for raw in template.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        line = string.Template(raw)
        out.append((raw, line if line.is_valid() else None, line.get_identifiers()))
    return tuple(out)


_REPEATED_COMMAS = re.compile(r"([,、])(\s*[,、])+")
_LEADING_COMMA = re.compile(r"^\s*[,、]\s*")
_COMMA_AT_END = re.compile(r"\s*[,、]\s*(?=[.。]|$)")
_DOUBLED_STOP = re.compile(r"([.!?。！？])\s*[.。]")
_ONLY_STOPS = re.compile(r"^[\s.。]+$")
_SPACES = re.compile(r"[ \t]{2,}")


def _tidy(text: str) -> str:
    """Drop the commas left by empty items and doubled end punctuation."""
    text = _REPEATED_COMMAS.sub(r"\1", text)
    text = _LEADING_COMMA.sub("", text)
    text = _COMMA_AT_END.sub("", text)
    text = _DOUBLED_STOP.sub(r"\1", text)
    text = _ONLY_STOPS.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _clean(text: str | None) -> str:
    """Free text for a prompt: one line, no trailing full stop (the template adds its own)."""
    if not text:
        return ""
    return " ".join(str(text).split()).rstrip(".。 ").strip()


# Words said or written on screen: a quoted span, with the word that introduces it (a
# tagline, a title card, a sign that reads...). An image or video prompt describes the
# picture; spoken lines live in the shot's dialogue field and on-screen text is a text
# overlay added in the edit (docs/prompts.md), so neither is pasted into a prompt.
_QUOTED = re.compile(
    r"[,;:]?\s*(?:(?:(?:the|a|an|its|le|la|son|sa|un|une)\s+)?"
    r"(?:tagline|slogan|caption|légende|accroche)\s*)?"
    r"(?:(?:that|which|qui)\s+(?:reads?|says?|dit|indique)\s*|reading\s*|disant\s*)?[:,]?\s*"
    r"(?:\"[^\"]*\"|“[^”]*”|«[^»]*»|„[^“”]*[“”]|「[^」]*」|『[^』]*』)"
)


def _visual_text(text: str | None, shot: ShotSpec) -> str:
    """``text`` without dialogue lines or quoted on-screen text, cleaned for a prompt."""
    cleaned = " ".join(str(text or "").split())
    for line in shot.dialogue:
        spoken = " ".join(line.text.split())
        if len(spoken) > 2:
            cleaned = cleaned.replace(spoken, "")
    cleaned = _QUOTED.sub("", cleaned)
    cleaned = re.sub(r"\s+([,.;:!?])", r"\1", cleaned)
    cleaned = re.sub(r"([,;:])(?=[.!?]|$)", "", cleaned)
    return _clean(cleaned)


def _substitute(vocabulary_text: str, key: str, **values: str) -> str:
    try:
        return string.Template(vocabulary_text).substitute(values)
    except (KeyError, ValueError):
        raise InvalidInput(
            f"prompt vocabulary entry {key!r} may only use "
            + ", ".join(f"${name}" for name in values)
        ) from None


# --------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------


def split_required_elements(required: list[str]) -> tuple[list[str], list[str]]:
    """(positive elements, forbidden things): "no subtitles" -> forbidden "subtitles"."""
    positive: list[str] = []
    forbidden: list[str] = []
    for element in required:
        text = " ".join(element.split())
        if not text:
            continue
        match = _NEGATION.match(text) or _NEGATION_JA.match(text)
        if match:
            forbidden.append(match.group(1))
        else:
            positive.append(text)
    return positive, forbidden


def _forbidden_terms(forbidden: list[str], vocabulary: Mapping[str, str]) -> list[str]:
    terms: list[str] = []
    for thing in forbidden:
        key = _FORBIDDEN_KEYS.get(_fold_key(thing)) or _FORBIDDEN_KEYS.get(thing.strip())
        terms.append(vocabulary.get(f"negative.{key}", thing) if key else thing)
    return terms


def _element_text(
    element_id: str,
    shot: ShotSpec,
    elements: Mapping[str, AssetMetadata],
    vocabulary: Mapping[str, str],
) -> str:
    element = elements.get(element_id)
    if element is None:
        raise NotFound(
            f"{shot.shot_id} shows element {element_id!r}, which is not in the element "
            "registry; add it or remove it from the shot"
        )
    # The canonical description, exactly, in every shot: this is what keeps a character
    # the same from clip to clip. Attributes follow in key order, for the same reason.
    description = _clean(element.canonical_description)
    said = f" {_fold_key(description)} "
    traits = "; ".join(
        trait
        for key, value in sorted(element.attributes.items())
        if value and (trait := _trait_text(key, _clean(value), said, vocabulary))
    )
    if traits:
        description = f"{description} ({traits})" if description else traits
    if not description:
        return element.name
    return _substitute(
        vocabulary.get("element", "$name: $description"),
        "element",
        name=element.name,
        description=description,
    )


def _trait_text(key: str, value: str, said: str, vocabulary: Mapping[str, str]) -> str:
    """How an element's attribute reads in a prompt: "yellow coat" (``trait``: the value,
    then the attribute's noun; "manteau jaune" in French), the value alone when it names the
    attribute itself ("glasses", "a yellow raincoat"), "height: tall" for an attribute the
    vocabulary does not know; nothing when the description already says it, the value next
    to the noun (``said``: the folded description between spaces; "blonde curly hair" for
    hair "blonde curly", not "dark hair, a blonde wig")."""
    from storycore.tools.feedback.vocabulary import ATTRIBUTE_WORDS, names_itself

    own = vocabulary.get(f"trait.{key}")  # "trait.age = $value": "40s"
    if own is not None:
        if f" {_fold_key(value)} " in said:
            return ""
        return _substitute(own, f"trait.{key}", value=value, noun=key)
    nouns = ATTRIBUTE_WORDS.get(key)
    if nouns is None:
        return f"{key}: {value}"
    folded = _fold_key(value)
    nouns = tuple(_fold_key(noun) for noun in nouns)
    named = names_itself(key, value)
    if (
        f" {folded} " in said
        if named
        else any(f" {folded} {noun} " in said or f" {noun} {folded} " in said for noun in nouns)
    ):
        return ""  # the description says it already ("blonde curly hair", "cheveux blonds")
    if named:
        return value
    return _substitute(
        vocabulary.get("trait", "$value $noun"),
        "trait",
        value=value,
        noun=vocabulary.get(f"trait_noun.{key}", key),
    )


def build_shot_prompts(
    shot: ShotSpec,
    elements: Mapping[str, AssetMetadata],
    specs: TechnicalSpecs,
    *,
    override_dir: Path | None = None,
) -> ShotPrompts:
    """The image, video and negative prompts of ``shot`` in ``specs.prompt_language``.

    ``elements`` maps element ids to registry entries; every element the shot shows must be
    there (:class:`NotFound` otherwise). ``override_dir`` is the project's ``prompts/``
    folder, whose templates win over the packaged ones.
    """
    language = specs.prompt_language
    vocabulary = load_vocabulary(language, override_dir)
    list_separator = vocabulary.get("list_separator", ", ")
    line_separator = vocabulary.get("line_separator", " ")

    positive, forbidden = split_required_elements(specs.required_prompt_elements)
    visual = [p for p in positive if not _VIDEO_ONLY.search(p.lower())]
    values = _template_values(shot, elements, specs, vocabulary, forbidden)
    image_values = values | {
        "required": list_separator.join(_clean(p) for p in visual),
        "camera_movement": "",
        "cut_marker": "",
        "movement_rule": "",
    }
    video_values = values | {"required": list_separator.join(_clean(p) for p in positive)}

    image = render_prompt_template(
        load_template(IMAGE_TEMPLATE, language, override_dir),
        image_values,
        name=IMAGE_TEMPLATE,
        separator=line_separator,
    )
    video = render_prompt_template(
        load_template(VIDEO_TEMPLATE, language, override_dir),
        video_values,
        name=VIDEO_TEMPLATE,
        separator=line_separator,
    )
    negative_lines = render_prompt_template(
        load_template(NEGATIVE_TEMPLATE, language, override_dir),
        values | {"required": ""},
        name=NEGATIVE_TEMPLATE,
        separator="\n",
    )
    return ShotPrompts(
        image_prompt=image,
        video_prompt=video,
        negative_prompt=list_separator.join(_negative_terms(negative_lines)),
        language=language,
    )


def _camera_values(shot: ShotSpec, vocabulary: Mapping[str, str]) -> dict[str, str]:
    """The shot's size, framing, angle and lens in the vocabulary's words, and ``camera``:
    all four joined."""
    list_separator = vocabulary.get("list_separator", ", ")
    lens = _substitute(vocabulary.get("lens", "$mm mm lens"), "lens", mm=f"{shot.lens_mm:g}")
    shot_size = vocabulary.get(f"shot_size.{shot.shot_size.value}", "")
    framing = vocabulary.get(f"framing.{shot.framing.value}", "")
    camera_angle = vocabulary.get(f"camera_angle.{shot.camera_angle.value}", "")
    camera = list_separator.join(p for p in (shot_size, framing, camera_angle, lens) if p)
    return {
        "camera": camera,
        "shot_size": shot_size,
        "framing": framing,
        "camera_angle": camera_angle,
        "lens": lens,
    }


def _template_values(
    shot: ShotSpec,
    elements: Mapping[str, AssetMetadata],
    specs: TechnicalSpecs,
    vocabulary: Mapping[str, str],
    forbidden: list[str],
) -> dict[str, str]:
    """Every ``$name`` a prompt template may use, as the video prompt sees it (the image
    and negative prompts change a few)."""
    list_separator = vocabulary.get("list_separator", ", ")
    element_separator = vocabulary.get("element_separator", "; ")
    camera = _camera_values(shot, vocabulary)
    location = _element_text(shot.location, shot, elements, vocabulary) if shot.location else ""
    is_cut = shot.camera_movement is CameraMovement.STATIC and shot.transition_in in CUT_TRANSITIONS
    movement, details = _said_once(
        camera["camera"],
        vocabulary.get(f"camera_movement.{shot.camera_movement.value}", ""),
        _clean(shot.camera_details),
        list_separator,
    )
    return {
        **camera,
        "camera_details": details,
        "camera_movement": movement,
        "description": _visual_text(shot.description, shot),
        "characters": element_separator.join(
            _element_text(c, shot, elements, vocabulary) for c in shot.characters
        ),
        "action": _action_unsaid(shot),
        "location": location,
        "props": element_separator.join(
            _element_text(p, shot, elements, vocabulary) for p in shot.props
        ),
        "time_of_day": _clean(shot.time_of_day),
        "weather": _clean(shot.weather),
        "style": _clean(specs.style),
        "aspect_ratio": shot.aspect_ratio or specs.aspect_ratio,
        # The camera movement rule is an instruction to the planner (it already chose each
        # shot's movement): it is never pasted into a prompt, even by an override template.
        "movement_rule": "",
        "cut_marker": specs.cut_marker if is_cut else "",
        "forbidden": list_separator.join(_forbidden_terms(forbidden, vocabulary)),
    }


def _action_unsaid(shot: ShotSpec) -> str:
    """The shot's action for a prompt, or nothing when the description already says it.
    The breakdown often repeats the action inside the description, capitalised at the start
    of its sentence there ("Close on the machine." for "close on the machine"): the
    comparison ignores case, so the prompt says it once. A description that tells the action
    in its own words ("Full shot of Marta walking the rows with a wicker basket" for "Marta
    walks the rows with a wicker basket": three words in four, all but the verbs) says it
    too."""
    action = _visual_text(shot.action, shot)
    description = _visual_text(shot.description, shot).casefold()
    if action.casefold() in description:
        return ""
    head, comma, rest = action.partition(",")
    # an opening phrase ("On the jetty,") is the setting, said on its own line
    compared = rest if comma and len(head.split()) <= 5 and rest.strip() else action
    words = re.findall(r"\w+", compared.casefold())
    told = set(re.findall(r"\w+", description))
    if len(words) >= 4 and sum(word in told for word in words) >= 0.75 * len(words):
        return ""
    return action


# Words that say nothing of a camera move by themselves ("camera pans", "tracking shot").
_CAMERA_FILLER = frozenset({"camera", "shot", "lens"})


def _camera_terms(text: str) -> set[str]:
    """A camera phrase's words, compared loosely: "24 mm" is "24mm", "pans" is "pan"."""
    words = re.sub(r"(\d)\s+mm\b", r"\1mm", text.lower()).replace("-", " ").split()
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words}


def _said_once(camera: str, movement: str, details: str, separator: str) -> tuple[str, str]:
    """The camera movement and the camera details, each thing said once after ``camera``
    (size, angle, lens): a detail the camera or the movement already says is left out
    ("24mm" after "24 mm lens"), and the movement gives way to a detail saying more of it
    ("slow dolly in" for "dolly in")."""
    said = _camera_terms(camera) | _camera_terms(movement)
    parts = [p.strip() for p in details.split(",") if p.strip()]
    kept = [p for p in parts if not _camera_terms(p) <= said]
    core = _camera_terms(movement) - _CAMERA_FILLER
    if core and any(core <= _camera_terms(p) for p in kept):
        movement = ""
    return movement, separator.join(kept)


def _negative_terms(negative_lines: str) -> list[str]:
    """The rendered negative template's terms, each once (the first spelling kept)."""
    terms: list[str] = []
    seen: set[str] = set()
    for term in re.split(r"\s*[,、\n]\s*", negative_lines):
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    return terms
