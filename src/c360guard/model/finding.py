"""Findings: one machine-readable problem each, with a stable dotted code."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from c360guard.model._base import FrozenModel
from c360guard.model._enums import Dimension, Outcome

FindingCode = Literal[
    "field.unknown",
    "field.stale",
    "field.no_timestamp",
    "field.unowned",
    "field.untrusted_source",
    "field.no_source_path",
    "field.low_confidence",
    "field.grain_mismatch",
    "field.missing",
    "field.not_cleared",
    "field.critical_withheld",
    "identity.grain_mismatch",
    "identity.low_match_confidence",
    "lifecycle.conflict",
    "lifecycle.unmapped",
    "consent.missing",
    "suppression.active",
    "suppression.unknown",
    "reason.missing",
    "reason.unknown_code",
    "reason.cites_withheld_field",
    "reason.evidence_missing",
    "destination.field_not_allowed",
    "confidence.low",
    "review.required",
    "action.unknown",
    "authority.exceeded",
    "workflow.paused",
    "guard.internal_error",
]
"""Every code a finding can carry."""

DIMENSION_OF: dict[str, Dimension] = {
    "field.unknown": Dimension.FRESHNESS_OWNERSHIP,
    "field.stale": Dimension.FRESHNESS_OWNERSHIP,
    "field.no_timestamp": Dimension.FRESHNESS_OWNERSHIP,
    "field.unowned": Dimension.FRESHNESS_OWNERSHIP,
    "field.untrusted_source": Dimension.FRESHNESS_OWNERSHIP,
    "field.no_source_path": Dimension.FRESHNESS_OWNERSHIP,
    "field.low_confidence": Dimension.FRESHNESS_OWNERSHIP,
    "field.grain_mismatch": Dimension.IDENTITY,
    "field.missing": Dimension.FRESHNESS_OWNERSHIP,
    "field.not_cleared": Dimension.FRESHNESS_OWNERSHIP,
    "field.critical_withheld": Dimension.FRESHNESS_OWNERSHIP,
    "identity.grain_mismatch": Dimension.IDENTITY,
    "identity.low_match_confidence": Dimension.IDENTITY,
    "lifecycle.conflict": Dimension.LIFECYCLE,
    "lifecycle.unmapped": Dimension.LIFECYCLE,
    "consent.missing": Dimension.CONSENT_SUPPRESSION,
    "suppression.active": Dimension.CONSENT_SUPPRESSION,
    "suppression.unknown": Dimension.CONSENT_SUPPRESSION,
    "reason.missing": Dimension.REASON_CODES,
    "reason.unknown_code": Dimension.REASON_CODES,
    "reason.cites_withheld_field": Dimension.REASON_CODES,
    "reason.evidence_missing": Dimension.REASON_CODES,
    "destination.field_not_allowed": Dimension.DESTINATION,
    "confidence.low": Dimension.REVIEW,
    "review.required": Dimension.REVIEW,
    "action.unknown": Dimension.DESTINATION,
    "authority.exceeded": Dimension.ROLLBACK,
    "workflow.paused": Dimension.ROLLBACK,
    "guard.internal_error": Dimension.ROLLBACK,
}
"""The readiness dimension each finding code belongs to."""


class Finding(FrozenModel):
    """One machine-readable problem found while screening or checking."""

    code: FindingCode
    """The stable dotted code (`field.stale`, `consent.missing`...)."""
    dimension: Dimension
    """The readiness dimension the problem belongs to."""
    message: str
    """One sentence a person can act on; never contains field values."""
    field: str | None = None
    """The profile field concerned, when there is one."""
    outcome: Outcome = Outcome.ALLOW
    """The verdict this finding forces on its own; `allow` for findings that only record."""
    detail: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    """Machine-readable particulars (limits, ages, sources), never field values."""

    @classmethod
    def of(
        cls,
        code: FindingCode,
        message: str,
        *,
        field: str | None = None,
        outcome: Outcome = Outcome.ALLOW,
        **detail: str | int | float | bool | None,
    ) -> Finding:
        """Build a finding, filling its dimension from the code."""
        return cls(
            code=code,
            dimension=DIMENSION_OF[code],
            message=message,
            field=field,
            outcome=outcome,
            detail=detail,
        )


Severity = Literal["allow", "review", "block"]
