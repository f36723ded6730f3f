"""A real Prometheus scrapes the session Ray's metrics endpoint and finds the platform's series.

Debian's ``prometheus`` is installed by the fixture when missing (tests fail, not skip, when
that is impossible). The job is the Monte Carlo stage on the Ray executor: its paths are counted
inside the Ray workers (``ray_tsig_paths_done_total``) and its items by the driver
(``ray_tsig_items_done_total``); the Ray exporter lags a few seconds, so the test polls.
"""

from __future__ import annotations

import json
import sys
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests._services import ensure_debian_package, free_port, wait_for_port


def _query(base: str, promql: str) -> list[dict]:
    url = f"{base}/api/v1/query?{urllib.parse.urlencode({'query': promql})}"
    with urllib.request.urlopen(url, timeout=5) as resp:
        body = json.load(resp)
    assert body["status"] == "success", body
    return body["data"]["result"]


def _value(base: str, promql: str) -> float:
    result = _query(base, promql)
    return float(result[0]["value"][1]) if result else 0.0


@pytest.fixture(scope="module")
def prometheus(ray_local: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import ray

    binary = ensure_debian_package("prometheus", "prometheus")
    targets = [f"127.0.0.1:{n['MetricsExportPort']}" for n in ray.nodes() if n["Alive"]]
    root = tmp_path_factory.mktemp("prometheus")
    config = root / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: ray\n    static_configs:\n"
        f"      - targets: {json.dumps(targets)}\n", encoding="utf-8")
    port = free_port()
    log = (root / "prometheus.log").open("w")
    proc = subprocess.Popen([binary, f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}",
                             f"--storage.tsdb.path={root / 'tsdb'}"], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _wait_for(base: str, promql: str, at_least: float, timeout: float = 60.0) -> float:
    deadline = time.monotonic() + timeout
    value = 0.0
    while time.monotonic() < deadline:
        value = _value(base, promql)
        if value >= at_least:
            return value
        time.sleep(1.0)
    raise AssertionError(f"{promql} = {value} after {timeout:.0f}s, expected >= {at_least}")


def test_prometheus_scrapes_platform_series(prometheus: str) -> None:
    from trading_signals.config.risk import MonteCarloConfig
    from trading_signals.distributed.executor import RayExecutor
    from trading_signals.workflow.montecarlo import run_montecarlo

    # Prometheus scrapes Ray's endpoint (the `up` series of the job) before anything else.
    _wait_for(prometheus, 'sum(up{job="ray"})', 1.0, timeout=30)
    paths_q = 'sum(ray_tsig_paths_done_total{stage="montecarlo"})'
    items_q = 'sum(ray_tsig_items_done_total{stage="montecarlo"})'
    before_paths, before_items = _value(prometheus, paths_q), _value(prometheus, items_q)
    returns = np.random.default_rng(0).normal(0.0003, 0.01, 500)
    cfg = MonteCarloConfig(n_paths=3000, horizon=30, seed=1)
    res = run_montecarlo(cfg, RayExecutor(chunk_size=1), returns=returns)
    assert res.summary["n_paths"] == 3000
    n_blocks = int(np.ceil(3000 / 1024))
    assert _wait_for(prometheus, paths_q, before_paths + 3000) == before_paths + 3000
    assert _wait_for(prometheus, items_q, before_items + n_blocks) == before_items + n_blocks
    # Series carry Ray's labels (the Grafana dashboard filters on SessionName) and our tag.
    series = _query(prometheus, 'ray_tsig_paths_done_total{stage="montecarlo"}')
    assert series and all("SessionName" in s["metric"] and "WorkerId" in s["metric"] for s in series)


@pytest.fixture(scope="module")
def serve_url(ray_local: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real Serve app (serve/app.py) on the session Ray, over a one-symbol lake."""
    import importlib

    from ray import serve

    from trading_signals.data.lake import write_bars
    from trading_signals.data.synthetic import generate_universe

    lake = tmp_path_factory.mktemp("serve-lake")
    write_bars(lake, generate_universe(1, 300, seed=3).bars["SYN0000"], symbol="SYN0000", timeframe="1d")
    sapp = importlib.import_module("serve.app")
    port = free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    args = {"lake": str(lake), "insecure_local": True}
    cpu = {"num_cpus": 0.1}
    model = sapp.ModelDeployment.options(ray_actor_options=cpu).bind(args)
    serve.run(sapp.ApiIngress.options(ray_actor_options=cpu).bind(model, args), name="tsig-obs-test",
              route_prefix="/")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        serve.shutdown()


def test_http_calls_show_up_as_serve_series(prometheus: str, serve_url: str) -> None:
    import httpx

    ok_q = 'sum(ray_tsig_serve_requests_total{route="/v1/signals/{symbol}", status="200"})'
    err_q = 'sum(ray_tsig_serve_errors_total{status="404"})'
    before_ok, before_err = _value(prometheus, ok_q), _value(prometheus, err_q)
    with httpx.Client(base_url=serve_url, timeout=60) as client:
        for _ in range(3):
            assert client.get("/v1/signals/SYN0000").status_code == 200
        assert client.get("/v1/signals/NOPE").status_code == 404
    assert _wait_for(prometheus, ok_q, before_ok + 3) == before_ok + 3
    assert _wait_for(prometheus, err_q, before_err + 1) == before_err + 1
    assert _query(prometheus, "ray_tsig_serve_request_seconds_count")


def test_dashboard_queries_are_valid_promql(prometheus: str) -> None:
    """Prometheus itself parses and evaluates every query of the Grafana dashboard."""
    sys.path.insert(0, str(Path(__file__).parent))
    from test_obs_dashboard import dashboard_queries

    for expr in dashboard_queries():
        if expr.startswith("label_values("):  # a Grafana function, not PromQL
            expr = expr[len("label_values("):].split(",")[0]
        promql = (expr.replace("$SessionName", ".*").replace("$__rate_interval", "1m")
                  .replace("$__range", "1h"))
        _query(prometheus, promql)  # raises on HTTP 400 (parse error)
