"""The `c360guard` command line: one module per group of verbs, all on one Typer app."""

# Each module registers its verbs on `app` when imported.
from c360guard.cli import (
    _audit,  # noqa: F401  (registers audit verify, audit explain)
    _core,  # noqa: F401  (registers screen, check)
    _readiness,  # noqa: F401  (registers survive, generate)
    _review,  # noqa: F401  (registers review, pause, resume, rollback)
)
from c360guard.cli._app import app


def main() -> None:
    """Run the command line."""
    app()


__all__ = ["app", "main"]
