"""The script breakdown: per scene, the standard categories of :data:`BREAKDOWN_CATEGORIES`
filled from the plan, as CSV (one row per scene) and Markdown (one sheet per scene)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storycore.tools.domain import ElementType, Scene
from storycore.tools.exports.common import _csv_text, _unique
from storycore.tools.exports.shot_list import EQUIPMENT, SPECIAL_EQUIPMENT
from storycore.tools.storyboard import Plan, PlannedShot, md_cell

#: The standard script breakdown categories, in sheet order.
BREAKDOWN_CATEGORIES: tuple[str, ...] = (
    "cast",
    "extras",
    "stunts",
    "props",
    "wardrobe",
    "makeup/hair",
    "vehicles",
    "animals",
    "special effects",
    "visual effects",
    "sound",
    "set dressing",
    "locations",
    "special equipment",
)

_TYPE_CATEGORY = {
    ElementType.CHARACTER: "cast",
    ElementType.LOCATION: "locations",
    ElementType.PROP: "props",
    ElementType.WARDROBE: "wardrobe",
    ElementType.VEHICLE: "vehicles",
    ElementType.AUDIO: "sound",
}
_CATEGORY_ALIASES = {
    **{c: c for c in BREAKDOWN_CATEGORIES},
    "extra": "extras",
    "background": "extras",
    "stunt": "stunts",
    "prop": "props",
    "costume": "wardrobe",
    "makeup": "makeup/hair",
    "hair": "makeup/hair",
    "make-up": "makeup/hair",
    "vehicle": "vehicles",
    "animal": "animals",
    "sfx": "special effects",
    "special effect": "special effects",
    "vfx": "visual effects",
    "visual effect": "visual effects",
    "set": "set dressing",
    "location": "locations",
    "equipment": "special equipment",
}
_WARDROBE_KEYS = ("costume", "wardrobe", "outfit", "clothes", "clothing")
_MAKEUP_KEYS = ("hair", "makeup", "make_up", "beard", "moustache", "mustache", "scar", "tattoo")
_CLEAR_WEATHER = {"", "clear", "sunny", "none", "fine", "dry"}


@dataclass
class SceneBreakdown:
    """One scene's breakdown sheet."""

    scene: str
    heading: str
    shots: list[str]
    start: str
    end: str
    duration_frames: int
    time_of_day: str
    categories: dict[str, list[str]]


def _category_of(plan: Plan, element_id: str) -> str | None:
    element = plan.elements.get(element_id)
    if element is not None:
        override = element.attributes.get("breakdown", "").strip().lower()
        if override in _CATEGORY_ALIASES:
            return _CATEGORY_ALIASES[override]
    element_type = plan.element_type(element_id)
    return _TYPE_CATEGORY.get(element_type) if element_type else None


def _attribute_items(plan: Plan, element_id: str, keys: Sequence[str]) -> list[str]:
    element = plan.elements.get(element_id)
    if element is None:
        return []
    return [
        f"{element.name} — {key.replace('_', ' ')}: {value}"
        for key, value in sorted(element.attributes.items())
        if value and any(k in key.lower() for k in keys)
    ]


