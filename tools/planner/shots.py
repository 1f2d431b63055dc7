"""The planner's phases that make and refine the shots: the breakdown (phase 3), the model
selection (5), the segments (6), and the prompts and storyboard (7), then the mark that the
plan is complete.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from fractions import Fraction

from storycore.tools.breakdown import (
    Breakdown,
    design_shots,
    retime,
    scenes_from_brief,
    split_long_shots,
)
from storycore.tools.domain import (
    AssetMetadata,
    Phase,
    Scene,
    ShotSpec,
)
from storycore.tools.model_registry import ModelRegistry, max_clip_frames
from storycore.tools.model_selector import (
    ModelSelector,
    Selection,
    request_for_shot,
    restate_cost,
    shot_cost_usd,
)
from storycore.tools.planner.elements import sync_links
from storycore.tools.planner.intake import SCENES_FILE, read_brief, read_scenes
from storycore.tools.planner.replan import (
    KEPT_EDITS_NOTE,
    REPLAN_EDITS_FILE,
    _kept_model_shots,
    edited_shots,
    keep_shot_edits,
)
from storycore.tools.project import (
    Project,
)
from storycore.tools.prompt_builder import build_shot_prompts
from storycore.tools.registry import AssetRegistry
from storycore.tools.segments import build_segments
from storycore.tools.storyboard import write_documents
from storycore.tools.storyboard.ahead import panels_drawn_ahead
from storycore.tools.structure import (
    add_shots,
    clear_shots,
    load_shots,
    write_shots,
)
from storycore.tools.structure import set_segments as store_segments
from storycore.tools.translation import description_language

# -- phase 3: breakdown -----------------------------------------------------------------------


def run_breakdown(
    project: Project, *, scenes: Sequence[Scene] | None = None, files: bool = True
) -> Breakdown:
    """Scenes, then shots with framing, durations and contiguous timecodes.

    ``scenes`` replaces the deterministic breakdown (the LLM's proposal); the shots are always
    designed and timed by the rules, scaled to the target duration to the frame.
    ``files=False`` (``plan_project``): the shots go into the manifest, and their
    ``shot.json`` files are left to the storyboard phase, which writes each once.
    """
    brief = read_brief(project)
    specs = project.manifest.technical_specs
    chosen = list(scenes) if scenes is not None else scenes_from_brief(brief)
    breakdown = design_shots(
        chosen,
        specs,
        target_seconds=specs.duration_seconds,
        declared_props=[p.name for p in brief.props],
    )
    edited = edited_shots(project)
    with project.transaction("breakdown") as tx:
        clear_shots(tx)
        add_shots(tx, breakdown.shots, files=files)
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


# -- phase 5: model selection -----------------------------------------------------------------


def choose_models(project: Project, registry: ModelRegistry | None = None) -> list[Selection]:
    """A model for every shot under the hard limits, then split the shots longer than their
    model's longest clip into ``shot_04a``, ``shot_04b``... and lay them end to end again."""
    return _choose_models(project, registry)[0]


def _choose_models(
    project: Project,
    registry: ModelRegistry | None = None,
    shots: list[ShotSpec] | None = None,
    *,
    write: bool = True,
) -> tuple[list[Selection], list[ShotSpec]]:
    """:func:`choose_models` on ``shots`` when the caller holds them (read otherwise), and
    the shots as it wrote them. ``write=False`` (``plan_project``, which writes every shot
    once in its last phase): shots keeping their ids are handed back, not written."""
    registry = registry or ModelRegistry.load(project.root)
    specs = project.manifest.technical_specs
    shots = load_shots(project) if shots is None else shots
    keep = {s.shot_id for s in shots if s.model_id} & _kept_model_shots(project)
    selector = ModelSelector(registry, specs.language)  # reasons in the answer language
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
        split_long_shots(
            chosen,
            lambda s: max_clip_frames(registry.get(s.model_id or ""), rate),
            specs.language,
        ),
        rate,
    )
    # A split part's model note states its own cost (its own clips and upscaling).
    split = [_part_cost_stated(shot, registry, rate) if shot.split_from else shot for shot in split]
    with project.transaction("models") as tx:
        if [s.shot_id for s in split] == [s.shot_id for s in shots]:
            if write:
                write_shots(tx, split)
        else:
            clear_shots(tx)
            add_shots(tx, split, files=write)
            sync_links(project, shots=split)
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
    project: Project, shots: list[ShotSpec] | None = None, *, write: bool = True
) -> tuple[int, list[ShotSpec]]:
    """:func:`build_segments_phase` on ``shots`` when the caller holds them, and the shots as
    it wrote them (``write=False``: handed back for the last phase to write)."""
    shots = load_shots(project) if shots is None else shots
    scenes = read_scenes(project)
    segments = build_segments(shots, scenes, project.manifest.technical_specs)
    with project.transaction("segments") as tx:
        if write:
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
    project: Project,
    shot_ids: Iterable[str] | None = None,
    given: list[ShotSpec] | None = None,
    *,
    unwritten: bool = False,
    registered: Sequence[AssetMetadata] | None = None,
) -> tuple[list[ShotSpec], list[ShotSpec]]:
    """(every shot in timeline order as now written, the shots whose prompts changed);
    ``given``: the shots as on disk when the caller holds them (read otherwise);
    ``unwritten``: ``given`` may differ from the disk, so every shot is written (a file
    whose bytes are already there is left alone by the transaction); ``registered``: the
    registry's elements when the caller has just read them."""
    specs = project.manifest.technical_specs
    listed = AssetRegistry(project).list() if registered is None else registered
    elements = {e.element_id: e for e in listed}
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
        write_shots(tx, shots if unwritten else changed)
    return shots, changed


def build_storyboard(
    project: Project, shots: list[ShotSpec] | None = None, *, unwritten: bool = False
) -> list[str]:
    """Every shot's prompts, then storyboard.json/.md/.html, panels and visual_strategy.json.

    ``shots``: the shots as on disk when the caller holds them (the planner's last phase);
    ``unwritten``: as the earlier phases left them in memory, written here once."""
    from storycore.tools.regeneration.index import write_index

    with project.transaction("storyboard") as tx:
        # Read once here when the caller does not hold them: the panels start from them.
        given = load_shots(project) if shots is None else shots
        # Read once: the storyboard changes no element.
        elements = AssetRegistry(project).list()
        # The panels are drawn ahead while the prompts are built and written.
        with panels_drawn_ahead(project, given):
            # The shots as written: the documents and the index are made from them.
            shots, _ = _build_prompts(
                project, given=given, unwritten=unwritten, registered=elements
            )
            written = write_documents(tx, shots)
        write_index(tx, shots)
        # Said plainly when the descriptions in the prompts are not in the prompt language.
        tx.manifest.description_language = description_language(
            shots, elements, tx.manifest.technical_specs.prompt_language
        )
        tx.manifest.phase = Phase.STORYBOARD
    return written


def mark_planned(project: Project) -> None:
    with project.transaction("planned") as tx:
        tx.manifest.phase = Phase.PLANNED
