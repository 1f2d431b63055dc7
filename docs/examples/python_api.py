"""StoryCore's Python API: the graph with your own persistence, and the Session the CLI uses.

Run by tests/test_readme_embedding.py; shown in the README ("Embedding").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from storycore.agent import Context, Session, build_graph


def plan_until_first_question(brief: Path, project_dir: Path) -> dict[str, Any]:
    """Start planning a brief with the compiled graph; return the brief's confirmation."""
    graph = build_graph(checkpointer=InMemorySaver())  # your own persistence
    config: Any = {"configurable": {"thread_id": "t1"}}
    request = {"request": "plan", "project_dir": str(project_dir), "brief_text": brief.read_text()}
    result = graph.invoke(request, config, context=Context.from_env(offline=True))
    confirmation: dict[str, Any] = result["__interrupt__"][0].value  # kind, title, rows, actions
    return confirmation


def correct(project_dir: Path, text: str = "make shot 3 a close-up") -> list[str]:
    """One correction through a Session (the project's own threads), approved."""
    with Session(project_dir, context=Context.from_env(offline=True)) as session:
        turn = session.say(text)
        if turn.interrupt:  # the change waits for the human
            session.resume("approve")
        return turn.messages
