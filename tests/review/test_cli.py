"""The reviewer's command line: review, pause, resume and rollback, on both backends."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from review_helpers import CONTRACT, NOW, WORKFLOW, Stores, make_ticket
from typer.testing import CliRunner

from c360guard.cli import app
from c360guard.model import ExecutionRecord, ReviewDecision, TicketStatus
from c360guard.review import ReviewQueue


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("C360GUARD_REVIEWER", "ana@example.com")
    return CliRunner()


def _run(runner: CliRunner, db: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", db])
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_pending_tickets(runner: CliRunner, queue: ReviewQueue, db: str) -> None:
    ticket = queue.submit(make_ticket())

    code, out, _ = _run(runner, db, "review", "list")

    assert code == 0, out
    assert ticket.id in out
    assert "route_expansion" in out
    assert "pending" in out


def test_list_json_is_the_tickets(runner: CliRunner, queue: ReviewQueue, db: str) -> None:
    ticket = queue.submit(make_ticket())

    code, out, _ = _run(runner, db, "review", "list", "--json", "--status", "all")

    assert code == 0
    documents = json.loads(out)
    assert [document["id"] for document in documents] == [ticket.id]
    assert documents[0]["arguments_to_run"] == ticket.arguments


def test_unknown_status_is_bad_input(runner: CliRunner, queue: ReviewQueue, db: str) -> None:
    code, _, err = _run(runner, db, "review", "list", "--status", "maybe")

    assert code == 3
    assert "--status 'maybe' is not one of pending" in err


def test_missing_sqlite_file_is_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = _run(runner, str(tmp_path / "nope.db"), "review", "list")

    assert code == 3
    assert "no review database at" in err


def test_show_prints_the_proposal_and_its_provenance(
    runner: CliRunner, queue: ReviewQueue, db: str
) -> None:
    ticket = queue.submit(make_ticket())

    code, out, _ = _run(runner, db, "review", "show", ticket.id)

    assert code == 0, out
    assert "data-eng" in out
    assert "Route the expansion" in out


def test_show_unknown_ticket_is_bad_input(runner: CliRunner, queue: ReviewQueue, db: str) -> None:
    code, _, err = _run(runner, db, "review", "show", "nope")

    assert code == 3
    assert "no review ticket 'nope'" in err


def test_approve_records_the_reviewer_from_the_environment(
    runner: CliRunner, queue: ReviewQueue, db: str
) -> None:
    ticket = queue.submit(make_ticket())

    code, out, _ = _run(runner, db, "review", "approve", ticket.id, "--note", "fine")

    assert code == 0, out
    stored = queue.get(ticket.id)
    assert (stored.status, stored.reviewer, stored.note) == (
        TicketStatus.APPROVED,
        "ana@example.com",
        "fine",
    )


def test_second_reviewer_gets_a_conflict(runner: CliRunner, queue: ReviewQueue, db: str) -> None:
    ticket = queue.submit(make_ticket())
    _run(runner, db, "review", "approve", ticket.id)

    code, _, err = _run(runner, db, "review", "reject", ticket.id, "--reason", "no", "--by", "bo")

    assert code == 4
    assert "already approved by ana@example.com" in err
    assert queue.get(ticket.id).status is TicketStatus.APPROVED


def test_reject_needs_a_reason(runner: CliRunner, queue: ReviewQueue, db: str) -> None:
    ticket = queue.submit(make_ticket())

    code, _, _ = _run(runner, db, "review", "reject", ticket.id)

    assert code == 3
    assert queue.get(ticket.id).status is TicketStatus.PENDING


def test_rejection_feedback_is_listed_by_owner(
    runner: CliRunner, queue: ReviewQueue, db: str
) -> None:
    ticket = queue.submit(make_ticket())
    _run(
        runner,
        db,
        "review",
        "reject",
        ticket.id,
        "--reason",
        "workspace spike, not account growth",
        "--misleading",
        "usage_change_30d",
    )

    code, out, _ = _run(runner, db, "review", "feedback", "--owner", "data-eng", "--json")
    _, table, _ = _run(runner, db, "review", "feedback", "--field", "usage_change_30d")

    assert code == 0
    [row] = json.loads(out)
    assert (row["field"], row["owner"], row["reviewer"]) == (
        "usage_change_30d",
        "data-eng",
        "ana@example.com",
    )
    assert "data-eng" in table
    assert "workspace" in table


def test_edit_sets_arguments_and_waits_for_the_recheck(
    runner: CliRunner, queue: ReviewQueue, db: str
) -> None:
    ticket = queue.submit(make_ticket())

    code, out, _ = _run(
        runner, db, "review", "edit", ticket.id, "--set", "owner=bo@example.com", "--set", "seats=5"
    )

    assert code == 0, out
    assert "re-checks" in out
    stored = queue.get(ticket.id)
    assert stored.status is TicketStatus.EDITED
    assert stored.edited_arguments == {"owner": "bo@example.com", "queue": "expansion", "seats": 5}


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--arguments", "{not json"], "--arguments is not valid JSON"),
        (["--arguments", "[1, 2]"], "--arguments must be a JSON object"),
        (["--set", "owner"], "is not KEY=VALUE"),
        ([], "give the new arguments"),
        (["--set", "queue=expansion"], "the edit changes no argument"),
    ],
)
def test_malformed_edit_is_bad_input_and_changes_nothing(
    runner: CliRunner, queue: ReviewQueue, db: str, args: list[str], problem: str
) -> None:
    ticket = queue.submit(make_ticket())

    code, _, err = _run(runner, db, "review", "edit", ticket.id, *args)

    assert code == 3
    assert problem in err
    assert queue.get(ticket.id).status is TicketStatus.PENDING


def test_expire_by_id_and_by_age(runner: CliRunner, queue: ReviewQueue, db: str) -> None:
    named = queue.submit(make_ticket("acct_1"))
    # The CLI reads the system clock: file this one two days before it.
    filed_at = datetime.now(UTC) - timedelta(days=2)
    old = queue.submit(make_ticket("acct_2").model_copy(update={"created_at": filed_at}))

    first, _, _ = _run(runner, db, "review", "expire", named.id)
    second, out, _ = _run(runner, db, "review", "expire", "--older-than", "1d")

    assert (first, second) == (0, 0)
    assert "expired 1 ticket(s)" in out
    assert queue.get(named.id).status is TicketStatus.EXPIRED
    assert queue.get(old.id).status is TicketStatus.EXPIRED


def test_expire_needs_tickets_or_an_age(runner: CliRunner, queue: ReviewQueue, db: str) -> None:
    code, _, err = _run(runner, db, "review", "expire")

    assert code == 3
    assert "--older-than" in err


def test_pause_and_resume_reach_every_store_on_the_db(
    runner: CliRunner, stores: Stores, db: str
) -> None:
    code, out, _ = _run(runner, db, "pause", WORKFLOW, "--reason", "bad routing data")

    held = stores.pause_store().get(WORKFLOW)
    assert code == 0, out
    assert held is not None
    assert (held.by, held.reason) == ("ana@example.com", "bad routing data")

    code, out, _ = _run(runner, db, "resume", WORKFLOW, "--by", "bo")

    assert code == 0
    assert "resumed" in out
    assert stores.pause_store().get(WORKFLOW) is None


def test_rejections_past_the_rate_pause_the_workflow(
    runner: CliRunner, queue: ReviewQueue, stores: Stores, db: str
) -> None:
    tickets = [queue.submit(make_ticket(f"acct_{n}")) for n in range(4)]

    outputs = [
        _run(runner, db, "review", "reject", ticket.id, "--reason", "wrong owner")
        for ticket in tickets
    ]

    assert "paused automatically" in outputs[-1][2]
    held = stores.pause_store().get(WORKFLOW)
    assert held is not None
    assert held.automatic


def _executed(queue: ReviewQueue, entity: str, owner: str) -> str:
    ticket = queue.submit(make_ticket(entity, owner=owner))
    queue.decide(ticket.id, ReviewDecision.approve("ana"), at=NOW)
    queue.claim_execution(ticket.id, ExecutionRecord(at=NOW, by="copilot"))
    queue.finish_execution(ticket.id)
    return ticket.id


@pytest.fixture
def contract_file(tmp_path: Path) -> Path:
    path = tmp_path / "expansion_routing.yaml"
    path.write_text(yaml.safe_dump(CONTRACT), encoding="utf-8")
    return path


@pytest.fixture
def tools_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """A module in the current directory whose compensating tool logs its calls to a file."""
    name = f"tools_{uuid.uuid4().hex[:8]}"
    log = tmp_path / "undone.jsonl"
    (tmp_path / f"{name}.py").write_text(
        "import json\n"
        "def unroute_expansion(**arguments):\n"
        f"    with open({str(log)!r}, 'a') as out:\n"
        "        out.write(json.dumps(arguments) + '\\n')\n"
        "COMPENSATIONS = {'unroute_expansion': unroute_expansion}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return f"{name}:COMPENSATIONS", log


def test_rollback_is_a_dry_run_by_default(
    runner: CliRunner, queue: ReviewQueue, db: str, contract_file: Path
) -> None:
    ran = _executed(queue, "acct_1", "ana@example.com")
    since = (NOW - timedelta(hours=1)).isoformat()

    code, out, _ = _run(
        runner, db, "rollback", WORKFLOW, "--contract", str(contract_file), "--since", since
    )

    assert code == 0, out
    assert ran in out
    assert "dry run" in out
    assert "unroute_expansion" in out
    assert queue.get(ran).compensation is None


def test_rollback_execute_runs_the_compensating_tool_once(
    runner: CliRunner,
    queue: ReviewQueue,
    db: str,
    contract_file: Path,
    tools_module: tuple[str, Path],
) -> None:
    spec, log = tools_module
    ran = _executed(queue, "acct_1", "ana@example.com")
    args = ["--contract", str(contract_file), "--since", (NOW - timedelta(hours=1)).isoformat()]

    code, out, _ = _run(runner, db, "rollback", WORKFLOW, *args, "--tools", spec, "--execute")
    again, _, _ = _run(runner, db, "rollback", WORKFLOW, *args, "--tools", spec, "--execute")

    assert (code, again) == (0, 0), out
    assert [json.loads(line) for line in log.read_text().splitlines()] == [
        {"owner": "ana@example.com"}
    ]
    compensation = queue.get(ran).compensation
    assert compensation is not None
    assert compensation.by == "ana@example.com"


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (["--execute"], "--execute needs --tools"),
        (["--execute", "--tools", "nocolon"], "is not module:object"),
        (["--since", "yesterday-ish"], "--since"),
    ],
)
def test_rollback_bad_input_runs_nothing(
    runner: CliRunner,
    queue: ReviewQueue,
    db: str,
    contract_file: Path,
    extra: list[str],
    problem: str,
) -> None:
    ran = _executed(queue, "acct_1", "ana@example.com")
    args = ["--contract", str(contract_file), "--since", "30d", *extra]

    code, _, err = _run(runner, db, "rollback", WORKFLOW, *args)

    assert code == 3
    assert problem in err
    assert queue.get(ran).compensation is None


def test_rollback_refuses_another_workflows_contract(
    runner: CliRunner, queue: ReviewQueue, db: str, contract_file: Path
) -> None:
    code, _, err = _run(
        runner, db, "rollback", "other_flow", "--contract", str(contract_file), "--since", "1d"
    )

    assert code == 3
    assert "not other_flow" in err
