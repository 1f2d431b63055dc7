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
from storycore.tools.errors import InvalidInput, NotFound
from storycore.tools.feedback.age import AGE, read_age, stated_age
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
    kind_noun,
    with_kind,
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
    value = _span(match, original, "val")
    if name.strip().lower() in ("her", "his", "their", "its", "son", "sa", "ses", "leur"):
        if reader.last_element is None:
            raise InvalidInput(f'say whose {match.group("attr")} (like "GaBy\'s hair")')
        element = reader.last_element
    elif match.start("val") > match.end("name"):
        element, value = _name_then_value(reader, name, value)
    else:
        element = reader.element(name)
    attribute = attribute_for_word(match.group("attr")) or match.group("attr")
    word = _span(match, original, "attr")  # "raincoat": a kind of coat, kept in the value
    value = value.strip().strip("\"'").rstrip(".")
    value = re.sub(
        r"^(?:a|an|the|un|une|des|de|d'|en|du|to|into)\s+", "", value, flags=re.IGNORECASE
    )
    # "blonde curly hair" as the value of hair: the noun is the attribute, not the value
    # ("a yellow raincoat" as the value of coat: the kind of coat is kept, below).
    nouns = ATTRIBUTE_WORDS.get(attribute, ()) + STYLE_NOUNS.get(attribute, ())
    folded_value = fold(value)
    for noun in sorted(nouns, key=len, reverse=True):
        if folded_value.endswith(" " + noun) or folded_value == noun:
            word = value[len(value) - len(noun) :] if kind_noun(noun) else word
            value = value[: -len(noun)].strip()
            break
        if folded_value.startswith(noun + " "):
            word = value[: len(noun)] if kind_noun(noun) else word
            value = value[len(noun) + 1 :].strip()
            break
    value = drop_old_value(value)
    if fold(value) in ("a", "an", "some", "un", "une", "des"):
        value = ""
    if not value and not kind_noun(word):
        raise InvalidInput(f'give the new {attribute} (like "GaBy\'s hair should be blonde")')
    value = with_kind(value, word, french=_is_french(match), prompt_language=reader.prompt_language)
    return [UpdateElement(element=element, attributes={attribute: value})]


def _name_then_value(reader: _Reader, name: str, value: str) -> tuple[str, str]:
    """The element a name names and the value after it, when nothing separates the two
    ("give Dr. Marsh a yellow raincoat": the shortest name is "Dr.", the element is "Dr.
    Marsh"): the name takes the value's first words until it names an element."""
    words = value.split()
    error: NotFound | None = None
    for taken in range(max(len(words), 1)):
        try:
            return reader.element(" ".join([name, *words[:taken]])), " ".join(words[taken:])
        except NotFound as missing:
            # The error names what was said; "Dr." alone is not a name: "Dr. Nobody".
            if error is None or (taken == 1 and name.rstrip().endswith(".")):
                error = missing
    assert error is not None
    raise error


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
    # How fast the camera moves is not a field: "slow push-in" is a push-in.
    value = re.sub(
        r"^(?:very\s+)?(?:slow|slowly|gentle|gently|quick|quickly|fast|smooth|subtle|lent|"
        r"lente|rapide|doux|douce)\s+",
        "",
        value,
    )
    value = re.sub(r"\s+(?:lent|lente|rapide|doux|douce)$", "", value)
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


# -- phrasings added for issue 11 ----------------------------------------------------------

_NUMBER_WORDS = {
    "a": 1.0,
    "an": 1.0,
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "seven": 7.0,
    "eight": 8.0,
    "nine": 9.0,
    "ten": 10.0,
    "half a": 0.5,
    "une": 1.0,
    "un": 1.0,
    "deux": 2.0,
    "trois": 3.0,
    "quatre": 4.0,
    "cinq": 5.0,
    "dix": 10.0,
    "une demi": 0.5,
}
#: "make shot 3 longer" with no amount: this many seconds.
DEFAULT_LENGTH_STEP = 2.0
# The old value a correction names, to drop from the new one: "black instead of blue",
# "noire, pas bleue", "black (not blue)".
_INSTEAD = re.compile(
    r"\s*[,(]?\s*(?:instead of|rather than|and not|not|in place of|au lieu de|plutot que|"
    r"a la place de|et non|et pas|pas|non)\s+[^,)]+\)?\s*$",
    re.IGNORECASE,
)


