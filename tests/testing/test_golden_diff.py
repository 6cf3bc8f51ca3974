"""Golden snapshots: what a contract edit changes is readable in the failure and the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from c360guard.testing import GoldenFile, GoldenMismatch, to_snapshot
from c360guard.testing._diff import diff_decisions


def decision(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "kind": "check",
        "action": "create_cs_task",
        "entity_id": "acct_1",
        "outcome": "allow",
        "findings": [],
        "fields": {"withheld": ["arr"], "admitted": ["renewal_date", "health_score"]},
        "cited_fields": ["renewal_date"],
    }
    record.update(changes)
    return record


STALE = {"code": "field.stale", "field": "health_score", "outcome": "allow"}
CITES_WITHHELD = {
    "code": "reason.cites_withheld_field",
    "field": "health_score",
    "outcome": "block",
}


def test_equal_decisions_have_no_diff() -> None:
    assert diff_decisions([decision()], [decision()]) == []


def test_diff_names_the_verdict_the_finding_and_the_field_that_changed() -> None:
    before = [decision(findings=[STALE])]
    after = [
        decision(
            outcome="block",
            findings=[CITES_WITHHELD],
            fields={"withheld": ["arr", "health_score"], "admitted": ["renewal_date"]},
        )
    ]

    lines = diff_decisions(before, after)

    assert lines == [
        "decision 1 (check create_cs_task on acct_1):",
        "  outcome: 'allow' -> 'block'",
        "  findings: added reason.cites_withheld_field on field health_score (block)",
        "  findings: removed field.stale on field health_score (allow)",
        "  fields.admitted: removed 'health_score'",
        "  fields.withheld: added 'health_score'",
    ]


def test_a_changed_finding_outcome_is_reported_on_that_finding() -> None:
    lines = diff_decisions(
        [decision(findings=[STALE])], [decision(findings=[{**STALE, "outcome": "review"}])]
    )

    assert lines == [
        "decision 1 (check create_cs_task on acct_1):",
        "  findings field.stale on field health_score (review): outcome: 'allow' -> 'review'",
    ]


def test_an_inserted_decision_is_new_and_the_rest_still_line_up() -> None:
    first, last = decision(entity_id="acct_1"), decision(entity_id="acct_3")
    inserted = decision(entity_id="acct_2", outcome="review")

    lines = diff_decisions([first, last], [first, inserted, last])

    assert lines == ["decision 2 (check create_cs_task on acct_2) is new: verdict review"]


def test_a_dropped_decision_is_reported_gone() -> None:
    lines = diff_decisions([decision(), decision(action="route_expansion")], [decision()])

    assert lines == ["golden decision 2 (check route_expansion on acct_1) is gone: verdict allow"]


def test_snapshot_leaves_out_run_specific_ids() -> None:
    records = [decision(trace_id="abc", ticket_id="t-1", review={"ticket_id": "t-1", "n": 1})]

    snapshot = to_snapshot(records)

    assert "trace_id" not in snapshot[0]
    assert "ticket_id" not in snapshot[0]
    assert snapshot[0]["review"] == {"n": 1}


def test_snapshot_file_is_sorted_indented_json_ending_in_a_newline(tmp_path: Path) -> None:
    golden = GoldenFile(tmp_path / "s.json", update=True)

    golden.check([decision()])

    text = golden.path.read_text()
    assert text.endswith("}\n")
    assert json.loads(text) == {"format": 1, "decisions": [decision()]}
    assert text.index('"action"') < text.index('"outcome"')


def test_check_without_update_raises_a_readable_mismatch(tmp_path: Path) -> None:
    GoldenFile(tmp_path / "s.json", update=True).check([decision()])

    with pytest.raises(GoldenMismatch, match=r"outcome: 'allow' -> 'review'"):
        GoldenFile(tmp_path / "s.json").check([decision(outcome="review")])


def test_withheld_field_records_are_told_apart_by_name() -> None:
    arr = {"name": "arr", "codes": ["field.stale"], "outcome": "allow"}
    score = {"name": "health_score", "codes": ["field.low_confidence"], "outcome": "allow"}
    before = [decision(fields={"withheld": [arr]})]
    after = [decision(fields={"withheld": [arr, score]})]

    lines = diff_decisions(before, after)

    assert lines == [
        "decision 1 (check create_cs_task on acct_1):",
        "  fields.withheld: added health_score [field.low_confidence] (allow)",
    ]
