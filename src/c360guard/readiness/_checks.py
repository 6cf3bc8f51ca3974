"""The survival test's checks: their codes, dimensions, severities and the bits SQL counts in."""

from __future__ import annotations

from dataclasses import dataclass

from c360guard.model import Authority, Contract, Dimension
from c360guard.readiness.report import Severity


@dataclass(frozen=True)
class Check:
    """One thing the survival test counts profiles on."""

    code: str
    dimension: Dimension
    severity: Severity
    label: str


_FIELD_WARNINGS: tuple[tuple[str, str], ...] = (
    ("field.stale", "a field is older than its freshness limit at the ceiling"),
    ("field.no_timestamp", "a field has no updated_at"),
    ("field.not_cleared", "a field has no freshness limit declared at the ceiling"),
    ("field.unowned", "a field has no owner where one is required"),
    ("field.untrusted_source", "a field comes from a source the contract does not allow"),
    ("field.no_source_path", "a field has no source path where lineage is required"),
    ("field.low_confidence", "a field's confidence is below the contract minimum"),
)


def checks_for(contract: Contract) -> tuple[Check, ...]:
    """Every check, in report order; a few severities depend on the contract's ceiling."""
    routes = contract.authority >= Authority.ROUTE
    identity, fresh = Dimension.IDENTITY, Dimension.FRESHNESS_OWNERSHIP
    consent = Dimension.CONSENT_SUPPRESSION
    return (
        Check("identity.sentinel_id", identity, "fail",
              "the entity or parent id is a placeholder such as -1 or null"),
        Check("identity.low_match_confidence", identity, "fail" if routes else "warn",
              "identity resolution matched the profile below the contract minimum"),
        Check("field.grain_mismatch", identity, "warn",
              "a field was measured at another grain than the contract needs"),
        Check("field.missing", fresh, "fail", "a critical field is missing"),
        Check("field.critical_withheld", fresh, "fail", "a critical field is withheld"),
        *(Check(code, fresh, "warn", label) for code, label in _FIELD_WARNINGS),
        Check("lifecycle.conflict", Dimension.LIFECYCLE, "fail",
              "the systems name different lifecycle states"),
        Check("lifecycle.unmapped", Dimension.LIFECYCLE, "warn",
              "a state field holds a value the lifecycle mapping does not know"),
        Check("consent.missing", consent, "fail",
              "a consent rule applies and the consent field is missing or withheld"),
        Check("suppression.unknown", consent, "fail",
              "a suppression cannot be ruled out: its fields are missing or withheld"),
        Check("consent.not_granted", consent, "note",
              "the customer has not granted a consent an action needs (the guard skips them)"),
        Check("suppression.active", consent, "note",
              "a suppression is active (the guard holds the actions it names)"),
        Check("reason.missing", Dimension.REASON_CODES, "fail",
              "no reason code can be backed: every code's evidence is withheld"),
        Check("reason.cites_withheld_field", Dimension.REASON_CODES, "warn",
              "a reason code's evidence is withheld, so the code cannot be used"),
        Check("destination.blocked", Dimension.DESTINATION, "fail",
              "every action that writes profile fields would send a withheld one"),
        Check("destination.write_withheld", Dimension.DESTINATION, "warn",
              "an action would send a field that is withheld or missing"),
        Check("review.required", Dimension.REVIEW, "warn",
              "a lifecycle conflict sends every action on the profile to a person"),
    )  # fmt: skip


SENTINEL_IDS: frozenset[str] = frozenset(
    {
        "-1",
        "0",
        "null",
        "none",
        "nil",
        "nan",
        "n/a",
        "na",
        "#n/a",
        "unknown",
        "undefined",
        "00000000-0000-0000-0000-000000000000",
    }
)
"""Ids (compared trimmed and lower-cased) that stand for a missing key, not a customer."""


def is_sentinel(value: str | None) -> bool:
    """True when an id is a placeholder rather than a real key."""
    return value is not None and value.strip().lower() in SENTINEL_IDS


# Bits of the per-value problem mask the SQL engines compute; the names are finding codes.
BITS: dict[str, int] = {
    "field.no_timestamp": 1,
    "field.not_cleared": 2,
    "field.stale": 4,
    "field.untrusted_source": 8,
    "field.unowned": 16,
    "field.no_source_path": 32,
    "field.low_confidence": 64,
    "field.grain_mismatch": 128,
    "lifecycle.unmapped": 256,
    "field.unknown": 512,
}
"""Finding code to its bit in a value's problem mask."""

AGE_BOUND_MASK = BITS["field.stale"] | BITS["field.not_cleared"]
"""Problems that depend only on age: a value with no others still takes part in lifecycle."""

FRESHNESS_CODES = ("field.stale", "field.no_timestamp", "field.not_cleared")
"""Codes that make a present value not fresh."""


def codes_of(mask: int) -> tuple[str, ...]:
    """The finding codes a problem mask holds, in sorted order."""
    return tuple(sorted(code for code, bit in BITS.items() if mask & bit))
