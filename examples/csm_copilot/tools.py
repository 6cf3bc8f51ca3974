"""The copilot's five tools, as a team would write them before adding c360guard.

Nothing here knows about the guard: the middleware decides what the model sees of
`get_account_profile` and `search_account_notes`, and which of the three actions run.
"""

from __future__ import annotations

import json
from typing import Any

from examples.csm_copilot.data import Backend, NotesRetriever
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, Field

from c360guard import Guard
from c360guard.langchain import GuardedRetriever

READ_TOOLS = ("get_account_profile",)
"""Tools that return profile data: their results are screened."""
ALLOW_TOOLS = ("search_account_notes",)
"""Tools that run as they are: the notes search screens its own documents."""


class AccountArgs(BaseModel):
    """Which account to read."""

    account_id: str = Field(description="The account's id, e.g. acct_1042.")


class NotesArgs(BaseModel):
    """Which account's notes to search, and for what."""

    account_id: str = Field(description="The account's id, e.g. acct_1042.")
    query: str = Field(description="What to look for in the notes and tickets.")


class TaskArgs(BaseModel):
    """The CS task to create."""

    account_id: str = Field(description="The account the task is about.")
    title: str = Field(description="What the CSM should do, in a short sentence.")
    due_in_days: int = Field(default=7, ge=1, le=90, description="Days until the task is due.")


class EmailArgs(BaseModel):
    """The lifecycle email to send."""

    account_id: str = Field(description="The account whose primary contact gets the email.")
    template: str = Field(description="The lifecycle template, e.g. renewal_offer.")


class RouteArgs(BaseModel):
    """The expansion lead to route."""

    account_id: str = Field(description="The account the expansion lead is for.")
    account_owner: str = Field(description="The owner the lead is assigned to.")


def build_tools(backend: Backend, guard: Guard) -> list[BaseTool]:
    """The copilot's tools over a backend; the notes search screens through the guard."""
    notes = GuardedRetriever(retriever=NotesRetriever(documents=backend.notes), guard=guard, k=3)
    outbox = backend.outbox

    def get_account_profile(account_id: str) -> dict[str, Any]:
        profile = backend.profiles.get(account_id)
        if profile is None:
            raise ToolException(f"no account {account_id}; check the id")
        return profile.model_dump(mode="json")

    def search_account_notes(account_id: str, query: str) -> str:
        found = notes.invoke(query, account_id=account_id)
        return json.dumps(
            [
                {
                    "id": doc.id,
                    "field": doc.metadata["field"],
                    "source": doc.metadata["source"],
                    "updated_at": doc.metadata["updated_at"],
                    "text": doc.page_content,
                }
                for doc in found
            ]
        )

    def create_cs_task(account_id: str, title: str, due_in_days: int = 7) -> dict[str, Any]:
        arguments = {"account_id": account_id, "title": title, "due_in_days": due_in_days}
        number = outbox.record("create_cs_task", arguments)
        return {"task_id": f"task-{number}", "status": "created", "due_in_days": due_in_days}

    def send_lifecycle_email(account_id: str, template: str) -> dict[str, Any]:
        arguments = {"account_id": account_id, "template": template}
        number = outbox.record("send_lifecycle_email", arguments)
        return {"message_id": f"msg-{number}", "status": "sent"}

    def route_expansion(account_id: str, account_owner: str) -> dict[str, Any]:
        arguments = {"account_id": account_id, "account_owner": account_owner}
        number = outbox.record("route_expansion", arguments)
        return {"lead_id": f"lead-{number}", "status": "routed", "owner": account_owner}

    return [
        _tool(get_account_profile, AccountArgs, "Read an account's Customer 360 profile."),
        _tool(search_account_notes, NotesArgs, "Search an account's CSM notes and tickets."),
        _tool(create_cs_task, TaskArgs, "Create a CS task for the account's CSM."),
        _tool(send_lifecycle_email, EmailArgs, "Send a lifecycle email to the account."),
        _tool(route_expansion, RouteArgs, "Route an expansion lead to the account owner."),
    ]


def _tool(func: Any, schema: type[BaseModel], description: str) -> BaseTool:
    return StructuredTool.from_function(
        func,
        name=func.__name__,
        description=description,
        args_schema=schema,
        handle_tool_error=True,
    )
