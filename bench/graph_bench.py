"""The assistant graph's own cost: time per chat turn and checkpoint bytes per turn.

    python bench/graph_bench.py [--sizes 10 500] [--turns 5]

For each size, a synthetic screenplay is planned offline into a temporary project (not
timed), then a conversation runs offline on it through ``Session`` with the project's SQLite
checkpointer, as ``storycore chat --offline`` does. Three kinds of turn are measured, each
``--turns`` times:

- ``hello``: a message the assistant cannot act on (it answers with help): the graph alone;
- ``propose``: "make shot 3 a close-up", up to the confirmation (parsing, the change plan);
- ``apply``: answering "y" to it (the change applied, prompts and documents rewritten).

Reported per turn: wall time (``time.perf_counter``) and the bytes the checkpointer wrote
(the growth of the checkpoint and pending-write blobs in the SQLite file). The goal is that
the graph's share (``hello``, and the checkpoint bytes of every turn) does not grow with the
project: the state holds ids and small deltas, never shots.

Also reported: the edit ratio (the median ``propose`` and ``apply`` time at the largest size
over the smallest: an edit should cost what it changes, so about 1), and the checkpoint bytes
of one ``hello`` turn at turn 5 and at turn ``--long`` (200) of one conversation on the
smallest project (they should be the same: a checkpoint must not grow with the transcript).
The same long conversation runs again with an instant scripted model: its turn time is the
graph's own cost on the model path (also reported: the part of it spent outside the nodes, in
LangGraph and the session, in wall time and in CPU time: ``time.process_time`` of the turn,
the checkpoint threads included, less the CPU of the nodes), and it reports what the model
is sent at turn 5 and at the last turn (bounded: the last messages of the transcript and a
summary of older ones) and how many messages ``Session.history()`` shows (all of them).
Also reported: the characters one turn sends to the model when the model calls a listing tool
(``list_shots``, ``project_layout``, ``project_status``, ``list_elements``) and then answers,
at the smallest and the largest size, and their ratio (bounded: at most about 1.5x).
``--json`` prints every figure as one JSON document.
"""

from __future__ import annotations

import argparse
import functools
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan_bench import _scenes_for, screenplay


