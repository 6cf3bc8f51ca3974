"""The cost of tracing the guard, against one plain `StructuredTool.invoke` in the same run.

Screens a 100-field profile and checks one recommendation (the DESIGN.md benchmark case)
with tracing off (no SDK), with the SDK and a batch span processor, and with the audit log
exporter (batched, and synchronous), and prints each as a ratio to two baselines measured in
the same run: `StructuredTool.invoke` of a trivial tool, and of a tool returning the same 100
fields (the baseline of issue 3's target). Run it directly:

    .venv/bin/python benchmarks/bench_telemetry.py

or through pytest-benchmark (`make bench`), which times the same cases one by one.
"""

from __future__ import annotations

import tempfile
import timeit
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from langchain_core.tools import StructuredTool
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import NoOpTracerProvider
from opentelemetry.trace import TracerProvider as ApiTracerProvider

from c360guard import FrozenClock, Guard, Profile, Reason, Recommendation
from c360guard.model import Contract, contract_from_dict
from c360guard.telemetry import AuditLogExporter, verify_log

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
FIELDS = 100


def wide_contract() -> Contract:
    """The churn-risk example contract widened to 100 field rules."""
    text = (ROOT / "examples" / "contracts" / "churn_risk.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for index in range(FIELDS - len(data["fields"])):
        data["fields"][f"signal_{index:02d}"] = {"sources": ["warehouse"], "fresh_within": "7d"}
    return contract_from_dict(data)


def wide_profile(contract: Contract) -> Profile:
    """A 100-field profile that passes every rule but one (health_score has no confidence)."""
    values: dict[str, Any] = {
        "crm_stage": "Customer",
        "billing_status": "paid",
        "open_escalation_severity": "none",
        "email": "someone@example.com",
    }
    fields = {
        name: {
            "value": values.get(name, 1),
            "source": rule.sources[0],
            "owner": "revops",
            "updated_at": (NOW - timedelta(hours=1)).isoformat(),
            "source_path": f"Warehouse.{name}",
        }
        for name, rule in contract.fields.items()
    }
    entity = {"id": "acct_1", "grain": "account", "match_confidence": 0.95}
    return Profile.model_validate({"entity": entity, "fields": fields})


RECOMMENDATION = Recommendation(
    action="create_cs_task",
    arguments={"title": "Renewal prep", "due_in_days": 14},
    reasons=[Reason(code="RENEWAL_SOON", fields=["renewal_date"])],
    confidence=0.9,
)


def create_cs_task(title: str, due_in_days: int) -> str:
    """Create a CS task for the account's CSM."""
    return f"{title} in {due_in_days} days"


TOOL = StructuredTool.from_function(create_cs_task)
READ_BASELINE = "invoke, 100 fields"


def read_tool(profile: Profile) -> StructuredTool:
    """A tool returning the profile's 100 fields, as a Customer 360 read would."""
    fields = profile.model_dump(mode="json")["fields"]

    def read_profile(account_id: str) -> dict[str, Any]:
        """Return the account's profile fields."""
        return dict(fields)

    return StructuredTool.from_function(read_profile)


class _Discard(SpanExporter):
    """An exporter that drops every span: the cost measured is the guard's, not a backend's."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def _provider(*processors: Any) -> TracerProvider:
    provider = TracerProvider()
    for processor in processors:
        provider.add_span_processor(processor)
    return provider


def decide(guard: Guard, profile: Profile) -> Callable[[], object]:
    """One decision: screen the profile, check the recommendation."""
    return lambda: guard.check(RECOMMENDATION, guard.screen(profile))


def cases(folder: Path) -> Iterator[tuple[str, ApiTracerProvider]]:
    """Each tracing set-up, by name."""
    yield "tracing off (no SDK)", NoOpTracerProvider()
    yield "SDK + batch processor", _provider(BatchSpanProcessor(_Discard()))
    audit = AuditLogExporter(folder / "batched.jsonl")
    yield "SDK + batch + audit log", _provider(BatchSpanProcessor(audit, max_queue_size=65536))
    sync = AuditLogExporter(folder / "synchronous.jsonl")
    yield "SDK + audit log, synchronous", _provider(SimpleSpanProcessor(sync))


def _interleaved(
    actions: dict[str, Callable[[], object]],
    number: int,
    rounds: int,
    settle: Callable[[], object],
) -> dict[str, float]:
    """Best time per call of each action, measured round-robin so load changes hit all alike.

    `settle` runs, untimed, after each measurement: it flushes the batch processors, so one
    case's background export never runs inside another case's timing.
    """
    best = dict.fromkeys(actions, float("inf"))
    for _ in range(rounds):
        for name, action in actions.items():
            best[name] = min(best[name], timeit.timeit(action, number=number) / number)
            settle()
    return best


def main(number: int = 200, rounds: int = 15) -> None:
    """Time every case and print it beside the two `StructuredTool.invoke` baselines."""
    contract = wide_contract()
    profile = wide_profile(contract)
    with tempfile.TemporaryDirectory() as folder:
        providers = dict(cases(Path(folder)))
        reader = read_tool(profile)
        actions: dict[str, Callable[[], object]] = {
            "StructuredTool.invoke": lambda: TOOL.invoke(
                {"title": "Renewal prep", "due_in_days": 14}
            ),
            READ_BASELINE: lambda: reader.invoke({"account_id": "acct_1"}),
        }
        for name, provider in providers.items():
            guard = Guard(contract, clock=FrozenClock(NOW), tracer_provider=provider)
            actions[name] = decide(guard, profile)
        sdk = [p for p in providers.values() if isinstance(p, TracerProvider)]
        best = _interleaved(actions, number, rounds, lambda: [p.force_flush() for p in sdk])
        report(best, number, rounds)
        for provider in providers.values():
            if isinstance(provider, TracerProvider):
                provider.shutdown()
        for log in sorted(Path(folder).glob("*.jsonl")):
            checked = verify_log(log)
            print(f"  {log.name}: {checked.records} records, chain intact: {checked.intact}")


def report(best: dict[str, float], number: int, rounds: int) -> None:
    """Print each case beside both baselines, and what tracing adds to the guard."""
    trivial, read = best["StructuredTool.invoke"], best[READ_BASELINE]
    off = best["tracing off (no SDK)"]
    print(f"{FIELDS}-field profile, screen + check; best of {rounds} rounds x {number} calls")
    print(f"{'case':29s} {'per call':>11s}  {'x invoke':>8s}  {'x invoke, 100 fields':>20s}")
    for name, cost in best.items():
        print(f"{name:29s} {cost * 1e6:8.1f} us  {cost / trivial:8.2f}  {cost / read:20.2f}")
    print("tracing adds:")
    for name, cost in best.items():
        if name not in ("StructuredTool.invoke", READ_BASELINE, "tracing off (no SDK)"):
            added = cost - off
            print(
                f"  {name:27s} {added * 1e6:8.1f} us  {added / trivial:8.2f}  {added / read:20.2f}"
            )


@pytest.fixture(scope="module")
def wide() -> tuple[Contract, Profile]:
    contract = wide_contract()
    return contract, wide_profile(contract)


def test_structured_tool_invoke(benchmark: Any) -> None:
    benchmark(TOOL.invoke, {"title": "Renewal prep", "due_in_days": 14})


def test_structured_tool_invoke_100_fields(benchmark: Any, wide: tuple[Contract, Profile]) -> None:
    fields = benchmark(read_tool(wide[1]).invoke, {"account_id": "acct_1"})
    assert len(fields) == FIELDS


@pytest.mark.parametrize("case", range(4), ids=["off", "batch", "batch-audit", "sync-audit"])
def test_screen_and_check(
    benchmark: Any, wide: tuple[Contract, Profile], tmp_path: Path, case: int
) -> None:
    contract, profile = wide
    _, provider = list(cases(tmp_path))[case]
    guard = Guard(contract, clock=FrozenClock(NOW), tracer_provider=provider)
    benchmark(decide(guard, profile))
    if isinstance(provider, TracerProvider):
        provider.shutdown()


if __name__ == "__main__":
    main()
