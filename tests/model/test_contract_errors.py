"""Malformed contracts: every error names the file, the key path and what was expected."""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from c360guard.errors import C360GuardError, ContractError
from c360guard.model import contract_from_dict, load_contract

GOOD = textwrap.dedent(
    """\
    workflow: churn_risk_next_action
    version: 3
    owner: cs-ops@example.com
    authority: route
    grain: account
    fields:
      renewal_date:
        sources: [salesforce]
        fresh_within: {suggest: 30d, assist: 7d, route: 1d}
        critical: true
      health_score:
        sources: [gainsight]
        fresh_within: 7d
        min_confidence: 0.6
      crm_stage:
        sources: [salesforce]
        fresh_within: 7d
      email_consent:
        sources: [braze]
        fresh_within: 30d
      open_escalation_severity:
        sources: [zendesk]
        fresh_within: 1d
    lifecycle:
      crm_stage: {Customer: active, Trial: trial}
    consent:
      - actions: [send_email]
        field: email_consent
        allow: [granted]
    suppress:
      - code: OPEN_ESCALATION
        when: {field: open_escalation_severity, in: [sev1, sev2]}
        actions: [create_cs_task]
    reasons:
      LOW_HEALTH:
        label: Health score below 50
        evidence: [health_score]
    actions:
      create_cs_task: {authority: assist, destination: gainsight, writes: [reason_codes]}
      send_email: {authority: route, destination: braze}
      route_expansion: {authority: route, destination: salesforce, compensate: unroute}
      unroute: {authority: route, destination: salesforce}
    review:
      min_confidence: 0.7
      always: [route_expansion]
    rollback:
      window: 7d
    """
)


def _data() -> dict[str, Any]:
    return yaml.safe_load(GOOD)


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ContractError) as raised:
        contract_from_dict(data, source="contracts/churn.yaml")
    return raised.value.problems


def _only_problem(data: dict[str, Any]) -> str:
    problems = _problems(data)
    assert len(problems) == 1, problems
    return problems[0]


def test_the_good_contract_loads():
    contract = load_contract(GOOD)

    assert contract.workflow == "churn_risk_next_action"


def test_contract_error_is_a_value_error_and_a_c360guard_error():
    data = _data()
    data["authority"] = "execute"

    with pytest.raises(ContractError) as raised:
        contract_from_dict(data)

    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value, C360GuardError)


def test_error_loaded_from_a_path_names_the_file_and_the_key_path(tmp_path: Path):
    path = tmp_path / "churn.yaml"
    path.write_text(GOOD.replace("fresh_within: 7d\n    min", "fresh_within: 7 days\n    min"))

    with pytest.raises(ContractError) as raised:
        load_contract(path)

    message = str(raised.value)
    assert str(path) in message
    assert "fields.health_score.fresh_within" in message
    assert "expected a duration such as" in message
    assert "'7 days'" in message
    assert message.rstrip().endswith("nothing was applied.")


def test_path_given_as_a_string_is_read_from_disk(tmp_path: Path):
    path = tmp_path / "churn.yml"
    path.write_text(GOOD)

    contract = load_contract(str(path))

    assert contract.version == 3


def test_error_in_yaml_text_says_it_came_from_text():
    with pytest.raises(ContractError, match="in <yaml text>"):
        load_contract(GOOD.replace("authority: route", "authority: execute"))


# Wrong types.


@pytest.mark.parametrize(
    ("mutate", "path", "expected"),
    [
        (lambda d: d.update(version=[3]), "version", "expected an integer, or a string (got [3])"),
        (
            lambda d: d.update(authority="execute"),
            "authority",
            "expected 'suggest', 'assist', 'route' or 'act' (got 'execute')",
        ),
        (lambda d: d.update(grain="team"), "grain", "(got 'team')"),
        (lambda d: d.update(fields=["renewal_date"]), "fields", "expected a mapping"),
        (
            lambda d: d["fields"]["health_score"].update(sources="gainsight"),
            "fields.health_score.sources",
            "expected a list (got 'gainsight')",
        ),
        (
            lambda d: d["fields"]["health_score"].update(min_confidence=1.5),
            "fields.health_score.min_confidence",
            "less than or equal to 1 (got 1.5)",
        ),
        (
            lambda d: d["fields"]["health_score"].update(min_confidence="high"),
            "fields.health_score.min_confidence",
            "expected a number",
        ),
        (
            lambda d: d["actions"]["send_email"].update(authority="execute"),
            "actions.send_email.authority",
            "(got 'execute')",
        ),
        (
            lambda d: d["suppress"][0].update(actions="all"),
            "suppress[0].actions",
            "expected '*' (every action), or a list of names (got 'all')",
        ),
        (
            lambda d: d["suppress"][0].update(when="severity == 'sev1'"),
            "suppress[0].when",
            "expected a condition",
        ),
        (
            lambda d: d["suppress"][0].update(when={"field": "crm_stage", "gt": [1]}),
            "suppress[0].when.gt",
            "expected a number, or a string (got [1])",
        ),
        (
            lambda d: d["review"].update(autonomous_up_to="maybe"),
            "review.autonomous_up_to",
            "(got 'maybe')",
        ),
        (
            lambda d: d["rollback"].update(min_decisions=0),
            "rollback.min_decisions",
            "greater than or equal to 1",
        ),
    ],
)
def test_wrong_type_names_the_key_path_and_what_was_expected(mutate, path, expected):
    data = _data()
    mutate(data)

    problem = _only_problem(data)

    assert problem.startswith(f"{path}: ")
    assert expected in problem


