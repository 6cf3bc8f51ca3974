"""Fixtures for the LangChain integration tests: guards over the copilot's contracts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the CSM copilot example is imported as `examples.csm_copilot`

from examples.csm_copilot import CONTRACTS, JUDGED_AT  # noqa: E402

from c360guard import FrozenClock, Guard, Profile, load_contract, load_profile  # noqa: E402
from c360guard.langchain import GuardSession  # noqa: E402
from c360guard.review import SQLiteReviewQueue  # noqa: E402
from c360guard.testing import SpanCapture  # noqa: E402

PROFILES = ROOT / "examples" / "profiles"


@pytest.fixture
def clock() -> FrozenClock:
    """The instant the example profiles are judged at."""
    return FrozenClock(JUDGED_AT)


@pytest.fixture
def spans() -> SpanCapture:
    """Every span the guards of a test finish."""
    return SpanCapture()


@pytest.fixture
def guard(clock: FrozenClock, spans: SpanCapture) -> Guard:
    """The churn-risk copilot's guard (ceiling `assist`), traced into `spans`."""
    return Guard(
        load_contract(CONTRACTS["churn_risk"]), clock=clock, tracer_provider=spans.provider
    )


@pytest.fixture
def session() -> GuardSession:
    """A fresh session, so no test sees what another showed the model."""
    return GuardSession()


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[SQLiteReviewQueue]:
    """An empty SQLite review queue."""
    held = SQLiteReviewQueue(tmp_path / "review.db")
    yield held
    held.close()


@pytest.fixture
def northwind() -> Profile:
    """A clean account renewing in 59 days (acct_1042)."""
    return load_profile(PROFILES / "healthy_renewal.json")


@pytest.fixture
def helios() -> Profile:
    """An at-risk account in a sev-1 escalation (acct_2077)."""
    return load_profile(PROFILES / "open_sev1_escalation.json")
