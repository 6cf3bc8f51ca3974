"""The review queue protocol: what the Guard needs from any store of review tickets."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol, runtime_checkable

from c360guard.model import ReviewTicket


@runtime_checkable
class ReviewQueue(Protocol):
    """A durable store of review tickets."""

    def submit(self, ticket: ReviewTicket) -> ReviewTicket:
        """File a ticket; while one with the same idempotency key is pending, return that one."""
        ...

    def get(self, ticket_id: str) -> ReviewTicket:
        """Return a ticket by id, raising ReviewError when there is none."""
        ...


def idempotency_key(
    workflow: str, entity_id: str, action: str | None, arguments: dict[str, Any]
) -> str:
    """The key that makes the same proposal attach to one pending ticket."""
    normalised = json.dumps(
        [workflow, entity_id, action, arguments],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]
