"""Vector stores: typed LanceDB schema and indices, idempotent upserts, delete by document,
embedder mismatch, and the Pinecone data-plane calls the v10 SDK makes (against a fake)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from trading_signals.errors import ConfigError, LookAheadError
from trading_signals.research.documents import ResearchDocument
from trading_signals.research.embeddings import HashingEmbeddings
from trading_signals.research.indexing import ingest_documents
from trading_signals.research.lance_store import LanceResearchStore
from trading_signals.research.pinecone_store import PineconeResearchStore
from trading_signals.research.retrieval import retrieve
from trading_signals.research.stores import open_store
from tests.research._fakes import fake_pinecone


def _docs() -> list[ResearchDocument]:
    ts = pd.Timestamp
    return [
        ResearchDocument("AAA", ts("2018-01-02T10:00Z"), "news", "wire", "Revenue rose 12% on cloud demand.", "a1"),
        ResearchDocument("AAA", ts("2018-05-02T10:00Z"), "transcript", "call", "Guidance cut: margin 17%.\n\n" + "More detail. " * 120, "a2"),
        ResearchDocument("BBB", ts("2018-01-03T10:00Z"), "filing", "10-K", "Debt rose to 4 times EBITDA.", "b1"),
    ]


def test_lance_store_typed_columns_and_scalar_indices(tmp_path):
    store = LanceResearchStore(str(tmp_path), HashingEmbeddings())
    ingest_documents(_docs(), store)
    schema = store._table.schema
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("symbol").type == pa.string()
    assert pa.types.is_fixed_size_list(schema.field("vector").type)
    assert store.indices() == {"symbol": "BITMAP", "published_at": "BTREE"}


def test_lance_reingest_same_documents_is_idempotent(tmp_path):
    store = LanceResearchStore(str(tmp_path), HashingEmbeddings())
    first = ingest_documents(_docs(), store)
    n = store.count()
    again = ingest_documents(_docs() + _docs(), store)
    assert store.count() == n > len(_docs())  # the long transcript is split in several chunks
    assert first.new_documents == 3 and again.new_documents == 0 and again.documents == 3


def test_lance_delete_by_document_id_removes_all_its_chunks(tmp_path):
    store = LanceResearchStore(str(tmp_path), HashingEmbeddings())
    docs = _docs()
    ingest_documents(docs, store)
    store.delete(doc_ids=[docs[1].doc_id])
    assert store.doc_ids() == {docs[0].doc_id, docs[2].doc_id}
    assert store.count() == 2
    hits = retrieve(store, "guidance margin", symbol="AAA", as_of="2019-01-01", k=10)
    assert [h.doc_id for h in hits] == [docs[0].doc_id]


def test_lance_store_persists_and_reopens_with_the_stored_embedder(tmp_path, monkeypatch):
    monkeypatch.delenv("TSIG_EMBEDDINGS", raising=False)
    monkeypatch.delenv("PINECONE_API_KEY", raising=False)
    ingest_documents(_docs(), LanceResearchStore(str(tmp_path), HashingEmbeddings()))
    reopened = open_store(str(tmp_path))  # no TSIG_EMBEDDINGS: uses the embedder that built it
    assert isinstance(reopened.embeddings, HashingEmbeddings)
    assert retrieve(reopened, "debt", symbol="BBB", as_of="2018-12-31", k=3)[0].source == "10-K"


def test_lance_store_refuses_a_different_embedder(tmp_path):
    ingest_documents(_docs(), LanceResearchStore(str(tmp_path), HashingEmbeddings()))
    with pytest.raises(ConfigError, match="embedder"):
        LanceResearchStore(str(tmp_path), _Other())


class _Other(HashingEmbeddings):
    name = "other"

    def __init__(self) -> None:
        super().__init__(64)


def test_pinecone_store_upsert_query_delete_through_the_v10_sdk():
    docs = _docs()
    with fake_pinecone() as srv:
        store = PineconeResearchStore(HashingEmbeddings(), host=srv.url, api_key="k-123")
        ingest_documents(docs, store)
        ingest_documents(docs, store)  # idempotent: same ids
        n_upserts = sum(r["path"] == "/vectors/upsert" for r in srv.requests)
        assert n_upserts == 2 and len(srv.vectors[""]) > 3  # 2 calls, one id set
        assert len(srv.vectors[""]) == len({c for r in srv.requests if r["path"] == "/vectors/upsert"
                                            for c in (v["id"] for v in r["json"]["vectors"])})
        hits = retrieve(store, "revenue cloud", symbol="AAA", as_of="2018-03-01", k=5)
        assert [h.doc_id for h in hits] == [docs[0].doc_id]
        store.delete(doc_ids=[docs[1].doc_id])
        assert {v["metadata"]["doc_id"] for v in srv.vectors[""].values()} == {docs[0].doc_id, docs[2].doc_id}
        paths = [r["path"] for r in srv.requests]
        assert {"/vectors/upsert", "/query", "/vectors/delete"} <= set(paths)
        upsert = next(r for r in srv.requests if r["path"] == "/vectors/upsert")
        assert {k.lower(): v for k, v in upsert["headers"].items()}["api-key"] == "k-123"
        meta = upsert["json"]["vectors"][0]["metadata"]
        assert isinstance(meta["published_at"], float)  # epoch seconds: numeric range filters
        assert meta["published_at"] == docs[0].published_at.value / 1e9


def test_pinecone_store_rejects_a_match_after_as_of():
    class _Leaky:  # an index that ignores the filter
        def __init__(self, inner):
            self.inner = inner

        def query(self, **kw):
            kw["filter"] = None
            return self.inner.query(**kw)

        def upsert(self, **kw):
            return self.inner.upsert(**kw)

    with fake_pinecone() as srv:
        good = PineconeResearchStore(HashingEmbeddings(), host=srv.url, api_key="k")
        ingest_documents(_docs(), good)
        leaky = PineconeResearchStore(HashingEmbeddings(), index=_Leaky(good._index))
        with pytest.raises(LookAheadError):
            retrieve(leaky, "guidance margin", symbol="AAA", as_of="2018-03-01", k=5)


def test_open_store_picks_pinecone_when_the_key_is_set(monkeypatch, tmp_path):
    with fake_pinecone() as srv:
        monkeypatch.setenv("PINECONE_API_KEY", "k")
        monkeypatch.setenv("PINECONE_HOST", srv.url)
        monkeypatch.setenv("TSIG_EMBEDDINGS", "hashing")
        assert isinstance(open_store(), PineconeResearchStore)
        monkeypatch.setenv("TSIG_VECTOR_STORE", "lancedb")
        monkeypatch.setenv("TSIG_RAG_STORE", "unused")
        assert type(open_store(str(tmp_path / "x"))).__name__ == "LanceResearchStore"


def test_langchain_interface_add_texts_and_as_retriever_point_in_time(tmp_path):
    texts = ["Revenue rose on cloud demand.", "Cloud margins collapsed after the price war."]
    metas = [{"symbol": "AAA", "published_at": "2018-01-02T00:00:00Z", "type": "news", "source": "w"},
             {"symbol": "AAA", "published_at": "2019-01-02T00:00:00Z", "type": "news", "source": "w"}]
    store = LanceResearchStore.from_texts(texts, HashingEmbeddings(), metas, uri=str(tmp_path))
    retriever = store.as_retriever(search_kwargs={"k": 5, "symbol": "AAA",
                                                  "as_of": pd.Timestamp("2018-06-30", tz="UTC")})
    docs = retriever.invoke("cloud")
    assert [d.page_content for d in docs] == [texts[0]]
    assert docs[0].metadata["published_at"] == "2018-01-02T00:00:00+00:00"
    assert len(store.similarity_search("cloud", k=5)) == 2  # no filter: both
