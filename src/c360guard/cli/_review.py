"""`c360guard review ...`, `pause`, `resume` and `rollback`: the reviewer's and owner's verbs."""

from __future__ import annotations

import getpass
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from c360guard.cli._app import EXIT_BAD_INPUT, app
from c360guard.cli._review_render import (
    feedback_table,
    pause_text,
    render_ticket,
    rollback_table,
    tickets_table,
)
from c360guard.errors import C360GuardError, TicketDecidedError
from c360guard.model import (
    PauseState,
    ReviewDecision,
    ReviewTicket,
    TicketStatus,
    load_contract,
    parse_duration,
)
from c360guard.review import (
    ReviewQueue,
    load_tools,
    open_pause_store,
    open_queue,
    pause_if_overridden,
    plan_rollback,
    run_rollback,
)

logger = logging.getLogger(__name__)

EXIT_CONFLICT = 4
"""The ticket was already decided (or run) by someone else: nothing was changed."""

review_app = typer.Typer(
    name="review",
    help="List, show and decide review tickets; read feedback for field owners.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="C360GUARD_DB",
        help="The review store: a SQLite file, or a postgresql:// DSN. Env: C360GUARD_DB.",
        show_default=False,
    ),
]
ReviewerOption = Annotated[
    str | None,
    typer.Option(
        "--reviewer",
        "--by",
        envvar="C360GUARD_REVIEWER",
        help="Who decides (recorded with the decision). Env: C360GUARD_REVIEWER; default: "
        "the operating-system user.",
        show_default=False,
    ),
]
TicketArg = Annotated[str, typer.Argument(help="The ticket id.", show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
NoteOption = Annotated[
    str | None, typer.Option("--note", help="A note for the audit trail.", show_default=False)
]
MisleadingOption = Annotated[
    list[str] | None,
    typer.Option(
        "--misleading",
        help="A field that misled the model (repeat for several); its owner gets the feedback.",
        show_default=False,
    ),
]
WorkflowOption = Annotated[
    str | None, typer.Option("--workflow", help="Only this workflow.", show_default=False)
]
LimitOption = Annotated[int, typer.Option("--limit", min=1, help="At most this many rows.")]


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
    wanted = None if status == "all" else _status(status)
    with _errors_exit():
        tickets = _queue(db).tickets(workflow=workflow, status=wanted, limit=limit)
    if as_json:
        _print_json([_ticket_document(ticket) for ticket in tickets])
    else:
        _console().print(tickets_table(tickets))


@review_app.command("show")
def show(ticket_id: TicketArg, db: DbOption, as_json: JsonOption = False) -> None:
    """Show one ticket: the proposal, why it waits, provenance and history."""
    with _errors_exit():
        ticket = _queue(db).get(ticket_id)
    if as_json:
        _print_json(_ticket_document(ticket))
    else:
        render_ticket(_console(), ticket)


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
    with _errors_exit():
        current = _queue(db).get(ticket_id)
    changed = _edited_arguments(current.recommendation.arguments, set_ or [], arguments)
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
        _fail("name the tickets to expire, or give --older-than (e.g. --older-than 7d)")
    who = _reviewer(reviewer)
    with _errors_exit():
        queue = _queue(db)
        targets = list(ticket_ids or [])
        if older_than is not None:
            targets += _stale(queue, workflow, _duration(older_than, "--older-than"))
        expired = [
            queue.decide(ticket_id, ReviewDecision.expire(who, note=note), at=_now())
            for ticket_id in dict.fromkeys(targets)
        ]
    if as_json:
        _print_json([_ticket_document(ticket) for ticket in expired])
    else:
        _console().print(f"expired {len(expired)} ticket(s)")


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
    with _errors_exit():
        rows = _queue(db).feedback(owner=owner, field=field, workflow=workflow, limit=limit)
    if as_json:
        _print_json([row.model_dump(mode="json") for row in rows])
    else:
        _console().print(feedback_table(rows))


@app.command("pause")
def pause(
    workflow: Annotated[str, typer.Argument(help="The workflow to pause.", show_default=False)],
    db: DbOption,
    reason: Annotated[str, typer.Option("--reason", help="Why (required).", show_default=False)],
    by: ReviewerOption = None,
) -> None:
    """Pause a workflow: every Guard using this store blocks its actions from the next check."""
    if not reason.strip():
        _fail("--reason must say why the workflow is paused")
    state = PauseState(workflow=workflow, by=_reviewer(by), reason=reason, since=_now())
    with _errors_exit():
        held = open_pause_store(db).pause(state)
    verb = "paused" if held == state else "was already paused"
    _console().print(pause_text(held, verb=verb))


@app.command("resume")
def resume(
    workflow: Annotated[str, typer.Argument(help="The workflow to resume.", show_default=False)],
    db: DbOption,
    by: ReviewerOption = None,
) -> None:
    """Lift a workflow's pause."""
    with _errors_exit():
        lifted = open_pause_store(db).resume(workflow, by=_reviewer(by), at=_now())
    if lifted is None:
        _console().print(f"{workflow} was not paused")
    else:
        _console().print(pause_text(lifted, verb="resumed"))


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
    with _errors_exit():
        loaded = load_contract(contract)
        if loaded.workflow != workflow:
            _fail(f"{contract} is the contract of {loaded.workflow}, not {workflow}")
        now = _now()
        start, end = _instant_or_ago(since, now, "--since"), None
        if until is not None:
            end = _instant_or_ago(until, now, "--until")
        queue = _queue(db)
        if execute:
            if tools is None:
                _fail("--execute needs --tools module:object to run the compensating actions")
            steps = run_rollback(
                queue, loaded, load_tools(tools), since=start, until=end, by=_reviewer(by), now=now
            )
        else:
            steps = plan_rollback(queue, loaded, since=start, until=end)
    if as_json:
        _print_json([step.model_dump(mode="json") for step in steps])
    else:
        _console().print(rollback_table(steps, dry_run=not execute))
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
    who = _reviewer(reviewer)
    try:
        decision = build(who)
    except ValidationError as exc:
        _fail("; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors()))
    with _errors_exit():
        queue = _queue(db)
        decided = queue.decide(ticket_id, decision, at=_now())
        paused = pause_if_overridden(
            queue, open_pause_store(db), decided.workflow, decided.rollback_rule, now=_now()
        )
    if as_json:
        _print_json(_ticket_document(decided))
    else:
        console = _console()
        console.print(f"ticket {decided.id} {decided.status.value} by {decided.reviewer}")
        if decided.status is TicketStatus.EDITED:
            console.print("the guard re-checks the new arguments before the action can run")
    if paused is not None:
        _console(stderr=True).print(pause_text(paused, verb="paused automatically"))


def _edited_arguments(
    original: dict[str, Any], sets: list[str], whole: str | None
) -> dict[str, Any]:
    if not sets and whole is None:
        _fail("give the new arguments: --set KEY=VALUE (repeatable) or --arguments '{...}'")
    changed = dict(original)
    if whole is not None:
        try:
            parsed = json.loads(whole)
        except json.JSONDecodeError as exc:
            _fail(f"--arguments is not valid JSON ({exc.msg}); give one JSON object")
        if not isinstance(parsed, dict):
            _fail('--arguments must be a JSON object, e.g. \'{"owner": "ana"}\'')
        changed = parsed
    for item in sets:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            _fail(f"--set {item!r} is not KEY=VALUE")
        try:
            changed[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            changed[key.strip()] = raw
    return changed


def _stale(queue: ReviewQueue, workflow: str | None, age: timedelta) -> list[str]:
    cutoff = _now() - age
    pending = queue.tickets(workflow=workflow, status=TicketStatus.PENDING, limit=None)
    return [ticket.id for ticket in pending if ticket.created_at < cutoff]


def _queue(db: str) -> ReviewQueue:
    return open_queue(db, create=False)


def _reviewer(given: str | None) -> str:
    if given and given.strip():
        return given.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers): insist on one
        _fail("no reviewer identity: pass --reviewer or set C360GUARD_REVIEWER")


def _status(text: str) -> TicketStatus:
    try:
        return TicketStatus(text)
    except ValueError:
        options = ", ".join(status.value for status in TicketStatus)
        _fail(f"--status {text!r} is not one of {options}, all")


def _duration(text: str, option: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        _fail(f"{option}: {exc}")


def _instant_or_ago(text: str, now: datetime, option: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        return now - _duration(text, option)
    if instant.utcoffset() is None:
        _fail(f"{option} {text!r} has no UTC offset; add one, e.g. 2026-12-03T12:00:00Z")
    return instant


def _now() -> datetime:
    return datetime.now(UTC)


def _ticket_document(ticket: ReviewTicket) -> dict[str, Any]:
    return {**ticket.model_dump(mode="json"), "arguments_to_run": ticket.arguments}


def _print_json(document: Any) -> None:
    typer.echo(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))


def _console(*, stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, width=None if os.isatty(1) else 160)


@contextmanager
def _errors_exit() -> Iterator[None]:
    """Print the library's errors on stderr: 4 for a decided ticket, 3 for bad input."""
    try:
        yield
    except TicketDecidedError as exc:
        _fail(str(exc), code=EXIT_CONFLICT)
    except C360GuardError as exc:
        _fail(str(exc))


def _fail(message: str, *, code: int = EXIT_BAD_INPUT) -> NoReturn:
    logger.debug("review command failed: %s", message.splitlines()[0])
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print(Text.assemble(("error: ", "bold red"), message))
    raise typer.Exit(code)
