"""Authority, readiness and outcome are ordered; comparing across vocabularies is refused."""

from __future__ import annotations

import pytest

from c360guard.model import Authority, Dimension, Outcome, Readiness


def test_authority_is_ordered_suggest_assist_route_act():
    assert Authority.SUGGEST < Authority.ASSIST < Authority.ROUTE < Authority.ACT
    assert [a.value for a in Authority.ordered()] == ["suggest", "assist", "route", "act"]


def test_authority_comparisons_follow_rank_not_spelling():
    # Alphabetically "act" < "suggest"; by authority it is the other way round.
    assert Authority.ACT > Authority.SUGGEST
    assert max(Authority) is Authority.ACT
    assert sorted([Authority.ROUTE, Authority.SUGGEST, Authority.ACT, Authority.ASSIST]) == list(
        Authority
    )


def test_authority_compares_with_itself():
    assert Authority.ROUTE <= Authority.ROUTE
    assert Authority.ROUTE >= Authority.ROUTE
    assert not Authority.ROUTE < Authority.ROUTE


def test_authority_parses_from_its_value():
    assert Authority("assist") is Authority.ASSIST
    assert Authority.ASSIST == "assist"


def test_unknown_authority_is_refused():
    with pytest.raises(ValueError, match="'execute' is not a valid Authority"):
        Authority("execute")


def test_readiness_is_ordered():
    assert (
        Readiness.PROFILE_EXISTS
        < Readiness.PROFILE_TRUSTED
        < Readiness.WORKFLOW_READY
        < Readiness.AI_READY
    )


def test_outcome_is_ordered_by_severity():
    assert Outcome.ALLOW < Outcome.REVIEW < Outcome.BLOCK
    assert max([Outcome.REVIEW, Outcome.BLOCK, Outcome.ALLOW]) is Outcome.BLOCK


def test_ordering_across_vocabularies_is_refused():
    with pytest.raises(TypeError):
        assert Authority.ACT < Outcome.BLOCK


def test_ordered_members_hash_like_their_strings():
    assert {Authority.ACT: 1}["act"] == 1


def test_there_are_eight_dimensions():
    assert [d.value for d in Dimension] == [
        "identity",
        "freshness_ownership",
        "lifecycle",
        "consent_suppression",
        "reason_codes",
        "destination",
        "review",
        "rollback",
    ]
