"""Compile the contract's typed conditions into three-valued SQL.

SQL's NULL logic (Kleene's) is the engine's: AND is false if any side is false and unknown
if any is unknown, OR the mirror, NOT keeps unknown. So a condition on a withheld or absent
field is NULL here exactly where `c360guard.engine.evaluate` returns None.

Values arrive as JSON text. Comparisons follow Python's, which the engine uses: `true == 1`,
`1 == 1.0`, a string never equals a number, and an ordering between a number and a string
(or a boolean) is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from c360guard.model import AllOf, AnyOf, Compare, Condition, Equals, Exists, In, Not, NotIn
from c360guard.model.condition import JSONScalar
from c360guard.readiness._dialect import Dialect
from c360guard.readiness._sqltext import number


@dataclass(frozen=True)
class FieldRef:
    """How SQL reads one field of a profile."""

    known: str
    """True when the field is admitted, so its value may be read."""
    present: str
    """True when the profile holds the field at all."""
    value: str
    """The admitted value as JSON text."""


def kind(value: str) -> str:
    """SQL naming the JSON type of a value text: null, string, bool, number or other."""
    text = f"trim({value})"
    return (
        f"(CASE WHEN {value} IS NULL OR {text} = 'null' THEN 'null' "
        f"WHEN substr({text}, 1, 1) = '\"' THEN 'string' "
        f"WHEN {text} IN ('true', 'false') THEN 'bool' "
        f"WHEN substr({text}, 1, 1) IN ('[', '{{') THEN 'other' ELSE 'number' END)"
    )


def as_number(value: str) -> str:
    """SQL reading a JSON number (or boolean, as 1 or 0) as a DOUBLE."""
    text = f"trim({value})"
    return (
        f"(CASE WHEN {text} = 'true' THEN CAST(1 AS DOUBLE) "
        f"WHEN {text} = 'false' THEN CAST(0 AS DOUBLE) ELSE TRY_CAST({text} AS DOUBLE) END)"
    )


def lifecycle_key(value: str, dialect: Dialect) -> str:
    """SQL for the text a lifecycle mapping is looked up with (Python's `str(value)`).

    Strings, booleans and integers match as the engine matches them; other numbers, lists
    and objects map to no state.
    """
    text = f"trim({value})"
    return (
        f"(CASE WHEN {value} IS NULL OR {text} = 'null' THEN NULL "
        f"WHEN substr({text}, 1, 1) = '\"' THEN {dialect.json_string(text)} "
        f"WHEN {text} = 'true' THEN 'True' WHEN {text} = 'false' THEN 'False' "
        f"WHEN TRY_CAST({text} AS BIGINT) IS NOT NULL AND {text} = "
        f"CAST(TRY_CAST({text} AS BIGINT) AS STRING) THEN {text} ELSE NULL END)"
    )


def equals(ref: FieldRef, expected: JSONScalar, dialect: Dialect) -> str:
    """SQL for `value == expected` (two-valued; read only where the field is known)."""
    typed = kind(ref.value)
    if expected is None:
        return f"({typed} = 'null')"
    if isinstance(expected, str):
        return f"({typed} = 'string' AND {dialect.json_string(f'trim({ref.value})')} = " + (
            f"{dialect.text(expected)})"
        )
    amount = float(expected)  # True == 1 and 1 == 1.0, as in Python
    return f"({typed} IN ('bool', 'number') AND {as_number(ref.value)} = {number(amount)})"


def one_of(ref: FieldRef, values: list[JSONScalar], dialect: Dialect) -> str:
    """SQL for `value in values` (two-valued)."""
    return "(" + " OR ".join(f"COALESCE({equals(ref, v, dialect)}, FALSE)" for v in values) + ")"


def compile_condition(condition: Condition, refs: Mapping[str, FieldRef], dialect: Dialect) -> str:
    """SQL that is TRUE, FALSE or NULL (unknown) exactly where the engine's evaluate is."""
    if isinstance(condition, AllOf):
        return "(" + " AND ".join(compile_condition(c, refs, dialect) for c in condition.all) + ")"
    if isinstance(condition, AnyOf):
        return "(" + " OR ".join(compile_condition(c, refs, dialect) for c in condition.any) + ")"
    if isinstance(condition, Not):
        return f"(NOT {compile_condition(condition.not_, refs, dialect)})"
    ref = refs[condition.field]
    if isinstance(condition, Exists):
        found, missing = ("TRUE", "FALSE") if condition.exists else ("FALSE", "TRUE")
        return (
            f"(CASE WHEN {ref.known} THEN {found} WHEN {ref.present} THEN NULL ELSE {missing} END)"
        )
    if isinstance(condition, Equals):
        test = f"COALESCE({equals(ref, condition.equals, dialect)}, FALSE)"
    elif isinstance(condition, In):
        test = one_of(ref, condition.in_, dialect)
    elif isinstance(condition, NotIn):
        test = f"(NOT {one_of(ref, condition.not_in, dialect)})"
    else:
        return _compare(condition, ref, dialect)
    return f"(CASE WHEN {ref.known} THEN {test} ELSE NULL END)"


def _compare(condition: Compare, ref: FieldRef, dialect: Dialect) -> str:
    """Bounds in the engine's order: the first incomparable bound makes it unknown."""
    typed = kind(ref.value)
    steps = [f"WHEN NOT ({ref.known}) THEN NULL"]
    for bound, operator in (
        (condition.gt, ">"),
        (condition.gte, ">="),
        (condition.lt, "<"),
        (condition.lte, "<="),
    ):
        if bound is None:
            continue
        if isinstance(bound, str):
            comparable = f"{typed} = 'string'"
            passes = f"{dialect.json_string(f'trim({ref.value})')} {operator} {dialect.text(bound)}"
        else:
            comparable = f"{typed} = 'number'"
            passes = f"{as_number(ref.value)} {operator} {number(bound)}"
        steps += [f"WHEN NOT ({comparable}) THEN NULL", f"WHEN NOT ({passes}) THEN FALSE"]
    return "(CASE " + " ".join(steps) + " ELSE TRUE END)"
