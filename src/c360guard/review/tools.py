"""Running actions: calling a tool with a ticket's arguments, and loading a tool registry."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from c360guard.errors import ReviewError

Tool = Callable[..., Any] | Any
"""A plain callable (called with the arguments as keywords), or anything with `invoke`
(a LangChain tool, called with the arguments as one dict)."""


def invoke_tool(tool: Tool, arguments: dict[str, Any]) -> Any:
    """Run a tool with an action's arguments, whichever calling convention it follows."""
    invoke = getattr(tool, "invoke", None)
    if callable(invoke):
        return invoke(dict(arguments))
    if callable(tool):
        return tool(**arguments)
    raise ReviewError(
        f"{tool!r} is neither callable nor a tool with an invoke method; pass a function or a "
        "LangChain tool"
    )


def tool_name(tool: Tool) -> str | None:
    """The name a tool declares (LangChain tools do), or None for a plain callable."""
    name = getattr(tool, "name", None)
    return name if isinstance(name, str) else None


def tool_registry(tools: Mapping[str, Tool] | Iterable[Tool]) -> dict[str, Tool]:
    """Key tools by action name: a mapping as it is, named tools by their `name`."""
    if isinstance(tools, Mapping):
        return {str(name): tool for name, tool in tools.items()}
    registry: dict[str, Tool] = {}
    for tool in tools:
        name = tool_name(tool) or getattr(tool, "__name__", None)
        if not isinstance(name, str):
            raise ReviewError(
                f"tool {tool!r} has no name; give a mapping of action names to tools instead"
            )
        registry[name] = tool
    return registry


def load_tools(spec: str) -> dict[str, Tool]:
    """Import `module:object`, a mapping of action names to tools or a list of named tools.

    The current directory is importable, so `--tools mytools:COMPENSATIONS` finds
    `./mytools.py`.
    """
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ReviewError(
            f"--tools {spec!r} is not module:object; give e.g. mypkg.tools:COMPENSATIONS"
        )
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ReviewError(f"cannot import {module_name!r} for --tools: {exc}") from exc
    try:
        found = getattr(module, attribute)
    except AttributeError as exc:
        raise ReviewError(f"module {module_name} has no {attribute!r} for --tools") from exc
    if not isinstance(found, Mapping | list | tuple):
        raise ReviewError(
            f"--tools {spec} must name a dict of action name to callable, or a list of named "
            f"tools; got {type(found).__name__}"
        )
    return tool_registry(found)
