"""Fixtures for the survival-test suite: a small generated Customer 360."""

from __future__ import annotations

from pathlib import Path

import pytest
from readiness_tables import AT, CONTRACT

from c360guard.model import Contract, load_contract
from c360guard.readiness import DefectRates, GeneratedData, generate_customer360


@pytest.fixture(scope="session")
def nudges() -> Contract:
    """The generator's companion contract."""
    return load_contract(CONTRACT)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GeneratedData:
    """400 accounts with every kind of defect planted, as Parquet."""
    folder = tmp_path_factory.mktemp("c360")
    rates = DefectRates(grain_mismatch=0.02, fuzzy_merge=0.02, sentinel_id=0.02)
    return generate_customer360(folder / "c360.parquet", profiles=400, seed=11, at=AT, rates=rates)


@pytest.fixture(scope="session")
def generated_csv(generated: GeneratedData) -> Path:
    """The same rows as CSV."""
    import duckdb

    target = generated.path.with_suffix(".csv")
    duckdb.sql(f"COPY (SELECT * FROM read_parquet('{generated.path}')) TO '{target}' (HEADER)")
    return target