def drop_old_value(value: str) -> str:
    """``value`` without the old value a correction names ("black instead of blue" ->
    "black", "noire, pas bleue" -> "noire")."""
    stripped = _INSTEAD.sub("", value).strip(" ,")
    return stripped or value


def _amount(text: str | None) -> float | None:
    if not text:
        return None
    key = " ".join(fold(text).split())
    if key in _NUMBER_WORDS:
        return _NUMBER_WORDS[key]
    try:
        return float(key.replace(",", "."))
    except ValueError:
        return None


def _relative_retime(
    reader: _Reader, match: re.Match[str], original: str
) -> list[Modification] | None:
    """ "make shot 3 longer", "two seconds longer", "rallonge le plan 2 de 2 secondes"."""
    shots = reader.shot_group(match, "s")
    groups = match.groupdict()
    direction = groups.get("dir") or ""
    longer = bool(re.match(r"(?:long|lengthen|extend|rallong|allong|prolong|plus long)", direction))
    step = _amount(groups.get("amount"))
    if step is not None and (groups.get("unit") or "").startswith(("f", "i")):
        step = float(step / reader.project.manifest.technical_specs.rate)
    if step is None:
        step = DEFAULT_LENGTH_STEP
    lengths = {s.shot_id: s for s in load_shots(reader.project)}
    rate = reader.project.manifest.technical_specs.rate
    out: list[Modification] = []
    for shot_id in shots:
        seconds = float(lengths[shot_id].duration_frames / rate)
        new = seconds + step if longer else seconds - step
        if new <= 0:
            raise InvalidInput(
                f"{shot_id} lasts {seconds:g} s; it cannot be {step:g} s shorter "
                f"(say its new length, like 'shot {shot_id[5:]} should last {seconds / 2:g} "
                "seconds')"
            )
        out.append(RetimeShot(shot_id=shot_id, duration_seconds=round(new, 4)))
    return out


