"""The contract model: per-authority freshness, the action catalog, and a stable digest."""

from __future__ import annotations

import textwrap
from datetime import timedelta

import pytest
from pydantic import ValidationError

from c360guard.model import Authority, FieldRule, contract_from_dict, load_contract

CONTRACT = textwrap.dedent(
    """\
    workflow: expansion_routing
    version: 2
    owner: revops@example.com
    authority: route
    grain: account
    fields:
      seats_used: {sources: [warehouse], fresh_within: 2d}
      renewal_date:
        sources: [salesforce]
        fresh_within: {suggest: 30d, route: 1d}
      email: {sources: [salesforce], fresh_within: 90d, sensitive: true}
    reasons:
      SEATS_FULL: {label: Seats nearly full, evidence: [seats_used]}
    actions:
      route_expansion: {authority: route, destination: salesforce}
    """
)

# The same contract, keys reordered, flow style swapped for block style, durations respelled.
REORDERED = textwrap.dedent(
    """\
    actions:
      route_expansion:
        destination: salesforce
        authority: route
    reasons:
      SEATS_FULL:
        evidence: [seats_used]
        label: Seats nearly full
    fields:
      email:
        sensitive: true
        fresh_within: P90D
        sources: [salesforce]
      renewal_date:
        fresh_within:
          route: 24h
          suggest: 30d
        sources: [salesforce]
      seats_used:
        fresh_within: 48h
        sources: [warehouse]
    grain: account
    authority: route
    owner: revops@example.com
    version: 2
    workflow: expansion_routing
    """
)


def _rule(fresh_within):
    return FieldRule(sources=["crm"], fresh_within=fresh_within)


def test_single_duration_applies_at_every_authority():
    rule = _rule("7d")

    assert {rule.freshness_limit(level) for level in Authority} == {timedelta(days=7)}


def test_freshness_limit_of_a_listed_level_is_its_own():
    rule = _rule({"suggest": "30d", "assist": "7d", "route": "1d"})

    assert rule.freshness_limit(Authority.ASSIST) == timedelta(days=7)


def test_freshness_unlisted_level_takes_the_nearest_listed_level_above():
    rule = _rule({"suggest": "30d", "route": "1d"})

    assert rule.freshness_limit(Authority.ASSIST) == timedelta(days=1)


def test_freshness_above_the_highest_listed_level_is_not_cleared():
    rule = _rule({"suggest": "30d", "assist": "7d"})

    assert rule.freshness_limit(Authority.ROUTE) is None
    assert rule.freshness_limit(Authority.ACT) is None


def test_field_rule_needs_at_least_one_source():
    with pytest.raises(ValidationError, match="at least 1 item"):
        FieldRule(sources=[], fresh_within="1d")


def test_action_authority_of_a_suggestion_is_suggest():
    contract = load_contract(CONTRACT)

    assert contract.action_authority(None) is Authority.SUGGEST
    assert contract.action_authority("route_expansion") is Authority.ROUTE
    assert contract.action_authority("send_email") is None


def test_sensitive_fields_are_listed():
    assert load_contract(CONTRACT).sensitive_fields() == frozenset({"email"})


def test_contract_is_frozen():
    contract = load_contract(CONTRACT)

    with pytest.raises(ValidationError, match="frozen"):
        contract.authority = Authority.ACT  # type: ignore[misc]


def test_digest_is_stable_across_key_order_and_formatting():
    assert load_contract(CONTRACT).digest == load_contract(REORDERED).digest


def test_digest_is_the_same_for_the_same_content_loaded_twice():
    assert load_contract(CONTRACT).digest == load_contract(CONTRACT).digest


def test_digest_is_a_sha256():
    digest = load_contract(CONTRACT).digest

    assert digest.startswith("sha256:")
    assert len(digest) == len("sha256:") + 64


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("version: 2", "version: 3"),
        ("authority: route\ngrain", "authority: assist\ngrain"),
        ("fresh_within: 2d", "fresh_within: 3d"),
        ("Seats nearly full", "Seats almost full"),
        ("sensitive: true", "sensitive: false"),
    ],
)
def test_digest_changes_when_the_content_changes(old, new):
    changed = CONTRACT.replace(old, new, 1)
    assert changed != CONTRACT

    assert load_contract(changed).digest != load_contract(CONTRACT).digest


def test_digest_counts_defaults_as_content():
    explicit = CONTRACT + "defaults: {owner_required: true, source_path_required: false}\n"

    assert load_contract(explicit).digest == load_contract(CONTRACT).digest


def test_contract_from_dict_accepts_a_parsed_mapping():
    contract = contract_from_dict(
        {
            "workflow": "w",
            "owner": "o",
            "authority": "suggest",
            "grain": "contact",
            "fields": {"x": {"sources": ["crm"], "fresh_within": "1d"}},
            "reasons": {"R": {"label": "r"}},
        }
    )

    assert contract.review.autonomous_up_to is Authority.SUGGEST
    assert contract.defaults.owner_required is True
