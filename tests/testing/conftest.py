"""Fixtures for testing the c360guard pytest plugin as a user's suite would use it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

# Imported here so pytester's inner runs find them loaded: it unloads what a run imports.
import c360guard.testing.kit
import c360guard.testing.replay  # noqa: F401

UNRELATED_PLUGINS = ("hypothesispytest", "langsmith_plugin", "benchmark", "codspeed", "syrupy")
"""Plugins with nothing to do with c360guard's, left out of inner runs to keep them quick."""

TINY_CONTRACT = """\
workflow: tiny_churn
version: 1
owner: cs-ops@example.com
authority: assist
grain: account
fields:
  renewal_date: {sources: [salesforce], fresh_within: 30d, critical: true}
  health_score: {sources: [gainsight], fresh_within: 7d}
reasons:
  RENEWAL_SOON: {label: Renewal within 90 days, evidence: [renewal_date]}
  LOW_HEALTH: {label: Health score below 50, evidence: [health_score]}
actions:
  create_cs_task: {authority: assist, destination: gainsight}
review:
  min_confidence: 0.7
  autonomous_up_to: assist
"""
"""A two-field contract the user-style test files load."""


def completion(model: Any) -> dict[str, Any]:
    """A chat completion as an OpenAI-compatible server answers it, saying `recorded`."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1764763200,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "recorded"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 9, "completion_tokens": 1, "total_tokens": 10},
    }


class FakeModelServer:
    """An OpenAI-shaped HTTP endpoint on loopback that answers every POST with one reply."""

    def __init__(self) -> None:
        self.seen_headers: list[dict[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The server's base URL, `http://127.0.0.1:<port>/v1`."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving; later requests are refused. Safe to call twice."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        seen = self.seen_headers

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                request: dict[str, Any] = json.loads(self.rfile.read(length) or b"{}")
                seen.append(dict(self.headers.items()))
                body = json.dumps(completion(request.get("model"))).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("set-cookie", "session=abc123; HttpOnly")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


@pytest.fixture
def fake_model_server() -> Iterator[FakeModelServer]:
    """A running fake model endpoint on loopback, stopped after the test."""
    server = FakeModelServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tiny_contract(pytester: pytest.Pytester) -> str:
    """Write the two-field contract into the pytester folder as `contract.yaml`."""
    pytester.makefile(".yaml", contract=TINY_CONTRACT)
    return "contract.yaml"


class SuiteRunner:
    """Runs the user-style suite in pytester's folder, as `pytest` would."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester

    def __call__(self, *args: str) -> pytest.RunResult:
        quiet = [arg for name in UNRELATED_PLUGINS for arg in ("-p", f"no:{name}")]
        loop_scope = ("-o", "asyncio_default_fixture_loop_scope=function")
        return self.pytester.runpytest(*quiet, *loop_scope, *args)


@pytest.fixture
def run_suite(pytester: pytest.Pytester) -> SuiteRunner:
    """Run pytest on the files the test wrote into pytester's folder."""
    return SuiteRunner(pytester)
