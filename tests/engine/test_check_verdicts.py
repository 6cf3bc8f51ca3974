"""Checking a recommendation: one verdict from every finding, block beating review beating allow."""

from __future__ import annotations

from datetime import timedelta

from c360guard.engine import check, screen
from c360guard.model import Authority, Outcome, PauseState


def _check(recommendation, contract, profile, now, *, authority=None, pause=None):
    screening = screen(profile, contract, now=now, authority=authority)
    return check(recommendation, screening, contract, now=now, pause=pause)


def test_clean_recommendation_is_allowed(make_contract, make_profile, make_recommendation, now):
    verdict = _check(make_recommendation(), make_contract(), make_profile(), now)

    assert verdict.outcome is Outcome.ALLOW
    assert verdict.allowed
    assert verdict.findings == []


def test_verdict_records_what_was_checked(make_contract, make_profile, make_recommendation, now):
    recommendation = make_recommendation(
        "send_email", reasons=[("RENEWAL_SOON", ["renewal_date", "arr"])]
    )

    verdict = _check(recommendation, make_contract(), make_profile(), now)

    assert verdict.workflow == "churn_risk_next_action"
    assert verdict.action == "send_email"
    assert verdict.authority is Authority.ACT
    assert verdict.entity_id == "acct_42"
    assert verdict.reason_codes == ["RENEWAL_SOON"]
    assert verdict.cited_fields == ["renewal_date", "arr"]
    assert verdict.decided_at == now


# Rule 1: fail closed.


def test_action_not_in_catalog_is_blocked(make_contract, make_profile, make_recommendation, now):
    verdict = _check(make_recommendation("delete_account"), make_contract(), make_profile(), now)

    assert verdict.outcome is Outcome.BLOCK
    assert verdict.codes == ["action.unknown"]


def test_unknown_consent_is_no_consent(make_contract, make_profile, make_recommendation, now):
    profile = make_profile({"email_consent": None})

    verdict = _check(make_recommendation("send_email"), make_contract(), profile, now)

    assert verdict.outcome is Outcome.BLOCK
    assert verdict.codes == ["consent.missing"]
    assert "is missing" in verdict.findings[0].message


def test_withheld_consent_field_is_no_consent(
    make_contract, make_profile, field_value, make_recommendation, now
):
    profile = make_profile(
        {"email_consent": field_value("granted", source="braze", age=timedelta(days=45))}
    )

    verdict = _check(make_recommendation("send_email"), make_contract(), profile, now)

    assert verdict.codes == ["consent.missing"]
    assert "is withheld" in verdict.findings[0].message


def test_consent_value_outside_allow_list_is_no_consent(
    make_contract, make_profile, field_value, make_recommendation, now
):
    profile = make_profile({"email_consent": field_value("pending", source="braze")})

    verdict = _check(make_recommendation("send_email"), make_contract(), profile, now)

    assert verdict.codes == ["consent.missing"]


def test_consent_rule_governs_only_its_actions(
    make_contract, make_profile, make_recommendation, now
):
    profile = make_profile({"email_consent": None})

    verdict = _check(make_recommendation("create_cs_task"), make_contract(), profile, now)

    assert verdict.outcome is Outcome.ALLOW


# Conditions in consent and suppression are three-valued; unknown never helps.


def _gdpr_contract(make_contract):
    rules = [
        {"actions": ["send_email"], "field": "email_consent", "allow": ["granted"]},
        {
            "actions": ["send_email"],
            "when": {"field": "region", "in": ["EU", "UK"]},
            "field": "gdpr_marketing_consent",
            "allow": ["granted"],
        },
    ]
    gdpr = {"sources": ["braze"], "fresh_within": "30d"}
    return make_contract(consent=rules, fields={"gdpr_marketing_consent": gdpr})


def test_consent_when_unknown_applies(
    make_contract, make_profile, field_value, make_recommendation, now
):
    contract = _gdpr_contract(make_contract)
    profile = make_profile({"region": field_value("DE", source="hubspot")})

    verdict = _check(make_recommendation("send_email"), contract, profile, now)

    assert verdict.codes == ["consent.missing"]
    assert verdict.findings[0].field == "gdpr_marketing_consent"


def test_consent_when_false_does_not_apply(make_contract, make_profile, make_recommendation, now):
    contract = _gdpr_contract(make_contract)

    verdict = _check(make_recommendation("send_email"), contract, make_profile(), now)

    assert verdict.outcome is Outcome.ALLOW


def test_consent_when_true_applies(
    make_contract, make_profile, field_value, make_recommendation, now
):
    contract = _gdpr_contract(make_contract)
    profile = make_profile({"region": field_value("EU")})

    verdict = _check(make_recommendation("send_email"), contract, profile, now)

    assert verdict.codes == ["consent.missing"]


