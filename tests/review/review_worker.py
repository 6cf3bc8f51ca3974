"""A separate process working on one review store, driven by the concurrency and crash tests.

    python review_worker.py DB file NAME SHARED UNIQUE   file proposals; print the ticket ids
    python review_worker.py DB decide NAME IDS_FILE      decide every ticket; print the wins
    python review_worker.py DB crash-in-submit NAME      die (when killed) mid-transaction
    python review_worker.py DB crash-in-decide NAME ID   same, while deciding ticket ID

Workers print `ready`, wait for a line on stdin, then work, so that every worker of a test
starts at once; results go to stdout as one JSON document.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from review_helpers import NOW, make_ticket

from c360guard.errors import TicketDecidedError
from c360guard.model import ReviewDecision
from c360guard.review import open_queue
from c360guard.review._sql import SqlReviewQueue


def _file(db: str, name: str, shared: int, unique: int) -> dict[str, Any]:
    queue = open_queue(db)
    filed: dict[str, str] = {}
    for index in range(shared):
        filed[f"shared-{index}"] = queue.submit(make_ticket(f"acct_shared_{index}")).id
    for index in range(unique):
        filed[f"{name}-{index}"] = queue.submit(make_ticket(f"acct_{name}_{index}")).id
    return filed


def _decide(db: str, name: str, ids_file: str) -> list[str]:
    queue = open_queue(db)
    won = []
    with open(ids_file, encoding="utf-8") as handle:
        ticket_ids = json.load(handle)
    for index, ticket_id in enumerate(ticket_ids):
        decision = (
            ReviewDecision.approve(name)
            if index % 2
            else ReviewDecision.reject(name, "not now", misleading_fields=["arr"])
        )
        try:
            queue.decide(ticket_id, decision, at=NOW)
        except TicketDecidedError:
            continue
        won.append(ticket_id)
    return won


def _hang_after(method: str) -> None:
    """Make `method` of the SQL queue announce it is mid-transaction, then wait to be killed."""
    original = getattr(SqlReviewQueue, method)

    def hanging(self: SqlReviewQueue, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        print("in-transaction", flush=True)
        time.sleep(600)
        return result

    setattr(SqlReviewQueue, method, hanging)


def main(argv: list[str]) -> None:
    db, mode, name, *rest = argv
    if mode.startswith("crash-in-"):
        queue = open_queue(db)
        if mode == "crash-in-submit":
            _hang_after("_insert")
            queue.submit(make_ticket("acct_crash"))
        else:
            _hang_after("_record_feedback")
            decision = ReviewDecision.reject(name, "dying", misleading_fields=["arr"])
            queue.decide(rest[0], decision, at=NOW)
        return
    print("ready", flush=True)
    sys.stdin.readline()
    if mode == "file":
        result: Any = _file(db, name, int(rest[0]), int(rest[1]))
    else:
        result = _decide(db, name, rest[0])
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
