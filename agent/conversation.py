"""The conversation: answering the user, running tools, proposing and applying changes.

With a language model, the model answers and acts through the catalog's typed tools; calls to
tools that change the plan become a change proposal the human confirms before anything is
written. Offline (or when the model fails), the deterministic feedback parser turns common
phrasings in English and French into the same typed modifications.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from storycore.agent.context import Context
from storycore.agent.events import emit
from storycore.agent.messages import last_human_text, say, tool_rejections
from storycore.agent.plans import keep_plan, take_plan
from storycore.agent.projects import open_project
from storycore.agent.routing import MUTATING_TOOLS
from storycore.agent.state import AssistantState, ChangeProposal
from storycore.tools import catalog
from storycore.tools.errors import ConflictError, InvalidInput, NotAProject, StoryCoreError
from storycore.tools.i18n import Messages, display_language, t
from storycore.tools.project import Project

#: Rounds of tool calls the model may make for one message before it must answer.
MAX_TOOL_ROUNDS = 6
#: Ids kept in the state's change proposal; the full list is recomputed when applying.
MAX_IDS_IN_STATE = 40
#: Messages of the conversation sent to the model (the system prompt, with a summary of older
#: messages, comes on top).
HISTORY_WINDOW = 24
#: Elements the system prompt names (id, name, type); a larger cast is counted and left to
#: list_elements, so the prompt stays the same size however large the cast.
PROMPT_ELEMENTS = 12

#: What the offline reader says to a request it cannot read (English; see the catalogs).
OFFLINE_HELP = t("chat.offline_help", "en")


def _m(project: Project) -> Messages:
    """The conversation's messages: the display language, else the project's."""
    return Messages(display_language(project.manifest.technical_specs.language))


def _closest(project: Project, text: str) -> str:
    from storycore.tools.feedback.questions import closest_phrasings

    return "; ".join(f"'{p}'" for p in closest_phrasings(project, text))


def _closest_help(project: Project, text: str) -> str:
    """What the offline reader says to a request it cannot read: the nearest phrasings
    that work on this plan, then the general help."""
    m = _m(project)
    said = " ".join(text.split())
    said = said if len(said) <= 120 else said[:117] + "..."
    return m(
        "chat.closest_help",
        text=said,
        closest=_closest(project, text),
        help=m("chat.offline_examples"),
    )


def _last_human(state: AssistantState) -> str:
    return last_human_text(state.get("messages"))


def _rounds_since_human(state: AssistantState) -> int:
    rounds = 0
    for message in reversed(state.get("messages") or []):
        if isinstance(message, HumanMessage):
            break
        if isinstance(message, AIMessage) and message.tool_calls:
            rounds += 1
    return rounds


def _as_brief(text: str) -> tuple[str, str] | None:
    """A message that is a brief: a path to a brief file, or a text long enough to plan."""
    candidate = Path(text.strip()).expanduser()
    if len(text) < 1000 and "\n" not in text.strip() and candidate.is_file():
        from storycore.tools.brief import read_brief_text

        return read_brief_text(str(candidate))
    if len(text.split()) >= 12:
        return text, ""  # no name: the planner would take a placeholder for the title
    return None


def _open_if_project(root: Path) -> Project | None:
    """The project in ``root``, or None if there is none yet (``project.json`` is read once:
    it grows with the plan)."""
    if not root.is_dir():
        return None
    try:
        return open_project(root)
    except NotAProject:
        return None


def converse(state: AssistantState, model: Any, ctx: Context) -> dict[str, Any]:
    """Answer the last message: plan it if it is a brief, else act on it."""
    text = _last_human(state)
    project = _open_if_project(Path(state["project_dir"]))
    if project is None:
        brief = _as_brief(text)
        if brief is None:
            return {"messages": [say(Messages(display_language(ctx.language))("chat.no_plan"))]}
        return {"request": "plan", "brief_text": brief[0], "brief_source": brief[1]}
    if model is None:
        return _offline_turn(project, text)
    return _model_turn(state, project, model, ctx)


def _offline_turn(project: Project, text: str, note: str | None = None) -> dict[str, Any]:
    from storycore.tools.feedback.questions import answer_question

    try:
        answer = answer_question(project, text, _m(project).language)
    except StoryCoreError as exc:
        answer = str(exc)
    if answer is not None:
        return {"messages": [*([say(note)] if note else []), say(answer)]}
    update = proposal_from_text(project, text, say_unparsed=True)
    update["messages"] = [*([say(note)] if note else []), *update.get("messages", [])]
    return update


def _system_prompt(project: Project, language: str) -> str:
    from storycore.agent.llm import load_llm_prompt

    manifest = project.manifest
    cast = manifest.elements
    elements = "; ".join(
        f"{e.element_id} = {e.name} ({e.type.value})" for e in cast[:PROMPT_ELEMENTS]
    )
    if len(cast) > PROMPT_ELEMENTS:
        elements += f"; and {len(cast) - PROMPT_ELEMENTS} more (list_elements)"
    shots = [ref.shot_id for ref in manifest.shots]
    shot_range = f"{shots[0]} .. {shots[-1]} ({len(shots)} shots)" if shots else "none"
    return (
        f"{load_llm_prompt('system', language).strip()}\n\n"
        f"Project: {manifest.title} (phase {manifest.phase.value}). "
        f"Shots: {shot_range}. Elements: {elements or 'none'}."
    )


def _model_turn(
    state: AssistantState, project: Project, model: Any, ctx: Context
) -> dict[str, Any]:
    from storycore.agent.llm import LLMError, RetryPolicy, stream_reply
    from storycore.agent.toolkit import make_tools
    from storycore.agent.transcript import model_history
    from storycore.agent.usage import UsageTracker

    language = project.manifest.technical_specs.language
    # The last messages of the whole conversation (the thread's transcript and this turn),
    # never starting with answers to calls it does not show, and a deterministic summary of
    # the older ones: what the model is sent stays bounded however long the conversation.
    history, earlier = model_history(state, HISTORY_WINDOW)
    system = _system_prompt(project, language)
    if earlier:
        system = f"{system}\n\n{earlier}"
    messages = [SystemMessage(system), *history]
    rounds = _rounds_since_human(state)
    runnable = model
    if rounds < MAX_TOOL_ROUNDS:
        runnable = model.bind_tools(make_tools(project.root))
    usage = UsageTracker()
    first = True

    def on_text(text: str) -> None:
        nonlocal first
        # "first" lets a terminal start this answer on its own line.
        emit({"token": text, "first": first})
        first = False

    try:
        reply = stream_reply(
            runnable, messages, on_text=on_text, retry=RetryPolicy.from_context(ctx), usage=usage
        )
    except LLMError as exc:
        note = _m(project)("chat.llm_failed", error=str(exc))
        return _offline_turn(project, _last_human(state), note=note)
    return {"messages": [reply], "usage": usage.to_dict()}


def run_read_only_tools(state: AssistantState) -> dict[str, Any]:
    """Answer every tool call of the model's last message (none of them changes the plan)."""
    from storycore.agent.toolkit import answer_tool_call

    last = (state.get("messages") or [])[-1]
    assert isinstance(last, AIMessage)
    return {"messages": [answer_tool_call(call, state["project_dir"]) for call in last.tool_calls]}


