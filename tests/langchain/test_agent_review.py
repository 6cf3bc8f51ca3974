"""Review verdicts interrupt a checkpointed run; a person's answer resumes it."""

from __future__ import annotations

from typing import Any

import pytest
from copilot_helpers import ask, codes, outcome, tool_messages
from examples.csm_copilot import Copilot, ScriptedChatModel, build_copilot, call, calls, reason
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from c360guard.langchain import GuardSession
from c360guard.review import SQLiteReviewQueue, TicketStatus

ROUTE = {
    "account_id": "acct_4410",
    "account_owner": "mchen",
    "reasons": [reason("SEAT_PRESSURE", "seats_used", "seats_purchased")],
    "confidence": 0.9,
}
CONFIG = {"configurable": {"thread_id": "review-1"}}
ANA = {"reviewer": "ana@example.com"}


def expansion_copilot(
    session: GuardSession, queue: SQLiteReviewQueue | None, *steps: AIMessage
) -> Copilot:
    model = ScriptedChatModel(
        script=[
            call("get_account_profile", {"account_id": "acct_4410"}, "read"),
            *steps,
            AIMessage("Done."),
        ]
    )
    return build_copilot(
        "expansion", model=model, session=session, review_queue=queue, checkpointer=InMemorySaver()
    )


