"""Tables in the long layout: where they are, how DuckDB reads them, how rows become profiles."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from c360guard.errors import MissingExtraError, TableError
from c360guard.model import Entity, FieldValue, Grain, Profile
from c360guard.readiness._dialect import DUCKDB
from c360guard.readiness._sqlplan import COLUMNS, RAW, REQUIRED, SqlPlan

logger = logging.getLogger(__name__)

FORMATS: dict[str, str] = {
    ".parquet": "parquet",
    ".csv": "csv",
    ".jsonl": "json",
    ".ndjson": "json",
    ".json": "json",
    ".duckdb": "duckdb",
    ".db": "duckdb",
}
"""File extension to table format."""


@dataclass(frozen=True)
class TableSource:
    """A table of profiles in the long layout: a file, or a table in a DuckDB database."""

    path: str
    """A file path (a glob such as `data/*.parquet` works for Parquet and CSV)."""
    table: str | None = None
    """The table inside a DuckDB database file; for Spark, a table in the catalog."""

    @property
    def format(self) -> str:
        """`parquet`, `csv`, `json`, `duckdb` or `table` (a Spark catalog table)."""
        if not self.path and self.table:
            return "table"
        lowered = self.path.lower()
        for suffix, kind in FORMATS.items():
            if lowered.endswith(suffix) or lowered.endswith(suffix + ".gz"):
                return kind
        raise TableError(
            f"cannot tell the format of {self.path}: name it .parquet, .csv, .jsonl "
            "(JSON lines) or .duckdb (with --table)"
        )

    def describe(self) -> str:
        """How the source is named in messages."""
        return (
            f"{self.path}:{self.table}"
            if self.table and self.path
            else self.path or str(self.table)
        )


def copy_options(path: Path) -> str:
    """DuckDB COPY options writing a file in the format its extension names."""
    kind = TableSource(str(path)).format
    if kind == "parquet":
        return "FORMAT PARQUET, COMPRESSION SNAPPY"
    if kind == "csv":
        return "FORMAT CSV, HEADER"
    if kind == "json":
        return "FORMAT JSON"
    raise TableError(f"cannot write {path}: choose .parquet, .csv or .jsonl")


def connect_duckdb(*, memory_limit: str | None = None) -> Any:
    """An in-memory DuckDB connection that reads timestamps in UTC."""
    try:
        import duckdb
    except ImportError as exc:
        raise MissingExtraError("table-scale readiness", "duckdb", "duckdb") from exc
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB draws its own progress bar on stdout for long queries: a library must not write
    # to its caller's stdout (it would corrupt `survive --format json`); the CLI draws its own.
    con.execute("SET enable_progress_bar = false")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    return con


def register_rows(con: Any, source: TableSource) -> None:
    """Create the `c360_rows` view over a source, every layout column present as text."""
    relation = _relation(con, source)
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    except Exception as exc:  # duckdb's own error tree: translated once, here
        raise TableError(f"cannot read {source.describe()}: {first_line(exc)}") from exc
    found = {str(row[0]).lower(): str(row[0]) for row in described}
    missing = sorted(REQUIRED - set(found))
    if missing:
        raise TableError(
            f"{source.describe()} lacks the columns {', '.join(missing)} (it has "
            f"{', '.join(sorted(found)) or 'none'}); the long layout is "
            f"{', '.join(COLUMNS[:-1])} and optionally field_grain"
        )
    items = ", ".join(
        f'"{found[column]}" AS {column}' if column in found else f"NULL AS {column}"
        for column in COLUMNS
    )
    con.execute(f"CREATE OR REPLACE TEMP VIEW {RAW} AS SELECT {items} FROM {relation}")


def _relation(con: Any, source: TableSource) -> str:
    kind = source.format
    path = DUCKDB.text(source.path)
    if kind == "parquet":
        return f"read_parquet({path})"
    if kind == "csv":
        return f"read_csv({path}, header = true, all_varchar = true)"
    if kind == "json":
        return f"read_json({path}, format = 'newline_delimited')"
    if kind == "duckdb":
        if not source.table:
            raise TableError(f"{source.path} is a DuckDB database: name the table with --table")
        if not Path(source.path).exists():
            raise TableError(f"cannot read {source.path}: no such file")
        con.execute(f"ATTACH {path} AS c360_source (READ_ONLY)")
        return f'c360_source."{source.table}"'
    raise TableError(f"DuckDB cannot read {source.describe()}: give a file path")


def first_line(exc: Exception) -> str:
    """The first line of an error message, for messages that name the table."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def read_profiles(con: Any, sql: SqlPlan, *, batch: int = 20000) -> Iterator[Profile]:
    """Stream the table's profiles, candidates of a field in the order SQL ranks them.

    The view `c360_rows` must be registered and validated first.
    """
    query = (
        f"SELECT e, g, p, mc, f, v, src, own, ts_us, conf, path, fg, pkey "
        f"FROM ({sql.rows()}) AS valued ORDER BY e, f, pkey"
    )
    cursor = con.execute(query)
    current: list[tuple[Any, ...]] = []
    while rows := cursor.fetchmany(batch):
        for row in rows:
            if current and row[0] != current[0][0]:
                yield _profile(current, sql)
                current = []
            current.append(row)
    if current:
        yield _profile(current, sql)


def _profile(rows: list[tuple[Any, ...]], sql: SqlPlan) -> Profile:
    first = rows[0]
    entity = Entity.model_construct(
        id=first[0], grain=Grain(first[1]), parent_id=first[2], match_confidence=first[3]
    )
    fields: dict[str, FieldValue | list[FieldValue]] = {}
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[4], []).append(row)
    for name, found in grouped.items():
        values = [_value(row) for row in found]
        fields[name] = values[0] if len(values) == 1 else values
    return Profile.model_construct(entity=entity, fields=fields)


def _value(row: tuple[Any, ...]) -> FieldValue:
    micros = row[8]
    return FieldValue.model_construct(
        value=None if row[5] is None else json.loads(row[5]),
        source=row[6],
        owner=row[7],
        updated_at=None if micros is None else _from_micros(micros),
        confidence=row[9],
        source_path=row[10],
        grain=None if row[11] is None else Grain(row[11]),
    )


def _from_micros(micros: int) -> datetime:
    from datetime import UTC, timedelta

    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
