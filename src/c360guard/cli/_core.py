"""`c360guard screen` and `c360guard check`: one profile against one contract."""

from __future__ import annotations

from c360guard.cli._app import app


@app.command()
def version() -> None:
    """Print the c360guard version."""
    from c360guard import __version__

    print(__version__)
