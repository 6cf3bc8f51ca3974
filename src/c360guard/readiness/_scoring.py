"""Turn an engine's counts into a report: statuses, the level and the next move.

Every engine (memory, DuckDB, Spark) hands over the same `Tally`; this module alone decides
what the counts mean, so the engines cannot drift apart on scoring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from c360guard.model import Contract, Dimension, Readiness
from c360guard.readiness._checks import FRESHNESS_CODES, Check, checks_for
from c360guard.readiness._requirements import requirements
from c360guard.readiness.report import (
    CheckResult,
    DimensionResult,
    FieldCoverage,
    NextMove,
    ReadinessReport,
    Requirement,
    Status,
    Thresholds,
)

EXAMPLES = 3
"""Entity ids a check or a dimension shows (the smallest, in sort order)."""

LADDER: dict[Readiness, tuple[Dimension, ...]] = {
    Readiness.PROFILE_TRUSTED: (
        Dimension.IDENTITY,
        Dimension.FRESHNESS_OWNERSHIP,
        Dimension.LIFECYCLE,
    ),
    Readiness.WORKFLOW_READY: (
        Dimension.CONSENT_SUPPRESSION,
        Dimension.REASON_CODES,
        Dimension.DESTINATION,
    ),
    Readiness.AI_READY: (Dimension.REVIEW, Dimension.ROLLBACK),
}
"""The dimensions each rung adds to the ones below it."""


@dataclass
class FieldTally:
    """Counts for one field over the profiles in scope."""

    present: int = 0
    admitted: int = 0
    codes: dict[str, int] = field(default_factory=dict)


@dataclass
class Tally:
    """What an engine counted: the only thing engines hand to scoring."""

    profiles: int = 0
    out_of_scope: dict[str, int] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)
    """Check code to profiles hit."""
    statuses: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Dimension to (profiles warned, profiles failed)."""
    examples: dict[str, list[str]] = field(default_factory=dict)
    """Check code, `fail:<dimension>` or `warn:<dimension>` to the smallest entity ids."""
    fields: dict[str, FieldTally] = field(default_factory=dict)


def build_report(
    contract: Contract, tally: Tally, *, at: datetime, thresholds: Thresholds
) -> ReadinessReport:
    """Score a tally against the thresholds and the ladder."""
    declared = requirements(contract)
    checks = checks_for(contract)
    dimensions = [
        _dimension(dimension, tally, checks, declared, thresholds) for dimension in Dimension
    ]
    level = _level(tally.profiles, dimensions)
    move, reason, gaps = _next_move(contract, tally, level, dimensions)
    return ReadinessReport(
        workflow=contract.workflow,
        contract_version=contract.version,
        contract_digest=contract.digest,
        authority=contract.authority,
        grain=contract.grain,
        judged_at=at,
        profiles=tally.profiles,
        out_of_scope=dict(sorted(tally.out_of_scope.items())),
        level=level,
        next_move=move,
        reason=reason,
        gaps=gaps,
        dimensions=dimensions,
        fields=_fields(contract, tally),
        thresholds=thresholds,
    )


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _dimension(
    dimension: Dimension,
    tally: Tally,
    checks: tuple[Check, ...],
    declared: list[Requirement],
    thresholds: Thresholds,
) -> DimensionResult:
    total = tally.profiles
    warned, failed = tally.statuses.get(dimension.value, (0, 0))
    passed = total - warned - failed
    fail_rate, warn_rate = _rate(failed, total), _rate(warned, total)
    data: Status = "warn"
    if fail_rate > thresholds.fail_above:
        data = "fail"
    elif fail_rate <= thresholds.pass_fail_at_most and warn_rate <= thresholds.pass_warn_at_most:
        data = "pass"
    own = [req for req in declared if req.dimension is dimension]
    status = _worst([data, *(req.severity for req in own if not req.met)])
    examples = tally.examples.get(f"fail:{dimension.value}") or tally.examples.get(
        f"warn:{dimension.value}", []
    )
    return DimensionResult(
        dimension=dimension,
        status=status,
        data_status=data,
        profiles=total,
        passed=passed,
        warned=warned,
        failed=failed,
        pass_rate=_rate(passed, total),
        warn_rate=warn_rate,
        fail_rate=fail_rate,
        examples=examples[:EXAMPLES],
        checks=[
            CheckResult(
                code=check.code,
                severity=check.severity,
                label=check.label,
                profiles=tally.checks.get(check.code, 0),
                rate=_rate(tally.checks.get(check.code, 0), total),
                examples=tally.examples.get(check.code, [])[:EXAMPLES],
            )
            for check in checks
            if check.dimension is dimension
        ],
        requirements=own,
    )


