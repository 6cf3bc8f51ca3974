"""Table sources (placeholder while the engine is written)."""
from __future__ import annotations
from pathlib import Path
from typing import Any

def connect_duckdb() -> Any:
    import duckdb
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con

def copy_options(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".parquet"):
        return "FORMAT PARQUET, COMPRESSION ZSTD"
    if name.endswith(".csv"):
        return "FORMAT CSV, HEADER"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "FORMAT JSON"
    raise ValueError(name)
