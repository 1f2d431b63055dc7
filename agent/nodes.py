"""The nodes of the assistant's graph: phases, gates, confirmations and conversation.

Each phase node calls the deterministic planner (:mod:`storycore.tools.planner`) and, where a
language model is configured, lets it improve the creative part first (the brief's reading,
the scenes, the elements' descriptions); any LLM failure falls back to the deterministic
engine and says so. Each check node runs a gate (:mod:`storycore.tools.validation`) and writes
its verdict into the state; routing is done by the pure functions of :mod:`.routing`.
Confirmation nodes call ``interrupt()`` once each; code before it is idempotent because the
node runs again from its first line on resume.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from storycore.agent import conversation
from storycore.agent.confirmations import (
    Decision,
    ask,
    brief_confirmation,
    changes_confirmation,
    cost_confirmation,
    gate_confirmation,
    gate_name,
    language_name,
    normalize_decision,
    storyboard_confirmation,
)
from storycore.agent.context import Context
from storycore.agent.conversation import HISTORY_WINDOW, MAX_IDS_IN_STATE, MAX_TOOL_ROUNDS
from storycore.agent.events import emit
from storycore.agent.messages import duration_text as _duration_text
from storycore.agent.messages import message_text, say, tool_rejections
from storycore.agent.projects import open_project
from storycore.agent.schemas import (
    BreakdownProposal,
    BriefInterpretation,
    ElementDescriptions,
    ScenePlan,
)
from storycore.agent.state import AssistantState, ChangeProposal
from storycore.tools import planner, validation
from storycore.tools.domain import (
    LANGUAGE_NAMES,
    Beat,
    BriefElement,
    CreativeBrief,
    IntExt,
    Phase,
    Scene,
)
from storycore.tools.errors import InvalidInput, StoryCoreError
from storycore.tools.i18n import Messages, display_language
from storycore.tools.model_registry import ModelRegistry
from storycore.tools.project import Project

MAX_REPAIRS = 2
MAX_EDIT_ROUNDS = 5


class PlanningStopped(StoryCoreError):
    """A gate failed where no human can answer (``--yes``): the reason, in one sentence."""


# -- helpers ---------------------------------------------------------------------------------


def _progress(phase: str, text: str, m: Messages) -> None:
    """Tell a streaming caller what a phase did (custom stream mode); a no-op otherwise.
    ``label`` is the phase's name for people, in the language of ``text``."""
    emit({"phase": phase, "text": text, "label": m(f"phase.{phase}"), "language": m.language})


def _project(state: AssistantState) -> Project:
    return open_project(state["project_dir"])


def _language(state: AssistantState, ctx: Context) -> str:
    try:
        return _project(state).manifest.technical_specs.language
    except StoryCoreError:
        return ctx.language


def _messages(state: AssistantState, language: str | None = None) -> Messages:
    """What the nodes say, in the display language: ``language`` (the brief's, before the
    project exists) or the project's answer language."""
    if language is None:
        try:
            language = _project(state).manifest.technical_specs.language
        except StoryCoreError:
            language = None
    return Messages(display_language(language))


def _repairing(state: AssistantState, phase: str) -> bool:
    return state.get("repairs", {}).get(phase, 0) > 0


