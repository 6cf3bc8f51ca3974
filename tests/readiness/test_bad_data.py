"""Bad tables get a clear error naming the column and the row count, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from readiness_tables import AT, COLUMNS, write_csv

from c360guard.errors import TableError
from c360guard.model import Contract
from c360guard.readiness import survival_test


def _row(**change: Any) -> dict[str, Any]:
    row = {
        "entity_id": "acct_1",
        "grain": "account",
        "parent_id": "parent_1",
        "match_confidence": "0.97",
        "field": "renewal_date",
        "value": '"2027-01-31"',
        "source": "salesforce",
        "owner": "revops",
        "updated_at": "2026-12-03T10:00:00Z",
        "confidence": "",
        "source_path": "Account.Renewal_Date__c",
        "field_grain": "",
    }
    return row | change


@pytest.mark.parametrize("engine", ["duckdb", "memory"])
@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        ({"updated_at": "yesterday"}, "updated_at", "does not parse"),
        ({"updated_at": "2026-12-03T10:00:00"}, "updated_at", "without a UTC offset"),
        ({"value": "Customer"}, "value", "not valid JSON"),
        ({"grain": "household"}, "grain", "other than contact"),
        ({"match_confidence": "high"}, "match_confidence", "number from 0 to 1"),
        ({"field_grain": "team"}, "field_grain", "grain other than"),
    ],
)
def test_bad_cells_are_named_with_their_row_count(
    nudges: Contract, tmp_path: Path, engine: str, change: dict[str, Any], column: str, words: str
) -> None:
    rows = [_row(), _row(entity_id="acct_2", **change), _row(entity_id="acct_3", **change)]
    table = write_csv(rows, tmp_path / "bad.csv")

    with pytest.raises(TableError) as caught:
        survival_test(nudges, table, engine=engine, at=AT)  # type: ignore[arg-type]

    message = str(caught.value)
    assert f"{column}: 2 rows" in message
    assert words in message
    assert "acct_2" in message


def test_missing_columns_are_listed(nudges: Contract, tmp_path: Path) -> None:
    columns = tuple(c for c in COLUMNS if c not in ("owner", "updated_at"))
    table = write_csv([_row()], tmp_path / "narrow.csv", columns)

    with pytest.raises(TableError, match="lacks the columns owner, updated_at"):
        survival_test(nudges, table, at=AT)


def test_optional_columns_may_be_left_out(nudges: Contract, tmp_path: Path) -> None:
    columns = tuple(c for c in COLUMNS if c not in ("confidence", "source_path", "field_grain"))
    table = write_csv([_row()], tmp_path / "lean.csv", columns)

    report = survival_test(nudges, table, at=AT)

    assert report.profiles == 1


def test_rows_of_one_entity_that_disagree_on_its_grain_are_refused(
    nudges: Contract, tmp_path: Path
) -> None:
    rows = [_row(), _row(field="arr", value="1200", source="stripe", grain="workspace")]
    table = write_csv(rows, tmp_path / "split.csv")

    with pytest.raises(TableError, match="1 entities have rows that disagree"):
        survival_test(nudges, table, at=AT)


def test_an_unknown_format_is_refused(nudges: Contract, tmp_path: Path) -> None:
    table = tmp_path / "profiles.xlsx"
    table.write_text("x", encoding="utf-8")

    with pytest.raises(TableError, match="cannot tell the format"):
        survival_test(nudges, table, at=AT)


def test_a_missing_file_is_named(nudges: Contract, tmp_path: Path) -> None:
    with pytest.raises(TableError, match="cannot read"):
        survival_test(nudges, tmp_path / "nowhere.parquet", at=AT)
