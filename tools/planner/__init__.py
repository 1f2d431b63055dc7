"""The planner: from a brief or a screenplay to a complete, timecoded production plan, offline.

One function per workflow phase, each reading the project on disk and writing its result back
in one transaction. The assistant's graph calls the same functions (a language model, when
configured, only replaces the creative inputs: the scenes, the descriptions); ``plan_project``
runs them all in order for the benchmarks and for library users.

    understand -> create_structure -> run_breakdown -> build_elements -> choose_models
               -> build_segments_phase -> build_storyboard

The package, one file per group of phases: ``intake`` (phases 1-2: the brief understood, the
project created; :func:`read_brief`, :func:`read_scenes`), ``shots`` (phases 3, 5, 6 and 7:
breakdown, model selection, segments, prompts and storyboard), ``elements`` (phase 4),
``replan`` (shot edits kept or reported when an edited project is planned again), ``summary``
(:class:`PlanSummary`, :class:`ModelCost`, :func:`summarize`) and ``run``
(:func:`plan_project`, :class:`PlanGuard`).

The graph calls the phases through this package (``planner.choose_models(...)``), so a test
that patches a name here changes what the graph runs.
"""

from storycore.tools.planner.elements import (
    PlannedElement,
    build_elements,
    default_description,
    describe_from_text,
    planned_elements,
    sync_links,
    undescribed_elements,
)
from storycore.tools.planner.intake import (
    BRIEF_FILE,
    SCENES_FILE,
    Overrides,
    SourceFormat,
    checked_title,
    create_structure,
    detect_format,
    model_aliases,
    read_brief,
    read_scenes,
    understand,
)
from storycore.tools.planner.replan import (
    EDITABLE_SHOT_FIELDS,
    KEPT_EDITS_NOTE,
    PLAN_NOTES,
    REPLAN_EDITS_FILE,
    EditedShot,
    KeptEdits,
    edited_shots,
    keep_shot_edits,
    replan_edits,
)
from storycore.tools.planner.run import (
    PlanGuard,
    Progress,
    plan_project,
)
from storycore.tools.planner.shots import (
    build_prompts,
    build_segments_phase,
    build_storyboard,
    choose_models,
    mark_planned,
    run_breakdown,
)
from storycore.tools.planner.summary import (
    ModelCost,
    PlanSummary,
    summarize,
)

__all__ = [
    "BRIEF_FILE",
    "EDITABLE_SHOT_FIELDS",
    "KEPT_EDITS_NOTE",
    "PLAN_NOTES",
    "REPLAN_EDITS_FILE",
    "SCENES_FILE",
    "EditedShot",
    "KeptEdits",
    "ModelCost",
    "Overrides",
    "PlanGuard",
    "PlanSummary",
    "PlannedElement",
    "Progress",
    "SourceFormat",
    "build_elements",
    "build_prompts",
    "build_segments_phase",
    "build_storyboard",
    "checked_title",
    "choose_models",
    "create_structure",
    "default_description",
    "describe_from_text",
    "detect_format",
    "edited_shots",
    "keep_shot_edits",
    "mark_planned",
    "model_aliases",
    "plan_project",
    "planned_elements",
    "read_brief",
    "read_scenes",
    "replan_edits",
    "run_breakdown",
    "summarize",
    "sync_links",
    "understand",
    "undescribed_elements",
]
