"""The names `c360guard.review` promises; a change here is a change to the public API."""

from __future__ import annotations

import c360guard.review as review


def test_review_exports_are_pinned() -> None:
    assert review.__all__ == [
        "AUTO_PAUSE_ACTOR",
        "DecisionCounts",
        "DecisionKind",
        "ExecutionRecord",
        "Feedback",
        "FieldProvenance",
        "InMemoryPauseStore",
        "PauseStore",
        "PostgresPauseStore",
        "PostgresReviewQueue",
        "ReviewDecision",
        "ReviewQueue",
        "ReviewTicket",
        "RollbackStep",
        "SQLitePauseStore",
        "SQLiteReviewQueue",
        "TicketStatus",
        "idempotency_key",
        "invoke_tool",
        "is_postgres",
        "load_tools",
        "open_pause_store",
        "open_queue",
        "override_counts",
        "pause_if_overridden",
        "plan_rollback",
        "run_rollback",
        "tool_registry",
    ]


def test_every_export_resolves() -> None:
    missing = [name for name in review.__all__ if getattr(review, name, None) is None]

    assert missing == []


def test_both_stores_satisfy_the_protocols() -> None:
    for queue in (review.SQLiteReviewQueue, review.PostgresReviewQueue):
        assert all(hasattr(queue, name) for name in _members(review.ReviewQueue))
    for store in (review.SQLitePauseStore, review.PostgresPauseStore, review.InMemoryPauseStore):
        assert all(hasattr(store, name) for name in _members(review.PauseStore))


def _members(protocol: type) -> list[str]:
    return [name for name in vars(protocol) if not name.startswith("_")]
