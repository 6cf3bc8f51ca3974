"""Shared fixtures for c360guard's own tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

# pytester runs the c360guard pytest plugin the way a user's suite does (tests/testing).
pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
"""The instant every example profile is judged at."""


@pytest.fixture
def examples_dir() -> Path:
    """The examples folder of the repository."""
    return EXAMPLES


@pytest.fixture
def now() -> datetime:
    """The instant every example profile is judged at (`NOW`)."""
    return NOW