class Nodes:
    """The graph's nodes. ``chat_model`` replaces the model built from the run's Context
    (tests pass a fake model; host applications may pass their own)."""

    def __init__(self, chat_model: Any = None) -> None:
        self._chat_model = chat_model

    # -- the language model -------------------------------------------------------------

    def _context(self, runtime: Runtime[Context] | None) -> Context:
        context = getattr(runtime, "context", None) if runtime is not None else None
        return context if isinstance(context, Context) else Context.from_env()

    def _model(self, runtime: Runtime[Context] | None) -> tuple[Any, Context]:
        from storycore.agent.llm import make_chat_model

        ctx = self._context(runtime)
        if self._chat_model is not None:
            return self._chat_model, ctx
        if ctx.offline:
            return None, ctx
        return make_chat_model(ctx), ctx

    def _structured(
        self, model: Any, ctx: Context, schema: type[Any], prompt: str, language: str
    ) -> tuple[Any, dict[str, Any], str | None]:
        """(value or None, usage, note): a structured call with the fallback rule."""
        from storycore.agent.llm import (
            LLMError,
            RetryPolicy,
            load_llm_prompt,
            structured_call,
        )
        from storycore.agent.usage import UsageTracker

        usage = UsageTracker()
        messages = [SystemMessage(load_llm_prompt("system", language)), HumanMessage(prompt)]
        try:
            result = structured_call(
                model,
                schema,
                messages,
                max_repairs=ctx.max_repairs,
                method=ctx.structured_method,
                retry=RetryPolicy.from_context(ctx),
                usage=usage,
            )
        except LLMError as exc:
            note = Messages(display_language(language))("nodes.llm_failed", error=str(exc))
            return None, usage.to_dict(), note
        return result.value, usage.to_dict(), None

    # -- intake ---------------------------------------------------------------------------

    def intake(self, state: AssistantState, runtime: Runtime[Context]) -> dict[str, Any]:
        text = state.get("brief_text") or ""
        if not text.strip():
            raise InvalidInput("there is no brief to plan: give a brief or a screenplay")
        root = Path(state["project_dir"])
        registry = ModelRegistry.load(root if Project.is_project(root) else None)
        overrides = planner.Overrides(**(state.get("overrides") or {}))
        brief = planner.understand(
            text,
            source_name=state.get("brief_source") or None,
            overrides=overrides,
            registry=registry,
        )
        model, ctx = self._model(runtime)
        usage: dict[str, Any] = {}
        notes: list[str] = []
        if model is not None and brief.source_format != "fountain":
            prompt = _render("brief", brief.technical_specs.language, text)
            value, usage, note = self._structured(
                model, ctx, BriefInterpretation, prompt, brief.technical_specs.language
            )
            if value is not None:
                brief = merge_interpretation(brief, value, overrides)
            if note:
                notes.append(note)
        m = _messages(state, brief.technical_specs.language)
        _progress(
            "intake",
            m(
                "progress.intake",
                title=repr(brief.title),
                source=m(f"source_format.{brief.source_format}"),
            ),
            m,
        )
        return {
            "phase": Phase.INTAKE.value,
            "brief": brief.model_dump(mode="json"),
            "usage": usage,
            "messages": [say(n) for n in notes],
        }

    def check_brief(self, state: AssistantState) -> dict[str, Any]:
        brief = CreativeBrief.model_validate(state["brief"])
        return {"verdict": validation.check_brief(brief).as_dict()}

    def confirm_brief(self, state: AssistantState) -> dict[str, Any]:
        brief = CreativeBrief.model_validate(state["brief"])
        return ask(state, brief_confirmation(brief), lambda d: _after_brief(state, d))

    # -- planning phases ------------------------------------------------------------------

    def structure(self, state: AssistantState) -> dict[str, Any]:
        if state.get("brief"):
            brief = CreativeBrief.model_validate(state["brief"])
            project = planner.create_structure(state["project_dir"], brief)
        else:  # a repair: the brief is already on disk
            project = _project(state)
            with project.transaction("layout") as tx:
                from storycore.tools.structure import ensure_layout

                ensure_layout(tx)
        m = _messages(state)
        _progress("structure", m("progress.structure", path=str(project.root)), m)
        # The brief now lives in the project: drop it from the state (small checkpoints).
        # A fresh verdict: the gate after a phase judges this run, not the last failure.
        return {
            "phase": Phase.STRUCTURE.value,
            "brief": None,
            "brief_text": None,
            "verdict": None,
        }

    def breakdown(self, state: AssistantState, runtime: Runtime[Context]) -> dict[str, Any]:
        project = _project(state)
        brief = planner.read_brief(project)
        model, ctx = self._model(runtime)
        scenes: list[Scene] | None = None
        usage: dict[str, Any] = {}
        notes: list[str] = []
        use_llm = (
            model is not None
            and brief.source_format != "fountain"
            and not brief.scenes
            and not _repairing(state, "breakdown")
        )
        if use_llm:
            language = brief.technical_specs.language
            prompt = _render("breakdown", language, _story_for_breakdown(brief))
            value, usage, note = self._structured(model, ctx, BreakdownProposal, prompt, language)
            if value is not None:
                scenes = scenes_from_proposal(value)
            if note:
                notes.append(note)
        result = planner.run_breakdown(project, scenes=scenes)
        m = _messages(state)
        _progress(
            "breakdown",
            m(
                "progress.breakdown",
                scenes=m.count(len(result.scenes), "scene"),
                shots=m.count(len(result.shots), "shot"),
                duration=_duration_text(result.total_frames, project),
            ),
            m,
        )
        return {
            "phase": Phase.BREAKDOWN.value,
            "verdict": None,
            "usage": usage,
            "messages": [say(n) for n in [*notes, *result.warnings]],
        }

    def elements(self, state: AssistantState, runtime: Runtime[Context]) -> dict[str, Any]:
        project = _project(state)
        model, ctx = self._model(runtime)
        usage: dict[str, Any] = {}
        notes: list[str] = []
        descriptions: dict[str, str] | None = None
        undescribed = planner.undescribed_elements(project)
        if model is not None and undescribed and not _repairing(state, "elements"):
            brief = planner.read_brief(project)
            specs = brief.technical_specs
            listing = "\n".join(f"- {eid} ({kind}): {name}" for eid, kind, name in undescribed)
            from storycore.agent.llm import render_llm_prompt

            prompt = render_llm_prompt(
                "elements",
                specs.language,
                prompt_language=LANGUAGE_NAMES.get(specs.prompt_language, specs.prompt_language),
                style=specs.style or "-",
                elements=listing,
                story=brief.text[:12000],
            )
            value, usage, note = self._structured(
                model, ctx, ElementDescriptions, prompt, specs.language
            )
            if value is not None:
                wanted = {eid for eid, _, _ in undescribed}
                descriptions = {
                    item.element_id: item.canonical_description.strip()
                    for item in value.elements
                    if item.element_id in wanted and item.canonical_description.strip()
                }
            if note:
                notes.append(note)
        elements = planner.build_elements(project, descriptions=descriptions)
        if model is not None and not _repairing(state, "elements"):
            usage, translation_notes = self._translate(project, model, ctx, usage)
            notes.extend(translation_notes)
        counts: dict[str, int] = {}
        for element in elements:
            counts[element.type.value] = counts.get(element.type.value, 0) + 1
        m = _messages(state)
        _progress(
            "elements",
            ", ".join(m.count(n, kind) for kind, n in sorted(counts.items())) or m("progress.none"),
            m,
        )
        return {
            "phase": Phase.ELEMENTS.value,
            "verdict": None,
            "usage": usage,
            "messages": [say(n) for n in notes],
        }

    def _translate(
        self, project: Project, model: Any, ctx: Context, usage: dict[str, Any]
    ) -> tuple[dict[str, Any], list[str]]:
        """The descriptions not in the prompt language, translated in batches (translate.py);
        (the node's usage with the calls added, notes to show)."""
        from storycore.agent.llm import render_llm_prompt
        from storycore.agent.translate import translate_plan
        from storycore.agent.usage import merge_usage

        language = project.manifest.technical_specs.language
        m = Messages(display_language(language))
        result = translate_plan(
            project,
            lambda schema, prompt: self._structured(model, ctx, schema, prompt, language),
            lambda name, **values: render_llm_prompt(name, language, **values),
            language_name=lambda code: language_name(code, m),
        )
        for call in result.usage:
            usage = merge_usage(usage, call)
        notes = list(result.notes)
        if result.written:
            target = language_name(project.manifest.technical_specs.prompt_language, m)
            notes.append(m.plural("nodes.translated", result.written, language=target))
        return usage, notes

    def model_selection(self, state: AssistantState) -> dict[str, Any]:
        project = _project(state)
        registry = ModelRegistry.load(project.root)
        try:
            planner.choose_models(project, registry)
        except StoryCoreError as exc:
            # No model fits: a human must relax a constraint; the gate reports it.
            return {
                "phase": Phase.MODEL_SELECTION.value,
                "verdict": {
                    "gate": "model_selection",
                    "ok": False,
                    "passed": [],
                    "failures": [str(exc)],
                    "repairable": False,
                },
                "cost_usd": 0.0,
            }
        summary = planner.summarize(project)
        used = ", ".join(f"{model} ×{n}" for model, n in summary.models.items())
        m = _messages(state)
        _progress(
            "model_selection",
            m("progress.model_selection", models=used, usd=f"{summary.estimated_cost_usd:.2f}"),
            m,
        )
        return {
            "phase": Phase.MODEL_SELECTION.value,
            "cost_usd": summary.estimated_cost_usd,
            "verdict": None,
        }

    def segments(self, state: AssistantState) -> dict[str, Any]:
        count = planner.build_segments_phase(_project(state))
        m = _messages(state)
        _progress("segments", m.count(count, "segment"), m)
        return {"phase": Phase.SEGMENTS.value, "verdict": None}

    def storyboard(self, state: AssistantState) -> dict[str, Any]:
        project = _project(state)
        written = planner.build_storyboard(project)
        m = _messages(state)
        _progress("storyboard", m.plural("progress.storyboard", len(written)), m)
        return {"phase": Phase.STORYBOARD.value, "verdict": None}

    def planned(self, state: AssistantState) -> dict[str, Any]:
        project = _project(state)
        planner.mark_planned(project)
        summary = planner.summarize(project)
        m = _messages(state)
        text = m(
            "nodes.planned",
            scenes=m.count(summary.scenes, "scene"),
            shots=m.count(summary.shots, "shot"),
            segments=m.count(summary.segments, "segment"),
            duration=_duration_text(summary.total_frames, project),
        )
        _progress(
            "planned",
            m("nodes.planned_open", text=text, path=str(project.root / "storyboard.html")),
            m,
        )
        # The conversation keeps no absolute path: it goes to the model with the history,
        # and a request must not depend on where the project lives (cassettes, privacy).
        return {
            "phase": Phase.PLANNED.value,
            "messages": [say(m("nodes.planned_folder", text=text))],
        }

    # -- gates ----------------------------------------------------------------------------

    def make_check(self, phase: Phase) -> Any:
        """The check node that runs ``phase``'s gate and writes its verdict."""
        gate = validation.GATES[phase]

        def check(state: AssistantState) -> dict[str, Any]:
            previous = state.get("verdict")
            verdict: dict[str, Any]
            if previous is not None and not previous["ok"]:
                verdict = dict(previous)  # the phase itself already failed with a reason
            else:
                verdict = gate(_project(state)).as_dict()
            repairs = dict(state.get("repairs", {}))
            if not verdict["ok"] and verdict["repairable"]:
                repairs[phase.value] = repairs.get(phase.value, 0) + 1
            elif verdict["ok"]:
                repairs.pop(phase.value, None)
            return {"verdict": verdict, "repairs": repairs}

        check.__name__ = f"check_{phase.value}"
        return check

    def ask_human(self, state: AssistantState) -> dict[str, Any]:
        verdict: dict[str, Any] = dict(state.get("verdict") or {})
        if state.get("auto_approve"):
            failures = "; ".join(verdict.get("failures", []))
            raise PlanningStopped(failures or f"the {verdict.get('gate', 'plan')} check failed")
        language = _messages(state).language
        return ask(
            state, gate_confirmation(verdict, language), lambda d: _after_gate(state, verdict, d)
        )

    # -- confirmations --------------------------------------------------------------------

    def confirm_cost(self, state: AssistantState) -> dict[str, Any]:
        summary = planner.summarize(_project(state))
        return ask(state, cost_confirmation(summary), lambda d: _after_cost(state, d))

    def check_plan(self, state: AssistantState) -> dict[str, Any]:
        """The plan critic (:mod:`storycore.tools.critic`) over the whole plan: its verdict
        lists the findings, which the storyboard's confirmation shows."""
        from storycore.tools.critic import critique

        report = critique(_project(state))
        m = _messages(state)
        lines = [f.line(m.language) for f in report.findings]
        _progress(
            "critic",
            m("progress.critic", n=len(lines)) if lines else m("progress.critic_none"),
            m,
        )
        verdict = {
            "gate": "critic",
            "ok": report.ok,
            "passed": [] if lines else [m("validation.critic_clean")],
            "failures": lines[:MAX_CRITIC_LINES],
            "repairable": False,
            "findings": len(lines),
        }
        return {"verdict": verdict}

    def confirm_storyboard(self, state: AssistantState) -> dict[str, Any]:
        project = _project(state)
        payload = storyboard_confirmation(project, planner.summarize(project))
        verdict: dict[str, Any] = dict(state.get("verdict") or {})
        if verdict.get("gate") == "critic" and verdict.get("failures"):
            more = int(verdict.get("findings") or 0) - len(verdict["failures"])
            m = Messages(payload.language)
            critic = [m("confirm.storyboard.critic", text=line) for line in verdict["failures"]]
            if more > 0:
                critic.append(m("confirm.storyboard.critic_more", n=more, path=str(project.root)))
            payload = payload.model_copy(update={"details": [*payload.details, *critic]})
        return ask(state, payload, lambda d: _after_storyboard(project, d))

    # -- conversation and changes -----------------------------------------------------------

    def converse(self, state: AssistantState, runtime: Runtime[Context]) -> dict[str, Any]:
        model, ctx = self._model(runtime)
        return conversation.converse(state, model, ctx)

    def run_tools(self, state: AssistantState) -> dict[str, Any]:
        return conversation.run_read_only_tools(state)

    def review_changes(self, state: AssistantState) -> dict[str, Any]:
        return conversation.review_changes(state)

    def confirm_changes(self, state: AssistantState) -> dict[str, Any]:
        proposal = state.get("proposal")
        if not proposal:
            return {"decision": {"action": "reject"}}
        payload = changes_confirmation(proposal, _messages(state).language)
        return ask(state, payload, lambda d: _after_changes(state, d))

    def apply_changes(self, state: AssistantState) -> dict[str, Any]:
        return conversation.apply_proposal(state)

    def reject_changes(self, state: AssistantState) -> dict[str, Any]:
        return conversation.reject_proposal(state)


