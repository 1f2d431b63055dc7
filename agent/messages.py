"""Message helpers shared by the nodes, the conversation and the session.

What the assistant says (:func:`say`), the text of any message (:func:`message_text`), the
answers owed to pending tool calls (:func:`tool_rejections`), and the few phrasings of counts
and durations the nodes and confirmations show. Imports nothing else of the agent layer, so
any module may use it without an import cycle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, ToolMessage

from storycore.tools.timecode import format_smpte

if TYPE_CHECKING:
    from storycore.tools.project import Project

#: The name the assistant's own messages carry.
ASSISTANT_NAME = "storycore"


def say(text: str) -> AIMessage:
    """A message from the assistant to the user."""
    return AIMessage(content=text, name=ASSISTANT_NAME)


def message_text(message: BaseMessage | AnyMessage) -> str:
    """The text of a message, whether its content is a string or a list of parts."""
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(
        part.get("text", "") if isinstance(part, dict) else str(part) for part in content
    )


def last_human_text(messages: Sequence[BaseMessage | AnyMessage] | None) -> str:
    """The text of the last message the user sent ("" if none)."""
    for message in reversed(list(messages or [])):
        if isinstance(message, HumanMessage):
            return message_text(message)
    return ""


def tool_rejections(message: AIMessage, reason: str) -> list[ToolMessage]:
    """An answer to every pending tool call (OpenAI refuses a request that leaves one open)."""
    return [
        ToolMessage(content=json.dumps({"error": reason}), tool_call_id=call["id"])
        for call in message.tool_calls
        if call.get("id")
    ]


def count(n: int, noun: str) -> str:
    """``3 shots``, ``1 shot``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def duration_text(frames: int, project: Project) -> str:
    """A duration in the project's timecode and in seconds: ``00:00:30:00 (30.00 s)``."""
    specs = project.manifest.technical_specs
    seconds = frames / specs.rate
    smpte = format_smpte(frames, specs.rate, drop_frame=specs.uses_drop_frame)
    return f"{smpte} ({float(seconds):.2f} s)"


__all__ = [
    "ASSISTANT_NAME",
    "count",
    "duration_text",
    "last_human_text",
    "message_text",
    "say",
    "tool_rejections",
]
