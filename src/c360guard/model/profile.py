"""Profiles: one entity and its field values, each value with its provenance."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, Field, ValidationError

from c360guard.errors import ProfileError
from c360guard.model._base import FrozenModel
from c360guard.model._enums import Grain
from c360guard.model._problems import describe

JSONValue = Any
"""A value as JSON would carry it: string, number, boolean, null, list or object."""


def _standard_timestamp(value: object) -> object:
    """Parse ISO 8601 text with the standard library, so the offset is a plain `timezone`.

    Pydantic's parser gives each value a tzinfo of its own type whose offset lookup costs
    about a microsecond, and screening subtracts one timestamp per field from the clock;
    with `timezone.utc` on both sides the subtraction skips the lookup. Text the standard
    library cannot read, or that has no offset, goes on to pydantic, which says what is wrong.
    """
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is not None:
                return parsed
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_standard_timestamp)]
"""An aware datetime read from ISO 8601 text (`2026-12-01T10:00:00Z`)."""


class FieldValue(FrozenModel):
    """One profile value with its provenance."""

    value: JSONValue = None
    """The value itself, as JSON would carry it."""
    source: str | None = None
    """The source system the value came from (`salesforce`, `stripe`, `warehouse`)."""
    owner: str | None = None
    """Who answers for the value's correctness (a team or a person)."""
    updated_at: Timestamp | None = None
    """When the source last changed or confirmed the value; must carry a UTC offset."""
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    """The producer's confidence in a derived value (a model score), 0 to 1."""
    source_path: str | None = None
    """Where in the source the value lives (lineage), e.g. `Account.Renewal_Date__c`."""
    grain: Grain | None = None
    """The grain the value was measured at; absent means the entity's own grain."""


class Entity(FrozenModel):
    """The customer entity a profile describes."""

    id: str = Field(min_length=1)
    """The entity's identifier in the Customer 360."""
    grain: Grain
    """The level of the hierarchy the entity is (`workspace`, `account`, `parent`...)."""
    parent_id: str | None = None
    """The entity's parent in the hierarchy, when it has one."""
    match_confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    """Identity resolution's confidence that the merged records are one entity."""


class Profile(FrozenModel):
    """One entity and its field values.

    A field may hold a list of values from several sources; screening keeps the first one,
    in the contract's source precedence order, that passes every rule.
    """

    entity: Entity
    """The entity the values describe."""
    fields: dict[str, FieldValue | list[FieldValue]] = Field(default_factory=dict)
    """Field name to value (or candidate values, one per source)."""

    def value(self, name: str, default: JSONValue = None) -> JSONValue:
        """Return the raw value of a single-valued field, or `default`."""
        held = self.fields.get(name)
        if isinstance(held, FieldValue):
            return held.value
        return default

    def candidates(self, name: str) -> list[FieldValue]:
        """Return every value held for a field, whatever its shape."""
        held = self.fields.get(name)
        if held is None:
            return []
        return list(held) if isinstance(held, list) else [held]


_PROFILE_KEYS = frozenset({*FieldValue.model_fields, *Entity.model_fields, *Profile.model_fields})


def load_profile(source: str | Path | dict[str, Any]) -> Profile:
    """Load a profile from a JSON file path, a JSON text or an already parsed dict."""
    origin = "profile"
    data: Any = source
    if isinstance(source, Path) or (
        isinstance(source, str) and not source.lstrip().startswith("{")
    ):
        path = Path(source)
        origin = str(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ProfileError(f"cannot read profile {path}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise ProfileError(f"{path} is not valid JSON: {exc}") from exc
    elif isinstance(source, str):
        try:
            data = json.loads(source)
        except json.JSONDecodeError as exc:
            raise ProfileError(f"profile text is not valid JSON: {exc}") from exc
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(_describe(exc, data, origin)) from exc


def _describe(exc: ValidationError, data: Any, origin: str) -> str:
    lines = "\n".join(
        f"  - {problem}"
        for problem in describe(exc, data, keys=_PROFILE_KEYS, manual="docs/concepts.md")
    )
    return f"invalid profile in {origin}:\n{lines}\nSee docs/concepts.md for the profile format."


def profile_timestamp(value: datetime) -> str:
    """Render a timestamp the way profiles write them (ISO 8601, `Z` for UTC)."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
