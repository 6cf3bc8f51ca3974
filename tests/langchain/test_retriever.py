"""GuardedRetriever: documents failing screening are replaced by the next results."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from c360guard import Guard
from c360guard.langchain import GuardedRetriever, GuardSession, bound_key
from c360guard.testing import SpanCapture


class RankedRetriever(BaseRetriever):
    """Returns its documents in order, as many as asked for, and counts the requests."""

    documents: list[Document]
    asked: list[int] = []

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int = 4
    ) -> list[Document]:
        self.asked.append(k)
        return self.documents[:k]


class FixedRetriever(BaseRetriever):
    """Takes no number of results: always returns all its documents."""

    documents: list[Document]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return list(self.documents)


def note(doc_id: str, **overrides: Any) -> Document:
    metadata: dict[str, Any] = {
        "field": "csm_note",
        "entity_id": "acct_1042",
        "source": "gainsight",
        "owner": "cs-ops",
        "updated_at": "2026-11-30T10:00:00Z",
        "score": 0.5,
    }
    metadata.update(overrides)
    return Document(page_content=f"note {doc_id}", metadata=metadata, id=doc_id)


STALE = {"updated_at": "2026-01-01T10:00:00Z"}
UNOWNED = {"owner": None}
UNTRUSTED = {"source": "slack"}


def retriever_over(docs: list[Document], guard: Guard, **kwargs: Any) -> GuardedRetriever:
    inner = RankedRetriever(documents=docs, asked=[])
    return GuardedRetriever(retriever=inner, guard=guard, session=GuardSession(), **kwargs)


def test_failing_documents_are_replaced_by_the_next_results(guard: Guard) -> None:
    docs = [note("a"), note("b", **STALE), note("c", **UNOWNED), note("d"), note("e")]
    retriever = retriever_over(docs, guard, k=3, fetch_k=3)

    found = retriever.invoke("renewal")

    assert [doc.id for doc in found] == ["a", "d", "e"]
    assert retriever.retriever.asked == [3, 6]  # type: ignore[attr-defined]


def test_fewer_than_k_come_back_only_when_fewer_pass(guard: Guard) -> None:
    docs = [note("a"), note("b", **UNTRUSTED), note("c", **STALE)]

    found = retriever_over(docs, guard, k=3).invoke("renewal")

    assert [doc.id for doc in found] == ["a"]


def test_k_can_be_given_per_call(guard: Guard) -> None:
    docs = [note(str(n)) for n in range(6)]

    found = retriever_over(docs, guard, k=4).invoke("renewal", k=2)

    assert [doc.id for doc in found] == ["0", "1"]


def test_over_fetch_stops_at_its_cap(guard: Guard) -> None:
    docs = [note(str(n), **STALE) for n in range(100)]
    retriever = retriever_over(docs, guard, k=2, fetch_k=2, max_fetch_k=8)

    assert retriever.invoke("renewal") == []
    assert retriever.retriever.asked == [2, 4, 8]  # type: ignore[attr-defined]


def test_documents_without_provenance_never_pass(guard: Guard) -> None:
    docs = [
        Document(page_content="no metadata at all", id="bare"),
        note("naive", updated_at="2026-11-30T10:00:00"),  # no UTC offset
        note("nofield", field=None),
        note("unknown", field="slack_thread"),
        note("ok"),
    ]

    found = retriever_over(docs, guard, k=5).invoke("renewal")

    assert [doc.id for doc in found] == ["ok"]


def test_sensitive_field_documents_never_pass(guard: Guard) -> None:
    docs = [note("email", field="email", source="salesforce", owner="revops"), note("ok")]

    found = retriever_over(docs, guard, k=2).invoke("renewal")

    assert [doc.id for doc in found] == ["ok"]


def test_a_retriever_without_a_size_argument_is_screened_as_it_answers(guard: Guard) -> None:
    inner = FixedRetriever(documents=[note("a", **STALE), note("b"), note("c")])
    retriever = GuardedRetriever(retriever=inner, guard=guard, k=5, session=GuardSession())

    assert [doc.id for doc in retriever.invoke("renewal")] == ["b", "c"]


def test_ids_scores_and_withheld_counts_are_traced(guard: Guard, spans: SpanCapture) -> None:
    docs = [note("a", score=0.9), note("b", score=0.8, **STALE), note("c", score=0.7)]

    retriever_over(docs, guard, k=2).invoke("renewal")

    span = spans.one("c360guard.retrieve")
    assert span.attributes is not None
    assert list(span.attributes["c360guard.retrieve.document_ids"]) == ["a", "c"]
    assert list(span.attributes["c360guard.retrieve.scores"]) == [0.9, 0.7]
    assert list(span.attributes["c360guard.retrieve.withheld_ids"]) == ["b"]
    assert span.attributes["c360guard.retrieve.withheld_count"] == 1
    assert list(span.attributes["c360guard.findings.codes"]) == ["field.stale"]
    assert "note a" not in str(dict(span.attributes))  # document text never reaches a span


def test_returned_documents_count_as_shown_in_the_conversation(guard: Guard) -> None:
    retriever = retriever_over([note("a"), note("b", **STALE)], guard, k=2)

    with bound_key("thread-7"):
        retriever.invoke("renewal")

    shown = retriever.session.view(guard, "thread-7").shown()
    assert shown == {"acct_1042": ["csm_note"]}
    assert retriever.session.view(guard, "another-thread").shown() == {}


async def test_async_retrieval_agrees_with_sync(guard: Guard) -> None:
    docs = [note("a"), note("b", **STALE), note("c"), note("d", **UNOWNED), note("e")]
    retriever = retriever_over(docs, guard, k=3, fetch_k=2)

    found = await retriever.ainvoke("renewal")

    assert [doc.id for doc in found] == [doc.id for doc in retriever.invoke("renewal")]
    assert [doc.id for doc in found] == ["a", "c", "e"]


def test_k_must_be_positive(guard: Guard) -> None:
    with pytest.raises(ValueError, match="positive integer"):
        retriever_over([note("a")], guard).invoke("renewal", k=0)
