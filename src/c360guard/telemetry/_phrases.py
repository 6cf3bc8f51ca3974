"""Plain-language sentences for finding codes, built from names and details only.

Decision records carry no finding messages unless value capture was on, so explanations
are rebuilt here from each finding's code, field and machine-readable detail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Detail = Mapping[str, Any]


def finding_sentence(code: str, field: str | None, detail: Detail) -> str:
    """Say what one finding means, for a person reading the audit trail."""
    phrase = _PHRASES.get(code)
    if phrase is None:
        return f"{code}" + (f" on {field}" if field else "")
    return phrase(field or "the field", detail)


def duration(seconds: float | int | None) -> str:
    """Render a number of seconds as `2 days 3 hours`, `45 minutes` or `12 seconds`."""
    if seconds is None:
        return "an unknown time"
    left = int(abs(seconds))
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
        if len(parts) == 2:
            break
    if not parts:
        parts.append(f"{left} second{'s' if left != 1 else ''}")
    return " ".join(parts)


def _stale(field: str, detail: Detail) -> str:
    return (
        f"{field} was {duration(detail.get('age_seconds'))} old; at authority "
        f"{detail.get('authority', 'this level')} the contract allows "
        f"{duration(detail.get('limit_seconds'))}"
    )


def _lifecycle(field: str, detail: Detail) -> str:
    if "fields" in detail:
        return f"source systems disagree on the lifecycle state ({detail['fields']})"
    return f"{field} disagrees with another system on the lifecycle state, so it is not shown"


def _review(field: str, detail: Detail) -> str:
    if "action" in detail:
        return f"action {detail['action']} always needs a person's approval"
    return f"a person must approve actions at authority {detail.get('authority', 'this level')}"


def _confidence(field: str, detail: Detail) -> str:
    given = detail.get("confidence")
    stated = "gave no confidence" if given is None else f"gave confidence {given}"
    return f"the model {stated}; below {detail.get('min_confidence')} a person reviews"


_PHRASES: dict[str, Callable[[str, Detail], str]] = {
    "field.unknown": lambda f, d: f"{f} has no rule in the contract, so it is never shown",
    "field.stale": _stale,
    "field.no_timestamp": lambda f, d: f"{f} has no updated_at, so its age is unknown",
    "field.unowned": lambda f, d: f"{f} has no owner",
    "field.untrusted_source": lambda f, d: (
        f"{f} came from {d.get('source') or 'no named source'}, which the contract does not allow"
    ),
    "field.no_source_path": lambda f, d: f"{f} has no source path (lineage)",
    "field.low_confidence": lambda f, d: (
        f"{f} has confidence {d.get('confidence', 'unknown')}, below the contract minimum "
        f"{d.get('min_confidence')}"
    ),
    "field.grain_mismatch": lambda f, d: (
        f"{f} was measured at {d.get('measured')} grain; the contract needs {d.get('expected')}"
    ),
    "field.missing": lambda f, d: f"{f} holds no value",
    "field.not_cleared": lambda f, d: (
        f"{f} has no freshness limit declared for authority {d.get('authority')}"
    ),
    "field.critical_withheld": lambda f, d: (
        f"critical field {f} is withheld, so no action may be taken on this profile"
    ),
    "identity.grain_mismatch": lambda f, d: (
        f"the entity is a {d.get('entity_grain')}; this needs {d.get('expected')} grain"
    ),
    "identity.low_match_confidence": lambda f, d: (
        f"identity resolution matched this entity with confidence "
        f"{d.get('match_confidence', 'unknown')}, below {d.get('min_match_confidence')}"
    ),
    "lifecycle.conflict": _lifecycle,
    "lifecycle.unmapped": lambda f, d: (
        f"{f} holds a state the contract's lifecycle mapping does not know"
    ),
    "consent.missing": lambda f, d: f"there is no consent on record in {f}",
    "suppression.active": lambda f, d: f"suppression {d.get('suppression')} is active",
    "suppression.unknown": lambda f, d: (
        f"suppression {d.get('suppression')} cannot be ruled out: the fields it reads are "
        "withheld or absent"
    ),
    "reason.missing": lambda f, d: "the recommendation gave no reason code",
    "reason.unknown_code": lambda f, d: (
        f"reason code {d.get('reason_code')} is not in the contract's catalog"
    ),
    "reason.cites_withheld_field": lambda f, d: (
        f"reason {d.get('reason_code')} cites {f}, which the model was not allowed to rely on"
    ),
    "reason.evidence_missing": lambda f, d: (
        f"reason {d.get('reason_code')} does not cite its required evidence {f}"
    ),
    "destination.field_not_allowed": lambda f, d: (
        f"action {d.get('action')} may not write {f} to its destination"
    ),
    "confidence.low": _confidence,
    "review.required": _review,
    "action.unknown": lambda f, d: f"action {d.get('action')} is not in the contract's catalog",
    "authority.exceeded": lambda f, d: (
        f"action {d.get('action')} needs authority {d.get('needed')}; the workflow may go no "
        f"further than {d.get('ceiling')}"
    ),
    "workflow.paused": lambda f, d: f"the workflow is paused (by {d.get('paused_by')})",
    "guard.internal_error": lambda f, d: (
        "the guard failed while checking, so the action was blocked"
    ),
}
