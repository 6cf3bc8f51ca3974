"""The `c360guard` Typer application every command module registers on, and its exit rules."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from c360guard.errors import C360GuardError

logger = logging.getLogger(__name__)

EXIT_ALLOW = 0
"""The verdict was `allow`, or the command did its work."""
EXIT_REVIEW = 1
"""The verdict was `review`: a person must look first."""
EXIT_BLOCK = 2
"""The verdict was `block`."""
EXIT_BAD_INPUT = 3
"""The input was unusable: a malformed contract, profile or option, or a wrong command line."""

# Typer re-exports BadParameter but not its base class UsageError, whose home moved between
# Typer releases (click's, then Typer's vendored copy); the public class leads to it.
_USAGE_ERROR: Any = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "UsageError")


@contextmanager
def _usage_errors_are_bad_input() -> Iterator[None]:
    try:
        yield
    except _USAGE_ERROR as exc:
        exc.exit_code = EXIT_BAD_INPUT
        raise


class _Group(TyperGroup):
    """The root group: a usage error exits with 3, since 2 already means `block`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        with _usage_errors_are_bad_input():
            return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        with _usage_errors_are_bad_input():
            return super().invoke(ctx)


app = typer.Typer(
    name="c360guard",
    cls=_Group,
    help="Guard AI assistants that read and act on Customer 360 profiles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Guard AI assistants that read and act on Customer 360 profiles."""


def fail(message: str) -> NoReturn:
    """Print `error: message` on stderr and exit with the bad-input code."""
    logger.debug("bad input: %s", message.splitlines()[0])
    Console(stderr=True, highlight=False).print(Text.assemble(("error: ", "bold red"), message))
    raise typer.Exit(EXIT_BAD_INPUT)


@contextmanager
def bad_input_exits() -> Iterator[None]:
    """Turn the library's input errors into a message on stderr and exit code 3."""
    try:
        yield
    except C360GuardError as exc:
        fail(str(exc))


def parse_instant(text: str, option: str = "--at") -> datetime:
    """An aware instant from an ISO 8601 option value, or a bad-input exit naming the option."""
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not an ISO 8601 instant; write e.g. 2026-12-03T12:00:00Z")
    if instant.utcoffset() is None:
        fail(f"{option} {text!r} has no UTC offset; add one, e.g. 2026-12-03T12:00:00Z")
    return instant
