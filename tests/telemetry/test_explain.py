"""Explaining decisions from the audit log, in plain language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from telemetry_support import Spans, example_recommendation

from c360guard import Guard, Profile, Recommendation
from c360guard.errors import AuditLogError
from c360guard.review import ReviewDecision, SQLiteReviewQueue
from c360guard.telemetry import AuditLogExporter, explain, find_decisions, load_records, render
from c360guard.telemetry._phrases import duration, finding_sentence


@pytest.fixture
def audited(make_guard: Callable[..., Guard], spans: Spans, tmp_path: Path) -> Guard:
    """A guard whose decisions land in `tmp_path/audit.jsonl`."""
    spans.provider.add_span_processor(SimpleSpanProcessor(AuditLogExporter(tmp_path / "a.jsonl")))
    return make_guard(review_queue=SQLiteReviewQueue(tmp_path / "reviews.db"))


def _explained(path: Path, decision: str) -> str:
    records = load_records(path)
    (record,) = find_decisions(records, decision=decision)
    return render(explain(record, records))


def test_a_blocked_recommendation_is_explained_with_why_and_where_fields_came_from(
    audited: Guard, tmp_path: Path, escalated: Profile, save_play: Recommendation
) -> None:
    audited.check(save_play, audited.screen(escalated))
    check = load_records(tmp_path / "a.jsonl")[-1]

    text = _explained(tmp_path / "a.jsonl", check["decision_id"])

    assert "BLOCKED — create_cs_task for acct_2077" in text
    assert "[blocks] suppression OPEN_ESCALATION is active (suppression.active)" in text
    assert "usage_change_30d: from warehouse (analytics.account_usage_30d.change)" in text
    assert "8 hours old at the decision; shown to the model" in text
    assert "Fields the model saw (11):" in text
    assert "executive_sponsor_email has no rule in the contract" in text


def test_an_allowed_recommendation_says_nothing_stood_in_the_way(
    audited: Guard, tmp_path: Path, healthy: Profile, renewal_task: Recommendation
) -> None:
    audited.check(renewal_task, audited.screen(healthy))
    check = load_records(tmp_path / "a.jsonl")[-1]

    text = _explained(tmp_path / "a.jsonl", check["decision_id"][:8])

    assert "ALLOWED — create_cs_task for acct_1042" in text
    assert "no findings: nothing stood in the way" in text
    assert "Sensitive (usable by actions, never shown to the model): email" in text


def test_a_reviewed_recommendation_shows_the_reviewers_decision(
    audited: Guard, tmp_path: Path, healthy: Profile
) -> None:
    unsure = example_recommendation("healthy_renewal_cs_task_low_confidence")
    verdict = audited.check(unsure, audited.screen(healthy))
    assert verdict.ticket is not None
    audited.decide(verdict.ticket, ReviewDecision.approve("ana@example.com"))
    check = next(r for r in load_records(tmp_path / "a.jsonl") if r["kind"] == "check")

    text = _explained(tmp_path / "a.jsonl", check["decision_id"])

    assert "SENT TO REVIEW" in text
    assert "ana@example.com decided: approve" in text


def test_a_check_whose_screening_was_not_copied_finds_it_in_the_log(
    make_guard: Callable[..., Guard],
    spans: Spans,
    tmp_path: Path,
    healthy: Profile,
    renewal_task: Recommendation,
) -> None:
    exporter = AuditLogExporter(tmp_path / "a.jsonl", remember=0)
    spans.provider.add_span_processor(SimpleSpanProcessor(exporter))
    guard = make_guard()
    guard.check(renewal_task, guard.screen(healthy))
    records = load_records(tmp_path / "a.jsonl")

    explained = explain(records[-1], records)

    assert explained["screening"]["found"] is True
    assert len(explained["seen"]) == 11


def test_decisions_are_found_by_entity_and_time(
    audited: Guard, tmp_path: Path, healthy: Profile, escalated: Profile
) -> None:
    audited.screen(healthy)
    audited.screen(escalated)
    records = load_records(tmp_path / "a.jsonl")

    about_one = find_decisions(records, entity="acct_1042")
    later = find_decisions(records, entity="acct_1042", since=datetime(2027, 1, 1, tzinfo=UTC))

    assert [r["entity"]["id"] for r in about_one] == ["acct_1042"]
    assert later == []


def test_an_ambiguous_decision_prefix_asks_for_more() -> None:
    records = [{"decision_id": "abc1"}, {"decision_id": "abc2"}]

    with pytest.raises(AuditLogError, match="give more of the id"):
        find_decisions(records, decision="abc")


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(12, "12 seconds"), (3600, "1 hour"), (205200, "2 days 9 hours"), (None, "an unknown time")],
)
def test_durations_read_like_a_person_would_say_them(seconds: int | None, said: str) -> None:
    assert duration(seconds) == said


def test_a_stale_field_is_explained_with_its_age_and_limit() -> None:
    sentence = finding_sentence(
        "field.stale",
        "renewal_date",
        {"age_seconds": 9 * 86400, "limit_seconds": 7 * 86400, "authority": "assist"},
    )

    assert sentence == "renewal_date was 9 days old; at authority assist the contract allows 7 days"


def test_a_pause_and_its_resumption_say_who_and_why(audited: Guard, tmp_path: Path) -> None:
    audited.pause(by="ops@example.com", reason="incident 42")
    audited.resume(by="lead@example.com")
    records = load_records(tmp_path / "a.jsonl")

    paused, resumed = (render(explain(record, records)) for record in records)

    assert "workflow paused by ops@example.com" in paused
    assert "Reason given: incident 42" in paused
    assert "workflow resumed by lead@example.com (paused by ops@example.com)" in resumed