def test_active_suppression_blocks(
    make_contract, make_profile, field_value, make_recommendation, now
):
    profile = make_profile({"open_escalation_severity": field_value("sev1", source="zendesk")})

    verdict = _check(make_recommendation(), make_contract(), profile, now)

    assert verdict.outcome is Outcome.BLOCK
    assert verdict.codes == ["suppression.active"]
    assert verdict.findings[0].detail["suppression"] == "OPEN_ESCALATION"


def test_suppression_on_withheld_field_blocks_as_unknown(
    make_contract, make_profile, field_value, make_recommendation, now
):
    stale = field_value("none", source="zendesk", age=timedelta(days=3))
    profile = make_profile({"open_escalation_severity": stale})

    verdict = _check(make_recommendation(), make_contract(), profile, now)

    assert verdict.outcome is Outcome.BLOCK
    assert verdict.codes == ["suppression.unknown"]


def test_suppression_on_absent_field_blocks_as_unknown(
    make_contract, make_profile, make_recommendation, now
):
    profile = make_profile({"open_escalation_severity": None})

    verdict = _check(make_recommendation(), make_contract(), profile, now)

    assert verdict.codes == ["suppression.unknown"]


def test_suppression_governs_only_its_actions(
    make_contract, make_profile, field_value, make_recommendation, now
):
    profile = make_profile({"open_escalation_severity": field_value("sev1", source="zendesk")})

    verdict = _check(make_recommendation(None), make_contract(), profile, now)

    assert verdict.outcome is Outcome.ALLOW


def test_wildcard_suppression_covers_pure_suggestions(
    make_contract, make_profile, field_value, make_recommendation, now
):
    holdout = {"code": "HOLDOUT", "when": {"field": "region", "equals": "US"}, "actions": "*"}
    contract = make_contract(suppress=[holdout])

    verdict = _check(make_recommendation(None), contract, make_profile(), now)

    assert verdict.codes == ["suppression.active"]


# Rule 2: authority is a ceiling.


def test_action_above_ceiling_is_blocked_whatever_the_confidence(
    make_contract, make_profile, make_recommendation, now
):
    contract = make_contract(authority="assist")
    recommendation = make_recommendation("route_expansion", confidence=1.0)

    verdict = _check(recommendation, contract, make_profile(), now)

    assert verdict.outcome is Outcome.BLOCK
    assert "authority.exceeded" in verdict.codes
    exceeded = next(f for f in verdict.findings if f.code == "authority.exceeded")
    assert exceeded.detail == {"action": "route_expansion", "needed": "route", "ceiling": "assist"}


def test_action_at_the_ceiling_is_not_exceeded(
    make_contract, make_profile, make_recommendation, now
):
    contract = make_contract(authority="assist")

    verdict = _check(make_recommendation("create_cs_task"), contract, make_profile(), now)

    assert "authority.exceeded" not in verdict.codes


# Rule 3: checking re-applies the rules at the action's authority.


def test_check_reapplies_freshness_at_the_action_authority(
    make_contract, make_profile, field_value, make_recommendation, now
):
    profile = make_profile({"renewal_date": field_value("2027-01-31", age=timedelta(days=2))})
    contract = make_contract()
    shown_at_assist = screen(profile, contract, now=now, authority=Authority.ASSIST)

    task = check(make_recommendation("create_cs_task"), shown_at_assist, contract, now=now)
    email = check(make_recommendation("send_email"), shown_at_assist, contract, now=now)

    assert task.outcome is Outcome.ALLOW
    assert email.outcome is Outcome.BLOCK
    assert set(email.codes) == {"field.critical_withheld", "reason.cites_withheld_field"}
    cited = next(f for f in email.findings if f.code == "reason.cites_withheld_field")
    assert "not cleared at authority act" in cited.message


# Rule 4: reasons are checked, not trusted.


def test_recommendation_without_reason_blocks(
    make_contract, make_profile, make_recommendation, now
):
    verdict = _check(make_recommendation(reasons=[]), make_contract(), make_profile(), now)

    assert verdict.outcome is Outcome.BLOCK
    assert verdict.codes == ["reason.missing"]


def test_reason_code_outside_catalog_blocks(make_contract, make_profile, make_recommendation, now):
    recommendation = make_recommendation(reasons=[("GUT_FEELING", [])])

    verdict = _check(recommendation, make_contract(), make_profile(), now)

    assert verdict.codes == ["reason.unknown_code"]


def test_reason_citing_withheld_field_blocks(
    make_contract, make_profile, field_value, make_recommendation, now
):
    profile = make_profile({"arr": field_value(1, source="csv")})
    recommendation = make_recommendation(reasons=[("ANY_SIGNAL", ["arr"])])

    verdict = _check(recommendation, make_contract(), profile, now)

    assert verdict.outcome is Outcome.BLOCK
    assert verdict.codes == ["reason.cites_withheld_field"]
    assert verdict.findings[0].field == "arr"


