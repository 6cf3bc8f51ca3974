"""What goes on the screen and check spans: attributes, events and lineage.

Only names, codes, provenance and identifiers are written unless value capture is on; see
`ValueCapture`. Every function here runs only for recording spans.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, NamedTuple, cast

from opentelemetry.trace import Span
from opentelemetry.util.types import AttributeValue
from pydantic_core import TzInfo

from c360guard.model import (
    Authority,
    Contract,
    FieldValue,
    Finding,
    Outcome,
    Profile,
    Recommendation,
    Screening,
    Verdict,
)
from c360guard.telemetry import attributes as attr
from c360guard.telemetry.privacy import ValueCapture, canonical_json

Attributes = dict[str, AttributeValue]

# Time zones whose offset never changes: pydantic's parsed offsets and `datetime.timezone`.
_FIXED_OFFSET_TYPES = (TzInfo, timezone)

# The proposed GenAI guardrail verdict and action for each outcome: `review` sends the
# recommendation to a person, which the proposal calls escalation.
_VERDICT_TYPE = {Outcome.ALLOW: "allow", Outcome.REVIEW: "escalate", Outcome.BLOCK: "deny"}
_ACTION_TYPE = {Outcome.ALLOW: "allow", Outcome.REVIEW: "escalate", Outcome.BLOCK: "block"}


WORKFLOW_KEYS = (attr.WORKFLOW, attr.CONTRACT_VERSION, attr.CONTRACT_DIGEST)
"""The attributes naming a contract on every span about it."""


def contract_attributes(contract: Contract) -> Attributes:
    """The attributes every screen and check span of a contract carries, whatever it decides."""
    return {
        attr.WORKFLOW: contract.workflow,
        attr.CONTRACT_VERSION: str(contract.version),
        attr.CONTRACT_DIGEST: contract.digest,
        attr.GEN_AI_OPERATION_NAME: attr.OPERATION_RUN_GUARDRAIL,
        attr.GEN_AI_GUARDRAIL_COMPONENT_NAME: attr.COMPONENT_NAME,
        attr.GEN_AI_GUARDRAIL_POLICY_ID: contract.workflow,
    }


def decision_attributes(
    constants: Attributes, profile: Profile, authority: Authority
) -> Attributes:
    """The attributes every screen and check span carries, set when the span starts.

    `constants` are the contract's (`contract_attributes`); they are copied, not changed.
    """
    entity = profile.entity
    found: Attributes = {
        **constants,
        attr.AUTHORITY: authority.value,
        attr.ENTITY_ID: entity.id,
        attr.ENTITY_GRAIN: entity.grain.value,
    }
    if entity.parent_id is not None:
        found[attr.ENTITY_PARENT_ID] = entity.parent_id
    if entity.match_confidence is not None:
        found[attr.ENTITY_MATCH_CONFIDENCE] = entity.match_confidence
    return found


def screen_start_attributes(
    constants: Attributes, profile: Profile, authority: Authority
) -> Attributes:
    """The attributes of a screen span known before screening."""
    found = decision_attributes(constants, profile, authority)
    # The profile is what enters the model: input, as retrieved content.
    found[attr.GEN_AI_GUARDRAIL_TARGET_TYPE] = "input"
    found[attr.GEN_AI_GUARDRAIL_TARGET_SUBTYPE] = "retrieval"
    return found


def check_start_attributes(
    constants: Attributes,
    contract: Contract,
    recommendation: Recommendation,
    screening: Screening,
    capture: ValueCapture,
) -> Attributes:
    """The attributes of a check span known before checking."""
    authority = contract.action_authority(recommendation.action) or contract.authority
    found = decision_attributes(constants, screening.profile, authority)
    # The recommendation is what leaves the model: output, an action or plain text.
    found[attr.GEN_AI_GUARDRAIL_TARGET_TYPE] = "output"
    found[attr.GEN_AI_GUARDRAIL_TARGET_SUBTYPE] = (
        "llm" if recommendation.action is None else "tool_call"
    )
    if recommendation.action is not None:
        found[attr.ACTION] = recommendation.action
    found[attr.REASON_CODES] = recommendation.reason_codes
    found[attr.CITED_FIELDS] = recommendation.cited_fields
    if recommendation.confidence is not None:
        found[attr.CONFIDENCE] = recommendation.confidence
    if capture.enabled:
        found.update(_recommendation_text(recommendation, screening, capture))
    return found


def write_screening(span: Span, screening: Screening, capture: ValueCapture) -> None:
    """Write a screening's outcome, provenance and withheld fields onto its span."""
    admitted = screening.admitted.fields
    sensitive = screening.sensitive
    modified = bool(screening.withheld) or bool(sensitive)
    span.set_attributes(
        {
            attr.DECIDED_AT: utc_text(screening.screened_at),
            attr.FIELDS_ADMITTED: list(admitted),
            attr.FIELDS_WITHHELD: list(screening.withheld),
            attr.FIELDS_SENSITIVE: list(filter(sensitive.__contains__, admitted)),
            attr.FINDINGS_CODES: screening.codes,
            attr.FIELDS_PROVENANCE: provenance_json(admitted),
            attr.GEN_AI_GUARDRAIL_VERDICT_TYPE: "modify" if modified else "allow",
            attr.GEN_AI_GUARDRAIL_ACTION_TYPE: "modify" if modified else "allow",
            attr.GEN_AI_GUARDRAIL_CONTENT_MODIFIED: modified,
        }
    )
    if capture.enabled:
        span.set_attribute(attr.FIELDS_VALUES, _admitted_values(screening, capture))
    for name, found in screening.withheld.items():
        span.add_event(attr.EVENT_WITHHELD, _withheld_event(name, found))
    for finding in screening.findings:
        span.add_event(attr.EVENT_FINDING, finding_event(finding, capture))


