"""`c360guard audit verify` and `c360guard audit explain` on a real audit log."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from typer.testing import CliRunner

from c360guard import FrozenClock, Guard, Recommendation, load_contract, load_profile
from c360guard.cli import app
from c360guard.telemetry import AuditLogExporter, load_records

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """An audit log holding an allowed and a blocked decision (2 screens, 2 checks)."""
    path = tmp_path / "audit.jsonl"
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(AuditLogExporter(path)))
    guard = Guard(
        load_contract(EXAMPLES / "contracts" / "churn_risk.yaml"),
        clock=FrozenClock(datetime(2026, 12, 3, 12, tzinfo=UTC)),
        tracer_provider=provider,
    )
    for profile, recommendation in [
        ("healthy_renewal", "healthy_renewal_cs_task"),
        ("open_sev1_escalation", "open_sev1_escalation_cs_task"),
    ]:
        text = (EXAMPLES / "recommendations" / f"{recommendation}.json").read_text()
        screening = guard.screen(load_profile(EXAMPLES / "profiles" / f"{profile}.json"))
        guard.check(Recommendation.model_validate_json(text), screening)
    provider.shutdown()
    return path


def _check_id(log: Path, entity: str) -> str:
    return next(
        r["decision_id"]
        for r in load_records(log)
        if r["kind"] == "check" and r["entity"]["id"] == entity
    )


def test_verify_reports_an_intact_chain_with_exit_0(runner: CliRunner, log: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", str(log)])

    assert result.exit_code == 0
    assert "4 records verified" in result.output
    assert "OK: the chain is intact" in result.output


def test_verify_reports_the_first_broken_record_with_exit_1(runner: CliRunner, log: Path) -> None:
    lines = log.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace('"verdict":"block"', '"verdict":"allow"')
    lines[3] = lines[3].replace('"verdict":"block"', '"verdict":"allow"')
    log.write_text("".join(lines))

    result = runner.invoke(app, ["audit", "verify", str(log), "--json"])

    report = json.loads(result.output)
    assert result.exit_code == 1
    assert report["intact"] is False
    assert report["broken"]["line"] == 4
    assert report["records"] == 3


def test_verify_reports_a_torn_last_line_with_exit_4(runner: CliRunner, log: Path) -> None:
    with log.open("a") as handle:
        handle.write('{"schema":"c360guard.deci')

    result = runner.invoke(app, ["audit", "verify", str(log)])

    assert result.exit_code == 4
    assert "TORN last line 5" in result.output


def test_verify_of_a_missing_file_is_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", str(tmp_path / "none.jsonl")])

    assert result.exit_code == 3
    assert "cannot read audit log" in result.output


def test_explain_a_decision_in_plain_language(runner: CliRunner, log: Path) -> None:
    result = runner.invoke(
        app, ["audit", "explain", str(log), "--decision", _check_id(log, "acct_2077")]
    )

    assert result.exit_code == 0
    assert "BLOCKED — create_cs_task for acct_2077" in result.output
    assert "suppression OPEN_ESCALATION is active" in result.output
    assert "Withheld from the model:" in result.output


def test_explain_an_entity_since_a_time_as_json(runner: CliRunner, log: Path) -> None:
    result = runner.invoke(
        app,
        ["audit", "explain", str(log), "--entity", "acct_1042", "--since", "2026-12-01", "--json"],
    )

    explained = json.loads(result.output)
    assert result.exit_code == 0
    assert [e["kind"] for e in explained] == ["screen", "check"]
    assert explained[1]["verdict"] == "allow"
    assert explained[1]["evidence"][0]["source"] == "salesforce"


def test_explain_with_nothing_matching_exits_1(runner: CliRunner, log: Path) -> None:
    result = runner.invoke(app, ["audit", "explain", str(log), "--entity", "acct_0000"])

    assert result.exit_code == 1
    assert "no decision" in result.output


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--decision", "abc", "--entity", "acct_1042"],
        ["--decision", "abc", "--since", "7d"],
        ["--entity", "acct_1042", "--since", "last tuesday"],
    ],
)
def test_explain_with_a_wrong_choice_of_options_is_bad_input(
    runner: CliRunner, log: Path, options: list[str]
) -> None:
    result = runner.invoke(app, ["audit", "explain", str(log), *options])

    assert result.exit_code == 3
    assert "error:" in result.output
