"""`c360guard survive` and `c360guard generate` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from c360guard.cli import app

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = str(ROOT / "examples" / "readiness" / "account_nudges.yaml")
AT = "2026-12-03T12:00:00Z"


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "c360.parquet"
    result = CliRunner().invoke(
        app, ["generate", "--profiles", "120", "--seed", "5", "--out", str(out), "--at", AT]
    )
    assert result.exit_code == 0, result.output
    return out


def _survive(table: Path, *extra: str) -> object:
    return CliRunner().invoke(app, ["survive", CONTRACT, str(table), "--at", AT, *extra])


def test_generate_writes_the_table_and_its_labels(table: Path) -> None:
    assert table.exists()
    assert table.with_name("c360.labels.csv").read_text().startswith("entity_id,defect,field,check")


def test_survive_prints_the_level_and_every_dimension(table: Path) -> None:
    result = _survive(table)

    assert result.exit_code == 0, result.output
    assert "level: workflow_ready" in result.output
    for dimension in ("identity", "freshness_ownership", "consent_suppression", "rollback"):
        assert dimension in result.output


def test_survive_json_is_the_report(table: Path) -> None:
    result = _survive(table, "--format", "json", "--engine", "memory")

    document = json.loads(result.output)
    assert document["level"] == "workflow_ready"
    assert document["profiles"] == 120
    assert document["dimensions"][0]["dimension"] == "identity"


def test_survive_html_draws_each_dimension_offline(table: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"

    result = _survive(table, "--format", "html", "--out", str(page))

    html = page.read_text()
    assert result.exit_code == 0
    assert html.count("<svg") == 8
    assert "<script" not in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_survive_markdown_lists_the_checks(table: Path) -> None:
    result = _survive(table, "--format", "markdown")

    assert "| dimension | status |" in result.output
    assert "consent.missing" in result.output


def test_require_below_the_level_exits_one(table: Path) -> None:
    passed = _survive(table, "--require", "profile_trusted")
    failed = _survive(table, "--require", "ai_ready")

    assert passed.exit_code == 0
    assert failed.exit_code == 1
    assert "below the required ai_ready" in failed.output


def test_bad_data_exits_three_with_a_message(tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text("entity_id,grain,field\nacct_1,account,arr\n")

    result = _survive(table)

    assert result.exit_code == 3
    assert "lacks the columns" in result.output
    assert "Traceback" not in result.output


def test_unknown_defect_names_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["generate", "--profiles", "5", "--out", str(tmp_path / "x.csv"), "--defect", "typo=0.1"],
    )

    assert result.exit_code == 3
    assert "unknown defect" in result.output


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [("--engine", "sqlite", "memory, duckdb, spark"), ("--format", "pdf", "text, markdown")],
)
def test_unknown_engine_or_format_is_bad_input_naming_the_choices(
    table: Path, option: str, value: str, named: str
) -> None:
    result = _survive(table, option, value)

    assert result.exit_code == 3
    assert f"{option} '{value}' is not one of" in result.output
    assert named in result.output
