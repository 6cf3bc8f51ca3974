"""The few spellings DuckDB and Spark SQL disagree on; every query is written once above them."""

from __future__ import annotations

from dataclasses import dataclass

from c360guard.readiness._sqltext import literal

_OFFSET = "(Z|z|[+-][0-9][0-9](:?[0-9][0-9])?)$"
"""A timestamp text ends with a UTC offset (`Z`, `+02`, `+0200`, `+02:00`)."""


@dataclass(frozen=True)
class Dialect:
    """How one SQL engine spells the functions the survival test needs."""

    name: str
    backslash_escapes: bool
    """Whether string literals read backslashes as escapes (Spark) or not (DuckDB)."""

    def text(self, value: str) -> str:
        """Quote a string literal."""
        return literal(value, backslash_escapes=self.backslash_escapes)

    def json_string(self, expr: str) -> str:
        """The string a JSON string literal holds, unescaped."""
        if self.name == "spark":
            return f"get_json_object({expr}, '$')"
        return f"json_extract_string({expr}, '$')"

    def json_valid(self, expr: str) -> str:
        """True when the text is one valid JSON value."""
        if self.name == "spark":
            return (
                f"(get_json_object(concat('[', {expr}, ']'), '$[0]') IS NOT NULL "
                f"OR trim({expr}) = 'null')"
            )
        return f"json_valid({expr})"

    def epoch_micros(self, expr: str) -> str:
        """Microseconds since the epoch of an ISO 8601 text, NULL when it does not parse."""
        if self.name == "spark":
            return f"unix_micros(try_to_timestamp({expr}))"
        return f"epoch_us(TRY_CAST({expr} AS TIMESTAMPTZ))"

    def has_offset(self, expr: str) -> str:
        """True when a timestamp text carries a UTC offset."""
        if self.name == "spark":
            return f"({expr} RLIKE '{_OFFSET}')"
        return f"regexp_matches({expr}, '{_OFFSET}')"

    def hash(self, *exprs: str) -> str:
        """A 64-bit hash of several texts (used only to compare rows of one entity)."""
        joined = ", ".join(exprs)
        return f"xxhash64({joined})" if self.name == "spark" else f"hash({joined})"


DUCKDB = Dialect("duckdb", backslash_escapes=False)
SPARK = Dialect("spark", backslash_escapes=True)
