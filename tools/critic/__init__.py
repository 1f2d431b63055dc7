"""The plan critic: reads a whole plan as a director would and reports what does not hold
together, each finding naming the shot or element, saying why, and proposing a typed
modification when one fixes it.

It checks: framing words that contradict a shot's size, weather and time of day that
disagree with the shot's text, prompts in another language than the prompt language,
identical shots and splits no longer needed, declared elements in no shot, models that
cannot make a shot to the project's specs, cost figures that do not add up, and looks that
read like actions. Deterministic; no language model.

```python
from storycore.tools.critic import critique
report = critique(project)
for finding in report.findings:
    print(finding.line())
```
"""

from __future__ import annotations

from pathlib import Path

from storycore.tools.critic.checks import CHECKS, PlanView, check_cost, shot_cost
from storycore.tools.critic.findings import FINDING_KINDS, CriticReport, Finding
from storycore.tools.critic.language import detect_language
from storycore.tools.project import Project

__all__ = [
    "CHECKS",
    "FINDING_KINDS",
    "CriticReport",
    "Finding",
    "PlanView",
    "critique",
    "detect_language",
    "load_view",
    "shot_cost",
]


def load_view(project: Project) -> PlanView:
    """Read the plan once for the checks: shots, elements, specs and the model registry."""
    from storycore.tools.model_registry import ModelRegistry
    from storycore.tools.registry import AssetRegistry
    from storycore.tools.structure import load_shots

    return PlanView(
        project=project,
        specs=project.manifest.technical_specs,
        shots=load_shots(project),
        elements=AssetRegistry(project, cards=False).list(),
        registry=ModelRegistry.load(project.root),
    )


def critique(project: Project | Path | str, *, kinds: list[str] | None = None) -> CriticReport:
    """Run every check (or only ``kinds``) over the plan in ``project``; writes nothing."""
    if not isinstance(project, Project):
        project = Project.open(project)
    view = load_view(project)
    wanted = set(kinds) if kinds is not None else set(FINDING_KINDS)
    findings: list[Finding] = []
    for kind, check in CHECKS:
        if kind in wanted:
            findings.extend(check(view))
    if "cost_mismatch" in wanted:
        from storycore.tools.planner import summarize

        summary_cost = summarize(project).estimated_cost_usd if view.shots else None
        findings.extend(check_cost(view, summary_cost=summary_cost))
    order = {kind: i for i, kind in enumerate(FINDING_KINDS)}
    findings.sort(key=lambda f: order[f.kind])
    checked = [k for k in FINDING_KINDS if k in wanted]
    return CriticReport(project=str(project.root), findings=findings, checked=checked)
