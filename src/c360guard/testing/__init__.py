"""The c360guard testing kit: span capture, golden decisions, cassettes, a secret scanner.

The pytest plugin (`c360guard.testing.plugin`, registered with the `pytest11` entry point)
hands these out as fixtures: `c360_spans`, `c360_clock`, `c360_guard`, `c360_golden` and
`c360_cassette`. Names here load on first use, so importing the package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from c360guard.testing.cassettes import ScrubbingPersister, vcr_defaults
    from c360guard.testing.golden import GoldenFile, GoldenMismatch, diff_decisions, to_snapshot
    from c360guard.testing.kit import GoldenSnapshots, GuardFactory
    from c360guard.testing.replay import (
        RecordedEndpoint,
        RecordedSession,
        read_endpoint,
        recording,
        replaying,
    )
    from c360guard.testing.review import SequentialTicketIds
    from c360guard.testing.secrets import SecretHit, assert_no_secrets, scan_paths, scan_text
    from c360guard.testing.spans import SpanCapture

_HOMES: dict[str, str] = {
    "GoldenFile": "golden",
    "GoldenMismatch": "golden",
    "GoldenSnapshots": "kit",
    "GuardFactory": "kit",
    "RecordedEndpoint": "replay",
    "RecordedSession": "replay",
    "ScrubbingPersister": "cassettes",
    "SecretHit": "secrets",
    "SequentialTicketIds": "review",
    "SpanCapture": "spans",
    "assert_no_secrets": "secrets",
    "diff_decisions": "golden",
    "read_endpoint": "replay",
    "recording": "replay",
    "replaying": "replay",
    "scan_paths": "secrets",
    "scan_text": "secrets",
    "to_snapshot": "golden",
    "vcr_defaults": "cassettes",
}

__all__ = [
    "GoldenFile",
    "GoldenMismatch",
    "GoldenSnapshots",
    "GuardFactory",
    "RecordedEndpoint",
    "RecordedSession",
    "ScrubbingPersister",
    "SecretHit",
    "SequentialTicketIds",
    "SpanCapture",
    "assert_no_secrets",
    "diff_decisions",
    "read_endpoint",
    "recording",
    "replaying",
    "scan_paths",
    "scan_text",
    "to_snapshot",
    "vcr_defaults",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'c360guard.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(f"c360guard.testing.{home}"), name)
