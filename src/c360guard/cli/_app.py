"""The `c360guard` Typer application every command module registers on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from typer.core import TyperGroup

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
