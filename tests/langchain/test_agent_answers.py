"""A structured `Recommendation` final answer is checked: one re-ask, then a block."""

from __future__ import annotations

from typing import Any

from copilot_helpers import ask
from examples.csm_copilot import ScriptedChatModel, build_copilot, call, reason
from langchain_core.messages import AIMessage, HumanMessage

from c360guard import Recommendation
from c360guard.langchain import GuardSession

READ_NORTHWIND = call("get_account_profile", {"account_id": "acct_1042"}, "read")


def answer(*reasons: dict[str, Any], confidence: float = 0.85) -> AIMessage:
    """A final answer given through the `Recommendation` structured-output tool."""
    recommendation = {
        "action": None,
        "arguments": {"account_id": "acct_1042"},
        "reasons": list(reasons),
        "confidence": confidence,
        "summary": "Book the renewal call with the COO.",
    }
    return call("Recommendation", recommendation, f"answer_{len(reasons)}_{confidence}")


CITES_WITHHELD = answer(reason("RENEWAL_SOON", "renewal_date", "nps_comment"))
VALID = answer(reason("RENEWAL_SOON", "renewal_date"))


def test_an_answer_citing_a_withheld_field_is_reasked_then_blocked(
    session: GuardSession,
) -> None:
    model = ScriptedChatModel(script=[READ_NORTHWIND, CITES_WITHHELD, CITES_WITHHELD])
    copilot = build_copilot(model=model, session=session, structured=True)

    result = copilot.agent.invoke(ask())

    assert model.calls == 3
    feedback = model.conversations[2][-1]
    assert isinstance(feedback, HumanMessage)
    assert "reason.cites_withheld_field" in str(feedback.content)
    assert result.get("structured_response") is None
    final = result["messages"][-1]
    assert isinstance(final, AIMessage)
    assert "c360guard blocked this recommendation" in str(final.content)
    assert result["c360guard_verdict"]["outcome"] == "block"


def test_a_reasked_answer_citing_shown_fields_is_accepted(session: GuardSession) -> None:
    model = ScriptedChatModel(script=[READ_NORTHWIND, CITES_WITHHELD, VALID])
    copilot = build_copilot(model=model, session=session, structured=True)

    result = copilot.agent.invoke(ask())

    recommendation = result["structured_response"]
    assert isinstance(recommendation, Recommendation)
    assert recommendation.cited_fields == ["renewal_date"]
    assert result["c360guard_verdict"]["outcome"] == "allow"


def test_a_valid_answer_is_not_reasked(session: GuardSession) -> None:
    model = ScriptedChatModel(script=[READ_NORTHWIND, VALID])
    copilot = build_copilot(model=model, session=session, structured=True)

    result = copilot.agent.invoke(ask())

    assert model.calls == 2
    assert isinstance(result["structured_response"], Recommendation)


def test_an_unsure_answer_is_kept_and_its_verdict_says_review(session: GuardSession) -> None:
    unsure = answer(reason("RENEWAL_SOON", "renewal_date"), confidence=0.3)
    model = ScriptedChatModel(script=[READ_NORTHWIND, unsure])
    copilot = build_copilot(model=model, session=session, structured=True)

    result = copilot.agent.invoke(ask())

    assert isinstance(result["structured_response"], Recommendation)
    assert result["c360guard_verdict"]["outcome"] == "review"
    assert result["c360guard_verdict"]["codes"] == ["confidence.low"]


async def test_the_async_path_reasks_and_blocks_the_same_way(session: GuardSession) -> None:
    model = ScriptedChatModel(script=[READ_NORTHWIND, CITES_WITHHELD, CITES_WITHHELD])
    copilot = build_copilot(model=model, session=session, structured=True)

    result = await copilot.agent.ainvoke(ask())

    assert model.calls == 3
    assert result.get("structured_response") is None
    assert result["c360guard_verdict"]["codes"] == ["reason.cites_withheld_field"]
