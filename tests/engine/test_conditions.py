"""Conditions are three-valued: a withheld or absent field makes them unknown, not false."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from c360guard.engine import FieldView, evaluate
from c360guard.model import Condition

_CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)

# region is admitted; consent is held but withheld; score is admitted; holdout is absent.
VIEW = FieldView(
    {"region": "EU", "score": 42, "renewal": "2027-01-31"},
    {"region", "score", "renewal", "consent"},
)


def _eval(data: dict[str, Any]) -> bool | None:
    return evaluate(_CONDITION.validate_python(data), VIEW)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "region", "equals": "EU"}, True),
        ({"field": "region", "equals": "US"}, False),
        ({"field": "region", "in": ["EU", "UK"]}, True),
        ({"field": "region", "in": ["US"]}, False),
        ({"field": "region", "not_in": ["US"]}, True),
        ({"field": "region", "not_in": ["EU"]}, False),
        ({"field": "score", "gt": 40}, True),
        ({"field": "score", "gte": 42, "lte": 42}, True),
        ({"field": "score", "lt": 42}, False),
        ({"field": "score", "gt": 10, "lt": 20}, False),
        ({"field": "renewal", "lt": "2027-03-01"}, True),
    ],
)
def test_condition_on_admitted_field_is_known(condition, expected):
    assert _eval(condition) is expected


@pytest.mark.parametrize("field", ["consent", "holdout"])
@pytest.mark.parametrize(
    "form",
    [
        {"equals": "granted"},
        {"in": ["granted"]},
        {"not_in": ["granted"]},
        {"gt": 1},
    ],
)
def test_condition_on_withheld_or_absent_field_is_unknown(field, form):
    assert _eval({"field": field, **form}) is None


def test_exists_knows_absence():
    assert _eval({"field": "holdout", "exists": True}) is False
    assert _eval({"field": "holdout", "exists": False}) is True


def test_exists_on_admitted_field_is_true():
    assert _eval({"field": "region", "exists": True}) is True
    assert _eval({"field": "region", "exists": False}) is False


def test_exists_on_withheld_field_is_unknown():
    assert _eval({"field": "consent", "exists": True}) is None
    assert _eval({"field": "consent", "exists": False}) is None


def test_comparison_with_incomparable_value_is_unknown():
    assert _eval({"field": "region", "gt": 3}) is None
    assert _eval({"field": "score", "gt": "a"}) is None


def test_comparison_treats_a_boolean_as_incomparable():
    view = FieldView({"flag": True}, {"flag"})

    truth = evaluate(_CONDITION.validate_python({"field": "flag", "gt": 0}), view)

    assert truth is None


TRUE = {"field": "region", "equals": "EU"}
FALSE = {"field": "region", "equals": "US"}
UNKNOWN = {"field": "consent", "equals": "granted"}


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([TRUE, TRUE], True),
        ([TRUE, FALSE], False),
        ([TRUE, UNKNOWN], None),
        ([FALSE, UNKNOWN], False),
        ([UNKNOWN, FALSE], False),
    ],
)
def test_all_is_false_beats_unknown_beats_true(parts, expected):
    assert _eval({"all": parts}) is expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([FALSE, FALSE], False),
        ([TRUE, FALSE], True),
        ([FALSE, UNKNOWN], None),
        ([TRUE, UNKNOWN], True),
        ([UNKNOWN, TRUE], True),
    ],
)
def test_any_is_true_beats_unknown_beats_false(parts, expected):
    assert _eval({"any": parts}) is expected


@pytest.mark.parametrize(("inner", "expected"), [(TRUE, False), (FALSE, True), (UNKNOWN, None)])
def test_not_keeps_unknown_unknown(inner, expected):
    assert _eval({"not": inner}) is expected


def test_nested_conditions_combine():
    condition = {"all": [{"any": [FALSE, TRUE]}, {"not": {"field": "holdout", "exists": True}}]}

    assert _eval(condition) is True


def test_equals_null_matches_an_admitted_null_value():
    view = FieldView({"owner": None}, {"owner"})

    truth = evaluate(_CONDITION.validate_python({"field": "owner", "equals": None}), view)

    assert truth is True
