"""Review verdicts as LangGraph interrupts: what a person is asked, and what their answer does.

The middleware pauses the run with `interrupt(...)`; the run resumes with a `ReviewAnswer`
(`Command(resume={"type": "approve"})`). Who answered comes from the run's context, never
from the answer. With a review queue the decision and the one run of the action are
recorded with the ticket; without one, an approval still waits for a running workflow and
an edit is checked again before it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from c360guard.errors import ReviewError
from c360guard.guard import Guard
from c360guard.langchain._policy import ActionCall
from c360guard.model import (
    ExecutionRecord,
    Outcome,
    ReviewDecision,
    Screening,
    TicketStatus,
    Verdict,
)

logger = logging.getLogger(__name__)

INTERRUPT_TYPE = "c360guard_review"
"""The `type` of every interrupt value the middleware raises."""

Reviewer = Callable[[Any], str | None]
"""Reads the reviewer's identity from the run's context (None when it holds none)."""


class ReviewAnswer(BaseModel):
    """A person's answer to a review interrupt, given as `Command(resume=...)`.

    Example:
        ```python
        agent.invoke(Command(resume={"type": "reject", "note": "renewal already signed"}),
                     config, context={"reviewer": "ana@example.com"})
        ```
    """

    model_config = ConfigDict(extra="ignore")

    type: Literal["approve", "reject", "edit"]
    """Run the action as proposed, do not run it, or run it with changed arguments."""
    note: str | None = None
    """A note for the audit trail; required to reject."""
    arguments: dict[str, Any] | None = Field(default=None, min_length=1)
    """The action's full arguments after the edit (only for `edit`)."""
    misleading_fields: list[str] = Field(default_factory=list)
    """Fields that misled the model, for a rejection or an edit: feedback to their owners."""

    @model_validator(mode="after")
    def _fits_type(self) -> ReviewAnswer:
        if self.type == "reject" and not (self.note or "").strip():
            raise ValueError("a rejection needs a note saying why")
        if (self.type == "edit") != (self.arguments is not None):
            raise ValueError("`arguments` is given with an edit, and only with an edit")
        return self


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a person's answer leads to: run the action with these arguments, or say why not."""

    arguments: dict[str, Any] | None
    """The arguments to run the action with; None when it does not run."""
    status: str
    """`approved`, `edited`, `rejected`, `blocked` or `pending_review`."""
    note: str
    """What the model is told when the action does not run."""
    codes: list[str]
    """Finding codes of a re-check that refused an edit."""
    ticket_id: str | None
    """The ticket the decision was recorded with, if any."""


def question(verdict: Verdict, call: ActionCall, *, tool: str, call_id: str) -> dict[str, Any]:
    """The interrupt value a reviewer sees: the proposal, its reasons and the findings."""
    recommendation = call.recommendation
    return {
        "type": INTERRUPT_TYPE,
        "workflow": verdict.workflow,
        "tool": tool,
        "tool_call_id": call_id,
        "action": call.action,
        "entity_id": verdict.entity_id,
        "arguments": call.arguments,
        "reasons": [reason.model_dump() for reason in recommendation.reasons],
        "confidence": recommendation.confidence,
        "codes": verdict.codes,
        "findings": [
            {"code": f.code, "message": f.message}
            for f in verdict.findings
            if f.outcome is not Outcome.ALLOW
        ],
        "ticket_id": verdict.ticket.id if verdict.ticket is not None else None,
        "allowed_answers": ["approve", "reject", "edit"],
    }


def reviewer_reader(reviewer: str | Reviewer) -> Reviewer:
    """Turn the middleware's `reviewer` option into a function of the run's context."""
    if callable(reviewer):
        return reviewer

    def read(context: Any) -> str | None:
        found = context.get(reviewer) if isinstance(context, Mapping) else None
        found = found if found is not None else getattr(context, reviewer, None)
        return str(found) if found not in (None, "") else None

    return read


