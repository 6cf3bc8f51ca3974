"""Numbered ticket ids: a replayed session files the same tickets under the same ids."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from c360guard import FrozenClock, Guard, Profile, Reason, Recommendation, load_contract
from c360guard.review import ReviewQueue, SQLiteReviewQueue
from c360guard.testing import SequentialTicketIds

CONTRACT = """\
workflow: numbered
version: 1
owner: cs-ops@example.com
authority: assist
grain: account
fields:
  renewal_date: {sources: [salesforce], fresh_within: 30d}
reasons:
  RENEWAL_SOON: {label: Renewal within 90 days, evidence: [renewal_date]}
actions:
  create_cs_task: {authority: assist, destination: gainsight}
review: {min_confidence: 0.7, autonomous_up_to: assist}
"""

PROFILE = Profile.model_validate(
    {
        "entity": {"id": "acct_1", "grain": "account", "match_confidence": 0.99},
        "fields": {
            "renewal_date": {
                "value": "2027-01-31",
                "source": "salesforce",
                "owner": "revops",
                "updated_at": "2026-12-01T00:00:00Z",
            },
        },
    }
)


def low_confidence_task(title: str) -> Recommendation:
    return Recommendation(
        action="create_cs_task",
        arguments={"title": title},
        reasons=[Reason(code="RENEWAL_SOON", fields=["renewal_date"])],
        confidence=0.3,
    )


def test_tickets_are_numbered_in_filing_order_and_read_back_by_that_id(tmp_path: Path) -> None:
    queue = SequentialTicketIds(SQLiteReviewQueue(tmp_path / "review.db"))
    guard = Guard(
        load_contract(CONTRACT),
        clock=FrozenClock(datetime(2026, 12, 3, 12, 0, tzinfo=UTC)),
        review_queue=cast(ReviewQueue, queue),
    )
    screening = guard.screen(PROFILE)

    first = guard.check(low_confidence_task("call the CSM"), screening).ticket
    second = guard.check(low_confidence_task("plan the QBR"), screening).ticket

    assert first is not None
    assert second is not None
    assert (first.id, second.id) == ("ticket-0001", "ticket-0002")
    assert queue.get("ticket-0002").recommendation.arguments == {"title": "plan the QBR"}
