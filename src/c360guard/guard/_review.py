"""The Guard's side of review: filing tickets, recording decisions, re-checking edits and
running approved actions once.

The review stores never import the guard; everything that needs the contract, the clock,
the engine or telemetry around a ticket lives here, called by the `Guard` methods.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from c360guard.engine import check
from c360guard.errors import PausedError, ReviewError
from c360guard.model import (
    DecisionKind,
    ExecutionRecord,
    FieldProvenance,
    FieldValue,
    Outcome,
    PauseState,
    Recommendation,
    ReviewDecision,
    ReviewTicket,
    Screening,
    TicketStatus,
    Verdict,
)
from c360guard.model.ticket import PERSON_DECISIONS
from c360guard.review import ReviewQueue, idempotency_key, pause_if_overridden
from c360guard.review.tools import Tool, invoke_tool, tool_name
from c360guard.telemetry import attributes as attr

if TYPE_CHECKING:
    from c360guard.guard._guard import Guard

logger = logging.getLogger(__name__)

EXECUTOR = "c360guard"
"""Who a run is recorded as made by when the caller names nobody."""


def new_ticket(
    guard: Guard, verdict: Verdict, recommendation: Recommendation, screening: Screening
) -> ReviewTicket:
    """Build the ticket for a `review` verdict, with the provenance of what the model saw."""
    contract = guard.contract
    return ReviewTicket(
        id=uuid.uuid4().hex,
        workflow=contract.workflow,
        contract_version=contract.version,
        contract_digest=contract.digest,
        entity_id=verdict.entity_id,
        entity_grain=screening.profile.entity.grain,
        recommendation=recommendation,
        findings=verdict.findings,
        provenance=shown_provenance(screening),
        rollback_rule=contract.rollback,
        idempotency_key=idempotency_key(
            contract.workflow, verdict.entity_id, recommendation.action, recommendation.arguments
        ),
        created_at=verdict.decided_at,
        trace_id=guard.tracer.current_trace_id(),
    )


def shown_provenance(screening: Screening) -> dict[str, FieldProvenance]:
    """Source, owner, timestamp and lineage of every field the model was shown."""
    found: dict[str, FieldProvenance] = {}
    for name in screening.shown:
        held = screening.admitted.fields[name]
        assert isinstance(held, FieldValue)  # screening admits one value per field
        found[name] = FieldProvenance(
            source=held.source,
            owner=held.owner,
            updated_at=held.updated_at,
            source_path=held.source_path,
        )
    return found


def decide(
    guard: Guard,
    ticket: ReviewTicket | str,
    decision: ReviewDecision,
    *,
    screening: Screening | None = None,
) -> ReviewTicket:
    """Record a decision (traced), re-check an edit when a screening is given, maybe pause."""
    queue = _queue(guard)
    current = _current(guard, queue, ticket)
    with guard.tracer.review_decision(current, decision.kind.value) as span:
        decided = queue.decide(current.id, decision, at=guard.now())
        guard.tracer.record_review(span, decided)
    if decision.kind is DecisionKind.EDIT and screening is not None:
        recheck(guard, decided, screening)
        decided = queue.get(decided.id)
    if decision.kind in PERSON_DECISIONS:
        auto_pause(guard, queue)
    return decided


def recheck(guard: Guard, ticket: ReviewTicket | str, screening: Screening) -> Verdict:
    """Check an edited ticket's arguments; approve it unless the check blocks, else reject."""
    queue = _queue(guard)
    current = _current(guard, queue, ticket)
    if current.status is not TicketStatus.EDITED:
        raise ReviewError(
            f"ticket {current.id} is {current.status.value}; only an edited ticket is re-checked"
        )
    if screening.profile.entity.id != current.entity_id:
        raise ReviewError(
            f"ticket {current.id} is about {current.entity_id}, the screening about "
            f"{screening.profile.entity.id}; re-check with a screening of {current.entity_id}"
        )

    edited = current.recommendation.model_copy(update={"arguments": current.arguments})
    with guard.tracer.checking(guard.contract, edited, screening) as span:
        now = guard.now()
        # The pause is left out: it stops the run (execute), not the reviewer's edit.
        verdict = check(edited, screening, guard.contract, now=now)
        # Review-level findings are what the reviewer has just looked at; only a block
        # (consent, suppression, authority, reasons...) refuses the edit.
        passed = verdict.outcome is not Outcome.BLOCK
        settled = queue.settle_edit(current.id, passed=passed, codes=verdict.codes, at=now)
        verdict = verdict.model_copy(update={"ticket": settled})
        guard.tracer.record_verdict(span, verdict, screening)
    return verdict


def execute(guard: Guard, ticket: ReviewTicket | str, tool: Tool, *, by: str | None) -> Any:
    """Run an approved ticket's action once with its (possibly edited) arguments."""
    queue = _queue(guard)
    current = _current(guard, queue, ticket)
    action = current.recommendation.action
    paused = guard.pause_store.get(guard.workflow)
    if paused is not None:
        raise PausedError(
            f"workflow {guard.workflow} is paused by {paused.by} ({paused.reason}); nothing "
            "runs while it is paused. Resume it with `c360guard resume` first"
        )
    named = tool_name(tool)
    if named is not None and named != action:
        raise ReviewError(
            f"ticket {current.id} approved action {action}, not {named}; pass the {action} tool"
        )

    record = ExecutionRecord(
        at=guard.now(), by=by or EXECUTOR, action=action, arguments=current.arguments
    )
    with guard.tracer.tool_call(action or "suggestion") as span:
        span.set_attribute(attr.REVIEW_TICKET_ID, current.id)
        queue.claim_execution(current.id, record)
        try:
            result = invoke_tool(tool, current.arguments)
        except Exception as exc:
            queue.finish_execution(current.id, error=f"{type(exc).__name__}: {exc}")
            logger.warning("approved action of ticket %s failed", current.id)
            raise
        queue.finish_execution(current.id)
    logger.info("approved action of ticket %s ran", current.id)
    return result


def auto_pause(guard: Guard, queue: ReviewQueue) -> PauseState | None:
    """Pause the workflow when the contract's override-rate rule says so (traced)."""
    state = pause_if_overridden(
        queue, guard.pause_store, guard.workflow, guard.contract.rollback, now=guard.now()
    )
    if state is not None:
        guard.tracer.record_pause(state)
    return state


def _queue(guard: Guard) -> ReviewQueue:
    if guard.review_queue is None:
        raise ReviewError(
            "this Guard has no review queue; create it with Guard(contract, "
            "review_queue=SQLiteReviewQueue(path))"
        )
    return guard.review_queue


def _current(guard: Guard, queue: ReviewQueue, ticket: ReviewTicket | str) -> ReviewTicket:
    """The ticket as the store holds it now (a caller's copy may be stale)."""
    current = queue.get(ticket if isinstance(ticket, str) else ticket.id)
    if current.workflow != guard.workflow:
        raise ReviewError(
            f"ticket {current.id} belongs to workflow {current.workflow}; use that "
            f"workflow's Guard, not {guard.workflow}'s"
        )
    return current
