"""The survival test at table scale: DuckDB against the row-by-row guard, 10k to 1M profiles.

For each size the generator writes a Customer 360 once (cached under `.bench-data/`, keyed by
size and seed), then each engine judges it in a fresh child process, so its wall time and its
peak resident memory are its own. The baseline is the in-memory engine (the guard screening
one Profile at a time) on the same table in the same run; the figure that matters is the
ratio. The target (issue 7): DuckDB under a minute and under 4 GB for 1,000,000 profiles x
40 fields on 2 cores.

    .venv/bin/python benchmarks/bench_readiness.py                 # 10k, 100k, 1M
    .venv/bin/python benchmarks/bench_readiness.py --sizes 10000 100000 --memory-up-to 100000

The in-memory engine takes minutes at 1M, so by default it runs up to 1M only when asked:
`--memory-up-to 1000000`. DuckDB's own memory limit can be set with `--duckdb-memory 3GB`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from c360guard.readiness import generate_customer360

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".bench-data"
CONTRACT = ROOT / "examples" / "readiness" / "account_nudges.yaml"
AT = "2026-12-01T00:00:00+00:00"
SEED = 11

# Runs in the child: judge the table with one engine and print what it found as JSON.
_CHILD = """
import hashlib, json, resource, sys, time
from datetime import datetime
from c360guard.readiness import survival_test
contract, table, engine, at, limit = sys.argv[1:6]
started = time.perf_counter()
report = survival_test(contract, table, engine=engine, at=datetime.fromisoformat(at),
                       memory_limit=limit or None)
elapsed = time.perf_counter() - started
digest = hashlib.sha256(report.model_dump_json().encode()).hexdigest()[:16]
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
print(json.dumps({"seconds": elapsed, "level": report.level.value, "report": digest,
                  "peak_mib": peak_mib}))
"""


def table_for(size: int) -> tuple[Path, float | None]:
    """The generated table of `size` profiles, and how long generating it took (None: cached)."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"c360-{size}-{SEED}.parquet"
    if path.exists():
        return path, None
    started = time.perf_counter()
    generate_customer360(path, profiles=size, seed=SEED, at=datetime.fromisoformat(AT))
    return path, time.perf_counter() - started


def judge(table: Path, engine: str, memory_limit: str) -> dict[str, Any]:
    """Run one engine over `table` in a child process: its report summary, time and peak RSS."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(CONTRACT), str(table), engine, AT, memory_limit],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    wall = time.perf_counter() - started
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = wall
    return result


def main() -> int:
    """Generate, judge with each engine, and print one line per (size, engine) and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--memory-up-to", type=int, default=100_000)
    parser.add_argument("--duckdb-memory", default="")
    args = parser.parse_args()

    print(f"cores: {os.cpu_count()}; contract: {CONTRACT.name}; judged at {AT}")
    rows = []
    for size in sorted(args.sizes):
        table, generated = table_for(size)
        megabytes = table.stat().st_size / 1e6
        made = f"generated in {generated:.1f} s" if generated is not None else "cached"
        print(f"\n{size:>9,} profiles: {table.name} ({megabytes:.0f} MB, {made})")
        duck = judge(table, "duckdb", args.duckdb_memory)
        line = _line("duckdb", duck)
        memory = judge(table, "memory", "") if size <= args.memory_up_to else None
        if memory is not None:
            line += "\n" + _line("memory", memory)
            agree = memory["report"] == duck["report"]
            slower = memory["seconds"] / duck["seconds"]
            line += f"\n  memory / duckdb: {slower:.1f}x"
            line += f"; identical reports: {agree}"
        print(line)
        rows.append((size, duck, memory))

    if len(rows) > 1:
        print("\ngrowth (DuckDB engine seconds, relative to the smallest size):")
        base_size, base, _ = rows[0]
        for size, duck, _ in rows:
            ratio = duck["seconds"] / base["seconds"]
            growth = size / base_size
            print(f"  {size:>9,}: {duck['seconds']:.2f} s = {ratio:.1f}x for {growth:.0f}x data")
    return 0


def _line(engine: str, result: dict[str, Any]) -> str:
    memory = f"{result['peak_mib']:,.0f} MiB peak RSS"
    return (
        f"  {engine:<7} {result['seconds']:8.2f} s judging ({result['wall']:.2f} s with start-up), "
        f"{memory}; level {result['level']}"
    )


if __name__ == "__main__":
    sys.exit(main())
