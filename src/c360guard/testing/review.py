"""A review queue wrapper that numbers tickets, so a replayed session repeats itself exactly."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from c360guard.model import ReviewTicket


class SequentialTicketIds:
    """Wraps a review queue so filed tickets get ids `ticket-0001`, `ticket-0002`...

    The Guard names each ticket with a random id, and a guarded agent tells the model that
    id. A recorded session then only replays if the same ticket gets the same id, so a
    replay numbers tickets in filing order instead. Every other call goes to the wrapped
    queue unchanged.

    Example:
        ```python
        queue = SequentialTicketIds(SQLiteReviewQueue(tmp_path / "review.db"))
        guard = Guard(contract, review_queue=queue)
        ```
    """

    def __init__(self, queue: Any, *, prefix: str = "ticket") -> None:
        self.queue = queue
        self.prefix = prefix
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def submit(self, ticket: ReviewTicket) -> ReviewTicket:
        """File the ticket under the next number; a pending duplicate keeps its own id."""
        with self._lock:
            number = next(self._numbers)
        numbered = ticket.model_copy(update={"id": f"{self.prefix}-{number:04d}"})
        filed: ReviewTicket = self.queue.submit(numbered)
        return filed

    def __getattr__(self, name: str) -> Any:
        # Reads, decisions and executions address tickets by the id they were filed under.
        return getattr(self.queue, name)
