"""Read the SQL stages' results into a tally, or into a clear error about the table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from c360guard.errors import TableError
from c360guard.readiness._scoring import FieldTally, Tally
from c360guard.readiness._sqlplan import ROW_PROBLEMS, SqlPlan

Row = Sequence[Any]


def collect_examples(
    fetch: Callable[[str], Row], sql: SqlPlan, entities: str, limit: int
) -> list[tuple[str, str]]:
    """The smallest `limit` entity ids per example key, one scan of the entities per id."""
    keys = [key for key, _ in sql.example_keys()]
    found: list[tuple[str, str]] = []
    after: dict[str, str | None] = {}
    for _ in range(limit):
        row = fetch(sql.examples(entities, after))
        after = {
            key: (None if value is None else str(value))
            for key, value in zip(keys, row, strict=True)
        }
        found += [(key, value) for key, value in after.items() if value is not None]
        if all(value is None for value in after.values()):
            break
    return found


def tally_from(
    sql: SqlPlan, counts: list[Row], examples: list[tuple[str, str]], fields: Row
) -> Tally:
    """Build the tally from the rows of the tally query, the examples and the fields row."""
    grain = sql.contract.grain.value
    tally = Tally()
    dimensions = sql.status_dimensions()
    for row in counts:
        if row[0] != grain:
            tally.out_of_scope[str(row[0])] = int(row[1])
            continue
        tally.profiles = int(row[1])
        hits = row[4 : 4 + len(sql.checks)]
        tally.checks = {code: int(n) for code, n in zip(sql.checks, hits, strict=True) if n}
        offset = 4 + len(sql.checks)
        for position, dimension in enumerate(dimensions):
            warned, failed = row[offset + 2 * position], row[offset + 2 * position + 1]
            if warned or failed:
                tally.statuses[dimension] = (int(warned), int(failed))
    for key, entity in sorted(examples, key=lambda r: (r[0], r[1])):
        tally.examples.setdefault(str(key), []).append(str(entity))
    if tally.profiles:
        tally.fields = _fields(sql, fields)
    return tally


def _fields(sql: SqlPlan, row: Row) -> dict[str, FieldTally]:
    found: dict[str, FieldTally] = {}
    for (name, what, _), count in zip(sql.field_columns(), row, strict=True):
        value = int(count or 0)
        counts = found.setdefault(name, FieldTally())
        if what == "present":
            counts.present = value
        elif what == "admitted":
            counts.admitted = value
        elif value:
            counts.codes[what] = value
    return {name: counts for name, counts in found.items() if counts.present}


def problems_in(counts: list[Row]) -> tuple[int, int]:
    """The union of row problems and the number of entities whose rows disagree."""
    bad = 0
    mixed = 0
    for row in counts:
        bad |= int(row[2] or 0)
        mixed += int(row[3] or 0)
    return bad, mixed


def diagnose_sql(sql: SqlPlan) -> str:
    """One pass over the rows counting each problem, with the first entity that has it."""
    items = []
    for bit in ROW_PROBLEMS:
        items.append(f"sum(CASE WHEN (bad & {bit}) <> 0 THEN 1 ELSE 0 END)")
        items.append(f"min(CASE WHEN (bad & {bit}) <> 0 THEN COALESCE(e, '(none)') END)")
    return f"SELECT {', '.join(items)} FROM ({sql.staged()}) AS staged"


def table_error(where: str, diagnosis: Row | None, mixed: Row | None) -> TableError:
    """Name every problem found: the column, what is wrong and how many rows have it."""
    lines: list[str] = []
    if diagnosis is not None:
        for position, (column, what) in enumerate(ROW_PROBLEMS.values()):
            count = int(diagnosis[2 * position] or 0)
            if count:
                first = diagnosis[2 * position + 1]
                lines.append(f"  - {column}: {count} rows {what} (first at entity {first})")
    if mixed is not None and int(mixed[0] or 0):
        lines.append(
            f"  - grain, parent_id, match_confidence: {int(mixed[0])} entities have rows that "
            f"disagree on them (first: {mixed[1]}); give every row of an entity the same values"
        )
    body = "\n".join(lines) or "  - the table could not be read"
    return TableError(f"cannot judge {where}:\n{body}\nFix the rows above and run again.")
