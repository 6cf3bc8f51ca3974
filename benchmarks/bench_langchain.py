"""The cost of the LangChain integration, against the same work unguarded, in one run.

Two comparisons:

- a guarded action tool call (the guard checks the call, then the tool runs) against
  `StructuredTool.invoke` of the same tool, and a guarded read against the same read;
- one agent turn of the CSM copilot (read a profile, create a task, answer) with and
  without `C360GuardMiddleware`, driven by a scripted model so only the framework and the
  guard are timed.

Cases are timed in interleaved rounds, in CPU time of this process, and each keeps its
fastest round, so other work on the machine slows no case. Run it directly (tracing off,
then with the SDK and a batch span processor):

    .venv/bin/python benchmarks/bench_langchain.py

or through pytest-benchmark (`make bench`), which times the same cases one by one.
"""

from __future__ import annotations

import sys
import time
import timeit
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import BaseTool
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import NoOpTracerProvider
from opentelemetry.trace import TracerProvider as ApiTracerProvider

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the copilot example is imported as `examples.csm_copilot`

from examples.csm_copilot import (  # noqa: E402
    CONTRACTS,
    JUDGED_AT,
    SYSTEM_PROMPT,
    Backend,
    ScriptedChatModel,
    call,
    reason,
)
from examples.csm_copilot.tools import ALLOW_TOOLS, READ_TOOLS, build_tools  # noqa: E402

from c360guard import FrozenClock, Guard, load_contract  # noqa: E402
from c360guard.langchain import C360GuardMiddleware, GuardSession, guard_tool  # noqa: E402

TASK_ARGS = {"account_id": "acct_1042", "title": "Prepare the renewal call"}
GUARDED_TASK_ARGS = {
    **TASK_ARGS,
    "reasons": [reason("RENEWAL_SOON", "renewal_date")],
    "confidence": 0.9,
}
PROFILE_ARGS = {"account_id": "acct_1042"}


class _Discard(SpanExporter):
    """An exporter that drops every span: the cost measured is the guard's, not a backend's."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def tracing(name: str) -> ApiTracerProvider:
    """The tracer provider of a set-up: `off` (no SDK) or `sdk` (SDK + batch processor)."""
    if name == "off":
        return NoOpTracerProvider()
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(_Discard()))
    return provider


def make_guard(provider: ApiTracerProvider) -> Guard:
    contract = load_contract(CONTRACTS["churn_risk"])
    return Guard(contract, clock=FrozenClock(JUDGED_AT), tracer_provider=provider)


def tools_by_name(guard: Guard) -> dict[str, BaseTool]:
    return {tool.name: tool for tool in build_tools(Backend(), guard)}


def tool_cases(guard: Guard) -> dict[str, Callable[[], object]]:
    """A plain and a guarded call of the same read and the same action (which runs)."""
    tools = tools_by_name(guard)
    session = GuardSession()
    reader = guard_tool(tools["get_account_profile"], guard, kind="read", session=session)
    action = guard_tool(tools["create_cs_task"], guard, session=session)
    reader.invoke(PROFILE_ARGS)  # the model has seen the profile: the action is allowed
    assert action.invoke(GUARDED_TASK_ARGS)["status"] == "created"
    plain_task = tools["create_cs_task"]
    plain_read = tools["get_account_profile"]
    return {
        "action: StructuredTool.invoke": lambda: plain_task.invoke(TASK_ARGS),
        "action: guarded": lambda: action.invoke(GUARDED_TASK_ARGS),
        "read: StructuredTool.invoke": lambda: plain_read.invoke(PROFILE_ARGS),
        "read: guarded": lambda: reader.invoke(PROFILE_ARGS),
    }


TURN = [
    call("get_account_profile", PROFILE_ARGS, "read"),
    call("create_cs_task", GUARDED_TASK_ARGS, "task"),
    AIMessage("I created a renewal task for rpatel."),
]


def agent_turn(guard: Guard, *, guarded: bool) -> Callable[[], object]:
    """One turn of the copilot: read, act, answer; with or without the middleware."""
    model = ScriptedChatModel(script=TURN, repeat=True, record=False)
    middleware = [
        C360GuardMiddleware(
            guard, read_tools=READ_TOOLS, allow_tools=ALLOW_TOOLS, session=GuardSession()
        )
    ]
    agent = create_agent(
        model,
        tools=build_tools(Backend(), guard),
        system_prompt=SYSTEM_PROMPT,
        middleware=middleware if guarded else [],
    )
    question: Any = {"messages": [HumanMessage("What about acct_1042?")]}
    result = agent.invoke(question)
    assert "Prepare the renewal call" in str(result["messages"])
    return lambda: agent.invoke(question)


def interleaved(
    cases: dict[str, Callable[[], object]], number: int, rounds: int
) -> dict[str, float]:
    """CPU seconds per call of each case: the fastest of `rounds` interleaved rounds.

    CPU time of this process (all its threads), not wall time: on a shared machine other
    processes then slow no case, and the agent's tool threads are still counted.
    """
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(rounds):
        for name, case in cases.items():
            timer = timeit.Timer(case, timer=time.process_time)
            best[name] = min(best[name], timer.timeit(number=number) / number)
    return best


def report(title: str, timings: dict[str, float], pairs: list[tuple[str, str]]) -> None:
    print(title)
    for name, seconds in timings.items():
        print(f"  {name:32s} {seconds * 1e6:10.1f} us")
    for baseline, guarded in pairs:
        ratio = timings[guarded] / timings[baseline]
        print(f"  {guarded} / {baseline}: {ratio:.2f}x")


def main(number: int = 200, turns: int = 20, rounds: int = 9) -> None:
    """Time every case and print the ratios."""
    for name in ("off", "sdk"):
        provider = tracing(name)
        guard = make_guard(provider)
        tools = interleaved(tool_cases(guard), number, rounds)
        report(
            f"tool calls, tracing {name}",
            tools,
            [
                ("action: StructuredTool.invoke", "action: guarded"),
                ("read: StructuredTool.invoke", "read: guarded"),
            ],
        )
        turn_cases = {
            "agent turn: plain": agent_turn(guard, guarded=False),
            "agent turn: with middleware": agent_turn(guard, guarded=True),
        }
        report(
            f"agent turns, tracing {name}",
            interleaved(turn_cases, turns, rounds),
            [("agent turn: plain", "agent turn: with middleware")],
        )
        if isinstance(provider, TracerProvider):
            provider.shutdown()


@pytest.fixture(scope="module")
def off_guard() -> Guard:
    return make_guard(NoOpTracerProvider())


@pytest.mark.parametrize(
    "case",
    [
        "action: StructuredTool.invoke",
        "action: guarded",
        "read: StructuredTool.invoke",
        "read: guarded",
    ],
)
def test_tool_call(benchmark: Any, off_guard: Guard, case: str) -> None:
    benchmark(tool_cases(off_guard)[case])


@pytest.mark.parametrize("guarded", [False, True], ids=["plain", "middleware"])
def test_agent_turn(benchmark: Any, off_guard: Guard, guarded: bool) -> None:
    benchmark(agent_turn(off_guard, guarded=guarded))


if __name__ == "__main__":
    main()
