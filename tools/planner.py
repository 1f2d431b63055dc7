"""The planner: from a brief or a screenplay to a complete, timecoded production plan, offline.

One function per workflow phase, each reading the project on disk and writing its result back
in one transaction. The assistant's graph calls the same functions (a language model, when
configured, only replaces the creative inputs: the scenes, the descriptions); ``plan_project``
runs them all in order for the benchmarks and for library users.

    understand -> create_structure -> run_breakdown -> build_elements -> choose_models
               -> build_segments_phase -> build_storyboard
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from storycore.tools.breakdown import (
    MIN_SHOT_FRAMES,
    Breakdown,
    design_shots,
    retime,
    scenes_from_brief,
    split_long_shots,
)
from storycore.tools.brief import parse_brief
from storycore.tools.brief.looks import find_look, location_look
from storycore.tools.domain import (
    AssetMetadata,
    CreativeBrief,
    ElementType,
    Phase,
    Scene,
    ShotSpec,
)
from storycore.tools.errors import BriefError, InvalidInput, NotAProject, ProjectError
from storycore.tools.fountain import looks_like_screenplay, mentions, scenes_from_fountain
from storycore.tools.model_registry import ModelRegistry, max_clip_frames
from storycore.tools.model_selector import (
    ModelSelector,
    Selection,
    clip_cost,
    request_for_shot,
    restate_cost,
    shot_cost_usd,
)
from storycore.tools.naming import element_id
from storycore.tools.project import (
    INTERNAL,
    Project,
    _read_ops,
    begin_plan,
    end_plan,
    interrupted_plan,
)
from storycore.tools.prompt_builder import build_shot_prompts
from storycore.tools.registry import AssetRegistry
from storycore.tools.schema_versions import KEY as SCHEMA_KEY
from storycore.tools.schema_versions import document_kind, upgrade
from storycore.tools.segments import build_segments
from storycore.tools.specs import apply_overrides
from storycore.tools.storyboard import write_documents
from storycore.tools.structure import (
    SHOT_FILE,
    add_shots,
    clear_shots,
    ensure_layout,
    load_shots,
    write_shots,
)
from storycore.tools.structure import SHOTS as SHOTS_DIR
from storycore.tools.structure import set_segments as store_segments
from storycore.tools.text import split_sentences

BRIEF_FILE = "creative_brief.json"
SCENES_FILE = "scenes.json"

Progress = Callable[[str], None]
SourceFormat = Literal["fountain", "brief", "prose"]

_FRONT_MATTER = re.compile(r"\A\ufeff?---\s*\n")
_SECTION = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)


@dataclass
class Overrides:
    """The CLI's ``--fps``, ``--aspect``, ``--duration``, ``--language`` and ``--title``
    (None: from the brief)."""

    fps: str | None = None
    aspect: str | None = None
    duration: str | float | None = None
    language: str | None = None
    title: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class PlanSummary:
    """What ``storycore plan`` reports at the end."""

    project_dir: Path
    title: str
    scenes: int
    shots: int
    segments: int
    total_frames: int
    fps: str
    drop_frame: bool
    models: dict[str, int]
    estimated_cost_usd: float
    warnings: list[str] = field(default_factory=list)
    #: What each model costs, most expensive first (local models too, at $0).
    costs: list[ModelCost] = field(default_factory=list)
    #: The brief's budget (None: no budget was given).
    budget_usd: float | None = None
    #: The project's answer language: what the summary is shown in (by default).
    language: str = "en"

    @property
    def budget_left_usd(self) -> float | None:
        """The budget minus the estimated cost (negative: over budget); None without one."""
        if self.budget_usd is None:
            return None
        return round(self.budget_usd - self.estimated_cost_usd, 2)


@dataclass
class ModelCost:
    """One model's share of the estimated cost: its shots, billed seconds and dollars."""

    model_id: str
    shots: int
    billed_seconds: float
    usd_per_second: float
    usd: float
    local: bool = False

    def describe(self, language: str | None = None) -> str:
        """``3 shots, 24.0 s x $0.50/s = $12.00`` (or ``local, no API cost``), in
        ``language`` (English by default)."""
        from storycore.tools.i18n import count, t

        shots = count(self.shots, "shot", language)
        if self.local:
            return t("cost.local", language, shots=shots, seconds=f"{self.billed_seconds:.1f}")
        return t(
            "cost.paid",
            language,
            shots=shots,
            seconds=f"{self.billed_seconds:.1f}",
            per_second=f"{self.usd_per_second:.2f}",
            usd=f"{self.usd:,.2f}",
        )