def review_changes(state: AssistantState) -> dict[str, Any]:
    """Turn the model's calls to mutating tools into a change proposal; answer the others."""
    from storycore.agent.toolkit import answer_tool_call

    last = (state.get("messages") or [])[-1]
    assert isinstance(last, AIMessage)
    project = open_project(state["project_dir"])
    answers: list[ToolMessage] = []
    modifications: list[Any] = []
    call_ids: list[str] = []
    for call in last.tool_calls:
        if call["name"] not in MUTATING_TOOLS:
            answers.append(answer_tool_call(call, project.root))
            continue
        try:
            spec = catalog.find(call["name"])
            modifications.append(spec.args.model_validate(call.get("args") or {}))
            call_ids.append(str(call["id"]))
        except (StoryCoreError, ValueError) as exc:
            answers.append(_error_answer(call, str(exc)))
    if not modifications:
        return {"messages": answers}
    try:
        update = proposal_from_modifications(project, modifications, source="tool")
    except StoryCoreError as exc:
        for call in last.tool_calls:
            if call["id"] in call_ids:
                answers.append(_error_answer(call, str(exc)))
        return {"messages": answers}
    update["proposal"]["tool_call_ids"] = call_ids
    update["messages"] = answers
    return update


def _error_answer(call: Any, error: str) -> ToolMessage:
    from storycore.agent.toolkit import error_message

    return error_message(call, error)


