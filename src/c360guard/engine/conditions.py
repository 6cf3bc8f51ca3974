"""Three-valued evaluation of contract conditions over admitted values."""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Mapping
from typing import Any

from c360guard.model import AllOf, AnyOf, Compare, Condition, Equals, Exists, In, Not, NotIn

Truth = bool | None
"""True, False, or None for unknown (the field was withheld or is absent)."""


class FieldView:
    """What a condition may read: admitted values, and which fields were present at all."""

    __slots__ = ("_present", "_values")

    def __init__(self, values: Mapping[str, Any], present: Collection[str]) -> None:
        self._values = values
        self._present = present

    def known(self, name: str) -> bool:
        """True when the field was admitted, so its value may be read."""
        return name in self._values

    def value(self, name: str) -> Any:
        """The admitted value of a field (call `known` first)."""
        return self._values[name]

    def present(self, name: str) -> bool:
        """True when the profile held the field at all, admitted or withheld."""
        return name in self._present


def evaluate(condition: Condition, view: FieldView) -> Truth:
    """Evaluate a condition; unknown (None) when it reads a withheld or absent field."""
    if isinstance(condition, AllOf):
        return _all(evaluate(inner, view) for inner in condition.all)
    if isinstance(condition, AnyOf):
        return _any(evaluate(inner, view) for inner in condition.any)
    if isinstance(condition, Not):
        inner = evaluate(condition.not_, view)
        return None if inner is None else not inner
    if isinstance(condition, Exists):
        return _exists(condition, view)
    if not view.known(condition.field):
        return None
    value = view.value(condition.field)
    if isinstance(condition, Equals):
        return json_equal(value, condition.equals)
    if isinstance(condition, In):
        return json_in(value, condition.in_)
    if isinstance(condition, NotIn):
        return not json_in(value, condition.not_in)
    return _compare(condition, value)


def json_equal(left: Any, right: Any) -> bool:
    """Compare two JSON values as JSON does: `true` is not `1`, `1` is `1.0`."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return bool(left == right)


def json_in(value: Any, options: list[Any]) -> bool:
    """True when a JSON value equals one of the options, by `json_equal`."""
    if type(value) is str:  # text equals only text, so plain membership is the same test
        return value in options
    return any(json_equal(value, option) for option in options)


def _exists(condition: Exists, view: FieldView) -> Truth:
    if view.known(condition.field):
        found: Truth = True
    elif view.present(condition.field):
        return None  # held but withheld: whether it "really" exists is not known
    else:
        found = False
    return found if condition.exists else not found


def _compare(condition: Compare, value: Any) -> Truth:
    checks: tuple[tuple[Any, Callable[[Any, Any], bool]], ...] = (
        (condition.gt, operator.gt),
        (condition.gte, operator.ge),
        (condition.lt, operator.lt),
        (condition.lte, operator.le),
    )
    for bound, passes in checks:
        if bound is None:
            continue
        if isinstance(value, bool) or not _comparable(value, bound):
            return None  # a type the bound cannot be compared with tells us nothing
        if not passes(value, bound):
            return False
    return True


def _comparable(value: Any, bound: Any) -> bool:
    numbers = (int, float)
    return (isinstance(value, numbers) and isinstance(bound, numbers)) or (
        isinstance(value, str) and isinstance(bound, str)
    )


def _all(truths: Any) -> Truth:
    result: Truth = True
    for truth in truths:
        if truth is False:
            return False
        if truth is None:
            result = None
    return result


def _any(truths: Any) -> Truth:
    result: Truth = False
    for truth in truths:
        if truth is True:
            return True
        if truth is None:
            result = None
    return result
