"""Helpers for the copilot's agent tests: contracts, runs and what a run's messages say."""

from __future__ import annotations

from typing import Any

from examples.csm_copilot import CONTRACTS
from langchain_core.messages import HumanMessage, ToolMessage

from c360guard import Contract, load_contract


def copilot_contract(workflow: str = "churn_risk", *, authority: str | None = None) -> Contract:
    """A copilot contract, with its ceiling lowered when `authority` is given."""
    text = CONTRACTS[workflow].read_text(encoding="utf-8")
    if authority is not None:
        ceiling = text.split("\nauthority: ", 1)[1].split()[0]
        text = text.replace(f"\nauthority: {ceiling}", f"\nauthority: {authority}", 1)
    return load_contract(text)


def ask(question: str = "What should we do about this account?") -> dict[str, Any]:
    """The input of one run."""
    return {"messages": [HumanMessage(question)]}


def tool_messages(result: dict[str, Any]) -> dict[str, ToolMessage]:
    """The tool messages of a run, by tool call id."""
    return {m.tool_call_id: m for m in result["messages"] if isinstance(m, ToolMessage)}


def outcome(message: ToolMessage) -> str:
    """What the guard did with a call: `ran`, or the verdict that kept it from running."""
    summary = message.response_metadata.get("c360guard")
    if summary is None:
        return "ran"
    return str(summary.get("review") or summary["outcome"])


def codes(message: ToolMessage) -> list[str]:
    """The finding codes the model was told, for a call that did not run."""
    summary = message.response_metadata.get("c360guard") or {}
    return list(summary.get("codes") or [])
