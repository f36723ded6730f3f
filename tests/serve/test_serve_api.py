"""Handlers of the plain FastAPI app (no Ray): auth, errors, strict types, caching, as_of."""

from __future__ import annotations

import hmac
from pathlib import Path

import pandas as pd
import pytest

from trading_signals.data.lake import read_bars, write_bars
from trading_signals.errors import ConfigError
from trading_signals.serving.settings import ServeSettings, load_api_key, require_api_key
from trading_signals.signals.engine import generate_signals


def test_health_is_open_and_reports_what_is_loaded(make_client, shared_lake: Path) -> None:
    client, _ = make_client(lake=shared_lake)
    body = client.get("/v1/health").json()
    assert body["status"] == "ok" and body["symbols"] == 3 and body["model"] is None
    assert body["lake"] == str(shared_lake) and body["auth"] == "api_key"


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong-key-0123456789abc"}, {"X-API-Key": ""}])
def test_protected_routes_without_the_key_answer_401(make_client, shared_lake, headers) -> None:
    client, _ = make_client(lake=shared_lake)
    for method, url in (("get", "/v1/symbols"), ("get", "/v1/signals/SYN0000"), ("get", "/"),
                        ("post", "/v1/backtest"), ("post", "/v1/predict")):
        resp = getattr(client, method)(url, headers=headers)
        assert resp.status_code == 401, (url, resp.text)
        assert resp.json()["error"]["type"] == "unauthorized"
        assert resp.json()["error"]["request_id"] == resp.headers["x-request-id"]


def test_auth_compares_the_key_in_constant_time(make_client, shared_lake, auth, monkeypatch) -> None:
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((type(a), type(b)))
        return real(a, b)

    monkeypatch.setattr("trading_signals.serving.api.hmac.compare_digest", spy)
    client, _ = make_client(lake=shared_lake)
    assert client.get("/v1/symbols", headers=auth).status_code == 200
    assert client.get("/v1/symbols", headers={"X-API-Key": "x" * 25}).status_code == 401
    assert calls == [(bytes, bytes), (bytes, bytes)]


