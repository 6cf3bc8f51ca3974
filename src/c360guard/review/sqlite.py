"""The embedded default: review queue and pause store in one SQLite file (WAL mode)."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from c360guard.errors import ReviewError, ReviewStoreError
from c360guard.review._schema import SQLITE
from c360guard.review._sql import Cursor, SqlReviewQueue, SqlStore
from c360guard.review.pause import SqlPauseStore

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 30.0
"""How long a writer waits for another process's write transaction before giving up."""


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


class _SQLiteConnections:
    """One connection per thread (and per process after a fork) to one database file."""

    def __init__(self, path: str | Path, *, create: bool) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise ReviewStoreError(
                f"no review database at {self.path}; check --db, or file a ticket first"
            )
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def get(self) -> sqlite3.Connection:
        held: tuple[int, sqlite3.Connection] | None = getattr(self._local, "held", None)
        if held is not None and held[0] == os.getpid():
            return held[1]
        conn = self._open()
        self._local.held = (os.getpid(), conn)
        with self._lock:
            self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            opened, self._all = self._all, []
        for conn in opened:
            conn.close()
        self._local = threading.local()

    def _open(self) -> sqlite3.Connection:
        try:
            # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE.
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.row_factory = _dict_row
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise ReviewStoreError(
                f"cannot open the review database {self.path}: {exc}; check the path and "
                "that the directory is writable"
            ) from exc
        return conn


class _SQLiteStore(SqlStore):
    """Transactions on a SQLite file: writers serialise on BEGIN IMMEDIATE."""

    dialect = SQLITE
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self._connections = _SQLiteConnections(path, create=create)
        self._create_schema()

    @property
    def path(self) -> Path:
        """The database file."""
        return self._connections.path

    def close(self) -> None:
        """Close every connection this store opened."""
        self._connections.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[Cursor]:
        conn = self._connections.get()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._failed(exc) from exc
        try:
            yield conn.cursor()
        except ReviewError:
            conn.rollback()
            raise
        except sqlite3.Error as exc:
            conn.rollback()
            raise self._failed(exc) from exc
        except BaseException:
            conn.rollback()
            raise
        try:
            conn.commit()
        except sqlite3.Error as exc:
            conn.rollback()
            raise self._failed(exc) from exc

    @contextmanager
    def _reading(self) -> Iterator[Cursor]:
        conn = self._connections.get()
        try:
            yield conn.cursor()
        except sqlite3.Error as exc:
            raise self._failed(exc) from exc

    def _failed(self, exc: sqlite3.Error) -> ReviewStoreError:
        logger.warning("review database %s failed: %s", self.path, type(exc).__name__)
        return ReviewStoreError(
            f"the review database {self.path} failed: {exc}; check the file is a c360guard "
            "review database on a local disk, and retry"
        )


class SQLiteReviewQueue(_SQLiteStore, SqlReviewQueue):
    """The embedded review queue: one SQLite file, safe for threads and processes on one host.

    Example:
        ```python
        queue = SQLiteReviewQueue("reviews.db")
        guard = Guard(contract, review_queue=queue, pause_store=SQLitePauseStore("reviews.db"))
        ```
    """

    def __repr__(self) -> str:
        return f"SQLiteReviewQueue({str(self.path)!r})"


class SQLitePauseStore(_SQLiteStore, SqlPauseStore):
    """A durable pause store in a SQLite file (usually the review queue's own file)."""

    def __repr__(self) -> str:
        return f"SQLitePauseStore({str(self.path)!r})"
