"""The DuckDB engine: the contract compiled to a few aggregate queries over the long table."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from c360guard.errors import TableError
from c360guard.readiness._dialect import DUCKDB
from c360guard.readiness._facts import EntityFacts, Plan
from c360guard.readiness._memory import Progress
from c360guard.readiness._scoring import EXAMPLES, Tally
from c360guard.readiness._sqlfacts import read_facts
from c360guard.readiness._sqlplan import SqlPlan
from c360guard.readiness._sqlrun import (
    collect_examples,
    diagnose_sql,
    problems_in,
    table_error,
    tally_from,
)
from c360guard.readiness._table import (
    TableSource,
    connect_duckdb,
    first_line,
    read_profiles,
    register_rows,
)

logger = logging.getLogger(__name__)

_STAGES = 3


def run_duckdb(
    source: TableSource,
    plan: Plan,
    *,
    now: datetime,
    progress: Progress | None = None,
    memory_limit: str | None = None,
) -> Tally:
    """Judge a table with DuckDB: one pass per entity, then three small reads."""
    import duckdb

    con = connect_duckdb(memory_limit=memory_limit)
    try:
        register_rows(con, source)
        with _watch(con, progress, 0, _STAGES):
            sql = _plan(con, plan, now)
        with _watch(con, progress, 1, _STAGES):
            con.execute(f"CREATE TEMP TABLE c360_entities AS {sql.entities()}")
        with _watch(con, progress, 2, _STAGES):
            counts = con.execute(sql.tally("c360_entities")).fetchall()
            _raise_on_problems(con, sql, source, counts)
            examples = collect_examples(
                lambda query: con.execute(query).fetchone(), sql, "c360_entities", EXAMPLES
            )
            fields = con.execute(sql.fields("c360_entities")).fetchone()
    except duckdb.Error as exc:  # a file that breaks mid-read (ragged CSV, bad Parquet)
        raise TableError(f"cannot read {source.describe()}: {first_line(exc)}") from exc
    finally:
        con.close()
    logger.info("judged %s with DuckDB for %s", source.describe(), plan.contract.workflow)
    return tally_from(sql, counts, examples, fields)


def _plan(con: Any, plan: Plan, now: datetime) -> SqlPlan:
    """The plan for this table: the undeclared fields it holds get a slot of their own."""
    bare = SqlPlan(plan, now=now, dialect=DUCKDB)
    names = [str(row[0]) for row in con.execute(bare.field_names()).fetchall() if row[0]]
    return SqlPlan(plan, now=now, dialect=DUCKDB, undeclared=names)


def _raise_on_problems(con: Any, sql: SqlPlan, source: TableSource, counts: list[Any]) -> None:
    bad, mixed = problems_in(counts)
    if not bad and not mixed:
        return
    diagnosis = con.execute(diagnose_sql(sql)).fetchone() if bad else None
    split = (
        con.execute("SELECT count(*), min(e) FROM c360_entities WHERE mixed").fetchone()
        if mixed
        else None
    )
    raise table_error(source.describe(), diagnosis, split)


@contextmanager
def _watch(con: Any, progress: Progress | None, stage: int, stages: int) -> Iterator[None]:
    """Report the running query's progress (DuckDB's own estimate) while a stage runs."""
    if progress is None:
        yield
        return
    report: Callable[[int, int | None], None] = progress
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.25):
            try:
                share = float(con.query_progress())
            except Exception:  # the connection may be between queries; try again later
                logger.debug("no progress reading yet", exc_info=True)
                continue
            if share >= 0:
                report(stage * 100 + int(min(share, 100.0)), stages * 100)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        report((stage + 1) * 100, stages * 100)


def validate_duckdb(con: Any, sql: SqlPlan, source: TableSource) -> None:
    """Raise TableError when the registered rows have problems (the memory engine's check)."""
    staged = sql.staged()
    found = con.execute(f"SELECT bit_or(bad) FROM ({staged}) AS staged").fetchone()
    bad = int(found[0] or 0) if found else 0
    mixed = con.execute(
        f"SELECT count(*), min(e) FROM (SELECT e FROM ({staged}) AS staged "
        "GROUP BY e HAVING min(sig) <> max(sig)) AS split"
    ).fetchone()
    if bad or (mixed and int(mixed[0])):
        diagnosis = con.execute(diagnose_sql(sql)).fetchone() if bad else None
        raise table_error(source.describe(), diagnosis, mixed)


def profiles_from_table(
    source: TableSource, sql: SqlPlan
) -> tuple[Iterator[Any], int, Callable[[], None]]:
    """Validated profiles of a table for the in-memory engine, their count and a closer."""
    con = connect_duckdb()
    register_rows(con, source)
    validate_duckdb(con, sql, source)
    found = con.execute("SELECT count(DISTINCT entity_id) FROM c360_rows").fetchone()
    total = int(found[0]) if found else 0
    return read_profiles(con, sql), total, con.close


def entity_facts_duckdb(
    source: TableSource, plan: Plan, *, now: datetime, ids: list[str]
) -> dict[str, EntityFacts]:
    """The DuckDB engine's per-entity facts for some entities (to hold against the guard)."""
    con = connect_duckdb()
    try:
        register_rows(con, source)
        sql = _plan(con, plan, now)
        con.execute(f"CREATE TEMP TABLE c360_entities AS {sql.entities()}")
        return read_facts(lambda query: con.execute(query).fetchall(), sql, ids)
    finally:
        con.close()
