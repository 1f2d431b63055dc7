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
    expected = ["breakdown", "elements", "models", "segments", "storyboard", "confirm_storyboard"]
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
    assert routing.route_confirm_cost({"decision": {"action": "feedback"}}) == "models"
    assert routing.route_confirm_storyboard({"decision": {"action": "approve"}}) == "planned"
    with_proposal = {"decision": {"action": "feedback"}, "proposal": {"modifications": []}}
    assert routing.route_confirm_storyboard(with_proposal) == "confirm_changes"
    assert routing.route_confirm_storyboard({"decision": {"action": "feedback"}}) == (
        "confirm_storyboard"
    )


def test_after_a_failed_gate_the_human_continues_retries_or_stops() -> None:
    state = {"verdict": verdict(False, "model_selection", False)}
    assert routing.route_ask_human({**state, "decision": {"action": "approve"}}) == "segments"
    assert routing.route_ask_human({**state, "decision": {"action": "feedback"}}) == "models"
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
