"""What the pytest fixtures hand out: a guard factory, golden snapshots by name, the instant."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from c360guard.guard import FrozenClock, Guard
from c360guard.model import Contract, load_contract
from c360guard.testing.golden import GoldenFile
from c360guard.testing.spans import SpanCapture

DEFAULT_NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
"""The instant `c360_clock` reads unless a `c360_now` mark or the ini option says otherwise."""


def parse_instant(text: str, *, origin: str) -> datetime:
    """Parse an ISO 8601 instant with a UTC offset (`2026-12-03T12:00:00Z`)."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(
            f"{origin}: {text!r} is not an ISO 8601 instant; write it like 2026-12-03T12:00:00Z"
        ) from exc
    if at.tzinfo is None:
        raise ValueError(f"{origin}: {text!r} has no UTC offset; end it with Z or +00:00")
    return at


class GuardFactory:
    """Builds Guards wired to the test's frozen clock and span capture.

    Example:
        ```python
        def test_stale_renewal_blocks(c360_guard):
            guard = c360_guard("contracts/churn_risk.yaml")
        ```
    """

    def __init__(self, clock: FrozenClock, spans: SpanCapture) -> None:
        self.clock = clock
        self.spans = spans

    def __call__(self, contract: Contract | str | Path, **options: Any) -> Guard:
        """Build a Guard for a contract (object, file path or YAML text); options override."""
        loaded = contract if isinstance(contract, Contract) else load_contract(contract)
        options.setdefault("clock", self.clock)
        options.setdefault("tracer_provider", self.spans.provider)
        return Guard(loaded, **options)


class GoldenSnapshots:
    """The golden snapshots of one test module, by name: `<folder>/<name>.json`."""

    def __init__(self, folder: Path, *, update: bool | None = None) -> None:
        self.folder = folder
        self.update = update

    def path(self, name: str) -> Path:
        """The snapshot file for a name."""
        if not name or Path(name).name != name:
            raise ValueError(f"a golden snapshot name is a plain file stem, not {name!r}")
        return self.folder / f"{name}.json"

    def file(self, name: str) -> GoldenFile:
        """The snapshot for a name, honouring the update flag."""
        return GoldenFile(self.path(name), update=self.update)

    def check(self, name: str, decisions: Any) -> None:
        """Compare decisions with the named snapshot (see `GoldenFile.check`)."""
        __tracebackhide__ = True
        self.file(name).check(decisions)
