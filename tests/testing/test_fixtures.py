"""The plugin's fixtures, exercised from a user's test suite through pytester."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

RunSuite = Callable[..., pytest.RunResult]

pytestmark = pytest.mark.usefixtures("tiny_contract")

USER_TESTS = """
import pytest
from c360guard import Profile, Reason, Recommendation

PROFILE = Profile.model_validate({
    "entity": {"id": "acct_1", "grain": "account", "match_confidence": 0.99},
    "fields": {
        "renewal_date": {"value": "2026-03-01", "source": "salesforce", "owner": "revops",
                         "updated_at": "2026-01-10T00:00:00Z"},
        "health_score": {"value": 31, "source": "gainsight", "owner": "cs-ops",
                         "updated_at": "2025-12-01T00:00:00Z"},
    },
})

def recommend(confidence):
    return Recommendation(
        action="create_cs_task",
        reasons=[Reason(code="RENEWAL_SOON", fields=["renewal_date"])],
        confidence=confidence,
    )
"""


def test_guard_factory_wires_the_frozen_clock_and_span_capture(
    pytester: pytest.Pytester, run_suite: RunSuite
) -> None:
    pytester.makepyfile(
        USER_TESTS
        + """
def test_stale_score_is_withheld(c360_guard, c360_spans, c360_clock):
    guard = c360_guard("contract.yaml")
    screening = guard.screen(PROFILE)
    verdict = guard.check(recommend(0.9), screening)

    assert guard.now() == c360_clock()
    assert list(screening.withheld) == ["health_score"]
    assert c360_spans.names() == ["c360guard.screen", "c360guard.check"]
    span = c360_spans.one("c360guard.screen", {"c360guard.fields.withheld": ["health_score"]})
    assert span.attributes["c360guard.entity.id"] == "acct_1"
    assert c360_spans.find("c360guard.check", {"c360guard.verdict": verdict.outcome.value})
"""
    )

    result = run_suite()

    result.assert_outcomes(passed=1)


def test_span_capture_one_lists_the_spans_seen_when_nothing_matches(
    pytester: pytest.Pytester, run_suite: RunSuite
) -> None:
    pytester.makepyfile(
        USER_TESTS
        + """
def test_wrong_verdict(c360_guard, c360_spans):
    guard = c360_guard("contract.yaml")
    guard.check(recommend(0.9), guard.screen(PROFILE))

    c360_spans.one("c360guard.check", {"c360guard.verdict": "block"})
"""
    )

    result = run_suite()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*expected one span named 'c360guard.check'*found 0*", "*c360guard.check {*"]
    )


def test_clock_reads_the_mark_then_the_ini_then_the_default(
    pytester: pytest.Pytester, run_suite: RunSuite
) -> None:
    pytester.makeini("[pytest]\nc360guard_now = 2027-02-01T08:00:00Z\n")
    pytester.makepyfile(
        """
import pytest

@pytest.mark.c360_now("2026-12-03T12:00:00+00:00")
def test_mark(c360_clock):
    assert c360_clock().isoformat() == "2026-12-03T12:00:00+00:00"

def test_ini(c360_clock):
    assert c360_clock().isoformat() == "2027-02-01T08:00:00+00:00"
"""
    )

    result = run_suite("--strict-markers")

    result.assert_outcomes(passed=2)


def test_clock_without_settings_reads_the_documented_default(
    pytester: pytest.Pytester, run_suite: RunSuite
) -> None:
    pytester.makepyfile(
        """
from c360guard.testing.kit import DEFAULT_NOW

def test_default(c360_clock):
    assert c360_clock() == DEFAULT_NOW
"""
    )

    result = run_suite()

    result.assert_outcomes(passed=1)


def test_clock_mark_without_offset_fails_naming_the_fix(
    pytester: pytest.Pytester, run_suite: RunSuite
) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.c360_now("2026-12-03T12:00:00")
def test_mark(c360_clock):
    pass
"""
    )

    result = run_suite()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*c360_now mark*has no UTC offset; end it with Z*"])


GOLDEN_TEST = """
def test_session(c360_guard, c360_spans, c360_golden):
    guard = c360_guard("contract.yaml")
    guard.check(recommend(CONFIDENCE), guard.screen(PROFILE))
    c360_golden.check("session", c360_spans.decisions())
"""


def test_golden_snapshot_is_created_only_when_asked_then_guards_the_decisions(
    pytester: pytest.Pytester, run_suite: RunSuite
) -> None:
    pytester.makepyfile(USER_TESTS + "CONFIDENCE = 0.9\n" + GOLDEN_TEST)

    missing = run_suite()
    created = run_suite("--c360-update-golden")
    unchanged = run_suite()

    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*no golden snapshot at*--c360-update-golden*"])
    created.assert_outcomes(passed=1)
    snapshot = json.loads((pytester.path / "golden" / "session.json").read_text())
    assert [d["kind"] for d in snapshot["decisions"]] == ["screen", "check"]
    assert snapshot["decisions"][1]["verdict"] == "allow"
    assert "trace_id" not in snapshot["decisions"][1]
    unchanged.assert_outcomes(passed=1)


def test_golden_mismatch_names_the_verdict_and_the_finding_that_changed(
    pytester: pytest.Pytester, run_suite: RunSuite
) -> None:
    pytester.makepyfile(USER_TESTS + "CONFIDENCE = 0.9\n" + GOLDEN_TEST)
    run_suite("--c360-update-golden").assert_outcomes(passed=1)
    pytester.makepyfile(USER_TESTS + "CONFIDENCE = 0.4\n" + GOLDEN_TEST)

    result = run_suite()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*decisions differ from the golden snapshot*session.json*",
            "*decision 2 (check create_cs_task on acct_1)*",
            "*verdict: 'allow' -> 'review'*",
            "*findings: added confidence.low (review)*",
            "*confidence: 0.9 -> 0.4*",
            "*rerun with --c360-update-golden*",
        ]
    )


def test_golden_update_by_environment_variable(
    pytester: pytest.Pytester, run_suite: RunSuite, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(USER_TESTS + "CONFIDENCE = 0.9\n" + GOLDEN_TEST)
    monkeypatch.setenv("C360GUARD_UPDATE_GOLDEN", "1")

    result = run_suite()

    result.assert_outcomes(passed=1)
    assert (pytester.path / "golden" / "session.json").is_file()


def test_golden_folder_comes_from_the_ini_option(
    pytester: pytest.Pytester, run_suite: RunSuite
) -> None:
    pytester.makeini("[pytest]\nc360guard_golden_dir = snapshots/decisions\n")
    pytester.makepyfile(USER_TESTS + "CONFIDENCE = 0.9\n" + GOLDEN_TEST)

    result = run_suite("--c360-update-golden")

    result.assert_outcomes(passed=1)
    assert (pytester.path / "snapshots" / "decisions" / "session.json").is_file()
