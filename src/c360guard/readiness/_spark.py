"""The Spark engine: the DuckDB engine's SQL, run as Spark SQL where the data lives."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from c360guard.errors import MissingExtraError, TableError
from c360guard.readiness._dialect import SPARK
from c360guard.readiness._facts import EntityFacts, Plan
from c360guard.readiness._memory import Progress
from c360guard.readiness._scoring import EXAMPLES, Tally
from c360guard.readiness._sqlfacts import read_facts
from c360guard.readiness._sqlplan import COLUMNS, RAW, REQUIRED, SqlPlan
from c360guard.readiness._sqlrun import (
    Row,
    collect_examples,
    diagnose_sql,
    problems_in,
    table_error,
    tally_from,
)
from c360guard.readiness._table import TableSource

logger = logging.getLogger(__name__)

_ENTITIES = "c360_entities"


def local_session(*, cores: int = 2) -> Any:
    """A local SparkSession (no UI, UTC, few shuffle partitions) for small tables and tests."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise MissingExtraError(
            "the Spark engine", "spark", "pyspark (and a Java runtime)"
        ) from exc
    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("c360guard-survival-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(cores * 2))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def run_spark(
    source: TableSource,
    plan: Plan,
    *,
    now: datetime,
    spark: Any = None,
    progress: Progress | None = None,
) -> Tally:
    """Judge a table with Spark SQL; the same queries as DuckDB, spelled for Spark."""
    session = spark or local_session()
    _register(session, source)
    sql = _plan(session, plan, now)
    entities = session.sql(sql.entities()).persist()
    try:
        entities.createOrReplaceTempView(_ENTITIES)
        _step(progress, 1)
        counts = _rows(session, sql.tally(_ENTITIES))
        bad, mixed = problems_in(counts)
        if bad or mixed:
            diagnosis = _rows(session, diagnose_sql(sql))[0] if bad else None
            split = (
                _rows(session, f"SELECT count(*), min(e) FROM {_ENTITIES} WHERE mixed")[0]
                if mixed
                else None
            )
            raise table_error(source.describe(), diagnosis, split)
        examples = collect_examples(
            lambda query: _rows(session, query)[0], sql, _ENTITIES, EXAMPLES
        )
        fields = _rows(session, sql.fields(_ENTITIES))[0]
        _step(progress, 2)
    finally:
        entities.unpersist()
    logger.info("judged %s with Spark for %s", source.describe(), plan.contract.workflow)
    return tally_from(sql, counts, examples, fields)


def entity_facts_spark(
    source: TableSource, plan: Plan, *, now: datetime, ids: list[str], spark: Any = None
) -> dict[str, EntityFacts]:
    """The Spark engine's per-entity facts for some entities (to hold against the guard)."""
    session = spark or local_session()
    _register(session, source)
    sql = _plan(session, plan, now)
    session.sql(sql.entities()).createOrReplaceTempView(_ENTITIES)
    return read_facts(lambda query: _rows(session, query), sql, ids)


def _step(progress: Progress | None, done: int) -> None:
    if progress is not None:
        progress(done, 2)


def _rows(session: Any, query: str) -> list[Row]:
    return [tuple(row) for row in session.sql(query).collect()]


def _plan(session: Any, plan: Plan, now: datetime) -> SqlPlan:
    bare = SqlPlan(plan, now=now, dialect=SPARK)
    names = [str(row[0]) for row in _rows(session, bare.field_names()) if row[0]]
    return SqlPlan(plan, now=now, dialect=SPARK, undeclared=names)


def _register(session: Any, source: TableSource) -> None:
    """Create the `c360_rows` view over a source, every layout column present as text."""
    frame = _read(session, source)
    found = {name.lower(): name for name in frame.columns}
    missing = sorted(REQUIRED - set(found))
    if missing:
        raise TableError(
            f"{source.describe()} lacks the columns {', '.join(missing)} (it has "
            f"{', '.join(sorted(found)) or 'none'})"
        )
    from pyspark.sql import functions

    frame.select(
        *(
            functions.col(f"`{found[column]}`").cast("string").alias(column)
            if column in found
            else functions.lit(None).cast("string").alias(column)
            for column in COLUMNS
        )
    ).createOrReplaceTempView(RAW)


def _read(session: Any, source: TableSource) -> Any:
    kind = source.format
    try:
        if kind == "table":
            return session.table(source.table)
        if kind == "csv":
            # The long layout writes JSON text in CSV cells, so quotes are doubled, not escaped.
            return (
                session.read.option("header", True)
                .option("escape", '"')
                .option("inferSchema", False)
                .csv(source.path)
            )
        if kind == "parquet":
            return session.read.parquet(source.path)
        if kind == "json":
            return session.read.json(source.path)
    except Exception as exc:  # Spark's analysis errors: translated once, here
        raise TableError(f"Spark cannot read {source.describe()}: {_first_line(exc)}") from exc
    raise TableError(f"Spark cannot read {source.describe()}: give a Parquet, CSV or JSON path")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