def test_missing_required_key_is_named():
    data = _data()
    del data["owner"]

    assert _only_problem(data) == "owner: required key is missing"


def test_missing_required_key_in_a_field_rule_is_named():
    data = _data()
    del data["fields"]["health_score"]["fresh_within"]

    assert _only_problem(data) == "fields.health_score.fresh_within: required key is missing"


def test_every_problem_is_reported_at_once():
    data = _data()
    data["authority"] = "execute"
    data["fields"]["health_score"]["fresh_within"] = "soon"
    data["reasons"]["LOW_HEALTH"]["evidnce"] = []

    problems = _problems(data)

    assert [p.split(":")[0] for p in problems] == [
        "authority",
        "fields.health_score.fresh_within",
        "reasons.LOW_HEALTH.evidnce",
    ]


# Unknown keys: a typo is an error, never a silent default.


@pytest.mark.parametrize(
    ("mutate", "path", "suggestion"),
    [
        (lambda d: d.update(reason=d.pop("reasons")), "reason", "reasons"),
        (
            lambda d: d["fields"]["health_score"].update(fresh_witin="7d"),
            "fields.health_score.fresh_witin",
            "fresh_within",
        ),
        (
            lambda d: d["actions"]["send_email"].update(destinaton="braze"),
            "actions.send_email.destinaton",
            "destination",
        ),
        (lambda d: d["review"].update(alway=[]), "review.alway", "always"),
        (
            lambda d: d["suppress"][0]["when"].update(feild="x"),
            "suppress[0].when.feild",
            "field",
        ),
    ],
)
def test_unknown_key_is_an_error_with_a_suggestion(mutate, path, suggestion):
    data = _data()
    mutate(data)

    problems = _problems(data)

    assert f"{path}: unknown key (did you mean {suggestion!r}?" in "\n".join(problems)


def test_unknown_key_in_a_nested_condition_names_the_whole_path():
    data = _data()
    data["suppress"][0]["when"] = {
        "all": [
            {"field": "crm_stage", "equals": "Trial"},
            {"not": {"field": "crm_stage", "equals": "x", "typo": 1}},
        ]
    }

    problem = _only_problem(data)

    assert problem.startswith("suppress[0].when.all[1].not.typo: unknown key")


def test_condition_with_no_known_form_lists_the_keys_it_got():
    data = _data()
    data["suppress"][0]["when"] = {"field": "crm_stage", "inn": ["Trial"]}

    problem = _only_problem(data)

    assert problem.startswith("suppress[0].when: expected a condition: {field, equals}")
    assert "(got a mapping with keys field, inn)" in problem


def test_unknown_authority_level_in_freshness_is_named():
    data = _data()
    data["fields"]["health_score"]["fresh_within"] = {"suggest": "7d", "execute": "1d"}

    problem = _only_problem(data)

    assert problem.startswith("fields.health_score.fresh_within.execute: unknown key 'execute'")
    assert "'suggest', 'assist', 'route' or 'act'" in problem


def test_a_field_named_like_a_type_keeps_its_name_in_the_path():
    data = _data()
    data["fields"]["none"] = {"sources": "crm", "fresh_within": "1d"}

    assert _only_problem(data).startswith("fields.none.sources: expected a list")


# Dangling references.


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["reasons"]["LOW_HEALTH"].update(evidence=["health_scor"]),
            "reasons.LOW_HEALTH.evidence: field 'health_scor' is not declared under fields",
        ),
        (
            lambda d: d["lifecycle"].update(billing_status={"paid": "active"}),
            "lifecycle.billing_status: field 'billing_status' is not declared under fields",
        ),
        (
            lambda d: d["consent"][0].update(field="gdpr_consent"),
            "consent[0].field: field 'gdpr_consent' is not declared under fields",
        ),
        (
            lambda d: d["consent"][0].update(actions=["send_sms"]),
            "consent[0].actions: action 'send_sms' is not declared under actions",
        ),
        (
            lambda d: d["consent"][0].update(when={"field": "region", "in": ["EU"]}),
            "consent[0].when: field 'region' is not declared under fields",
        ),
        (
            lambda d: d["suppress"][0].update(when={"field": "holdout", "equals": True}),
            "suppress[0].when: field 'holdout' is not declared under fields",
        ),
        (
            lambda d: d["suppress"][0].update(
                when={
                    "any": [
                        {"field": "crm_stage", "equals": "x"},
                        {"field": "holdout", "exists": True},
                    ]
                }
            ),
            "suppress[0].when: field 'holdout' is not declared under fields",
        ),
        (
            lambda d: d["suppress"][0].update(actions=["page_oncall"]),
            "suppress[0].actions: action 'page_oncall' is not declared under actions",
        ),
        (
            lambda d: d["review"].update(always=["route_expanson"]),
            "review.always: action 'route_expanson' is not declared under actions",
        ),
        (
            lambda d: d["actions"]["route_expansion"].update(compensate="undo"),
            "actions.route_expansion.compensate: action 'undo' is not declared under actions",
        ),
        (
            lambda d: d["actions"]["send_email"].update(writes=["email"]),
            "actions.send_email.writes: field 'email' is not declared under fields",
        ),
    ],
)
def test_dangling_reference_names_the_key_path(mutate, expected):
    data = _data()
    mutate(data)

    assert _only_problem(data) == expected


