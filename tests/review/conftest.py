"""Fixtures for the review tests: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from `C360GUARD_TEST_PG_DSN` (which `make test` exports after starting a
throwaway server with scripts/postgres.sh), else from a server this suite starts itself
with that script. Each test gets its own PostgreSQL schema, so tests never see each other.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from review_helpers import NOW, ROOT, Stores, make_contract, make_profile, make_recommendation

from c360guard import FrozenClock, Guard
from c360guard.model import Contract, ReviewTicket
from c360guard.review import PauseStore, ReviewQueue

SCRIPT = ROOT / "scripts" / "postgres.sh"

# --- PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The DSN of a PostgreSQL server on loopback; skips, saying why, when none can start."""
    given = os.environ.get("C360GUARD_TEST_PG_DSN")
    if given:
        yield given
        return
    unavailable = os.environ.get("C360GUARD_TEST_PG_UNAVAILABLE")
    if unavailable:
        pytest.skip(f"no PostgreSQL server: {unavailable}")
    running = _script("dsn")
    if running.returncode == 0 and running.stdout.strip():
        yield running.stdout.strip()
        return
    # Installing packages is `make test`'s job; from pytest only start what is installed.
    started = _script("start", C360GUARD_PG_INSTALL="0")
    if started.returncode != 0 or not started.stdout.strip():
        why = started.stderr.strip().splitlines()[-1:] or ["unknown error"]
        pytest.skip(
            "no PostgreSQL server could be started by scripts/postgres.sh "
            f"({why[0]}); run `make test`, or set C360GUARD_TEST_PG_DSN"
        )
    try:
        yield started.stdout.strip()
    finally:
        _script("stop")


def _script(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
        check=False,
    )


@pytest.fixture
def pg_dsn(pg_server: str) -> Iterator[str]:
    """A DSN whose search path is a fresh schema, dropped after the test."""
    psycopg = pytest.importorskip("psycopg")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in pg_server else "?"
    yield f"{pg_server}{separator}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


# --- both backends ------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A `--db` value: a SQLite file, or a PostgreSQL DSN with its own schema."""
    if request.param == "sqlite":
        return str(tmp_path / "reviews.db")
    return str(request.getfixturevalue("pg_dsn"))


@pytest.fixture
def stores(db: str) -> Iterator[Stores]:
    """Open stores on the test database; all closed at the end of the test."""
    opened = Stores(db)
    yield opened
    opened.close()


@pytest.fixture
def queue(stores: Stores) -> ReviewQueue:
    """A review queue on the test database."""
    return stores.queue()


@pytest.fixture
def pause_store(stores: Stores) -> PauseStore:
    """A pause store on the test database."""
    return stores.pause_store()


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at NOW; tests move it."""
    return FrozenClock(NOW)


@pytest.fixture
def contract() -> Contract:
    """The review contract."""
    return make_contract()


@pytest.fixture
def guard(
    contract: Contract, queue: ReviewQueue, pause_store: PauseStore, clock: FrozenClock
) -> Guard:
    """A Guard on the test stores, judging at the frozen clock."""
    return Guard(contract, clock=clock, review_queue=queue, pause_store=pause_store)


@pytest.fixture
def file_ticket(guard: Guard) -> Callable[..., ReviewTicket]:
    """File a routing proposal through the Guard and return its ticket."""

    def file(entity_id: str = "acct_42", **arguments: Any) -> ReviewTicket:
        screening = guard.screen(make_profile(entity_id))
        verdict = guard.check(make_recommendation(**arguments), screening)
        assert verdict.ticket is not None, verdict.codes
        return verdict.ticket

    return file
