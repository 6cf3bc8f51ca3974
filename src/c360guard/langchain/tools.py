"""Guarded tools: a LangChain tool whose reads are screened and whose actions are checked."""

# No `from __future__ import annotations` here: LangChain resolves the type hints of a
# tool's `_run` on every call, and evaluated hints spare it compiling strings each time.

import inspect
import logging
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from pydantic import ConfigDict, PrivateAttr, SkipValidation

from c360guard.errors import IntegrationError
from c360guard.guard import Guard
from c360guard.langchain import _policy, _trace
from c360guard.langchain._calling import Calling, split_output
from c360guard.langchain._schema import action_schemas
from c360guard.langchain._session import DEFAULT_SESSION, GuardSession, session_key
from c360guard.model import Verdict

logger = logging.getLogger(__name__)

ToolKind = Literal["read", "action"]
"""What a guarded tool does: read profile data, or take a catalog action."""


class GuardedTool(BaseTool):
    """A tool whose calls go through a Guard; build one with `guard_tool`.

    A read tool's result is screened and the model receives only the screening's context,
    with the names and codes of what was withheld. An action tool asks the model for
    `reasons` and `confidence` too, and runs with its own arguments only when the guard
    allows the call. The wrapped tool is never changed. Results come as content and an
    artifact; the artifact's `c360guard` entry says what the guard decided (no values).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    tool: BaseTool
    """The wrapped tool, called as it is."""
    guard: SkipValidation[Guard]
    """The guard of the workflow the tool serves."""
    kind: ToolKind
    """`read` for a tool returning profile data, `action` for a catalog action."""
    action: str
    """The catalog action an action tool takes (the tool's name unless told otherwise)."""
    entity_arg: str | None = None
    """The argument naming the entity an action is about, when the tool has one."""
    session: SkipValidation[GuardSession] = DEFAULT_SESSION
    """Where what the model was shown is remembered, per conversation."""
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    """Results carry an artifact saying what the guard decided."""

    _call_schema: Any = PrivateAttr(default=None)
    _calling: tuple[Calling, Calling] = PrivateAttr(
        default=(Calling(run_manager=False, config=None), Calling(run_manager=False, config=None))
    )

    @property
    def tool_call_schema(self) -> Any:
        """The schema the model is shown: an action's `reasons` and `confidence` required."""
        if self._call_schema is not None:
            return self._call_schema
        return super().tool_call_schema

    # `_run` and `_arun` return (content, artifact), typed `Any` as in `BaseTool`: LangChain
    # evaluates their hints on every call, and a nested return type doubles that cost.
    def _run(
        self,
        *args: Any,
        config: RunnableConfig,
        run_manager: CallbackManagerForToolRun | None = None,
        **kwargs: Any,
    ) -> Any:
        key = session_key(config)
        extras = self._calling[0].extras(config, run_manager)
        with self.guard.tracer.tool_call(self.name) as span:
            if self.kind == "read":
                return self._after_read(self.tool._run(*args, **kwargs, **extras), key, span)
            call = _policy.action_call(self.action, kwargs, self.entity_arg)
            verdict = self._judge(call, key)
            if not verdict.allowed:
                return self._refused(verdict, span)
            output = self.tool._run(**call.arguments, **extras)
            return self._ran(output, verdict, span)

    async def _arun(
        self,
        *args: Any,
        config: RunnableConfig,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
        **kwargs: Any,
    ) -> Any:
        key = session_key(config)
        extras = self._calling[1].extras(config, run_manager)
        with self.guard.tracer.tool_call(self.name) as span:
            if self.kind == "read":
                raw = await self.tool._arun(*args, **kwargs, **extras)
                return self._after_read(raw, key, span)
            call = _policy.action_call(self.action, kwargs, self.entity_arg)
            verdict = self._judge(call, key)
            if not verdict.allowed:
                return self._refused(verdict, span)
            output = await self.tool._arun(**call.arguments, **extras)
            return self._ran(output, verdict, span)

    def _after_read(self, output: Any, key: str, span: Any) -> tuple[str, dict[str, Any]]:
        content, artifact = split_output(self.tool, output)
        profiles = _policy.profiles_of(artifact) or _policy.profiles_of(content)
        if profiles is None:
            logger.warning("read tool %s returned no profile; nothing is shown", self.name)
            return _policy.unreadable_content(self.name), {"c360guard": {"kind": "read"}}
        screenings = [self.guard.screen(profile) for profile in profiles]
        for screening in screenings:
            self.session.record(self.guard, key, screening)
        _trace.note_read(span, screenings)
        return _policy.read_content(screenings), {"c360guard": _policy.read_summary(screenings)}

    def _ran(self, output: Any, verdict: Verdict, span: Any) -> tuple[Any, dict[str, Any]]:
        _trace.note_verdict(span, verdict, ran=True)
        content, artifact = split_output(self.tool, output)
        found: dict[str, Any] = {"c360guard": _policy.verdict_summary(verdict)}
        if artifact is not None:
            found["artifact"] = artifact
        return content, found

    def _judge(self, call: _policy.ActionCall, key: str) -> Verdict:
        view = self.session.view(self.guard, key)
        return _policy.judge(self.guard, call.recommendation, view, call.entity_id)

    def _refused(self, verdict: Verdict, span: Any) -> tuple[str, dict[str, Any]]:
        _trace.note_verdict(span, verdict, ran=False)
        content = _policy.verdict_content(verdict, tool=self.name)
        return content, {"c360guard": _policy.verdict_summary(verdict)}


# LangChain reads the signature of `_run` (or `_arun`) on every call; `inspect` takes a
# function's `__signature__` as given, so it is worked out once, here.
for _method in (GuardedTool._run, GuardedTool._arun):
    _method.__signature__ = inspect.signature(_method)  # type: ignore[union-attr]


def guard_tool(
    tool: BaseTool,
    guard: Guard,
    *,
    kind: ToolKind | None = None,
    action: str | None = None,
    entity_arg: str | None = None,
    session: GuardSession | None = None,
) -> GuardedTool:
    """Wrap a LangChain tool so its calls go through the guard.

    Args:
        tool: The tool to guard; it is not changed.
        guard: The guard of the workflow the tool serves.
        kind: `read` for a tool returning profile data (a Profile or its JSON form);
            `action` for a tool that acts. Taken as `action` when the tool's name (or
            `action`) is in the contract's action catalog; a tool outside the catalog must
            say `kind="read"`, so nothing that acts is ever taken for a read.
        action: The catalog action the tool takes, when it differs from the tool's name.
        entity_arg: The argument naming the entity an action is about; found among the
            usual names (`account_id`, `entity_id`...) when not given.
        session: Where what the model was shown is remembered (shared by default).

    Returns:
        A tool with the same name and description; an action's schema gains `reasons` and
        `confidence`.

    Raises:
        IntegrationError: The kind cannot be told, the tool is already guarded, or the
            entity argument is not one of the tool's arguments.

    Example:
        ```python
        profile_tool = guard_tool(get_account_profile, guard, kind="read")
        task_tool = guard_tool(create_cs_task, guard)  # in the action catalog
        ```
    """
    if isinstance(tool, GuardedTool):
        raise IntegrationError(f"tool {tool.name} is already guarded; pass the tool it wraps")
    name = action or tool.name
    resolved = _kind(tool.name, name, guard, kind)
    if entity_arg is not None and entity_arg not in tool.args:
        raise IntegrationError(
            f"tool {tool.name} has no argument {entity_arg!r}; name one of "
            f"{', '.join(sorted(tool.args)) or '(none)'} as entity_arg"
        )
    if resolved == "read":
        accepted, shown = tool.args_schema or tool.get_input_schema(), None
    else:
        accepted, shown = action_schemas(tool, guard.contract)
    guarded = GuardedTool(
        name=tool.name,
        description=tool.description,
        args_schema=accepted,
        return_direct=tool.return_direct,
        handle_tool_error=tool.handle_tool_error,
        handle_validation_error=tool.handle_validation_error,
        tags=tool.tags,
        metadata=tool.metadata,
        tool=tool,
        guard=guard,
        kind=resolved,
        action=name,
        entity_arg=_policy.entity_argument(tool.args, entity_arg),
        session=session or DEFAULT_SESSION,
    )
    guarded._call_schema = shown
    guarded._calling = (Calling.of(tool._run), Calling.of(tool._arun))
    return guarded


def _kind(tool: str, action: str, guard: Guard, kind: ToolKind | None) -> ToolKind:
    in_catalog = action in guard.contract.actions
    if kind == "read" and in_catalog:
        raise IntegrationError(
            f"tool {tool} is the catalog action {action} of workflow {guard.workflow}; an "
            "action cannot be guarded as a read (drop kind='read')"
        )
    if kind is not None:
        return kind
    if in_catalog:
        return "action"
    raise IntegrationError(
        f"tool {tool} is not in the action catalog of workflow {guard.workflow}; pass "
        "kind='read' if it only returns profile data, or add it to the contract's actions"
    )
