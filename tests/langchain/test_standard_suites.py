"""LangChain's own standard test suites, run on the guarded tools and the guarded retriever."""

from __future__ import annotations

from typing import Any

from examples.csm_copilot import CONTRACTS, JUDGED_AT, NotesRetriever, reason
from examples.csm_copilot.data import PROFILES, load_notes
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import BaseTool, tool
from langchain_tests.integration_tests import RetrieversIntegrationTests, ToolsIntegrationTests
from langchain_tests.unit_tests import ToolsUnitTests

from c360guard import FrozenClock, Guard, load_contract, load_profile
from c360guard.langchain import GuardedRetriever, GuardSession, guard_tool

GUARD = Guard(load_contract(CONTRACTS["churn_risk"]), clock=FrozenClock(JUDGED_AT))
NORTHWIND = load_profile(PROFILES / "healthy_renewal.json")


@tool
def get_account_profile(account_id: str) -> dict[str, Any]:
    """Read an account's Customer 360 profile."""
    return NORTHWIND.model_dump(mode="json")


@tool
def create_cs_task(account_id: str, title: str, due_in_days: int = 7) -> str:
    """Create a CS task for the account's CSM."""
    return f"task for {account_id}: {title}"


def _read_tool() -> BaseTool:
    return guard_tool(get_account_profile, GUARD, kind="read", session=GuardSession())


def _action_tool() -> BaseTool:
    # The session has seen the profile, so the example call is allowed and really runs.
    session = GuardSession()
    guard_tool(get_account_profile, GUARD, kind="read", session=session).invoke(
        {"account_id": "acct_1042"}
    )
    return guard_tool(create_cs_task, GUARD, session=session)


ACTION_EXAMPLE = {
    "account_id": "acct_1042",
    "title": "Prepare the renewal",
    "reasons": [reason("RENEWAL_SOON", "renewal_date")],
    "confidence": 0.9,
}


class TestGuardedReadToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return _read_tool()

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"account_id": "acct_1042"}


class TestGuardedReadToolIntegration(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return _read_tool()

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"account_id": "acct_1042"}


class TestGuardedActionToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return _action_tool()

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return ACTION_EXAMPLE


class TestGuardedActionToolIntegration(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return _action_tool()

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return ACTION_EXAMPLE


class NotesGuardedRetriever(GuardedRetriever):
    """The guarded retriever over the copilot's notes, constructible from keywords alone."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("retriever", NotesRetriever(documents=_many_notes()))
        kwargs.setdefault("guard", GUARD)
        kwargs.setdefault("session", GuardSession())
        super().__init__(**kwargs)


def _many_notes() -> list[Document]:
    # Enough admissible notes for k=3 (the suite asks for 1 and 3), with withheld ones mixed in.
    notes = load_notes()
    fresh = next(doc for doc in notes if doc.id == "gs-4102")
    copies = [
        Document(page_content=f"{fresh.page_content} ({n})", metadata=fresh.metadata, id=f"c{n}")
        for n in range(3)
    ]
    return [*notes, *copies]


class TestGuardedRetriever(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return NotesGuardedRetriever

    @property
    def retriever_query_example(self) -> str:
        return "renewal conversation champion"
