"""Opening stores: SQLite paths and PostgreSQL DSNs, and clear errors when they fail."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from c360guard.errors import ReviewStoreError
from c360guard.review import (
    PostgresReviewQueue,
    SQLitePauseStore,
    SQLiteReviewQueue,
    is_postgres,
    open_pause_store,
    open_queue,
)
from c360guard.review.postgres import redact


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("db", "postgres"),
    [
        ("postgresql://app@db.internal/reviews", True),
        ("postgres://app@db.internal/reviews", True),
        ("reviews.db", False),
        ("/var/lib/c360guard/reviews.db", False),
    ],
)
def test_db_values_name_their_backend(db: str, postgres: bool) -> None:
    assert is_postgres(db) is postgres


def test_a_path_opens_sqlite_stores(tmp_path: Path) -> None:
    path = tmp_path / "reviews.db"

    queue, pauses = open_queue(str(path)), open_pause_store(str(path))

    assert isinstance(queue, SQLiteReviewQueue)
    assert isinstance(pauses, SQLitePauseStore)
    assert path.exists()
    queue.close()
    pauses.close()


def test_a_missing_sqlite_file_is_not_created_when_it_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ReviewStoreError, match="no review database at"):
        open_queue(tmp_path / "nope.db", create=False)

    assert not (tmp_path / "nope.db").exists()


def test_an_unwritable_sqlite_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReviewStoreError, match="cannot open the review database"):
        SQLiteReviewQueue(tmp_path / "no-such-dir" / "reviews.db")


def test_an_unreachable_server_is_a_clear_error_without_the_password() -> None:
    dsn = f"postgresql://app:s3cret@127.0.0.1:{_closed_port()}/reviews?connect_timeout=2"

    with pytest.raises(ReviewStoreError, match="cannot connect to PostgreSQL") as raised:
        PostgresReviewQueue(dsn)

    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://app:s3cret@db.internal:5432/reviews",
        "host=db.internal user=app password=s3cret dbname=reviews",
    ],
)
def test_passwords_are_redacted_from_dsns(dsn: str) -> None:
    assert "s3cret" not in redact(dsn)
    assert "db.internal" in redact(dsn)
