"""`C360GuardMiddleware`: the guard around every model call and tool call of a LangChain agent.

Add it to `langchain.agents.create_agent(..., middleware=[C360GuardMiddleware(guard, ...)])`.
It screens read-tool results, checks every other tool call as an action (a tool the contract
does not know is blocked), remembers per conversation what the model was shown, adds the
reason-code catalog to the system prompt, validates a `Recommendation` final answer (one
re-ask, then block) and, with a checkpointer, turns review verdicts into interrupts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, NotRequired, cast

from langchain.agents.middleware import AgentMiddleware, AgentState, ModelRequest, ModelResponse
from langchain.agents.middleware.types import (
    ExtendedModelResponse,
    OmitFromInput,
)
from langchain_core.messages import AnyMessage, SystemMessage, ToolCall, ToolMessage
from langchain_core.tools import BaseTool
from langgraph.config import get_config
from langgraph.constants import CONFIG_KEY_CHECKPOINTER
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command, interrupt

from c360guard.errors import IntegrationError
from c360guard.guard import Guard
from c360guard.langchain import _policy, _prompt, _review, _trace
from c360guard.langchain._review import ReviewAnswer
from c360guard.langchain._session import (
    DEFAULT_KEY,
    DEFAULT_SESSION,
    GuardSession,
    bound_key,
    session_key,
)
from c360guard.langchain.tools import GuardedTool, ToolKind, guard_tool
from c360guard.model import Outcome, Recommendation, Verdict

logger = logging.getLogger(__name__)

VERDICT_STATE_KEY = "c360guard_verdict"


class GuardState(AgentState[Any]):
    """The agent state the middleware adds to."""

    c360guard_verdict: NotRequired[Annotated[dict[str, Any] | None, OmitFromInput]]
    """The guard's verdict on the structured final answer (codes and ids, no values)."""


@dataclass(frozen=True, slots=True)
class _Route:
    kind: str  # "read", "action" or "pass"
    tool: BaseTool | None = None
    action: str = ""
    entity_arg: str | None = None


@dataclass(frozen=True, slots=True)
class _Run:
    request: ToolCallRequest


@dataclass(frozen=True, slots=True)
class _Approved:
    request: ToolCallRequest
    resolution: _review.Resolution


@dataclass(frozen=True, slots=True)
class _Ask:
    verdict: Verdict
    call: _policy.ActionCall
    route: _Route


ToolHandler = Callable[[ToolCallRequest], ToolMessage | Command[Any]]
AsyncToolHandler = Callable[[ToolCallRequest], Awaitable[ToolMessage | Command[Any]]]


