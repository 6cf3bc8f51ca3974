"""Decision records: one stable JSON document per guard decision, built from its span.

The schema is documented in docs/telemetry.md ("Decision records"); every key is always
present (null or empty when it does not apply), so consumers need no guesswork. The audit
log adds `seq`, `prev_hash` and `hash` around each record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.trace import format_span_id, format_trace_id

from c360guard.telemetry import attributes as attr

RECORD_SCHEMA: Final = "c360guard.decision/1"
"""The `schema` of every decision record; bumped only on an incompatible change."""

KINDS: Final = {
    attr.SPAN_SCREEN: "screen",
    attr.SPAN_CHECK: "check",
    attr.SPAN_REVIEW: "review",
    attr.SPAN_PAUSE: "pause",
}
"""Span name to the record kind it becomes; other spans make no record."""

Record = dict[str, Any]


def decision_record(span: ReadableSpan, screening: Record | None = None) -> Record | None:
    """Build the decision record of a screen, check, review or pause span (None otherwise).

    `screening` is the record of the screen span a check was judged against, when known:
    its fields (what the model saw, and what was withheld) are copied into the check's.
    """
    kind = KINDS.get(span.name)
    if kind is None:
        return None
    found: Mapping[str, Any] = span.attributes or {}
    context = span.get_span_context()
    assert context is not None  # finished SDK spans always carry their context
    return {
        "schema": RECORD_SCHEMA,
        "decision_id": format_span_id(context.span_id),
        "kind": kind,
        "timestamp": found.get(attr.DECIDED_AT) or _iso_from_ns(span.end_time),
        "recorded_at": _iso_from_ns(span.end_time),
        "workflow": found.get(attr.WORKFLOW),
        "contract": {
            "version": found.get(attr.CONTRACT_VERSION),
            "digest": found.get(attr.CONTRACT_DIGEST),
        },
        "authority": found.get(attr.AUTHORITY),
        "entity": _entity(found),
        "trace_id": format_trace_id(context.trace_id),
        "span_id": format_span_id(context.span_id),
        "parent_span_id": format_span_id(span.parent.span_id) if span.parent else None,
        "screening": _screening_ref(found, kind),
        "fields": _fields(found, span.events) if kind == "screen" else _copied_fields(screening),
        "findings": _findings(span.events),
        "verdict": found.get(attr.VERDICT),
        "action": found.get(attr.ACTION),
        "reason_codes": list(found.get(attr.REASON_CODES, ())),
        "cited_fields": list(found.get(attr.CITED_FIELDS, ())),
        "confidence": found.get(attr.CONFIDENCE),
        "review_ticket_id": found.get(attr.REVIEW_TICKET_ID),
        "lineage": _lineage(span.events),
        "recommendation": _recommendation(found),
        "review": _review(found) if kind == "review" else None,
        "pause": _pause(found) if kind == "pause" else None,
    }


def _entity(found: Mapping[str, Any]) -> Record | None:
    if attr.ENTITY_ID not in found:
        return None
    return {
        "id": found[attr.ENTITY_ID],
        "grain": found.get(attr.ENTITY_GRAIN),
        "parent_id": found.get(attr.ENTITY_PARENT_ID),
        "match_confidence": found.get(attr.ENTITY_MATCH_CONFIDENCE),
    }


def _screening_ref(found: Mapping[str, Any], kind: str) -> Record | None:
    if kind != "check" or attr.SCREEN_SPAN_ID not in found:
        return None
    return {"trace_id": found.get(attr.SCREEN_TRACE_ID), "span_id": found[attr.SCREEN_SPAN_ID]}


def _fields(found: Mapping[str, Any], events: Sequence[Event]) -> Record:
    names: Sequence[str] = found.get(attr.FIELDS_ADMITTED, ())
    sensitive = set(found.get(attr.FIELDS_SENSITIVE, ()))
    provenance = _json_object(found.get(attr.FIELDS_PROVENANCE))
    values = _json_object(found.get(attr.FIELDS_VALUES))
    admitted = []
    for name in names:
        source, owner, stamp, path = (provenance.get(name) or [None] * 4)[:4]
        entry: Record = {
            "name": name,
            "shown": name not in sensitive,
            "source": source,
            "owner": owner,
            "updated_at": _iso_from_unix(stamp) if stamp is not None else None,
            "source_path": path,
        }
        if name in values:
            entry["value"] = values[name]
        admitted.append(entry)
    return {
        "admitted": admitted,
        "withheld": _withheld(found, events),
        "sensitive": [name for name in names if name in sensitive],
    }


def _json_object(text: Any) -> dict[str, Any]:
    if not isinstance(text, str):
        return {}
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _copied_fields(screening: Record | None) -> Record | None:
    return None if screening is None else screening.get("fields")


def _withheld(found: Mapping[str, Any], events: Sequence[Event]) -> list[Record]:
    why: dict[str, Mapping[str, Any]] = {
        str((event.attributes or {}).get(attr.FIELD)): event.attributes or {}
        for event in events
        if event.name == attr.EVENT_WITHHELD
    }
    withheld = []
    for name in found.get(attr.FIELDS_WITHHELD, ()):
        held = why.get(name, {})
        codes = list(held.get(attr.CODES, ()))
        withheld.append({"name": name, "codes": codes, "outcome": held.get(attr.FINDING_OUTCOME)})
    return withheld


def _findings(events: Sequence[Event]) -> list[Record]:
    return [
        _finding(event.attributes or {}) for event in events if event.name == attr.EVENT_FINDING
    ]


def _finding(found: Mapping[str, Any]) -> Record:
    prefix = attr.FINDING_DETAIL_PREFIX
    detail = {key[len(prefix) :]: value for key, value in found.items() if key.startswith(prefix)}
    return {
        "code": found.get(attr.FINDING_CODE),
        "dimension": found.get(attr.FINDING_DIMENSION),
        "outcome": found.get(attr.FINDING_OUTCOME),
        "field": found.get(attr.FIELD),
        "detail": detail,
        "message": found.get(attr.FINDING_MESSAGE),
    }


def _lineage(events: Sequence[Event]) -> list[Record]:
    return [_lineage_entry(e.attributes or {}) for e in events if e.name == attr.EVENT_LINEAGE]


def _lineage_entry(found: Mapping[str, Any]) -> Record:
    entry: Record = {
        "field": found.get(attr.FIELD),
        "shown": found.get(attr.LINEAGE_SHOWN),
        "source": found.get(attr.LINEAGE_SOURCE),
        "owner": found.get(attr.LINEAGE_OWNER),
        "updated_at": found.get(attr.LINEAGE_UPDATED_AT),
        "source_path": found.get(attr.LINEAGE_SOURCE_PATH),
        "age_seconds": found.get(attr.LINEAGE_AGE_SECONDS),
        "confidence": found.get(attr.LINEAGE_CONFIDENCE),
        "grain": found.get(attr.LINEAGE_GRAIN),
    }
    if attr.LINEAGE_VALUE in found:
        entry["value"] = found[attr.LINEAGE_VALUE]
    return entry


def _recommendation(found: Mapping[str, Any]) -> Record | None:
    if attr.SUMMARY not in found:
        return None
    return {
        "summary": found.get(attr.SUMMARY),
        "explanations": list(found.get(attr.EXPLANATIONS, ())),
        "arguments": found.get(attr.ARGUMENTS),
    }


def _review(found: Mapping[str, Any]) -> Record:
    return {
        "decision": found.get(attr.REVIEW_DECISION),
        "status": found.get(attr.REVIEW_STATUS),
        "reviewer": found.get(attr.REVIEWER),
        "edited": found.get(attr.REVIEW_EDITED),
        "misleading_fields": list(found.get(attr.REVIEW_MISLEADING_FIELDS, ())),
        "note": found.get(attr.REVIEW_NOTE),
    }


def _pause(found: Mapping[str, Any]) -> Record:
    return {
        "state": found.get(attr.PAUSE_STATE),
        "by": found.get(attr.PAUSED_BY),
        "reason": found.get(attr.PAUSE_REASON),
        "automatic": found.get(attr.PAUSE_AUTOMATIC),
        "resumed_by": found.get(attr.PAUSE_RESUMED_BY),
    }


def _iso_from_ns(nanoseconds: int | None) -> str | None:
    if nanoseconds is None:
        return None
    return _iso(datetime.fromtimestamp(nanoseconds / 1e9, tz=UTC))


def _iso_from_unix(seconds: int) -> str:
    return _iso(datetime.fromtimestamp(seconds, tz=UTC))


def _iso(moment: datetime) -> str:
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
