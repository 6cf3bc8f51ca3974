"""Screen one profile against one contract: which fields the model may see, and why not."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime

from c360guard.engine._compiled import CompiledContract, CompiledRule, compiled
from c360guard.errors import AuthorityError
from c360guard.model import Authority, Contract, FieldValue, Finding, Outcome, Profile, Screening

logger = logging.getLogger(__name__)


def screen(
    profile: Profile,
    contract: Contract,
    *,
    now: datetime,
    authority: Authority | None = None,
    only: Collection[str] | None = None,
) -> Screening:
    """Screen a profile at an authority (the contract's ceiling by default).

    `only` restricts the field rules to the named fields (plus critical and lifecycle
    fields), which is how a check re-applies the rules at an action's authority to the
    fields the action relies on.
    """
    level = _authority(contract, authority)
    rules = compiled(contract, level)
    clock = now if now.tzinfo is UTC else now.astimezone(UTC)
    names = profile.fields if only is None else _relevant(profile, rules, only)

    admitted: dict[str, FieldValue | list[FieldValue]] = {}
    withheld: dict[str, list[Finding]] = {}
    for name in names:
        found = _screen_field(name, profile, rules, level, clock)
        if isinstance(found, FieldValue):
            admitted[name] = found
        else:
            withheld[name] = found

    findings = _lifecycle(profile, admitted, withheld, rules, level, clock)
    findings += _identity(profile, contract, level)
    findings += _critical(profile, rules, withheld)
    logger.debug(
        "screened %s for %s at %s: %d admitted, %d withheld",
        profile.entity.id,
        contract.workflow,
        level,
        len(admitted),
        len(withheld),
    )
    return Screening.model_construct(
        workflow=contract.workflow,
        contract_version=contract.version,
        contract_digest=contract.digest,
        authority=level,
        screened_at=now,
        profile=profile,
        admitted=Profile.model_construct(entity=profile.entity, fields=admitted),
        withheld=withheld,
        findings=findings,
        sensitive=rules.sensitive,
    )


def _authority(contract: Contract, asked: Authority | None) -> Authority:
    if asked is None:
        return contract.authority
    level = Authority(asked)
    if level > contract.authority:
        raise AuthorityError(
            f"authority {level.value!r} is above the ceiling {contract.authority.value!r} of "
            f"workflow {contract.workflow!r}; screen at {contract.authority.value!r} or lower"
        )
    return level


def _relevant(profile: Profile, rules: CompiledContract, only: Collection[str]) -> list[str]:
    wanted = set(only) | set(rules.critical) | set(rules.lifecycle)
    return [name for name in profile.fields if name in wanted]


def _screen_field(
    name: str, profile: Profile, rules: CompiledContract, level: Authority, now: datetime
) -> FieldValue | list[Finding]:
    """Return the admitted value of a field, or the findings that withhold it."""
    rule = rules.rules.get(name)
    if rule is None:
        return [
            Finding.of(
                "field.unknown",
                f"{name} has no rule in the contract, so it is never shown",
                field=name,
            )
        ]
    held = profile.fields[name]
    entity_grain = profile.entity.grain
    if isinstance(held, FieldValue):
        problems = _problems(name, held, rule, level, now, entity_grain)
        return problems or held
    candidates = sorted(held, key=lambda v: rule.precedence.get(v.source or "", len(held) + 99))
    first: list[Finding] = []
    for candidate in candidates:
        problems = _problems(name, candidate, rule, level, now, entity_grain)
        if not problems:
            return candidate
        first = first or problems
    return first or [Finding.of("field.missing", f"{name} holds no value", field=name)]


def _problems(
    name: str,
    held: FieldValue,
    rule: CompiledRule,
    level: Authority,
    now: datetime,
    entity_grain: object,
) -> list[Finding]:
    """Every rule a value breaks; empty when it may be admitted. Hot path: no allocation
    unless something fails."""
    problems: list[Finding] = []
    updated = held.updated_at
    if updated is None:
        problems.append(Finding.of("field.no_timestamp", f"{name} has no updated_at", field=name))
    elif rule.limit is None:
        problems.append(
            Finding.of(
                "field.not_cleared",
                f"{name} has no freshness limit declared for authority {level.value}",
                field=name,
                authority=level.value,
            )
        )
    elif now - updated > rule.limit:
        age = now - updated
        problems.append(
            Finding.of(
                "field.stale",
                f"{name} is {_human(age.total_seconds())} old; the limit at "
                f"{level.value} is {_human(rule.limit.total_seconds())}",
                field=name,
                age_seconds=int(age.total_seconds()),
                limit_seconds=int(rule.limit.total_seconds()),
                authority=level.value,
            )
        )
    if held.source not in rule.precedence:
        problems.append(
            Finding.of(
                "field.untrusted_source",
                f"{name} comes from {held.source or 'no source'}, which the contract does not "
                f"allow (allowed: {', '.join(rule.precedence)})",
                field=name,
                source=held.source,
            )
        )
    if rule.owner_required and not held.owner:
        problems.append(Finding.of("field.unowned", f"{name} has no owner", field=name))
    if rule.path_required and not held.source_path:
        problems.append(
            Finding.of("field.no_source_path", f"{name} has no source path (lineage)", field=name)
        )
    if rule.min_confidence is not None and (
        held.confidence is None or held.confidence < rule.min_confidence
    ):
        problems.append(
            Finding.of(
                "field.low_confidence",
                f"{name} confidence is below the contract minimum {rule.min_confidence}",
                field=name,
                confidence=held.confidence,
                min_confidence=rule.min_confidence,
            )
        )
    if rule.grain is not None and (held.grain or entity_grain) != rule.grain:
        measured = held.grain or entity_grain
        problems.append(
            Finding.of(
                "field.grain_mismatch",
                f"{name} was measured at {measured} grain; the contract needs {rule.grain.value}",
                field=name,
                measured=str(measured),
                expected=rule.grain.value,
            )
        )
    if rule.states is not None and _state(held.value, rule.states) is None:
        problems.append(
            Finding.of(
                "lifecycle.unmapped",
                f"{name} holds a value the contract's lifecycle mapping does not know",
                field=name,
                outcome=Outcome.REVIEW,
            )
        )
    return problems


def _state(value: object, mapping: dict[str, str]) -> str | None:
    """The canonical lifecycle state a system's value maps to, None when it maps to none."""
    return None if value is None else mapping.get(str(value))


# Freshness is the only field rule that depends on the authority. Comparing lifecycle states
# without it makes a conflict a fact about the profile, so raising the authority can never
# resolve a conflict and hand the model a state it was not shown at a lower level.
_AUTHORITY_BOUND = frozenset({"field.stale", "field.not_cleared"})


def _lifecycle(
    profile: Profile,
    admitted: dict[str, FieldValue | list[FieldValue]],
    withheld: dict[str, list[Finding]],
    rules: CompiledContract,
    level: Authority,
    now: datetime,
) -> list[Finding]:
    """Withhold every admitted state field when the profile's systems disagree on the state.

    Every value of a state field that is trusted apart from its age takes part, so a stale
    CRM stage still contests what billing says: a contested state is never shown as fact.
    """
    states = _states(profile, rules, level, now)
    distinct = {state for found in states.values() for state in found}
    if len(distinct) <= 1:
        return []

    contested = sorted(states)
    for name in rules.lifecycle:
        if name in admitted:
            del admitted[name]
            withheld[name] = [
                Finding.of(
                    "lifecycle.conflict",
                    f"{', '.join(contested)} disagree on the lifecycle state; a contested "
                    "state is not shown as fact",
                    field=name,
                    outcome=Outcome.REVIEW,
                )
            ]
    return [
        Finding.of(
            "lifecycle.conflict",
            f"{', '.join(contested)} map to {len(distinct)} different lifecycle states",
            outcome=Outcome.REVIEW,
            fields=",".join(contested),
        )
    ]


def _states(
    profile: Profile, rules: CompiledContract, level: Authority, now: datetime
) -> dict[str, set[str]]:
    """The canonical states each state field's trusted values map to, whatever their age."""
    states: dict[str, set[str]] = {}
    entity_grain = profile.entity.grain
    for name, mapping in rules.lifecycle.items():
        rule = rules.rules[name]
        for held in profile.candidates(name):
            problems = _problems(name, held, rule, level, now, entity_grain)
            if all(f.code in _AUTHORITY_BOUND for f in problems):
                states.setdefault(name, set()).add(mapping[str(held.value)])
    return states


def _identity(profile: Profile, contract: Contract, level: Authority) -> list[Finding]:
    findings: list[Finding] = []
    entity = profile.entity
    if entity.grain != contract.grain:
        findings.append(
            Finding.of(
                "identity.grain_mismatch",
                f"{entity.id} is a {entity.grain.value}; workflow {contract.workflow} acts at "
                f"{contract.grain.value} grain",
                outcome=Outcome.BLOCK,
                entity_grain=entity.grain.value,
                expected=contract.grain.value,
            )
        )
    minimum = contract.identity.min_match_confidence
    if minimum is not None and (
        entity.match_confidence is None or entity.match_confidence < minimum
    ):
        findings.append(
            Finding.of(
                "identity.low_match_confidence",
                f"{entity.id} was matched with confidence "
                f"{'unknown' if entity.match_confidence is None else entity.match_confidence}"
                f", below the minimum {minimum} for route and act",
                outcome=Outcome.BLOCK if level >= Authority.ROUTE else Outcome.ALLOW,
                match_confidence=entity.match_confidence,
                min_match_confidence=minimum,
            )
        )
    return findings


def _critical(
    profile: Profile,
    rules: CompiledContract,
    withheld: dict[str, list[Finding]],
) -> list[Finding]:
    findings: list[Finding] = []
    for name in rules.critical:
        if name in withheld:
            codes = ", ".join(dict.fromkeys(f.code for f in withheld[name]))
            findings.append(
                Finding.of(
                    "field.critical_withheld",
                    f"critical field {name} is withheld ({codes}); no action on this profile",
                    field=name,
                    outcome=Outcome.BLOCK,
                )
            )
        elif name not in profile.fields:
            findings.append(
                Finding.of(
                    "field.missing",
                    f"critical field {name} is missing; no action on this profile",
                    field=name,
                    outcome=Outcome.BLOCK,
                )
            )
    return findings


def _human(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"
