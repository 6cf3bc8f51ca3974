"""Per-profile facts read off the guard's own screening: the reference every engine matches.

The in-memory engine screens each profile with `c360guard.engine.screen` and evaluates the
contract's conditions with `c360guard.engine.evaluate`, so what it counts is exactly what the
row-by-row guard decides. The SQL engines are tested against these facts entity by entity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from c360guard.engine import FieldView, evaluate, screen
from c360guard.model import ANY_ACTION, Contract, FieldValue, Profile, Screening
from c360guard.model.contract import REASON_CODES_WRITE, ActionSelector, ConsentRule, SuppressRule
from c360guard.readiness._checks import Check, checks_for, is_sentinel


@dataclass(frozen=True)
class Plan:
    """What the survival test reads from a contract, computed once per run."""

    contract: Contract
    checks: tuple[Check, ...]
    consent: tuple[ConsentRule, ...]
    """Consent rules that govern at least one action within the ceiling."""
    suppress: tuple[SuppressRule, ...]
    """Suppressions that hold at least one action within the ceiling (or every action)."""
    writers: dict[str, frozenset[str]]
    """Action within the ceiling to the profile fields it writes (only actions that write)."""
    evidence: dict[str, frozenset[str]]
    """Reason code to its evidence fields."""
    sensitive: frozenset[str]


def plan_for(contract: Contract) -> Plan:
    """Read what the survival test needs from a contract."""
    within = {n for n, a in contract.actions.items() if a.authority <= contract.authority}

    def governs(selector: ActionSelector) -> bool:
        return selector == ANY_ACTION or any(name in within for name in selector)

    writers = {
        name: frozenset(w for w in contract.actions[name].writes if w != REASON_CODES_WRITE)
        for name in sorted(within)
    }
    return Plan(
        contract=contract,
        checks=checks_for(contract),
        consent=tuple(rule for rule in contract.consent if governs(rule.actions)),
        suppress=tuple(rule for rule in contract.suppress if governs(rule.actions)),
        writers={name: fields for name, fields in writers.items() if fields},
        evidence={code: frozenset(r.evidence) for code, r in contract.reasons.items()},
        sensitive=contract.sensitive_fields(),
    )


@dataclass(frozen=True)
class EntityFacts:
    """What the survival test knows about one profile in scope."""

    entity_id: str
    present: frozenset[str]
    """Fields the profile holds."""
    withheld: dict[str, tuple[str, ...]]
    """Withheld field to its finding codes, sorted."""
    checks: frozenset[str]
    """The check codes that hit the profile."""

    @property
    def admitted(self) -> frozenset[str]:
        """Fields the screening admits."""
        return self.present - frozenset(self.withheld)


def facts_of(profile: Profile, plan: Plan, *, now: datetime) -> EntityFacts:
    """Screen one profile at the contract's ceiling and read the checks off the screening."""
    screening = screen(profile, plan.contract, now=now)
    withheld: dict[str, tuple[str, ...]] = {
        name: tuple(sorted({finding.code for finding in found}))
        for name, found in screening.withheld.items()
    }
    return EntityFacts(
        entity_id=profile.entity.id,
        present=frozenset(profile.fields),
        withheld=withheld,
        checks=frozenset(_checks(profile, screening, plan, withheld)),
    )


def _checks(
    profile: Profile, screening: Screening, plan: Plan, withheld: dict[str, tuple[str, ...]]
) -> set[str]:
    found: set[str] = {finding.code for finding in screening.findings}
    found.discard("identity.grain_mismatch")
    found.update(code for codes in withheld.values() for code in codes)
    found.discard("field.unknown")
    entity = profile.entity
    if is_sentinel(entity.id) or is_sentinel(entity.parent_id):
        found.add("identity.sentinel_id")
    if "lifecycle.conflict" in found:
        found.add("review.required")

    admitted = frozenset(screening.admitted.fields)
    found.update(_consent_checks(plan, _view(screening)))
    found.update(_reason_checks(plan, admitted - plan.sensitive))
    found.update(_destination_checks(plan, admitted))
    return found


def _view(screening: Screening) -> FieldView:
    values = {}
    for name, held in screening.admitted.fields.items():
        assert isinstance(held, FieldValue)  # screening admits one value per field
        values[name] = held.value
    return FieldView(values, frozenset(screening.profile.fields))


def _consent_checks(plan: Plan, view: FieldView) -> set[str]:
    found: set[str] = set()
    for rule in plan.consent:
        if rule.when is not None and evaluate(rule.when, view) is False:
            continue
        if not view.known(rule.field):
            found.add("consent.missing")
        elif view.value(rule.field) not in rule.allow:
            found.add("consent.not_granted")
    for suppression in plan.suppress:
        truth = evaluate(suppression.when, view)
        if truth is True:
            found.add("suppression.active")
        elif truth is None:
            found.add("suppression.unknown")
    return found


def _reason_checks(plan: Plan, shown: frozenset[str]) -> set[str]:
    unusable = [code for code, evidence in plan.evidence.items() if not evidence <= shown]
    found = {"reason.cites_withheld_field"} if unusable else set()
    if len(unusable) == len(plan.evidence):
        found.add("reason.missing")
    return found


def _destination_checks(plan: Plan, admitted: frozenset[str]) -> set[str]:
    blocked = [name for name, writes in plan.writers.items() if not writes <= admitted]
    found = {"destination.write_withheld"} if blocked else set()
    if blocked and len(blocked) == len(plan.writers):
        found.add("destination.blocked")
    return found
