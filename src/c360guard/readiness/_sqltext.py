"""Quote values into SQL text, the one place a contract's words become SQL."""

from __future__ import annotations

import math


def literal(text: str, *, backslash_escapes: bool = False) -> str:
    """Quote a string as a SQL literal; Spark SQL also reads backslashes as escapes."""
    body = text.replace("\\", "\\\\") if backslash_escapes else text
    return "'" + body.replace("'", "''") + "'"


def number(value: float) -> str:
    """Write a finite number as a DOUBLE literal both DuckDB and Spark read exactly."""
    if isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    return f"CAST({float(value)!r} AS DOUBLE)"
