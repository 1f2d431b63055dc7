"""A scripted LangChain chat model for the graph's unit tests.

:class:`FakeChat` answers each request with the next scripted item, in order:

- an ``AIMessage`` (text, tool calls, usage): returned as it is;
- a ``str``: an answer with that text;
- an exception (an ``openai`` error, ``LLMUnavailable``): raised, as a failing endpoint would.

``bind_tools`` returns the model itself and records the tools' names, so the default
``BaseChatModel.with_structured_output(schema, method="function_calling", include_raw=True)``
works: a scripted ``AIMessage`` whose tool call is named like the schema parses into it
(:func:`structured` builds one). ``.stream`` yields the answer in pieces (text first, the tool
calls and the usage in the last chunk), like ChatOpenAI does. Every request's messages are
kept in :attr:`FakeChat.requests`, for assertions on what the model was sent.

Also here, shared by the graph's test modules: :func:`plan_film` (the example short film,
planned offline), :func:`shots_showing` and :func:`expected_regeneration` (what a change to one
character must regenerate, read from the project on disk), and
:func:`assert_tool_calls_answered` (the rule OpenAI enforces on a conversation).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, Field

MODEL_NAME = "gpt-4.1-mini"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SHORT_FILM = EXAMPLES / "short_film.fountain"
_CALL_IDS = itertools.count(1)


def usage(input_tokens: int, output_tokens: int) -> dict[str, int]:
    """An ``usage_metadata`` as the OpenAI integration reports it."""
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }


def reply(text: str, *, tokens: tuple[int, int] = (100, 20)) -> AIMessage:
    """A plain text answer with its token usage."""
    return AIMessage(
        content=text,
        usage_metadata=usage(*tokens),
        response_metadata={"model_name": MODEL_NAME},
    )


def tool_calls(
    *calls: tuple[str, dict[str, Any]], text: str = "", tokens: tuple[int, int] = (150, 30)
) -> AIMessage:
    """An answer calling tools: ``(name, arguments)`` pairs, each with a new call id."""
    return AIMessage(
        content=text,
        tool_calls=[
            {"name": name, "args": args, "id": f"call_{next(_CALL_IDS)}", "type": "tool_call"}
            for name, args in calls
        ],
        usage_metadata=usage(*tokens),
        response_metadata={"model_name": MODEL_NAME},
    )


def structured(
    schema: type[BaseModel], data: dict[str, Any], *, tokens: tuple[int, int] = (400, 80)
) -> AIMessage:
    """The forced tool call a model answers to ``with_structured_output(schema)``."""
    return tool_calls((schema.__name__, data), tokens=tokens)


class FakeChat(BaseChatModel):
    """A chat model that answers from a script; see the module docstring."""

    script: list[Any] = Field(default_factory=list)
    requests: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[list[str]] = Field(default_factory=list)
    tool_choices: list[Any] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "storycore-fake-chat"

    @property
    def pending(self) -> int:
        """Scripted answers not served yet."""
        return len(self.script)

    def add(self, *answers: Any) -> FakeChat:
        """Queue more answers."""
        self.script.extend(answers)
        return self

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> FakeChat:
        names = [convert_to_openai_tool(tool)["function"]["name"] for tool in tools]
        self.bound_tools.append(names)
        self.tool_choices.append(tool_choice)
        return self

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        self.requests.append(list(messages))
        if not self.script:
            raise AssertionError(f"FakeChat: no scripted answer left for request {messages!r}")
        answer = self.script.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, str):
            answer = reply(answer)
        assert isinstance(answer, AIMessage), answer
        return answer.model_copy(deep=True)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        answer = self._next(messages)
        text = answer.content if isinstance(answer.content, str) else ""
        pieces = [text[i : i + 12] for i in range(0, len(text), 12)]
        for piece in pieces:
            chunk = AIMessageChunk(content=piece)
            if run_manager is not None:
                run_manager.on_llm_new_token(piece, chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                tool_call_chunks=[
                    {
                        "name": call["name"],
                        "args": json.dumps(call["args"]),
                        "id": call["id"],
                        "index": index,
                        "type": "tool_call_chunk",
                    }
                    for index, call in enumerate(answer.tool_calls)
                ],
                usage_metadata=answer.usage_metadata,
                response_metadata=answer.response_metadata,
                chunk_position="last",
            )
        )


# -- helpers for the graph's tests ----------------------------------------------------------


def plan_film(root: Path) -> Path:
    """The example short film planned offline into ``root`` (the deterministic planner)."""
    from storycore.tools.planner import plan_project

    plan_project(SHORT_FILM.read_text(encoding="utf-8"), root, source_name=SHORT_FILM.name)
    return root


def shots_showing(project_dir: Path, element_id: str) -> list[str]:
    """The ids of the shots on disk that show ``element_id``, in timeline order."""
    from storycore.tools.project import Project
    from storycore.tools.structure import load_shots

    project = Project.open(project_dir)
    return [
        s.shot_id
        for s in load_shots(project)
        if element_id in s.characters or element_id in s.props or element_id == s.location
    ]


def expected_regeneration(project_dir: Path, element_id: str) -> list[str]:
    """What changing ``element_id`` must regenerate: it, its shots and their segments."""
    from storycore.tools.project import Project

    shots = set(shots_showing(project_dir, element_id))
    segments = {
        segment.segment_id
        for segment in Project.open(project_dir).manifest.segments
        if shots & set(segment.shot_ids)
    }
    return sorted({element_id, *shots, *segments})


def assert_tool_calls_answered(messages: Sequence[BaseMessage]) -> None:
    """Every tool call is answered by a ToolMessage before the conversation goes on, as
    OpenAI requires of a request (whose messages therefore end with no call waiting)."""
    waiting: set[str] = set()
    for message in messages:
        if isinstance(message, ToolMessage):
            assert message.tool_call_id in waiting, f"an answer to no call: {message!r}"
            waiting.discard(message.tool_call_id)
            continue
        assert not waiting, f"tool calls left unanswered: {sorted(waiting)} before {message!r}"
        if isinstance(message, AIMessage):
            waiting = {str(call["id"]) for call in message.tool_calls if call.get("id")}
    assert not waiting, f"the conversation ends on unanswered tool calls: {sorted(waiting)}"
