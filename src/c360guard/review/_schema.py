"""The tables both SQL stores share, and the dialect differences between SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

SCHEMA_VERSION = 1
"""Bumped on any change to the tables below; a store refuses a newer schema than it knows."""

TICKETS = "c360guard_tickets"
FEEDBACK = "c360guard_feedback"
PAUSES = "c360guard_pauses"
PAUSE_EVENTS = "c360guard_pause_events"
META = "c360guard_schema"

_DDL = [
    f"""CREATE TABLE IF NOT EXISTS {META} (
        component TEXT PRIMARY KEY,
        version INTEGER NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {TICKETS} (
        id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        action TEXT,
        idempotency_key TEXT NOT NULL,
        body {{json}} NOT NULL,
        status TEXT NOT NULL,
        proposals INTEGER NOT NULL DEFAULT 1,
        created_at {{ts}} NOT NULL,
        decision TEXT,
        decided_at {{ts}},
        reviewer TEXT,
        note TEXT,
        edited_arguments {{json}},
        misleading_fields {{json}},
        rechecked_at {{ts}},
        recheck_codes {{json}},
        execution {{json}},
        executed_at {{ts}},
        compensation {{json}}
    )""",
    # The heart of idempotency: at most one pending ticket per proposal, enforced by the
    # database itself so that concurrent writers in other processes cannot both file one.
    f"""CREATE UNIQUE INDEX IF NOT EXISTS {TICKETS}_pending_key
        ON {TICKETS} (idempotency_key) WHERE status = 'pending'""",
    f"CREATE INDEX IF NOT EXISTS {TICKETS}_listing ON {TICKETS} (workflow, status, created_at)",
    f"CREATE INDEX IF NOT EXISTS {TICKETS}_decided ON {TICKETS} (workflow, decided_at)",
    f"CREATE INDEX IF NOT EXISTS {TICKETS}_executed ON {TICKETS} (workflow, executed_at)",
    f"""CREATE TABLE IF NOT EXISTS {FEEDBACK} (
        ticket_id TEXT NOT NULL REFERENCES {TICKETS} (id),
        field TEXT NOT NULL,
        owner TEXT,
        source TEXT,
        source_path TEXT,
        workflow TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        decision TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        note TEXT,
        decided_at {{ts}} NOT NULL,
        PRIMARY KEY (ticket_id, field)
    )""",
    f"CREATE INDEX IF NOT EXISTS {FEEDBACK}_owner ON {FEEDBACK} (owner, decided_at)",
    f"CREATE INDEX IF NOT EXISTS {FEEDBACK}_field ON {FEEDBACK} (field, decided_at)",
    f"""CREATE TABLE IF NOT EXISTS {PAUSES} (
        workflow TEXT PRIMARY KEY,
        paused_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        since {{ts}} NOT NULL,
        automatic {{bool}} NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {PAUSE_EVENTS} (
        workflow TEXT NOT NULL,
        event TEXT NOT NULL,
        actor TEXT NOT NULL,
        reason TEXT,
        automatic {{bool}} NOT NULL,
        at {{ts}} NOT NULL
    )""",
    f"CREATE INDEX IF NOT EXISTS {PAUSE_EVENTS}_workflow ON {PAUSE_EVENTS} (workflow, at)",
]


class Dialect:
    """How one database spells types, parameters and row locks; SQLite by default."""

    name = "sqlite"
    timestamp_type = "TEXT"
    json_type = "TEXT"
    bool_type = "INTEGER"
    lock_clause = ""
    schema_lock: str | None = None

    def sql(self, text: str) -> str:
        """Rewrite a statement written with `?` parameters for this database."""
        return text

    def ddl(self) -> list[str]:
        """The statements that create every table and index, when missing."""
        types = {"ts": self.timestamp_type, "json": self.json_type, "bool": self.bool_type}
        return [statement.format(**types) for statement in _DDL]

    def ts(self, value: datetime | None) -> Any:
        """Bind a timestamp: UTC text of fixed width, so text order is time order."""
        if value is None:
            return None
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def from_ts(self, raw: Any) -> datetime | None:
        """Read a timestamp back as an aware datetime."""
        if raw is None:
            return None
        return raw if isinstance(raw, datetime) else datetime.fromisoformat(raw)

    def json(self, value: Any) -> Any:
        """Bind a JSON document."""
        if value is None:
            return None
        return json.dumps(value, sort_keys=True, separators=(",", ":"))

    def from_json(self, raw: Any) -> Any:
        """Read a JSON document back."""
        if raw is None or not isinstance(raw, str | bytes):
            return raw
        return json.loads(raw)


SQLITE = Dialect()
"""The SQLite dialect."""
