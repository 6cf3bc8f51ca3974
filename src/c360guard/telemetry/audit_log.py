"""The audit log: decision records appended as hash-chained JSON lines, safe to share.

Appends are serialised by a thread lock (within a process) and an exclusive `fcntl.flock`
on the file (across processes). Under the lock a writer reads the tail of the file to learn
the last record's hash, so any number of writers, in any number of processes, extend one
chain. Each batch is written with a single `write` and, by default, `fsync`ed.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from c360guard.errors import AuditLogError
from c360guard.telemetry import attributes as attr
from c360guard.telemetry.chain import GENESIS, parse_line, recovery_record, seal
from c360guard.telemetry.records import KINDS, Record, decision_record

logger = logging.getLogger(__name__)

_TAIL_CHUNK = 64 * 1024


@dataclass(frozen=True)
class _Tail:
    """Where a log's chain stands: its last whole record and anything torn after it."""

    size: int
    """The file's size in bytes."""
    end: int
    """Byte offset just past the last whole record (0 for an empty log)."""
    seq: int
    """The last record's `seq` (0 for an empty log)."""
    head: str
    """The last record's hash (`GENESIS` for an empty log)."""
    unterminated: bool = False
    """The last record is whole but its newline was never written."""


class AuditLog:
    """An append-only, hash-chained JSON-lines file of audit records.

    Args:
        path: The log file; created (with its folder) when missing.
        fsync: Flush each appended batch to disk before returning, so a machine crash
            loses nothing that was reported written.
    """

    def __init__(self, path: str | Path, *, fsync: bool = True) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self._pid = -1
        self._fd = -1
        self._lock = threading.Lock()
        self._known: _Tail | None = None

    def append(self, records: Sequence[Record]) -> int:
        """Seal and append records as one write; return the `seq` of the last one."""
        if not records:
            return self._known.seq if self._known else 0
        self._reopen_after_fork()
        with self._lock:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                return self._append_locked(fd, records)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the file; a later append opens it again."""
        with self._lock:
            if self._fd >= 0 and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = -1
            self._known = None

    def _append_locked(self, fd: int, records: Sequence[Record]) -> int:
        tail = self._tail(fd)
        out = bytearray()
        seq, head = tail.seq, tail.head
        if tail.unterminated:
            out += b"\n"
        if tail.size > tail.end:
            torn = _read(fd, tail.end, tail.size - tail.end)
            if not torn.endswith(b"\n"):
                out += b"\n"
                torn += b"\n"
            seq += 1
            line, head = seal(recovery_record(tail.end, torn, _now()), seq=seq, prev_hash=head)
            out += line
            logger.warning(
                "audit log %s ended in %d torn bytes at offset %d (an interrupted append); "
                "recorded a recovery record and continued the chain",
                self.path,
                len(torn),
                tail.end,
            )
        for record in records:
            seq += 1
            line, head = seal(record, seq=seq, prev_hash=head)
            out += line
        _write_all(fd, bytes(out))
        if self.fsync:
            os.fsync(fd)
        size = tail.size + len(out)
        self._known = _Tail(size=size, end=size, seq=seq, head=head)
        return seq

    def _tail(self, fd: int) -> _Tail:
        size = os.fstat(fd).st_size
        known = self._known
        if known is not None and known.size == size:
            return known  # nobody wrote since our last append
        return _scan_tail(fd, size)

    def _open(self) -> int:
        if self._fd < 0:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
            except OSError as exc:
                raise AuditLogError(
                    f"cannot open audit log {self.path}: {exc.strerror}; "
                    "check the path and permissions"
                ) from exc
            self._pid = os.getpid()
        return self._fd

    def _reopen_after_fork(self) -> None:
        # A forked child shares the parent's open file description, and with it the flock:
        # it must open the file anew, and must not trust a lock that was copied mid-use.
        if self._pid not in (-1, os.getpid()):
            self._lock = threading.Lock()
            self._fd = -1
            self._known = None
            self._pid = -1


class AuditLogExporter(SpanExporter):
    """An OpenTelemetry span exporter that appends a decision record per guard decision.

    Screen, check, review and pause spans become records (see docs/telemetry.md); other
    spans are ignored. A check's record copies the fields of its screening when this
    exporter saw the screen span too (the usual case: the screen span ends first).

    Example:
        ```python
        provider = TracerProvider()
        provider.add_span_processor(BatchSpanProcessor(AuditLogExporter("audit.jsonl")))
        guard = Guard(contract, tracer_provider=provider)
        ```

    Args:
        path: The audit log file.
        kinds: The record kinds to write (`screen`, `check`, `review`, `pause`).
        fsync: Flush each batch to disk before reporting it exported.
        remember: How many recent screenings to keep for the checks that follow them.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        kinds: Iterable[str] = ("screen", "check", "review", "pause"),
        fsync: bool = True,
        remember: int = 4096,
    ) -> None:
        self.log = AuditLog(path, fsync=fsync)
        self.kinds = frozenset(kinds)
        unknown = self.kinds - set(KINDS.values())
        if unknown:
            raise ValueError(
                f"unknown record kinds {sorted(unknown)}; choose from {sorted(KINDS.values())}"
            )
        self._screenings: OrderedDict[str, Record] = OrderedDict()
        self._remember = remember

    @property
    def path(self) -> Path:
        """The audit log file."""
        return self.log.path

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Append the decision records of the guard's spans among `spans`."""
        records = [record for span in spans if (record := self._record(span)) is not None]
        try:
            self.log.append(records)
        except (OSError, AuditLogError):
            logger.exception("could not append %d records to %s", len(records), self.path)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Close the log file."""
        self.log.close()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered here: every export is written before it returns."""
        return True

    def _record(self, span: ReadableSpan) -> Record | None:
        if span.name not in KINDS:
            return None
        screening = None
        if span.name == attr.SPAN_CHECK:
            screen_id = (span.attributes or {}).get(attr.SCREEN_SPAN_ID)
            screening = self._screenings.get(str(screen_id)) if screen_id else None
        record = decision_record(span, screening)
        if record is not None and span.name == attr.SPAN_SCREEN:
            self._keep(record)
        if record is None or record["kind"] not in self.kinds:
            return None
        return record

    def _keep(self, record: Record) -> None:
        self._screenings[record["span_id"]] = record
        while len(self._screenings) > self._remember:
            self._screenings.popitem(last=False)


