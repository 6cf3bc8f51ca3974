"""GuardSession: what each conversation showed the model, safe under threads."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from c360guard import FieldValue, Guard, Profile, Reason, Recommendation
from c360guard.langchain import GuardSession
from c360guard.langchain._policy import judge


def with_field(profile: Profile, name: str, **changes: object) -> Profile:
    held = profile.fields[name]
    assert isinstance(held, FieldValue)
    fields = {**profile.fields, name: held.model_copy(update=changes)}
    return profile.model_copy(update={"fields": fields})


def task_citing(*fields: str) -> Recommendation:
    return Recommendation(
        action="create_cs_task",
        arguments={"account_id": "acct_1042", "title": "Call"},
        reasons=[Reason(code="RENEWAL_SOON", fields=["renewal_date", *fields])],
        confidence=0.9,
    )


def test_fields_shown_by_any_read_of_the_conversation_count_as_shown(
    guard: Guard, session: GuardSession, northwind: Profile
) -> None:
    only_renewal = northwind.model_copy(
        update={"fields": {"renewal_date": northwind.fields["renewal_date"]}}
    )
    only_health = northwind.model_copy(
        update={"fields": {"health_score": northwind.fields["health_score"]}}
    )

    session.record(guard, "t1", guard.screen(only_renewal))
    session.record(guard, "t1", guard.screen(only_health))

    assert sorted(session.view(guard, "t1").shown()["acct_1042"]) == [
        "health_score",
        "renewal_date",
    ]


def test_a_field_shown_earlier_is_judged_on_its_newest_value(
    guard: Guard, session: GuardSession, northwind: Profile
) -> None:
    stale = with_field(northwind, "health_score", updated_at=datetime(2026, 1, 1, tzinfo=UTC))
    session.record(guard, "t1", guard.screen(northwind))
    session.record(guard, "t1", guard.screen(stale))

    verdict = judge(guard, task_citing("health_score"), session.view(guard, "t1"), "acct_1042")

    assert verdict.codes == ["reason.cites_withheld_field"]


def test_conversations_and_contracts_are_kept_apart(
    guard: Guard, session: GuardSession, northwind: Profile, helios: Profile
) -> None:
    session.record(guard, "t1", guard.screen(northwind))
    session.record(guard, "t2", guard.screen(helios))

    assert list(session.view(guard, "t1").shown()) == ["acct_1042"]
    assert list(session.view(guard, "t2").shown()) == ["acct_2077"]


def test_a_pinned_view_ignores_what_is_shown_after_it(
    guard: Guard, session: GuardSession, northwind: Profile
) -> None:
    session.pin(guard, "t1")
    session.record(guard, "t1", guard.screen(northwind))

    assert session.judged(guard, "t1").shown() == {}
    assert session.view(guard, "t1").shown() != {}


def test_the_oldest_conversation_is_forgotten_past_the_limit(
    guard: Guard, northwind: Profile
) -> None:
    session = GuardSession(max_conversations=2)
    screening = guard.screen(northwind)

    for key in ("t1", "t2", "t3"):
        session.record(guard, key, screening)

    assert session.view(guard, "t1").shown() == {}
    assert session.view(guard, "t3").shown() != {}


def test_forget_drops_a_conversation(
    guard: Guard, session: GuardSession, northwind: Profile
) -> None:
    session.record(guard, "t1", guard.screen(northwind))

    session.forget("t1")

    assert session.view(guard, "t1").shown() == {}


def test_concurrent_records_lose_nothing(
    guard: Guard, session: GuardSession, northwind: Profile
) -> None:
    screenings = [
        guard.screen(
            northwind.model_copy(
                update={"entity": northwind.entity.model_copy(update={"id": f"acct_{n}"})}
            )
        )
        for n in range(40)
    ]
    start = threading.Barrier(8)

    def record(worker: int) -> None:
        start.wait()
        for screening in screenings:
            session.record(guard, f"t{worker % 2}", screening)
            session.pin(guard, f"t{worker % 2}")

    threads = [threading.Thread(target=record, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(session.view(guard, "t0").shown()) == 40
    assert len(session.view(guard, "t1").shown()) == 40


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        GuardSession(max_conversations=0)
