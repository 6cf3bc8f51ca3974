"""Per-entity facts read back from the SQL stages, to hold them against the guard's own."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from c360guard.readiness._checks import codes_of
from c360guard.readiness._facts import EntityFacts
from c360guard.readiness._sqlplan import SqlPlan

Fetch = Callable[[str], Sequence[Sequence[Any]]]
"""Runs one query and returns its rows."""


def read_facts(fetch: Fetch, sql: SqlPlan, ids: list[str]) -> dict[str, EntityFacts]:
    """Facts of the named entities, read from the `c360_entities` table."""
    if not ids:
        return {}
    wanted = ", ".join(sql.dialect.text(entity) for entity in ids)
    keys = [f"k_{slot.fid}" for slot in sql.declared]
    words = sorted({f"u_{sql._word(slot)}" for slot in sql.undeclared})
    checks = [f"c_{index}" for index in range(len(sql.checks))]
    rows = fetch(
        f"SELECT e, conflict, {', '.join(keys + words + checks)} "
        f"FROM c360_entities WHERE e IN ({wanted})"
    )
    found = {}
    for row in rows:
        keyed = dict(zip(keys + words + checks, row[2:], strict=True))
        present: set[str] = set()
        withheld: dict[str, tuple[str, ...]] = {}
        for slot in sql.declared:
            key = keyed[f"k_{slot.fid}"]
            if key is None:
                continue
            present.add(slot.name)
            mask = int(key) % 1024
            if mask:
                withheld[slot.name] = codes_of(mask)
            elif slot.lifecycle is not None and row[1]:
                withheld[slot.name] = ("lifecycle.conflict",)
        for slot in sql.undeclared:
            if int(keyed[f"u_{sql._word(slot)}"] or 0) & sql._bit(slot):
                present.add(slot.name)
                withheld[slot.name] = ("field.unknown",)
        hits = frozenset(
            code for code, hit in zip(sql.checks, row[-len(checks) :], strict=True) if hit
        )
        found[str(row[0])] = EntityFacts(str(row[0]), frozenset(present), withheld, hits)
    return found
