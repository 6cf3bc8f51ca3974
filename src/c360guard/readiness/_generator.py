"""Generate a believable Customer 360 in the long table layout, with labelled defects.

The generator is written in DuckDB SQL so a million profiles take seconds: every value is
drawn from a hash of (seed, profile, draw number), which makes a run reproducible for a given
seed and DuckDB release, and needs no Python loop over rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from c360guard.errors import C360GuardError
from c360guard.model._base import FrozenModel
from c360guard.readiness._generator_schema import (
    ACCOUNT_FIELDS,
    CHECK_OF_DEFECT,
    CONTACT_FIELDS,
    DEFECTS,
    FIELD_DEFECT_TARGETS,
    LATENT_STAGES,
    PARENT_FIELDS,
    SENTINEL_PARENTS,
    WORKSPACE_FIELDS,
    FieldSpec,
)
from c360guard.readiness._sqltext import literal
from c360guard.readiness._table import connect_duckdb, copy_options

logger = logging.getLogger(__name__)

_PRIME = 4294967291
_DRAWS = 40
_FRESH_SECONDS = 72000  # clean values were confirmed within the last 20 hours
_TIMESTAMP = "'%Y-%m-%dT%H:%M:%SZ'"
_BATCHES = 6


class DefectRates(FrozenModel):
    """The share of account profiles that carry each planted defect (one defect per profile)."""

    stale: float = Field(default=0.03, ge=0.0, le=1.0)
    """A field last updated months ago."""
    unowned: float = Field(default=0.02, ge=0.0, le=1.0)
    """A field with no owner."""
    untrusted_source: float = Field(default=0.015, ge=0.0, le=1.0)
    """A field loaded from a spreadsheet instead of its system of record."""
    lifecycle_conflict: float = Field(default=0.015, ge=0.0, le=1.0)
    """CRM stage and billing status name different lifecycle states."""
    missing_consent: float = Field(default=0.02, ge=0.0, le=1.0)
    """No email consent on record."""
    suppression: float = Field(default=0.03, ge=0.0, le=1.0)
    """An open sev1/sev2 escalation, or the account sits in the holdout group."""
    grain_mismatch: float = Field(default=0.01, ge=0.0, le=1.0)
    """Product usage measured on one workspace, attached to the account."""
    fuzzy_merge: float = Field(default=0.01, ge=0.0, le=1.0)
    """Identity resolution merged records with a low match confidence."""
    sentinel_id: float = Field(default=0.005, ge=0.0, le=1.0)
    """A placeholder parent id such as "-1" or "null" left by a broken join."""

    @model_validator(mode="after")
    def _at_most_one_defect_each(self) -> DefectRates:
        total = sum(self.as_dict().values())
        if total > 1.0:
            raise ValueError(f"the defect rates add up to {total:.3f}; keep their sum at most 1")
        return self

    def as_dict(self) -> dict[str, float]:
        """Defect name to rate, in the generator's order."""
        return {name: float(getattr(self, name)) for name in DEFECTS}


@dataclass(frozen=True)
class GeneratedData:
    """What `generate_customer360` wrote."""

    path: Path
    """The long-layout table."""
    labels: Path
    """The labels file: one row per planted defect (entity_id, defect, field, check)."""
    accounts: int
    """Account profiles written."""
    entities: int
    """Entities of every grain written (parents, accounts, workspaces, contacts)."""
    rows: int
    """Rows of the long table."""
    defects: int
    """Planted defects (rows of the labels file)."""
    at: datetime
    """The instant the data is fresh at: judge it with `--at` set to this."""


