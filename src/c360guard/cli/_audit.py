"""`c360guard audit verify` and `c360guard audit explain`: read the audit log."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from c360guard.cli._app import app, fail
from c360guard.errors import C360GuardError
from c360guard.model import parse_duration
from c360guard.telemetry import ChainReport, explain, find_decisions, load_records, render
from c360guard.telemetry import verify_log as verify_chain

logger = logging.getLogger(__name__)

EXIT_INTACT = 0
"""The chain verified, or the decisions were explained."""
EXIT_BROKEN = 1
"""`verify`: a record was altered, deleted, inserted or reordered. `explain`: nothing matched."""
EXIT_TORN = 4
"""`verify`: every whole record verified, but the file ends in a torn (half-written) line."""

audit = typer.Typer(
    name="audit",
    help="Verify and explain the audit log of guard decisions.",
    no_args_is_help=True,
)
app.add_typer(audit)

LogArg = Annotated[Path, typer.Argument(help="The audit log (JSON lines).", show_default=False)]


@audit.command(
    epilog="Exit codes: 0 intact, 1 broken (first break reported), 3 unreadable file, "
    "4 intact but the last line is torn (an interrupted write; the next append recovers it)."
)
def verify(
    log: LogArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check the hash chain of an audit log and report the first broken record."""
    try:
        report = verify_chain(log)
    except C360GuardError as exc:
        fail(str(exc))
    typer.echo(json.dumps(_report_document(report), indent=2) if as_json else _describe(report))
    if report.broken is not None:
        raise typer.Exit(EXIT_BROKEN)
    if report.torn_tail is not None:
        raise typer.Exit(EXIT_TORN)


@audit.command(
    name="explain",
    epilog="Exit codes: 0 explained, 1 no decision matched, 3 bad input or unreadable file.",
)
def explain_command(
    log: LogArg,
    decision: Annotated[
        str | None,
        typer.Option(help="The decision id (or a unique prefix of it).", show_default=False),
    ] = None,
    entity: Annotated[
        str | None,
        typer.Option(help="Explain every decision about this entity.", show_default=False),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="With --entity: only decisions at or after this instant (ISO 8601, e.g. "
            "2026-12-01T00:00:00Z) or within this long before now (e.g. 7d, 36h).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Say what was decided, why, which fields the model saw and where each came from."""
    if (decision is None) == (entity is None):
        fail("give exactly one of --decision ID or --entity ID")
    if since is not None and entity is None:
        fail("--since goes with --entity; a decision id already names one decision")
    cutoff = _since(since) if since is not None else None
    try:
        records = load_records(log)
        chosen = find_decisions(records, decision=decision, entity=entity, since=cutoff)
    except C360GuardError as exc:
        fail(str(exc))

    if not chosen:
        typer.echo(f"no decision in {log} matches {_asked(decision, entity, since)}", err=True)
        raise typer.Exit(EXIT_BROKEN)
    explained = [explain(record, records) for record in chosen]
    if as_json:
        typer.echo(json.dumps(explained, indent=2, ensure_ascii=False))
    else:
        typer.echo("\n\n".join(render(one) for one in explained))


def _describe(report: ChainReport) -> str:
    lines = [f"{report.path}: {report.records} records verified"]
    if report.recoveries:
        lines.append(
            f"  {len(report.recoveries)} recovered interrupted write(s), acknowledged at "
            f"line(s) {', '.join(map(str, report.recoveries))}"
        )
    if report.broken is not None:
        broken = report.broken
        claimed = f" (seq {broken.seq}, decision {broken.decision_id})" if broken.seq else ""
        lines.append(f"BROKEN at line {broken.line}{claimed}: {broken.problem}")
        lines.append("  Records before that line are intact; from it on nothing can be trusted.")
    elif report.torn_tail is not None:
        torn = report.torn_tail
        lines.append(
            f"TORN last line {torn.line} ({torn.length} bytes at offset {torn.offset}): a write "
            "was interrupted; every earlier record is intact, and the next append records the "
            "recovery"
        )
    else:
        lines.append("OK: the chain is intact")
    lines.append(f"  head hash {report.head_hash} (keep it elsewhere to detect truncation)")
    return "\n".join(lines)


def _report_document(report: ChainReport) -> dict[str, Any]:
    broken = report.broken
    torn = report.torn_tail
    return {
        "path": report.path,
        "intact": report.intact,
        "records": report.records,
        "head_hash": report.head_hash,
        "broken": None if broken is None else vars(broken),
        "torn_tail": None if torn is None else vars(torn),
        "recoveries": report.recoveries,
    }


def _since(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            return datetime.now(UTC) - parse_duration(text)
        except ValueError:
            fail(f"--since {text!r} is neither an ISO 8601 instant nor a duration like 7d")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _asked(decision: str | None, entity: str | None, since: str | None) -> str:
    if decision is not None:
        return f"decision {decision}"
    return f"entity {entity}" + (f" since {since}" if since else "")