def test_no_key_refuses_to_start_unless_insecure_local(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--insecure-local"):
        require_api_key(ServeSettings(), env={})
    assert require_api_key(ServeSettings(insecure_local=True), env={}) is None
    key_file = tmp_path / "key"
    key_file.write_text("from-a-mounted-secret-123\n")
    assert load_api_key({"TSIG_API_KEY_FILE": str(key_file)}) == "from-a-mounted-secret-123"
    with pytest.raises(ConfigError, match="at least 16"):
        load_api_key({"TSIG_API_KEY": "short"})
    with pytest.raises(ConfigError, match="only one"):
        load_api_key({"TSIG_API_KEY": "a" * 20, "TSIG_API_KEY_FILE": str(key_file)})


def test_insecure_local_serves_without_a_key(make_client, shared_lake) -> None:
    client, _ = make_client(lake=shared_lake, api_key=None, insecure_local=True)
    assert client.get("/v1/symbols").status_code == 200
    assert client.get("/v1/health").json()["auth"] == "disabled"


def test_symbols_lists_partitions(make_client, shared_lake, auth) -> None:
    client, _ = make_client(lake=shared_lake)
    body = client.get("/v1/symbols", headers=auth).json()
    assert [s["symbol"] for s in body["symbols"]] == ["SYN0000", "SYN0001", "SYN0002"]
    assert all(s["rows"] == 320 for s in body["symbols"])


def test_signal_matches_the_engine_on_the_lake_bars(make_client, shared_lake, auth) -> None:
    client, _ = make_client(lake=shared_lake)
    body = client.get("/v1/signals/SYN0001", headers=auth).json()
    expected = generate_signals(read_bars(shared_lake, symbol="SYN0001"), timeframe="1d").iloc[-1]
    assert body["signal"] == expected["signal"]
    assert body["confluence_score"] == pytest.approx(expected["confluence_score"])
    assert body["contributions"]["trend"] == pytest.approx(expected["contrib_trend"])
    assert body["explanation"] == expected["explanation"] and body["bars_used"] == 320
    assert body["components"]["sentiment"] is None and "sentiment" in body["missing_components"]


def test_signal_as_of_uses_only_bars_up_to_as_of(make_client, lake_factory, auth) -> None:
    lake = lake_factory(cut=200)
    client, _ = make_client(lake=lake)
    bars = read_bars(lake, symbol="SYN0000")
    as_of = bars.index[150]
    before = client.get("/v1/signals/SYN0000", params={"as_of": as_of.isoformat()}, headers=auth).json()
    assert pd.Timestamp(before["last_bar"]) == as_of and before["bars_used"] == 151
    expected = generate_signals(bars.iloc[:151], timeframe="1d").iloc[-1]
    assert before["confluence_score"] == pytest.approx(expected["confluence_score"])
    # Rewrite every bar after as_of: the point-in-time answer must not move.
    changed = bars.copy()
    changed.iloc[151:, :4] *= 3.0
    write_bars(lake, changed, symbol="SYN0000", timeframe="1d")
    after = client.get("/v1/signals/SYN0000", params={"as_of": as_of.isoformat()}, headers=auth).json()
    assert {k: v for k, v in after.items() if k != "cache"} == {k: v for k, v in before.items() if k != "cache"}


def test_signal_cache_hits_and_refreshes_when_bars_land(make_client, lake_factory, auth) -> None:
    lake = lake_factory(cut=250)
    client, backend = make_client(lake=lake)
    first = client.get("/v1/signals/SYN0002", headers=auth).json()
    second = client.get("/v1/signals/SYN0002", headers=auth).json()
    assert (first["cache"], second["cache"]) == ("miss", "hit") and backend.signals.computations == 1
    from trading_signals.data.synthetic import generate_universe

    everything = generate_universe(3, 320, seed=5).bars["SYN0002"]
    write_bars(lake, everything.iloc[:260], symbol="SYN0002", timeframe="1d")
    third = client.get("/v1/signals/SYN0002", headers=auth).json()
    assert third["cache"] == "miss" and third["bars_used"] == 260
    assert pd.Timestamp(third["last_bar"]) == everything.index[259] > pd.Timestamp(first["last_bar"])


def test_a_corrected_bar_is_served_not_the_cached_answer(make_client, lake_factory, auth) -> None:
    """Same bar count and stamps, other values (an import with --replace): no stale answer."""
    lake = lake_factory(cut=260)
    client, backend = make_client(lake=lake)
    bars = read_bars(lake, symbol="SYN0001")
    as_of = bars.index[200].isoformat()
    first = client.get("/v1/signals/SYN0001", headers=auth).json()
    past = client.get("/v1/signals/SYN0001", params={"as_of": as_of}, headers=auth).json()
    fixed = bars.copy()
    fixed.iloc[-1, :4] *= 1.5  # the last bar corrected: after as_of
    write_bars(lake, fixed, symbol="SYN0001", timeframe="1d")
    again = client.get("/v1/signals/SYN0001", headers=auth).json()
    assert again["cache"] == "miss" and again["close"] == pytest.approx(fixed["close"].iloc[-1])
    assert again["close"] != first["close"] and again["bars_used"] == first["bars_used"]
    # The point-in-time answer never saw that bar: it is reused, not recomputed.
    before = backend.signals.computations
    assert client.get("/v1/signals/SYN0001", params={"as_of": as_of}, headers=auth).json() == {
        **past, "cache": "hit"}
    assert backend.signals.computations == before


def test_signal_body_is_the_response_model_of_the_lookup(make_client, lake_factory, auth) -> None:
    """The stored JSON a repeated lookup sends is what FastAPI would send for ``lookup``."""
    from trading_signals.serving.schemas import SignalResponse

    lake = lake_factory(cut=260)
    client, backend = make_client(lake=lake)
    as_of = read_bars(lake, symbol="SYN0001").index[200]
    for params in ({}, {"as_of": as_of.isoformat()}):
        first = client.get("/v1/signals/SYN0001", params=params, headers=auth)
        again = client.get("/v1/signals/SYN0001", params=params, headers=auth)
        assert first.headers["content-type"] == "application/json"
        expected = backend.signals.lookup("SYN0001", "1d", params.get("as_of"))
        for response, cache in ((first, "miss"), (again, "hit")):
            want = SignalResponse.model_validate({**expected, "cache": cache}).model_dump(mode="json")
            assert response.json() == want
    assert backend.signals.computations == 2  # one per bar window, none for the repeats
    spec = client.get("/openapi.json").json()
    ok = spec["paths"]["/v1/signals/{symbol}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("/SignalResponse")


def test_unknown_symbol_is_404_and_bad_params_are_422(make_client, shared_lake, auth) -> None:
    client, _ = make_client(lake=shared_lake)
    r404 = client.get("/v1/signals/NOPE", headers=auth)
    assert r404.status_code == 404 and "GET /v1/symbols" in r404.json()["error"]["message"]
    r = client.get("/v1/signals/SYN0000", params={"timeframe": "2d"}, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["loc"] == ["query", "timeframe"]
    r = client.get("/v1/signals/SYN0000", params={"as_of": "not-a-date"}, headers=auth)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["loc"] == ["query", "as_of"]
    r = client.get("/v1/signals/SYN0000", params={"as_of": "1990-01-01"}, headers=auth)
    assert r.status_code == 404 and "no bars at or before" in r.json()["error"]["message"]
    r = client.get("/v1/nothing-here", headers=auth)
    assert r.status_code == 404 and r.json()["error"]["type"] == "not_found"


def test_strict_types_reject_false_as_float_and_unknown_keys(make_client, shared_lake, auth) -> None:
    client, _ = make_client(lake=shared_lake)
    for body, loc in (({"symbols": ["SYN0000"], "commission_bps": False}, "commission_bps"),
                      ({"symbols": ["SYN0000"], "fast": "5"}, "fast"),
                      ({"symbols": ["SYN0000"], "comission_bps": 1.0}, "comission_bps"),
                      ({"symbols": "SYN0000"}, "symbols")):
        r = client.post("/v1/backtest", json=body, headers=auth)
        assert r.status_code == 422, body
        assert r.json()["error"]["fields"][0]["loc"][:2] == ["body", loc]


def test_backtest_small_runs_and_large_is_413_with_job_pointer(make_client, shared_lake, auth) -> None:
    client, _ = make_client(lake=shared_lake, backtest_max_cells=500)
    ok = client.post("/v1/backtest", headers=auth, json={
        "symbols": ["SYN0000"], "strategy": "sma_cross", "fast": 5, "slow": 20,
        "start": "2010-06-01T00:00:00Z"})
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["bars"] <= 320 and pd.Timestamp(body["start"]) >= pd.Timestamp("2010-06-01", tz="UTC")
    assert body["equity"][0]["equity"] == pytest.approx(10_000.0) and body["metrics"]["n_trades"] >= 1
    big = client.post("/v1/backtest", headers=auth, json={"symbols": ["SYN0000", "SYN0001"]})
    assert big.status_code == 413 and "jobs/backtest.py" in big.json()["error"]["message"]


def test_confluence_backtest_over_two_symbols(make_client, shared_lake, auth) -> None:
    client, _ = make_client(lake=shared_lake)
    r = client.post("/v1/backtest", headers=auth, json={"symbols": ["SYN0000", "SYN0001"]})
    assert r.status_code == 200, r.text
    assert r.json()["symbols"] == ["SYN0000", "SYN0001"] and r.json()["bars"] == 320


def test_body_over_the_limit_is_413(make_client, shared_lake, auth) -> None:
    client, _ = make_client(lake=shared_lake, max_body_bytes=2_048)
    rows = [{"x": 1.0}] * 400
    r = client.post("/v1/predict", json={"rows": rows}, headers=auth)
    assert r.status_code == 413 and r.json()["error"]["type"] == "payload_too_large"

    def chunks():  # no Content-Length: the limit is enforced while the body streams in
        for _ in range(10):
            yield b" " * 1_000

    r = client.post("/v1/backtest", content=chunks(), headers={**auth, "content-type": "application/json"})
    assert r.status_code == 413


def test_internal_error_is_500_with_request_id_and_no_traceback(make_client, shared_lake, auth) -> None:
    client, backend = make_client(lake=shared_lake)

    def boom(bars, timeframe):
        raise RuntimeError("secret internal detail")

    backend.signals._compute = boom
    r = client.get("/v1/signals/SYN0000", headers={**auth, "X-Request-ID": "req-42"})
    assert r.status_code == 500
    assert r.json() == {"error": {"type": "internal_error", "request_id": "req-42",
                                  "message": "internal error; quote the request id when reporting it"}}
    assert "secret" not in r.text and "Traceback" not in r.text and r.headers["x-request-id"] == "req-42"


def test_request_ids_are_generated_and_unsafe_ones_replaced(make_client, shared_lake) -> None:
    client, _ = make_client(lake=shared_lake)
    a = client.get("/v1/health").headers["x-request-id"]
    b = client.get("/v1/health", headers={"X-Request-ID": "bad id\twith spaces"}).headers["x-request-id"]
    assert len(a) == 32 and len(b) == 32 and a != b


def test_metrics_record_routes_statuses_and_signal_labels(make_client, shared_lake, auth) -> None:
    client, backend = make_client(lake=shared_lake)
    client.get("/v1/signals/SYN0000", headers=auth)
    client.get("/v1/signals/NOPE", headers=auth)
    m = backend.metrics
    assert m.requests[("/v1/signals/{symbol}", "GET", 200)] == 1
    assert m.requests[("/v1/signals/{symbol}", "GET", 404)] == 1
    assert sum(m.signals.values()) == 1


def test_openapi_lists_versioned_routes_with_error_schemas(make_client, shared_lake) -> None:
    client, _ = make_client(lake=shared_lake)
    spec = client.get("/openapi.json").json()
    assert {"/v1/health", "/v1/symbols", "/v1/signals/{symbol}", "/v1/predict", "/v1/backtest", "/"} <= set(spec["paths"])
    assert spec["paths"]["/v1/predict"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorResponse")
    assert "APIKeyHeader" in spec["components"]["securitySchemes"]


def test_dashboard_inlines_plotly_and_lists_every_symbol(make_client, shared_lake, auth) -> None:
    client, _ = make_client(lake=shared_lake)
    r = client.get("/", params={"symbol": "SYN0001"}, headers=auth)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    import re

    # The library is inlined: no external script or stylesheet (the bundle itself mentions
    # cdn.plot.ly only for geo topojson, which these charts never load).
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html) and len(html) > 1_000_000
    assert html.count('<a href="?symbol=') == 3 and 'id="chart"' in html
    assert client.get("/", params={"symbol": "NOPE"}, headers=auth).status_code == 404


def test_facade_metrics_use_the_declared_names_and_tags(make_client, shared_lake, auth) -> None:
    from trading_signals.observability import metrics
    from trading_signals.serving.api import create_app, local_backend
    from trading_signals.serving.settings import ServeSettings
    from fastapi.testclient import TestClient

    sink = metrics.MemorySink()
    previous = metrics.install_sink(sink)
    try:
        client = TestClient(create_app(local_backend(ServeSettings(lake=str(shared_lake)),
                                                     api_key="k" * 20)), raise_server_exceptions=False)
        client.get("/v1/signals/SYN0000", headers={"X-API-Key": "k" * 20})
        client.get("/v1/signals/SYN0000")
    finally:
        metrics.install_sink(previous)
    route = "/v1/signals/{symbol}"
    assert sink.total("tsig_serve_requests", route=route, method="GET", status="200") == 1.0
    assert sink.total("tsig_serve_errors", route=route, method="GET", status="401") == 1.0
    assert sum(sink.total("tsig_serve_signals", label=lab) for lab in
               ("STRONG_BUY", "BUY", "HOLD", "SELL", "STRONG_SELL")) == 1.0
