"""Verdicts and screenings: what the guard decided about one profile or one proposal."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, Field, field_serializer

from c360guard.model._base import FrozenModel
from c360guard.model._enums import Authority, Outcome
from c360guard.model.finding import Finding
from c360guard.model.profile import FieldValue, Profile, profile_timestamp
from c360guard.model.ticket import ReviewTicket


class Screening(FrozenModel):
    """The result of checking one profile against one contract at one authority."""

    workflow: str
    """The contract's workflow."""
    contract_version: int | str
    """The contract's version."""
    contract_digest: str
    """The contract's digest."""
    authority: Authority
    """The authority whose rules were applied."""
    screened_at: AwareDatetime
    """The clock reading the freshness rules were judged at."""
    profile: Profile
    """The profile as it came in; never shown to the model."""
    admitted: Profile
    """The fields that passed every rule (sensitive ones included, for actions)."""
    withheld: dict[str, list[Finding]] = Field(default_factory=dict)
    """Field name to the findings that withheld it."""
    findings: list[Finding] = Field(default_factory=list)
    """Profile-level findings: conflicts, identity problems, missing critical fields."""
    sensitive: frozenset[str] = frozenset()
    """Admitted fields that actions may use but the model never sees."""

    @field_serializer("sensitive", when_used="json")
    def _sorted_sensitive(self, names: frozenset[str]) -> list[str]:
        # A set's order varies with the hash seed; dumps feed digests, diffs and the audit trail.
        return sorted(names)

    @property
    def shown(self) -> list[str]:
        """Names of the fields the model may see, in profile order."""
        return [name for name in self.admitted.fields if name not in self.sensitive]

    @property
    def codes(self) -> list[str]:
        """Every finding code, withheld fields first, without repeats."""
        codes = [f.code for found in self.withheld.values() for f in found]
        return list(dict.fromkeys([*codes, *(f.code for f in self.findings)]))

    def context(self) -> dict[str, Any]:
        """Return what the LLM may see: admitted, non-sensitive values with their provenance."""
        fields: dict[str, Any] = {}
        for name in self.shown:
            held = self.admitted.fields[name]
            assert isinstance(held, FieldValue)  # screening keeps one value per admitted field
            fields[name] = _provenance(held, include_value=True)
        entity = self.admitted.entity
        return {
            "workflow": self.workflow,
            "authority": self.authority.value,
            "entity": {"id": entity.id, "grain": entity.grain.value, "parent_id": entity.parent_id},
            "fields": fields,
        }

    def withheld_summary(self) -> dict[str, list[str]]:
        """Field name to finding codes for the withheld fields: safe to show the model."""
        return {name: [f.code for f in found] for name, found in self.withheld.items()}


class Verdict(FrozenModel):
    """The guard's decision on one recommendation or action."""

    outcome: Outcome
    """`allow`, `review` or `block`: the most severe outcome among the findings."""
    findings: list[Finding] = Field(default_factory=list)
    """Every finding collected, never only the first."""
    ticket: ReviewTicket | None = None
    """The review ticket, for a `review` verdict with a queue configured."""
    workflow: str
    """The contract's workflow."""
    action: str | None = None
    """The action checked, None for a pure suggestion."""
    authority: Authority
    """The authority the action needs (`suggest` for a pure suggestion)."""
    entity_id: str
    """The entity the recommendation is about."""
    reason_codes: list[str] = Field(default_factory=list)
    """The reason codes the recommendation gave."""
    cited_fields: list[str] = Field(default_factory=list)
    """The fields its reasons cite."""
    decided_at: AwareDatetime
    """The clock reading the decision was made at."""

    @property
    def codes(self) -> list[str]:
        """The finding codes, in order, without repeats."""
        return list(dict.fromkeys(f.code for f in self.findings))

    @property
    def allowed(self) -> bool:
        """True when the outcome is `allow`."""
        return self.outcome is Outcome.ALLOW


def _provenance(held: FieldValue, *, include_value: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if include_value:
        out["value"] = held.value
    out["source"] = held.source
    out["owner"] = held.owner
    out["updated_at"] = profile_timestamp(held.updated_at) if held.updated_at else None
    if held.source_path is not None:
        out["source_path"] = held.source_path
    if held.confidence is not None:
        out["confidence"] = held.confidence
    if held.grain is not None:
        out["grain"] = held.grain.value
    return out


def provenance(held: FieldValue) -> dict[str, Any]:
    """Return a value's provenance without the value: safe for logs and spans."""
    return _provenance(held, include_value=False)
