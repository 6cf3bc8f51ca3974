"""guard_tool: reads show only the screening's context; actions run only when allowed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from examples.csm_copilot import CONTRACTS, reason
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool, StructuredTool, tool
from langchain_core.utils.function_calling import convert_to_openai_tool

from c360guard import FrozenClock, Guard, Profile, load_contract
from c360guard.errors import IntegrationError
from c360guard.langchain import GuardedTool, GuardSession, guard_tool
from c360guard.review import SQLiteReviewQueue, TicketStatus
from c360guard.testing import SpanCapture


def profile_tool(profile: Profile) -> BaseTool:
    @tool
    def get_account_profile(account_id: str) -> dict[str, Any]:
        """Read an account's Customer 360 profile."""
        return profile.model_dump(mode="json")

    return get_account_profile


def task_tool(ran: list[dict[str, Any]]) -> BaseTool:
    @tool
    def create_cs_task(account_id: str, title: str, due_in_days: int = 7) -> str:
        """Create a CS task for the account's CSM."""
        ran.append({"account_id": account_id, "title": title, "due_in_days": due_in_days})
        return f"task for {account_id}"

    return create_cs_task


def task_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "account_id": "acct_1042",
        "title": "Prepare the renewal",
        "reasons": [reason("RENEWAL_SOON", "renewal_date")],
        "confidence": 0.9,
    }
    return {**args, **overrides}


def test_read_tool_shows_only_the_screenings_context(
    guard: Guard, session: GuardSession, northwind: Profile
) -> None:
    reader = guard_tool(profile_tool(northwind), guard, kind="read", session=session)

    shown = json.loads(reader.invoke({"account_id": "acct_1042"}))

    assert shown["entity"]["id"] == "acct_1042"
    assert shown["fields"]["renewal_date"]["value"] == "2027-01-31"
    assert shown["withheld"] == {"nps_comment": ["field.unknown"]}
    assert "email" not in shown["fields"]  # sensitive: for actions, never the model
    text = json.dumps(shown)
    assert "Support was slow" not in text
    assert "northwind-logistics.example" not in text


def test_read_tool_tells_the_model_nothing_when_the_result_is_not_a_profile(
    guard: Guard, session: GuardSession
) -> None:
    @tool
    def get_account_profile(account_id: str) -> str:
        """Read an account's profile."""
        return "Northwind renews on 2027-01-31; contact ops@northwind-logistics.example"

    reader = guard_tool(get_account_profile, guard, kind="read", session=session)

    shown = json.loads(reader.invoke({"account_id": "acct_1042"}))

    assert shown["status"] == "withheld"
    assert "2027-01-31" not in json.dumps(shown)


def test_wrapper_keeps_name_description_and_schema_and_leaves_the_tool_alone(
    guard: Guard, northwind: Profile
) -> None:
    original = task_tool([])
    before = convert_to_openai_tool(original)

    guarded = guard_tool(original, guard)
    shown = convert_to_openai_tool(guarded)["function"]

    assert convert_to_openai_tool(original) == before
    assert shown["name"] == "create_cs_task"
    assert shown["description"] == original.description
    assert set(shown["parameters"]["properties"]) == {
        "account_id",
        "title",
        "due_in_days",
        "reasons",
        "confidence",
    }
    assert set(shown["parameters"]["required"]) == {"account_id", "title", "reasons", "confidence"}
    assert (
        guard_tool(profile_tool(northwind), guard, kind="read").args == profile_tool(northwind).args
    )


def test_reasons_description_lists_the_contracts_catalog(guard: Guard) -> None:
    guarded = guard_tool(task_tool([]), guard)

    reasons = convert_to_openai_tool(guarded)["function"]["parameters"]["properties"]["reasons"]

    assert "RENEWAL_SOON" in reasons["description"]
    assert "usage_change_30d" in reasons["description"]


def test_allowed_action_runs_with_its_own_arguments_only(
    guard: Guard, session: GuardSession, northwind: Profile
) -> None:
    ran: list[dict[str, Any]] = []
    guard_tool(profile_tool(northwind), guard, kind="read", session=session).invoke(
        {"account_id": "acct_1042"}
    )
    action = guard_tool(task_tool(ran), guard, session=session)

    result = action.invoke(task_args())

    assert result == "task for acct_1042"
    assert ran == [{"account_id": "acct_1042", "title": "Prepare the renewal", "due_in_days": 7}]


def test_action_citing_a_field_never_shown_is_blocked_and_does_not_run(
    guard: Guard, session: GuardSession, northwind: Profile
) -> None:
    ran: list[dict[str, Any]] = []
    guard_tool(profile_tool(northwind), guard, kind="read", session=session).invoke(
        {"account_id": "acct_1042"}
    )
    action = guard_tool(task_tool(ran), guard, session=session)

    message = action.invoke(
        {
            "type": "tool_call",
            "id": "call_1",
            "name": "create_cs_task",
            "args": task_args(reasons=[reason("RENEWAL_SOON", "renewal_date", "nps_comment")]),
        }
    )

    assert isinstance(message, ToolMessage)
    assert json.loads(message.content)["codes"] == ["reason.cites_withheld_field"]
    assert message.artifact["c360guard"]["outcome"] == "block"
    assert ran == []


