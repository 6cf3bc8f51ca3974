"""The hash chain of an audit log: sealing records and verifying a file of them.

Each line of an audit log is one record in canonical JSON (sorted keys, no spaces) carrying
`seq` (1, 2, 3...), `prev_hash` (the previous record's `hash`, or `GENESIS` for the first)
and `hash`: SHA-256 over the record's canonical JSON without `hash`. Editing a record breaks
its own hash; deleting, inserting or reordering records breaks the next `prev_hash`.

A crash mid-append can leave a torn last line. The next append acknowledges it with a
`recovery` record naming the torn bytes (offset, length, SHA-256) and chaining from the
last whole record, so the file stays append-only and verifiable: verification accepts
unparseable bytes only where a recovery record vouches for exactly those bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from c360guard.errors import AuditLogError
from c360guard.telemetry.privacy import canonical_json

GENESIS: Final = "sha256:" + "0" * 64
"""The `prev_hash` of the first record of a log."""

RECOVERY_SCHEMA: Final = "c360guard.recovery/1"
"""The `schema` of a record that acknowledges torn bytes left by a crash."""


def record_hash(body: dict[str, Any]) -> str:
    """SHA-256 of a record's canonical JSON, `hash` itself left out."""
    unsealed = {key: value for key, value in body.items() if key != "hash"}
    return "sha256:" + hashlib.sha256(canonical_json(unsealed).encode("utf-8")).hexdigest()


def seal(record: dict[str, Any], *, seq: int, prev_hash: str) -> tuple[bytes, str]:
    """Return a record's log line (newline included) and its hash, chained after `prev_hash`."""
    body = {**record, "seq": seq, "prev_hash": prev_hash}
    body["hash"] = digest = record_hash(body)
    return (canonical_json(body) + "\n").encode("utf-8"), digest


def recovery_record(offset: int, torn: bytes, recorded_at: str) -> dict[str, Any]:
    """The record acknowledging `torn` bytes at `offset` left by an interrupted append."""
    return {
        "schema": RECOVERY_SCHEMA,
        "kind": "recovery",
        "recorded_at": recorded_at,
        "torn": {
            "offset": offset,
            "length": len(torn),
            "sha256": hashlib.sha256(torn).hexdigest(),
        },
    }


def parse_line(raw: bytes) -> dict[str, Any] | None:
    """Return the record on a log line, or None when it is not a sealed record."""
    try:
        found = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(found, dict) or not {"hash", "prev_hash", "seq"} <= found.keys():
        return None
    return found


@dataclass(frozen=True)
class Break:
    """The first place a chain does not hold."""

    line: int
    """1-based line number in the file."""
    seq: int | None
    """The `seq` the line claims, when it parses."""
    decision_id: str | None
    """The `decision_id` the line claims, when it parses."""
    problem: str
    """What is wrong, in a sentence."""


@dataclass(frozen=True)
class TornTail:
    """Bytes at the end of a log that are not a whole record: an interrupted append."""

    offset: int
    """Byte offset where the torn bytes start."""
    length: int
    """How many bytes are torn."""
    line: int
    """1-based line number of the torn bytes."""


@dataclass
class ChainReport:
    """What verifying an audit log found."""

    path: str
    """The file verified."""
    records: int = 0
    """Whole records that verified, up to the first break."""
    head_hash: str = GENESIS
    """The hash of the last verified record: note it elsewhere to detect truncation later."""
    broken: Break | None = None
    """The first break in the chain, if any."""
    torn_tail: TornTail | None = None
    """Torn bytes at the end, if any (earlier records are still valid)."""
    recoveries: list[int] = field(default_factory=list)
    """Line numbers of recovery records that acknowledge earlier torn bytes."""

    @property
    def intact(self) -> bool:
        """True when no record is broken (a torn tail alone leaves the chain intact)."""
        return self.broken is None


def verify_log(path: str | Path) -> ChainReport:
    """Verify every record of an audit log, stopping at the first break."""
    report = ChainReport(path=str(path))
    walker = _Walker(report)
    for line_no, offset, raw in iter_lines(path):
        if not walker.step(line_no, offset, raw):
            return report
    walker.finish()
    return report


class _Walker:
    """Walks a log's lines in order, checking each against the chain so far."""

    def __init__(self, report: ChainReport) -> None:
        self.report = report
        self.prev = GENESIS
        self.expected_seq = 1
        self.bad_start: tuple[int, int] | None = None  # (line, offset) of unvouched bytes
        self.bad_bytes = bytearray()

    def step(self, line_no: int, offset: int, raw: bytes) -> bool:
        record = parse_line(raw)
        if record is None:
            if self.bad_start is None:
                self.bad_start = (line_no, offset)
            self.bad_bytes += raw
            return True
        if self.bad_start is not None and not self._vouched(line_no, record):
            return False
        return self._chain(line_no, record)

    def finish(self) -> None:
        if self.bad_start is not None:
            line_no, offset = self.bad_start
            self.report.torn_tail = TornTail(offset, len(self.bad_bytes), line_no)

    def _vouched(self, line_no: int, record: dict[str, Any]) -> bool:
        assert self.bad_start is not None  # only called after unparseable bytes
        bad_line, bad_offset = self.bad_start
        torn = record.get("torn") if record.get("kind") == "recovery" else None
        if not (
            isinstance(torn, dict)
            and torn.get("offset") == bad_offset
            and torn.get("length") == len(self.bad_bytes)
            and torn.get("sha256") == hashlib.sha256(self.bad_bytes).hexdigest()
        ):
            self.report.broken = Break(bad_line, None, None, "line is not a valid record")
            return False
        self.report.recoveries.append(line_no)
        self.bad_start = None
        self.bad_bytes = bytearray()
        return True

    def _chain(self, line_no: int, record: dict[str, Any]) -> bool:
        problem = _problem(record, self.prev, self.expected_seq)
        if problem is not None:
            seq = record.get("seq") if isinstance(record.get("seq"), int) else None
            decision = record.get("decision_id")
            self.report.broken = Break(line_no, seq, decision, problem)
            return False
        self.prev = record["hash"]
        self.expected_seq = record["seq"] + 1
        self.report.records += 1
        self.report.head_hash = self.prev
        return True


def _problem(record: dict[str, Any], prev: str, expected_seq: int) -> str | None:
    if record_hash(record) != record.get("hash"):
        return "record was altered: its content does not match its hash"
    if record.get("prev_hash") != prev:
        seq = record.get("seq")
        if isinstance(seq, int) and seq > expected_seq:
            missing = f"{expected_seq}..{seq - 1}"
            return f"chain broken: records {missing} are missing here (deleted or moved)"
        if isinstance(seq, int) and seq < expected_seq:
            return f"chain broken: record {seq} is out of order (expected {expected_seq})"
        return "chain broken: prev_hash does not match the previous record's hash"
    if record.get("seq") != expected_seq:
        return f"sequence broken: expected seq {expected_seq}, found {record.get('seq')}"
    return None


def iter_lines(path: str | Path) -> Iterator[tuple[int, int, bytes]]:
    """Yield (line number, byte offset, raw bytes) for each line, newline included."""
    offset = 0
    try:
        with open(path, "rb") as handle:
            for line_no, raw in enumerate(handle, start=1):
                yield line_no, offset, raw
                offset += len(raw)
    except OSError as exc:
        raise AuditLogError(
            f"cannot read audit log {path}: {exc.strerror}; check the path and permissions"
        ) from exc
