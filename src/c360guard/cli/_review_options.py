"""Options and helpers the review, pause and rollback commands share."""

from __future__ import annotations

import getpass
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from c360guard.cli._app import EXIT_BAD_INPUT
from c360guard.errors import C360GuardError, TicketDecidedError
from c360guard.model import ReviewTicket, TicketStatus, parse_duration
from c360guard.review import ReviewQueue, open_queue

logger = logging.getLogger(__name__)

EXIT_CONFLICT = 4
"""The ticket was already decided (or run) by someone else: nothing was changed."""

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


def edited_arguments(
    original: dict[str, Any], sets: list[str], whole: str | None
) -> dict[str, Any]:
    """The full new arguments from `--arguments` (all of them) and `--set` (one each)."""
    if not sets and whole is None:
        fail("give the new arguments: --set KEY=VALUE (repeatable) or --arguments '{...}'")
    changed = dict(original)
    if whole is not None:
        try:
            parsed = json.loads(whole)
        except json.JSONDecodeError as exc:
            fail(f"--arguments is not valid JSON ({exc.msg}); give one JSON object")
        if not isinstance(parsed, dict):
            fail('--arguments must be a JSON object, e.g. \'{"owner": "ana"}\'')
        changed = parsed
    for item in sets:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            fail(f"--set {item!r} is not KEY=VALUE")
        try:
            changed[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            changed[key.strip()] = raw
    return changed


def review_queue(db: str) -> ReviewQueue:
    """Open the queue a `--db` value names; a SQLite file must already exist."""
    return open_queue(db, create=False)


def reviewer_identity(given: str | None) -> str:
    """The reviewer: as given, else the operating-system user."""
    if given and given.strip():
        return given.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers): insist on one
        fail("no reviewer identity: pass --reviewer or set C360GUARD_REVIEWER")


def parse_status(text: str) -> TicketStatus:
    """A `--status` value as a ticket status."""
    try:
        return TicketStatus(text)
    except ValueError:
        options = ", ".join(status.value for status in TicketStatus)
        fail(f"--status {text!r} is not one of {options}, all")


def parse_duration_option(text: str, option: str) -> timedelta:
    """A duration option (`7d`, `36h`), or exit naming the option."""
    try:
        return parse_duration(text)
    except ValueError as exc:
        fail(f"{option}: {exc}")


def instant_or_ago(text: str, now: datetime, option: str) -> datetime:
    """An instant with a UTC offset, or a duration back from `now`."""
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        return now - parse_duration_option(text, option)
    if instant.utcoffset() is None:
        fail(f"{option} {text!r} has no UTC offset; add one, e.g. 2026-12-03T12:00:00Z")
    return instant


def utc_now() -> datetime:
    """The current time in UTC: decisions from the command line are stamped with it."""
    return datetime.now(UTC)


def ticket_document(ticket: ReviewTicket) -> dict[str, Any]:
    """The JSON form of a ticket, with the arguments it would run with."""
    return {**ticket.model_dump(mode="json"), "arguments_to_run": ticket.arguments}


def print_json(document: Any) -> None:
    """Print a document as indented JSON with sorted keys."""
    typer.echo(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))


def console(*, stderr: bool = False) -> Console:
    """A console for tables; wide when the output is not a terminal, so tables do not wrap."""
    return Console(stderr=stderr, highlight=False, width=None if os.isatty(1) else 160)


@contextmanager
def errors_exit() -> Iterator[None]:
    """Print the library's errors on stderr: 4 for a decided ticket, 3 for bad input."""
    try:
        yield
    except TicketDecidedError as exc:
        fail(str(exc), code=EXIT_CONFLICT)
    except C360GuardError as exc:
        fail(str(exc))


def fail(message: str, *, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print an error on stderr and exit with `code`."""
    logger.debug("review command failed: %s", message.splitlines()[0])
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print(Text.assemble(("error: ", "bold red"), message))
    raise typer.Exit(code)
