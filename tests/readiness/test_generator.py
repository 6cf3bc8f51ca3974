"""The generator plants labelled defects, and the survival test finds each and no others."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from readiness_tables import AT

from c360guard.model import Contract, Readiness
from c360guard.readiness import (
    DefectRates,
    GeneratedData,
    TableSource,
    generate_customer360,
    survival_test,
)
from c360guard.readiness._duckdb import entity_facts_duckdb
from c360guard.readiness._facts import plan_for


def _labels(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_survival_test_finds_every_planted_defect_and_no_others(
    nudges: Contract, generated: GeneratedData
) -> None:
    labels = _labels(generated.labels)
    ids = [f"acct_{n:07d}" for n in range(400)]

    facts = entity_facts_duckdb(TableSource(str(generated.path)), plan_for(nudges), now=AT, ids=ids)

    flagged = {entity for entity, found in facts.items() if found.checks}
    assert flagged == {label["entity_id"] for label in labels}
    missed = [label for label in labels if label["check"] not in facts[label["entity_id"]].checks]
    assert not missed


def test_every_kind_of_defect_is_planted(generated: GeneratedData) -> None:
    kinds = {label["defect"] for label in _labels(generated.labels)}

    assert kinds == set(DefectRates().as_dict())


def test_the_same_seed_writes_the_same_table(tmp_path: Path) -> None:
    first = generate_customer360(tmp_path / "a.csv", profiles=50, seed=4, at=AT)
    second = generate_customer360(tmp_path / "b.csv", profiles=50, seed=4, at=AT)

    query = "SELECT * FROM read_csv('{}', all_varchar = true) ORDER BY ALL"
    assert (
        duckdb.sql(query.format(first.path)).fetchall()
        == duckdb.sql(query.format(second.path)).fetchall()
    )
    assert first.labels.read_text() == second.labels.read_text()


def test_clean_data_reaches_ai_ready(nudges: Contract, tmp_path: Path) -> None:
    clean = DefectRates(**dict.fromkeys(DefectRates().as_dict(), 0.0))
    written = generate_customer360(
        tmp_path / "clean.jsonl", profiles=60, seed=2, at=AT, rates=clean
    )

    report = survival_test(nudges, written.path, at=AT)

    assert written.defects == 0
    assert report.level is Readiness.AI_READY
    assert all(dimension.status == "pass" for dimension in report.dimensions)


def test_hierarchy_entities_are_counted_but_not_judged(
    nudges: Contract, generated: GeneratedData
) -> None:
    report = survival_test(nudges, generated.path, at=AT)

    assert report.profiles == generated.accounts
    assert sum(report.out_of_scope.values()) == generated.entities - generated.accounts
    assert set(report.out_of_scope) == {"contact", "parent", "workspace"}


def test_defect_rates_above_one_in_total_are_refused() -> None:
    with pytest.raises(ValueError, match="add up to"):
        DefectRates(stale=0.6, unowned=0.6)
