"""The handlers of the phrasings: each turns one matched clause into modifications (or
None: the rule does not apply after all, the next one is tried).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import ValidationError

from storycore.tools.domain import SceneType, ShotSize, format_validation_error
from storycore.tools.domain.modifications import (
    _TIME_WORDS,
    _WEATHER_WORDS,
    Aspect,
    InsertShot,
    Lock,
    Modification,
    MoveShot,
    Regenerate,
    RegenerateWithout,
    RemoveShot,
    RetimeShot,
    SetModel,
    SetShotField,
    Unlock,
    UpdateElement,
    normalise_shot_value,
)
from storycore.tools.errors import InvalidInput
from storycore.tools.feedback.patterns import _DURATION, _shots
from storycore.tools.feedback.reader import _Handler, _Reader, _seconds, _span
from storycore.tools.feedback.references import resolve_scene
from storycore.tools.feedback.text import fold
from storycore.tools.feedback.vocabulary import (
    _FIELD_WORDS,
    ASPECT_WORDS,
    ATTRIBUTE_WORDS,
    STYLE_NOUNS,
    attribute_for_word,
    translate_value,
)
from storycore.tools.structure import load_shots


def _lock(kind: type[Lock] | type[Unlock]) -> _Handler:
    def handler(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
        target = match.group("target")
        if re.match(r"^" + _shots("s") + r"$", target):
            inner = re.match(r"^" + _shots("s") + r"$", target)
            assert inner is not None
            return [kind(target=s) for s in reader.shot_group(inner, "s")]
        if target.strip() in ("it", "them", "le", "les", "la"):
            return [kind(target=s) for s in reader.last_shots] or []
        return [kind(target=reader.element(_span(match, original, "target")))]

    return handler


def _aspect_of(words: str) -> Aspect:
    key = " ".join(words.split())
    for aspect, spellings in ASPECT_WORDS.items():
        if key in spellings:
            return aspect  # type: ignore[return-value]
    raise InvalidInput(f"{words!r} is not narration, dialogue, music or sound effects")


def _without(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    aspect = _aspect_of(match.group("aspect"))
    shots: list[str] | None = None
    for name in ("s", "t"):
        if match.groupdict().get(name) is not None or match.groupdict().get(f"{name}_id"):
            shots = reader.shot_group(match, name)
    if shots is None and (match.groupdict().get("it") or "").strip():
        shots = list(reader.last_shots) or None
    return [RegenerateWithout(aspect=aspect, shot_ids=shots)]


def _regenerate(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    if match.groupdict().get("s") is not None or match.groupdict().get("s_id"):
        shots = reader.shot_group(match, "s")
    else:
        shots = list(reader.last_shots)
    if not shots:
        raise InvalidInput("say which shot to redo (like 'redo shot 4')")
    return [Regenerate(shot_ids=shots, reason=" ".join(reader.text.split())[:500])]


def _remove(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    return [RemoveShot(shot_id=s) for s in reader.shot_group(match, "s")]


def _position(reader: _Reader, match: re.Match[str]) -> str | None:
    """The shot a new or moved shot follows: after X, before X, at the start or the end."""
    groups = match.groupdict()
    where = groups.get("where") or ""
    if groups.get("end"):
        end = groups["end"]
        if end in ("end", "la fin", "fin", "en dernier", "last"):
            return reader.shot_ids[-1] if reader.shot_ids else None
        return None
    targets = reader.shot_group(match, "b")
    if where in ("before", "avant", "ahead of", "in front of"):
        index = reader.shot_ids.index(targets[0])
        return reader.shot_ids[index - 1] if index > 0 else None
    return targets[-1]


def _move(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    moving = reader.shot_group(match, "a")
    after = _position(reader, match)
    if after in moving:
        raise InvalidInput(f"cannot move {after} after itself")
    out: list[Modification] = []
    for shot_id in moving:
        out.append(MoveShot(shot_id=shot_id, after=after))
        after = shot_id
    return out


_INSERT_HEAD = re.compile(r"(?:(?:a|an|one|another|new|a new|un|une|un autre|un nouveau)\s+)*")


def _insert(reader: _Reader, match: re.Match[str], original: str) -> list[Modification] | None:
    head = match.group("head") or ""
    head = _INSERT_HEAD.sub("", head, count=1).strip()
    duration = 4.0
    duration_match = re.search(
        r"(?:(?:of|lasting|for|de|d'une duree de|durant)\s+)?" + _DURATION + r"(?:\s*long)?",
        head,
    )
    if duration_match:
        duration = _seconds(duration_match, reader)
        head = (head[: duration_match.start()] + head[duration_match.end() :]).strip()
    size: str | None = None
    head = re.sub(r"(?:^|\s)(?:shot|plan|clip)$", "", head).strip() if head != "gros plan" else head
    if head and head not in ("shot", "plan", "clip"):
        try:
            size = str(ShotSize.parse(head).value)
        except ValueError:
            return None
    description = _span(match, original, "desc").strip().strip("\"'")
    connector = (match.groupdict().get("conn") or "").strip()
    article = {"du": "le ", "de la": "la ", "de l'": "l'", "des": "les ", "d'": ""}.get(connector)
    if article is not None:
        description = article + description
    desc_duration = re.search(
        r"\s*,?\s*(?:(?:lasting|for|of|de|durant)\s+)?" + _DURATION + r"(?:\s*long)?\s*$",
        fold(description),
    )
    if desc_duration:
        duration = _seconds(desc_duration, reader)
        description = description[: desc_duration.start()].strip()
    if not description:
        return None
    characters, location, props = reader.mentioned_elements(description)
    after = _position(reader, match)
    return [
        InsertShot(
            after=after,
            description=description[0].upper() + description[1:],
            duration_seconds=duration,
            shot_size=size,
            characters=characters,
            location=location,
            props=props,
        )
    ]


def _retime(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    shots = reader.shot_group(match, "s")
    seconds = _seconds(match, reader)
    if len(shots) > 1:
        listed = ", ".join(shots)
        raise InvalidInput(
            f"that names {len(shots)} shots ({listed}); give the length of one shot at a time"
        )
    return [RetimeShot(shot_id=shots[0], duration_seconds=seconds)]


def _element_update(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    name = _span(match, original, "name")
    if name.strip().lower() in ("her", "his", "their", "its", "son", "sa", "ses", "leur"):
        if reader.last_element is None:
            raise InvalidInput(f'say whose {match.group("attr")} (like "GaBy\'s hair")')
        element = reader.last_element
    else:
        element = reader.element(name)
    attribute = attribute_for_word(match.group("attr")) or match.group("attr")
    value = _span(match, original, "val").strip().strip("\"'").rstrip(".")
    value = re.sub(
        r"^(?:a|an|the|un|une|des|de|d'|en|du|to|into)\s+", "", value, flags=re.IGNORECASE
    )
    # "blonde curly hair" as the value of hair: the noun is the attribute, not the value.
    nouns = ATTRIBUTE_WORDS.get(attribute, ()) + STYLE_NOUNS.get(attribute, ())
    folded_value = fold(value)
    for noun in sorted(nouns, key=len, reverse=True):
        if folded_value.endswith(" " + noun):
            value = value[: -len(noun) - 1].strip()
            break
        if folded_value.startswith(noun + " "):
            value = value[len(noun) + 1 :].strip()
            break
    if not value:
        raise InvalidInput(f'give the new {attribute} (like "GaBy\'s hair should be blonde")')
    if _is_french(match):
        value = translate_value(value, reader.prompt_language)
    return [UpdateElement(element=element, attributes={attribute: value})]


def _is_french(match: re.Match[str]) -> bool:
    return bool(match.groupdict().get("fr"))


def _element_description(
    reader: _Reader, match: re.Match[str], original: str
) -> list[Modification]:
    element = reader.element(_span(match, original, "name"))
    description = _span(match, original, "val").strip().strip("\"'")
    return [UpdateElement(element=element, description=description)]


def _scope(
    reader: _Reader, text: str, original: str
) -> tuple[list[str] | None, str | None, str | None]:
    """(shot ids, scene, scene type) a "for ..." phrase names; all None for everything."""
    text = text.strip()
    if re.fullmatch(
        r"(?:all|every|each|everything|everywhere|all (?:the )?shots|every shot|the whole "
        r"(?:film|video|project|thing)|tout|partout|tous les plans|tout le film|"
        r"toute la video|l'ensemble)",
        text,
    ):
        return None, None, None
    shot_match = re.fullmatch(_shots("s"), text)
    if shot_match:
        return reader.shot_group(shot_match, "s"), None, None
    bare = re.sub(r"^(?:the|all the|all|les|tous les|toutes les|la|le)\s+", "", text)
    bare = re.sub(r"\s+(?:shots?|scenes?|plans?|sequences?)$", "", bare)
    bare = re.sub(r"^(?:shots?|scenes?|plans?|sequences?)\s+(?:d'|de\s+|du\s+)?", "", bare)
    try:
        scene_type = str(SceneType.parse(bare).value)
    except ValueError:
        scene_type = None
    if scene_type and not re.search(r"\bscenes?\s+\d", text):
        return None, None, scene_type
    return None, resolve_scene(original.strip(), reader.scenes), None


def _set_model(reader: _Reader, match: re.Match[str], original: str) -> list[Modification] | None:
    strict = bool(match.groupdict().get("strict"))
    model = reader.model(_span(match, original, "model"), strict=strict)
    if model is None:
        return None
    groups = match.groupdict()
    if groups.get("s") is not None or groups.get("s_id"):
        return [SetModel(model_id=model, shot_ids=reader.shot_group(match, "s"))]
    if groups.get("scope"):
        shots, scene, scene_type = _scope(
            reader, match.group("scope"), _span(match, original, "scope")
        )
        return [SetModel(model_id=model, shot_ids=shots, scene=scene, scene_type=scene_type)]
    return [SetModel(model_id=model)]


_VALUE_LEAD = re.compile(
    r"^(?:(?:use|utilise|try|a|an|the|to|into|as|in|un|une|en|a la|au|avec|with|be|:|=|->)"
    r"\s+)+|^[:=]\s*"
)


def _field_value(reader: _Reader, text: str, shot_ids: Sequence[str]) -> list[Modification]:
    """The SetShotField changes a bare value means ("close-up", "dolly in", "85mm", "at
    night"), or [] when it is not a value of any shot field."""
    value = " ".join(_VALUE_LEAD.sub("", text.strip()).split()).strip(" .")
    if not value:
        return []
    lens = re.fullmatch(
        r"(?:(?:objectif|focale|lens)\s+(?:de\s+)?)?(\d+(?:[.,]\d+)?)\s*-?\s*mm"
        r"(?:\s+(?:lens|objectif|focal length|focale))?",
        value,
    )
    if lens:
        return [
            SetShotField(shot_id=s, field="lens_mm", value=lens.group(1).replace(",", "."))
            for s in shot_ids
        ]
    relative = _relative_size(value)
    if relative:
        return _relative_changes(reader, shot_ids, relative)
    candidates = [value]
    for suffix in (" shot", " plan", " angle", " camera", " move", " movement", " transition"):
        if value.endswith(suffix) and value != "gros plan":
            candidates.append(value[: -len(suffix)])
    for name in ("shot_size", "camera_movement", "camera_angle", "framing", "transition_in"):
        for candidate in candidates:
            try:
                normalised = normalise_shot_value(name, candidate)
            except ValueError:
                continue
            return [SetShotField(shot_id=s, field=name, value=normalised) for s in shot_ids]
    if value in _TIME_WORDS:
        return [SetShotField(shot_id=s, field="time_of_day", value=value) for s in shot_ids]
    if value in _WEATHER_WORDS:
        return [SetShotField(shot_id=s, field="weather", value=value) for s in shot_ids]
    for candidate in candidates:
        try:
            scene_type = normalise_shot_value("scene_type", candidate)
        except ValueError:
            continue
        return [SetShotField(shot_id=s, field="scene_type", value=scene_type) for s in shot_ids]
    return []


_CLOSER = frozenset({"closer", "tighter", "plus serre", "plus pres"})
_WIDER = frozenset({"wider", "looser", "plus large", "plus loin"})


def _relative_size(value: str) -> int:
    if value in _CLOSER:
        return 1
    if value in _WIDER:
        return -1
    return 0


def _relative_changes(reader: _Reader, shot_ids: Sequence[str], step: int) -> list[Modification]:
    sizes = list(ShotSize)
    shots = {s.shot_id: s for s in load_shots(reader.project)}
    out: list[Modification] = []
    for shot_id in shot_ids:
        index = sizes.index(shots[shot_id].shot_size) + step
        if not 0 <= index < len(sizes):
            edge = "closest" if step > 0 else "widest"
            raise InvalidInput(f"{shot_id} is already the {edge} shot size ({sizes[index - step]})")
        out.append(SetShotField(shot_id=shot_id, field="shot_size", value=sizes[index].value))
    return out


def _explicit_field(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    field_name = _FIELD_WORDS[" ".join(match.group("field").split())]
    shots = reader.shot_group(match, "s")
    value = _span(match, original, "val").strip().strip("\"'")
    if field_name == "model_id":
        model = reader.model(value, strict=True)
        assert model is not None
        return [SetModel(model_id=model, shot_ids=shots)]
    if field_name not in ("description", "action"):
        value = _VALUE_LEAD.sub("", value)
    try:
        return [SetShotField(shot_id=s, field=field_name, value=value) for s in shots]
    except ValidationError as exc:
        subject = f"{field_name} of {shots[0]}"
        raise InvalidInput(format_validation_error(exc, subject=subject)) from None


def _shot_value(reader: _Reader, match: re.Match[str], original: str) -> list[Modification] | None:
    shots = reader.shot_group(match, "s")
    return _field_value(reader, match.group("val"), shots) or None
