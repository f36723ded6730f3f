"""The Serve application on the session Ray: every endpoint, batching, OpenAPI fuzzing and
the dashboard in headless Chromium (all against one ``serve.run`` of the real app)."""

from __future__ import annotations

import importlib
import io
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests._services import ensure_debian_package, free_port

pytestmark = [pytest.mark.ray, pytest.mark.slow]
API_KEY = "ray-test-key-0123456789abcdef"
HEADERS = {"X-API-Key": API_KEY}
APP_NAME = "tsig-serve-test"


@pytest.fixture(scope="module")
def serve_url(ray_local, shared_lake: Path, registry: dict[str, Any], tmp_path_factory) -> Iterator[str]:
    from ray import serve

    sapp = importlib.import_module("serve.app")
    key_file = tmp_path_factory.mktemp("secret") / "api-key"
    key_file.write_text(API_KEY)  # as a mounted Kubernetes Secret would be
    port = free_port()
    # A Serve instance left by another module would ignore these http options: start afresh.
    serve.shutdown()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    args = {"lake": str(shared_lake), "registry": registry["root"], "model_id": "ens",
            "max_body_bytes": 200_000, "backtest_max_cells": 800, "batch_wait_timeout_s": 0.05}
    cpu = {"num_cpus": 0.1}
    model = sapp.ModelDeployment.options(ray_actor_options=cpu).bind(args)
    ingress = sapp.ApiIngress.options(ray_actor_options={
        **cpu, "runtime_env": {"env_vars": {"TSIG_API_KEY_FILE": str(key_file)}}}).bind(model, args)
    serve.run(ingress, name=APP_NAME, route_prefix="/")
    url = f"http://127.0.0.1:{port}"
    try:
        yield url
    finally:
        serve.shutdown()


def _bars(n: int = 80) -> list[dict[str, Any]]:
    from trading_signals.data.synthetic import generate_universe

    frame = generate_universe(1, n, seed=4).bars["SYN0000"].reset_index()
    return [{"timestamp": r.timestamp.isoformat(), "open": r.open, "high": r.high, "low": r.low,
             "close": r.close, "volume": r.volume} for r in frame.itertuples()]


def test_every_endpoint_through_serve(serve_url: str) -> None:
    with httpx.Client(base_url=serve_url, timeout=60) as c:
        health = c.get("/v1/health").json()
        assert health["symbols"] == 3 and health["model"]["model_id"] == "ens/v0001"
        assert health["auth"] == "api_key"
        assert c.get("/v1/symbols").status_code == 401
        assert c.get("/v1/symbols", headers={"X-API-Key": "wrong-key-0123456789abc"}).status_code == 401
        assert len(c.get("/v1/symbols", headers=HEADERS).json()["symbols"]) == 3
        sig = c.get("/v1/signals/SYN0001", headers=HEADERS)
        assert sig.status_code == 200 and sig.json()["signal"] is not None
        assert sig.headers["x-request-id"]
        given = c.get("/v1/signals/SYN0001", headers={**HEADERS, "x-request-id": "trace-7"})
        assert given.headers.get_list("x-request-id") == ["trace-7"]  # echoed once, not "id, id"
        pit = c.get("/v1/signals/SYN0001", params={"as_of": "2010-09-01"}, headers=HEADERS).json()
        assert pit["last_bar"].startswith("2010-09-01") or pit["last_bar"] < "2010-09-01T23"
        assert c.get("/v1/signals/NOPE", headers=HEADERS).status_code == 404
        assert c.get("/v1/signals/SYN0001", params={"timeframe": "7d"}, headers=HEADERS).status_code == 422
        pred = c.post("/v1/predict", json={"bars": _bars()}, headers=HEADERS)
        assert pred.status_code == 200, pred.text
        assert pred.json()["predictions"][0]["uncertainty"] is not None
        bad = c.post("/v1/predict", json={"rows": [{"x": False}]}, headers=HEADERS)
        assert bad.status_code == 422 and bad.json()["error"]["fields"]
        assert c.post("/v1/predict", json={"rows": [{"x": 1.0}]}, headers=HEADERS).status_code == 422
        huge = c.post("/v1/predict", content=b"{" + b" " * 300_000 + b"}", headers={
            **HEADERS, "content-type": "application/json"})
        assert huge.status_code == 413
        bt = c.post("/v1/backtest", json={"symbols": ["SYN0000"], "start": "2010-10-01"}, headers=HEADERS)
        assert bt.status_code == 200, bt.text
        big = c.post("/v1/backtest", json={"symbols": ["SYN0000", "SYN0001", "SYN0002"]}, headers=HEADERS)
        assert big.status_code == 413 and "jobs/backtest.py" in big.text
        page = c.get("/", headers=HEADERS)
        assert page.status_code == 200 and "SYN0002" in page.text
        spec = c.get("/openapi.json").json()
        assert "/v1/signals/{symbol}" in spec["paths"]


