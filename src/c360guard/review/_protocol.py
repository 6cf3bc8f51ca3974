"""The review queue protocol: what the Guard and the CLI need from any store of tickets."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, NamedTuple, Protocol, runtime_checkable

from c360guard.model import ExecutionRecord, Feedback, ReviewDecision, ReviewTicket, TicketStatus


class DecisionCounts(NamedTuple):
    """Person decisions in a window, and how many of them overrode the model."""

    decisions: int
    """Approvals, rejections and edits (expiries are not judgements and do not count)."""
    overrides: int
    """Rejections and edits."""

    @property
    def rate(self) -> float:
        """The override rate, 0 when nothing was decided."""
        return self.overrides / self.decisions if self.decisions else 0.0


@runtime_checkable
class ReviewQueue(Protocol):
    """A durable store of review tickets shared by every Guard and reviewer of a workflow.

    Every state change is compare-and-set: a decision applies only to a pending ticket, an
    execution only to an approved ticket that has not run. The loser of a race gets a
    `TicketDecidedError`, never a silent overwrite.
    """

    def submit(self, ticket: ReviewTicket) -> ReviewTicket:
        """File a ticket; while one with the same idempotency key is pending, return that one."""
        ...

    def get(self, ticket_id: str) -> ReviewTicket:
        """Return a ticket by id, raising UnknownTicketError when there is none."""
        ...

    def tickets(
        self,
        *,
        workflow: str | None = None,
        status: TicketStatus | None = None,
        limit: int | None = 100,
    ) -> list[ReviewTicket]:
        """List tickets, newest first, optionally of one workflow or status."""
        ...

    def decide(self, ticket_id: str, decision: ReviewDecision, *, at: datetime) -> ReviewTicket:
        """Apply a person's decision to a pending ticket and record its feedback."""
        ...

    def settle_edit(
        self, ticket_id: str, *, passed: bool, codes: list[str], at: datetime
    ) -> ReviewTicket:
        """Record the guard's re-check of an edited ticket: approved if passed, else rejected."""
        ...

    def claim_execution(self, ticket_id: str, record: ExecutionRecord) -> ReviewTicket:
        """Claim the one run of an approved ticket's action; a second claim is refused."""
        ...

    def finish_execution(self, ticket_id: str, *, error: str | None = None) -> ReviewTicket:
        """Record how the claimed run ended (`error` None for success)."""
        ...

    def claim_compensation(self, ticket_id: str, record: ExecutionRecord) -> ReviewTicket:
        """Claim the one run of an executed ticket's compensating action."""
        ...

    def finish_compensation(self, ticket_id: str, *, error: str | None = None) -> ReviewTicket:
        """Record how the claimed compensation ended (`error` None for success)."""
        ...

    def executed(
        self, workflow: str, *, since: datetime, until: datetime | None = None
    ) -> list[ReviewTicket]:
        """List the workflow's tickets whose action ran in a window, oldest first."""
        ...

    def decision_counts(self, workflow: str, *, since: datetime) -> DecisionCounts:
        """Count the workflow's person decisions made since an instant, and the overrides."""
        ...

    def feedback(
        self,
        *,
        owner: str | None = None,
        field: str | None = None,
        workflow: str | None = None,
        limit: int | None = 100,
    ) -> list[Feedback]:
        """List feedback on misleading fields, newest first, optionally by owner or field."""
        ...


def idempotency_key(
    workflow: str, entity_id: str, action: str | None, arguments: dict[str, Any]
) -> str:
    """The key that makes the same proposal attach to one pending ticket."""
    normalised = json.dumps(
        [workflow, entity_id, action, arguments],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]
