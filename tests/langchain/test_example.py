"""The CSM copilot example: its model client, a run over real HTTP, and the offline CLI."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from examples.csm_copilot import build_copilot, make_chat_model
from examples.csm_copilot.__main__ import main
from langchain_core.messages import HumanMessage

from c360guard.errors import MissingExtraError
from c360guard.langchain import GuardSession


class FakeOpenAI(ThreadingHTTPServer):
    """An OpenAI-compatible chat endpoint on loopback answering from a script."""

    def __init__(self, replies: list[dict[str, Any]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies = replies
        self.requests: list[dict[str, Any]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        message = self.server.replies[len(self.server.requests) - 1]
        payload = json.dumps(
            {
                "id": f"chatcmpl-{len(self.server.requests)}",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", **message},
                        "finish_reason": "tool_calls" if "tool_calls" in message else "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


def tool_call(call_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    function = {"name": name, "arguments": json.dumps(args)}
    return {
        "content": None,
        "tool_calls": [{"id": call_id, "type": "function", "function": function}],
    }


@pytest.fixture
def endpoint() -> Iterator[FakeOpenAI]:
    task = {
        "account_id": "acct_1042",
        "title": "Prepare the renewal call",
        "reasons": [{"code": "RENEWAL_SOON", "fields": ["renewal_date"], "explanation": "59 days"}],
        "confidence": 0.9,
    }
    server = FakeOpenAI(
        [
            tool_call("c1", "get_account_profile", {"account_id": "acct_1042"}),
            tool_call("c2", "create_cs_task", task),
            {"content": "Task created for rpatel."},
        ]
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_copilot_runs_against_an_openai_compatible_endpoint(endpoint: FakeOpenAI) -> None:
    model = make_chat_model({"C360_LLM_BASE_URL": endpoint.base_url, "C360_LLM_MODEL": "tiny"})
    copilot = build_copilot(model=model, session=GuardSession())

    result = copilot.agent.invoke({"messages": [HumanMessage("What about acct_1042?")]})

    assert result["messages"][-1].content == "Task created for rpatel."
    assert copilot.backend.outbox.actions() == ["create_cs_task"]
    first, second = endpoint.requests[0], endpoint.requests[1]
    tools = {tool["function"]["name"]: tool["function"] for tool in first["tools"]}
    assert {"reasons", "confidence"} <= set(tools["create_cs_task"]["parameters"]["required"])
    assert "RENEWAL_SOON" in first["messages"][0]["content"]  # the catalog, in the system prompt
    shown = second["messages"][-1]["content"]
    assert "2027-01-31" in shown
    assert "Support was slow" not in shown
    assert first["temperature"] == 0.0


def test_the_model_client_needs_an_endpoint_and_a_model() -> None:
    with pytest.raises(ValueError, match="C360_LLM_BASE_URL"):
        make_chat_model({"C360_LLM_MODEL": "tiny"})


def test_the_model_client_names_the_extra_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "langchain_openai", None)

    with pytest.raises(MissingExtraError, match=r"c360guard\[examples\]"):
        make_chat_model({"C360_LLM_BASE_URL": "http://127.0.0.1:1/v1", "C360_LLM_MODEL": "m"})


def test_the_offline_run_stops_the_email_a_note_asked_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--offline"]) == 0

    printed = capsys.readouterr().out
    assert "send_lifecycle_email -> [block: authority.exceeded]" in printed
    assert "actions that ran: none" in printed
