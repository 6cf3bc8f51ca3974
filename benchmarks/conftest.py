"""Collect the `bench_*.py` modules when pytest runs the benchmarks (`make bench`).

Each module is also a plain script (`python benchmarks/bench_core.py`) that prints its own
table; under pytest-benchmark its `test_*` functions time the same cases one by one.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Treat `bench_*.py` as test modules: pytest's default only collects `test_*.py`.

    A module named on the command line is collected by pytest itself, so it is left alone.
    """
    named = parent.session.isinitpath(file_path)
    if file_path.suffix == ".py" and file_path.name.startswith("bench_") and not named:
        return pytest.Module.from_parent(parent, path=file_path)
    return None
