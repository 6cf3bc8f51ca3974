"""Rich renderings of review tickets, feedback, pauses and rollback plans."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from c360guard.model import Feedback, PauseState, ReviewTicket, TicketStatus
from c360guard.review import RollbackStep

STATUS_STYLE = {
    TicketStatus.PENDING: "bold yellow",
    TicketStatus.APPROVED: "bold green",
    TicketStatus.REJECTED: "bold red",
    TicketStatus.EDITED: "bold cyan",
    TicketStatus.EXPIRED: "dim",
}
"""How each ticket status is coloured."""


def when(value: datetime | None) -> str:
    """A timestamp to the second, in UTC as stored."""
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"


def status_text(status: TicketStatus) -> Text:
    """A ticket status as coloured text."""
    return Text(status.value, style=STATUS_STYLE[status])


def tickets_table(tickets: list[ReviewTicket]) -> Table:
    """One row per ticket: what it proposes, why it waits, and where it stands."""
    table = Table(title=f"Review tickets ({len(tickets)})", title_justify="left")
    for column in ("ticket", "workflow", "entity", "action", "status", "confidence"):
        table.add_column(column, no_wrap=column in ("ticket", "status"))
    for column in ("why", "filed", "reviewer"):
        table.add_column(column)
    for ticket in tickets:
        recommendation = ticket.recommendation
        confidence = recommendation.confidence
        table.add_row(
            ticket.id,
            ticket.workflow,
            ticket.entity_id,
            recommendation.action or "suggestion",
            status_text(ticket.status),
            "-" if confidence is None else f"{confidence:.2f}",
            ", ".join(dict.fromkeys(f.code for f in ticket.findings)) or "-",
            when(ticket.created_at) + (f" (x{ticket.proposals})" if ticket.proposals > 1 else ""),
            ticket.reviewer or "-",
        )
    return table


def render_ticket(console: Console, ticket: ReviewTicket) -> None:
    """Print one ticket in full: the proposal, its findings, provenance and history."""
    recommendation = ticket.recommendation
    console.print(
        Text.assemble(
            ("Ticket ", "bold"),
            (ticket.id, "bold cyan"),
            "  ",
            status_text(ticket.status),
            (f"  {ticket.workflow} v{ticket.contract_version}", "dim"),
        )
    )
    console.print(_proposal(ticket))
    if recommendation.reasons:
        reasons = Table("reason", "fields", "explanation", title="Reasons", title_justify="left")
        for reason in recommendation.reasons:
            reasons.add_row(reason.code, ", ".join(reason.fields), reason.explanation)
        console.print(reasons)
    if ticket.findings:
        findings = Table("code", "field", "message", title="Why review", title_justify="left")
        for finding in ticket.findings:
            findings.add_row(finding.code, finding.field or "-", finding.message)
        console.print(findings)
    if ticket.provenance:
        console.print(_provenance(ticket))
    console.print(_history(ticket))


def _proposal(ticket: ReviewTicket) -> RenderableType:
    recommendation = ticket.recommendation
    lines = [
        Text.assemble(("entity     ", "dim"), ticket.entity_id),
        Text.assemble(("action     ", "dim"), recommendation.action or "suggestion"),
        Text.assemble(("summary    ", "dim"), recommendation.summary or "-"),
        Text.assemble(("confidence ", "dim"), str(recommendation.confidence)),
        Text.assemble(("arguments  ", "dim"), _json(recommendation.arguments)),
    ]
    if ticket.edited_arguments is not None:
        lines.append(Text.assemble(("edited to  ", "dim"), _json(ticket.edited_arguments)))
    return Group(*lines)


def _provenance(ticket: ReviewTicket) -> Table:
    table = Table(
        "field", "source", "owner", "updated", "source path",
        title="What the model was shown (provenance when filed)",
        title_justify="left",
    )  # fmt: skip
    for name, held in ticket.provenance.items():
        style = "bold red" if name in ticket.misleading_fields else ""
        table.add_row(
            Text(name, style=style),
            held.source or "-",
            held.owner or "-",
            when(held.updated_at),
            held.source_path or "-",
        )
    return table


def _history(ticket: ReviewTicket) -> Table:
    table = Table("when", "what", "who", "detail", title="History", title_justify="left")
    table.add_row(when(ticket.created_at), "filed", "-", f"proposed {ticket.proposals}x")
    if ticket.decided_at is not None:
        detail = ticket.note or ""
        if ticket.misleading_fields:
            detail += f" (misleading: {', '.join(ticket.misleading_fields)})"
        decision = ticket.decision.value if ticket.decision else ticket.status.value
        table.add_row(when(ticket.decided_at), decision, ticket.reviewer or "-", detail.strip())
    if ticket.rechecked_at is not None:
        codes = ", ".join(ticket.recheck_codes) or "no findings"
        table.add_row(
            when(ticket.rechecked_at), f"re-checked: {ticket.status.value}", "guard", codes
        )
    for label, run in (("ran", ticket.execution), ("compensated", ticket.compensation)):
        if run is not None:
            detail = run.outcome + (f": {run.error}" if run.error else "")
            table.add_row(when(run.at), f"{label} {run.action or ''}".strip(), run.by, detail)
    return table


def feedback_table(rows: list[Feedback]) -> Table:
    """One row per misleading field, grouped for the owner who can fix it."""
    table = Table(title=f"Feedback on misleading fields ({len(rows)})", title_justify="left")
    for column in ("owner", "field", "source", "workflow", "entity", "decision", "reviewer"):
        table.add_column(column)
    table.add_column("note")
    table.add_column("when", no_wrap=True)
    table.add_column("ticket", no_wrap=True)
    for row in sorted(rows, key=lambda item: (item.owner or "", item.field)):
        table.add_row(
            row.owner or "(no owner)",
            row.field,
            row.source or "-",
            row.workflow,
            row.entity_id,
            row.decision.value,
            row.reviewer,
            row.note or "",
            when(row.decided_at),
            row.ticket_id,
        )
    return table


def pause_text(state: PauseState, *, verb: str) -> Text:
    """One line about a pause: who, when, why."""
    how = " (automatic)" if state.automatic else ""
    return Text.assemble(
        (f"{state.workflow} {verb}", "bold"),
        f": paused by {state.by}{how} at {when(state.since)}: {state.reason}",
    )


def rollback_table(steps: list[RollbackStep], *, dry_run: bool) -> Table:
    """One row per action run in the window, and what rollback did or would do."""
    title = "Rollback plan (dry run; add --execute to run it)" if dry_run else "Rollback"
    table = Table(title=f"{title}: {len(steps)} action(s)", title_justify="left")
    for column in ("ran", "ticket", "entity", "action", "approved by", "compensate", "status"):
        table.add_column(column, no_wrap=column in ("ran", "ticket"))
    for step in steps:
        ticket = step.ticket
        status = step.status.replace("_", " ") + (f": {step.error}" if step.error else "")
        table.add_row(
            when(ticket.executed_at),
            ticket.id,
            ticket.entity_id,
            ticket.recommendation.action or "-",
            ticket.reviewer or "-",
            step.compensate or "-",
            status,
        )
    return table


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
