"""The ladder: what each level needs from the data and from the contract's declarations."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from readiness_tables import AT, CONTRACT

from c360guard.model import Contract, Readiness, contract_from_dict
from c360guard.readiness import NextMove, Thresholds
from c360guard.readiness._requirements import requirements
from c360guard.readiness._scoring import Tally, build_report

BASE: dict[str, Any] = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))


def _contract(change: dict[str, Any] | None = None, drop: tuple[str, ...] = ()) -> Contract:
    data = copy.deepcopy(BASE)
    for key in drop:
        data.pop(key)
    return contract_from_dict(data | (change or {}))


def _tally(fails: dict[str, int] | None = None, profiles: int = 1000) -> Tally:
    tally = Tally(profiles=profiles)
    for dimension, failed in (fails or {}).items():
        tally.statuses[dimension] = (0, failed)
    return tally


def _report(contract: Contract, tally: Tally) -> Any:
    return build_report(contract, tally, at=AT, thresholds=Thresholds())


def test_clean_data_under_a_complete_contract_is_ai_ready() -> None:
    report = _report(_contract(), _tally())

    assert report.level is Readiness.AI_READY
    assert report.next_move is NextMove.GOVERNED_ACTIVATION
    assert report.gaps == []


def test_failing_freshness_keeps_the_profiles_at_profile_exists() -> None:
    report = _report(_contract(), _tally({"freshness_ownership": 120}))

    assert report.level is Readiness.PROFILE_EXISTS
    assert report.next_move is NextMove.FIX_DATA_FOUNDATION
    assert "freshness_ownership fails" in report.reason


def test_a_customer_facing_action_without_consent_rules_stops_at_trusted() -> None:
    report = _report(_contract({"consent": []}), _tally())

    assert report.level is Readiness.PROFILE_TRUSTED
    assert report.next_move is NextMove.CLASSIFY_WORKFLOW_AUTHORITY
    assert "declare a consent rule for send_renewal_email" in report.reason


def test_no_rollback_rule_stops_at_workflow_ready() -> None:
    report = _report(_contract(drop=("rollback",)), _tally())

    assert report.level is Readiness.WORKFLOW_READY
    assert "rollback.pause_if_override_rate_above" in report.reason


def test_undeclared_review_thresholds_are_not_ai_ready() -> None:
    report = _report(_contract(drop=("review",)), _tally())

    unmet = {req.key for req in report.dimension("review").requirements if not req.met}
    assert "review.thresholds" in unmet
    assert report.level is Readiness.WORKFLOW_READY


def test_a_few_failing_profiles_warn_and_many_fail() -> None:
    warned = _report(_contract(), _tally({"identity": 30}))
    failed = _report(_contract(), _tally({"identity": 60}))

    assert warned.dimension("identity").status == "warn"
    assert warned.level is Readiness.WORKFLOW_READY
    assert failed.dimension("identity").status == "fail"
    assert failed.level is Readiness.PROFILE_EXISTS


def test_no_profiles_at_the_grain_says_so() -> None:
    tally = _tally(profiles=0)
    tally.out_of_scope = {"contact": 12}

    report = _report(_contract(), tally)

    assert report.level is Readiness.PROFILE_EXISTS
    assert "no profiles at account grain" in report.reason
    assert "12 contact" in report.reason


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"identity": {}}, "identity.match_threshold"),
        ({"suppress": []}, "suppress.customer_actions"),
        ({"lifecycle": {}}, "lifecycle.mapping"),
    ],
)
def test_each_missing_declaration_is_named(change: dict[str, Any], key: str) -> None:
    unmet = {req.key for req in requirements(_contract(change)) if not req.met}

    assert key in unmet


def test_the_example_contract_meets_every_declaration() -> None:
    assert all(req.met for req in requirements(_contract()))


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="must not exceed"):
        Thresholds(fail_above=0.01, pass_fail_at_most=0.02)
