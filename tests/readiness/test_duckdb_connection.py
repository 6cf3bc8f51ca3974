"""The DuckDB connection the survival test opens behaves like a library, not a shell."""

from __future__ import annotations

import pytest

pytest.importorskip("duckdb")

from c360guard.readiness._table import connect_duckdb


def test_duckdb_never_draws_its_progress_bar_on_the_callers_stdout() -> None:
    con = connect_duckdb()
    try:
        (enabled,) = con.execute("SELECT current_setting('enable_progress_bar')").fetchone()
        (zone,) = con.execute("SELECT current_setting('TimeZone')").fetchone()
    finally:
        con.close()
    assert enabled is False
    assert zone == "UTC"


def test_a_memory_limit_is_passed_to_duckdb() -> None:
    con = connect_duckdb(memory_limit="512MB")
    try:
        (limit,) = con.execute("SELECT current_setting('memory_limit')").fetchone()
    finally:
        con.close()
    assert limit == "488.2 MiB"  # DuckDB reads MB as 10^6 bytes and reports MiB
