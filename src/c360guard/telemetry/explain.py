"""Explain decisions from an audit log: what was decided, why, and from which fields."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from c360guard.errors import AuditLogError
from c360guard.telemetry._phrases import duration, finding_sentence
from c360guard.telemetry.chain import iter_lines, parse_line
from c360guard.telemetry.records import RECORD_SCHEMA, Record

_VERDICT_WORDS = {"allow": "ALLOWED", "review": "SENT TO REVIEW", "block": "BLOCKED"}


def load_records(path: str | Path) -> list[Record]:
    """Read the decision records of an audit log, in order (recovery records left out)."""
    records = []
    for _, _, raw in iter_lines(path):
        record = parse_line(raw)
        if record is not None and record.get("schema") == RECORD_SCHEMA:
            records.append(record)
    return records


def find_decisions(
    records: Sequence[Record],
    *,
    decision: str | None = None,
    entity: str | None = None,
    since: datetime | None = None,
) -> list[Record]:
    """Select records by decision id (or a unique prefix of one), or by entity and time."""
    if decision is not None:
        found = [r for r in records if str(r.get("decision_id", "")).startswith(decision)]
        if len(found) > 1:
            raise AuditLogError(
                f"decision id prefix {decision!r} matches {len(found)} records; give more of the id"
            )
        return found
    selected = [r for r in records if (r.get("entity") or {}).get("id") == entity]
    if since is not None:
        selected = [r for r in selected if _moment(r.get("timestamp")) >= since]
    return selected


def explain(record: Record, records: Sequence[Record]) -> dict[str, Any]:
    """Build the explanation of one decision; `records` lets it find linked screens/reviews."""
    screening = _screening_fields(record, records)
    fields = screening.get("fields") or {}
    admitted = fields.get("admitted", [])
    return {
        "decision_id": record.get("decision_id"),
        "kind": record.get("kind"),
        "timestamp": record.get("timestamp"),
        "workflow": record.get("workflow"),
        "contract": record.get("contract"),
        "authority": record.get("authority"),
        "entity": record.get("entity"),
        "verdict": record.get("verdict"),
        "headline": _headline(record),
        "proposal": _proposal(record),
        "why": [_why(f) for f in record.get("findings", [])],
        "evidence": [_evidence(entry) for entry in record.get("lineage", [])],
        "seen": [entry for entry in admitted if entry.get("shown")],
        "sensitive": fields.get("sensitive", []),
        "withheld": [_withheld(entry) for entry in fields.get("withheld", [])],
        "screening": screening.get("ref"),
        "review": _review_of(record, records),
        "pause": record.get("pause"),
        "trace_id": record.get("trace_id"),
        "span_id": record.get("span_id"),
    }


def render(explanation: dict[str, Any]) -> str:
    """Render an explanation as plain text for a person."""
    lines = [explanation["headline"]]
    lines += _context_lines(explanation)
    why = [w["text"] for w in explanation["why"]]
    if explanation["kind"] == "check":
        lines += _section("Why", why, empty="no findings: nothing stood in the way")
        lines += _section("Evidence the reasons cite", [e["text"] for e in explanation["evidence"]])
    else:
        lines += _section("Findings", why)
    if explanation["kind"] in ("screen", "check"):
        lines += _seen_lines(explanation)
        lines += _section(
            "Withheld from the model",
            [w["text"] for w in explanation["withheld"]],
            empty="nothing",
        )
    if explanation["review"]:
        lines += _section("Review", [_review_text(explanation["review"])])
    lines.append(f"Trace {explanation['trace_id']}, span {explanation['span_id']}")
    return "\n".join(lines)


def _headline(record: Record) -> str:
    kind = record.get("kind")
    entity = (record.get("entity") or {}).get("id", "?")
    stamp = record.get("timestamp")
    ident = record.get("decision_id")
    if kind == "check":
        verdict = _VERDICT_WORDS.get(str(record.get("verdict")), str(record.get("verdict")))
        what = record.get("action") or "a suggestion"
        return f"Decision {ident} at {stamp}: {verdict} — {what} for {entity}"
    if kind == "screen":
        return f"Decision {ident} at {stamp}: screened {entity} (what the model may see)"
    if kind == "review":
        review = record.get("review") or {}
        return f"Decision {ident} at {stamp}: review {review.get('decision')} for {entity}"
    pause = record.get("pause") or {}
    if pause.get("state") == "resumed":
        who = f"{pause.get('resumed_by')} (paused by {pause.get('by')})"
    else:
        who = str(pause.get("by"))
    return f"Decision {ident} at {stamp}: workflow {pause.get('state')} by {who}"


def _context_lines(explanation: dict[str, Any]) -> list[str]:
    contract = explanation.get("contract") or {}
    entity = explanation.get("entity") or {}
    lines = [
        f"  Workflow {explanation['workflow']} (contract version {contract.get('version')}, "
        f"{contract.get('digest')})",
    ]
    if entity:
        lines.append(f"  Entity {entity.get('id')} ({entity.get('grain')})")
    proposal = explanation.get("proposal")
    if proposal:
        lines.append(f"  Proposed: {proposal['text']}")
    pause = explanation.get("pause")
    if pause:
        lines.append(f"  Reason given: {pause.get('reason')}")
    return lines


def _proposal(record: Record) -> dict[str, Any] | None:
    if record.get("kind") != "check":
        return None
    action = record.get("action")
    codes = ", ".join(record.get("reason_codes", [])) or "none"
    confidence = record.get("confidence")
    stated = "no confidence" if confidence is None else f"confidence {confidence}"
    what = f"action {action}" if action else "a suggestion (no action)"
    text = (
        f"{what} at authority {record.get('authority')}, reasons {codes}, {stated}; cites "
        f"{', '.join(record.get('cited_fields', [])) or 'no fields'}"
    )
    return {"action": action, "reason_codes": record.get("reason_codes"), "text": text}


def _why(finding: Record) -> dict[str, Any]:
    sentence = finding_sentence(
        str(finding.get("code")), finding.get("field"), finding.get("detail") or {}
    )
    outcome = finding.get("outcome") or "allow"
    label = {"block": "blocks", "review": "needs review", "allow": "noted"}.get(outcome, outcome)
    return {**finding, "text": f"[{label}] {sentence} ({finding.get('code')})"}


def _evidence(entry: Record) -> dict[str, Any]:
    name = entry.get("field")
    if entry.get("source") is None and entry.get("updated_at") is None:
        return {**entry, "text": f"{name}: not in the profile"}
    shown = "shown to the model" if entry.get("shown") else "NOT shown to the model"
    text = (
        f"{name}: from {entry.get('source')}"
        f"{_path(entry.get('source_path'))}, owned by {entry.get('owner') or 'nobody'}, "
        f"updated {entry.get('updated_at')}, {duration(entry.get('age_seconds'))} old at the "
        f"decision; {shown}"
    )
    return {**entry, "text": text}


def _seen_lines(explanation: dict[str, Any]) -> list[str]:
    if explanation["screening"] is not None and not explanation["screening"].get("found"):
        return ["Fields the model saw: unknown (the screening behind this check is not in the log)"]
    seen = [
        f"{e['name']}: {e.get('source')}{_path(e.get('source_path'))}, owner "
        f"{e.get('owner') or 'none'}, updated {e.get('updated_at')}"
        for e in explanation["seen"]
    ]
    lines = _section(f"Fields the model saw ({len(seen)})", seen, empty="none")
    if explanation["sensitive"]:
        names = ", ".join(explanation["sensitive"])
        lines.append(f"  Sensitive (usable by actions, never shown to the model): {names}")
    return lines


def _withheld(entry: Record) -> dict[str, Any]:
    codes = entry.get("codes") or []
    name = entry.get("name")
    why = finding_sentence(codes[0], name, {}) if codes else f"{name} was withheld"
    text = f"{why} ({', '.join(codes) or 'no code'})"
    return {**entry, "text": text}


def _screening_fields(record: Record, records: Sequence[Record]) -> dict[str, Any]:
    """The fields behind a decision: its own, copied from its screening, or looked up."""
    if record.get("kind") == "screen":
        return {"fields": record.get("fields"), "ref": None}
    ref = record.get("screening")
    if record.get("kind") != "check":
        return {"fields": None, "ref": None}
    if record.get("fields") is not None:
        return {"fields": record["fields"], "ref": {**(ref or {}), "found": True}}
    span_id = (ref or {}).get("span_id")
    match = next((r for r in records if span_id and r.get("span_id") == span_id), None)
    found = {**(ref or {}), "found": match is not None}
    return {"fields": match.get("fields") if match else None, "ref": found}


def _review_of(record: Record, records: Iterable[Record]) -> dict[str, Any] | None:
    if record.get("kind") == "review":
        return record.get("review")
    ticket = record.get("review_ticket_id")
    if ticket is None:
        return None
    reviews = [
        r for r in records if r.get("kind") == "review" and r.get("review_ticket_id") == ticket
    ]
    if not reviews:
        return {"ticket_id": ticket, "decision": None}
    return {"ticket_id": ticket, **(reviews[-1].get("review") or {})}


def _review_text(review: dict[str, Any]) -> str:
    if review.get("decision") is None:
        return f"ticket {review.get('ticket_id')} is waiting for a person"
    who = review.get("reviewer") or "a reviewer"
    text = f"{who} decided: {review.get('decision')} (ticket status {review.get('status')})"
    if review.get("misleading_fields"):
        text += f"; misleading fields: {', '.join(review['misleading_fields'])}"
    return text


def _section(title: str, items: Sequence[str], *, empty: str | None = None) -> list[str]:
    if not items and empty is None:
        return []
    lines = [f"{title}:"]
    lines += [f"  - {item}" for item in items] or [f"  {empty}"]
    return lines


def _path(source_path: str | None) -> str:
    return f" ({source_path})" if source_path else ""


def _moment(stamp: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
