"""POST /v1/reports and GET /v1/reports/{symbol} through the serving app (FastAPI TestClient)."""

from __future__ import annotations

import pytest

from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.research.documents import SAMPLE_CORPUS, load_documents
from trading_signals.research.embeddings import HashingEmbeddings
from trading_signals.research.indexing import ingest_documents
from trading_signals.research.lance_store import LanceResearchStore

api = pytest.importorskip("trading_signals.serving.api")
KEY = "rag-test-key-0123456789"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from trading_signals.serving.settings import ServeSettings

    root = tmp_path_factory.mktemp("http")
    lake = root / "lake"
    bars = generate_universe(1, 700, seed=5, start="2016-01-04").bars["SYN0000"]
    write_bars(lake, bars, symbol="SYN0000", timeframe="1d")
    store = root / "store"
    ingest_documents(load_documents(SAMPLE_CORPUS), LanceResearchStore(str(store), HashingEmbeddings()))
    mp = pytest.MonkeyPatch()
    mp.setenv("TSIG_RAG_STORE", str(store))
    mp.delenv("TSIG_EMBEDDINGS", raising=False)  # the store's own embedder is used
    mp.delenv("PINECONE_API_KEY", raising=False)
    mp.delenv("TSIG_LLM_MODEL", raising=False)
    backend = api.local_backend(ServeSettings(lake=str(lake)), api_key=KEY)
    yield TestClient(api.create_app(backend), raise_server_exceptions=False)
    mp.undo()


def test_post_report_then_get_is_cached_and_point_in_time(client):
    h = {"X-API-Key": KEY}
    r = client.post("/v1/reports", json={"symbol": "SYN0000", "as_of": "2018-06-29"}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["cached"] is False and body["metadata"]["flagged"] is False
    assert body["sources"] and all(s["published_at"][:10] <= "2018-06-29" for s in body["sources"])
    assert "## Risk" in body["markdown"]
    g = client.get("/v1/reports/SYN0000", params={"as_of": "2018-06-29", "html": True}, headers=h)
    assert g.status_code == 200 and g.json()["cached"] is True
    assert g.json()["html"].startswith("<!DOCTYPE html>")


def test_report_routes_need_the_api_key_and_valid_input(client):
    assert client.get("/v1/reports/SYN0000", params={"as_of": "2018-06-29"}).status_code == 401
    h = {"X-API-Key": KEY}
    assert client.post("/v1/reports", json={"symbol": "SYN0000", "as_of": "nope"},
                       headers=h).status_code == 422
    assert client.get("/v1/reports/SYN0000", params={"as_of": "nope"}, headers=h).status_code == 422
    missing = client.get("/v1/reports/NOPE", params={"as_of": "2018-06-29"}, headers=h)
    assert missing.status_code in (404, 422) and "NOPE" in missing.text
    assert "/v1/reports" in client.get("/openapi.json").text
