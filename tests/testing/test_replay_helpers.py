"""Recording and replaying outside pytest (the demo's path), with the same defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from c360guard.errors import CassetteError
from c360guard.testing import read_endpoint, recording, replaying, scan_paths, vcr_defaults
from c360guard.testing.cassettes import scrub_response


def ask(base_url: str, question: str) -> dict[str, Any]:
    response = httpx.post(
        f"{base_url}/chat/completions",
        json={"model": "tiny-model", "messages": [{"role": "user", "content": question}]},
        headers={"Authorization": "Bearer local-0123456789abcdef"},
    )
    body: dict[str, Any] = response.json()
    return body


def test_a_recorded_session_replays_after_the_server_is_gone(
    tmp_path: Path, fake_model_server: Any
) -> None:
    cassette = tmp_path / "session.yaml"
    with recording(cassette) as session:
        live = ask(fake_model_server.base_url, "hello")
    fake_model_server.stop()

    with replaying(cassette) as replay:
        replayed = ask(fake_model_server.base_url, "hello")

    assert session.interactions == 1
    assert replayed == live
    assert replay.all_played
    assert scan_paths([cassette]) == []


def test_recording_replaces_an_older_session(tmp_path: Path, fake_model_server: Any) -> None:
    cassette = tmp_path / "session.yaml"
    with recording(cassette):
        ask(fake_model_server.base_url, "first")

    with recording(cassette):
        ask(fake_model_server.base_url, "second")

    with replaying(cassette) as replay:
        assert replay.interactions == 1
        ask(fake_model_server.base_url, "second")


def test_the_endpoint_is_read_back_from_the_cassette(
    tmp_path: Path, fake_model_server: Any
) -> None:
    cassette = tmp_path / "session.yaml"
    with recording(cassette):
        ask(fake_model_server.base_url, "hello")

    endpoint = read_endpoint(cassette)

    assert endpoint.base_url == fake_model_server.base_url
    assert endpoint.model == "tiny-model"


def test_replaying_a_missing_cassette_says_how_to_record_it(tmp_path: Path) -> None:
    with (
        pytest.raises(CassetteError, match=r"no recorded session at .*record it first"),
        replaying(tmp_path / "missing.yaml"),
    ):
        pass


def test_an_empty_cassette_has_no_endpoint_to_read(tmp_path: Path) -> None:
    cassette = tmp_path / "empty.yaml"
    cassette.write_text("interactions: []\nversion: 1\n")

    with pytest.raises(CassetteError, match="holds no requests"):
        read_endpoint(cassette)


def test_defaults_match_on_method_uri_and_body_and_scrub_headers() -> None:
    defaults = vcr_defaults()

    assert defaults["match_on"] == ["method", "uri", "body"]
    assert defaults["serializer"] == "yaml"
    assert {"authorization", "x-api-key", "api-key"} <= set(defaults["filter_headers"])


def test_response_scrubbing_drops_cookies_whatever_their_case() -> None:
    response = {"headers": {"Set-Cookie": ["a=b"], "Content-Type": ["application/json"]}}

    assert scrub_response(response)["headers"] == {"Content-Type": ["application/json"]}


def test_replaying_a_request_that_was_not_recorded_says_to_record_again(
    tmp_path: Path, fake_model_server: Any
) -> None:
    cassette = tmp_path / "session.yaml"
    with recording(cassette):
        ask(fake_model_server.base_url, "hello")
    fake_model_server.stop()

    with (
        pytest.raises(CassetteError, match=r"does not hold .*record the session again"),
        replaying(cassette),
    ):
        ask(fake_model_server.base_url, "a question nobody recorded")
