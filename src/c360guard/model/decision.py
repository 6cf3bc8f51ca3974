"""Review decisions, and the feedback they send to the owners of misleading fields."""

from __future__ import annotations

from typing import Any, Self

from pydantic import AwareDatetime, Field, model_validator

from c360guard.model._base import FrozenModel
from c360guard.model.ticket import DecisionKind, TicketStatus

STATUS_AFTER: dict[DecisionKind, TicketStatus] = {
    DecisionKind.APPROVE: TicketStatus.APPROVED,
    DecisionKind.REJECT: TicketStatus.REJECTED,
    DecisionKind.EDIT: TicketStatus.EDITED,
    DecisionKind.EXPIRE: TicketStatus.EXPIRED,
}
"""The status a pending ticket takes for each decision."""


class ReviewDecision(FrozenModel):
    """A person's decision on one ticket: approve, reject with a reason, edit, or expire.

    Example:
        ```python
        ReviewDecision.reject("ana@example.com", "renewal already signed",
                              misleading_fields=["renewal_date"])
        ```
    """

    kind: DecisionKind
    """What was decided."""
    reviewer: str = Field(min_length=1)
    """Who decided, as the caller's authentication context gives it (never the model)."""
    note: str | None = None
    """A note for the audit trail; the reason, for a rejection."""
    arguments: dict[str, Any] | None = None
    """The full changed arguments, for an edit (and only for an edit)."""
    misleading_fields: list[str] = Field(default_factory=list)
    """Fields that misled the model, for a rejection or an edit: feedback to their owners."""

    @model_validator(mode="after")
    def _fits_kind(self) -> Self:
        problems = list(_misfits(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def status(self) -> TicketStatus:
        """The status a pending ticket takes on this decision."""
        return STATUS_AFTER[self.kind]

    @classmethod
    def approve(cls, reviewer: str, *, note: str | None = None) -> ReviewDecision:
        """Approve the action as proposed."""
        return cls(kind=DecisionKind.APPROVE, reviewer=reviewer, note=note)

    @classmethod
    def reject(
        cls, reviewer: str, reason: str, *, misleading_fields: list[str] | None = None
    ) -> ReviewDecision:
        """Reject the action, saying why and, optionally, which fields misled the model."""
        return cls(
            kind=DecisionKind.REJECT,
            reviewer=reviewer,
            note=reason,
            misleading_fields=misleading_fields or [],
        )

    @classmethod
    def edit(
        cls,
        reviewer: str,
        arguments: dict[str, Any],
        *,
        note: str | None = None,
        misleading_fields: list[str] | None = None,
    ) -> ReviewDecision:
        """Run the action with changed arguments, once the guard has re-checked them."""
        return cls(
            kind=DecisionKind.EDIT,
            reviewer=reviewer,
            arguments=arguments,
            note=note,
            misleading_fields=misleading_fields or [],
        )

    @classmethod
    def expire(cls, reviewer: str, *, note: str | None = None) -> ReviewDecision:
        """Close the ticket undecided; its action never runs."""
        return cls(kind=DecisionKind.EXPIRE, reviewer=reviewer, note=note)


def _misfits(decision: ReviewDecision) -> list[str]:
    """List what does not fit the decision's kind; empty when it is well formed."""
    problems: list[str] = []
    if not decision.reviewer.strip():
        problems.append("a decision needs the reviewer's identity")
    if decision.kind is DecisionKind.REJECT and not (decision.note or "").strip():
        problems.append("a rejection needs a reason")
    if decision.kind is DecisionKind.EDIT and not decision.arguments:
        problems.append("an edit needs the changed arguments (a non-empty object)")
    if decision.kind is not DecisionKind.EDIT and decision.arguments is not None:
        problems.append(f"only an edit carries arguments, not {decision.kind.value}")
    if decision.misleading_fields and decision.kind not in (
        DecisionKind.REJECT,
        DecisionKind.EDIT,
    ):
        problems.append("only a rejection or an edit can name misleading fields")
    return problems


class Feedback(FrozenModel):
    """One field a reviewer said misled the model, addressed to the field's owner."""

    ticket_id: str
    """The ticket the feedback came from."""
    workflow: str
    """The ticket's workflow."""
    entity_id: str
    """The entity the recommendation was about."""
    field: str
    """The field that misled the model."""
    owner: str | None = None
    """The field's owner when the ticket was filed (None when the value had none)."""
    source: str | None = None
    """The source system the value came from."""
    source_path: str | None = None
    """Where in the source the value lives."""
    decision: DecisionKind
    """Whether the reviewer rejected or edited the proposal."""
    reviewer: str
    """Who gave the feedback."""
    note: str | None = None
    """The reviewer's note or rejection reason."""
    decided_at: AwareDatetime
    """When the decision was made."""
