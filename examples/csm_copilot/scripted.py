"""A chat model that answers from a script, to run the copilot offline and in tests.

Each step of the script is an `AIMessage` (a tool call or a final answer), or a function of
the conversation so far returning one. The model records every conversation it was given
and the tools it was bound with, so a test can check what the model was shown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field, PrivateAttr

Step = AIMessage | Callable[[list[BaseMessage]], AIMessage]
"""One turn of the model: a fixed message, or one computed from the conversation."""

DONE = "I have nothing more to add."
"""What the model says once its script has run out."""


class ScriptedChatModel(BaseChatModel):
    """Answer each call with the next step of a script.

    Example:
        ```python
        model = ScriptedChatModel(script=[
            call("get_account_profile", {"account_id": "acct_1042"}),
            AIMessage(content="Northwind renews on 31 January."),
        ])
        ```
    """

    script: list[Step] = Field(default_factory=list)
    """The model's turns, in order."""
    conversations: list[list[BaseMessage]] = Field(default_factory=list)
    """Every conversation the model was called with (system message first)."""
    bound_tools: list[list[dict[str, Any]]] = Field(default_factory=list)
    """The tools, in OpenAI form, each time the model was bound with tools."""
    repeat: bool = False
    """Start the script over once it has run out (for benchmarks), instead of saying `DONE`."""
    record: bool = True
    """Keep the conversations and bound tools (off for long benchmark runs)."""

    _position: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[Any, BaseMessage]:
        """Record the tools' schemas as a provider would receive them; the script decides."""
        if self.record:
            self.bound_tools.append([convert_to_openai_tool(tool) for tool in tools])
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with self._lock:
            if self.record:
                self.conversations.append(list(messages))
            if self.repeat and self._position >= len(self.script):
                self._position = 0
            step = self.script[self._position] if self._position < len(self.script) else None
            self._position += 1
        if step is None:
            message = AIMessage(content=DONE)
        elif isinstance(step, AIMessage):
            message = step.model_copy(deep=True)
        else:
            message = step(list(messages))
        return ChatResult(generations=[ChatGeneration(message=message)])

    @property
    def calls(self) -> int:
        """How many times the model was called (while recording)."""
        return len(self.conversations)


def call(name: str, args: dict[str, Any], call_id: str | None = None) -> AIMessage:
    """A model turn that calls one tool."""
    return calls((name, args, call_id or f"call_{name}"))


def calls(*tool_calls: tuple[str, dict[str, Any], str]) -> AIMessage:
    """A model turn that calls several tools at once (parallel tool calls)."""
    return AIMessage(
        content="",
        tool_calls=[
            {"name": name, "args": args, "id": call_id, "type": "tool_call"}
            for name, args, call_id in tool_calls
        ],
    )


def reason(code: str, *fields: str, explanation: str = "") -> dict[str, Any]:
    """One reason, as the model writes it in a guarded action's `reasons`."""
    return {"code": code, "fields": list(fields), "explanation": explanation or code}
