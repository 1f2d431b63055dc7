"""What the plan critic reports: findings, each naming a shot or an element, saying why,
and proposing a typed modification when one fixes it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from storycore.tools.domain.modifications import Modification

FindingKind = Literal[
    "framing_contradiction",
    "fact_contradiction",
    "prompt_language",
    "identical_shots",
    "unused_element",
    "model_cannot_meet_specs",
    "cost_mismatch",
    "look_is_action",
]
#: Every kind of finding, in the order the critic checks them.
FINDING_KINDS: tuple[str, ...] = FindingKind.__args__  # type: ignore[attr-defined]


class Finding(BaseModel):
    """One problem of a plan: what (kind), where (target), why, and a proposed fix."""

    model_config = ConfigDict(frozen=True)

    kind: FindingKind
    target: str = Field(description="The shot id, element id or 'plan' the finding is about.")
    message: str = Field(description="Why it is a problem, in one sentence.")
    fix: list[Modification] = Field(
        default_factory=list,
        description="Typed modifications that fix it (empty: no typed change does).",
    )
    hint: str = Field("", description="What to do when no typed modification fixes it.")

    def line(self, language: str | None = None) -> str:
        """One readable line: "shot_04: ... Fix: ...", its words in ``language``."""
        from storycore.tools.i18n import Messages

        m = Messages(language)
        text = m("critic.line", target=self.target, message=self.message)
        if self.fix:
            text += m(
                "critic.line_fix",
                fixes=m("critic.semicolon").join(_mod_text(mod) for mod in self.fix),
            )
        elif self.hint:
            text += f" {self.hint}"
        return text


def _mod_text(mod: Any) -> str:
    data = mod.model_dump(mode="json", exclude_defaults=True)
    kind = data.pop("kind", mod.kind)
    fields = ", ".join(f"{k}={v!r}" for k, v in data.items())
    return f"{kind}({fields})"


class CriticReport(BaseModel):
    """Every finding of the critic over one plan."""

    project: str
    findings: list[Finding] = Field(default_factory=list)
    checked: list[str] = Field(default_factory=lambda: list(FINDING_KINDS))

    @property
    def ok(self) -> bool:
        """True when the plan has no finding."""
        return not self.findings

    def of_kind(self, kind: str) -> list[Finding]:
        """The findings of one kind."""
        return [f for f in self.findings if f.kind == kind]

    def as_json(self) -> dict[str, Any]:
        """The plain JSON the CLI's ``--json`` prints."""
        return {
            "project": self.project,
            "ok": self.ok,
            "checked": list(self.checked),
            "findings": [
                {
                    "kind": f.kind,
                    "target": f.target,
                    "message": f.message,
                    "fix": [m.model_dump(mode="json") for m in f.fix],
                    "hint": f.hint,
                }
                for f in self.findings
            ],
        }
