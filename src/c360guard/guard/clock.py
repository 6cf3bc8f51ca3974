"""Clocks: the Guard reads time only through a zero-argument callable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""A zero-argument callable returning an aware datetime."""


def system_clock() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class FrozenClock:
    """A clock that always reads the same instant until told otherwise (for tests and replay)."""

    def __init__(self, at: datetime) -> None:
        self.at = _aware(at)

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        """Move the clock to another instant."""
        self.at = _aware(at)


def read_clock(clock: Clock) -> datetime:
    """Call a clock and insist on an aware datetime, which freshness rules need."""
    return _aware(clock())


def _aware(value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"the clock must return an aware datetime (with a UTC offset), got {value!r}; "
            "use datetime.now(timezone.utc)"
        )
    return value
