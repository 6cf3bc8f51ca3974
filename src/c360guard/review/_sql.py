"""The review queue over SQL, shared by the SQLite and PostgreSQL stores.

Each backend supplies connections and a dialect; every rule (idempotency, compare-and-set
decisions, run-once execution, feedback) lives here once, so both behave the same.
"""

# Queries interpolate only this package's table-name constants; values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from c360guard.errors import ReviewError, ReviewStoreError, TicketDecidedError
from c360guard.model import (
    ExecutionRecord,
    Feedback,
    ReviewDecision,
    ReviewTicket,
    TicketStatus,
)
from c360guard.model.ticket import OVERRIDES, PERSON_DECISIONS
from c360guard.review._protocol import DecisionCounts
from c360guard.review._rules import (
    already_decided,
    check_compensable,
    check_decision,
    check_runnable,
    unknown_ticket,
)
from c360guard.review._schema import FEEDBACK, META, SCHEMA_VERSION, TICKETS, Dialect

logger = logging.getLogger(__name__)

# Everything that changes after filing is a column; the rest is the immutable body.
_MUTABLE = (
    "status",
    "proposals",
    "decision",
    "decided_at",
    "reviewer",
    "note",
    "edited_arguments",
    "misleading_fields",
    "rechecked_at",
    "recheck_codes",
    "execution",
    "compensation",
)
_TIMESTAMPS = ("created_at", "decided_at", "rechecked_at")
_JSON = ("edited_arguments", "misleading_fields", "recheck_codes", "execution", "compensation")
_ATTACH_ATTEMPTS = 5


