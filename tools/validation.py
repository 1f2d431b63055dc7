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
from storycore.tools.i18n import Messages, display_language
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


def _messages(language: str | None) -> Messages:
    """The messages a gate's details are written with: the project's answer language (or
    the language shown, when one is set)."""
    return Messages(display_language(language))


def _project_messages(project: Project) -> Messages:
    return _messages(project.manifest.technical_specs.language)


def _list(items: list[str], limit: int = 6, m: Messages | None = None) -> str:
    m = m or Messages()
    shown = ", ".join(items[:limit])
    return shown + (m("validation.and_more", n=len(items) - limit) if len(items) > limit else "")


def check_brief(brief: CreativeBrief) -> GateVerdict:
    """The brief is complete enough to plan: something to tell, and usable specs."""
    verdict = GateVerdict("brief", repairable=False)
    m = _messages(brief.technical_specs.language)
    words = word_count(brief.text)  # Japanese and Chinese write no spaces
    has_story = bool(brief.scenes) or words >= 5
    verdict.check(
        has_story,
        m.plural("validation.brief_story", len(brief.scenes), words=words),
        m("validation.brief_empty"),
    )
    # What was not understood is shown at the brief's confirmation; it does not block.
    if not brief.not_understood:
        verdict.passed.append(m("validation.brief_understood"))
    return verdict


def check_structure(project: Project) -> GateVerdict:
    verdict = GateVerdict("structure")
    m = _project_messages(project)
    missing = [folder for folder in LAYOUT if not project.path(folder).is_dir()]
    verdict.check(
        not missing,
        m("validation.layout"),
        m("validation.missing_folders", items=_list(missing, m=m)),
    )
    verdict.check(
        project.exists("creative_brief.json"),
        m("validation.brief_written"),
        m("validation.brief_missing"),
    )
    return verdict


def _timing_failures(shots: list[ShotSpec], m: Messages | None = None) -> list[str]:
    m = m or Messages()
    failures = []
    if shots and shots[0].start_frame != 0:
        failures.append(m("validation.first_frame", frame=shots[0].start_frame))
    for before, after in itertools.pairwise(shots):
        if after.start_frame != before.end_frame:
            failures.append(
                m(
                    "validation.gap",
                    after=after.shot_id,
                    start=after.start_frame,
                    before=before.shot_id,
                    end=before.end_frame,
                )
            )
    return failures


def check_breakdown(project: Project) -> GateVerdict:
    """Every scene has shots; timecodes are contiguous; the total matches the target."""
    verdict = GateVerdict("breakdown")
    m = _project_messages(project)
    shots = load_shots(project)
    scenes = project.read_json("scenes.json") if project.exists("scenes.json") else []
    numbers = [str(scene["number"]) for scene in scenes]
    covered = {shot.scene for shot in shots}
    empty = [n for n in numbers if n not in covered]
    verdict.check(
        bool(shots) and not empty,
        m.plural("validation.scenes_covered", len(numbers), shots=len(shots)),
        m("validation.scenes_without", items=_list(empty, m=m))
        if shots
        else m("validation.no_shots"),
    )
    timing = _timing_failures(shots, m)
    verdict.check(
        not timing, m("validation.contiguous"), m("validation.semicolon").join(timing[:3])
    )
    specs = project.manifest.technical_specs
    if specs.duration_seconds and shots:
        target = seconds_to_frames(specs.duration_seconds, specs.rate)
        total = shots[-1].end_frame - shots[0].start_frame
        verdict.check(
            total == target,
            m("validation.total_ok", total=total),
            m(
                "validation.total_off",
                total=total,
                target=target,
                timecode=format_smpte(target, specs.rate, drop_frame=specs.uses_drop_frame),
            ),
        )
    return verdict


def check_elements(project: Project) -> GateVerdict:
    """Every character shown has an element with a canonical description."""
    from storycore.tools.registry import AssetRegistry

    verdict = GateVerdict("elements")
    m = _project_messages(project)
    registry = AssetRegistry(project)
    known = {element.element_id: element for element in registry.list()}
    shown = sorted({c for shot in load_shots(project) for c in shot.characters})
    missing = [c for c in shown if c not in known]
    undescribed = [c for c in shown if c in known and not known[c].canonical_description.strip()]
    verdict.check(
        not missing,
        m("validation.characters_ok", n=len(shown)),
        m("validation.characters_missing", items=_list(missing, m=m)),
    )
    verdict.check(
        not undescribed,
        m("validation.described"),
        m("validation.undescribed", items=_list(undescribed, m=m)),
    )
    wrong_type = [c for c in shown if c in known and known[c].type is not ElementType.CHARACTER]
    verdict.check(
        not wrong_type,
        m("validation.links"),
        m("validation.wrong_type", items=_list(wrong_type, m=m)),
    )
    unseen = _declared_in_no_shot(project)
    verdict.check(
        not unseen,
        m("validation.declared"),
        m("validation.declared_unseen", items=_list(unseen, m=m)),
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
    m = _project_messages(project)
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
    verdict.check(
        not without,
        m("validation.models_set"),
        m("validation.models_missing", items=_list(without, m=m)),
    )
    verdict.check(
        not unknown,
        m("validation.models_known"),
        m("validation.models_unknown", items=_list(unknown, m=m)),
    )
    verdict.check(
        not too_long,
        m("validation.models_fit"),
        m("validation.models_too_long", items=_list(too_long, m=m)),
    )
    return verdict


def check_segments(project: Project) -> GateVerdict:
    verdict = GateVerdict("segments")
    m = _project_messages(project)
    shots = [ref.shot_id for ref in project.manifest.shots]
    in_segments = [sid for seg in project.manifest.segments for sid in seg.shot_ids]
    verdict.check(
        in_segments == shots,
        m.plural("validation.segments_cover", len(project.manifest.segments)),
        m("validation.segments_bad"),
    )
    return verdict


def check_storyboard(project: Project) -> GateVerdict:
    """The storyboard files exist and agree with the plan."""
    verdict = GateVerdict("storyboard")
    m = _project_messages(project)
    files = ["storyboard.json", "storyboard.md", "storyboard.html"]
    missing = [f for f in files if not project.exists(f)]
    if not verdict.check(
        not missing,
        m("validation.storyboard_files"),
        m("validation.storyboard_missing", items=_list(missing, m=m)),
    ):
        return verdict
    try:
        board = json.loads(project.read_bytes("storyboard.json"))
    except ValueError as exc:
        verdict.failures.append(m("validation.storyboard_invalid", error=exc))
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
        m("validation.storyboard_agrees"),
        m("validation.storyboard_disagrees"),
    )
    total = shots[-1].end_frame - shots[0].start_frame if shots else 0
    verdict.check(
        board.get("total_frames") == total,
        m("validation.total_frames_ok"),
        m("validation.total_frames_off", said=board.get("total_frames"), total=total),
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
