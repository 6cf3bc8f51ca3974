"""The `c360guard` command line: one module per group of verbs, all on one Typer app."""

from c360guard.cli._app import app

# Each module registers its verbs on `app` when imported.
from c360guard.cli import _core  # noqa: F401  (registers screen, check)


def main() -> None:
    """Run the command line."""
    app()


__all__ = ["app", "main"]
