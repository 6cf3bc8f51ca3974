"""Screen one profile against one contract: which fields the model may see, and why not."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from c360guard.engine._compiled import CompiledContract, compiled, cutoffs
from c360guard.engine._construct import trusted_model
from c360guard.engine._values import admissible, passes_extras, problems, trusted
from c360guard.errors import AuthorityError
from c360guard.model import (
    Authority,
    Contract,
    FieldValue,
    Finding,
    Grain,
    Outcome,
    Profile,
    Screening,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScreenedFields:
    """What screening decided, before it is wrapped in a Screening for callers."""

    admitted: dict[str, FieldValue]
    withheld: dict[str, list[Finding]]
    findings: list[Finding]
    """Profile-level findings: conflicts, identity problems, missing critical fields."""
    sensitive: frozenset[str]
    """Admitted or not, the fields never shown to the model."""


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
    fields, in name order), which is how a check re-applies the rules at an action's
    authority to the fields the action relies on.
    """
    level = _authority(contract, authority)
    found = screen_fields(profile, contract, level, now=now, only=only)
    # The admitted mapping holds single values only; a Profile's may also hold lists.
    admitted = cast(dict[str, FieldValue | list[FieldValue]], found.admitted)
    return trusted_model(
        Screening,
        {
            "workflow": contract.workflow,
            "contract_version": contract.version,
            "contract_digest": contract.digest,
            "authority": level,
            "screened_at": now,
            "profile": profile,
            "admitted": trusted_model(Profile, {"entity": profile.entity, "fields": admitted}),
            "withheld": found.withheld,
            "findings": found.findings,
            "sensitive": found.sensitive,
        },
    )


def screen_fields(
    profile: Profile,
    contract: Contract,
    level: Authority,
    *,
    now: datetime,
    only: Collection[str] | None = None,
) -> ScreenedFields:
    """Screen a profile at an authority already checked against the ceiling."""
    rules = compiled(contract, level)
    clock = now if now.tzinfo is UTC else now.astimezone(UTC)
    held = profile.fields
    entries = (
        held.items() if only is None else [(n, held[n]) for n in _relevant(profile, rules, only)]
    )

    admitted, withheld = _admit(profile, entries, rules, level, clock)
    findings = _lifecycle(profile, admitted, withheld, rules)
    findings += _identity(profile, contract, level)
    findings += _critical(profile, rules, withheld)
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "screened %s for %s at %s: %d admitted, %d withheld",
            profile.entity.id,
            contract.workflow,
            level,
            len(admitted),
            len(withheld),
        )
    return ScreenedFields(admitted, withheld, findings, rules.sensitive)


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
    """The named fields the profile holds, with the critical and lifecycle ones, by name.

    Walks the few names wanted rather than the profile's every field; sorting keeps the
    result the same from run to run.
    """
    held = profile.fields
    return sorted(name for name in rules.always_relevant.union(only) if name in held)


def _admit(
    profile: Profile,
    entries: Iterable[tuple[str, FieldValue | list[FieldValue]]],
    rules: CompiledContract,
    level: Authority,
    clock: datetime,
) -> tuple[dict[str, FieldValue], dict[str, list[Finding]]]:
    """Split the fields given into admitted values and the findings that withhold the rest.

    The hot path, run once per field: `admissible` written out inline, because a function
    call per field would cost more than the rules themselves.
    """
    oldest = cutoffs(rules, clock)
    grain = profile.entity.grain
    rule_of = rules.rules.get
    single = FieldValue
    admitted: dict[str, FieldValue] = {}
    withheld: dict[str, list[Finding]] = {}
    for name, held in entries:
        rule = rule_of(name)
        if rule is not None and type(held) is single:
            updated = held.updated_at
            if (
                updated is not None
                and updated >= oldest[rule.limit_index]
                and held.source in rule.precedence
                and (held.owner or not rule.owner_required)
                and (rule.plain or passes_extras(held, rule, grain))
            ):
                admitted[name] = held
                continue
        found = _screen_field(name, held, rules, level, clock, oldest, grain)
        if isinstance(found, FieldValue):
            admitted[name] = found
        else:
            withheld[name] = found
    return admitted, withheld


def _screen_field(
    name: str,
    held: FieldValue | list[FieldValue],
    rules: CompiledContract,
    level: Authority,
    clock: datetime,
    oldest: list[datetime],
    grain: Grain,
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
    candidates = [held] if isinstance(held, FieldValue) else held
    ranked = sorted(
        candidates, key=lambda v: rule.precedence.get(v.source or "", len(candidates) + 99)
    )
    for candidate in ranked:
        if admissible(candidate, rule, oldest, grain):
            return candidate
    if not ranked:
        return [Finding.of("field.missing", f"{name} holds no value", field=name)]
    return problems(name, ranked[0], rule, level, clock, grain)


def _lifecycle(
    profile: Profile,
    admitted: dict[str, FieldValue],
    withheld: dict[str, list[Finding]],
    rules: CompiledContract,
) -> list[Finding]:
    """Withhold every admitted state field when the profile's systems disagree on the state.

    Every value of a state field that is trusted apart from its age takes part, so a stale
    CRM stage still contests what billing says: a contested state is never shown as fact.
    Freshness is the only rule that depends on the authority; leaving it out makes a conflict
    a fact about the profile, so raising the authority never resolves one and shows a state.
    """
    states = _states(profile, admitted, rules)
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
    profile: Profile, admitted: dict[str, FieldValue], rules: CompiledContract
) -> dict[str, set[str]]:
    """The canonical states each state field's trusted values map to, whatever their age."""
    states: dict[str, set[str]] = {}
    grain = profile.entity.grain
    for name, mapping in rules.lifecycle.items():
        held = profile.fields.get(name)
        if held is None:
            continue
        if held is admitted.get(name):  # a single admitted value is trusted by definition
            states[name] = {mapping[str(held.value)]}
            continue
        rule = rules.rules[name]
        for candidate in [held] if isinstance(held, FieldValue) else held:
            if trusted(candidate, rule, grain):
                states.setdefault(name, set()).add(mapping[str(candidate.value)])
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
