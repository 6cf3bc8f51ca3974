"""Human review: the ticket queue, its stores, and the pause switch."""

from c360guard.model import ReviewTicket, TicketStatus
from c360guard.review._protocol import ReviewQueue, idempotency_key
from c360guard.review.pause import InMemoryPauseStore, PauseStore

__all__ = [
    "InMemoryPauseStore",
    "PauseStore",
    "ReviewQueue",
    "ReviewTicket",
    "TicketStatus",
    "idempotency_key",
]
