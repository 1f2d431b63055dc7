"""Every typed tool of StoryCore, in one place.

Each tool is a core function with a pydantic argument model and a docstring a language model
can act on. The same table serves the LangChain tools of the assistant
(:mod:`storycore.agent.toolkit`), the CLI and any MCP client. Tools that change the plan are
marked ``mutating``: inside the assistant their calls are reviewed and confirmed by the human
before :func:`call` applies them; a host calling them directly applies them at once (and can
undo with ``Project.undo``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storycore.tools.domain import format_validation_error
from storycore.tools.errors import InvalidInput
from storycore.tools.project import Project


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- argument models -----------------------------------------------------------------------------


class NoArgs(_Args):
    pass


#: Shots per list_shots page by default: what one tool answer sends to the model stays the same
#: size however long the film is (the answer says how to ask for more).
LIST_SHOTS_PAGE = 12
#: Elements per list_elements page by default; also the elements and segments one
#: project_layout answer lists.
LIST_ELEMENTS_PAGE = 8


class ListShotsArgs(_Args):
    scene: str | None = Field(None, description="Only the shots of this scene number.")
    offset: int = Field(0, ge=0, description="Skip this many shots (timeline order).")
    limit: int = Field(
        LIST_SHOTS_PAGE,
        ge=1,
        le=200,
        description="At most this many shots.",
    )


class ShotIdArgs(_Args):
    shot_id: str = Field(description="A shot id such as shot_03 or shot_04a.")


class ListElementsArgs(_Args):
    type: str | None = Field(
        None, description="character, location, prop, wardrobe, vehicle, style or audio."
    )
    offset: int = Field(0, ge=0, description="Skip this many elements (registry order).")
    limit: int = Field(
        LIST_ELEMENTS_PAGE,
        ge=1,
        le=200,
        description="At most this many elements.",
    )


class ElementArgs(_Args):
    element: str = Field(description="An element id (char_gaby) or a name (GaBy).")


class TimecodeArgs(_Args):
    value: str = Field(
        description="HH:MM:SS:FF, HH:MM:SS;FF (drop-frame), HH:MM:SS,mmm, MM:SS.cc, a frame "
        "count, or seconds followed by s (12.5s)."
    )
    fps: str = Field(description="Frame rate: 23.976, 24, 25, 29.97, 30, 48, 50, 59.94, 60.")
    to: Literal["frames", "smpte", "seconds", "srt", "mmss"] = "smpte"
    drop_frame: bool | None = Field(
        None, description="Drop-frame SMPTE at 29.97/59.94 (default: yes at those rates)."
    )


class SelectModelArgs(_Args):
    scene_type: str = Field(
        description="atmospheric, dialogue, performance, action, establishing, close_up, "
        "transition or insert."
    )
    duration_seconds: float = Field(gt=0, description="How long the shot lasts.")
    aspect_ratio: str | None = Field(None, description="e.g. 16:9, 9:16")
    local_only: bool = Field(False, description="Only models that run locally.")
    vram_gb: float | None = Field(None, gt=0, description="GPU memory available locally.")
    avoid: list[str] = Field(default_factory=list, description="Model ids never to use.")
    prefer: list[str] = Field(default_factory=list, description="Model ids to favour.")
    requires: list[str] = Field(
        default_factory=list, description="Capabilities: lip_sync, i2v, native_audio..."
    )


class ListModelsArgs(_Args):
    kind: str | None = Field(None, description="image, video, voice or music.")
    local_only: bool = False


class ExportArgs(_Args):
    format: Literal["otio", "edl", "fcpxml", "csv", "md", "html", "json", "breakdown"] = Field(
        description="otio, edl (CMX3600), fcpxml (Final Cut Pro 7 XML), csv (shot list), "
        "md/html/json (storyboard), breakdown (script breakdown sheet)."
    )


# -- read-only tools -----------------------------------------------------------------------------


def project_status(project: Project, _args: NoArgs) -> dict[str, Any]:
    """The project at a glance: title, phase, counts, duration, models, and the gates."""
    from storycore.tools import validation
    from storycore.tools.planner import read_scenes, summarize
    from storycore.tools.timecode import format_smpte

    summary = summarize(project)
    specs = project.manifest.technical_specs
    return {
        "title": summary.title,
        "phase": project.manifest.phase.value,
        "fps": specs.fps,
        "aspect_ratio": specs.aspect_ratio,
        "scenes": len(read_scenes(project)),
        "shots": summary.shots,
        "segments": summary.segments,
        "elements": len(project.manifest.elements),
        "duration": format_smpte(
            summary.total_frames, specs.rate, drop_frame=specs.uses_drop_frame
        ),
        "duration_seconds": round(float(summary.total_frames / specs.rate), 3),
        "models": summary.models,
        "estimated_cost_usd": summary.estimated_cost_usd,
        "cost_by_model": {cost.model_id: cost.describe() for cost in summary.costs},
        "budget_usd": summary.budget_usd,
        "gates": {
            v.gate: "ok" if v.ok else "; ".join(v.failures) for v in validation.run_all(project)
        },
    }


def list_shots(project: Project, args: ListShotsArgs) -> dict[str, Any]:
    """The shots in timeline order (compact): id, scene, timecodes, framing, who, model; one
    page at a time (next_offset: the offset of the next page, null after the last)."""
    from storycore.tools.regeneration.index import indexed_shots
    from storycore.tools.timecode import format_smpte

    specs = project.manifest.technical_specs
    folders = {ref.shot_id: ref.folder for ref in project.manifest.shots}
    # The shot index, checked against every shot.json (a changed file is read from disk).
    shots = [s for s in indexed_shots(project) if args.scene is None or s.scene == args.scene]
    page = shots[args.offset : args.offset + args.limit]
    drop = specs.uses_drop_frame
    end = args.offset + len(page)
    return {
        "total": len(shots),
        "offset": args.offset,
        "next_offset": end if end < len(shots) else None,
        "shots": [
            {
                "shot_id": s.shot_id,
                "scene": s.scene,
                "start": format_smpte(s.start_frame, specs.rate, drop_frame=drop),
                "end": format_smpte(s.end_frame, specs.rate, drop_frame=drop),
                "seconds": round(float(s.duration_frames / specs.rate), 3),
                "shot_size": s.shot_size.value,
                "camera_movement": s.camera_movement.value,
                "description": s.description[:80],
                "characters": s.characters,
                "model_id": s.model_id,
                "status": s.status.value,
                "folder": f"02_shots/{folders[s.shot_id]}",
            }
            for s in page
        ],
    }


def get_shot(project: Project, args: ShotIdArgs) -> dict[str, Any]:
    """Every field of one shot, prompts included."""
    from storycore.tools.structure import read_shot

    return read_shot(project, args.shot_id).model_dump(mode="json")


def list_elements(project: Project, args: ListElementsArgs) -> dict[str, Any]:
    """The registry's elements: id, type, name, canonical description, shots, status, folder;
    one page at a time (next_offset: the offset of the next page, null after the last)."""
    from storycore.tools.registry import AssetRegistry

    registry = AssetRegistry(project)
    elements = registry.list(args.type) if args.type else registry.list()
    folders = {ref.element_id: ref.folder for ref in project.manifest.elements}
    page = elements[args.offset : args.offset + args.limit]
    end = args.offset + len(page)
    return {
        "total": len(elements),
        "offset": args.offset,
        "next_offset": end if end < len(elements) else None,
        "elements": [
            {
                "element_id": e.element_id,
                "type": e.type.value,
                "name": e.name,
                "canonical_description": e.canonical_description,
                "attributes": e.attributes,
                "shots": len(e.shots),
                "status": e.status.value,
                "version": e.current_version,
                "folder": f"01_elements/{folders[e.element_id]}",
            }
            for e in page
        ],
    }


def get_element(project: Project, args: ElementArgs) -> dict[str, Any]:
    """One element with its versions and the shots that show it."""
    from storycore.tools.registry import AssetRegistry

    element = AssetRegistry(project).resolve(args.element)
    data = element.model_dump(mode="json", exclude={"versions"})
    # Versions without their timestamps: a tool's answer must not change between runs.
    data["versions"] = [
        {"version": v.version, "content_hash": v.content_hash[:12], "note": v.note}
        for v in element.versions
    ]
    return data


def convert_timecode(_project: Project | None, args: TimecodeArgs) -> dict[str, Any]:
    """Convert a timecode, a frame count or seconds between forms at a frame rate."""
    from storycore.tools.rates import parse_rate
    from storycore.tools.timecode import format_frames, parse_timecode

    rate = parse_rate(args.fps)
    frames = parse_timecode(args.value, rate)
    return {
        "frames": frames,
        "result": format_frames(frames, rate, args.to, drop_frame=args.drop_frame),
    }


def select_model(project: Project | None, args: SelectModelArgs) -> dict[str, Any]:
    """The model for a shot under hard limits, with the reason, fallbacks and split count."""
    from storycore.tools.model_registry import ModelRegistry
    from storycore.tools.model_selector import ModelSelector, SelectionRequest

    registry = ModelRegistry.load(project.root if project else None)
    request = SelectionRequest.from_input(**args.model_dump())
    language = project.manifest.technical_specs.language if project else None
    selection = ModelSelector(registry, language).select(request)
    return {
        "model_id": selection.model_id,
        "fallbacks": list(selection.fallbacks),
        "reason": selection.reason,
        "split": selection.split,
    }


def list_models(project: Project | None, args: ListModelsArgs) -> dict[str, Any]:
    """The generative models StoryCore knows, with their limits."""
    from storycore.tools.model_registry import ModelRegistry

    registry = ModelRegistry.load(project.root if project else None)
    return {
        "models": [
            {
                "id": m.id,
                "name": m.name,
                "kinds": [k.value for k in m.kinds],
                "runs": m.runs,
                "max_clip_seconds": m.max_clip_seconds,
                "cost_usd_per_second": m.cost_usd_per_second,
            }
            for m in registry.models(args.kind, local_only=args.local_only)
        ]
    }


def project_layout(project: Project, _args: NoArgs) -> dict[str, Any]:
    """The project's folders: the NN_Name folder of each element, shot and segment, by id
    (the first page of each, with their totals when there are more)."""
    # The first page of each only: the answer stays the same size however long the film and
    # large its cast; list_elements and list_shots page through every folder.
    manifest = project.manifest
    elements, shots, segments = manifest.elements, manifest.shots, manifest.segments
    layout: dict[str, Any] = {
        "root": ".",
        "elements": {
            e.element_id: f"01_elements/{e.folder}" for e in elements[:LIST_ELEMENTS_PAGE]
        },
        "shots": {s.shot_id: f"02_shots/{s.folder}" for s in shots[:LIST_SHOTS_PAGE]},
        "segments": {
            s.segment_id: f"05_sequences/{s.folder}" for s in segments[:LIST_ELEMENTS_PAGE]
        },
    }
    if (
        len(shots) > LIST_SHOTS_PAGE
        or len(segments) > LIST_ELEMENTS_PAGE
        or len(elements) > LIST_ELEMENTS_PAGE
    ):
        layout["elements_total"] = len(elements)
        layout["shots_total"] = len(shots)
        layout["segments_total"] = len(segments)
        layout["more"] = (
            "the first page of each is listed; every element's folder is in list_elements, "
            "every shot's in list_shots (page with offset)"
        )
    return layout


def export_project(project: Project, args: ExportArgs) -> dict[str, Any]:
    """Write an editor timeline, a shot list, a breakdown sheet or the storyboard."""
    from storycore.tools.exports import export

    path = export(project, args.format)
    # Relative to the project: an absolute path would leak the user's folders to the model.
    return {"path": project.relative(path) if path.is_relative_to(project.root) else path.name}


# -- examples: one valid call per tool (checked against its argument model by the tests) -------

#: The example a tool's description shows, by tool name. Ids are those the planner writes
#: (shot_03, char_gaby): a model copies the shape, not the values.
EXAMPLES: dict[str, dict[str, Any]] = {
    "project_status": {},
    "list_shots": {"scene": "2", "limit": 10},
    "get_shot": {"shot_id": "shot_03"},
    "list_elements": {"type": "character"},
    "get_element": {"element": "GaBy"},
    "project_layout": {},
    "convert_timecode": {"value": "00:00:10:12", "fps": "24", "to": "frames"},
    "select_model": {"scene_type": "dialogue", "duration_seconds": 6, "local_only": True},
    "list_models": {"kind": "video"},
    "export_project": {"format": "edl"},
    "set_shot_field": {"shot_id": "shot_04", "field": "shot_size", "value": "close-up"},
    "retime_shot": {"shot_id": "shot_05", "duration_seconds": 4},
    "update_element": {"element": "GaBy", "attributes": {"hair": "blonde and curly"}},
    "remove_shot": {"shot_id": "shot_07"},
    "insert_shot": {
        "after": "shot_02",
        "description": "Close-up of GaBy's hand on the cold brew can",
        "duration_seconds": 2,
        "shot_size": "ECU",
        "characters": ["GaBy"],
    },
    "move_shot": {"shot_id": "shot_06", "after": "shot_02"},
    "set_model": {"model_id": "Wan 2.2", "scene": "2"},
    "regenerate_without": {"aspect": "narration", "shot_ids": ["shot_04"]},
    "regenerate": {"shot_ids": ["shot_04"], "reason": "the hands look wrong"},
    "lock": {"target": "shot_03"},
    "unlock": {"target": "GaBy"},
    "change_project_spec": {"field": "duration_seconds", "value": "90"},
}

#: Said of every tool that changes the plan, after what it changes.
_MUTATING_NOTE = "Changes the plan, as one undoable transaction."


def _arguments_line(args: type[BaseModel], *, mutating: bool) -> str:
    fields = [
        f"{name}{'' if field.is_required() else ' (optional)'}"
        for name, field in args.model_fields.items()
        # A modification's ``kind`` is its tag, fixed by the tool's name.
        if not (mutating and name == "kind")
    ]
    return f"Arguments: {', '.join(fields)}." if fields else "No arguments."


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its name, argument model, core function, and whether it changes the plan.

    ``description`` is what every consumer shows a model (the assistant's own, a host's
    LangChain agent, an MCP client): what the tool does or changes, its arguments, and an
    example call.
    """

    name: str
    args: type[BaseModel]
    function: Callable[[Any, Any], dict[str, Any]]
    mutating: bool = False
    needs_project: bool = True
    #: Writes a file into the project without changing the plan (an export).
    writes_files: bool = False

    @property
    def summary(self) -> str:
        """What the tool does (a read-only tool's function docstring) or changes (the
        docstring of a mutating tool's modification model), on one line."""
        source = self.args if self.mutating else self.function
        return " ".join((source.__doc__ or self.name).split())

    @property
    def example(self) -> dict[str, Any]:
        """A valid call's arguments, shown in the description."""
        return EXAMPLES.get(self.name, {})

    @property
    def description(self) -> str:
        parts = [self.summary]
        if self.mutating:
            parts.append(_MUTATING_NOTE)
        parts.append(_arguments_line(self.args, mutating=self.mutating))
        example = json.dumps(self.example, ensure_ascii=False)
        parts.append(f"Example: {self.name}({example})")
        return " ".join(parts)


