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
    """Facts of the named entities from the `c360_pairs` and `c360_entities` tables."""
    if not ids:
        return {}
    wanted = ", ".join(sql.dialect.text(entity) for entity in ids)
    pairs = fetch(f"SELECT e, f, mask FROM c360_pairs WHERE e IN ({wanted})")  # noqa: S608
    columns = ", ".join(f"c_{index}" for index in range(len(sql.checks)))
    entities = fetch(
        f"SELECT e, conflict, {columns} FROM c360_entities WHERE e IN ({wanted})"  # noqa: S608
    )
    lifecycle = set(sql.contract.lifecycle)
    conflicted = {str(row[0]) for row in entities if row[1]}
    present: dict[str, set[str]] = {}
    withheld: dict[str, dict[str, tuple[str, ...]]] = {}
    for entity, name, mask in pairs:
        present.setdefault(entity, set()).add(name)
        if mask:
            withheld.setdefault(entity, {})[name] = codes_of(int(mask))
        elif name in lifecycle and entity in conflicted:
            withheld.setdefault(entity, {})[name] = ("lifecycle.conflict",)
    return {
        str(row[0]): EntityFacts(
            entity_id=str(row[0]),
            present=frozenset(present.get(str(row[0]), set())),
            withheld=withheld.get(str(row[0]), {}),
            checks=frozenset(code for code, hit in zip(sql.checks, row[2:], strict=True) if hit),
        )
        for row in entities
    }
