"""Recording and replaying through pytest-recording with the plugin's defaults."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from c360guard.testing import scan_paths

RunSuite = Callable[..., pytest.RunResult]

CALLING_TEST = """
import os
import httpx
import pytest

@pytest.mark.vcr
def test_calls_model(c360_cassette):
    response = httpx.post(
        os.environ["FAKE_MODEL_URL"] + "/chat/completions",
        json={"model": "tiny-model", "messages": [{"role": "user", "content": PROMPT}]},
        headers={"Authorization": "Bearer sk-live-0123456789abcdef0123",
                 "x-api-key": "k-0123456789"},
    )
    assert response.json()["choices"][0]["message"]["content"] == "recorded"
    assert c360_cassette.endpoint.base_url == os.environ["FAKE_MODEL_URL"]
    assert c360_cassette.endpoint.model == "tiny-model"
"""

CASSETTE = Path("cassettes", "test_user_recording", "test_calls_model.yaml")


def write_suite(pytester: pytest.Pytester, prompt: str = "hello") -> None:
    pytester.makepyfile(test_user_recording=f"PROMPT = {prompt!r}\n" + CALLING_TEST)


@pytest.fixture
def recorded(
    pytester: pytest.Pytester,
    run_suite: RunSuite,
    fake_model_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """Record the suite's session against the fake server, then stop the server."""
    monkeypatch.setenv("FAKE_MODEL_URL", fake_model_server.base_url)
    write_suite(pytester)
    run_suite("--record-mode=once").assert_outcomes(passed=1)
    fake_model_server.stop()
    return pytester.path / CASSETTE


def test_recorded_session_replays_with_the_server_gone(recorded: Path, run_suite: RunSuite) -> None:
    result = run_suite()

    result.assert_outcomes(passed=1)


def test_credentials_and_cookies_never_reach_the_cassette(
    recorded: Path, fake_model_server: Any
) -> None:
    interaction = yaml.safe_load(recorded.read_text())["interactions"][0]

    assert "Authorization" in fake_model_server.seen_headers[0]
    assert {name.lower() for name in interaction["request"]["headers"]}.isdisjoint(
        {"authorization", "x-api-key"}
    )
    assert "set-cookie" not in {name.lower() for name in interaction["response"]["headers"]}
    assert scan_paths([recorded.parent]) == []


def test_a_vcr_config_that_drops_the_header_filters_still_cannot_record_a_key(
    pytester: pytest.Pytester,
    run_suite: RunSuite,
    fake_model_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_MODEL_URL", fake_model_server.base_url)
    write_suite(pytester)
    pytester.makeconftest(
        "import pytest\n\n@pytest.fixture\ndef vcr_config():\n    return {'filter_headers': []}\n"
    )

    run_suite("--record-mode=once").assert_outcomes(passed=1)

    assert scan_paths([pytester.path / "cassettes"]) == []


def test_a_changed_request_body_does_not_replay(
    recorded: Path, pytester: pytest.Pytester, run_suite: RunSuite
) -> None:
    write_suite(pytester, prompt="a different question")

    result = run_suite()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CannotOverwriteExistingCassetteException*"])


def test_replay_without_a_cassette_fails_loudly_naming_the_missing_file(
    pytester: pytest.Pytester, run_suite: RunSuite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODEL_URL", "http://127.0.0.1:9/v1")
    write_suite(pytester)

    result = run_suite()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*no recorded session at *test_calls_model.yaml; record it first*docs/testing.md*"]
    )


def test_cassette_fixture_without_a_vcr_mark_says_what_is_missing(
    pytester: pytest.Pytester, run_suite: RunSuite
) -> None:
    pytester.makepyfile("def test_unmarked(c360_cassette):\n    pass\n")

    result = run_suite()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*c360_cassette needs the test to be marked @pytest.mark.vcr*"])


def test_defaults_can_be_switched_off_in_the_ini(
    pytester: pytest.Pytester,
    run_suite: RunSuite,
    fake_model_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_MODEL_URL", fake_model_server.base_url)
    pytester.makeini("[pytest]\nc360guard_vcr_defaults = false\n")
    write_suite(pytester)

    run_suite("--record-mode=once").assert_outcomes(passed=1)

    assert scan_paths([pytester.path / "cassettes"]) != []
