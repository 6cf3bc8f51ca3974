"""The credential scanner catches planted secrets and stays quiet on scrubbed cassettes."""

from __future__ import annotations

from pathlib import Path

import pytest

from c360guard.testing import assert_no_secrets, scan_paths, scan_text

# Built at run time so no complete credential-shaped literal sits in the source.
FAKE_SK = "sk-" + "proj-" + "Zx9" * 8
FAKE_AWS = "AKIA" + "IOSFODNN7EXAMPLE"
FAKE_GITHUB = "ghp" + "_" + "a1B2" * 9

CLEAN_CASSETTE = """\
interactions:
- request:
    body: '{"messages":[{"role":"user","content":"Draft a task; it needs authorization
      from the CSM"}],"model":"gemma-3-270m","max_tokens":256}'
    headers:
      content-type:
      - application/json
      user-agent:
      - OpenAI/Python 2.8.1
    method: POST
    uri: http://127.0.0.1:8080/v1/chat/completions
  response:
    body:
      string: '{"choices":[{"message":{"content":"{\\"confidence\\": 0.42}"}}]}'
    headers:
      content-type:
      - application/json
    status:
      code: 200
      message: OK
version: 1
"""


@pytest.mark.parametrize(
    ("planted", "kind"),
    [
        ("    Authorization:\n    - Bearer abcdefgh12345678\n", "authorization header"),
        ('"authorization": ["Basic dXNlcjpwYXNzd29yZA=="]', "authorization header"),
        ("    x-api-key:\n    - 0123456789abcdef\n", "api key header"),
        ("    api-key: 0123456789abcdef\n", "api key header"),
        ("uri: https://llm.example.com/v1/chat?api_key=abcdef0123456789\n", "api key parameter"),
        ('"content": "use Bearer eyJhbGciOiJIUzI1NiJ9 here"', "bearer token"),
        (f'"content": "my key is {FAKE_SK}"', "sk- key"),
        (f"aws: {FAKE_AWS}\n", "AWS access key"),
        (f"token: {FAKE_GITHUB}\n", "GitHub token"),
        ("-----BEGIN RSA PRIVATE KEY-----\n", "private key"),
    ],
)
def test_scanner_catches_a_planted_credential(planted: str, kind: str) -> None:
    text = CLEAN_CASSETTE.replace("    method: POST\n", planted + "\n    method: POST\n")

    hits = scan_text(text, source="planted.yaml")

    assert kind in {hit.kind for hit in hits}


def test_scanner_is_quiet_on_a_scrubbed_cassette() -> None:
    assert scan_text(CLEAN_CASSETTE) == []


def test_hits_name_file_and_line_but_mask_the_secret(tmp_path: Path) -> None:
    cassette = tmp_path / "nested" / "session.yaml"
    cassette.parent.mkdir()
    cassette.write_text(CLEAN_CASSETTE + f"leak: {FAKE_SK}\n")

    hits = scan_paths([tmp_path])

    assert [(hit.source, hit.line, hit.kind) for hit in hits] == [
        (str(cassette), CLEAN_CASSETTE.count("\n") + 1, "sk- key")
    ]
    assert FAKE_SK not in str(hits[0])
    assert hits[0].excerpt.startswith("sk-p")


def test_assert_no_secrets_lists_every_leak_and_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(f"key: {FAKE_SK}\n")
    (tmp_path / "b.yaml").write_text(CLEAN_CASSETTE)

    with pytest.raises(AssertionError, match=r"(?s)1 credential-like string.*a\.yaml:1.*rotate it"):
        assert_no_secrets(tmp_path)


def test_assert_no_secrets_passes_on_clean_files(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(CLEAN_CASSETTE)

    assert_no_secrets(tmp_path)
