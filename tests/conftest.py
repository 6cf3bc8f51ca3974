"""Shared fixtures for c360guard's own tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
"""The instant every example profile is judged at."""


@pytest.fixture
def examples_dir() -> Path:
    """The examples folder of the repository."""
    return EXAMPLES