#: Critic findings carried in the verdict and shown at the storyboard's confirmation.
MAX_CRITIC_LINES = 12


# -- helpers used by the nodes ---------------------------------------------------------------


def _after_brief(state: AssistantState, decision: Decision) -> dict[str, Any]:
    """The brief's confirmation answered: read it again with the edits or feedback, or stop."""
    rounds = state.get("repairs", {}).get("intake_edits", 0)
    update: dict[str, Any] = {}
    if decision["action"] in ("edit", "feedback"):
        if rounds >= MAX_EDIT_ROUNDS:
            raise InvalidInput(
                f"the brief was edited {rounds} times without approval; "
                "start again with a revised brief"
            )
        update["repairs"] = {**state.get("repairs", {}), "intake_edits": rounds + 1}
        if decision["action"] == "edit":
            update["overrides"] = {**(state.get("overrides") or {}), **_brief_edits(decision)}
        elif decision.get("text"):
            update["brief_text"] = f"{state.get('brief_text', '')}\n\n{decision['text']}"
    elif decision["action"] == "reject":
        brief_language = (state.get("brief") or {}).get("technical_specs", {}).get("language")
        update["messages"] = [say(_messages(state, brief_language)("nodes.brief_rejected"))]
        update["brief_text"] = None
        update["brief"] = None
    return update


