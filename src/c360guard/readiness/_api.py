"""`survival_test`: judge a set of profiles for one workflow, in memory, in DuckDB or in Spark."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from c360guard.errors import C360GuardError
from c360guard.model import Contract, Profile, load_contract
from c360guard.readiness._dialect import DUCKDB
from c360guard.readiness._facts import plan_for
from c360guard.readiness._memory import Progress, run_memory
from c360guard.readiness._scoring import Tally, build_report
from c360guard.readiness._sqlplan import SqlPlan
from c360guard.readiness._table import TableSource
from c360guard.readiness.report import ReadinessReport, Thresholds

logger = logging.getLogger(__name__)

Engine = Literal["memory", "duckdb", "spark"]
"""Where the survival test runs."""

ENGINES: tuple[str, ...] = ("memory", "duckdb", "spark")

Profiles = Iterable[Profile] | str | os.PathLike[str] | TableSource
"""Profiles in memory, or a table in the long layout (a path or a TableSource)."""


def survival_test(
    contract: Contract | str | os.PathLike[str],
    profiles: Profiles,
    *,
    engine: Engine | None = None,
    at: datetime | None = None,
    table: str | None = None,
    thresholds: Thresholds | None = None,
    spark: Any = None,
    progress: Progress | None = None,
    memory_limit: str | None = None,
) -> ReadinessReport:
    """Judge how ready a set of profiles is for one workflow, and say what to do next.

    Args:
        contract: The workflow's contract, or the path of its YAML.
        profiles: Profiles in memory, or a table in the long layout: a path to a Parquet,
            CSV or JSON-lines file, a DuckDB database (with `table`), or a TableSource.
        engine: `memory` (the row-by-row guard), `duckdb` or `spark`. Defaults to memory for
            profiles in memory and DuckDB for tables.
        at: The instant freshness is judged at (an aware datetime); now by default.
        table: The table inside a DuckDB database file, or a Spark catalog table.
        thresholds: The rates that turn counts into pass, warn and fail.
        spark: A SparkSession for the Spark engine; a local one is started otherwise.
        progress: Called with (done, total) while the engine runs.
        memory_limit: DuckDB's memory limit (such as `3GB`); spills to disk beyond it.

    Returns:
        The report: eight dimensions, per-field coverage, the level and the next move.
    """
    rules = contract if isinstance(contract, Contract) else load_contract(Path(contract))
    now = _instant(at)
    plan = plan_for(rules)
    source = _source(profiles, table)
    chosen = engine or ("memory" if source is None else "duckdb")
    if chosen not in ENGINES:
        raise C360GuardError(f"unknown engine {chosen!r}; choose one of {', '.join(ENGINES)}")
    logger.info("survival test of %s on the %s engine", rules.workflow, chosen)

    tally = _run(chosen, plan, profiles, source, now, spark, progress, memory_limit)
    return build_report(rules, tally, at=now, thresholds=thresholds or Thresholds())


def _run(
    engine: str,
    plan: Any,
    profiles: Profiles,
    source: TableSource | None,
    now: datetime,
    spark: Any,
    progress: Progress | None,
    memory_limit: str | None,
) -> Tally:
    if engine == "memory":
        if source is None:
            assert not isinstance(profiles, (str, os.PathLike, TableSource))
            return run_memory(profiles, plan, now=now, progress=progress)
        from c360guard.readiness._duckdb import profiles_from_table

        rows, total, close = profiles_from_table(source, SqlPlan(plan, now=now, dialect=DUCKDB))
        try:
            return run_memory(rows, plan, now=now, progress=progress, total=total)
        finally:
            close()
    if source is None:
        raise C360GuardError(
            f"the {engine} engine reads tables: pass a path (or a TableSource), or use "
            "engine='memory' for profiles in memory"
        )
    if engine == "duckdb":
        from c360guard.readiness._duckdb import run_duckdb

        return run_duckdb(source, plan, now=now, progress=progress, memory_limit=memory_limit)
    from c360guard.readiness._spark import run_spark

    return run_spark(source, plan, now=now, spark=spark, progress=progress)


def _source(profiles: Profiles, table: str | None) -> TableSource | None:
    if isinstance(profiles, TableSource):
        return profiles
    if isinstance(profiles, (str, os.PathLike)):
        return TableSource(os.fspath(profiles), table)
    if profiles is None and table:
        return TableSource("", table)
    return None


def _instant(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None or at.utcoffset() is None:
        raise C360GuardError(
            f"the survival test needs an aware instant (with a UTC offset), got {at!r}; "
            "use datetime.now(timezone.utc)"
        )
    return at
