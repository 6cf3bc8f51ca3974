"""End-to-end `create_agent` runs of the CSM copilot, driven by a scripted model."""

from __future__ import annotations

import json

import pytest
from copilot_helpers import ask, codes, copilot_contract, outcome, tool_messages
from examples.csm_copilot import ScriptedChatModel, build_copilot, call, calls, reason
from examples.csm_copilot.tools import build_tools
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from c360guard.langchain import C360GuardMiddleware, GuardSession, guard_tool

READ_NORTHWIND = call("get_account_profile", {"account_id": "acct_1042"}, "read")
RENEWAL_TASK = {
    "account_id": "acct_1042",
    "title": "Prepare the renewal call",
    "reasons": [reason("RENEWAL_SOON", "renewal_date")],
    "confidence": 0.9,
}
EMAIL = {
    "account_id": "acct_2077",
    "template": "renewal_discount",
    "reasons": [reason("CUSTOMER_REPORTED", "support_ticket")],
    "confidence": 0.99,
}


def test_suggest_only_workflow_never_sends_the_email(session: GuardSession) -> None:
    model = ScriptedChatModel(
        script=[
            READ_NORTHWIND,
            call("send_lifecycle_email", {**EMAIL, "account_id": "acct_1042"}, "email"),
            AIMessage("I suggest a renewal call."),
        ]
    )
    copilot = build_copilot(
        model=model, contract=copilot_contract(authority="suggest"), session=session
    )

    result = copilot.agent.invoke(ask())

    email = tool_messages(result)["email"]
    assert outcome(email) == "block"
    assert codes(email)[0] == "authority.exceeded"
    assert copilot.backend.outbox.sent == []


def test_a_note_saying_send_the_email_now_cannot_get_an_email_sent(
    session: GuardSession,
) -> None:
    model = ScriptedChatModel(
        script=[
            calls(
                ("get_account_profile", {"account_id": "acct_2077"}, "read"),
                ("search_account_notes", {"account_id": "acct_2077", "query": "email"}, "notes"),
            ),
            # The model obeys the note, as a model might.
            call("send_lifecycle_email", EMAIL, "email"),
            call("send_lifecycle_email", {**EMAIL, "template": "renewal_offer"}, "again"),
            AIMessage("Done."),
        ]
    )
    copilot = build_copilot(model=model, session=session)

    result = copilot.agent.invoke(ask("Handle acct_2077."))

    messages = tool_messages(result)
    assert "send the email now" in messages["notes"].content  # the note reached the model
    assert outcome(messages["email"]) == outcome(messages["again"]) == "block"
    assert "authority.exceeded" in codes(messages["email"])
    assert copilot.backend.outbox.sent == []


def test_withheld_notes_never_reach_the_model(session: GuardSession) -> None:
    model = ScriptedChatModel(
        script=[call("search_account_notes", {"account_id": "acct_2077", "query": "renewal"})]
    )
    copilot = build_copilot(model=model, session=session)

    result = copilot.agent.invoke(ask())

    found = json.loads(tool_messages(result)["call_search_account_notes"].content)
    assert [note["id"] for note in found] == ["zd-88121", "gs-5310"]  # the Slack note is not


def test_the_model_is_shown_the_catalog_and_the_action_schemas(session: GuardSession) -> None:
    model = ScriptedChatModel(script=[AIMessage("Nothing to do.")])
    copilot = build_copilot(model=model, session=session)

    copilot.agent.invoke(ask())

    system = model.conversations[0][0].content
    assert "RENEWAL_SOON" in system
    assert "create_cs_task (authority assist)" in system
    tools = {tool["function"]["name"]: tool["function"] for tool in model.bound_tools[0]}
    assert {"reasons", "confidence"} <= set(tools["create_cs_task"]["parameters"]["required"])
    assert "reasons" not in tools["get_account_profile"]["parameters"]["properties"]


def test_the_model_sees_only_the_screenings_context_of_a_read(session: GuardSession) -> None:
    model = ScriptedChatModel(script=[READ_NORTHWIND])
    copilot = build_copilot(model=model, session=session)

    result = copilot.agent.invoke(ask())

    shown = tool_messages(result)["read"].content
    assert "2027-01-31" in shown
    assert "nps_comment" in shown  # named as withheld...
    assert "Support was slow" not in shown  # ...never with its value
    assert "northwind-logistics.example" not in shown  # sensitive


