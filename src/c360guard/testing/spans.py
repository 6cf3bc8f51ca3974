"""Span capture for tests: an in-memory exporter and helpers to find spans."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from c360guard.telemetry import attributes as attr
from c360guard.telemetry.records import decision_record

DECISION_KINDS = ("screen", "check", "review", "pause")
"""Every kind of decision record."""


class SpanCapture:
    """Collects every span a tracer provider finishes, for assertions in tests.

    Give `provider` to the code under test (`Guard(contract, tracer_provider=capture.provider)`)
    and look the spans up by name and attributes afterwards.

    Example:
        ```python
        capture = SpanCapture()
        guard = Guard(contract, tracer_provider=capture.provider)
        guard.check(recommendation, guard.screen(profile))
        span = capture.one("c360guard.check", {"c360guard.verdict": "block"})
        ```
    """

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        # Synchronous export: a span is visible the moment it ends, with no flush to wait for.
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))

    @property
    def spans(self) -> list[ReadableSpan]:
        """Every finished span, in the order they ended."""
        return list(self.exporter.get_finished_spans())

    def names(self) -> list[str]:
        """The names of the finished spans, in the order they ended."""
        return [span.name for span in self.spans]

    def find(
        self, name: str | None = None, attributes: Mapping[str, Any] | None = None
    ) -> list[ReadableSpan]:
        """Return the spans with this name (any name when None) carrying these attribute values.

        Sequence values compare element-wise, so `["a", "b"]` matches the tuple OpenTelemetry
        stores.
        """
        wanted = dict(attributes or {})
        return [
            span
            for span in self.spans
            if (name is None or span.name == name) and _carries(span, wanted)
        ]

    def one(
        self, name: str | None = None, attributes: Mapping[str, Any] | None = None
    ) -> ReadableSpan:
        """Return the single span matching, failing with the spans seen when there is not one."""
        found = self.find(name, attributes)
        if len(found) != 1:
            raise AssertionError(
                f"expected one span named {name!r} with {dict(attributes or {})!r}, "
                f"found {len(found)}; spans seen:\n{self.describe()}"
            )
        return found[0]

    def attributes(self, name: str) -> list[dict[str, Any]]:
        """Return the attributes of every span with this name, sequences as lists."""
        return [_plain(span.attributes or {}) for span in self.find(name)]

    def describe(self) -> str:
        """Render the finished spans, one per line with their c360guard attributes."""
        lines = []
        for span in self.spans:
            shown = {
                key: value
                for key, value in _plain(span.attributes or {}).items()
                if key.startswith(("c360guard.", "gen_ai."))
            }
            lines.append(f"  {span.name} {shown}")
        return "\n".join(lines) or "  (no spans)"

    def decisions(self, kinds: Iterable[str] = DECISION_KINDS) -> list[dict[str, Any]]:
        """Return the decision records of the captured spans, as the audit log would hold them.

        A check's record carries the fields of the screening it was judged against, when
        that screening's span was captured too.
        """
        wanted = set(kinds)
        screenings: dict[str, dict[str, Any]] = {}
        records = []
        for span in self.spans:
            screening = None
            if span.name == attr.SPAN_CHECK:
                screening = screenings.get(str((span.attributes or {}).get(attr.SCREEN_SPAN_ID)))
            record = decision_record(span, screening)
            if record is None:
                continue
            if record["kind"] == "screen":
                screenings[record["span_id"]] = record
            if record["kind"] in wanted:
                records.append(record)
        return records

    def clear(self) -> None:
        """Forget the spans captured so far."""
        self.exporter.clear()

    def shutdown(self) -> None:
        """Stop the provider; later spans are dropped."""
        self.provider.shutdown()


def _carries(span: ReadableSpan, wanted: Mapping[str, Any]) -> bool:
    held = span.attributes or {}
    for key, value in wanted.items():
        if key not in held or _normal(held[key]) != _normal(value):
            return False
    return True


def _normal(value: Any) -> Any:
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return tuple(value)
    return value


def _plain(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: list(value) if isinstance(value, tuple) else value for key, value in attributes.items()
    }
