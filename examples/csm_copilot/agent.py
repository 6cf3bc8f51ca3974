"""Build the CSM copilot: a `create_agent` agent guarded by one workflow's contract.

`make_chat_model` is the one place the model client is made: any OpenAI-compatible endpoint,
from environment variables. Recording and replay of real sessions (vcrpy) wrap its HTTP
calls; tests pass a `ScriptedChatModel` instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from examples.csm_copilot.data import Backend
from examples.csm_copilot.tools import ALLOW_TOOLS, READ_TOOLS, build_tools
from langchain.agents import create_agent
from langchain.agents.middleware import AgentMiddleware
from langchain_core.language_models import BaseChatModel
from opentelemetry.trace import TracerProvider

from c360guard import Contract, FrozenClock, Guard, Recommendation, load_contract
from c360guard.errors import MissingExtraError
from c360guard.guard import Clock
from c360guard.langchain import C360GuardMiddleware, GuardSession
from c360guard.review import ReviewQueue

HERE = Path(__file__).resolve().parent

Workflow = Literal["churn_risk", "expansion"]
CONTRACTS: dict[str, Path] = {
    "churn_risk": HERE / "contracts" / "churn_risk_copilot.yaml",
    "expansion": HERE / "contracts" / "expansion_copilot.yaml",
}
"""The contract of each workflow the copilot serves."""

JUDGED_AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
"""The instant the example profiles are judged at, so every run (and recording) matches."""

SYSTEM_PROMPT = (
    "You are the customer success copilot of a B2B software company. Read an account with "
    "get_account_profile and its notes and tickets with search_account_notes before you "
    "propose anything. Propose the next step for the account's CSM, and take an action "
    "only when the workflow allows it. Keep answers short."
)

ENV_BASE_URL = "C360_LLM_BASE_URL"
ENV_MODEL = "C360_LLM_MODEL"
ENV_API_KEY = "C360_LLM_API_KEY"
ENV_MAX_TOKENS = "C360_LLM_MAX_TOKENS"
ENV_SEED = "C360_LLM_SEED"


@dataclass(frozen=True)
class Copilot:
    """A built copilot: the agent, and what a caller may want to look at after a run."""

    agent: Any
    """The compiled `create_agent` graph."""
    guard: Guard
    """The guard of the workflow."""
    backend: Backend
    """The Customer 360, the notes and the outbox the tools use."""
    middleware: C360GuardMiddleware
    """The guard's middleware in the agent."""


def make_chat_model(env: Mapping[str, str] | None = None) -> BaseChatModel:
    """The chat model for an OpenAI-compatible endpoint named by environment variables.

    `C360_LLM_BASE_URL` (e.g. `http://127.0.0.1:8080/v1`) and `C360_LLM_MODEL` are required;
    `C360_LLM_API_KEY` (default `not-needed`), `C360_LLM_MAX_TOKENS` (512) and
    `C360_LLM_SEED` (7) are optional. Temperature is 0 and nothing is retried, so a recorded
    session replays request for request.
    """
    env = os.environ if env is None else env
    base_url, model = env.get(ENV_BASE_URL), env.get(ENV_MODEL)
    if not base_url or not model:
        raise ValueError(
            f"{ENV_BASE_URL} and {ENV_MODEL} must be set to an OpenAI-compatible endpoint "
            f"and a model it serves, e.g. {ENV_BASE_URL}=http://127.0.0.1:8080/v1"
        )
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise MissingExtraError("the CSM copilot example", "examples", "langchain-openai") from exc
    return ChatOpenAI(
        base_url=base_url,
        model=model,
        api_key=env.get(ENV_API_KEY) or "not-needed",
        temperature=0.0,
        max_tokens=int(env.get(ENV_MAX_TOKENS) or 512),
        seed=int(env.get(ENV_SEED) or 7),
        max_retries=0,
    )


def build_copilot(
    workflow: Workflow = "churn_risk",
    *,
    model: BaseChatModel,
    backend: Backend | None = None,
    review_queue: ReviewQueue | None = None,
    checkpointer: Any = None,
    clock: Clock | None = None,
    tracer_provider: TracerProvider | None = None,
    session: GuardSession | None = None,
    structured: bool = False,
    contract: Contract | None = None,
    middleware: Sequence[AgentMiddleware[Any, Any, Any]] = (),
) -> Copilot:
    """Build the copilot for one workflow.

    Args:
        workflow: `churn_risk` (drafts CS tasks) or `expansion` (routes leads, reviewed).
        model: The chat model; `make_chat_model()` for a live endpoint.
        backend: The Customer 360, notes and outbox; the example data when not given.
        review_queue: Where review tickets are filed (none: reviews are not recorded).
        checkpointer: A LangGraph checkpointer; with one, reviews interrupt the run.
        clock: The guard's clock; frozen at `JUDGED_AT` when not given.
        tracer_provider: Where the guard's spans go (the global provider by default).
        session: Where what the model was shown is remembered.
        structured: Ask for the final answer as a `Recommendation`, checked by the guard.
        contract: Another contract for the workflow (the copilot's own when not given).
        middleware: Middleware to run before the guard's (e.g. `HumanInTheLoopMiddleware`):
            the guard comes last, so it checks the calls as they will run.
    """
    if workflow not in CONTRACTS:
        raise ValueError(f"unknown workflow {workflow!r}; use one of {', '.join(CONTRACTS)}")
    guard = Guard(
        contract or load_contract(CONTRACTS[workflow]),
        clock=clock or FrozenClock(JUDGED_AT),
        review_queue=review_queue,
        tracer_provider=tracer_provider,
    )
    backend = backend or Backend()
    guarded = C360GuardMiddleware(
        guard, read_tools=READ_TOOLS, allow_tools=ALLOW_TOOLS, session=session
    )
    agent = create_agent(
        model,
        tools=build_tools(backend, guard),
        system_prompt=SYSTEM_PROMPT,
        middleware=[*middleware, guarded],
        response_format=Recommendation if structured else None,
        checkpointer=checkpointer,
    )
    return Copilot(agent=agent, guard=guard, backend=backend, middleware=guarded)