def test_action_before_any_read_is_blocked(guard: Guard, session: GuardSession) -> None:
    ran: list[dict[str, Any]] = []
    action = guard_tool(task_tool(ran), guard, session=session)

    refused = json.loads(action.invoke(task_args()))

    assert refused["status"] == "blocked"
    assert "reason.cites_withheld_field" in refused["codes"]
    assert ran == []


def test_missing_reasons_are_a_verdict_not_an_error(
    guard: Guard, session: GuardSession, northwind: Profile
) -> None:
    ran: list[dict[str, Any]] = []
    guard_tool(profile_tool(northwind), guard, kind="read", session=session).invoke(
        {"account_id": "acct_1042"}
    )
    action = guard_tool(task_tool(ran), guard, session=session)

    refused = json.loads(action.invoke({"account_id": "acct_1042", "title": "Call them"}))

    assert refused["codes"] == ["reason.missing", "confidence.low"]
    assert ran == []


def test_low_confidence_files_a_ticket_and_the_tool_waits(
    clock: FrozenClock, session: GuardSession, northwind: Profile, queue: SQLiteReviewQueue
) -> None:
    guard = Guard(load_contract(CONTRACTS["churn_risk"]), clock=clock, review_queue=queue)
    ran: list[dict[str, Any]] = []
    guard_tool(profile_tool(northwind), guard, kind="read", session=session).invoke(
        {"account_id": "acct_1042"}
    )
    action = guard_tool(task_tool(ran), guard, session=session)

    pending = json.loads(action.invoke(task_args(confidence=0.4)))

    assert pending["status"] == "pending_review"
    assert queue.get(pending["ticket_id"]).status is TicketStatus.PENDING
    assert ran == []


def test_the_tool_span_says_whether_the_tool_ran(
    guard: Guard, spans: SpanCapture, session: GuardSession, northwind: Profile
) -> None:
    guard_tool(profile_tool(northwind), guard, kind="read", session=session).invoke(
        {"account_id": "acct_1042"}
    )
    action = guard_tool(task_tool([]), guard, session=session)

    action.invoke(task_args())
    action.invoke(task_args(reasons=[]))

    executed = [
        span.attributes["c360guard.tool.executed"]
        for span in spans.find("c360guard.tool create_cs_task")
    ]
    assert executed == [True, False]
    assert spans.find("c360guard.tool get_account_profile")


async def test_async_and_sync_calls_reach_the_same_verdicts(
    guard: Guard, northwind: Profile
) -> None:
    outcomes = []
    for use_async in (False, True):
        session = GuardSession()
        reader = guard_tool(profile_tool(northwind), guard, kind="read", session=session)
        action = guard_tool(task_tool([]), guard, session=session)
        calls = [task_args(), task_args(confidence=0.3), task_args(reasons=[])]
        if use_async:
            await reader.ainvoke({"account_id": "acct_1042"})
            results = [await action.ainvoke(_as_call(args)) for args in calls]
        else:
            reader.invoke({"account_id": "acct_1042"})
            results = [action.invoke(_as_call(args)) for args in calls]
        outcomes.append([message.artifact["c360guard"]["outcome"] for message in results])

    assert outcomes[0] == outcomes[1] == ["allow", "review", "block"]


def test_a_tool_outside_the_catalog_must_say_it_only_reads(guard: Guard) -> None:
    @tool
    def delete_account(account_id: str) -> str:
        """Delete the account."""
        return "deleted"

    with pytest.raises(IntegrationError, match="kind='read'"):
        guard_tool(delete_account, guard)


def test_a_catalog_action_cannot_be_guarded_as_a_read(guard: Guard) -> None:
    with pytest.raises(IntegrationError, match="cannot be guarded as a read"):
        guard_tool(task_tool([]), guard, kind="read")


def test_an_action_tool_with_its_own_reasons_argument_is_refused(guard: Guard) -> None:
    def create_cs_task(account_id: str, reasons: str) -> str:
        return "ok"

    clashing = StructuredTool.from_function(create_cs_task, description="Create a task.")

    with pytest.raises(IntegrationError, match="reasons"):
        guard_tool(clashing, guard)


def test_guarding_twice_is_refused(guard: Guard) -> None:
    guarded = guard_tool(task_tool([]), guard)

    with pytest.raises(IntegrationError, match="already guarded"):
        guard_tool(guarded, guard)
    assert isinstance(guarded, GuardedTool)


def _as_call(args: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_call", "id": "call_1", "name": "create_cs_task", "args": args}
