"""The review queue's behaviour, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from review_helpers import NOW, WORKFLOW, make_ticket

from c360guard.errors import ReviewError, TicketDecidedError, UnknownTicketError
from c360guard.model import DecisionKind, ExecutionRecord, ReviewDecision, TicketStatus
from c360guard.review import ReviewQueue
from conftest import Stores


def test_filed_ticket_reads_back_as_filed(queue: ReviewQueue) -> None:
    ticket = make_ticket()

    filed = queue.submit(ticket)

    assert filed == ticket
    assert queue.get(ticket.id) == ticket


def test_ticket_survives_reopening_the_store(stores: Stores) -> None:
    ticket = stores.queue().submit(make_ticket())

    reopened = stores.queue()

    assert reopened.get(ticket.id) == ticket


def test_same_pending_proposal_attaches_to_the_existing_ticket(queue: ReviewQueue) -> None:
    first = queue.submit(make_ticket())

    again = queue.submit(make_ticket())

    assert again.id == first.id
    assert again.proposals == 2
    assert len(queue.tickets()) == 1


def test_different_arguments_file_a_second_ticket(queue: ReviewQueue) -> None:
    first = queue.submit(make_ticket(owner="ana@example.com"))

    second = queue.submit(make_ticket(owner="bo@example.com"))

    assert second.id != first.id
    assert len(queue.tickets()) == 2


def test_same_proposal_after_a_decision_files_a_new_ticket(queue: ReviewQueue) -> None:
    first = queue.submit(make_ticket())
    queue.decide(first.id, ReviewDecision.reject("ana", "wrong owner"), at=NOW)

    second = queue.submit(make_ticket())

    assert second.id != first.id
    assert second.status is TicketStatus.PENDING


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        (ReviewDecision.approve("ana", note="looks right"), TicketStatus.APPROVED),
        (ReviewDecision.reject("ana", "renewal already signed"), TicketStatus.REJECTED),
        (ReviewDecision.edit("ana", {"owner": "bo@example.com"}), TicketStatus.EDITED),
        (ReviewDecision.expire("ana"), TicketStatus.EXPIRED),
    ],
)
def test_decision_sets_status_and_records_the_reviewer(
    queue: ReviewQueue, decision: ReviewDecision, status: TicketStatus
) -> None:
    ticket = queue.submit(make_ticket())

    decided = queue.decide(ticket.id, decision, at=NOW + timedelta(minutes=5))

    assert decided.status is status
    assert decided.decision is decision.kind
    assert decided.reviewer == "ana"
    assert decided.note == decision.note
    assert decided.decided_at == NOW + timedelta(minutes=5)
    assert queue.get(ticket.id) == decided


def test_edit_keeps_the_full_changed_arguments(queue: ReviewQueue) -> None:
    ticket = queue.submit(make_ticket())

    decided = queue.decide(
        ticket.id, ReviewDecision.edit("ana", {"owner": "bo@example.com", "queue": "x"}), at=NOW
    )

    assert decided.edited_arguments == {"owner": "bo@example.com", "queue": "x"}
    assert decided.arguments == {"owner": "bo@example.com", "queue": "x"}
    assert decided.recommendation.arguments == make_ticket().recommendation.arguments


def test_second_decision_on_a_decided_ticket_is_refused(queue: ReviewQueue) -> None:
    ticket = queue.submit(make_ticket())
    queue.decide(ticket.id, ReviewDecision.approve("ana"), at=NOW)

    with pytest.raises(TicketDecidedError, match="already approved by ana"):
        queue.decide(ticket.id, ReviewDecision.reject("bo", "no"), at=NOW)

    assert queue.get(ticket.id).reviewer == "ana"


def test_unknown_ticket_is_a_clear_error(queue: ReviewQueue) -> None:
    with pytest.raises(UnknownTicketError, match="no review ticket 'nope'"):
        queue.decide("nope", ReviewDecision.approve("ana"), at=NOW)
    with pytest.raises(UnknownTicketError):
        queue.get("nope")


def test_edit_that_changes_nothing_is_refused(queue: ReviewQueue) -> None:
    ticket = queue.submit(make_ticket())

    with pytest.raises(ReviewError, match="changes no argument"):
        queue.decide(ticket.id, ReviewDecision.edit("ana", ticket.arguments), at=NOW)

    assert queue.get(ticket.id).status is TicketStatus.PENDING


def test_misleading_field_must_have_been_shown(queue: ReviewQueue) -> None:
    ticket = queue.submit(make_ticket())
    decision = ReviewDecision.reject("ana", "wrong", misleading_fields=["shoe_size"])

    with pytest.raises(ReviewError, match="shoe_size was not shown to the model"):
        queue.decide(ticket.id, decision, at=NOW)

    assert queue.get(ticket.id).status is TicketStatus.PENDING
    assert queue.feedback() == []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"kind": "reject", "reviewer": "ana"}, "a rejection needs a reason"),
        ({"kind": "edit", "reviewer": "ana", "arguments": {}}, "an edit needs the changed"),
        ({"kind": "approve", "reviewer": "ana", "arguments": {"a": 1}}, "only an edit carries"),
        ({"kind": "approve", "reviewer": " "}, "reviewer's identity"),
        (
            {"kind": "approve", "reviewer": "ana", "misleading_fields": ["arr"]},
            "only a rejection or an edit can name misleading fields",
        ),
        ({"kind": "maybe", "reviewer": "ana"}, "kind"),
    ],
)
def test_malformed_decision_is_refused_before_it_reaches_a_store(
    data: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        ReviewDecision.model_validate(data)


def test_only_pending_tickets_can_be_filed(queue: ReviewQueue) -> None:
    decided = make_ticket().model_copy(update={"status": TicketStatus.APPROVED})

    with pytest.raises(ReviewError, match="only a pending ticket can be filed"):
        queue.submit(decided)


def test_reusing_a_ticket_id_is_refused(queue: ReviewQueue) -> None:
    first = queue.submit(make_ticket(ticket_id="t-1"))
    queue.decide(first.id, ReviewDecision.expire("sweeper"), at=NOW)

    with pytest.raises(ReviewError, match="t-1 is already filed"):
        queue.submit(make_ticket(ticket_id="t-1"))


def test_listing_filters_by_status_and_workflow(queue: ReviewQueue) -> None:
    kept = queue.submit(make_ticket("acct_1"))
    decided = queue.submit(make_ticket("acct_2"))
    queue.decide(decided.id, ReviewDecision.approve("ana"), at=NOW)

    pending = queue.tickets(status=TicketStatus.PENDING)

    assert [ticket.id for ticket in pending] == [kept.id]
    assert len(queue.tickets(workflow=WORKFLOW, limit=None)) == 2
    assert queue.tickets(workflow="other") == []


def test_feedback_reaches_the_owner_of_each_misleading_field(queue: ReviewQueue) -> None:
    ticket = queue.submit(make_ticket())
    decision = ReviewDecision.reject(
        "ana", "usage is a workspace spike", misleading_fields=["usage_change_30d", "arr"]
    )

    queue.decide(ticket.id, decision, at=NOW)

    by_owner = {row.owner: row for row in queue.feedback()}
    assert set(by_owner) == {"data-eng", "finance"}
    usage = by_owner["data-eng"]
    assert (usage.field, usage.source, usage.reviewer) == ("usage_change_30d", "warehouse", "ana")
    assert usage.decision is DecisionKind.REJECT
    assert usage.note == "usage is a workspace spike"
    assert [row.field for row in queue.feedback(owner="finance")] == ["arr"]
    assert [row.owner for row in queue.feedback(field="usage_change_30d")] == ["data-eng"]


def test_decision_counts_person_decisions_and_overrides_in_the_window(queue: ReviewQueue) -> None:
    decisions = [
        ReviewDecision.approve("ana"),
        ReviewDecision.reject("ana", "no"),
        ReviewDecision.edit("ana", {"owner": "bo@example.com"}),
        ReviewDecision.expire("sweeper"),
    ]
    for index, decision in enumerate(decisions):
        ticket = queue.submit(make_ticket(f"acct_{index}"))
        queue.decide(ticket.id, decision, at=NOW)
    old = queue.submit(make_ticket("acct_old"))
    queue.decide(old.id, ReviewDecision.reject("ana", "old"), at=NOW - timedelta(days=30))

    counts = queue.decision_counts(WORKFLOW, since=NOW - timedelta(days=7))

    assert (counts.decisions, counts.overrides) == (3, 2)
    assert counts.rate == pytest.approx(2 / 3)


def test_approved_ticket_runs_once(queue: ReviewQueue) -> None:
    ticket = queue.submit(make_ticket())
    queue.decide(ticket.id, ReviewDecision.approve("ana"), at=NOW)
    record = ExecutionRecord(at=NOW, by="agent-1", action="route_expansion")

    queue.claim_execution(ticket.id, record)
    finished = queue.finish_execution(ticket.id)

    assert finished.execution is not None
    assert (finished.execution.outcome, finished.execution.by) == ("succeeded", "agent-1")
    assert finished.executed_at == NOW
    with pytest.raises(TicketDecidedError, match="already ran"):
        queue.claim_execution(ticket.id, record)


@pytest.mark.parametrize("decision", [ReviewDecision.reject("ana", "no"), None])
def test_only_an_approved_ticket_can_run(
    queue: ReviewQueue, decision: ReviewDecision | None
) -> None:
    ticket = queue.submit(make_ticket())
    if decision is not None:
        queue.decide(ticket.id, decision, at=NOW)

    with pytest.raises(ReviewError, match="only an approved ticket runs"):
        queue.claim_execution(ticket.id, ExecutionRecord(at=NOW, by="agent-1"))

    assert queue.get(ticket.id).execution is None


def test_executed_lists_runs_in_the_window_oldest_first(queue: ReviewQueue) -> None:
    ran = []
    for hours, entity in ((3, "acct_1"), (1, "acct_2"), (30, "acct_3")):
        ticket = queue.submit(make_ticket(entity))
        queue.decide(ticket.id, ReviewDecision.approve("ana"), at=NOW)
        at = NOW - timedelta(hours=hours)
        queue.claim_execution(ticket.id, ExecutionRecord(at=at, by="agent"))
        ran.append(ticket.id)

    found = queue.executed(WORKFLOW, since=NOW - timedelta(hours=24))

    assert [ticket.id for ticket in found] == [ran[0], ran[1]]
    assert queue.executed(WORKFLOW, since=NOW - timedelta(days=2), until=NOW - timedelta(hours=2))
