"""Screening: which fields the model may see, and the finding behind every withheld one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from c360guard.engine import screen
from c360guard.errors import AuthorityError
from c360guard.model import Authority, FieldValue, Outcome


def _codes(screening, name):
    return [f.code for f in screening.withheld.get(name, [])]


# Rule 1: fail closed.


def test_base_profile_is_fully_admitted(make_contract, make_profile, now):
    contract = make_contract()

    screening = screen(make_profile(), contract, now=now)

    assert screening.withheld == {}
    assert screening.findings == []
    assert set(screening.admitted.fields) == set(contract.fields)


def test_field_without_rule_is_withheld(make_contract, make_profile, field_value, now):
    profile = make_profile({"nickname": field_value("Acme")})

    screening = screen(profile, make_contract(), now=now)

    assert "nickname" not in screening.admitted.fields
    assert _codes(screening, "nickname") == ["field.unknown"]
    assert "nickname" not in screening.context()["fields"]


def test_field_without_timestamp_is_withheld(make_contract, make_profile, field_value, now):
    profile = make_profile({"arr": field_value(120000, source="stripe", age=None)})

    screening = screen(profile, make_contract(), now=now)

    assert _codes(screening, "arr") == ["field.no_timestamp"]


def test_field_without_owner_is_withheld_when_owner_required(
    make_contract, make_profile, field_value, now
):
    profile = make_profile({"arr": field_value(120000, source="stripe", owner=None)})

    screening = screen(profile, make_contract(), now=now)

    assert _codes(screening, "arr") == ["field.unowned"]


def test_field_rule_can_waive_the_owner_requirement(make_contract, make_profile, field_value, now):
    contract = make_contract(
        fields={"arr": {"sources": ["stripe"], "fresh_within": "7d", "owner_required": False}}
    )
    profile = make_profile({"arr": field_value(120000, source="stripe", owner=None)})

    screening = screen(profile, contract, now=now)

    assert "arr" in screening.admitted.fields


def test_field_from_source_not_allowed_is_withheld(make_contract, make_profile, field_value, now):
    profile = make_profile({"arr": field_value(120000, source="spreadsheet")})

    screening = screen(profile, make_contract(), now=now)

    assert _codes(screening, "arr") == ["field.untrusted_source"]


def test_field_without_source_is_withheld(make_contract, make_profile, field_value, now):
    profile = make_profile({"arr": field_value(120000, source=None)})

    screening = screen(profile, make_contract(), now=now)

    assert _codes(screening, "arr") == ["field.untrusted_source"]


def test_source_path_required_withholds_value_without_lineage(
    make_contract, make_profile, field_value, now
):
    contract = make_contract(defaults={"owner_required": True, "source_path_required": True})
    profile = make_profile(
        {"arr": field_value(120000, source="stripe", source_path="Subscription.mrr")}
    )

    screening = screen(profile, contract, now=now)

    assert "arr" in screening.admitted.fields
    assert _codes(screening, "region") == ["field.no_source_path"]


def test_field_below_min_confidence_is_withheld(make_contract, make_profile, field_value, now):
    profile = make_profile({"health_score": field_value(38, source="gainsight", confidence=0.5)})

    screening = screen(profile, make_contract(), now=now)

    assert _codes(screening, "health_score") == ["field.low_confidence"]


def test_field_without_confidence_is_withheld_when_a_minimum_is_set(
    make_contract, make_profile, field_value, now
):
    profile = make_profile({"health_score": field_value(38, source="gainsight")})
    contract = make_contract(
        fields={"health_score": {"sources": ["gainsight"], "fresh_within": "7d"}}
    )

    strict = screen(profile, make_contract(), now=now)
    lenient = screen(profile, contract, now=now)

    assert _codes(strict, "health_score") == ["field.low_confidence"]
    assert "health_score" in lenient.admitted.fields


def test_field_measured_at_another_grain_is_withheld(make_contract, make_profile, field_value, now):
    profile = make_profile(
        {"usage_change_30d": field_value(-0.42, source="warehouse", grain="workspace")}
    )

    screening = screen(profile, make_contract(), now=now)

    assert _codes(screening, "usage_change_30d") == ["field.grain_mismatch"]


def test_field_without_grain_is_taken_at_the_entity_grain(
    make_contract, make_profile, field_value, now
):
    profile = make_profile({"usage_change_30d": field_value(-0.42, source="warehouse")})

    screening = screen(profile, make_contract(), now=now)

    assert "usage_change_30d" in screening.admitted.fields


def test_every_problem_of_a_value_is_reported(make_contract, make_profile, field_value, now):
    broken = field_value(38, source="csv", owner=None, age=timedelta(days=30), grain="workspace")
    contract = make_contract(
        fields={
            "health_score": {
                "sources": ["gainsight"],
                "fresh_within": "7d",
                "min_confidence": 0.6,
                "grain": "account",
            }
        }
    )

    screening = screen(make_profile({"health_score": broken}), contract, now=now)

    assert set(_codes(screening, "health_score")) == {
        "field.stale",
        "field.untrusted_source",
        "field.unowned",
        "field.low_confidence",
        "field.grain_mismatch",
    }


def test_findings_of_withheld_fields_name_the_field(make_contract, make_profile, field_value, now):
    profile = make_profile({"arr": field_value(1, source="csv"), "nickname": field_value("x")})

    screening = screen(profile, make_contract(), now=now)

    assert all(f.field == name for name, found in screening.withheld.items() for f in found)


# Rule 3: strictness grows with authority.


def test_stale_field_is_withheld_at_act(make_contract, make_profile, field_value, now):
    profile = make_profile({"renewal_date": field_value("2027-01-31", age=timedelta(days=2))})
    contract = make_contract()

    at_assist = screen(profile, contract, now=now, authority=Authority.ASSIST)
    at_act = screen(profile, contract, now=now, authority=Authority.ACT)

    assert "renewal_date" in at_assist.admitted.fields
    assert _codes(at_act, "renewal_date") == ["field.stale"]
    assert at_act.withheld["renewal_date"][0].detail["limit_seconds"] == 86400


def test_field_older_than_a_single_limit_is_stale_at_every_authority(
    make_contract, make_profile, field_value, now
):
    profile = make_profile({"arr": field_value(1, source="stripe", age=timedelta(days=8))})
    contract = make_contract()

    screenings = [screen(profile, contract, now=now, authority=a) for a in Authority]

    assert all(_codes(s, "arr") == ["field.stale"] for s in screenings)


def test_field_exactly_at_its_limit_is_admitted(make_contract, make_profile, field_value, now):
    profile = make_profile({"arr": field_value(1, source="stripe", age=timedelta(days=7))})

    screening = screen(profile, make_contract(), now=now)

    assert "arr" in screening.admitted.fields


def test_freshness_unlisted_level_takes_nearest_listed_above(
    make_contract, make_profile, field_value, now
):
    contract = make_contract(
        fields={
            "renewal_date": {
                "sources": ["salesforce"],
                "fresh_within": {"suggest": "30d", "route": "1d"},
            }
        }
    )
    profile = make_profile({"renewal_date": field_value("2027-01-31", age=timedelta(days=2))})

    at_suggest = screen(profile, contract, now=now, authority=Authority.SUGGEST)
    at_assist = screen(profile, contract, now=now, authority=Authority.ASSIST)

    assert "renewal_date" in at_suggest.admitted.fields
    assert _codes(at_assist, "renewal_date") == ["field.stale"]
    assert at_assist.withheld["renewal_date"][0].detail["limit_seconds"] == 86400


def test_above_highest_listed_level_is_not_cleared(make_contract, make_profile, now):
    contract = make_contract(
        fields={
            "region": {
                "sources": ["salesforce"],
                "fresh_within": {"suggest": "90d", "assist": "30d"},
            }
        }
    )

    at_assist = screen(make_profile(), contract, now=now, authority=Authority.ASSIST)
    at_route = screen(make_profile(), contract, now=now, authority=Authority.ROUTE)

    assert "region" in at_assist.admitted.fields
    assert _codes(at_route, "region") == ["field.not_cleared"]


def test_raising_ceiling_withholds_fields_not_declared_for_it(make_contract, make_profile, now):
    region = {"sources": ["salesforce"], "fresh_within": {"suggest": "90d", "assist": "30d"}}
    assist_contract = make_contract(authority="assist", fields={"region": region})
    act_contract = make_contract(authority="act", fields={"region": region})

    before = screen(make_profile(), assist_contract, now=now)
    after = screen(make_profile(), act_contract, now=now)

    assert before.authority is Authority.ASSIST
    assert "region" in before.admitted.fields
    assert after.authority is Authority.ACT
    assert _codes(after, "region") == ["field.not_cleared"]


def test_screening_defaults_to_the_contract_ceiling(make_contract, make_profile, now):
    screening = screen(make_profile(), make_contract(authority="route"), now=now)

    assert screening.authority is Authority.ROUTE


def test_screening_above_the_ceiling_raises_authority_error(make_contract, make_profile, now):
    contract = make_contract(authority="assist")

    with pytest.raises(AuthorityError, match="above the ceiling 'assist'") as raised:
        screen(make_profile(), contract, now=now, authority=Authority.ACT)

    assert isinstance(raised.value, ValueError)


# Sensitive fields and the model's context.


def test_sensitive_field_admitted_but_not_in_context(make_contract, make_profile, now):
    screening = screen(make_profile(), make_contract(), now=now)

    assert "email" in screening.admitted.fields
    assert "email" in screening.sensitive
    assert "email" not in screening.shown
    assert "email" not in screening.context()["fields"]
    assert "ops@acme.example" not in repr(screening.context())


def test_context_carries_admitted_values_with_provenance(
    make_contract, make_profile, field_value, now
):
    profile = make_profile(
        {
            "arr": field_value(
                120000, source="stripe", source_path="Subscription.mrr", age=timedelta(hours=2)
            )
        }
    )

    context = screen(profile, make_contract(), now=now).context()

    assert context["workflow"] == "churn_risk_next_action"
    assert context["authority"] == "act"
    assert context["entity"] == {"id": "acct_42", "grain": "account", "parent_id": "parent_7"}
    assert context["fields"]["arr"] == {
        "value": 120000,
        "source": "stripe",
        "owner": "revops",
        "updated_at": "2026-12-03T10:00:00Z",
        "source_path": "Subscription.mrr",
    }


# Source precedence.


def test_source_precedence_picks_first_admissible_source(
    make_contract, make_profile, field_value, now
):
    stale_stripe = field_value(100, source="stripe", age=timedelta(days=9))
    fresh_salesforce = field_value(90, source="salesforce")
    fresh_stripe = field_value(110, source="stripe")

    fallback = screen(
        make_profile({"arr": [stale_stripe, fresh_salesforce]}), make_contract(), now=now
    )
    preferred = screen(
        make_profile({"arr": [fresh_salesforce, fresh_stripe]}), make_contract(), now=now
    )

    assert fallback.admitted.fields["arr"].source == "salesforce"
    assert preferred.admitted.fields["arr"].source == "stripe"


def test_field_with_no_admissible_source_is_withheld_with_first_candidates_findings(
    make_contract, make_profile, field_value, now
):
    stale_stripe = field_value(100, source="stripe", age=timedelta(days=9))
    unowned_salesforce = field_value(90, source="salesforce", owner=None)

    screening = screen(
        make_profile({"arr": [unowned_salesforce, stale_stripe]}), make_contract(), now=now
    )

    assert _codes(screening, "arr") == ["field.stale"]


def test_field_with_empty_candidate_list_is_missing(make_contract, make_profile, now):
    screening = screen(make_profile({"arr": []}), make_contract(), now=now)

    assert _codes(screening, "arr") == ["field.missing"]


def test_admitted_field_holds_a_single_value(make_contract, make_profile, field_value, now):
    profile = make_profile({"arr": [field_value(1, source="stripe"), field_value(2)]})

    screening = screen(profile, make_contract(), now=now)

    assert isinstance(screening.admitted.fields["arr"], FieldValue)


# Lifecycle.


def test_lifecycle_conflict_withholds_state_fields_and_reviews(
    make_contract, make_profile, field_value, now
):
    profile = make_profile({"crm_stage": field_value("Trial")})

    screening = screen(profile, make_contract(), now=now)

    assert _codes(screening, "crm_stage") == ["lifecycle.conflict"]
    assert _codes(screening, "billing_status") == ["lifecycle.conflict"]
    [conflict] = screening.findings
    assert conflict.code == "lifecycle.conflict"
    assert conflict.outcome is Outcome.REVIEW
    assert conflict.detail["fields"] == "billing_status,crm_stage"


def test_agreeing_lifecycle_states_are_admitted(make_contract, make_profile, field_value, now):
    profile = make_profile(
        {
            "crm_stage": field_value("Trial"),
            "billing_status": field_value("trialing", source="stripe"),
        }
    )

    screening = screen(profile, make_contract(), now=now)

    assert {"crm_stage", "billing_status"} <= set(screening.admitted.fields)
    assert screening.findings == []


def test_unmapped_lifecycle_value_is_withheld(make_contract, make_profile, field_value, now):
    profile = make_profile({"crm_stage": field_value("Prospect")})

    screening = screen(profile, make_contract(), now=now)

    assert _codes(screening, "crm_stage") == ["lifecycle.unmapped"]
    assert "billing_status" in screening.admitted.fields


def test_stale_state_field_still_contests_the_lifecycle_state(
    make_contract, make_profile, field_value, now
):
    # The upgrade that billing saw yesterday and the CRM has not: the stale CRM stage is not
    # shown, and neither is billing's side of a disagreement nobody has resolved.
    profile = make_profile({"crm_stage": field_value("Trial", age=timedelta(days=10))})

    screening = screen(profile, make_contract(), now=now)

    assert "billing_status" not in screening.admitted.fields
    assert [f.code for f in screening.findings] == ["lifecycle.conflict"]


# Identity.


def test_workspace_entity_screened_for_account_workflow_records_grain_mismatch(
    make_contract, make_profile, now
):
    screening = screen(make_profile(grain="workspace"), make_contract(), now=now)

    [finding] = screening.findings
    assert finding.code == "identity.grain_mismatch"
    assert finding.outcome is Outcome.BLOCK


def test_low_match_confidence_is_recorded_and_blocks_only_from_route(
    make_contract, make_profile, now
):
    profile = make_profile(match_confidence=0.5)
    contract = make_contract()

    at_assist = screen(profile, contract, now=now, authority=Authority.ASSIST)
    at_route = screen(profile, contract, now=now, authority=Authority.ROUTE)

    assert [(f.code, f.outcome) for f in at_assist.findings] == [
        ("identity.low_match_confidence", Outcome.ALLOW)
    ]
    assert [(f.code, f.outcome) for f in at_route.findings] == [
        ("identity.low_match_confidence", Outcome.BLOCK)
    ]


# Critical fields.


def test_missing_critical_field_is_a_blocking_profile_finding(make_contract, make_profile, now):
    screening = screen(make_profile({"renewal_date": None}), make_contract(), now=now)

    [finding] = screening.findings
    assert (finding.code, finding.field, finding.outcome) == (
        "field.missing",
        "renewal_date",
        Outcome.BLOCK,
    )


def test_withheld_critical_field_is_a_blocking_profile_finding(
    make_contract, make_profile, field_value, now
):
    profile = make_profile({"renewal_date": field_value("2027-01-31", owner=None)})

    screening = screen(profile, make_contract(), now=now)

    [finding] = screening.findings
    assert (finding.code, finding.field, finding.outcome) == (
        "field.critical_withheld",
        "renewal_date",
        Outcome.BLOCK,
    )
    assert "field.unowned" in finding.message


def test_screening_records_the_contract_it_applied(make_contract, make_profile, now):
    contract = make_contract()

    screening = screen(make_profile(), contract, now=now)

    assert screening.workflow == contract.workflow
    assert screening.contract_digest == contract.digest
    assert screening.screened_at == now