def _scan_tail(fd: int, size: int) -> _Tail:
    """Find the last whole record by reading the file backwards from its end."""
    if size == 0:
        return _Tail(size=0, end=0, seq=0, head=GENESIS)
    chunk = _TAIL_CHUNK
    while True:
        start = max(0, size - chunk)
        data = _read(fd, start, size - start)
        found = _last_record(data, start)
        if found is not None:
            end, record = found
            unterminated = end == size and not data.endswith(b"\n")
            return _Tail(size, end, record["seq"], record["hash"], unterminated)
        if start == 0:
            return _Tail(size=size, end=0, seq=0, head=GENESIS)  # nothing whole: all torn
        chunk *= 4


def _last_record(data: bytes, base: int) -> tuple[int, dict[str, Any]] | None:
    """The end offset and content of the last parseable record among whole lines of `data`.

    A final line without its newline counts when it parses: the write finished but for the
    newline, and the record is whole.
    """
    lines = data.split(b"\n")
    trailing = lines.pop()  # bytes after the last newline; b"" when data ends with one
    if trailing:
        record = parse_line(trailing)
        if record is not None:
            return base + len(data), record
    end = base + len(data) - len(trailing)
    # The first element may be a partial line (the chunk began mid-line): never trust it
    # unless the chunk starts at the beginning of the file.
    first = 0 if base == 0 else 1
    for index in range(len(lines) - 1, first - 1, -1):
        record = parse_line(lines[index])
        if record is not None:
            return end, record
        end -= len(lines[index]) + 1
    return None


def _read(fd: int, offset: int, length: int) -> bytes:
    parts = []
    while length > 0:
        part = os.pread(fd, length, offset)
        if not part:
            break
        parts.append(part)
        offset += len(part)
        length -= len(part)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _now() -> str:
    text = datetime.now(UTC).isoformat()
    return text[:-6] + "Z"