def provenance_json(fields: Mapping[str, FieldValue | list[FieldValue]]) -> str:
    """Field name to [source, owner, updated_at (Unix seconds), source_path], as JSON.

    The same text `json.dumps(..., separators=(",", ":"), ensure_ascii=False)` writes, put
    together by hand: this runs for every admitted field of every traced screening, and a
    field's name, source, owner and path repeat from profile to profile, so the quoted text
    around its timestamp is worked out once and kept (see `_Around`).
    """
    parts = []
    known = _AROUND.get
    # Screening admits one value per field, never a list of candidates.
    for name, held in cast("Mapping[str, FieldValue]", fields).items():
        source, owner, path = held.source, held.owner, held.source_path
        around = known(name)
        if (
            around is None
            or around.source != source
            or around.owner != owner
            or around.path != path
        ):
            around = _Around.keep(name, source, owner, path)
        stamp = held.updated_at
        if stamp is None:
            seconds: int | str = "null"
        elif stamp.tzinfo is UTC:
            seconds = (stamp - _EPOCH) // _SECOND  # `unix_seconds`, without the call
        else:
            seconds = unix_seconds(stamp)
        parts.append(f"{around.before}{seconds}{around.after}")
    return "{" + ",".join(parts) + "}"


class _Around(NamedTuple):
    """One field's provenance as quoted JSON text before and after its timestamp."""

    source: str | None
    owner: str | None
    path: str | None
    before: str
    after: str

    @classmethod
    def keep(cls, name: str, source: str | None, owner: str | None, path: str | None) -> _Around:
        """Quote a field's provenance and keep it for the next screening that admits it."""
        if len(_AROUND) >= _AROUND_BOUND:
            _AROUND.clear()  # odd data (ever-new field names) cannot grow it without limit
        quoted = [json.dumps(part, ensure_ascii=False) for part in (name, source, owner, path)]
        around = _AROUND[name] = cls(
            source, owner, path, f"{quoted[0]}:[{quoted[1]},{quoted[2]},", f",{quoted[3]}]"
        )
        return around


# The last quoted provenance seen for each field name. Single dict operations are atomic,
# so threads share it without a lock: at worst two of them quote the same field.
_AROUND: dict[str, _Around] = {}
_AROUND_BOUND = 16384


_FIXED_OFFSETS: dict[tzinfo, int] = {}
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


def unix_seconds(moment: datetime) -> int:
    """Whole seconds since the Unix epoch of an aware datetime.

    `datetime.timestamp()` asks the tzinfo for its offset on every call, which for the
    offsets pydantic parses costs more than the rest of a field's provenance; fixed-offset
    zones are asked once. Zones whose offset varies (DST) are asked every time. UTC, what
    profiles mostly carry, is plain arithmetic: the same zone on both sides of a subtraction
    is never asked.
    """
    zone = moment.tzinfo
    if zone is UTC:
        return (moment - _EPOCH) // _SECOND
    offset = _FIXED_OFFSETS.get(zone) if zone is not None else None
    if offset is None:
        if not isinstance(zone, _FIXED_OFFSET_TYPES):
            return int(moment.timestamp())
        delta = moment.utcoffset()
        offset = _FIXED_OFFSETS[zone] = int(delta.total_seconds()) if delta else 0
    days = moment.toordinal() - _EPOCH_ORDINAL
    return days * 86400 + moment.hour * 3600 + moment.minute * 60 + moment.second - offset


