"""A walk through the field's stories: what the model sees, what it does not, and the verdict.

Run it with `make demo`. It works offline and gives the same answers every day: each profile is
judged at the instant examples/stories.yaml names, as `c360guard check --at` would.

The walk-through is a list of sections in `main()`; each is a function taking the shared
`Demo` state, so new parts of the tour are one function and one line away.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from c360guard import (
    C360GuardError,
    Contract,
    Guard,
    Outcome,
    Recommendation,
    Screening,
    Verdict,
    load_contract,
    load_profile,
)
from c360guard.review import ReviewDecision, SQLitePauseStore, SQLiteReviewQueue
from c360guard.telemetry import AuditLogExporter, explain, load_records, render, verify_log

EXAMPLES = Path(__file__).resolve().parent
STYLE = {Outcome.ALLOW: "bold green", Outcome.REVIEW: "bold yellow", Outcome.BLOCK: "bold red"}


@dataclass(frozen=True)
class Story:
    """One story of stories.yaml, with its files resolved and its promise."""

    name: str
    title: str
    text: str
    contract: Contract
    profile: Path
    recommendation: Recommendation
    outcome: Outcome
    codes: list[str]


@dataclass
class Demo:
    """What the sections share: the console, the clock, the stories and their results."""

    console: Console
    judged_at: datetime
    stories: list[Story]
    results: dict[str, tuple[Screening, Verdict]] = field(default_factory=dict)
    broken_promises: list[str] = field(default_factory=list)

    def guard(self, contract: Contract) -> Guard:
        """A Guard whose clock reads the stories' fixed instant."""
        return Guard(contract, clock=lambda: self.judged_at)

    def run(self, story: Story) -> tuple[Screening, Verdict]:
        """Screen the story's profile and check its recommendation (once; later calls reuse it)."""
        if story.name not in self.results:
            guard = self.guard(story.contract)
            screening = guard.screen(load_profile(story.profile))
            self.results[story.name] = (screening, guard.check(story.recommendation, screening))
        return self.results[story.name]


def load_demo(console: Console) -> Demo:
    """Read examples/stories.yaml and everything it names."""
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "stories.yaml").read_text("utf-8"))
    contracts: dict[str, Contract] = {}
    stories = []
    for item in data["stories"]:
        path = item["contract"]
        contract = contracts.setdefault(path, load_contract(EXAMPLES / path))
        recommendation_text = (EXAMPLES / item["recommendation"]).read_text("utf-8")
        stories.append(
            Story(
                name=item["name"],
                title=item["title"],
                text=item["story"],
                contract=contract,
                profile=EXAMPLES / item["profile"],
                recommendation=Recommendation.model_validate_json(recommendation_text),
                outcome=Outcome(item["expect"]["outcome"]),
                codes=list(item["expect"]["codes"]),
            )
        )
    return Demo(console, datetime.fromisoformat(data["judged_at"]), stories)


def introduction(demo: Demo) -> None:
    """Say what the tour shows."""
    demo.console.print(
        Panel.fit(
            "A Customer 360 profile that looks complete can still be unsafe to act on.\n"
            "For each story below, c360guard screens the profile against the workflow's\n"
            "contract (which fields may the model see?) and checks what the model proposed\n"
            "(allow, send to a person, or block?).\n\n"
            f"Every profile is judged at [bold]{demo.judged_at.isoformat()}[/].",
            title="c360guard: the field's stories",
        )
    )


def contracts_overview(demo: Demo) -> None:
    """List the five workflows and what each may do."""
    table = Table(title="The workflows and their contracts", title_justify="left")
    for column in ("Workflow", "Authority", "Grain", "Fields", "Actions", "Digest"):
        table.add_column(column)
    seen: dict[str, Contract] = {story.contract.workflow: story.contract for story in demo.stories}
    for contract in seen.values():
        table.add_row(
            contract.workflow,
            contract.authority.value,
            contract.grain.value,
            str(len(contract.fields)),
            ", ".join(contract.actions) or "(suggestions only)",
            contract.digest[:15] + "...",
        )
    demo.console.print(table)


def walk_through(demo: Demo) -> None:
    """Tell each story: the model's view, what was withheld and why, and the verdict."""
    for story in demo.stories:
        screening, verdict = demo.run(story)
        demo.console.print(Rule(f"[bold]{escape(story.title)}[/]"))
        demo.console.print(Text(story.text, style="italic"))
        demo.console.print(_model_view(screening, demo.judged_at))
        if screening.withheld:
            demo.console.print(_withheld(screening))
        demo.console.print(_verdict(story, verdict))