def detect_format(text: str, source_name: str | None = None) -> SourceFormat:
    """A Fountain screenplay (by extension or by its scene headings), a structured brief
    (front matter or headed sections), or plain prose."""
    suffix = Path(source_name).suffix.lower() if source_name else ""
    if suffix in {".fountain", ".spmd"}:
        return "fountain"
    if _FRONT_MATTER.match(text) or _SECTION.search(text):
        return "brief"
    if looks_like_screenplay(text):
        return "fountain"
    return "prose"


def model_aliases(registry: ModelRegistry) -> dict[str, str]:
    """Every name a user may give a model, mapped to its id (for the brief parser)."""
    return {
        alias: model.id for model in registry for alias in (model.id, model.name, *model.aliases)
    }


# -- phase 1: intake --------------------------------------------------------------------------


def understand(
    text: str,
    *,
    source_name: str | None = None,
    overrides: Overrides | None = None,
    registry: ModelRegistry | None = None,
) -> CreativeBrief:
    """Parse a brief or a screenplay into a :class:`CreativeBrief` (pure: writes nothing).

    CLI overrides win over the brief. A screenplay keeps its whole text in ``brief.text`` for
    the breakdown.
    """
    if not text.strip():
        raise BriefError("the brief is empty; write what the video is about")
    registry = registry or ModelRegistry.load()
    fmt = detect_format(text, source_name)
    if fmt == "fountain":
        _scenes, title_page = scenes_from_fountain(text)  # refuses a file with no scenes
        brief = CreativeBrief(
            title=_clean_title(title_page.get("title")) or _title_from_source(source_name),
            text=text,
            source_format="fountain",
        )
    else:
        brief = parse_brief(text, source_name=source_name, known_models=model_aliases(registry))
        if brief.title == "Untitled" and source_name:
            brief = brief.model_copy(update={"title": _title_from_source(source_name)})
        brief = brief.model_copy(update={"source_format": fmt})
    if overrides:
        spec_overrides = {k: v for k, v in overrides.as_dict().items() if k != "title"}
        specs = apply_overrides(brief.technical_specs, **spec_overrides)
        brief = brief.model_copy(
            update={"technical_specs": specs, "duration_seconds": specs.duration_seconds}
        )
        if overrides.title is not None:
            brief = brief.model_copy(update={"title": checked_title(overrides.title)})
    for model_id in brief.technical_specs.models.avoid + brief.technical_specs.models.prefer:
        registry.get(model_id)  # an unknown model id is an error here, not at selection
    return brief


def checked_title(value: str) -> str:
    """A title the user gave (``--title``, an edit at the brief's confirmation), on one line;
    :class:`~storycore.tools.errors.InvalidInput` for an empty or overlong one."""
    title = " ".join(str(value).split())
    if not title:
        raise InvalidInput("the title is empty; give the video a name, like --title 'Nuit Blanche'")
    if len(title) > 200:
        raise InvalidInput(f"the title is {len(title)} characters long; keep it under 200")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in title):
        raise InvalidInput("the title has control characters; write it as plain text")
    return title


def _clean_title(value: str | None) -> str:
    return " ".join((value or "").replace("_", " ").split()).strip("* ")


def _title_from_source(source_name: str | None) -> str:
    if not source_name or source_name in {"-", "<stdin>"}:
        return "Untitled"
    return Path(source_name).stem.replace("_", " ").replace("-", " ").strip().title() or "Untitled"


# -- phase 2: structure -----------------------------------------------------------------------


def create_structure(project_dir: Path | str, brief: CreativeBrief) -> Project:
    """Create (or reuse) the project folder, write the brief and the specs.

    An existing non-empty folder that is not a StoryCore project is refused.
    """
    project = Project.create(project_dir, title=brief.title, specs=brief.technical_specs)
    with project.transaction("structure") as tx:
        ensure_layout(tx)
        tx.write_json(BRIEF_FILE, brief)
        tx.manifest.title = brief.title
        tx.manifest.technical_specs = brief.technical_specs
        tx.manifest.phase = Phase.STRUCTURE
    return project


def read_brief(project: Project) -> CreativeBrief:
    return project.read_model(BRIEF_FILE, CreativeBrief)


def read_scenes(project: Project) -> list[Scene]:
    if not project.exists(SCENES_FILE):
        return []
    return [Scene.model_validate(item) for item in project.read_json(SCENES_FILE)]


# -- phase 3: breakdown -----------------------------------------------------------------------


