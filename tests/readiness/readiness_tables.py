"""Constants and table writers the survival-test suite shares."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from c360guard.model import Profile

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "examples" / "readiness" / "account_nudges.yaml"
AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
"""The instant generated data is fresh at, and every table here is judged at."""

COLUMNS = ("entity_id", "grain", "parent_id", "match_confidence", "field", "value", "source",
           "owner", "updated_at", "confidence", "source_path", "field_grain")  # fmt: skip


def rows_of(profiles: Iterable[Profile]) -> list[dict[str, Any]]:
    """The long-layout rows of some profiles (one row per candidate value)."""
    rows = []
    for profile in profiles:
        entity = profile.entity
        for name in profile.fields:
            for held in profile.candidates(name):
                stamp = held.updated_at.isoformat() if held.updated_at else None
                rows.append(
                    {
                        "entity_id": entity.id,
                        "grain": entity.grain.value,
                        "parent_id": entity.parent_id,
                        "match_confidence": entity.match_confidence,
                        "field": name,
                        "value": json.dumps(held.value),
                        "source": held.source,
                        "owner": held.owner,
                        "updated_at": stamp,
                        "confidence": held.confidence,
                        "source_path": held.source_path,
                        "field_grain": held.grain.value if held.grain else None,
                    }
                )
    return rows


def write_jsonl(rows: list[dict[str, Any]], path: Path) -> Path:
    """Write rows as JSON lines."""
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def write_csv(rows: list[dict[str, Any]], path: Path, columns: tuple[str, ...] = COLUMNS) -> Path:
    """Write rows as CSV with the given columns (None becomes an empty cell)."""
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)
    return path