def _swap(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    """ "swap shots 5 and 6", "échange les plans 5 et 9": two moves."""
    if match.group("b") is None and match.group("b_id") is None:
        refs = match.group("a") or match.group("a_id") or ""
        parts = [p for p in re.split(r"\s*(?:,|\band\b|\bet\b|&|\bwith\b|\bavec\b)\s*", refs) if p]
        if len(parts) != 2:
            raise InvalidInput("name the two shots to swap (like 'swap shots 5 and 6')")
        first, second = reader.shots(parts[0]), reader.shots(parts[1])
    else:
        first = reader.shot_group(match, "a")
        second = reader.shot_group(match, "b")
    order = reader.shot_ids
    if set(first) & set(second):
        raise InvalidInput("name two different shots to swap (like 'swap shots 5 and 6')")
    if order.index(first[0]) > order.index(second[0]):
        first, second = second, first
    before_first = order.index(first[0]) - 1
    anchor = order[before_first] if before_first >= 0 else None
    out: list[Modification] = []
    after = second[-1]
    for shot_id in first:
        out.append(MoveShot(shot_id=shot_id, after=after))
        after = shot_id
    if order.index(second[0]) != order.index(first[-1]) + 1:
        after_b: str | None = anchor
        for shot_id in second:
            out.append(MoveShot(shot_id=shot_id, after=after_b))
            after_b = shot_id
    return out


def _local_model(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    """ "use a local model for shot 4": the best local model for each shot named."""
    from storycore.tools.model_selector import ModelSelector, request_for_shot

    groups = match.groupdict()
    named = groups.get("s") is not None or groups.get("s_id")
    shot_ids = reader.shot_group(match, "s") if named else list(reader.shot_ids)
    specs = reader.project.manifest.technical_specs
    shots = {s.shot_id: s for s in load_shots(reader.project)}
    selector = ModelSelector(reader.models)
    by_model: dict[str, list[str]] = {}
    for shot_id in shot_ids:
        request = request_for_shot(shots[shot_id], specs).model_copy(update={"local_only": True})
        model_id = selector.select(request).model_id
        by_model.setdefault(model_id, []).append(shot_id)
    return [SetModel(model_id=m, shot_ids=ids) for m, ids in by_model.items()]


def _element_has(reader: _Reader, match: re.Match[str], original: str) -> list[Modification]:
    """ "Marc has a beard", "Marc porte une barbe": the attribute, named by its noun."""
    element = reader.element(_span(match, original, "name"))
    said = " ".join(match.group("attr").split())
    attribute = attribute_for_word(said) or said
    french = _is_french(match)
    value = said
    if french and reader.prompt_language == "en":
        # "barbe" in English prompts: the attribute's English noun, or the kind's
        # ("imperméable" -> "raincoat").
        value = kind_noun(said) or (attribute if attribute in ATTRIBUTE_WORDS else said)
    return [UpdateElement(element=element, attributes={attribute: value})]


_PRONOUNS = frozenset(
    {"her", "him", "his", "them", "their", "she", "he", "they", "la", "le", "lui", "elle", "il"}
)


def _element_age(reader: _Reader, match: re.Match[str], original: str) -> list[Modification] | None:
    """ "make GaBy look older", "make her in her 40s", "Léo doit paraître plus jeune",
    "make him a teenager": the element's ``age``, in the prompts' language."""
    name = _span(match, original, "name").strip()
    if re.fullmatch(_shots("s"), fold(name)):
        return None  # a shot, not a character
    if fold(name) in _PRONOUNS:
        if reader.last_element is None:
            raise InvalidInput(f"say who {name!r} is (like 'make GaBy look older')")
        element_id = reader.last_element
    else:
        element_id = reader.element(name)
    element = reader.registry.get(element_id)
    groups = match.groupdict()
    if groups.get("dir"):
        said = fold(groups["dir"])
        older = bool(
            re.search(r"older|plus (?:age|vieu|vieil)|vieilli|too young|trop jeune", said)
        ) or (said == "age" and groups.get("way") == "up")
        current = read_age(element.attributes.get(AGE, "")) or stated_age(
            element.canonical_description
        )
        if current is None:
            raise InvalidInput(
                f"{element.name}'s age is not said; say how old {element.name} should look "
                f"(like 'make {element.name} 45' or 'make {element.name} a teenager')"
            )
        age = current.shifted(10 if older else -10)
        if age is None:
            raise InvalidInput(
                f"{element.name} is already {current.text('en')}; say the age "
                f"(like 'make {element.name} 30')"
            )
    else:
        age = read_age(_span(match, original, "age"))
        if age is None:
            return None
    return [UpdateElement(element=element_id, attributes={AGE: age.text(reader.prompt_language)})]


# -- the look of a place: its light, its time of day, its weather -----------------------------

#: "warmer", "plus chaleureux": the lighting a place gets, in English and French prompts.
_LIGHT_WORDS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        ("warmer", "cosier", "cozier", "chaleureux", "chaleureuse", "chaud", "chaude"),
        ("warm", "chaude"),
    ),
    **dict.fromkeys(("colder", "cooler", "froid", "froide"), ("cold", "froide")),
    **dict.fromkeys(("darker", "dimmer", "gloomier", "moodier", "sombre"), ("dim", "tamisée")),
    **dict.fromkeys(
        ("brighter", "lighter", "sunnier", "lumineux", "lumineuse", "clair", "claire"),
        ("bright", "vive"),
    ),
}
_TOO = {
    "cold": "warmer",
    "warm": "colder",
    "hot": "colder",
    "dark": "brighter",
    "bright": "darker",
    "froid": "chaud",
    "chaud": "froid",
    "sombre": "lumineux",
    "lumineux": "sombre",
}


def _place(reader: _Reader, text: str) -> str | None:
    """The location a phrase names ("the kitchen", "la cuisine", "the kitchen scenes"), or
    None."""
    text = re.sub(r"\s+(?:scenes?|shots?|sequences?)$", "", text.strip())
    text = re.sub(r"^(?:scenes?|shots?|plans?)\s+(?:of|in|at|du|de la|de)\s+", "", text)
    _, location, _ = reader.mentioned_elements(text)
    return location