def _after_gate(
    state: AssistantState, verdict: dict[str, Any], decision: Decision
) -> dict[str, Any]:
    """A failed gate answered: directions retry the phase; a rejection stops with the reason."""
    gate = str(verdict.get("gate", "plan"))
    update: dict[str, Any] = {}
    if decision["action"] == "feedback" and decision.get("text"):
        update["repairs"] = {**state.get("repairs", {}), gate: 0}
        update.update(_apply_direction(state, gate, decision["text"]))
    elif decision["action"] == "reject":
        failures = "; ".join(verdict.get("failures", []))
        m = _messages(state)
        update["messages"] = [
            say(m("nodes.gate_stopped", gate=gate_name(gate, m), failures=failures).strip())
        ]
    return update


def _after_cost(state: AssistantState, decision: Decision) -> dict[str, Any]:
    """The cost answered: model wishes re-select the models; a rejection stops."""
    if decision["action"] == "feedback" and decision.get("text"):
        return _apply_direction(state, "model_selection", decision["text"])
    if decision["action"] == "reject":
        return {"messages": [say(_messages(state)("nodes.cost_rejected"))]}
    return {}


def _after_storyboard(project: Project, decision: Decision) -> dict[str, Any]:
    """The storyboard answered: feedback or edits become a change proposal to confirm."""
    if decision["action"] in ("feedback", "edit"):
        return _proposal_from_decision(project, decision)
    if decision["action"] == "reject":
        language = project.manifest.technical_specs.language
        return {
            "messages": [say(Messages(display_language(language))("nodes.storyboard_rejected"))]
        }
    return {}