def run_breakdown(project: Project, *, scenes: Sequence[Scene] | None = None) -> Breakdown:
    """Scenes, then shots with framing, durations and contiguous timecodes.

    ``scenes`` replaces the deterministic breakdown (the LLM's proposal); the shots are always
    designed and timed by the rules, scaled to the target duration to the frame.
    """
    brief = read_brief(project)
    specs = project.manifest.technical_specs
    chosen = list(scenes) if scenes is not None else scenes_from_brief(brief)
    breakdown = design_shots(chosen, specs, target_seconds=specs.duration_seconds)
    edited = edited_shots(project)
    with project.transaction("breakdown") as tx:
        clear_shots(tx)
        add_shots(tx, breakdown.shots)
        tx.write_json(SCENES_FILE, [scene.model_dump(mode="json") for scene in breakdown.scenes])
        tx.remove(REPLAN_EDITS_FILE)  # an earlier re-plan's report
        tx.manifest.phase = Phase.BREAKDOWN
    if edited:
        kept = keep_shot_edits(breakdown.shots, edited, specs.rate)
        breakdown.warnings.extend([*kept.kept, *kept.lost])
        changed = [s for s, old in zip(kept.shots, breakdown.shots, strict=True) if s != old]
        # Its own change: undoing it leaves the plan as the rules made it, and the next
        # re-plan finds these edits again (see edited_shots).
        with project.transaction(KEPT_EDITS_NOTE) as tx:
            write_shots(tx, changed)
            tx.write_json(
                REPLAN_EDITS_FILE, {"kept": kept.kept, "lost": kept.lost, "fields": kept.fields}
            )
        breakdown = dataclasses.replace(breakdown, shots=kept.shots)
    return breakdown


# -- re-planning an edited project: shot edits are kept or reported ----------------------------

#: The notes of the transactions a plan writes (anything else in the history is an edit).
PLAN_NOTES = frozenset(
    {"structure", "breakdown", "elements", "models", "segments", "prompts", "storyboard", "planned"}
)
#: The note of the change that carries shot edits into a new plan.
KEPT_EDITS_NOTE = "kept shot edits"
#: What the last re-plan did with the shot edits: {"kept": [...], "lost": [...]}, sentences.
REPLAN_EDITS_FILE = "replan_edits.json"
#: The fields of a shot an edit may change, and that a re-plan keeps when its shot remains.
EDITABLE_SHOT_FIELDS = (
    "shot_size",
    "framing",
    "camera_angle",
    "camera_movement",
    "camera_details",
    "lens_mm",
    "description",
    "action",
    "time_of_day",
    "weather",
    "model_id",
    "fallback_models",
    "model_reason",
    "transition_in",
    "transition_out",
    "locked",
)


@dataclass
class KeptEdits:
    """What a re-plan did with the shot edits: the new shots with the edits that still apply,
    one sentence per kept shot and one per lost edit."""

    shots: list[ShotSpec]
    kept: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)  # shot id: fields kept


def _edit_entries(project: Project) -> list[Any]:
    """The history entries of the edits made since the last plan (newest first): the entries
    older than this plan's ``structure`` and newer than the one before it."""
    entries = project.history()
    structures = [i for i, e in enumerate(entries) if e.note == "structure"]
    if not structures:
        return []
    current = structures[0]
    previous = structures[1] if len(structures) > 1 else len(entries)
    skip = PLAN_NOTES | {KEPT_EDITS_NOTE}  # carried edits are read from REPLAN_EDITS_FILE
    return [e for e in entries[current + 1 : previous] if e.note not in skip]


@dataclass
class EditedShot:
    """A shot an edit changed since the last plan: as it is now, and which fields the edit
    changed (``inserted`` for a shot the edit added)."""

    now: ShotSpec
    fields: list[str]
    inserted: bool = False


def edited_shots(project: Project) -> list[EditedShot]:
    """The shots that edits changed since the last plan, in timeline order; [] for a project
    planned for the first time or never edited. Call it after ``structure``, before the
    breakdown replaces the shots.

    What an edit changed is read against the shot as the last plan left it: the version the
    oldest edit replaced, read back from its undo journal (a later shot that a retime only
    moved is not an edit of it). The edits that plan itself carried over count again."""
    entries = _edit_entries(project)
    carried: dict[str, list[str]] = {}
    if project.exists(REPLAN_EDITS_FILE):
        data = project.read_json(REPLAN_EDITS_FILE)
        carried = {str(k): [str(f) for f in v] for k, v in data.get("fields", {}).items()}
    if not entries and not carried:
        return []
    planned: dict[str, ShotSpec] = {}
    seen: set[str] = set()
    for entry in reversed(entries):  # oldest first: its "before" is the planned shot
        folder = project.root / INTERNAL / "history" / f"{entry.number:06d}"
        for op in _read_ops(folder):
            path = op.get("path", "")
            if op.get("op") != "write" or not path.endswith(f"/{SHOT_FILE}") or path in seen:
                continue
            seen.add(path)
            blob = folder / str(op.get("backup") or "")
            if op.get("backup") and blob.is_file():
                with contextlib.suppress(ValueError):
                    data = upgrade(document_kind(path) or "shot", json.loads(blob.read_bytes()))
                    data = {k: v for k, v in data.items() if k != SCHEMA_KEY}
                    shot = ShotSpec.model_validate(data)
                    planned.setdefault(shot.shot_id, shot)
    touched = {path for entry in entries for path in entry.paths}
    out: list[EditedShot] = []
    for ref in project.manifest.shots:
        rel = f"{SHOTS_DIR}/{ref.folder}/{SHOT_FILE}"
        if rel not in touched and ref.shot_id not in planned and ref.shot_id not in carried:
            continue
        now = project.read_model(rel, ShotSpec)
        before = planned.get(now.shot_id)
        fields = list(carried.get(now.shot_id, []))
        if before is not None:
            fields += [f for f in _edited_fields(before, now) if f not in fields]
        elif rel in touched and now.shot_id not in carried:
            out.append(EditedShot(now, [], inserted=True))
            continue
        if fields:
            out.append(EditedShot(now, fields))
    return out


