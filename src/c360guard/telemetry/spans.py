"""Spans for the guard's decisions, written against the OpenTelemetry API only."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import (
    INVALID_SPAN,
    Link,
    NonRecordingSpan,
    NoOpTracer,
    ProxyTracer,
    ProxyTracerProvider,
    Span,
    SpanContext,
    Tracer,
    TracerProvider,
)

from c360guard._version import __version__
from c360guard.model import (
    Authority,
    Contract,
    PauseState,
    Profile,
    Recommendation,
    ReviewTicket,
    Screening,
    Verdict,
)
from c360guard.telemetry import _content
from c360guard.telemetry import attributes as attr
from c360guard.telemetry.privacy import ValueCapture

SpanScope = AbstractContextManager[Span]
"""A block a span is current in; the span ends when the block does."""

# What every span block gives while nothing can record: the invalid span, made current
# nowhere. Reusable and stateless, so one serves every call and every thread.
_UNTRACED: SpanScope = nullcontext(INVALID_SPAN)


class GuardTracer:
    """Opens and fills the spans of one Guard; a no-op when no SDK is configured.

    Args:
        tracer_provider: The provider to trace with; the global one when None.
        capture_values: Put field values and free text on spans (sensitive values hashed).
        hash_key: The HMAC key for sensitive values; `C360GUARD_HASH_KEY` when None.
        contract: The Guard's contract, named on tool, retrieve and pause spans.
    """

    def __init__(
        self,
        tracer_provider: TracerProvider | None = None,
        *,
        capture_values: bool = False,
        hash_key: str | bytes | None = None,
        contract: Contract | None = None,
    ) -> None:
        self._tracer: Tracer = trace.get_tracer(
            attr.TRACER_NAME, __version__, tracer_provider=tracer_provider
        )
        self.capture = ValueCapture(capture_values, hash_key=hash_key)
        self.contract = contract
        self._constants: tuple[Contract, _content.Attributes] | None = None

    @property
    def tracer(self) -> Tracer:
        """The OpenTelemetry tracer spans are opened with."""
        return self._tracer

    @property
    def capture_values(self) -> bool:
        """True when field values and free text go on spans."""
        return self.capture.enabled

    @property
    def recording(self) -> bool:
        """False while spans cannot record: a no-op provider, or no SDK configured yet."""
        return self._live() is not None

    def screening(self, contract: Contract, profile: Profile, authority: Authority) -> SpanScope:
        """Open the `c360guard.screen` span around one screening."""
        tracer = self._live()
        if tracer is None:
            return _UNTRACED
        constants = self._constants_of(contract)
        start = _content.screen_start_attributes(constants, profile, authority)
        return _current(tracer.start_span(attr.SPAN_SCREEN, attributes=start))

    def record_screening(self, span: Span, screening: Screening) -> None:
        """Write a screening's outcome onto its span and remember the span for its check."""
        if not span.is_recording():
            return
        _content.write_screening(span, screening, self.capture)
        _remember(screening, span.get_span_context())

    def checking(
        self, contract: Contract, recommendation: Recommendation, screening: Screening
    ) -> SpanScope:
        """Open the `c360guard.check` span around one recommendation check.

        With no span in progress the check is a child of its screening's span, so one
        decision is one trace; inside another span (an agent step, a tool call) it stays
        there and carries a span link to the screen span instead.
        """
        tracer = self._live()
        if tracer is None:
            return _UNTRACED
        screened = screen_span_of(screening)
        parent, links = _placement(screened)
        constants = self._constants_of(contract)
        start = _content.check_start_attributes(
            constants, contract, recommendation, screening, self.capture
        )
        if screened is not None:
            start[attr.SCREEN_TRACE_ID] = trace.format_trace_id(screened.trace_id)
            start[attr.SCREEN_SPAN_ID] = trace.format_span_id(screened.span_id)
        span = tracer.start_span(attr.SPAN_CHECK, context=parent, links=links, attributes=start)
        return _current(span)

    def record_verdict(
        self, span: Span, verdict: Verdict, screening: Screening | None = None
    ) -> None:
        """Write a verdict onto its span, with the lineage of the cited fields when the
        screening is given."""
        if not span.is_recording():
            return
        _content.write_verdict(span, verdict, screening, self.capture)

    def tool_call(self, tool_name: str, call_id: str | None = None) -> SpanScope:
        """Open the `c360guard.tool {tool}` span around one guarded tool call."""
        tracer = self._live()
        if tracer is None:
            return _UNTRACED
        start: _content.Attributes = {
            attr.TOOL_NAME: tool_name,
            attr.GEN_AI_OPERATION_NAME: attr.OPERATION_EXECUTE_TOOL,
            attr.GEN_AI_TOOL_NAME: tool_name,
            **self._workflow_attributes(),
        }
        if call_id is not None:
            start[attr.GEN_AI_TOOL_CALL_ID] = call_id
            start[attr.GEN_AI_GUARDRAIL_TARGET_ID] = call_id
        name = f"{attr.SPAN_TOOL} {tool_name}"
        return _current(tracer.start_span(name, attributes=start))

    def retrieval(self, query: str | None = None) -> SpanScope:
        """Open the `c360guard.retrieve` span around one guarded retrieval.

        The query is free text: it goes on the span only with value capture on.
        """
        tracer = self._live()
        if tracer is None:
            return _UNTRACED
        start: _content.Attributes = {
            attr.GEN_AI_OPERATION_NAME: attr.OPERATION_RETRIEVAL,
            **self._workflow_attributes(),
        }
        if query is not None and self.capture.enabled:
            start[attr.RETRIEVE_QUERY] = query
        return _current(tracer.start_span(attr.SPAN_RETRIEVE, attributes=start))

    def record_retrieval(self, span: Span, entity_ids: Sequence[str]) -> None:
        """Write the ids of the entities a retrieval returned onto its span."""
        if span.is_recording():
            span.set_attribute(attr.RETRIEVE_ENTITIES, list(entity_ids))

    def review_decision(self, ticket: ReviewTicket, decision: str) -> SpanScope:
        """Open the `c360guard.review` span around a person's decision on a review ticket.

        `decision` is what the reviewer did (`approve`, `reject`, `edit`, `expire`); call
        `record_review` with the decided ticket before the block ends.
        """
        tracer = self._live()
        if tracer is None:
            return _UNTRACED
        start: _content.Attributes = {
            attr.WORKFLOW: ticket.workflow,
            attr.CONTRACT_VERSION: str(ticket.contract_version),
            attr.CONTRACT_DIGEST: ticket.contract_digest,
            attr.ENTITY_ID: ticket.entity_id,
            attr.REVIEW_TICKET_ID: ticket.id,
            attr.REVIEW_DECISION: decision,
            attr.REASON_CODES: ticket.recommendation.reason_codes,
            attr.CITED_FIELDS: ticket.recommendation.cited_fields,
        }
        if ticket.entity_grain is not None:
            start[attr.ENTITY_GRAIN] = ticket.entity_grain.value
        if ticket.recommendation.action is not None:
            start[attr.ACTION] = ticket.recommendation.action
        return _current(tracer.start_span(attr.SPAN_REVIEW, attributes=start))

    def record_review(self, span: Span, ticket: ReviewTicket) -> None:
        """Write a decided ticket's outcome onto its review span."""
        if not span.is_recording():
            return
        found: _content.Attributes = {
            attr.REVIEW_STATUS: ticket.status.value,
            attr.REVIEW_EDITED: ticket.edited_arguments is not None,
            attr.REVIEW_MISLEADING_FIELDS: ticket.misleading_fields,
        }
        if ticket.reviewer is not None:
            found[attr.REVIEWER] = ticket.reviewer
        if ticket.decided_at is not None:
            found[attr.DECIDED_AT] = _content.utc_text(ticket.decided_at)
        if ticket.note is not None and self.capture.enabled:
            found[attr.REVIEW_NOTE] = ticket.note
        span.set_attributes(found)

    def record_pause(
        self, state: PauseState, *, resumed_by: str | None = None, at: datetime | None = None
    ) -> None:
        """Emit a `c360guard.pause` span for a workflow paused, or resumed by `resumed_by`.

        Who paused and why are recorded: the reason is an operator's note about the
        workflow, and must not quote customer data. `at` is when it happened (the pause's
        start when None).
        """
        found: _content.Attributes = {
            attr.WORKFLOW: state.workflow,
            attr.PAUSE_STATE: "resumed" if resumed_by is not None else "paused",
            attr.PAUSED_BY: state.by,
            attr.PAUSE_REASON: state.reason,
            attr.PAUSE_AUTOMATIC: state.automatic,
            attr.DECIDED_AT: _content.utc_text(at or state.since),
        }
        if resumed_by is not None:
            found[attr.PAUSE_RESUMED_BY] = resumed_by
        if self.contract is not None:
            found.update(self._workflow_attributes())
        with self._tracer.start_as_current_span(attr.SPAN_PAUSE, attributes=found):
            pass

    def current_trace_id(self) -> str | None:
        """The hex id of the trace in progress, or None outside any recorded span."""
        context = trace.get_current_span().get_span_context()
        return trace.format_trace_id(context.trace_id) if context.is_valid else None

    def _workflow_attributes(self) -> _content.Attributes:
        if self.contract is None:
            return {}
        constants = self._constants_of(self.contract)
        return {key: constants[key] for key in _content.WORKFLOW_KEYS}

    def _constants_of(self, contract: Contract) -> _content.Attributes:
        """The attributes every decision span of a contract carries (not to be changed).

        Worked out once and kept for the contract last asked about: a Guard asks about its
        own contract on every decision.
        """
        held = self._constants
        if held is not None and held[0] is contract:
            return held[1]
        constants = _content.contract_attributes(contract)
        self._constants = (contract, constants)
        return constants

    def _live(self) -> Tracer | None:
        """The tracer spans are opened with, or None while none of them could record.

        With tracing off the guard then builds no attributes and touches no context. The
        global provider may be configured after the Guard was made: until then its proxy
        traces nothing, and from then on its own tracer is used directly.
        """
        tracer = self._tracer
        if isinstance(tracer, ProxyTracer):
            if isinstance(trace.get_tracer_provider(), ProxyTracerProvider):
                return None
            tracer = self._tracer = trace.get_tracer(attr.TRACER_NAME, __version__)
        return None if isinstance(tracer, NoOpTracer) else tracer


