"""The public names of c360guard.langchain, and the middleware's configuration errors."""

from __future__ import annotations

import pytest

import c360guard.langchain
from c360guard import Guard
from c360guard.errors import IntegrationError
from c360guard.langchain import C360GuardMiddleware


def test_public_names_are_pinned() -> None:
    assert c360guard.langchain.__all__ == [
        "DEFAULT_SESSION",
        "ActionReason",
        "C360GuardMiddleware",
        "GuardSession",
        "GuardState",
        "GuardedRetriever",
        "GuardedTool",
        "ReviewAnswer",
        "SessionView",
        "ToolKind",
        "bound_key",
        "guard_tool",
    ]
    for name in c360guard.langchain.__all__:
        assert getattr(c360guard.langchain, name) is not None


def test_an_action_cannot_be_declared_a_read_tool(guard: Guard) -> None:
    with pytest.raises(IntegrationError, match="create_cs_task"):
        C360GuardMiddleware(guard, read_tools=["create_cs_task"])


def test_a_tool_cannot_be_both_read_and_allowed(guard: Guard) -> None:
    with pytest.raises(IntegrationError, match="both read_tools and allow_tools"):
        C360GuardMiddleware(guard, read_tools=["notes"], allow_tools=["notes"])
