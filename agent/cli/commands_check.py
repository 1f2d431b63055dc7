"""``storycore check DIR [--json]``: the plan critic over a whole plan."""

from __future__ import annotations

from pathlib import Path

import typer

from storycore.agent.cli import ui


def check(
    project_dir: Path = typer.Argument(..., help="The project folder."),
    as_json: bool = typer.Option(False, "--json", help="Print plain JSON."),
    kind: list[str] = typer.Option(
        [], "--kind", help="Only these kinds of finding (repeat the option)."
    ),
) -> int:
    """Read the plan as a director would: contradictions between framing and description,
    facts against the text, prompt languages, identical shots, elements in no shot, models
    that cannot meet the specs, cost figures, looks that read like actions. Exits 1 when
    there are findings, 0 when the plan is clean."""
    from storycore.tools.critic import FINDING_KINDS, critique
    from storycore.tools.errors import InvalidInput
    from storycore.tools.i18n import Messages, display_language
    from storycore.tools.project import Project

    unknown = [k for k in kind if k not in FINDING_KINDS]
    if unknown:
        raise InvalidInput(
            f"unknown kind of finding {unknown[0]!r}; use one of {', '.join(FINDING_KINDS)}"
        )
    project = Project.open(project_dir)
    report = critique(project, kinds=list(kind) or None)
    if as_json:
        ui.emit_json(report.as_json())
        return 1 if report.findings else 0
    m = Messages(display_language(project.manifest.technical_specs.language))
    title = project.manifest.title
    if report.ok:
        ui.out.print(m("check.clean", title=title, n=len(report.checked)), markup=False)
        return 0
    ui.out.print(m("check.findings", title=title, n=len(report.findings)), markup=False)
    for finding in report.findings:
        label = finding.kind.replace("_", " ")
        if _known(finding.kind):
            label = m(f"check.kind.{finding.kind}")
        ui.out.print(
            f"- [{label}] {finding.target}: {finding.message}",
            markup=False,
        )
        fixes = "; ".join(_fix_text(mod) for mod in finding.fix)
        if fixes:
            ui.out.print(m("check.fix", fixes=fixes), markup=False)
        elif finding.hint:
            ui.out.print(f"    {finding.hint}")
    return 1


def _known(kind: str) -> bool:
    from storycore.tools.i18n import catalog

    return f"check.kind.{kind}" in catalog("en")


def _fix_text(mod: object) -> str:
    from pydantic import BaseModel

    if not isinstance(mod, BaseModel):
        return str(mod)
    data = mod.model_dump(mode="json", exclude_defaults=True)
    kind = data.pop("kind", getattr(mod, "kind", ""))
    return f"{kind} " + ", ".join(f"{k}={v}" for k, v in data.items())


def register(app: typer.Typer) -> None:
    app.command("check")(check)
