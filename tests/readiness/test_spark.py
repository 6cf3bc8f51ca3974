"""Spark runs the DuckDB engine's SQL and gives the same report (needs pyspark and Java)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from readiness_tables import AT

from c360guard.errors import TableError
from c360guard.model import Contract
from c360guard.readiness import GeneratedData, TableSource, survival_test
from c360guard.readiness._duckdb import entity_facts_duckdb
from c360guard.readiness._facts import plan_for

pytestmark = pytest.mark.spark

if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)
pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from c360guard.readiness._spark import local_session

    session = local_session(cores=2)
    yield session
    session.stop()


def test_spark_report_equals_duckdb_and_memory(
    spark: Any, nudges: Contract, generated: GeneratedData, generated_csv: Path
) -> None:
    in_duckdb = survival_test(nudges, generated.path, engine="duckdb", at=AT)
    in_memory = survival_test(nudges, generated.path, engine="memory", at=AT)

    in_spark = survival_test(nudges, generated_csv, engine="spark", at=AT, spark=spark)

    assert in_spark == in_duckdb == in_memory


def test_spark_agrees_with_duckdb_on_every_entity(
    spark: Any, nudges: Contract, generated: GeneratedData
) -> None:
    from c360guard.readiness._spark import entity_facts_spark

    plan = plan_for(nudges)
    source = TableSource(str(generated.path))
    ids = [f"acct_{n:07d}" for n in range(0, 400, 3)]

    found = entity_facts_spark(source, plan, now=AT, ids=ids, spark=spark)

    assert found == entity_facts_duckdb(source, plan, now=AT, ids=ids)


def test_spark_names_bad_timestamps(spark: Any, nudges: Contract, tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text(
        "entity_id,grain,field,value,source,owner,updated_at\n"
        'acct_1,account,arr,1200,stripe,finance,"2026-12-03 10:00:00"\n'
    )

    with pytest.raises(TableError, match="updated_at: 1 rows hold a timestamp without a UTC"):
        survival_test(nudges, table, engine="spark", at=AT, spark=spark)
