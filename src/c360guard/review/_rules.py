"""What each state change of a ticket requires: the rules both SQL stores enforce under lock."""

from __future__ import annotations

from c360guard.errors import ReviewError, TicketDecidedError, UnknownTicketError
from c360guard.model import DecisionKind, ReviewDecision, ReviewTicket, TicketStatus


def unknown_ticket(ticket_id: str) -> UnknownTicketError:
    """The error for an id no ticket has."""
    return UnknownTicketError(
        f"no review ticket {ticket_id!r} in this store; list tickets with `c360guard review list`"
    )


def already_decided(ticket: ReviewTicket) -> TicketDecidedError:
    """The error for a second decision: who decided first, and when."""
    by = f" by {ticket.reviewer}" if ticket.reviewer else ""
    at = f" at {ticket.decided_at.isoformat()}" if ticket.decided_at else ""
    return TicketDecidedError(
        f"ticket {ticket.id} was already {ticket.status.value}{by}{at}; a decision is never "
        "overwritten. Refresh the ticket and file a new proposal if it still needs doing"
    )


def check_decision(ticket: ReviewTicket, decision: ReviewDecision) -> None:
    """Refuse a decision on a decided ticket, or one that does not fit the ticket."""
    if ticket.status is not TicketStatus.PENDING:
        raise already_decided(ticket)
    shown = set(ticket.provenance) | set(ticket.recommendation.cited_fields)
    unknown = [name for name in decision.misleading_fields if shown and name not in shown]
    if unknown:
        raise ReviewError(
            f"ticket {ticket.id}: {', '.join(unknown)} was not shown to the model, so it cannot "
            f"have misled it; name fields among: {', '.join(sorted(shown))}"
        )
    if decision.kind is DecisionKind.EDIT and decision.arguments == ticket.recommendation.arguments:
        raise ReviewError(
            f"ticket {ticket.id}: the edit changes no argument; approve the ticket instead"
        )


def check_runnable(ticket: ReviewTicket) -> None:
    """Refuse to run a ticket that is not approved, or already ran."""
    if ticket.execution is not None:
        raise TicketDecidedError(
            f"ticket {ticket.id} already ran at {ticket.execution.at.isoformat()} by "
            f"{ticket.execution.by} ({ticket.execution.outcome}); an approved action runs once. "
            "File a new proposal to run it again"
        )
    if ticket.status is not TicketStatus.APPROVED:
        hint = (
            "the guard must re-check its edited arguments first (Guard.recheck)"
            if ticket.status is TicketStatus.EDITED
            else "only an approved ticket runs"
        )
        raise ReviewError(f"ticket {ticket.id} is {ticket.status.value}; {hint}")


def check_compensable(ticket: ReviewTicket) -> None:
    """Refuse to compensate a ticket that never ran, or was already compensated."""
    if ticket.execution is None:
        raise ReviewError(f"ticket {ticket.id} never ran; there is nothing to compensate")
    if ticket.compensation is not None:
        raise TicketDecidedError(
            f"ticket {ticket.id} was already compensated at "
            f"{ticket.compensation.at.isoformat()} by {ticket.compensation.by}; "
            "a compensation runs once"
        )
