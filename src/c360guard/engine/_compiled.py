"""A contract's field rules flattened per authority, so screening is a few lookups per field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from c360guard.model import Authority, Contract, Grain


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """One field rule at one authority, with the defaults already applied."""

    precedence: dict[str, int]
    """Allowed source to its precedence (0 is preferred)."""
    limit: timedelta | None
    """Maximum age; None when the field is not cleared at this authority."""
    owner_required: bool
    path_required: bool
    min_confidence: float | None
    grain: Grain | None
    critical: bool
    states: dict[str, str] | None
    """The lifecycle mapping of a state field (system value to canonical state), else None."""


@dataclass(frozen=True, slots=True)
class CompiledContract:
    """Every field rule of a contract at one authority, plus the sets screening needs."""

    rules: dict[str, CompiledRule]
    critical: tuple[str, ...]
    sensitive: frozenset[str]
    lifecycle: dict[str, dict[str, str]]


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


def _compile(contract: Contract, authority: Authority) -> CompiledContract:
    defaults = contract.defaults
    rules = {
        name: CompiledRule(
            precedence={source: index for index, source in enumerate(rule.sources)},
            limit=rule.freshness_limit(authority),
            owner_required=(
                defaults.owner_required if rule.owner_required is None else rule.owner_required
            ),
            path_required=(
                defaults.source_path_required
                if rule.source_path_required is None
                else rule.source_path_required
            ),
            min_confidence=rule.min_confidence,
            grain=rule.grain,
            critical=rule.critical,
            states=contract.lifecycle.get(name),
        )
        for name, rule in contract.fields.items()
    }
    return CompiledContract(
        rules=rules,
        critical=tuple(name for name, rule in contract.fields.items() if rule.critical),
        sensitive=contract.sensitive_fields(),
        lifecycle=contract.lifecycle,
    )
