"""The CSM copilot: a LangChain agent over the example Customer 360, guarded by c360guard.

Run it against any OpenAI-compatible endpoint from the repository root:

    C360_LLM_BASE_URL=http://127.0.0.1:8080/v1 C360_LLM_MODEL=my-model \\
        python -m examples.csm_copilot --workflow churn_risk "What should we do about acct_2077?"
"""

from examples.csm_copilot.agent import (
    CONTRACTS,
    JUDGED_AT,
    SYSTEM_PROMPT,
    Copilot,
    build_copilot,
    make_chat_model,
)
from examples.csm_copilot.data import Backend, NotesRetriever, Outbox
from examples.csm_copilot.scripted import ScriptedChatModel, call, calls, reason

__all__ = [
    "CONTRACTS",
    "JUDGED_AT",
    "SYSTEM_PROMPT",
    "Backend",
    "Copilot",
    "NotesRetriever",
    "Outbox",
    "ScriptedChatModel",
    "build_copilot",
    "call",
    "calls",
    "make_chat_model",
    "reason",
]