def _after_changes(state: AssistantState, decision: Decision) -> dict[str, Any]:
    """A proposal answered with feedback or edits: the revised proposal, to confirm again."""
    proposal = state.get("proposal")
    if proposal is None or decision["action"] not in ("feedback", "edit"):
        return {}
    update = _proposal_from_decision(_project(state), decision, proposal)
    revised = update.get("proposal")
    if revised is not None and revised is not proposal:
        # The model's tool calls still wait for an answer: the revised change answers
        # them when applied or rejected (an unanswered call makes OpenAI refuse).
        revised["tool_call_ids"] = list(proposal["tool_call_ids"])
    return update


def _render(name: str, language: str, text: str) -> str:
    """An LLM prompt template followed by the text it works on."""
    from storycore.agent.llm import load_llm_prompt

    return f"{load_llm_prompt(name, language).strip()}\n\n---\n\n{text.strip()}\n"


def _story_for_breakdown(brief: CreativeBrief) -> str:
    parts = [brief.text.strip()]
    for label, items in (
        ("Characters", brief.characters),
        ("Locations", brief.locations),
        ("Props", brief.props),
    ):
        if items:
            parts.append(f"{label}: " + "; ".join(f"{i.name} ({i.description})" for i in items))
    return "\n\n".join(p for p in parts if p)