def test_every_dangling_reference_is_reported():
    data = _data()
    data["reasons"]["LOW_HEALTH"]["evidence"] = ["nope"]
    data["review"]["always"] = ["nothing"]

    problems = _problems(data)

    assert [p.split(":")[0] for p in problems] == ["reasons.LOW_HEALTH.evidence", "review.always"]


def test_wildcard_action_selector_is_not_a_dangling_reference():
    data = _data()
    data["suppress"][0]["actions"] = "*"

    assert contract_from_dict(data).suppress[0].actions == "*"


# Durations and freshness.


@pytest.mark.parametrize("bad", ["7 days", "7x", "P", "PT", "-1d", "", "d7"])
def test_bad_duration_names_the_key_path(bad):
    data = _data()
    data["fields"]["health_score"]["fresh_within"] = bad

    problem = _only_problem(data)

    assert problem.startswith("fields.health_score.fresh_within: expected a duration such as")
    assert repr(bad) in problem


def test_bad_duration_in_a_freshness_mapping_names_the_level():
    data = _data()
    data["fields"]["renewal_date"]["fresh_within"]["assist"] = "a week"

    problem = _only_problem(data)

    assert problem.startswith("fields.renewal_date.fresh_within.assist: expected a duration")


def test_bad_duration_elsewhere_names_its_key():
    data = _data()
    data["rollback"]["window"] = "soon"

    assert _only_problem(data).startswith("rollback.window: expected a duration")


def test_empty_freshness_mapping_is_an_error():
    data = _data()
    data["fields"]["health_score"]["fresh_within"] = {}

    problem = _only_problem(data)

    assert problem == (
        "fields.health_score.fresh_within: give one duration, or at least one authority level"
    )


def test_freshness_looser_at_a_higher_authority_is_an_error():
    data = _data()
    data["fields"]["health_score"]["fresh_within"] = {"suggest": "1d", "route": "30d"}

    problem = _only_problem(data)

    assert problem.startswith("fields.health_score.fresh_within: the limit at route (30d)")
    assert "longer than at suggest (1d)" in problem


def test_bad_authority_value_is_named():
    data = _data()
    data["actions"]["create_cs_task"]["authority"] = "admin"

    problem = _only_problem(data)

    assert problem == (
        "actions.create_cs_task.authority: expected 'suggest', 'assist', 'route' or 'act' "
        "(got 'admin')"
    )


# Bad documents.


def test_bad_yaml_names_the_line(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("workflow: w\nowner: ops\nauthority: act: now\ngrain: account\n")

    with pytest.raises(ContractError) as raised:
        load_contract(path)

    [problem] = raised.value.problems
    assert problem == "line 3, column 15: not valid YAML (mapping values are not allowed here)"
    assert str(path) in str(raised.value)


def test_key_written_twice_is_an_error_naming_both_lines():
    text = GOOD + "authority: act\n"

    with pytest.raises(ContractError) as raised:
        load_contract(text)

    [problem] = raised.value.problems
    assert "key 'authority' appears twice in one mapping; the first is on line 4" in problem
    assert problem.startswith(f"line {GOOD.count(chr(10)) + 1}, column 1:")


@pytest.mark.parametrize(
    ("text", "got"),
    [("- workflow: w\n- owner: o\n", "a list"), ("", "an empty document"), ("42\n", "a number")],
)
def test_document_that_is_not_a_mapping_is_an_error(text, got):
    with pytest.raises(ContractError) as raised:
        load_contract(text)

    assert raised.value.problems == [
        f"(root): expected a mapping of contract keys (workflow, authority, ...), got {got}"
    ]


def test_bare_word_hints_that_a_path_needs_a_yaml_suffix():
    with pytest.raises(ContractError, match=r"give a path ending in \.yaml or \.yml"):
        load_contract("contracts/churn")


def test_missing_file_is_an_error_naming_it(tmp_path: Path):
    path = tmp_path / "absent.yaml"

    with pytest.raises(ContractError) as raised:
        load_contract(path)

    assert str(path) in str(raised.value)
    assert "cannot read the file" in str(raised.value)
    assert "check the path" in str(raised.value)


def test_nothing_is_half_applied_when_loading_fails():
    data = _data()
    data["authority"] = "execute"
    before = copy.deepcopy(data)

    with pytest.raises(ContractError):
        contract_from_dict(data)

    assert data == before
