"""The Guard's side of review: filing with provenance, decisions, re-checks, execute-once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from review_helpers import NOW, WORKFLOW, make_contract, make_profile, make_recommendation

from c360guard import FrozenClock, Guard
from c360guard.errors import PausedError, ReviewError, TicketDecidedError
from c360guard.model import Outcome, ReviewDecision, ReviewTicket, TicketStatus
from c360guard.review import PauseStore, ReviewQueue
from c360guard.testing import SpanCapture

FileTicket = Callable[..., ReviewTicket]


class FakeRouter:
    """A stand-in for the routing tool: records every call it gets."""

    def __init__(self, *, fail: bool = False) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail = fail

    def __call__(self, **arguments: Any) -> str:
        self.calls.append(arguments)
        if self.fail:
            raise RuntimeError("salesforce said no")
        return f"routed to {arguments['owner']}"


class NamedTool:
    """A tool in the LangChain shape: a name and an invoke method taking one dict."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.invoked: list[dict[str, Any]] = []

    def invoke(self, arguments: dict[str, Any]) -> str:
        self.invoked.append(arguments)
        return "ok"


def test_review_verdict_files_a_ticket_with_the_provenance_the_model_saw(
    guard: Guard, queue: ReviewQueue
) -> None:
    screening = guard.screen(make_profile())

    verdict = guard.check(make_recommendation(), screening)

    assert verdict.outcome is Outcome.REVIEW
    assert verdict.ticket is not None
    ticket = queue.get(verdict.ticket.id)
    assert ticket.provenance["usage_change_30d"].owner == "data-eng"
    assert ticket.provenance["usage_change_30d"].source_path == "warehouse.usage_change_30d"
    assert ticket.rollback_rule == guard.contract.rollback
    assert (ticket.workflow, ticket.contract_digest) == (WORKFLOW, guard.contract.digest)
    assert "review.required" in [finding.code for finding in ticket.findings]


def test_the_same_proposal_checked_twice_shares_one_ticket(file_ticket: FileTicket) -> None:
    first = file_ticket()

    second = file_ticket()

    assert second.id == first.id
    assert second.proposals == 2


def test_approved_ticket_runs_exactly_once(
    guard: Guard, queue: ReviewQueue, file_ticket: FileTicket
) -> None:
    ticket = file_ticket()
    guard.decide(ticket, ReviewDecision.approve("ana@example.com"))
    router = FakeRouter()

    result = guard.execute(ticket, router, by="copilot")

    assert result == "routed to ana@example.com"
    assert router.calls == [{"owner": "ana@example.com", "queue": "expansion"}]
    ran = queue.get(ticket.id).execution
    assert ran is not None
    assert (ran.by, ran.outcome, ran.at, ran.action) == (
        "copilot",
        "succeeded",
        NOW,
        "route_expansion",
    )
    with pytest.raises(TicketDecidedError, match="already ran"):
        guard.execute(ticket.id, router)
    assert len(router.calls) == 1


def test_pending_or_rejected_ticket_never_runs(guard: Guard, file_ticket: FileTicket) -> None:
    pending = file_ticket("acct_1")
    rejected = file_ticket("acct_2")
    guard.decide(rejected, ReviewDecision.reject("ana", "wrong account"))
    router = FakeRouter()

    for ticket in (pending, rejected):
        with pytest.raises(ReviewError, match="only an approved ticket runs"):
            guard.execute(ticket, router)

    assert router.calls == []


def test_failed_run_is_recorded_and_not_retried(
    guard: Guard, queue: ReviewQueue, file_ticket: FileTicket
) -> None:
    ticket = file_ticket()
    guard.decide(ticket, ReviewDecision.approve("ana"))
    router = FakeRouter(fail=True)

    with pytest.raises(RuntimeError, match="salesforce said no"):
        guard.execute(ticket, router)

    ran = queue.get(ticket.id).execution
    assert ran is not None
    assert (ran.outcome, ran.error) == ("failed", "RuntimeError: salesforce said no")
    with pytest.raises(TicketDecidedError):
        guard.execute(ticket, FakeRouter())


def test_nothing_runs_while_the_workflow_is_paused(
    guard: Guard, queue: ReviewQueue, file_ticket: FileTicket
) -> None:
    ticket = file_ticket()
    guard.decide(ticket, ReviewDecision.approve("ana"))
    guard.pause(by="owner@example.com", reason="bad routing data")
    router = FakeRouter()

    with pytest.raises(PausedError, match=r"paused by owner@example\.com"):
        guard.execute(ticket, router)

    assert router.calls == []
    assert queue.get(ticket.id).execution is None


def test_a_tool_named_for_another_action_is_refused(guard: Guard, file_ticket: FileTicket) -> None:
    ticket = file_ticket()
    guard.decide(ticket, ReviewDecision.approve("ana"))
    wrong = NamedTool("send_email")

    with pytest.raises(ReviewError, match="approved action route_expansion, not send_email"):
        guard.execute(ticket, wrong)

    assert wrong.invoked == []