class C360GuardMiddleware(AgentMiddleware[GuardState, Any, Any]):
    """Guard a `create_agent` agent with one workflow's contract.

    Args:
        guard: The guard of the workflow the agent serves.
        read_tools: Names of the tools that return profile data (a Profile or its JSON
            form); their results are screened before the model sees them.
        allow_tools: Names of tools that neither return profiles nor act (a retriever tool
            over a `GuardedRetriever`, a calculator); they run unchanged.
        entity_args: Per action tool, the argument naming the entity it acts on (found
            among the usual names when not given).
        session: Where what the model was shown is remembered (shared by default).
        reviewer: The key (or attribute) of the run's context that names the person who
            answers a review interrupt, or a function reading it from the context.
        reask: Re-ask the model once when its `Recommendation` answer is blocked.

    Every other tool call is checked as an action of the contract's catalog; a tool the
    catalog does not know is blocked (`action.unknown`). Guarded tools (`guard_tool`) may be
    passed to the agent too: the middleware applies their settings.

    Example:
        ```python
        agent = create_agent(
            model,
            tools=[get_account_profile, search_notes, create_cs_task],
            middleware=[C360GuardMiddleware(guard, read_tools=["get_account_profile"],
                                            allow_tools=["search_notes"])],
            checkpointer=InMemorySaver(),
        )
        ```
    """

    state_schema = GuardState

    def __init__(
        self,
        guard: Guard,
        *,
        read_tools: Iterable[str] = (),
        allow_tools: Iterable[str] = (),
        entity_args: Mapping[str, str] | None = None,
        session: GuardSession | None = None,
        reviewer: str | _review.Reviewer = "reviewer",
        reask: bool = True,
    ) -> None:
        super().__init__()
        self.guard = guard
        self.read_tools = frozenset(read_tools)
        self.allow_tools = frozenset(allow_tools)
        self.entity_args = dict(entity_args or {})
        self.session = session or DEFAULT_SESSION
        self.reask = reask
        self._reviewer = _review.reviewer_reader(reviewer)
        self._prompt = _prompt.catalog_prompt(guard.contract)
        self._wrapped: dict[int, tuple[BaseTool, GuardedTool]] = {}
        self._prepared: tuple[tuple[Any, ...], SystemMessage, list[Any]] | None = None
        self._lock = threading.Lock()
        _check_names(guard, self.read_tools, self.allow_tools)

    # Model calls.

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]],
    ) -> ModelResponse[Any] | ExtendedModelResponse[Any]:
        """Show the model the catalog and the action schemas; validate its final answer."""
        key = self._key(request.state)
        self.session.pin(self.guard, key)
        prepared = self._prepare(request)
        response = handler(prepared)
        verdict = self._answer_verdict(response, key)
        if self._reasks(verdict):
            response = handler(_reasked(prepared, response, verdict))
            verdict = self._answer_verdict(response, key)
        return _answered(response, verdict, structured=prepared.response_format is not None)

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[ModelResponse[Any]]],
    ) -> ModelResponse[Any] | ExtendedModelResponse[Any]:
        """Show the model the catalog and the action schemas; validate its final answer."""
        key = self._key(request.state)
        self.session.pin(self.guard, key)
        prepared = self._prepare(request)
        response = await handler(prepared)
        verdict = self._answer_verdict(response, key)
        if self._reasks(verdict):
            response = await handler(_reasked(prepared, response, verdict))
            verdict = self._answer_verdict(response, key)
        return _answered(response, verdict, structured=prepared.response_format is not None)

    def _prepare(self, request: ModelRequest[Any]) -> ModelRequest[Any]:
        """The request with the catalog in the system prompt and the actions' schemas."""
        given = (request.system_message, *request.tools)
        held = self._prepared
        # An agent asks with the same system message and tools every turn: reuse the result.
        if (
            held is None
            or len(held[0]) != len(given)
            or any(a is not b for a, b in zip(held[0], given, strict=True))
        ):
            system = _prompt.with_catalog(request.system_message, self._prompt)
            held = self._prepared = (given, system, [self._shown(tool) for tool in request.tools])
        return request.override(system_message=held[1], tools=held[2])

    def _shown(self, tool: BaseTool | dict[str, Any]) -> BaseTool | dict[str, Any]:
        """The tool as the model sees it: an action with `reasons` and `confidence` added."""
        if not isinstance(tool, BaseTool) or isinstance(tool, GuardedTool):
            return tool
        if tool.name not in self.guard.contract.actions:
            return tool
        return self._guarded(tool, "action")

    def _answer_verdict(self, response: ModelResponse[Any], key: str) -> Verdict | None:
        """Check a structured `Recommendation` answer; None for any other answer."""
        answer = response.structured_response
        if not isinstance(answer, Recommendation):
            return None
        view = self.session.judged(self.guard, key)
        verdict = _policy.judge(self.guard, answer, view, _prompt.answer_entity(answer))
        logger.info("final answer: %s %s", verdict.outcome.value, ",".join(verdict.codes) or "-")
        return verdict

    def _reasks(self, verdict: Verdict | None) -> bool:
        return self.reask and verdict is not None and verdict.outcome is Outcome.BLOCK

    # Tool calls.

    def wrap_tool_call(
        self, request: ToolCallRequest, handler: ToolHandler
    ) -> ToolMessage | Command[Any]:
        """Screen a read's result; check an action and run it only when allowed."""
        key = self._key(request.state)
        route = self._route(request)
        with bound_key(key):
            if route.kind != "action":
                return handler(self._unchecked(request, route))
            with self._span(request) as span:
                step = self._decide(request, route, key, span)
                if isinstance(step, _Run):
                    return handler(step.request)
            if isinstance(step, ToolMessage):
                return step
            answer = interrupt(self._question(step, request), response_schema=ReviewAnswer)
            with self._span(request) as span:
                approved = self._resolve(step, answer, request, key)
                if isinstance(approved, ToolMessage):
                    return approved
                try:
                    result = handler(approved.request)
                except BaseException as exc:
                    _review.finish_run(self.guard, approved.resolution, exc)
                    raise
                _review.finish_run(self.guard, approved.resolution, None)
                _trace.note_verdict(span, step.verdict, ran=True)
                return result

    async def awrap_tool_call(
        self, request: ToolCallRequest, handler: AsyncToolHandler
    ) -> ToolMessage | Command[Any]:
        """Screen a read's result; check an action and run it only when allowed (async)."""
        key = self._key(request.state)
        route = self._route(request)
        with bound_key(key):
            if route.kind != "action":
                return await handler(self._unchecked(request, route))
            with self._span(request) as span:
                step = self._decide(request, route, key, span)
                if isinstance(step, _Run):
                    return await handler(step.request)
            if isinstance(step, ToolMessage):
                return step
            answer = interrupt(self._question(step, request), response_schema=ReviewAnswer)
            with self._span(request) as span:
                approved = self._resolve(step, answer, request, key)
                if isinstance(approved, ToolMessage):
                    return approved
                try:
                    result = await handler(approved.request)
                except BaseException as exc:
                    _review.finish_run(self.guard, approved.resolution, exc)
                    raise
                _review.finish_run(self.guard, approved.resolution, None)
                _trace.note_verdict(span, step.verdict, ran=True)
                return result

    def _route(self, request: ToolCallRequest) -> _Route:
        """Tell a read, a passing tool and an action (known to the catalog or not) apart."""
        name, tool = request.tool_call["name"], request.tool
        if isinstance(tool, GuardedTool):
            return _Route(tool.kind, tool.tool, tool.action, tool.entity_arg)
        if name in self.allow_tools:
            return _Route("pass", tool)
        if name in self.read_tools and tool is not None:
            return _Route("read", tool)
        arg_names = tool.args if tool is not None else ()
        entity = _policy.entity_argument(arg_names, self.entity_args.get(name))
        return _Route("action", tool, name, entity)

    def _unchecked(self, request: ToolCallRequest, route: _Route) -> ToolCallRequest:
        """A read runs through its screening wrapper; a passing tool runs as it is."""
        if route.kind == "read" and route.tool is not None:
            return request.override(tool=self._guarded(route.tool, "read"))
        return request

    def _decide(
        self, request: ToolCallRequest, route: _Route, key: str, span: Any
    ) -> _Run | ToolMessage | _Ask:
        """Check an action call: run it, refuse it, or ask a person."""
        call = _policy.action_call(route.action, request.tool_call["args"], route.entity_arg)
        call_id = _call_id(request)
        verdict = self.session.held(self.guard, key, call_id)  # a run resumed after review
        if verdict is None:
            view = self.session.judged(self.guard, key)
            verdict = _policy.judge(self.guard, call.recommendation, view, call.entity_id)
        runs = verdict.allowed and route.tool is not None
        _trace.note_verdict(span, verdict, ran=runs)
        if runs and route.tool is not None:
            tool_call = _with_args(request, call.arguments)
            return _Run(request.override(tool=route.tool, tool_call=tool_call))
        if verdict.outcome is Outcome.REVIEW and route.tool is not None and _checkpointed():
            self.session.hold(self.guard, key, call_id, verdict)
            return _Ask(verdict, call, route)
        content = _policy.verdict_content(verdict, tool=request.tool_call["name"])
        summary = _policy.verdict_summary(verdict)
        return _message(request, content, summary, error=verdict.outcome is Outcome.BLOCK)

    def _question(self, step: _Ask, request: ToolCallRequest) -> dict[str, Any]:
        name = request.tool_call["name"]
        return _review.question(step.verdict, step.call, tool=name, call_id=_call_id(request))

    def _resolve(
        self, step: _Ask, raw: Any, request: ToolCallRequest, key: str
    ) -> _Approved | ToolMessage:
        """Apply a person's answer: the approved run, or the message saying why nothing ran."""
        answer = raw if isinstance(raw, ReviewAnswer) else ReviewAnswer.model_validate(raw)
        self.session.release(self.guard, key, _call_id(request))
        reviewer = self._reviewer(request.runtime.context)
        view = self.session.judged(self.guard, key)
        screening = _policy.shown_screening(self.guard, view, step.verdict.entity_id)
        resolution = _review.resolve(
            self.guard, step.verdict, step.call, answer, reviewer=reviewer, screening=screening
        )
        logger.info("review answer for %s: %s", step.call.action, resolution.status)
        if resolution.arguments is None:
            return self._not_run(request, step, resolution.status, resolution.note, resolution)
        refused = _review.claim_run(self.guard, resolution, step.call.action, reviewer or "")
        if refused is not None or step.route.tool is None:
            return self._not_run(request, step, "blocked", refused or "", resolution)
        tool_call = _with_args(request, resolution.arguments)
        return _Approved(request.override(tool=step.route.tool, tool_call=tool_call), resolution)

    def _not_run(
        self,
        request: ToolCallRequest,
        step: _Ask,
        status: str,
        note: str,
        resolution: _review.Resolution,
    ) -> ToolMessage:
        """The message saying an action a person answered for did not run, and why."""
        content = _policy.decision_content(
            status,
            tool=request.tool_call["name"],
            note=note,
            ticket_id=resolution.ticket_id,
            codes=resolution.codes,
        )
        summary = {**_policy.verdict_summary(step.verdict), "review": status}
        return _message(request, content, summary, error=status == "blocked")

    # Helpers.

    def _span(self, request: ToolCallRequest) -> Any:
        return self.guard.tracer.tool_call(request.tool_call["name"], _call_id(request))

    def _guarded(self, tool: BaseTool, kind: ToolKind) -> GuardedTool:
        """The guarded wrapper of a tool, made once per tool."""
        with self._lock:
            held = self._wrapped.get(id(tool))
            if held is None or held[0] is not tool:
                wrapped = guard_tool(
                    tool,
                    self.guard,
                    kind=kind,
                    entity_arg=self.entity_args.get(tool.name),
                    session=self.session,
                )
                held = self._wrapped[id(tool)] = (tool, wrapped)
            return held[1]

    def _key(self, state: Any) -> str:
        """The conversation a hook runs in: the thread, else the run's first message."""
        key = session_key()
        if key != DEFAULT_KEY:
            return key
        messages = state.get("messages") if isinstance(state, Mapping) else None
        first = messages[0] if messages else None
        # The first message keeps its id for the life of the conversation, also when a
        # caller without a checkpointer sends the history back; a new conversation gets a
        # new one.
        return f"conversation:{first.id}" if first is not None and first.id else key


