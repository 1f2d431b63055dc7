"""Phases 1 and 2 of the planner: a brief or a screenplay understood, then the project
folder created with the brief and the specs.

Also what every later phase reads back: :func:`read_brief` and :func:`read_scenes`, and the
file names they live in (:data:`BRIEF_FILE`, :data:`SCENES_FILE`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from storycore.tools.brief import parse_brief
from storycore.tools.domain import (
    CreativeBrief,
    Phase,
    Scene,
    TechnicalSpecs,
)
from storycore.tools.errors import BriefError, InvalidInput
from storycore.tools.fountain import (
    looks_like_screenplay,
    parse_fountain,
    scenes_from_screenplay,
    screenplay_language,
)
from storycore.tools.model_registry import ModelRegistry
from storycore.tools.project import (
    Project,
)
from storycore.tools.specs import apply_overrides
from storycore.tools.structure import (
    ensure_layout,
)

BRIEF_FILE = "creative_brief.json"
SCENES_FILE = "scenes.json"

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
        screenplay = parse_fountain(text)
        # The language it is written in: the one the assistant answers and plans in.
        language = screenplay_language(screenplay)
        _scenes, title_page = scenes_from_screenplay(screenplay)  # refuses a file with no scenes
        brief = CreativeBrief(
            title=_clean_title(title_page.get("title")) or _title_from_source(source_name),
            text=text,
            source_format="fountain",
            technical_specs=TechnicalSpecs(language=language),
        )
    else:
        brief = parse_brief(
            text,
            source_name=source_name,
            known_models=model_aliases(registry),
            language=overrides.language if overrides else None,
        )
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
