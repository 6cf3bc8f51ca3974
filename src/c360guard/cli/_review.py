"""`c360guard review ...`, `pause`, `resume` and `rollback`: the reviewer's and owner's verbs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from c360guard.cli._app import app
from c360guard.cli._review_options import (
    DbOption,
    JsonOption,
    LimitOption,
    MisleadingOption,
    NoteOption,
    ReviewerOption,
    TicketArg,
    WorkflowOption,
    console,
    edited_arguments,
    errors_exit,
    fail,
    instant_or_ago,
    parse_duration_option,
    parse_status,
    print_json,
    review_queue,
    reviewer_identity,
    ticket_document,
    utc_now,
)
from c360guard.cli._review_render import (
    feedback_table,
    pause_text,
    render_ticket,
    rollback_table,
    tickets_table,
)
from c360guard.model import PauseState, ReviewDecision, TicketStatus, load_contract
from c360guard.review import (
    ReviewQueue,
    load_tools,
    open_pause_store,
    pause_if_overridden,
    plan_rollback,
    run_rollback,
)

logger = logging.getLogger(__name__)

review_app = typer.Typer(
    name="review",
    help="List, show and decide review tickets; read feedback for field owners.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")


@review_app.command("list")
def list_tickets(
    db: DbOption,
    workflow: WorkflowOption = None,
    status: Annotated[
        str, typer.Option("--status", help="pending, approved, rejected, edited, expired or all.")
    ] = "pending",
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """List review tickets, newest first (pending ones by default)."""
    wanted = None if status == "all" else parse_status(status)
    with errors_exit():
        tickets = review_queue(db).tickets(workflow=workflow, status=wanted, limit=limit)
    if as_json:
        print_json([ticket_document(ticket) for ticket in tickets])
    else:
        console().print(tickets_table(tickets))


@review_app.command("show")
def show(ticket_id: TicketArg, db: DbOption, as_json: JsonOption = False) -> None:
    """Show one ticket: the proposal, why it waits, provenance and history."""
    with errors_exit():
        ticket = review_queue(db).get(ticket_id)
    if as_json:
        print_json(ticket_document(ticket))
    else:
        render_ticket(console(), ticket)


@review_app.command("approve")
def approve(
    ticket_id: TicketArg,
    db: DbOption,
    reviewer: ReviewerOption = None,
    note: NoteOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve a pending ticket: its action may then run, once."""
    _decide(db, ticket_id, lambda who: ReviewDecision.approve(who, note=note), reviewer, as_json)


@review_app.command("reject")
def reject(
    ticket_id: TicketArg,
    db: DbOption,
    reason: Annotated[str, typer.Option("--reason", help="Why (required).", show_default=False)],
    misleading: MisleadingOption = None,
    reviewer: ReviewerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reject a pending ticket, saying why and which fields misled the model."""
    _decide(
        db,
        ticket_id,
        lambda who: ReviewDecision.reject(who, reason, misleading_fields=misleading),
        reviewer,
        as_json,
    )


@review_app.command("edit")
def edit(
    ticket_id: TicketArg,
    db: DbOption,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="KEY=VALUE to change one argument (VALUE read as JSON, else as text); repeat.",
            show_default=False,
        ),
    ] = None,
    arguments: Annotated[
        str | None,
        typer.Option(
            "--arguments", help="All the arguments, as one JSON object.", show_default=False
        ),
    ] = None,
    note: NoteOption = None,
    misleading: MisleadingOption = None,
    reviewer: ReviewerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a pending ticket's arguments; the guard re-checks them before they can run."""
    with errors_exit():
        current = review_queue(db).get(ticket_id)
    changed = edited_arguments(current.recommendation.arguments, set_ or [], arguments)
    _decide(
        db,
        ticket_id,
        lambda who: ReviewDecision.edit(who, changed, note=note, misleading_fields=misleading),
        reviewer,
        as_json,
    )


@review_app.command("expire")
def expire(
    db: DbOption,
    ticket_ids: Annotated[
        list[str] | None, typer.Argument(help="Ticket ids to expire.", show_default=False)
    ] = None,
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            help="Expire every pending ticket filed longer ago (7d).",
            show_default=False,
        ),
    ] = None,
    workflow: WorkflowOption = None,
    note: NoteOption = None,
    reviewer: ReviewerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close pending tickets undecided: by id, or all older than a duration."""
    if not ticket_ids and older_than is None:
        fail("name the tickets to expire, or give --older-than (e.g. --older-than 7d)")
    who = reviewer_identity(reviewer)
    with errors_exit():
        queue = review_queue(db)
        targets = list(ticket_ids or [])
        if older_than is not None:
            targets += _stale(queue, workflow, parse_duration_option(older_than, "--older-than"))
        expired = [
            queue.decide(ticket_id, ReviewDecision.expire(who, note=note), at=utc_now())
            for ticket_id in dict.fromkeys(targets)
        ]
    if as_json:
        print_json([ticket_document(ticket) for ticket in expired])
    else:
        console().print(f"expired {len(expired)} ticket(s)")


@review_app.command("feedback")
def feedback(
    db: DbOption,
    owner: Annotated[
        str | None,
        typer.Option("--owner", help="Only fields this owner answers for.", show_default=False),
    ] = None,
    field: Annotated[
        str | None, typer.Option("--field", help="Only this field.", show_default=False)
    ] = None,
    workflow: WorkflowOption = None,
    limit: LimitOption = 100,
    as_json: JsonOption = False,
) -> None:
    """List the fields reviewers said misled the model, by the owner who can fix them."""
    with errors_exit():
        rows = review_queue(db).feedback(owner=owner, field=field, workflow=workflow, limit=limit)
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
    else:
        console().print(feedback_table(rows))


@app.command("pause")
def pause(
    workflow: Annotated[str, typer.Argument(help="The workflow to pause.", show_default=False)],
    db: DbOption,
    reason: Annotated[str, typer.Option("--reason", help="Why (required).", show_default=False)],
    by: ReviewerOption = None,
) -> None:
    """Pause a workflow: every Guard using this store blocks its actions from the next check."""
    if not reason.strip():
        fail("--reason must say why the workflow is paused")
    state = PauseState(workflow=workflow, by=reviewer_identity(by), reason=reason, since=utc_now())
    with errors_exit():
        held = open_pause_store(db).pause(state)
    verb = "paused" if held == state else "was already paused"
    console().print(pause_text(held, verb=verb))


@app.command("resume")
def resume(
    workflow: Annotated[str, typer.Argument(help="The workflow to resume.", show_default=False)],
    db: DbOption,
    by: ReviewerOption = None,
) -> None:
    """Lift a workflow's pause."""
    with errors_exit():
        lifted = open_pause_store(db).resume(workflow, by=reviewer_identity(by), at=utc_now())
    if lifted is None:
        console().print(f"{workflow} was not paused")
    else:
        console().print(pause_text(lifted, verb="resumed"))


