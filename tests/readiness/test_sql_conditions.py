"""The compiled SQL reads conditions, consent and lifecycle exactly as the guard does."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from readiness_tables import AT, rows_of, write_jsonl

from c360guard.model import Contract, Entity, FieldValue, Grain, Profile, contract_from_dict
from c360guard.readiness import TableSource
from c360guard.readiness._duckdb import entity_facts_duckdb
from c360guard.readiness._facts import facts_of, plan_for

FRESH = AT - timedelta(hours=1)
STALE = AT - timedelta(days=30)

RULES: dict[str, Any] = {
    "workflow": "conditions",
    "owner": "ops@example.com",
    "authority": "act",
    "grain": "account",
    "fields": {
        name: {"sources": ["crm", "billing"], "fresh_within": "1d"}
        for name in ("region", "seats", "flag", "when", "consent", "stage", "status", "tier")
    }
    | {"email": {"sources": ["crm"], "fresh_within": "1d", "sensitive": True}},
    "lifecycle": {
        "stage": {"Customer": "active", "Trial": "trial", "True": "active", "7": "trial"},
        "status": {"paid": "active", "trialing": "trial"},
    },
    "consent": [
        {"actions": ["send"], "field": "consent", "allow": ["granted", True]},
        {
            "actions": ["send"],
            "when": {
                "any": [
                    {"field": "region", "in": ["EU", "UK"]},
                    {"not": {"field": "flag", "exists": True}},
                ]
            },
            "field": "tier",
            "allow": [1, "gold"],
        },
    ],
    "suppress": [
        {"code": "BIG", "when": {"field": "seats", "gt": 100, "lte": 1000}, "actions": ["send"]},
        {"code": "FLAG", "when": {"field": "flag", "equals": 1}, "actions": "*"},
        {
            "code": "LATE",
            "when": {
                "all": [
                    {"field": "when", "gte": "2026-01-01"},
                    {"field": "region", "not_in": ["NA"]},
                ]
            },
        },
    ],
    "identity": {"min_match_confidence": 0.9},
    "reasons": {
        "R": {"label": "r", "evidence": ["seats"]},
        "S": {"label": "s", "evidence": ["stage"]},
    },
    "actions": {"send": {"authority": "act", "destination": "braze", "writes": ["email"]}},
}

VALUES: dict[str, list[Any]] = {
    "region": ["EU", "NA", ["EU"], None],
    "seats": [50, 150.5, "200", True, 5000],
    "flag": [True, 1, 1.0, 0, "1"],
    "when": ["2026-06-01", "2025-01-01", 20260101],
    "consent": ["granted", True, 1, "no"],
    "tier": [1, 1.0, True, "gold", "GOLD"],
    "stage": ["Customer", "Trial", True, 7, 7.5, "Lead"],
    "status": ["paid", "trialing"],
}


def _held(value: Any, variant: int) -> FieldValue | None:
    """A value that is fresh, stale (withheld) or absent, cycling with the variant."""
    if variant % 5 == 4:
        return None
    stamp = STALE if variant % 5 == 3 else FRESH
    return FieldValue(value=value, source="crm", owner="ops", updated_at=stamp)


def _profiles() -> list[Profile]:
    profiles = []
    cycles = {name: itertools.cycle(values) for name, values in VALUES.items()}
    for number in range(160):
        fields: dict[str, FieldValue | list[FieldValue]] = {}
        for offset, name in enumerate(VALUES):
            held = _held(next(cycles[name]), number + offset * 7)
            if held is not None:
                fields[name] = held
        if number % 3:
            fields["email"] = FieldValue(
                value="a@b.example", source="crm", owner="ops", updated_at=FRESH
            )
        if number % 11 == 0:
            fields["status"] = [
                FieldValue(value="paid", source="billing", owner="ops", updated_at=FRESH),
                FieldValue(value="trialing", source="crm", owner=None, updated_at=FRESH),
            ]
        entity = Entity(id=f"acct_{number:03d}", grain=Grain.ACCOUNT, parent_id="p_1",
                        match_confidence=None if number % 13 == 0 else 0.95)  # fmt: skip
        profiles.append(Profile(entity=entity, fields=fields))
    return profiles


@pytest.fixture(scope="module")
def contract() -> Contract:
    return contract_from_dict(RULES)


def test_sql_conditions_agree_with_the_engine_on_every_profile(
    contract: Contract, tmp_path: Path
) -> None:
    profiles = _profiles()
    table = write_jsonl(rows_of(profiles), tmp_path / "conditions.jsonl")
    plan = plan_for(contract)
    expected = {p.entity.id: facts_of(p, plan, now=AT) for p in profiles}

    found = entity_facts_duckdb(TableSource(str(table)), plan, now=AT, ids=sorted(expected))

    mismatched = [entity for entity in expected if found.get(entity) != expected[entity]]
    assert not mismatched, [(found.get(e), expected[e]) for e in mismatched[:3]]


def test_the_cases_cover_every_outcome_of_the_rules(contract: Contract) -> None:
    plan = plan_for(contract)

    seen = set().union(*(facts_of(p, plan, now=AT).checks for p in _profiles()))

    assert {
        "consent.missing",
        "consent.not_granted",
        "suppression.active",
        "suppression.unknown",
        "lifecycle.conflict",
        "lifecycle.unmapped",
        "identity.low_match_confidence",
        "destination.blocked",
        "reason.cites_withheld_field",
    } <= seen
