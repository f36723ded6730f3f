"""The LanceDB store on an s3:// URI (moto's S3 API on loopback): ingest, reopen, PIT query."""

from __future__ import annotations

from tests._services import list_objects, moto_server
from trading_signals.research.documents import SAMPLE_CORPUS, load_documents
from trading_signals.research.indexing import ingest_documents
from trading_signals.research.retrieval import retrieve
from trading_signals.research.stores import open_store


def test_lance_store_on_s3_persists_and_filters_point_in_time(monkeypatch):
    monkeypatch.setenv("TSIG_EMBEDDINGS", "hashing")
    monkeypatch.delenv("PINECONE_API_KEY", raising=False)
    with moto_server("rag") as s3:
        uri = s3.uri("stores", "research")
        summary = ingest_documents(load_documents(SAMPLE_CORPUS), open_store(uri))
        keys = list_objects(s3, "stores/research/")
        assert any(k.endswith(".lance") for k in keys) and summary.chunks == 37
        reopened = open_store(uri)  # a second process/node would do the same
        assert reopened.count() == 37
        hits = retrieve(reopened, "settlement of the investigation", symbol="SYN0002",
                        as_of="2018-12-31", k=10)
        assert hits and all(h.published_at.year <= 2018 for h in hits)
        assert "SYN0002 agrees to settle sales practices probe" not in {h.title for h in hits}
