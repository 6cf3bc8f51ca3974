"""Ask the CSM copilot a question, live against an endpoint or offline from a script.

    python -m examples.csm_copilot "What should we do about acct_2077?"
    python -m examples.csm_copilot --workflow expansion --answer approve "Anything for acct_4410?"
    python -m examples.csm_copilot --offline

Live runs need `C360_LLM_BASE_URL` and `C360_LLM_MODEL` (see `make_chat_model`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from examples.csm_copilot.agent import Copilot, build_copilot, make_chat_model
from examples.csm_copilot.scripted import ScriptedChatModel, calls, reason
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from c360guard.review import SQLiteReviewQueue

OFFLINE_QUESTION = "A ticket on acct_2077 asks for the renewal email. What should we do?"


def offline_model() -> ScriptedChatModel:
    """The model's side of the offline run: it obeys a note it should not, and is stopped."""
    email = {
        "account_id": "acct_2077",
        "template": "renewal_discount",
        "reasons": [reason("CUSTOMER_REPORTED", "support_ticket")],
        "confidence": 0.95,
    }
    task = {
        "account_id": "acct_2077",
        "title": "Call Helios Health about the usage drop",
        "reasons": [reason("USAGE_DROP", "usage_change_30d")],
        "confidence": 0.9,
    }
    return ScriptedChatModel(
        script=[
            calls(
                ("get_account_profile", {"account_id": "acct_2077"}, "read"),
                ("search_account_notes", {"account_id": "acct_2077", "query": "email"}, "notes"),
            ),
            calls(("send_lifecycle_email", email, "email"), ("create_cs_task", task, "task")),
            AIMessage(
                "Neither the email nor a CS task can go out while the sev-1 escalation is "
                "open. Suggest the CSM joins the escalation call."
            ),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Run one question through the copilot and print what happened."""
    args = _parser().parse_args(argv)
    try:
        model: BaseChatModel = offline_model() if args.offline else make_chat_model()
    except ValueError as exc:
        print(f"error: {exc}; or pass --offline", file=sys.stderr)
        return 2
    queue = SQLiteReviewQueue(args.db) if args.db else None
    copilot = build_copilot(
        args.workflow, model=model, review_queue=queue, checkpointer=InMemorySaver()
    )
    config: Any = {"configurable": {"thread_id": args.thread}}
    context = {"reviewer": args.reviewer}
    question = OFFLINE_QUESTION if args.offline else args.question
    result = copilot.agent.invoke({"messages": [HumanMessage(question)]}, config, context=context)
    _show(result["messages"])
    for pending in result.get("__interrupt__", []):
        print(f"\nwaiting for review: {json.dumps(pending.value, indent=2)}")
        if args.answer:
            answer = _answer(args.answer)
            resumed = copilot.agent.invoke(Command(resume=answer), config, context=context)
            _show(resumed["messages"][len(result["messages"]) :])
    _outbox(copilot)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m examples.csm_copilot", description=__doc__)
    parser.add_argument("question", nargs="?", default=OFFLINE_QUESTION)
    parser.add_argument("--workflow", choices=["churn_risk", "expansion"], default="churn_risk")
    parser.add_argument("--offline", action="store_true", help="use a scripted model")
    parser.add_argument("--thread", default="cli", help="the conversation's thread id")
    parser.add_argument("--reviewer", default="cli-user", help="who answers review questions")
    parser.add_argument("--answer", help="answer a review: approve, or reject:<why>")
    parser.add_argument("--db", type=Path, help="a SQLite review queue to file tickets in")
    return parser


def _answer(text: str) -> dict[str, Any]:
    if text == "approve":
        return {"type": "approve"}
    kind, _, note = text.partition(":")
    return {"type": kind, "note": note or None}


def _show(messages: list[BaseMessage]) -> None:
    for message in messages:
        if isinstance(message, AIMessage) and message.tool_calls:
            for tool_call in message.tool_calls:
                print(f"model calls {tool_call['name']}({json.dumps(tool_call['args'])})")
        elif isinstance(message, ToolMessage):
            verdict = message.response_metadata.get("c360guard")
            shown = f"[{verdict['outcome']}: {', '.join(verdict['codes'])}]" if verdict else ""
            print(f"  {message.name} -> {shown or str(message.content)[:200]}")
        elif isinstance(message, AIMessage):
            print(f"copilot: {message.content}")


def _outbox(copilot: Copilot) -> None:
    ran = copilot.backend.outbox.actions()
    print(f"\nactions that ran: {', '.join(ran) or 'none'}")


if __name__ == "__main__":
    raise SystemExit(main())
