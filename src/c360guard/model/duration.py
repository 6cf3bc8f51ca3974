"""Durations as contracts write them: `30m`, `36h`, `7d`, `2w` or ISO 8601 (`P7D`, `PT36H`)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_SHORT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_ISO = re.compile(
    r"^P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: object) -> timedelta:
    """Parse a contract duration into a timedelta, or raise ValueError saying what is accepted."""
    if isinstance(text, timedelta):
        return text
    if not isinstance(text, str):
        raise ValueError(f"expected a duration such as '7d' or 'P7D', got {text!r}")
    short = _SHORT.match(text)
    if short:
        amount, unit = short.groups()
        return timedelta(seconds=float(amount) * _UNIT_SECONDS[unit])
    iso = _ISO.match(text.strip().upper())
    if iso and text.strip().upper() not in ("P", "PT") and any(iso.groupdict().values()):
        parts = {key: float(value) for key, value in iso.groupdict().items() if value}
        return timedelta(
            weeks=parts.get("w", 0),
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
        )
    raise ValueError(
        f"expected a duration such as '30m', '36h', '7d', '2w' or ISO 8601 'P7D', got {text!r}"
    )


def format_duration(value: timedelta) -> str:
    """Write a timedelta back in the shortest contract form (`7d`, `36h`, `90s`)."""
    seconds = int(value.total_seconds())
    for unit in ("w", "d", "h", "m"):
        size = _UNIT_SECONDS[unit]
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]
"""A timedelta that reads and writes contract duration strings."""