def test_an_allowed_task_runs_with_its_own_arguments(session: GuardSession) -> None:
    model = ScriptedChatModel(script=[READ_NORTHWIND, call("create_cs_task", RENEWAL_TASK, "task")])
    copilot = build_copilot(model=model, session=session)

    result = copilot.agent.invoke(ask())

    assert outcome(tool_messages(result)["task"]) == "ran"
    assert copilot.backend.outbox.sent == [
        {
            "action": "create_cs_task",
            "arguments": {
                "account_id": "acct_1042",
                "title": "Prepare the renewal call",
                "due_in_days": 7,
            },
        }
    ]


PARALLEL = calls(
    ("create_cs_task", RENEWAL_TASK, "allowed"),
    (
        "create_cs_task",
        {**RENEWAL_TASK, "reasons": [reason("RENEWAL_SOON", "renewal_date", "nps_comment")]},
        "cites_withheld",
    ),
    ("create_cs_task", {**RENEWAL_TASK, "title": "Maybe call", "confidence": 0.4}, "unsure"),
    ("send_lifecycle_email", {**EMAIL, "account_id": "acct_1042"}, "email"),
    ("close_account", {"account_id": "acct_1042"}, "unknown"),
)
PARALLEL_OUTCOMES = {
    "allowed": "ran",
    "cites_withheld": "block",
    "unsure": "review",
    "email": "block",
    "unknown": "block",
}


def test_parallel_tool_calls_each_get_their_own_verdict(session: GuardSession) -> None:
    model = ScriptedChatModel(script=[READ_NORTHWIND, PARALLEL])
    copilot = build_copilot(model=model, session=session)

    result = copilot.agent.invoke(ask())

    messages = tool_messages(result)
    assert {call_id: outcome(messages[call_id]) for call_id in PARALLEL_OUTCOMES} == (
        PARALLEL_OUTCOMES
    )
    assert codes(messages["unknown"])[0] == "action.unknown"
    assert copilot.backend.outbox.actions() == ["create_cs_task"]


async def test_async_and_sync_runs_reach_the_same_verdicts() -> None:
    runs = []
    for use_async in (False, True):
        model = ScriptedChatModel(script=[READ_NORTHWIND, PARALLEL])
        copilot = build_copilot(model=model, session=GuardSession())
        if use_async:
            result = await copilot.agent.ainvoke(ask())
        else:
            result = copilot.agent.invoke(ask())
        messages = tool_messages(result)
        runs.append(
            (
                {call_id: outcome(message) for call_id, message in messages.items()},
                {call_id: message.content for call_id, message in messages.items()},
                copilot.backend.outbox.sent,
            )
        )

    assert runs[0] == runs[1]


def test_a_read_beside_an_action_in_one_turn_cannot_vouch_for_it(session: GuardSession) -> None:
    model = ScriptedChatModel(
        script=[
            calls(
                ("get_account_profile", {"account_id": "acct_1042"}, "read"),
                ("create_cs_task", RENEWAL_TASK, "task"),
            )
        ]
    )
    copilot = build_copilot(model=model, session=session)

    result = copilot.agent.invoke(ask())

    task = tool_messages(result)["task"]
    assert outcome(task) == "block"
    assert "reason.cites_withheld_field" in codes(task)
    assert copilot.backend.outbox.sent == []


def test_fields_shown_in_an_earlier_turn_of_the_thread_may_be_cited(
    session: GuardSession,
) -> None:
    model = ScriptedChatModel(
        script=[
            READ_NORTHWIND,
            AIMessage("Northwind renews on 31 January."),
            call("create_cs_task", RENEWAL_TASK, "task"),
            AIMessage("Task created."),
            call("create_cs_task", RENEWAL_TASK, "other_thread"),
        ]
    )
    copilot = build_copilot(model=model, session=session, checkpointer=InMemorySaver())

    copilot.agent.invoke(ask(), {"configurable": {"thread_id": "t1"}})
    second = copilot.agent.invoke(ask("Create the task."), {"configurable": {"thread_id": "t1"}})
    other = copilot.agent.invoke(ask("Create the task."), {"configurable": {"thread_id": "t2"}})

    assert outcome(tool_messages(second)["task"]) == "ran"
    assert outcome(tool_messages(other)["other_thread"]) == "block"
    assert copilot.backend.outbox.actions() == ["create_cs_task"]