def route(copilot: Copilot, **answer: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run until the review interrupt, then resume with `answer` as Ana."""
    paused = copilot.agent.invoke(ask(), CONFIG, context=ANA)
    resumed = copilot.agent.invoke(Command(resume=answer), CONFIG, context=ANA)
    return paused, resumed


def test_a_review_verdict_interrupts_and_an_approval_runs_the_action_once(
    session: GuardSession, queue: SQLiteReviewQueue
) -> None:
    copilot = expansion_copilot(session, queue, call("route_expansion", ROUTE, "route"))

    paused, resumed = route(copilot, type="approve")

    question = paused["__interrupt__"][0].value
    assert question["type"] == "c360guard_review"
    assert question["codes"] == ["review.required"]
    assert question["arguments"] == {"account_id": "acct_4410", "account_owner": "mchen"}
    ticket = queue.get(question["ticket_id"])
    assert ticket.status is TicketStatus.APPROVED
    assert ticket.reviewer == "ana@example.com"
    assert ticket.execution is not None
    assert ticket.execution.outcome == "succeeded"
    assert outcome(tool_messages(resumed)["route"]) == "ran"
    assert copilot.backend.outbox.actions() == ["route_expansion"]


def test_nothing_runs_while_the_run_waits_for_a_person(
    session: GuardSession, queue: SQLiteReviewQueue
) -> None:
    copilot = expansion_copilot(session, queue, call("route_expansion", ROUTE, "route"))

    paused = copilot.agent.invoke(ask(), CONFIG, context=ANA)

    assert paused["__interrupt__"]
    assert copilot.backend.outbox.sent == []
    assert queue.get(paused["__interrupt__"][0].value["ticket_id"]).status is (TicketStatus.PENDING)


def test_a_rejection_keeps_the_action_from_running(
    session: GuardSession, queue: SQLiteReviewQueue
) -> None:
    copilot = expansion_copilot(session, queue, call("route_expansion", ROUTE, "route"))

    paused, resumed = route(copilot, type="reject", note="mchen is on leave")

    message = tool_messages(resumed)["route"]
    assert outcome(message) == "rejected"
    assert "mchen is on leave" in message.content
    assert queue.get(paused["__interrupt__"][0].value["ticket_id"]).status is (
        TicketStatus.REJECTED
    )
    assert copilot.backend.outbox.sent == []


def test_an_edit_runs_with_the_reviewers_arguments(
    session: GuardSession, queue: SQLiteReviewQueue
) -> None:
    copilot = expansion_copilot(session, queue, call("route_expansion", ROUTE, "route"))
    edited = {"account_id": "acct_4410", "account_owner": "jdoe"}

    paused, _ = route(copilot, type="edit", arguments=edited, note="jdoe covers robotics")

    ticket = queue.get(paused["__interrupt__"][0].value["ticket_id"])
    assert ticket.status is TicketStatus.APPROVED
    assert ticket.edited_arguments == edited
    assert copilot.backend.outbox.sent == [{"action": "route_expansion", "arguments": edited}]


def test_an_edit_that_fails_the_guards_check_never_runs(
    session: GuardSession, queue: SQLiteReviewQueue
) -> None:
    copilot = expansion_copilot(session, queue, call("route_expansion", ROUTE, "route"))
    # `arr` is a profile field route_expansion may not write to Salesforce.
    edited = {"account_id": "acct_4410", "account_owner": "mchen", "arr": 1}

    _, resumed = route(copilot, type="edit", arguments=edited)

    message = tool_messages(resumed)["route"]
    assert outcome(message) == "blocked"
    assert "destination.field_not_allowed" in message.content
    assert copilot.backend.outbox.sent == []


def test_the_reviewer_is_whoever_the_run_context_names_never_the_answer(
    session: GuardSession, queue: SQLiteReviewQueue
) -> None:
    copilot = expansion_copilot(session, queue, call("route_expansion", ROUTE, "route"))

    paused, _ = route(copilot, type="approve", reviewer="mallory@example.com")

    ticket = queue.get(paused["__interrupt__"][0].value["ticket_id"])
    assert ticket.reviewer == "ana@example.com"


def test_an_answer_without_a_reviewer_in_the_context_is_not_applied(
    session: GuardSession, queue: SQLiteReviewQueue
) -> None:
    copilot = expansion_copilot(session, queue, call("route_expansion", ROUTE, "route"))

    paused = copilot.agent.invoke(ask(), CONFIG)
    resumed = copilot.agent.invoke(Command(resume={"type": "approve"}), CONFIG)

    assert outcome(tool_messages(resumed)["route"]) == "pending_review"
    ticket_id = paused["__interrupt__"][0].value["ticket_id"]
    assert queue.get(ticket_id).status is TicketStatus.PENDING
    assert copilot.backend.outbox.sent == []


def test_a_pause_while_waiting_keeps_an_approved_action_from_running(
    session: GuardSession, queue: SQLiteReviewQueue
) -> None:
    copilot = expansion_copilot(session, queue, call("route_expansion", ROUTE, "route"))
    paused = copilot.agent.invoke(ask(), CONFIG, context=ANA)

    copilot.guard.pause(by="revops@example.com", reason="territory reshuffle")
    resumed = copilot.agent.invoke(Command(resume={"type": "approve"}), CONFIG, context=ANA)

    assert paused["__interrupt__"]
    message = tool_messages(resumed)["route"]
    assert outcome(message) == "blocked"
    assert "territory reshuffle" in message.content
    assert copilot.backend.outbox.sent == []


def test_a_malformed_answer_is_refused_and_the_question_stays_open(
    session: GuardSession, queue: SQLiteReviewQueue
) -> None:
    copilot = expansion_copilot(session, queue, call("route_expansion", ROUTE, "route"))
    copilot.agent.invoke(ask(), CONFIG, context=ANA)

    with pytest.raises(ValueError, match="rejection needs a note"):
        copilot.agent.invoke(Command(resume={"type": "reject"}), CONFIG, context=ANA)
    resumed = copilot.agent.invoke(Command(resume={"type": "approve"}), CONFIG, context=ANA)

    assert outcome(tool_messages(resumed)["route"]) == "ran"


def test_parallel_reviews_are_answered_one_by_one(
    session: GuardSession, queue: SQLiteReviewQueue
) -> None:
    other = {**ROUTE, "account_owner": "jdoe"}
    copilot = expansion_copilot(
        session,
        queue,
        calls(("route_expansion", ROUTE, "first"), ("route_expansion", other, "second")),
    )

    paused = copilot.agent.invoke(ask(), CONFIG, context=ANA)
    answers = {
        pending.id: (
            {"type": "approve"}
            if pending.value["tool_call_id"] == "first"
            else {"type": "reject", "note": "one lead is enough"}
        )
        for pending in paused["__interrupt__"]
    }
    resumed = copilot.agent.invoke(Command(resume=answers), CONFIG, context=ANA)

    messages = tool_messages(resumed)
    assert (outcome(messages["first"]), outcome(messages["second"])) == ("ran", "rejected")
    assert copilot.backend.outbox.sent == [
        {
            "action": "route_expansion",
            "arguments": {"account_id": "acct_4410", "account_owner": "mchen"},
        }
    ]


def test_without_a_checkpointer_a_review_verdict_leaves_a_pending_ticket(
    session: GuardSession, queue: SQLiteReviewQueue
) -> None:
    model = ScriptedChatModel(
        script=[
            call("get_account_profile", {"account_id": "acct_4410"}, "read"),
            call("route_expansion", ROUTE, "route"),
        ]
    )
    copilot = build_copilot("expansion", model=model, session=session, review_queue=queue)

    result = copilot.agent.invoke(ask())

    message = tool_messages(result)["route"]
    assert outcome(message) == "review"
    assert codes(message) == ["review.required"]
    assert len(queue.tickets(status=TicketStatus.PENDING)) == 1
    assert copilot.backend.outbox.sent == []


async def test_an_async_run_interrupts_and_resumes_the_same_way(
    session: GuardSession, queue: SQLiteReviewQueue
) -> None:
    copilot = expansion_copilot(session, queue, call("route_expansion", ROUTE, "route"))

    paused = await copilot.agent.ainvoke(ask(), CONFIG, context=ANA)
    resumed = await copilot.agent.ainvoke(Command(resume={"type": "approve"}), CONFIG, context=ANA)

    assert paused["__interrupt__"][0].value["codes"] == ["review.required"]
    assert outcome(tool_messages(resumed)["route"]) == "ran"
    assert copilot.backend.outbox.actions() == ["route_expansion"]
