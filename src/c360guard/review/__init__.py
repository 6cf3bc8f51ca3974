"""Human review: the ticket queue, its SQLite and PostgreSQL stores, pause and rollback."""

from typing import TYPE_CHECKING, Any

from c360guard.model import (
    DecisionKind,
    ExecutionRecord,
    Feedback,
    FieldProvenance,
    ReviewDecision,
    ReviewTicket,
    TicketStatus,
)
from c360guard.review._protocol import DecisionCounts, ReviewQueue, idempotency_key
from c360guard.review.pause import InMemoryPauseStore, PauseStore
from c360guard.review.rollback import (
    AUTO_PAUSE_ACTOR,
    RollbackStep,
    override_counts,
    pause_if_overridden,
    plan_rollback,
    run_rollback,
)
from c360guard.review.sqlite import SQLitePauseStore, SQLiteReviewQueue
from c360guard.review.stores import is_postgres, open_pause_store, open_queue
from c360guard.review.tools import invoke_tool, load_tools, tool_registry

if TYPE_CHECKING:
    from c360guard.review.postgres import PostgresPauseStore, PostgresReviewQueue


def __getattr__(name: str) -> Any:
    # The PostgreSQL stores load psycopg (the `postgres` extra) only when asked for.
    if name in ("PostgresPauseStore", "PostgresReviewQueue"):
        from c360guard.review import postgres

        return getattr(postgres, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
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
