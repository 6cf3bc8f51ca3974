"""A retriever whose documents are screened as profile values before anyone reads them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables.config import run_in_executor
from pydantic import ConfigDict, Field, SkipValidation, ValidationError

from c360guard.guard import Guard
from c360guard.langchain import _trace
from c360guard.langchain._session import DEFAULT_SESSION, GuardSession, session_key
from c360guard.model import Entity, FieldValue, Profile, Screening

logger = logging.getLogger(__name__)

Screener = Callable[[Document], Screening | None]
"""Screens one document as the field value it is; None when it carries no provenance."""

PROVENANCE_KEYS = ("source", "owner", "updated_at", "confidence", "source_path", "grain")
"""Document metadata keys copied into the field value a document is screened as."""


class GuardedRetriever(BaseRetriever):
    """Screen each retrieved document as the profile field value it is, keeping `k` that pass.

    Documents carry their provenance in metadata: `field` (the contract field they are a
    value of), `entity_id` (with optional `entity_grain`, `parent_id`, `match_confidence`)
    and the value's `source`, `owner`, `updated_at`, `source_path`, `confidence` and
    `grain`. The document text is the value. A document without a field and an entity, or
    whose field the contract withholds (stale, unowned, untrusted source, no rule, sensitive),
    is dropped and the next result takes its place: the wrapped retriever is asked for more
    (over-fetch) until `k` documents pass or it has no more. Ids, scores and withheld counts
    go on the `c360guard.retrieve` span; documents are returned unchanged.

    Example:
        ```python
        notes = GuardedRetriever(retriever=vector_store.as_retriever(), guard=guard, k=4)
        notes.invoke("renewal concerns")
        ```
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: BaseRetriever
    """The retriever whose documents are screened; it is not changed."""
    guard: SkipValidation[Guard]
    """The guard of the workflow the documents serve."""
    k: int = Field(default=4, ge=1)
    """How many documents to return (also accepted per call: `invoke(query, k=2)`)."""
    fetch_k: int | None = Field(default=None, ge=1)
    """How many to ask the wrapped retriever for first; twice `k` when not set."""
    max_fetch_k: int | None = Field(default=None, ge=1)
    """The most to ask it for while over-fetching; eight times `k` when not set."""
    k_arg: str = "k"
    """The keyword the wrapped retriever takes its number of results by."""
    session: SkipValidation[GuardSession] = DEFAULT_SESSION
    """Where the documents shown to the model are remembered, per conversation."""

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        plan = self._plan(kwargs)
        config: Any = {"callbacks": run_manager.get_child()}
        with self.guard.tracer.retrieval(query) as span:
            while (asked := plan.next_fetch()) is not None:
                docs = self.retriever.invoke(query, config, **self._inner_kwargs(asked, kwargs))
                plan.take(docs, asked, self._screen)
            return plan.finish(span, self)

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        plan = self._plan(kwargs)
        config: Any = {"callbacks": run_manager.get_child()}
        with self.guard.tracer.retrieval(query) as span:
            while (asked := plan.next_fetch()) is not None:
                inner = self._inner_kwargs(asked, kwargs)
                if _sync_only(self.retriever):
                    # BaseRetriever's default async path drops extra keywords on the floor
                    # (and fails on them), so a sync-only retriever runs in a worker thread.
                    invoke = partial(self.retriever.invoke, query, config, **inner)
                    docs = await run_in_executor(None, invoke)
                else:
                    docs = await self.retriever.ainvoke(query, config, **inner)
                plan.take(docs, asked, self._screen)
            return plan.finish(span, self)

    def _plan(self, kwargs: dict[str, Any]) -> _Plan:
        want = _positive(kwargs.pop("k", self.k), "k")
        first = self.fetch_k or 2 * want
        cap = max(self.max_fetch_k or 8 * want, first)
        # A retriever that takes no keyword arguments returns what it returns: no over-fetch.
        return _Plan(want=want, asked=first, cap=cap, resizable=self.retriever._expects_other_args)

    def _inner_kwargs(self, asked: int, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {**kwargs, self.k_arg: asked}

    def _screen(self, doc: Document) -> Screening | None:
        """The screening of a document's value, or None when it carries no provenance."""
        profile = _as_profile(doc, self.guard)
        return self.guard.screen(profile) if profile is not None else None


@dataclass(slots=True)
class _Plan:
    """The over-fetch loop's state, shared by the sync and async paths."""

    want: int
    asked: int
    cap: int
    resizable: bool
    done: bool = False
    seen: int = 0
    fetched: int = 0
    kept: list[tuple[Document, Screening]] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    def next_fetch(self) -> int | None:
        return None if self.done else self.asked

    def take(self, docs: list[Document], asked: int, screen: Screener) -> None:
        """Screen the documents not seen yet, then decide whether to ask for more."""
        self.fetched = max(self.fetched, len(docs))
        for doc in docs[self.seen :]:
            if len(self.kept) == self.want:
                break
            self.seen += 1
            screening = screen(doc)
            field_name = doc.metadata.get("field")
            if screening is not None and field_name in screening.shown:
                self.kept.append((doc, screening))
                continue
            self.withheld.append(_doc_id(doc, self.seen))
            if screening is not None:
                self.codes += [f.code for f in screening.withheld.get(str(field_name), [])]
        exhausted = len(docs) < asked or not self.resizable or asked >= self.cap
        self.done = len(self.kept) == self.want or exhausted
        self.asked = min(asked * 2, self.cap)

    def finish(self, span: Any, retriever: GuardedRetriever) -> list[Document]:
        """Remember what is handed on, trace it, and return the documents that passed."""
        key = session_key()
        for _, screening in self.kept:
            retriever.session.record(retriever.guard, key, screening)
        docs = [doc for doc, _ in self.kept]
        _trace.note_retrieval(
            span,
            admitted=[_doc_id(doc, i + 1) for i, doc in enumerate(docs)],
            withheld=self.withheld,
            scores=[s for s in (_score(doc) for doc in docs) if s is not None],
            fetched=self.fetched,
            codes=self.codes,
        )
        retriever.guard.tracer.record_retrieval(
            span, list(dict.fromkeys(s.profile.entity.id for _, s in self.kept))
        )
        logger.debug("retrieved %d documents, withheld %d", len(docs), len(self.withheld))
        return docs


def _as_profile(doc: Document, guard: Guard) -> Profile | None:
    meta = doc.metadata
    name, entity_id = meta.get("field"), meta.get("entity_id")
    if not name or not entity_id:
        return None
    try:
        value = FieldValue.model_validate(
            {"value": doc.page_content, **{k: meta[k] for k in PROVENANCE_KEYS if k in meta}}
        )
        entity = Entity.model_validate(
            {
                "id": str(entity_id),
                "grain": meta.get("entity_grain") or guard.contract.grain,
                "parent_id": meta.get("parent_id"),
                "match_confidence": meta.get("match_confidence"),
            }
        )
    except ValidationError:
        logger.debug("document %s has malformed provenance; withheld", doc.id)
        return None
    return Profile(entity=entity, fields={str(name): value})


def _sync_only(retriever: BaseRetriever) -> bool:
    method = type(retriever)._aget_relevant_documents
    return method is BaseRetriever._aget_relevant_documents


def _doc_id(doc: Document, position: int) -> str:
    return str(doc.id or doc.metadata.get("id") or f"#{position}")


def _score(doc: Document) -> float | None:
    score = doc.metadata.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float):
        return None
    return float(score)


def _positive(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value
