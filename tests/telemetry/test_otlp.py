"""Export over OTLP/HTTP: the guard's spans reach a receiver intact.

The first test speaks the protocol to a small loopback receiver that decodes each request
with the official protobuf definitions (opentelemetry-proto). The second runs against a
real Arize Phoenix server when one is installed (set C360GUARD_PHOENIX to its `phoenix`
executable, or have `phoenix` on PATH); see docs/telemetry.md.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from telemetry_support import NOW

from c360guard import FrozenClock, Guard, Profile, Recommendation
from c360guard.model import Contract
from c360guard.telemetry import attributes as attr


class _Receiver(ThreadingHTTPServer):
    """An OTLP/HTTP trace receiver on loopback that keeps every decoded request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[ExportTraceServiceRequest] = []
        self.content_types: list[str] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1/traces"


class _Handler(BaseHTTPRequestHandler):
    server: _Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        self.server.requests.append(request)
        self.server.content_types.append(self.headers.get("Content-Type", ""))
        reply = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200 if self.path == "/v1/traces" else 404)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    server = _Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _decide_over_otlp(
    endpoint: str, contract: Contract, profile: Profile, recommendation: Recommendation
) -> None:
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    guard = Guard(contract, clock=FrozenClock(NOW), tracer_provider=provider)
    guard.check(recommendation, guard.screen(profile))
    provider.shutdown()  # flushes the batch


def _value(held: AnyValue) -> Any:
    kind = held.WhichOneof("value")
    if kind == "array_value":
        return [_value(item) for item in held.array_value.values]
    return getattr(held, kind) if kind else None


def test_spans_reach_an_otlp_http_receiver_with_attributes_events_and_parentage(
    receiver: _Receiver,
    contract: Contract,
    escalated: Profile,
    save_play: Recommendation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")

    _decide_over_otlp(receiver.endpoint, contract, escalated, save_play)

    spans = [
        span
        for request in receiver.requests
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]
    by_name = {span.name: span for span in spans}
    screen, check = by_name[attr.SPAN_SCREEN], by_name[attr.SPAN_CHECK]
    check_attributes = {a.key: _value(a.value) for a in check.attributes}
    assert receiver.content_types[0] == "application/x-protobuf"
    assert check.parent_span_id == screen.span_id
    assert check.trace_id == screen.trace_id
    assert check_attributes[attr.VERDICT] == "block"
    assert check_attributes[attr.FINDINGS_CODES] == ["suppression.active"]
    assert check_attributes[attr.GEN_AI_GUARDRAIL_VERDICT_TYPE] == "deny"
    assert [event.name for event in check.events] == [
        attr.EVENT_FINDING,
        attr.EVENT_LINEAGE,
        attr.EVENT_LINEAGE,
    ]
    screen_attributes = {a.key: _value(a.value) for a in screen.attributes}
    assert "usage_change_30d" in screen_attributes[attr.FIELDS_ADMITTED]
    assert list(json.loads(screen_attributes[attr.FIELDS_PROVENANCE])) == list(
        screen_attributes[attr.FIELDS_ADMITTED]
    )


def _phoenix() -> str | None:
    return os.environ.get("C360GUARD_PHOENIX") or shutil.which("phoenix")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def _wait_for(url: str, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return _get_json(url)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture
def phoenix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real Arize Phoenix server on loopback; yields its base URL."""
    executable = _phoenix()
    if executable is None:
        pytest.skip("Arize Phoenix is not installed (set C360GUARD_PHOENIX to its executable)")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    port = _free_port()
    environment = {
        **os.environ,
        "PHOENIX_WORKING_DIR": str(tmp_path / "phoenix"),
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(_free_port()),
    }
    server = subprocess.Popen(
        [executable, "serve"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/v1/projects", seconds=180)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_spans_arrive_in_a_real_phoenix_server(
    phoenix: str, contract: Contract, escalated: Profile, save_play: Recommendation
) -> None:
    _decide_over_otlp(f"{phoenix}/v1/traces", contract, escalated, save_play)

    deadline = time.monotonic() + 60
    while True:
        stored = _get_json(f"{phoenix}/v1/projects/default/spans?limit=10")["data"]
        if len(stored) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    by_name = {span["name"]: span for span in stored}
    check = by_name[attr.SPAN_CHECK]
    assert check["attributes"][attr.VERDICT] == "block"
    assert check["attributes"][attr.FINDINGS_CODES] == ["suppression.active"]
    assert check["parent_id"] == by_name[attr.SPAN_SCREEN]["context"]["span_id"]
    assert {event["name"] for event in check["events"]} == {attr.EVENT_FINDING, attr.EVENT_LINEAGE}
