"""Builders for the engine tests: one clean contract and profile, varied one rule at a time.

The base contract and the base profile agree on everything: a recommendation built with
`make_recommendation()` is allowed. Each test changes the one thing it is about and asserts
the finding that change produces.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from c360guard.model import Contract, Profile, Reason, Recommendation, contract_from_dict

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
"""The instant every engine test judges freshness at."""

BASE_CONTRACT: dict[str, Any] = {
    "workflow": "churn_risk_next_action",
    "version": 1,
    "owner": "cs-ops@example.com",
    "authority": "act",
    "grain": "account",
    "fields": {
        "renewal_date": {
            "sources": ["salesforce"],
            "fresh_within": {"suggest": "30d", "assist": "7d", "route": "1d", "act": "1d"},
            "critical": True,
        },
        "usage_change_30d": {"sources": ["warehouse"], "fresh_within": "2d", "grain": "account"},
        "health_score": {"sources": ["gainsight"], "fresh_within": "7d", "min_confidence": 0.6},
        "arr": {"sources": ["stripe", "salesforce"], "fresh_within": "7d"},
        "crm_stage": {"sources": ["salesforce"], "fresh_within": "7d"},
        "billing_status": {"sources": ["stripe"], "fresh_within": "2d"},
        "open_escalation_severity": {"sources": ["zendesk"], "fresh_within": "1d"},
        "region": {"sources": ["salesforce"], "fresh_within": "90d"},
        "email_consent": {"sources": ["braze"], "fresh_within": "30d"},
        "email": {"sources": ["salesforce"], "fresh_within": "90d", "sensitive": True},
    },
    "lifecycle": {
        "crm_stage": {"Customer": "active", "Trial": "trial"},
        "billing_status": {"paid": "active", "trialing": "trial"},
    },
    "consent": [{"actions": ["send_email"], "field": "email_consent", "allow": ["granted"]}],
    "suppress": [
        {
            "code": "OPEN_ESCALATION",
            "when": {"field": "open_escalation_severity", "in": ["sev1", "sev2"]},
            "actions": ["send_email", "create_cs_task", "route_expansion"],
        }
    ],
    "identity": {"min_match_confidence": 0.9},
    "reasons": {
        "USAGE_DROP": {"label": "Usage fell", "evidence": ["usage_change_30d"]},
        "RENEWAL_SOON": {"label": "Renewal within 90 days", "evidence": ["renewal_date"]},
        "LOW_HEALTH": {"label": "Health score below 50", "evidence": ["health_score"]},
        "ANY_SIGNAL": {"label": "A reason with no required evidence"},
    },
    "actions": {
        "create_cs_task": {"authority": "assist", "destination": "gainsight"},
        "route_expansion": {
            "authority": "route",
            "destination": "salesforce",
            "grain": "account",
            "compensate": "unroute_expansion",
        },
        "unroute_expansion": {"authority": "route", "destination": "salesforce"},
        "send_email": {
            "authority": "act",
            "destination": "braze",
            "writes": ["email", "reason_codes"],
        },
    },
    "review": {"min_confidence": 0.7, "always": [], "autonomous_up_to": "act"},
}
"""A contract whose ceiling is `act` and which reviews nothing by default."""

BASE_VALUES: dict[str, tuple[Any, ...]] = {
    "renewal_date": ("2027-01-31", "salesforce"),
    "usage_change_30d": (-0.42, "warehouse"),
    "health_score": (38, "gainsight", {"confidence": 0.8}),
    "arr": (120000, "stripe"),
    "crm_stage": ("Customer", "salesforce"),
    "billing_status": ("paid", "stripe"),
    "open_escalation_severity": ("none", "zendesk"),
    "region": ("US", "salesforce"),
    "email_consent": ("granted", "braze"),
    "email": ("ops@acme.example", "salesforce"),
}
"""Field name to (value, source[, provenance]): every base field, fresh and admissible at act."""


def _make_contract(*, fields: dict[str, Any] | None = None, **overrides: Any) -> Contract:
    """Build the base contract with some field rules added or replaced and top keys overridden.

    A field given as None is removed from the contract.
    """
    data = copy.deepcopy(BASE_CONTRACT)
    for name, rule in (fields or {}).items():
        if rule is None:
            data["fields"].pop(name, None)
        else:
            data["fields"][name] = rule
    data.update(copy.deepcopy(overrides))
    return contract_from_dict(data)


def _field_value(
    raw: Any,
    *,
    source: str | None = "salesforce",
    owner: str | None = "revops",
    age: timedelta | None = timedelta(hours=1),
    **provenance: Any,
) -> dict[str, Any]:
    """One field value as the profile JSON writes it, `age` old at NOW (None: no timestamp)."""
    held: dict[str, Any] = {"value": raw, "source": source, "owner": owner, **provenance}
    held["updated_at"] = None if age is None else (NOW - age).isoformat()
    return held


def _make_profile(
    fields: dict[str, Any] | None = None,
    *,
    grain: str = "account",
    match_confidence: float | None = 0.99,
    entity_id: str = "acct_42",
) -> Profile:
    """Build the base profile with some fields replaced (a dict or list of dicts) or dropped (None).

    Every base field is fresh, owned and from its first allowed source.
    """
    held: dict[str, Any] = {
        name: _field_value(raw, source=source, **(extra[0] if extra else {}))
        for name, (raw, source, *extra) in BASE_VALUES.items()
    }
    for name, replacement in (fields or {}).items():
        if replacement is None:
            held.pop(name, None)
        else:
            held[name] = replacement
    entity = {
        "id": entity_id,
        "grain": grain,
        "parent_id": "parent_7",
        "match_confidence": match_confidence,
    }
    return Profile.model_validate({"entity": entity, "fields": held})


def _make_recommendation(
    action: str | None = "create_cs_task",
    *,
    reasons: list[tuple[str, list[str]]] | None = None,
    confidence: float | None = 0.9,
    arguments: dict[str, Any] | None = None,
) -> Recommendation:
    """Build a recommendation; by default a confident CS task citing the renewal date."""
    given = [("RENEWAL_SOON", ["renewal_date"])] if reasons is None else reasons
    return Recommendation(
        action=action,
        arguments=arguments or {},
        reasons=[Reason(code=code, fields=cited, explanation="because") for code, cited in given],
        confidence=confidence,
        summary="Reach out before the renewal.",
    )


# Session-scoped so hypothesis tests may use them too: they are pure functions.
@pytest.fixture(scope="session")
def make_contract() -> Callable[..., Contract]:
    """Build the base contract with some field rules replaced and top-level keys overridden."""
    return _make_contract


@pytest.fixture(scope="session")
def make_profile() -> Callable[..., Profile]:
    """Build the base profile with some fields replaced or dropped."""
    return _make_profile


@pytest.fixture(scope="session")
def field_value() -> Callable[..., dict[str, Any]]:
    """Build one field value as the profile JSON writes it."""
    return _field_value


@pytest.fixture(scope="session")
def make_recommendation() -> Callable[..., Recommendation]:
    """Build a recommendation, by default a confident CS task citing the renewal date."""
    return _make_recommendation


@pytest.fixture(scope="session")
def now() -> datetime:
    """The instant freshness is judged at."""
    return NOW
