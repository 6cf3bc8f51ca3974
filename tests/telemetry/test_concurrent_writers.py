"""Many writers, one audit log: threads and processes extend one valid chain, losing nothing."""

from __future__ import annotations

import json
import multiprocessing
import threading
from pathlib import Path

from c360guard.telemetry import AuditLog, verify_log

WRITERS = 6
RECORDS_EACH = 40


def _write_records(path: str, writer: int, shared: AuditLog | None = None) -> None:
    log = shared or AuditLog(path, fsync=False)
    for index in range(RECORDS_EACH):
        batch = [{"decision_id": f"w{writer}-r{index}", "kind": "check"}]
        if index % 5 == 0:  # some batches hold several records
            batch.append({"decision_id": f"w{writer}-r{index}-extra", "kind": "screen"})
        log.append(batch)


def _expected_ids() -> set[str]:
    ids = set()
    for writer in range(WRITERS):
        for index in range(RECORDS_EACH):
            ids.add(f"w{writer}-r{index}")
            if index % 5 == 0:
                ids.add(f"w{writer}-r{index}-extra")
    return ids


def _ids(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["decision_id"] for line in handle]


def _run_threads(path: Path, shared: AuditLog | None) -> None:
    threads = [
        threading.Thread(target=_write_records, args=(str(path), writer, shared))
        for writer in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_threads_sharing_one_writer_make_one_valid_chain_and_lose_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.jsonl"

    _run_threads(path, AuditLog(path, fsync=False))

    report = verify_log(path)
    ids = _ids(path)
    assert report.intact
    assert report.records == len(_expected_ids())
    assert sorted(ids) == sorted(_expected_ids())


def test_threads_with_a_writer_each_make_one_valid_chain_and_lose_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.jsonl"

    _run_threads(path, None)

    report = verify_log(path)
    assert report.intact
    assert sorted(_ids(path)) == sorted(_expected_ids())


def test_processes_make_one_valid_chain_and_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    # Forked, not spawned, to keep the test quick; each child opens its own writer, as a
    # separate program would.
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_write_records, args=(str(path), writer))
        for writer in range(WRITERS)
    ]

    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    report = verify_log(path)
    assert [worker.exitcode for worker in workers] == [0] * WRITERS
    assert report.intact
    assert sorted(_ids(path)) == sorted(_expected_ids())


def test_a_forked_child_writes_through_its_own_lock_and_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, fsync=False)
    log.append([{"decision_id": "parent-0", "kind": "check"}])
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_write_records, args=(str(path), 0, log))

    child.start()
    _write_records(str(path), 1, log)
    child.join()

    report = verify_log(path)
    assert child.exitcode == 0
    assert report.intact
    assert report.records == 1 + 2 * (RECORDS_EACH + RECORDS_EACH // 5)
