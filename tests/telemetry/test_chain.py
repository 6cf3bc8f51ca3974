"""The audit log's hash chain: tampering is detected, crashes are survived."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from c360guard.errors import AuditLogError
from c360guard.telemetry import AuditLog, verify_log
from c360guard.telemetry.chain import GENESIS, record_hash


def _record(index: int) -> dict[str, Any]:
    return {"schema": "c360guard.decision/1", "decision_id": f"d{index:04d}", "kind": "check"}


def _write(path: Path, count: int) -> AuditLog:
    log = AuditLog(path, fsync=False)
    for index in range(count):
        log.append([_record(index)])
    return log


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_an_untouched_log_verifies_with_every_record_counted(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, 5)

    report = verify_log(path)

    assert report.intact
    assert report.records == 5
    assert report.torn_tail is None
    assert report.head_hash == json.loads(_lines(path)[-1])["hash"]


def test_records_chain_from_genesis_with_consecutive_seq(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, 3)

    first, second, third = (json.loads(line) for line in _lines(path))

    assert first["prev_hash"] == GENESIS
    assert second["prev_hash"] == first["hash"] == record_hash(first)
    assert third["prev_hash"] == second["hash"]
    assert [first["seq"], second["seq"], third["seq"]] == [1, 2, 3]


def test_an_edited_record_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, 5)
    lines = _lines(path)
    lines[2] = lines[2].replace('"kind":"check"', '"kind":"screen"')
    path.write_text("".join(lines), encoding="utf-8")

    report = verify_log(path)

    assert report.broken is not None
    assert report.broken.line == 3
    assert report.broken.decision_id == "d0002"
    assert "altered" in report.broken.problem
    assert report.records == 2


def test_a_deleted_record_is_reported_at_the_record_after_it(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, 5)
    lines = _lines(path)
    del lines[1]
    path.write_text("".join(lines), encoding="utf-8")

    report = verify_log(path)

    assert report.broken is not None
    assert report.broken.line == 2
    assert report.broken.seq == 3
    assert "missing" in report.broken.problem


def test_reordered_records_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, 5)
    lines = _lines(path)
    lines[1], lines[3] = lines[3], lines[1]
    path.write_text("".join(lines), encoding="utf-8")

    report = verify_log(path)

    assert report.broken is not None
    assert report.broken.line == 2
    assert report.broken.seq == 4


def test_a_recomputed_hash_still_breaks_the_next_link(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, 3)
    lines = _lines(path)
    forged = json.loads(lines[0])
    forged["kind"] = "screen"
    forged["hash"] = record_hash(forged)
    lines[0] = json.dumps(forged, sort_keys=True, separators=(",", ":")) + "\n"
    path.write_text("".join(lines), encoding="utf-8")

    report = verify_log(path)

    assert report.broken is not None
    assert report.broken.line == 2
    assert "prev_hash" in report.broken.problem


def test_a_torn_last_line_is_reported_and_earlier_records_stay_valid(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, 3)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"schema":"c360guard.decision/1","decision_id":"d9')  # crash mid-write

    report = verify_log(path)

    assert report.intact
    assert report.records == 3
    assert report.torn_tail is not None
    assert report.torn_tail.line == 4
    assert report.torn_tail.offset == sum(len(line.encode()) for line in _lines(path)[:3])


def test_the_next_append_after_a_torn_line_records_a_recovery_and_keeps_the_chain(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, 3)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"schema":"c360guard.decision/1","decision_id":"d9')

    AuditLog(path, fsync=False).append([_record(3)])

    report = verify_log(path)
    recovery, last = (json.loads(line) for line in _lines(path)[-2:])
    assert report.intact
    assert report.torn_tail is None
    assert report.records == 5
    assert report.recoveries == [5]
    assert recovery["kind"] == "recovery"
    assert recovery["prev_hash"] == json.loads(_lines(path)[2])["hash"]
    assert last["decision_id"] == "d0003"
    assert last["prev_hash"] == recovery["hash"]


def test_a_whole_last_record_missing_only_its_newline_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, 2)
    path.write_bytes(path.read_bytes().rstrip(b"\n"))

    AuditLog(path, fsync=False).append([_record(2)])

    report = verify_log(path)
    assert report.intact
    assert report.records == 3
    assert report.recoveries == []


def test_a_garbage_line_in_the_middle_without_a_recovery_is_a_break(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, 3)
    lines = _lines(path)
    lines.insert(1, "not a record\n")
    path.write_text("".join(lines), encoding="utf-8")

    report = verify_log(path)

    assert report.broken is not None
    assert report.broken.line == 2
    assert report.broken.problem == "line is not a valid record"


def test_a_recovery_record_vouches_only_for_the_exact_torn_bytes(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _write(path, 2)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"torn')
    AuditLog(path, fsync=False).append([_record(2)])
    text = path.read_text(encoding="utf-8").replace('{"torn', '{"tore')
    path.write_text(text, encoding="utf-8")

    report = verify_log(path)

    assert report.broken is not None
    assert report.broken.line == 3


def test_appends_from_a_second_writer_continue_the_same_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    first, second = AuditLog(path, fsync=False), AuditLog(path, fsync=False)

    first.append([_record(0)])
    second.append([_record(1), _record(2)])
    first.append([_record(3)])

    report = verify_log(path)
    assert report.intact
    assert [json.loads(line)["decision_id"] for line in _lines(path)] == [
        "d0000",
        "d0001",
        "d0002",
        "d0003",
    ]


def test_verifying_a_missing_file_says_which_and_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(AuditLogError, match="check the path"):
        verify_log(tmp_path / "nowhere.jsonl")
