"""Rollback: list what ran in a window, and run each compensating action once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from review_helpers import NOW

from c360guard import FrozenClock, Guard
from c360guard.errors import ReviewError
from c360guard.model import ReviewDecision, ReviewTicket
from c360guard.review import ReviewQueue, plan_rollback, run_rollback

FileTicket = Callable[..., ReviewTicket]


class FakeUnrouter:
    """A stand-in for the compensating tool: records what it was asked to undo."""

    def __init__(self, *, fail_for: str | None = None) -> None:
        self.undone: list[dict[str, Any]] = []
        self.fail_for = fail_for

    def __call__(self, **arguments: Any) -> None:
        if arguments.get("owner") == self.fail_for:
            raise RuntimeError("owner record locked")
        self.undone.append(arguments)


def _run_approved(guard: Guard, file_ticket: FileTicket, entity: str, owner: str) -> ReviewTicket:
    """File, approve and run a routing proposal, a minute after the previous one."""
    assert isinstance(guard.clock, FrozenClock)
    guard.clock.set(guard.now() + timedelta(minutes=1))
    ticket = file_ticket(entity, owner=owner)
    guard.decide(ticket, ReviewDecision.approve("ana"))
    guard.execute(ticket, lambda **_: "routed")
    return ticket


def test_dry_run_lists_what_ran_and_changes_nothing(
    guard: Guard, queue: ReviewQueue, file_ticket: FileTicket
) -> None:
    ran = _run_approved(guard, file_ticket, "acct_1", "ana@example.com")
    file_ticket("acct_2")  # pending: never ran, never listed

    steps = plan_rollback(queue, guard.contract, since=NOW - timedelta(hours=1))

    assert [(step.ticket.id, step.compensate, step.status) for step in steps] == [
        (ran.id, "unroute_expansion", "would_compensate")
    ]
    assert queue.get(ran.id).compensation is None


def test_real_run_compensates_each_action_once_with_its_arguments(
    guard: Guard, queue: ReviewQueue, file_ticket: FileTicket, clock: FrozenClock
) -> None:
    first = _run_approved(guard, file_ticket, "acct_1", "ana@example.com")
    second = _run_approved(guard, file_ticket, "acct_2", "bo@example.com")
    unroute = FakeUnrouter()
    since = NOW - timedelta(hours=1)

    steps = run_rollback(
        queue,
        guard.contract,
        {"unroute_expansion": unroute},
        since=since,
        by="owner@example.com",
        now=NOW + timedelta(hours=2),
    )
    again = run_rollback(
        queue, guard.contract, {"unroute_expansion": unroute}, since=since, by="x", now=NOW
    )

    assert [step.status for step in steps] == ["compensated", "compensated"]
    assert [call["owner"] for call in unroute.undone] == ["ana@example.com", "bo@example.com"]
    compensation = queue.get(first.id).compensation
    assert compensation is not None
    assert (compensation.by, compensation.action, compensation.outcome) == (
        "owner@example.com",
        "unroute_expansion",
        "succeeded",
    )
    assert queue.get(second.id).compensation is not None
    assert [step.status for step in again] == ["already_compensated"] * 2
    assert len(unroute.undone) == 2


def test_a_failing_compensation_is_recorded_and_the_rest_still_run(
    guard: Guard, queue: ReviewQueue, file_ticket: FileTicket
) -> None:
    first = _run_approved(guard, file_ticket, "acct_1", "ana@example.com")
    _run_approved(guard, file_ticket, "acct_2", "bo@example.com")
    unroute = FakeUnrouter(fail_for="ana@example.com")

    steps = run_rollback(
        queue,
        guard.contract,
        {"unroute_expansion": unroute},
        since=NOW - timedelta(hours=1),
        by="owner",
        now=NOW,
    )

    assert [step.status for step in steps] == ["failed", "compensated"]
    assert steps[0].error == "RuntimeError: owner record locked"
    recorded = queue.get(first.id).compensation
    assert recorded is not None
    assert recorded.outcome == "failed"


def test_a_missing_compensating_tool_stops_before_anything_runs(
    guard: Guard, queue: ReviewQueue, file_ticket: FileTicket
) -> None:
    ran = _run_approved(guard, file_ticket, "acct_1", "ana@example.com")

    with pytest.raises(ReviewError, match="no tool for compensating action"):
        run_rollback(queue, guard.contract, {}, since=NOW - timedelta(hours=1), by="o", now=NOW)

    assert queue.get(ran.id).compensation is None


def test_an_action_without_compensation_is_listed_but_not_run(
    guard: Guard, queue: ReviewQueue, file_ticket: FileTicket
) -> None:
    ticket = file_ticket("acct_1")
    guard.decide(ticket, ReviewDecision.approve("ana"))
    guard.execute(ticket, lambda **_: None)
    plain = guard.contract.model_copy(
        update={
            "actions": {
                **guard.contract.actions,
                "route_expansion": guard.contract.actions["route_expansion"].model_copy(
                    update={"compensate": None}
                ),
            }
        }
    )

    steps = run_rollback(queue, plain, {}, since=NOW - timedelta(hours=1), by="o", now=NOW)

    assert [step.status for step in steps] == ["no_compensation"]


def test_a_failed_run_has_nothing_to_compensate(
    guard: Guard, queue: ReviewQueue, file_ticket: FileTicket
) -> None:
    ticket = file_ticket("acct_1")
    guard.decide(ticket, ReviewDecision.approve("ana"))

    def broken(**_: Any) -> None:
        raise RuntimeError("timeout")

    with pytest.raises(RuntimeError):
        guard.execute(ticket, broken)

    steps = plan_rollback(queue, guard.contract, since=NOW - timedelta(hours=1))

    assert [step.status for step in steps] == ["run_failed"]
