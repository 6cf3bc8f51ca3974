"""The Guard facade: the engine, the clock, telemetry, the review queue and the pause store."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from opentelemetry.trace import TracerProvider

from c360guard.engine import check, screen
from c360guard.guard import _review
from c360guard.guard.clock import Clock, read_clock, system_clock
from c360guard.model import (
    Authority,
    Contract,
    Finding,
    Outcome,
    PauseState,
    Profile,
    Recommendation,
    ReviewDecision,
    ReviewTicket,
    Screening,
    Verdict,
    load_contract,
)
from c360guard.review import InMemoryPauseStore, PauseStore, ReviewQueue
from c360guard.review.tools import Tool
from c360guard.telemetry import GuardTracer

logger = logging.getLogger(__name__)


class Guard:
    """Screens profiles and checks recommendations for one workflow's contract.

    Example:
        ```python
        guard = Guard(load_contract("examples/contracts/churn_risk.yaml"))
        screening = guard.screen(profile)
        verdict = guard.check(recommendation, screening)
        ```
    """

    def __init__(
        self,
        contract: Contract | str,
        *,
        clock: Clock | None = None,
        review_queue: ReviewQueue | None = None,
        pause_store: PauseStore | None = None,
        tracer_provider: TracerProvider | None = None,
        capture_values: bool = False,
        hash_key: str | bytes | None = None,
    ) -> None:
        self.contract = contract if isinstance(contract, Contract) else load_contract(contract)
        self.clock: Clock = clock or system_clock
        self.review_queue = review_queue
        self.pause_store: PauseStore = pause_store or InMemoryPauseStore()
        self.capture_values = capture_values
        self.tracer = GuardTracer(
            tracer_provider,
            capture_values=capture_values,
            hash_key=hash_key,
            contract=self.contract,
        )

    @property
    def workflow(self) -> str:
        """The contract's workflow name."""
        return self.contract.workflow

    def now(self) -> datetime:
        """Read the Guard's clock."""
        return read_clock(self.clock)

    def screen(self, profile: Profile, *, authority: Authority | str | None = None) -> Screening:
        """Screen a profile at an authority (the contract's ceiling by default)."""
        level = Authority(authority) if authority is not None else self.contract.authority
        with self.tracer.screening(self.contract, profile, level) as span:
            result = screen(profile, self.contract, now=self.now(), authority=level)
            self.tracer.record_screening(span, result)
        return result

    def check(self, recommendation: Recommendation, screening: Screening) -> Verdict:
        """Check a recommendation against a screening; files a ticket for `review`."""
        with self.tracer.checking(self.contract, recommendation, screening) as span:
            now = self.now()
            try:
                verdict = check(
                    recommendation,
                    screening,
                    self.contract,
                    now=now,
                    pause=self.pause_store.get(self.workflow),
                )
            except Exception:
                # Fail closed: a bug or a broken store must never let an action through.
                logger.exception("check failed for %s; blocking", self.workflow)
                verdict = _internal_error(recommendation, screening, self.contract, now)
            if verdict.outcome is Outcome.REVIEW and self.review_queue is not None:
                verdict = verdict.model_copy(
                    update={"ticket": self._file(verdict, recommendation, screening)}
                )
            self.tracer.record_verdict(span, verdict, screening)
        return verdict

    def pause(self, *, by: str, reason: str) -> PauseState:
        """Pause the workflow: every action is blocked until `resume`."""
        state = PauseState(workflow=self.workflow, by=by, reason=reason, since=self.now())
        held = self.pause_store.pause(state)
        if held == state:  # a pause already standing was traced when it began
            self.tracer.record_pause(held)
        logger.info("workflow %s paused by %s", self.workflow, held.by)
        return held

    def resume(self, *, by: str) -> PauseState | None:
        """Lift the workflow's pause, returning the pause lifted (None if it was running)."""
        lifted = self.pause_store.resume(self.workflow, by=by, at=self.now())
        if lifted is not None:
            self.tracer.record_pause(lifted, resumed_by=by, at=self.now())
        logger.info("workflow %s resumed by %s", self.workflow, by)
        return lifted

    @property
    def paused(self) -> PauseState | None:
        """The workflow's pause, or None while it runs."""
        return self.pause_store.get(self.workflow)

    def decide(
        self,
        ticket: ReviewTicket | str,
        decision: ReviewDecision,
        *,
        screening: Screening | None = None,
    ) -> ReviewTicket:
        """Record a person's decision on a pending ticket; a decided ticket raises.

        An edit is re-checked at once when the entity's `screening` is given, else it waits
        for `recheck`. Every approval, rejection or edit may pause the workflow when the
        override rate passes the contract's `rollback` rule.
        """
        return _review.decide(self, ticket, decision, screening=screening)

    def recheck(self, ticket: ReviewTicket | str, screening: Screening) -> Verdict:
        """Check an edited ticket's arguments: approved unless the check blocks, else rejected."""
        return _review.recheck(self, ticket, screening)

    def execute(self, ticket: ReviewTicket | str, tool: Tool, *, by: str | None = None) -> Any:
        """Run an approved ticket's action once, with its (possibly edited) arguments.

        `tool` is a plain callable (called with the arguments as keywords) or a LangChain
        tool (invoked with them). The run is recorded with the ticket; a second run, a
        ticket not approved, or a paused workflow raises before anything runs.
        """
        return _review.execute(self, ticket, tool, by=by)

    def _file(
        self, verdict: Verdict, recommendation: Recommendation, screening: Screening
    ) -> ReviewTicket:
        assert self.review_queue is not None  # checked by the caller
        ticket = _review.new_ticket(self, verdict, recommendation, screening)
        return self.review_queue.submit(ticket)


def _internal_error(
    recommendation: Recommendation, screening: Screening, contract: Contract, now: Any
) -> Verdict:
    finding = Finding.of(
        "guard.internal_error",
        "the guard failed while checking; the action is blocked (see the logs)",
        outcome=Outcome.BLOCK,
    )
    return Verdict(
        outcome=Outcome.BLOCK,
        findings=[finding],
        workflow=contract.workflow,
        action=recommendation.action,
        authority=contract.action_authority(recommendation.action) or contract.authority,
        entity_id=screening.profile.entity.id,
        reason_codes=recommendation.reason_codes,
        cited_fields=recommendation.cited_fields,
        decided_at=now,
    )