def write_verdict(
    span: Span, verdict: Verdict, screening: Screening | None, capture: ValueCapture
) -> None:
    """Write a verdict, its findings and the lineage of every cited field onto its span."""
    outcome = verdict.outcome
    found: Attributes = {
        # Reason codes and cited fields went on at the start, from the recommendation.
        attr.DECIDED_AT: utc_text(verdict.decided_at),
        attr.AUTHORITY: verdict.authority.value,
        attr.VERDICT: outcome.value,
        attr.FINDINGS_CODES: verdict.codes,
        attr.GEN_AI_GUARDRAIL_VERDICT_TYPE: _VERDICT_TYPE[outcome],
        attr.GEN_AI_GUARDRAIL_ACTION_TYPE: _ACTION_TYPE[outcome],
    }
    deciding = next((f for f in verdict.findings if f.outcome is outcome), None)
    if deciding is not None and outcome is not Outcome.ALLOW:
        found[attr.GEN_AI_GUARDRAIL_VERDICT_CODE] = deciding.code
        found[attr.GEN_AI_GUARDRAIL_VERDICT_REASON] = deciding.code
    if verdict.ticket is not None:
        found[attr.REVIEW_TICKET_ID] = verdict.ticket.id
    span.set_attributes(found)
    for finding in verdict.findings:
        span.add_event(attr.EVENT_FINDING, finding_event(finding, capture))
    if screening is not None:
        for name in verdict.cited_fields:
            span.add_event(
                attr.EVENT_LINEAGE, lineage_event(name, screening, verdict.decided_at, capture)
            )


def utc_text(moment: datetime) -> str:
    """Render an aware datetime as ISO 8601 in UTC with a `Z`, the way records show time."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def finding_event(finding: Finding, capture: ValueCapture) -> Attributes:
    """The attributes of one finding's span event; the message only with capture on."""
    found: Attributes = {
        attr.FINDING_CODE: finding.code,
        attr.FINDING_DIMENSION: finding.dimension.value,
        attr.FINDING_OUTCOME: finding.outcome.value,
    }
    if finding.field is not None:
        found[attr.FIELD] = finding.field
    for key, value in finding.detail.items():
        if value is not None:
            found[attr.FINDING_DETAIL_PREFIX + key] = value
    if capture.enabled:
        found[attr.FINDING_MESSAGE] = finding.message
    return found


def lineage_event(
    name: str, screening: Screening, decided_at: datetime, capture: ValueCapture
) -> Attributes:
    """Where one cited field came from, and how old it was when the decision was made."""
    held = screening.admitted.fields.get(name)
    shown = isinstance(held, FieldValue) and name not in screening.sensitive
    if not isinstance(held, FieldValue):
        candidates = screening.profile.candidates(name)
        held = candidates[0] if candidates else None
    found: Attributes = {attr.FIELD: name, attr.LINEAGE_SHOWN: shown}
    if held is None:
        return found
    found.update(_provenance(held, decided_at))
    if capture.enabled:
        found[attr.LINEAGE_VALUE] = capture.render(
            held.value, sensitive=name in screening.sensitive
        )
    return found


def _provenance(held: FieldValue, decided_at: datetime) -> Attributes:
    found: Attributes = {}
    if held.source is not None:
        found[attr.LINEAGE_SOURCE] = held.source
    if held.owner is not None:
        found[attr.LINEAGE_OWNER] = held.owner
    if held.source_path is not None:
        found[attr.LINEAGE_SOURCE_PATH] = held.source_path
    if held.updated_at is not None:
        found[attr.LINEAGE_UPDATED_AT] = utc_text(held.updated_at)
        found[attr.LINEAGE_AGE_SECONDS] = int((decided_at - held.updated_at).total_seconds())
    if held.confidence is not None:
        found[attr.LINEAGE_CONFIDENCE] = held.confidence
    if held.grain is not None:
        found[attr.LINEAGE_GRAIN] = held.grain.value
    return found


def _withheld_event(name: str, found: list[Finding]) -> Attributes:
    worst = max((f.outcome for f in found), default=Outcome.ALLOW)
    return {
        attr.FIELD: name,
        attr.CODES: [f.code for f in found],
        attr.FINDING_DIMENSION: found[0].dimension.value if found else "",
        attr.FINDING_OUTCOME: worst.value,
    }


def _admitted_values(screening: Screening, capture: ValueCapture) -> str:
    values = {
        name: capture.value(held.value, sensitive=name in screening.sensitive)
        for name, held in screening.admitted.fields.items()
        if isinstance(held, FieldValue)
    }
    return canonical_json(values)


def _recommendation_text(
    recommendation: Recommendation, screening: Screening, capture: ValueCapture
) -> Attributes:
    return {
        attr.SUMMARY: recommendation.summary,
        attr.EXPLANATIONS: [reason.explanation for reason in recommendation.reasons],
        attr.ARGUMENTS: capture.render(
            _masked_arguments(recommendation.arguments, screening, capture), sensitive=False
        ),
    }


def _masked_arguments(
    arguments: dict[str, Any], screening: Screening, capture: ValueCapture
) -> dict[str, Any]:
    """Arguments with every sensitive value hashed: named like, or equal to, a sensitive field."""
    secret_values = [
        held.value
        for name in screening.sensitive
        if isinstance(held := screening.admitted.fields.get(name), FieldValue)
    ]
    masked: dict[str, Any] = {}
    for key, value in arguments.items():
        sensitive = key in screening.sensitive or any(value == s for s in secret_values)
        masked[key] = capture.render(value, sensitive=True) if sensitive else value
    return masked
