"""Read the SQL stages' results into a tally, or into a clear error about the table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from c360guard.errors import TableError
from c360guard.readiness._checks import BITS
from c360guard.readiness._scoring import FieldTally, Tally
from c360guard.readiness._sqlplan import ROW_PROBLEMS, SqlPlan

Row = Sequence[Any]


def tally_from(sql: SqlPlan, counts: list[Row], examples: list[Row], fields: list[Row]) -> Tally:
    """Build the tally from the rows of the tally, examples and fields queries."""
    grain = sql.contract.grain.value
    tally = Tally()
    dimensions = sql.status_dimensions()
    lifecycle = sql.lifecycle_fields()
    withheld: dict[str, int] = {}
    for row in counts:
        if row[0] != grain:
            tally.out_of_scope[str(row[0])] = int(row[1])
            continue
        tally.profiles = int(row[1])
        offset = 4
        for index, code in enumerate(sql.checks):
            if row[offset + index]:
                tally.checks[code] = int(row[offset + index])
        offset += len(sql.checks)
        for position, dimension in enumerate(dimensions):
            warned, failed = row[offset + 2 * position], row[offset + 2 * position + 1]
            if warned or failed:
                tally.statuses[dimension] = (int(warned), int(failed))
        offset += 2 * len(dimensions)
        withheld = {s.name: int(row[offset + i] or 0) for i, s in enumerate(lifecycle)}
    for key, entity in sorted(examples, key=lambda r: (r[0], r[1])):
        tally.examples.setdefault(str(key), []).append(str(entity))
    tally.fields = _fields(fields, withheld)
    return tally


def _fields(rows: list[Row], withheld: dict[str, int]) -> dict[str, FieldTally]:
    found: dict[str, FieldTally] = {}
    for row in rows:
        name = str(row[0])
        codes = {code: int(row[3 + index]) for index, code in enumerate(BITS) if row[3 + index]}
        admitted = int(row[2])
        contested = withheld.get(name, 0)
        if contested:
            admitted -= contested
            codes["lifecycle.conflict"] = contested
        found[name] = FieldTally(present=int(row[1]), admitted=admitted, codes=codes)
    return found


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
