"""Fixtures for the telemetry tests: a span-capturing provider, the example guard and data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from telemetry_support import (
    EXAMPLES,
    NOW,
    Spans,
    example_profile,
    example_recommendation,
)

from c360guard import FrozenClock, Guard, Profile, Recommendation, load_contract
from c360guard.model import Contract


@pytest.fixture
def spans() -> Iterator[Spans]:
    """A fresh span-capturing provider per test."""
    held = Spans()
    yield held
    held.provider.shutdown()


@pytest.fixture
def contract() -> Contract:
    """The churn-risk example contract."""
    return load_contract(EXAMPLES / "contracts" / "churn_risk.yaml")


@pytest.fixture
def make_guard(contract: Contract, spans: Spans) -> Callable[..., Guard]:
    """Build a Guard on the example contract, traced into `spans`, judged at `NOW`."""

    def build(**options: Any) -> Guard:
        options.setdefault("tracer_provider", spans.provider)
        return Guard(contract, clock=FrozenClock(NOW), **options)

    return build


@pytest.fixture
def healthy() -> Profile:
    """An account whose renewal task is allowed."""
    return example_profile("healthy_renewal")


@pytest.fixture
def escalated() -> Profile:
    """An account with an open sev1 escalation: outreach is suppressed."""
    return example_profile("open_sev1_escalation")


@pytest.fixture
def renewal_task() -> Recommendation:
    """A CS task citing the renewal date."""
    return example_recommendation("healthy_renewal_cs_task")


@pytest.fixture
def save_play() -> Recommendation:
    """A CS task for the escalated account, citing usage and health."""
    return example_recommendation("open_sev1_escalation_cs_task")
