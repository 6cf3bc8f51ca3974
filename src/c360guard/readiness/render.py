"""Render a readiness report as text, Markdown, JSON or a self-contained HTML page."""

from __future__ import annotations

import json
from html import escape
from typing import Literal

from c360guard.readiness.report import DimensionResult, ReadinessReport

Format = Literal["text", "markdown", "json", "html"]
"""The report formats `render` writes."""

FORMATS: tuple[str, ...] = ("text", "markdown", "json", "html")

_MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}
_COLOUR = {"pass": "#2e7d32", "warn": "#ef8f00", "fail": "#c62828"}


def render(report: ReadinessReport, format: Format = "text") -> str:
    """Render a report; JSON keys are stable, HTML needs no network to display."""
    if format == "json":
        return json.dumps(report.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    if format == "markdown":
        return _markdown(report)
    if format == "html":
        return _html(report)
    return _text(report)


def _headline(report: ReadinessReport) -> list[str]:
    scope = ", ".join(f"{n} {g}" for g, n in report.out_of_scope.items())
    return [
        f"workflow {report.workflow} v{report.contract_version} at {report.authority.value}, "
        f"{report.profiles} {report.grain.value} profiles"
        + (f" (out of scope: {scope})" if scope else ""),
        f"judged at {report.judged_at.isoformat()}",
        f"level: {report.level.value}",
        f"next move: {report.next_move.value}: {report.reason}",
    ]


def _text(report: ReadinessReport) -> str:
    lines = [*_headline(report), ""]
    for result in report.dimensions:
        lines.append(
            f"{_MARK[result.status]}  {result.dimension.value:<20} pass {result.pass_rate:6.1%}"
            f"  warn {result.warn_rate:6.1%}  fail {result.fail_rate:6.1%}"
            + (f"  e.g. {', '.join(result.examples)}" if result.examples else "")
        )
        for check in result.checks:
            if check.profiles:
                lines.append(
                    f"        {check.severity:<4} {check.code:<30} {check.profiles:>9} "
                    f"({check.rate:.1%})  e.g. {', '.join(check.examples)}"
                )
        for req in result.requirements:
            if not req.met:
                lines.append(f"        declare ({req.level.value}): {req.detail}")
    lines += ["", "fields (present / fresh / owned / trusted source / admitted):"]
    for cover in report.fields:
        if not cover.declared:
            continue
        lines.append(
            f"  {cover.field:<28} {cover.coverage:6.1%}  {cover.fresh_rate:6.1%}  "
            f"{cover.owned_rate:6.1%}  {cover.source_rate:6.1%}  {cover.admitted:>9}"
        )
    undeclared = [c.field for c in report.fields if not c.declared]
    if undeclared:
        lines.append(f"  undeclared (never shown): {', '.join(undeclared)}")
    return "\n".join(lines) + "\n"


def _markdown(report: ReadinessReport) -> str:
    lines = [f"# Survival test: {report.workflow}", ""]
    lines += [f"- {line}" for line in _headline(report)] + [""]
    lines += ["| dimension | status | pass | warn | fail | examples |", "|---|---|---|---|---|---|"]
    for r in report.dimensions:
        lines.append(
            f"| {r.dimension.value} | {r.status} | {r.pass_rate:.1%} | {r.warn_rate:.1%} "
            f"| {r.fail_rate:.1%} | {', '.join(r.examples)} |"
        )
    lines += ["", "## Checks", "", "| check | severity | profiles | rate | examples |"]
    lines += ["|---|---|---|---|---|"]
    for r in report.dimensions:
        for c in r.checks:
            if c.profiles:
                lines.append(
                    f"| {c.code} | {c.severity} | {c.profiles} | {c.rate:.1%} "
                    f"| {', '.join(c.examples)} |"
                )
    unmet = [req for r in report.dimensions for req in r.requirements if not req.met]
    if unmet:
        lines += ["", "## Declarations to add", ""]
        lines += [f"- **{req.key}** ({req.level.value}): {req.detail}" for req in unmet]
    lines += [
        "",
        "## Fields",
        "",
        "| field | present | fresh | owned | trusted source | admitted |",
    ]
    lines += ["|---|---|---|---|---|---|"]
    for f in report.fields:
        if f.declared:
            lines.append(
                f"| {f.field} | {f.coverage:.1%} | {f.fresh_rate:.1%} | {f.owned_rate:.1%} "
                f"| {f.source_rate:.1%} | {f.admitted} |"
            )
    return "\n".join(lines) + "\n"


def _bar(result: DimensionResult, width: int = 420) -> str:
    """An inline SVG bar: pass, warn and fail shares of the profiles, left to right."""
    x, parts = 0.0, []
    for status, share in (
        ("pass", result.pass_rate),
        ("warn", result.warn_rate),
        ("fail", result.fail_rate),
    ):
        length = share * width
        if length > 0:
            parts.append(
                f'<rect x="{x:.1f}" y="0" width="{length:.1f}" height="18" '
                f'fill="{_COLOUR[status]}"><title>{status} {share:.1%}</title></rect>'
            )
        x += length
    if not parts:
        parts.append(f'<rect x="0" y="0" width="{width}" height="18" fill="#bbb"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="18" role="img" '
        f'aria-label="{escape(result.dimension.value)}">{"".join(parts)}</svg>'
    )


def _html(report: ReadinessReport) -> str:
    rows = []
    for r in report.dimensions:
        checks = "".join(
            f"<li><code>{escape(c.code)}</code> {c.severity}: {c.profiles} "
            f"({c.rate:.1%}) e.g. {escape(', '.join(c.examples))}</li>"
            for c in r.checks
            if c.profiles
        )
        unmet = "".join(
            f"<li>declare ({escape(q.level.value)}): {escape(q.detail)}</li>"
            for q in r.requirements
            if not q.met
        )
        rows.append(
            f'<tr><th>{escape(r.dimension.value)}</th><td class="{r.status}">{r.status}</td>'
            f"<td>{_bar(r)}<br><small>pass {r.pass_rate:.1%} · warn {r.warn_rate:.1%} · "
            f"fail {r.fail_rate:.1%}</small><ul>{checks}{unmet}</ul></td></tr>"
        )
    fields = "".join(
        f"<tr><td>{escape(f.field)}</td><td>{f.coverage:.1%}</td><td>{f.fresh_rate:.1%}</td>"
        f"<td>{f.owned_rate:.1%}</td><td>{f.source_rate:.1%}</td><td>{f.admitted}</td></tr>"
        for f in report.fields
        if f.declared
    )
    head = "".join(f"<li>{escape(line)}</li>" for line in _headline(report))
    style = (
        "body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}"
        "table{border-collapse:collapse}td,th{padding:.3rem .6rem;vertical-align:top;"
        "border-bottom:1px solid #ddd;text-align:left}"
        + "".join(f".{k}{{color:{v};font-weight:bold}}" for k, v in _COLOUR.items())
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Survival test: {escape(report.workflow)}</title><style>{style}</style>"
        f"</head><body><h1>Survival test: {escape(report.workflow)}</h1><ul>{head}</ul>"
        f"<h2>Dimensions</h2><table>{''.join(rows)}</table>"
        f"<h2>Fields</h2><table><tr><th>field</th><th>present</th><th>fresh</th>"
        f"<th>owned</th><th>trusted source</th><th>admitted</th></tr>{fields}</table>"
        f"</body></html>\n"
    )
