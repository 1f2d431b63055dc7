"""The brief's front-matter values, validated one by one (a handler per key)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from storycore.tools.brief.decisions import _Decisions
from storycore.tools.brief.model_wishes import _ModelTable
from storycore.tools.brief.prose import _PACE_LOOKUP, find_style_words
from storycore.tools.brief.values import (
    _DurationRangeError,
    is_named_resolution,
    parse_duration,
    parse_fps,
)
from storycore.tools.brief.vocabulary import FRONT_MATTER_KEYS, PACE_WORDS
from storycore.tools.domain import (
    Resolution,
    format_validation_error,
    normalize_language,
    parse_aspect_ratio,
    parse_resolution,
)
from storycore.tools.errors import BriefError, InvalidInput
from storycore.tools.text import fold_phrase as _fold
from storycore.tools.text import snake_key as _key


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
