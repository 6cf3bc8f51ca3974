"""Helpers shared by the telemetry tests: span capture and the example data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from c360guard import Profile, Recommendation, load_profile

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class Spans:
    """A tracer provider whose finished spans are kept in memory, in the order they end."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))

    @property
    def finished(self) -> list[ReadableSpan]:
        """Every finished span."""
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> list[ReadableSpan]:
        """The finished spans with this name."""
        return [span for span in self.finished if span.name == name]

    def one(self, name: str) -> ReadableSpan:
        """The single finished span with this name."""
        found = self.named(name)
        assert len(found) == 1, f"expected one {name}, got {[s.name for s in self.finished]}"
        return found[0]

    def exported_text(self) -> str:
        """Every finished span serialized in full (attributes, events, links, resource)."""
        return "\n".join(span.to_json() for span in self.finished)


def example_profile(name: str) -> Profile:
    """Load an example profile by file stem."""
    return load_profile(EXAMPLES / "profiles" / f"{name}.json")


def example_recommendation(name: str) -> Recommendation:
    """Load an example recommendation by file stem."""
    text = (EXAMPLES / "recommendations" / f"{name}.json").read_text(encoding="utf-8")
    return Recommendation.model_validate(json.loads(text))
