"""Open the review queue and pause store a `--db` value names: a SQLite path or a DSN."""

from __future__ import annotations

from pathlib import Path

from c360guard.review._protocol import ReviewQueue
from c360guard.review.pause import PauseStore

_DSN_PREFIXES = ("postgresql://", "postgres://")


def is_postgres(db: str) -> bool:
    """True when `db` is a PostgreSQL connection string rather than a SQLite path."""
    return db.startswith(_DSN_PREFIXES)


def open_queue(db: str | Path, *, create: bool = True) -> ReviewQueue:
    """Open the review queue at a SQLite path or a `postgresql://` DSN."""
    if isinstance(db, str) and is_postgres(db):
        from c360guard.review.postgres import PostgresReviewQueue

        return PostgresReviewQueue(db)
    from c360guard.review.sqlite import SQLiteReviewQueue

    return SQLiteReviewQueue(db, create=create)


def open_pause_store(db: str | Path, *, create: bool = True) -> PauseStore:
    """Open the pause store at a SQLite path or a `postgresql://` DSN."""
    if isinstance(db, str) and is_postgres(db):
        from c360guard.review.postgres import PostgresPauseStore

        return PostgresPauseStore(db)
    from c360guard.review.sqlite import SQLitePauseStore

    return SQLitePauseStore(db, create=create)
