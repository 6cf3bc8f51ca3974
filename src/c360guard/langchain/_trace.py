"""What the LangChain integration writes on its tool and retrieve spans (names, not values)."""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.trace import Span

from c360guard.model import Screening, Verdict
from c360guard.telemetry import attributes as attr

# The proposed GenAI guardrail verdict for each outcome, as on the check span.
_VERDICT_TYPE = {"allow": "allow", "review": "escalate", "block": "deny"}


def note_verdict(span: Span, verdict: Verdict, *, ran: bool) -> None:
    """Write an action's verdict, and whether the tool ran, onto its tool span."""
    if not span.is_recording():
        return
    span.set_attributes(
        {
            attr.VERDICT: verdict.outcome.value,
            attr.GEN_AI_GUARDRAIL_VERDICT_TYPE: _VERDICT_TYPE[verdict.outcome.value],
            attr.FINDINGS_CODES: verdict.codes,
            attr.ENTITY_ID: verdict.entity_id,
            attr.TOOL_EXECUTED: ran,
        }
    )
    if verdict.action is not None:
        span.set_attribute(attr.ACTION, verdict.action)
    if verdict.ticket is not None:
        span.set_attribute(attr.REVIEW_TICKET_ID, verdict.ticket.id)


def note_read(span: Span, screenings: Sequence[Screening]) -> None:
    """Write what a read tool showed and withheld (field names only) onto its tool span."""
    if not span.is_recording():
        return
    span.set_attributes(
        {
            attr.TOOL_EXECUTED: True,
            attr.RETRIEVE_ENTITIES: [s.profile.entity.id for s in screenings],
            attr.FIELDS_ADMITTED: sorted({name for s in screenings for name in s.shown}),
            attr.FIELDS_WITHHELD: sorted({name for s in screenings for name in s.withheld}),
        }
    )


def note_retrieval(
    span: Span,
    *,
    admitted: Sequence[str],
    withheld: Sequence[str],
    scores: Sequence[float],
    fetched: int,
    codes: Sequence[str],
) -> None:
    """Write a guarded retrieval's document ids, scores and withheld count onto its span."""
    if not span.is_recording():
        return
    span.set_attributes(
        {
            attr.RETRIEVE_DOCUMENT_IDS: list(admitted),
            attr.RETRIEVE_WITHHELD_IDS: list(withheld),
            attr.RETRIEVE_WITHHELD_COUNT: len(withheld),
            attr.RETRIEVE_FETCHED_COUNT: fetched,
            attr.FINDINGS_CODES: list(dict.fromkeys(codes)),
        }
    )
    if scores:
        span.set_attribute(attr.RETRIEVE_SCORES, list(scores))
