"""The graph's routers are pure: the checkpoints' decisions, tested with plain states."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from storycore.agent import routing


def verdict(ok: bool, gate: str = "breakdown", repairable: bool = True) -> dict:
    return {
        "gate": gate,
        "ok": ok,
        "passed": [],
        "failures": [] if ok else ["x"],
        "repairable": repairable,
    }


def test_entry_plans_a_brief_and_converses_on_a_message() -> None:
    assert routing.route_entry({"request": "plan", "brief_text": "A story."}) == "intake"
    assert (
        routing.route_entry(
            {"request": "message", "messages": [HumanMessage("make shot 3 a close-up")]}
        )
        == "converse"
    )
    assert routing.route_entry({"request": "message", "messages": [AIMessage("done")]}) == "__end__"


def test_a_passing_gate_goes_to_the_next_phase_in_order() -> None:
    order = ["structure", "breakdown", "elements", "model_selection", "segments", "storyboard"]
    expected = [
        "breakdown",
        "elements",
        "model_selection",
        "segments",
        "storyboard",
        "confirm_storyboard",
    ]
    for gate, nxt in zip(order, expected, strict=True):
        assert routing.route_gate(gate)({"verdict": verdict(True, gate)}) == nxt


def test_paid_models_stop_at_the_cost_confirmation() -> None:
    route = routing.route_gate("model_selection")
    assert route({"verdict": verdict(True, "model_selection"), "cost_usd": 12.5}) == "confirm_cost"
    assert route({"verdict": verdict(True, "model_selection"), "cost_usd": 0.0}) == "segments"


def test_a_failing_gate_is_repaired_a_bounded_number_of_times_then_asks() -> None:
    route = routing.route_gate("breakdown")
    for count in range(1, routing.MAX_REPAIRS + 1):
        state = {"verdict": verdict(False), "repairs": {"breakdown": count}}
        assert route(state) == "breakdown"
    over = {"verdict": verdict(False), "repairs": {"breakdown": routing.MAX_REPAIRS + 1}}
    assert route(over) == "ask_human"
    assert route({"verdict": verdict(False, repairable=False), "repairs": {}}) == "ask_human"


def test_confirmations_follow_the_human_decision() -> None:
    assert routing.route_confirm_brief({"decision": {"action": "approve"}}) == "structure"
    assert routing.route_confirm_brief({"decision": {"action": "edit"}}) == "intake"
    assert routing.route_confirm_brief({"decision": {"action": "reject"}}) == "__end__"
    assert routing.route_confirm_cost({"decision": {"action": "feedback"}}) == "model_selection"
    assert routing.route_confirm_storyboard({"decision": {"action": "approve"}}) == "planned"
    with_proposal = {"decision": {"action": "feedback"}, "proposal": {"modifications": []}}
    assert routing.route_confirm_storyboard(with_proposal) == "confirm_changes"
    assert routing.route_confirm_storyboard({"decision": {"action": "feedback"}}) == (
        "confirm_storyboard"
    )


def test_after_a_failed_gate_the_human_continues_retries_or_stops() -> None:
    state = {"verdict": verdict(False, "model_selection", False)}
    assert routing.route_ask_human({**state, "decision": {"action": "approve"}}) == "segments"
    assert (
        routing.route_ask_human({**state, "decision": {"action": "feedback"}}) == "model_selection"
    )
    assert routing.route_ask_human({**state, "decision": {"action": "reject"}}) == "__end__"


def test_tool_calls_that_change_the_plan_are_reviewed_first() -> None:
    call = {"name": "set_shot_field", "args": {}, "id": "c1"}
    read = {"name": "get_shot", "args": {"shot_id": "shot_01"}, "id": "c2"}
    assert routing.route_converse({"messages": [AIMessage("", tool_calls=[call, read])]}) == (
        "review_changes"
    )
    assert routing.route_converse({"messages": [AIMessage("", tool_calls=[read])]}) == "run_tools"
    assert routing.route_converse({"messages": [AIMessage("Done.")]}) == "__end__"


def test_after_a_change_the_model_hears_the_result_when_it_asked_for_it() -> None:
    asked = [
        HumanMessage("x"),
        AIMessage("", tool_calls=[{"name": "remove_shot", "args": {}, "id": "c1"}]),
        ToolMessage("ok", tool_call_id="c1"),
    ]
    assert routing.route_after_change({"phase": "planned", "messages": asked}) == "converse"
    typed = [HumanMessage("remove shot 7"), AIMessage("Applied.")]
    assert routing.route_after_change({"phase": "planned", "messages": typed}) == "__end__"
    assert routing.route_after_change({"phase": "storyboard", "messages": typed}) == (
        "confirm_storyboard"
    )


def test_every_mutating_catalog_tool_is_confirmed_and_no_read_only_one_is() -> None:
    from storycore.tools import catalog

    specs = catalog.catalog()
    assert any(spec.mutating for spec in specs) and any(not spec.mutating for spec in specs)
    for spec in specs:
        call = {"name": spec.name, "args": {}, "id": "c1"}
        routed = routing.route_converse({"messages": [AIMessage("", tool_calls=[call])]})
        assert routed == ("review_changes" if spec.mutating else "run_tools"), spec.name
    assert {s.name for s in specs if s.mutating} == routing.MUTATING_TOOLS


def test_the_phase_order_is_one_table_and_each_node_is_named_like_its_phase() -> None:
    from typing import get_args, get_type_hints

    from storycore.agent.graph import build_builder
    from storycore.tools.domain import Phase

    assert routing.PHASES == (
        Phase.STRUCTURE,
        Phase.BREAKDOWN,
        Phase.ELEMENTS,
        Phase.MODEL_SELECTION,
        Phase.SEGMENTS,
        Phase.STORYBOARD,
    )
    nodes = set(build_builder().nodes)
    for phase in routing.PHASES:
        assert phase.value in nodes and f"check_{phase.value}" in nodes
        route = routing.route_gate(phase.value)
        targets = set(get_args(get_type_hints(route)["return"]))
        assert targets == set(routing.gate_targets(phase.value))
        assert route({"verdict": verdict(True, phase.value)}) in targets
    assert "models" not in nodes


def test_every_router_names_its_targets_in_its_return_type() -> None:
    from typing import Literal, get_args, get_origin, get_type_hints

    from storycore.agent.graph import build_builder

    nodes = {*build_builder().nodes, "__end__"}
    routers = [getattr(routing, name) for name in dir(routing) if name.startswith("route_")]
    routers = [r for r in routers if r is not routing.route_gate]
    assert len(routers) >= 9
    for router in routers:
        returned = get_type_hints(router)["return"]
        assert get_origin(returned) is Literal, router.__name__
        assert set(get_args(returned)) <= nodes, router.__name__
