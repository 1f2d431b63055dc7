"""``visual_strategy.json``: style anchors, palette hint, each character's look, model plan."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate
from typing import Any

from storycore.tools.domain import (
    AssetMetadata,
    ElementType,
    ShotSpec,
)
from storycore.tools.project import Project, dumps_json
from storycore.tools.project.recent import Recent
from storycore.tools.rates import rate_to_string
from storycore.tools.storyboard.document import SCHEMA_VERSION, _seconds
from storycore.tools.storyboard.plan import Plan, PlannedShot, load_plan
from storycore.tools.structure import ELEMENTS

# --------------------------------------------------------------------------------------
# visual_strategy.json
# --------------------------------------------------------------------------------------

#: Palette hints by style word. A fixed, documented table: a style word that names a look
#: gives that look's usual colours; a plain colour word gives that colour as an accent.
STYLE_PALETTES: dict[str, list[tuple[str, str]]] = {
    "noir": [
        ("black", "#0b0b0c"),
        ("charcoal", "#2b2b2e"),
        ("silver", "#a8a8ab"),
        ("white", "#f2f2f0"),
    ],
    "black and white": [("black", "#0b0b0c"), ("grey", "#7a7a7a"), ("white", "#f2f2f0")],
    "monochrome": [("black", "#0b0b0c"), ("grey", "#7a7a7a"), ("white", "#f2f2f0")],
    "sepia": [
        ("dark brown", "#704214"),
        ("tan", "#a67b5b"),
        ("sand", "#d8c3a5"),
        ("cream", "#f4ecd8"),
    ],
    "vintage": [
        ("faded teal", "#5f8a8b"),
        ("mustard", "#c9a227"),
        ("rust", "#a0522d"),
        ("cream", "#f4ecd8"),
    ],
    "neon": [
        ("night", "#0d0221"),
        ("hot pink", "#ff2a6d"),
        ("cyan", "#05d9e8"),
        ("ice", "#d1f7ff"),
    ],
    "cyberpunk": [
        ("night", "#0d0221"),
        ("hot pink", "#ff2a6d"),
        ("cyan", "#05d9e8"),
        ("acid yellow", "#f9f871"),
    ],
    "teal and orange": [
        ("deep teal", "#0f4c5c"),
        ("teal", "#1b998b"),
        ("orange", "#ff9f1c"),
        ("burnt orange", "#e36414"),
    ],
    "pastel": [
        ("pink", "#ffd1dc"),
        ("baby blue", "#bde0fe"),
        ("mint", "#cdeac0"),
        ("butter", "#fff1b5"),
    ],
    "golden hour": [
        ("amber", "#ffb347"),
        ("coral", "#ff7f50"),
        ("terracotta", "#c8553d"),
        ("peach", "#ffe5b4"),
    ],
    "warm": [("amber", "#ffb347"), ("coral", "#ff7f50"), ("terracotta", "#c8553d")],
    "cold": [("navy", "#1b263b"), ("slate", "#415a77"), ("steel", "#778da9"), ("frost", "#e0e1dd")],
    "cool": [("navy", "#1b263b"), ("slate", "#415a77"), ("steel", "#778da9"), ("frost", "#e0e1dd")],
    "gothic": [
        ("black", "#1a1a1d"),
        ("ash", "#4e4e50"),
        ("wine", "#6f2232"),
        ("blood red", "#950740"),
    ],
}
COLOUR_WORDS: dict[str, str] = {
    "red": "#c0392b",
    "crimson": "#dc143c",
    "orange": "#e67e22",
    "yellow": "#f1c40f",
    "gold": "#d4af37",
    "green": "#27ae60",
    "teal": "#008080",
    "blue": "#2e86c1",
    "navy": "#1b263b",
    "purple": "#8e44ad",
    "violet": "#8e44ad",
    "pink": "#e91e63",
    "magenta": "#d81b60",
    "brown": "#795548",
    "white": "#f2f2f0",
    "black": "#0b0b0c",
}


def _word_in(word: str, text: str) -> bool:
    return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text) is not None


def palette_for(style_texts: Sequence[str]) -> dict[str, Any]:
    """A palette hint from style words, by :data:`STYLE_PALETTES` then :data:`COLOUR_WORDS`."""
    text = " ".join(style_texts).lower().replace("&", "and").replace("-", " ")
    matched: list[str] = []
    colours: list[dict[str, str]] = []
    seen: set[str] = set()
    for word, entries in STYLE_PALETTES.items():
        if _word_in(word, text):
            matched.append(word)
            for name, value in entries:
                if value not in seen:
                    seen.add(value)
                    colours.append({"name": name, "hex": value, "from": word})
    for word, value in COLOUR_WORDS.items():
        if _word_in(word, text) and value not in seen:
            matched.append(word)
            seen.add(value)
            colours.append({"name": word, "hex": value, "from": word})
    return {
        "source": "style words matched against a fixed table (storycore.tools.storyboard)",
        "matched": matched,
        "colors": colours,
    }


def _element_look(
    element: AssetMetadata, shot_ids: list[str], folder: str | None
) -> dict[str, Any]:
    """An element's canonical look: ``shot_ids`` are the shots showing it (in plan order),
    ``folder`` its folder in the manifest (None if it has none)."""
    images = [
        f"{ELEMENTS}/{folder}/{image.path}" if folder else image.path
        for image in element.reference_images
    ]
    return {
        "element_id": element.element_id,
        "name": element.name,
        "canonical_description": element.canonical_description,
        "attributes": dict(sorted(element.attributes.items())),
        "reference_images": images,
        "status": element.status.value,
        "version": element.current_version,
        "shots": shot_ids,
    }


def _shots_by_element(plan: Plan) -> dict[str, list[str]]:
    """Element id -> the ids of the shots showing it, in plan order (each shot once)."""
    shown: dict[str, list[str]] = {}
    for planned in plan.shots:
        shot_id = planned.spec.shot_id
        for element_id in dict.fromkeys(planned.spec.element_ids()):
            shown.setdefault(element_id, []).append(shot_id)
    return shown


def _model_rows(plan: Plan, shots: Sequence[PlannedShot]) -> list[dict[str, Any]]:
    by_model: dict[str | None, list[PlannedShot]] = {}
    for planned in shots:
        by_model.setdefault(planned.spec.model_id, []).append(planned)
    rows = []
    # Most used first; ties by model id, unassigned last: stable and readable.
    for model_id, group in sorted(
        by_model.items(), key=lambda item: (-len(item[1]), item[0] is None, item[0] or "")
    ):
        frames = sum(p.spec.duration_frames for p in group)
        rows.append(
            {
                "model_id": model_id,
                "shots": len(group),
                "frames": frames,
                "seconds": _seconds(frames, plan.rate),
                "shot_ids": [p.spec.shot_id for p in group],
            }
        )
    return rows


def build_visual_strategy(project: Project, plan: Plan | None = None) -> dict[str, Any]:
    """``visual_strategy.json``: style anchors, palette hint, canonical looks, model plan."""
    plan = plan or load_plan(project)
    by_segment = [_model_rows(plan, segment.shots) for segment in plan.segments]
    totals = _model_rows(plan, plan.shots)
    return _strategy(project, plan, _shots_by_element(plan), by_segment, totals)


def _strategy(
    project: Project,
    plan: Plan,
    shown: dict[str, list[str]],
    by_segment: Sequence[list[dict[str, Any]]],
    totals: list[dict[str, Any]],
) -> dict[str, Any]:
    """The document from the parts that read every shot (``shown``: the shots showing each
    element; each segment's model rows and the totals), computed by the caller."""
    specs = plan.specs
    style_texts = [t for t in [specs.style or "", *plan.style_words] if t]
    by_type: dict[ElementType, list[dict[str, Any]]] = {}
    folders: dict[str, str] = {}
    for ref in project.manifest.elements:
        folders.setdefault(ref.element_id, ref.folder)  # the first entry, as before
    for element_id in sorted(plan.elements):
        element = plan.elements[element_id]
        look = _element_look(element, shown.get(element_id, []), folders.get(element_id))
        by_type.setdefault(element.type, []).append(look)
    return {
        "schema_version": SCHEMA_VERSION,
        "title": plan.title,
        "style_anchors": {
            "style": specs.style,
            "style_words": plan.style_words,
            "required_prompt_elements": list(specs.required_prompt_elements),
            "prompt_language": specs.prompt_language,
            "camera_movement_rule": specs.camera_movement_rule,
            "cut_marker": specs.cut_marker,
            "aspect_ratio": specs.aspect_ratio,
            "resolution": str(specs.resolution),
            "frame_rate": rate_to_string(plan.rate),
        },
        "palette": palette_for(style_texts),
        "characters": by_type.get(ElementType.CHARACTER, []),
        "locations": by_type.get(ElementType.LOCATION, []),
        "props": by_type.get(ElementType.PROP, []),
        "model_plan": {
            "by_segment": [
                {"segment_id": segment.segment_id, "title": segment.title, "models": rows}
                for segment, rows in zip(plan.segments, by_segment, strict=True)
            ],
            "totals": totals,
        },
    }


# -- what the last document of a project was made from ------------------------------------


@dataclass(eq=False)
class _Made:
    """The parts of a project's last ``visual_strategy.json`` that read every shot, with
    the very shots (and their fields) they were read from, and the bytes written."""

    rate: Fraction
    layout: list[tuple[str, int]]  # each segment's id and number of shots, in plan order
    specs: list[ShotSpec]
    fields: list[dict[str, Any]]  # each shot's ``__dict__``: a field set gives a new one
    elements: list[tuple[str, ...]]  # each shot's element ids, each once
    models: list[tuple[str | None, int]]  # each shot's model and length in frames
    shown: dict[str, list[str]]
    by_segment: list[list[dict[str, Any]]]
    totals: list[dict[str, Any]]
    document: dict[str, Any]
    data: bytes


#: What the last document of each recent project was made from.
_made: Recent[_Made] = Recent()


def forget() -> None:
    """Drop what this process keeps (the next document is built whole)."""
    _made.forget()


def _layout(plan: Plan) -> list[tuple[str, int]]:
    return [(segment.segment_id, len(segment.shots)) for segment in plan.segments]


def _changed(made: _Made | None, plan: Plan, specs: list[ShotSpec]) -> list[int] | None:
    """The positions of the shots that are not the very shots ``made`` was read from, or
    None when the shots or segments are others or in another order (or at another rate):
    then everything is read again."""
    if made is None or made.rate != plan.rate or len(made.specs) != len(specs):
        return None
    if made.layout != _layout(plan):
        return None
    pairs = enumerate(zip(specs, made.specs, made.fields, strict=True))
    changed = [
        position
        for position, (spec, old, fields) in pairs
        if spec is not old or spec.__dict__ is not fields
    ]
    if any(specs[position].shot_id != made.specs[position].shot_id for position in changed):
        return None
    return changed


def _element_ids(spec: ShotSpec) -> tuple[str, ...]:
    return tuple(dict.fromkeys(spec.element_ids()))


def _build(plan: Plan, specs: list[ShotSpec]) -> _Made:
    """Every part read from every shot (the long way)."""
    by_segment = [_model_rows(plan, segment.shots) for segment in plan.segments]
    return _Made(
        rate=plan.rate,
        layout=_layout(plan),
        specs=specs,
        fields=[spec.__dict__ for spec in specs],
        elements=[_element_ids(spec) for spec in specs],
        models=[(spec.model_id, spec.duration_frames) for spec in specs],
        shown=_shots_by_element(plan),
        by_segment=by_segment,
        totals=_model_rows(plan, plan.shots),
        document={},
        data=b"",
    )


def _update(made: _Made, plan: Plan, specs: list[ShotSpec], changed: list[int]) -> _Made:
    """``made`` brought up to date with the shots at ``changed``: the shots showing each
    element read again only if one of them shows other elements now, the model rows only of
    the segments where a shot's model or length changed (and then the totals)."""
    elements, models = list(made.elements), list(made.models)
    shown, by_segment, totals = made.shown, list(made.by_segment), made.totals
    regroup = False
    starts = list(accumulate((count for _, count in made.layout), initial=0))
    for position in changed:
        spec = specs[position]
        now = _element_ids(spec)
        if now != elements[position]:
            elements[position] = now
            regroup = True
        model = (spec.model_id, spec.duration_frames)
        if model != models[position]:
            models[position] = model
            segment = bisect_right(starts, position) - 1
            by_segment[segment] = _model_rows(plan, plan.segments[segment].shots)
            totals = None  # type: ignore[assignment]
    return _Made(
        rate=made.rate,
        layout=made.layout,
        specs=specs,
        fields=[spec.__dict__ for spec in specs],
        elements=elements,
        models=models,
        shown=_shots_by_element(plan) if regroup else shown,
        by_segment=by_segment,
        totals=_model_rows(plan, plan.shots) if totals is None else totals,
        document=made.document,
        data=made.data,
    )


def visual_strategy_bytes(project: Project, plan: Plan) -> bytes:
    """``visual_strategy.json`` of ``plan`` as written (:func:`build_visual_strategy`,
    house JSON), reading again only the shots that are not the very shots the project's
    last document was made from in this process.

    A shot changed by a plan is a new shot object (shots are never changed in place: the
    index and the plans share them), and so is a shot read again from a file changed by
    hand, so a shot that is the same object with the same fields is the shot read before.
    Anything else than shots changed in place (shots added, removed or moved, segments
    changed, another frame rate) reads every shot, as a new process does. The elements,
    the style and the manifest's folders are read every time (a few dozen entries)."""
    specs = [planned.spec for planned in plan.shots]
    made = _made.get(project.root)
    changed = _changed(made, plan, specs)
    if made is None or changed is None:
        made = _build(plan, specs)
    elif changed:
        made = _update(made, plan, specs, changed)
    document = _strategy(project, plan, made.shown, made.by_segment, made.totals)
    if document != made.document:
        made.document, made.data = document, dumps_json(document)
    return _made.put(project.root, made).data
