"""Durable pauses shared by every Guard on one store, and the override-rate pause."""

from __future__ import annotations

from datetime import timedelta

import pytest
from review_helpers import NOW, WORKFLOW, Stores, make_contract, make_profile, make_recommendation

from c360guard import FrozenClock, Guard
from c360guard.model import Outcome, PauseState, ReviewDecision
from c360guard.review import AUTO_PAUSE_ACTOR, PauseStore, ReviewQueue, SQLitePauseStore
from c360guard.testing import SpanCapture


def _guard(stores: Stores, clock: FrozenClock, **contract: object) -> Guard:
    """A Guard with its own connections to the test database: another replica, in effect."""
    return Guard(
        make_contract(**contract),
        clock=clock,
        review_queue=stores.queue(),
        pause_store=stores.pause_store(),
    )


def _decide_many(guard: Guard, decisions: list[ReviewDecision]) -> None:
    for index, decision in enumerate(decisions):
        screening = guard.screen(make_profile(f"acct_{index}", at=guard.now()))
        ticket = guard.check(make_recommendation(), screening).ticket
        assert ticket is not None
        guard.decide(ticket, decision)


def test_pause_by_one_guard_blocks_the_next_check_of_another(
    stores: Stores, clock: FrozenClock
) -> None:
    pausing, other = _guard(stores, clock), _guard(stores, clock)
    screening = other.screen(make_profile())

    pausing.pause(by="owner@example.com", reason="bad routing data")
    verdict = other.check(make_recommendation(action="create_cs_task"), screening)

    assert verdict.outcome is Outcome.BLOCK
    assert "workflow.paused" in verdict.codes


def test_resume_lets_the_next_check_through(stores: Stores, clock: FrozenClock) -> None:
    pausing, other = _guard(stores, clock), _guard(stores, clock)
    pausing.pause(by="owner@example.com", reason="bad routing data")

    lifted = pausing.resume(by="owner@example.com")
    verdict = other.check(
        make_recommendation(action="create_cs_task"), other.screen(make_profile())
    )

    assert lifted is not None
    assert lifted.reason == "bad routing data"
    assert "workflow.paused" not in verdict.codes


def test_an_existing_pause_is_kept(pause_store: PauseStore) -> None:
    first = PauseState(workflow=WORKFLOW, by="ana", reason="first", since=NOW)
    second = PauseState(workflow=WORKFLOW, by="bo", reason="second", since=NOW)

    pause_store.pause(first)
    held = pause_store.pause(second)

    assert held == first
    assert pause_store.get(WORKFLOW) == first


def test_resuming_a_running_workflow_changes_nothing(pause_store: PauseStore) -> None:
    assert pause_store.resume(WORKFLOW, by="ana", at=NOW) is None
    assert pause_store.last_resumed(WORKFLOW) is None


def test_pause_survives_reopening_the_store(stores: Stores) -> None:
    state = PauseState(workflow=WORKFLOW, by="ana", reason="audit", since=NOW)
    stores.pause_store().pause(state)

    assert stores.pause_store().get(WORKFLOW) == state


def test_pauses_and_resumes_are_logged(stores: Stores) -> None:
    store = stores.pause_store()
    store.pause(PauseState(workflow=WORKFLOW, by="ana", reason="audit", since=NOW))
    store.resume(WORKFLOW, by="bo", at=NOW + timedelta(hours=1))

    history = store.history(WORKFLOW)  # type: ignore[attr-defined]

    assert [(event["event"], event["actor"]) for event in history] == [
        ("pause", "ana"),
        ("resume", "bo"),
    ]
    assert store.last_resumed(WORKFLOW) == NOW + timedelta(hours=1)


