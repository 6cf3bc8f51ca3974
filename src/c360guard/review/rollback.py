"""Automatic pause on overrides, and rollback of executed actions by their compensations."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from c360guard.errors import ReviewError, TicketDecidedError
from c360guard.model import Contract, ExecutionRecord, PauseState, ReviewTicket, RollbackRule
from c360guard.model._base import FrozenModel
from c360guard.review._protocol import DecisionCounts, ReviewQueue
from c360guard.review.pause import PauseStore
from c360guard.review.tools import Tool, invoke_tool

logger = logging.getLogger(__name__)

AUTO_PAUSE_ACTOR = "c360guard.rollback"
"""Who an automatic pause is recorded as set by."""

StepStatus = Literal[
    "would_compensate",
    "compensated",
    "failed",
    "no_compensation",
    "already_compensated",
    "run_failed",
]


def override_counts(
    queue: ReviewQueue,
    pause_store: PauseStore | None,
    workflow: str,
    rule: RollbackRule,
    *,
    now: datetime,
) -> DecisionCounts:
    """Count decisions and overrides over the rule's window, since the last resume at most."""
    since = now - rule.window
    resumed = pause_store.last_resumed(workflow) if pause_store is not None else None
    if resumed is not None and resumed > since:
        # A person who resumed has looked at the overrides so far; count only what follows.
        since = resumed
    return queue.decision_counts(workflow, since=since)


def pause_if_overridden(
    queue: ReviewQueue,
    pause_store: PauseStore,
    workflow: str,
    rule: RollbackRule | None,
    *,
    now: datetime,
) -> PauseState | None:
    """Pause the workflow when its override rate passes the rule; return the new pause."""
    if rule is None or rule.pause_if_override_rate_above is None:
        return None
    if pause_store.get(workflow) is not None:
        return None
    counts = override_counts(queue, pause_store, workflow, rule, now=now)
    if counts.decisions < rule.min_decisions or counts.rate <= rule.pause_if_override_rate_above:
        return None
    state = PauseState(
        workflow=workflow,
        by=AUTO_PAUSE_ACTOR,
        reason=(
            f"override rate {counts.rate:.0%} ({counts.overrides} of {counts.decisions} "
            f"decisions) passed {rule.pause_if_override_rate_above:.0%}"
        ),
        since=now,
        automatic=True,
    )
    held = pause_store.pause(state)
    if held != state:  # someone paused it meanwhile; theirs stands
        return None
    logger.warning("workflow %s paused automatically: %s", workflow, state.reason)
    return held


class RollbackStep(FrozenModel):
    """One executed action found by rollback, and what rollback did (or would do) about it."""

    ticket: ReviewTicket
    """The ticket whose action ran."""
    compensate: str | None
    """The contract's compensating action for it, if any."""
    status: StepStatus
    """`would_compensate` in a dry run; `compensated` or `failed` after a real one; otherwise
    why nothing is run (`no_compensation`, `already_compensated`, `run_failed`)."""
    error: str | None = None
    """What the compensating tool raised, when it failed."""


def plan_rollback(
    queue: ReviewQueue, contract: Contract, *, since: datetime, until: datetime | None = None
) -> list[RollbackStep]:
    """List the actions run in a window and what rollback would do for each (a dry run)."""
    steps = []
    for ticket in queue.executed(contract.workflow, since=since, until=until):
        action = contract.actions.get(ticket.recommendation.action or "")
        compensate = action.compensate if action else None
        steps.append(
            RollbackStep(ticket=ticket, compensate=compensate, status=_plan(ticket, compensate))
        )
    return steps


def run_rollback(
    queue: ReviewQueue,
    contract: Contract,
    tools: Mapping[str, Tool],
    *,
    since: datetime,
    by: str,
    now: datetime,
    until: datetime | None = None,
) -> list[RollbackStep]:
    """Run the compensating action of every action run in a window, each at most once.

    Every compensating tool must be in `tools` before anything runs: a rollback is never
    half-started for want of a tool.
    """
    steps = plan_rollback(queue, contract, since=since, until=until)
    needed = {step.compensate for step in steps if step.status == "would_compensate"}
    missing = sorted(name for name in needed if name is not None and name not in tools)
    if missing:
        raise ReviewError(
            f"no tool for compensating action(s) {', '.join(missing)}; add them to the tool "
            "registry (--tools module:object) and run rollback again. Nothing was run"
        )
    return [_compensate(queue, step, tools, by=by, now=now) for step in steps]


def _plan(ticket: ReviewTicket, compensate: str | None) -> StepStatus:
    if compensate is None:
        return "no_compensation"
    if ticket.compensation is not None:
        return "already_compensated"
    if ticket.execution is not None and ticket.execution.outcome == "failed":
        return "run_failed"
    return "would_compensate"


def _compensate(
    queue: ReviewQueue, step: RollbackStep, tools: Mapping[str, Tool], *, by: str, now: datetime
) -> RollbackStep:
    if step.status != "would_compensate" or step.compensate is None:
        return step
    ticket = step.ticket
    record = ExecutionRecord(at=now, by=by, action=step.compensate, arguments=ticket.arguments)
    try:
        queue.claim_compensation(ticket.id, record)
    except TicketDecidedError:
        return step.model_copy(update={"status": "already_compensated"})
    error = None
    try:
        invoke_tool(tools[step.compensate], ticket.arguments)
    except Exception as exc:  # the tool is foreign code; its failure is recorded, not raised
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("compensation %s for ticket %s failed", step.compensate, ticket.id)
    settled = queue.finish_compensation(ticket.id, error=error)
    status: StepStatus = "failed" if error else "compensated"
    return step.model_copy(update={"ticket": settled, "status": status, "error": error})
