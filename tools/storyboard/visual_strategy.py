"""``visual_strategy.json``: style anchors, palette hint, each character's look, model plan."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from storycore.tools.domain import (
    AssetMetadata,
    ElementType,
)
from storycore.tools.project import Project
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
    specs = plan.specs
    style_texts = [t for t in [specs.style or "", *plan.style_words] if t]
    by_type: dict[ElementType, list[dict[str, Any]]] = {}
    shown = _shots_by_element(plan)
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
                {
                    "segment_id": segment.segment_id,
                    "title": segment.title,
                    "models": _model_rows(plan, segment.shots),
                }
                for segment in plan.segments
            ],
            "totals": _model_rows(plan, plan.shots),
        },
    }
