"""Rich renderings of screenings and verdicts for the terminal."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from c360guard.model import Finding, Outcome, Screening, Verdict
from c360guard.model.profile import FieldValue, profile_timestamp

OUTCOME_STYLE = {
    Outcome.ALLOW: "bold green",
    Outcome.REVIEW: "bold yellow",
    Outcome.BLOCK: "bold red",
}
"""How each outcome is coloured wherever it is printed."""


def render_screening(console: Console, screening: Screening) -> None:
    """Print what the model would see, what it would not, and why."""
    console.print(_screening_header(screening))
    console.print(_shown_table(screening))
    sensitive = [name for name in screening.admitted.fields if name in screening.sensitive]
    if sensitive:
        console.print(_sensitive_table(screening, sensitive))
    if screening.withheld:
        console.print(_withheld_table(screening))
    else:
        console.print("Nothing withheld.")
    console.print(_findings_table("Profile findings", screening.findings))


def render_verdict(console: Console, verdict: Verdict, screening: Screening) -> None:
    """Print the verdict on one recommendation, and every finding behind it."""
    headline = Text.assemble(
        (f" {verdict.outcome.value.upper()} ", f"reverse {OUTCOME_STYLE[verdict.outcome]}"),
        f"  {verdict.action or 'suggestion'} on {verdict.entity_id} ",
        (f"({verdict.workflow}, authority {verdict.authority.value})", "dim"),
    )
    console.print(headline)
    console.print(_verdict_summary(verdict, screening))
    console.print(_findings_table("Findings", verdict.findings))


def outcome_text(outcome: Outcome) -> Text:
    """An outcome as coloured text."""
    return Text(outcome.value, style=OUTCOME_STYLE[outcome])


def age(updated_at: datetime | None, now: datetime) -> str:
    """How old a value is, in the largest whole unit that fits (`3.5h`, `2.0d`)."""
    if updated_at is None:
        return "-"
    seconds = (now - updated_at).total_seconds()
    if seconds < 0:
        return "in the future"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def _screening_header(screening: Screening) -> Text:
    entity = screening.profile.entity
    return Text.assemble(
        ("Screening ", "bold"),
        (entity.id, "bold cyan"),
        f" ({entity.grain.value}) for ",
        (screening.workflow, "bold"),
        f" v{screening.contract_version} at authority ",
        (screening.authority.value, "bold"),
        ("  judged at " + profile_timestamp(screening.screened_at), "dim"),
    )


def _shown_table(screening: Screening) -> RenderableType:
    shown = screening.shown
    if not shown:
        return Text("The model would see no fields.", style="yellow")
    table = Table(title="Shown to the model", title_justify="left", title_style="bold green")
    for column in ("Field", "Source", "Owner", "Age"):
        table.add_column(column)
    for name in shown:
        held = _single(screening, name)
        table.add_row(
            name, held.source or "-", held.owner or "-", age(held.updated_at, screening.screened_at)
        )
    return table


def _sensitive_table(screening: Screening, names: list[str]) -> Table:
    table = Table(
        title="Sensitive: admitted for actions, never shown",
        title_justify="left",
        title_style="bold",
    )
    for column in ("Field", "Source", "Owner", "Age"):
        table.add_column(column)
    for name in names:
        held = _single(screening, name)
        table.add_row(
            name, held.source or "-", held.owner or "-", age(held.updated_at, screening.screened_at)
        )
    return table


def _withheld_table(screening: Screening) -> Table:
    table = Table(title="Withheld from the model", title_justify="left", title_style="bold red")
    table.add_column("Field", no_wrap=True)
    table.add_column("Codes", no_wrap=True)
    table.add_column("Why")
    for name, findings in screening.withheld.items():
        codes = "\n".join(dict.fromkeys(f.code for f in findings))
        table.add_row(name, codes, "\n".join(f.message for f in findings))
    return table


def _findings_table(title: str, findings: list[Finding]) -> RenderableType:
    if not findings:
        return Text(f"{title}: none.", style="dim")
    table = Table(title=title, title_justify="left", title_style="bold")
    table.add_column("Code", no_wrap=True)
    table.add_column("Dimension", no_wrap=True)
    table.add_column("Outcome", no_wrap=True)
    table.add_column("Message")
    for finding in findings:
        table.add_row(
            finding.code,
            finding.dimension.value,
            outcome_text(finding.outcome),
            finding.message,
        )
    return table


def _verdict_summary(verdict: Verdict, screening: Screening) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column()
    table.add_row("reason codes", ", ".join(verdict.reason_codes) or "-")
    table.add_row("cited fields", ", ".join(verdict.cited_fields) or "-")
    table.add_row(
        "model was shown",
        f"{len(screening.shown)} fields ({len(screening.withheld)} withheld)",
    )
    table.add_row("decided at", profile_timestamp(verdict.decided_at))
    return table


def _single(screening: Screening, name: str) -> FieldValue:
    held = screening.admitted.fields[name]
    assert isinstance(held, FieldValue)  # screening admits exactly one value per field
    return held