def _edited_fields(before: ShotSpec, now: ShotSpec) -> list[str]:
    """The editable fields (and ``duration``) in which ``now`` differs from ``before``."""
    fields = [f for f in EDITABLE_SHOT_FIELDS if getattr(before, f) != getattr(now, f)]
    if before.duration_frames != now.duration_frames:
        fields.append("duration")
    return fields


def _same_shot(new: ShotSpec, old: ShotSpec) -> bool:
    """The new plan's shot is the edited one: same id, scene and title (its story beat)."""
    return (new.shot_id, new.scene, new.title) == (old.shot_id, old.scene, old.title)


def keep_shot_edits(
    fresh: Sequence[ShotSpec], edited: Sequence[EditedShot], rate: Fraction
) -> KeptEdits:
    """The new plan's shots with the edits of ``edited`` (see :func:`edited_shots`) that
    still apply.

    A new shot that is the edited one (:func:`_same_shot`) takes the value of every field
    the edit changed, its length included; the other shots absorb a change of length so the
    plan keeps its target, and the timeline is laid end to end again. An edit whose shot is
    not in the new plan (its beat is gone, or the edit inserted or split it) is listed in
    ``lost``.
    """
    by_id = {shot.shot_id: shot for shot in fresh}
    out = dict(by_id)
    result = KeptEdits(shots=list(fresh))
    retimed: set[str] = set()
    for edit in edited:
        now = edit.now
        new = by_id.get(now.shot_id)
        if edit.inserted or new is None or not _same_shot(new, now):
            change = "inserted it" if edit.inserted else ", ".join(_words(edit.fields))
            result.lost.append(
                f"{now.shot_id} ({now.title or now.action[:40]}): your edit ({change}) is "
                "lost; the new plan has no such shot"
            )
            continue
        changes: dict[str, Any] = {f: getattr(now, f) for f in edit.fields if f != "duration"}
        if "duration" in edit.fields:
            changes["end_frame"] = new.start_frame + now.duration_frames
            retimed.add(new.shot_id)
        out[new.shot_id] = ShotSpec.model_validate({**new.model_dump(), **changes})
        result.fields[new.shot_id] = list(edit.fields)
        result.kept.append(f"{new.shot_id}: your edits are kept ({', '.join(_words(edit.fields))})")
    shots = [out[s.shot_id] for s in fresh]
    result.shots = retime(_fill_to(shots, sum(s.duration_frames for s in fresh), retimed), rate)
    return result


def _words(fields: Sequence[str]) -> list[str]:
    return [f.replace("_", " ") for f in fields]


