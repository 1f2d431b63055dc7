"""API-format workflow templates: loading, filling by node role, checking against a server.

A template is a ComfyUI workflow exported with File -> Export (API): ``{node_id: {class_type,
inputs, _meta: {title}}}``, links written ``[node_id, output_index]``. StoryCore never
string-replaces in it: each node it fills carries a marker in its ``_meta.title``::

    "Positive prompt [storycore:prompt]"
    "High-noise sampler [storycore:seed][storycore:steps=high]"
    "Start frame [storycore:start_image]"         (LoadImage)
    "Reference [storycore:reference_image?]"      (? = optional: dropped when not given)
    "Load high-noise model [storycore:model=unet_high]"

Roles and the inputs they set: ``prompt``/``negative`` -> ``text``; ``seed`` -> ``seed`` or
``noise_seed``; ``steps`` -> ``steps`` (``=high``/``=low`` also split a two-pass sampler at
half); ``cfg``; ``size`` -> ``width``/``height``; ``length``; ``fps`` -> ``fps`` or
``frame_rate``; ``start_image``/``end_image``/``reference_image`` -> ``image`` (LoadImage);
``model=SLOT`` -> the loader's ``*_name`` input (``SLOT@input`` names it); ``output`` ->
``filename_prefix``. Sizes are snapped to the family's multiple and lengths to
``length_step * k + 1``; every snap is recorded.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storycore.tools.comfyui.config import ComfyUIConfigError, TemplateSettings

__all__ = [
    "GenerationParams",
    "MappedWorkflow",
    "Marker",
    "WorkflowProblems",
    "check_workflow",
    "fill_template",
    "load_template",
    "markers",
    "snap_length",
    "snap_size",
]

_MARKER = re.compile(r"\[storycore:([a-z_]+)(\?)?(?:=([A-Za-z0-9_@.\-]+))?\]")
ROLES = frozenset(
    {
        "prompt",
        "negative",
        "seed",
        "steps",
        "cfg",
        "size",
        "length",
        "fps",
        "start_image",
        "end_image",
        "reference_image",
        "model",
        "output",
    }
)
IMAGE_ROLES = ("start_image", "end_image", "reference_image")
MODEL_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft", ".onnx")


@dataclass(frozen=True)
class Marker:
    """One ``[storycore:role=arg]`` marker on a node."""

    node_id: str
    role: str
    arg: str = ""
    optional: bool = False


@dataclass(frozen=True)
class GenerationParams:
    """What one job asks of a template (before snapping)."""

    prompt: str
    negative: str = ""
    seed: int = 0
    width: int = 1024
    height: int = 1024
    frames: int = 1
    start_image: str | None = None  # names on the server (as /upload/image returned them)
    end_image: str | None = None
    reference_images: tuple[str, ...] = ()
    filename_prefix: str = "storycore/job"


@dataclass
class MappedWorkflow:
    """A filled workflow, ready to post, and what was changed to fit the family's rules."""

    workflow: dict[str, Any]
    width: int
    height: int
    frames: int
    fps: str
    adjustments: list[str] = field(default_factory=list)


def snap_size(width: int, height: int, multiple: int) -> tuple[int, int]:
    """The nearest size whose sides are multiples of ``multiple`` (at least one multiple)."""

    def snap(value: int) -> int:
        return max(multiple, round(value / multiple) * multiple)

    return snap(width), snap(height)


