"""The readiness report: what the survival test found, per dimension, per field and overall."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from c360guard.model import Authority, Dimension, Grain, Readiness
from c360guard.model._base import FrozenModel

Status = Literal["pass", "warn", "fail"]
"""How a dimension, a check or a profile fares: `pass`, `warn` or `fail`."""

Severity = Literal["fail", "warn", "note"]
"""What a check means for a profile it hits: `note` counts it without marking it down."""


class NextMove(StrEnum):
    """What the team should do next, read off the readiness level."""

    FIX_DATA_FOUNDATION = "fix_data_foundation"
    """The profiles cannot be trusted yet: fix identity, freshness, ownership and lifecycle."""
    CLASSIFY_WORKFLOW_AUTHORITY = "classify_workflow_authority"
    """The data holds; declare what the workflow may do: consent, suppression, destinations."""
    GOVERNED_ACTIVATION = "move_into_governed_activation"
    """Run the workflow under the contract, with review and rollback."""


class Thresholds(FrozenModel):
    """The rates that turn profile counts into a dimension's pass, warn or fail."""

    fail_above: float = Field(default=0.05, ge=0.0, le=1.0)
    """A dimension fails when more than this share of profiles fails it."""
    pass_fail_at_most: float = Field(default=0.01, ge=0.0, le=1.0)
    """A dimension passes only when at most this share of profiles fails it..."""
    pass_warn_at_most: float = Field(default=0.10, ge=0.0, le=1.0)
    """...and at most this share of profiles warns on it."""

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.pass_fail_at_most > self.fail_above:
            raise ValueError("pass_fail_at_most must not exceed fail_above")
        return self


class CheckResult(FrozenModel):
    """One check of one dimension, over every profile in scope."""

    code: str
    """The check's stable code (`field.stale`, `consent.missing`, `identity.sentinel_id`...)."""
    severity: Severity
    """What the check means for a profile it hits."""
    label: str
    """What the check looks for, in a sentence."""
    profiles: int
    """Profiles the check hits."""
    rate: float
    """Profiles hit, as a share of the profiles in scope."""
    examples: list[str] = Field(default_factory=list)
    """A few entity ids it hits (the smallest, in sort order); never values."""


class Requirement(FrozenModel):
    """One declaration the contract must make to reach a level of the ladder."""

    key: str
    """The requirement's stable key (`consent.customer_actions`)."""
    dimension: Dimension
    """The dimension it belongs to."""
    level: Readiness
    """The lowest level that needs it."""
    severity: Literal["fail", "warn"]
    """What an unmet requirement does to its dimension."""
    met: bool
    """Whether the contract makes the declaration."""
    detail: str
    """What was found, in a sentence that says what to declare when it is unmet."""


class DimensionResult(FrozenModel):
    """How the profiles and the contract fare on one of the eight dimensions."""

    dimension: Dimension
    """The dimension."""
    status: Status
    """The worse of the data status and the declarations' status."""
    data_status: Status
    """The status the profile counts give under the thresholds."""
    profiles: int
    """Profiles judged (every profile in scope)."""
    passed: int
    """Profiles no check of the dimension marks down."""
    warned: int
    """Profiles whose worst check is a warning."""
    failed: int
    """Profiles at least one check fails."""
    pass_rate: float
    """Passed, as a share of profiles."""
    warn_rate: float
    """Warned, as a share of profiles."""
    fail_rate: float
    """Failed, as a share of profiles."""
    examples: list[str] = Field(default_factory=list)
    """A few failing entity ids, or warning ones when none fails."""
    checks: list[CheckResult] = Field(default_factory=list)
    """The dimension's checks on the data."""
    requirements: list[Requirement] = Field(default_factory=list)
    """The dimension's declarations in the contract."""


class FieldCoverage(FrozenModel):
    """How one field fares across the profiles in scope."""

    field: str
    """The field name."""
    declared: bool
    """Whether the contract has a rule for it (an undeclared field is never shown)."""
    critical: bool = False
    """Whether the contract marks it critical."""
    present: int
    """Profiles holding a value for it."""
    admitted: int
    """Profiles where screening admits it."""
    fresh: int
    """Profiles whose value is within the freshness limit at the ceiling."""
    owned: int
    """Profiles whose value meets the owner rule."""
    trusted_source: int
    """Profiles whose value comes from an allowed source."""
    coverage: float
    """Present, as a share of the profiles in scope."""
    fresh_rate: float
    """Fresh, as a share of present (0.0 when nothing is present)."""
    owned_rate: float
    """Owned, as a share of present."""
    source_rate: float
    """From an allowed source, as a share of present."""
    withheld: dict[str, int] = Field(default_factory=dict)
    """Finding code to the profiles it withholds the field on."""


class ReadinessReport(FrozenModel):
    """The survival test's verdict on a set of profiles for one workflow."""

    workflow: str
    """The contract's workflow."""
    contract_version: int | str
    """The contract's version."""
    contract_digest: str
    """The contract's digest."""
    authority: Authority
    """The ceiling the rules were judged at."""
    grain: Grain
    """The grain of the profiles in scope."""
    judged_at: AwareDatetime
    """The instant freshness was judged at."""
    profiles: int
    """Profiles in scope: entities at the workflow's grain."""
    out_of_scope: dict[str, int] = Field(default_factory=dict)
    """Entities at other grains, by grain; they are counted, not judged."""
    level: Readiness
    """The highest rung of the ladder the workflow reaches on this data."""
    next_move: NextMove
    """What to do next."""
    reason: str
    """Why that is the next move, naming what holds the level back."""
    gaps: list[str] = Field(default_factory=list)
    """What stands between this level and the next one, one sentence each."""
    dimensions: list[DimensionResult]
    """The eight dimensions, in the order of the ladder."""
    fields: list[FieldCoverage] = Field(default_factory=list)
    """Per-field coverage: declared fields first, then undeclared ones, by name."""
    thresholds: Thresholds = Field(default_factory=Thresholds)
    """The thresholds the statuses were computed with."""

    def dimension(self, which: Dimension | str) -> DimensionResult:
        """Return the result of one dimension."""
        wanted = Dimension(which)
        return next(result for result in self.dimensions if result.dimension is wanted)

    def check(self, code: str) -> CheckResult | None:
        """Return the result of one check, whatever its dimension, or None."""
        for result in self.dimensions:
            for found in result.checks:
                if found.code == code:
                    return found
        return None

    def reaches(self, level: Readiness | str) -> bool:
        """True when the report's level is at or above `level`."""
        return self.level >= Readiness(level)