def test_reason_citing_field_not_in_profile_blocks(
    make_contract, make_profile, make_recommendation, now
):
    recommendation = make_recommendation(reasons=[("ANY_SIGNAL", ["secret_score"])])

    verdict = _check(recommendation, make_contract(), make_profile(), now)

    assert verdict.codes == ["reason.cites_withheld_field"]


def test_reason_missing_its_evidence_blocks(make_contract, make_profile, make_recommendation, now):
    recommendation = make_recommendation(reasons=[("USAGE_DROP", ["health_score"])])

    verdict = _check(recommendation, make_contract(), make_profile(), now)

    assert verdict.codes == ["reason.evidence_missing"]
    assert verdict.findings[0].field == "usage_change_30d"


def test_cited_sensitive_field_counts_as_not_shown(
    make_contract, make_profile, make_recommendation, now
):
    recommendation = make_recommendation(reasons=[("RENEWAL_SOON", ["renewal_date", "email"])])

    verdict = _check(recommendation, make_contract(), make_profile(), now)

    assert verdict.codes == ["reason.cites_withheld_field"]
    assert verdict.findings[0].field == "email"


# Rule 5: low confidence goes to a person.


def test_low_confidence_reviews(make_contract, make_profile, make_recommendation, now):
    verdict = _check(make_recommendation(confidence=0.5), make_contract(), make_profile(), now)

    assert verdict.outcome is Outcome.REVIEW
    assert verdict.codes == ["confidence.low"]


def test_missing_confidence_reviews(make_contract, make_profile, make_recommendation, now):
    verdict = _check(make_recommendation(confidence=None), make_contract(), make_profile(), now)

    assert verdict.codes == ["confidence.low"]


def test_confidence_at_the_threshold_is_not_low(
    make_contract, make_profile, make_recommendation, now
):
    verdict = _check(make_recommendation(confidence=0.7), make_contract(), make_profile(), now)

    assert verdict.outcome is Outcome.ALLOW


def test_review_always_action_reviews(make_contract, make_profile, make_recommendation, now):
    contract = make_contract(
        review={"min_confidence": 0.7, "always": ["create_cs_task"], "autonomous_up_to": "act"}
    )

    verdict = _check(make_recommendation(confidence=0.99), contract, make_profile(), now)

    assert verdict.outcome is Outcome.REVIEW
    assert verdict.codes == ["review.required"]


def test_autonomous_up_to(make_contract, make_profile, make_recommendation, now):
    contract = make_contract(review={"min_confidence": 0.7, "autonomous_up_to": "assist"})

    task = _check(make_recommendation("create_cs_task"), contract, make_profile(), now)
    route = _check(make_recommendation("route_expansion"), contract, make_profile(), now)

    assert task.outcome is Outcome.ALLOW
    assert route.outcome is Outcome.REVIEW
    assert route.codes == ["review.required"]
    assert route.findings[0].detail == {"authority": "route"}


# Rule 7: pausing is instant.


def test_paused_workflow_blocks_every_action_but_screens(
    make_contract, make_profile, make_recommendation, now
):
    contract = make_contract()
    pause = PauseState(workflow=contract.workflow, by="cs-ops", reason="incident", since=now)
    screening = screen(make_profile(), contract, now=now)

    verdicts = [
        check(make_recommendation(action), screening, contract, now=now, pause=pause)
        for action in (None, "create_cs_task", "route_expansion", "send_email")
    ]

    assert screening.withheld == {}
    assert all(v.outcome is Outcome.BLOCK for v in verdicts)
    assert all(v.codes == ["workflow.paused"] for v in verdicts)
    assert verdicts[0].findings[0].detail == {"paused_by": "cs-ops", "automatic": False}


# Rule 8: one verdict from all findings.


def test_all_findings_collected_not_first_only(
    make_contract, make_profile, field_value, make_recommendation, now
):
    contract = make_contract(authority="route")
    pause = PauseState(workflow=contract.workflow, by="cs-ops", reason="incident", since=now)
    profile = make_profile(
        {"renewal_date": None, "email_consent": None, "crm_stage": field_value("Trial")},
        match_confidence=None,
    )
    recommendation = make_recommendation(
        "send_email", reasons=[("GUT_FEELING", ["email"])], confidence=0.2
    )

    verdict = _check(recommendation, contract, profile, now, pause=pause)

    assert verdict.outcome is Outcome.BLOCK
    assert set(verdict.codes) >= {
        "workflow.paused",
        "authority.exceeded",
        "identity.low_match_confidence",
        "consent.missing",
        "field.missing",
        "lifecycle.conflict",
        "reason.unknown_code",
        "reason.cites_withheld_field",
        "confidence.low",
    }


