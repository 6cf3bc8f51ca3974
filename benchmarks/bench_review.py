"""Review queue throughput: tickets filed per second and decisions per second.

Runs SQLite and PostgreSQL with 1 and 8 concurrent writers (separate processes, as agent
replicas and reviewers are), and reports each rate and its ratio to SQLite with one writer,
measured in the same run.

    make bench-review                        # starts a throwaway PostgreSQL for the run
    python benchmarks/bench_review.py --tickets 300 --dsn postgresql://...

PostgreSQL is skipped (and says so) when no DSN is given and C360GUARD_TEST_PG_DSN is unset.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from c360guard.model import Reason, Recommendation, ReviewDecision, ReviewTicket
from c360guard.review import idempotency_key, open_queue

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
WRITERS = (1, 8)


def _ticket(writer: int, index: int) -> ReviewTicket:
    recommendation = Recommendation(
        action="route_expansion",
        arguments={"owner": f"owner-{writer}-{index}@example.com"},
        reasons=[Reason(code="USAGE_SPIKE", fields=["usage_change_30d"])],
        confidence=0.6,
    )
    entity = f"acct_{writer}_{index}"
    return ReviewTicket(
        id=uuid.uuid4().hex,
        workflow="bench",
        contract_version=1,
        contract_digest="sha256:bench",
        entity_id=entity,
        recommendation=recommendation,
        idempotency_key=idempotency_key(
            "bench", entity, "route_expansion", recommendation.arguments
        ),
        created_at=NOW,
    )


def _worker(db: str, writer: int, count: int, start: Any, results: Any) -> None:
    """File `count` tickets, then decide them, timing each phase on the wall clock."""
    queue = open_queue(db)
    tickets = [_ticket(writer, index) for index in range(count)]
    start.wait()
    began = time.time()
    for ticket in tickets:
        queue.submit(ticket)
    filed = time.time()
    start.wait()
    decided_from = time.time()
    for index, ticket in enumerate(tickets):
        decision = (
            ReviewDecision.approve("bench") if index % 2 else ReviewDecision.reject("bench", "no")
        )
        queue.decide(ticket.id, decision, at=NOW)
    results.put((began, filed, decided_from, time.time()))


def measure(db: str, writers: int, count: int) -> tuple[float, float]:
    """Tickets filed per second and decisions per second with `writers` processes."""
    open_queue(db)  # create the tables before the writers race
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(writers), context.Queue()
    procs = [
        context.Process(target=_worker, args=(db, writer, count, start, results))
        for writer in range(writers)
    ]
    for proc in procs:
        proc.start()
    spans = [results.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
    total = writers * count
    filing = max(span[1] for span in spans) - min(span[0] for span in spans)
    deciding = max(span[3] for span in spans) - min(span[2] for span in spans)
    return total / filing, total / deciding


def _postgres_schema(dsn: str) -> tuple[str, str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in dsn else "?"
    return schema, f"{dsn}{separator}options={quote(f'-csearch_path={schema}')}"


def _drop_schema(dsn: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=400, help="tickets per writer")
    parser.add_argument("--dsn", default=os.environ.get("C360GUARD_TEST_PG_DSN"))
    args = parser.parse_args()

    rows: list[tuple[str, int, float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        for writers in WRITERS:
            db = str(Path(folder) / f"bench-{writers}.db")
            rows.append(("sqlite", writers, *measure(db, writers, args.tickets)))
    if args.dsn:
        for writers in WRITERS:
            schema, dsn = _postgres_schema(args.dsn)
            try:
                rows.append(("postgresql", writers, *measure(dsn, writers, args.tickets)))
            finally:
                _drop_schema(args.dsn, schema)
    else:
        print("postgresql: skipped (give --dsn or set C360GUARD_TEST_PG_DSN)")

    base_filed, base_decided = rows[0][2], rows[0][3]
    print(f"{args.tickets} tickets per writer; ratios against sqlite with 1 writer")
    print(
        f"{'backend':<11} {'writers':>7} {'filed/s':>9} {'ratio':>6} {'decided/s':>10} {'ratio':>6}"
    )
    for backend, writers, filed, decided in rows:
        print(
            f"{backend:<11} {writers:>7} {filed:>9.0f} {filed / base_filed:>6.2f} "
            f"{decided:>10.0f} {decided / base_decided:>6.2f}"
        )


if __name__ == "__main__":
    main()