def generate_customer360(
    out: str | Path,
    *,
    profiles: int,
    seed: int = 0,
    at: datetime | None = None,
    rates: DefectRates | None = None,
    labels: str | Path | None = None,
) -> GeneratedData:
    """Write `profiles` account profiles (with their parents, workspaces and contacts).

    The format follows the extension of `out`: `.parquet`, `.csv`, or `.jsonl`/`.ndjson`.
    The labels file (default: beside `out`, named `<stem>.labels.csv`) lists every planted
    defect with the survival-test check that finds it against the companion contract
    `examples/readiness/account_nudges.yaml`.
    """
    if profiles < 1:
        raise GeneratorError("--profiles must be at least 1")
    target = Path(out)
    labels_path = Path(labels) if labels else target.with_name(_stem(target) + ".labels.csv")
    instant = (at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    chosen = rates or DefectRates()

    con = connect_duckdb()
    try:
        # Row order carries no meaning in the long layout; not keeping it lets DuckDB write
        # tens of millions of rows in parallel without buffering them.
        con.execute("SET preserve_insertion_order = false")
        con.execute(_accounts_sql(profiles, seed, instant, chosen))
        rows = _copy(con, _rows_sql(), target)
        defects = _copy(con, _labels_sql(), labels_path)
        accounts, entities = _counts(con)
    except C360GuardError:
        raise
    except Exception as exc:  # duckdb raises its own tree; say what failed and where
        raise GeneratorError(f"could not write {target}: {exc}") from exc
    finally:
        con.close()
    logger.info("generated %d accounts (%d rows) into %s", accounts, rows, target)
    return GeneratedData(target, labels_path, accounts, entities, rows, defects, instant)


class GeneratorError(C360GuardError, ValueError):
    """The generator was asked for something it cannot write."""


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".parquet", ".csv", ".jsonl", ".ndjson", ".json"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _uniform(draw: int | str, seed: int) -> str:
    # DuckDB's multi-argument hash leaves draws of one profile correlated (up to |r| = 0.27
    # between neighbouring draw numbers); hashing its result again makes them independent.
    return f"((hash(hash(i, {seed}, {draw})) % {_PRIME}) / {_PRIME}.0)"


def _normal(draw: int, seed: int) -> str:
    first, second = _uniform(draw, seed), _uniform(draw + 1, seed)
    return f"(sqrt(-2 * ln(1 - {first})) * cos(2 * pi() * {second}))"


def _draws(seed: int) -> dict[str, str]:
    names = {f"u{k}": _uniform(k, seed) for k in range(1, _DRAWS)}
    names.update({f"z{k}": _normal(k, seed) for k in range(1, _DRAWS)})
    return names


def _accounts_sql(profiles: int, seed: int, at: datetime, rates: DefectRates) -> str:
    """CREATE the `acc` table: one row per account with its traits and planted defect."""
    draws = _draws(seed)
    width = max(7, len(str(profiles)))
    stamp = at.strftime("%Y-%m-%d %H:%M:%S")
    query = f"SELECT i, TIMESTAMP '{stamp}' AS at_ts FROM range({profiles}) AS t(i)"
    for stage in LATENT_STAGES:
        items = ", ".join(item.format(**draws) for item in stage)
        query = f"SELECT *, {items} FROM ({query})"
    query = f"SELECT *, {_defect_items(seed, width, rates)} FROM ({query})"
    return f"CREATE TEMP TABLE acc AS SELECT *, {_output_items(seed)} FROM ({query})"


def _output_items(seed: int) -> str:
    """Per-account columns every row of the account repeats, computed once per account."""
    # Systems sync in batches, so the values of one account share a handful of update
    # instants; formatting six timestamps per account instead of one per row keeps the
    # generator fast at tens of millions of rows.
    stamps = [
        f"strftime(at_ts - to_seconds(CAST(floor({_uniform(200 + k, seed)} * {_FRESH_SECONDS})"
        f" AS BIGINT)), {_TIMESTAMP}) AS ts_{k}"
        for k in range(_BATCHES)
    ]
    stale_days = f"90 + CAST(floor({_uniform(199, seed)} * 300) AS INTEGER)"
    return ", ".join(
        [
            "CASE WHEN defect = 'sentinel_id' THEN sentinel ELSE parent_id_clean END AS parent_out",
            "CASE WHEN defect = 'fuzzy_merge' THEN mc_fuzzy ELSE mc_clean END AS mc_out",
            *stamps,
            f"strftime(at_ts - to_days({stale_days}), {_TIMESTAMP}) AS ts_stale",
        ]
    )


def _defect_items(seed: int, width: int, rates: DefectRates) -> str:
    pick, which, kind, sentinel = (_uniform(k, seed) for k in (90, 91, 92, 93))
    bounds, total = [], 0.0
    for name, rate in rates.as_dict().items():
        if rate > 0:
            total += rate
            bounds.append(f"WHEN {pick} < {total!r} THEN '{name}'")
    defect = f"CASE {' '.join(bounds)} END" if bounds else "CAST(NULL AS VARCHAR)"
    targets = ", ".join(literal(name) for name in FIELD_DEFECT_TARGETS)
    sentinels = ", ".join(literal(value) for value in SENTINEL_PARENTS)
    return ", ".join(
        [
            f"'acct_' || lpad(CAST(i AS VARCHAR), {width}, '0') AS id",
            f"'parent_' || lpad(CAST(i // 10 AS VARCHAR), {width}, '0') AS parent_id_clean",
            f"'ws_' || lpad(CAST(i // 4 AS VARCHAR), {width}, '0') AS workspace_id",
            f"'contact_' || lpad(CAST(i // 4 AS VARCHAR), {width}, '0') AS contact_id",
            f"{defect} AS defect",
            f"([{targets}])[1 + CAST(floor({which} * {len(FIELD_DEFECT_TARGETS)}) AS INTEGER)]"
            " AS target",
            f"{kind} < 0.5 AS by_escalation",
            f"([{sentinels}])[1 + CAST(floor({sentinel} * {len(SENTINEL_PARENTS)}) AS INTEGER)]"
            " AS sentinel",
        ]
    )


def _rows_sql() -> str:
    parts = [_account_row(spec, index) for index, spec in enumerate(ACCOUNT_FIELDS)]
    parts += [
        _hierarchy_row(spec, index, grain, where)
        for grain, specs, where in (
            ("parent", PARENT_FIELDS, "i % 10 = 0"),
            ("workspace", WORKSPACE_FIELDS, "i % 4 = 0"),
            ("contact", CONTACT_FIELDS, "i % 4 = 2"),
        )
        for index, spec in enumerate(specs)
    ]
    return "\nUNION ALL\n".join(parts)


_ACCOUNT_OVERRIDES: dict[str, dict[str, str]] = {
    "billing_status": {
        "value": "CASE WHEN defect = 'lifecycle_conflict' THEN "
        "(CASE stage WHEN 'Customer' THEN 'canceled' ELSE 'paid' END) ELSE billing_status END",
    },
    "email_consent": {"present": "defect IS DISTINCT FROM 'missing_consent'"},
    "open_escalation_severity": {
        "value": "CASE WHEN defect = 'suppression' AND by_escalation THEN "
        "(CASE WHEN i % 2 = 0 THEN 'sev1' ELSE 'sev2' END) ELSE 'none' END",
    },
    "holdout_group": {"value": "defect = 'suppression' AND NOT by_escalation"},
    "product_usage_30d": {
        "field_grain": "CASE WHEN defect = 'grain_mismatch' THEN 'workspace' END",
    },
}


def _account_row(spec: FieldSpec, index: int) -> str:
    overrides = _ACCOUNT_OVERRIDES.get(spec.name, {})
    present = f"({spec.present}) AND ({overrides.get('present', 'TRUE')})"
    fresh = f"ts_{index % _BATCHES}"
    updated, owner, source = fresh, literal(spec.owner), literal(spec.source)
    if spec.name in FIELD_DEFECT_TARGETS:
        hit = f"target = {literal(spec.name)}"
        updated = f"CASE WHEN defect = 'stale' AND {hit} THEN ts_stale ELSE {fresh} END"
        owner = f"CASE WHEN defect = 'unowned' AND {hit} THEN NULL ELSE {owner} END"
        source = (
            f"CASE WHEN defect = 'untrusted_source' AND {hit} THEN 'spreadsheet' ELSE {source} END"
        )
    return _select(
        entity="id",
        grain="account",
        parent="parent_out",
        match="mc_out",
        spec=spec,
        value=overrides.get("value", spec.value),
        source=source,
        owner=owner,
        updated=updated,
        field_grain=overrides.get("field_grain", "NULL"),
        where=present,
    )


def _hierarchy_row(spec: FieldSpec, index: int, grain: str, where: str) -> str:
    entity, parent = {
        "parent": ("parent_id_clean", "NULL"),
        "workspace": ("workspace_id", "id"),
        "contact": ("contact_id", "id"),
    }[grain]
    return _select(
        entity=entity,
        grain=grain,
        parent=parent,
        match="mc_clean",
        spec=spec,
        value=spec.value,
        source=literal(spec.source),
        owner=literal(spec.owner),
        updated=f"ts_{index % _BATCHES}",
        field_grain="NULL",
        where=f"{where} AND ({spec.present})",
    )


def _json(kind: str, value: str) -> str:
    """SQL writing a generated value as JSON text (generated strings need no escaping)."""
    if kind == "num":
        return f"CAST({value} AS VARCHAR)"
    if kind == "bool":
        return f"CASE WHEN {value} THEN 'true' ELSE 'false' END"
    return f"'\"' || ({value}) || '\"'"


def _select(**part: Any) -> str:
    spec: FieldSpec = part["spec"]
    return (
        f"SELECT {part['entity']} AS entity_id, {literal(part['grain'])} AS grain, "
        f"{part['parent']} AS parent_id, {part['match']} AS match_confidence, "
        f"{literal(spec.name)} AS field, {_json(spec.kind, part['value'])} AS value, "
        f"{part['source']} AS source, {part['owner']} AS owner, "
        f"{part['updated']} AS updated_at, "
        f"CAST({spec.confidence} AS DOUBLE) AS confidence, "
        f"{literal(spec.path)} AS source_path, "
        f"CAST({part['field_grain']} AS VARCHAR) AS field_grain "
        f"FROM acc WHERE {part['where']}"
    )


def _labels_sql() -> str:
    checks = " ".join(
        f"WHEN {literal(defect)} THEN {literal(check)}" for defect, check in CHECK_OF_DEFECT.items()
    )
    field = (
        "CASE WHEN defect IN ('stale', 'unowned', 'untrusted_source') THEN target "
        "WHEN defect = 'lifecycle_conflict' THEN 'billing_status' "
        "WHEN defect = 'missing_consent' THEN 'email_consent' "
        "WHEN defect = 'suppression' AND by_escalation THEN 'open_escalation_severity' "
        "WHEN defect = 'suppression' THEN 'holdout_group' "
        "WHEN defect = 'grain_mismatch' THEN 'product_usage_30d' END"
    )
    return (
        f"SELECT id AS entity_id, defect, {field} AS field, CASE defect {checks} END AS check "
        "FROM acc WHERE defect IS NOT NULL ORDER BY entity_id"
    )


def _copy(con: Any, query: str, target: Path) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    options = copy_options(target)
    found = con.execute(f"COPY ({query}) TO {literal(str(target))} ({options})").fetchone()
    return int(found[0]) if found else 0


def _counts(con: Any) -> tuple[int, int]:
    found = con.execute(
        "SELECT count(*), count(*) + count(*) FILTER (WHERE i % 10 = 0) "
        "+ count(*) FILTER (WHERE i % 4 IN (0, 2)) FROM acc"
    ).fetchone()
    return int(found[0]), int(found[1])
