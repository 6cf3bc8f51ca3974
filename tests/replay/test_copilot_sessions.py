"""The CSM copilot's recorded sessions with a real model, replayed offline.

`make record` runs this module with `--record-mode=rewrite --c360-update-golden` against a
live endpoint; every other run replays the cassettes with no network and no model server.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from examples.csm_copilot.agent import CONTRACTS
from examples.csm_copilot.sessions import (
    SCENARIOS,
    SessionResult,
    live_endpoint,
    run_session,
    scenario,
    session_model,
)

from c360guard.model import contract_from_dict
from c360guard.testing import GoldenFile, RecordedSession, diff_decisions, to_snapshot

GOLDEN = Path(__file__).parent / "golden"


def play(name: str, session: RecordedSession, **options: Any) -> SessionResult:
    """Run a scenario inside its cassette: live when recording, from the cassette otherwise."""
    endpoint = live_endpoint() if session.recording else session.endpoint
    if endpoint is None:
        pytest.fail("recording needs C360_LLM_BASE_URL and C360_LLM_MODEL (see `make record`)")
    return run_session(scenario(name), session_model(endpoint, env=os.environ), **options)


def check_record(result: SessionResult) -> dict[str, Any]:
    (record,) = result.checks
    return record


@pytest.mark.vcr
@pytest.mark.parametrize(
    "name",
    [pytest.param(s.name, marks=pytest.mark.default_cassette(s.name)) for s in SCENARIOS],
)
def test_session_replays_to_its_golden_decisions(
    name: str, c360_cassette: RecordedSession, c360_golden: Any
) -> None:
    result = play(name, c360_cassette)

    c360_golden.check(name, result.decisions)
    assert c360_cassette.recording or c360_cassette.all_played


REPLAY_ONLY = pytest.mark.vcr(record_mode="none")


@REPLAY_ONLY
@pytest.mark.default_cassette("blocked_citation")
def test_guard_blocks_the_models_citation_of_a_field_it_never_saw(
    c360_cassette: RecordedSession,
) -> None:
    result = play("blocked_citation", c360_cassette)

    check = check_record(result)
    cited = {f["field"] for f in check["findings"] if f["code"] == "reason.cites_withheld_field"}
    assert check["verdict"] == "block"
    assert cited == {"nps_comment"}
    assert "nps_comment" in {field["name"] for field in check["fields"]["withheld"]}
    assert result.ran == []


@REPLAY_ONLY
@pytest.mark.default_cassette("low_confidence_review")
def test_models_low_confidence_task_waits_for_a_person(c360_cassette: RecordedSession) -> None:
    result = play("low_confidence_review", c360_cassette)

    check = check_record(result)
    assert check["verdict"] == "review"
    assert [f["code"] for f in check["findings"]] == ["confidence.low"]
    assert check["confidence"] < 0.7
    assert [(t.id, t.status.value) for t in result.tickets] == [("ticket-0001", "pending")]
    assert result.ran == []


@REPLAY_ONLY
@pytest.mark.default_cassette("allowed_task")
def test_well_founded_task_is_created(c360_cassette: RecordedSession) -> None:
    result = play("allowed_task", c360_cassette)

    assert check_record(result)["verdict"] == "allow"
    assert [entry["action"] for entry in result.ran] == ["create_cs_task"]


@pytest.mark.vcr(record_mode="none", match_on=["method", "uri"])
@pytest.mark.default_cassette("allowed_task")
def test_contract_edit_that_stales_a_cited_field_shows_in_the_golden_diff(
    c360_cassette: RecordedSession,
) -> None:
    # Replayed in recorded order (not by body): the model's answers stay the same while the
    # edited contract changes what it was shown, which is what a reviewer wants to see.
    data = yaml.safe_load(CONTRACTS["churn_risk"].read_text(encoding="utf-8"))
    data["fields"]["renewal_date"]["fresh_within"] = "1d"
    edited = contract_from_dict(data)

    result = play("allowed_task", c360_cassette, contract=edited)

    lines = diff_decisions(
        GoldenFile(GOLDEN / "allowed_task.json").read(), to_snapshot(result.decisions)
    )
    assert "  verdict: 'allow' -> 'block'" in lines
    assert any("fields.withheld: added renewal_date [field.stale]" in line for line in lines)
    assert result.ran == []