def _fill_to(shots: list[ShotSpec], total: int, fixed: set[str]) -> list[ShotSpec]:
    """``shots`` with the shots not in ``fixed`` lengthened or shortened in proportion so
    that the whole lasts ``total`` frames again (a kept retime does not move the plan off
    its target length); unchanged when the others cannot absorb the difference."""
    delta = total - sum(s.duration_frames for s in shots)
    free = [s for s in shots if s.shot_id not in fixed]
    room = sum(s.duration_frames for s in free)
    if not delta or not free or room + delta < MIN_SHOT_FRAMES * len(free):
        return shots
    lengths = {s.shot_id: s.duration_frames * (room + delta) // room for s in free}
    rest = room + delta - sum(lengths.values())
    for shot in sorted(free, key=lambda s: -s.duration_frames)[:rest]:
        lengths[shot.shot_id] += 1
    if min(lengths.values()) < MIN_SHOT_FRAMES:
        return shots
    return [
        s.model_copy(update={"end_frame": s.start_frame + lengths[s.shot_id]})
        if s.shot_id in lengths
        else s
        for s in shots
    ]


def replan_edits(project: Project) -> dict[str, list[str]]:
    """What the last re-plan did with the shot edits made before it: ``kept`` and ``lost``
    sentences (both empty when the plan found no edit). The storyboard confirmation shows
    the lost ones, so approving the plan is approving their loss."""
    if not project.exists(REPLAN_EDITS_FILE):
        return {"kept": [], "lost": []}
    data = project.read_json(REPLAN_EDITS_FILE)
    return {key: [str(x) for x in data.get(key, [])] for key in ("kept", "lost")}


def _kept_model_shots(project: Project) -> set[str]:
    """Ids of the shots whose model an edit chose and this plan kept (see
    :func:`keep_shot_edits`): the model selection leaves them their model."""
    paths: set[str] = set()
    for entry in project.history():
        if entry.note == "structure":
            break
        if entry.note == KEPT_EDITS_NOTE:
            paths.update(entry.paths)
    return {
        ref.shot_id
        for ref in project.manifest.shots
        if f"{SHOTS_DIR}/{ref.folder}/{SHOT_FILE}" in paths
    }


# -- phase 4: elements ------------------------------------------------------------------------


def describe_from_text(name: str, text: str, *, avoid: Iterable[str] = (), limit: int = 240) -> str:
    """How the writer described ``name``'s appearance: its introduction's clauses and the
    look phrases of the sentences that name it (:func:`~storycore.tools.brief.looks.find_look`),
    never a sentence of action; "" when the text says nothing of how it looks. Phrases that
    name one of ``avoid`` (the characters, for a prop) are left out: a prop must not carry a
    character's look into every prompt that shows it."""
    return find_look(name, text, avoid=avoid)[:limit].rstrip()


@dataclass(frozen=True)
class PlannedElement:
    """An element the plan shows, with the canonical description the rules found."""

    type: ElementType
    name: str
    element_id: str
    description: str
    described: bool  # False: nobody described it; the description is a placeholder


def planned_elements(brief: CreativeBrief, scenes: Sequence[Scene]) -> list[PlannedElement]:
    """Every character, location and prop of the brief and scenes, first seen first.

    The description comes from the brief's sections, else from the first sentence of the
    text that names the element, else it is a placeholder (``described`` is False).
    """
    given = {
        ElementType.CHARACTER: {
            element_id(ElementType.CHARACTER, e.name): e.description for e in brief.characters
        },
        ElementType.LOCATION: {
            element_id(ElementType.LOCATION, e.name): e.description for e in brief.locations
        },
        ElementType.PROP: {
            element_id(ElementType.PROP, e.name): e.description for e in brief.props
        },
    }
    found: dict[str, PlannedElement] = {}
    characters = [c.name for c in brief.characters] + [c for s in scenes for c in s.characters]
    props = [p.name for p in brief.props] + [p for s in scenes for p in s.props]

    def add(kind: ElementType, name: str, context: str) -> None:
        eid = element_id(kind, name)
        if eid in found:
            return
        avoid = [c for c in characters if c != name] if kind is not ElementType.CHARACTER else []
        description = given[kind].get(eid, "")
        if any(mentions(description, other) for other in avoid):
            description = ""  # a place or prop described by a character's sentence
        if kind is ElementType.LOCATION and not description:
            named = [s for s in split_sentences(context) if mentions(s, name)]
            description = location_look(" ".join(named), characters)
        elif kind is ElementType.CHARACTER:
            # another element's look is not this character's ("waits under a RED UMBRELLA")
            others = [*props, *(c for c in characters if c != name)]
            description = description or describe_from_text(name, context, avoid=others)
        else:
            description = description or describe_from_text(name, context, avoid=avoid)
        found[eid] = PlannedElement(
            kind, name, eid, description or default_description(kind, name), bool(description)
        )

    def add_location(scene: Scene, location: str) -> None:
        eid = element_id(ElementType.LOCATION, location)
        if eid in found:
            return
        description = given[ElementType.LOCATION].get(eid, "")
        description = description or location_look(scene.description, characters)
        found[eid] = PlannedElement(
            ElementType.LOCATION, location, eid, description, bool(description)
        )

    for kind, items in (
        (ElementType.CHARACTER, brief.characters),
        (ElementType.LOCATION, brief.locations),
        (ElementType.PROP, brief.props),
    ):
        for item in items:
            add(kind, item.name, brief.text)
    for scene in scenes:
        scene_text = " ".join(beat.text for beat in scene.beats if beat.kind == "action")
        for character in scene.characters:
            add(ElementType.CHARACTER, character, f"{scene_text}\n\n{brief.text}")
        if scene.location:
            add_location(scene, scene.location)
        for prop in scene.props:
            add(ElementType.PROP, prop, scene_text)
    return list(found.values())


def undescribed_elements(project: Project) -> list[tuple[str, str, str]]:
    """(id, type, name) of the planned elements nobody described and the registry has no
    description for: what the language model is asked to describe."""
    registry = AssetRegistry(project)
    out = []
    for item in planned_elements(read_brief(project), read_scenes(project)):
        if item.described:
            continue
        if registry.exists(item.element_id) and registry.get(item.element_id).canonical_description:
            continue
        out.append((item.element_id, item.type.value, item.name))
    return out


def default_description(kind: ElementType, name: str) -> str:
    """The description of an element nobody described: honest and editable."""
    return {
        ElementType.CHARACTER: f"{name}, a character of the story (appearance to be defined)",
    }.get(kind, "")


def build_elements(
    project: Project, *, descriptions: Mapping[str, str] | None = None
) -> list[AssetMetadata]:
    """Register every character, location and prop of the plan, and link every shot to the
    elements it shows. ``descriptions`` (element id -> text) overrides the canonical
    descriptions the rules found (the LLM's proposal). Locked elements are left as they are.
    """
    brief = read_brief(project)
    scenes = read_scenes(project)
    registry = AssetRegistry(project)
    with project.transaction("elements") as tx:
        for item in planned_elements(brief, scenes):
            eid, description = item.element_id, item.description
            if descriptions and descriptions.get(eid):
                description = descriptions[eid]
            if registry.exists(eid):
                current = registry.get(eid)
                if current.locked or current.canonical_description:
                    continue  # never rewrite what the user fixed or approved
            registry.add(item.type, item.name, canonical_description=description, element_id=eid)
        sync_links(project, registry)
        tx.manifest.phase = Phase.ELEMENTS
    return registry.list()


def sync_links(project: Project, registry: AssetRegistry | None = None) -> None:
    """Make every element's list of shots agree with the shots on disk."""
    registry = registry or AssetRegistry(project)
    registry.sync_shot_links({shot.shot_id: shot.element_ids() for shot in load_shots(project)})


# -- phase 5: model selection -----------------------------------------------------------------


def choose_models(project: Project, registry: ModelRegistry | None = None) -> list[Selection]:
    """A model for every shot under the hard limits, then split the shots longer than their
    model's longest clip into ``shot_04a``, ``shot_04b``... and lay them end to end again."""
    return _choose_models(project, registry)[0]


def _choose_models(
    project: Project, registry: ModelRegistry | None = None, shots: list[ShotSpec] | None = None
) -> tuple[list[Selection], list[ShotSpec]]:
    """:func:`choose_models` on ``shots`` when the caller holds them (read otherwise), and
    the shots as it wrote them."""
    registry = registry or ModelRegistry.load(project.root)
    specs = project.manifest.technical_specs
    shots = load_shots(project) if shots is None else shots
    keep = {s.shot_id for s in shots if s.model_id} & _kept_model_shots(project)
    selector = ModelSelector(registry)
    requests = [request_for_shot(shot, specs) for shot in shots]
    selections = selector.select_plan(
        requests, segment_ids=[shot.scene for shot in shots], budget_usd=specs.budget_usd
    )
    chosen = [
        shot if shot.shot_id in keep else _with_selection(shot, selection)
        for shot, selection in zip(shots, selections, strict=True)
    ]
    rate = specs.rate
    split = retime(
        split_long_shots(chosen, lambda s: max_clip_frames(registry.get(s.model_id or ""), rate)),
        rate,
    )
    # A split part's model note states its own cost (its own clips and upscaling).
    split = [_part_cost_stated(shot, registry, rate) if shot.split_from else shot for shot in split]
    with project.transaction("models") as tx:
        if [s.shot_id for s in split] == [s.shot_id for s in shots]:
            write_shots(tx, split)
        else:
            clear_shots(tx)
            add_shots(tx, split)
            sync_links(project)
        tx.manifest.phase = Phase.MODEL_SELECTION
    return selections, split


def _with_selection(shot: ShotSpec, selection: Selection) -> ShotSpec:
    if shot.locked and shot.model_id:
        return shot
    return shot.model_copy(
        update={
            "model_id": selection.model_id,
            "fallback_models": list(selection.fallbacks),
            "model_reason": selection.reason,
            "upscaler": selection.upscaler,
        }
    )


def _part_cost_stated(shot: ShotSpec, registry: ModelRegistry, rate: Fraction) -> ShotSpec:
    if not shot.model_id or shot.model_id not in registry:
        return shot
    upscaler = registry.get(shot.upscaler) if shot.upscaler and shot.upscaler in registry else None
    cost = shot_cost_usd(
        registry.get(shot.model_id), Fraction(shot.duration_frames) / rate, upscaler
    )
    return shot.model_copy(update={"model_reason": restate_cost(shot.model_reason, cost)})


# -- phase 6: segments ------------------------------------------------------------------------


def build_segments_phase(project: Project) -> int:
    """Group the shots into segments along scene boundaries; returns how many."""
    return _segments_phase(project)[0]


def _segments_phase(
    project: Project, shots: list[ShotSpec] | None = None
) -> tuple[int, list[ShotSpec]]:
    """:func:`build_segments_phase` on ``shots`` when the caller holds them, and the shots as
    it wrote them."""
    shots = load_shots(project) if shots is None else shots
    scenes = read_scenes(project)
    segments = build_segments(shots, scenes, project.manifest.technical_specs)
    with project.transaction("segments") as tx:
        write_shots(tx, shots)  # build_segments set segment_id and continuity on them
        store_segments(tx, segments)
        tx.manifest.phase = Phase.SEGMENTS
    return len(segments), shots


# -- phase 7: storyboard ----------------------------------------------------------------------


def build_prompts(project: Project, shot_ids: Iterable[str] | None = None) -> int:
    """Build the image, video and negative prompts of shots (all by default) from their
    elements' canonical descriptions. Returns how many shots changed."""
    return len(_build_prompts(project, shot_ids)[1])


def _build_prompts(
    project: Project, shot_ids: Iterable[str] | None = None, given: list[ShotSpec] | None = None
) -> tuple[list[ShotSpec], list[ShotSpec]]:
    """(every shot in timeline order as now written, the shots whose prompts changed);
    ``given``: the shots as on disk when the caller holds them (read otherwise)."""
    specs = project.manifest.technical_specs
    elements = {e.element_id: e for e in AssetRegistry(project).list()}
    override_dir = project.path("prompts")
    folder = override_dir if override_dir.is_dir() else None
    wanted = set(shot_ids) if shot_ids is not None else None
    shots: list[ShotSpec] = []
    changed = []
    for shot in load_shots(project) if given is None else given:
        if wanted is None or shot.shot_id in wanted:
            updated = build_shot_prompts(shot, elements, specs, override_dir=folder).apply_to(shot)
            if updated != shot:
                changed.append(updated)
                shot = updated
        shots.append(shot)
    with project.transaction("prompts") as tx:
        write_shots(tx, changed)
    return shots, changed


def build_storyboard(project: Project, shots: list[ShotSpec] | None = None) -> list[str]:
    """Every shot's prompts, then storyboard.json/.md/.html, panels and visual_strategy.json.

    ``shots``: the shots as on disk when the caller holds them (the planner's last phase)."""
    from storycore.tools.regeneration.index import write_index

    with project.transaction("storyboard") as tx:
        shots, _ = _build_prompts(project, given=shots)  # the shots as written: documents and index
        written = write_documents(tx, shots)
        write_index(tx, shots)
        tx.manifest.phase = Phase.STORYBOARD
    return written


def mark_planned(project: Project) -> None:
    with project.transaction("planned") as tx:
        tx.manifest.phase = Phase.PLANNED


# -- everything ------------------------------------------------------------------------------


def summarize(
    project: Project, warnings: Sequence[str] = (), *, registry: ModelRegistry | None = None
) -> PlanSummary:
    """The plan in figures: scenes, shots, duration, models and the estimated cost in dollars.

    Each shot costs what :func:`~storycore.tools.model_selector.clip_cost` says (its clips'
    billed seconds times the model's price per second), so the total is the sum of the
    shots' own estimates, and ``costs`` shows it per model.
    """
    from storycore.tools.regeneration.index import indexed_shots

    registry = registry or ModelRegistry.load(project.root)
    shots = indexed_shots(project)  # the shot index the plan just wrote, checked on disk
    specs = project.manifest.technical_specs
    models: dict[str, int] = {}
    per_model: dict[str, list[Fraction]] = {}
    for shot in shots:
        if not shot.model_id:
            continue
        models[shot.model_id] = models.get(shot.model_id, 0) + 1
        model = registry.get(shot.model_id) if shot.model_id in registry else None
        if model is None:
            continue
        seconds = Fraction(shot.duration_frames) / specs.rate
        _clips, _clip, billed, _usd = clip_cost(model, seconds)
        upscaler = (
            registry.get(shot.upscaler) if shot.upscaler and shot.upscaler in registry else None
        )
        usd = shot_cost_usd(model, seconds, upscaler)
        totals = per_model.setdefault(shot.model_id, [Fraction(0), Fraction(0), Fraction(0)])
        totals[0] += 1
        totals[1] += billed
        totals[2] += usd
    costs = []
    for model_id, (count, billed, usd) in per_model.items():
        model = registry.get(model_id)
        costs.append(
            ModelCost(
                model_id=model_id,
                shots=int(count),
                billed_seconds=round(float(billed), 3),
                usd_per_second=0.0 if model.local else float(model.cost_usd_per_second or 0),
                usd=round(float(usd), 2),
                local=model.local,
            )
        )
    costs.sort(key=lambda c: (-c.usd, -c.shots, c.model_id))
    cost = sum((total[2] for total in per_model.values()), Fraction(0))
    return PlanSummary(
        project_dir=project.root,
        title=project.manifest.title,
        scenes=len(read_scenes(project)),
        shots=len(shots),
        segments=len(project.manifest.segments),
        total_frames=shots[-1].end_frame - shots[0].start_frame if shots else 0,
        fps=specs.fps,
        drop_frame=specs.uses_drop_frame,
        models=dict(sorted(models.items(), key=lambda kv: (-kv[1], kv[0]))),
        estimated_cost_usd=round(float(cost), 2),
        warnings=list(warnings),
        costs=costs,
        budget_usd=specs.budget_usd,
        language=specs.language,
    )


def plan_project(
    text: str,
    out_dir: Path | str,
    *,
    source_name: str | None = None,
    overrides: Overrides | None = None,
    progress: Progress | None = None,
) -> PlanSummary:
    """Plan a brief or screenplay into ``out_dir`` with the deterministic engine.

    Nothing half-written is left behind: if any phase fails, a folder this call created is
    removed and an existing project is rolled back to what it was.
    """
    say = progress or (lambda _message: None)
    registry = ModelRegistry.load(Path(out_dir) if Project.is_project(Path(out_dir)) else None)
    say("understanding the brief")
    brief = understand(text, source_name=source_name, overrides=overrides, registry=registry)
    with PlanGuard(Path(out_dir)):
        say("creating the project structure")
        project = create_structure(out_dir, brief)
        say("breaking down scenes and shots")
        breakdown = run_breakdown(project)
        say("registering elements")
        build_elements(project)
        # The shots go from phase to phase in memory (each phase still writes what it changed).
        say("choosing a model for every shot")
        _, shots = _choose_models(project, registry)
        say("building segments")
        _, shots = _segments_phase(project, shots)
        say("writing the storyboard and documents")
        build_storyboard(project, shots)
        mark_planned(project)
    return summarize(project, [*brief.warnings, *breakdown.warnings], registry=registry)


class PlanGuard:
    """Leaves ``out_dir`` exactly as it was if planning fails, even if the process dies.

    A folder that did not exist (or was empty) is removed (emptied) again; an existing
    project is rolled back through its undo history to the state it had on entry. While the
    plan runs, a mark in ``.storycore/`` tells the next :meth:`Project.open` to do the same
    after a crash (``kill -9``, a power cut): see :func:`storycore.tools.project.begin_plan`.
    A folder left by an interrupted plan into a new folder is replaced by the next plan.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self._replace_interrupted_new_plan()
        self.existed = self.out_dir.exists()
        if self.existed and not self.out_dir.is_dir():
            raise ProjectError(f"{self.out_dir} is a file, not a folder")
        self.was_project = self.existed and Project.is_project(self.out_dir)
        if (
            self.existed
            and not self.was_project
            and any(child.name != INTERNAL for child in self.out_dir.iterdir())
        ):
            raise NotAProject(
                f"{self.out_dir} is not empty and is not a StoryCore project; "
                "choose a new or empty folder"
            )
        if self.was_project:
            Project.open(self.out_dir)  # rolls back an earlier interrupted plan first
        self.mark = _history_mark(self.out_dir) if self.was_project else 0

    def _replace_interrupted_new_plan(self) -> None:
        """Empty a folder that an interrupted plan into a new folder left behind."""
        if not self.out_dir.is_dir() or self.out_dir.is_symlink():
            return
        data = interrupted_plan(self.out_dir)
        if data is None or not data["new"]:
            return
        for child in self.out_dir.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()

    def __enter__(self) -> PlanGuard:
        begin_plan(self.out_dir, new=not self.was_project)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            end_plan(self.out_dir)
            return
        if not self.was_project:
            if self.existed:
                for child in self.out_dir.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
            else:
                shutil.rmtree(self.out_dir, ignore_errors=True)
            return
        project = Project(self.out_dir)
        while _history_mark(self.out_dir) > self.mark:
            project.undo()
        end_plan(self.out_dir)


def _history_mark(root: Path) -> int:
    entries = Project(root).history()
    return entries[0].number if entries else 0
