"""A process killed in the middle of a transaction leaves the queue consistent."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from review_helpers import NOW, Stores, make_ticket

from c360guard.model import ReviewDecision, TicketStatus
from c360guard.review import is_postgres

WORKER = Path(__file__).with_name("review_worker.py")


def _kill_mid_transaction(db: str, *args: str) -> None:
    """Run a worker until it reports being inside a transaction, then SIGKILL it."""
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), db, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert line == "in-transaction", proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == -signal.SIGKILL


def _assert_sqlite_intact(db: str) -> None:
    if is_postgres(db):
        return
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_killed_submit_leaves_no_ticket_and_blocks_nothing(stores: Stores) -> None:
    queue = stores.queue()

    _kill_mid_transaction(stores.db, "crash-in-submit", "dying")

    assert queue.tickets(limit=None) == []
    filed = queue.submit(make_ticket("acct_crash"))
    assert filed.proposals == 1
    _assert_sqlite_intact(stores.db)


def test_killed_decision_leaves_the_ticket_pending_and_decidable(stores: Stores) -> None:
    queue = stores.queue()
    ticket = queue.submit(make_ticket())

    _kill_mid_transaction(stores.db, "crash-in-decide", "dying", ticket.id)

    survivor = queue.get(ticket.id)
    assert survivor.status is TicketStatus.PENDING
    assert survivor.reviewer is None
    assert queue.feedback() == []
    decided = queue.decide(ticket.id, ReviewDecision.approve("ana"), at=NOW)
    assert decided.reviewer == "ana"
    _assert_sqlite_intact(stores.db)


@pytest.mark.parametrize("mode", ["crash-in-submit"])
def test_the_store_reopens_after_a_crash(stores: Stores, mode: str) -> None:
    stores.queue()
    _kill_mid_transaction(stores.db, mode, "dying")

    reopened = stores.queue()

    assert reopened.tickets(limit=None) == []