def _location_light(
    reader: _Reader, match: re.Match[str], original: str
) -> list[Modification] | None:
    """ "make the café warmer", "the kitchen is too dark", "rends la cuisine plus
    chaleureuse": the location's ``lighting``."""
    location = _place(reader, _span(match, original, "place"))
    if location is None:
        return None  # not a place: "make GaBy warmer" is not read here
    how = " ".join(fold(match.group("how") or match.group("too")).split())
    how = how.removeprefix("plus ")
    if match.groupdict().get("too"):
        too = how.removeprefix("too ").removeprefix("trop ")
        how = _TOO.get(too.removesuffix("e"), _TOO.get(too, ""))
    if how not in _LIGHT_WORDS:
        return None
    english, french = _LIGHT_WORDS[how]
    value = french if reader.prompt_language == "fr" else english
    reader.last_element = location
    return [UpdateElement(element=location, attributes={"lighting": value})]


def _time_or_weather(value: str) -> tuple[str, str] | None:
    key = " ".join(fold(value).split())
    if key in _TIME_WORDS:
        return "time_of_day", _TIME_WORDS[key]
    if key in _WEATHER_WORDS:
        return "weather", _WEATHER_WORDS[key]
    return None


def _location_time(
    reader: _Reader, match: re.Match[str], original: str
) -> list[Modification] | None:
    """ "night instead of day in the kitchen", "make it rain on the bridge", "la cuisine de
    nuit": the time of day or weather of every shot at that location."""
    location = _place(reader, _span(match, original, "place"))
    found = _time_or_weather(match.group("val"))
    if location is None or found is None:
        return None
    field_name, value = found
    shots = [s.shot_id for s in load_shots(reader.project) if s.location == location]
    if not shots:
        raise InvalidInput(f"no shot is set at {location}")
    reader.last_shots = shots
    return [SetShotField(shot_id=s, field=field_name, value=value) for s in shots]


#: "heavier rain": (English, French) weather, by weather and direction.
_STRONGER = {
    "rain": (("heavy rain", "pluie battante"), ("light rain", "pluie fine")),
    "snow": (("heavy snow", "neige abondante"), ("light snow", "neige légère")),
    "fog": (("thick fog", "brouillard épais"), ("light fog", "brume légère")),
    "wind": (("strong wind", "vent fort"), ("light breeze", "brise légère")),
    "storm": (("violent storm", "violent orage"), ("light storm", "orage léger")),
}


def _weather_degree(
    reader: _Reader, match: re.Match[str], original: str
) -> list[Modification] | None:
    """ "make the rain heavier", "less fog on the bridge", "rends la pluie plus forte": the
    weather of every shot that has it (at the place named)."""
    found = _time_or_weather(match.group("w"))
    if found is None or found[0] != "weather" or found[1] not in _STRONGER:
        return None
    weather = found[1]
    how = fold(match.group("how"))
    stronger = bool(
        re.search(r"heav|hard|strong|thick|dens|more|forte?|battante|epais|abondant|plus de", how)
    )
    location = None
    if match.groupdict().get("place"):
        location = _place(reader, _span(match, original, "place"))
        if location is None:
            return None
    english, french = _STRONGER[weather][0 if stronger else 1]
    value = french if reader.prompt_language == "fr" else english
    said = {fold(w) for w, v in _WEATHER_WORDS.items() if v == weather} | {weather}
    shots = [
        s.shot_id
        for s in load_shots(reader.project)
        if s.weather
        and (location is None or s.location == location)
        and any(w in fold(s.weather) for w in said | {fold(english), fold(french)})
    ]
    if not shots:
        where = f" at {location}" if location else ""
        raise InvalidInput(f"no shot has {weather}{where}; say where (like '{weather} on shot 3')")
    reader.last_shots = shots
    return [SetShotField(shot_id=s, field="weather", value=value) for s in shots]
