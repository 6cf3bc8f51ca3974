"""The Guard facade: the engine with a clock, a pause store and tracing, failing closed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from c360guard import Authority, AuthorityError, FrozenClock, Guard, Outcome, PauseState
from c360guard.review import InMemoryPauseStore
from c360guard.testing.spans import SpanCapture

NAIVE = datetime(2026, 12, 3, 12, 0)


class BrokenPauseStore(InMemoryPauseStore):
    """A pause store whose reads fail, like a database that went away."""

    def get(self, workflow: str) -> PauseState | None:
        raise ConnectionError("pause store unreachable")


def test_guard_loads_a_contract_from_yaml_text(contract_text, contract, clock):
    guard = Guard(contract_text, clock=clock)

    assert guard.contract.digest == contract.digest
    assert guard.workflow == "churn_risk_next_action"


def test_screen_applies_the_ceiling_by_default(guard, profile):
    screening = guard.screen(profile)

    assert screening.authority is Authority.ASSIST
    assert screening.screened_at == guard.now()


def test_screen_at_a_lower_authority_given_by_name(guard, profile):
    screening = guard.screen(profile, authority="suggest")

    assert screening.authority is Authority.SUGGEST


def test_screening_above_the_ceiling_raises_authority_error(guard, profile):
    with pytest.raises(AuthorityError, match="above the ceiling 'assist'"):
        guard.screen(profile, authority="act")


def test_unknown_authority_name_is_refused(guard, profile):
    with pytest.raises(ValueError, match="'execute' is not a valid Authority"):
        guard.screen(profile, authority="execute")


def test_freshness_is_judged_at_the_guards_clock(guard, clock, profile):
    clock.set(clock() + timedelta(days=6))

    screening = guard.screen(profile)

    assert [f.code for f in screening.withheld["renewal_date"]] == ["field.stale"]


def test_check_allows_a_clean_recommendation(guard, profile, task):
    verdict = guard.check(task, guard.screen(profile))

    assert verdict.outcome is Outcome.ALLOW
    assert verdict.ticket is None


def test_review_verdict_without_a_queue_has_no_ticket(guard, profile, task):
    unsure = task.model_copy(update={"confidence": 0.4})

    verdict = guard.check(unsure, guard.screen(profile))

    assert verdict.outcome is Outcome.REVIEW
    assert verdict.ticket is None


def test_action_above_ceiling_is_blocked_whatever_the_confidence(guard, profile, task):
    email = task.model_copy(update={"action": "send_email", "confidence": 1.0})

    verdict = guard.check(email, guard.screen(profile))

    assert verdict.outcome is Outcome.BLOCK
    assert "authority.exceeded" in verdict.codes


# The clock must be aware: freshness needs a UTC offset.


def test_frozen_clock_refuses_a_naive_instant():
    with pytest.raises(ValueError, match="aware datetime"):
        FrozenClock(NAIVE)


def test_guard_with_a_naive_clock_refuses_to_screen(contract, profile):
    guard = Guard(contract, clock=lambda: NAIVE)

    with pytest.raises(ValueError, match="the clock must return an aware datetime"):
        guard.screen(profile)


def test_guard_with_a_clock_returning_no_datetime_refuses_to_screen(contract, profile):
    guard = Guard(contract, clock=lambda: "2026-12-03")  # type: ignore[arg-type, return-value]

    with pytest.raises(ValueError, match="aware datetime"):
        guard.screen(profile)


# Rule 7: pausing is instant.


def test_paused_workflow_blocks_every_action_but_screens(guard, profile, task):
    guard.pause(by="cs-ops", reason="bad data in the warehouse")

    screening = guard.screen(profile)
    verdicts = [
        guard.check(task.model_copy(update={"action": action}), screening)
        for action in (None, "create_cs_task")
    ]

    assert "renewal_date" in screening.admitted.fields
    assert [v.outcome for v in verdicts] == [Outcome.BLOCK, Outcome.BLOCK]
    assert all(v.codes == ["workflow.paused"] for v in verdicts)


def test_pause_records_who_why_and_when(guard):
    state = guard.pause(by="cs-ops", reason="incident 42")

    assert (state.workflow, state.by, state.reason) == (
        "churn_risk_next_action",
        "cs-ops",
        "incident 42",
    )
    assert state.since == guard.now()
    assert guard.paused == state


def test_resume_lets_the_next_check_through(guard, profile, task):
    guard.pause(by="cs-ops", reason="incident")

    lifted = guard.resume(by="cs-ops")

    assert lifted is not None
    assert guard.paused is None
    assert guard.check(task, guard.screen(profile)).outcome is Outcome.ALLOW


def test_resuming_a_running_workflow_returns_none(guard):
    assert guard.resume(by="cs-ops") is None


def test_a_second_pause_keeps_the_first(guard):
    first = guard.pause(by="alice", reason="first")

    second = guard.pause(by="bob", reason="second")

    assert second == first


def test_guards_sharing_a_pause_store_see_each_others_pause(contract, clock, profile, task):
    store = InMemoryPauseStore()
    operator = Guard(contract, clock=clock, pause_store=store)
    worker = Guard(contract, clock=clock, pause_store=store)

    operator.pause(by="cs-ops", reason="incident")

    assert worker.check(task, worker.screen(profile)).codes == ["workflow.paused"]


# Fail closed on internal errors.


def test_internal_error_blocks(contract, clock, profile, task):
    guard = Guard(contract, clock=clock, pause_store=BrokenPauseStore())

    verdict = guard.check(task, guard.screen(profile))

    assert verdict.outcome is Outcome.BLOCK
    assert verdict.codes == ["guard.internal_error"]
    assert verdict.action == "create_cs_task"
    assert verdict.entity_id == "acct_42"


def test_internal_error_is_logged_without_field_values(contract, clock, profile, task, caplog):
    guard = Guard(contract, clock=clock, pause_store=BrokenPauseStore())

    guard.check(task, guard.screen(profile))

    assert "check failed for churn_risk_next_action; blocking" in caplog.text
    assert "2027-01-31" not in caplog.text


# Rule 6: every decision is traced; values only when asked for.


def test_screen_and_check_are_traced(contract, clock, profile, task):
    capture = SpanCapture()
    guard = Guard(contract, clock=clock, tracer_provider=capture.provider)

    guard.check(task, guard.screen(profile))

    assert capture.names() == ["c360guard.screen", "c360guard.check"]
    [check_span] = capture.find("c360guard.check")
    assert check_span.attributes["c360guard.verdict"] == "allow"
    assert check_span.attributes["c360guard.workflow"] == "churn_risk_next_action"


def test_field_values_are_not_traced_by_default(contract, clock, profile, task):
    capture = SpanCapture()
    guard = Guard(contract, clock=clock, tracer_provider=capture.provider)

    guard.check(task, guard.screen(profile))

    recorded = repr([(s.attributes, [e.attributes for e in s.events]) for s in capture.spans])
    assert "renewal_date" in recorded
    assert "2027-01-31" not in recorded
    assert "ops@acme.example" not in recorded
