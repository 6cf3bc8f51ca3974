"""Review tickets: a recommendation waiting for, or decided by, a person."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, Field

from c360guard.model._base import FrozenModel
from c360guard.model._enums import Grain
from c360guard.model.finding import Finding
from c360guard.model.recommendation import Recommendation


class TicketStatus(StrEnum):
    """Where a review ticket stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EDITED = "edited"
    EXPIRED = "expired"


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
    status: TicketStatus = TicketStatus.PENDING
    """Pending until a person decides, or it expires."""
    idempotency_key: str
    """Workflow + entity + action + normalised arguments: one pending ticket per proposal."""
    created_at: AwareDatetime
    """When the ticket was filed."""
    decided_at: AwareDatetime | None = None
    """When a person (or expiry) decided it."""
    reviewer: str | None = None
    """Who decided, as the caller's authentication context gave it."""
    note: str | None = None
    """The reviewer's note or rejection reason."""
    edited_arguments: dict[str, Any] | None = None
    """Arguments the reviewer changed, when the decision was an edit."""
    misleading_fields: list[str] = Field(default_factory=list)
    """Fields the reviewer said misled the recommendation (feedback to their owners)."""
    executed_at: AwareDatetime | None = None
    """When the approved action ran; it runs at most once."""
    trace_id: str | None = None
    """The trace of the check that filed the ticket, for the audit trail."""


def ticket_age(ticket: ReviewTicket, now: datetime) -> float:
    """Seconds since the ticket was filed."""
    return (now - ticket.created_at).total_seconds()
