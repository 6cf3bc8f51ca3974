"""Spans for the guard's decisions, written against the OpenTelemetry API only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import Span, Tracer, TracerProvider

from c360guard._version import __version__
from c360guard.model import Authority, Contract, Profile, Recommendation, Screening, Verdict
from c360guard.telemetry import attributes as attr


class GuardTracer:
    """Opens and fills the spans of one Guard; a no-op when no SDK is configured."""

    def __init__(
        self, tracer_provider: TracerProvider | None = None, *, capture_values: bool = False
    ) -> None:
        self._tracer: Tracer = trace.get_tracer(
            attr.TRACER_NAME, __version__, tracer_provider=tracer_provider
        )
        self.capture_values = capture_values

    @property
    def tracer(self) -> Tracer:
        """The OpenTelemetry tracer spans are opened with."""
        return self._tracer

    @contextmanager
    def screening(
        self, contract: Contract, profile: Profile, authority: Authority
    ) -> Iterator[Span]:
        """Open the `c360guard.screen` span around one screening."""
        with self._tracer.start_as_current_span(attr.SPAN_SCREEN) as span:
            if span.is_recording():
                span.set_attributes(_contract_attributes(contract))
                span.set_attribute(attr.AUTHORITY, authority.value)
                span.set_attribute(attr.ENTITY_ID, profile.entity.id)
                span.set_attribute(attr.ENTITY_GRAIN, profile.entity.grain.value)
            yield span

    def record_screening(self, span: Span, screening: Screening) -> None:
        """Write a screening's outcome onto its span."""
        if not span.is_recording():
            return
        span.set_attribute(attr.FIELDS_ADMITTED, list(screening.admitted.fields))
        span.set_attribute(attr.FIELDS_WITHHELD, list(screening.withheld))
        span.set_attribute(attr.FINDINGS_CODES, screening.codes)

    @contextmanager
    def checking(
        self, contract: Contract, recommendation: Recommendation, screening: Screening
    ) -> Iterator[Span]:
        """Open the `c360guard.check` span around one recommendation check."""
        with self._tracer.start_as_current_span(attr.SPAN_CHECK) as span:
            if span.is_recording():
                span.set_attributes(_contract_attributes(contract))
                span.set_attribute(attr.ENTITY_ID, screening.profile.entity.id)
                span.set_attribute(attr.ENTITY_GRAIN, screening.profile.entity.grain.value)
                if recommendation.action is not None:
                    span.set_attribute(attr.ACTION, recommendation.action)
            yield span

    def record_verdict(self, span: Span, verdict: Verdict) -> None:
        """Write a verdict onto its span."""
        if not span.is_recording():
            return
        span.set_attribute(attr.AUTHORITY, verdict.authority.value)
        span.set_attribute(attr.VERDICT, verdict.outcome.value)
        span.set_attribute(attr.GEN_AI_GUARDRAIL_VERDICT_TYPE, verdict.outcome.value)
        span.set_attribute(attr.FINDINGS_CODES, verdict.codes)
        span.set_attribute(attr.REASON_CODES, verdict.reason_codes)
        span.set_attribute(attr.CITED_FIELDS, verdict.cited_fields)
        if verdict.ticket is not None:
            span.set_attribute(attr.REVIEW_TICKET_ID, verdict.ticket.id)


def _contract_attributes(contract: Contract) -> dict[str, str]:
    return {
        attr.WORKFLOW: contract.workflow,
        attr.CONTRACT_VERSION: str(contract.version),
        attr.CONTRACT_DIGEST: contract.digest,
    }
