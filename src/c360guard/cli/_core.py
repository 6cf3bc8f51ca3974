"""`c360guard screen` and `c360guard check`: one profile against one contract."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from c360guard._version import __version__
from c360guard.cli._app import (
    EXIT_ALLOW,
    EXIT_BLOCK,
    EXIT_REVIEW,
    app,
    bad_input_exits,
    fail,
    parse_instant,
)
from c360guard.cli._render import render_screening, render_verdict
from c360guard.guard import Guard, system_clock
from c360guard.model import (
    Authority,
    Outcome,
    Recommendation,
    Screening,
    Verdict,
    load_contract,
    load_profile,
)

logger = logging.getLogger(__name__)

EXIT_CODES_HELP = (
    "Exit codes: 0 allow (or screening done), 1 review, 2 block, "
    "3 bad input (malformed contract, profile, recommendation or option)."
)

_EXIT_OF = {Outcome.ALLOW: EXIT_ALLOW, Outcome.REVIEW: EXIT_REVIEW, Outcome.BLOCK: EXIT_BLOCK}

ContractArg = Annotated[
    Path, typer.Argument(help="The workflow's contract (YAML).", show_default=False)
]
ProfileArg = Annotated[Path, typer.Argument(help="The profile (JSON).", show_default=False)]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="Judge freshness at this instant (ISO 8601 with a UTC offset, e.g. "
        "2026-12-03T12:00:00Z) instead of now; makes runs reproducible.",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (stable keys) instead of tables.")
]


@app.command(epilog=EXIT_CODES_HELP)
def screen(
    contract: ContractArg,
    profile: ProfileArg,
    authority: Annotated[
        Authority | None,
        typer.Option(
            help="Screen at this authority instead of the contract's ceiling.",
            show_default=False,
        ),
    ] = None,
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show which profile fields the model would see, and which are withheld and why."""
    with bad_input_exits():
        guard = _guard(contract, at)
        screening = guard.screen(load_profile(profile), authority=authority)

    if as_json:
        typer.echo(_dumps(screening_document(screening)))
    else:
        render_screening(Console(), screening)


@app.command(epilog=EXIT_CODES_HELP)
def check(
    contract: ContractArg,
    profile: ProfileArg,
    recommendation: Annotated[
        Path,
        typer.Argument(help="The recommendation or action to check (JSON).", show_default=False),
    ],
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check a recommendation against a profile: print the verdict and every finding."""
    with bad_input_exits():
        guard = _guard(contract, at)
        screening = guard.screen(load_profile(profile))
        proposal = _load_recommendation(recommendation)
    verdict = guard.check(proposal, screening)

    if as_json:
        typer.echo(_dumps(verdict_document(verdict)))
    else:
        render_verdict(Console(), verdict, screening)
    raise typer.Exit(_EXIT_OF[verdict.outcome])


@app.command()
def version() -> None:
    """Print the c360guard version."""
    typer.echo(__version__)


def screening_document(screening: Screening) -> dict[str, Any]:
    """The JSON form of a screening: the model's fields plus what the model would see."""
    return {
        **screening.model_dump(mode="json"),
        "shown": screening.shown,
        "codes": screening.codes,
    }


def verdict_document(verdict: Verdict) -> dict[str, Any]:
    """The JSON form of a verdict, with its finding codes listed."""
    return {**verdict.model_dump(mode="json"), "codes": verdict.codes}


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


def _guard(contract: Path, at: str | None) -> Guard:
    instant = parse_instant(at) if at is not None else None
    return Guard(load_contract(contract), clock=(lambda: instant) if instant else system_clock)


def _load_recommendation(path: Path) -> Recommendation:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read recommendation {path}: {exc.strerror}; check the path")
    try:
        return Recommendation.model_validate_json(text)
    except ValidationError as exc:
        problems = "\n".join(
            f"  - {'.'.join(str(part) for part in error['loc']) or '(root)'}: {error['msg']}"
            for error in exc.errors(include_url=False)
        )
        fail(
            f"invalid recommendation in {path}:\n{problems}\n"
            "See docs/cli.md for the recommendation format."
        )
