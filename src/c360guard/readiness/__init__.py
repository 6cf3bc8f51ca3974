"""The workflow survival test: how ready a whole Customer 360 is for one workflow.

`survival_test(contract, profiles)` screens every profile with the guard's own rules (in
memory) or the same rules compiled to SQL (DuckDB, Spark), and returns a `ReadinessReport`:
pass, warn or fail on the eight dimensions, per-field coverage, the readiness level and the
next move.
"""

from c360guard.readiness._api import ENGINES, Engine, survival_test
from c360guard.readiness._generator import DefectRates, GeneratedData, generate_customer360
from c360guard.readiness._table import TableSource
from c360guard.readiness.report import (
    CheckResult,
    DimensionResult,
    FieldCoverage,
    NextMove,
    ReadinessReport,
    Requirement,
    Severity,
    Status,
    Thresholds,
)

__all__ = [
    "ENGINES",
    "CheckResult",
    "DefectRates",
    "DimensionResult",
    "Engine",
    "FieldCoverage",
    "GeneratedData",
    "NextMove",
    "ReadinessReport",
    "Requirement",
    "Severity",
    "Status",
    "TableSource",
    "Thresholds",
    "generate_customer360",
    "survival_test",
]
