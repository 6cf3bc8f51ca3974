"""Span, event and attribute names: the one place telemetry names are spelled.

Everything the guard writes to a span is named here, so a backend query written against
these names keeps working. docs/telemetry.md lists each with its meaning.
"""

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

# Span event names.
EVENT_WITHHELD: Final = "c360guard.withheld"
EVENT_FINDING: Final = "c360guard.finding"
EVENT_LINEAGE: Final = "c360guard.lineage"

# c360guard attributes: the decision.
WORKFLOW: Final = "c360guard.workflow"
CONTRACT_VERSION: Final = "c360guard.contract.version"
CONTRACT_DIGEST: Final = "c360guard.contract.digest"
AUTHORITY: Final = "c360guard.authority"
DECIDED_AT: Final = "c360guard.decided_at"
ENTITY_ID: Final = "c360guard.entity.id"
ENTITY_GRAIN: Final = "c360guard.entity.grain"
ENTITY_PARENT_ID: Final = "c360guard.entity.parent_id"
ENTITY_MATCH_CONFIDENCE: Final = "c360guard.entity.match_confidence"
FIELDS_ADMITTED: Final = "c360guard.fields.admitted"
FIELDS_WITHHELD: Final = "c360guard.fields.withheld"
FIELDS_SENSITIVE: Final = "c360guard.fields.sensitive"
FINDINGS_CODES: Final = "c360guard.findings.codes"
VERDICT: Final = "c360guard.verdict"
ACTION: Final = "c360guard.action"
REASON_CODES: Final = "c360guard.reason_codes"
CITED_FIELDS: Final = "c360guard.cited_fields"
CONFIDENCE: Final = "c360guard.confidence"
REVIEW_TICKET_ID: Final = "c360guard.review.ticket_id"

# Provenance of the admitted fields: one JSON object, field name to
# [source, owner, updated_at (Unix seconds), source_path] (null where the value has none).
# One string rather than an array per column or an event per field, because the SDK checks
# every array element and a 100-field screening must stay cheap.
FIELDS_PROVENANCE: Final = "c360guard.fields.provenance"
FIELDS_VALUES: Final = "c360guard.fields.values"  # only with capture_values: name to value

# The screen span a check judged against (also a parent or a span link).
SCREEN_TRACE_ID: Final = "c360guard.screen.trace_id"
SCREEN_SPAN_ID: Final = "c360guard.screen.span_id"

# Free text of the recommendation: only with capture_values.
SUMMARY: Final = "c360guard.recommendation.summary"
EXPLANATIONS: Final = "c360guard.recommendation.explanations"
ARGUMENTS: Final = "c360guard.recommendation.arguments"

# Event attributes: withheld fields and findings.
FIELD: Final = "c360guard.field"
CODES: Final = "c360guard.codes"
FINDING_CODE: Final = "c360guard.finding.code"
FINDING_DIMENSION: Final = "c360guard.finding.dimension"
FINDING_OUTCOME: Final = "c360guard.finding.outcome"
FINDING_MESSAGE: Final = "c360guard.finding.message"  # only with capture_values
FINDING_DETAIL_PREFIX: Final = "c360guard.finding.detail."

# Event attributes: lineage of one cited field.
LINEAGE_SHOWN: Final = "c360guard.lineage.shown"
LINEAGE_SOURCE: Final = "c360guard.lineage.source"
LINEAGE_OWNER: Final = "c360guard.lineage.owner"
LINEAGE_UPDATED_AT: Final = "c360guard.lineage.updated_at"
LINEAGE_SOURCE_PATH: Final = "c360guard.lineage.source_path"
LINEAGE_AGE_SECONDS: Final = "c360guard.lineage.age_seconds"
LINEAGE_CONFIDENCE: Final = "c360guard.lineage.confidence"
LINEAGE_GRAIN: Final = "c360guard.lineage.grain"
LINEAGE_VALUE: Final = "c360guard.lineage.value"  # only with capture_values

# Tool calls, retrieval, review decisions and pauses.
TOOL_NAME: Final = "c360guard.tool.name"
RETRIEVE_QUERY: Final = "c360guard.retrieve.query"  # only with capture_values
RETRIEVE_ENTITIES: Final = "c360guard.retrieve.entities"
RETRIEVE_DOCUMENT_IDS: Final = "c360guard.retrieve.document_ids"  # returned, in rank order
RETRIEVE_WITHHELD_IDS: Final = "c360guard.retrieve.withheld_ids"
RETRIEVE_WITHHELD_COUNT: Final = "c360guard.retrieve.withheld_count"
RETRIEVE_FETCHED_COUNT: Final = "c360guard.retrieve.fetched_count"  # asked of the wrapped one
RETRIEVE_SCORES: Final = "c360guard.retrieve.scores"  # parallel to document_ids, when given
TOOL_EXECUTED: Final = "c360guard.tool.executed"  # False when the guard kept the tool from running
REVIEW_DECISION: Final = "c360guard.review.decision"
REVIEW_STATUS: Final = "c360guard.review.status"
REVIEWER: Final = "c360guard.review.reviewer"
REVIEW_EDITED: Final = "c360guard.review.edited"
REVIEW_MISLEADING_FIELDS: Final = "c360guard.review.misleading_fields"
REVIEW_NOTE: Final = "c360guard.review.note"  # only with capture_values
PAUSE_STATE: Final = "c360guard.pause.state"  # "paused" or "resumed"
PAUSED_BY: Final = "c360guard.pause.by"
PAUSE_REASON: Final = "c360guard.pause.reason"
PAUSE_AUTOMATIC: Final = "c360guard.pause.automatic"
PAUSE_RESUMED_BY: Final = "c360guard.pause.resumed_by"

# OpenTelemetry GenAI semantic conventions, where they have a name.
GEN_AI_OPERATION_NAME: Final = "gen_ai.operation.name"
GEN_AI_TOOL_NAME: Final = "gen_ai.tool.name"
GEN_AI_TOOL_CALL_ID: Final = "gen_ai.tool.call.id"

# The proposed GenAI guardrail conventions (development status; mirrored so backends that
# key on them work once they settle). docs/telemetry.md says which proposal they follow.
GEN_AI_GUARDRAIL_COMPONENT_NAME: Final = "gen_ai.guardrail.component.name"
GEN_AI_GUARDRAIL_TARGET_TYPE: Final = "gen_ai.guardrail.target.type"
GEN_AI_GUARDRAIL_TARGET_SUBTYPE: Final = "gen_ai.guardrail.target.subtype"
GEN_AI_GUARDRAIL_TARGET_ID: Final = "gen_ai.guardrail.target.id"
GEN_AI_GUARDRAIL_VERDICT_TYPE: Final = "gen_ai.guardrail.verdict.type"
GEN_AI_GUARDRAIL_VERDICT_CODE: Final = "gen_ai.guardrail.verdict.code"
GEN_AI_GUARDRAIL_VERDICT_REASON: Final = "gen_ai.guardrail.verdict.reason"
GEN_AI_GUARDRAIL_ACTION_TYPE: Final = "gen_ai.guardrail.action.type"
GEN_AI_GUARDRAIL_POLICY_ID: Final = "gen_ai.guardrail.security.policy.id"
GEN_AI_GUARDRAIL_CONTENT_MODIFIED: Final = "gen_ai.guardrail.security.content.modified"

# Values of the GenAI attributes.
OPERATION_RUN_GUARDRAIL: Final = "run_guardrail"
OPERATION_EXECUTE_TOOL: Final = "execute_tool"
OPERATION_RETRIEVAL: Final = "retrieval"
COMPONENT_NAME: Final = "c360guard"
