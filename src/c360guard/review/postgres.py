"""Review queue and pause store on PostgreSQL, for several agent replicas (`postgres` extra)."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from c360guard.errors import MissingExtraError, ReviewError, ReviewStoreError
from c360guard.review._schema import Dialect
from c360guard.review._sql import Cursor, SqlReviewQueue, SqlStore
from c360guard.review.pause import SqlPauseStore

try:
    import psycopg
    from psycopg.rows import dict_row
    from psycopg.types.json import Jsonb
except ImportError:  # pragma: no cover - exercised only without the extra
    psycopg = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

_SCHEMA_LOCK_KEY = 0x63333630  # any constant shared by every c360guard process


class PostgresDialect(Dialect):
    """PostgreSQL types: timestamptz, jsonb, boolean; rows locked with FOR UPDATE."""

    name = "postgresql"
    timestamp_type = "TIMESTAMPTZ"
    json_type = "JSONB"
    bool_type = "BOOLEAN"
    lock_clause = " FOR UPDATE"
    # Concurrent CREATE TABLE IF NOT EXISTS can collide in the catalog; one at a time.
    schema_lock = f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK_KEY})"

    def sql(self, text: str) -> str:
        """Rewrite `?` parameters as psycopg's `%s`."""
        return text.replace("?", "%s")

    def ts(self, value: datetime | None) -> Any:
        """Bind a timestamp as an aware datetime."""
        return value

    def from_ts(self, raw: Any) -> datetime | None:
        """Read a timestamptz back in UTC."""
        return raw.astimezone(UTC) if isinstance(raw, datetime) else raw

    def json(self, value: Any) -> Any:
        """Bind a JSON document as jsonb."""
        return None if value is None else Jsonb(value)


def redact(dsn: str) -> str:
    """A DSN without its password, fit for messages and logs."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", re.sub(r"password=\S+", "password=***", dsn))


class _PostgresConnections:
    """One autocommit connection per thread; transactions are opened explicitly."""

    def __init__(self, dsn: str) -> None:
        if psycopg is None:
            raise MissingExtraError("PostgresReviewQueue", "postgres", "psycopg 3")
        self.dsn = dsn
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def get(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        try:
            conn = psycopg.connect(self.dsn, autocommit=True, row_factory=dict_row)
        except psycopg.Error as exc:
            raise ReviewStoreError(
                f"cannot connect to PostgreSQL at {redact(self.dsn)}: {exc}; check the DSN "
                "and that the server is running"
            ) from exc
        self._local.conn = conn
        with self._lock:
            self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            opened, self._all = self._all, []
        for conn in opened:
            conn.close()
        self._local = threading.local()


class _PostgresStore(SqlStore):
    """Transactions on PostgreSQL: row locks (FOR UPDATE) make decisions compare-and-set."""

    dialect = PostgresDialect()

    def __init__(self, dsn: str) -> None:
        self._connections = _PostgresConnections(dsn)
        self.integrity_errors = (psycopg.errors.UniqueViolation,)
        self._create_schema()

    @property
    def dsn(self) -> str:
        """The connection string, password removed."""
        return redact(self._connections.dsn)

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
            with conn.transaction(), conn.cursor() as cur:
                yield cur
        except ReviewError:
            raise
        except psycopg.Error as exc:
            raise self._failed(exc) from exc

    @contextmanager
    def _reading(self) -> Iterator[Cursor]:
        conn = self._connections.get()
        try:
            with conn.cursor() as cur:
                yield cur
        except psycopg.Error as exc:
            raise self._failed(exc) from exc

    def _failed(self, exc: Exception) -> ReviewStoreError:
        logger.warning("review database %s failed: %s", self.dsn, type(exc).__name__)
        return ReviewStoreError(
            f"the review database {self.dsn} failed: {exc}; check the server is up and retry"
        )


class PostgresReviewQueue(_PostgresStore, SqlReviewQueue):
    """The review queue on PostgreSQL: for agent replicas on several hosts.

    Example:
        ```python
        queue = PostgresReviewQueue("postgresql://c360guard@db.internal/reviews")
        ```
    """

    def __repr__(self) -> str:
        return f"PostgresReviewQueue({self.dsn!r})"


class PostgresPauseStore(_PostgresStore, SqlPauseStore):
    """A durable pause store on PostgreSQL."""

    def __repr__(self) -> str:
        return f"PostgresPauseStore({self.dsn!r})"
