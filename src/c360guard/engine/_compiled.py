"""A contract's rules flattened per authority, so screening is a few lookups per field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from c360guard.model import ANY_ACTION, Authority, Contract, Defaults, FieldRule, Grain
from c360guard.model.condition import condition_fields
from c360guard.model.contract import ActionSelector


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """One field rule at one authority, with the defaults already applied."""

    precedence: dict[str, int]
    """Allowed source to its precedence (0 is preferred)."""
    limit: timedelta | None
    """Maximum age; None when the field is not cleared at this authority."""
    limit_index: int
    """Position of this rule's cutoff in `cutoffs()`: the last one, which no timestamp passes,
    when the field is not cleared at this authority."""
    owner_required: bool
    path_required: bool
    min_confidence: float | None
    grain: Grain | None
    critical: bool
    states: dict[str, str] | None
    """The lifecycle mapping of a state field (system value to canonical state), else None."""
    plain: bool
    """True when only timestamp, freshness, source and owner apply: screening's fast path."""


@dataclass(frozen=True, slots=True)
class CompiledContract:
    """Every field rule of a contract at one authority, plus the sets screening needs."""

    rules: dict[str, CompiledRule]
    limits: tuple[timedelta, ...]
    """The distinct freshness limits: a screening turns each into a cutoff instant once."""
    critical: tuple[str, ...]
    sensitive: frozenset[str]
    lifecycle: dict[str, dict[str, str]]
    always_relevant: frozenset[str]
    """Critical and lifecycle fields: re-screened for every action, whatever it relies on."""
    rule_fields: dict[str | None, frozenset[str]]
    """Per catalog action (None for a suggestion): the fields its consent and suppression
    rules read."""


_CACHE: dict[tuple[str, Authority], CompiledContract] = {}
_CACHE_LIMIT = 512


def compiled(contract: Contract, authority: Authority) -> CompiledContract:
    """Return the contract's rules at an authority, compiled once per contract content."""
    # Keyed by digest, not identity: equal contracts share one compilation, and a cache
    # entry can never outlive the meaning of its key.
    key = (contract.digest, authority)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        found = _CACHE[key] = _compile(contract, authority)
    return found


# A cutoff no timestamp reaches: the freshness test of a field not cleared at the authority.
_NEVER = datetime.max.replace(tzinfo=UTC)


def cutoffs(rules: CompiledContract, clock: datetime) -> list[datetime]:
    """The oldest `updated_at` each limit admits at `clock`, indexed by `limit_index`."""
    return [*(clock - limit for limit in rules.limits), _NEVER]


def selects(selector: ActionSelector, action: str | None) -> bool:
    """True when a rule's `actions` cover an action (`*` covers suggestions too)."""
    return selector == ANY_ACTION or (action is not None and action in selector)


def read_by_rules(contract: Contract, action: str | None) -> frozenset[str]:
    """The fields the consent and suppression rules covering an action read."""
    names: set[str] = set()
    for consent in contract.consent:
        if selects(consent.actions, action):
            names.add(consent.field)
            names.update(condition_fields(consent.when) if consent.when else ())
    for rule in contract.suppress:
        if selects(rule.actions, action):
            names.update(condition_fields(rule.when))
    return frozenset(names)


def _compile(contract: Contract, authority: Authority) -> CompiledContract:
    defaults = contract.defaults
    limits = {rule.freshness_limit(authority) for rule in contract.fields.values()}
    ordered = tuple(sorted(limit for limit in limits if limit is not None))
    position_of: dict[timedelta | None, int] = {limit: at for at, limit in enumerate(ordered)}
    position_of[None] = len(ordered)
    rules = {
        name: _rule(rule, defaults, authority, position_of, contract.lifecycle.get(name))
        for name, rule in contract.fields.items()
    }
    return CompiledContract(
        rules=rules,
        limits=ordered,
        critical=tuple(name for name, rule in contract.fields.items() if rule.critical),
        sensitive=contract.sensitive_fields(),
        lifecycle=contract.lifecycle,
        always_relevant=frozenset(
            [
                *(name for name, rule in contract.fields.items() if rule.critical),
                *contract.lifecycle,
            ]
        ),
        rule_fields={
            action: read_by_rules(contract, action) for action in (None, *contract.actions)
        },
    )


def _rule(
    rule: FieldRule,
    defaults: Defaults,
    authority: Authority,
    position_of: dict[timedelta | None, int],
    states: dict[str, str] | None,
) -> CompiledRule:
    limit = rule.freshness_limit(authority)
    path_required = (
        defaults.source_path_required
        if rule.source_path_required is None
        else rule.source_path_required
    )
    return CompiledRule(
        precedence={source: index for index, source in enumerate(rule.sources)},
        limit=limit,
        limit_index=position_of[limit],
        owner_required=(
            defaults.owner_required if rule.owner_required is None else rule.owner_required
        ),
        path_required=path_required,
        min_confidence=rule.min_confidence,
        grain=rule.grain,
        critical=rule.critical,
        states=states,
        plain=not path_required
        and rule.min_confidence is None
        and rule.grain is None
        and states is None,
    )