def _reasked(
    request: ModelRequest[Any], response: ModelResponse[Any], verdict: Verdict | None
) -> ModelRequest[Any]:
    """The request asking the model once more, with the findings that refused its answer."""
    assert verdict is not None  # only a blocked answer is re-asked
    logger.info("final answer blocked; asking the model once more")
    messages = [*request.messages, *response.result, _prompt.reask(verdict)]
    return request.override(messages=cast("list[AnyMessage]", messages))


def _answered(
    response: ModelResponse[Any], verdict: Verdict | None, *, structured: bool
) -> ModelResponse[Any] | ExtendedModelResponse[Any]:
    """The model's answer with its verdict in the state, or the block notice in its place.

    With a structured response format the verdict is always written (None when the model
    gave no structured answer), so a verdict never outlives the answer it was about.
    """
    if verdict is None and not structured:
        return response
    if verdict is not None and verdict.outcome is Outcome.BLOCK:
        response = ModelResponse(result=[_prompt.blocked_answer(verdict)], structured_response=None)
    summary = _policy.verdict_summary(verdict) if verdict is not None else None
    return ExtendedModelResponse(
        model_response=response, command=Command(update={VERDICT_STATE_KEY: summary})
    )


def _message(
    request: ToolCallRequest, content: str, summary: dict[str, Any], *, error: bool
) -> ToolMessage:
    return ToolMessage(
        content=content,
        tool_call_id=_call_id(request),
        name=request.tool_call["name"],
        status="error" if error else "success",
        response_metadata={"c360guard": summary},
    )


def _with_args(request: ToolCallRequest, arguments: dict[str, Any]) -> ToolCall:
    """The request's tool call with other arguments."""
    call = request.tool_call
    return ToolCall(name=call["name"], args=arguments, id=call.get("id"), type="tool_call")


def _call_id(request: ToolCallRequest) -> str:
    return request.tool_call.get("id") or ""


def _checkpointed() -> bool:
    """True inside a run with a checkpointer, where an interrupt can wait for a person."""
    try:
        configurable = get_config().get("configurable") or {}
    except RuntimeError:
        return False
    return configurable.get(CONFIG_KEY_CHECKPOINTER) is not None


def _check_names(guard: Guard, read_tools: frozenset[str], allow_tools: frozenset[str]) -> None:
    both = read_tools & allow_tools
    actions = (read_tools | allow_tools) & set(guard.contract.actions)
    if both:
        raise IntegrationError(
            f"tools {', '.join(sorted(both))} are both read_tools and allow_tools; name each once"
        )
    if actions:
        raise IntegrationError(
            f"tools {', '.join(sorted(actions))} are actions of workflow {guard.workflow}; "
            "remove them from read_tools and allow_tools so their calls are checked"
        )
