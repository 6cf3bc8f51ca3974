"""The in-memory guard, DuckDB (and, in test_spark, Spark) produce the same report."""

from __future__ import annotations

from pathlib import Path

import duckdb
from readiness_tables import AT

from c360guard.model import Contract
from c360guard.readiness import GeneratedData, TableSource, survival_test
from c360guard.readiness._dialect import DUCKDB
from c360guard.readiness._duckdb import entity_facts_duckdb, profiles_from_table
from c360guard.readiness._facts import facts_of, plan_for
from c360guard.readiness._sqlplan import SqlPlan


def test_duckdb_report_equals_the_row_by_row_guard(
    nudges: Contract, generated: GeneratedData
) -> None:
    in_memory = survival_test(nudges, generated.path, engine="memory", at=AT)

    in_duckdb = survival_test(nudges, generated.path, engine="duckdb", at=AT)

    assert in_duckdb == in_memory
    assert in_duckdb.profiles == 400


def test_csv_jsonl_and_duckdb_tables_give_the_parquet_report(
    nudges: Contract, generated: GeneratedData, generated_csv: Path, tmp_path: Path
) -> None:
    jsonl = tmp_path / "c360.jsonl"
    duckdb.sql(f"COPY (SELECT * FROM read_parquet('{generated.path}')) TO '{jsonl}'")
    database = tmp_path / "c360.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(f"CREATE TABLE customer360 AS SELECT * FROM read_parquet('{generated.path}')")
    expected = survival_test(nudges, generated.path, at=AT)

    reports = [
        survival_test(nudges, generated_csv, at=AT),
        survival_test(nudges, jsonl, at=AT),
        survival_test(nudges, database, table="customer360", at=AT),
    ]

    assert all(report == expected for report in reports)


def test_duckdb_agrees_with_the_guard_on_every_entity(
    nudges: Contract, generated: GeneratedData
) -> None:
    plan = plan_for(nudges)
    source = TableSource(str(generated.path))
    rows, _, close = profiles_from_table(source, SqlPlan(plan, now=AT, dialect=DUCKDB))
    try:
        guard = {
            profile.entity.id: facts_of(profile, plan, now=AT)
            for profile in rows
            if profile.entity.grain is nudges.grain
        }
    finally:
        close()

    sql = entity_facts_duckdb(source, plan, now=AT, ids=sorted(guard))

    assert sql == guard


def test_report_counts_each_check_once_per_profile(
    nudges: Contract, generated: GeneratedData
) -> None:
    report = survival_test(nudges, generated.path, at=AT)

    for dimension in report.dimensions:
        assert dimension.passed + dimension.warned + dimension.failed == report.profiles
        for check in dimension.checks:
            assert check.profiles <= report.profiles
            assert check.examples == sorted(check.examples)
            assert len(check.examples) == min(3, check.profiles)
