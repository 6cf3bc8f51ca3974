"""Show the copilot's recorded sessions: proposals, verdicts, tickets and the audit trail.

`make demo` plays them from cassettes/csm_copilot/ with no network; with `C360_LLM_BASE_URL`
and `C360_LLM_MODEL` set, the same scenarios run live against that endpoint instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from examples.csm_copilot.sessions import (
    ROOT,
    SCENARIOS,
    Scenario,
    SessionResult,
    live_endpoint,
    run_session,
    session_model,
)
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from c360guard.telemetry import explain, render
from c360guard.testing import RecordedEndpoint, replaying

STYLE = {"allow": "bold green", "review": "bold yellow", "block": "bold red"}


def play_sessions(console: Console, env: Mapping[str, str] | None = None) -> list[SessionResult]:
    """Play every scenario (replayed, or live when the endpoint variables are set) and show it."""
    env = os.environ if env is None else env
    live = live_endpoint(env)
    console.print(Rule("[bold]The CSM copilot with a real language model[/]"))
    console.print(_introduction(live))
    results = []
    for scenario in SCENARIOS:
        result, endpoint = _play(scenario, live, env)
        _show(console, result, endpoint, live=live is not None)
        results.append(result)
    return results


def _play(
    scenario: Scenario, live: RecordedEndpoint | None, env: Mapping[str, str]
) -> tuple[SessionResult, RecordedEndpoint]:
    if live is not None:
        return run_session(scenario, session_model(live, env)), live
    with replaying(scenario.cassette) as session:
        endpoint = session.endpoint
        assert endpoint is not None  # replaying() refuses a missing cassette
        return run_session(scenario, session_model(endpoint, env)), endpoint


def _introduction(live: RecordedEndpoint | None) -> str:
    if live is not None:
        return f"Running live against {live.model} at {live.base_url}."
    folder = SCENARIOS[0].cassette.parent.relative_to(ROOT)
    return (
        f"Replayed from {folder}/: real HTTP exchanges with a small model, recorded by "
        "`make record`.\nNo network and no model server are used; the guard, the review "
        "queue and the audit trail run for real."
    )


def _show(
    console: Console, result: SessionResult, endpoint: RecordedEndpoint, *, live: bool
) -> None:
    scenario = result.scenario
    console.print(Rule(f"[bold]{escape(scenario.title)}[/]"))
    how = "live" if live else f"replayed from {scenario.cassette.relative_to(ROOT)}"
    console.print(Text(f"The CSM asks ({how}, model {endpoint.model}):", style="dim"))
    console.print(Text(scenario.question, style="italic"))
    console.print(_proposals(result))
    for record in result.checks:
        console.print(_verdict(record))
    console.print(_outcome(result))
    for record in result.checks:
        console.print(Text("The audit trail explains the decision:", style="bold"))
        console.print(escape(render(explain(record, result.decisions))))
    console.print(Text(scenario.shows, style="italic"))


def _proposals(result: SessionResult) -> Table:
    table = Table(title="What the model proposed", title_justify="left")
    for column in ("Tool", "Arguments", "Reasons", "Confidence"):
        table.add_column(column, overflow="fold")
    for proposal in result.proposals:
        args = dict(proposal["args"])
        reasons = args.pop("reasons", None) or []
        confidence = args.pop("confidence", None)
        table.add_row(
            proposal["name"],
            ", ".join(f"{key}={value!r}" for key, value in args.items()),
            "\n".join(_reason(reason) for reason in reasons) or "-",
            "-" if confidence is None else str(confidence),
        )
    return table


def _reason(reason: Any) -> str:
    if not isinstance(reason, Mapping):
        return repr(reason)
    return f"{reason.get('code')} citing {', '.join(map(str, reason.get('fields') or [])) or '-'}"


def _verdict(record: Mapping[str, Any]) -> Panel:
    verdict = str(record.get("verdict"))
    findings = Table.grid(padding=(0, 2))
    findings.add_column(no_wrap=True)
    findings.add_column()
    for finding in record.get("findings") or []:
        where = f"field {finding['field']}" if finding.get("field") else ""
        findings.add_row(Text(str(finding["code"]), style=STYLE.get(finding["outcome"], "")), where)
    if not record.get("findings"):
        findings.add_row(Text("no findings", style="green"), "everything it relies on checks out")
    return Panel(
        Group(Text(f"{record.get('action')} on {record['entity']['id']}"), findings),
        title=Text(f"verdict: {verdict}", style=STYLE.get(verdict, "")),
        title_align="left",
    )


def _outcome(result: SessionResult) -> Text:
    lines = [
        f"Review ticket {ticket.id} filed ({ticket.status.value}): "
        f"{', '.join(f.code for f in ticket.findings)}"
        for ticket in result.tickets
    ]
    lines += [f"Ran: {entry['action']} {entry['arguments']}" for entry in result.ran]
    if not result.ran:
        lines.append("Nothing ran.")
    return Text("\n".join(lines))