def resolve(
    guard: Guard,
    verdict: Verdict,
    call: ActionCall,
    answer: ReviewAnswer,
    *,
    reviewer: str | None,
    screening: Screening,
) -> Resolution:
    """Record a person's answer (with the ticket when there is one) and say what runs."""
    ticket_id = verdict.ticket.id if verdict.ticket is not None else None
    if reviewer is None:
        note = (
            "The review answer came without a reviewer identity in the run's context, so it "
            "was not applied; the action did not run and still waits for a person."
        )
        return Resolution(None, "pending_review", note, [], ticket_id)
    if ticket_id is not None:
        return _with_ticket(guard, ticket_id, answer, reviewer, screening)
    return _without_ticket(guard, call, answer, screening)


def _with_ticket(
    guard: Guard, ticket_id: str, answer: ReviewAnswer, reviewer: str, screening: Screening
) -> Resolution:
    decision = _decision(answer, reviewer)
    try:
        ticket = guard.decide(ticket_id, decision, screening=screening)
    except ReviewError as exc:
        logger.warning("review answer for ticket %s not applied: %s", ticket_id, type(exc).__name__)
        note = f"The review answer could not be applied ({exc}); the action did not run."
        return Resolution(None, "pending_review", note, [], ticket_id)
    if ticket.status is TicketStatus.APPROVED:
        status = "edited" if answer.type == "edit" else "approved"
        return Resolution(dict(ticket.arguments), status, "", [], ticket_id)
    if answer.type == "edit":
        note = "A person edited the action, and the edit failed the guard's check; it did not run."
        return Resolution(None, "blocked", note, list(ticket.recheck_codes), ticket_id)
    return Resolution(None, "rejected", _rejected(answer), [], ticket_id)


def _without_ticket(
    guard: Guard, call: ActionCall, answer: ReviewAnswer, screening: Screening
) -> Resolution:
    if answer.type == "reject":
        return Resolution(None, "rejected", _rejected(answer), [], None)
    arguments = answer.arguments if answer.type == "edit" else call.arguments
    assert arguments is not None  # ReviewAnswer requires arguments with an edit
    edited = call.recommendation.model_copy(update={"arguments": arguments})
    recheck = guard.check(edited, screening)
    if recheck.outcome is Outcome.BLOCK:
        note = "The guard's check at the time of the answer blocks the action; it did not run."
        return Resolution(None, "blocked", note, recheck.codes, None)
    return Resolution(
        dict(arguments), "edited" if answer.type == "edit" else "approved", "", [], None
    )


def claim_run(guard: Guard, resolution: Resolution, action: str, reviewer: str) -> str | None:
    """Claim the one run of an approved ticket's action; the reason when it may not run."""
    paused = guard.paused
    if paused is not None:
        return f"workflow {guard.workflow} is paused by {paused.by}: {paused.reason}"
    if resolution.ticket_id is None or guard.review_queue is None:
        return None
    record = ExecutionRecord(
        at=guard.now(), by=reviewer, action=action, arguments=resolution.arguments or {}
    )
    try:
        guard.review_queue.claim_execution(resolution.ticket_id, record)
    except ReviewError as exc:
        return f"ticket {resolution.ticket_id} cannot run: {exc}"
    return None


def finish_run(guard: Guard, resolution: Resolution, error: BaseException | None) -> None:
    """Record how the claimed run of a ticket's action ended."""
    if resolution.ticket_id is None or guard.review_queue is None:
        return
    failure = f"{type(error).__name__}: {error}" if error is not None else None
    guard.review_queue.finish_execution(resolution.ticket_id, error=failure)


def _decision(answer: ReviewAnswer, reviewer: str) -> ReviewDecision:
    if answer.type == "approve":
        return ReviewDecision.approve(reviewer, note=answer.note)
    if answer.type == "reject":
        return ReviewDecision.reject(
            reviewer, answer.note or "", misleading_fields=answer.misleading_fields
        )
    return ReviewDecision.edit(
        reviewer,
        answer.arguments or {},
        note=answer.note,
        misleading_fields=answer.misleading_fields,
    )


def _rejected(answer: ReviewAnswer) -> str:
    return f"A person rejected this action ({answer.note}); it did not run. Do not call it again."
