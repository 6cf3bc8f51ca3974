"""Calling a wrapped tool's own `_run`, as `BaseTool.run` would, inside the guarded run.

The guarded tool is the one tool run LangChain sees (one set of callbacks, one validation of
the arguments against a schema that extends the wrapped tool's); going through the wrapped
tool's `invoke` again would double that cost for nothing.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool


@dataclass(frozen=True, slots=True)
class Calling:
    """What a tool's `_run` (or `_arun`) accepts besides its arguments."""

    run_manager: bool
    """It takes the callback manager of the run."""
    config: str | None
    """The name of its `RunnableConfig` parameter, if it has one."""

    @classmethod
    def of(cls, method: Callable[..., Any]) -> Calling:
        """Read a `_run` method's signature once."""
        parameters = inspect.signature(method).parameters
        try:
            hints = typing.get_type_hints(method)
        except Exception:  # unresolvable annotations only mean there is no config param
            hints = {}
        config = next((name for name, hint in hints.items() if hint is RunnableConfig), None)
        return cls(run_manager="run_manager" in parameters, config=config)

    def extras(self, config: RunnableConfig, run_manager: Any) -> dict[str, Any]:
        """The keyword arguments to add to the tool's own."""
        extras: dict[str, Any] = {}
        if self.run_manager:
            extras["run_manager"] = run_manager
        if self.config is not None:
            extras[self.config] = config
        return extras


def split_output(tool: BaseTool, output: Any) -> tuple[Any, Any]:
    """A `_run` result as content and artifact (None unless the tool returns both)."""
    if tool.response_format == "content_and_artifact" and isinstance(output, tuple):
        content, artifact = output
        return content, artifact
    return output, None