READ_ONLY: list[ToolSpec] = [
    ToolSpec("project_status", NoArgs, project_status),
    ToolSpec("list_shots", ListShotsArgs, list_shots),
    ToolSpec("get_shot", ShotIdArgs, get_shot),
    ToolSpec("list_elements", ListElementsArgs, list_elements),
    ToolSpec("get_element", ElementArgs, get_element),
    ToolSpec("project_layout", NoArgs, project_layout),
    ToolSpec("convert_timecode", TimecodeArgs, convert_timecode, needs_project=False),
    ToolSpec("select_model", SelectModelArgs, select_model, needs_project=False),
    ToolSpec("list_models", ListModelsArgs, list_models, needs_project=False),
    ToolSpec("export_project", ExportArgs, export_project, writes_files=True),
]


def catalog() -> list[ToolSpec]:
    """Every tool: the read-only ones, then the ones that change the plan."""
    return [*READ_ONLY, *mutating_tools()]


def mutating_tools() -> list[ToolSpec]:
    """The tools that change the plan: one per kind of modification, in the feedback order."""
    from storycore.tools.feedback import MODIFICATION_TOOLS

    return [ToolSpec(name, model, _apply_one, mutating=True) for name, model in MODIFICATION_TOOLS]


def mutating_tool_names() -> list[str]:
    """The names of the tools that change the plan (read from ``ToolSpec.mutating``)."""
    return [spec.name for spec in catalog() if spec.mutating]


