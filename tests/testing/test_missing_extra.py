"""Without the `testing` extra, a user's suite keeps running and is told what to install."""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from c360guard.errors import MissingExtraError
from c360guard.testing import replaying

RunSuite = Callable[..., pytest.RunResult]

EXTRA = "pip install 'c360guard?testing?'"  # an fnmatch pattern: ? stands for the brackets


BLOCKED = ("vcr", "pytest_recording")


class ExtraBlocker(importlib.abc.MetaPathFinder):
    """Refuses to import vcrpy and pytest-recording, as when the extra is not installed."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


@pytest.fixture
def without_extra(monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    """Make vcrpy and pytest-recording unimportable; return the arguments that skip the plugin."""
    for module in [name for name in sys.modules if name.split(".")[0] in BLOCKED]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setattr(sys, "meta_path", [ExtraBlocker(), *sys.meta_path])
    return ("-p", "no:recording")


def test_a_suite_that_never_uses_the_plugin_still_passes(
    pytester: pytest.Pytester, run_suite: RunSuite, without_extra: tuple[str, ...]
) -> None:
    pytester.makepyfile("def test_arithmetic():\n    assert 1 + 1 == 2\n")

    result = run_suite(*without_extra, "--strict-markers")

    result.assert_outcomes(passed=1)


def test_fixtures_that_need_only_c360guard_work_without_the_extra(
    pytester: pytest.Pytester, run_suite: RunSuite, without_extra: tuple[str, ...]
) -> None:
    pytester.makepyfile(
        """
def test_spans_and_clock(c360_spans, c360_clock, c360_golden):
    assert c360_spans.spans == []
    assert c360_clock().tzinfo is not None
"""
    )

    result = run_suite(*without_extra)

    result.assert_outcomes(passed=1)


def test_the_cassette_fixture_names_the_extra_to_install(
    pytester: pytest.Pytester, run_suite: RunSuite, without_extra: tuple[str, ...]
) -> None:
    pytester.makepyfile("def test_replay(c360_cassette):\n    pass\n")

    result = run_suite(*without_extra)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*c360_cassette needs pytest-recording*{EXTRA}*"])


def test_a_vcr_marked_test_fails_instead_of_reaching_the_network(
    pytester: pytest.Pytester, run_suite: RunSuite, without_extra: tuple[str, ...]
) -> None:
    pytester.makepyfile(
        "import pytest\n\n@pytest.mark.vcr\ndef test_replay():\n    raise SystemExit('ran')\n"
    )

    result = run_suite(*without_extra, "--strict-markers")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*is marked vcr, but pytest-recording is not installed*{EXTRA}*"])


def test_replaying_outside_pytest_names_the_extra(
    tmp_path: Path, without_extra: tuple[str, ...]
) -> None:
    cassette = tmp_path / "session.yaml"
    cassette.write_text("interactions: []\nversion: 1\n")

    with (
        pytest.raises(MissingExtraError, match=r"pip install 'c360guard\[testing\]'"),
        replaying(cassette),
    ):
        pass
