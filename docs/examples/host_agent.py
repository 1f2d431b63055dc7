"""StoryCore's tools in a host's LangChain agent, the ones that change the plan behind approval.

Run by tests/test_toolkit_host_agent.py with a scripted chat model; with a real one::

    from langchain.chat_models import init_chat_model
    agent = build_host_agent("out/film", init_chat_model("openai:gpt-4.1-mini"))
    result = ask(agent, "Make GaBy's hair blonde and curly", thread_id="t1")
    print(pending_changes(result))          # [{"name": "update_element", "args": {...}}]
    decide(agent, "approve", thread_id="t1")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from storycore.agent.toolkit import make_tools, mutating_tool_names

SYSTEM_PROMPT = (
    "You help plan a video with StoryCore's tools. Look before you change: read the shots and "
    "elements first. A change is applied only once the user approves it."
)


def approval_for_changes() -> HumanInTheLoopMiddleware:
    """Approval on every tool that changes the plan: ``mutating_tool_names()``, read from
    the catalog's ``mutating`` flag (the list the assistant's own graph confirms)."""
    return HumanInTheLoopMiddleware(
        interrupt_on={
            name: {"allowed_decisions": ["approve", "edit", "reject"]}
            for name in mutating_tool_names()
        },
        description_prefix="StoryCore change awaiting approval",
    )


def build_host_agent(
    project_dir: Path | str, model: BaseChatModel, *, checkpointer: Any = None
) -> Any:
    """A ``create_agent`` agent over the project's tools; every call to a tool that changes
    the plan waits for the human's decision, read-only calls run at once."""
    return create_agent(
        model,
        tools=make_tools(project_dir),
        system_prompt=SYSTEM_PROMPT,
        middleware=[approval_for_changes()],
        checkpointer=checkpointer or InMemorySaver(),  # interrupts need a checkpointer
    )


def ask(agent: Any, text: str, *, thread_id: str) -> dict[str, Any]:
    """One user message; the result holds ``__interrupt__`` when a change awaits approval."""
    config = {"configurable": {"thread_id": thread_id}}
    result: dict[str, Any] = agent.invoke({"messages": [{"role": "user", "content": text}]}, config)
    return result


def pending_changes(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool calls waiting for approval (name and arguments), in order."""
    return [
        {"name": request["name"], "args": request["args"]}
        for interrupt in result.get("__interrupt__", [])
        for request in interrupt.value["action_requests"]
    ]


def decide(agent: Any, decision: str, *, thread_id: str, message: str = "") -> dict[str, Any]:
    """Answer every pending change with ``approve`` or ``reject`` (with a reason)."""
    config = {"configurable": {"thread_id": thread_id}}
    state = agent.get_state(config)
    waiting = sum(len(i.value["action_requests"]) for i in state.interrupts)
    answer: dict[str, Any] = {"type": decision}
    if decision == "reject":
        answer["message"] = message or "The user rejected this change."
    result: dict[str, Any] = agent.invoke(Command(resume={"decisions": [answer] * waiting}), config)
    return result
