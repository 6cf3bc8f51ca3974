"""Replay of the CSM copilot's recorded sessions: cassettes/csm_copilot at the repository root."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the copilot example is imported as `examples.csm_copilot`
    sys.path.insert(0, str(ROOT))

from examples.csm_copilot.sessions import CASSETTES  # noqa: E402 - needs the path above


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    """The shipped cassettes, instead of pytest-recording's folder beside each test module."""
    return str(CASSETTES)
