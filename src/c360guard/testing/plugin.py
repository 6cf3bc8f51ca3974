"""The c360guard pytest plugin: span capture, a frozen clock, guards, cassettes, golden files.

Loaded by every pytest run in an environment where c360guard is installed, so it imports
nothing but pytest until a fixture is used: a suite that never asks for these fixtures pays
nothing, and one without the `testing` extra keeps running.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from c360guard.guard import FrozenClock
    from c360guard.testing.kit import GoldenSnapshots, GuardFactory
    from c360guard.testing.replay import RecordedSession
    from c360guard.testing.spans import SpanCapture

EXTRA_HINT = "pip install 'c360guard[testing]'"
RECORDING_PLUGINS = ("recording", "vcr")  # pytest-recording, or the older pytest-vcr
NOW_INI = "c360guard_now"
GOLDEN_INI = "c360guard_golden_dir"
VCR_DEFAULTS_INI = "c360guard_vcr_defaults"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the golden-update flag and the plugin's ini settings."""
    group = parser.getgroup("c360guard")
    group.addoption(
        "--c360-update-golden",
        action="store_true",
        default=False,
        help="c360guard: rewrite golden decision snapshots instead of comparing with them.",
    )
    parser.addini(NOW_INI, "c360guard: the instant c360_clock reads (ISO 8601 with offset).")
    parser.addini(GOLDEN_INI, "c360guard: folder of golden snapshots, relative to rootdir.")
    parser.addini(
        VCR_DEFAULTS_INI,
        "c360guard: apply c360guard's vcrpy defaults to pytest-recording (default true).",
        type="bool",
        default=True,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin's mark, and guard `vcr` marks when no recording plugin is there."""
    config.addinivalue_line(
        "markers", "c360_now(instant): the instant c360_clock reads in this test (ISO 8601)."
    )
    if not any(config.pluginmanager.hasplugin(name) for name in RECORDING_PLUGINS):
        config.addinivalue_line("markers", f"vcr: replays a cassette (needs {EXTRA_HINT}).")
        config.pluginmanager.register(_RecordingMissing(), "c360guard-recording-missing")


@pytest.hookimpl(optionalhook=True)
def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """Give every cassette pytest-recording opens c360guard's scrubbing and matching."""
    if config.getini(VCR_DEFAULTS_INI):
        from c360guard.testing.cassettes import apply_defaults

        apply_defaults(vcr)


class _RecordingMissing:
    """Fails `vcr`-marked tests loudly when pytest-recording is not installed."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if item.get_closest_marker("vcr") is not None:
            pytest.fail(
                f"{item.nodeid} is marked vcr, but pytest-recording is not installed, so "
                f"nothing would be replayed; install it with: {EXTRA_HINT}",
                pytrace=False,
            )


@pytest.fixture
def c360_spans() -> Iterator[SpanCapture]:
    """Capture every span of the test in memory; find them with `.find()` and `.one()`."""
    from c360guard.testing.spans import SpanCapture

    capture = SpanCapture()
    yield capture
    capture.shutdown()


@pytest.fixture
def c360_clock(request: pytest.FixtureRequest) -> FrozenClock:
    """A frozen clock at the `c360_now` mark's instant, the ini instant, or a fixed default."""
    from c360guard.guard import FrozenClock
    from c360guard.testing.kit import DEFAULT_NOW, parse_instant

    mark = request.node.get_closest_marker("c360_now")
    if mark is not None and mark.args:
        return FrozenClock(parse_instant(str(mark.args[0]), origin="the c360_now mark"))
    configured = request.config.getini(NOW_INI)
    if configured:
        return FrozenClock(parse_instant(str(configured), origin=f"the {NOW_INI} ini option"))
    return FrozenClock(DEFAULT_NOW)


@pytest.fixture
def c360_guard(c360_clock: FrozenClock, c360_spans: SpanCapture) -> GuardFactory:
    """Build Guards on the test's frozen clock and span capture: `c360_guard(contract)`."""
    from c360guard.testing.kit import GuardFactory

    return GuardFactory(c360_clock, c360_spans)


@pytest.fixture
def c360_golden(request: pytest.FixtureRequest) -> GoldenSnapshots:
    """Golden decision snapshots by name; `--c360-update-golden` rewrites them."""
    from c360guard.testing.kit import GoldenSnapshots

    configured = request.config.getini(GOLDEN_INI)
    folder = (
        request.config.rootpath / str(configured)
        if configured
        else Path(request.node.path).parent / "golden"
    )
    # Without the flag, the environment variable still decides (GoldenFile reads it).
    update = True if request.config.getoption("--c360-update-golden") else None
    return GoldenSnapshots(folder, update=update)


@pytest.fixture
def c360_cassette(request: pytest.FixtureRequest) -> RecordedSession:
    """The test's recorded session; fails loudly when replay finds no recording to play."""
    if not request.config.pluginmanager.hasplugin("recording"):
        pytest.fail(
            f"c360_cassette needs pytest-recording; install it with: {EXTRA_HINT}", pytrace=False
        )
    from c360guard.testing.replay import RECORD_HINT, RecordedSession

    cassette = request.getfixturevalue("vcr")
    if cassette is None:
        pytest.fail(
            "c360_cassette needs the test to be marked @pytest.mark.vcr "
            "(and recording not turned off with --disable-recording)",
            pytrace=False,
        )
    session = RecordedSession(cassette)
    if not session.recording and session.interactions == 0:
        pytest.fail(f"no recorded session at {session.path}; {RECORD_HINT}", pytrace=False)
    return session