def snap_length(frames: int, step: int, max_frames: int | None = None) -> int:
    """The shortest length ``step * k + 1`` holding ``frames`` (capped by ``max_frames``)."""
    if step <= 1:
        n = max(1, frames)
    else:
        k = max(0, -(-(max(1, frames) - 1) // step))
        n = step * k + 1
    if max_frames is not None and n > max_frames:
        n = max(1, ((max_frames - 1) // step) * step + 1) if step > 1 else max_frames
    return n


def load_template(settings: TemplateSettings) -> dict[str, Any]:
    """The API-format workflow of a template, checked for shape and for its markers."""
    path = Path(settings.file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ComfyUIConfigError(
            f"workflow template {settings.name!r}: file {settings.file} not found"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ComfyUIConfigError(
            f"workflow template {settings.name!r}: {settings.file} is not JSON ({exc})"
        ) from None
    if not isinstance(data, dict) or not data:
        raise ComfyUIConfigError(f"workflow template {settings.name!r}: not an API-format workflow")
    if "nodes" in data and "links" in data:
        raise ComfyUIConfigError(
            f"workflow template {settings.name!r}: {path.name} is a UI-format save; export it "
            "with File -> Export (API) instead"
        )
    for node_id, node in data.items():
        if not isinstance(node, dict) or "class_type" not in node or "inputs" not in node:
            raise ComfyUIConfigError(
                f"workflow template {settings.name!r}: node {node_id!r} has no class_type/inputs"
            )
    found = markers(data)
    roles = {m.role for m in found}
    for needed in ("prompt", "output"):
        if needed not in roles:
            raise ComfyUIConfigError(
                f"workflow template {settings.name!r}: no node marked [storycore:{needed}] "
                "in its _meta.title (docs/comfyui.md)"
            )
    return data


def markers(workflow: Mapping[str, Any]) -> list[Marker]:
    """Every StoryCore marker in the workflow's node titles, in node order."""
    out: list[Marker] = []
    for node_id, node in workflow.items():
        title = str(((node.get("_meta") or {}).get("title")) or "")
        for match in _MARKER.finditer(title):
            role, optional, arg = match.group(1), bool(match.group(2)), match.group(3) or ""
            if role not in ROLES:
                raise ComfyUIConfigError(
                    f"node {node_id} ({node.get('class_type')}): unknown marker "
                    f"[storycore:{role}] (roles: {', '.join(sorted(ROLES))})"
                )
            out.append(Marker(str(node_id), role, arg, optional))
    return out


def _set(node: dict[str, Any], names: Sequence[str], value: Any, node_id: str, role: str) -> str:
    inputs = node["inputs"]
    for name in names:
        if name in inputs:
            inputs[name] = value
            return name
    raise ComfyUIConfigError(
        f"node {node_id} ({node['class_type']}) is marked [storycore:{role}] but has none of "
        f"the inputs {', '.join(names)}"
    )


def _model_input(node: Mapping[str, Any], arg: str, node_id: str) -> tuple[str, str]:
    slot, _, name = arg.partition("@")
    if not slot:
        raise ComfyUIConfigError(f"node {node_id}: [storycore:model] needs a slot (model=SLOT)")
    if name:
        return slot, name
    names = [
        k for k in node["inputs"] if k.endswith("_name") and isinstance(node["inputs"][k], str)
    ]
    if len(names) != 1:
        raise ComfyUIConfigError(
            f"node {node_id} ({node['class_type']}): say which input holds model {slot!r} "
            "(model=SLOT@input)"
        )
    return slot, names[0]


def model_files(
    workflow: Mapping[str, Any], settings: TemplateSettings
) -> list[tuple[str, str, str]]:
    """``(node_id, input, file)`` of every model the workflow names (after settings)."""
    out: list[tuple[str, str, str]] = []
    for marker in markers(workflow):
        if marker.role == "model":
            node = workflow[marker.node_id]
            slot, name = _model_input(node, marker.arg, marker.node_id)
            out.append((marker.node_id, name, settings.models.get(slot, node["inputs"][name])))
    return out


#: Nodes that only encode an image for another node: dropped with the image they encode.
_ENCODERS = frozenset({"CLIPVisionEncode", "VAEEncode", "FluxKontextImageScale", "ImageScale"})


def _drop_node(workflow: dict[str, Any], node_id: str) -> None:
    """Remove an optional image node: its links are removed from the nodes it fed, and the
    encoders that only carried it (CLIPVisionEncode, VAEEncode...) go with it."""
    workflow.pop(node_id, None)
    for other_id, node in list(workflow.items()):
        if other_id not in workflow:
            continue
        for name, value in list(node["inputs"].items()):
            if isinstance(value, list) and len(value) == 2 and str(value[0]) == node_id:
                if node.get("class_type") in _ENCODERS:
                    _drop_node(workflow, other_id)
                    break
                del node["inputs"][name]


@dataclass
class _Filling:
    """What :func:`fill_template` puts into the nodes: the snapped values, and the images
    still to place (each image node takes the next one of its role)."""

    settings: TemplateSettings
    params: GenerationParams
    width: int
    height: int
    frames: int
    negative: str
    images: dict[str, list[str]]


def fill_template(
    template: Mapping[str, Any], settings: TemplateSettings, params: GenerationParams
) -> MappedWorkflow:
    """The template filled with ``params`` by node role, sizes and lengths snapped."""
    workflow = copy.deepcopy(dict(template))
    adjustments: list[str] = []
    width, height, frames = _snapped(settings, params, adjustments)
    fill = _Filling(
        settings,
        params,
        width,
        height,
        frames,
        negative=params.negative or settings.negative,
        images={
            "start_image": [params.start_image] if params.start_image else [],
            "end_image": [params.end_image] if params.end_image else [],
            "reference_image": list(params.reference_images),
        },
    )
    for marker in markers(workflow):
        node = workflow.get(marker.node_id)
        if node is None:
            continue  # dropped with an optional image
        _fill_node(workflow, node, marker, fill)
    adjustments.extend(_images_left(fill.images, settings.name))
    return MappedWorkflow(workflow, width, height, frames, settings.fps, adjustments)


def _snapped(
    settings: TemplateSettings, params: GenerationParams, adjustments: list[str]
) -> tuple[int, int, int]:
    """The size snapped to the family's multiple and (for video) the length to its step,
    each change noted in ``adjustments``: (width, height, frames)."""
    width, height = snap_size(params.width, params.height, settings.size_multiple)
    if (width, height) != (params.width, params.height):
        adjustments.append(
            f"size {params.width}x{params.height} -> {width}x{height} "
            f"(multiple of {settings.size_multiple})"
        )
    frames = 1
    if settings.kind == "video":
        frames = snap_length(params.frames, settings.length_step, settings.max_frames)
        if frames != params.frames:
            adjustments.append(
                f"length {params.frames} -> {frames} frames ({settings.length_step}k+1"
                + (f", at most {settings.max_frames}" if settings.max_frames else "")
                + ")"
            )
    return width, height, frames


def _fill_node(
    workflow: dict[str, Any], node: dict[str, Any], marker: Marker, fill: _Filling
) -> None:
    """Set the inputs of one marked node as its role says."""
    node_id, role = marker.node_id, marker.role
    settings, params = fill.settings, fill.params
    steps = settings.steps
    if role == "prompt":
        _set(node, [marker.arg or "text", "prompt"], params.prompt, node_id, role)
    elif role == "negative":
        _set(node, [marker.arg or "text", "prompt"], fill.negative, node_id, role)
    elif role == "seed":
        _set(node, [marker.arg or "seed", "noise_seed", "seed"], params.seed, node_id, role)
    elif role == "steps" and steps is not None:
        _set(node, ["steps"], steps, node_id, role)
        if marker.arg == "high":
            _set(node, ["end_at_step"], steps // 2, node_id, role)
        elif marker.arg == "low":
            _set(node, ["start_at_step"], steps // 2, node_id, role)
    elif role == "cfg" and settings.cfg is not None:
        _set(node, [marker.arg or "cfg"], settings.cfg, node_id, role)
    elif role == "size":
        _set(node, ["width"], fill.width, node_id, role)
        _set(node, ["height"], fill.height, node_id, role)
    elif role == "length":
        if settings.kind == "video":
            _set(node, [marker.arg or "length", "frames", "num_frames"], fill.frames, node_id, role)
    elif role == "fps":
        value: Any = float(eval_rate(settings.fps))
        if value.is_integer():
            value = int(value)
        _set(node, [marker.arg or "fps", "frame_rate"], value, node_id, role)
    elif role in IMAGE_ROLES:
        _fill_image(workflow, node, marker, fill)
    elif role == "model":
        slot, name = _model_input(node, marker.arg, node_id)
        if slot in settings.models:
            node["inputs"][name] = settings.models[slot]
    elif role == "output":
        _set(node, ["filename_prefix"], params.filename_prefix, node_id, role)


def _fill_image(
    workflow: dict[str, Any], node: dict[str, Any], marker: Marker, fill: _Filling
) -> None:
    """An image node takes the next image of its role; without one, an optional node is
    dropped and a required one is an error."""
    node_id, role = marker.node_id, marker.role
    queue = fill.images[role]
    if queue:
        _set(node, ["image"], queue.pop(0), node_id, role)
    elif marker.optional:
        _drop_node(workflow, node_id)
    else:
        raise ComfyUIConfigError(
            f"workflow template {fill.settings.name!r} needs a {role.replace('_', ' ')} "
            f"(node {node_id}), and this job has none"
        )


def _images_left(images: Mapping[str, list[str]], template_name: str) -> list[str]:
    """The notes for images the template had no input for."""
    notes: list[str] = []
    unused = [role for role, left in images.items() if left and role != "reference_image"]
    if unused:
        notes.append(
            f"template {template_name!r} takes no {', '.join(unused)}: ignored for this job"
        )
    if images["reference_image"]:
        notes.append(
            f"{len(images['reference_image'])} reference image(s) not used: "
            f"template {template_name!r} has no more reference inputs"
        )
    return notes


def eval_rate(text: str) -> float:
    """A rate written "16", "24000/1001" or "29.97" as a number."""
    num, _, den = text.partition("/")
    return float(num) / float(den) if den else float(num)


# ------------------------------------------------------------------ checks against a server


@dataclass
class WorkflowProblems:
    """What a server lacks for a set of workflows, collected for one message."""

    missing_nodes: dict[str, set[str]] = field(default_factory=dict)  # class -> templates
    missing_models: dict[str, set[str]] = field(default_factory=dict)  # file -> "tmpl: loader"
    other: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing_nodes or self.missing_models or self.other)

    def merge(self, other: WorkflowProblems) -> None:
        """Add another set of problems to this one."""
        for key, where in other.missing_nodes.items():
            self.missing_nodes.setdefault(key, set()).update(where)
        for key, where in other.missing_models.items():
            self.missing_models.setdefault(key, set()).update(where)
        self.other.extend(p for p in other.other if p not in self.other)

    def message(self, server: str) -> str:
        """One line naming every missing node class and model file."""
        parts: list[str] = []
        if self.missing_nodes:
            parts.append(
                "missing nodes: "
                + ", ".join(
                    f"{cls} ({', '.join(sorted(w))})"
                    for cls, w in sorted(self.missing_nodes.items())
                )
                + " (install the custom nodes or update ComfyUI)"
            )
        if self.missing_models:
            parts.append(
                "missing model files: "
                + ", ".join(
                    f"{name} ({', '.join(sorted(w))})"
                    for name, w in sorted(self.missing_models.items())
                )
                + " (put them in ComfyUI's models folders, or name yours in comfyui.yaml)"
            )
        parts.extend(self.other)
        return f"ComfyUI at {server} cannot run these workflows: " + "; ".join(parts)


def _spec_options(spec: Any) -> tuple[str, dict[str, Any], list[Any] | None]:
    """(type, options, allowed values or None) of an /object_info input spec."""
    if not isinstance(spec, list | tuple) or not spec:
        return "*", {}, None
    head = spec[0]
    opts = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
    if isinstance(head, list):
        return "COMBO", opts, head
    if head == "COMBO":
        return "COMBO", opts, list(opts.get("options") or [])
    return str(head), opts, None


def check_workflow(
    workflow: Mapping[str, Any],
    object_info: Mapping[str, Any],
    label: str,
    *,
    skip_inputs: frozenset[tuple[str, str]] = frozenset(),
) -> WorkflowProblems:
    """What in ``workflow`` the server (its ``/object_info``) cannot run.

    Node classes that do not exist, model files not among a loader's allowed values, links to
    missing nodes or outputs, values out of range. ``skip_inputs`` (node id, input) are filled
    at submit time (uploaded image names).
    """
    problems = WorkflowProblems()
    for node_id, node in workflow.items():
        cls = str(node.get("class_type"))
        info = object_info.get(cls)
        if not isinstance(info, Mapping):
            problems.missing_nodes.setdefault(cls, set()).add(label)
            continue
        declared = info.get("input") or {}
        specs: dict[str, Any] = {
            **(declared.get("required") or {}),
            **(declared.get("optional") or {}),
        }
        for name in declared.get("required") or {}:
            if name not in node["inputs"]:
                problems.other.append(f"{label}: node {node_id} ({cls}) lacks input {name!r}")
        for name, value in node["inputs"].items():
            if (str(node_id), name) in skip_inputs or name not in specs:
                continue
            kind, opts, allowed = _spec_options(specs[name])
            if isinstance(value, list) and len(value) == 2 and isinstance(value[1], int):
                source = workflow.get(str(value[0]))
                if source is None:
                    problems.other.append(
                        f"{label}: node {node_id} ({cls}) input {name!r} links to missing "
                        f"node {value[0]}"
                    )
                    continue
                source_info = object_info.get(str(source.get("class_type")))
                if isinstance(source_info, Mapping):
                    outputs = list(source_info.get("output") or [])
                    if value[1] >= len(outputs):
                        problems.other.append(
                            f"{label}: node {node_id} input {name!r} links to output {value[1]} "
                            f"of node {value[0]}, which has {len(outputs)}"
                        )
                    elif kind not in ("*", "COMBO") and outputs[value[1]] not in (kind, "*"):
                        problems.other.append(
                            f"{label}: node {node_id} input {name!r} wants {kind}, node "
                            f"{value[0]} gives {outputs[value[1]]}"
                        )
                continue
            if allowed is not None:
                if value not in allowed:
                    if isinstance(value, str) and value.lower().endswith(MODEL_SUFFIXES):
                        problems.missing_models.setdefault(value, set()).add(
                            f"{label}: {cls}.{name}"
                        )
                    else:
                        problems.other.append(
                            f"{label}: node {node_id} ({cls}) {name}={value!r} is not one of "
                            f"{', '.join(map(str, allowed[:6]))}"
                        )
            elif kind in ("INT", "FLOAT") and isinstance(value, int | float):
                low, high = opts.get("min"), opts.get("max")
                if (low is not None and value < low) or (high is not None and value > high):
                    problems.other.append(
                        f"{label}: node {node_id} ({cls}) {name}={value} is outside {low}..{high}"
                    )
    return problems


def submit_time_inputs(workflow: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """The (node, input) pairs StoryCore fills at submit time: uploaded images."""
    return frozenset((m.node_id, "image") for m in markers(workflow) if m.role in IMAGE_ROLES)