@app.command("rollback")
def rollback(
    workflow: Annotated[str, typer.Argument(help="The workflow to roll back.", show_default=False)],
    db: DbOption,
    contract: Annotated[
        Path,
        typer.Option(
            "--contract",
            help="The workflow's contract: it names each action's compensating action.",
            show_default=False,
        ),
    ],
    since: Annotated[
        str,
        typer.Option(
            "--since",
            help="Actions run at or after this instant (ISO 8601 with an "
            "offset) or this long ago (24h, 7d).",
            show_default=False,
        ),
    ],
    until: Annotated[
        str | None,
        typer.Option("--until", help="Actions run before this instant.", show_default=False),
    ] = None,
    tools: Annotated[
        str | None,
        typer.Option(
            "--tools",
            help="module:object, a dict of action name to callable (or a "
            "list of named tools) that runs the compensating actions.",
            show_default=False,
        ),
    ] = None,
    execute: Annotated[
        bool, typer.Option("--execute", help="Run the compensations (default: dry run).")
    ] = False,
    by: ReviewerOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the actions a workflow ran since T, with their tickets, and undo them.

    A dry run by default: it lists what would be compensated. With --execute, each
    action's compensating action (from the contract) runs once, through --tools.
    """
    with errors_exit():
        loaded = load_contract(contract)
        if loaded.workflow != workflow:
            fail(f"{contract} is the contract of {loaded.workflow}, not {workflow}")
        now = utc_now()
        start, end = instant_or_ago(since, now, "--since"), None
        if until is not None:
            end = instant_or_ago(until, now, "--until")
        queue = review_queue(db)
        if execute:
            if tools is None:
                fail("--execute needs --tools module:object to run the compensating actions")
            steps = run_rollback(
                queue,
                loaded,
                load_tools(tools),
                since=start,
                until=end,
                by=reviewer_identity(by),
                now=now,
            )
        else:
            steps = plan_rollback(queue, loaded, since=start, until=end)
    if as_json:
        print_json([step.model_dump(mode="json") for step in steps])
    else:
        console().print(rollback_table(steps, dry_run=not execute))
    if any(step.status == "failed" for step in steps):
        raise typer.Exit(1)


def _decide(
    db: str,
    ticket_id: str,
    build: Callable[[str], ReviewDecision],
    reviewer: str | None,
    as_json: bool,
) -> None:
    """Apply a decision built for the reviewer, then the ticket's override-rate rule."""
    who = reviewer_identity(reviewer)
    try:
        decision = build(who)
    except ValidationError as exc:
        fail("; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors()))
    with errors_exit():
        queue = review_queue(db)
        decided = queue.decide(ticket_id, decision, at=utc_now())
        paused = pause_if_overridden(
            queue, open_pause_store(db), decided.workflow, decided.rollback_rule, now=utc_now()
        )
    if as_json:
        print_json(ticket_document(decided))
    else:
        out = console()
        out.print(f"ticket {decided.id} {decided.status.value} by {decided.reviewer}")
        if decided.status is TicketStatus.EDITED:
            out.print("the guard re-checks the new arguments before the action can run")
    if paused is not None:
        console(stderr=True).print(pause_text(paused, verb="paused automatically"))


def _stale(queue: ReviewQueue, workflow: str | None, age: timedelta) -> list[str]:
    cutoff = utc_now() - age
    pending = queue.tickets(workflow=workflow, status=TicketStatus.PENDING, limit=None)
    return [ticket.id for ticket in pending if ticket.created_at < cutoff]
