"""LangChain integration: guarded tools, a guarded retriever and the `create_agent` middleware.

`guard_tool` and `GuardedRetriever` need only langchain-core. `C360GuardMiddleware` needs
`langchain` and `langgraph` (the `langchain` extra) and loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from c360guard.langchain._review import ReviewAnswer
from c360guard.langchain._schema import ActionReason
from c360guard.langchain._session import DEFAULT_SESSION, GuardSession, SessionView, bound_key
from c360guard.langchain.retriever import GuardedRetriever
from c360guard.langchain.tools import GuardedTool, ToolKind, guard_tool

if TYPE_CHECKING:
    from c360guard.langchain.middleware import C360GuardMiddleware, GuardState

_LAZY = frozenset({"C360GuardMiddleware", "GuardState"})

__all__ = [
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


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        from c360guard.langchain import middleware
    except ImportError as exc:
        from c360guard.errors import MissingExtraError

        raise MissingExtraError(name, "langchain", "langchain and langgraph") from exc
    return getattr(middleware, name)
