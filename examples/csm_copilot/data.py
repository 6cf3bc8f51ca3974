"""The copilot's Customer 360: the example profiles, the notes and tickets, and an outbox.

Profiles are the ones in examples/profiles/, plus the copilot's own accounts/. Notes and
tickets live in notes.json, each with the provenance a retriever would keep in a vector
store's metadata. The outbox records every action that actually ran, so a test (or a
person) can see what the copilot did.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from c360guard import Profile, load_profile

HERE = Path(__file__).resolve().parent
PROFILES = HERE.parent / "profiles"
ACCOUNTS = HERE / "accounts"
NOTES = HERE / "notes.json"


def load_profiles(*folders: Path) -> dict[str, Profile]:
    """The example profiles and the copilot's own accounts, keyed by entity id."""
    paths = [path for folder in folders or (PROFILES, ACCOUNTS) for path in folder.glob("*.json")]
    profiles = [load_profile(path) for path in sorted(paths)]
    return {profile.entity.id: profile for profile in profiles}


def load_notes(path: Path = NOTES) -> list[Document]:
    """The notes and tickets as documents: the text is the value, metadata its provenance."""
    documents = []
    for note in json.loads(path.read_text(encoding="utf-8")):
        metadata = {key: value for key, value in note.items() if key != "text"}
        documents.append(Document(page_content=note["text"], metadata=metadata, id=note["id"]))
    return documents


class NotesRetriever(BaseRetriever):
    """Keyword search over one account's notes: deterministic, no embeddings needed."""

    documents: list[Document]
    """Every note and ticket."""
    k: int = 4
    """How many documents to return by default."""

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        account_id: str | None = None,
    ) -> list[Document]:
        terms = {word.strip(".,:;!?").lower() for word in query.split() if len(word) > 2}
        ranked = []
        for doc in self.documents:
            if account_id is not None and doc.metadata.get("entity_id") != account_id:
                continue
            words = {word.strip(".,:;!?").lower() for word in doc.page_content.split()}
            ranked.append((len(terms & words), str(doc.metadata.get("updated_at")), doc))
        ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
        top = ranked[: k or self.k]
        return [
            Document(
                page_content=doc.page_content, metadata={**doc.metadata, "score": score}, id=doc.id
            )
            for score, _, doc in top
        ]

    async def _aget_relevant_documents(
        self,
        query: str,
        *,
        run_manager: AsyncCallbackManagerForRetrieverRun,
        k: int | None = None,
        account_id: str | None = None,
    ) -> list[Document]:
        return self._get_relevant_documents(
            query, run_manager=run_manager.get_sync(), k=k, account_id=account_id
        )


@dataclass
class Outbox:
    """Every action the copilot's tools actually ran, in order."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, action: str, arguments: dict[str, Any]) -> int:
        """Record an action that ran; returns its sequence number (1 for the first)."""
        with self._lock:
            self.sent.append({"action": action, "arguments": dict(arguments)})
            return len(self.sent)

    def actions(self) -> list[str]:
        """The names of the actions that ran, in order."""
        return [entry["action"] for entry in self.sent]


@dataclass
class Backend:
    """The systems behind the copilot's tools: the Customer 360, the notes, and the outbox."""

    profiles: dict[str, Profile] = field(default_factory=load_profiles)
    notes: list[Document] = field(default_factory=load_notes)
    outbox: Outbox = field(default_factory=Outbox)