def build_breakdown(plan: Plan, scenes: Sequence[Scene] | None = None) -> list[SceneBreakdown]:
    """The breakdown sheets, one per scene in order of first appearance.

    ``scenes`` (the screenplay's, if the caller has them) gives each sheet its heading.
    """
    headings = {scene.number: scene.heading for scene in scenes or ()}
    by_scene: dict[str, list[PlannedShot]] = {}
    for planned in plan.shots:
        by_scene.setdefault(planned.spec.scene, []).append(planned)
    sheets = []
    for number, planned_shots in by_scene.items():
        categories: dict[str, list[str]] = {c: [] for c in BREAKDOWN_CATEGORIES}
        names_in_cast: set[str] = set()
        for planned in planned_shots:
            shot = planned.spec
            for element_id in shot.element_ids():
                category = _category_of(plan, element_id)
                if category:
                    categories[category].append(plan.element_name(element_id))
                if plan.element_type(element_id) is ElementType.CHARACTER:
                    element = plan.elements.get(element_id)
                    names_in_cast.add(plan.element_name(element_id).casefold())
                    for alias in element.aliases if element else []:
                        names_in_cast.add(alias.casefold())
                    categories["wardrobe"] += _attribute_items(plan, element_id, _WARDROBE_KEYS)
                    categories["makeup/hair"] += _attribute_items(plan, element_id, _MAKEUP_KEYS)
            for line in shot.dialogue:
                # A speaking part is cast even when the registry does not know it yet.
                if line.character.casefold() not in names_in_cast:
                    categories["cast"].append(line.character)
            if shot.narration:
                categories["sound"].append("Narration")
            if shot.vocals_type and shot.vocals_type != "none":
                categories["sound"].append(f"Vocals: {shot.vocals_type}")
            if shot.music_cue:
                categories["sound"].append(f"Music: {shot.music_cue}")
            categories["sound"] += shot.sound_effects
            if shot.weather and shot.weather.strip().lower() not in _CLEAR_WEATHER:
                categories["special effects"].append(shot.weather.strip())
            if shot.camera_movement in SPECIAL_EQUIPMENT:
                categories["special equipment"].append(EQUIPMENT[shot.camera_movement])
        first, last = planned_shots[0].spec, planned_shots[-1].spec
        sheets.append(
            SceneBreakdown(
                scene=number,
                heading=headings.get(number, ""),
                shots=[p.spec.shot_id for p in planned_shots],
                start=plan.smpte(first.start_frame),
                end=plan.smpte(last.end_frame),
                duration_frames=sum(p.spec.duration_frames for p in planned_shots),
                time_of_day=", ".join(_unique(p.spec.time_of_day or "" for p in planned_shots)),
                categories={c: _unique(items) for c, items in categories.items()},
            )
        )
    return sheets


BREAKDOWN_COLUMNS: tuple[str, ...] = (
    "Scene",
    "Heading",
    "Shots",
    "Start",
    "End",
    "Duration",
    "Time of Day",
    *(c.title().replace("/H", "/h") for c in BREAKDOWN_CATEGORIES),
)


def breakdown_csv(sheets: Sequence[SceneBreakdown]) -> bytes:
    """The breakdown as CSV: one row per scene, one column per category (items joined by ;)."""
    rows = []
    for sheet in sheets:
        row = {
            "Scene": sheet.scene,
            "Heading": sheet.heading,
            "Shots": " ".join(sheet.shots),
            "Start": sheet.start,
            "End": sheet.end,
            "Duration": str(sheet.duration_frames),
            "Time of Day": sheet.time_of_day,
        }
        for category, column in zip(BREAKDOWN_CATEGORIES, BREAKDOWN_COLUMNS[7:], strict=True):
            row[column] = "; ".join(sheet.categories[category])
        rows.append(row)
    return _csv_text(BREAKDOWN_COLUMNS, rows)


def breakdown_markdown(title: str, sheets: Sequence[SceneBreakdown]) -> str:
    """The breakdown as Markdown: a sheet (category table) per scene."""
    lines = [f"# {md_cell(title)} — script breakdown", ""]
    for sheet in sheets:
        heading = f"Scene {md_cell(sheet.scene)}"
        if sheet.heading:
            heading += f" — {md_cell(sheet.heading)}"
        lines += [
            f"## {heading}",
            "",
            f"Shots {md_cell(', '.join(sheet.shots))} · {sheet.start} – {sheet.end} · "
            f"{sheet.duration_frames} frames"
            + (f" · {md_cell(sheet.time_of_day)}" if sheet.time_of_day else ""),
            "",
            "| Category | Items |",
            "|---|---|",
        ]
        for category in BREAKDOWN_CATEGORIES:
            items = "; ".join(sheet.categories[category])
            lines.append(f"| {category.title().replace('/H', '/h')} | {md_cell(items)} |")
        lines.append("")
    return "\n".join(lines)