def proposal_from_modifications(
    project: Project, modifications: list[Any], *, source: str
) -> dict[str, Any]:
    """Validate and cost a list of modifications (models or dicts) as a proposal."""
    from storycore.tools.feedback import parse_modifications
    from storycore.tools.regeneration import plan_changes

    typed = parse_modifications(modifications)
    plan = plan_changes(project, typed)
    data = plan.as_json()
    if not data["summary"] and not data["regenerate"]:
        # Asking to approve an empty change would hide why nothing changes.
        from storycore.tools.regeneration.plan import nothing_to_change

        raise InvalidInput(nothing_to_change(project, data["warnings"]))
    proposal: ChangeProposal = {
        "modifications": data["modifications"],
        "regenerate": list(data["regenerate"])[:MAX_IDS_IN_STATE],
        "regenerate_total": len(data["regenerate"]),
        "summary": list(data["summary"]),
        "warnings": list(data["warnings"]),
        "tool_call_ids": [],
        "source": source,
    }
    keep_plan(project.root, proposal["modifications"], plan)
    return {"proposal": proposal}


def proposal_from_text(
    project: Project,
    text: str,
    *,
    previous: ChangeProposal | None = None,
    say_unparsed: bool = False,
) -> dict[str, Any]:
    """Feedback read by the deterministic parser, as a change proposal; on failure the
    previous proposal (if any) stays and the reason is said. ``say_unparsed`` adds a line
    naming the clauses the parser could not read (in conversation, not at a confirmation,
    where the model's pending tool calls must be answered first)."""
    from storycore.tools.feedback import parse_feedback

    try:
        parsed = parse_feedback(text, project)
        if not parsed.modifications:
            raise StoryCoreError(_closest_help(project, text))
        update = proposal_from_modifications(project, parsed.modifications, source="feedback")
    except StoryCoreError as exc:
        return {"proposal": previous, "messages": [say(str(exc))]}
    if parsed.unparsed:
        update["proposal"]["unparsed"] = list(parsed.unparsed)
    if say_unparsed and parsed.unparsed:
        skipped = "; ".join(parsed.unparsed)
        closest = _closest(project, parsed.unparsed[0])
        update["messages"] = [
            *update.get("messages", []),
            say(_m(project)("chat.not_understood", skipped=skipped, closest=closest)),
        ]
    return update


def apply_proposal(state: AssistantState) -> dict[str, Any]:
    from storycore.tools.feedback import parse_modifications
    from storycore.tools.regeneration import apply_changes, plan_changes

    proposal = state.get("proposal")
    if not proposal:
        return {}
    project = open_project(state["project_dir"])
    # The plan the proposal was made from (apply_changes plans again itself if the files
    # changed since); planned again here when it is not in this process or no longer fits.
    plan = take_plan(project.root, proposal["modifications"])
    try:
        if plan is not None:
            apply_changes(project, plan)
    except ConflictError:
        plan = None
    if plan is None:
        plan = plan_changes(project, parse_modifications(proposal["modifications"]))
        apply_changes(project, plan)
    data = plan.as_json()
    m = _m(open_project(project.root))  # validated once for this turn and the next
    done = "; ".join(data["summary"]) or m("chat.no_change")
    regenerated = data["regenerate"]
    text = m("chat.applied", done=done, regenerate=", ".join(regenerated) or m("chat.nothing"))
    messages: list[Any] = []
    if proposal["tool_call_ids"]:
        result = json.dumps(
            {"applied": data["summary"], "regenerate": regenerated, "undo": "/undo"},
            ensure_ascii=False,
        )
        messages = [ToolMessage(content=result, tool_call_id=i) for i in proposal["tool_call_ids"]]
    else:
        messages = [say(text)]
    return {"proposal": None, "messages": messages}


def reject_proposal(state: AssistantState) -> dict[str, Any]:
    proposal = state.get("proposal")
    messages: list[Any] = []
    if proposal and proposal["tool_call_ids"]:
        last_ai = next(
            (
                m
                for m in reversed(state.get("messages") or [])
                if isinstance(m, AIMessage) and m.tool_calls
            ),
            None,
        )
        if last_ai is not None:
            pending = {i for i in proposal["tool_call_ids"]}
            messages = [
                m
                for m in tool_rejections(last_ai, "the user rejected this change")
                if m.tool_call_id in pending
            ]
    else:
        try:
            language = open_project(state["project_dir"]).manifest.technical_specs.language
        except StoryCoreError:
            language = None
        messages = [say(Messages(display_language(language))("chat.nothing_changed"))]
    return {"proposal": None, "messages": messages}
