"""The references stage: each element's reference images, rendered before any shot.

A character gets a front view and a three-quarter view, a location an establishing view, a
prop (and any other visual element) a view of it alone, each rendered with the image model
(comfyui.yaml ``image_model``) from the element's canonical description and the project's
style. :func:`render_references` renders them into a staging folder and returns what it
made; nothing in the project changes until :func:`accept_references` records them (after the
user's confirmation) in ``01_elements/NN_Name/references/`` as new element versions. A new
version changes the element's content hash, so exactly the shots showing it become stale:
their keyframes and clips are rendered again, from the new references.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storycore.tools.domain import AssetMetadata, ElementType
from storycore.tools.errors import NotFound
from storycore.tools.production.backend import Backend, BackendError, RenderJob
from storycore.tools.project import INTERNAL, Project
from storycore.tools.registry import AssetRegistry

__all__ = ["ReferenceImageJob", "accept_references", "reference_jobs", "render_references"]

#: The views rendered per element type: (role, what the prompt adds).
VIEWS: dict[str, list[tuple[str, str]]] = {
    ElementType.CHARACTER.value: [
        ("front", "full-body character reference, front view, neutral pose, plain background"),
        ("three_quarter", "character reference, three-quarter view, plain background"),
    ],
    ElementType.LOCATION.value: [
        ("establishing", "establishing wide shot of the place, no people"),
    ],
}
_DEFAULT_VIEW = [("alone", "the object alone on a plain neutral background, product shot")]
_VISUAL = {"character", "location", "prop", "wardrobe", "vehicle"}
STAGING = f"{INTERNAL}/renders/references"


@dataclass(frozen=True)
class ReferenceImageJob:
    """One reference to render: the element, the view, the job."""

    element_id: str
    role: str
    job: RenderJob


@dataclass
class RenderedReferences:
    """What :func:`render_references` made (staged, not yet in the project)."""

    images: dict[str, list[tuple[str, Path]]] = field(default_factory=dict)  # id -> (role, file)
    failed: dict[str, str] = field(default_factory=dict)


def _views(element: AssetMetadata) -> list[tuple[str, str]]:
    return VIEWS.get(element.type.value, _DEFAULT_VIEW)


def reference_jobs(
    project: Project,
    image_model: str,
    element_ids: Sequence[str] = (),
    *,
    size: tuple[int, int] = (1024, 1024),
) -> list[ReferenceImageJob]:
    """The reference jobs of the project's visual elements (or of ``element_ids``)."""
    registry = AssetRegistry(project)
    elements = registry.list()
    if element_ids:
        known = {e.element_id: e for e in elements}
        missing = [e for e in element_ids if e not in known]
        if missing:
            raise NotFound(f"the project has no element {missing[0]!r}")
        elements = [known[e] for e in element_ids]
    style = project.manifest.technical_specs.style or ""
    out: list[ReferenceImageJob] = []
    for element in elements:
        if element.type.value not in _VISUAL:
            continue
        for role, view in _views(element):
            prompt = ", ".join(
                p for p in (f"{element.name}: {element.canonical_description}", view, style) if p
            )
            digest = hashlib.sha256(
                f"{element.content().digest()}:{role}:{prompt}:{image_model}".encode()
            ).hexdigest()
            seed = int(digest[:8], 16)
            job = RenderJob(
                target_id=f"{element.element_id}_{role}",
                generation_hash=digest,
                kind="image",
                prompt=prompt,
                negative_prompt="text, watermark, blurry, several people",
                model_id=image_model,
                width=size[0],
                height=size[1],
                seed=seed,
                provenance={"element_id": element.element_id, "role": role},
            )
            out.append(ReferenceImageJob(element.element_id, role, job))
    return out


def render_references(
    project: Project,
    backend: Backend,
    jobs: Sequence[ReferenceImageJob],
    on_progress: Callable[[str], None] | None = None,
) -> RenderedReferences:
    """Render ``jobs`` (preflight first, all submitted, then collected); nothing in the
    project changes. A failed image is reported, the others are kept."""
    say = on_progress or (lambda _m: None)
    result = RenderedReferences()
    if not jobs:
        return result
    backend.preflight([j.job for j in jobs])
    submitted = [(j, backend.submit(j.job, j.job.job_id)) for j in jobs]
    for item, backend_id in submitted:
        out_dir = project.root / STAGING / item.job.job_id
        say(f"rendering {item.element_id} ({item.role})")
        try:
            outputs = backend.wait(backend_id, item.job, out_dir)
        except BackendError as exc:
            result.failed[f"{item.element_id}:{item.role}"] = str(exc)
            continue
        images = [o.path for o in outputs if o.kind == "image"]
        if not images:
            result.failed[f"{item.element_id}:{item.role}"] = "no image came back"
            continue
        named = out_dir / f"{item.element_id}_{item.role}{images[0].suffix}"
        images[0].replace(named)
        result.images.setdefault(item.element_id, []).append((item.role, named))
    return result


def accept_references(project: Project, rendered: RenderedReferences) -> list[AssetMetadata]:
    """Record the staged references in the elements' ``references/`` (new versions), then
    remove the staging. Returns the updated elements."""
    registry = AssetRegistry(project)
    updated: list[AssetMetadata] = []
    for element_id, images in rendered.images.items():
        element = None
        for role, path in images:
            element = registry.add_reference_image(element_id, path, role=role)
        if element is not None:
            updated.append(element)
    discard_references(project, rendered)
    return updated


def discard_references(project: Project, rendered: RenderedReferences) -> None:
    """Remove the staged images (the project itself was never changed)."""
    for images in rendered.images.values():
        for _role, path in images:
            shutil.rmtree(path.parent, ignore_errors=True)


def shot_reference_images(project: Project, shot_id: str) -> list[Path]:
    """The reference images of the elements a shot shows (current versions), in order."""
    from storycore.tools.asset_generator import element_folder_rel

    registry = AssetRegistry(project)
    out: list[Path] = []
    for element in registry.elements_in_shot(shot_id):
        folder = project.root / element_folder_rel(project, element.element_id)
        out.extend(folder / ref.path for ref in element.reference_images)
    return [p for p in out if p.is_file()]
