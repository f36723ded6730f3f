"""Report handlers behind POST /v1/reports and GET /v1/reports/{symbol}: cached per as-of."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from trading_signals.research.documents import SAMPLE_CORPUS, load_documents
from trading_signals.research.embeddings import HashingEmbeddings
from trading_signals.research.indexing import ingest_documents
from trading_signals.research.lance_store import LanceResearchStore
from trading_signals.research.service import ReportRequest, ReportService
from trading_signals.research.writers import OfflineWriter


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    uri = str(tmp_path_factory.mktemp("svc"))
    ingest_documents(load_documents(SAMPLE_CORPUS), LanceResearchStore(uri, HashingEmbeddings()))
    opened = []

    def factory():
        opened.append(1)
        return LanceResearchStore(uri, HashingEmbeddings())

    svc = ReportService(factory, writer=OfflineWriter())
    svc.opened = opened
    return svc


def test_post_then_get_same_day_is_served_from_cache(service):
    first = service.create(ReportRequest(symbol="SYN0002", as_of="2018-03-01", html=True))
    assert first["cached"] is False and first["html"].startswith("<!DOCTYPE html>")
    assert all(s["published_at"][:10] <= "2018-03-01" for s in first["sources"])
    again = service.get("SYN0002", "2018-03-01")
    assert again["cached"] is True and again["markdown"] == first["markdown"]
    assert "html" not in again
    other_day = service.get("SYN0002", "2019-03-01")
    assert other_day["cached"] is False and other_day["markdown"] != first["markdown"]
    assert service.opened == [1]  # the store is opened once, lazily


def test_refresh_recomputes(service):
    service.get("SYN0001", "2018-03-01")
    r = service.create(ReportRequest(symbol="SYN0001", as_of="2018-03-01", refresh=True))
    assert r["cached"] is False


@pytest.mark.parametrize("body", [{"symbol": "A/B", "as_of": "2018-01-01"},
                                  {"symbol": "SP500", "as_of": "someday"},
                                  {"symbol": "SP500", "as_of": "2018-01-01", "extra": 1}])
def test_bad_requests_are_validation_errors(body):
    with pytest.raises(ValidationError):
        ReportRequest(**body)


def test_get_with_bad_fields_raises_a_data_error(service):
    from trading_signals.errors import DataError

    with pytest.raises(DataError, match="as_of"):
        service.get("SP500", "not-a-date")


def test_response_matches_the_response_schema(service):
    from trading_signals.research.service import ReportResponse

    ReportResponse.model_validate(service.get("SYN0002", "2018-03-01", html=True))


def test_server_without_a_store_writes_figures_only_then_picks_the_store_up(tmp_path, monkeypatch):
    monkeypatch.setenv("TSIG_RAG_STORE", str(tmp_path / "later"))
    monkeypatch.setenv("TSIG_EMBEDDINGS", "hashing")
    monkeypatch.delenv("PINECONE_API_KEY", raising=False)
    monkeypatch.delenv("TSIG_LLM_MODEL", raising=False)
    svc = ReportService.from_env()
    first = svc.get("SYN0002", "2018-03-01")
    assert first["sources"] == [] and first["metadata"]["store"].startswith("none: no research store")
    assert "## Risk" in first["markdown"]
    ingest_documents(load_documents(SAMPLE_CORPUS),
                     LanceResearchStore(str(tmp_path / "later"), HashingEmbeddings()))
    second = svc.get("SYN0002", "2018-06-01")
    assert second["sources"] and "store" not in second["metadata"]
