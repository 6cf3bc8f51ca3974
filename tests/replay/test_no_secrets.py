"""No recorded session may carry a credential."""

from __future__ import annotations

from pathlib import Path

from c360guard.testing import assert_no_secrets

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"


def test_shipped_cassettes_exist() -> None:
    assert sorted(CASSETTES.rglob("*.yaml")), f"no cassettes under {CASSETTES}"


def test_no_cassette_holds_a_credential() -> None:
    assert_no_secrets(CASSETTES)
