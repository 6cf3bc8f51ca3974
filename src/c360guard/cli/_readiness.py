"""`c360guard survive` and `c360guard generate`: the survival test at table scale."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from c360guard.cli._app import app, bad_input_exits, fail, parse_instant
from c360guard.errors import C360GuardError
from c360guard.model import Readiness
from c360guard.readiness import (
    ENGINES,
    DefectRates,
    ReadinessReport,
    generate_customer360,
    survival_test,
)
from c360guard.readiness.render import FORMATS, render

logger = logging.getLogger(__name__)

EXIT_BELOW = 1
"""`survive --require`: the workflow is below the required readiness level."""

SURVIVE_EXITS = (
    "Exit codes: 0 the report was written (and --require is met), 1 below the --require "
    "level, 3 bad input (contract, table, option)."
)


@app.command(epilog=SURVIVE_EXITS)
def survive(
    contract: Annotated[Path, typer.Argument(help="The workflow's contract (YAML).")],
    data: Annotated[
        Path,
        typer.Argument(help="The profiles in the long layout: .parquet, .csv, .jsonl or .duckdb."),
    ],
    engine: Annotated[
        str, typer.Option(help="Where to run: memory (the row-by-row guard), duckdb or spark.")
    ] = "duckdb",
    format: Annotated[str, typer.Option("--format", help="text, markdown, json or html.")] = "text",
    require: Annotated[
        Readiness | None,
        typer.Option(help="Exit 1 unless the workflow reaches this level (a CI gate)."),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(help="Judge freshness at this ISO 8601 instant (with a UTC offset)."),
    ] = None,
    table: Annotated[
        str | None, typer.Option(help="The table to read inside a .duckdb database.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the report to this file instead of stdout.")
    ] = None,
) -> None:
    """Run the workflow survival test over a table of profiles and print the report."""
    with bad_input_exits():
        if format not in FORMATS:
            raise C360GuardError(f"--format {format!r} is not one of {', '.join(FORMATS)}")
        if engine not in ENGINES:
            raise C360GuardError(f"--engine {engine!r} is not one of {', '.join(ENGINES)}")
        with _progress_bar() as progress:
            report = survival_test(
                contract,
                data,
                engine=engine,  # type: ignore[arg-type]  # checked just above
                at=parse_instant(at) if at else None,
                table=table,
                progress=progress,
            )
    _write(render(report, format), out)  # type: ignore[arg-type]  # checked above
    _gate(report, require)


@app.command()
def generate(
    profiles: Annotated[int, typer.Option("--profiles", help="Account profiles to write.")],
    out: Annotated[Path, typer.Option("--out", help="The file: .parquet, .csv or .jsonl.")],
    seed: Annotated[int, typer.Option(help="The same seed writes the same data.")] = 0,
    at: Annotated[
        str | None,
        typer.Option(help="The instant the data is fresh at (ISO 8601); now by default."),
    ] = None,
    labels: Annotated[
        Path | None, typer.Option(help="Where to write the labels (default: beside --out).")
    ] = None,
    defect: Annotated[
        list[str] | None,
        typer.Option(help="A defect rate as NAME=RATE (repeatable), e.g. stale=0.05."),
    ] = None,
    clean: Annotated[bool, typer.Option(help="Plant no defects at all.")] = False,
) -> None:
    """Write a believable Customer 360 in the long layout, with labelled defects."""
    with bad_input_exits():
        rates = _rates(defect or [], clean=clean)
        written = generate_customer360(
            out,
            profiles=profiles,
            seed=seed,
            at=parse_instant(at) if at else None,
            rates=rates,
            labels=labels,
        )
    stamp = written.at.isoformat().replace("+00:00", "Z")
    typer.echo(
        f"wrote {written.rows} rows ({written.accounts} accounts, {written.entities} entities) "
        f"to {written.path}\nlabels: {written.labels} ({written.defects} planted defects)\n"
        f"judge it with: c360guard survive examples/readiness/account_nudges.yaml "
        f"{written.path} --at {stamp}"
    )


def _rates(items: list[str], *, clean: bool) -> DefectRates:
    chosen: dict[str, float] = dict.fromkeys(DefectRates().as_dict(), 0.0) if clean else {}
    for item in items:
        name, _, rate = item.partition("=")
        if name not in DefectRates.model_fields:
            raise C360GuardError(
                f"--defect {item!r}: unknown defect; use one of "
                f"{', '.join(DefectRates.model_fields)}"
            )
        try:
            chosen[name] = float(rate)
        except ValueError:
            raise C360GuardError(
                f"--defect {item!r}: write the rate as a number, e.g. {name}=0.05"
            ) from None
    try:
        return DefectRates(**chosen)
    except ValueError as exc:
        raise C360GuardError(f"--defect: {exc}") from exc


def _gate(report: ReadinessReport, require: Readiness | None) -> None:
    if require is None or report.reaches(require):
        return
    typer.echo(
        f"{report.workflow} reaches {report.level.value}, below the required "
        f"{require.value}: {report.reason}",
        err=True,
    )
    raise typer.Exit(EXIT_BELOW)


def _write(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}; check the path")


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int | None], None] | None]:
    """A progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn("survival test"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("survival test", total=None)

        def advance(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