def _apply_one(project: Project, modification: Any) -> dict[str, Any]:
    """Apply one modification at once (hosts calling a mutating tool directly); a change that
    changes nothing is refused with the reason, as the assistant does."""
    from storycore.tools.regeneration import apply_changes, plan_changes

    plan = plan_changes(project, [modification])
    data = plan.as_json()
    if not data["summary"] and not data["regenerate"]:
        from storycore.tools.regeneration.plan import nothing_to_change

        raise InvalidInput(nothing_to_change(project, data["warnings"]))
    apply_changes(project, plan)
    return data


def find(name: str) -> ToolSpec:
    """The tool called ``name``, or :class:`InvalidInput` saying it is unknown."""
    for spec in catalog():
        if spec.name == name:
            return spec
    raise InvalidInput(f"unknown tool {name!r}")


def call(name: str, arguments: dict[str, Any], project_dir: Path | str | None) -> dict[str, Any]:
    """Validate ``arguments`` against the tool's model and run it on the project."""
    spec = find(name)
    try:
        args = spec.args.model_validate(arguments or {})
    except ValidationError as exc:
        raise InvalidInput(format_validation_error(exc, subject=name)) from None
    project = Project.open(project_dir) if project_dir is not None else None
    if spec.needs_project and project is None:
        raise InvalidInput(f"the tool {name} needs a project")
    return spec.function(project, args)
