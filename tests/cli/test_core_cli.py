"""`c360guard screen` and `c360guard check`: output, JSON shape and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from c360guard import __version__
from c360guard.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AT = "2026-12-03T12:00:00Z"

CHURN = str(EXAMPLES / "contracts" / "churn_risk.yaml")
LIFECYCLE = str(EXAMPLES / "contracts" / "lifecycle_personalization.yaml")
HEALTHY = str(EXAMPLES / "profiles" / "healthy_renewal.json")
UPGRADED = str(EXAMPLES / "profiles" / "upgraded_yesterday.json")
SEV1 = str(EXAMPLES / "profiles" / "open_sev1_escalation.json")
RECOMMENDATIONS = EXAMPLES / "recommendations"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _recommendation(name: str) -> str:
    return str(RECOMMENDATIONS / f"{name}.json")


def test_screen_lists_shown_and_withheld_fields(runner: CliRunner) -> None:
    result = runner.invoke(app, ["screen", LIFECYCLE, UPGRADED, "--at", AT])

    assert result.exit_code == 0, result.output
    assert "Shown to the model" in result.stdout
    assert "Withheld from the model" in result.stdout
    assert "crm_stage" in result.stdout
    assert "lifecycle.conflict" in result.stdout


def test_screen_json_has_the_screening_and_what_the_model_sees(runner: CliRunner) -> None:
    result = runner.invoke(app, ["screen", LIFECYCLE, UPGRADED, "--at", AT, "--json"])

    document = json.loads(result.stdout)
    assert result.exit_code == 0
    assert document["workflow"] == "lifecycle_personalization"
    assert document["screened_at"] == AT
    assert "crm_stage" in document["withheld"]
    assert document["withheld"]["crm_stage"][0]["code"] == "lifecycle.conflict"
    assert "crm_stage" not in document["shown"]
    assert "email" not in document["shown"]
    assert document["sensitive"] == ["email"]
    assert "lifecycle.conflict" in document["codes"]


def test_screen_json_is_identical_across_runs(runner: CliRunner) -> None:
    args = ["screen", LIFECYCLE, UPGRADED, "--at", AT, "--json"]

    first = runner.invoke(app, args).stdout
    second = runner.invoke(app, args).stdout

    assert first == second


def test_screen_at_a_lower_authority_applies_that_authoritys_rules(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["screen", CHURN, HEALTHY, "--authority", "suggest", "--at", AT, "--json"]
    )

    assert result.exit_code == 0
    assert json.loads(result.stdout)["authority"] == "suggest"


def test_screen_without_at_judges_freshness_now(runner: CliRunner) -> None:
    result = runner.invoke(app, ["screen", CHURN, HEALTHY, "--json"])

    assert result.exit_code == 0
    assert json.loads(result.stdout)["screened_at"] != AT


@pytest.mark.parametrize(
    ("contract", "profile", "recommendation", "exit_code"),
    [
        (CHURN, HEALTHY, "healthy_renewal_cs_task", 0),
        (CHURN, HEALTHY, "healthy_renewal_cs_task_low_confidence", 1),
        (CHURN, SEV1, "open_sev1_escalation_cs_task", 2),
    ],
    ids=["allow", "review", "block"],
)
def test_check_exit_code_follows_the_outcome(
    runner: CliRunner, contract: str, profile: str, recommendation: str, exit_code: int
) -> None:
    result = runner.invoke(
        app, ["check", contract, profile, _recommendation(recommendation), "--at", AT]
    )

    assert result.exit_code == exit_code, result.output


def test_check_prints_the_verdict_and_every_finding(runner: CliRunner) -> None:
    args = ["check", LIFECYCLE, UPGRADED, _recommendation("upgraded_yesterday_trial_nudge")]

    result = runner.invoke(app, [*args, "--at", AT])

    assert "BLOCK" in result.stdout
    assert "lifecycle.conflict" in result.stdout
    assert "reason.cites_withheld_field" in result.stdout


def test_check_json_carries_outcome_codes_and_findings(runner: CliRunner) -> None:
    args = ["check", CHURN, SEV1, _recommendation("open_sev1_escalation_cs_task")]

    result = runner.invoke(app, [*args, "--at", AT, "--json"])

    document = json.loads(result.stdout)
    assert result.exit_code == 2
    assert document["outcome"] == "block"
    assert document["codes"] == ["suppression.active"]
    assert document["findings"][0]["dimension"] == "consent_suppression"
    assert document["decided_at"] == AT
    assert document["ticket"] is None


def test_malformed_contract_exits_3_naming_the_key_path(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = (EXAMPLES / "contracts" / "churn_risk.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("fresh_within: 2d", "fresh_within: two days", 1))

    result = runner.invoke(app, ["screen", str(broken), HEALTHY])

    assert result.exit_code == 3
    assert result.stdout == ""
    assert "fields.product_usage_30d.fresh_within" in result.stderr
    assert "broken.yaml" in result.stderr
    assert "Traceback" not in result.output


def test_unreadable_profile_exits_3_naming_the_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nobody.json"

    result = runner.invoke(app, ["screen", CHURN, str(missing)])

    assert result.exit_code == 3
    assert "nobody.json" in result.stderr


def test_invalid_recommendation_exits_3_naming_the_key(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"action": "create_cs_task", "confidence": "very"}))

    result = runner.invoke(app, ["check", CHURN, HEALTHY, str(bad)])

    assert result.exit_code == 3
    assert "confidence" in result.stderr
    assert "bad.json" in result.stderr


def test_at_without_utc_offset_exits_3(runner: CliRunner) -> None:
    result = runner.invoke(app, ["screen", CHURN, HEALTHY, "--at", "2026-12-03T12:00:00"])

    assert result.exit_code == 3
    assert "UTC offset" in result.stderr


def test_authority_above_the_ceiling_exits_3(runner: CliRunner) -> None:
    result = runner.invoke(app, ["screen", CHURN, HEALTHY, "--authority", "act"])

    assert result.exit_code == 3
    assert "ceiling" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["screen", CHURN], ["screen", CHURN, HEALTHY, "--authority", "boss"], ["no-such-verb"]],
    ids=["missing-argument", "unknown-authority", "unknown-command"],
)
def test_usage_errors_exit_3_not_2_which_means_block(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(app, args)

    assert result.exit_code == 3
    assert result.stdout == ""


@pytest.mark.parametrize("verb", ["screen", "check"])
def test_help_documents_the_exit_codes(runner: CliRunner, verb: str) -> None:
    result = runner.invoke(app, [verb, "--help"])

    assert result.exit_code == 0
    assert "Exit codes" in result.stdout
    assert "3 bad input" in result.stdout


def test_version_prints_the_package_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["version"])

    assert result.exit_code == 0
    assert result.stdout.strip() == __version__
