"""Point-in-time retrieval: a query as of D returns only passages published at or before D, and
all of them when k is large enough (the filter runs before ranking). Both stores."""

from __future__ import annotations

import itertools
import tempfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trading_signals.research.documents import ResearchDocument
from trading_signals.research.embeddings import HashingEmbeddings
from trading_signals.research.indexing import ingest_documents
from trading_signals.research.lance_store import LanceResearchStore
from trading_signals.research.pinecone_store import PineconeResearchStore
from trading_signals.research.retrieval import retrieve
from tests.research._fakes import fake_pinecone

D = pd.Timestamp("2018-06-29T20:00:00.123456Z")
WORDS = ["revenue", "margin", "guidance", "buyback", "lawsuit", "tariff", "rates", "cloud"]
# Offsets straddle D, including exactly D and one microsecond either side.
OFFSETS = st.one_of(st.sampled_from([0, 1, -1]), st.integers(-10**12, 10**12))

doc_strategy = st.tuples(OFFSETS, st.sampled_from(["AAA", "BBB"]),
                         st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
_ns = itertools.count()


def _docs(specs: list[tuple[int, str, list[str]]]) -> list[ResearchDocument]:
    return [ResearchDocument(symbol=sym, published_at=D + pd.Timedelta(microseconds=off),
                             doc_type="news", source="test", title=f"doc {i}",
                             text=" ".join(words) + f" item {i}")
            for i, (off, sym, words) in enumerate(specs)]


def _check(store, docs: list[ResearchDocument], query: str) -> None:
    for sym in ("AAA", "BBB"):
        eligible = {d.doc_id for d in docs if d.symbol == sym and d.published_at <= D}
        got = retrieve(store, query, symbol=sym, as_of=D, k=len(docs) + 1)
        assert all(p.published_at <= D and p.symbol == sym for p in got)
        # Complete: every eligible passage is there (future ones took no slots).
        assert {p.doc_id for p in got} == eligible


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(doc_strategy, min_size=1, max_size=12), query=st.sampled_from(WORDS))
def test_lance_query_as_of_d_sees_only_documents_at_or_before_d(specs, query):
    docs = _docs(specs)
    with tempfile.TemporaryDirectory() as tmp:
        store = LanceResearchStore(tmp, HashingEmbeddings())
        ingest_documents(docs, store)
        _check(store, docs, query)


@pytest.fixture(scope="module")
def pinecone_server():
    with fake_pinecone() as srv:
        yield srv


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(specs=st.lists(doc_strategy, min_size=1, max_size=12), query=st.sampled_from(WORDS))
def test_pinecone_query_as_of_d_sees_only_documents_at_or_before_d(pinecone_server, specs, query):
    docs = _docs(specs)
    store = PineconeResearchStore(HashingEmbeddings(), host=pinecone_server.url, api_key="test-key",
                                  namespace=f"ns{next(_ns)}")
    ingest_documents(docs, store)
    _check(store, docs, query)
    q = [r for r in pinecone_server.requests if r["path"] == "/query"][-1]["json"]
    assert q["filter"]["published_at"] == {"$lte": D.value / 1e9}
    assert q["filter"]["symbol"] == {"$eq": "BBB"}


def test_sub_microsecond_publication_after_d_stays_invisible(tmp_path):
    # Stores keep microseconds: publish times round up, as-of times round down.
    late = ResearchDocument("AAA", D + pd.Timedelta(nanoseconds=1), "news", "t", "revenue")
    from trading_signals.research.documents import make_document

    doc = make_document({"symbol": "AAA", "published_at": str(late.published_at), "type": "news",
                         "source": "t", "text": "revenue"}, "x")
    store = LanceResearchStore(str(tmp_path), HashingEmbeddings())
    ingest_documents([doc], store)
    assert retrieve(store, "revenue", symbol="AAA", as_of=D, k=5) == []
    assert len(retrieve(store, "revenue", symbol="AAA", as_of=D + pd.Timedelta(microseconds=1), k=5)) == 1
