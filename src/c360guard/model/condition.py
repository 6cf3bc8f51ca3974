"""Typed conditions (`when:`) over profile fields, never evaluated strings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from c360guard.model._base import FrozenModel

JSONScalar = str | int | float | bool | None


class Equals(FrozenModel):
    """True when the field's value equals `equals`."""

    field: str
    """The profile field the condition reads."""
    equals: JSONScalar
    """The value to compare with."""


class In(FrozenModel):
    """True when the field's value is one of `in`."""

    field: str
    """The profile field the condition reads."""
    in_: list[JSONScalar] = Field(alias="in", min_length=1)
    """The accepted values."""


class NotIn(FrozenModel):
    """True when the field's value is none of `not_in`."""

    field: str
    """The profile field the condition reads."""
    not_in: list[JSONScalar] = Field(min_length=1)
    """The excluded values."""


class Exists(FrozenModel):
    """True when the field is present (`exists: true`) or absent (`exists: false`)."""

    field: str
    """The profile field the condition reads."""
    exists: bool = True
    """Whether presence or absence makes the condition true."""


class Compare(FrozenModel):
    """True when the field's numeric or date value passes every bound given."""

    field: str
    """The profile field the condition reads."""
    gt: float | str | None = None
    """Strictly greater than."""
    gte: float | str | None = None
    """Greater than or equal to."""
    lt: float | str | None = None
    """Strictly less than."""
    lte: float | str | None = None
    """Less than or equal to."""

    @model_validator(mode="after")
    def _one_bound_at_least(self) -> Compare:
        if all(bound is None for bound in (self.gt, self.gte, self.lt, self.lte)):
            raise ValueError("a comparison needs at least one of gt, gte, lt, lte")
        return self


class AllOf(FrozenModel):
    """True when every condition is true."""

    all: list[Condition] = Field(min_length=1)
    """The conditions that must all hold."""


class AnyOf(FrozenModel):
    """True when at least one condition is true."""

    any: list[Condition] = Field(min_length=1)
    """The conditions of which one must hold."""


class Not(FrozenModel):
    """True when the inner condition is false."""

    not_: Condition = Field(alias="not")
    """The condition to negate."""


# Tags are the class names, never a condition key, so that a key path built from a validation
# error's location can drop them without dropping a key of the same spelling.
_SHAPES: tuple[tuple[str, str], ...] = (
    ("all", "AllOf"),
    ("any", "AnyOf"),
    ("not", "Not"),
    ("not_", "Not"),
    ("equals", "Equals"),
    ("in", "In"),
    ("in_", "In"),
    ("not_in", "NotIn"),
    ("exists", "Exists"),
    ("gt", "Compare"),
    ("gte", "Compare"),
    ("lt", "Compare"),
    ("lte", "Compare"),
)


def _shape(data: Any) -> str | None:
    """Name the condition form by the keys present (pydantic's discriminator callback)."""
    if isinstance(data, dict):
        for key, tag in _SHAPES:
            if key in data:
                return tag
        return None
    for cls, tag in _CLASS_TAGS.items():
        if isinstance(data, cls):
            return tag
    return None


Condition = Annotated[
    Annotated[Equals, Tag("Equals")]
    | Annotated[In, Tag("In")]
    | Annotated[NotIn, Tag("NotIn")]
    | Annotated[Exists, Tag("Exists")]
    | Annotated[Compare, Tag("Compare")]
    | Annotated[AllOf, Tag("AllOf")]
    | Annotated[AnyOf, Tag("AnyOf")]
    | Annotated[Not, Tag("Not")],
    Discriminator(
        _shape,
        custom_error_type="condition_shape",
        custom_error_message=(
            "expected a condition: {field, equals}, {field, in}, {field, not_in}, "
            "{field, exists}, {field, gt|gte|lt|lte}, {all: [...]}, {any: [...]} or {not: ...}"
        ),
    ),
]
"""One typed condition; the form is chosen by the keys it has."""

_CLASS_TAGS: dict[type[FrozenModel], str] = {
    Equals: "Equals",
    In: "In",
    NotIn: "NotIn",
    Exists: "Exists",
    Compare: "Compare",
    AllOf: "AllOf",
    AnyOf: "AnyOf",
    Not: "Not",
}

AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()

ConditionKind = Literal["equals", "in", "not_in", "exists", "compare", "all", "any", "not"]


def condition_fields(condition: Condition) -> list[str]:
    """List every profile field a condition reads, in order of appearance."""
    if isinstance(condition, AllOf):
        return [name for inner in condition.all for name in condition_fields(inner)]
    if isinstance(condition, AnyOf):
        return [name for inner in condition.any for name in condition_fields(inner)]
    if isinstance(condition, Not):
        return condition_fields(condition.not_)
    return [condition.field]
