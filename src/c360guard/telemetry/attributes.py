"""Span and attribute names: the one place telemetry names are spelled."""

from __future__ import annotations

from typing import Final

TRACER_NAME: Final = "c360guard"

# Span names.
SPAN_SCREEN: Final = "c360guard.screen"
SPAN_CHECK: Final = "c360guard.check"
SPAN_TOOL: Final = "c360guard.tool"  # followed by " {tool}"
SPAN_RETRIEVE: Final = "c360guard.retrieve"
SPAN_REVIEW: Final = "c360guard.review"
SPAN_PAUSE: Final = "c360guard.pause"

# c360guard attributes.
WORKFLOW: Final = "c360guard.workflow"
CONTRACT_VERSION: Final = "c360guard.contract.version"
CONTRACT_DIGEST: Final = "c360guard.contract.digest"
AUTHORITY: Final = "c360guard.authority"
ENTITY_ID: Final = "c360guard.entity.id"
ENTITY_GRAIN: Final = "c360guard.entity.grain"
FIELDS_ADMITTED: Final = "c360guard.fields.admitted"
FIELDS_WITHHELD: Final = "c360guard.fields.withheld"
FINDINGS_CODES: Final = "c360guard.findings.codes"
VERDICT: Final = "c360guard.verdict"
ACTION: Final = "c360guard.action"
REASON_CODES: Final = "c360guard.reason_codes"
CITED_FIELDS: Final = "c360guard.cited_fields"
CONFIDENCE: Final = "c360guard.confidence"
REVIEW_TICKET_ID: Final = "c360guard.review.ticket_id"
PAUSED_BY: Final = "c360guard.pause.by"
PAUSE_REASON: Final = "c360guard.pause.reason"

# OpenTelemetry GenAI semantic conventions, where they have a name.
GEN_AI_OPERATION_NAME: Final = "gen_ai.operation.name"
GEN_AI_TOOL_NAME: Final = "gen_ai.tool.name"
GEN_AI_TOOL_CALL_ID: Final = "gen_ai.tool.call.id"
GEN_AI_GUARDRAIL_VERDICT_TYPE: Final = "gen_ai.guardrail.verdict.type"