class Cursor(Protocol):
    """The slice of a DB-API cursor the stores use; rows come back as dicts."""

    def execute(self, query: Any, params: Any = ..., /) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class SqlStore(ABC):
    """Connections and transactions of one SQL database; subclasses say how to get them."""

    dialect: Dialect
    integrity_errors: tuple[type[Exception], ...] = ()

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Cursor]:
        """A write transaction that serialises conflicting writers; commits on success."""

    @abstractmethod
    def _reading(self) -> AbstractContextManager[Cursor]:
        """A cursor for reads that see every committed write."""

    def _rows(self, cur: Cursor, query: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        cur.execute(self.dialect.sql(query), params)
        return list(cur.fetchall())

    def _exec(self, cur: Cursor, query: str, params: tuple[Any, ...] = ()) -> None:
        cur.execute(self.dialect.sql(query), params)

    def _one(self, cur: Cursor, query: str, params: tuple[Any, ...] = ()) -> dict[str, Any] | None:
        rows = self._rows(cur, query, params)
        return rows[0] if rows else None

    def _create_schema(self) -> None:
        with self._transaction() as cur:
            if self.dialect.schema_lock:
                self._rows(cur, self.dialect.schema_lock)
            for statement in self.dialect.ddl():
                cur.execute(statement)
            held = self._one(cur, f"SELECT version FROM {META} WHERE component = 'review'")
            if held is None:
                self._exec(
                    cur,
                    f"INSERT INTO {META} (component, version) VALUES (?, ?)",
                    ("review", SCHEMA_VERSION),
                )
            elif int(held["version"]) > SCHEMA_VERSION:
                raise ReviewStoreError(
                    f"the review store uses schema version {held['version']}, newer than this "
                    f"c360guard knows ({SCHEMA_VERSION}); upgrade c360guard to use it"
                )


class SqlReviewQueue(SqlStore):
    """A review queue on a SQL database: the behaviour both backends share."""

    def submit(self, ticket: ReviewTicket) -> ReviewTicket:
        """File a ticket; while one with the same idempotency key is pending, return that one."""
        if ticket.status is not TicketStatus.PENDING:
            raise ReviewError(
                f"ticket {ticket.id} is {ticket.status.value}; only a pending ticket can be "
                "filed. File the proposal as a new pending ticket"
            )
        with self._transaction() as cur:
            # A concurrent writer may file the same proposal between the two statements and
            # have it decided before we look again, hence a bounded loop.
            for _ in range(_ATTACH_ATTEMPTS):
                row = self._one(cur, _ATTACH, (ticket.idempotency_key,))
                if row is not None:
                    logger.info("proposal attached to pending ticket %s", row["id"])
                    return self._ticket(row)
                row = self._insert(cur, ticket)
                if row is not None:
                    logger.info("ticket %s filed for %s", ticket.id, ticket.workflow)
                    return self._ticket(row)
        raise ReviewStoreError(
            f"could not file or attach ticket {ticket.id}: the same proposal kept being "
            "filed and decided concurrently; submit it again"
        )

    def get(self, ticket_id: str) -> ReviewTicket:
        """Return a ticket by id, raising UnknownTicketError when there is none."""
        with self._reading() as cur:
            row = self._one(cur, f"SELECT * FROM {TICKETS} WHERE id = ?", (ticket_id,))
        if row is None:
            raise unknown_ticket(ticket_id)
        return self._ticket(row)

    def tickets(
        self,
        *,
        workflow: str | None = None,
        status: TicketStatus | None = None,
        limit: int | None = 100,
    ) -> list[ReviewTicket]:
        """List tickets, newest first, optionally of one workflow or status."""
        where, params = _filters(workflow=workflow, status=status.value if status else None)
        query = f"SELECT * FROM {TICKETS}{where} ORDER BY created_at DESC, id"
        with self._reading() as cur:
            rows = self._rows(cur, query + _limit(limit), params)
        return [self._ticket(row) for row in rows]

    def decide(self, ticket_id: str, decision: ReviewDecision, *, at: datetime) -> ReviewTicket:
        """Apply a person's decision to a pending ticket and record its feedback."""
        decision_json = decision.model_dump(mode="json")
        with self._transaction() as cur:
            ticket = self._locked(cur, ticket_id)
            check_decision(ticket, decision)
            row = self._one(
                cur,
                _DECIDE,
                (
                    decision.status.value,
                    decision.kind.value,
                    self.dialect.ts(at),
                    decision.reviewer,
                    decision.note,
                    self.dialect.json(decision_json["arguments"]),
                    self.dialect.json(decision.misleading_fields),
                    ticket_id,
                ),
            )
            if row is None:  # the row lock makes this unreachable; never overwrite regardless
                raise already_decided(ticket)
            decided = self._ticket(row)
            self._record_feedback(cur, decided, at)
        logger.info("ticket %s %s by %s", ticket_id, decided.status.value, decision.reviewer)
        return decided

    def settle_edit(
        self, ticket_id: str, *, passed: bool, codes: list[str], at: datetime
    ) -> ReviewTicket:
        """Record the guard's re-check of an edited ticket: approved if passed, else rejected."""
        status = TicketStatus.APPROVED if passed else TicketStatus.REJECTED
        with self._transaction() as cur:
            ticket = self._locked(cur, ticket_id)
            if ticket.status is not TicketStatus.EDITED:
                raise TicketDecidedError(
                    f"ticket {ticket_id} is {ticket.status.value}, not edited; only an edited "
                    "ticket waits for the guard's re-check"
                )
            row = self._one(
                cur,
                f"UPDATE {TICKETS} SET status = ?, rechecked_at = ?, recheck_codes = ? "
                "WHERE id = ? AND status = 'edited' RETURNING *",
                (status.value, self.dialect.ts(at), self.dialect.json(codes), ticket_id),
            )
            assert row is not None  # locked and checked above
        logger.info("edited ticket %s re-checked: %s", ticket_id, status.value)
        return self._ticket(row)

    def claim_execution(self, ticket_id: str, record: ExecutionRecord) -> ReviewTicket:
        """Claim the one run of an approved ticket's action; a second claim is refused."""
        with self._transaction() as cur:
            ticket = self._locked(cur, ticket_id)
            check_runnable(ticket)
            row = self._claim(cur, ticket_id, "execution", record)
        return self._ticket(row)

    def finish_execution(self, ticket_id: str, *, error: str | None = None) -> ReviewTicket:
        """Record how the claimed run ended (`error` None for success)."""
        return self._finish(ticket_id, "execution", error)

    def claim_compensation(self, ticket_id: str, record: ExecutionRecord) -> ReviewTicket:
        """Claim the one run of an executed ticket's compensating action."""
        with self._transaction() as cur:
            ticket = self._locked(cur, ticket_id)
            check_compensable(ticket)
            row = self._claim(cur, ticket_id, "compensation", record)
        return self._ticket(row)

    def finish_compensation(self, ticket_id: str, *, error: str | None = None) -> ReviewTicket:
        """Record how the claimed compensation ended (`error` None for success)."""
        return self._finish(ticket_id, "compensation", error)

    def executed(
        self, workflow: str, *, since: datetime, until: datetime | None = None
    ) -> list[ReviewTicket]:
        """List the workflow's tickets whose action ran in a window, oldest first."""
        query = f"SELECT * FROM {TICKETS} WHERE workflow = ? AND executed_at >= ?"
        params: tuple[Any, ...] = (workflow, self.dialect.ts(since))
        if until is not None:
            query += " AND executed_at < ?"
            params += (self.dialect.ts(until),)
        with self._reading() as cur:
            rows = self._rows(cur, query + " ORDER BY executed_at, id", params)
        return [self._ticket(row) for row in rows]

    def decision_counts(self, workflow: str, *, since: datetime) -> DecisionCounts:
        """Count the workflow's person decisions made since an instant, and the overrides."""
        people = ", ".join(f"'{kind.value}'" for kind in sorted(PERSON_DECISIONS))
        overrides = ", ".join(f"'{kind.value}'" for kind in sorted(OVERRIDES))
        query = (
            f"SELECT COUNT(*) AS decisions, "
            f"COALESCE(SUM(CASE WHEN decision IN ({overrides}) THEN 1 ELSE 0 END), 0) "
            f"AS overrides FROM {TICKETS} "
            f"WHERE workflow = ? AND decided_at >= ? AND decision IN ({people})"
        )
        with self._reading() as cur:
            row = self._one(cur, query, (workflow, self.dialect.ts(since)))
        assert row is not None  # an aggregate always returns a row
        return DecisionCounts(int(row["decisions"]), int(row["overrides"]))

    def feedback(
        self,
        *,
        owner: str | None = None,
        field: str | None = None,
        workflow: str | None = None,
        limit: int | None = 100,
    ) -> list[Feedback]:
        """List feedback on misleading fields, newest first, optionally by owner or field."""
        where, params = _filters(owner=owner, field=field, workflow=workflow)
        query = f"SELECT * FROM {FEEDBACK}{where} ORDER BY decided_at DESC, ticket_id, field"
        with self._reading() as cur:
            rows = self._rows(cur, query + _limit(limit), params)
        return [self._feedback(row) for row in rows]

    def _insert(self, cur: Cursor, ticket: ReviewTicket) -> dict[str, Any] | None:
        body = ticket.model_dump(mode="json", exclude=set(_MUTABLE))
        params = (
            ticket.id,
            ticket.workflow,
            ticket.entity_id,
            ticket.recommendation.action,
            ticket.idempotency_key,
            self.dialect.json(body),
            self.dialect.ts(ticket.created_at),
        )
        try:
            return self._one(cur, _INSERT, params)
        except self.integrity_errors as exc:
            raise ReviewError(
                f"a ticket with id {ticket.id} is already filed; give each new ticket a fresh id"
            ) from exc

    def _locked(self, cur: Cursor, ticket_id: str) -> ReviewTicket:
        query = f"SELECT * FROM {TICKETS} WHERE id = ?{self.dialect.lock_clause}"
        row = self._one(cur, query, (ticket_id,))
        if row is None:
            raise unknown_ticket(ticket_id)
        return self._ticket(row)

    def _claim(
        self, cur: Cursor, ticket_id: str, column: str, record: ExecutionRecord
    ) -> dict[str, Any]:
        document = self.dialect.json(record.model_dump(mode="json"))
        params: tuple[Any, ...]
        if column == "execution":
            sets, params = "execution = ?, executed_at = ?", (document, self.dialect.ts(record.at))
        else:
            sets, params = f"{column} = ?", (document,)
        row = self._one(
            cur,
            f"UPDATE {TICKETS} SET {sets} WHERE id = ? AND {column} IS NULL RETURNING *",
            (*params, ticket_id),
        )
        assert row is not None  # locked and checked by the caller
        return row

    def _finish(self, ticket_id: str, column: str, error: str | None) -> ReviewTicket:
        with self._transaction() as cur:
            ticket = self._locked(cur, ticket_id)
            record = ticket.execution if column == "execution" else ticket.compensation
            if record is None or record.outcome != "started":
                raise TicketDecidedError(
                    f"ticket {ticket_id} has no {column} in progress to finish; claim it first"
                )
            outcome = "failed" if error else "succeeded"
            ended = record.model_copy(update={"outcome": outcome, "error": error})
            row = self._one(
                cur,
                f"UPDATE {TICKETS} SET {column} = ? WHERE id = ? RETURNING *",
                (self.dialect.json(ended.model_dump(mode="json")), ticket_id),
            )
            assert row is not None  # locked above
        logger.info("ticket %s %s %s", ticket_id, column, outcome)
        return self._ticket(row)

    def _record_feedback(self, cur: Cursor, ticket: ReviewTicket, at: datetime) -> None:
        for name in ticket.misleading_fields:
            held = ticket.provenance.get(name)
            self._exec(
                cur,
                _FEEDBACK_INSERT,
                (
                    ticket.id,
                    name,
                    held.owner if held else None,
                    held.source if held else None,
                    held.source_path if held else None,
                    ticket.workflow,
                    ticket.entity_id,
                    ticket.decision.value if ticket.decision else "",
                    ticket.reviewer or "",
                    ticket.note,
                    self.dialect.ts(at),
                ),
            )

    def _ticket(self, row: dict[str, Any]) -> ReviewTicket:
        data = dict(self.dialect.from_json(row["body"]))
        for name in _MUTABLE:
            data[name] = row[name]
        for name in _JSON:
            data[name] = self.dialect.from_json(row[name])
        for name in _TIMESTAMPS:
            data[name] = self.dialect.from_ts(row[name])
        data["misleading_fields"] = data["misleading_fields"] or []
        data["recheck_codes"] = data["recheck_codes"] or []
        return ReviewTicket.model_validate(data)

    def _feedback(self, row: dict[str, Any]) -> Feedback:
        data = {name: row[name] for name in Feedback.model_fields if name != "decided_at"}
        return Feedback.model_validate(
            {**data, "decided_at": self.dialect.from_ts(row["decided_at"])}
        )


_ATTACH = (
    f"UPDATE {TICKETS} SET proposals = proposals + 1 "
    "WHERE idempotency_key = ? AND status = 'pending' RETURNING *"
)
_INSERT = (
    f"INSERT INTO {TICKETS} (id, workflow, entity_id, action, idempotency_key, body, status, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) "
    "ON CONFLICT (idempotency_key) WHERE status = 'pending' DO NOTHING RETURNING *"
)
_DECIDE = (
    f"UPDATE {TICKETS} SET status = ?, decision = ?, decided_at = ?, reviewer = ?, note = ?, "
    "edited_arguments = ?, misleading_fields = ? WHERE id = ? AND status = 'pending' RETURNING *"
)
_FEEDBACK_INSERT = (
    f"INSERT INTO {FEEDBACK} (ticket_id, field, owner, source, source_path, workflow, "
    "entity_id, decision, reviewer, note, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _filters(**equal: str | None) -> tuple[str, tuple[Any, ...]]:
    """A WHERE clause matching every given column exactly, and its parameters."""
    given = {column: value for column, value in equal.items() if value is not None}
    if not given:
        return "", ()
    return " WHERE " + " AND ".join(f"{column} = ?" for column in given), tuple(given.values())


def _limit(limit: int | None) -> str:
    return "" if limit is None else f" LIMIT {int(limit)}"
