"""The rules one field value must pass: a fast yes/no for screening, findings for the rest.

`admissible` and `trusted` answer the common case (the value passes) without building
anything; `problems` spells out every rule a value breaks. They encode the same rules and are
held to agreeing by the engine's property tests.
"""

from __future__ import annotations

from datetime import datetime

from c360guard.engine._compiled import CompiledRule
from c360guard.model import Authority, FieldValue, Finding, Grain, Outcome


def admissible(
    held: FieldValue, rule: CompiledRule, cutoffs: list[datetime], entity_grain: Grain
) -> bool:
    """True when a value passes every rule at the authority the cutoffs were taken at.

    `cutoffs` come from `_compiled.cutoffs`. Screening inlines this test in its loop; keep
    the two in step.
    """
    updated = held.updated_at
    return (
        updated is not None
        and updated >= cutoffs[rule.limit_index]
        and trusted(held, rule, entity_grain)
    )


def trusted(held: FieldValue, rule: CompiledRule, entity_grain: Grain) -> bool:
    """True when a value passes every rule that does not depend on the authority.

    That is every rule but freshness: a timestamp, an allowed source, an owner and a source
    path where required, enough confidence, the right grain, a known lifecycle value.
    """
    return (
        held.updated_at is not None
        and held.source in rule.precedence
        and (bool(held.owner) or not rule.owner_required)
        and (rule.plain or passes_extras(held, rule, entity_grain))
    )


def passes_extras(held: FieldValue, rule: CompiledRule, entity_grain: Grain) -> bool:
    """True when a value passes the rules beyond timestamp, freshness, source and owner."""
    minimum = rule.min_confidence
    confidence = held.confidence
    return (
        (bool(held.source_path) or not rule.path_required)
        and (minimum is None or (confidence is not None and confidence >= minimum))
        and (rule.grain is None or (held.grain or entity_grain) == rule.grain)
        and (rule.states is None or state(held.value, rule.states) is not None)
    )


def problems(
    name: str,
    held: FieldValue,
    rule: CompiledRule,
    level: Authority,
    now: datetime,
    entity_grain: Grain,
) -> list[Finding]:
    """List every rule a value breaks, each as a finding; empty when it may be admitted."""
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
                f"{name} is {human(age.total_seconds())} old; the limit at "
                f"{level.value} is {human(rule.limit.total_seconds())}",
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
    if rule.states is not None and state(held.value, rule.states) is None:
        problems.append(
            Finding.of(
                "lifecycle.unmapped",
                f"{name} holds a value the contract's lifecycle mapping does not know",
                field=name,
                outcome=Outcome.REVIEW,
            )
        )
    return problems


def state(value: object, mapping: dict[str, str]) -> str | None:
    """The canonical lifecycle state a system's value maps to, None when it maps to none."""
    return None if value is None else mapping.get(str(value))


def human(seconds: float) -> str:
    """Write a number of seconds the way findings do: `2.5d`, `36.0h`, `45s`."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"