def _worst(statuses: list[str]) -> Status:
    if "fail" in statuses:
        return "fail"
    return "warn" if "warn" in statuses else "pass"


def _level(profiles: int, dimensions: list[DimensionResult]) -> Readiness:
    status = {result.dimension: result.status for result in dimensions}
    level = Readiness.PROFILE_EXISTS
    if profiles == 0:
        return level
    for rung, added in LADDER.items():
        if rung is Readiness.AI_READY:
            holds = all(value == "pass" for value in status.values())
        else:
            holds = all(status[dimension] != "fail" for dimension in added)
        if not holds:
            return level
        level = rung
    return level


def _blockers(rung: Readiness, dimensions: list[DimensionResult]) -> list[DimensionResult]:
    if rung is Readiness.AI_READY:
        return [result for result in dimensions if result.status != "pass"]
    return [r for r in dimensions if r.dimension in LADDER[rung] and r.status == "fail"]


def _explain(result: DimensionResult) -> str:
    """One sentence on why a dimension holds a level back."""
    parts: list[str] = []
    worst = sorted(
        (c for c in result.checks if c.profiles and c.severity != "note"),
        key=lambda c: (-c.profiles, c.code),
    )[:3]
    if result.data_status != "pass" and worst:
        shares = ", ".join(f"{c.code} {c.rate:.1%}" for c in worst)
        parts.append(
            f"{result.fail_rate:.1%} of profiles fail and {result.warn_rate:.1%} warn ({shares})"
        )
    parts += [req.detail for req in result.requirements if not req.met]
    return f"{result.dimension.value} {result.status}s: " + "; ".join(parts or ["see checks"])


def _next_move(
    contract: Contract, tally: Tally, level: Readiness, dimensions: list[DimensionResult]
) -> tuple[NextMove, str, list[str]]:
    if tally.profiles == 0:
        found = ", ".join(f"{n} {g}" for g, n in sorted(tally.out_of_scope.items())) or "none"
        reason = (
            f"no profiles at {contract.grain.value} grain to judge (other entities: {found}); "
            "load the profiles this workflow acts on"
        )
        return NextMove.FIX_DATA_FOUNDATION, reason, [reason]
    if level is Readiness.AI_READY:
        reason = (
            f"every dimension passes: run {contract.workflow} up to "
            f"{contract.authority.value} under its review and rollback rules"
        )
        return NextMove.GOVERNED_ACTIVATION, reason, []
    rung = Readiness.ordered()[level.rank + 1]
    gaps = [_explain(result) for result in _blockers(rung, dimensions)]
    if level is Readiness.PROFILE_EXISTS:
        move, lead = NextMove.FIX_DATA_FOUNDATION, "the profiles are not trusted yet"
    elif level is Readiness.PROFILE_TRUSTED:
        move, lead = NextMove.CLASSIFY_WORKFLOW_AUTHORITY, "the data holds, the workflow does not"
    else:
        move = NextMove.GOVERNED_ACTIVATION
        lead = "activate with a person approving each action; before the assistant runs on its own"
    return move, f"{lead}: " + " | ".join(gaps), gaps


def _fields(contract: Contract, tally: Tally) -> list[FieldCoverage]:
    names = list(contract.fields)
    names += sorted(name for name in tally.fields if name not in contract.fields)
    return [
        _coverage(contract, name, tally.fields.get(name, FieldTally()), tally) for name in names
    ]


def _coverage(contract: Contract, name: str, counts: FieldTally, tally: Tally) -> FieldCoverage:
    rule = contract.fields.get(name)
    present, codes = counts.present, dict(sorted(counts.codes.items()))
    if rule is None:
        fresh = owned = trusted = 0
    else:
        fresh = present - sum(codes.get(code, 0) for code in FRESHNESS_CODES)
        owned = present - codes.get("field.unowned", 0)
        trusted = present - codes.get("field.untrusted_source", 0)
    return FieldCoverage(
        field=name,
        declared=rule is not None,
        critical=bool(rule and rule.critical),
        present=present,
        admitted=counts.admitted,
        fresh=fresh,
        owned=owned,
        trusted_source=trusted,
        coverage=_rate(present, tally.profiles),
        fresh_rate=_rate(fresh, present),
        owned_rate=_rate(owned, present),
        source_rate=_rate(trusted, present),
        withheld=codes,
    )
