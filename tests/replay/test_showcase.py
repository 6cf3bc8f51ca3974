"""The demo's copilot section: replayed by default, live when the endpoint is named."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from examples.csm_copilot.showcase import play_sessions
from rich.console import Console


def render(env: dict[str, str]) -> tuple[str, list[Any]]:
    out = io.StringIO()
    results = play_sessions(Console(file=out, width=120, highlight=False), env=env)
    return out.getvalue(), results


def test_replayed_sessions_show_proposals_verdicts_tickets_and_the_audit_trail() -> None:
    text, results = render({})

    assert [r.checks[0]["verdict"] for r in results] == ["allow", "block", "review"]
    assert "Replayed from cassettes/csm_copilot/" in text
    assert "USAGE_DROP citing nps_comment" in text
    assert "reason.cites_withheld_field" in text
    assert "Review ticket ticket-0001 filed (pending): confidence.low" in text
    assert "BLOCKED" in text
    assert "create_cs_task for acct_1042" in text


class _PlainAnswers(BaseHTTPRequestHandler):
    """An endpoint whose model only ever answers in words."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        body = json.dumps(
            {
                "id": "chatcmpl-live",
                "object": "chat.completion",
                "created": 1764763200,
                "model": "live-model",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "No action today."},
                        "finish_reason": "stop",
                    }
                ],
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def live_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PlainAnswers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_with_the_endpoint_named_the_sessions_run_live(live_url: str) -> None:
    text, results = render({"C360_LLM_BASE_URL": live_url, "C360_LLM_MODEL": "live-model"})

    assert f"Running live against live-model at {live_url}" in text
    assert all(result.answer == "No action today." for result in results)
    assert all(result.checks == [] for result in results)