def _brief_edits(decision: Decision) -> dict[str, Any]:
    edits = decision.get("edits") or {}
    allowed = {"fps", "aspect", "duration", "language", "title"}
    unknown = sorted(set(edits) - allowed)
    if unknown:
        raise InvalidInput(
            f"cannot edit {', '.join(unknown)} here; editable: {', '.join(sorted(allowed))}"
        )
    kept = {k: v for k, v in edits.items() if v not in (None, "")}
    if "title" in edits:
        kept["title"] = planner.checked_title(str(edits["title"] or ""))  # asked again if bad
    return kept


def merge_interpretation(
    brief: CreativeBrief, found: BriefInterpretation, overrides: planner.Overrides
) -> CreativeBrief:
    """Fill what the deterministic parser left empty with what the model read. Explicit
    values (front matter, clear prose, CLI flags) always win."""
    from storycore.tools.specs import apply_overrides

    specs = brief.technical_specs
    update: dict[str, Any] = {}
    spec_changes: dict[str, Any] = {}
    if found.title and brief.title in ("", "Untitled"):
        update["title"] = found.title.strip()[:200]
    if found.duration_seconds and not brief.duration_seconds and overrides.duration is None:
        spec_changes["duration"] = found.duration_seconds
    if found.aspect_ratio and specs.aspect_ratio == "16:9" and overrides.aspect is None:
        spec_changes["aspect"] = found.aspect_ratio
    if found.fps and specs.fps == "24" and overrides.fps is None:
        spec_changes["fps"] = found.fps
    if found.prompt_language and specs.prompt_language == "en":
        spec_changes["prompt_language"] = found.prompt_language
    if spec_changes:
        try:
            specs = apply_overrides(specs, **spec_changes)
        except StoryCoreError:
            pass  # a value the model read badly: keep the deterministic specs
        else:
            update["technical_specs"] = specs
            update["duration_seconds"] = specs.duration_seconds
    if found.style and not specs.style:
        update["technical_specs"] = specs.model_copy(update={"style": found.style.strip()})
    for field, items in (
        ("characters", found.characters),
        ("locations", found.locations),
        ("props", found.props),
    ):
        current: list[BriefElement] = list(getattr(brief, field))
        known = {e.name.casefold(): i for i, e in enumerate(current)}
        for item in items:
            name = item.name.strip()[:200]
            if not name:
                continue
            index = known.get(name.casefold())
            if index is None:
                current.append(BriefElement(name=name, description=item.description.strip()))
                known[name.casefold()] = len(current) - 1
            elif not current[index].description and item.description.strip():
                current[index] = BriefElement(name=name, description=item.description.strip())
        update[field] = current
    return brief.model_copy(update=update)


