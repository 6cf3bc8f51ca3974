"""Golden decisions: compare a session's decision records with a committed JSON snapshot."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from c360guard.testing._diff import diff_decisions

__all__ = [
    "UPDATE_ENV",
    "UPDATE_OPTION",
    "VOLATILE_KEYS",
    "GoldenFile",
    "GoldenMismatch",
    "diff_decisions",
    "to_snapshot",
    "update_requested",
]

logger = logging.getLogger(__name__)

UPDATE_OPTION = "--c360-update-golden"
"""The pytest option that rewrites golden snapshots instead of comparing with them."""

UPDATE_ENV = "C360GUARD_UPDATE_GOLDEN"
"""The environment variable that does the same (`1`, `true` or `yes`)."""

VOLATILE_KEYS: frozenset[str] = frozenset(
    {
        "decision_id",
        "hash",
        "parent_span_id",
        "prev_hash",
        "recorded_at",
        "review_ticket_id",
        "screening",
        "seq",
        "span_id",
        "ticket_id",
        "trace_id",
    }
)
"""Keys that differ on every run (span and ticket ids, wall-clock export times, chain
hashes): left out of snapshots. `timestamp`, read from the Guard's clock, stays."""

SNAPSHOT_FORMAT = 1


class GoldenMismatch(AssertionError):  # noqa: N818 - reads as what pytest reports
    """A session's decisions differ from its golden snapshot; the message is the diff."""


def update_requested() -> bool:
    """True when the environment asks for golden snapshots to be rewritten."""
    return os.environ.get(UPDATE_ENV, "").strip().lower() in {"1", "true", "yes"}


def to_snapshot(
    decisions: Iterable[Mapping[str, Any] | BaseModel],
    *,
    volatile: Iterable[str] = VOLATILE_KEYS,
) -> list[dict[str, Any]]:
    """Turn decision records into the plain, stable JSON a snapshot holds."""
    drop = frozenset(volatile)
    plain = [
        d.model_dump(mode="json") if isinstance(d, BaseModel) else json.loads(_dumps(dict(d)))
        for d in decisions
    ]
    return [_without(record, drop) for record in plain]


class GoldenFile:
    """One committed snapshot of a session's decisions.

    `update` rewrites the snapshot instead of comparing; None (the default) leaves the
    choice to the `C360GUARD_UPDATE_GOLDEN` environment variable.

    Example:
        ```python
        GoldenFile("tests/golden/churn.json").check(decision_records)
        ```
    """

    def __init__(
        self,
        path: str | Path,
        *,
        update: bool | None = None,
        volatile: Iterable[str] = VOLATILE_KEYS,
    ) -> None:
        self.path = Path(path)
        self.update = update_requested() if update is None else update
        self.volatile = frozenset(volatile)

    def read(self) -> list[dict[str, Any]]:
        """Return the snapshot's decisions."""
        data = json.loads(self.path.read_text(encoding="utf-8"))
        decisions: list[dict[str, Any]] = data["decisions"]
        return decisions

    def write(self, decisions: Sequence[Mapping[str, Any]]) -> None:
        """Write decisions as the new snapshot (sorted keys, one value per line: diffable)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"format": SNAPSHOT_FORMAT, "decisions": list(decisions)}
        self.path.write_text(_dumps(payload, indent=2) + "\n", encoding="utf-8")
        logger.info("golden snapshot written: %d decisions", len(decisions))

    def check(self, decisions: Iterable[Mapping[str, Any] | BaseModel]) -> None:
        """Compare decisions with the snapshot, or rewrite it when an update was asked for.

        Raises:
            GoldenMismatch: the decisions differ (the message says how), or there is no
                snapshot yet and no update was asked for.
        """
        __tracebackhide__ = True  # pytest shows the diff, not this function's source
        actual = to_snapshot(decisions, volatile=self.volatile)
        if self.update:
            self.write(actual)
            return
        if not self.path.is_file():
            raise GoldenMismatch(
                f"no golden snapshot at {_shown(self.path)}; create it by running with "
                f"{UPDATE_OPTION} (or {UPDATE_ENV}=1), review it, and commit it"
            )
        lines = diff_decisions(self.read(), actual)
        if lines:
            body = "\n".join(f"  {line}" for line in lines)
            raise GoldenMismatch(
                f"decisions differ from the golden snapshot {_shown(self.path)}:\n{body}\n"
                f"If the change is intended, rerun with {UPDATE_OPTION} "
                f"(or {UPDATE_ENV}=1) and commit the updated snapshot."
            )


def _shown(path: Path) -> str:
    """The path relative to the working folder when it is under it (as a test run prints)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _without(value: Any, drop: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, drop) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [_without(item, drop) for item in value]
    return value


def _dumps(value: Any, *, indent: int | None = None) -> str:
    return json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=False, default=str)