def checkpoint_bytes(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        total = 0
        for query in (
            "SELECT COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0) FROM checkpoints",
            "SELECT COALESCE(SUM(LENGTH(value)), 0) FROM writes",
        ):
            total += conn.execute(query).fetchone()[0]
        return int(total)


def measure(shots: int, turns: int) -> dict[str, object]:
    from storycore.agent.context import Context
    from storycore.agent.session import Session
    from storycore.tools.planner import plan_project
    from storycore.tools.project import Project

    folder = Path(tempfile.mkdtemp(prefix="storycore-graph-bench-")) / "project"
    summary = plan_project(screenplay(_scenes_for(shots)), folder, source_name="bench.fountain")
    db = folder / ".storycore" / "checkpoints.sqlite"
    results: dict[str, list[tuple[float, int]]] = {"hello": [], "propose": [], "apply": []}
    sizes = ["MS", "CU"]
    with Session(folder, context=Context.from_env(offline=True)) as session:
        session.say("hello")  # creates the thread and its tables
        for turn in range(turns):
            for kind, text in (
                ("hello", "hello"),
                (
                    "propose",
                    f"make shot 3 a {'close-up' if sizes[turn % 2] == 'MS' else 'medium shot'}",
                ),
                ("apply", "y"),
            ):
                before = checkpoint_bytes(db)
                start = time.perf_counter()
                session.say(text)
                elapsed = time.perf_counter() - start
                results[kind].append((elapsed, checkpoint_bytes(db) - before))
        state_bytes = len(repr(session.values()))
    history = len(Project.open(folder).history())
    return {
        "shots": summary.shots,
        "turns": {
            kind: (
                statistics.median(t for t, _ in values),
                statistics.median(b for _, b in values),
            )
            for kind, values in results.items()
        },
        "state_chars": state_bytes,
        "history": history,
    }


def long_conversation(shots: int, turns: int) -> dict[str, object]:
    """Checkpoint bytes and time of each ``hello`` turn over ``turns`` turns of one thread."""
    from storycore.agent.context import Context
    from storycore.agent.session import Session
    from storycore.tools.planner import plan_project

    folder = Path(tempfile.mkdtemp(prefix="storycore-graph-bench-")) / "project"
    plan_project(screenplay(_scenes_for(shots)), folder, source_name="bench.fountain")
    db = folder / ".storycore" / "checkpoints.sqlite"
    per_turn: list[tuple[float, int]] = []
    with Session(folder, context=Context.from_env(offline=True)) as session:
        for _ in range(turns):
            try:
                before = checkpoint_bytes(db)
            except sqlite3.OperationalError:  # the first turn creates the tables
                before = 0
            start = time.perf_counter()
            session.say("hello")
            elapsed = time.perf_counter() - start
            per_turn.append((elapsed, checkpoint_bytes(db) - before))
        state_chars = len(repr(session.values()))

    def at(turn: int) -> dict[str, float]:
        seconds, written = per_turn[min(turn, len(per_turn)) - 1]
        return {"turn": turn, "ms": seconds * 1000, "checkpoint_bytes": written}

    return {"turn_5": at(5), f"turn_{turns}": at(turns), "state_chars": state_chars}


def model_conversation(shots: int, turns: int) -> dict[str, object]:
    """The same long conversation with an instant scripted model: the turn's time is the
    graph's own cost with the model path (window read from the transcript, system prompt),
    and what the model is sent at turn 5 and at the last turn (messages, characters)."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from storycore.agent.context import Context
    from storycore.agent.session import Session
    from storycore.tools.planner import plan_project

    sent: list[list[object]] = []

    class Instant(GenericFakeChatModel):
        def bind_tools(self, tools: object, **kwargs: object) -> Instant:
            return self

        def _generate(self, messages: list[object], *args: object, **kwargs: object) -> object:  # type: ignore[override]
            sent.append(list(messages))
            return super()._generate(messages, *args, **kwargs)  # type: ignore[arg-type]

    import storycore.agent.graph as graph_module

    in_nodes = [0.0, 0.0]  # wall, CPU of the thread running the node
    record = graph_module.recorded

    def timed(node: object) -> object:
        inner = record(node)  # type: ignore[arg-type]

        def run(*args: object, **kwargs: object) -> object:
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return inner(*args, **kwargs)
            finally:
                in_nodes[0] += time.perf_counter() - start
                in_nodes[1] += time.thread_time() - cpu

        return functools.wraps(inner)(run)

    graph_module.recorded = timed  # type: ignore[assignment]
    model = Instant(messages=iter([AIMessage(f"Answer {n}.") for n in range(turns + 1)]))
    folder = Path(tempfile.mkdtemp(prefix="storycore-graph-bench-")) / "project"
    plan_project(screenplay(_scenes_for(shots)), folder, source_name="bench.fountain")
    db = folder / ".storycore" / "checkpoints.sqlite"
    per_turn: list[tuple[float, int]] = []
    context = Context(retry_initial_wait=0, max_retries=1)
    overhead: list[float] = []
    cpu: list[tuple[float, float]] = []  # CPU of the turn (every thread), and outside the nodes
    try:
        session = Session(folder, context=context, chat_model=model)
    finally:
        graph_module.recorded = record
    with session:
        for n in range(turns):
            try:
                before = checkpoint_bytes(db)
            except sqlite3.OperationalError:
                before = 0
            in_nodes[:] = [0.0, 0.0]
            start, started_cpu = time.perf_counter(), time.process_time()
            session.say(f"Question {n} about the plan?")
            elapsed, used = time.perf_counter() - start, time.process_time() - started_cpu
            per_turn.append((elapsed, checkpoint_bytes(db) - before))
            overhead.append(elapsed - in_nodes[0])
            cpu.append((used, used - in_nodes[1]))
        shown = len(session.history())

    def at(turn: int) -> dict[str, float]:
        seconds, written = per_turn[turn - 1]
        request = sent[turn - 1]
        return {
            "turn": turn,
            "ms": seconds * 1000,
            "checkpoint_bytes": written,
            "model_messages": len(request),
            "model_chars": sum(len(str(getattr(m, "content", ""))) for m in request),
        }

    median = statistics.median(t for t, _ in per_turn[1:]) * 1000
    outside = statistics.median(overhead[1:]) * 1000
    return {
        "turn_5": at(5),
        f"turn_{turns}": at(turns),
        "median_ms": median,
        "median_outside_nodes_ms": outside,
        "median_cpu_ms": statistics.median(c for c, _ in cpu[1:]) * 1000,
        "median_outside_nodes_cpu_ms": statistics.median(o for _, o in cpu[1:]) * 1000,
        "shown": shown,
    }


#: The listing tools a model may call, measured one turn each (a fresh thread).
LISTING_TOOLS = ("list_shots", "project_layout", "project_status", "list_elements")


def _chars(messages: list[object]) -> int:
    """Characters of what a request sends: every message's content and tool-call arguments."""
    total = 0
    for message in messages:
        total += len(str(getattr(message, "content", "")))
        for call in getattr(message, "tool_calls", None) or []:
            total += len(json.dumps(call.get("args") or {}, ensure_ascii=False))
    return total


def tool_turns(shots: int) -> dict[str, object]:
    """What one chat turn sends to the model when the model calls a listing tool and then
    answers: the characters of its last request (the system prompt, the question, the tool
    call and the tool's answer), per tool, in a new thread each, with an instant model."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from storycore.agent.context import Context
    from storycore.agent.session import Session
    from storycore.tools.planner import plan_project

    sent: list[list[object]] = []

    class Instant(GenericFakeChatModel):
        # Not streamed: the fake model's stream drops the tool calls of an empty answer.
        _stream = BaseChatModel._stream

        def bind_tools(self, tools: object, **kwargs: object) -> Instant:
            return self

        def _generate(self, messages: list[object], *args: object, **kwargs: object) -> object:  # type: ignore[override]
            sent.append(list(messages))
            return super()._generate(messages, *args, **kwargs)  # type: ignore[arg-type]

    folder = Path(tempfile.mkdtemp(prefix="storycore-graph-bench-")) / "project"
    summary = plan_project(screenplay(_scenes_for(shots)), folder, source_name="bench.fountain")
    context = Context(retry_initial_wait=0, max_retries=1)
    chars: dict[str, int] = {}
    for tool in LISTING_TOOLS:
        call = {"name": tool, "args": {}, "id": f"call_{tool}", "type": "tool_call"}
        script = iter([AIMessage("", tool_calls=[call]), AIMessage("Here it is.")])
        sent.clear()
        with Session(folder, new=True, context=context, chat_model=Instant(messages=script)) as s:
            s.say(f"What does {tool.replace('_', ' ')} say?")
        chars[tool] = _chars(sent[-1])
    return {"shots": summary.shots, "chars": chars}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 500])
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--long", type=int, default=200, help="turns of the long conversation")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    runs = [measure(size, args.turns) for size in args.sizes]
    small, large = runs[0], runs[-1]
    ratios = {
        kind: large["turns"][kind][0] / small["turns"][kind][0]  # type: ignore[index]
        for kind in ("propose", "apply")
    }
    tools = [tool_turns(size) for size in (args.sizes[0], args.sizes[-1])]
    tool_ratio = {
        tool: tools[1]["chars"][tool] / tools[0]["chars"][tool]  # type: ignore[index]
        for tool in LISTING_TOOLS
    }
    long = long_conversation(args.sizes[0], args.long) if args.long >= 5 else None
    talk = model_conversation(args.sizes[0], args.long) if args.long >= 5 else None
    if args.json:
        document = {
            "bench": "graph",
            "runs": [
                {
                    "shots": run["shots"],
                    "turns": {
                        kind: {"median_ms": seconds * 1000, "checkpoint_bytes": written}
                        for kind, (seconds, written) in run["turns"].items()  # type: ignore[attr-defined]
                    },
                    "state_chars": run["state_chars"],
                }
                for run in runs
            ],
            "edit_ratio": ratios,
            "tool_turn_chars": {
                "runs": tools,
                "ratio": tool_ratio,
            },
            "long_conversation": long,
            "model_conversation": talk,
        }
        print(json.dumps(document, indent=2))
        return 0
    print(f"{'shots':>6} {'turn':>8} {'median ms':>10} {'checkpoint bytes':>17}")
    print("-" * 45)
    for data in runs:
        for kind, (seconds, written) in data["turns"].items():  # type: ignore[attr-defined]
            print(f"{data['shots']:>6} {kind:>8} {seconds * 1000:>10.1f} {written:>17,}")
        print(f"{'':>6} state after the turns: {data['state_chars']:,} characters")
    print(
        f"\nedit ratio {large['shots']}/{small['shots']} shots: "
        f"propose {ratios['propose']:.2f}x, apply {ratios['apply']:.2f}x"
    )
    print(
        f"sent to the model in a turn calling a listing tool, {tools[0]['shots']} / "
        f"{tools[1]['shots']} shots (characters):"
    )
    for tool in LISTING_TOOLS:
        small_chars = tools[0]["chars"][tool]  # type: ignore[index]
        large_chars = tools[1]["chars"][tool]  # type: ignore[index]
        print(f"  {tool:>15}: {small_chars:>7,} / {large_chars:>7,}  ratio {tool_ratio[tool]:.2f}x")
    if long is not None:
        for key in ("turn_5", f"turn_{args.long}"):
            turn = long[key]  # type: ignore[index]
            print(
                f"checkpoint bytes of a hello turn at turn {turn['turn']}: "
                f"{turn['checkpoint_bytes']:,} ({turn['ms']:.1f} ms)"
            )
    if talk is not None:
        print(
            f"with an instant model: median turn {talk['median_ms']:.1f} ms, of which "
            f"{talk['median_outside_nodes_ms']:.1f} ms outside the nodes (graph and session); "
            f"CPU {talk['median_cpu_ms']:.1f} ms, {talk['median_outside_nodes_cpu_ms']:.1f} ms "
            "outside the nodes (checkpoint threads included)"
        )
        for key in ("turn_5", f"turn_{args.long}"):
            turn = talk[key]  # type: ignore[index]
            print(
                f"  turn {turn['turn']}: checkpoint bytes {turn['checkpoint_bytes']:,}, "
                f"sent to the model {turn['model_messages']} messages, "
                f"{turn['model_chars']:,} characters ({turn['ms']:.1f} ms)"
            )
        print(f"  messages shown by Session.history(): {talk['shown']:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