def test_concurrent_predictions_are_batched(serve_url: str) -> None:
    body = {"bars": _bars()}

    def call(_: int) -> dict[str, Any]:
        r = httpx.post(f"{serve_url}/v1/predict", json=body, headers=HEADERS, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()

    with ThreadPoolExecutor(12) as pool:
        out = list(pool.map(call, range(24)))
    assert len({o["predictions"][0]["value"] for o in out}) == 1  # same input, same answer
    assert max(o["batch_size"] for o in out) > 1


def test_metrics_are_exported_by_the_node_with_ray_prefix(serve_url: str) -> None:
    import ray

    httpx.get(f"{serve_url}/v1/signals/SYN0000", headers=HEADERS, timeout=60)
    httpx.get(f"{serve_url}/v1/signals/NOPE", headers=HEADERS, timeout=60)
    port = ray.nodes()[0]["MetricsExportPort"]
    wanted = ("ray_tsig_serve_requests", "ray_tsig_serve_errors", "ray_tsig_serve_request_seconds_bucket",
              "ray_tsig_serve_signals", "ray_tsig_serve_predict_batch_size_bucket", "ray_tsig_serve_model_info")
    deadline, text = time.time() + 60, ""
    while time.time() < deadline:  # the export lags a few seconds
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        if all(w in text for w in wanted) and 'status="404"' in text:
            break
        time.sleep(2)
    missing = [w for w in wanted if w not in text]
    assert missing == [], missing
    assert 'route="/v1/signals/{symbol}"' in text and 'model_id="ens/v0001"' in text


def test_fuzz_openapi_no_5xx_and_responses_match_the_schema(serve_url: str) -> None:
    # Driven by hand (not schemathesis' pytest plugin, which breaks on pytest 9): every
    # operation of the live OpenAPI document, a bounded number of generated cases each.
    from hypothesis import given

    api = schemathesis.openapi.from_url(f"{serve_url}/openapi.json")
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    labels = []
    for result in api.get_all_operations():
        op = result.ok()
        labels.append(op.label)
        modes = [schemathesis.GenerationMode.POSITIVE]
        if list(op.iter_parameters()) or op.body:  # nothing to make invalid in GET /v1/health
            modes.append(schemathesis.GenerationMode.NEGATIVE)
        for mode in modes:

            @given(case=op.as_strategy(mode))
            @settings(max_examples=10, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                case.call_and_validate(headers=HEADERS, timeout=60, checks=checks)

            run()
    assert {"GET /v1/signals/{symbol}", "POST /v1/predict", "POST /v1/backtest", "GET /"} <= set(labels)


def test_dashboard_renders_in_headless_chromium(serve_url: str, tmp_path: Path) -> None:
    import numpy as np
    from PIL import Image
    from playwright.sync_api import sync_playwright

    chromium = ensure_debian_package("chromium", "chromium")  # fails (not skips) if impossible
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.set_extra_http_headers(HEADERS)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
            page.goto(f"{serve_url}/?symbol=SYN0001", wait_until="load", timeout=60_000)
            page.wait_for_selector("#chart .main-svg", timeout=30_000)
            rows = page.locator("#signals tbody tr")
            assert rows.count() == 3
            # Sorting: click "score" twice (ascending, then descending) and check the order.
            page.click("#signals th:nth-child(4)")
            page.click("#signals th:nth-child(4)")
            scores = [float(v) if v != "-1e99" else -1e99 for v in page.eval_on_selector_all(
                "#signals tbody td:nth-child(4)", "els => els.map(e => e.dataset.v)")]
            assert scores == sorted(scores, reverse=True)
            assert page.locator("#chart .candlestick, #chart g.trace").count() >= 2
            png = page.screenshot(full_page=True)
        finally:
            browser.close()
    (tmp_path / "dashboard.png").write_bytes(png)
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    colours = len(np.unique(img.reshape(-1, 3), axis=0))
    assert colours > 50 and img.std() > 10, "screenshot looks blank"
    assert errors == [], errors
