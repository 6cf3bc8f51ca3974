"""Review tickets: a recommendation waiting for, or decided by, a person."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, Field

from c360guard.model._base import FrozenModel
from c360guard.model._enums import Grain
from c360guard.model.contract import RollbackRule
from c360guard.model.finding import Finding
from c360guard.model.recommendation import Recommendation


class TicketStatus(StrEnum):
    """Where a review ticket stands."""

    PENDING = "pending"
    """Waiting for a person."""
    APPROVED = "approved"
    """A person approved it (or approved edited arguments the guard re-checked): it may run."""
    REJECTED = "rejected"
    """A person rejected it, or the guard's re-check refused the edited arguments."""
    EDITED = "edited"
    """A person changed the arguments; the guard must re-check them before it may run."""
    EXPIRED = "expired"
    """Nobody decided in time; it never runs."""


class DecisionKind(StrEnum):
    """What a person decided about a ticket."""

    APPROVE = "approve"
    """Run the action as proposed."""
    REJECT = "reject"
    """Do not run it; a reason is required."""
    EDIT = "edit"
    """Run it with changed arguments, once the guard has re-checked them."""
    EXPIRE = "expire"
    """Close it undecided; it never runs."""


OVERRIDES = frozenset({DecisionKind.REJECT, DecisionKind.EDIT})
"""The decisions that overrule the model, counted by the override-rate pause."""

PERSON_DECISIONS = frozenset({DecisionKind.APPROVE, DecisionKind.REJECT, DecisionKind.EDIT})
"""The decisions a person makes on the merits (expiry is not a judgement)."""


class FieldProvenance(FrozenModel):
    """Where a field the model was shown came from, kept with the ticket (never its value)."""

    source: str | None = None
    """The source system the value came from."""
    owner: str | None = None
    """Who answered for the value when the ticket was filed: feedback goes to them."""
    updated_at: AwareDatetime | None = None
    """When the source last changed or confirmed the value."""
    source_path: str | None = None
    """Where in the source the value lives (lineage)."""


ExecutionOutcome = Literal["started", "succeeded", "failed"]
"""How a run of an action went; `started` with no end means the process died while running."""


class ExecutionRecord(FrozenModel):
    """One run of an action (or of its compensation) recorded with the ticket."""

    at: AwareDatetime
    """When the run was claimed; a second claim is refused."""
    by: str
    """Who ran it: the caller's identity, or the rollback operator."""
    action: str | None = None
    """The catalog action that ran."""
    arguments: dict[str, Any] = Field(default_factory=dict)
    """The arguments it ran with."""
    outcome: ExecutionOutcome = "started"
    """`started` until the run ends, then `succeeded` or `failed`."""
    error: str | None = None
    """The error a failed run raised (type and message)."""


class ReviewTicket(FrozenModel):
    """A recommendation filed for a person to approve, reject, edit or let expire."""

    id: str
    """The ticket's identifier."""
    workflow: str
    """The workflow whose contract asked for review."""
    contract_version: int | str
    """The contract version the recommendation was checked against."""
    contract_digest: str
    """The digest of that contract."""
    entity_id: str
    """The entity the recommendation is about."""
    entity_grain: Grain | None = None
    """The grain of that entity."""
    recommendation: Recommendation
    """The recommendation as the model proposed it."""
    findings: list[Finding] = Field(default_factory=list)
    """The findings that sent it to review."""
    provenance: dict[str, FieldProvenance] = Field(default_factory=dict)
    """Provenance of every field the model was shown, as it stood when the ticket was filed."""
    rollback_rule: RollbackRule | None = None
    """The contract's override-rate rule, so a decision made anywhere can apply it."""
    status: TicketStatus = TicketStatus.PENDING
    """Pending until a person decides, or it expires."""
    idempotency_key: str
    """Workflow + entity + action + normalised arguments: one pending ticket per proposal."""
    proposals: int = Field(default=1, ge=1)
    """How many times the same proposal was made while the ticket was pending."""
    created_at: AwareDatetime
    """When the ticket was filed."""
    decision: DecisionKind | None = None
    """What the person decided, kept when the guard's re-check settles an edit."""
    decided_at: AwareDatetime | None = None
    """When a person (or expiry) decided it."""
    reviewer: str | None = None
    """Who decided, as the caller's authentication context gave it."""
    note: str | None = None
    """The reviewer's note or rejection reason."""
    edited_arguments: dict[str, Any] | None = None
    """The full arguments the reviewer asked for, when the decision was an edit."""
    misleading_fields: list[str] = Field(default_factory=list)
    """Fields the reviewer said misled the recommendation (feedback to their owners)."""
    rechecked_at: AwareDatetime | None = None
    """When the guard re-checked the edited arguments."""
    recheck_codes: list[str] = Field(default_factory=list)
    """The finding codes of that re-check."""
    execution: ExecutionRecord | None = None
    """The one run of the approved action."""
    compensation: ExecutionRecord | None = None
    """The one run of the contract's compensating action, by rollback."""
    trace_id: str | None = None
    """The trace of the check that filed the ticket, for the audit trail."""

    @property
    def executed_at(self) -> datetime | None:
        """When the approved action was claimed to run; it runs at most once."""
        return self.execution.at if self.execution else None

    @property
    def arguments(self) -> dict[str, Any]:
        """The arguments the action runs with: the reviewer's edit, else the model's."""
        if self.edited_arguments is not None:
            return self.edited_arguments
        return self.recommendation.arguments

    @property
    def overridden(self) -> bool:
        """True when a person rejected or edited the model's proposal."""
        return self.decision in OVERRIDES


def ticket_age(ticket: ReviewTicket, now: datetime) -> float:
    """Seconds since the ticket was filed."""
    return (now - ticket.created_at).total_seconds()
