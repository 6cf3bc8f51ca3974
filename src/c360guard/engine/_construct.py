"""Build the engine's result models from values it has already validated."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_set = object.__setattr__


def trusted_model(cls: type[M], values: dict[str, Any]) -> M:
    """Build a model from values known to be valid, with every field given and nothing checked.

    The result is what `model_construct` returns when every field is given; it skips the
    walk over each field's aliases and defaults, which on the path that screens every profile
    and checks every action costs more than the engine's own bookkeeping.
    """
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
