"""docs/testing.md's example files run as a user's suite, and say what the page says."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

RunSuite = Callable[..., pytest.RunResult]

PAGE = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
NAMED = re.compile(r"^# ([\w.-]+\.(?:py|ya?ml))\n")


def page_files() -> dict[str, str]:
    """The page's code blocks whose first line names a file (`# test_x.py`), by name."""
    files = {}
    for _, body in FENCE.findall(PAGE.read_text(encoding="utf-8")):
        named = NAMED.match(body)
        if named:
            files[named.group(1)] = body
    return files


def page_block(language: str, containing: str) -> str:
    """The page's first block in a language that contains a text."""
    for lang, body in FENCE.findall(PAGE.read_text(encoding="utf-8")):
        if lang == language and containing in body:
            return str(body)
    raise AssertionError(f"no {language} block containing {containing!r} in {PAGE.name}")


@pytest.fixture
def documented_suite(pytester: pytest.Pytester) -> dict[str, str]:
    """The page's example files, written into pytester's folder."""
    files = page_files()
    for name, body in files.items():
        (pytester.path / name).write_text(body, encoding="utf-8")
    return files


def test_the_page_ships_a_contract_a_conftest_and_three_test_files(
    documented_suite: dict[str, str],
) -> None:
    assert sorted(documented_suite) == [
        "churn.yaml",
        "conftest.py",
        "test_churn_golden.py",
        "test_churn_guard.py",
        "test_model_call.py",
    ]


def test_the_documented_suite_records_then_replays_with_the_server_gone(
    documented_suite: dict[str, str],
    run_suite: RunSuite,
    fake_model_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LLM_BASE_URL", fake_model_server.base_url)
    run_suite("--record-mode=once", "--c360-update-golden").assert_outcomes(passed=3)
    fake_model_server.stop()
    monkeypatch.delenv("LLM_BASE_URL")

    result = run_suite()

    result.assert_outcomes(passed=3)


def test_lowering_the_threshold_fails_with_the_diff_the_page_shows(
    pytester: pytest.Pytester, documented_suite: dict[str, str], run_suite: RunSuite
) -> None:
    run_suite("test_churn_golden.py", "--c360-update-golden").assert_outcomes(passed=1)
    contract = pytester.path / "churn.yaml"
    contract.write_text(contract.read_text().replace("min_confidence: 0.7", "min_confidence: 0.5"))

    result = run_suite("test_churn_golden.py")

    result.assert_outcomes(failed=1)
    shown = page_block("text", "decisions differ").splitlines()
    # Digests depend on how contracts are normalised, which the page need not pin.
    expected = [re.sub(r"sha256:[0-9a-f]+\.\.\.", "sha256:*", line.strip()) for line in shown]
    result.stdout.fnmatch_lines([f"*{line}*" for line in expected])