def scenes_from_proposal(proposal: BreakdownProposal) -> list[Scene]:
    """The model's scenes as domain scenes (numbered in order)."""
    scenes = []
    for index, plan in enumerate(proposal.scenes, start=1):
        scenes.append(_scene(index, plan))
    return scenes


def _scene(index: int, plan: ScenePlan) -> Scene:
    beats = [
        Beat(
            kind="dialogue" if beat.kind == "dialogue" and beat.character else "action",
            text=beat.text.strip(),
            character=beat.character if beat.kind == "dialogue" else None,
        )
        for beat in plan.beats
        if beat.text.strip()
    ]
    if not beats:
        beats = [Beat(kind="action", text=plan.description or plan.heading)]
    int_ext = None if plan.interior is None else (IntExt.INT if plan.interior else IntExt.EXT)
    return Scene(
        scene_id=f"sc_{index:02d}",
        number=str(index),
        heading=plan.heading.strip()[:300],
        location=plan.location.strip()[:200] or None,
        int_ext=int_ext,
        time_of_day=(plan.time_of_day or "").strip().lower() or None,
        description=plan.description.strip(),
        characters=[c.strip() for c in plan.characters if c.strip()],
        props=[p.strip() for p in plan.props if p.strip()],
        beats=beats,
    )


def _apply_direction(state: AssistantState, gate: str, text: str) -> dict[str, Any]:
    """A human's free-text direction at a failed gate or the cost confirmation.

    Model wishes ("local only", "avoid Sora", "use Wan 2.2") change the project's model
    preferences; anything else about the brief is appended to it.
    """
    if gate in ("brief", "intake"):
        return {"brief_text": f"{state.get('brief_text', '')}\n\n{text}"}
    project = _project(state)
    from storycore.tools.brief import parse_brief

    registry = ModelRegistry.load(project.root)
    wishes = parse_brief(text, known_models=planner.model_aliases(registry)).technical_specs
    with project.transaction("model preferences") as tx:
        specs = tx.manifest.technical_specs
        models = specs.models.model_copy(
            update={
                "local_only": specs.models.local_only or wishes.models.local_only,
                "avoid": sorted({*specs.models.avoid, *wishes.models.avoid}),
                "prefer": list(dict.fromkeys([*wishes.models.prefer, *specs.models.prefer])),
            }
        )
        tx.manifest.technical_specs = specs.model_copy(update={"models": models})
    return {"messages": [say(_messages(state)("nodes.noted", text=text.strip()))]}


def _proposal_from_decision(
    project: Project, decision: Decision, previous: ChangeProposal | None = None
) -> dict[str, Any]:
    """Feedback or edits given at a confirmation, as a change proposal to review."""
    if decision["action"] == "edit":
        modifications = (decision.get("edits") or {}).get("modifications")
        if not isinstance(modifications, list):
            raise InvalidInput("an edit gives 'modifications': a list of changes")
        return conversation.proposal_from_modifications(project, modifications, source="edit")
    return conversation.proposal_from_text(project, decision.get("text", ""), previous=previous)


# Importable from here as they always were (they now live in confirmations, conversation
# and messages).
__all__ = [
    "HISTORY_WINDOW",
    "MAX_IDS_IN_STATE",
    "MAX_TOOL_ROUNDS",
    "Nodes",
    "PlanningStopped",
    "brief_confirmation",
    "merge_interpretation",
    "message_text",
    "normalize_decision",
    "scenes_from_proposal",
    "tool_rejections",
]
