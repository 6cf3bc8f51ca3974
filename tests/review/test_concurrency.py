"""Many threads and several processes filing and deciding at once: nothing lost, no duplicate,
never two winning decisions."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from review_helpers import NOW, Stores, make_ticket

from c360guard.errors import TicketDecidedError
from c360guard.model import ReviewDecision, TicketStatus

WORKER = Path(__file__).with_name("review_worker.py")
THREADS = 8
PROCESSES = 4


def _together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in `count` threads released at the same instant; return results or errors."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as exc:  # collected and asserted on by the test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_threads_filing_one_proposal_share_one_ticket(stores: Stores) -> None:
    queues = [stores.queue() for _ in range(2)]  # two replicas, several threads each

    results = _together(THREADS, lambda i: queues[i % 2].submit(make_ticket()))

    assert {ticket.id for ticket in results} == {results[0].id}
    assert queues[0].get(results[0].id).proposals == THREADS
    assert len(queues[0].tickets()) == 1


def test_threads_filing_distinct_proposals_lose_none(stores: Stores) -> None:
    queue = stores.queue()
    per_thread = 10

    results = _together(
        THREADS,
        lambda i: [queue.submit(make_ticket(f"acct_{i}_{n}")).id for n in range(per_thread)],
    )

    filed = [ticket_id for batch in results for ticket_id in batch]
    assert len(set(filed)) == THREADS * per_thread
    assert {t.id for t in queue.tickets(limit=None)} == set(filed)


def test_threads_deciding_one_ticket_have_exactly_one_winner(stores: Stores) -> None:
    queue = stores.queue()
    ticket = queue.submit(make_ticket())

    def decide(index: int) -> Any:
        decision = (
            ReviewDecision.approve(f"reviewer-{index}")
            if index % 2
            else ReviewDecision.reject(f"reviewer-{index}", "no", misleading_fields=["arr"])
        )
        return queue.decide(ticket.id, decision, at=NOW)

    results = _together(THREADS, decide)

    winners = [result for result in results if not isinstance(result, Exception)]
    losers = [result for result in results if isinstance(result, Exception)]
    assert len(winners) == 1
    assert all(isinstance(loser, TicketDecidedError) for loser in losers)
    stored = queue.get(ticket.id)
    assert stored.reviewer == winners[0].reviewer
    assert len(queue.feedback()) == (1 if stored.status is TicketStatus.REJECTED else 0)


def _workers(db: str, commands: list[list[str]]) -> list[Any]:
    """Start one worker process per command, release them together, return their outputs."""
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), db, *command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr
    outputs = []
    for proc in procs:
        out, err = proc.communicate("go\n", timeout=300)
        assert proc.returncode == 0, err
        outputs.append(json.loads(out))
    return outputs


@pytest.mark.slow
def test_processes_filing_and_deciding_lose_nothing_and_never_double_decide(
    stores: Stores, tmp_path: Path
) -> None:
    shared, unique = 15, 10
    queue = stores.queue()  # creates the tables before the workers race

    filed = _workers(
        stores.db, [["file", f"w{n}", str(shared), str(unique)] for n in range(PROCESSES)]
    )

    for index in range(shared):
        assert len({batch[f"shared-{index}"] for batch in filed}) == 1
    tickets = queue.tickets(limit=None)
    assert len(tickets) == shared + PROCESSES * unique
    assert all(t.proposals == PROCESSES for t in tickets if t.entity_id.startswith("acct_shared"))

    ids_file = tmp_path / "ids.json"
    ids_file.write_text(json.dumps([ticket.id for ticket in tickets]), encoding="utf-8")
    won = _workers(stores.db, [["decide", f"r{n}", str(ids_file)] for n in range(PROCESSES)])

    wins = Counter(ticket_id for batch in won for ticket_id in batch)
    assert set(wins) == {ticket.id for ticket in tickets}
    assert set(wins.values()) == {1}
    winner_of = {ticket_id: f"r{n}" for n, batch in enumerate(won) for ticket_id in batch}
    for ticket in queue.tickets(limit=None):
        assert ticket.status is not TicketStatus.PENDING
        assert ticket.reviewer == winner_of[ticket.id]
    rejected = [t for t in queue.tickets(limit=None) if t.status is TicketStatus.REJECTED]
    assert len(queue.feedback(limit=None)) == len(rejected)