def _current(span: Span) -> SpanScope:
    """Make a started span current for a block and end it after, as `start_as_current_span`
    does (an escaping exception is recorded on the span and sets its status)."""
    return trace.use_span(span, end_on_exit=True)


# The screen span of each traced screening, keyed by the screening object: a side table
# rather than a model field, so screenings stay plain data that compare by content. Single
# dict operations are atomic, and a weakref callback must never wait on a lock.
_SCREEN_SPANS: dict[int, tuple[weakref.ref[Screening], SpanContext]] = {}


def screen_span_of(screening: Screening) -> SpanContext | None:
    """The context of the span that screened this screening, if it was traced.

    A copied or deserialized screening has none: its check is then not linked.
    """
    held = _SCREEN_SPANS.get(id(screening))
    if held is None or held[0]() is not screening:
        return None
    return held[1]


def _remember(screening: Screening, context: SpanContext) -> None:
    key = id(screening)

    def forget(ref: weakref.ref[Screening]) -> None:
        held = _SCREEN_SPANS.get(key)
        if held is not None and held[0] is ref:
            _SCREEN_SPANS.pop(key, None)

    _SCREEN_SPANS[key] = (weakref.ref(screening, forget), context)


def _placement(screened: SpanContext | None) -> tuple[otel_context.Context | None, list[Link]]:
    """Where a check span goes: under its screen span, or where it is with a link to it."""
    if screened is None:
        return None, []
    current = trace.get_current_span().get_span_context()
    if not current.is_valid:
        return trace.set_span_in_context(NonRecordingSpan(screened)), []
    if current.span_id == screened.span_id:
        return None, []
    return None, [Link(screened)]