def test_a_langchain_shaped_tool_is_invoked_with_one_dict(
    guard: Guard, file_ticket: FileTicket
) -> None:
    ticket = file_ticket()
    guard.decide(ticket, ReviewDecision.approve("ana"))
    tool = NamedTool("route_expansion")

    guard.execute(ticket, tool)

    assert tool.invoked == [{"owner": "ana@example.com", "queue": "expansion"}]


def test_edit_waits_for_the_guards_recheck_before_it_can_run(
    guard: Guard, file_ticket: FileTicket
) -> None:
    ticket = file_ticket()

    edited = guard.decide(ticket, ReviewDecision.edit("ana", {"owner": "bo@example.com"}))

    assert edited.status is TicketStatus.EDITED
    with pytest.raises(ReviewError, match="re-check"):
        guard.execute(ticket, FakeRouter())


def test_rechecked_edit_is_approved_and_runs_with_the_new_arguments(
    guard: Guard, queue: ReviewQueue, file_ticket: FileTicket
) -> None:
    ticket = file_ticket()
    guard.decide(ticket, ReviewDecision.edit("ana", {"owner": "bo@example.com"}))
    router = FakeRouter()

    verdict = guard.recheck(ticket, guard.screen(make_profile()))
    guard.execute(ticket, router)

    assert verdict.outcome is Outcome.REVIEW  # route_expansion is always reviewed; not a block
    settled = queue.get(ticket.id)
    assert settled.status is TicketStatus.APPROVED
    assert settled.reviewer == "ana"
    assert "review.required" in settled.recheck_codes
    assert router.calls == [{"owner": "bo@example.com"}]


def test_edit_with_a_screening_is_rechecked_at_once(guard: Guard, file_ticket: FileTicket) -> None:
    ticket = file_ticket()

    decided = guard.decide(
        ticket,
        ReviewDecision.edit("ana", {"owner": "bo@example.com"}),
        screening=guard.screen(make_profile()),
    )

    assert decided.status is TicketStatus.APPROVED
    assert decided.rechecked_at == NOW


def test_edit_the_guard_would_block_is_rejected(
    guard: Guard, queue: ReviewQueue, file_ticket: FileTicket
) -> None:
    ticket = file_ticket()
    guard.decide(ticket, ReviewDecision.edit("ana", {"owner": "bo@example.com"}))
    escalated = guard.screen(make_profile(open_escalation_severity="sev1"))

    verdict = guard.recheck(ticket, escalated)

    assert verdict.outcome is Outcome.BLOCK
    settled = queue.get(ticket.id)
    assert settled.status is TicketStatus.REJECTED
    assert "suppression.active" in settled.recheck_codes
    with pytest.raises(ReviewError):
        guard.execute(ticket, FakeRouter())


def test_recheck_needs_an_edited_ticket_and_the_same_entity(
    guard: Guard, file_ticket: FileTicket
) -> None:
    pending = file_ticket("acct_1")
    edited = file_ticket("acct_2")
    guard.decide(edited, ReviewDecision.edit("ana", {"owner": "bo@example.com"}))

    with pytest.raises(ReviewError, match="only an edited ticket is re-checked"):
        guard.recheck(pending, guard.screen(make_profile("acct_1")))
    with pytest.raises(ReviewError, match="re-check with a screening of acct_2"):
        guard.recheck(edited, guard.screen(make_profile("acct_1")))


def test_a_guard_of_another_workflow_cannot_decide_the_ticket(
    queue: ReviewQueue, pause_store: PauseStore, file_ticket: FileTicket
) -> None:
    ticket = file_ticket()
    other = Guard(make_contract(workflow="other_flow"), review_queue=queue, pause_store=pause_store)

    with pytest.raises(ReviewError, match="belongs to workflow expansion_routing"):
        other.decide(ticket, ReviewDecision.approve("ana"))


def test_a_guard_without_a_queue_says_how_to_get_one(pause_store: PauseStore) -> None:
    guard = Guard(make_contract(), pause_store=pause_store)

    with pytest.raises(ReviewError, match="review_queue=SQLiteReviewQueue"):
        guard.decide("t-1", ReviewDecision.approve("ana"))


def test_decisions_and_runs_are_traced(
    queue: ReviewQueue, pause_store: PauseStore, clock: FrozenClock
) -> None:
    spans = SpanCapture()
    guard = Guard(
        make_contract(),
        clock=clock,
        review_queue=queue,
        pause_store=pause_store,
        tracer_provider=spans.provider,
    )
    ticket = guard.check(make_recommendation(), guard.screen(make_profile())).ticket
    assert ticket is not None

    guard.decide(ticket, ReviewDecision.approve("ana@example.com"))
    guard.execute(ticket, FakeRouter())

    review = spans.one("c360guard.review", {"c360guard.review.ticket_id": ticket.id})
    assert review.attributes is not None
    assert review.attributes["c360guard.review.decision"] == "approve"
    assert review.attributes["c360guard.review.reviewer"] == "ana@example.com"
    assert spans.find("c360guard.tool route_expansion", {"c360guard.review.ticket_id": ticket.id})
