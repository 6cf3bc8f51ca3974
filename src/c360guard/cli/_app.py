"""The `c360guard` Typer application every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="c360guard",
    help="Guard AI assistants that read and act on Customer 360 profiles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Guard AI assistants that read and act on Customer 360 profiles."""