def test_human_in_the_loop_approval_does_not_lift_a_guard_block(session: GuardSession) -> None:
    model = ScriptedChatModel(
        script=[
            call("get_account_profile", {"account_id": "acct_2077"}, "read"),
            call("send_lifecycle_email", EMAIL, "email"),
            AIMessage("Done."),
        ]
    )
    hitl = HumanInTheLoopMiddleware(interrupt_on={"send_lifecycle_email": True})
    copilot = build_copilot(
        model=model, session=session, checkpointer=InMemorySaver(), middleware=[hitl]
    )
    config = {"configurable": {"thread_id": "hitl"}}

    paused = copilot.agent.invoke(ask(), config)
    result = copilot.agent.invoke(Command(resume={"decisions": [{"type": "approve"}]}), config)

    assert paused["__interrupt__"]
    assert outcome(tool_messages(result)["email"]) == "block"
    assert copilot.backend.outbox.sent == []


@pytest.mark.parametrize("use_async", [False, True])
async def test_an_unknown_tool_is_blocked_in_both_paths(
    session: GuardSession, use_async: bool
) -> None:
    model = ScriptedChatModel(script=[call("wipe_crm", {"confirm": True}, "wipe")])
    copilot = build_copilot(model=model, session=session)

    if use_async:
        result = await copilot.agent.ainvoke(ask())
    else:
        result = copilot.agent.invoke(ask())

    assert codes(tool_messages(result)["wipe"])[0] == "action.unknown"


def test_guarded_tools_passed_to_the_agent_follow_the_middleware(
    session: GuardSession,
) -> None:
    model = ScriptedChatModel(script=[READ_NORTHWIND, call("create_cs_task", RENEWAL_TASK, "task")])
    plain = build_copilot(model=ScriptedChatModel(), session=session)
    tools = {tool.name: tool for tool in build_tools(plain.backend, plain.guard)}
    guarded = [
        guard_tool(tools["get_account_profile"], plain.guard, kind="read", session=session),
        guard_tool(tools["create_cs_task"], plain.guard, session=session),
    ]
    middleware = C360GuardMiddleware(plain.guard, session=session)
    agent = create_agent(model, tools=guarded, middleware=[middleware])

    result = agent.invoke(ask())

    assert "nps_comment" in tool_messages(result)["read"].content
    assert outcome(tool_messages(result)["task"]) == "ran"
    task_schema = next(t for t in model.bound_tools[0] if t["function"]["name"] == "create_cs_task")
    assert list(task_schema["function"]["parameters"]["required"]).count("reasons") == 1
    assert plain.backend.outbox.actions() == ["create_cs_task"]


def test_guarded_tools_work_in_an_agent_without_the_middleware(session: GuardSession) -> None:
    model = ScriptedChatModel(
        script=[
            READ_NORTHWIND,
            call("create_cs_task", RENEWAL_TASK, "task"),
            call("send_lifecycle_email", {**EMAIL, "account_id": "acct_1042"}, "email"),
        ]
    )
    plain = build_copilot(model=ScriptedChatModel(), session=session)
    tools = {tool.name: tool for tool in build_tools(plain.backend, plain.guard)}
    guarded = [
        guard_tool(tools["get_account_profile"], plain.guard, kind="read", session=session),
        guard_tool(tools["create_cs_task"], plain.guard, session=session),
        guard_tool(tools["send_lifecycle_email"], plain.guard, session=session),
    ]
    agent = create_agent(model, tools=guarded, checkpointer=InMemorySaver())

    result = agent.invoke(ask(), {"configurable": {"thread_id": "no-middleware"}})

    messages = tool_messages(result)
    assert messages["task"].artifact["c360guard"]["outcome"] == "allow"
    assert messages["email"].artifact["c360guard"]["codes"][0] == "authority.exceeded"
    assert plain.backend.outbox.actions() == ["create_cs_task"]