def summary(demo: Demo) -> None:
    """One line per story: the verdict, its codes, and whether it kept its promise."""
    table = Table(title="Summary", title_justify="left")
    for column in ("Story", "Workflow", "Verdict", "Codes", "As promised"):
        table.add_column(
            column, no_wrap=column in ("Verdict", "Codes", "As promised"), overflow="fold"
        )
    for story in demo.stories:
        _, verdict = demo.run(story)
        kept = verdict.outcome is story.outcome and set(story.codes) <= set(verdict.codes)
        if not kept:
            demo.broken_promises.append(story.name)
        table.add_row(
            story.name,
            story.contract.workflow,
            Text(verdict.outcome.value, style=STYLE[verdict.outcome]),
            "\n".join(verdict.codes) or "-",
            Text("yes", style="green") if kept else Text("NO", style="bold red"),
        )
    demo.console.print(table)


def human_review(demo: Demo) -> None:
    """File the low-confidence story's ticket, approve it, and run its action exactly once."""
    story = next(item for item in demo.stories if item.outcome is Outcome.REVIEW)
    demo.console.print(Rule("[bold]A person decides, and the action runs once[/]"))
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "reviews.db"
        with SQLiteReviewQueue(db) as queue, SQLitePauseStore(db) as pauses:
            guard = Guard(
                story.contract,
                clock=lambda: demo.judged_at,
                review_queue=queue,
                pause_store=pauses,
            )
            screening = guard.screen(load_profile(story.profile))
            ticket = guard.check(story.recommendation, screening).ticket
            again = guard.check(story.recommendation, screening).ticket
            assert ticket is not None
            assert again is not None
            demo.console.print(
                f"{story.recommendation.action} on {ticket.entity_id} is filed as ticket "
                f"[bold]{ticket.id[:12]}[/] ({', '.join(f.code for f in ticket.findings)}); "
                f"proposing it again attaches to the same ticket ({again.proposals} proposals)."
            )
            approved = guard.decide(ticket, ReviewDecision.approve("rpatel@example.com"))
            demo.console.print(f"Approved by [bold]{approved.reviewer}[/].")

            def create_cs_task(**arguments: Any) -> str:
                return f"task created: {arguments['title']}"

            demo.console.print(f"First run: {guard.execute(ticket, create_cs_task)}.")
            try:
                guard.execute(ticket, create_cs_task)
            except C360GuardError as refused:
                demo.console.print(f"Second run refused: [italic]{escape(str(refused))}[/]")


def _model_view(screening: Screening, now: datetime) -> Table:
    context = screening.context()
    table = Table(
        title=f"What the model sees ({context['entity']['id']}, at {screening.authority.value})",
        title_justify="left",
    )
    for column in ("Field", "Value", "Source", "Owner", "Age"):
        table.add_column(column)
    for name, shown in context["fields"].items():
        updated = datetime.fromisoformat(shown["updated_at"])
        table.add_row(
            name, repr(shown["value"]), shown["source"], shown["owner"] or "-", _age(now - updated)
        )
    return table


def _withheld(screening: Screening) -> Table:
    table = Table(title="Withheld, and why", title_justify="left", title_style="red")
    table.add_column("Field", no_wrap=True)
    table.add_column("Code", no_wrap=True)
    table.add_column("Why")
    unknown = []
    for name, findings in screening.withheld.items():
        if [f.code for f in findings] == ["field.unknown"]:
            unknown.append(name)
            continue
        for finding in findings:
            table.add_row(name, finding.code, finding.message)
    if unknown:
        # Fields the contract has no rule for are the common case; one line says it for all.
        table.add_row(", ".join(unknown), "field.unknown", "no rule in the contract: never shown")
    return table


def _verdict(story: Story, verdict: Verdict) -> Panel:
    findings = Table.grid(padding=(0, 2))
    findings.add_column(no_wrap=True)
    findings.add_column()
    for finding in verdict.findings:
        findings.add_row(Text(finding.code, style=STYLE[finding.outcome]), finding.message)
    if not verdict.findings:
        findings.add_row(Text("no findings", style="green"), "everything it relies on checks out")
    heading = Text.assemble(
        (story.recommendation.summary, "italic"),
        f"\naction: {verdict.action or 'suggestion'}   ",
        f"reasons: {', '.join(verdict.reason_codes) or '-'}",
    )
    return Panel(
        Group(heading, findings),
        title=Text(f"verdict: {verdict.outcome.value}", style=STYLE[verdict.outcome]),
        title_align="left",
    )


