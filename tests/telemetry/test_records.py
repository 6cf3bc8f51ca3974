"""Decision records: what the audit log exporter writes for each decision."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import format_span_id, format_trace_id
from telemetry_support import Spans, example_recommendation

from c360guard import Guard, Profile, Recommendation
from c360guard.review import ReviewDecision, SQLiteReviewQueue
from c360guard.telemetry import RECORD_SCHEMA, AuditLogExporter, load_records
from c360guard.telemetry import attributes as attr

DOCUMENTED_KEYS = {
    "schema",
    "decision_id",
    "kind",
    "timestamp",
    "recorded_at",
    "workflow",
    "contract",
    "authority",
    "entity",
    "trace_id",
    "span_id",
    "parent_span_id",
    "screening",
    "fields",
    "findings",
    "verdict",
    "action",
    "reason_codes",
    "cited_fields",
    "confidence",
    "review_ticket_id",
    "lineage",
    "recommendation",
    "review",
    "pause",
    "seq",
    "prev_hash",
    "hash",
}
"""The keys docs/telemetry.md promises on every decision record."""


def _audited(make_guard: Callable[..., Guard], spans: Spans, path: Path, **exporter: Any) -> Guard:
    spans.provider.add_span_processor(SimpleSpanProcessor(AuditLogExporter(path, **exporter)))
    return make_guard()


def test_each_decision_writes_a_screen_and_a_check_record(
    make_guard: Callable[..., Guard],
    spans: Spans,
    tmp_path: Path,
    escalated: Profile,
    save_play: Recommendation,
) -> None:
    guard = _audited(make_guard, spans, tmp_path / "audit.jsonl")

    guard.check(save_play, guard.screen(escalated))

    screen, check = load_records(tmp_path / "audit.jsonl")
    check_span = spans.one(attr.SPAN_CHECK)
    assert [screen["kind"], check["kind"]] == ["screen", "check"]
    assert check["schema"] == RECORD_SCHEMA
    assert check["decision_id"] == format_span_id(check_span.context.span_id)
    assert check["trace_id"] == format_trace_id(check_span.context.trace_id)
    assert check["timestamp"] == "2026-12-03T12:00:00Z"
    assert check["verdict"] == "block"
    assert check["contract"] == {"version": "3", "digest": guard.contract.digest}
    assert check["entity"]["id"] == "acct_2077"
    assert check["screening"]["span_id"] == screen["span_id"]
    assert check["fields"] == screen["fields"]
    assert [f["code"] for f in check["findings"]] == ["suppression.active"]


def test_every_record_carries_every_documented_key(
    make_guard: Callable[..., Guard],
    spans: Spans,
    tmp_path: Path,
    healthy: Profile,
    renewal_task: Recommendation,
) -> None:
    guard = _audited(make_guard, spans, tmp_path / "audit.jsonl")

    guard.check(renewal_task, guard.screen(healthy))
    guard.pause(by="ops@example.com", reason="maintenance")

    records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [record["kind"] for record in records] == ["screen", "check", "pause"]
    assert all(set(record) == DOCUMENTED_KEYS for record in records)


def test_screen_record_lists_admitted_fields_with_provenance_and_withheld_with_codes(
    make_guard: Callable[..., Guard], spans: Spans, tmp_path: Path, healthy: Profile
) -> None:
    guard = _audited(make_guard, spans, tmp_path / "audit.jsonl")

    guard.screen(healthy)

    (screen,) = load_records(tmp_path / "audit.jsonl")
    admitted = {entry["name"]: entry for entry in screen["fields"]["admitted"]}
    assert admitted["renewal_date"] == {
        "name": "renewal_date",
        "shown": True,
        "source": "salesforce",
        "owner": "revops",
        "source_path": "Account.Renewal_Date__c",
        "updated_at": "2026-12-01T03:00:00Z",
    }
    assert admitted["email"]["shown"] is False
    assert screen["fields"]["sensitive"] == ["email"]
    assert screen["fields"]["withheld"] == [
        {"name": "nps_comment", "codes": ["field.unknown"], "outcome": "allow"}
    ]


def test_check_record_traces_each_cited_field_to_its_source(
    make_guard: Callable[..., Guard],
    spans: Spans,
    tmp_path: Path,
    healthy: Profile,
    renewal_task: Recommendation,
) -> None:
    guard = _audited(make_guard, spans, tmp_path / "audit.jsonl")

    guard.check(renewal_task, guard.screen(healthy))

    check = load_records(tmp_path / "audit.jsonl")[-1]
    assert check["lineage"] == [
        {
            "field": "renewal_date",
            "shown": True,
            "source": "salesforce",
            "owner": "revops",
            "updated_at": "2026-12-01T03:00:00Z",
            "source_path": "Account.Renewal_Date__c",
            "age_seconds": 205200,
            "confidence": None,
            "grain": None,
        }
    ]
    assert check["cited_fields"] == ["renewal_date"]
    assert check["reason_codes"] == ["RENEWAL_SOON"]
    assert check["recommendation"] is None


def test_review_decisions_are_recorded_against_their_ticket(
    make_guard: Callable[..., Guard], spans: Spans, tmp_path: Path, healthy: Profile
) -> None:
    spans.provider.add_span_processor(SimpleSpanProcessor(AuditLogExporter(tmp_path / "a.jsonl")))
    guard = make_guard(review_queue=SQLiteReviewQueue(tmp_path / "reviews.db"))
    verdict = guard.check(
        example_recommendation("healthy_renewal_cs_task_low_confidence"), guard.screen(healthy)
    )
    assert verdict.ticket is not None

    guard.decide(verdict.ticket, ReviewDecision.reject("ana@example.com", "already renewed"))

    check, review = load_records(tmp_path / "a.jsonl")[1:3]
    assert check["review_ticket_id"] == review["review_ticket_id"] == verdict.ticket.id
    assert review["review"]["decision"] == "reject"
    assert review["review"]["reviewer"] == "ana@example.com"
    assert review["review"]["note"] is None


def test_a_check_whose_screening_this_exporter_forgot_still_names_it(
    make_guard: Callable[..., Guard],
    spans: Spans,
    tmp_path: Path,
    healthy: Profile,
    renewal_task: Recommendation,
) -> None:
    guard = _audited(make_guard, spans, tmp_path / "audit.jsonl", remember=0)

    guard.check(renewal_task, guard.screen(healthy))

    screen, check = load_records(tmp_path / "audit.jsonl")
    assert check["fields"] is None
    assert check["screening"]["span_id"] == screen["span_id"]


def test_only_the_chosen_kinds_are_written(
    make_guard: Callable[..., Guard],
    spans: Spans,
    tmp_path: Path,
    healthy: Profile,
    renewal_task: Recommendation,
) -> None:
    guard = _audited(make_guard, spans, tmp_path / "audit.jsonl", kinds=["check"])

    guard.check(renewal_task, guard.screen(healthy))
    with guard.tracer.tool_call("create_cs_task"):
        pass

    (check,) = load_records(tmp_path / "audit.jsonl")
    assert check["kind"] == "check"
    assert check["fields"] is not None


def test_an_unknown_record_kind_is_refused_with_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="choose from"):
        AuditLogExporter(tmp_path / "audit.jsonl", kinds=["verdicts"])
