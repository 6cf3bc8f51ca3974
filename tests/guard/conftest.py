"""A small contract and profile for the Guard facade's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from c360guard import FrozenClock, Guard, Profile, Reason, Recommendation, load_contract
from c360guard.model import Contract

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

CONTRACT = """\
workflow: churn_risk_next_action
owner: cs-ops@example.com
authority: assist
grain: account
fields:
  renewal_date:
    sources: [salesforce]
    fresh_within: {suggest: 30d, assist: 7d}
    critical: true
  health_score: {sources: [gainsight], fresh_within: 7d}
  email: {sources: [salesforce], fresh_within: 90d, sensitive: true}
reasons:
  RENEWAL_SOON: {label: Renewal within 90 days, evidence: [renewal_date]}
actions:
  create_cs_task: {authority: assist, destination: gainsight}
  send_email: {authority: act, destination: braze}
review:
  min_confidence: 0.7
  autonomous_up_to: assist
"""


def _held(raw: Any, source: str, age: timedelta) -> dict[str, Any]:
    return {"value": raw, "source": source, "owner": "revops", "updated_at": NOW - age}


@pytest.fixture
def contract() -> Contract:
    """The guard tests' contract: ceiling `assist`, one critical field, one sensitive one."""
    return load_contract(CONTRACT)


@pytest.fixture
def clock() -> FrozenClock:
    """A clock stopped at NOW."""
    return FrozenClock(NOW)


@pytest.fixture
def guard(contract: Contract, clock: FrozenClock) -> Guard:
    """A Guard with the frozen clock and the default in-memory pause store."""
    return Guard(contract, clock=clock)


@pytest.fixture
def profile() -> Profile:
    """A profile every field of which passes at `assist`."""
    return Profile.model_validate(
        {
            "entity": {"id": "acct_42", "grain": "account", "match_confidence": 0.99},
            "fields": {
                "renewal_date": _held("2027-01-31", "salesforce", timedelta(days=2)),
                "health_score": _held(38, "gainsight", timedelta(hours=3)),
                "email": _held("ops@acme.example", "salesforce", timedelta(days=1)),
            },
        }
    )


@pytest.fixture
def task() -> Recommendation:
    """A confident CS task citing the renewal date."""
    return Recommendation(
        action="create_cs_task",
        reasons=[Reason(code="RENEWAL_SOON", fields=["renewal_date"])],
        confidence=0.9,
    )


@pytest.fixture
def contract_text() -> str:
    """The contract as YAML text."""
    return CONTRACT