def _age(elapsed: timedelta) -> str:
    seconds = elapsed.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def audit_trail(demo: Demo) -> None:
    """Replay the stories with tracing into an audit log, verify it, explain two decisions."""
    folder = Path(tempfile.gettempdir()) / "c360guard-demo"
    shutil.rmtree(folder, ignore_errors=True)
    log = folder / "audit.jsonl"
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(AuditLogExporter(log)))
    for story in demo.stories:
        guard = Guard(story.contract, clock=lambda: demo.judged_at, tracer_provider=provider)
        guard.check(story.recommendation, guard.screen(load_profile(story.profile)))
    provider.shutdown()

    report = verify_log(log)
    demo.console.print(Rule("[bold]The audit trail[/]"))
    demo.console.print(
        f"Every screening and check above went to [bold]{log}[/] as a hash-chained record.\n"
        f"$ c360guard audit verify {log}\n"
        f"  {report.records} records, chain {'intact' if report.intact else 'BROKEN'}"
    )
    records = load_records(log)
    checks = [record for record in records if record["kind"] == "check"]
    for verdict, name in (("block", "open_sev1_escalation"), ("allow", "healthy_renewal")):
        record = _story_check(demo, checks, name) or next(
            r for r in checks if r["verdict"] == verdict
        )
        demo.console.print(
            f"\n$ c360guard audit explain {log} --decision {record['decision_id']}",
            style="bold",
        )
        demo.console.print(escape(render(explain(record, records))))


def _story_check(demo: Demo, checks: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The check record of the named story, matched by workflow, entity and action."""
    story = next((story for story in demo.stories if story.name == name), None)
    if story is None:
        return None
    entity = load_profile(story.profile).entity.id
    for record in checks:
        if (record["workflow"], record["entity"]["id"], record["action"]) == (
            story.contract.workflow,
            entity,
            story.recommendation.action,
        ):
            return record
    return None


def recorded_copilot(demo: Demo) -> None:
    """Replay the CSM copilot's sessions with a real model (live when C360_LLM_* are set)."""
    root = str(EXAMPLES.parent)
    if root not in sys.path:
        sys.path.insert(0, root)  # the copilot is imported as `examples.csm_copilot`
    from examples.csm_copilot.showcase import play_sessions

    play_sessions(demo.console)


def survival_test_section(demo: Demo) -> None:
    """Judge a generated Customer 360 of 5,000 accounts for the nudges workflow, on DuckDB."""
    demo.console.print(Rule("[bold]The workflow survival test: is the whole table ready?[/]"))
    try:
        from c360guard.readiness import generate_customer360, survival_test
        from c360guard.readiness.render import render as render_report

        with tempfile.TemporaryDirectory() as folder:
            table = Path(folder) / "customer360.parquet"
            data = generate_customer360(table, profiles=5000, seed=7, at=demo.judged_at)
            contract = EXAMPLES / "readiness" / "account_nudges.yaml"
            report = survival_test(contract, table, engine="duckdb", at=demo.judged_at)
    except C360GuardError as exc:  # the duckdb extra is missing: say so and go on
        demo.console.print(f"[yellow]Skipped:[/] {escape(str(exc))}")
        return
    demo.console.print(
        f"A generated Customer 360: {data.accounts} accounts ({data.rows} rows in the long "
        f"layout, {data.defects} planted defects), judged for {report.workflow} on DuckDB:"
    )
    text = render_report(report, "text")
    # The per-field coverage table is long; the dimensions and the next move tell the story.
    demo.console.print(escape(text.split("\nfields (")[0].rstrip()), soft_wrap=True)
    demo.console.print(
        f"$ c360guard survive {contract.relative_to(EXAMPLES.parent)} customer360.parquet "
        "--require ai_ready   # a CI gate: exits 1 below the level",
        style="bold",
    )


def main() -> int:
    """Run every section in order; exit non-zero if a story broke its promise."""
    console = Console(highlight=False)
    if not console.is_terminal:
        # Piped or captured (make, CI logs): 80 columns would wrap every table.
        console = Console(highlight=False, width=110)
    demo = load_demo(console)
    sections: list[Callable[[Demo], None]] = [
        introduction,
        contracts_overview,
        walk_through,
        summary,
        human_review,
        audit_trail,
        recorded_copilot,
        survival_test_section,
    ]
    for section in sections:
        section(demo)

    if demo.broken_promises:
        console.print(f"[bold red]Stories off script:[/] {', '.join(demo.broken_promises)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