def test_override_rate_above_the_threshold_pauses_the_workflow(
    stores: Stores, clock: FrozenClock
) -> None:
    guard = _guard(stores, clock)  # pauses above 50% with at least 4 decisions
    decisions = [
        ReviewDecision.approve("ana"),
        ReviewDecision.reject("ana", "wrong owner"),
        ReviewDecision.reject("ana", "wrong owner"),
        ReviewDecision.edit("ana", {"owner": "bo@example.com"}),
    ]

    _decide_many(guard, decisions)

    paused = stores.pause_store().get(WORKFLOW)
    assert paused is not None
    assert paused.automatic
    assert paused.by == AUTO_PAUSE_ACTOR
    assert "75% (3 of 4 decisions) passed 50%" in paused.reason


def test_too_few_decisions_never_pause(stores: Stores, clock: FrozenClock) -> None:
    guard = _guard(stores, clock)

    _decide_many(guard, [ReviewDecision.reject("ana", "no")] * 3)

    assert stores.pause_store().get(WORKFLOW) is None


def test_rate_at_the_threshold_does_not_pause(stores: Stores, clock: FrozenClock) -> None:
    guard = _guard(stores, clock)
    approvals = [ReviewDecision.approve("ana")] * 2

    _decide_many(guard, [*approvals, *[ReviewDecision.reject("ana", "no")] * 2])

    assert stores.pause_store().get(WORKFLOW) is None


def test_expiries_are_not_decisions(stores: Stores, clock: FrozenClock) -> None:
    guard = _guard(stores, clock)
    rejections = [ReviewDecision.reject("ana", "no")] * 3

    _decide_many(guard, [*rejections, ReviewDecision.expire("sweeper")])

    assert stores.pause_store().get(WORKFLOW) is None


def test_decisions_outside_the_window_do_not_count(stores: Stores, clock: FrozenClock) -> None:
    guard = _guard(stores, clock)
    _decide_many(guard, [ReviewDecision.reject("ana", "no")] * 3)
    clock.set(NOW + timedelta(days=8))

    _decide_many(guard, [ReviewDecision.reject("ana", "no")])

    assert stores.pause_store().get(WORKFLOW) is None


def test_decisions_before_a_resume_do_not_pause_again(stores: Stores, clock: FrozenClock) -> None:
    guard = _guard(stores, clock)
    _decide_many(guard, [ReviewDecision.reject("ana", "no")] * 4)
    assert guard.paused is not None
    clock.set(NOW + timedelta(hours=1))
    guard.resume(by="owner@example.com")
    clock.set(NOW + timedelta(hours=2))

    _decide_many(guard, [ReviewDecision.reject("ana", "no")])

    assert guard.paused is None


def test_a_contract_without_the_rule_never_pauses(stores: Stores, clock: FrozenClock) -> None:
    guard = _guard(stores, clock, rollback={"window": "7d"})

    _decide_many(guard, [ReviewDecision.reject("ana", "no")] * 6)

    assert guard.paused is None


def test_sqlite_pause_store_shares_the_queue_file(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "reviews.db"  # type: ignore[operator]
    with SQLitePauseStore(path) as store:
        store.pause(PauseState(workflow=WORKFLOW, by="ana", reason="audit", since=NOW))

    with SQLitePauseStore(path) as reopened:
        held = reopened.get(WORKFLOW)

    assert held is not None
    assert held.by == "ana"


def test_queue_fixture_is_usable_beside_the_pause_store(
    queue: ReviewQueue, pause_store: PauseStore
) -> None:
    assert queue.tickets() == []
    assert pause_store.get(WORKFLOW) is None


def test_the_automatic_pause_is_traced(stores: Stores, clock: FrozenClock) -> None:
    spans = SpanCapture()
    guard = Guard(
        make_contract(),
        clock=clock,
        review_queue=stores.queue(),
        pause_store=stores.pause_store(),
        tracer_provider=spans.provider,
    )

    _decide_many(guard, [ReviewDecision.reject("ana", "no")] * 4)

    pause = spans.one("c360guard.pause", {"c360guard.pause.automatic": True})
    assert pause.attributes is not None
    assert pause.attributes["c360guard.pause.by"] == AUTO_PAUSE_ACTOR
