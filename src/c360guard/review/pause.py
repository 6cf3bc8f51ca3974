"""Pause stores: where a workflow's pause lives, so every Guard sharing a store sees it."""

# Queries interpolate only this package's table-name constants; values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from c360guard.model import PauseState
from c360guard.review._schema import PAUSE_EVENTS, PAUSES
from c360guard.review._sql import Cursor, SqlStore

logger = logging.getLogger(__name__)


@runtime_checkable
class PauseStore(Protocol):
    """Holds the pause state of workflows; every Guard reads it before each check."""

    def get(self, workflow: str) -> PauseState | None:
        """Return the workflow's pause, or None while it runs."""
        ...

    def pause(self, state: PauseState) -> PauseState:
        """Pause a workflow; an existing pause is kept and returned unchanged."""
        ...

    def resume(self, workflow: str, *, by: str, at: datetime | None = None) -> PauseState | None:
        """Lift the workflow's pause, returning the pause that was lifted (None if none)."""
        ...

    def last_resumed(self, workflow: str) -> datetime | None:
        """When a person last lifted the workflow's pause (None if never)."""
        ...


class InMemoryPauseStore:
    """A pause store for one process: the default when a Guard is given none."""

    def __init__(self) -> None:
        self._states: dict[str, PauseState] = {}
        self._resumed: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def get(self, workflow: str) -> PauseState | None:
        """Return the workflow's pause, or None while it runs."""
        return self._states.get(workflow)

    def pause(self, state: PauseState) -> PauseState:
        """Pause a workflow; an existing pause is kept and returned unchanged."""
        with self._lock:
            return self._states.setdefault(state.workflow, state)

    def resume(self, workflow: str, *, by: str, at: datetime | None = None) -> PauseState | None:
        """Lift the workflow's pause, returning the pause that was lifted (None if none)."""
        with self._lock:
            lifted = self._states.pop(workflow, None)
            if lifted is not None:
                self._resumed[workflow] = at or datetime.now(UTC)
            return lifted

    def last_resumed(self, workflow: str) -> datetime | None:
        """When a person last lifted the workflow's pause (None if never)."""
        return self._resumed.get(workflow)


class SqlPauseStore(SqlStore):
    """A durable pause store on a SQL database, with a log of every pause and resume."""

    def get(self, workflow: str) -> PauseState | None:
        """Return the workflow's pause, or None while it runs."""
        with self._reading() as cur:
            row = self._one(cur, f"SELECT * FROM {PAUSES} WHERE workflow = ?", (workflow,))
        return self._state(row) if row else None

    def pause(self, state: PauseState) -> PauseState:
        """Pause a workflow; an existing pause is kept and returned unchanged."""
        ts = self.dialect.ts
        with self._transaction() as cur:
            row = self._one(
                cur,
                f"INSERT INTO {PAUSES} (workflow, paused_by, reason, since, automatic) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (workflow) DO NOTHING RETURNING *",
                (state.workflow, state.by, state.reason, ts(state.since), state.automatic),
            )
            if row is None:
                held = self._one(
                    cur, f"SELECT * FROM {PAUSES} WHERE workflow = ?", (state.workflow,)
                )
                assert held is not None  # the conflict means a row exists, and we hold the lock
                return self._state(held)
            self._log(
                cur, "pause", state.workflow, state.by, state.reason, state.automatic, state.since
            )
        logger.info("workflow %s paused by %s", state.workflow, state.by)
        return self._state(row)

    def resume(self, workflow: str, *, by: str, at: datetime | None = None) -> PauseState | None:
        """Lift the workflow's pause, returning the pause that was lifted (None if none)."""
        with self._transaction() as cur:
            row = self._one(
                cur, f"DELETE FROM {PAUSES} WHERE workflow = ? RETURNING *", (workflow,)
            )
            if row is None:
                return None
            self._log(cur, "resume", workflow, by, None, False, at or datetime.now(UTC))
        logger.info("workflow %s resumed by %s", workflow, by)
        return self._state(row)

    def last_resumed(self, workflow: str) -> datetime | None:
        """When a person last lifted the workflow's pause (None if never)."""
        with self._reading() as cur:
            row = self._one(
                cur,
                f"SELECT MAX(at) AS at FROM {PAUSE_EVENTS} WHERE workflow = ? AND event = 'resume'",
                (workflow,),
            )
        return self.dialect.from_ts(row["at"]) if row else None

    def history(self, workflow: str) -> list[dict[str, object]]:
        """Every pause and resume of a workflow, oldest first: event, actor, reason, at."""
        with self._reading() as cur:
            rows = self._rows(
                cur,
                f"SELECT event, actor, reason, automatic, at FROM {PAUSE_EVENTS} "
                "WHERE workflow = ? ORDER BY at",
                (workflow,),
            )
        return [
            {**row, "automatic": bool(row["automatic"]), "at": self.dialect.from_ts(row["at"])}
            for row in rows
        ]

    def _log(
        self,
        cur: Cursor,
        event: str,
        workflow: str,
        actor: str,
        reason: str | None,
        automatic: bool,
        at: datetime,
    ) -> None:
        self._exec(
            cur,
            f"INSERT INTO {PAUSE_EVENTS} (workflow, event, actor, reason, automatic, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (workflow, event, actor, reason, automatic, self.dialect.ts(at)),
        )

    def _state(self, row: dict[str, object]) -> PauseState:
        return PauseState(
            workflow=str(row["workflow"]),
            by=str(row["paused_by"]),
            reason=str(row["reason"]),
            since=self.dialect.from_ts(row["since"]),
            automatic=bool(row["automatic"]),
        )
