"""The audit trail: OpenTelemetry spans for every decision, decision records, the audit log."""

from c360guard.telemetry import attributes
from c360guard.telemetry.audit_log import AuditLog, AuditLogExporter
from c360guard.telemetry.chain import ChainReport, verify_log
from c360guard.telemetry.explain import explain, find_decisions, load_records, render
from c360guard.telemetry.privacy import HASH_KEY_ENV, ValueCapture
from c360guard.telemetry.records import RECORD_SCHEMA, decision_record
from c360guard.telemetry.spans import GuardTracer, screen_span_of

__all__ = [
    "HASH_KEY_ENV",
    "RECORD_SCHEMA",
    "AuditLog",
    "AuditLogExporter",
    "ChainReport",
    "GuardTracer",
    "ValueCapture",
    "attributes",
    "decision_record",
    "explain",
    "find_decisions",
    "load_records",
    "render",
    "screen_span_of",
    "verify_log",
]