def test_outcome_is_the_most_severe_finding(
    make_contract, make_profile, field_value, make_recommendation, now
):
    conflicted = make_profile({"crm_stage": field_value("Trial")})

    review_only = _check(make_recommendation(confidence=0.1), make_contract(), conflicted, now)
    review_and_block = _check(
        make_recommendation(reasons=[], confidence=0.1), make_contract(), conflicted, now
    )

    assert review_only.outcome is Outcome.REVIEW
    assert set(review_only.codes) == {"lifecycle.conflict", "confidence.low"}
    assert review_and_block.outcome is Outcome.BLOCK
    assert set(review_and_block.codes) == {"lifecycle.conflict", "confidence.low", "reason.missing"}


def test_lifecycle_conflict_reviews_the_recommendation(
    make_contract, make_profile, field_value, make_recommendation, now
):
    profile = make_profile({"billing_status": field_value("trialing", source="stripe")})

    verdict = _check(make_recommendation(), make_contract(), profile, now)

    assert verdict.outcome is Outcome.REVIEW
    assert verdict.codes == ["lifecycle.conflict"]


def test_critical_field_missing_blocks(make_contract, make_profile, make_recommendation, now):
    recommendation = make_recommendation(reasons=[("ANY_SIGNAL", [])])

    verdict = _check(recommendation, make_contract(), make_profile({"renewal_date": None}), now)

    assert verdict.outcome is Outcome.BLOCK
    assert verdict.codes == ["field.missing"]


def test_critical_field_withheld_blocks(
    make_contract, make_profile, field_value, make_recommendation, now
):
    profile = make_profile({"renewal_date": field_value("2027-01-31", source="csv")})
    recommendation = make_recommendation(reasons=[("ANY_SIGNAL", [])])

    verdict = _check(recommendation, make_contract(), profile, now)

    assert verdict.codes == ["field.critical_withheld"]


def test_workspace_grain_entity_blocked_for_account_workflow(
    make_contract, make_profile, make_recommendation, now
):
    profile = make_profile(grain="workspace")

    verdict = _check(make_recommendation(None), make_contract(), profile, now)

    assert verdict.outcome is Outcome.BLOCK
    assert verdict.codes == ["identity.grain_mismatch"]


def test_action_grain_other_than_entity_and_workflow_blocks(
    make_contract, make_profile, make_recommendation, now
):
    contract = make_contract(grain="workspace")
    actions = dict(contract.model_dump(mode="json")["actions"])
    actions["route_expansion"]["grain"] = "parent"
    contract = make_contract(grain="workspace", actions=actions)

    verdict = _check(
        make_recommendation("route_expansion"), contract, make_profile(grain="workspace"), now
    )

    assert verdict.codes == ["identity.grain_mismatch"]
    assert verdict.findings[0].detail == {"entity_grain": "workspace", "expected": "parent"}


def test_low_match_confidence_blocks_route_not_suggest(
    make_contract, make_profile, make_recommendation, now
):
    profile = make_profile(match_confidence=0.5)

    suggestion = _check(make_recommendation(None), make_contract(), profile, now)
    routing = _check(make_recommendation("route_expansion"), make_contract(), profile, now)

    assert suggestion.outcome is Outcome.ALLOW
    assert routing.outcome is Outcome.BLOCK
    assert routing.codes == ["identity.low_match_confidence"]


def test_missing_match_confidence_counts_as_low(
    make_contract, make_profile, make_recommendation, now
):
    profile = make_profile(match_confidence=None)

    verdict = _check(make_recommendation("route_expansion"), make_contract(), profile, now)

    assert verdict.codes == ["identity.low_match_confidence"]
    assert "unknown" in verdict.findings[0].message


def test_destination_write_not_allowed_blocks(
    make_contract, make_profile, make_recommendation, now
):
    recommendation = make_recommendation("create_cs_task", arguments={"email": "x", "note": "hi"})

    verdict = _check(recommendation, make_contract(), make_profile(), now)

    assert verdict.outcome is Outcome.BLOCK
    assert verdict.codes == ["destination.field_not_allowed"]
    assert verdict.findings[0].field == "email"


def test_destination_write_listed_in_writes_is_allowed(
    make_contract, make_profile, make_recommendation, now
):
    recommendation = make_recommendation("send_email", arguments={"email": "x"})

    verdict = _check(recommendation, make_contract(), make_profile(), now)

    assert verdict.outcome is Outcome.ALLOW


def test_findings_carry_the_dimension_of_their_code(
    make_contract, make_profile, make_recommendation, now
):
    verdict = _check(
        make_recommendation("delete_account", reasons=[], confidence=None),
        make_contract(),
        make_profile(),
        now,
    )

    dimensions = {f.code: f.dimension.value for f in verdict.findings}
    assert dimensions == {
        "action.unknown": "destination",
        "reason.missing": "reason_codes",
        "confidence.low": "review",
    }
