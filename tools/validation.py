"""The checkpoint validator: one gate per workflow phase, each a pure check of the project.

A gate returns a :class:`GateVerdict` (what passed, what failed and why, and whether an
automatic repair can fix it). The assistant's graph writes the verdict into its state and a
router reads it to go on, send the work back for a bounded number of repairs, or ask the human;
``storycore status`` shows the same verdicts.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from storycore.tools.domain import CreativeBrief, ElementType, Phase, ShotSpec
from storycore.tools.errors import StoryCoreError
from storycore.tools.model_registry import ModelRegistry, max_clip_frames
from storycore.tools.project import LAYOUT, Project
from storycore.tools.structure import load_shots
from storycore.tools.text import word_count
from storycore.tools.timecode import format_smpte, seconds_to_frames


@dataclass
class GateVerdict:
    """The result of one gate. ``repairable``: an automatic repair may fix the failures."""

    gate: str
    passed: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    repairable: bool = True

    @property
    def ok(self) -> bool:
        return not self.failures

    def check(self, condition: bool, passed: str, failed: str) -> bool:
        (self.passed if condition else self.failures).append(passed if condition else failed)
        return condition

    def as_dict(self) -> dict[str, object]:
        return {
            "gate": self.gate,
            "ok": self.ok,
            "passed": self.passed,
            "failures": self.failures,
            "repairable": self.repairable,
        }


def _list(items: list[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def check_brief(brief: CreativeBrief) -> GateVerdict:
    """The brief is complete enough to plan: something to tell, and usable specs."""
    verdict = GateVerdict("brief", repairable=False)
    words = word_count(brief.text)  # Japanese and Chinese write no spaces
    has_story = bool(brief.scenes) or words >= 5
    verdict.check(
        has_story,
        f"the brief has {len(brief.scenes)} scene(s) and {words} words of text",
        "the brief has no scenes and almost no text: describe what happens",
    )
    # What was not understood is shown at the brief's confirmation; it does not block.
    if not brief.not_understood:
        verdict.passed.append("every part of the brief was understood")
    return verdict


def check_structure(project: Project) -> GateVerdict:
    verdict = GateVerdict("structure")
    missing = [folder for folder in LAYOUT if not project.path(folder).is_dir()]
    verdict.check(not missing, "the StoryCore layout exists", f"missing folders: {_list(missing)}")
    verdict.check(
        project.exists("creative_brief.json"),
        "creative_brief.json is written",
        "creative_brief.json is missing",
    )
    return verdict


def _timing_failures(shots: list[ShotSpec]) -> list[str]:
    failures = []
    if shots and shots[0].start_frame != 0:
        failures.append(f"the first shot starts at frame {shots[0].start_frame}, not 0")
    for before, after in itertools.pairwise(shots):
        if after.start_frame != before.end_frame:
            failures.append(
                f"{after.shot_id} starts at frame {after.start_frame} but {before.shot_id} "
                f"ends at {before.end_frame}"
            )
    return failures


def check_breakdown(project: Project) -> GateVerdict:
    """Every scene has shots; timecodes are contiguous; the total matches the target."""
    verdict = GateVerdict("breakdown")
    shots = load_shots(project)
    scenes = project.read_json("scenes.json") if project.exists("scenes.json") else []
    numbers = [str(scene["number"]) for scene in scenes]
    covered = {shot.scene for shot in shots}
    empty = [n for n in numbers if n not in covered]
    verdict.check(
        bool(shots) and not empty,
        f"all {len(numbers)} scenes have shots ({len(shots)} shots)",
        f"scenes without shots: {_list(empty)}" if shots else "the plan has no shots",
    )
    timing = _timing_failures(shots)
    verdict.check(not timing, "timecodes are contiguous", "; ".join(timing[:3]))
    specs = project.manifest.technical_specs
    if specs.duration_seconds and shots:
        target = seconds_to_frames(specs.duration_seconds, specs.rate)
        total = shots[-1].end_frame - shots[0].start_frame
        verdict.check(
            total == target,
            f"the total ({total} frames) matches the target duration",
            f"the total is {total} frames but the target is {target} "
            f"({format_smpte(target, specs.rate, drop_frame=specs.uses_drop_frame)})",
        )
    return verdict


def check_elements(project: Project) -> GateVerdict:
    """Every character shown has an element with a canonical description."""
    from storycore.tools.registry import AssetRegistry

    verdict = GateVerdict("elements")
    registry = AssetRegistry(project)
    known = {element.element_id: element for element in registry.list()}
    shown = sorted({c for shot in load_shots(project) for c in shot.characters})
    missing = [c for c in shown if c not in known]
    undescribed = [c for c in shown if c in known and not known[c].canonical_description.strip()]
    verdict.check(
        not missing,
        f"all {len(shown)} characters shown have an element",
        f"characters shown without an element: {_list(missing)}",
    )
    verdict.check(
        not undescribed,
        "every character has a canonical description",
        f"characters without a canonical description: {_list(undescribed)}",
    )
    wrong_type = [c for c in shown if c in known and known[c].type is not ElementType.CHARACTER]
    verdict.check(
        not wrong_type,
        "character links point at characters",
        f"shots list non-characters as characters: {_list(wrong_type)}",
    )
    unseen = _declared_in_no_shot(project)
    verdict.check(
        not unseen,
        "every character and prop the brief declares is in a shot",
        "declared but in no shot (name it in a shot's action, or remove it from the brief): "
        f"{_list(unseen)}",
    )
    return verdict


def _declared_in_no_shot(project: Project) -> list[str]:
    """The names of the characters and props the brief declares that no shot shows."""
    from storycore.tools.naming import element_id
    from storycore.tools.planner import read_brief

    try:
        brief = read_brief(project)
    except StoryCoreError:  # no brief yet: nothing is declared
        return []
    linked = {eid for shot in load_shots(project) for eid in shot.element_ids()}
    declared = [(ElementType.CHARACTER, e.name) for e in brief.characters] + [
        (ElementType.PROP, e.name) for e in brief.props
    ]
    return [name for kind, name in declared if element_id(kind, name) not in linked]


def check_models(project: Project, registry: ModelRegistry | None = None) -> GateVerdict:
    """Every shot has a known model that can make it in one clip."""
    verdict = GateVerdict("model_selection")
    registry = registry or ModelRegistry.load(project.root)
    rate = project.manifest.technical_specs.rate
    shots = load_shots(project)
    without = [s.shot_id for s in shots if not s.model_id]
    unknown = [s.shot_id for s in shots if s.model_id and s.model_id not in registry]
    too_long = [
        f"{s.shot_id} ({s.duration_frames} > {max_clip_frames(registry.get(s.model_id), rate)})"
        for s in shots
        if s.model_id
        and s.model_id in registry
        and s.duration_frames > max_clip_frames(registry.get(s.model_id), rate)
    ]
    verdict.check(not without, "every shot has a model", f"shots without a model: {_list(without)}")
    verdict.check(not unknown, "every model is known", f"unknown models on: {_list(unknown)}")
    verdict.check(
        not too_long,
        "every shot fits its model's longest clip",
        f"shots longer than their model's clip (frames): {_list(too_long)}",
    )
    return verdict


def check_segments(project: Project) -> GateVerdict:
    verdict = GateVerdict("segments")
    shots = [ref.shot_id for ref in project.manifest.shots]
    in_segments = [sid for seg in project.manifest.segments for sid in seg.shot_ids]
    verdict.check(
        in_segments == shots,
        f"{len(project.manifest.segments)} segments cover every shot once, in order",
        "segments do not cover the shots exactly once in timeline order",
    )
    return verdict


def check_storyboard(project: Project) -> GateVerdict:
    """The storyboard files exist and agree with the plan."""
    verdict = GateVerdict("storyboard")
    files = ["storyboard.json", "storyboard.md", "storyboard.html"]
    missing = [f for f in files if not project.exists(f)]
    if not verdict.check(not missing, "storyboard files exist", f"missing: {_list(missing)}"):
        return verdict
    try:
        board = json.loads(project.read_bytes("storyboard.json"))
    except ValueError as exc:
        verdict.failures.append(f"storyboard.json is not valid JSON: {exc}")
        return verdict
    shots = load_shots(project)
    specs = project.manifest.technical_specs
    drop = specs.uses_drop_frame
    planned = [
        (
            s.shot_id,
            format_smpte(s.start_frame, specs.rate, drop_frame=drop),
            format_smpte(s.end_frame, specs.rate, drop_frame=drop),
        )
        for s in shots
    ]
    written = [
        (shot["shot_id"], shot["start"], shot["end"])
        for segment in board.get("segments", [])
        for shot in segment.get("shots", [])
    ]
    verdict.check(
        planned == written,
        "storyboard.json agrees with the shots (ids and timecodes)",
        "storyboard.json disagrees with the shots: regenerate the documents",
    )
    total = shots[-1].end_frame - shots[0].start_frame if shots else 0
    verdict.check(
        board.get("total_frames") == total,
        "total_frames agrees with the plan",
        f"storyboard.json says {board.get('total_frames')} frames, the plan has {total}",
    )
    return verdict


#: The gate that follows each phase, in workflow order.
GATES: dict[Phase, Callable[[Project], GateVerdict]] = {
    Phase.STRUCTURE: check_structure,
    Phase.BREAKDOWN: check_breakdown,
    Phase.ELEMENTS: check_elements,
    Phase.MODEL_SELECTION: check_models,
    Phase.SEGMENTS: check_segments,
    Phase.STORYBOARD: check_storyboard,
}


def run_all(project: Project) -> list[GateVerdict]:
    """Every project gate, for ``storycore status``; a gate that cannot run reports why."""
    verdicts = []
    for phase, gate in GATES.items():
        try:
            verdicts.append(gate(project))
        except StoryCoreError as exc:
            verdicts.append(GateVerdict(phase.value, failures=[str(exc)]))
    return verdicts
